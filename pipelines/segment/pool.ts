/**
 * A pool of worker threads that segment in parallel. Each worker (`worker.mjs`) loads nodejieba and its
 * dictionaries once (a few seconds, in parallel) and then serves batches. Work is split into batches of at
 * most `batchChars` characters / `batchTexts` texts, handed to whichever worker is free; results come back in
 * input order. Works under the tsx CLI, under vitest and in plain Node: the worker is plain JavaScript and
 * loads the TypeScript segmenter through tsx's scoped import.
 *
 *   const pool = await SegmentPool.create(2, { userDict: true });
 *   const tokens = await pool.tokenize(texts);   // string[][], tokens(text) of each text, same order
 *   await pool.close();
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DictionaryOverlay, SegmenterOptions } from './index';
import { moduleFile, threadCpuSeconds, workerStarted } from './worker-start';

/** A file of this folder (moduleFile: beside this module, or found under the repository when bundled). */
export function segmentFile(name: string): string {
	return moduleFile(import.meta.url, `pipelines/segment/${name}`);
}

/** A file under `pipelines/` (e.g. 'text/train-worker.mjs'), found the same way (for worker scripts). */
export function pipelinesFile(rel: string): string {
	return join(dirname(segmentFile('index.ts')), '..', rel);
}

export interface PoolOptions extends SegmenterOptions {
	/** largest batch sent to one worker, in characters (default 64k) */
	batchChars?: number;
	/** largest batch, in texts (default 512) */
	batchTexts?: number;
	/** worker script (default: worker.mjs beside this module) */
	workerUrl?: URL;
	/** data directory of the sentiment lexicon (for `analyze`; default: the repository's data/) */
	sentimentDataDir?: string;
}

/** One text's analysis from `analyze`: tokens joined by U+0001, sentiment score and intensity. */
export interface PooledAnalysis {
	tokens: string;
	sentiment: number;
	intensity: number;
}

type Op = 'cut' | 'tokens' | 'analyze' | 'reload';
interface Batch {
	id: number;
	op: Op;
	texts: string[];
	/** each text's words joined by U+0001 */
	resolve: (out: string[]) => void;
	reject: (e: Error) => void;
}
interface Slot {
	worker: Worker;
	busy: Batch | null;
	/** the worker's operating-system thread id, when it said (for cpuSeconds) */
	tid: number | null;
	/** its exit code, once it has ended */
	ended: Promise<number>;
}

export class SegmentPool {
	private readonly slots: Slot[];
	private readonly queue: Batch[] = [];
	private readonly batchChars: number;
	private readonly batchTexts: number;
	private nextId = 1;
	private closed = false;
	private failure: Error | null = null;
	private exitCodes: number[] = [];

	private constructor(slots: Slot[], o: PoolOptions) {
		this.slots = slots;
		this.batchChars = Math.max(1, o.batchChars ?? 262_144);
		this.batchTexts = Math.max(1, o.batchTexts ?? 2048);
		for (const slot of slots) {
			slot.worker.on('message', (m: { type: string; id?: number; packed?: string; n?: number; error?: string }) => {
				if (m.type !== 'result') return;
				const b = slot.busy;
				slot.busy = null;
				if (b && b.id === m.id) {
					if (m.error) b.reject(new Error(`segment worker: ${m.error}`));
					else b.resolve(m.n === 0 ? [] : m.packed!.split('\u0002'));
				}
				this.pump();
			});
			slot.worker.on('error', (e) => this.fail(new Error(`segment worker failed: ${e.message}`)));
			slot.worker.on('exit', (code) => {
				if (!this.closed) this.fail(new Error(`segment worker exited unexpectedly (code ${code})`));
			});
		}
	}

	/** Starts `size` workers (at least 1) and waits until each has loaded its dictionaries. */
	static async create(size: number, opts: PoolOptions = {}): Promise<SegmentPool> {
		const n = Math.max(1, Math.floor(size));
		const options: SegmenterOptions = {
			referenceDir: opts.referenceDir,
			dictDir: opts.dictDir,
			userDict: opts.userDict,
			hmm: opts.hmm,
			rules: opts.rules,
			cacheDir: opts.cacheDir,
			overlay: opts.overlay
		};
		const url = opts.workerUrl ?? pathToFileURL(segmentFile('worker.mjs'));
		const module = pathToFileURL(segmentFile('index.ts')).href;
		const analysisModule = pathToFileURL(join(dirname(fileURLToPath(module)), '..', 'text', 'ticket-analysis.ts')).href;
		const workers: Worker[] = [];
		const ended: Promise<number>[] = [];
		let tids: (number | null)[];
		try {
			tids = await Promise.all(
				Array.from({ length: n }, () => {
					const w = new Worker(url, { workerData: { options, module, analysisModule, sentimentDataDir: opts.sentimentDataDir } });
					workers.push(w);
					ended.push(new Promise<number>((resolve) => w.once('exit', resolve)));
					return workerStarted(w, 'segment worker', (error) => new Error(`segment worker could not start: ${String(error)}`));
				})
			);
		} catch (e) {
			await Promise.all(workers.map((w) => w.terminate()));
			throw e;
		}
		return new SegmentPool(
			workers.map((worker, i) => ({ worker, busy: null, tid: tids[i], ended: ended[i] })),
			opts
		);
	}

