// Worker thread for a detection pass over part of the series (pass-parallel.ts). Plain JavaScript, loading the
// TypeScript through tsx's scoped import (like pipelines/segment/worker.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

try {
	const pass = await tsImport(workerData.passModule, import.meta.url);
	const calendar = await tsImport(workerData.calendarModule, import.meta.url);
	const dayKind = pass.calendarDayKind(calendar.defaultCalendar(workerData.calendarFile));
	const episodes = [];
	for (const s of workerData.series) {
		for (const e of pass.seriesEpisodes(s, workerData.alpha, { ...pass.PASS_DEFAULTS, ...workerData.options, dayKind })) {
			e.series = null; // the main thread has the series
			episodes.push(e);
		}
	}
	parentPort.postMessage({ ok: true, episodes });
} catch (e) {
	parentPort.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
