// A small, fast, seedable PRNG (sfc32 seeded through splitmix32) and the draws the generator needs.
// Deterministic: the same seed gives the same stream on every machine.

function splitmix32(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x9e3779b9) >>> 0;
		let z = s;
		z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
		z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
		return (z ^ (z >>> 16)) >>> 0;
	};
}

/** 32-bit string hash (FNV-1a), for deriving sub-seeds from names. */
export function hash32(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

export class Rng {
	private a: number;
	private b: number;
	private c: number;
	private d: number;

	constructor(seed: number) {
		const sm = splitmix32(seed);
		this.a = sm();
		this.b = sm();
		this.c = sm();
		this.d = sm();
		for (let i = 0; i < 12; i++) this.next();
	}

	/** An independent stream derived from this seed and a label. */
	static derive(seed: number, label: string): Rng {
		return new Rng((seed ^ hash32(label)) >>> 0);
	}

	/** uniform in [0, 1) */
	next(): number {
		const t = (((this.a + this.b) | 0) + this.d) | 0;
		this.d = (this.d + 1) | 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) | 0;
		this.c = (this.c << 21) | (this.c >>> 11);
		this.c = (this.c + t) | 0;
		return (t >>> 0) / 4294967296;
	}

	int(minIncl: number, maxIncl: number): number {
		return minIncl + Math.floor(this.next() * (maxIncl - minIncl + 1));
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	pick<T>(xs: readonly T[]): T {
		return xs[Math.floor(this.next() * xs.length)];
	}

	/** standard normal (Box–Muller) */
	normal(): number {
		let u = 0;
		while (u === 0) u = this.next();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
	}

	/** log-normal with the given median and log-sd */
	lognormal(median: number, sigma: number): number {
		return median * Math.exp(sigma * this.normal());
	}

	/** Gamma(shape, 1) (Marsaglia–Tsang; shape < 1 by the boost u^(1/shape)) */
	gamma(shape: number): number {
		if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.next() || 1e-12, 1 / shape);
		const d = shape - 1 / 3;
		const c = 1 / Math.sqrt(9 * d);
		for (;;) {
			let x: number;
			let v: number;
			do {
				x = this.normal();
				v = 1 + c * x;
			} while (v <= 0);
			v = v * v * v;
			const u = this.next();
			if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
		}
	}

	/** Poisson (Knuth for small means, normal approximation above 50) */
	poisson(mean: number): number {
		if (mean <= 0) return 0;
		if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
		const l = Math.exp(-mean);
		let k = 0;
		let p = 1;
		do {
			k++;
			p *= this.next();
		} while (p > l);
		return k - 1;
	}

	shuffle<T>(xs: T[]): T[] {
		for (let i = xs.length - 1; i > 0; i--) {
			const j = Math.floor(this.next() * (i + 1));
			[xs[i], xs[j]] = [xs[j], xs[i]];
		}
		return xs;
	}
}

/** Walker's alias table: O(1) draws from a fixed discrete distribution. */
export class AliasTable<T> {
	private readonly prob: Float64Array;
	private readonly alias: Int32Array;

	constructor(
		readonly items: readonly T[],
		weights: readonly number[]
	) {
		const n = items.length;
		if (n === 0 || weights.length !== n) throw new Error('AliasTable: items and weights must be non-empty and equal in length');
		const total = weights.reduce((s, w) => s + Math.max(0, w), 0);
		if (!(total > 0)) throw new Error('AliasTable: weights must have a positive sum');
		this.prob = new Float64Array(n);
		this.alias = new Int32Array(n);
		const scaled = weights.map((w) => (Math.max(0, w) * n) / total);
		const small: number[] = [];
		const large: number[] = [];
		scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
		while (small.length && large.length) {
			const s = small.pop()!;
			const l = large.pop()!;
			this.prob[s] = scaled[s];
			this.alias[s] = l;
			scaled[l] = scaled[l] + scaled[s] - 1;
			(scaled[l] < 1 ? small : large).push(l);
		}
		for (const i of [...small, ...large]) this.prob[i] = 1;
	}

	draw(rng: Rng): T {
		const i = Math.floor(rng.next() * this.items.length);
		return this.items[rng.next() < this.prob[i] ? i : this.alias[i]];
	}
}

/** Picks a key of a record of weights. */
export function weightedKey<K extends string>(rng: Rng, weights: Partial<Record<K, number>>): K {
	const entries = Object.entries(weights) as [K, number][];
	const total = entries.reduce((s, [, w]) => s + w, 0);
	let x = rng.next() * total;
	for (const [k, w] of entries) {
		x -= w;
		if (x < 0) return k;
	}
	return entries[entries.length - 1][0];
}
