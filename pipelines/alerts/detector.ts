// One anomaly/spike detector for every single series: hotline count series (tickets per hour or day for a category ×
// place; sparse, seasonal) and arbitrary real-valued streams. Method and every default: METHOD.md next to this file.
//
//   const scored = detectSeries(points);              // batch, O(n) (O(n log n) only if the input is unsorted)
//   const d = new SeriesDetector({ intervalMs: 3_600_000, kind: 'count' }); for (const p of live) d.update(p);   // streaming
//
// Per point: a seasonal baseline (slot = time of day × day class, from a work/rest calendar) with adaptive level
// candidates forecasts the value; the residual becomes a tail probability under a count model (negative binomial,
// variance ≥ Poisson) or a Gaussian model, recalibrated from the series' own history of surprises (peaks over
// threshold); a CUSUM on the residuals against the slow seasonal reference catches sustained shifts (real-valued
// series: a multi-scale test, the medium level candidate against the slow one, calibrated the same way). The two are
// combined (Bonferroni) into score = −log10(p)/10 ∈ [0,1]. An alert episode starts when the score reaches the
// threshold and lasts until the series has been back inside the band for a few points. For very large passes use
// scoreColumns (typed arrays, no objects).
import { countTails, normalUpperTail } from '../stats/tests';

export interface SeriesPoint {
	/** epoch ms */
	t: number;
	value: number;
}

export interface ScoredPoint {
	t: number;
	/** the value (NaN for a missing value) */
	value: number;
	/** the baseline's expected value */
	expected: number;
	/** expected band: expected ± bandZ standard deviations (count series: lower ≥ 0) */
	lower: number;
	upper: number;
	/**
	 * Probability of a value at least this extreme under the baseline model: upper tail P(X ≥ x) with direction 'up',
	 * two-sided 2·min(P(X ≥ x), P(X ≤ x)) with direction 'both'. Count series with expected < 30: the exact
	 * negative-binomial tail (conservative, no mid-p); real-valued series and larger counts: the Gaussian tail after the
	 * series' own tail calibration (never below the model's p). Values within about one standard deviation of the
	 * expected value get a cheap approximation (p > 0.1 there). 1 during warm-up and for missing values.
	 * Point test only (not the CUSUM): meant for false-discovery control across many series (benjaminiHochberg).
	 */
	p: number;
	/** −log10 of the combined (point test, CUSUM; Bonferroni) probability, divided by 10, capped at 1; 0 during warm-up */
	score: number;
	/** true only at the point where a new alert episode starts */
	alert: boolean;
	/** an alert episode is in progress (including its first point) */
	firing: boolean;
	/** side of the deviation that drives the score: 1 above, −1 below, 0 none */
	side: 1 | -1 | 0;
}

export type DayKindFn = (t: number) => 'work' | 'rest';

export interface DetectorOptions {
	/** score at or above which an alert episode starts (default DEFAULT_THRESHOLD = 0.5, i.e. combined p ≤ 1e-5) */
	threshold: number;
	/** 'up': only increases alert; 'both': increases and decreases (default 'both') */
	direction: 'up' | 'both';
	/** 'count': non-negative integers, negative-binomial model; 'real': Gaussian; 'auto' (default): count iff every value is a non-negative integer */
	kind: 'auto' | 'count' | 'real';
	/** count series: an upward alert needs at least this count in the bucket, a downward one at least this many expected (default 3) */
	minCount: number;
	/** points at the start (per series) that never fire; the model learns meanwhile (default 336: two weeks of hours) */
	warmup: number;
	/** the warm-up lasts at most this many days of points, and at least 16 points (default 28: four weeks, i.e. 28
	 * points of a daily series, where 336 points would be eleven months) */
	warmupMaxDays: number;
	/** sampling interval in ms; default: the median gap between consecutive timestamps (batch), or of the first 16 gaps (streaming) */
	intervalMs?: number;
	/** narrowest seasonal slot in minutes (default 30); a slot is max(interval, this) wide; no slots when the interval ≥ 2 days */
	slotMinutes: number;
	/** offset of local time from UTC in minutes, for time of day and day kind (default 480: Asia/Shanghai) */
	tzOffsetMinutes: number;
	/** work or rest day of an instant (e.g. from WorkCalendar with holidays and 调休); default: Saturday/Sunday (local time) rest */
	dayKind?: DayKindFn;
	/** EW rates of the candidate level trackers, each run flat and seasonal; the one with the smallest recent squared error forecasts (default [0.5, 0.15, 0.04, 0.01]) */
	levelRates: number[];
	/** EW rate per visit of a seasonal slot (default 0.1) */
	seasonRate: number;
	/** EW rate of each candidate's squared error (its variance, and the basis of the choice) (default 0.02) */
	scaleRate: number;
	/** EW rate of the overdispersion estimate of count series, slow because single large counts dominate it (default 0.002) */
	dispersionRate: number;
	/** EW rate of the calibration shares (point-tail exceedances, CUSUM above its level) (default 0.002) */
	calibrationRate: number;
	/** residuals are clipped at this many standard deviations before they update any estimate (default 3) */
	clip: number;
	/** CUSUM reference value k in z units (default 0.5: tuned to shifts of about one standard deviation) */
	cusumK: number;
	/** CUSUM statistic cap, so it drains in bounded time after a long shift (default 20) */
	cusumCap: number;
	/** half-width of the expected band in standard deviations; recovery means back inside it (default 2) */
	bandZ: number;
	/** consecutive points back inside the band (and CUSUM below h = 4) that end an episode (default 3) */
	recovery: number;
	/** what to do with points sharing a timestamp (batch): 'last' keeps the last one (default), 'sum' adds them, 'max' keeps the largest */
	duplicates: 'last' | 'sum' | 'max';
}

export const DEFAULT_THRESHOLD = 0.5;

