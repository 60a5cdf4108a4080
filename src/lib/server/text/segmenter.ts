// The segmenter of the server's own thread, for search queries, single suggestions and 设置 › 词典's 试一试 (the
// pipelines segment in worker threads). nodejieba loads its dictionaries on the first use (about 1–2 s), and again
// when the app's dictionary changed (设置 › 词典, a unit's new name).
import type { Reference } from '$pipelines/reference/index';
import { createSegmenter, type Segmenter } from '$pipelines/segment/index';
import { overlayKey, segmenterOverlay } from '../lexicon';

let seg: { key: string; seg: Segmenter } | null = null;

/** The segmenter of `ref`'s app: the dictionary files with what the app changed of them (none without `ref`). */
export function querySegmenter(ref?: Reference): Segmenter {
	const overlay = ref ? segmenterOverlay(ref) : {};
	const key = overlayKey(overlay);
	if (seg?.key !== key) seg = { key, seg: createSegmenter({ overlay }) };
	return seg.seg;
}

/** A word of 试一试: how the segmenter sees it. */
export interface TriedWord {
	word: string;
	/** term: in the user dictionary (places, units, terms); stop: a stop word, left out of the tokens; mark: punctuation
	 * or a symbol; word: any other */
	kind: 'term' | 'stop' | 'mark' | 'word';
}

/** How the app's segmenter cuts a text (at most 500 characters): each word, and whether it is a token. */
export function trySegmentation(ref: Reference, text: string): TriedWord[] {
	const s = querySegmenter(ref);
	const words = s.cut([...text].slice(0, 500).join(''));
	return words.map((word) => ({
		word,
		kind: s.userWords.has(word) ? 'term' : !/[\p{L}\p{N}]/u.test(word) ? 'mark' : s.tokensOf([word]).length ? 'word' : 'stop'
	}));
}
