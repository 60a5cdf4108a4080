import { describe, expect, it, vi } from 'vitest';
import { CoalescingJob, waitAtMost } from './jobs';

describe('CoalescingJob', () => {
	it('runs one more round for any number of requests during a round, and idle waits for the last', async () => {
		let rounds = 0;
		let release: () => void = () => {};
		const job = new CoalescingJob(async () => {
			rounds++;
			if (rounds === 1) await new Promise<void>((r) => (release = r));
		});
		const first = job.request();
		expect(job.busy).toBe(true);
		void job.request();
		void job.request();
		void job.request();
		release();
		await first;
		await job.idle();
		expect(rounds).toBe(2);
		expect(job.busy).toBe(false);
		await job.request();
		expect(rounds).toBe(3);
	});

	it('starts a round no sooner than the gap after the previous start', async () => {
		const starts: number[] = [];
		const job = new CoalescingJob(async () => {
			starts.push(performance.now());
		}, 150);
		expect(job.startedAt).toBe(-Infinity);
		await job.request();
		await job.request();
		void job.request();
		await job.request();
		await job.idle();
		expect(starts.length).toBe(4); // the last request came while the third round waited, so one more follows
		for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(145);
		// the latest round's start, which a round may read to know its age (the sync ends a long one)
		expect(job.startedAt).toBeGreaterThan(starts[2]);
		expect(job.startedAt).toBeLessThanOrEqual(starts[3]);
	});

	it('keeps the gap on the monotonic clock: a wall clock set back does not hold the next round back', async () => {
		vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
		try {
			let rounds = 0;
			const job = new CoalescingJob(async () => void rounds++, 100);
			vi.setSystemTime(Date.now() + 5 * 86_400_000); // the clock runs five days ahead …
			await job.request();
			vi.setSystemTime(Date.now() - 5 * 86_400_000); // … and is put right
			const started = performance.now();
			await waitAtMost(job.request(), 2000);
			expect(rounds).toBe(2);
			expect(performance.now() - started).toBeLessThan(1000);
		} finally {
			vi.useRealTimers();
		}
	});

	it('exclusive work waits for the running round, and rounds requested meanwhile start after it', async () => {
		const log: string[] = [];
		let release: () => void = () => {};
		let rounds = 0;
		const job = new CoalescingJob(async () => {
			const k = ++rounds;
			log.push(`round ${k} start`);
			if (k === 1) await new Promise<void>((r) => (release = r));
			log.push(`round ${k} end`);
		});
		void job.request();
		let finish: () => void = () => {};
		const work = job.exclusive(async () => {
			log.push('work start');
			void job.request(); // held back until the work ends
			await new Promise<void>((r) => (finish = r));
			log.push('work end');
			return 42;
		});
		await new Promise((r) => setTimeout(r, 20));
		expect(log).toEqual(['round 1 start']);
		release();
		await new Promise((r) => setTimeout(r, 20));
		expect(log).toEqual(['round 1 start', 'round 1 end', 'work start']);
		finish();
		expect(await work).toBe(42);
		await job.idle();
		expect(log).toEqual(['round 1 start', 'round 1 end', 'work start', 'work end', 'round 2 start', 'round 2 end']);
		// a failing work releases the rounds too
		await expect(job.exclusive(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
		await job.request();
		expect(rounds).toBe(3);
	});

	it('exclusive work gets in between rounds under a steady stream of requests', async () => {
		let inRound = false;
		let overlapped = false;
		const job = new CoalescingJob(async () => {
			inRound = true;
			await new Promise((r) => setTimeout(r, 15));
			inRound = false;
		}, 30);
		const stream = setInterval(() => void job.request(), 5);
		try {
			await new Promise((r) => setTimeout(r, 60));
			for (let i = 0; i < 3; i++) {
				expect(job.busy).toBe(true); // the rounds never stop: there is always one more requested
				await job.exclusive(async () => {
					if (inRound) overlapped = true;
					await new Promise((r) => setTimeout(r, 20));
					if (inRound) overlapped = true;
				});
			}
		} finally {
			clearInterval(stream);
		}
		await job.idle();
		expect(overlapped).toBe(false);
	});

	it('once closed, starts no round: the round in progress finishes, the one requested during it and later ones do not run', async () => {
		let rounds = 0;
		let release: () => void = () => {};
		let sawClosed = false;
		const job = new CoalescingJob(async () => {
			rounds++;
			await new Promise<void>((r) => (release = r));
			sawClosed = job.closed;
		});
		job.every(10);
		void job.request();
		void job.request(); // asks for a second round after the first
		job.close();
		expect(job.scheduled).toBe(false);
		release();
		await job.idle();
		expect(rounds).toBe(1);
		expect(sawClosed).toBe(true);
		await job.request();
		await new Promise((r) => setTimeout(r, 50));
		expect(rounds).toBe(1);
		expect(job.busy).toBe(false);
	});

	it('waitAtMost says whether the wait ended in time', async () => {
		expect(await waitAtMost(new Promise((r) => setTimeout(r, 10)), 1000)).toBe(true);
		const t0 = Date.now();
		expect(await waitAtMost(new Promise(() => {}), 50)).toBe(false);
		expect(Date.now() - t0).toBeLessThan(1000);
	});

	it('schedules once and stops', () => {
		const job = new CoalescingJob(async () => {});
		job.every(60_000);
		job.every(60_000);
		expect(job.scheduled).toBe(true);
		job.stop();
		expect(job.scheduled).toBe(false);
	});
});