export const DEFAULTS: DetectorOptions = {
	threshold: DEFAULT_THRESHOLD,
	direction: 'both',
	kind: 'auto',
	minCount: 3,
	warmup: 336,
	warmupMaxDays: 28,
	slotMinutes: 30,
	tzOffsetMinutes: 480,
	levelRates: [0.5, 0.15, 0.04, 0.01],
	seasonRate: 0.1,
	scaleRate: 0.02,
	dispersionRate: 0.002,
	calibrationRate: 0.002,
	clip: 3,
	cusumK: 0.5,
	cusumCap: 20,
	bandZ: 2,
	recovery: 3,
	duplicates: 'last'
};

const DAY_MS = 86_400_000;
/** the fewest points of warm-up when warmupMaxDays shortens it (a weekly series still learns for 16 weeks) */
const MIN_WARMUP = 16;
/** a candidate takes over the forecast only with a squared error below this share of the current one's */
const SWITCH_MARGIN = 0.9;
/** added to E[μ²] in the overdispersion estimate */
const DISP_PRIOR = 0.25;
/** prior weight (in visits) of the work/rest slot when a day-class slot is read */
const SHRINK = 4;
/** largest gain of a count level update (rate × seasonal factor) */
const MAX_COUNT_GAIN = 0.5;
/** a gap longer than this many intervals resets the CUSUMs */
const GAP_RESET = 12;
/**
 * Values beyond ±1e100 are read as missing: the model squares values and errors, which overflows near ±1e154 and
 * would turn every later score into NaN (a series of ±1e308 did). No count or sensor series comes near it.
 */
export const MAX_ABS_VALUE = 1e100;
/** calibrated CUSUM level below which an episode may end */
const CUSUM_RESET = 4;
/** counts: the episode's rate is taken at least this far from the rate before it in the back-to-base test */
const BACK_MIN_RATIO = 1.5;
/** counts: log-likelihood ratio for "back at the rate before the episode" that makes a point quiet (100 : 1) */
const BACK_EVIDENCE = Math.log(100);

/** Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
	if (p <= 0) return -Infinity;
	if (p >= 1) return Infinity;
	const pl = 0.02425;
	if (p < pl) {
		const q = Math.sqrt(-2 * Math.log(p));
		return (
			(((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) *
				q +
				2.938163982698783) /
			((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
		);
	}
	if (p > 1 - pl) return -normalQuantile(1 - p);
	const q = p - 0.5;
	const r = q * q;
	return (
		((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) *
			r +
			2.506628277459239) *
			q) /
		(((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) *
			r +
			1)
	);
}

/** P(Z ≥ z) near the centre (|z| ≤ 1.2, error < 0.025): 1/2 − φ(0)(z − z³/6), held constant beyond ±1.2. */
function bulkUpperTail(z: number): number {
	if (z <= -1.2) return 0.885;
	if (z >= 1.2) return 0.115;
	return 0.5 - 0.3989422804014327 * (z - (z * z * z) / 6);
}

/** √(x + 3/8) for the Anscombe residual of small counts */
const ROOTS = Float64Array.from({ length: 64 }, (_, x) => Math.sqrt(x + 0.375));

/** 1 / average run length of a one-sided CUSUM with reference k and decision level h on N(0,1) data (Siegmund). */
function cusumRate(h: number, k: number): number {
	const b = h + 1.166;
	const a = 2 * k * b;
	const arl = (Math.exp(a) - a - 1) / (2 * k * k);
	return arl > 1 ? 1 / arl : 1;
}

function isCount(v: number): boolean {
	return v >= 0 && Number.isInteger(v);
}

/** Sat/Sun rest at local time. */
function weekendKind(tzMs: number): DayKindFn {
	return (t) => {
		const dow = (Math.floor((t + tzMs) / DAY_MS) + 4) % 7;
		return dow === 0 || dow === 6 || dow === -1 || dow === -6 ? 'rest' : 'work';
	};
}

/** stationary CUSUM (k = 0.5, N(0,1) input) above its calibration level 2: how often, and by how much on average */
const CUSUM_LEVEL = 2;
const CUSUM_NULL_ABOVE = 0.076;
const CUSUM_NULL_EXCESS = 1;
/** point tail calibration: exceedances of p = 1 % (u = −ln p > ln 100) */
const U0 = Math.log(100);
const P0 = 0.01;
/** expected counts from which a count series is calibrated like a real-valued one */
const CONTINUOUS_COUNT = 30;
/** running-median step (log domain) per exceedance */
const MEDIAN_UP = Math.exp(0.05);
const MEDIAN_DOWN = Math.exp(-0.05);
/**
 * largest excess u − U0 the calibration measures (u ≈ 54.6, p ≈ 2e-24): larger excesses are learned as this much (the
 * median is censored here), and a point beyond it may be read as if it were here (see TailCalibration.p)
 */
const EXCESS_CAP = 50;
/** mid-p of an excess of EXCESS_CAP */
const P_CAP = P0 * Math.exp(-EXCESS_CAP);

/**
 * Exponential-tail (peaks over threshold) calibration of u = −ln p against the series' own history: the share of
 * points with p < P0 and the median excess u − U0 of those (robust: a few enormous surprises do not move it; a series
 * whose surprises are mostly enormous does). For a correct model share = P0 and median excess = ln 2 (beta = 1).
 *
 * The fitted tail is measured only up to EXCESS_CAP: beyond it the calibration knows only how often the series has put
 * points there (`far`). A point beyond the cap is read no lower than the fit reads the cap — as before — only as far as
 * the series has itself shown such points recently: a spiky series whose spikes go beyond the cap (the median, which
 * can neither exceed the cap nor catch up quickly, would make the fit extrapolate far too steeply) reads every such
 * point as ordinary; a series whose surprises stay inside the measured range (however heavy their tail there) reads
 * a point far beyond anything it has shown on the fitted tail, so it can still alert; and a correct model never feels
 * the floor (its fit puts ≈ e^−50 beyond the cap, whatever an incident's few enormous points do to `far`).
 */
class TailCalibration {
	/** EW share of points with p < P0 */
	share = P0;
	/** running median of the excess u − U0 over exceedances (capped at EXCESS_CAP) */
	median = Math.LN2;
	/** EW share of points with an excess of at least EXCESS_CAP */
	far = 0;

