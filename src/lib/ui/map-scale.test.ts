import { describe, expect, it } from 'vitest';
import { loadReference } from '$pipelines/reference/index';
import { districtLabels, districtShapes, projectPoints } from '$lib/server/geo';
import type { PlaceStat } from '../types';
import {
	alertSpot,
	NO_DATA_COLOUR,
	PALETTES,
	dayScale,
	divergingScale,
	fmtExpected,
	fmtMetric,
	fmtPct,
	fmtQ,
	fmtZ,
	hexPath,
	hexOpacity,
	hexbin,
	metricScale,
	metricValue,
	nextDay,
	niceStep,
	parseMetric,
	playFrom,
	pointRadius,
	sequentialScale,
	textOn
} from './map-scale';

function stat(code: string, over: Partial<PlaceStat> = {}): PlaceStat {
	return {
		code,
		name: code,
		count: 0,
		expected: null,
		change: null,
		z: null,
		q: null,
		hotspot: false,
		open: 0,
		overdue: 0,
		overdueShare: null,
		visited: 0,
		satisfactionRate: null,
		...over
	};
}

describe('metric parameter', () => {
	it('defaults to volume and accepts the four metrics', () => {
		expect(parseMetric(null)).toEqual({ metric: 'volume', problem: null });
		expect(parseMetric('  ')).toEqual({ metric: 'volume', problem: null });
		for (const m of ['volume', 'change', 'overdue', 'satisfaction'] as const) expect(parseMetric(m)).toEqual({ metric: m, problem: null });
	});
	it('names an unknown metric in Chinese and falls back to volume', () => {
		const r = parseMetric('heat');
		expect(r.metric).toBe('volume');
		expect(r.problem).toContain('未知的地图指标「heat」');
		expect(r.problem).toContain('change（较自身基线变化）');
	});
	it('reads each metric from a place', () => {
		const s = stat('a', { count: 12, change: 0.5, overdueShare: 0.2, satisfactionRate: 0.9 });
		expect([metricValue(s, 'volume'), metricValue(s, 'change'), metricValue(s, 'overdue'), metricValue(s, 'satisfaction')]).toEqual([12, 0.5, 0.2, 0.9]);
	});
});

describe('formatting', () => {
	it('formats counts, shares, changes, z and q', () => {
		expect(fmtMetric(12345, 'volume')).toBe('12,345');
		expect(fmtPct(0.1234)).toBe('12.3%');
		expect(fmtPct(0.2)).toBe('20%');
		expect(fmtPct(null)).toBe('—');
		expect(fmtMetric(0.25, 'change')).toBe('+25%');
		expect(fmtMetric(-0.1, 'change')).toBe('−10%');
		expect(fmtMetric(0.001, 'change')).toBe('0%');
		expect(fmtMetric(2.5, 'change')).toBe('×3.5');
		expect(fmtZ(2.345)).toBe('+2.3');
		expect(fmtZ(-1.04)).toBe('−1.0');
		expect(fmtZ(null)).toBe('—');
		expect(fmtQ(0.0004)).toBe('<0.001');
		expect(fmtQ(0.0312)).toBe('0.031');
		expect(fmtExpected(3.456)).toBe('3.5');
		expect(fmtExpected(1234.4)).toBe('1,234');
	});
});

