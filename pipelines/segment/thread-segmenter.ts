/**
 * A segmenter whose nodejieba lives in a worker thread of its own and is asked synchronously, through shared
 * memory: the `Segmenter` interface as it is (cut, tokens, tokensOf), so that synchronous callers stay synchronous,
 * while the thread that creates it never loads a dictionary. nodejieba reads its dictionaries synchronously (one to
 * two seconds), and only one set per thread: a server that loaded them on its own thread stood still for that long
 * at its start and after every change of the dictionary. With this, a new dictionary loads in a new thread while the
 * old one still answers (see `ready`), and the creating thread only ever waits for a cut (tens of microseconds more
 * than a cut in the same thread, a few hundred on this machine's virtual cores: `npm run bench -- segment` prints both).
 *
 *   const seg = new ThreadSegmenter({ overlay });   // returns at once; the thread loads the dictionaries
 *   await seg.ready;                                  // or call cut() at once: it waits for the load
 *   seg.tokens('小区门口积水严重');
 *   await seg.close();
 *
 * One request at a time: the asking thread waits for the answer (Atomics.wait), so this is for one thread's own
 * short texts (queries, suggestions, a title), not for batches (SegmentPool does those in parallel).
 */
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { indexTokens, resolveOptions, type ResolvedOptions, type Segmenter, type SegmenterOptions } from './index';
import { segmentFile } from './pool';
import { CELL, CTRL_BYTES, READY, STATE } from './thread-layout.mjs';


export interface ThreadSegmenterOptions extends SegmenterOptions {
	/** bytes for a request or an answer (default 4 MiB); a longer text is cut in pieces of half of it */
	capacity?: number;
	/** longest wait for one cut or for the dictionaries, in ms (default 60 s); then the call throws */
	timeoutMs?: number;
	/**
	 * Called with the worker's operating-system thread id (null where it cannot be told) before the constructor
	 * returns, so before the creating thread's event loop runs again (e.g. to keep its CPU priority).
	 */
	onThread?: (tid: number | null) => void;
}

export class ThreadSegmenter implements Segmenter {
	readonly options: Readonly<ResolvedOptions>;
	/** resolves once the worker has loaded the dictionaries; rejects when it cannot */
	readonly ready: Promise<void>;
	/** the worker's operating-system thread id, null where it cannot be told */
	readonly tid: number | null;
	/** when it was created (ms since the epoch) */
	readonly startedAt = Date.now();
	private readonly worker: Worker;
	private readonly ctrl: Int32Array;
	private readonly data: Buffer;
	private readonly timeoutMs: number;
	/** the port the worker sends its word lists on, once, before it sets READY (read synchronously) */
	private readonly lists: MessagePort;
	private words: { stopWords: Set<string>; userWords: Set<string> } | null = null;
	/** why it cannot answer (the load failed, the thread died, an answer timed out), once it cannot */
	private broken: Error | null = null;
	private closed = false;
	/** the worker thread's exit code once it has ended: 0 when it ended itself on close, after freeing its dictionaries */
	readonly ended: Promise<number>;

	constructor(opts: ThreadSegmenterOptions = {}) {
		const { capacity = 4 << 20, timeoutMs = 60_000, onThread, ...segmenterOptions } = opts;
		this.options = resolveOptions(segmenterOptions);
		this.timeoutMs = timeoutMs;
		const sab = new SharedArrayBuffer(CTRL_BYTES + Math.max(1024, capacity));
		this.ctrl = new Int32Array(sab, 0, CTRL_BYTES / 4);
		this.data = Buffer.from(sab, CTRL_BYTES);
		const { port1, port2 } = new MessageChannel();
		this.lists = port1;
		port1.unref();
		this.worker = new Worker(pathToFileURL(segmentFile('thread-worker.mjs')), {
			workerData: { sab, module: pathToFileURL(segmentFile('index.ts')).href, options: this.options, lists: port2 },
			transferList: [port2]
		});
		this.ready = new Promise<void>((resolve, reject) => {
			this.worker.on('message', (m: { type?: string }) => {
				if (m.type === 'ready' || m.type === 'init-error') {
					// loaded, it waits in Atomics.wait for ever: from now on it does not keep the process alive (a
					// process awaiting `ready` stays meanwhile)
					this.worker.unref();
					try {
						this.adopt();
						resolve();
					} catch (e) {
						reject(e as Error);
					}
				}
			});
			this.worker.on('error', (e) => {
				this.broken ??= new Error(`segmenter thread failed: ${e.message}`);
				reject(this.broken);
			});
			this.worker.on('exit', (code) => {
				this.broken ??= new Error(this.closed ? 'segmenter closed' : `segmenter thread exited (code ${code})`);
				reject(this.broken);
			});
		});
		this.ready.catch(() => {}); // surfaced by the calls
		this.ended = new Promise((resolve) => this.worker.once('exit', resolve));
		// the worker says its thread id first of all (a few ms): wait for it here, so that onThread runs before
		// this thread's event loop does
		Atomics.wait(this.ctrl, CELL.STARTED, 0, 5_000);
		const tid = Atomics.load(this.ctrl, CELL.STARTED) === 1 ? Atomics.load(this.ctrl, CELL.TID) : -1;
		this.tid = tid >= 0 ? tid : null;
		onThread?.(this.tid);
	}

