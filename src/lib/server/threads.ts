// CPU priority of the server's threads (Linux). The threads that answer requests keep the default priority: the
// main thread, the threads the process started with (V8's, which also collect the main thread's garbage), the
// embedded database's worker (PGlite) and the server's segmenter (text/segmenter.ts: the main thread waits for its
// cuts). Every other thread is background work and runs at a lower priority (a
// higher nice value): DuckDB's queries and libuv's pool, which runs them; the segmentation, training and detection workers.
// On two cores a text or detection round otherwise takes a core from the registrations that arrive meanwhile
// (npm run bench -- intake). The kernel only weighs priorities when threads compete: on an idle machine the
// background work runs as fast as before.
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { procStatFields } from '$pipelines/segment/worker-start';

/** The highest nice value Linux allows (the lowest priority). */
export const MAX_NICE = 19;

const KEY = Symbol.for('minqing.threads');
interface State {
	/** threads that keep the default priority, by operating-system thread id */
	foreground: Set<number>;
	/** threads already lowered, as `tid:start time` (a thread id can be reused by a later thread) */
	lowered: Set<string>;
	timer: ReturnType<typeof setInterval> | null;
	/** the sweep run when a worker thread starts (null before startBackgroundPriority, or when it is off) */
	onWorker: (() => void) | null;
}
function state(): State {
	const g = globalThis as { [KEY]?: State };
	return (g[KEY] ??= { foreground: new Set(), lowered: new Set(), timer: null, onWorker: null });
}

/** The ids of this process's threads now, or null where /proc cannot tell (not Linux). */
export function processThreads(): number[] | null {
	try {
		return readdirSync('/proc/self/task').map(Number);
	} catch {
		return null;
	}
}

/** A thread's start time and nice value from /proc, or null when it has ended. */
function threadStat(tid: number): { start: string; nice: number } | null {
	const f = procStatFields(`/proc/self/task/${tid}/stat`);
	return f ? { nice: Number(f[16]), start: f[19] } : null;
}

/** A thread's nice value (tests, diagnostics), or null when it has ended or /proc cannot tell. */
export function threadNice(tid: number): number | null {
	return threadStat(tid)?.nice ?? null;
}

/** Keeps `tid` (a worker that answers requests, e.g. the embedded database's) at the default priority. */
export function markForeground(tid: number | null): void {
	if (tid !== null) state().foreground.add(tid);
}

/**
 * Lowers every thread of this process that is neither in `keep` nor marked foreground to `nice`, once per thread;
 * returns how many it lowered. A thread that cannot be lowered (it ended meanwhile) is skipped.
 */
export function lowerBackgroundThreads(keep: Iterable<number>, nice: number): number {
	const s = state();
	const kept = new Set([process.pid, ...keep, ...s.foreground]);
	let n = 0;
	for (const tid of processThreads() ?? []) {
		if (kept.has(tid)) continue;
		const st = threadStat(tid);
		if (!st) continue;
		const key = `${tid}:${st.start}`;
		if (s.lowered.has(key)) continue;
		s.lowered.add(key);
		if (st.nice >= nice) continue;
		try {
			setPriority(tid, nice);
			n++;
		} catch {
			// ended between the listing and now
		}
	}
	return n;
}

/**
 * Lowers the background threads now, every `everyMs` (threads start later too: libuv's pool with the first
 * query) and whenever a worker thread starts (the segmentation, training and detection workers: lowered as they
 * start, not up to `everyMs` later, while they load their modules). `startThreads` are the threads the process
 * had before any module loaded (src/start.cjs records them); without them nothing is lowered, since V8's threads
 * could not be told from the rest. `nice` 0 turns it off. Returns a function that stops the sweeps.
 *
 * A worker that must keep the default priority (the embedded database's, marked with markForeground once it
 * reports its thread id) has to start before this is called, as the server's start-up does.
 */
export function startBackgroundPriority(nice: number, startThreads: number[] | null, everyMs = 5000): () => void {
	const s = state();
	if (nice <= 0 || !startThreads || processThreads() === null) return () => {};
	const level = Math.min(MAX_NICE, Math.floor(nice));
	const sweep = () => lowerBackgroundThreads(startThreads, level);
	sweep();
	if (s.timer) clearInterval(s.timer);
	s.timer = setInterval(sweep, everyMs);
	s.timer.unref?.();
	// Node emits 'worker' once a Worker's thread exists
	if (s.onWorker) process.off('worker', s.onWorker);
	const onWorker = () => void sweep();
	s.onWorker = onWorker;
	process.on('worker', onWorker);
	return () => {
		if (s.timer) clearInterval(s.timer);
		s.timer = null;
		process.off('worker', onWorker);
		if (s.onWorker === onWorker) s.onWorker = null;
	};
}

/** The threads src/start.cjs recorded before any module loaded, or null (another entry point, or not Linux). */
export function startThreads(): number[] | null {
	const v = (globalThis as { [k: symbol]: unknown })[Symbol.for('minqing.startThreads')];
	return Array.isArray(v) ? v.map(Number) : null;
}
