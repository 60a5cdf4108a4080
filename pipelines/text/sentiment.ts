/**
 * Sentiment and intensity of a citizen appeal, from a lexicon kept as data (`data/text/sentiment/`, see its
 * README.md). Pure apart from `loadSentimentLexicon`, which reads the files (once per directory).
 *
 * Input: the words of `Segmenter.cut(text)` (all words in order, punctuation included) and the raw text (for
 * the punctuation and count patterns). Words are compared after full-width ASCII → half-width and Latin
 * lower case; nothing else is normalised.
 *
 * Matching. At each word the longest lexicon entry made of 1–4 consecutive words (never across a punctuation
 * word) is taken, so phrases the segmenter splits still match (没 人 管 → 没人管, 投诉 无 门 → 投诉无门)
 * and a longer entry wins over its parts (不满意 over 不 + 满意, 没人管 over 没 + …). A word that matches
 * nothing but is a negation or degree word followed by a sentiment word (不好, 太差, 很满意 when jieba keeps
 * it whole) is read as those two. An entry may have several roles (没人管: negative word and marker); a
 * neutral entry (满意度, 困难补助) has none and only keeps its parts from being read.
 *
 * Scoring, per sentiment word w with lexicon weight |w| (sign from its file):
 *   v = sign · |w| · m
 *     m: product of the degree words within the 3 words before it in the same clause (非常 1.6, 有点 0.7),
 *        capped to [0.2, 3]; when the degree word comes after a negation (不 太 满意) a strengthening m > 1
 *        softens instead: m → 1 / m.
 *   negation (a negation word within the 3 words before it, in the same clause; a punctuation word ends the
 *   scope; the first sentiment word after it consumes it; a word that carries its own negation — 不敢, 不满意,
 *   没人管 — only right after it: 并非 不满意, but not 没 牌照 不敢), with s the negation's strength:
 *     positive word:  v → −s · v                       (没有 解决: −0.8, 不 及时: −1)
 *     negative word:  v → −s · v · 0.5                 (不 危险: +0.6 — relief, weaker than the fear)
 *                     kind `prohibit` (别, 不要) leaves a negative word as it is (别 再 推诿: still −2)
 *   scope: a negation or degree word also stops at a boundary word (就, 还, 又, 也, 都, 所以, …: 一天 不 清
 *     就 臭 — the 不 is about 清) and at a contrast word.
 *   contrast: a contrast word (但是, 可是, …) halves every v before it in the same sentence (。！？；…).
 *   irrealis: a positive v is dropped when its clause (between punctuation words) holds a request, wish,
 *     question or condition word (希望, 请, 要求, 能否, 吗, 如果, …), follows such a word in the same sentence
 *     (请 先 设置 标志 ， 再 尽快 修复), or ends with a question mark: "希望尽快解决" asks for a good outcome
 *     and reports none.
 *   S = Σ v
 *   score = S / √(S² + 4)           in (−1, 1); one 不满意 (−2) → −0.71, one 感谢 (+1.5) → +0.60
 *   label = negative if score ≤ −0.15, positive if score ≥ 0.15, else neutral (|S| below about 0.3: a lone
 *           谢谢 closing a request stays neutral)
 * Intensity, how strongly the caller feels whichever the direction (read with the label: negative and intense
 * = angry or distressed):
 *   A = Σ |v|                        (sentiment words as scored)
 *   M = Σ marker weights             complaint markers (多次, 一直, 至今, 没人管, 强烈要求, 曝光, 媒体, 上访,
 *                                    市长, 12345多次, …) and raw-text patterns: each ! or ！ (up to 3), a run
 *                                    of !!, a run of ？？, a ?!/！？ mix, a count of times ≥ 2 (三次, 好几次),
 *                                    a duration of a month or more (三个多月, 两年); each marker once
 *   intensity = 1 − exp(−(A + M) / 5)   in [0, 1); a plain report (噪音扰民) ≈ 0.2, "多次反映一直没人管，
 *                                    太敷衍了！！" ≈ 0.8
 *   markers: the markers that fired, word markers in text order, then the patterns (!, !!, ??, ?!, N次, N个月).
 *
 * Documented behaviour at the edges: no words (empty, whitespace) → score 0, intensity 0 (or the patterns'
 * share, e.g. "！！！"), neutral; punctuation only → only the punctuation patterns; one character → scored if
 * it is a lexicon word (吵, 臭, 差); Latin words match only lexicon entries (there are almost none: English
 * and ALL-CAPS are not interpreted); traditional characters are not converted (the segmenter does not either):
 * words written the same way in both scripts (很差, 害怕, 危险) still score, others (態度惡劣, 投訴無門) do
 * not, so traditional text tends to neutral; very long text is linear in its length (a long rant saturates:
 * score → −1, intensity → 1).
 *
 * aggregateSentiment: mean score, share of negative items (score ≤ −0.15), mean intensity and n over a list
 * (a topic, a district, a unit); items with a non-finite score or intensity are skipped; no items → zeros.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasLetterOrDigit, isHanOnly } from '../segment/chars';

// ---------------------------------------------------------------------------------------------------------
// Constants of the formula

/** words a negation or degree word reaches forward */
export const SCOPE_WORDS = 3;
/** a negated negative word keeps this share of its (flipped) value */
export const NEGATED_NEGATIVE = 0.5;
/** share of a sentiment value before a contrast word in the same sentence */
export const BEFORE_CONTRAST = 0.5;
/** α of score = S / √(S² + α) */
export const SCORE_ALPHA = 4;
/** κ of intensity = 1 − exp(−(A + M) / κ) */
export const INTENSITY_KAPPA = 5;
/** |score| from which a text is negative or positive */
export const LABEL_THRESHOLD = 0.15;
const DEGREE_MIN = 0.2;
const DEGREE_MAX = 3;
/** longest phrase, in words, matched across word boundaries */
const MAX_SPAN = 4;
const MAX_EXCLAMATIONS = 3;