describe('colour classes', () => {
	it('picks nice steps', () => {
		expect(niceStep(246.8)).toBe(250);
		expect(niceStep(0.074)).toBe(0.1);
		expect(niceStep(0.014)).toBe(0.02);
		expect(niceStep(0.6, true)).toBe(1);
		expect(niceStep(2.4, true)).toBe(3);
		expect(niceStep(0)).toBe(1);
	});

	it('covers the counts from 0 with five classes and nice boundaries', () => {
		const s = sequentialScale([10, 1234, 500, null], PALETTES.blues, { zero: true, integer: true });
		expect(s.breaks).toEqual([0, 250, 500, 750, 1000, 1250]);
		expect(s.classOf(0)).toBe(0);
		expect(s.classOf(249)).toBe(0);
		expect(s.classOf(250)).toBe(1);
		expect(s.classOf(1234)).toBe(4);
		expect(s.classOf(1250)).toBe(4);
		expect(s.classOf(null)).toBe(-1);
		expect(s.colour(null)).toBe(NO_DATA_COLOUR);
		expect(s.colour(1234)).toBe(PALETTES.blues[4]);
		expect(s.stops).toHaveLength(5);
		expect(s.stops[1]).toMatchObject({ from: 250, to: 500, colour: PALETTES.blues[1] });
	});

	it('reaches the largest value whatever the data', () => {
		for (const vals of [[0], [], [3], [7, 7, 7], [0.0001, 0.9999], [13, 1_000_003], [0.861, 0.934]]) {
			const s = sequentialScale(vals, PALETTES.blues, { zero: vals.length > 0 && vals[0] > 100 });
			const max = vals.length ? Math.max(...vals) : 0;
			expect(s.breaks[s.breaks.length - 1]).toBeGreaterThanOrEqual(max);
			expect(s.breaks[0]).toBeLessThanOrEqual(vals.length ? Math.min(...vals) : 0);
			for (let i = 1; i < s.breaks.length; i++) expect(s.breaks[i]).toBeGreaterThan(s.breaks[i - 1]);
		}
	});

	it('keeps share classes within 0–100 % and puts low satisfaction in the darkest colour', () => {
		const sat = metricScale('satisfaction', [stat('a', { satisfactionRate: 0.861 }), stat('b', { satisfactionRate: 0.934 }), stat('c')]);
		expect(sat.breaks[0]).toBeLessThanOrEqual(0.861);
		expect(sat.breaks[sat.breaks.length - 1]).toBeLessThanOrEqual(1);
		expect(sat.breaks[sat.breaks.length - 1]).toBeGreaterThanOrEqual(0.934);
		expect(sat.colour(0.861)).toBe(PALETTES.purples[4]);
		expect(PALETTES.purples.indexOf(sat.colour(0.934) as never)).toBeLessThanOrEqual(1);
		expect(sat.stops[0].label).toMatch(/^\d+(\.\d)?%–\d+(\.\d)?%$/);
		const high = sequentialScale([0.97, 0.99], PALETTES.purples, { share: true });
		expect(high.breaks[high.breaks.length - 1]).toBeLessThanOrEqual(1);
		expect(high.classOf(0.97)).toBeGreaterThanOrEqual(0);
	});

	it('centres the change scale on 0: rises red, falls blue, no baseline grey', () => {
		const s = divergingScale([-0.3, 0.45, null], PALETTES.rdBu);
		expect(s.kind).toBe('diverging');
		expect(s.breaks).toHaveLength(7);
		expect(s.breaks[3]).toBe(0);
		expect(s.breaks[0]).toBe(-s.breaks[6]);
		expect(s.breaks[6]).toBeGreaterThanOrEqual(0.45);
		expect(s.colour(0.45)).toBe(PALETTES.rdBu[5]);
		expect(s.colour(0.01)).toBe(PALETTES.rdBu[3]);
		expect(s.colour(-0.01)).toBe(PALETTES.rdBu[2]);
		expect(s.breaks[6]).toBe(0.6);
		expect(s.colour(-0.3)).toBe(PALETTES.rdBu[1]);
		expect(s.colour(-0.9)).toBe(PALETTES.rdBu[0]);
		expect(s.colour(null)).toBe(NO_DATA_COLOUR);
		const m = metricScale('change', [stat('a', { change: -0.3 }), stat('b', { change: 0.1 })]);
		expect(m.stops.map((x) => x.label)).toEqual(['−30%–−20%', '−20%–−10%', '−10%–0%', '0%–+10%', '+10%–+20%', '+20%–+30%']);
		expect(divergingScale([], PALETTES.rdBu).breaks).toHaveLength(7);
	});

	it('colours the slider by the daily counts of all districts and days', () => {
		const s = dayScale({ a: [0, 3, 40], b: [12, 0, 0] });
		expect(s.breaks[0]).toBe(0);
		expect(s.breaks[s.breaks.length - 1]).toBeGreaterThanOrEqual(40);
		expect(s.colour(40)).toBe(PALETTES.blues[4]);
		expect(s.colour(0)).toBe(PALETTES.blues[0]);
	});

	it('gives an empty period one legend entry, not classes 0–1 … 4–5, and none when nothing has a value', () => {
		const zeros = metricScale('volume', [stat('a', { count: 0 }), stat('b', { count: 0 })]);
		expect(zeros.stops.map((x) => x.label)).toEqual(['0']);
		expect(zeros.stops[0].colour).toBe(zeros.colour(0));
		expect(dayScale({ a: [0, 0], b: [0, 0] }).stops.map((x) => x.label)).toEqual(['0']);
		expect(metricScale('satisfaction', [stat('a'), stat('b')]).stops).toEqual([]);
		expect(metricScale('volume', [stat('a', { count: 0 }), stat('b', { count: 3 })]).stops).toHaveLength(5);
	});

	it('chooses readable label colours', () => {
		expect(textOn('#08519c')).toBe('#ffffff');
		expect(textOn('#eff3ff')).toBe('#1f2a3d');
		expect(textOn('nonsense')).toBe('#1f2a3d');
	});
});

