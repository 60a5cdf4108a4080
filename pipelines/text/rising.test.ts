import { describe, expect, it } from 'vitest';
import { Rng } from '../demo/rng';
import { benjaminiHochberg, dispersionOf, erfc, logLikelihoodG2, normalUpperTail, risingTerms, type TermCount } from './rising';

/** G² straight from its definition, as a check of the implementation. */
function g2Reference(a: number, n1: number, b: number, n2: number): number {
	const n = n1 + n2;
	const cells = [
		[a, (n1 * (a + b)) / n],
		[n1 - a, (n1 * (n - a - b)) / n],
		[b, (n2 * (a + b)) / n],
		[n2 - b, (n2 * (n - a - b)) / n]
	];
	return 2 * cells.reduce((s, [o, e]) => s + (o > 0 ? o * Math.log(o / e) : 0), 0);
}

/** Background terms that do not move, so that each case is tested among others as in real use. */
function background(n: number, total: number): TermCount[] {
	return Array.from({ length: n }, (_, i) => {
		const c = 5 + ((i * 37) % 200);
		return { term: `背景${i}`, current: Math.round((c * total) / 10_000), baseline: Math.round((c * total) / 10_000) };
	});
}

describe('statistics', () => {
	it('computes G² as its definition does, and 0 for equal rates', () => {
		for (const [a, n1, b, n2] of [
			[40, 10_000, 2, 10_000],
			[10, 100, 5, 100],
			[3, 50_000, 0, 80_000],
			[1234, 1_000_000, 1000, 1_200_000]
		])
			expect(logLikelihoodG2(a, n1, b, n2)).toBeCloseTo(g2Reference(a, n1, b, n2), 6);
		expect(logLikelihoodG2(20, 1000, 40, 2000)).toBeCloseTo(0, 10);
		expect(logLikelihoodG2(0, 1000, 0, 1000)).toBe(0);
		expect(logLikelihoodG2(5, 0, 5, 100)).toBe(0);
	});

	it('has a normal tail and erfc accurate to 1e-7', () => {
		expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
		expect(normalUpperTail(1.959963985)).toBeCloseTo(0.025, 7);
		expect(normalUpperTail(3) / 0.0013498980316301).toBeCloseTo(1, 5);
		expect(normalUpperTail(-3)).toBeCloseTo(1 - 0.0013498980316301, 7);
		expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 7);
		expect(normalUpperTail(40)).toBeGreaterThanOrEqual(0);
	});

	it('adjusts p-values as Benjamini and Hochberg', () => {
		const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
		expect(q.map((x) => Math.round(x * 1e6) / 1e6)).toEqual([0.02, 0.04, 0.04, 0.02]);
		expect(benjaminiHochberg([])).toEqual([]);
		expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
	});

	it('estimates overdispersion from daily counts', () => {
		expect(dispersionOf([3, 3, 3, 3])).toBe(1);
		expect(dispersionOf([0, 0, 12, 0])).toBeCloseTo(12, 10);
		expect(dispersionOf([5])).toBe(1);
		expect(dispersionOf([0, 0, 0])).toBe(1);
		// proportional to the day totals: no dispersion
		expect(dispersionOf([2, 4, 6], [100, 200, 300])).toBe(1);
	});
});