// ---------------------------------------------------------------------------------------------------------
// Lexicon

export type NegationKind = 'not' | 'prohibit';
export const MARKER_PATTERNS = ['!', '!!', '??', '?!', 'N次', 'N个月'] as const;
export type MarkerPattern = (typeof MARKER_PATTERNS)[number];

/** What a lexicon word does; a word may have several roles. */
export interface LexiconEntry {
	/** weight of a positive word (> 0) */
	positive?: number;
	/** weight of a negative word (> 0; the value counts as −weight) */
	negative?: number;
	negation?: { strength: number; kind: NegationKind };
	degree?: number;
	/** complaint marker weight */
	marker?: number;
	contrast?: boolean;
	irrealis?: boolean;
	/** contains a sentiment word but carries none (满意度, 困难补助): matched so that its parts are not read */
	neutral?: boolean;
	/** ends the reach of a pending negation or degree word (就, 还, 又: 一天 不 清 就 臭) */
	boundary?: boolean;
}

export interface SentimentLexicon {
	readonly entries: ReadonlyMap<string, LexiconEntry>;
	/** weights of the raw-text patterns listed in markers.tsv */
	readonly patterns: Readonly<Partial<Record<MarkerPattern, number>>>;
	/** longest entry, in UTF-16 units */
	readonly maxLength: number;
	/**
	 * Every entry and every proper prefix of one, with the entry (if it is one) and whether it is a prefix: a span
	 * that is none of them cannot grow into an entry. The scorer looks each span up once here.
	 */
	readonly spans: ReadonlyMap<string, { entry: LexiconEntry | undefined; prefix: boolean }>;
	/** first UTF-16 units of the negation and degree entries: a word beginning otherwise has none glued to its front */
	readonly modifierStarts: ReadonlySet<number>;
}

