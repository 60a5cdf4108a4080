// Small statistics the benchmarks share.

/** The median (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
	if (!xs.length) return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
