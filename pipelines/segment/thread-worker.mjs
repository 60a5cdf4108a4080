// Worker thread of ThreadSegmenter (thread-segmenter.ts): one segmenter, asked synchronously through shared memory.
// Plain JavaScript, like worker.mjs, so that Node starts it without a TypeScript loader; it loads the segmenter's
// TypeScript through tsx's scoped import. The layout of the shared buffer: thread-layout.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { threadId } from './thread-id.mjs';
import { CELL, CTRL_BYTES, READY, STATE } from './thread-layout.mjs';

const { sab, module, options } = workerData;
const ctrl = new Int32Array(sab, 0, CTRL_BYTES / 4);
const data = Buffer.from(sab, CTRL_BYTES);

/** Writes `text` where the asker reads it; false when it does not fit. */
function reply(text) {
	const n = Buffer.byteLength(text);
	if (n > data.length) return false;
	data.write(text, 0, 'utf8');
	Atomics.store(ctrl, CELL.LENGTH, n);
	return true;
}

// first of all this thread's id, before the asker's thread returns to its event loop (where the server lowers the
// priority of new threads that it has not been told about)
Atomics.store(ctrl, CELL.TID, threadId() ?? -1);
Atomics.store(ctrl, CELL.STARTED, 1);
Atomics.notify(ctrl, CELL.STARTED);

let seg = null;
let mod = null;
try {
	// tsx only now, after the thread id is told: loading it takes longer than the rest of the start
	const { tsImport } = await import('tsx/esm/api');
	mod = await tsImport(module, import.meta.url);
	seg = mod.createSegmenter(options ?? {});
	// what the asker needs to make tokens of words itself, on a port it reads synchronously once READY is set: the
	// stop words and the user dictionary's words
	workerData.lists.postMessage({ stopWords: [...seg.stopWords], userWords: [...seg.userWords] });
	Atomics.store(ctrl, CELL.READY, READY.LOADED);
} catch (e) {
	reply(e instanceof Error ? (e.stack ?? e.message) : String(e));
	Atomics.store(ctrl, CELL.READY, READY.FAILED);
}
Atomics.notify(ctrl, CELL.READY);
parentPort?.postMessage({ type: seg ? 'ready' : 'init-error' });

// the loop: wait for a request, answer it; the asker waits meanwhile, so one request at a time
while (seg) {
	Atomics.wait(ctrl, CELL.STATE, STATE.IDLE);
	const state = Atomics.load(ctrl, CELL.STATE);
	if (state === STATE.STOP) {
		// its dictionaries go with it (nodejieba would keep them until the process ends)
		mod.releaseDictionaries(options?.cacheDir);
		process.exit(0);
	}
	if (state !== STATE.REQUEST) continue;
	let ok;
	try {
		ok = reply(seg.cut(data.toString('utf8', 0, Atomics.load(ctrl, CELL.LENGTH))).join('\u0001'));
		if (!ok) reply('the words are larger than the shared buffer');
	} catch (e) {
		reply(e instanceof Error ? (e.stack ?? e.message) : String(e));
		ok = false;
	}
	Atomics.store(ctrl, CELL.STATE, ok ? STATE.RESPONSE : STATE.FAILED);
	Atomics.notify(ctrl, CELL.STATE);
}