	/** calibrated p for a mid-p below P0: never smaller than the model's own p */
	p(p: number, mid: number): number {
		const share = this.share > P0 ? this.share : P0;
		const beta = this.median > Math.LN2 ? this.median / Math.LN2 : 1;
		const u = -Math.log(mid > 1e-300 ? mid : 1e-300);
		const fit = share * Math.exp(-(u - U0) / beta);
		// beyond the measured range: the fit's reading of the cap, but never more than the series' own rate of such points
		const atCap = share * Math.exp(-EXCESS_CAP / beta);
		const floor = atCap < this.far ? atCap : this.far;
		return Math.min(1, Math.max(p, fit, floor));
	}

	/** calibrated p for p ≥ P0 */
	bulk(p: number): number {
		return this.share > P0 ? Math.min(1, (p * this.share) / P0) : p;
	}

	learn(p: number, rate: number) {
		const over = p < P0;
		this.share += rate * ((over ? 1 : 0) - this.share);
		this.far += rate * ((p <= P_CAP ? 1 : 0) - this.far);
		if (over) {
			const u = -Math.log(p > 1e-300 ? p : 1e-300);
			const x = Math.min(EXCESS_CAP, u - U0);
			// stochastic median in the log domain: steps of ±MEDIAN_STEP
			this.median *= x > this.median ? MEDIAN_UP : MEDIAN_DOWN;
			if (this.median > EXCESS_CAP) this.median = EXCESS_CAP;
			if (this.median < 0.05) this.median = 0.05;
		}
	}
}

/**
 * The streaming detector: feed points in time order with `update` (or `step`, which leaves the results in fields
 * instead of allocating). Points at or before the previous timestamp are scored but do not update the model (batch
 * `detectSeries` merges duplicates first).
 */
export class SeriesDetector {
	readonly opts: DetectorOptions;
	private kind: 'count' | 'real' | 'undecided';
	private interval: number;
	/** points of warm-up: opts.warmup, shortened to warmupMaxDays once the interval is known */
	private warmup: number;
	private readonly gaps: number[] = [];
	private lastT = -Infinity;
	private n = 0;
	// seasonal slots: slotsPerDay × 9 day classes (Mon…Sun regular, holiday rest day, make-up workday), and a coarser
	// table of slotsPerDay × 2 day kinds (work, rest) used until a fine slot has been seen twice
	private slotsPerDay = 0;
	private fineMean = new Float64Array(0);
	private fineSeen = new Uint32Array(0);
	private kindMean = new Float64Array(0);
	private kindSeen = new Uint32Array(0);
	private kindSlot = -1;
	private overall = 0;
	private overallSeen = 0;
	/** local midnight (ms) of the day last seen, its day class and kind */
	private dayStart = NaN;
	private slotScale = 0;
	private dayCls = 0;
	private dayRest = false;
	// level candidates: levelRates × {flat, seasonal}, each with its recent squared one-step error
	private readonly rates: Float64Array;
	/**
	 * the candidates' state in one array, as the loop over them in `learn` reads it (one array: one type and bounds
	 * check an access instead of one an array). With m = 2 × levelRates: level [0, m), squared error [m, 2m), clipped
	 * residual at the last point [2m, 3m), rate [3m, 4m) (levelRates twice), then the numbers the loop reads: the
	 * seasonal factor or offset, the error rate, the floor 1/n of the level rates, MAX_COUNT_GAIN. (Locals that are
	 * sometimes a small integer and sometimes not, and module constants, stay boxed, and are checked and unboxed at
	 * every use in the loop; read back from here they are plain doubles.)
	 */
	private readonly cand: Float64Array;
	/** views of cand: level and squared error of each candidate */
	private readonly levels: Float64Array;
	private readonly errs: Float64Array;
	private best = 0;
	/**
	 * the point being scored: time, value, seasonal effect, then the calibrated point and sustained-change p (up,
	 * down). Numbers passed to a call that is not inlined (step from scoreColumns, learn from step) are boxed — a heap
	 * number allocated for each — and checked and unboxed at every use; read from here they are plain doubles
	 */
	private readonly io = new Float64Array(7);
	/** effective number of visits of an EW slot mean at seasonRate */
	private readonly maxVisits: number;
	/** index of the slowest level rate */
	private readonly slowest: number;
	private dispNum = 0;
	private dispDen = 0;
	// calibration of the point test (upper and lower tail) and of the CUSUM
	private readonly calUp = new TailCalibration();
	private readonly calDown = new TailCalibration();
	// calibration of the multi-scale level test (real values)
	private readonly msUp = new TailCalibration();
	private readonly msDown = new TailCalibration();
	/** index of the second-slowest level rate (the medium level of the multi-scale test), −1 with one rate */
	private readonly medium: number;
	/** variance of (medium level − slow level) per unit error variance, for white noise */
	private readonly msVar: number;
	private cAbove = CUSUM_NULL_ABOVE;
	private cExcess = CUSUM_NULL_EXCESS;
	/** derived from cAbove and cExcess every 8 points: scale and shift from raw to calibrated CUSUM */
	private cG = 1;
	private cShift = 0;
	// CUSUM
	private cUp = 0;
	private cDown = 0;
	// episode
	private firing = false;
	private calm = 0;
	/** the episode's side, its slow reference's level at its start, its observed and reference totals since, and
	 * the evidence (log-likelihood ratio CUSUM) that the count is back at that reference */
	private epSide: 1 | -1 | 0 = 0;
	private epLevel = 0;
	private epObs = 0;
	private epBase = 0;
	private epBack = 0;
	private readonly dayKindFn: DayKindFn;
	private readonly tzMs: number;
	private readonly both: boolean;
	// the options read at every point, copied from `opts`: each detector's `opts` is a new object with a hidden class
	// of its own, so reading it at every point made those loads megamorphic (about a tenth of the time)
	private readonly autoKind: boolean;
	private readonly threshold: number;
	private readonly minCount: number;
	private readonly bandZ: number;
	private readonly clip: number;
	private readonly cusumK: number;
	private readonly cusumCap: number;
	private readonly recovery: number;
	private readonly seasonRate: number;
	private readonly scaleRate: number;
	private readonly dispersionRate: number;
	private readonly calibrationRate: number;

