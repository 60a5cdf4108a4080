import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../demo/rng';
import {
	DEFAULT_THRESHOLD,
	DEFAULTS,
	detectSeries,
	MAX_ABS_VALUE,
	normalQuantile,
	scoreColumns,
	SeriesDetector,
	type SeriesPoint
} from './detector';

const HOUR = 3_600_000;
/** 2025-01-06 00:00 Asia/Shanghai, a Monday */
const START = Date.parse('2025-01-06T00:00:00+08:00');
/** hotline-like hour-of-day shape (mean 1) */
const SHAPE = (() => {
	const w = [0.15, 0.1, 0.08, 0.07, 0.08, 0.15, 0.4, 0.9, 1.6, 2.0, 2.1, 1.9, 1.3, 1.5, 1.9, 2.0, 1.8, 1.5, 1.1, 1.0, 0.9, 0.7, 0.45, 0.25];
	const s = w.reduce((a, b) => a + b, 0);
	return w.map((x) => (x * 24) / s);
})();

/** Mean count of hour i of a seasonal series with `perDay` tickets on a workday, weekends × 0.6. */
function seasonalMean(i: number, perDay: number): number {
	const day = Math.floor(i / 24);
	const weekend = day % 7 >= 5;
	return (perDay / 24) * SHAPE[i % 24] * (weekend ? 0.6 : 1);
}

/** Hourly counts: Poisson, or negative binomial (gamma-Poisson) with size `nbSize`. */
function countSeries(rng: Rng, hours: number, perDay: number, nbSize = 0): SeriesPoint[] {
	const out: SeriesPoint[] = [];
	for (let i = 0; i < hours; i++) {
		const mu = seasonalMean(i, perDay);
		const lambda = nbSize > 0 ? (mu * rng.gamma(nbSize)) / nbSize : mu;
		out.push({ t: START + i * HOUR, value: rng.poisson(lambda) });
	}
	return out;
}

const alerts = (s: { alert: boolean }[]) => s.filter((p) => p.alert).length;

describe('helpers', () => {
	it('normalQuantile inverts the normal tail', () => {
		expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
		expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
		expect(normalQuantile(1e-5)).toBeCloseTo(-4.264891, 4);
	});

});

