/**
 * Rising and new terms: which words are used markedly more now than in their own baseline, and which are
 * new. Pure: counts in, ranked terms out.
 *
 * Input: for each term its count in the current window (a) and in the baseline window (b), and the totals of
 * the two windows (N₁, N₂) in the same unit — documents (a term counted once per ticket) or tokens. Optional:
 * per-day counts of the term over the baseline (and per-day totals), distinct documents and places in the
 * current window.
 *
 * Rising — a one-sided test per term of "the term's rate went up", H₀: a/N₁ and b/N₂ estimate the same rate.
 *   Dunning's log-likelihood ratio on the 2×2 table (a, N₁−a / b, N₂−b), E the expected counts under H₀
 *   (E_a = N₁·(a+b)/(N₁+N₂), …):
 *       G² = 2 · Σ_cells O · ln(O / E)          (0 · ln 0 = 0)
 *   Overdispersion: word counts are burstier than binomial sampling assumes (one incident, one campaign). With
 *   the term's per-day baseline counts c_d (and day totals T_d, else equal days), expected e_d = b·T_d / ΣT,
 *       φ = max(1, Σ_d (c_d − e_d)² / e_d / (D − 1))     (Pearson dispersion; 1 without daily counts or b = 0)
 *   and the statistic is G² / φ (quasi-likelihood scaling: a term that already jumps around day to day needs a
 *   larger jump to count).
 *   Signed root: z = +√(G²/φ) when a/N₁ > b/N₂, else −√(G²/φ); p = P(Z ≥ z) = ½·erfc(z/√2) (one-sided, only
 *   terms that went up can be significant).
 *   Tested: terms with a ≥ minCount (default 5); fewer occurrences can never be a trend worth reporting, and
 *   the asymptotic test is poor there. Both totals must be > 0.
 *   Multiple testing: Benjamini–Hochberg over all tested terms (down and flat ones included, so the control
 *   is honest): q_(i) = min_{j ≥ i} m·p_(j) / j for p sorted ascending, m = number tested; significant when
 *   q ≤ fdr (default 0.05), which bounds the expected share of false discoveries among those reported.
 *   Reported: significant, went up, and smoothed ratio ≥ minRatio (default 1.5), where
 *       ratio = ((a + k) / N₁) / ((b + k) / N₂),   k = smoothing (default 1 occurrence)
 *   so a term from 0 to 6 has a finite ratio and a big total never makes a 2 % rise newsworthy. The ratio
 *   filter comes after BH (it selects what is worth showing, not what is tested). Ranked by G²/φ descending
 *   (p-values underflow for large effects), then term.
 *
 * New — terms never seen in the baseline (b = 0) that now repeat: a ≥ newMinCount (default 3), and when given,
 *   in ≥ newMinDocs distinct documents (default 2: not one caller repeating a word) and ≥ newMinPlaces
 *   distinct places (default 2). Ranked by a, then documents, then places, then term. A new term can also be
 *   rising (marked isNew).
 *
 * Totals of zero: no baseline (N₂ = 0) or no current window (N₁ = 0) → nothing is tested; new terms are still
 * found when N₁ > 0.
 */
import { benjaminiHochberg, normalUpperTail } from '../stats/tests';

export { benjaminiHochberg, erfc, normalUpperTail } from '../stats/tests';

export interface TermCount {
	term: string;
	/** occurrences in the current window (documents or tokens: the unit of currentTotal) */
	current: number;
	/** occurrences in the baseline window (the unit of baselineTotal) */
	baseline: number;
	/** distinct documents of the current window that hold the term (when `current` counts tokens) */
	currentDocs?: number;
	/** distinct places (streets, districts) of the current window where the term occurs */
	currentPlaces?: number;
	/** the term's count per baseline day (sums to `baseline`), for the overdispersion estimate */
	baselineDaily?: readonly number[];
}

export interface RisingInput {
	terms: readonly TermCount[];
	/** documents (or tokens) in the current window */
	currentTotal: number;
	/** documents (or tokens) in the baseline window */
	baselineTotal: number;
	/** documents (or tokens) per baseline day, aligned with each term's baselineDaily (default: equal days) */
	baselineDailyTotals?: readonly number[];
}

