// Starting the worker threads here: finding a worker's script, and the start handshake (a worker posts
// { type: 'ready' } once it has loaded what it needs, or { type: 'init-error', error } when it cannot). Used by
// the segmentation pool and by the server's embedded database thread.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';

/**
 * A file beside the module at `moduleUrl`, or — when that module has been bundled elsewhere (a server build) —
 * `repoPath` (its path in the repository, e.g. 'pipelines/segment/worker.mjs') under the nearest ancestor of
 * the working directory that has it. (Paths are built with node:path, not `new URL('./x', import.meta.url)`,
 * so that bundlers leave them alone.)
 */
export function moduleFile(moduleUrl: string, repoPath: string): string {
	const beside = join(dirname(fileURLToPath(moduleUrl)), repoPath.slice(repoPath.lastIndexOf('/') + 1));
	if (existsSync(beside)) return beside;
	for (let dir = process.cwd(); ; dir = dirname(dir)) {
		const f = join(dir, ...repoPath.split('/'));
		if (existsSync(f)) return f;
		if (dirname(dir) === dir) return beside;
	}
}

/**
 * Resolves when `w` says it is ready; rejects when it reports an init error (`initError` turns the reported
 * error into the Error to throw), fails, or exits first. `what` names the worker in the messages.
 */
export function workerStarted(w: Worker, what: string, initError: (error: unknown) => Error): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		const onMessage = (m: { type?: string; error?: unknown }) => {
			if (m.type === 'ready') done(null);
			else if (m.type === 'init-error') done(initError(m.error));
		};
		const onError = (e: Error) => done(new Error(`${what} could not start: ${e.message}`));
		const onExit = (code: number) => done(new Error(`${what} exited during start (code ${code})`));
		const done = (e: Error | null) => {
			w.off('message', onMessage);
			w.off('error', onError);
			w.off('exit', onExit);
			if (e) reject(e);
			else resolve();
		};
		w.on('message', onMessage);
		w.on('error', onError);
		w.on('exit', onExit);
	});
}
