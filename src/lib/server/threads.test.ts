import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { threadId } from '$pipelines/segment/thread-id.mjs';
import { lowerBackgroundThreads, markForeground, processThreads, startBackgroundPriority, threadNice } from './threads';

const linux = processThreads() !== null;

/** The workers' own reader of their thread id (the segmentation and PGlite workers import it too). */
const THREAD_ID = new URL('../../../pipelines/segment/thread-id.mjs', import.meta.url).href;

/** A worker thread that reports its operating-system id and then waits until terminated. */
async function idleWorker(): Promise<{ tid: number; stop: () => Promise<number> }> {
	const w = new Worker(
		`const { parentPort } = require('node:worker_threads');
		 import(${JSON.stringify(THREAD_ID)}).then(({ threadId }) => parentPort.postMessage(threadId()));
		 setInterval(() => {}, 1000);`,
		{ eval: true }
	);
	const tid = await new Promise<number>((resolve) => w.once('message', resolve));
	return { tid, stop: () => w.terminate() };
}

describe.runIf(linux)('background thread priority (Linux)', () => {
	const workers: { stop: () => Promise<number> }[] = [];
	afterEach(async () => {
		await Promise.all(workers.splice(0).map((w) => w.stop()));
	});

	it('lowers the threads started later, keeps the main thread, the threads kept and those marked foreground', async () => {
		const before = processThreads()!;
		const background = await idleWorker();
		const foreground = await idleWorker();
		workers.push(background, foreground);
		markForeground(foreground.tid);
		expect(threadId()).toBe(process.pid);

		expect(lowerBackgroundThreads(before, 10)).toBeGreaterThanOrEqual(1);
		expect(threadNice(background.tid)).toBe(10);
		expect(threadNice(foreground.tid)).toBe(0);
		expect(threadNice(process.pid)).toBe(0);
		for (const tid of before) expect(threadNice(tid) ?? 0, `thread ${tid} was there before`).toBe(0);
		// once per thread: a second sweep finds nothing new
		expect(lowerBackgroundThreads(before, 10)).toBe(0);
	});

	it('sweeps again for threads that start later, and does nothing without the start threads or at 0', async () => {
		const before = processThreads()!;
		const early = await idleWorker();
		workers.push(early);
		// the worker exists before these calls, so a sweep would have found it
		expect(startBackgroundPriority(10, null)).toBeTypeOf('function');
		expect(threadNice(early.tid)).toBe(0);
		startBackgroundPriority(0, before)();
		expect(threadNice(early.tid)).toBe(0);

		const stop = startBackgroundPriority(12, before, 50);
		try {
			expect(threadNice(early.tid)).toBe(12);
			const late = await idleWorker();
			workers.push(late);
			await expect.poll(() => threadNice(late.tid), { timeout: 5000 }).toBe(12);
		} finally {
			stop();
		}
	});

	it('lowers a worker thread as it starts, not at the next sweep, until stopped', async () => {
		const before = processThreads()!;
		const stop = startBackgroundPriority(11, before, 3_600_000);
		try {
			// the next timed sweep is an hour away: the worker's start itself set it off
			const late = await idleWorker();
			workers.push(late);
			expect(threadNice(late.tid)).toBe(11);
		} finally {
			stop();
		}
		const after = await idleWorker();
		workers.push(after);
		expect(threadNice(after.tid)).toBe(0);
	});
});
