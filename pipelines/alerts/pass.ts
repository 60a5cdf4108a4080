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
import { dayNumberAt, type WorkCalendar } from '../calendar/index';
import { TimeSlices } from '../event-loop';
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

/** The detector's work/rest day from the city's calendar (holidays rest, 调休 make-up days work). */
export function calendarDayKind(cal: WorkCalendar): DayKindFn {
	return (t) => (cal.isWorkdayNumber(dayNumberAt(t)) ? 'work' : 'rest');
}

export const PASS_DEFAULTS: PassOptions = { budget: 0.5, minTotal: 5, warmupDays: { hour: 14, day: 28 }, keepPoints: 48 };

export interface Episode extends Firing {
	series: CountSeries;
	onsetIndex: number;
	/** the bucket at which the evidence reached α (the alert's time) */
	acceptIndex: number;
	lastIndex: number;
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

/**
 * The pass one series at a time: yields after each series, returns the result. runPass drains it in one go; a
 * server (runPassYielding) hands the event loop back between slices.
 */
function* passSteps(all: readonly CountSeries[], options: Partial<PassOptions>): Generator<void, PassResult> {
	const o = { ...PASS_DEFAULTS, ...options };
	const t0 = performance.now();
	const { tested, alpha, perDay } = passPlan(all, o);
	const episodes: Episode[] = [];
	let points = 0;
	for (const s of tested) {
		points += s.values.length;
		episodes.push(...seriesEpisodes(s, alpha, o));
		yield;
	}
	return { episodes, alpha, perDay, series: tested.length, points, seconds: (performance.now() - t0) / 1000 };
}

/** Runs the detector over every series and keeps the episodes that pass the false-alert budget. */
export function runPass(all: readonly CountSeries[], options: Partial<PassOptions> = {}): PassResult {
	const steps = passSteps(all, options);
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
	}
}

/**
 * runPass for a server: the same episodes, but it gives the event loop back every `sliceMs` (default 20 ms) so
 * requests are answered while a round scores thousands of series.
 */
export async function runPassYielding(all: readonly CountSeries[], options: Partial<PassOptions> = {}, sliceMs = 20): Promise<PassResult> {
	const steps = passSteps(all, options);
	const slices = new TimeSlices(sliceMs, 1);
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
		if (slices.due()) await slices.turn();
	}
}

/** The series worth testing and the per-test level α that keeps the daily false-alert budget. */
export function passPlan(
	all: readonly CountSeries[],
	o: Pick<PassOptions, 'budget' | 'minTotal'>
): { tested: CountSeries[]; alpha: number; perDay: number } {
	let perDay = 0;
	const tested = all.filter((s) => hasSignal(s.values, o.minTotal));
	for (const s of tested) perDay += s.key.bucket === 'hour' ? 24 : 1;
	return { tested, alpha: perDay ? o.budget / perDay : 1, perDay };
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

/** The accepted episodes of one series. The detector runs step by step with no allocation per bucket. */
export function seriesEpisodes(s: CountSeries, alpha: number, o: PassOptions = PASS_DEFAULTS): Episode[] {
	const det = detectorFor(s, o);
	const step = bucketMs(s.key.bucket);
	const bandZ = det.opts.bandZ;
	const out: Episode[] = [];
	const n = s.values.length;
	// the last K buckets' results, for the chart kept with an episode
	const K = Math.max(1, o.keepPoints);
	const ring = { e: new Float64Array(K), l: new Float64Array(K), u: new Float64Array(K), p: new Float64Array(K), s: new Float64Array(K) };
	const pointAt = (i: number): ScoredPoint => {
		const r = i % K;
		const firing = i <= cur.last && i >= cur.onset;
		return {
			t: s.start + i * step,
			value: s.values[i],
			expected: ring.e[r],
			lower: ring.l[r],
			upper: ring.u[r],
			p: ring.p[r],
			score: ring.s[r],
			alert: i === cur.onset,
			firing,
			side: s.values[i] > ring.e[r] ? 1 : s.values[i] < ring.e[r] ? -1 : 0
		};
	};
	const cur = {
		open: false,
		onset: 0,
		obs: 0,
		exp: 0,
		vr: 0,
		minP: 1,
		peak: -1,
		peakP: 2,
		peakExcess: -Infinity,
		score: 0,
		accept: -1,
		last: 0
	};
	let peakPoint: ScoredPoint | null = null;
	const close = (now: number) => {
		if (cur.open && cur.accept >= 0) {
			const end = cur.last;
			const points: ScoredPoint[] = [];
			for (let i = Math.max(0, now - K + 1); i <= now; i++) points.push(pointAt(i));
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
				peak: peakPoint!,
				score: cur.score,
				points
			});
		}
		cur.open = false;
	};
	for (let i = 0; i < n; i++) {
		const v = s.values[i];
		det.step(s.start + i * step, v);
		const r = i % K;
		ring.e[r] = det.expected;
		ring.l[r] = det.lower;
		ring.u[r] = det.upper;
		ring.p[r] = det.p;
		ring.s[r] = det.score;
		if (det.alert) {
			close(i - 1);
			Object.assign(cur, {
				open: true,
				onset: i,
				obs: 0,
				exp: 0,
				vr: 0,
				minP: 1,
				peakP: 2,
				peakExcess: -Infinity,
				score: 0,
				accept: -1,
				last: i
			});
		}
		if (!cur.open) continue;
		if (!det.isFiring) {
			close(i);
			continue;
		}
		cur.last = i;
		cur.obs += v;
		cur.exp += det.expected;
		const sd = (det.upper - det.expected) / bandZ;
		cur.vr += Math.max(det.expected, sd * sd);
		const excess = v - det.expected;
		if (det.p < cur.peakP || (det.p === cur.peakP && excess > cur.peakExcess)) {
			cur.peakP = det.p;
			cur.peakExcess = excess;
			peakPoint = pointAt(i);
		}
		cur.score = Math.max(cur.score, det.score);
		const pSum = normalUpperTail((cur.obs - cur.exp - 0.5) / Math.sqrt(Math.max(cur.vr, 1e-9)));
		cur.minP = Math.min(cur.minP, det.p, det.pSustained, pSum);
		if (cur.accept < 0 && cur.minP <= alpha && cur.obs >= o.minTotal) cur.accept = i;
	}
	close(n - 1);
	return out;
}