/** The texts of the lexicon files. */
export interface SentimentFiles {
	negative: string;
	positive: string;
	negation: string;
	degree: string;
	markers: string;
	contrast: string;
	irrealis: string;
	neutral: string;
	boundary: string;
}

export const SENTIMENT_FILES: Readonly<Record<keyof SentimentFiles, string>> = {
	negative: 'negative.tsv',
	positive: 'positive.tsv',
	negation: 'negation.tsv',
	degree: 'degree.tsv',
	markers: 'markers.tsv',
	contrast: 'contrast.txt',
	irrealis: 'irrealis.txt',
	neutral: 'neutral.txt',
	boundary: 'boundary.txt'
};

const NEEDS_NORMALIZING = /[\uff01-\uff5e\u3000A-Z]/;

/** Full-width ASCII → half-width, ideographic space → space, Latin lower case. */
export function normalizeWord(w: string): string {
	if (!NEEDS_NORMALIZING.test(w)) return w;
	return w
		.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
		.replace(/\u3000/g, ' ')
		.toLowerCase();
}

interface Line {
	line: number;
	fields: string[];
}

function dataLines(text: string): Line[] {
	const out: Line[] = [];
	(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n').forEach((raw, i) => {
		const line = raw.replace(/\r$/, '').trim();
		if (line === '' || line.startsWith('#')) return;
		out.push({ line: i + 1, fields: line.split(/\s+/) });
	});
	return out;
}

function positiveNumber(s: string | undefined, where: string, what: string): number {
	const v = Number(s);
	if (s === undefined || !Number.isFinite(v) || v <= 0) throw new Error(`${where}: ${what} must be a positive number, not "${s ?? ''}"`);
	return v;
}

/**
 * Builds a lexicon from the files' texts. Throws naming file and line on a malformed line, a word listed
 * twice in one file, a word both positive and negative (or neutral and either), or an unknown pattern.
 */
export function buildSentimentLexicon(files: SentimentFiles): SentimentLexicon {
	const entries = new Map<string, LexiconEntry>();
	const entry = (w: string) => {
		let e = entries.get(w);
		if (!e) entries.set(w, (e = {}));
		return e;
	};
	const patterns: Partial<Record<MarkerPattern, number>> = {};
	const each = (key: keyof SentimentFiles, columns: [number, number], fn: (word: string, fields: string[], where: string) => void) => {
		const file = SENTIMENT_FILES[key];
		const seen = new Set<string>();
		for (const { line, fields } of dataLines(files[key])) {
			const where = `${file}:${line}`;
			if (fields.length < columns[0] || fields.length > columns[1])
				throw new Error(`${where}: expected ${columns[0] === columns[1] ? columns[0] : `${columns[0]}–${columns[1]}`} fields, found ${fields.length}`);
			const word = normalizeWord(fields[0]);
			if (seen.has(word)) throw new Error(`${where}: "${fields[0]}" is listed twice`);
			seen.add(word);
			fn(word, fields, where);
		}
	};
	each('negative', [2, 2], (w, f, where) => (entry(w).negative = positiveNumber(f[1], where, 'weight')));
	each('positive', [2, 2], (w, f, where) => {
		if (entries.get(w)?.negative !== undefined) throw new Error(`${where}: "${w}" is also in ${SENTIMENT_FILES.negative}`);
		entry(w).positive = positiveNumber(f[1], where, 'weight');
	});
	each('negation', [2, 3], (w, f, where) => {
		const strength = positiveNumber(f[1], where, 'strength');
		if (strength > 1) throw new Error(`${where}: strength must be at most 1, not ${strength}`);
		const kind = f[2] ?? 'not';
		if (kind !== 'not' && kind !== 'prohibit') throw new Error(`${where}: kind must be "not" or "prohibit", not "${kind}"`);
		entry(w).negation = { strength, kind };
	});
	each('degree', [2, 2], (w, f, where) => (entry(w).degree = positiveNumber(f[1], where, 'multiplier')));
	each('markers', [2, 3], (w, f, where) => {
		const weight = positiveNumber(f[1], where, 'weight');
		const kind = f[2] ?? 'word';
		if (kind === 'word') entry(w).marker = weight;
		else if (kind === 'pattern') {
			const name = f[0];
			if (!(MARKER_PATTERNS as readonly string[]).includes(name)) throw new Error(`${where}: unknown pattern "${name}" (known: ${MARKER_PATTERNS.join(' ')})`);
			patterns[name as MarkerPattern] = weight;
		} else throw new Error(`${where}: kind must be "word" or "pattern", not "${kind}"`);
	});
	each('contrast', [1, 1], (w) => (entry(w).contrast = true));
	each('irrealis', [1, 1], (w) => (entry(w).irrealis = true));
	each('neutral', [1, 1], (w, _f, where) => {
		const e = entries.get(w);
		if (e?.positive !== undefined || e?.negative !== undefined) throw new Error(`${where}: "${w}" is also a sentiment word`);
		entry(w).neutral = true;
	});
	each('boundary', [1, 1], (w) => (entry(w).boundary = true));
	let maxLength = 1;
	const spans = new Map<string, { entry: LexiconEntry | undefined; prefix: boolean }>();
	const span = (w: string) => {
		let s = spans.get(w);
		if (!s) spans.set(w, (s = { entry: entries.get(w), prefix: false }));
		return s;
	};
	const modifierStarts = new Set<number>();
	for (const [w, e] of entries) {
		maxLength = Math.max(maxLength, w.length);
		span(w);
		for (let k = 1; k < w.length; k++) span(w.slice(0, k)).prefix = true;
		if (e.negation || e.degree !== undefined) modifierStarts.add(w.charCodeAt(0));
	}
	return { entries, patterns, maxLength, spans, modifierStarts };
}