describe('day slider', () => {
	it('steps from the whole period through the days and stops at the end', () => {
		expect(nextDay(null, 3)).toBe(0);
		expect(nextDay(0, 3)).toBe(1);
		expect(nextDay(2, 3)).toBeNull();
		expect(nextDay(null, 0)).toBeNull();
		expect(playFrom(null, 5)).toBe(0);
		expect(playFrom(4, 5)).toBe(0);
		expect(playFrom(2, 5)).toBe(2);
	});
});

describe('ticket layer', () => {
	it('bins points into hexagons, keeping the total count', () => {
		const pts = [
			{ x: 0, y: 0, n: 2 },
			{ x: 1, y: 1, n: 3 },
			{ x: 100, y: 100, n: 5 },
			{ x: 101, y: 99, n: 1 }
		];
		const hex = hexbin(pts, 10);
		expect(hex.reduce((a, h) => a + h.n, 0)).toBe(11);
		expect(hex).toHaveLength(2);
		const far = hex.find((h) => h.n === 6)!;
		// every point lies within the radius of its hexagon's centre
		expect(Math.hypot(far.x - 100, far.y - 100)).toBeLessThanOrEqual(10);
	});

	it('assigns each point to the nearest hexagon centre', () => {
		const r = 5;
		for (let i = 0; i < 200; i++) {
			const p = { x: (i * 37) % 113, y: (i * 53) % 97, n: 1 };
			const [h] = hexbin([p], r);
			// the nearest centre of the lattice (checked against a brute-force search)
			const dx = r * Math.sqrt(3);
			const dy = r * 1.5;
			let best = Infinity;
			for (let j = -2; j < 80; j++) for (let k = -2; k < 40; k++) best = Math.min(best, Math.hypot((k + (j & 1) / 2) * dx - p.x, j * dy - p.y));
			expect(Math.hypot(h.x - p.x, h.y - p.y)).toBeCloseTo(best, 6);
		}
	});

	it('draws a closed hexagon and sizes circles by area', () => {
		const d = hexPath(10);
		expect(d.startsWith('M0,-10')).toBe(true);
		expect(d.endsWith('Z')).toBe(true);
		expect(d.split('L')).toHaveLength(6);
		expect(pointRadius(100, 100, 8)).toBe(8);
		expect(pointRadius(25, 100, 8)).toBe(4);
		expect(pointRadius(0, 100, 8)).toBe(1.2);
		expect(hexOpacity(100, 100)).toBe(0.9);
		expect(hexOpacity(0, 100)).toBe(0.25);
	});
});

