// The detection pass on two threads: the series are split into two halves of about equal length; a worker
// thread scores one half while this thread scores the other (the machine has 2 cores). Same episodes as
// runPass, in the same order. Used where a whole year is scored at once (the benchmark); a server round reads
// a few weeks and stays on one thread.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { defaultCalendar } from '../calendar/index';
import { pipelinesFile } from '../segment/pool';
import { calendarDayKind, PASS_DEFAULTS, passPlan, seriesEpisodes, type Episode, type PassOptions, type PassResult } from './pass';
import type { CountSeries } from './series';

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
	const worker = new Worker(pathToFileURL(pipelinesFile('alerts/pass-worker.mjs')), {
		workerData: {
			series: theirs,
			alpha,
			options: plain,
			calendarFile,
			passModule: pathToFileURL(pipelinesFile('alerts/pass.ts')).href,
			calendarModule: pathToFileURL(pipelinesFile('calendar/index.ts')).href
		}
	});
	const done = new Promise<Episode[]>((resolve, reject) => {
		worker.once('message', (m: { ok: boolean; error?: string; episodes?: Episode[] }) =>
			m.ok ? resolve(m.episodes!) : reject(new Error(`detection worker failed: ${m.error}`))
		);
		worker.once('error', (e) => reject(new Error(`detection worker failed: ${e.message}`)));
		worker.once('exit', (code) => reject(new Error(`detection worker stopped (exit ${code})`)));
	});
	try {
		const here = mine.flatMap((s) => seriesEpisodes(s, alpha, o));
		const byId = new Map(theirs.map((s) => [s.id, s]));
		const there = (await done).map((e) => ({ ...e, series: byId.get(e.id)! }));
		const order = new Map(tested.map((s, i) => [s.id, i]));
		const episodes = [...here, ...there].sort((x, y) => order.get(x.id)! - order.get(y.id)! || x.onsetIndex - y.onsetIndex);
		return { episodes, alpha, perDay, series: tested.length, points, seconds: (performance.now() - t0) / 1000 };
	} finally {
		await worker.terminate();
	}
}
