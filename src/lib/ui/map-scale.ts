// The pure side of the hotspot map (态势地图): which metric colours the districts, the colour classes and
// their legend, the day slider's stepping, and the hexagonal bins of the ticket layer. No DOM, no Svelte:
// the page, the wall display and the tests use the same functions.
import { formatChange, trimZeros } from '../charts/format';
import type { MapMetric, PlaceStat } from '../types';

// ---------------------------------------------------------------------------------------------------------
// Metrics

export interface MetricInfo {
	key: MapMetric;
	/** the switch's label */
	label: string;
	/** the legend's heading: what the colour means */
	legend: string;
}

export const MAP_METRICS: readonly MetricInfo[] = [
	{ key: 'volume', label: '工单量', legend: '本期工单量（件），颜色越深越多' },
	{ key: 'change', label: '较自身基线变化', legend: '本期工单量较本地区自身基线的变化：红色偏高，蓝色偏低' },
	{ key: 'overdue', label: '超期占比', legend: '当前在办工单中已超过签收或答复时限的占比，颜色越深越高' },
	{ key: 'satisfaction', label: '满意率', legend: '本期回访满意率（满意与基本满意），颜色越深越低' }
];

export function metricInfo(m: MapMetric): MetricInfo {
	return MAP_METRICS.find((x) => x.key === m) ?? MAP_METRICS[0];
}

/** The `metric` URL parameter: absent → volume; unknown → volume and a message in Chinese. */
export function parseMetric(value: string | null | undefined): { metric: MapMetric; problem: string | null } {
	const v = value?.trim();
	if (!v) return { metric: 'volume', problem: null };
	const m = MAP_METRICS.find((x) => x.key === v);
	if (m) return { metric: m.key, problem: null };
	return {
		metric: 'volume',
		problem: `未知的地图指标「${v}」，可选：${MAP_METRICS.map((x) => `${x.key}（${x.label}）`).join('、')}；已按工单量显示`
	};
}

/** The refusal of an unknown `metric` for an answer that shows nothing instead (the map's JSON API), or null. */
export function metricRefusal(value: string | null | undefined): string | null {
	const v = value?.trim();
	if (!v || MAP_METRICS.some((x) => x.key === v)) return null;
	return `未知的地图指标「${v}」（参数 metric），可选：${MAP_METRICS.map((x) => `${x.key}（${x.label}）`).join('、')}`;
}

/** A place's value of a metric; null when it cannot be said (no baseline, no open tickets, no visits). */
export function metricValue(s: PlaceStat, m: MapMetric): number | null {
	switch (m) {
		case 'volume':
			return s.count;
		case 'change':
			return s.change;
		case 'overdue':
			return s.overdueShare;
		case 'satisfaction':
			return s.satisfactionRate;
	}
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

const MINUS = '−';
const countFormat = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });

export function fmtCount(n: number | null): string {
	return n === null || !Number.isFinite(n) ? '—' : countFormat.format(n);
}

/** An expected count: one decimal below 10, whole above. */
export function fmtExpected(e: number | null): string {
	if (e === null || !Number.isFinite(e)) return '—';
	return e < 10 ? e.toFixed(1) : countFormat.format(Math.round(e));
}

/** 0.123 → "12.3%" (digits after the point, trailing zeros dropped). */
export function fmtPct(v: number | null, digits = 1): string {
	if (v === null || !Number.isFinite(v)) return '—';
	const s = trimZeros((Math.abs(v) * 100).toFixed(digits));
	return `${v < 0 && s !== '0' ? MINUS : ''}${s}%`;
}

export function fmtZ(z: number | null): string {
	if (z === null || !Number.isFinite(z)) return '—';
	const s = Math.abs(z).toFixed(1);
	return s === '0.0' ? '0.0' : `${z > 0 ? '+' : MINUS}${s}`;
}

export function fmtQ(q: number | null): string {
	if (q === null || !Number.isFinite(q)) return '—';
	return q < 0.001 ? '<0.001' : q.toFixed(3);
}