	// results of the last step
	expected = 0;
	lower = 0;
	upper = 0;
	p = 1;
	/** the sustained-change test's p (calibrated CUSUM for counts, multi-scale level test for real values), sides as `p` */
	pSustained = 1;
	score = 0;
	alert = false;
	isFiring = false;
	side: 1 | -1 | 0 = 0;

	constructor(opts: Partial<DetectorOptions> = {}) {
		this.opts = { ...DEFAULTS, ...stripUndefined(opts) };
		this.kind = this.opts.kind === 'auto' ? 'undecided' : this.opts.kind;
		this.interval = this.opts.intervalMs ?? 0;
		this.warmup = this.opts.warmup;
		this.tzMs = this.opts.tzOffsetMinutes * 60_000;
		this.dayKindFn = this.opts.dayKind ?? weekendKind(this.tzMs);
		this.both = this.opts.direction === 'both';
		this.autoKind = this.opts.kind === 'auto';
		this.threshold = this.opts.threshold;
		this.minCount = this.opts.minCount;
		this.bandZ = this.opts.bandZ;
		this.clip = this.opts.clip;
		this.cusumK = this.opts.cusumK;
		this.cusumCap = this.opts.cusumCap;
		this.recovery = this.opts.recovery;
		this.seasonRate = this.opts.seasonRate;
		this.scaleRate = this.opts.scaleRate;
		this.dispersionRate = this.opts.dispersionRate;
		this.calibrationRate = this.opts.calibrationRate;
		this.rates = Float64Array.from(this.opts.levelRates);
		this.maxVisits = 2 / this.opts.seasonRate - 1;
		this.slowest = this.rates.indexOf(Math.min(...this.rates));
		let medium = -1;
		for (let i = 0; i < this.rates.length; i++)
			if (this.rates[i] > this.rates[this.slowest] && (medium < 0 || this.rates[i] < this.rates[medium])) medium = i;
		this.medium = medium;
		if (medium >= 0) {
			const a1 = this.rates[medium];
			const a2 = this.rates[this.slowest];
			this.msVar = a1 / (2 - a1) + a2 / (2 - a2) - (2 * a1 * a2) / (a1 + a2 - a1 * a2);
		} else this.msVar = 0;
		const m = 2 * this.rates.length;
		this.cand = new Float64Array(4 * m + 4);
		this.levels = this.cand.subarray(0, m);
		this.errs = this.cand.subarray(m, 2 * m);
		for (let i = 0; i < m; i++) this.cand[3 * m + i] = this.rates[i % this.rates.length];
		if (this.interval > 0) this.setupSlots();
	}

	private setupSlots() {
		const iv = this.interval;
		if (iv > 0) this.warmup = Math.min(this.opts.warmup, Math.max(MIN_WARMUP, Math.ceil((this.opts.warmupMaxDays * DAY_MS) / iv)));
		if (!(iv > 0) || iv >= 2 * DAY_MS) this.slotsPerDay = 0;
		else if (iv >= DAY_MS / 2) this.slotsPerDay = 1;
		else this.slotsPerDay = Math.max(1, Math.round(DAY_MS / Math.max(iv, this.opts.slotMinutes * 60_000)));
		const n = Math.max(1, this.slotsPerDay);
		this.slotScale = this.slotsPerDay / DAY_MS;
		this.fineMean = new Float64Array(n * 9);
		this.fineSeen = new Uint32Array(n * 9);
		this.kindMean = new Float64Array(n * 2);
		this.kindSeen = new Uint32Array(n * 2);
	}

	/** fine slot index (day class × slotsPerDay + slot of day), −1 without seasonality; sets kindSlot */
	private slotOf(t: number): number {
		if (this.slotsPerDay === 0) return (this.kindSlot = -1);
		const local = t + this.tzMs;
		let into = local - this.dayStart;
		if (!(into >= 0 && into < DAY_MS)) {
			const dayNum = Math.floor(local / DAY_MS);
			const dow = (((dayNum + 3) % 7) + 7) % 7; // 0 = Monday … 6 = Sunday
			const rest = this.dayKindFn(t) === 'rest';
			this.dayCls = rest ? (dow >= 5 ? dow : 7) : dow >= 5 ? 8 : dow;
			this.dayRest = rest;
			this.dayStart = dayNum * DAY_MS;
			into = local - this.dayStart;
		}
		const spd = this.slotsPerDay;
		// the small offset keeps a timestamp exactly on a slot boundary in that slot despite rounding of slotScale
		const s = Math.min(spd - 1, Math.floor(into * this.slotScale + 1e-7));
		this.kindSlot = (this.dayRest ? spd : 0) + s;
		return this.dayCls * spd + s;
	}

	/** seasonal effect of a slot: a factor (count) or an offset (real); neutral until a slot has been seen twice */
	private season(slot: number, count: boolean): number {
		if (slot < 0 || this.overallSeen < 2) return count ? 1 : 0;

		const ks = this.kindSlot;
		if (this.kindSeen[ks] < 2) return count ? 1 : 0;
		// the fine slot (day class) is shrunk towards the work/rest slot: weight of its effective number of visits
		// (at most 2/seasonRate − 1) against SHRINK visits of the coarse slot — a fine slot seen twice is mostly prior
		const seen = this.fineSeen[slot];
		const nEff = seen < this.maxVisits ? seen : this.maxVisits;
		const m = (nEff * this.fineMean[slot] + SHRINK * this.kindMean[ks]) / (nEff + SHRINK);
		if (count) return this.overall > 0 ? Math.max(0.02, m / this.overall) : 1;
		return m - this.overall;
	}

	/** Scores one point and learns from it; returns a new ScoredPoint. */
	update(point: SeriesPoint): ScoredPoint {
		this.step(point.t, point.value);
		return {
			t: point.t,
			value: point.value,
			expected: this.expected,
			lower: this.lower,
			upper: this.upper,
			p: this.p,
			score: this.score,
			alert: this.alert,
			firing: this.isFiring,
			side: this.side
		};
	}

