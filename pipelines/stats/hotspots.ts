// Hotspots: which places (districts, streets) have significantly more tickets than their own normal.
//
// Each place is compared with itself: its count in the current window against its counts in the H windows of
// the same length just before (for windows shorter than a week, the same weekdays of earlier weeks, so a
// Monday is compared with Mondays). Expected = trimmed mean of those windows (times `scale`, e.g. the share of
// a day that has passed); σ² = max(winsorized sample variance, expected) — overdispersed Poisson; z = (observed −
// expected) / σ; one-sided p = P(Z ≥ z); q = Benjamini–Hochberg over all places tested together. A hotspot
// has q < alpha and at least `minCount` tickets (a street going from 0 to 2 is not news).
import { robustVariance, trimmedMean } from './baseline';
import { benjaminiHochberg, normalUpperTail } from './tests';

export interface PlaceWindows {
	key: string;
	/** count in the current window */
	current: number;
	/** counts in the earlier windows, most recent first; windows before the data began are left out */
	history: number[];
}

export interface PlaceSignificance {
	key: string;
	observed: number;
	/** null: too little history to say */
	expected: number | null;
	/** (observed − expected) / expected; null without a baseline or when expected is 0 */
	change: number | null;
	z: number | null;
	p: number | null;
	q: number | null;
	hotspot: boolean;
}

export interface HotspotOptions {
	/** multiply the expected count (a window still in progress), default 1 */
	scale?: number;
	/** windows of history needed for a baseline, default 3 */
	minHistory?: number;
	/** fewest tickets a hotspot can have, default 5 */
	minCount?: number;
	/** false discovery rate, default 0.05 */
	alpha?: number;
}

export const HOTSPOT_METHOD =
	'显著性：每个地区与自身过去同长度时段（不足一周时取此前各周的同一星期几）的工单量比较，期望值取截尾均值，' +
	'方差取缩尾后的历史方差与泊松方差中的较大者，单侧检验后对所有地区做 Benjamini–Hochberg 校正；q < 0.05 且不少于 5 件才标为热点。';

export function placeSignificance(places: readonly PlaceWindows[], opts: HotspotOptions = {}): PlaceSignificance[] {
	const scale = opts.scale ?? 1;
	const minHistory = opts.minHistory ?? 3;
	const minCount = opts.minCount ?? 5;
	const alpha = opts.alpha ?? 0.05;
	const rows = places.map((p) => {
		if (p.history.length < minHistory) return { key: p.key, observed: p.current, expected: null, change: null, z: null, p: null };
		const mean = trimmedMean(p.history);
		const variance = robustVariance(p.history, mean);
		const expected = mean * scale;
		const sd = Math.sqrt(Math.max(variance * scale * scale, expected, 1));
		const z = (p.current - expected) / sd;
		return { key: p.key, observed: p.current, expected, change: expected > 0 ? (p.current - expected) / expected : null, z, p: normalUpperTail(z) };
	});
	const tested = rows.filter((r) => r.p !== null);
	const q = benjaminiHochberg(tested.map((r) => r.p!));
	const qOf = new Map(tested.map((r, i) => [r.key, q[i]]));
	return rows.map((r) => {
		const qv = qOf.get(r.key) ?? null;
		return { ...r, q: qv, hotspot: qv !== null && qv < alpha && r.observed >= minCount && (r.z ?? 0) > 0 };
	});
}

/**
 * The H windows before a current window [from, to] of `length` days (days as 'YYYY-MM-DD'), most recent
 * first: consecutive windows for a week or longer, whole weeks back (same weekdays) for shorter ones.
 * Windows starting before `dataFrom` are left out.
 */
export function historyWindows(
	from: string,
	length: number,
	count: number,
	dataFrom: string,
	addDays: (day: string, n: number) => string
): { from: string; to: string }[] {
	const step = length >= 7 ? length : 7;
	const out: { from: string; to: string }[] = [];
	for (let i = 1; i <= count; i++) {
		const f = addDays(from, -step * i);
		if (f < dataFrom) break;
		out.push({ from: f, to: addDays(f, length - 1) });
	}
	return out;
}
