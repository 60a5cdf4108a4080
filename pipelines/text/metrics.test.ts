import { describe, expect, it } from 'vitest';
import { ari, contingency, mutualInformation, nmi } from './metrics';

describe('contingency', () => {
	it('counts co-occurrences in order of first appearance', () => {
		const c = contingency(['a', 'a', 'b', 'b'], [1, 2, 2, 2]);
		expect(c.table).toEqual([
			[1, 1],
			[0, 2]
		]);
		expect(c.rowSums).toEqual([2, 2]);
		expect(c.colSums).toEqual([1, 3]);
		expect(c.n).toBe(4);
	});

	it('rejects labelings of different lengths', () => {
		expect(() => nmi([1, 2], [1])).toThrow(/length/);
		expect(() => ari([1], [1, 2])).toThrow(/length/);
	});
});

describe('NMI (arithmetic normalisation)', () => {
	it('is 1 for the same partition under other names', () => {
		expect(nmi([0, 0, 1, 1, 2, 2], ['b', 'b', 'c', 'c', 'a', 'a'])).toBeCloseTo(1, 12);
	});

	it('matches a hand computation', () => {
		// rows (labels 0,1) × columns (clusters 0,1,2): [[2,1,0],[0,1,2]], n = 6
		// MI = 2·(2/6)·ln(6·2/(3·2)) + 2·(1/6)·ln(6·1/(3·2)) = (2/3)·ln 2
		// H(labels) = ln 2, H(clusters) = ln 3 → NMI = (2/3 ln 2) / ((ln 2 + ln 3) / 2)
		const labels = [0, 0, 0, 1, 1, 1];
		const clusters = [0, 0, 1, 1, 2, 2];
		expect(mutualInformation(labels, clusters)).toBeCloseTo((2 / 3) * Math.LN2, 12);
		const expected = ((2 / 3) * Math.LN2) / ((Math.LN2 + Math.log(3)) / 2);
		expect(nmi(labels, clusters)).toBeCloseTo(expected, 12);
		expect(nmi(labels, clusters)).toBeCloseTo(0.5158037429793889, 12); // sklearn's value
		// symmetric
		expect(nmi(clusters, labels)).toBeCloseTo(expected, 12);
	});

	it('is 0 for independent partitions', () => {
		expect(nmi([0, 0, 1, 1], [0, 1, 0, 1])).toBe(0);
	});

	it('follows sklearn on degenerate partitions', () => {
		expect(nmi([1, 1, 1], ['x', 'x', 'x'])).toBe(1); // one class each
		expect(nmi([], [])).toBe(1);
		expect(nmi([0, 0, 1, 1], [5, 5, 5, 5])).toBe(0); // one side has one cluster
	});
});

describe('ARI', () => {
	it('is 1 for the same partition under other names', () => {
		expect(ari([0, 0, 1, 1, 2], ['x', 'x', 'y', 'y', 'z'])).toBeCloseTo(1, 12);
	});

	it('matches a hand computation', () => {
		// pairs: Σ C(n_ij, 2) = 1 + 1 = 2; rows Σ C(3,2)·2 = 6; columns Σ C(2,2)·3 = 3; C(6,2) = 15
		// expected = 6·3/15 = 1.2; max = (6+3)/2 = 4.5 → ARI = (2 − 1.2)/(4.5 − 1.2) = 0.8/3.3
		expect(ari([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(0.8 / 3.3, 12);
		expect(ari([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2])).toBeCloseTo(0.24242424242424246, 12); // sklearn's value
	});

	it('is negative when worse than chance', () => {
		// Σ C(n_ij,2) = 0; rows 1+1 = 2; columns 2; C(4,2) = 6 → expected 4/6, max 2 → (0 − 2/3)/(2 − 2/3) = −0.5
		expect(ari([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
	});

	it('follows sklearn on degenerate partitions', () => {
		expect(ari([1, 1, 1], [2, 2, 2])).toBe(1); // both one cluster
		expect(ari([1, 2, 3], [4, 5, 6])).toBe(1); // both all singletons
		expect(ari([1, 1, 1, 1], [1, 2, 3, 4])).toBe(0);
		expect(ari([7], [8])).toBe(1);
	});
});