	/** Scores one point and learns from it; the results are left in expected, lower, upper, p, score, alert, isFiring, side. */
	step(t: number, value: number): void {
		// (anything but a number is missing, as Number.isFinite reads it)
		this.io[0] = typeof t === 'number' ? t : NaN;
		this.io[1] = typeof value === 'number' ? value : NaN;
		this.stepIo();
	}

	/** step(ts[i], vs[i]), for a loop over columns (scoreColumns): the two numbers are not boxed for a call */
	stepAt(ts: Float64Array, vs: Float64Array, i: number): void {
		this.io[0] = ts[i];
		this.io[1] = vs[i];
		this.stepIo();
	}

	/** step on the point in io */
	private stepIo(): void {
		const io = this.io;
		const t = io[0];
		const value = io[1];
		const validT = Number.isFinite(t);
		const valid = validT && Number.isFinite(value) && Math.abs(value) <= MAX_ABS_VALUE;
		const ordered = validT && t > this.lastT;
		if (ordered && this.interval === 0 && this.lastT > -Infinity) {
			this.gaps.push(t - this.lastT);
			if (this.gaps.length >= 16) {
				this.interval = median(this.gaps);
				this.setupSlots();
			}
		}
		// a long gap (more than GAP_RESET intervals without a point) makes the accumulated CUSUM evidence stale
		if (ordered && this.interval > 0 && t - this.lastT > GAP_RESET * this.interval) this.cUp = this.cDown = 0;
		if (valid && this.kind !== 'real' && this.autoKind && !isCount(value)) this.kind = 'real';
		const count = this.kind !== 'real';
		const slot = validT ? this.slotOf(t) : -1;
		io[2] = this.season(slot, count);
		const seas = io[2];
		// forecast and band
		const first = this.n === 0;
		const nr = this.rates.length;
		const sb = this.best >= nr ? seas : count ? 1 : 0;
		const lv = this.levels[this.best];
		let expected = first ? (valid ? value : 0) : count ? Math.max(0, lv * sb) : lv + sb;
		const mu = expected > 1e-3 ? expected : 1e-3;
		// the DISP_PRIOR in the denominator: overdispersion cannot be learned from series whose mean is far below 1
		const kappa = count && this.dispNum > 0 ? this.dispNum / (this.dispDen + DISP_PRIOR) : 0;
		const sd = count ? Math.sqrt(mu + kappa * mu * mu) : Math.sqrt(Math.max(this.errs[this.best], 1e-12 * (1 + expected * expected)));
		const width = this.bandZ * sd;
		this.lower = count ? Math.max(0, expected - width) : expected - width;
		this.upper = expected + width;
		this.expected = expected;
		this.alert = false;
		this.side = 0;
		if (!valid) {
			this.p = 1;
			this.pSustained = 1;
			this.score = 0;
			this.isFiring = this.firing;
			return;
		}
		if (first) this.expected = expected = value;
		const warm = this.n < this.warmup;
		// the CUSUMs start when the warm-up ends (what they gathered while the baseline settled is not evidence)
		if (this.n === this.warmup) this.cUp = this.cDown = 0;
		// model tail probabilities and the residual z for the CUSUM
		let pUp = 1;
		let pDown = 1;
		// mid-p values (P(X > x) + ½P(X = x)): close to uniform even for sparse counts, so the tail calibration
		// learns from and reads these; the reported p stays the conservative P(X ≥ x)
		let mUp = 1;
		let mDown = 1;
		let z = 0;
		if (first) {
			// nothing to compare with
		} else if (count) {
			const x = Math.round(value);
			if (x > mu + sd || (x < mu - sd && mu > 1)) {
				const tl = countTails(x, mu, kappa);
				pUp = tl.upper;
				pDown = tl.lower;
				mUp = pUp - 0.5 * tl.pmf;
				mDown = pDown - 0.5 * tl.pmf;
			} else {
				// the bulk (p > 0.1): a continuity-corrected normal approximation, by its cubic Taylor polynomial
				pUp = bulkUpperTail((x - 0.5 - mu) / sd);
				pDown = bulkUpperTail((mu - x - 0.5) / sd);
				mUp = pUp;
				mDown = pDown;
			}
		} else {
			z = (value - expected) / sd;
			if (z > -1.2 && z < 1.2) {
				pUp = bulkUpperTail(z);
				pDown = 1 - pUp;
			} else {
				pUp = normalUpperTail(z);
				pDown = normalUpperTail(-z);
			}
			mUp = pUp;
			mDown = pDown;
		}
		// the point tail, recalibrated from the series' own history — for real values and for counts large enough to
		// be effectively continuous; small counts rely on the negative-binomial model (their discreteness would
		// otherwise read as a heavy tail)
		const calibrate = !count || mu >= CONTINUOUS_COUNT;
		// (through io: a local that is a call's result on one path and a computed double on another is kept boxed,
		// and boxes — allocates — the double)
		io[3] = !calibrate ? pUp : mUp < P0 ? this.calUp.p(pUp, mUp) : this.calUp.bulk(pUp);
		io[4] = !calibrate ? pDown : mDown < P0 ? this.calDown.p(pDown, mDown) : this.calDown.bulk(pDown);
		const pUpCal = io[3];
		const pDownCal = io[4];
		// CUSUM on the residual against the slow seasonal reference (the in-control level: a fast forecaster would
		// absorb a sustained shift within a few buckets), clipped, and read through its own calibration
		const clip = this.clip;
		if (!first) {
			const r = this.slowest + this.rates.length;
			if (count) {
				let fs = this.levels[r] * seas;
				if (fs < 1e-3) fs = 1e-3;
				const x = Math.round(value);
				z = (2 * ((x < 64 ? ROOTS[x] : Math.sqrt(x + 0.375)) - Math.sqrt(fs + 0.375))) / Math.sqrt(1 + kappa * fs);
			} else {
				const q = this.errs[r];
				z = (value - (this.levels[r] + seas)) / Math.sqrt(q > sd * sd ? q : sd * sd);
			}
		}
		const zc = z > clip ? clip : z < -clip ? -clip : z;
		const cap = this.cusumCap;
		const k = this.cusumK;
		let cu = this.cUp + zc - k;
		let cd = this.cDown - zc - k;
		this.cUp = cu = cu < 0 ? 0 : cu > cap ? cap : cu;
		this.cDown = cd = cd < 0 ? 0 : cd > cap ? cap : cd;
		const g = this.cG;
		const shift = this.cShift;
		const effUp = (cu > CUSUM_LEVEL ? CUSUM_LEVEL + (cu - CUSUM_LEVEL) / g : cu) - shift;
		const effDown = (cd > CUSUM_LEVEL ? CUSUM_LEVEL + (cd - CUSUM_LEVEL) / g : cd) - shift;
		const both = this.both;
		// the sustained-change test: counts the CUSUM; real values the multi-scale level test — the medium level
		// candidate (seasonal) against the slow one, in standard deviations of their difference under white noise,
		// through its own tail calibration. (On real-valued streams that wander, the CUSUM against the slow reference
		// sits at its cap and its calibration discounts it to nothing; it still decides when an episode ends.)
		let msU = 1;
		let msD = 1;
		if (!count && this.medium >= 0) {
			if (!first) {
				const sl = this.slowest + nr;
				const q = this.errs[sl];
				const zm =
					(this.levels[this.medium + nr] - this.levels[sl]) / Math.sqrt(Math.max(q, 1e-12 * (1 + expected * expected)) * this.msVar);
				msU = zm > -1.2 && zm < 1.2 ? bulkUpperTail(zm) : normalUpperTail(zm);
				msD = zm > -1.2 && zm < 1.2 ? 1 - msU : normalUpperTail(-zm);
			}
			io[5] = msU < P0 ? this.msUp.p(msU, msU) : this.msUp.bulk(msU);
			io[6] = !both ? 1 : msD < P0 ? this.msDown.p(msD, msD) : this.msDown.bulk(msD);
		} else {
			io[5] = effUp > 3 ? cusumRate(effUp, k) : 1;
			io[6] = both && effDown > 3 ? cusumRate(effDown, k) : 1;
		}
		const pcUp = io[5];
		const pcDown = io[6];
		// combine: Bonferroni over the sides (direction both) and over the two tests
		const m = both ? 2 : 1;
		const upBest = (pUpCal < pcUp ? pUpCal : pcUp) * m;
		const downBest = both ? (pDownCal < pcDown ? pDownCal : pcDown) * m : 1;
		let pComb: number;
		let side: 1 | -1 | 0;
		if (upBest <= downBest) {
			pComb = Math.min(1, 2 * upBest);
			side = pComb < 1 ? 1 : 0;
		} else {
			pComb = Math.min(1, 2 * downBest);
			side = -1;
		}
		this.side = side;
		this.p = warm ? 1 : both ? Math.min(1, 2 * Math.min(pUpCal, pDownCal)) : pUpCal;
		this.pSustained = warm ? 1 : both ? Math.min(1, 2 * Math.min(pcUp, pcDown)) : pcUp;
		const score = warm || pComb > 0.1 ? 0 : pComb <= 1e-300 ? 1 : Math.min(1, -Math.log10(pComb) / 10);
		this.score = score;
		// episode
		if (this.firing) {
			// the episode's own side decides (after a rise, values back below a reference that learned part of it
			// push the lower CUSUM up, which says nothing about the rise being over)
			const up = this.epSide >= 0;
			const cusumQuiet = (up ? effUp : effDown) < CUSUM_RESET;
			// a count back at its rate from before the episode (the slow reference then, at this slot): a likelihood-
			// ratio CUSUM of that rate against the episode's own (its observed total over that reference, at least
			// 1.5× away), so three quiet night hours of a sparse series do not end a rise that the day shows still on,
			// while a busy series is over within a few buckets, however much evidence the CUSUM still holds (capped
			// at 20, it drains by only k a bucket). Real-valued streams wander, so their level from before is no
			// reference: their episodes end on the band and the CUSUM.
			let atBase = false;
			if (count) {
				const base = Math.max(this.epLevel * seas, 1e-3);
				this.epObs += value;
				this.epBase += base;
				const ratio = this.epObs / this.epBase;
				const r = up ? Math.max(ratio, BACK_MIN_RATIO) : Math.min(ratio, 1 / BACK_MIN_RATIO);
				const llr = (value * Math.log(1 / r) + base * (r - 1)) / (1 + kappa * base * r);
				this.epBack = Math.max(0, this.epBack + llr);
				atBase = this.epBack >= BACK_EVIDENCE;
			}
			const quiet = (value >= this.lower && value <= this.upper && cusumQuiet) || atBase;
			this.calm = quiet ? this.calm + 1 : 0;
			if (this.calm >= this.recovery) {
				this.firing = false;
				// the shift is over: its evidence does not start the next episode
				if (up) this.cUp = 0;
				else this.cDown = 0;
			}
		} else if (!warm && score >= this.threshold && (!count || (side === -1 ? expected >= this.minCount : value >= this.minCount))) {
			this.firing = true;
			this.calm = 0;
			this.alert = true;
			this.epSide = side;
			this.epLevel = this.levels[this.slowest + nr];
			this.epObs = this.epBase = this.epBack = 0;
		}
		const firing = this.firing || this.alert;
		this.isFiring = firing;
		if (ordered) {
			// calibration learns from every point (also inside episodes: a series whose spikes are all "alerts" would
			// otherwise never learn that spikes are ordinary for it)
			if (!first) {
				const cr = this.calibrationRate > 1 / (this.n + 1) ? this.calibrationRate : 1 / (this.n + 1);
				if (calibrate) {
					this.calUp.learn(mUp, cr);
					this.calDown.learn(mDown, cr);
				}
				if (!count && this.medium >= 0) {
					this.msUp.learn(msU, cr);
					this.msDown.learn(msD, cr);
				}
				// the CUSUM calibration starts after the warm-up (before it, the baseline is still settling and its
				// CUSUM would teach the calibration that long runs are normal) and skips episodes (an incident must not
				// talk the CUSUM out of itself)
				if (!warm && !firing) {
					const c = !both || cu > cd ? cu : cd;
					this.cAbove += this.calibrationRate * ((c > CUSUM_LEVEL ? 1 : 0) - this.cAbove);
					if (c > CUSUM_LEVEL) this.cExcess += 0.01 * (Math.min(10, c - CUSUM_LEVEL) - this.cExcess);
				}
				if ((this.n & 7) === 0) {
					this.cG = this.cExcess > CUSUM_NULL_EXCESS ? this.cExcess / CUSUM_NULL_EXCESS : 1;
					this.cShift = this.cAbove > CUSUM_NULL_ABOVE ? Math.log(this.cAbove / CUSUM_NULL_ABOVE) : 0;
				}
			}
			this.learn(slot, count);
			this.lastT = t;
		}
	}

