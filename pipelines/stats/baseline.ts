// Seasonal baselines of daily ticket counts: what a day would normally bring, holiday-aware, with a band.
//
// A day is compared with recent days of the same kind:
//   regular workday     → the same weekday, regular workdays only (Mondays differ from Fridays);
//   makeup workday (调休) → regular workdays of any weekday;
//   weekend rest day    → the same weekday, ordinary weekends only;
//   public holiday      → earlier public-holiday days (a year back at most), else weekend days.
// The expected count is the trimmed mean of up to `refs` reference days; the band is expected ± z·σ, where σ²
// is the larger of the reference days' (winsorized) variance and the Poisson variance — call volumes are overdispersed,
// and a band narrower than Poisson noise would call ordinary days unusual. The same holds for any filter
// (a district, a category): the series given is what is compared, so every place has its own baseline.
import { dayNumber, type WorkCalendar } from '../calendar/index';

export type DayKind = 'workday' | 'makeup' | 'weekend' | 'holiday';

export const DAY_KIND_LABELS: Record<DayKind, string> = {
	workday: '工作日',
	makeup: '调休上班日',
	weekend: '周末',
	holiday: '法定节假日'
};

const kinds = new WeakMap<WorkCalendar, Map<number, DayKind>>();

export function dayKind(cal: WorkCalendar, day: string): DayKind {
	return kindOf(cal, dayNumber(day), day);
}

/** dayKind by day number, remembered per calendar (baselines ask for the same days over and over). */
function kindOf(cal: WorkCalendar, num: number, day = dayString(num)): DayKind {
	let m = kinds.get(cal);
	if (!m) kinds.set(cal, (m = new Map()));
	let k = m.get(num);
	if (k === undefined) {
		const dow = (num + 4) % 7;
		const weekend = dow === 0 || dow === 6;
		k = cal.isHoliday(day) ? 'holiday' : cal.isWorkday(day) ? (weekend ? 'makeup' : 'workday') : 'weekend';
		m.set(num, k);
	}
	return k;
}

const strings = new Map<number, string>();
/** 'YYYY-MM-DD' of a day number (days since 1970-01-01), remembered. */
function dayString(num: number): string {
	let s = strings.get(num);
	if (s === undefined) {
		s = new Date(num * 86_400_000).toISOString().slice(0, 10);
		if (strings.size < 200_000) strings.set(num, s);
	}
	return s;
}

/** 0 = Sunday … 6 = Saturday */
export function weekday(day: string): number {
	return (dayNumber(day) + 4) % 7; // 1970-01-01 was a Thursday
}

export interface BaselineOptions {
	/** reference days used at most (default 8) */
	refs?: number;
	/** how far back reference days are looked for, in days (default 120; holidays: 400) */
	lookback?: number;
	/** fewer reference days than this → no baseline (default 3) */
	minRefs?: number;
	/** band half-width in standard deviations (default 1.96: a 95 % band) */
	z?: number;
}

export interface Baseline {
	expected: number;
	/** standard deviation used for the band and for significance */
	sd: number;
	low: number;
	high: number;
	/** the days compared with */
	refDays: string[];
	kind: DayKind;
}

/** Mean with the single largest and smallest value left out once there are 5 or more. */
export function trimmedMean(values: readonly number[]): number {
	if (values.length === 0) return NaN;
	if (values.length < 5) return values.reduce((s, v) => s + v, 0) / values.length;
	const sorted = [...values].sort((a, b) => a - b).slice(1, -1);
	return sorted.reduce((s, v) => s + v, 0) / sorted.length;
}

/**
 * Sample variance around `mean`; with 5 or more values the largest and the smallest are first pulled in to
 * their neighbours (winsorized), so one earlier incident does not widen the band of every later week.
 */
export function robustVariance(values: readonly number[], mean: number): number {
	if (values.length < 2) return 0;
	let v = [...values];
	if (v.length >= 5) {
		const sorted = [...v].sort((a, b) => a - b);
		const lo = sorted[1];
		const hi = sorted[sorted.length - 2];
		v = v.map((x) => Math.min(hi, Math.max(lo, x)));
	}
	return v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1);
}

