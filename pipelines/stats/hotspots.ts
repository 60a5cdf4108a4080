// Hotspots: which places (districts, streets) have significantly more tickets than their own normal.
//
// Each place is compared with itself: its count in the current window against its counts in H earlier windows
// (historyWindows): for a week or longer the windows of the same length just before; for shorter windows each
// day against earlier days of its own kind (baseline.ts referenceDays: a Monday with Mondays, a weekend day with
// the same weekend day, a makeup workday (调休) with workdays, a public holiday with earlier holidays), so a makeup
// Saturday is not called a hotspot for being busier than Saturdays. Expected = trimmed mean of those windows
// (times `scale`, e.g. the share of a day that has passed). The count is tested against a count model: Poisson
// with that mean, or negative binomial when the history varies more than Poisson (winsorized variance); one-sided
// p = P(X ≥ observed), exact for small counts (a normal approximation calls 2 → 6 significant when it is not);
// q = Benjamini–Hochberg over all places tested together. A hotspot has q < alpha and at least `minCount`
// tickets (a street going from 0 to 2 is not news). z = (observed − expected) / σ is shown for ranking only.
import { addDays, type WorkCalendar } from '../calendar/index';
import { referenceDays, robustVariance, trimmedMean } from './baseline';
import { benjaminiHochberg, countTails } from './tests';

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

/** The defaults of placeSignificance and the number of history windows a map compares with: the method text says them. */
export const HOTSPOT_DEFAULTS = { windows: 8, minHistory: 3, minCount: 5, alpha: 0.05 } as const;

export const HOTSPOT_METHOD =
	`显著性：每个地区与自身的常态比较。时段不短于一周时，与此前同样长度的 ${HOTSPOT_DEFAULTS.windows} 个时段比；短于一周时，每天与此前同类的日子比` +
	'（工作日比同一星期几的工作日，周末比同一星期几的周末，调休上班日比工作日，法定节假日比此前的节假日）。' +
	'期望值取这些时段的截尾均值（本期含今天时，按往常同类日子此刻已到的比例折算）；按泊松分布（历史波动更大时按负二项分布）' +
	`计算出现不少于本期件数的概率，对所有地区做 Benjamini–Hochberg 校正；q < ${HOTSPOT_DEFAULTS.alpha} 且本期不少于 ${HOTSPOT_DEFAULTS.minCount} 件才标为热点。` +
	'历史几乎为 0 的地区，期望至少按历史各时段合计 0.5 件平摊计算（否则历史全为 0 时，任何来电都会被当作不可能）；' +
	`历史时段不足 ${HOTSPOT_DEFAULTS.minHistory} 个的地区不检验。`;

export function placeSignificance(places: readonly PlaceWindows[], opts: HotspotOptions = {}): PlaceSignificance[] {
	const scale = opts.scale ?? 1;
	const minHistory = opts.minHistory ?? HOTSPOT_DEFAULTS.minHistory;
	const minCount = opts.minCount ?? HOTSPOT_DEFAULTS.minCount;
	const alpha = opts.alpha ?? HOTSPOT_DEFAULTS.alpha;
	const rows = places.map((p) => {
		if (p.history.length < minHistory) return { key: p.key, observed: p.current, expected: null, change: null, z: null, p: null };
		const mean = trimmedMean(p.history);
		const expected = mean * scale;
		// the mean tested: a history of zeros gets a prior of half a ticket over its windows, not a mean of 0
		// (under which any ticket would be impossible)
		const mu = Math.max(expected, (0.5 * scale) / p.history.length);
		const variance = robustVariance(p.history, mean) * scale * scale;
		// variance beyond Poisson's: negative binomial with variance mu + kappa·mu²
		const kappa = variance > mu ? (variance - mu) / (mu * mu) : 0;
		const z = (p.current - expected) / Math.sqrt(Math.max(variance, mu));
		const pv = countTails(p.current, mu, kappa).upper;
		return { key: p.key, observed: p.current, expected, change: expected > 0 ? (p.current - expected) / expected : null, z, p: pv };
	});
	const tested = rows.filter((r) => r.p !== null);
	const q = benjaminiHochberg(tested.map((r) => r.p!));
	const qOf = new Map(tested.map((r, i) => [r.key, q[i]]));
	return rows.map((r) => {
		const qv = qOf.get(r.key) ?? null;
		return { ...r, q: qv, hotspot: qv !== null && qv < alpha && r.observed >= minCount && (r.z ?? 0) > 0 };
	});
}

/** A window of history: the days it counts, as ranges. */
export type HistoryWindow = { from: string; to: string }[];

/**
 * Up to `count` windows of history for the current window [from, from + length − 1] (days as 'YYYY-MM-DD'),
 * most recent first, none before `dataFrom`: for a week or longer the consecutive windows of the same length
 * before it; for a shorter one, window i holds each day's i-th reference day (referenceDays: earlier days of the
 * same kind; days that share their reference days take turns, none counted twice), as many as the days' reference
 * days fill.
 */
export function historyWindows(cal: WorkCalendar, from: string, length: number, count: number, dataFrom: string): HistoryWindow[] {
	const out: HistoryWindow[] = [];
	if (length >= 7) {
		for (let i = 1; i <= count; i++) {
			const f = addDays(from, -length * i);
			if (f < dataFrom) break;
			out.push([{ from: f, to: addDays(f, length - 1) }]);
		}
		return out;
	}
	// each day's reference days, most recent first; days of the window that share them (the days of a holiday, all
	// compared with earlier holidays) take turns, so that no reference day counts twice
	const refs = Array.from({ length }, (_, i) => referenceDays(cal, addDays(from, i), (d) => d >= dataFrom && d < from, { refs: count * length }));
	const next = refs.map(() => 0);
	const used = new Set<string>();
	for (let w = 0; w < count; w++) {
		const window: HistoryWindow = [];
		for (let j = 0; j < length; j++) {
			while (next[j] < refs[j].length && used.has(refs[j][next[j]])) next[j]++;
			if (next[j] >= refs[j].length) return out;
			const d = refs[j][next[j]++];
			used.add(d);
			window.push({ from: d, to: d });
		}
		out.push(window);
	}
	return out;
}