	/** learns from the point in io (value, seasonal effect) */
	private learn(slot: number, count: boolean) {
		const value = this.io[1];
		const seas = this.io[2];
		const n = ++this.n;
		const levels = this.levels;
		const errs = this.errs;
		const rates = this.rates;
		const nr = rates.length;
		// EW rates are max(rate, 1/n): a running mean until 1/n falls below the rate
		const inv = n > 1000 ? 0 : 1 / n;
		const er = this.scaleRate > inv ? this.scaleRate : inv;
		const clip = this.clip;
		// counts below minCount are never outliers, so never clipped
		const floor = count ? this.minCount : 0;
		const floor2 = floor * floor;
		const clip2 = clip * clip;
		const sv0 = count ? (seas > 0.02 ? seas : 0.02) : seas;
		if (n === 1) {
			for (let i = 0; i < 2 * nr; i++) levels[i] = value;
			this.overall = value;
		}
		// seasonal tables learn from the value winsorised around the slot's own mean, at the scale of the slowest
		// seasonal candidate's error (Poisson-floored for counts)
		if (slot >= 0) {
			let xc = value;
			const seen0 = this.fineSeen[slot];
			if (seen0 >= 3) {
				const ref = this.fineMean[slot];
				const q = errs[this.slowest + nr];
				const v = count && ref > q ? ref : q;
				const lim2 = clip2 * v > floor2 ? clip2 * v : floor2;
				const e = value - ref;
				xc = e * e > lim2 ? ref + (e > 0 ? Math.sqrt(lim2) : -Math.sqrt(lim2)) : value;
			}
			const sr = this.seasonRate;
			const seen = ++this.fineSeen[slot];
			this.fineMean[slot] += (seen * sr >= 1 ? sr : 1 / seen) * (xc - this.fineMean[slot]);
			const ks = this.kindSlot;
			const kseen = ++this.kindSeen[ks];
			this.kindMean[ks] += (kseen * sr >= 1 ? sr : 1 / kseen) * (xc - this.kindMean[ks]);
			const os = ++this.overallSeen;
			const b = sr / (this.slotsPerDay * 7);
			this.overall += (os * b >= 1 ? b : 1 / os) * (xc - this.overall);
		}
		if (n === 1) return;
		// level candidates, flat (i < nr) and seasonal: each clips the value around its own forecast at its own scale.
		// The loop runs 2 × levelRates times a point (it was a third of the time): one loop per kind, and every number
		// in it a double read from `cand` or a local computed from those
		const c = this.cand;
		const m = 2 * nr;
		c[4 * m] = sv0;
		c[4 * m + 1] = er;
		c[4 * m + 2] = inv;
		c[4 * m + 3] = MAX_COUNT_GAIN;
		const svSeasonal = c[4 * m];
		const erD = c[4 * m + 1];
		const invD = c[4 * m + 2];
		let best = 0;
		let bestErr = Infinity;
		let rcBest = 0;
		let fBest = 0;
		const clipping = n >= 8;
		if (count) {
			const maxGain = c[4 * m + 3];
			for (let i = 0; i < m; i++) {
				const sv = i < nr ? 1 : svSeasonal;
				const l = c[i];
				let f = l * sv;
				if (f < 0) f = 0;
				const q = c[m + i];
				const e = value - f;
				let ec = e;
				if (clipping) {
					// clip at max(floor, clip·sd), compared in squares (a square root only when clipping)
					const v = f > q ? f : q;
					const lim2 = clip2 * v > floor2 ? clip2 * v : floor2;
					if (e * e > lim2) ec = e > 0 ? Math.sqrt(lim2) : -Math.sqrt(lim2);
				}
				const q1 = q + erD * (ec * ec - q);
				c[m + i] = q1;
				c[2 * m + i] = ec;
				const a0 = c[3 * m + i];
				const a = a0 > invD ? a0 : invD;
				// level += a·(x − forecast), i.e. rate a·factor on the deseasonalised value — quiet slots (factor ≪ 1)
				// carry little information about the level and must not swing it; the gain a·factor is capped at
				// MAX_COUNT_GAIN: one bucket never replaces the level
				const w = a * sv;
				c[i] = w > maxGain ? l + (maxGain * ec) / sv : l + a * ec;
				if (q1 < bestErr) {
					bestErr = q1;
					best = i;
					rcBest = ec;
					fBest = f;
				}
			}
		} else {
			for (let i = 0; i < m; i++) {
				const sv = i < nr ? 0 : svSeasonal;
				const l = c[i];
				const f = l + sv;
				const q = c[m + i];
				const e = value - f;
				let ec = e;
				if (clipping) {
					const lim2 = clip2 * q > floor2 ? clip2 * q : floor2;
					if (e * e > lim2) ec = e > 0 ? Math.sqrt(lim2) : -Math.sqrt(lim2);
				}
				const q1 = q + erD * (ec * ec - q);
				c[m + i] = q1;
				c[2 * m + i] = ec;
				const a0 = c[3 * m + i];
				const a = a0 > invD ? a0 : invD;
				c[i] = l + a * ec;
				if (q1 < bestErr) {
					bestErr = q1;
					best = i;
					rcBest = ec;
					fBest = f;
				}
			}
		}
		// hysteresis: the forecasting candidate changes only for a clearly (SWITCH_MARGIN) smaller error, so that
		// noise does not hand the forecast to a fast candidate that has just collapsed onto a few quiet buckets
		const cur = this.best;
		if (best !== cur && errs[cur] * SWITCH_MARGIN <= bestErr) {
			best = cur;
			const sv = cur < nr ? (count ? 1 : 0) : sv0;
			let f = count ? levels[cur] * sv : levels[cur] + sv;
			if (count && f < 0) f = 0;
			fBest = f;
			rcBest = c[2 * m + cur];
		}
		this.best = best;
		// overdispersion of counts: E[(x − μ)² − μ] = κ μ²
		if (count && n >= 8) {
			const mu = fBest > 1e-3 ? fBest : 1e-3;
			const dr = this.dispersionRate > inv ? this.dispersionRate : inv;
			this.dispNum += dr * (rcBest * rcBest - mu - this.dispNum);
			this.dispDen += dr * (mu * mu - this.dispDen);
		}
	}
}

