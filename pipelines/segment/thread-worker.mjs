// Worker thread of ThreadSegmenter (thread-segmenter.ts): one segmenter, asked synchronously through shared memory.
// Plain JavaScript, like worker.mjs, so that Node starts it without a TypeScript loader; it loads the segmenter's
// TypeScript through tsx's scoped import. The layout of the shared buffer is thread-segmenter.ts's (CTRL, DATA).
import { parentPort, workerData } from 'node:worker_threads';
import { threadId } from './thread-id.mjs';

const { sab, module, options } = workerData;
const ctrl = new Int32Array(sab, 0, 8);
const data = Buffer.from(sab, 32);
const [STATE, LENGTH, TID, STARTED, READY] = [0, 1, 2, 3, 4];
const [IDLE, REQUEST, RESPONSE, FAILED, STOP] = [0, 1, 2, 3, 4];

/** Writes `text` where the asker reads it; false when it does not fit. */
function reply(text) {
	const n = Buffer.byteLength(text);
	if (n > data.length) return false;
	data.write(text, 0, 'utf8');
	Atomics.store(ctrl, LENGTH, n);
	return true;
}

// first of all this thread's id, before the asker's thread returns to its event loop (where the server lowers the
// priority of new threads that it has not been told about)
Atomics.store(ctrl, TID, threadId() ?? -1);
Atomics.store(ctrl, STARTED, 1);
Atomics.notify(ctrl, STARTED);

let seg = null;
try {
	// tsx only now, after the thread id is told: loading it takes longer than the rest of the start
	const { tsImport } = await import('tsx/esm/api');
	const mod = await tsImport(module, import.meta.url);
	seg = mod.createSegmenter(options ?? {});
	// what the asker needs to make tokens of words itself, on a port it reads synchronously once READY is set: the
	// stop words and the user dictionary's words
	workerData.lists.postMessage({ stopWords: [...seg.stopWords], userWords: [...seg.userWords] });
	Atomics.store(ctrl, READY, 1);
} catch (e) {
	reply(e instanceof Error ? (e.stack ?? e.message) : String(e));
	Atomics.store(ctrl, READY, 2);
}
Atomics.notify(ctrl, READY);
parentPort?.postMessage({ type: seg ? 'ready' : 'init-error' });

// the loop: wait for a request, answer it; the asker waits meanwhile, so one request at a time
while (seg) {
	Atomics.wait(ctrl, STATE, IDLE);
	const state = Atomics.load(ctrl, STATE);
	if (state === STOP) break;
	if (state !== REQUEST) continue;
	let ok;
	try {
		ok = reply(seg.cut(data.toString('utf8', 0, Atomics.load(ctrl, LENGTH))).join('\u0001'));
		if (!ok) reply('the words are larger than the shared buffer');
	} catch (e) {
		reply(e instanceof Error ? (e.stack ?? e.message) : String(e));
		ok = false;
	}
	Atomics.store(ctrl, STATE, ok ? RESPONSE : FAILED);
	Atomics.notify(ctrl, STATE);
}