/** The reference days for `day`, most recent first, among days before it that have data (`has`). */
export function referenceDays(cal: WorkCalendar, day: string, has: (d: string) => boolean, opts: BaselineOptions = {}): string[] {
	const refs = opts.refs ?? 8;
	const num = dayNumber(day);
	const kind = kindOf(cal, num, day);
	const dow = (num + 4) % 7;
	const lookback = kind === 'holiday' ? 400 : (opts.lookback ?? 120);
	const match = (n: number): boolean => {
		const k = kindOf(cal, n);
		switch (kind) {
			case 'workday':
				return k === 'workday' && (n + 4) % 7 === dow;
			case 'makeup':
				return k === 'workday';
			case 'weekend':
				return k === 'weekend' && (n + 4) % 7 === dow;
			case 'holiday':
				return k === 'holiday';
		}
	};
	const out: string[] = [];
	for (let i = 1; i <= lookback && out.length < refs; i++) {
		if (!match(num - i)) continue;
		const d = dayString(num - i);
		if (has(d)) out.push(d);
	}
	// too few earlier holidays in the data: compare a holiday with weekends
	if (kind === 'holiday' && out.length < (opts.minRefs ?? 3)) {
		out.length = 0;
		for (let i = 1; i <= (opts.lookback ?? 120) && out.length < refs; i++) {
			if (kindOf(cal, num - i) !== 'weekend') continue;
			const d = dayString(num - i);
			if (has(d)) out.push(d);
		}
	}
	return out;
}

/**
 * The baseline of one day from a series of daily counts (missing days mean "no data", not zero: pass every
 * day the store covers, with 0 where nothing came in). Null when there are too few reference days.
 */
export function dayBaseline(cal: WorkCalendar, day: string, counts: ReadonlyMap<string, number>, opts: BaselineOptions = {}): Baseline | null {
	const refDays = referenceDays(cal, day, (d) => counts.has(d), opts);
	if (refDays.length < (opts.minRefs ?? 3)) return null;
	const values = refDays.map((d) => counts.get(d) ?? 0);
	const expected = trimmedMean(values);
	const sd = Math.sqrt(Math.max(robustVariance(values, expected), expected, 1));
	const z = opts.z ?? 1.96;
	return { expected, sd, low: Math.max(0, expected - z * sd), high: expected + z * sd, refDays, kind: dayKind(cal, day) };
}

export interface SpanBaseline {
	/** observed count over the span */
	observed: number;
	/** expected count over the span (sum of the days' baselines) */
	expected: number;
	sd: number;
	low: number;
	high: number;
	/** (observed − expected) / sd */
	z: number;
	/** days of the span that had a baseline (the others are left out of both observed and expected) */
	days: number;
}

/**
 * Baseline of several consecutive days together: the sum of the daily baselines, its variance the sum of the
 * daily variances (days treated as independent given the seasonal pattern). `partialLast` scales the last day
 * (a day still in progress) by the share of a normal day that has passed.
 */
export function spanBaseline(
	cal: WorkCalendar,
	days: readonly string[],
	counts: ReadonlyMap<string, number>,
	opts: BaselineOptions & { partialLast?: number } = {}
): SpanBaseline | null {
	let observed = 0;
	let expected = 0;
	let varSum = 0;
	let used = 0;
	days.forEach((d, i) => {
		const b = dayBaseline(cal, d, counts, opts);
		if (!b) return;
		const share = i === days.length - 1 && opts.partialLast !== undefined ? opts.partialLast : 1;
		observed += counts.get(d) ?? 0;
		expected += b.expected * share;
		// the Poisson part shrinks with the share; the overdispersion part with its square
		varSum += Math.max(b.sd * b.sd * share * share, b.expected * share, share);
		used++;
	});
	if (used === 0) return null;
	const sd = Math.sqrt(varSum);
	const z = opts.z ?? 1.96;
	return { observed, expected, sd, low: Math.max(0, expected - z * sd), high: expected + z * sd, z: (observed - expected) / sd, days: used };
}