	get size(): number {
		return this.slots.length;
	}

	/** CPU seconds the workers have used so far, null where the system cannot tell (see threadCpuSeconds). */
	cpuSeconds(): number | null {
		let sum = 0;
		for (const slot of this.slots) {
			const s = slot.tid === null ? null : threadCpuSeconds(slot.tid);
			if (s === null) return null;
			sum += s;
		}
		return sum;
	}

	/** `tokens(text)` of each text (stop words, punctuation and numbers dropped), in input order. */
	async tokenize(texts: readonly string[]): Promise<string[][]> {
		return (await this.run('tokens', texts)) as string[][];
	}

	/** Tokens (joined), sentiment and intensity of each text, in input order (pipelines/text/ticket-analysis.ts). */
	async analyze(texts: readonly string[]): Promise<PooledAnalysis[]> {
		const packed = (await this.run('analyze', texts, false)) as string[];
		return packed.map((p) => {
			const [tokens, score, intensity] = p.split('\u0003');
			return { tokens, sentiment: Number(score), intensity: Number(intensity) };
		});
	}

	/** `cut(text)` of each text (all words), in input order. */
	async cut(texts: readonly string[]): Promise<string[][]> {
		return (await this.run('cut', texts)) as string[][];
	}

	/**
	 * Loads another dictionary overlay (设置 › 词典, a renamed unit) in every worker, in place: the threads stay, and
	 * nodejieba frees the dictionaries it had when it loads the new ones. A pool made anew for each change started new
	 * threads, whose allocations the C library keeps in arenas of their own (the process grew by 60 to 200 MB a change:
	 * `npm run bench -- segment --pool-cycles N`). Only between tasks: refused while work is in hand or queued. A failed
	 * load rejects, and the workers may then hold different dictionaries: close the pool.
	 */
	async reload(overlay: DictionaryOverlay | undefined): Promise<void> {
		if (this.closed) throw new Error('SegmentPool is closed');
		if (this.failure) throw this.failure;
		if (this.queue.length || this.slots.some((s) => s.busy)) throw new Error('SegmentPool.reload: work is in hand');
		await Promise.all(
			this.slots.map(
				(slot) =>
					new Promise<void>((resolve, reject) => {
						const id = this.nextId++;
						slot.busy = { id, op: 'reload', texts: [], resolve: () => resolve(), reject };
						slot.worker.postMessage({ id, op: 'reload', overlay });
					})
			)
		);
	}

	private async run(op: Op, input: readonly string[], split = true): Promise<string[][] | string[]> {
		if (this.closed) throw new Error('SegmentPool is closed');
		if (this.failure) throw this.failure;
		const texts = input.map((t) => (typeof t === 'string' ? t : ''));
		const batches: Promise<string[]>[] = [];
		let start = 0;
		while (start < texts.length) {
			let end = start;
			let chars = 0;
			while (end < texts.length && end - start < this.batchTexts && (end === start || chars + texts[end].length <= this.batchChars)) {
				chars += texts[end].length;
				end++;
			}
			const slice = texts.slice(start, end);
			batches.push(new Promise<string[]>((resolve, reject) => this.queue.push({ id: this.nextId++, op, texts: slice, resolve, reject })));
			start = end;
		}
		this.pump();
		const parts = (await Promise.all(batches)).flat();
		return split ? parts.map((t) => (t === '' ? [] : t.split('\u0001'))) : parts;
	}

	private pump(): void {
		for (const slot of this.slots) {
			if (this.queue.length === 0) return;
			if (slot.busy) continue;
			const b = this.queue.shift()!;
			slot.busy = b;
			slot.worker.postMessage({ id: b.id, op: b.op, texts: b.texts });
		}
	}

	private fail(e: Error): void {
		if (this.failure) return;
		this.failure = e;
		for (const slot of this.slots) {
			slot.busy?.reject(e);
			slot.busy = null;
		}
		for (const b of this.queue.splice(0)) b.reject(e);
	}

	/**
	 * Stops the workers; pending work is rejected. Each worker frees its dictionaries and ends itself (nodejieba frees
	 * them only when it loads others, so a terminated worker's stayed allocated until the process ended: a pool made
	 * anew after each dictionary change leaked them); one that has not ended after `graceMs` (its batch in hand
	 * first) is terminated. Resolves to the workers' exit codes: 0 each when they ended themselves.
	 */
	async close(graceMs = 10_000): Promise<number[]> {
		if (this.closed) return this.exitCodes;
		this.closed = true;
		const e = new Error('SegmentPool closed');
		for (const slot of this.slots) {
			slot.busy?.reject(e);
			slot.busy = null;
		}
		for (const b of this.queue.splice(0)) b.reject(e);
		this.exitCodes = await Promise.all(
			this.slots.map(async ({ worker, ended }) => {
				const timer = setTimeout(() => void worker.terminate(), graceMs);
				worker.postMessage({ op: 'close' }); // a worker already gone takes no message and has its code
				const code = await ended;
				clearTimeout(timer);
				return code;
			})
		);
		return this.exitCodes;
	}
}
