// Text normalisation for feed records: full-width → half-width where it matters (ids, phone numbers, times,
// addresses for matching), and the cleaning of free text (content, title) that is otherwise stored exactly
// as sent. Pure functions, no dependencies.

/**
 * Characters of the Halfwidth and Fullwidth Forms block (U+FF01–U+FF5E) that are kept as they are, because in
 * Chinese text they are the normal Chinese punctuation marks (GB/T 15834), not full-width ASCII:
 * ！ （ ） ， ： ； ？ ～
 */
export const KEPT_FULLWIDTH = '！（），：；？～';
const KEPT = new Set([...KEPT_FULLWIDTH].map((c) => c.charCodeAt(0)));

/** Fast test: does the string contain anything `toHalfWidth` would change? */
const FULLWIDTH_ANY = /[\u3000\uff01-\uff5e]/;

/**
 * Full-width ASCII → half-width ASCII. Exactly these code points are converted:
 *
 * - U+3000 IDEOGRAPHIC SPACE → U+0020 SPACE;
 * - U+FF01–U+FF5E (full-width forms of U+0021–U+007E: letters ＡＢＣ ａｂｃ, digits ０１２, and the ASCII
 *   punctuation ＂＃＄％＆＇＊＋－．／＜＝＞＠［＼］＾＿｀｛｜｝) → the ASCII character 0xFEE0 below,
 *   **except** the eight marks that are ordinary Chinese punctuation and stay as they are:
 *   ！（），：；？～ (see `KEPT_FULLWIDTH`).
 *
 * Everything else is untouched, in particular the Chinese punctuation outside that block (。、“”‘’《》【】…—·),
 * ￥ (U+FFE5), half-width katakana and all CJK characters. The result has the same length (UTF-16 units) as the
 * input, so positions carry over.
 */
export function toHalfWidth(s: string): string {
	if (!FULLWIDTH_ANY.test(s)) return s;
	let out = '';
	let from = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		let r = -1;
		if (c === 0x3000) r = 0x20;
		else if (c >= 0xff01 && c <= 0xff5e && !KEPT.has(c)) r = c - 0xfee0;
		if (r >= 0) {
			out += s.slice(from, i) + String.fromCharCode(r);
			from = i + 1;
		}
	}
	return out + s.slice(from);
}

export type TextFlag = 'control_chars' | 'html' | 'invalid_unicode';

export interface CleanText {
	/** the cleaned text (see `cleanText`) */
	text: string;
	/** what was found, each flag at most once, in the order control_chars, invalid_unicode, html */
	flags: TextFlag[];
}

// C0 controls except TAB (09) and LF (0A) — CR (0D) is handled as a line break before this runs —, DEL and
// the C1 controls. Format characters (zero-width space, bidi marks) are not control characters and stay.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const CONTROL_ANY = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const LONE_SURROGATE_ANY = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const HTML_TAGS =
	'abbr|applet|area|audio|base|basefont|bgsound|blink|body|br|button|canvas|center|details|dialog|div|em|embed|' +
	'font|form|frame|frameset|h[1-6]|head|html|iframe|img|image|input|isindex|keygen|label|layer|li|link|marquee|math|' +
	'meta|noscript|object|ol|option|param|pre|script|select|source|span|strong|style|svg|table|tbody|td|template|' +
	'textarea|th|title|tr|ul|video|xml|xmp';
/**
 * HTML or script: a start or end tag of a known HTML element (`<script>`, `</div>`, `<img src=x onerror=…>`; the
 * one-letter elements a, b, i, p, u only as `<b>`, `</b>` or with an attribute, `<a href=…>`), an HTML comment,
 * a `javascript:` / `vbscript:` URL, or a `data:text/html` URL. Tag names must be known elements so that Chinese
 * writing such as `<<消费者权益保护法>>`, `温度<30度` or `a<b 且 c>d` is not taken for HTML.
 */
const HTML = new RegExp(
	`<\\s*\\/?\\s*(?:${HTML_TAGS})(?=[\\s/>])|<\\/?[abipu](?:\\s*\\/?>|\\s+[a-z-]+\\s*=)|<!--|\\b(?:java|vb)script\\s*:|data\\s*:\\s*text\\/html`,
	'i'
);

/**
 * Cleans free text (content, title, address) of a record:
 *
 * 1. line breaks: CRLF and lone CR become LF;
 * 2. control characters (C0 except TAB and LF, DEL, C1) are removed — flag `control_chars`;
 * 3. unpaired UTF-16 surrogates (which cannot be stored as UTF-8) become U+FFFD — flag `invalid_unicode`;
 * 4. leading and trailing white space is trimmed (`String.prototype.trim`: spaces, tabs, line breaks, U+3000,
 *    no-break space, BOM …);
 * 5. HTML or script (see `HTML` above) is detected — flag `html` — but the text is **kept exactly as sent**: it is
 *    escaped when rendered, never stripped or rewritten here.
 *
 * Nothing else changes: inner white space and blank lines are not collapsed, full-width characters are not
 * converted (`toHalfWidth` is for matching and for structured fields, not for stored content).
 */
