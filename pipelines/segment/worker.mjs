// Worker thread of SegmentPool (pool.ts). Plain JavaScript so that Node can start it without a TypeScript
// loader (vitest and the tsx CLI alike); it loads the segmenter's TypeScript through tsx's scoped import.
// Each worker creates one segmenter, so nodejieba loads its dictionaries once per worker.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';
import { threadId } from './thread-id.mjs';

const port = parentPort;
if (!port) throw new Error('worker.mjs must run as a worker thread');

let seg;
/** the segmenter's module (for releaseDictionaries at the end) */
let mod;
/** the analysis of a ticket's text (pipelines/text/ticket-analysis.ts), made on the first 'analyze' */
let analyse = null;
try {
	// the pool says where the segmenter is (it may have been bundled away from this file)
	mod = await tsImport(workerData?.module ?? './index.ts', import.meta.url);
	seg = mod.createSegmenter(workerData?.options ?? {});
	port.postMessage({ type: 'ready', tid: threadId() });
} catch (e) {
	port.postMessage({ type: 'init-error', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

async function analysis() {
	if (!analyse) {
		const mod = await tsImport(workerData.analysisModule, import.meta.url);
		analyse = mod.ticketAnalysis(seg, workerData.sentimentDataDir ?? undefined);
	}
	return analyse;
}

// one string crosses the thread boundary far cheaper than an array of arrays: \u0001 between words,
// \u0002 between texts, \u0003 between the fields of one analysis (none survives segmentation as a word)
port.on('message', async (msg) => {
	if (msg.op === 'close') {
		// its dictionaries go with it: nodejieba frees them only when it loads others, not when the thread ends
		if (seg) mod.releaseDictionaries(workerData?.options?.cacheDir);
		process.exit(0);
	}
	if (!seg) return;
	if (msg.op === 'reload') {
		// another dictionary overlay, in place: loading it frees the one loaded (nodejieba keeps one set per thread)
		try {
			seg = mod.createSegmenter({ ...(workerData?.options ?? {}), overlay: msg.overlay });
			analyse = null;
			port.postMessage({ type: 'result', id: msg.id, packed: '', n: 0 });
		} catch (e) {
			port.postMessage({ type: 'result', id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
		}
		return;
	}
	try {
		const texts = msg.texts;
		const out = new Array(texts.length);
		if (msg.op === 'cut') for (let i = 0; i < texts.length; i++) out[i] = seg.cut(texts[i]).join('\u0001');
		else if (msg.op === 'tokens') for (let i = 0; i < texts.length; i++) out[i] = seg.tokens(texts[i]).join('\u0001');
		else {
			const of = await analysis();
			for (let i = 0; i < texts.length; i++) {
				const a = of(texts[i]);
				out[i] = `${a.tokens}\u0003${a.sentiment}\u0003${a.intensity}`;
			}
		}
		port.postMessage({ type: 'result', id: msg.id, packed: out.join('\u0002'), n: out.length });
	} catch (e) {
		port.postMessage({ type: 'result', id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
	}
});