/** A value of a metric as shown in labels and tooltips. */
export function fmtMetric(v: number | null, m: MapMetric): string {
	if (m === 'volume') return fmtCount(v);
	if (m === 'change') return formatChange(v, 0);
	return fmtPct(v);
}

// ---------------------------------------------------------------------------------------------------------
// Colour classes

export const NO_DATA_COLOUR = '#d9dee5';

/** ColorBrewer ramps, lightest first. */
export const PALETTES = {
	blues: ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'],
	orRd: ['#fef0d9', '#fdcc8a', '#fc8d59', '#e34a33', '#b30000'],
	purples: ['#f2f0f7', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'],
	/** diverging blue (below) → red (above), 6 classes around 0 */
	rdBu: ['#2166ac', '#67a9cf', '#d1e5f0', '#fddbc7', '#ef8a62', '#b2182b']
} as const;

export interface LegendStop {
	colour: string;
	/** the class is [from, to) (the last one includes `to`) */
	from: number;
	to: number;
	label: string;
}

export interface ColourScale {
	kind: 'sequential' | 'diverging';
	/** class boundaries, ascending: classes = breaks.length − 1 */
	breaks: number[];
	/** the colour of each class, in the order of the breaks (ascending values) */
	colours: string[];
	/** legend entries, ascending values */
	stops: LegendStop[];
	/** the class index of a value (clamped to the ends); −1 for null */
	classOf: (v: number | null) => number;
	colour: (v: number | null) => string;
}

const round9 = (x: number) => Math.round(x * 1e9) / 1e9;

/** The smallest "nice" step (1, 2, 2.5, 5 × 10^k) at least x; integers only when `integer`. */
export function niceStep(x: number, integer = false): number {
	if (!(x > 0) || !Number.isFinite(x)) return 1;
	const e = 10 ** Math.floor(Math.log10(x));
	const f = round9(x / e);
	const n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
	let step = round9(n * e);
	if (integer) step = Math.max(1, Number.isInteger(step) ? step : Math.ceil(step));
	return step;
}

function makeScale(kind: ColourScale['kind'], breaks: number[], colours: string[], fmt: (v: number) => string): ColourScale {
	const k = colours.length;
	const classOf = (v: number | null): number => {
		if (v === null || !Number.isFinite(v)) return -1;
		for (let i = 1; i < k; i++) if (v < breaks[i]) return i - 1;
		return k - 1;
	};
	return {
		kind,
		breaks,
		colours,
		stops: colours.map((colour, i) => ({ colour, from: breaks[i], to: breaks[i + 1], label: `${fmt(breaks[i])}–${fmt(breaks[i + 1])}` })),
		classOf,
		colour: (v) => {
			const c = classOf(v);
			return c < 0 ? NO_DATA_COLOUR : colours[c];
		}
	};
}

export interface SequentialOptions {
	/** start the classes at 0 (counts, shares) rather than at the smallest value */
	zero?: boolean;
	/** whole-number boundaries (counts) */
	integer?: boolean;
	/** values are shares in [0, 1]: the classes do not go past 1 when they need not */
	share?: boolean;
	/** the darkest colour for the smallest values (e.g. satisfaction: low is bad) */
	reverse?: boolean;
	format?: (v: number) => string;
}

/** Equal classes with nice boundaries covering the values, one per colour of the palette. */
export function sequentialScale(values: readonly (number | null)[], palette: readonly string[], opts: SequentialOptions = {}): ColourScale {
	const k = palette.length;
	const vs = values.filter((v): v is number => v !== null && Number.isFinite(v));
	const fmt = opts.format ?? ((v: number) => String(v));
	let min = vs.length ? Math.min(...vs) : 0;
	const max = vs.length ? Math.max(...vs) : 0;
	if (opts.zero) min = Math.min(0, min);
	let step = niceStep((max - min) / k, opts.integer);
	let lo = opts.zero ? min : round9(Math.floor(min / step) * step);
	// widen the step until k classes from lo reach the largest value
	for (let guard = 0; round9(lo + k * step) < max && guard < 20; guard++) {
		step = niceStep(step * 1.01, opts.integer);
		lo = opts.zero ? min : round9(Math.floor(min / step) * step);
	}
	if (opts.share && round9(lo + k * step) > 1 && k * step <= 1) {
		const shifted = round9(1 - k * step);
		if (shifted <= min) lo = shifted;
	}
	const breaks = Array.from({ length: k + 1 }, (_, i) => round9(lo + i * step));
	const colours = opts.reverse ? [...palette].reverse() : [...palette];
	return makeScale('sequential', breaks, colours, fmt);
}

/** Classes symmetric around 0 (half below, half above) with a nice step; the outer classes reach the largest |value|. */
export function divergingScale(values: readonly (number | null)[], palette: readonly string[], format: (v: number) => string = String): ColourScale {
	const half = Math.floor(palette.length / 2);
	const vs = values.filter((v): v is number => v !== null && Number.isFinite(v));
	const maxAbs = vs.length ? Math.max(...vs.map(Math.abs)) : 0;
	const step = maxAbs > 0 ? niceStep(maxAbs / half) : 0.1;
	const breaks = Array.from({ length: 2 * half + 1 }, (_, i) => round9((i - half) * step));
	return makeScale('diverging', breaks, [...palette], format);
}

/**
 * A legend that says no more than the values do: one entry when every value is the same (an empty period's
 * zeros: not 0–1 … 4–5), none when no place has a value (the 无数据 entry says it). The colours stay the scale's.
 */
function fitLegend(s: ColourScale, values: readonly (number | null)[], fmt: (v: number) => string): ColourScale {
	const vs = values.filter((v): v is number => v !== null && Number.isFinite(v));
	if (!vs.length) return { ...s, stops: [] };
	if (vs.some((v) => v !== vs[0])) return s;
	return { ...s, stops: [{ colour: s.colour(vs[0]), from: vs[0], to: vs[0], label: fmt(vs[0]) }] };
}

/** The colour scale of a metric over the places shown. */
export function metricScale(m: MapMetric, stats: readonly PlaceStat[]): ColourScale {
	const values = stats.map((s) => metricValue(s, m));
	switch (m) {
		case 'volume':
			return fitLegend(sequentialScale(values, PALETTES.blues, { zero: true, integer: true, format: (v) => fmtCount(v) }), values, fmtCount);
		case 'change':
			return fitLegend(divergingScale(values, PALETTES.rdBu, (v) => formatChange(v, 0)), values, (v) => formatChange(v, 0));
		case 'overdue':
			return fitLegend(sequentialScale(values, PALETTES.orRd, { zero: true, share: true, format: (v) => fmtPct(v) }), values, fmtPct);
		case 'satisfaction':
			return fitLegend(sequentialScale(values, PALETTES.purples, { share: true, reverse: true, format: (v) => fmtPct(v) }), values, fmtPct);
	}
}

/** The slider's scale: the daily counts of every district over every day, so colours compare across days. */
export function dayScale(daily: Readonly<Record<string, readonly number[]>>): ColourScale {
	const values = Object.values(daily).flat();
	return fitLegend(sequentialScale(values, PALETTES.blues, { zero: true, integer: true, format: (v) => fmtCount(v) }), values, fmtCount);
}

/** Black or white text, whichever reads better on a fill colour (#rrggbb). */
export function textOn(fill: string): '#1f2a3d' | '#ffffff' {
	const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(fill);
	if (!m) return '#1f2a3d';
	const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
		const c = parseInt(h, 16) / 255;
		return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
	});
	const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
	return lum > 0.3 ? '#1f2a3d' : '#ffffff';
}

