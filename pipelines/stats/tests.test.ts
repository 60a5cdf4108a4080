import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, countTails, normalUpperTail } from './tests';

describe('count tails', () => {
	it('countTails matches Poisson and negative-binomial tails', () => {
		// Poisson(2): P(X ≥ 8) = 1 − Σ_{k<8} e^-2 2^k/k!
		let cdf = 0;
		let pmf = Math.exp(-2);
		for (let k = 0; k < 8; k++) {
			cdf += pmf;
			pmf *= 2 / (k + 1);
		}
		const t = countTails(8, 2, 0);
		expect(t.upper).toBeCloseTo(1 - cdf, 10);
		expect(t.lower).toBeCloseTo(cdf + (Math.exp(-2) * 2 ** 8) / 40320, 10);
		// NB with size 1 (geometric), mean 1: P(X ≥ x) = (1/2)^x
		expect(countTails(5, 1, 1).upper).toBeCloseTo(0.5 ** 5, 10);
		expect(countTails(0, 3, 0.2).upper).toBe(1);
		// far tail stays positive and tiny
		const far = countTails(40, 1, 0);
		expect(far.upper).toBeGreaterThan(0);
		expect(far.upper).toBeLessThan(1e-40);
	});
});

describe('normalUpperTail and benjaminiHochberg', () => {
	it('give the textbook values', () => {
		expect(normalUpperTail(1.959964)).toBeCloseTo(0.025, 6);
		expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
		// q = the least p·m/rank over the ranks from its own up: 0.03 at rank 2 takes 0.04·4/3 from rank 3
		expect(benjaminiHochberg([0.01, 0.04, 0.03, 0.5])).toEqual([0.04, 0.16 / 3, 0.16 / 3, 0.5].map((x) => expect.closeTo(x, 12)));
	});
});
