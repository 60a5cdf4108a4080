// The detection pass on two threads: the series are split into two halves of about equal length; a worker
// thread scores one half while this thread scores the other (the machine has 2 cores). Same episodes as
// runPass, in the same order. The worker stays up between passes (`closePassWorker` ends it); its first start
// loads the modules through tsx, about a second.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { defaultCalendar } from '../calendar/index';
import { pipelinesFile } from '../segment/pool';
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

export async function runPassParallel(
	all: readonly CountSeries[],
	calendarFile: string,
	options: Partial<Omit<PassOptions, 'dayKind'>> = {}
): Promise<PassResult> {
	const t0 = performance.now();
	const o = { ...PASS_DEFAULTS, ...options, dayKind: calendarDayKind(defaultCalendar(calendarFile)) };
	const { tested, alpha, perDay } = passPlan(all, o);
	const points = tested.reduce((n, s) => n + s.values.length, 0);
	// alternate series between the halves so both get a similar mix
	const mine: CountSeries[] = [];
	const theirs: CountSeries[] = [];
	let a = 0;
	let b = 0;
	for (const s of tested) {
		if (a <= b) {
			mine.push(s);
			a += s.values.length;
		} else {
			theirs.push(s);
			b += s.values.length;
		}
	}
	const { dayKind: _d, ...plain } = o;
	const pw = passWorker();
	// the worker keeps the process alive only while it works for us
	pw.w.ref();
	await pw.ready;
	const id = pw.next++;
	const done = new Promise<Episode[]>((resolve, reject) =>
		pw.waiting.set(id, (m) => (m.ok ? resolve(m.episodes!) : reject(new Error(`detection worker failed: ${m.error}`))))
	);
	pw.w.postMessage({ id, series: theirs, alpha, options: plain, calendarFile });
	try {
		const here = mine.flatMap((s) => seriesEpisodes(s, alpha, o));
		const byId = new Map(theirs.map((s) => [s.id, s]));
		const answer = await done;
		pw.w.unref();
		const there = answer.map((e) => ({ ...e, series: byId.get(e.id)! }));
		const order = new Map(tested.map((s, i) => [s.id, i]));
		const episodes = [...here, ...there].sort((x, y) => order.get(x.id)! - order.get(y.id)! || x.onsetIndex - y.onsetIndex);
		return { episodes, alpha, perDay, series: tested.length, points, seconds: (performance.now() - t0) / 1000 };
	} catch (e) {
		await closePassWorker();
		throw e;
	}
}