// ---------------------------------------------------------------------------------------------------------
// The day slider

/** The next frame of the slider when playing: from "whole period" (null) to the first day, then on; null at the end. */
export function nextDay(index: number | null, days: number): number | null {
	if (days <= 0) return null;
	if (index === null) return 0;
	return index + 1 < days ? index + 1 : null;
}

/** Where play starts: the first day when nothing is shown or the last day was reached, else where it is. */
export function playFrom(index: number | null, days: number): number {
	return index === null || index >= days - 1 ? 0 : index;
}

// ---------------------------------------------------------------------------------------------------------
// The ticket layer: projected points (x, y in the map's box) with counts, as circles or hexagons

export interface PlotPoint {
	x: number;
	y: number;
	n: number;
}

export interface Hexagon {
	/** centre */
	x: number;
	y: number;
	/** tickets in the hexagon */
	n: number;
}

/** Pointy-top hexagonal bins of radius r (rows 1.5 r apart, odd rows shifted by half a column, as d3-hexbin
 * lays them out): each point's count goes to the hexagon whose centre is nearest (exactly, in the plane). */
export function hexbin(points: readonly PlotPoint[], r: number): Hexagon[] {
	const dx = r * Math.sqrt(3);
	const dy = r * 1.5;
	const bins = new Map<string, Hexagon>();
	for (const p of points) {
		// the nearest centre lies within r, so in one of the two rows around the point; take each row's nearest column
		const j0 = Math.floor(p.y / dy);
		let best = { i: 0, j: 0, d: Infinity };
		for (let j = j0 - 1; j <= j0 + 2; j++) {
			const shift = (j & 1) / 2;
			const i = Math.round(p.x / dx - shift);
			const d = Math.hypot((i + shift) * dx - p.x, j * dy - p.y);
			if (d < best.d) best = { i, j, d };
		}
		const key = `${best.i},${best.j}`;
		const bin = bins.get(key);
		if (bin) bin.n += p.n;
		else bins.set(key, { x: round9((best.i + (best.j & 1) / 2) * dx), y: round9(best.j * dy), n: p.n });
	}
	return [...bins.values()];
}