export function cleanText(s: string): CleanText {
	const flags: TextFlag[] = [];
	let t = s.indexOf('\r') >= 0 ? s.replace(/\r\n?/g, '\n') : s;
	if (CONTROL_ANY.test(t)) {
		t = t.replace(CONTROL, '');
		flags.push('control_chars');
	}
	if (LONE_SURROGATE_ANY.test(t)) {
		t = t.replace(LONE_SURROGATE, '\ufffd');
		flags.push('invalid_unicode');
	}
	t = t.trim();
	if (HTML.test(t)) flags.push('html');
	return { text: t, flags };
}

/** Whether a text contains HTML or script (the `html` flag of `cleanText`). */
export function looksLikeHtml(s: string): boolean {
	return HTML.test(s);
}

/** The content length rule of the canonical feed record: 1 to 10,000 characters after trimming. */
export const CONTENT_MIN_CHARS = 1;
export const CONTENT_MAX_CHARS = 10_000;

/**
 * Length in characters as the 1–10,000 rule counts them: Unicode code points, so a character outside the
 * Basic Multilingual Plane (𠀀, most emoji) counts once, not twice as in `String.length`. Combining sequences
 * (an emoji with skin tone, a family emoji) count each of their code points.
 */
export function contentLength(s: string): number {
	let n = s.length;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c >= 0xd800 && c <= 0xdbff) {
			const d = s.charCodeAt(i + 1);
			if (d >= 0xdc00 && d <= 0xdfff) {
				n--;
				i++;
			}
		}
	}
	return n;
}

/**
 * The first `n` characters of `s`, counted as contentLength counts them (code points): a cut by `slice` could
 * fall inside a surrogate pair (an emoji, 𠀀) and leave half a character, shown as �. Whole strings of at most
 * `n` characters are returned as they are.
 */
export function cutChars(s: string, n: number): string {
	if (s.length <= n) return s;
	let i = 0;
	for (let k = 0; k < n && i < s.length; k++) {
		const c = s.charCodeAt(i);
		i += c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
	}
	return s.slice(0, i);
}

/** A character no store can keep: its code point (U+0000) and what it is called in a refusal (空字符（U+0000）). */
export interface UnsavableChar {
	code: string;
	what: string;
}

const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The first character of a text people type (a ticket, a note, an alert's reason, a knowledge article) that no
 * store can keep, or null: a NUL (U+0000), which PostgreSQL's text refuses, or else an unpaired UTF-16 surrogate
 * (a JSON body may hold "\ud800"), which is no character and has no UTF-8 form. Such text is refused naming its
 * field (`unsavableMessage`), never altered: it is stored exactly as given. (The feed's `cleanText` removes control
 * characters and replaces unpaired surrogates with U+FFFD instead, flagging the record.)
 */
export function unsavableChar(s: string): UnsavableChar | null {
	if (s.includes('\u0000')) return { code: 'U+0000', what: '空字符（U+0000）' };
	const m = LONE_SURROGATE_ANY.exec(s);
	if (m) {
		const code = hex(m[0].charCodeAt(0));
		return { code, what: `无效字符（不成对的代理码元 ${code}）` };
	}
	return null;
}

/** The refusal of a field whose text holds what `unsavableChar` finds, or null when every text can be stored. */
export function unsavableMessage(label: string, ...values: (string | null | undefined)[]): string | null {
	for (const v of values) {
		const c = v ? unsavableChar(v) : null;
		if (c) return `${label}含有${c.what}，无法保存，请删除后重试`;
	}
	return null;
}

/**
 * The same refusal where nothing is saved (the 受理 assistant reads a call being typed): such a text cannot be
 * analysed either (a lone surrogate has no UTF-8 form for the segmenter), but 无法保存 would tell of a save that is
 * not there. E.g. 诉求内容含有无法识别的字符（空字符 U+0000），请删除后重试.
 */
export function unreadableMessage(label: string, ...values: (string | null | undefined)[]): string | null {
	for (const v of values) {
		const c = v ? unsavableChar(v) : null;
		if (c) return `${label}含有无法识别的字符（${c.code === 'U+0000' ? '空字符 U+0000' : `不成对的代理码元 ${c.code}`}），请删除后重试`;
	}
	return null;
}
