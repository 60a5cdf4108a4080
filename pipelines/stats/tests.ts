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