export interface RisingOptions {
	/** smallest current count tested (default 5) */
	minCount?: number;
	/** smallest smoothed ratio reported (default 1.5) */
	minRatio?: number;
	/** Benjamini–Hochberg false discovery rate (default 0.05) */
	fdr?: number;
	/** pseudo-count added to both counts in the ratio (default 1) */
	smoothing?: number;
	/** smallest current count of a new term (default 3) */
	newMinCount?: number;
	/** smallest number of distinct documents of a new term, when currentDocs is given (default 2) */
	newMinDocs?: number;
	/** smallest number of distinct places of a new term, when currentPlaces is given (default 2) */
	newMinPlaces?: number;
}

export interface RisingTerm {
	term: string;
	current: number;
	baseline: number;
	/** a / N₁ and b / N₂ */
	currentRate: number;
	baselineRate: number;
	/** smoothed ratio of the rates */
	ratio: number;
	/** Dunning's G² (before the dispersion) */
	g2: number;
	/** overdispersion factor φ ≥ 1 */
	dispersion: number;
	/** signed root of G² / φ */
	z: number;
	/** one-sided p-value */
	p: number;
	/** Benjamini–Hochberg adjusted p-value */
	q: number;
	/** never seen in the baseline (b = 0) */
	isNew: boolean;
}

export interface NewTerm {
	term: string;
	current: number;
	docs?: number;
	places?: number;
}