function isSentimentDir(dir: string): boolean {
	return existsSync(join(dir, SENTIMENT_FILES.negative));
}

/**
 * The repository's `data/text/sentiment/`: from this module's location (../../data/text/sentiment), else the
 * nearest ancestor of the module, then of the working directory, that holds data/text/sentiment/negative.tsv.
 */
export function defaultSentimentDir(): string {
	const here = dirname(fileURLToPath(import.meta.url));
	const direct = resolve(here, '..', '..', 'data', 'text', 'sentiment');
	if (isSentimentDir(direct)) return direct;
	for (const from of [here, process.cwd()]) {
		let dir = resolve(from);
		for (;;) {
			const cand = join(dir, 'data', 'text', 'sentiment');
			if (isSentimentDir(cand)) return cand;
			const up = dirname(dir);
			if (up === dir) break;
			dir = up;
		}
	}
	return direct;
}

const lexiconCache = new Map<string, SentimentLexicon>();

/**
 * Reads and builds the lexicon (cached per directory). `dataDir` is the directory with the files, or a data
 * directory holding `text/sentiment/` (the repository's `data/`); default: the repository's.
 */
export function loadSentimentLexicon(dataDir?: string): SentimentLexicon {
	let dir = resolve(dataDir ?? defaultSentimentDir());
	if (!isSentimentDir(dir) && isSentimentDir(join(dir, 'text', 'sentiment'))) dir = join(dir, 'text', 'sentiment');
	const hit = lexiconCache.get(dir);
	if (hit) return hit;
	const read = (key: keyof SentimentFiles) => {
		const file = join(dir, SENTIMENT_FILES[key]);
		try {
			return readFileSync(file, 'utf8');
		} catch (e) {
			throw new Error(`${file}: cannot read sentiment lexicon file (${(e as Error).message})`);
		}
	};
	const files = Object.fromEntries(Object.keys(SENTIMENT_FILES).map((k) => [k, read(k as keyof SentimentFiles)])) as unknown as SentimentFiles;
	let lex: SentimentLexicon;
	try {
		lex = buildSentimentLexicon(files);
	} catch (e) {
		throw new Error(`${dir}/${(e as Error).message}`);
	}
	lexiconCache.set(dir, lex);
	return lex;
}

