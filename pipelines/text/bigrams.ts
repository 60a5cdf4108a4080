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

/** A text to compare and its context (its addresses): the context's bigrams say where, not what, and are left out. */
export interface RepeatText {
	text: string;
	context?: readonly (string | null | undefined)[];
}

const BREAK = 0xffff; // a noncharacter: never text
const SKIP = 0xfffe;
const SEPARATOR = /^[\s\p{P}\p{S}]$/u;
/** `unit` of each UTF-16 unit once read (0 before), so that a character class is asked once per character seen. */
const UNITS = new Uint16Array(65536);

/**
 * A UTF-16 unit as repeat detection reads it: width-folded and lower-cased (as `charBigrams`), BREAK for spaces,
 * punctuation and symbols, where a run of text ends (a bigram across a sentence break is no phrase of either
 * sentence), and SKIP for the particles 的 and 了 (门口的路灯 and 门口路灯, 坏了 and 坏 say the same).
 */
function unit(c: number): number {
	const known = UNITS[c];
	if (known) return known;
	const folded = toHalfWidth(String.fromCharCode(c)).toLowerCase();
	const u = folded.length === 1 ? folded : String.fromCharCode(c);
	return (UNITS[c] = SEPARATOR.test(u) ? BREAK : u === '的' || u === '了' ? SKIP : u.charCodeAt(0));
}

/**
 * Bigrams as small dense numbers, for one call's comparison: open addressing over typed arrays (a Map of the
 * 32-bit bigram codes, which are no small integers to V8, tripled the time of a call). Also keeps, by id, each
 * bigram's document frequency, which text last held it (to count a bigram once per text) and whether it is left
 * out (DROPPED) or the call's (IN_CALL).
 */
class Bigrams {
	private keys = new Int32Array(1 << 15);
	private slots = new Int32Array(1 << 15); // id + 1, 0 for a free slot
	private shift = 32 - 15;
	readonly df: number[] = [];
	readonly last: number[] = [];
	readonly flags: number[] = [];

	/** The distinct bigrams of a text (ids), marking them as held by text `no`. */
	of(s: string, no: number): number[] {
		const out: number[] = [];
		let prev = BREAK;
		for (let i = 0; i < s.length; i++) {
			const c = unit(s.charCodeAt(i));
			if (c === SKIP) continue;
			if (c !== BREAK && prev !== BREAK) {
				const id = this.id((prev << 16) | c);
				if (this.last[id] !== no) {
					this.last[id] = no;
					out.push(id);
				}
			}
			prev = c;
		}
		return out;
	}

	private id(code: number): number {
		if (this.df.length * 2 >= this.slots.length) this.grow();
		const mask = this.slots.length - 1;
		for (let i = this.home(code); ; i = (i + 1) & mask) {
			const slot = this.slots[i];
			if (slot === 0) {
				const id = this.df.length;
				this.df.push(0);
				this.last.push(-1);
				this.flags.push(0);
				this.keys[i] = code;
				this.slots[i] = id + 1;
				return id;
			}
			if (this.keys[i] === code) return slot - 1;
		}
	}

	/** Fibonacci hashing: the top bits of the product, which depend on both characters. */
	private home(code: number): number {
		return Math.imul(code, 0x9e3779b1) >>> this.shift;
	}

	private grow() {
		const { keys, slots } = this;
		this.keys = new Int32Array(keys.length * 2);
		this.slots = new Int32Array(slots.length * 2);
		this.shift--;
		const mask = this.slots.length - 1;
		for (let j = 0; j < slots.length; j++) {
			if (!slots[j]) continue;
			let i = this.home(keys[j]);
			while (this.slots[i]) i = (i + 1) & mask;
			this.keys[i] = keys[j];
			this.slots[i] = slots[j];
		}
	}
}

/**
 * As if this many more texts held none of the bigrams: a document frequency among a few dozen texts (a quiet
 * street's, a caller's own) says little, and the weights then stay close to one another, the score close to a plain
 * overlap of the bigrams; among a busy street's or a district's hundreds of tickets the counts decide.
 */
const PRIOR_TEXTS = 100;
/** Fewer bigrams in common than a four-character phrase holds (油烟扰民, 井盖丢失) say nothing of a matter: 0. */
const MIN_SHARED = 3;
const DROPPED = 1;
const IN_CALL = 2;

/**
 * Similarity for repeat detection of a call to each of many earlier tickets (the 受理 assistant scores the call
 * against a thousand of them on every pause in typing): the cosine of their bigram sets, each bigram weighted by
 * how rare it is among the texts compared (its inverse document frequency over the call and these tickets,
 * smoothed: ln((n + PRIOR_TEXTS) / (df + 1)), squared as in TF-IDF). What one place's tickets nearly all say
 * (小区, 门口, 楼下, 没人) then counts for little and what few say (a road, a compound, 井盖, 打桩) for much; and,
 * the cosine asking both texts to be covered, a short call whose words a long ticket happens to hold is not that
 * ticket's matter. Bigrams of the stock phrases (市民来电反映 … 请尽快处理) and of the call's context are left
 * out of all texts, and each ticket's context out of that ticket and the call. 0 … 1.
 */
export function repeatScores(call: RepeatText, others: readonly RepeatText[]): number[] {
	const b = new Bigrams();
	const { df, flags } = b;
	let no = 0;
	for (const p of [...STOCK_PHRASES, ...(call.context ?? [])]) if (p) for (const g of b.of(p, no++)) flags[g] = DROPPED;
	const x = b.of(call.text, no++).filter((g) => flags[g] !== DROPPED);
	for (const g of x) {
		df[g]++;
		flags[g] = IN_CALL;
	}
	const texts = others.map((o) => {
		// the ticket's context first: its bigrams, marked as held by this text, are then not taken as the text's own
		const own = no++;
		const where: number[] = [];
		for (const c of o.context ?? []) if (c) for (const g of b.of(c, own)) if (flags[g] === IN_CALL) where.push(g);
		const y = b.of(o.text, own).filter((g) => flags[g] !== DROPPED);
		for (const g of y) df[g]++;
		return { y, where };
	});
	const n = others.length + 1;
	const weight = df.map((d) => Math.log((n + PRIOR_TEXTS) / (d + 1)) ** 2);
	let xAll = 0;
	for (const g of x) xAll += weight[g];
	return texts.map(({ y, where }) => {
		let xw = xAll;
		for (const g of where) xw -= weight[g];
		let yw = 0;
		let shared = 0;
		let common = 0;
		for (const g of y) {
			yw += weight[g];
			if (flags[g] === IN_CALL) {
				shared += weight[g];
				common++;
			}
		}
		return common >= MIN_SHARED ? Math.min(1, shared / Math.sqrt(xw * yw)) : 0;
	});
}

/**
 * Scores (`repeatScores`) from which an earlier ticket is taken for the same matter. The street's: above what the
 * best of a street's unrelated tickets reaches for nearly every call, so the same kind of problem at the same place
 * in other words. The caller's, lower: a caller's own earlier ticket is most often the matter they call about again.
 * The district's, when the call names no street, for listing a ticket only: a district's thousand tickets hold the
 * same complaint from many places, so the texts must share about half of what they say.
 */
export const REPEAT_SIMILARITY = { street: 0.3, caller: 0.2, district: 0.5 } as const;

/** `repeatScores` of two texts alone, `context` (their addresses) left out of both. */
export function repeatSimilarity(a: string, b: string, context: readonly (string | null | undefined)[] = []): number {
	return repeatScores({ text: a, context }, [{ text: b }])[0];
}