describe('map geometry (server side, same projection as the shapes)', () => {
	const ref = loadReference();
	const W = 640;
	const H = 560;

	it('gives every district a label point in the box, and marks the one without an outline', () => {
		const labels = districtLabels(ref, W, H);
		expect(labels.map((l) => l.code).sort()).toEqual(ref.districts.map((d) => d.code).sort());
		for (const l of labels) {
			expect(l.x).toBeGreaterThanOrEqual(0);
			expect(l.x).toBeLessThanOrEqual(W);
			expect(l.y).toBeGreaterThanOrEqual(0);
			expect(l.y).toBeLessThanOrEqual(H);
		}
		const shaped = new Set(districtShapes(ref, W, H).filter((s) => s.d).map((s) => s.code));
		expect(labels.filter((l) => !l.hasShape).map((l) => l.code)).toEqual(ref.districts.filter((d) => !shaped.has(d.code)).map((d) => d.code));
		// 苏州工业园区's marker sits inside 姑苏区's outline: 姑苏区's label keeps clear of it
		const sip = labels.find((l) => l.code === '320576')!;
		const gusu = labels.find((l) => l.code === '320508')!;
		expect(sip.hasShape).toBe(false);
		expect(Math.hypot(sip.x - gusu.x, sip.y - gusu.y)).toBeGreaterThanOrEqual(40);
	});

	it('projects points like the shapes and drops those outside the box', () => {
		const [sip] = projectPoints(ref, W, H, [{ lon: 120.72, lat: 31.32, n: 3 }]);
		const label = districtLabels(ref, W, H).find((l) => l.code === '320576')!;
		expect(sip.n).toBe(3);
		expect(sip.x).toBeCloseTo(label.x, 0);
		expect(sip.y).toBeCloseTo(label.y, 0);
		expect(projectPoints(ref, W, H, [{ lon: 116.4, lat: 39.9, n: 1 }])).toEqual([]);
		// north is up: a point further north has a smaller y
		const [a, b] = projectPoints(ref, W, H, [
			{ lon: 120.6, lat: 31.3, n: 1 },
			{ lon: 120.6, lat: 31.6, n: 1 }
		]);
		expect(b.y).toBeLessThan(a.y);
	});
});

describe('alert markers', () => {
	// the boxes of a triangle drawn at a spot (path M0,-11 L10,7 L-10,7, scaled by k) and of a district's labels
	const triangle = (p: { x: number; y: number }, k: number) => ({ x0: p.x - 10 * k, x1: p.x + 10 * k, y0: p.y - 11 * k, y1: p.y + 7 * k });
	const overlaps = (a: ReturnType<typeof triangle>, b: ReturnType<typeof triangle>) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
	it('stand beside the district’s name and value, never on them, at any label scale, side by side when several', () => {
		for (const k of [1, 1.5]) {
			for (const chars of [3, 6]) {
				const l = { x: 400, y: 300, hasShape: true };
				// name: baseline 4k above the point, 13k high; value: baseline 11k below, 12k high (HotspotMap)
				const name = { x0: l.x - (chars * 13 * k) / 2, x1: l.x + (chars * 13 * k) / 2, y0: l.y - 4 * k - 13 * k, y1: l.y - 4 * k + 3 * k };
				const value = { x0: l.x - 30 * k, x1: l.x + 30 * k, y0: l.y + 11 * k - 12 * k, y1: l.y + 11 * k + 3 * k };
				const spots = [0, 1, 2].map((n) => triangle(alertSpot(l, chars, n, k), k));
				for (const t of spots) {
					expect(overlaps(t, name), `k ${k}, ${chars} chars`).toBe(false);
					expect(overlaps(t, value)).toBe(false);
				}
				expect(overlaps(spots[0], spots[1])).toBe(false);
				// still next to it: within two glyphs of the name's end
				expect(spots[0].x0 - name.x1).toBeLessThan(26 * k);
			}
			// a district without an outline: beside its round marker (r 19), off the circle
			const m = { x: 400, y: 300, hasShape: false };
			const t = triangle(alertSpot(m, 6, 0, k), k);
			expect(t.x0).toBeGreaterThanOrEqual(m.x + 19);
		}
	});
});
