import { describe, expect, it } from 'vitest';
import { AliasTable, Rng, weightedKey } from './rng';

describe('Rng', () => {
	it('is deterministic for a seed and differs between seeds', () => {
		const a = new Rng(7),
			b = new Rng(7),
			c = new Rng(8);
		const xs = Array.from({ length: 5 }, () => a.next());
		expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
		expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
		expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
	});
	it('draws Poisson counts with the right mean', () => {
		const r = new Rng(1);
		let s = 0;
		for (let i = 0; i < 20000; i++) s += r.poisson(3.5);
		expect(s / 20000).toBeGreaterThan(3.4);
		expect(s / 20000).toBeLessThan(3.6);
	});

	it('draws gamma variates with mean and variance equal to the shape, below and above 1', () => {
		for (const shape of [0.4, 2.5]) {
			const r = new Rng(2);
			const xs = Array.from({ length: 40000 }, () => r.gamma(shape));
			const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
			const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
			expect(Math.abs(mean - shape) / shape).toBeLessThan(0.03);
			expect(Math.abs(variance - shape) / shape).toBeLessThan(0.08);
			expect(Math.min(...xs)).toBeGreaterThan(0);
		}
	});
});

describe('AliasTable', () => {
	it('draws items in proportion to their weights', () => {
		const t = new AliasTable(['a', 'b', 'c'], [1, 3, 0]);
		const r = new Rng(3);
		const n = { a: 0, b: 0, c: 0 } as Record<string, number>;
		for (let i = 0; i < 40000; i++) n[t.draw(r)]++;
		expect(n.c).toBe(0);
		expect(n.b / n.a).toBeGreaterThan(2.8);
		expect(n.b / n.a).toBeLessThan(3.2);
	});
	it('refuses an empty or all-zero distribution', () => {
		expect(() => new AliasTable([], [])).toThrow();
		expect(() => new AliasTable(['x'], [0])).toThrow();
	});
	it('weightedKey picks by weight', () => {
		const r = new Rng(9);
		let a = 0;
		for (let i = 0; i < 10000; i++) if (weightedKey(r, { a: 0.9, b: 0.1 }) === 'a') a++;
		expect(a).toBeGreaterThan(8800);
		expect(a).toBeLessThan(9200);
	});
});