// ---------------------------------------------------------------------------------------------------------
// Scoring

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface SentimentResult {
	/** in [−1, 1]; negative = angry, distressed, complaining */
	score: number;
	/** in [0, 1]: how strongly it is felt (sentiment words and complaint markers) */
	intensity: number;
	label: SentimentLabel;
	/** complaint markers that fired: word markers in text order, then the raw-text patterns */
	markers: string[];
}

export function labelOf(score: number): SentimentLabel {
	return score <= -LABEL_THRESHOLD ? 'negative' : score >= LABEL_THRESHOLD ? 'positive' : 'neutral';
}

const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const SENTENCE_END = /[。．.！!？?；;…\n]/;
const QUESTION = /[？?]/;

interface Hit {
	value: number;
	clause: number;
}

/** Scores one text (see the module comment for the formula). */
export function sentimentOf(words: readonly string[], rawText: string, lexicon: SentimentLexicon): SentimentResult {
	const entries = lexicon.entries;
	// the words normalised, without blank ones, and whether each is punctuation (no letter or digit); a word of Han
	// characters only (most of them) is its own normal form and never blank
	const norm: string[] = [];
	const punct: boolean[] = [];
	for (const word of words) {
		const han = isHanOnly(word);
		const w = han ? word : normalizeWord(word);
		if (!han && w.trim() === '') continue;
		norm.push(w);
		punct.push(han ? !hasLetterOrDigit(w) : !HAS_LETTER_OR_DIGIT.test(w));
	}
	const n = norm.length;

	const hits: Hit[] = [];
	const irrealisClauses = new Set<number>();
	const markerNames: string[] = [];
	const markerSeen = new Set<string>();
	let markerSum = 0;
	const addMarker = (name: string, weight: number) => {
		if (markerSeen.has(name)) return;
		markerSeen.add(name);
		markerNames.push(name);
		markerSum += weight;
	};

	let clause = 0;
	let sentenceStart = 0; // index into hits
	let sentenceIrrealis = false; // an irrealis word earlier in this sentence
	let negation: { strength: number; kind: NegationKind; left: number } | null = null;
	let degree: { mult: number; left: number; afterNegation: boolean } | null = null;

	// pending scopes age by one word
	const tick = () => {
		if (negation && --negation.left <= 0) negation = null;
		if (degree && --degree.left <= 0) degree = null;
	};

	const apply = (e: LexiconEntry, word: string) => {
		if (e.marker !== undefined) addMarker(word, e.marker);
		if (e.irrealis) {
			irrealisClauses.add(clause);
			sentenceIrrealis = true;
		}
		if (e.contrast) for (let h = sentenceStart; h < hits.length; h++) hits[h].value *= BEFORE_CONTRAST;
		if (e.contrast || e.boundary) {
			negation = null;
			degree = null;
		}
		const weight = e.positive ?? (e.negative !== undefined ? -e.negative : undefined);
		if (weight !== undefined) {
			let m = degree ? Math.min(DEGREE_MAX, Math.max(DEGREE_MIN, degree.mult)) : 1;
			if (negation && degree?.afterNegation && m > 1) m = 1 / m;
			let v = weight * m;
			// a word that carries its own negation (不敢, 不满意, 没人管) is negated only right after the
			// negation word: in 没 牌照 不敢 上路 the 没 is about the licence plate
			if (negation && negation.left < SCOPE_WORDS && startsNegated(word)) negation = null;
			if (negation) {
				if (v > 0) v = -v * negation.strength;
				else if (negation.kind === 'not') v = -v * negation.strength * NEGATED_NEGATIVE;
			}
			hits.push({ value: v, clause });
			negation = null;
			degree = null;
			return;
		}
		if (e.negation) {
			tick();
			negation = { strength: e.negation.strength, kind: e.negation.kind, left: SCOPE_WORDS };
			return;
		}
		if (e.degree !== undefined) {
			tick();
			if (degree) {
				degree.mult *= e.degree;
				degree.left = SCOPE_WORDS;
			} else degree = { mult: e.degree, left: SCOPE_WORDS, afterNegation: negation !== null };
			return;
		}
		tick();
	};

	const startsNegated = (word: string): boolean => {
		for (let p = Math.min(3, word.length - 1); p >= 1; p--) if (entries.get(word.slice(0, p))?.negation) return true;
		return false;
	};

	let i = 0;
	while (i < n) {
		const w = norm[i];
		if (punct[i]) {
			if (QUESTION.test(w)) irrealisClauses.add(clause);
			if (SENTENCE_END.test(w)) {
				sentenceStart = hits.length;
				sentenceIrrealis = false;
			}
			clause++;
			if (sentenceIrrealis) irrealisClauses.add(clause);
			negation = null;
			degree = null;
			i++;
			continue;
		}
		// longest entry of 1–MAX_SPAN words, not across punctuation
		let best: LexiconEntry | undefined;
		let bestWord = '';
		let span = 0;
		let concat = '';
		for (let k = 0; k < MAX_SPAN && i + k < n && !punct[i + k]; k++) {
			concat += norm[i + k];
			if (concat.length > lexicon.maxLength) break;
			const s = lexicon.spans.get(concat);
			if (!s) break;
			if (s.entry) {
				best = s.entry;
				bestWord = concat;
				span = k + 1;
			}
			if (!s.prefix) break;
		}
		if (best) {
			apply(best, bestWord);
			i += span;
			continue;
		}
		// a negation or degree prefix glued to a sentiment word by the segmenter (不好, 太差, 很满意)
		let split = false;
		for (let p = 1; p <= 2 && p < w.length && lexicon.modifierStarts.has(w.charCodeAt(0)); p++) {
			const pre = entries.get(w.slice(0, p));
			if (!pre || !(pre.negation || pre.degree !== undefined)) continue;
			const rest = entries.get(w.slice(p));
			if (rest && (rest.positive !== undefined || rest.negative !== undefined)) {
				apply(pre, w.slice(0, p));
				apply(rest, w.slice(p));
				split = true;
				break;
			}
		}
		if (!split) tick();
		i++;
	}

	// irrealis clauses: positive values do not count
	let s = 0;
	let a = 0;
	for (const h of hits) {
		if (h.value > 0 && irrealisClauses.has(h.clause)) continue;
		s += h.value;
		a += Math.abs(h.value);
	}

	// raw-text patterns
	for (const [name, weight] of rawPatterns(rawText, lexicon.patterns)) addMarker(name, weight);
	markerSum += excessExclamations(rawText, lexicon.patterns);

	const score = s / Math.sqrt(s * s + SCORE_ALPHA);
	const intensity = 1 - Math.exp(-(a + markerSum) / INTENSITY_KAPPA);
	return { score: clean(score), intensity: clean(intensity), label: labelOf(score), markers: markerNames };
}

