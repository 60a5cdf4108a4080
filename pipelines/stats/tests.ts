// Small statistical tests shared by the text, map and alert figures.

/** Complementary error function (Numerical Recipes' erfcc, fractional error < 1.2e-7 everywhere). */
export function erfc(x: number): number {
	const z = Math.abs(x);
	const t = 1 / (1 + 0.5 * z);
	const r =
		t *
		Math.exp(
			-z * z -
				1.26551223 +
				t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
		);
	return x >= 0 ? r : 2 - r;
}

/** P(Z ≥ z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
	return 0.5 * erfc(z / Math.SQRT2);
}

/** Benjamini–Hochberg adjusted p-values (q-values), in the input order. */
export function benjaminiHochberg(pvalues: readonly number[]): number[] {
	const m = pvalues.length;
	const order = pvalues.map((_, i) => i).sort((i, j) => pvalues[i] - pvalues[j] || i - j);
	const q = new Array<number>(m);
	let running = 1;
	for (let r = m - 1; r >= 0; r--) {
		const i = order[r];
		running = Math.min(running, (pvalues[i] * m) / (r + 1));
		q[i] = Math.min(1, running);
	}
	return q;
}

const tails = { upper: 1, lower: 1, pmf: 0 };
/**
 * P(X ≥ x), P(X ≤ x) and P(X = x) for X negative binomial with mean mu and variance mu + kappa·mu² (Poisson when
 * kappa ≈ 0); exact sums for moderate values, a continuity-corrected normal approximation beyond. Writes `tails`.
 */
export function countTails(x: number, mu: number, kappa: number): { upper: number; lower: number; pmf: number } {
	if (x < 0) {
		tails.upper = 1;
		tails.lower = 0;
		tails.pmf = 0;
		return tails;
	}
	if (mu > 200 || x > 600) {
		const sd = Math.sqrt(mu + kappa * mu * mu);
		tails.upper = normalUpperTail((x - 0.5 - mu) / sd);
		tails.lower = normalUpperTail((mu - x - 0.5) / sd);
		tails.pmf = Math.max(0, tails.upper + tails.lower - 1);
		return tails;
	}
	const poisson = kappa < 1e-6;
	const r = poisson ? 0 : 1 / kappa;
	const q = poisson ? 0 : mu / (r + mu);
	let pmf = poisson ? Math.exp(-mu) : Math.exp(r * Math.log1p(-q));
	let cdf = pmf;
	for (let k = 1; k <= x; k++) {
		pmf *= poisson ? mu / k : ((k - 1 + r) / k) * q;
		cdf += pmf;
	}
	tails.pmf = pmf;
	if (x <= mu) {
		tails.lower = Math.min(1, cdf);
		tails.upper = Math.min(1, Math.max(0, 1 - cdf + pmf));
	} else {
		let sum = pmf;
		let term = pmf;
		let ratio = 0;
		for (let k = x + 1; k < x + 64; k++) {
			ratio = poisson ? mu / k : ((k - 1 + r) / k) * q;
			term *= ratio;
			sum += term;
			if (term < sum * 1e-12) {
				ratio = 0;
				break;
			}
		}
		// what is left after 64 terms: a geometric bound with the last ratio (or q, when larger)
		if (ratio > 0) {
			const rr = Math.min(0.999, Math.max(ratio, q));
			sum += (term * rr) / (1 - rr);
		}
		tails.upper = Math.min(1, sum);
		tails.lower = Math.min(1, Math.max(0, 1 - sum + pmf));
	}
	return tails;
}
