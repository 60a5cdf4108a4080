// Numenta Anomaly Benchmark scoring, written from the rules in ../shared/data/eval/nab/SCORING_NOTES.md (own code).
//
//   const f = nabFile(timestamps, windows);               // row indices of windows, probationary length
//   const raw = scoreFile(f, detections, PROFILES.standard);    // detections: boolean per row
//   normalised = nabNormalise(sumOfRaw, totalWindows, profile)
//
// Rules: the first min(floor(0.15·N), 750) rows are probationary (ignored). A detection inside a window scores
// A_TP·σ(y)/σ(−1) with y = −(right − i + 1)/width (only the window's earliest detection counts); a window without
// detection scores −A_FN; a detection outside windows scores A_FP·σ(y) with y = |i − prevRight|/(prevWidth − 1) after
// a window, −A_FP before any window; all of them are summed. σ(y) = 2/(1 + e^{5y}) − 1, and −1 for y > 3.

export interface NabProfile {
	tp: number;
	fn: number;
	fp: number;
}

export const PROFILES: Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', NabProfile> = {
	standard: { tp: 1, fn: 1, fp: 0.11 },
	reward_low_FP_rate: { tp: 1, fn: 1, fp: 0.22 },
	reward_low_FN_rate: { tp: 1, fn: 2, fp: 0.11 }
};

/** Reads NAB's config/profiles.json shape ({ name: { CostMatrix: { tpWeight, fnWeight, fpWeight } } }). */
export function parseProfiles(json: unknown): Record<string, NabProfile> {
	const out: Record<string, NabProfile> = {};
	for (const [name, v] of Object.entries(json as Record<string, { CostMatrix: Record<string, number> }>)) {
		const c = v.CostMatrix;
		out[name] = { tp: c.tpWeight, fn: c.fnWeight, fp: c.fpWeight };
	}
	return out;
}

export function scaledSigmoid(y: number): number {
	if (y > 3) return -1;
	return 2 / (1 + Math.exp(5 * y)) - 1;
}

export interface NabWindow {
	/** first and last row index inside the window */
	left: number;
	right: number;
}

export interface NabFile {
	rows: number;
	probation: number;
	/** windows in time order, as row indices; windows with no rows are left out */
	windows: NabWindow[];
}

export function probationLength(rows: number): number {
	return Math.min(Math.floor(0.15 * rows), 750);
}

/**
 * Maps windows given as timestamps (epoch ms, inclusive) onto row indices of a file with sorted timestamps.
 * Windows that end inside the probationary period do not count (none does in the realKnownCause files).
 */
export function nabFile(timestamps: ArrayLike<number>, windows: Array<[number, number]>): NabFile {
	const rows = timestamps.length;
	const probation = probationLength(rows);
	const out: NabWindow[] = [];
	for (const [a, b] of [...windows].sort((x, y) => x[0] - y[0])) {
		const left = lowerBound(timestamps, a);
		const right = lowerBound(timestamps, b + 1) - 1;
		if (right < left || right < probation) continue;
		out.push({ left, right });
	}
	return { rows, probation, windows: out };
}

function lowerBound(ts: ArrayLike<number>, x: number): number {
	let lo = 0;
	let hi = ts.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (ts[mid] < x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** The score a detection at row i would get, and which window it falls in (−1: a false positive). */
export function pointScore(f: NabFile, i: number, profile: NabProfile): { score: number; window: number } {
	let prev = -1;
	for (let w = 0; w < f.windows.length; w++) {
		const win = f.windows[w];
		if (i >= win.left && i <= win.right) {
			const width = win.right - win.left + 1;
			const y = -(win.right - i + 1) / width;
			return { score: (profile.tp * scaledSigmoid(y)) / scaledSigmoid(-1), window: w };
		}
		if (win.right < i) prev = w;
	}
	if (prev < 0) return { score: -profile.fp, window: -1 };
	const pw = f.windows[prev];
	const width = pw.right - pw.left + 1;
	const y = Math.abs(i - pw.right) / Math.max(1, width - 1);
	return { score: profile.fp * scaledSigmoid(y), window: -1 };
}

export interface FileScore {
	raw: number;
	tp: number;
	fn: number;
	fp: number;
	/** summed false-positive score (negative) */
	fpScore: number;
}

/** Raw NAB score of one file: `detected(i)` says whether row i is a detection. */
export function scoreFile(f: NabFile, detected: (i: number) => boolean, profile: NabProfile): FileScore {
	const best = new Array<number | null>(f.windows.length).fill(null);
	let fpScore = 0;
	let fp = 0;
	for (let i = f.probation; i < f.rows; i++) {
		if (!detected(i)) continue;
		const { score, window } = pointScore(f, i, profile);
		if (window >= 0) best[window] = Math.max(best[window] ?? -Infinity, score);
		else {
			fpScore += score;
			fp++;
		}
	}
	let raw = fpScore;
	let tp = 0;
	let fn = 0;
	for (const b of best) {
		if (b === null) {
			raw -= profile.fn;
			fn++;
		} else {
			raw += b;
			tp++;
		}
	}
	return { raw, tp, fn, fp, fpScore };
}

/** 100·(S − S_null)/(S_perfect − S_null) with S_perfect = A_TP·windows and S_null = −A_FN·windows. */
export function nabNormalise(raw: number, windows: number, profile: NabProfile): number {
	const perfect = profile.tp * windows;
	const nul = -profile.fn * windows;
	return (100 * (raw - nul)) / (perfect - nul);
}

/**
 * The corpus threshold that maximises the summed raw score (a row is a detection iff score ≥ threshold), as NAB's
 * optimiser does per detector and profile; an exact sweep over every distinct score value, O(n log n).
 */
export function optimiseThreshold(
	files: Array<{ file: NabFile; scores: ArrayLike<number> }>,
	profile: NabProfile
): { threshold: number; raw: number } {
	interface Item {
		s: number;
		pts: number;
		/** global window id, −1 for a false positive */
		w: number;
	}
	const items: Item[] = [];
	let windows = 0;
	for (const { file, scores } of files) {
		for (let i = file.probation; i < file.rows; i++) {
			const s = scores[i];
			if (!Number.isFinite(s)) continue;
			const ps = pointScore(file, i, profile);
			items.push({ s, pts: ps.score, w: ps.window < 0 ? -1 : windows + ps.window });
		}
		windows += file.windows.length;
	}
	items.sort((a, b) => b.s - a.s);
	const best = new Float64Array(windows).fill(NaN);
	let total = -profile.fn * windows;
	let bestRaw = total;
	let bestThreshold = Infinity;
	for (let i = 0; i < items.length;) {
		const s = items[i].s;
		for (; i < items.length && items[i].s === s; i++) {
			const it = items[i];
			if (it.w < 0) total += it.pts;
			else if (Number.isNaN(best[it.w])) {
				total += profile.fn + it.pts;
				best[it.w] = it.pts;
			} else if (it.pts > best[it.w]) {
				total += it.pts - best[it.w];
				best[it.w] = it.pts;
			}
		}
		if (total > bestRaw) {
			bestRaw = total;
			bestThreshold = s;
		}
	}
	return { threshold: bestThreshold, raw: bestRaw };
}