describe('risingTerms', () => {
	it('finds a term that jumps from 2 to 40 with stable totals', () => {
		const terms = [...background(300, 10_000), { term: '停水', current: 40, baseline: 2 }];
		const r = risingTerms({ terms, currentTotal: 10_000, baselineTotal: 10_000 });
		expect(r.tested).toBe(301);
		expect(r.rising.map((t) => t.term)).toEqual(['停水']);
		const t = r.rising[0];
		expect(t.q).toBeLessThan(1e-6);
		expect(t.ratio).toBeCloseTo(41 / 3, 10);
		expect(t.isNew).toBe(false);
		expect(t.dispersion).toBe(1);
	});

	it('does not report growth that only follows the totals', () => {
		const terms = [{ term: '噪音', current: 40, baseline: 20 }, ...background(100, 20_000).map((t) => ({ ...t, baseline: Math.round(t.baseline / 2) }))];
		const r = risingTerms({ terms, currentTotal: 20_000, baselineTotal: 10_000 });
		expect(r.rising).toEqual([]);
	});

	it('does not report rare noise (0 → 1, 1 → 3) and reports only terms that went up', () => {
		const terms = [
			{ term: '偶然', current: 1, baseline: 0 },
			{ term: '少见', current: 3, baseline: 1 },
			{ term: '下降', current: 5, baseline: 60 },
			...background(50, 10_000)
		];
		const r = risingTerms({ terms, currentTotal: 10_000, baselineTotal: 10_000 });
		expect(r.rising).toEqual([]);
		expect(r.newTerms).toEqual([]);
		expect(r.tested).toBe(51); // 下降 and the background; 偶然 and 少见 are below minCount
	});

	it('applies the smoothed ratio after the test', () => {
		// a big word that grows 10 % with huge totals is significant but not newsworthy
		const r = risingTerms({ terms: [{ term: '社保', current: 11_000, baseline: 10_000 }], currentTotal: 1_000_000, baselineTotal: 1_000_000 });
		expect(r.tested).toBe(1);
		expect(r.rising).toEqual([]);
		const loose = risingTerms({ terms: [{ term: '社保', current: 11_000, baseline: 10_000 }], currentTotal: 1_000_000, baselineTotal: 1_000_000 }, { minRatio: 1.05 });
		expect(loose.rising.map((t) => t.term)).toEqual(['社保']);
	});

	it('finds new terms that repeat in several documents and places', () => {
		const terms: TermCount[] = [
			{ term: '登革热', current: 6, baseline: 0, currentDocs: 6, currentPlaces: 3 },
			{ term: '化工异味', current: 5, baseline: 0 },
			{ term: '一家独有', current: 5, baseline: 0, currentDocs: 5, currentPlaces: 1 },
			{ term: '复读', current: 8, baseline: 0, currentDocs: 1 },
			{ term: '两次', current: 2, baseline: 0, currentDocs: 2, currentPlaces: 2 },
			{ term: '老词', current: 9, baseline: 1, currentDocs: 9, currentPlaces: 5 }
		];
		const r = risingTerms({ terms, currentTotal: 5000, baselineTotal: 20_000 });
		expect(r.newTerms).toEqual([
			{ term: '登革热', current: 6, docs: 6, places: 3 },
			{ term: '化工异味', current: 5 }
		]);
		expect(risingTerms({ terms, currentTotal: 5000, baselineTotal: 20_000 }, { newMinPlaces: 1 }).newTerms.map((t) => t.term)).toEqual(['登革热', '一家独有', '化工异味']);
		// a new term can be rising too
		const rising = r.rising.find((t) => t.term === '登革热');
		expect(rising?.isNew).toBe(true);
		expect(rising?.ratio).toBeCloseTo(7 / 5000 / (1 / 20_000), 8);
	});

	it('needs both windows to test, and still finds new terms without a baseline', () => {
		const terms = [{ term: '新词', current: 4, baseline: 0 }];
		const r = risingTerms({ terms, currentTotal: 100, baselineTotal: 0 });
		expect(r.tested).toBe(0);
		expect(r.rising).toEqual([]);
		expect(r.newTerms.map((t) => t.term)).toEqual(['新词']);
		expect(risingTerms({ terms: [], currentTotal: 0, baselineTotal: 0 })).toEqual({ rising: [], newTerms: [], tested: 0 });
	});

	it('discounts a term that is bursty in its baseline', () => {
		// 30 baseline days, same length as the current window; the term had one burst of 60 on one day
		const bursty: number[] = Array.from({ length: 30 }, (_, d) => (d === 12 ? 60 : d % 10 === 0 ? 1 : 0));
		const b = bursty.reduce((s, c) => s + c, 0);
		const term = { term: '台风', current: 2 * b, baseline: b };
		const plain = risingTerms({ terms: [term], currentTotal: 30_000, baselineTotal: 30_000 });
		expect(plain.rising.map((t) => t.term)).toEqual(['台风']);
		const withDays = risingTerms({ terms: [{ ...term, baselineDaily: bursty }], currentTotal: 30_000, baselineTotal: 30_000, baselineDailyTotals: new Array(30).fill(1000) });
		expect(withDays.rising).toEqual([]);
		// a term spread evenly is not discounted
		const even = Array.from({ length: 30 }, () => 2);
		const steady = risingTerms({ terms: [{ term: '积水', current: 150, baseline: 60, baselineDaily: even }], currentTotal: 30_000, baselineTotal: 30_000 });
		expect(steady.rising[0]?.dispersion).toBe(1);
	});

	it('controls false discoveries on many null terms (Benjamini–Hochberg), seeded', () => {
		const rng = new Rng(20261128);
		const n1 = 50_000;
		const n2 = 150_000; // baseline three times as long
		const nullTerms: TermCount[] = [];
		for (let i = 0; i < 4000; i++) {
			const rate = rng.lognormal(2e-4, 1.5); // per document
			nullTerms.push({ term: `null${i}`, current: Math.min(n1, rng.poisson(rate * n1)), baseline: Math.min(n2, rng.poisson(rate * n2)) });
		}
		const nullOnly = risingTerms({ terms: nullTerms, currentTotal: n1, baselineTotal: n2 });
		expect(nullOnly.tested).toBeGreaterThan(2000);
		expect(nullOnly.rising.length).toBeLessThanOrEqual(2);
		// without the adjustment about 5 % of the tested null terms would pass p ≤ 0.05
		const unadjusted = risingTerms({ terms: nullTerms, currentTotal: n1, baselineTotal: n2 }, { fdr: 0.999999, minRatio: 0 }).rising.filter((t) => t.p <= 0.05);
		expect(unadjusted.length).toBeGreaterThan(0.02 * nullOnly.tested);

		// with 100 real risers (rate × 3) among them: few false discoveries, most risers found
		const risers: TermCount[] = [];
		for (let i = 0; i < 100; i++) {
			const rate = rng.lognormal(5e-4, 0.5);
			risers.push({ term: `up${i}`, current: Math.min(n1, rng.poisson(3 * rate * n1)), baseline: Math.min(n2, rng.poisson(rate * n2)) });
		}
		const mixed = risingTerms({ terms: [...nullTerms, ...risers], currentTotal: n1, baselineTotal: n2 });
		const found = mixed.rising.filter((t) => t.term.startsWith('up')).length;
		const falses = mixed.rising.length - found;
		expect(found).toBeGreaterThanOrEqual(80);
		expect(falses / Math.max(1, mixed.rising.length)).toBeLessThanOrEqual(0.1);
	});

	it('ranks by strength and is deterministic', () => {
		const terms = [
			{ term: '乙', current: 30, baseline: 5 },
			{ term: '甲', current: 80, baseline: 5 },
			{ term: '丙', current: 30, baseline: 5 },
			...background(20, 10_000)
		];
		const r = risingTerms({ terms, currentTotal: 10_000, baselineTotal: 10_000 });
		expect(r.rising.map((t) => t.term)).toEqual(['甲', '丙', '乙']);
		expect(risingTerms({ terms: [...terms].reverse(), currentTotal: 10_000, baselineTotal: 10_000 })).toEqual(r);
	});

	it('refuses inconsistent input', () => {
		const ok = { currentTotal: 100, baselineTotal: 100 };
		expect(() => risingTerms({ ...ok, terms: [{ term: 'a', current: 1, baseline: 1 }, { term: 'a', current: 2, baseline: 1 }] })).toThrow(/listed twice/);
		expect(() => risingTerms({ ...ok, terms: [{ term: 'a', current: -1, baseline: 1 }] })).toThrow(/finite number ≥ 0/);
		expect(() => risingTerms({ ...ok, terms: [{ term: 'a', current: 101, baseline: 1 }] })).toThrow(/exceeds currentTotal/);
		expect(() => risingTerms({ ...ok, terms: [{ term: 'a', current: 1, baseline: 3, baselineDaily: [1, 1] }] })).toThrow(/sums to 2, baseline is 3/);
		expect(() => risingTerms({ ...ok, baselineDailyTotals: [50, 50, 0], terms: [{ term: 'a', current: 1, baseline: 2, baselineDaily: [1, 1] }] })).toThrow(/has 2 days/);
		expect(() => risingTerms({ ...ok, terms: [] }, { fdr: 0 })).toThrow(/fdr/);
		expect(() => risingTerms({ currentTotal: NaN, baselineTotal: 1, terms: [] })).toThrow(/currentTotal/);
	});
});
