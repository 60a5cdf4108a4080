// Character bigrams of Chinese text: a comparison robust to word order and independent of segmentation. Used by
// the knowledge-base search and by the 受理 screen's repeat detection. Pure.
import { toHalfWidth } from '../normalize/text';

/** The distinct character bigrams of a text, after width folding and lower-casing, without spaces, punctuation and symbols. */
export function charBigrams(s: string): Set<string> {
	const t = toHalfWidth(s)
		.toLowerCase()
		.replace(/[\s\p{P}\p{S}]/gu, '');
	const g = new Set<string>();
	for (let i = 0; i + 1 < t.length; i++) g.add(t.slice(i, i + 2));
	return g;
}

/** How many bigrams of `a` are also in `b`. */
export function sharedBigrams(a: Set<string>, b: Set<string>): number {
	let n = 0;
	for (const g of a) if (b.has(g)) n++;
	return n;
}

/**
 * Similarity of two texts for repeat detection: the share of the shorter text's bigrams the other has (a caller
 * who raises the same matter again adds words; Jaccard would punish that), falling back to Jaccard when the
 * shorter text has fewer than 8 bigrams (a few words are contained in many texts).
 */
export function repeatSimilarity(a: string, b: string): number {
	const x = charBigrams(a);
	const y = charBigrams(b);
	if (!x.size || !y.size) return 0;
	const inter = sharedBigrams(x, y);
	const small = Math.min(x.size, y.size);
	return small >= 8 ? inter / small : inter / (x.size + y.size - inter);
}
