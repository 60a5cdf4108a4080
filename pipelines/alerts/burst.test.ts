import { describe, expect, it } from 'vitest';
import { Rng } from '../demo/rng';
import { BURST_DEFAULTS, burstStates, type BurstBucket } from './burst';

/** A seeded series: d ~ Poisson(perBucket), r ~ Poisson(d · rate(i)) (capped at d). */
function series(seed: number, n: number, perBucket: number, rate: (i: number) => number): { r: number[]; d: number[] } {
	const rng = new Rng(seed);
	const d: number[] = [];
	const r: number[] = [];
	for (let i = 0; i < n; i++) {
		const di = rng.poisson(perBucket);
		d.push(di);
		r.push(Math.min(di, rng.poisson(di * rate(i))));
	}
	return { r, d };
}

/** [start, end] of each run of state 1 */
function bursts(out: BurstBucket[]): [number, number][] {
	const runs: [number, number][] = [];
	out.forEach((b, i) => {
		if (b.state !== 1) return;
		const last = runs.at(-1);
		if (last && last[1] === i - 1) last[1] = i;
		else runs.push([i, i]);
	});
	return runs;
}

describe('burstStates', () => {
	it('has documented defaults', () => {
		expect(BURST_DEFAULTS).toEqual({ s: 3, gamma: 1, minCount: 3, history: Infinity, scoreScale: 10 });
	});

	it('says nothing about an empty or all-zero series', () => {
		expect(burstStates([], [])).toEqual([]);
		const none = burstStates(new Array(10).fill(0), new Array(10).fill(0));
		expect(none).toHaveLength(10);
		for (const b of none) expect(b).toEqual({ state: 0, raw: 0, score: 0, rate: 0, baseRate: 0 });
		// tickets but never a mention: the base rate is floored at half a mention, nothing bursts
		const quiet = burstStates(new Array(10).fill(0), new Array(10).fill(100));
		for (const b of quiet) expect(b).toEqual({ state: 0, raw: 0, score: 0, rate: 0, baseRate: 0.5 / 1000 });
	});

	it('reports no burst for a single bucket', () => {
		expect(burstStates([5], [100])).toEqual([{ state: 0, raw: 0, score: 0, rate: 0.05, baseRate: 0.05 }]);
		expect(burstStates([0], [0])).toEqual([{ state: 0, raw: 0, score: 0, rate: 0, baseRate: 0 }]);
		expect(burstStates([100], [100])[0].state).toBe(0);
	});

	it('lets a term never seen before burst when it appears (p0 = 0 is floored), but only with minCount mentions', () => {
		const d = new Array(21).fill(200);
		const seen = burstStates([...new Array(20).fill(0), 6], d);
		// the floor is half a mention in the reference, here the 20 buckets left once the burst is taken out
		expect(seen[20].baseRate).toBeCloseTo(0.5 / 4000, 12);
		expect(seen[20].state).toBe(1);
		expect(seen[20].score).toBeGreaterThan(0);
		expect(seen.slice(0, 20).every((b) => b.state === 0 && b.score === 0)).toBe(true);
		// 4 mentions: the automaton is in a burst, but below minCount = 5 it is not reported
		const few = burstStates([...new Array(20).fill(0), 4], d, { minCount: 5 });
		expect(few[20]).toMatchObject({ raw: 1, state: 0, score: 0 });
		// 2 mentions: not worth the entry cost ln 21
		expect(burstStates([...new Array(20).fill(0), 2], d, { minCount: 0 })[20].raw).toBe(0);
	});

	it('carries the state through buckets without tickets and never reports them', () => {
		const d = new Array(30).fill(500);
		const r = new Array(30).fill(5);
		for (let i = 12; i <= 17; i++) r[i] = 40;
		d[14] = 0;
		r[14] = 0; // an outage inside the burst
		d[3] = 0;
		r[3] = 0; // and one outside
		const out = burstStates(r, d);
		expect(out[14]).toMatchObject({ raw: 1, state: 0, score: 0, rate: 0 });
		expect(out[3]).toMatchObject({ raw: 0, state: 0, rate: 0 });
		expect(bursts(out)).toEqual([
			[12, 13],
			[15, 17]
		]);
		// the raw states keep it one burst, so both halves carry its one weight
		expect(out[12].score).toBe(out[17].score);
		expect(out.every((b) => Number.isFinite(b.score) && Number.isFinite(b.baseRate))).toBe(true);
	});

	it('finds a clear burst in the middle with the right start and end (±1 bucket), over 20 seeds', () => {
		for (let seed = 1; seed <= 20; seed++) {
			// 60 days of ~1000 tickets, 1 % mentions, 4 % on days 25 … 34
			const { r, d } = series(seed, 60, 1000, (i) => (i >= 25 && i <= 34 ? 0.04 : 0.01));
			const found = bursts(burstStates(r, d));
			expect(found, `seed ${seed}`).toHaveLength(1);
			const [start, end] = found[0];
			expect(Math.abs(start - 25), `seed ${seed} start ${start}`).toBeLessThanOrEqual(1);
			expect(Math.abs(end - 34), `seed ${seed} end ${end}`).toBeLessThanOrEqual(1);
			// the base rate leaves the burst out
			expect(burstStates(r, d)[0].baseRate).toBeGreaterThan(0.008);
			expect(burstStates(r, d)[0].baseRate).toBeLessThan(0.012);
		}
	});

	it('gives no burst for a constant rate with Poisson noise in ≥ 95 % of seeded runs', () => {
		const runs = 200;
		let withBurst = 0;
		let lastInBurst = 0;
		for (let seed = 1; seed <= runs; seed++) {
			// 28 days of ~1000 tickets, ~10 mentions a day
			const { r, d } = series(1000 + seed, 28, 1000, () => 0.01);
			const out = burstStates(r, d);
			if (out.some((b) => b.state === 1)) withBurst++;
			if (out[27].state === 1) lastInBurst++;
			for (const b of out) expect(b.score).toBeLessThan(0.5);
		}
		expect(withBurst).toBeLessThanOrEqual(0.05 * runs);
		expect(lastInBurst).toBeLessThanOrEqual(0.01 * runs);
	});

	it('scores an ongoing burst at the last bucket, more as it goes on and the stronger it is', () => {
		const d = new Array(28).fill(1000);
		const base = new Array(28).fill(10);
		const lastScore = (tail: number[]) => {
			const r = [...base.slice(0, 28 - tail.length), ...tail];
			const out = burstStates(r, d);
			return out[27].state === 1 ? out[27].score : 0;
		};
		expect(lastScore([10])).toBe(0);
		const one = lastScore([35]);
		const two = lastScore([35, 35]);
		const three = lastScore([35, 35, 35]);
		expect(one).toBeGreaterThan(0);
		expect(two).toBeGreaterThan(one);
		expect(three).toBeGreaterThan(two);
		expect(three).toBeLessThanOrEqual(1);
		expect(lastScore([80])).toBeGreaterThan(one);
		// the rate and base rate are reported
		const out = burstStates([...base.slice(0, 27), 35], d);
		expect(out[27]).toMatchObject({ state: 1, rate: 0.035, baseRate: 0.01 });
	});

	it('takes the base rate from the oldest `history` buckets: a trailing window without the recent ones', () => {
		// 21 days at 1 %, then a week at 3 %: with history 21 the week is judged against the three weeks before
		const d = new Array(28).fill(1000);
		const r = [...new Array(21).fill(10), ...new Array(7).fill(30)];
		const out = burstStates(r, d, { history: 21 });
		expect(out[0].baseRate).toBe(0.01);
		expect(bursts(out)).toEqual([[21, 27]]);
		// history longer than the series: the whole series, as with the default
		expect(burstStates(r, d, { history: 1000 })).toEqual(burstStates(r, d));
		// the default finds the same burst: the refinement drops it from the base rate
		expect(burstStates(r, d)[0].baseRate).toBe(0.01);
		// a reference without tickets falls back to the whole series
		const empty = burstStates([0, 0, ...r], [0, 0, ...d], { history: 2 });
		expect(empty[0].baseRate).toBe(0.01);
	});

	it('stays finite when the base rate is high (p1 capped below 1)', () => {
		const d = new Array(20).fill(100);
		const r = new Array(20).fill(50);
		for (let i = 10; i < 14; i++) r[i] = 95;
		r[5] = 100; // every ticket mentions the term: a burst too (p1 = 1 − 0.5 / 3)
		const out = burstStates(r, d);
		expect(out.every((b) => Number.isFinite(b.score) && b.score >= 0 && b.score <= 1)).toBe(true);
		expect(bursts(out)).toEqual([
			[5, 5],
			[10, 13]
		]);
		expect(out[0].baseRate).toBe(0.5);
	});

	it('is deterministic and refuses inconsistent input', () => {
		const { r, d } = series(7, 40, 500, (i) => (i > 30 ? 0.05 : 0.01));
		expect(burstStates(r, d)).toEqual(burstStates([...r], [...d]));
		expect(() => burstStates([1, 2], [3])).toThrow(/r has 2 buckets, d has 1/);
		expect(() => burstStates([4], [3])).toThrow(/exceeds d\[0\]/);
		expect(() => burstStates([-1], [3])).toThrow(/r\[0\] must be a finite number ≥ 0/);
		expect(() => burstStates([1], [NaN])).toThrow(/d\[0\]/);
		expect(() => burstStates([1], [3], { s: 1 })).toThrow(/s must be > 1/);
		expect(() => burstStates([1], [3], { gamma: -1 })).toThrow(/gamma/);
		expect(() => burstStates([1], [3], { history: 0 })).toThrow(/history/);
		expect(() => burstStates([1], [3], { scoreScale: 0 })).toThrow(/scoreScale/);
	});
});
