// Character classes of the segmenter and the sentiment scorer as tables over the UTF-16 code units of the Basic
// Multilingual Plane, each made once from the Unicode pattern it stands for, so a table and its pattern agree on
// every such character by construction. A text is mostly Han characters and the segmenter checks every word and
// many characters: a table lookup costs a fraction of a pattern run on a one-character string (which is also an
// allocation). Surrogates (characters beyond the BMP) are not in the tables: the callers use the patterns for them.

/** Whether a code unit is half of a surrogate pair (a character beyond the BMP). */
export const isSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdfff;

function table(pattern: RegExp): Uint8Array {
	const t = new Uint8Array(0x10000);
	for (let c = 0; c < 0x10000; c++) if (!isSurrogate(c) && pattern.test(String.fromCharCode(c))) t[c] = 1;
	return t;
}

let han: Uint8Array | null = null;
let letterOrDigit: Uint8Array | null = null;
let space: Uint8Array | null = null;

/** BMP code units of the Han script (`\p{Script=Han}`); 0 for surrogates. */
export function hanTable(): Uint8Array {
	return (han ??= table(/\p{Script=Han}/u));
}

/** BMP code units that are letters or numbers (`[\p{L}\p{N}]`); 0 for surrogates. */
export function letterOrDigitTable(): Uint8Array {
	return (letterOrDigit ??= table(/[\p{L}\p{N}]/u));
}

/** BMP code units that begin the segmenter's runs of space (`[\s\u3000\u200b\ufeff]`); 0 for surrogates. */
export function spaceTable(): Uint8Array {
	return (space ??= table(/[\s\u3000\u200b\ufeff]/u));
}

const HAN_ONLY = /^\p{Script=Han}+$/u;

/** Whether `w` is one or more Han characters and nothing else (as /^\p{Script=Han}+$/u). */
export function isHanOnly(w: string): boolean {
	const t = hanTable();
	const n = w.length;
	if (n === 0) return false;
	for (let i = 0; i < n; i++) {
		const c = w.charCodeAt(i);
		if (isSurrogate(c)) return HAN_ONLY.test(w);
		if (t[c] === 0) return false;
	}
	return true;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Whether `w` holds a letter or a number (as /[\p{L}\p{N}]/u). */
export function hasLetterOrDigit(w: string): boolean {
	const t = letterOrDigitTable();
	for (let i = 0; i < w.length; i++) {
		const c = w.charCodeAt(i);
		if (isSurrogate(c)) return LETTER_OR_DIGIT.test(w);
		if (t[c] === 1) return true;
	}
	return false;
}

/** The code units of the characters of `chars` (each one UTF-16 unit), as a set. */
export function codeSet(chars: Iterable<string>): Set<number> {
	const s = new Set<number>();
	for (const c of chars) {
		if (c.length !== 1) throw new Error(`codeSet: "${c}" is not one UTF-16 code unit`);
		s.add(c.charCodeAt(0));
	}
	return s;
}
