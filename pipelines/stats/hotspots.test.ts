import { describe, expect, it } from 'vitest';
import { addDays } from '../calendar/index';
import { historyWindows, placeSignificance, type PlaceSignificance, type PlaceWindows } from './hotspots';
import { normalUpperTail } from './tests';

const byKey = (rows: PlaceSignificance[]) => new Map(rows.map((r) => [r.key, r]));

// trimmed mean 20 (18 and 22 left out), sample variance 10 / 5 = 2 → σ² = max(2, 20) = 20
const USUAL = [20, 22, 18, 21, 19, 20];

describe('placeSignificance', () => {
	const places: PlaceWindows[] = [
		{ key: 'hot', current: 60, history: USUAL },
		{ key: 'usual', current: 21, history: USUAL },
		{ key: 'small', current: 3, history: [0, 0, 0, 0] },
		{ key: 'new', current: 40, history: [10, 12] }
	];
	const rows = byKey(placeSignificance(places));

	it('marks a place far above its own history as a hotspot', () => {
		const hot = rows.get('hot')!;
		expect(hot.observed).toBe(60);
		expect(hot.expected).toBe(20);
		expect(hot.change).toBe(2); // (60 − 20) / 20
		expect(hot.z).toBeCloseTo(40 / Math.sqrt(20), 10);
		expect(hot.p).toBeCloseTo(normalUpperTail(40 / Math.sqrt(20)), 15);
		expect(hot.q!).toBeLessThan(0.05);
		expect(hot.hotspot).toBe(true);
	});

	it('does not mark a place at its usual level', () => {
		const usual = rows.get('usual')!;
		expect(usual.expected).toBe(20);
		expect(usual.z).toBeCloseTo(1 / Math.sqrt(20), 10);
		expect(usual.p!).toBeGreaterThan(0.4);
		expect(usual.hotspot).toBe(false);
	});

	it('does not mark a small place going from 0 to 3, however significant', () => {
		const small = rows.get('small')!;
		expect(small.expected).toBe(0);
		expect(small.change).toBeNull(); // no change ratio from 0
		// σ floored at 1: z = 3, p = P(Z ≥ 3); BH among the 3 places tested, rank 2: q = p · 3 / 2
		expect(small.z).toBe(3);
		expect(small.p).toBeCloseTo(0.0013498980316301, 8);
		expect(small.q).toBeCloseTo(0.0013498980316301 * 1.5, 8);
		expect(small.q!).toBeLessThan(0.05);
		expect(small.hotspot).toBe(false); // below minCount 5
		// with minCount lowered, it is one
		expect(byKey(placeSignificance(places, { minCount: 3 })).get('small')!.hotspot).toBe(true);
	});

	it('leaves a place with too little history untested', () => {
		const n = rows.get('new')!;
		expect(n).toEqual({
			key: 'new',
			observed: 40,
			expected: null,
			change: null,
			z: null,
			p: null,
			q: null,
			hotspot: false
		});
		// two windows are enough with minHistory 2
		const two = byKey(placeSignificance(places, { minHistory: 2 })).get('new')!;
		expect(two.expected).toBe(11);
		expect(two.hotspot).toBe(true);
	});

	it('keeps the input order and gives q ≥ p', () => {
		const out = placeSignificance(places);
		expect(out.map((r) => r.key)).toEqual(['hot', 'usual', 'small', 'new']);
		for (const r of out) if (r.p !== null) expect(r.q!).toBeGreaterThanOrEqual(r.p);
	});

	it('corrects for the number of places tested', () => {
		// p ≈ 0.0228 (z = 2): a hotspot alone, not among 9 ordinary places
		const edge: PlaceWindows = {
			key: 'edge',
			current: 120,
			history: [100, 100, 100, 100, 100]
		};
		expect(placeSignificance([edge])[0].q).toBeCloseTo(normalUpperTail(2), 12);
		expect(placeSignificance([edge])[0].hotspot).toBe(true);
		const crowd = Array.from({ length: 9 }, (_, i): PlaceWindows => ({
			key: `p${i}`,
			current: 100,
			history: [100, 100, 100, 100, 100]
		}));
		const r = byKey(placeSignificance([edge, ...crowd])).get('edge')!;
		expect(r.p).toBeCloseTo(normalUpperTail(2), 12);
		expect(r.q).toBeCloseTo(normalUpperTail(2) * 10, 10);
		expect(r.hotspot).toBe(false);
		// a looser alpha accepts it again
		expect(byKey(placeSignificance([edge, ...crowd], { alpha: 0.25 })).get('edge')!.hotspot).toBe(true);
	});

	it('never marks a place below its expectation', () => {
		const r = placeSignificance([{ key: 'quiet', current: 0, history: [100, 100, 100, 100, 100] }])[0];
		expect(r.z).toBe(-10);
		expect(r.p!).toBeGreaterThan(0.99);
		expect(r.hotspot).toBe(false);
	});

	it('multiplies the expectation by scale', () => {
		const place: PlaceWindows = {
			key: 'x',
			current: 10,
			history: [20, 20, 20, 20, 20]
		};
		const full = placeSignificance([place])[0];
		expect(full.expected).toBe(20);
		expect(full.z).toBeCloseTo(-10 / Math.sqrt(20), 10);
		const half = placeSignificance([place], { scale: 0.5 })[0];
		expect(half.expected).toBe(10);
		expect(half.z).toBe(0);
		expect(half.change).toBe(0);
	});

	it('weakens z for an overdispersed history at the same mean', () => {
		// both have trimmed mean 50; the volatile one, winsorized to [30, 70, 30, 70, 50], has variance
		// (400 + 400 + 400 + 400 + 0) / 4 = 400
		const steady: PlaceWindows = {
			key: 'steady',
			current: 80,
			history: [50, 50, 50, 50, 50]
		};
		const volatile: PlaceWindows = {
			key: 'volatile',
			current: 80,
			history: [20, 80, 30, 70, 50]
		};
		const r = byKey(placeSignificance([steady, volatile]));
		expect(r.get('steady')!.expected).toBe(50);
		expect(r.get('volatile')!.expected).toBe(50);
		expect(r.get('steady')!.z).toBeCloseTo(30 / Math.sqrt(50), 10);
		expect(r.get('volatile')!.z).toBeCloseTo(30 / Math.sqrt(400), 10);
		expect(r.get('volatile')!.z!).toBeLessThan(r.get('steady')!.z!);
		expect(r.get('steady')!.hotspot).toBe(true);
		expect(r.get('volatile')!.hotspot).toBe(false);
	});

	it('handles no places', () => {
		expect(placeSignificance([])).toEqual([]);
	});
});

