// Worker thread of SegmentPool (pool.ts). Plain JavaScript so that Node can start it without a TypeScript
// loader (vitest and the tsx CLI alike); it loads the segmenter's TypeScript through tsx's scoped import.
// Each worker creates one segmenter, so nodejieba loads its dictionaries once per worker.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const port = parentPort;
if (!port) throw new Error('worker.mjs must run as a worker thread');

let seg;
try {
	// the pool says where the segmenter is (it may have been bundled away from this file)
	const mod = await tsImport(workerData?.module ?? './index.ts', import.meta.url);
	seg = mod.createSegmenter(workerData?.options ?? {});
	port.postMessage({ type: 'ready' });
} catch (e) {
	port.postMessage({ type: 'init-error', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

port.on('message', (msg) => {
	if (!seg) return;
	try {
		const texts = msg.texts;
		const out = new Array(texts.length);
		if (msg.op === 'cut') for (let i = 0; i < texts.length; i++) out[i] = seg.cut(texts[i]);
		else for (let i = 0; i < texts.length; i++) out[i] = seg.tokens(texts[i]);
		port.postMessage({ type: 'result', id: msg.id, out });
	} catch (e) {
		port.postMessage({ type: 'result', id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
	}
});
