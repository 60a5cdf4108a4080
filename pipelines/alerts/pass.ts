// One detection pass over many count series: each series through the single-series detector (detector.ts),
// then the false-alert control across all of them, then the accepted episodes as firings for grouping
// (incidents.ts).
//
// False alerts across thousands of series: a daily false-alert budget B (default 0.5 per day, city-wide).
// With m series tested, each with k buckets a day (24 hourly, 1 daily), the pass tests about M = Σ k
// series-buckets a day; an episode is accepted only when its evidence reaches α = B / M (Bonferroni over a day,
// so under the null model at most B false episodes are expected per day). The evidence is the smaller of
//   - the episode's strongest single bucket: the detector's tail probability p of that bucket, and
//   - the episode so far as a whole: observed total against expected total, with the variance implied by the
//     detector's band (never below the expected total: the Poisson floor), as an upper normal tail with a
//     continuity correction — this is what catches a sustained rise where no single bucket is extreme.
// An episode that never reaches α stays unreported. Episodes also need at least `minTotal` tickets.
import { normalUpperTail } from '../stats/tests';
import { DEFAULTS, SeriesDetector, type DayKindFn, type DetectorOptions, type ScoredPoint } from './detector';
import type { Firing } from './incidents';
import { bucketMs, type CountSeries } from './series';

export interface PassOptions {
	/** expected false alerts per day, city-wide (default 0.5) */
	budget: number;
	/** an episode needs at least this many tickets in total (default 5) */
	minTotal: number;
	/** work or rest day (holidays and 调休 from the city's calendar) */
	dayKind?: DayKindFn;
	/** warm-up per bucket size, in days of history (default 14 for hourly series, 28 for daily) */
	warmupDays: { hour: number; day: number };
	/** further detector settings */
	detector?: Partial<DetectorOptions>;
	/** buckets of recent history kept with each episode (for the chart; default 48) */
	keepPoints: number;
}

export const PASS_DEFAULTS: PassOptions = { budget: 0.5, minTotal: 5, warmupDays: { hour: 14, day: 28 }, keepPoints: 48 };

export interface Episode extends Firing {
	series: CountSeries;
	onsetIndex: number;
	/** the bucket at which the evidence reached α (the alert's time) */
	acceptIndex: number;
	lastIndex: number;
	/** still firing at the series' last bucket */
	active: boolean;
	observed: number;
	expected: number;
	/** the strongest bucket's observation, expectation and band */
	peak: ScoredPoint;
	score: number;
	points: ScoredPoint[];
}

export interface PassResult {
	episodes: Episode[];
	alpha: number;
	/** series-buckets tested per day (the Bonferroni denominator) */
	perDay: number;
	series: number;
	points: number;
	seconds: number;
}

/** Runs the detector over every series and keeps the episodes that pass the false-alert budget. */
export function runPass(all: readonly CountSeries[], options: Partial<PassOptions> = {}): PassResult {
	const o = { ...PASS_DEFAULTS, ...options };
	const t0 = performance.now();
	let perDay = 0;
	const tested = all.filter((s) => hasSignal(s.values, o.minTotal));
	for (const s of tested) perDay += s.key.bucket === 'hour' ? 24 : 1;
	const alpha = perDay ? o.budget / perDay : 1;
	const episodes: Episode[] = [];
	let points = 0;
	for (const s of tested) {
		points += s.values.length;
		episodes.push(...seriesEpisodes(s, alpha, o));
	}
	return { episodes, alpha, perDay, series: tested.length, points, seconds: (performance.now() - t0) / 1000 };
}

/** A series that never reaches minTotal tickets in any 7 buckets cannot give an accepted episode worth testing. */
function hasSignal(v: Float64Array, minTotal: number): boolean {
	let sum = 0;
	for (let i = 0; i < v.length; i++) {
		sum += v[i];
		if (i >= 7) sum -= v[i - 7];
		if (sum >= minTotal) return true;
	}
	return false;
}

function detectorFor(s: CountSeries, o: PassOptions): SeriesDetector {
	const step = bucketMs(s.key.bucket);
	const warmup = Math.round((o.warmupDays[s.key.bucket] * 86_400_000) / step);
	return new SeriesDetector({ ...DEFAULTS, direction: 'up', kind: 'count', ...o.detector, intervalMs: step, warmup, dayKind: o.dayKind });
}

/** The accepted episodes of one series. */
export function seriesEpisodes(s: CountSeries, alpha: number, o: PassOptions = PASS_DEFAULTS): Episode[] {
	const det = detectorFor(s, o);
	const step = bucketMs(s.key.bucket);
	const bandZ = det.opts.bandZ;
	const out: Episode[] = [];
	const recent: ScoredPoint[] = [];
	let cur: {
		onset: number;
		obs: number;
		exp: number;
		vr: number;
		minP: number;
		peak: ScoredPoint;
		score: number;
		accept: number;
		last: number;
	} | null = null;
	const close = (n: number) => {
		if (cur && cur.accept >= 0) {
			const end = cur.last;
			out.push({
				id: s.id,
				key: s.key,
				district: s.key.level === 'district' ? s.key.place : s.key.level === 'street' ? (s.key.district ?? null) : null,
				onset: s.start + cur.onset * step,
				last: s.start + end * step,
				until: s.start + (end + 1) * step,
				tickets: [],
				p: cur.minP,
				series: s,
				onsetIndex: cur.onset,
				acceptIndex: cur.accept,
				lastIndex: end,
				active: end === n - 1,
				observed: cur.obs,
				expected: cur.exp,
				peak: cur.peak,
				score: cur.score,
				points: recent.slice(-o.keepPoints)
			});
		}
		cur = null;
	};
	const n = s.values.length;
	for (let i = 0; i < n; i++) {
		const sp = det.update({ t: s.start + i * step, value: s.values[i] });
		recent.push(sp);
		if (recent.length > o.keepPoints * 4) recent.splice(0, recent.length - o.keepPoints * 2);
		if (sp.alert) {
			close(n);
			cur = { onset: i, obs: 0, exp: 0, vr: 0, minP: 1, peak: sp, score: 0, accept: -1, last: i };
		}
		if (cur && sp.firing) {
			cur.last = i;
			cur.obs += sp.value;
			cur.exp += sp.expected;
			const sd = (sp.upper - sp.expected) / bandZ;
			cur.vr += Math.max(sp.expected, sd * sd);
			if (sp.p < cur.peak.p || (sp.p === cur.peak.p && sp.value - sp.expected > cur.peak.value - cur.peak.expected)) cur.peak = sp;
			cur.score = Math.max(cur.score, sp.score);
			const pSum = normalUpperTail((cur.obs - cur.exp - 0.5) / Math.sqrt(Math.max(cur.vr, 1e-9)));
			cur.minP = Math.min(cur.minP, sp.p, pSum);
			if (cur.accept < 0 && cur.minP <= alpha && cur.obs >= o.minTotal) cur.accept = i;
		} else if (cur && !sp.firing) close(n);
	}
	close(n);
	return out;
}
