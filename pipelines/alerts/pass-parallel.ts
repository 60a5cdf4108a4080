// The detection pass on a worker thread. runPassParallel (the CLI's and the benchmark's pass) sends the worker all
// the series and a shared counter; the worker and this thread each take the next series not yet taken until none
// is left (the machine has 2 cores). runPassInWorker (the server's) gives the worker all of them, so that the server's own
// thread goes on answering requests: a pass scored on it in slices, however short, delayed every request by a
// slice at each of the turns of the event loop it needs. Same episodes as runPass, in the same order. The worker
// stays up between passes (`closePassWorker` ends it); its first start loads the modules through tsx, about a
// second.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { defaultCalendar } from '../calendar/index';
import { pipelinesFile } from '../segment/pool';
import { nextTurn } from '../event-loop';
import { calendarDayKind, PASS_DEFAULTS, passPlan, seriesEpisodes, type Episode, type PassOptions, type PassResult } from './pass';
import type { CountSeries } from './series';

type Reply = { id?: number; ok?: boolean; error?: string; episodes?: Episode[]; ready?: boolean };
let worker: { w: Worker; ready: Promise<void>; next: number; waiting: Map<number, (r: Reply) => void> } | null = null;

function passWorker() {
	if (worker) return worker;
	const w = new Worker(pathToFileURL(pipelinesFile('alerts/pass-worker.mjs')), {
		workerData: {
			passModule: pathToFileURL(pipelinesFile('alerts/pass.ts')).href,
			calendarModule: pathToFileURL(pipelinesFile('calendar/index.ts')).href
		}
	});
	const waiting = new Map<number, (r: Reply) => void>();
	const fail = (e: Error) => {
		for (const f of waiting.values()) f({ ok: false, error: e.message });
		waiting.clear();
		worker = null;
	};
	const ready = new Promise<void>((resolve, reject) => {
		w.on('message', (m: Reply) => {
			if (m.ready) return resolve();
			const f = waiting.get(m.id!);
			waiting.delete(m.id!);
			f?.(m);
		});
		w.once('error', (e) => {
			reject(e);
			fail(e);
		});
		w.once('exit', (code) => fail(new Error(`detection worker stopped (exit ${code})`)));
	});
	w.unref();
	worker = { w, ready, next: 1, waiting };
	return worker;
}

/** Starts the worker and waits until its modules are loaded (so a timed pass does not include that). */
export async function warmPassWorker(): Promise<void> {
	const pw = passWorker();
	pw.w.ref();
	try {
		await pw.ready;
	} finally {
		pw.w.unref();
	}
}

export async function closePassWorker(): Promise<void> {
	const w = worker;
	worker = null;
	if (w) await w.w.terminate();
}

/** A pass's options (with the day kinds of the calendar in `calendarFile`), the series it tests and its α. */
function planPass(all: readonly CountSeries[], calendarFile: string, options: Partial<Omit<PassOptions, 'dayKind'>>) {
	const t0 = performance.now();
	const o: PassOptions = { ...PASS_DEFAULTS, ...options, dayKind: calendarDayKind(defaultCalendar(calendarFile)) };
	const { tested, alpha, perDay } = passPlan(all, o);
	/** the pass's result, given its episodes */
	const result = (episodes: Episode[]): PassResult => ({
		episodes,
		alpha,
		perDay,
		series: tested.length,
		points: tested.reduce((n, s) => n + s.values.length, 0),
		seconds: (performance.now() - t0) / 1000
	});
	return { o, tested, alpha, result };
}

/**
 * Sends `series` to the worker, which must have loaded (warmPassWorker), and gives the promise of their episodes,
 * in their order. The worker keeps the process alive while it has series to score.
 */
function scoreOnWorker(
	series: readonly CountSeries[],
	alpha: number,
	o: PassOptions,
	calendarFile: string,
	claim?: Int32Array
): Promise<Episode[]> {
	const { dayKind: _d, ...plain } = o;
	const pw = passWorker();
	const id = pw.next++;
	if (!pw.waiting.size) pw.w.ref();
	const answer = new Promise<Episode[]>((resolve, reject) =>
		pw.waiting.set(id, (m) => {
			if (!pw.waiting.size) pw.w.unref();
			if (m.ok) resolve(m.episodes!);
			else reject(new Error(`detection worker failed: ${m.error}`));
		})
	);
	pw.w.postMessage({ id, series, alpha, options: plain, calendarFile, claim });
	const byId = new Map(series.map((s) => [s.id, s]));
	return answer.then((episodes) => episodes.map((e) => ({ ...e, series: byId.get(e.id)! })));
}

/** Series sent to the worker per message by runPassInWorker: the structured copy of one holds this thread for a moment only. */
const SERIES_PER_MESSAGE = 100;

/** A pass's work, with the worker closed when it fails (the next pass starts a new one). */
async function closingOnFailure<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (e) {
		await closePassWorker();
		throw e;
	}
}

export async function runPassParallel(
	all: readonly CountSeries[],
	calendarFile: string,
	options: Partial<Omit<PassOptions, 'dayKind'>> = {}
): Promise<PassResult> {
	const { o, tested, alpha, result } = planPass(all, calendarFile, options);
	return closingOnFailure(async () => {
		await warmPassWorker();
		// both threads take the next series not yet taken until none is left, so neither waits for the other
		// longer than one series takes (a fixed split into halves left one thread idle for a third of the pass
		// when the worker's code was not yet optimised, or the other thread was held up)
		const claim = new Int32Array(new SharedArrayBuffer(4));
		const there = scoreOnWorker(tested, alpha, o, calendarFile, claim);
		there.catch(() => {}); // surfaced below
		const here: Episode[] = [];
		for (let i = Atomics.add(claim, 0, 1); i < tested.length; i = Atomics.add(claim, 0, 1)) here.push(...seriesEpisodes(tested[i], alpha, o));
		const order = new Map(tested.map((s, i) => [s.id, i]));
		return result([...here, ...(await there)].sort((x, y) => order.get(x.id)! - order.get(y.id)! || x.onsetIndex - y.onsetIndex));
	});
}

/** The pass with every series scored on the worker thread (a server's: see the top of this file). */
export async function runPassInWorker(
	all: readonly CountSeries[],
	calendarFile: string,
	options: Partial<Omit<PassOptions, 'dayKind'>> = {}
): Promise<PassResult> {
	const { o, tested, alpha, result } = planPass(all, calendarFile, options);
	return closingOnFailure(async () => {
		await warmPassWorker();
		const parts: Promise<Episode[]>[] = [];
		for (let i = 0; i < tested.length; i += SERIES_PER_MESSAGE) {
			if (i > 0) await nextTurn();
			const part = scoreOnWorker(tested.slice(i, i + SERIES_PER_MESSAGE), alpha, o, calendarFile);
			part.catch(() => {}); // surfaced by Promise.all below, even when it fails while later parts are being sent
			parts.push(part);
		}
		return result((await Promise.all(parts)).flat());
	});
}
