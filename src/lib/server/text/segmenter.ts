// The segmenter of the server's own thread, for search queries, single suggestions and 设置 › 词典's 试一试 (the
// pipelines segment in worker threads). Its nodejieba lives in a thread of its own (ThreadSegmenter), asked
// synchronously: loading the dictionaries (one to two seconds, at the start and after each change of the app's
// dictionary: 设置 › 词典, a unit's new name) no longer holds up the requests of this thread. While a changed
// dictionary loads, the one before it still answers; `querySegmenterReady` waits for the new one.
import type { Reference } from '$pipelines/reference/index';
import type { Segmenter } from '$pipelines/segment/index';
import { ThreadSegmenter } from '$pipelines/segment/thread-segmenter';
import { overlayKey, segmenterOverlay } from '../lexicon';
import { markForeground } from '../threads';

/** The segmenters alive, by dictionary (overlayKey): the one that answers, and any loading a changed dictionary. */
const live = new Map<string, ThreadSegmenter>();
/** A dictionary that could not be loaded is tried again this long after the try, not on every query. */
const RETRY_FAILED_MS = 5 * 60_000;
/** Per app (its reference data; PLAIN without one): the dictionary its queries got last. */
const PLAIN = {};
const served = new WeakMap<object, string>();
/** The segmenter started last: the dictionary as it was changed last. */
let latest: ThreadSegmenter | null = null;

/** The segmenter of a dictionary, started here when it is not alive (its thread then loads the dictionaries). */
function segmenterOf(key: string, ref?: Reference): ThreadSegmenter {
	const alive = live.get(key);
	if (alive && !(alive.isFailed() && Date.now() - alive.startedAt > RETRY_FAILED_MS)) return alive;
	void alive?.close();
	// the thread answers this thread's requests: it keeps the requests' CPU priority (threads.ts)
	const made = new ThreadSegmenter({ overlay: ref ? segmenterOverlay(ref) : {}, onThread: markForeground });
	live.set(key, made);
	latest = made;
	made.ready.then(
		// loaded, and still the newest dictionary asked for: the ones before it end now, not on the next query
		() => {
			if (latest === made) retireAllBut(made);
		},
		(e: Error) => {
			console.error(`[minqing] 分词词典加载失败，查询与建议仍用修改前的词典：${e.message}`);
		}
	);
	return made;
}

/** Ends every loaded segmenter but `seg` (a failed one stays: its dictionary is then not tried again at once). */
function retireAllBut(seg: ThreadSegmenter): void {
	for (const [k, other] of live)
		if (other !== seg && other.isLoaded()) {
			live.delete(k);
			void other.close();
		}
}

/** `seg` answers `owner`'s queries from now on; once it is loaded, every other loaded segmenter ends (one loaded
 * dictionary at a time: each holds hundreds of MB). */
function use(owner: object, key: string, seg: ThreadSegmenter): ThreadSegmenter {
	served.set(owner, key);
	if (seg.isLoaded()) retireAllBut(seg);
	return seg;
}

/**
 * The segmenter of `ref`'s app: the dictionary files with what the app changed of them (none without `ref`). Right
 * after a change, until the changed dictionary has loaded, the one before it; the very first one is waited for
 * (its calls wait for the load).
 */
export function querySegmenter(ref?: Reference): Segmenter {
	const owner = ref ?? PLAIN;
	const key = overlayKey(ref ? segmenterOverlay(ref) : {});
	const seg = segmenterOf(key, ref);
	if (!seg.isLoaded()) {
		const before = served.get(owner);
		const prev = before !== undefined && before !== key ? live.get(before) : undefined;
		if (prev?.isLoaded()) return prev;
	}
	return use(owner, key, seg);
}

/** The segmenter of `ref`'s app with the dictionary as it is now, once it has loaded (if it cannot, the one before). */
export async function querySegmenterReady(ref?: Reference): Promise<Segmenter> {
	const seg = segmenterOf(overlayKey(ref ? segmenterOverlay(ref) : {}), ref);
	await seg.ready.catch(() => {});
	return querySegmenter(ref);
}

/** How many segmenter threads are alive, loaded or loading (tests, diagnostics). */
export function liveSegmenters(): number {
	return [...live.values()].filter((s) => !s.isFailed()).length;
}

/** A token source for work that spans awaits (the classifier's training): each call asks for the current segmenter. */
export function currentTokens(ref?: Reference): { tokens(text: string): string[] } {
	return { tokens: (text) => querySegmenter(ref).tokens(text) };
}

/** A word of 试一试: how the segmenter sees it. */
export interface TriedWord {
	word: string;
	/** term: in the user dictionary (places, units, terms); stop: a stop word, left out of the tokens; mark: punctuation
	 * or a symbol; word: any other */
	kind: 'term' | 'stop' | 'mark' | 'word';
}

/** How the app's segmenter cuts a text (at most 500 characters): each word, and whether it is a token. */
export async function trySegmentation(ref: Reference, text: string): Promise<TriedWord[]> {
	const s = await querySegmenterReady(ref);
	const words = s.cut([...text].slice(0, 500).join(''));
	return words.map((word) => ({
		word,
		kind: s.userWords.has(word) ? 'term' : !/[\p{L}\p{N}]/u.test(word) ? 'mark' : s.tokensOf([word]).length ? 'word' : 'stop'
	}));
}
