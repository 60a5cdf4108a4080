/**
 * The SIGHAN bakeoff scorer (`score` from icwb2-data, Sproat & Emerson 2003/2005), re-implemented.
 *
 * What the Perl script does, and so what this does, line by line of the gold file and the test file:
 *   - trim both lines, turn U+3000 (ideographic space) into a space, split on ASCII whitespace;
 *   - a gold line with no words is skipped entirely (its test words are not counted either);
 *   - the two word sequences are aligned as `diff -y` aligns two files of one word per line, i.e. by a longest
 *     common subsequence of words. A test word is correct when the alignment pairs it with an equal gold word:
 *     since both lines segment the same characters, in practice that means the same character span;
 *   - each run of unaligned words between two aligned ones is a diff hunk with d gold and i test words:
 *     min(d, i) substitutions, d − min deletions, i − min insertions (how `diff -y` pairs the lines of a hunk);
 *   - recall = correct gold words / gold words, precision = correct test words / test words,
 *     F = 2PR / (P + R); a gold word is OOV when it is not in the training word list (when one is given),
 *     OOV recall = correct OOV gold words / OOV gold words, IV recall likewise.
 *
 * Differences from the script, all on degenerate input: it never drops characters (the script's `diff -y`
 * truncates words longer than its 61-column half width when it prints them, and words that are themselves
 * `|`, `<` or `>` can confuse its parsing of that output); and among several longest alignments it picks one
 * of its own (GNU diff may pick another equally long one), which can move a word between substitution and
 * insertion/deletion or between IV and OOV but never changes P, R or F.
 *
 * `spanScore` is the common "same character span" definition, given alongside for comparison.
 */

export interface SighanCounts {
	/** gold ("true") words */
	trueWords: number;
	/** test words */
	testWords: number;
	/** gold words that the alignment matched (= test words matched) */
	correct: number;
	insertions: number;
	deletions: number;
	substitutions: number;
	/** gold words not in the training word list (0 when no list is given) */
	oov: number;
	oovCorrect: number;
	iv: number;
	ivCorrect: number;
}

export interface SighanScore extends SighanCounts {
	recall: number;
	precision: number;
	f1: number;
	/** OOV rate, OOV recall and IV recall; null when no training word list was given */
	oovRate: number | null;
	oovRecall: number | null;
	ivRecall: number | null;
	/** lines scored (gold lines that have words) */
	lines: number;
}

/** Splits a line the way the script does. */
export function sighanWords(line: string): string[] {
	const t = line.replace(/\u3000/g, ' ').replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
	return t === '' ? [] : t.split(/[ \t\n\r\f\v]+/);
}

export function emptyCounts(): SighanCounts {
	return { trueWords: 0, testWords: 0, correct: 0, insertions: 0, deletions: 0, substitutions: 0, oov: 0, oovCorrect: 0, iv: 0, ivCorrect: 0 };
}

/**
 * Longest common subsequence of two word arrays, as pairs of indices (ascending). Common prefix and suffix
 * are matched directly; the middle is solved by Myers' O(ND) algorithm, so lines that mostly agree are cheap.
 */
export function lcsPairs(a: readonly string[], b: readonly string[]): Array<[number, number]> {
	const pairs: Array<[number, number]> = [];
	let lo = 0;
	while (lo < a.length && lo < b.length && a[lo] === b[lo]) {
		pairs.push([lo, lo]);
		lo++;
	}
	let ha = a.length;
	let hb = b.length;
	const tail: Array<[number, number]> = [];
	while (ha > lo && hb > lo && a[ha - 1] === b[hb - 1]) {
		ha--;
		hb--;
		tail.push([ha, hb]);
	}
	const n = ha - lo;
	const m = hb - lo;
	if (n > 0 && m > 0) {
		for (const [i, j] of myers(a, lo, n, b, lo, m)) pairs.push([i, j]);
	}
	for (let k = tail.length - 1; k >= 0; k--) pairs.push(tail[k]);
	return pairs;
}

