// Small statistics the benchmarks share.

/** The median (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
	if (!xs.length) return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The `p` quantile (0–1) by nearest rank: the value below which a share `p` of `xs` lies; NaN for none. */
export function quantile(xs: readonly number[], p: number): number {
	if (!xs.length) return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
