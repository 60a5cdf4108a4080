// Worker thread of SegmentPool (pool.ts). Plain JavaScript so that Node can start it without a TypeScript
// loader (vitest and the tsx CLI alike); it loads the segmenter's TypeScript through tsx's scoped import.
// Each worker creates one segmenter, so nodejieba loads its dictionaries once per worker.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';
import { threadId } from './thread-id.mjs';

const port = parentPort;
if (!port) throw new Error('worker.mjs must run as a worker thread');

let seg;
/** the sentiment module and its lexicon, loaded on the first 'analyze' */
let sentiment = null;
try {
	// the pool says where the segmenter is (it may have been bundled away from this file)
	const mod = await tsImport(workerData?.module ?? './index.ts', import.meta.url);
	seg = mod.createSegmenter(workerData?.options ?? {});
	port.postMessage({ type: 'ready', tid: threadId() });
} catch (e) {
	port.postMessage({ type: 'init-error', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

async function sentimentModule() {
	if (!sentiment) {
		const mod = await tsImport(workerData.sentimentModule, import.meta.url);
		sentiment = { mod, lexicon: mod.loadSentimentLexicon(workerData.sentimentDataDir ?? undefined) };
	}
	return sentiment;
}

// one string crosses the thread boundary far cheaper than an array of arrays: \u0001 between words,
// \u0002 between texts, \u0003 between the fields of one analysis (none survives segmentation as a word)
port.on('message', async (msg) => {
	if (!seg) return;
	try {
		const texts = msg.texts;
		const out = new Array(texts.length);
		if (msg.op === 'cut') for (let i = 0; i < texts.length; i++) out[i] = seg.cut(texts[i]).join('\u0001');
		else if (msg.op === 'tokens') for (let i = 0; i < texts.length; i++) out[i] = seg.tokens(texts[i]).join('\u0001');
		else {
			const { mod, lexicon } = await sentimentModule();
			for (let i = 0; i < texts.length; i++) {
				const words = seg.cut(texts[i]);
				const s = mod.sentimentOf(words, texts[i], lexicon);
				out[i] = `${seg.tokensOf(words).join('\u0001')}\u0003${s.score}\u0003${s.intensity}`;
			}
		}
		port.postMessage({ type: 'result', id: msg.id, packed: out.join('\u0002'), n: out.length });
	} catch (e) {
		port.postMessage({ type: 'result', id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
	}
});