export interface RisingResult {
	/** significant rising terms, strongest first */
	rising: RisingTerm[];
	/** terms new in the current window, most frequent first */
	newTerms: NewTerm[];
	/** number of terms tested (the m of Benjamini–Hochberg) */
	tested: number;
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

/** O · ln(O / E), 0 for O = 0; stable when O ≈ E. */
function olog(o: number, e: number): number {
	if (o <= 0) return 0;
	return o * Math.log1p((o - e) / e);
}

/** Dunning's G² for "a of n1" against "b of n2" (2×2 table). 0 when a margin is empty. */
export function logLikelihoodG2(a: number, n1: number, b: number, n2: number): number {
	const n = n1 + n2;
	const k = a + b;
	if (n1 <= 0 || n2 <= 0 || k <= 0 || k >= n) return 0;
	const ea = (n1 * k) / n;
	const eb = (n2 * k) / n;
	const g2 = 2 * (olog(a, ea) + olog(b, eb) + olog(n1 - a, n1 - ea) + olog(n2 - b, n2 - eb));
	return g2 > 0 ? g2 : 0;
}

/**
 * Pearson dispersion of a term's per-day baseline counts: max(1, X² / (D − 1)), X² = Σ (c_d − e_d)² / e_d with
 * e_d = b · T_d / ΣT (equal days without totals). 1 with fewer than two days or no occurrences.
 */
export function dispersionOf(daily: readonly number[], dailyTotals?: readonly number[]): number {
	const d = daily.length;
	if (d < 2) return 1;
	let b = 0;
	for (const c of daily) b += c;
	if (b <= 0) return 1;
	let tsum = 0;
	if (dailyTotals) for (const t of dailyTotals) tsum += t;
	let x2 = 0;
	let days = 0;
	for (let i = 0; i < d; i++) {
		const e = dailyTotals ? (b * dailyTotals[i]) / tsum : b / d;
		if (e <= 0) continue;
		days++;
		x2 += ((daily[i] - e) * (daily[i] - e)) / e;
	}
	if (days < 2) return 1;
	return Math.max(1, x2 / (days - 1));
}

// ---------------------------------------------------------------------------------------------------------
// Rising and new terms

function count(x: unknown, what: string): number {
	if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new Error(`risingTerms: ${what} must be a finite number ≥ 0, not ${String(x)}`);
	return x;
}

/** Rising and new terms of the current window against the baseline (see the module comment). */
export function risingTerms(input: RisingInput, opts: RisingOptions = {}): RisingResult {
	const minCount = opts.minCount ?? 5;
	const minRatio = opts.minRatio ?? 1.5;
	const fdr = opts.fdr ?? 0.05;
	const k = opts.smoothing ?? 1;
	const newMinCount = opts.newMinCount ?? 3;
	const newMinDocs = opts.newMinDocs ?? 2;
	const newMinPlaces = opts.newMinPlaces ?? 2;
	if (!(fdr > 0 && fdr < 1)) throw new Error(`risingTerms: fdr must be in (0, 1), not ${fdr}`);
	if (!(k > 0)) throw new Error(`risingTerms: smoothing must be > 0, not ${k}`);
	const n1 = count(input.currentTotal, 'currentTotal');
	const n2 = count(input.baselineTotal, 'baselineTotal');
	const dailyTotals = input.baselineDailyTotals;
	if (dailyTotals) {
		dailyTotals.forEach((t, i) => count(t, `baselineDailyTotals[${i}]`));
		if (dailyTotals.reduce((s, t) => s + t, 0) <= 0) throw new Error('risingTerms: baselineDailyTotals sum to 0');
	}

	const seen = new Set<string>();
	const tested: { t: TermCount; g2: number; dispersion: number; z: number; p: number }[] = [];
	const newTerms: NewTerm[] = [];
	for (const t of input.terms) {
		if (typeof t.term !== 'string' || t.term === '') throw new Error('risingTerms: a term without text');
		if (seen.has(t.term)) throw new Error(`risingTerms: term "${t.term}" is listed twice`);
		seen.add(t.term);
		const a = count(t.current, `current of "${t.term}"`);
		const b = count(t.baseline, `baseline of "${t.term}"`);
		if (a > n1) throw new Error(`risingTerms: current of "${t.term}" (${a}) exceeds currentTotal (${n1})`);
		if (b > n2) throw new Error(`risingTerms: baseline of "${t.term}" (${b}) exceeds baselineTotal (${n2})`);
		if (t.baselineDaily) {
			const sum = t.baselineDaily.reduce((s, c, i) => s + count(c, `baselineDaily[${i}] of "${t.term}"`), 0);
			if (Math.abs(sum - b) > 1e-9 * Math.max(1, b)) throw new Error(`risingTerms: baselineDaily of "${t.term}" sums to ${sum}, baseline is ${b}`);
			if (dailyTotals && dailyTotals.length !== t.baselineDaily.length)
				throw new Error(`risingTerms: baselineDaily of "${t.term}" has ${t.baselineDaily.length} days, baselineDailyTotals ${dailyTotals.length}`);
		}

		if (b === 0 && n1 > 0 && a >= newMinCount && (t.currentDocs === undefined || t.currentDocs >= newMinDocs) && (t.currentPlaces === undefined || t.currentPlaces >= newMinPlaces)) {
			const nt: NewTerm = { term: t.term, current: a };
			if (t.currentDocs !== undefined) nt.docs = t.currentDocs;
			if (t.currentPlaces !== undefined) nt.places = t.currentPlaces;
			newTerms.push(nt);
		}

		if (n1 <= 0 || n2 <= 0 || a < minCount) continue;
		const g2 = logLikelihoodG2(a, n1, b, n2);
		const dispersion = t.baselineDaily ? dispersionOf(t.baselineDaily, dailyTotals) : 1;
		const up = a / n1 > b / n2;
		const z = (up ? 1 : -1) * Math.sqrt(g2 / dispersion);
		tested.push({ t, g2, dispersion, z, p: normalUpperTail(z) });
	}

	const q = benjaminiHochberg(tested.map((x) => x.p));
	const rising: RisingTerm[] = [];
	tested.forEach((x, i) => {
		const a = x.t.current;
		const b = x.t.baseline;
		const ratio = (a + k) / n1 / ((b + k) / n2);
		if (!(x.z > 0) || q[i] > fdr || ratio < minRatio) return;
		rising.push({
			term: x.t.term,
			current: a,
			baseline: b,
			currentRate: a / n1,
			baselineRate: b / n2,
			ratio,
			g2: x.g2,
			dispersion: x.dispersion,
			z: x.z,
			p: x.p,
			q: q[i],
			isNew: b === 0
		});
	});
	rising.sort((x, y) => y.g2 / y.dispersion - x.g2 / x.dispersion || (x.term < y.term ? -1 : x.term > y.term ? 1 : 0));
	newTerms.sort((x, y) => y.current - x.current || (y.docs ?? 0) - (x.docs ?? 0) || (y.places ?? 0) - (x.places ?? 0) || (x.term < y.term ? -1 : x.term > y.term ? 1 : 0));
	return { rising, newTerms, tested: tested.length };
}
