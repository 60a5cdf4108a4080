/**
 * External clustering metrics: how well a clustering agrees with reference labels.
 *
 *   nmi(labels, clusters) — normalised mutual information, MI / mean(H(labels), H(clusters)) with the
 *     arithmetic mean (scikit-learn's default `average_method='arithmetic'`), natural logarithms (the base
 *     cancels). 1 = identical partitions (up to renaming), 0 = independent.
 *   ari(labels, clusters) — adjusted Rand index (Hubert & Arabie 1985): the Rand index corrected for chance,
 *     computed from the contingency table's pair counts. 1 = identical, ≈ 0 = random, can be negative.
 *
 * Edge cases follow scikit-learn: NMI is 1 when both labelings have at most one class (and 0 when either has a
 * single class and the other not); ARI is 1 when the two partitions agree on every pair (including both
 * "everything in one cluster" or both "all singletons"). Labels may be any string or number; -1 (outlier) is
 * treated as an ordinary cluster, so callers that want to exclude outliers should filter first.
 */

export type Label = string | number;

/** Contingency table of two labelings of the same items. */
export interface Contingency {
	/** rows: distinct values of `a` in order of first appearance; columns: distinct values of `b` */
	table: number[][];
	rowSums: number[];
	colSums: number[];
	n: number;
}

export function contingency(a: readonly Label[], b: readonly Label[]): Contingency {
	if (a.length !== b.length) throw new Error(`labelings differ in length (${a.length} vs ${b.length})`);
	const ra = new Map<Label, number>();
	const cb = new Map<Label, number>();
	const ia = a.map((x) => {
		let i = ra.get(x);
		if (i === undefined) ra.set(x, (i = ra.size));
		return i;
	});
	const ib = b.map((x) => {
		let i = cb.get(x);
		if (i === undefined) cb.set(x, (i = cb.size));
		return i;
	});
	const table = Array.from({ length: ra.size }, () => new Array<number>(cb.size).fill(0));
	const rowSums = new Array<number>(ra.size).fill(0);
	const colSums = new Array<number>(cb.size).fill(0);
	for (let k = 0; k < ia.length; k++) {
		table[ia[k]][ib[k]]++;
		rowSums[ia[k]]++;
		colSums[ib[k]]++;
	}
	return { table, rowSums, colSums, n: a.length };
}

function entropy(counts: readonly number[], n: number): number {
	let h = 0;
	for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
	return h;
}

/** Mutual information (nats) of two labelings. */
export function mutualInformation(a: readonly Label[], b: readonly Label[]): number {
	const { table, rowSums, colSums, n } = contingency(a, b);
	let mi = 0;
	for (let i = 0; i < table.length; i++) {
		for (let j = 0; j < table[i].length; j++) {
			const nij = table[i][j];
			if (nij > 0) mi += (nij / n) * Math.log((n * nij) / (rowSums[i] * colSums[j]));
		}
	}
	return Math.max(0, mi);
}

/** Normalised mutual information with arithmetic-mean normalisation (sklearn's default). */
export function nmi(labels: readonly Label[], clusters: readonly Label[]): number {
	const c = contingency(labels, clusters);
	const r = c.rowSums.length;
	const k = c.colSums.length;
	if ((r <= 1 && k <= 1) || c.n === 0) return 1;
	const mi = mutualInformation(labels, clusters);
	if (mi === 0) return 0;
	const denom = (entropy(c.rowSums, c.n) + entropy(c.colSums, c.n)) / 2;
	// guard against rounding: MI can exceed the mean entropy by an ulp
	return Math.min(1, mi / Math.max(denom, Number.EPSILON));
}

const pairs = (x: number) => (x * (x - 1)) / 2;

/** Adjusted Rand index. */
export function ari(labels: readonly Label[], clusters: readonly Label[]): number {
	const { table, rowSums, colSums, n } = contingency(labels, clusters);
	if (n < 2) return 1;
	let sumIJ = 0;
	for (const row of table) for (const x of row) sumIJ += pairs(x);
	let sumA = 0;
	for (const x of rowSums) sumA += pairs(x);
	let sumB = 0;
	for (const x of colSums) sumB += pairs(x);
	const total = pairs(n);
	const expected = (sumA * sumB) / total;
	const max = (sumA + sumB) / 2;
	// both partitions trivially identical (all in one / all singletons): every pair agrees
	if (max === expected) return 1;
	return (sumIJ - expected) / (max - expected);
}