/** Myers' greedy shortest edit script; returns the matched (snake) index pairs in order. */
function myers(a: readonly string[], ao: number, n: number, b: readonly string[], bo: number, m: number): Array<[number, number]> {
	const max = n + m;
	const offset = max + 1;
	let v = new Int32Array(2 * max + 3);
	// trace[d] holds V[-d-1 .. d+1] as it was before step d (memory O(D²), not O(D·(N+M)))
	const trace: Int32Array[] = [];
	let found = -1;
	for (let d = 0; d <= max; d++) {
		trace.push(v.slice(offset - d - 1, offset + d + 2));
		const next = v;
		for (let k = -d; k <= d; k += 2) {
			let x: number;
			if (k === -d || (k !== d && next[offset + k - 1] < next[offset + k + 1])) x = next[offset + k + 1];
			else x = next[offset + k - 1] + 1;
			let y = x - k;
			while (x < n && y < m && a[ao + x] === b[bo + y]) {
				x++;
				y++;
			}
			next[offset + k] = x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
		v = next;
		if (found >= 0) break;
	}
	// Backtrack from (n, m): trace[d] is V before step d, indexed from -d-1.
	const out: Array<[number, number]> = [];
	let x = n;
	let y = m;
	for (let d = found; d >= 0; d--) {
		const vPrev = trace[d];
		const o = d + 1;
		const k = x - y;
		let prevK: number;
		if (d === 0) prevK = 0;
		else if (k === -d || (k !== d && vPrev[o + k - 1] < vPrev[o + k + 1])) prevK = k + 1;
		else prevK = k - 1;
		const prevX = d === 0 ? 0 : vPrev[o + prevK];
		const prevY = prevX - prevK;
		const startX = d === 0 ? 0 : prevK === k + 1 ? prevX : prevX + 1;
		const startY = startX - k;
		// the snake from (startX, startY) to (x, y)
		while (x > startX && y > startY) {
			x--;
			y--;
			out.push([ao + x, bo + y]);
		}
		x = prevX;
		y = prevY;
		if (d === 0) break;
	}
	out.reverse();
	return out;
}

/**
 * Scores one line pair into `acc` (SIGHAN semantics). `training` is the training word list (for OOV).
 * Returns false when the gold line is empty (skipped, as the script does).
 */
export function scoreLine(gold: string, test: string, acc: SighanCounts, training?: ReadonlySet<string>): boolean {
	const g = sighanWords(gold);
	const t = sighanWords(test);
	if (g.length === 0) return false;
	const pairs = lcsPairs(g, t);
	acc.trueWords += g.length;
	acc.testWords += t.length;
	acc.correct += pairs.length;
	// hunks between consecutive matches
	let pg = 0;
	let pt = 0;
	const hunk = (gi: number, ti: number) => {
		const d = gi - pg;
		const i = ti - pt;
		const s = Math.min(d, i);
		acc.substitutions += s;
		acc.deletions += d - s;
		acc.insertions += i - s;
	};
	const matched = new Uint8Array(g.length);
	for (const [gi, ti] of pairs) {
		hunk(gi, ti);
		matched[gi] = 1;
		pg = gi + 1;
		pt = ti + 1;
	}
	hunk(g.length, t.length);
	if (training) {
		for (let i = 0; i < g.length; i++) {
			if (training.has(g[i])) {
				acc.iv++;
				acc.ivCorrect += matched[i];
			} else {
				acc.oov++;
				acc.oovCorrect += matched[i];
			}
		}
	}
	return true;
}

export function finish(c: SighanCounts, lines: number, withTraining: boolean): SighanScore {
	const recall = c.trueWords ? c.correct / c.trueWords : 0;
	const precision = c.testWords ? c.correct / c.testWords : 0;
	const f1 = recall + precision > 0 ? (2 * precision * recall) / (precision + recall) : 0;
	return {
		...c,
		recall,
		precision,
		f1,
		oovRate: withTraining && c.trueWords ? c.oov / c.trueWords : null,
		oovRecall: withTraining ? (c.oov ? c.oovCorrect / c.oov : null) : null,
		ivRecall: withTraining ? (c.iv ? c.ivCorrect / c.iv : null) : null,
		lines
	};
}

/** Splits a file's text into lines (LF or CRLF); a final newline does not make an extra line. */
export function fileLines(text: string): string[] {
	const lines = text.split(/\r?\n/);
	if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	return lines;
}

/**
 * Scores whole files (or arrays of lines). Lines are paired by position; as in the script, scoring stops at
 * the end of the shorter one.
 */
export function sighanScore(gold: string | readonly string[], test: string | readonly string[], trainingWords?: Iterable<string>): SighanScore {
	const g = typeof gold === 'string' ? fileLines(gold) : gold;
	const t = typeof test === 'string' ? fileLines(test) : test;
	const training = trainingWords ? toWordSet(trainingWords) : undefined;
	const acc = emptyCounts();
	let lines = 0;
	const n = Math.min(g.length, t.length);
	for (let i = 0; i < n; i++) if (scoreLine(g[i], t[i], acc, training)) lines++;
	return finish(acc, lines, training !== undefined);
}

/** A training word list: one word per line, trimmed (as the script reads it). */
export function toWordSet(words: Iterable<string> | string): Set<string> {
	const list = typeof words === 'string' ? words.split('\n') : words;
	const s = new Set<string>();
	for (const w of list) {
		const t = w.trim();
		if (t) s.add(t);
	}
	return s;
}

/** Span-based P/R/F: a test word is correct when a gold word covers exactly the same characters. */
export function spanScore(gold: string | readonly string[], test: string | readonly string[]): { recall: number; precision: number; f1: number; correct: number; trueWords: number; testWords: number } {
	const g = typeof gold === 'string' ? fileLines(gold) : gold;
	const t = typeof test === 'string' ? fileLines(test) : test;
	let trueWords = 0;
	let testWords = 0;
	let correct = 0;
	const n = Math.min(g.length, t.length);
	for (let i = 0; i < n; i++) {
		const gw = sighanWords(g[i]);
		if (gw.length === 0) continue;
		const tw = sighanWords(t[i]);
		trueWords += gw.length;
		testWords += tw.length;
		const spans = new Set<string>();
		let p = 0;
		for (const w of gw) spans.add(`${p}:${(p += [...w].length)}`);
		p = 0;
		for (const w of tw) if (spans.has(`${p}:${(p += [...w].length)}`)) correct++;
	}
	const recall = trueWords ? correct / trueWords : 0;
	const precision = testWords ? correct / testWords : 0;
	const f1 = recall + precision > 0 ? (2 * precision * recall) / (precision + recall) : 0;
	return { recall, precision, f1, correct, trueWords, testWords };
}
