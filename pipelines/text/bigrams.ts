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
 * Phrases nearly every appeal carries (the opening and closing of a hotline ticket): their bigrams say nothing
 * about the matter, and made two different matters at one address look like a repeat.
 */
const STOCK_PHRASES: readonly string[] = [
	'市民来电反映',
	'来电人反映',
	'来电反映',
	'市民反映',
	'希望相关部门尽快处理',
	'请相关部门尽快处理',
	'希望有关部门处理',
	'请有关部门处理',
	'要求尽快解决',
	'请尽快处理',
	'尽快解决',
	'谢谢'
];

const STOCK_BIGRAMS: ReadonlySet<string> = new Set(STOCK_PHRASES.flatMap((p) => [...charBigrams(p)]));

/**
 * Similarity of two texts for repeat detection: the share of the shorter text's bigrams the other has (a caller
 * who raises the same matter again adds words; Jaccard would punish that), falling back to Jaccard when the
 * shorter text has fewer than 8 bigrams (a few words are contained in many texts). Bigrams of the stock phrases
 * and of `context` (the tickets' addresses: the same address in both says where, not what) are left out of both.
 */
export function repeatSimilarity(a: string, b: string, context: readonly (string | null | undefined)[] = []): number {
	return repeatScorer(a, context)(b);
}

/**
 * `repeatSimilarity` of one text against many (the 受理 assistant scores the call against a thousand earlier
 * tickets on every pause in typing): the text's bigrams and those left out are worked out once. The scorer takes
 * the other text and its own context (its address), which is left out of both as well.
 */
export function repeatScorer(text: string, context: readonly (string | null | undefined)[] = []): (other: string, otherContext?: readonly (string | null | undefined)[]) => number {
	const drop = new Set(STOCK_BIGRAMS);
	for (const c of context) if (c) for (const g of charBigrams(c)) drop.add(g);
	const x = charBigrams(text);
	for (const g of drop) x.delete(g);
	return (other, otherContext = []) => {
		const more = new Set<string>();
		for (const c of otherContext) if (c) for (const g of charBigrams(c)) if (!drop.has(g)) more.add(g);
		const y = charBigrams(other);
		for (const g of drop) y.delete(g);
		for (const g of more) y.delete(g);
		const xSize = x.size - sharedBigrams(more, x);
		if (!xSize || !y.size) return 0;
		const inter = sharedBigrams(y, x);
		const small = Math.min(xSize, y.size);
		return small >= 8 ? inter / small : inter / (xSize + y.size - inter);
	};
}