	/** Takes the word lists the worker sent when it became ready (once), or its load error. */
	private adopt(): void {
		if (this.words) return;
		const state = Atomics.load(this.ctrl, CELL.READY);
		if (state === READY.LOADING) throw new Error('segmenter thread not ready');
		if (state !== READY.LOADED) {
			const text = this.data.toString('utf8', 0, Atomics.load(this.ctrl, CELL.LENGTH));
			this.lists.close();
			this.broken ??= new Error(`segmenter thread could not load the dictionaries: ${text}`);
			throw this.broken;
		}
		const m = receiveMessageOnPort(this.lists)?.message as { stopWords: string[]; userWords: string[] } | undefined;
		if (!m) throw (this.broken ??= new Error('segmenter thread: loaded, but its word lists did not arrive'));
		this.lists.close();
		this.words = { stopWords: new Set(m.stopWords), userWords: new Set(m.userWords) };
	}

	/** The word lists, waiting here for the load when it is not done yet. */
	private loaded(): { stopWords: Set<string>; userWords: Set<string> } {
		if (this.broken) throw this.broken;
		if (!this.words) {
			if (Atomics.wait(this.ctrl, CELL.READY, READY.LOADING, this.timeoutMs) === 'timed-out') throw new Error(`segmenter thread: dictionaries not loaded after ${this.timeoutMs} ms`);
			this.adopt();
		}
		return this.words!;
	}

	/** Whether the dictionaries have loaded (without waiting); false also when the load failed. */
	isLoaded(): boolean {
		return !this.broken && Atomics.load(this.ctrl, CELL.READY) === READY.LOADED;
	}

	/** Whether it cannot answer: its dictionaries failed to load, its thread died, or it is closed. */
	isFailed(): boolean {
		return this.broken !== null || this.closed || Atomics.load(this.ctrl, CELL.READY) === READY.FAILED;
	}

	get stopWords(): ReadonlySet<string> {
		return this.loaded().stopWords;
	}

	get userWords(): ReadonlySet<string> {
		return this.loaded().userWords;
	}

	cut(text: string): string[] {
		if (typeof text !== 'string' || text.length === 0) return [];
		this.loaded();
		const out: string[] = [];
		for (const piece of pieces(text, this.data.length >> 1)) for (const w of this.ask(piece)) out.push(w);
		return out;
	}

	tokens(text: string): string[] {
		return this.tokensOf(this.cut(text));
	}

	tokensOf(words: readonly string[]): string[] {
		const { stopWords, userWords } = this.loaded();
		return indexTokens(words, stopWords, userWords);
	}

	/** One request: `text` fits in half the buffer (its words then fit in all of it). */
	private ask(text: string): string[] {
		if (this.closed) throw new Error('segmenter closed');
		const n = this.data.write(text, 0, 'utf8');
		Atomics.store(this.ctrl, CELL.LENGTH, n);
		Atomics.store(this.ctrl, CELL.STATE, STATE.REQUEST);
		Atomics.notify(this.ctrl, CELL.STATE);
		if (Atomics.wait(this.ctrl, CELL.STATE, STATE.REQUEST, this.timeoutMs) === 'timed-out') {
			// it may still answer later, into a buffer a next request would share: this one is not used again
			this.broken = new Error(`segmenter thread: no answer after ${this.timeoutMs} ms`);
			throw this.broken;
		}
		const state = Atomics.load(this.ctrl, CELL.STATE);
		const answer = this.data.toString('utf8', 0, Atomics.load(this.ctrl, CELL.LENGTH));
		Atomics.store(this.ctrl, CELL.STATE, STATE.IDLE);
		if (state !== STATE.RESPONSE) throw new Error(`segmenter thread: ${answer}`);
		return answer === '' ? [] : answer.split('\u0001');
	}

	/** Ends the worker thread, which first frees its dictionaries (releaseDictionaries); stopped after 10 s if not. */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		// referenced again until it has ended: a process with nothing else to do would otherwise quit before its exit
		this.worker.ref();
		Atomics.store(this.ctrl, CELL.STATE, STATE.STOP);
		Atomics.notify(this.ctrl, CELL.STATE);
		const timer = setTimeout(() => void this.worker.terminate(), 10_000);
		timer.unref();
		await this.ended;
		clearTimeout(timer);
	}
}

/** The breaks a long text is best cut at: line ends, then the ends of sentences, then spaces. */
const BREAKS = ['\n', '。', '！', '？', '；', '.', '!', '?', ';', ' ', '，', ','];

/**
 * `text` in pieces of at most `maxBytes` bytes of UTF-8, each ending at the last good break before its limit
 * (a line, a sentence, a space), never inside a character; a text that fits is one piece.
 */
export function pieces(text: string, maxBytes: number): string[] {
	if (Buffer.byteLength(text) <= maxBytes) return [text];
	const out: string[] = [];
	let rest = text;
	while (Buffer.byteLength(rest) > maxBytes) {
		// the longest prefix that fits: at most maxBytes UTF-16 units (each at least one byte), fewer for wider ones
		let end = Math.min(rest.length, maxBytes);
		while (Buffer.byteLength(rest.slice(0, end)) > maxBytes) end = Math.floor(end * 0.75);
		if (end < rest.length && /[\uDC00-\uDFFF]/.test(rest[end])) end--; // not between the halves of a pair
		const head = rest.slice(0, end);
		let at = -1;
		for (const b of BREAKS) {
			const i = head.lastIndexOf(b);
			// a break only when it leaves a piece of some length (no endless pieces of one character)
			if (i >= end / 2) {
				at = i + b.length;
				break;
			}
		}
		const cut = at > 0 ? at : end;
		out.push(rest.slice(0, cut));
		rest = rest.slice(cut);
	}
	if (rest) out.push(rest);
	return out;
}
