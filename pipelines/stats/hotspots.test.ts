import { describe, expect, it } from 'vitest';
import { defaultCalendar } from '../calendar/index';
import { dayKind, weekday } from './baseline';
import { historyWindows, placeSignificance, type PlaceSignificance, type PlaceWindows } from './hotspots';

/** P(X ≥ x) for X ~ Poisson(mu): the terms from x up, in log space (independent of the code under test) */
function poissonUpper(x: number, mu: number): number {
	let logFact = 0;
	for (let k = 2; k <= x; k++) logFact += Math.log(k);
	let sum = 0;
	for (let k = x; k < x + 400; k++) {
		if (k > x) logFact += Math.log(k);
		sum += Math.exp(k * Math.log(mu) - mu - logFact);
	}
	return sum;
}

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
		// the history varies less than Poisson: p is the Poisson(20) tail at 60
		expect(hot.p! / poissonUpper(60, 20)).toBeCloseTo(1, 6);
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
		// a history of zeros is tested with half a ticket over its 4 windows: Poisson(0.125), P(X ≥ 3)
		expect(small.z).toBeCloseTo(3 / Math.sqrt(0.125), 10);
		expect(small.p! / poissonUpper(3, 0.125)).toBeCloseTo(1, 6);
		expect(small.q!).toBeLessThan(0.05);
		expect(small.hotspot).toBe(false); // below minCount 5
		// with minCount lowered, it is one
		expect(byKey(placeSignificance(places, { minCount: 3 })).get('small')!.hotspot).toBe(true);
	});

	it('tests small counts exactly: one street of twenty going from 2 to 6 is not a hotspot', () => {
		// P(X ≥ 6 | Poisson 2) = 0.0166, ×20 streets tested: q ≈ 0.33 (a normal approximation gave p 0.0023, q 0.047)
		const streets: PlaceWindows[] = Array.from({ length: 20 }, (_, i) => ({ key: `s${i}`, current: i === 0 ? 6 : 2, history: [2, 2, 2, 2, 2, 2, 2, 2] }));
		const s0 = placeSignificance(streets)[0];
		expect(s0.p! / poissonUpper(6, 2)).toBeCloseTo(1, 6);
		expect(s0.q!).toBeGreaterThan(0.3);
		expect(s0.hotspot).toBe(false);
		// 2 → 12 is one
		expect(placeSignificance([{ ...streets[0], current: 12 }, ...streets.slice(1)])[0].hotspot).toBe(true);
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
		// P(X ≥ 120 | Poisson 100) ≈ 0.028: a hotspot alone, not among 9 ordinary places
		const edge: PlaceWindows = {
			key: 'edge',
			current: 120,
			history: [100, 100, 100, 100, 100]
		};
		const p = poissonUpper(120, 100);
		expect(p).toBeGreaterThan(0.02);
		expect(p).toBeLessThan(0.04);
		expect(placeSignificance([edge])[0].q! / p).toBeCloseTo(1, 6);
		expect(placeSignificance([edge])[0].hotspot).toBe(true);
		const crowd = Array.from({ length: 9 }, (_, i): PlaceWindows => ({
			key: `p${i}`,
			current: 100,
			history: [100, 100, 100, 100, 100]
		}));
		const r = byKey(placeSignificance([edge, ...crowd])).get('edge')!;
		expect(r.p! / p).toBeCloseTo(1, 6);
		expect(r.q! / (p * 10)).toBeCloseTo(1, 6);
		expect(r.hotspot).toBe(false);
		// a looser alpha accepts it again
		expect(byKey(placeSignificance([edge, ...crowd], { alpha: 0.4 })).get('edge')!.hotspot).toBe(true);
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
	const cal = defaultCalendar();
	const days = (ws: { from: string; to: string }[][]) => ws.map((w) => w.map((r) => (r.from === r.to ? r.from : `${r.from}..${r.to}`)));

	it('steps back by whole windows for a week or longer', () => {
		expect(days(historyWindows(cal, '2025-11-10', 7, 3, '2025-01-01'))).toEqual([['2025-11-03..2025-11-09'], ['2025-10-27..2025-11-02'], ['2025-10-20..2025-10-26']]);
		// 30-day windows, consecutive, the first ending the day before the current one
		expect(days(historyWindows(cal, '2025-11-01', 30, 3, '2025-01-01'))).toEqual([['2025-10-02..2025-10-31'], ['2025-09-02..2025-10-01'], ['2025-08-03..2025-09-01']]);
	});

	it('compares each day of a shorter window with earlier days of its kind', () => {
		// a regular Monday: the Mondays before it
		expect(days(historyWindows(cal, '2025-11-17', 1, 3, '2025-01-01'))).toEqual([['2025-11-10'], ['2025-11-03'], ['2025-10-27']]);
		// three days: window i holds each day's i-th
		expect(days(historyWindows(cal, '2025-11-17', 3, 2, '2025-01-01'))).toEqual([
			['2025-11-10', '2025-11-11', '2025-11-12'],
			['2025-11-03', '2025-11-04', '2025-11-05']
		]);
		// a Friday after 国庆 and 中秋: the Fridays that were workdays (10-02 and 09-25 were holidays)
		expect(days(historyWindows(cal, '2026-10-09', 1, 3, '2026-01-01'))).toEqual([['2026-09-18'], ['2026-09-11'], ['2026-09-04']]);
	});

	it('compares a makeup workday (调休) with workdays and a holiday with holidays, not with their weekday', () => {
		const makeup = historyWindows(cal, '2026-10-10', 1, 8, '2026-01-01').map((w) => w[0].from);
		expect(dayKind(cal, '2026-10-10')).toBe('makeup');
		expect(makeup).toHaveLength(8);
		for (const d of makeup) expect(dayKind(cal, d)).toBe('workday');
		expect(makeup[0]).toBe('2026-10-09');
		const saturday = historyWindows(cal, '2026-10-17', 1, 8, '2026-01-01').map((w) => w[0].from);
		for (const d of saturday) expect([dayKind(cal, d), weekday(d)]).toEqual(['weekend', 6]);
		const holiday = historyWindows(cal, '2026-10-03', 1, 8, '2026-01-01').map((w) => w[0].from);
		expect(holiday.length).toBeGreaterThanOrEqual(3);
		for (const d of holiday) expect(dayKind(cal, d)).toBe('holiday');
		// three holidays together share their reference days: each counted once, not three times in one window
		const days3 = historyWindows(cal, '2026-10-01', 3, 3, '2026-01-01').flat().map((r) => r.from);
		expect(days3).toHaveLength(9);
		expect(new Set(days3).size).toBe(9);
		for (const d of days3) expect(dayKind(cal, d)).toBe('holiday');
	});

	it('stops before the data begins', () => {
		expect(days(historyWindows(cal, '2025-11-17', 1, 5, '2025-10-28'))).toEqual([['2025-11-10'], ['2025-11-03']]);
		// a day on the first day of data is kept
		expect(days(historyWindows(cal, '2025-11-17', 1, 5, '2025-10-27'))).toEqual([['2025-11-10'], ['2025-11-03'], ['2025-10-27']]);
		expect(historyWindows(cal, '2025-11-17', 7, 5, '2025-11-17')).toEqual([]);
		expect(historyWindows(cal, '2025-11-17', 7, 0, '2025-01-01')).toEqual([]);
		// a short window has as many windows as its day with the fewest earlier days of its kind
		expect(historyWindows(cal, '2025-11-17', 2, 5, '2025-11-04')).toHaveLength(1);
	});
});