function stripUndefined<T extends object>(o: T): Partial<T> {
	const out: Partial<T> = {};
	for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
	return out;
}

/** the upper median (a numeric sort of a typed copy, faster than a sort with a comparator) */
function median(xs: ArrayLike<number>): number {
	const s = Float64Array.from(xs).sort();
	return s[s.length >> 1];
}

/** Median positive gap between consecutive timestamps (sorted input), from up to 4,001 points spread over the series. */
export function inferInterval(ts: ArrayLike<number>): number {
	const n = ts.length;
	if (n < 2) return 0;
	const step = Math.max(1, Math.floor((n - 1) / 4000));
	const gaps = new Float64Array(Math.ceil((n - 1) / step));
	let m = 0;
	// a dense series (the product's: every bucket, zeros included) has one gap throughout: no sort
	let same = true;
	for (let i = 1; i < n; i += step) {
		const g = ts[i] - ts[i - 1];
		if (g > 0) {
			if (g !== gaps[0] && m > 0) same = false;
			gaps[m++] = g;
		}
	}
	return m === 0 ? 0 : same ? gaps[0] : median(gaps.subarray(0, m));
}

/**
 * Scores a whole series. Points with a non-finite timestamp are dropped; the rest are put in time order and points
 * sharing a timestamp are merged (`duplicates`: last by default), so the output has one point per distinct timestamp.
 * NaN values are kept as missing values (score 0, no learning).
 */