/** The SVG path of a pointy-top hexagon of radius r centred on (0, 0). */
export function hexPath(r: number): string {
	const corners = Array.from({ length: 6 }, (_, i) => {
		const a = (i * Math.PI) / 3;
		return [Math.sin(a) * r, -Math.cos(a) * r].map((v) => Math.round(v * 100) / 100);
	});
	return `M${corners.map(([x, y]) => `${x},${y}`).join('L')}Z`;
}

/** Circle radius for a count: area proportional to the count, at least `min`. */
export function pointRadius(n: number, max: number, rMax: number, min = 1.2): number {
	if (!(max > 0) || !(n > 0)) return min;
	return Math.max(min, rMax * Math.sqrt(n / max));
}

/** Opacity ramp for hexagons: 0.25 for the emptiest, 0.9 for the fullest (square root, so small bins show). */
export function hexOpacity(n: number, max: number): number {
	if (!(max > 0)) return 0.25;
	return Math.round((0.25 + 0.65 * Math.sqrt(Math.min(n, max) / max)) * 100) / 100;
}

// ---------------------------------------------------------------------------------------------------------
// Alerts (issue 6): the map draws whatever markers it is given; nothing produces them yet.

export interface MapAlertMarker {
	id: string;
	/** position in the map's box (projected on the server like the points) */
	x: number;
	y: number;
	title: string;
	href?: string;
	/** the district it is drawn at (the map puts it beside that district's name); none: the city's corner */
	district?: string | null;
}

/**
 * Where the map draws the `n`-th alert marker of a district (0-based): beside its name, right of it, so that the
 * name and the value stay readable; beside the round marker of a district without an outline. The name is about
 * `chars` wide at `size` (CJK glyphs are 1 em); `k` is the labels' scale.
 */
export function alertSpot(l: { x: number; y: number; hasShape: boolean }, chars: number, n: number, k = 1, markerR = 19): { x: number; y: number } {
	const step = 22 * k;
	if (!l.hasShape) return { x: l.x + markerR + 12 * k + n * step, y: l.y - markerR + 6 * k };
	// the name's baseline is 4k above the label point, its glyphs 13k high
	return { x: l.x + (chars * 13 * k) / 2 + 13 * k + n * step, y: l.y - 9 * k };
}