/** −0 → 0 and rounding noise off (12 decimals) so results compare and serialise cleanly. */
function clean(x: number): number {
	const r = Math.round(x * 1e12) / 1e12;
	return r === 0 ? 0 : r;
}

const RE_EXCL = /[!！]/g;
const RE_EXCL_ONE = /[!！]/;
const RE_EXCL_RUN = /[!！]{2,}/;
const RE_QUEST_RUN = /[?？]{2,}/;
const RE_MIXED_RUN = /[?？][!！]|[!！][?？]/;
// a count of times: 第 optional, then digits or Chinese numerals, then 次/趟/遍/回
const RE_TIMES = /(第)?([0-9０-９]+|无数|[两二三四五六七八九十几数好]+)\s*(?:次|趟|遍|回)/g;
// a duration: digits (1–2) or Chinese numerals, then 个(多)月 / 个半月 / (多)年 / 年多; not a year (2026年), not 年级
const RE_DURATION = /(?<![0-9０-９〇○零一二三四五六七八九十])([0-9０-９]{1,2}|[一两二三四五六七八九十几半好数多]+)\s*(?:个多?月|个半月|多?年(?!级|代|底|初|末|前后)|年多)/;

// the one character each pattern ends with: a scan for it is far cheaper than the pattern, and most texts lack it
const RE_TIMES_END = /[次趟遍回]/;
const RE_DURATION_END = /[月年]/;