export function detectSeries(points: SeriesPoint[], opts: Partial<DetectorOptions> = {}): ScoredPoint[] {
	const o = { ...DEFAULTS, ...stripUndefined(opts) };
	let pts = points.filter((p) => Number.isFinite(p.t));
	let sorted = true;
	for (let i = 1; i < pts.length; i++)
		if (pts[i].t < pts[i - 1].t) {
			sorted = false;
			break;
		}
	if (!sorted)
		pts = pts
			.map((p, i) => ({ p, i }))
			.sort((a, b) => a.p.t - b.p.t || a.i - b.i)
			.map((x) => x.p);
	// merge duplicates
	const merged: SeriesPoint[] = [];
	for (const p of pts) {
		const last = merged[merged.length - 1];
		if (last && last.t === p.t) {
			if (!Number.isFinite(p.value)) continue;
			if (!Number.isFinite(last.value) || o.duplicates === 'last') last.value = p.value;
			else if (o.duplicates === 'sum') last.value += p.value;
			else last.value = Math.max(last.value, p.value);
		} else merged.push({ t: p.t, value: p.value });
	}
	let kind = o.kind;
	if (kind === 'auto') {
		kind = 'count';
		for (const p of merged) if (Number.isFinite(p.value) && Math.abs(p.value) <= MAX_ABS_VALUE && !isCount(p.value)) kind = 'real';
	}
	const n = merged.length;
	const ts = new Float64Array(n);
	const vs = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		ts[i] = merged[i].t;
		vs[i] = merged[i].value;
	}
	const cols = scoreColumns(ts, vs, { ...o, kind });
	const out = new Array<ScoredPoint>(n);
	for (let i = 0; i < n; i++) {
		out[i] = {
			t: ts[i],
			value: vs[i],
			expected: cols.expected[i],
			lower: cols.lower[i],
			upper: cols.upper[i],
			p: cols.p[i],
			score: cols.score[i],
			alert: cols.alert[i] === 1,
			firing: cols.firing[i] === 1,
			side: cols.side[i] as 1 | -1 | 0
		};
	}
	return out;
}

export interface ScoredColumns {
	expected: Float64Array;
	lower: Float64Array;
	upper: Float64Array;
	p: Float64Array;
	score: Float64Array;
	/** 1 where a new alert episode starts */
	alert: Uint8Array;
	firing: Uint8Array;
	side: Int8Array;
}

/**
 * The allocation-free core of detectSeries for large passes: timestamps strictly increasing (no duplicates, no NaN
 * timestamps), values as a Float64Array (NaN = missing). Same results as detectSeries on the same points.
 */
export function scoreColumns(ts: Float64Array, vs: Float64Array, opts: Partial<DetectorOptions> = {}): ScoredColumns {
	const n = ts.length;
	let kind = opts.kind ?? DEFAULTS.kind;
	if (kind === 'auto') {
		kind = 'count';
		for (let i = 0; i < n; i++) if (vs[i] === vs[i] && !isCount(vs[i])) kind = 'real';
	}
	const det = new SeriesDetector({ ...opts, kind, intervalMs: opts.intervalMs ?? inferInterval(ts) });
	const expected = new Float64Array(n);
	const lower = new Float64Array(n);
	const upper = new Float64Array(n);
	const p = new Float64Array(n);
	const score = new Float64Array(n);
	const alert = new Uint8Array(n);
	const firing = new Uint8Array(n);
	const side = new Int8Array(n);
	for (let i = 0; i < n; i++) {
		det.stepAt(ts, vs, i);
		expected[i] = det.expected;
		lower[i] = det.lower;
		upper[i] = det.upper;
		p[i] = det.p;
		score[i] = det.score;
		alert[i] = det.alert ? 1 : 0;
		firing[i] = det.isFiring ? 1 : 0;
		side[i] = det.side;
	}
	return { expected, lower, upper, p, score, alert, firing, side };
}