describe('detectSeries on count series', () => {
	it('flags a clear spike in a seasonal Poisson series within 2 buckets', () => {
		const rng = new Rng(1);
		const pts = countSeries(rng, 24 * 42, 120);
		// Wednesday of week 5, 10:00: + 30 tickets for 3 hours on an expected ~10
		const at = 24 * (28 + 2) + 10;
		for (let i = at; i < at + 3; i++) pts[i] = { ...pts[i], value: pts[i].value + 30 };
		const s = detectSeries(pts);
		const first = s.findIndex((p, i) => i >= at - 2 && p.alert);
		expect(first).toBeGreaterThanOrEqual(at);
		expect(first).toBeLessThanOrEqual(at + 1);
		expect(s[first].side).toBe(1);
		expect(s[first].score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
		expect(s[first].p).toBeLessThan(1e-5);
		// one alert for the incident: the episode holds for its three buckets
		expect(s.slice(at, at + 3).every((p) => p.firing)).toBe(true);
		expect(alerts(s.slice(at, at + 24))).toBe(1);
	});

	it('gives few alerts on long stationary Poisson and negative-binomial series with daily seasonality', () => {
		const rng = new Rng(7);
		let total = 0;
		let years = 0;
		for (const [perDay, nb] of [
			[3, 0],
			[30, 0],
			[300, 0],
			[3, 5],
			[30, 5],
			[300, 5],
			[30, 2],
			[1000, 10]
		]) {
			const pts = countSeries(rng, 24 * 365, perDay, nb);
			total += alerts(detectSeries(pts));
			years += 1;
		}
		// a correct model at p ≤ 1e-5 would give ≈ 0.1 per series-year; allow model estimation error
		expect(total / years).toBeLessThanOrEqual(1.5);
	});

	it('flags a sustained moderate shift (CUSUM) that no single bucket reveals', () => {
		const rng = new Rng(3);
		const pts = countSeries(rng, 24 * 42, 240);
		// +2.5 sd for 12 daytime hours: no single bucket is remarkable (p > 1e-3), the run is
		const at = 24 * 31 + 8;
		for (let i = at; i < at + 12; i++) {
			const mu = seasonalMean(i, 240);
			pts[i] = { ...pts[i], value: pts[i].value + Math.round(2.5 * Math.sqrt(mu)) };
		}
		const s = detectSeries(pts);
		expect(s.slice(at, at + 12).every((p) => p.p > 1e-3)).toBe(true);
		const hit = s.slice(at, at + 12).findIndex((p) => p.alert);
		expect(hit).toBeGreaterThanOrEqual(2);
		expect(s[at + hit].side).toBe(1);
	});

	it('an episode of a sustained rise ends soon after the counts are back, hourly and daily', () => {
		// hourly, 'up' as the product runs it: three times the usual calls for five days
		const rng = new Rng(42);
		const hourly = countSeries(rng, 24 * 70, 60);
		const from = 24 * 45;
		const to = 24 * 50;
		for (let i = from; i < to; i++) hourly[i] = { ...hourly[i], value: rng.poisson(3 * seasonalMean(i, 60)) };
		const h = detectSeries(hourly, { direction: 'up', kind: 'count', intervalMs: HOUR });
		expect(h.slice(from, from + 24).some((p) => p.alert)).toBe(true);
		// over within a day of the end (it stayed firing for more than nine days: the lower CUSUM held it)
		const hourlyEnd = h.findIndex((p, i) => i >= to && !p.firing);
		expect(hourlyEnd).toBeGreaterThanOrEqual(to);
		expect(hourlyEnd - to).toBeLessThanOrEqual(24);

		// daily, with the pass's four weeks of warm-up: 3× for five days, then back
		const day = 86_400_000;
		const daily: SeriesPoint[] = [];
		for (let d = 0; d < 90; d++) daily.push({ t: START + d * day, value: rng.poisson(d >= 40 && d < 45 ? 60 : 20) });
		const s = detectSeries(daily, { direction: 'up', kind: 'count', intervalMs: day, warmup: 28 });
		expect(s.slice(40, 42).some((p) => p.alert)).toBe(true);
		// over within a few days (the upper CUSUM, at its cap after the rise, drains by only k = 0.5 a day)
		const dailyEnd = s.findIndex((p, i) => i >= 45 && !p.firing);
		expect(dailyEnd).toBeGreaterThanOrEqual(45);
		expect(dailyEnd - 45).toBeLessThanOrEqual(4);
		expect(alerts(s.slice(45))).toBe(0);
	});

	it('a daily series warms up for four weeks, not 336 days', () => {
		const rng = new Rng(8);
		const day = 86_400_000;
		const daily: SeriesPoint[] = [];
		for (let d = 0; d < 200; d++) daily.push({ t: START + d * day, value: rng.poisson(d >= 100 ? 60 : 20) });
		const s = detectSeries(daily);
		expect(s.slice(0, 28).every((p) => p.score === 0 && !p.alert)).toBe(true);
		expect(s.slice(28, 100).some((p) => p.score > 0)).toBe(true);
		expect(s.slice(100, 103).some((p) => p.alert)).toBe(true);
	});

	it('never alerts upward below minCount', () => {
		const pts: SeriesPoint[] = Array.from({ length: 24 * 30 }, (_, i) => ({ t: START + i * HOUR, value: 0 }));
		pts[24 * 20] = { ...pts[24 * 20], value: 2 };
		pts[24 * 25] = { ...pts[24 * 25], value: 3 };
		const s = detectSeries(pts);
		expect(s[24 * 20].alert).toBe(false);
		expect(s[24 * 20].score).toBeGreaterThan(DEFAULT_THRESHOLD); // significant, but below minCount
		expect(s[24 * 25].alert).toBe(true);
		expect(detectSeries(pts, { minCount: 4 })[24 * 25].alert).toBe(false);
	});

	it('a run of zeros where fewer than minCount are expected is not a drop', () => {
		const rng = new Rng(37);
		const pts: SeriesPoint[] = Array.from({ length: 24 * 40 }, (_, i) => ({ t: START + i * HOUR, value: rng.poisson(2) }));
		for (let i = 24 * 30; i < 24 * 30 + 12; i++) pts[i] = { ...pts[i], value: 0 };
		const s = detectSeries(pts);
		// the run is significant (the CUSUM sees it) …
		expect(Math.max(...s.slice(24 * 30, 24 * 30 + 12).map((p) => (p.side === -1 ? p.score : 0)))).toBeGreaterThan(DEFAULT_THRESHOLD);
		// … but 2 expected per bucket is below minCount: no downward alert
		expect(s.filter((p) => p.alert && p.side === -1)).toHaveLength(0);
		expect(detectSeries(pts, { minCount: 1 }).filter((p) => p.alert && p.side === -1).length).toBeGreaterThan(0);
	});

	it('direction up ignores drops; both reports them with side −1', () => {
		const rng = new Rng(5);
		const pts = countSeries(rng, 24 * 30, 2400);
		const at = 24 * 22 + 10;
		for (let i = at; i < at + 4; i++) pts[i] = { ...pts[i], value: 0 };
		const both = detectSeries(pts);
		const a = both.findIndex((p, i) => i >= at && p.alert);
		expect(a).toBe(at);
		expect(both[a].side).toBe(-1);
		expect(alerts(detectSeries(pts, { direction: 'up' }).slice(at, at + 4))).toBe(0);
	});
});

describe('edge cases', () => {
	it('values beyond ±1e100 are read as missing: the scores of the rest stay finite (±1e308 gave NaN)', () => {
		const pts = Array.from({ length: 400 }, (_, i) => ({ t: START + i * HOUR, value: i % 50 === 7 ? (i % 2 ? 1e308 : -1e308) : 20 + (i % 5) }));
		const s = detectSeries(pts);
		for (const p of s) {
			expect(Number.isFinite(p.score)).toBe(true);
			expect(p.score).toBeGreaterThanOrEqual(0);
			expect(p.score).toBeLessThanOrEqual(1);
		}
		expect(s.filter((p, i) => Math.abs(pts[i].value) > MAX_ABS_VALUE).every((p) => p.score === 0 && !p.alert)).toBe(true);
		const wild = detectSeries(Array.from({ length: 200 }, (_, i) => ({ t: START + i * HOUR, value: i % 2 ? 1e308 : -1e308 })));
		expect(wild.every((p) => Number.isFinite(p.score) && !p.alert)).toBe(true);
	});
	it('flat real series and all-zero count series: no crash, no alerts, finite scores', () => {
		const flat = Array.from({ length: 2000 }, (_, i) => ({ t: START + i * 300_000, value: 42.5 }));
		const zeros = Array.from({ length: 2000 }, (_, i) => ({ t: START + i * HOUR, value: 0 }));
		for (const pts of [flat, zeros]) {
			const s = detectSeries(pts);
			expect(s).toHaveLength(pts.length);
			expect(alerts(s)).toBe(0);
			for (const p of s) {
				expect(Number.isFinite(p.score)).toBe(true);
				expect(p.score).toBeGreaterThanOrEqual(0);
				expect(p.score).toBeLessThanOrEqual(1);
				expect(p.p).toBeGreaterThanOrEqual(0);
				expect(p.p).toBeLessThanOrEqual(1);
			}
		}
		expect(detectSeries(zeros).at(-1)!.expected).toBe(0);
		// a change of a flat series is an anomaly
		const changed = flat.map((p, i) => (i === 1500 ? { ...p, value: 43.5 } : p));
		expect(detectSeries(changed)[1500].alert).toBe(true);
	});

	it('a spike at the very start: no alert during warm-up, and it does not blind the detector afterwards', () => {
		const rng = new Rng(11);
		const pts = countSeries(rng, 24 * 42, 120);
		pts[0] = { ...pts[0], value: 500 };
		const s = detectSeries(pts);
		expect(s.slice(0, DEFAULTS.warmup).every((p) => !p.alert && p.score === 0)).toBe(true);
		expect(alerts(s)).toBeLessThanOrEqual(1);
		const at = 24 * 30 + 10;
		const spiked = pts.map((p, i) => (i === at ? { ...p, value: p.value + 40 } : p));
		expect(detectSeries(spiked)[at].alert).toBe(true);
	});

	it('empty input and a single point', () => {
		expect(detectSeries([])).toEqual([]);
		const one = detectSeries([{ t: START, value: 5 }]);
		expect(one).toHaveLength(1);
		expect(one[0].alert).toBe(false);
		expect(one[0].expected).toBe(5);
	});

	it('gaps (missing buckets) keep the seasonality aligned: no alert at the gap, a spike after it is found', () => {
		const rng = new Rng(13);
		const full = countSeries(rng, 24 * 42, 120);
		// two and a half days missing in week 4
		const gapped = full.filter((_, i) => i < 24 * 24 || i >= 24 * 26 + 12);
		const at = gapped.findIndex((p) => p.t === START + (24 * 30 + 10) * HOUR);
		gapped[at] = { ...gapped[at], value: gapped[at].value + 40 };
		const s = detectSeries(gapped);
		expect(s).toHaveLength(gapped.length);
		const afterGap = s.findIndex((p) => p.t >= START + (24 * 26 + 12) * HOUR);
		expect(s.slice(afterGap, afterGap + 24).some((p) => p.alert)).toBe(false);
		expect(s[at].alert).toBe(true);
		expect(alerts(s)).toBeLessThanOrEqual(2);
	});

	it('duplicated timestamps: last by default, sum or max on request; one output point per timestamp', () => {
		const pts: SeriesPoint[] = Array.from({ length: 500 }, (_, i) => ({ t: START + i * HOUR, value: 2 }));
		const dup = [...pts.slice(0, 400), { t: START + 399 * HOUR, value: 7 }, { t: START + 399 * HOUR, value: 5 }, ...pts.slice(400)];
		const last = detectSeries(dup);
		expect(last).toHaveLength(500);
		expect(last[399].value).toBe(5);
		expect(detectSeries(dup, { duplicates: 'sum' })[399].value).toBe(14);
		expect(detectSeries(dup, { duplicates: 'max' })[399].value).toBe(7);
		// a NaN duplicate does not replace a value
		const nanDup = [...pts.slice(0, 400), { t: START + 399 * HOUR, value: NaN }, ...pts.slice(400)];
		expect(detectSeries(nanDup)[399].value).toBe(2);
	});

	it('NaN values are missing values: kept, scored 0, nothing learned, detection continues', () => {
		const rng = new Rng(17);
		const pts = countSeries(rng, 24 * 35, 120);
		for (let i = 24 * 25; i < 24 * 25 + 6; i++) pts[i] = { ...pts[i], value: NaN };
		const at = 24 * 29 + 10;
		pts[at] = { ...pts[at], value: pts[at].value + 40 };
		const s = detectSeries(pts);
		expect(s).toHaveLength(pts.length);
		for (let i = 24 * 25; i < 24 * 25 + 6; i++) {
			expect(Number.isNaN(s[i].value)).toBe(true);
			expect(s[i].score).toBe(0);
			expect(s[i].p).toBe(1);
			expect(s[i].alert).toBe(false);
			expect(Number.isFinite(s[i].expected)).toBe(true);
		}
		expect(s[at].alert).toBe(true);
		// a series of only NaN
		expect(
			detectSeries([
				{ t: START, value: NaN },
				{ t: START + HOUR, value: NaN }
			]).every((p) => p.score === 0)
		).toBe(true);
	});

	it('unsorted input is put in time order; non-finite timestamps are dropped', () => {
		const pts: SeriesPoint[] = Array.from({ length: 300 }, (_, i) => ({ t: START + i * HOUR, value: i % 5 }));
		const shuffled = [...pts].reverse();
		shuffled.push({ t: NaN, value: 3 });
		const a = detectSeries(pts);
		const b = detectSeries(shuffled);
		expect(b.map((p) => p.t)).toEqual(a.map((p) => p.t));
		expect(b.map((p) => p.score)).toEqual(a.map((p) => p.score));
	});
});

describe('real-valued streams', () => {
	it('catches a level shift in a noisy sensor stream, once', () => {
		const rng = new Rng(19);
		const pts: SeriesPoint[] = [];
		for (let i = 0; i < 5000; i++)
			pts.push({ t: START + i * 300_000, value: 20 + 2 * Math.sin(i / 40) + 0.5 * rng.normal() + (i >= 4000 ? 6 : 0) });
		const s = detectSeries(pts);
		expect(alerts(s.slice(0, 4000))).toBeLessThanOrEqual(1);
		const hit = s.findIndex((p, i) => i >= 4000 && p.alert);
		expect(hit).toBeGreaterThanOrEqual(4000);
		expect(hit).toBeLessThanOrEqual(4002);
		expect(alerts(s.slice(4000))).toBe(1);
	});

	it('learns that a heavy-tailed stream is spiky: far fewer alerts than spikes', () => {
		const rng = new Rng(23);
		const pts: SeriesPoint[] = [];
		let spikes = 0;
		for (let i = 0; i < 6000; i++) {
			const spike = rng.chance(0.02);
			if (spike && i >= DEFAULTS.warmup) spikes++;
			pts.push({ t: START + i * 300_000, value: 1 + 0.1 * rng.normal() + (spike ? 5 * rng.next() + 1 : 0) });
		}
		const s = detectSeries(pts);
		expect(spikes).toBeGreaterThan(80);
		expect(alerts(s)).toBeLessThan(spikes / 2);
		// it learns: the second half fires far less than the first
		expect(alerts(s.slice(3000))).toBeLessThanOrEqual(alerts(s.slice(0, 3000)) / 3);
	});

	it('a stream whose routine spikes stay bounded learns they are ordinary, yet still alerts on a spike far beyond them', () => {
		const rng = new Rng(43);
		const pts: SeriesPoint[] = [];
		let spikes = 0;
		for (let i = 0; i < 6000; i++) {
			// 3 % of points: +3 … +8 sd
			const spike = rng.chance(0.03);
			if (spike && i >= 3000) spikes++;
			pts.push({ t: START + i * 300_000, value: 1 + 0.1 * rng.normal() + (spike ? 0.3 + 0.5 * rng.next() : 0) });
		}
		const s = detectSeries(pts);
		expect(spikes).toBeGreaterThan(60);
		expect(alerts(s.slice(3000))).toBeLessThanOrEqual(1);
		// a spike of +50 sd (six times the largest routine one) is an anomaly for this series
		const at = 5000;
		const spiked = pts.map((p, i) => (i === at ? { ...p, value: 6 } : p));
		const r = detectSeries(spiked);
		expect(r[at].alert).toBe(true);
		expect(r[at].side).toBe(1);
	});
});

describe('streaming and columns', () => {
	it('SeriesDetector.update and scoreColumns give the batch results', () => {
		const rng = new Rng(29);
		const pts = countSeries(rng, 24 * 30, 60);
		pts[24 * 25] = { ...pts[24 * 25], value: 60 };
		const batch = detectSeries(pts);
		const d = new SeriesDetector({ kind: 'count', intervalMs: HOUR });
		const stream = pts.map((p) => d.update(p));
		expect(stream.map((p) => p.score)).toEqual(batch.map((p) => p.score));
		expect(stream.map((p) => p.alert)).toEqual(batch.map((p) => p.alert));
		const cols = scoreColumns(
			Float64Array.from(pts, (p) => p.t),
			Float64Array.from(pts, (p) => p.value)
		);
		expect(Array.from(cols.score)).toEqual(batch.map((p) => p.score));
		expect(alerts(batch)).toBeGreaterThanOrEqual(1);
	});

	it('streaming without a given interval learns it from the first gaps', () => {
		const rng = new Rng(31);
		const pts = countSeries(rng, 24 * 30, 60);
		const d = new SeriesDetector();
		const s = pts.map((p) => d.update(p));
		expect(s.every((p) => Number.isFinite(p.score))).toBe(true);
		expect(alerts(s)).toBeLessThanOrEqual(1);
	});
});

describe('documentation', () => {
	it('METHOD.md lists every default with its value', () => {
		const md = readFileSync(new URL('./METHOD.md', import.meta.url), 'utf8');
		for (const [k, v] of Object.entries(DEFAULTS)) {
			const shown = Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? `'${v}'` : String(v);
			expect(md, k).toMatch(new RegExp(`\\| ${k} +\\| ${shown.replace(/[[\]().]/g, '\\$&')}`));
		}
		expect(md).toMatch(/\| intervalMs +\|/);
		expect(md).toMatch(/\| dayKind +\|/);
	});
});