describe('historyWindows', () => {
	it('steps back by whole windows for a week or longer', () => {
		expect(historyWindows('2025-11-10', 7, 3, '2025-01-01', addDays)).toEqual([
			{ from: '2025-11-03', to: '2025-11-09' },
			{ from: '2025-10-27', to: '2025-11-02' },
			{ from: '2025-10-20', to: '2025-10-26' }
		]);
		// 30-day windows, consecutive, the first ending the day before the current one
		expect(historyWindows('2025-11-01', 30, 3, '2025-01-01', addDays)).toEqual([
			{ from: '2025-10-02', to: '2025-10-31' },
			{ from: '2025-09-02', to: '2025-10-01' },
			{ from: '2025-08-03', to: '2025-09-01' }
		]);
	});

	it('steps back by whole weeks for shorter windows (same weekdays)', () => {
		// a Monday
		expect(historyWindows('2025-11-17', 1, 3, '2025-01-01', addDays)).toEqual([
			{ from: '2025-11-10', to: '2025-11-10' },
			{ from: '2025-11-03', to: '2025-11-03' },
			{ from: '2025-10-27', to: '2025-10-27' }
		]);
		expect(historyWindows('2025-11-17', 3, 2, '2025-01-01', addDays)).toEqual([
			{ from: '2025-11-10', to: '2025-11-12' },
			{ from: '2025-11-03', to: '2025-11-05' }
		]);
	});

	it('stops before the data begins', () => {
		expect(historyWindows('2025-11-17', 1, 5, '2025-10-28', addDays).map((w) => w.from)).toEqual(['2025-11-10', '2025-11-03']);
		// a window starting on the first day of data is kept
		expect(historyWindows('2025-11-17', 1, 5, '2025-10-27', addDays).map((w) => w.from)).toEqual([
			'2025-11-10',
			'2025-11-03',
			'2025-10-27'
		]);
		expect(historyWindows('2025-11-17', 7, 5, '2025-11-17', addDays)).toEqual([]);
		expect(historyWindows('2025-11-17', 7, 0, '2025-01-01', addDays)).toEqual([]);
	});
});
