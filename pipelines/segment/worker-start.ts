// Starting the worker threads here: finding a worker's script, and the start handshake (a worker posts
// { type: 'ready', tid? } once it has loaded what it needs, or { type: 'init-error', error } when it cannot). Used
// by the segmentation pool and by the server's embedded database thread. Also each thread's CPU time (Linux).
import { existsSync, readFileSync } from 'node:fs';
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
 * Resolves when `w` says it is ready, with the operating system's id of its thread when it sent one (for
 * threadCpuSeconds); rejects when it reports an init error (`initError` turns the reported error into the Error
 * to throw), fails, or exits first. `what` names the worker in the messages.
 */
export function workerStarted(w: Worker, what: string, initError: (error: unknown) => Error): Promise<number | null> {
	let tid: number | null = null;
	return new Promise<number | null>((resolve, reject) => {
		const onMessage = (m: { type?: string; error?: unknown; tid?: unknown }) => {
			if (m.type === 'ready') {
				tid = typeof m.tid === 'number' ? m.tid : null;
				done(null);
			} else if (m.type === 'init-error') done(initError(m.error));
		};
		const onError = (e: Error) => done(new Error(`${what} could not start: ${e.message}`));
		const onExit = (code: number) => done(new Error(`${what} exited during start (code ${code})`));
		const done = (e: Error | null) => {
			w.off('message', onMessage);
			w.off('error', onError);
			w.off('exit', onExit);
			if (e) reject(e);
			else resolve(tid);
		};
		w.on('message', onMessage);
		w.on('error', onError);
		w.on('exit', onExit);
	});
}

/**
 * The fields of a /proc stat file after the command name (which may hold spaces, so it is skipped up to its
 * closing parenthesis): [0] the state, [11] and [12] user and system CPU ticks, [16] the nice value, [19] the
 * start time. null where it cannot be read (not Linux, or the process or thread has ended).
 */
export function procStatFields(statFile: string): string[] | null {
	try {
		const stat = readFileSync(statFile, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return null;
	}
}

/**
 * CPU seconds (user + system) in a /proc stat file: `/proc/<pid>/stat` for a process, `/proc/self/task/<tid>/stat`
 * for one of this process's threads. null where it cannot be read. Clock ticks are taken as 1/100 s, the USER_HZ
 * Linux reports to every program.
 */
export function procCpuSeconds(statFile: string): number | null {
	const f = procStatFields(statFile);
	return f ? (Number(f[11]) + Number(f[12])) / 100 : null;
}

/**
 * CPU seconds a thread of this process has used: the thread `tid` (an operating-system thread id, as a worker
 * reports it when ready), or the calling thread; null where /proc cannot tell.
 */
export function threadCpuSeconds(tid?: number): number | null {
	return procCpuSeconds(tid === undefined ? '/proc/thread-self/stat' : `/proc/self/task/${tid}/stat`);
}
