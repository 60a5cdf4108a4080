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
		const o = { ...pass.PASS_DEFAULTS, ...req.options, dayKind };
		const score = (s) => {
			for (const e of pass.seriesEpisodes(s, req.alpha, o)) {
				e.series = null; // the main thread has the series
				episodes.push(e);
			}
		};
		// with `claim` (shared with the main thread): the next series neither thread has taken, until none is left
		const claim = req.claim;
		if (claim) for (let i = Atomics.add(claim, 0, 1); i < req.series.length; i = Atomics.add(claim, 0, 1)) score(req.series[i]);
		else for (const s of req.series) score(s);
		parentPort.postMessage({ id: req.id, ok: true, episodes });
	} catch (e) {
		parentPort.postMessage({ id: req.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
	}
});
parentPort.postMessage({ ready: true });