/** The patterns that fire on the raw text, in MARKER_PATTERNS order, with their weights (`!` once). */
function rawPatterns(raw: string, weights: Partial<Record<MarkerPattern, number>>): [MarkerPattern, number][] {
	const out: [MarkerPattern, number][] = [];
	const fire = (p: MarkerPattern, yes: boolean) => {
		const w = weights[p];
		if (yes && w !== undefined) out.push([p, w]);
	};
	fire('!', RE_EXCL_ONE.test(raw));
	fire('!!', RE_EXCL_RUN.test(raw));
	fire('??', RE_QUEST_RUN.test(raw));
	fire('?!', RE_MIXED_RUN.test(raw));
	fire('N次', hasRepeatCount(raw));
	fire('N个月', hasDuration(raw));
	return out;
}

/** Weight of the second and third exclamation marks (the first is counted with the marker `!`). */
function excessExclamations(raw: string, weights: Partial<Record<MarkerPattern, number>>): number {
	const w = weights['!'];
	if (w === undefined) return 0;
	const count = raw.match(RE_EXCL)?.length ?? 0;
	return Math.max(0, Math.min(count, MAX_EXCLAMATIONS) - 1) * w;
}

function hasDuration(raw: string): boolean {
	return RE_DURATION_END.test(raw) && RE_DURATION.test(raw);
}

function hasRepeatCount(raw: string): boolean {
	if (!RE_TIMES_END.test(raw)) return false;
	for (const m of raw.matchAll(RE_TIMES)) {
		const ordinal = m[1] !== undefined;
		const num = m[2];
		if (/^[0-9０-９]+$/.test(num)) {
			if (Number(num.replace(/[０-９]/g, (c) => String(c.charCodeAt(0) - 0xff10))) >= 2) return true;
			continue;
		}
		if (num === '二' && !ordinal) continue; // 二次供水, 二次报销
		const before = raw[(m.index ?? 0) - 1] ?? '';
		if (!ordinal && /[一二三四五六七八九十〇○零0-9０-９]/.test(before)) continue; // part of a longer number
		return true;
	}
	return false;
}

// ---------------------------------------------------------------------------------------------------------
// Aggregation

export interface SentimentAggregate {
	/** mean score */
	mean: number;
	/** share of items with score ≤ −0.15 (label negative) */
	negativeShare: number;
	meanIntensity: number;
	/** items counted */
	n: number;
}

/** Aggregates scored items (a topic's, a district's, a unit's tickets). Non-finite items are skipped. */
export function aggregateSentiment(items: Iterable<{ score: number; intensity: number }>): SentimentAggregate {
	let n = 0;
	let sum = 0;
	let neg = 0;
	let inten = 0;
	for (const it of items) {
		if (!Number.isFinite(it.score) || !Number.isFinite(it.intensity)) continue;
		n++;
		sum += it.score;
		inten += it.intensity;
		if (it.score <= -LABEL_THRESHOLD) neg++;
	}
	if (n === 0) return { mean: 0, negativeShare: 0, meanIntensity: 0, n: 0 };
	return { mean: sum / n, negativeShare: neg / n, meanIntensity: inten / n, n };
}
