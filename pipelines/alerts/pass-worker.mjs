// Worker thread for detection passes over part of the series (pass-parallel.ts). It stays up between passes
// (the modules load once, about a second through tsx) and answers each request with its episodes. Plain
// JavaScript, loading the TypeScript through tsx's scoped import (like pipelines/segment/worker.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const pass = await tsImport(workerData.passModule, import.meta.url);
const calendar = await tsImport(workerData.calendarModule, import.meta.url);
const dayKinds = new Map();

parentPort.on('message', (req) => {
	try {
		let dayKind = dayKinds.get(req.calendarFile);
		if (!dayKind) dayKinds.set(req.calendarFile, (dayKind = pass.calendarDayKind(calendar.defaultCalendar(req.calendarFile))));
		const episodes = [];
		for (const s of req.series) {
			for (const e of pass.seriesEpisodes(s, req.alpha, { ...pass.PASS_DEFAULTS, ...req.options, dayKind })) {
				e.series = null; // the main thread has the series
				episodes.push(e);
			}
		}
		parentPort.postMessage({ id: req.id, ok: true, episodes });
	} catch (e) {
		parentPort.postMessage({ id: req.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
	}
});
parentPort.postMessage({ ready: true });
