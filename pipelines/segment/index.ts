/**
 * Chinese word segmentation for hotline text: nodejieba (cppjieba) with a user dictionary of the city's places,
 * undertaking units and government/complaint terms, a stop-word list, rules that follow the segmentation
 * standard of the PKU corpus (People's Daily: numbers, dates, names, numeral + classifier, compounds), and
 * TF-IDF keywords. On the SIGHAN 2005 PKU test set it scores F1 ≈ 0.92 (nodejieba as shipped: 0.80); see
 * `npm run bench -- segment` for each change's share.
 *
 * Data files (`data/dict/`, see its README.md):
 *   terms.txt         hand-curated terms, jieba user-dictionary lines `word freq tag` (# comments allowed)
 *   stopwords.txt     one stop word per line (# comments allowed)
 *   domain-check.tsv  hotline phrases and the domain words that must stay whole (tests and benchmark)
 * Place and unit names are NOT copied into data/dict: they are generated at run time from the reference data
 * (`loadReference()`: district and street names with their aliases, unit names and short names), so the
 * gazetteer stays the one source. The combined user dictionary and the derived main dictionary are written
 * to a cache directory (default `<os tmpdir>/minqing-segment/`, named by content hash, written atomically).
 *
 * cut(text) — every character of the text except whitespace ends up in exactly one word, in order:
 *   1. Pre-tokenising (jieba only ever sees runs of Han characters):
 *      - user terms that contain digits or Latin letters (12345, 12345热线, PM2.5, 苏e行) stay whole;
 *      - whitespace separates words and is dropped;
 *      - an Arabic number (ASCII or full-width; . ． · ∶ : ： / ／ between digits) is one word, with a
 *        following %, ％, ‰, 万, 亿 or 万亿, or a date/time unit: 年 after 3+ digits (1998年; "5 年" is a
 *        count), 月/月份 (1–12), 日 (1–31), 号 right after a month, 时 and 点/点钟 (0–24), 分 after a time,
 *        秒 after minutes; a minus sign directly before a number (not after a digit or letter) belongs to it;
 *      - Chinese dates: digit-by-digit years (一九九八年, 二○○一年), months (十二月), and a day right after
 *        a month (十二月 三十一日);
 *      - a run of letters and digits with at least one (non-Han) letter is one word (WTO, 5G, Wi-Fi, AT&T);
 *      - a run of the same dash, ellipsis or dot (——, ……) is one word; any other symbol is a word of its own.
 *   2. jieba on each Han run, HMM off by default (the HMM guesses unknown words but costs 2 points of F1).
 *   3. Rules on jieba's words (never on user-dictionary words):
 *      - Chinese numbers cut into pieces are joined (第二 十一 → 第二十一, 百分之 五十 → 百分之五十);
 *      - numeral + classifier are two words (一年 → 一 年, 五十岁 → 五十 岁, 第一天 → 第一 天, 多名 → 多 名),
 *        except lexicalised words (一个, 多年, 百年, 万岁, …);
 *      - a dictionary person name of three characters is split after the surname (江泽民 → 江 泽民,
 *        欧阳修 → 欧阳 修), as the standard writes family and given names as two words.
 *   The main dictionary is nodejieba's, less rare long compounds and long organisation names (see
 *   `deriveMainDict`). Every rule can be switched off (`rules`) for the benchmark's ablation.
 *
 * tokens(text) — the words of cut(text) for indexing and keywords: full-width ASCII → half-width, Latin in
 *   lower case; dropped when the word is a stop word, has no letter or digit (punctuation, symbols), or is a
 *   pure number (digits with optional sign, separators, decimals and %, or Chinese numeral characters only),
 *   except that user-dictionary terms are always kept (12345).
 *
 * nodejieba's dictionary is process-global: segmenters with different dictionaries in one process work, but
 * each switch between them reloads the dictionary (about 2 s) — use one configuration per process or per
 * worker thread (`SegmentPool`, pool.ts). Traditional characters are not converted: jieba's dictionary is
 * simplified, so traditional text comes out in short words or single characters.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultDataDir, loadReference } from '../reference/index';
import { SURNAMES } from '../normalize/phone';
import { codeSet, hanTable, isHanOnly, isSurrogate, spaceTable } from './chars';

// ---------------------------------------------------------------------------------------------------------
// nodejieba (CommonJS, native), loaded on first use.

interface NodeJieba {
	DEFAULT_DICT: string;
	DEFAULT_HMM_DICT: string;
	DEFAULT_USER_DICT: string;
	DEFAULT_IDF_DICT: string;
	DEFAULT_STOP_WORD_DICT: string;
	load(opts: { dict?: string; hmmDict?: string; userDict?: string; idfDict?: string; stopWordDict?: string }): boolean;
	cut(sentence: string, hmm?: boolean): string[];
}
let jiebaModule: NodeJieba | null = null;
function jieba(): NodeJieba {
	if (!jiebaModule) jiebaModule = createRequire(import.meta.url)('nodejieba') as NodeJieba;
	return jiebaModule;
}
/** Key of the dictionary set nodejieba currently holds (process-global). */
let loadedKey: string | null = null;
let loadCount = 0;
/** How many times this process has (re)loaded nodejieba's dictionaries (for tests and diagnostics). */
export function dictionaryLoads(): number {
	return loadCount;
}

// ---------------------------------------------------------------------------------------------------------
// Options

export interface SegmentRules {
	/** numbers, dates and Latin runs as words (pre-tokenising, step 1) */
	numbers: boolean;
	/** runs of the same dash/ellipsis character as one word */
	punctRuns: boolean;
	/** numeral + classifier as two words */
	numeralClassifier: boolean;
	/** split dictionary person names after the surname */
	names: boolean;
	/** main dictionary without rare long compounds (see `deriveMainDict`) */
	pruneRare: boolean;
	/** main dictionary without organisation names of four or more characters */
	pruneOrgs: boolean;
}

export interface SegmenterOptions {
	/** reference data directory for place and unit names (default: the repository's data/) */
	referenceDir?: string;
	/** directory with terms.txt and stopwords.txt (default: <referenceDir>/dict) */
	dictDir?: string;
	/** use the user dictionary (places, units, terms); default true */
	userDict?: boolean;
	/** jieba's HMM for words not in the dictionary; default false (it costs 2 points of F1 on PKU) */
	hmm?: boolean;
	/** rule switches, all on by default (for ablation in the benchmark) */
	rules?: Partial<SegmentRules>;
	/** where generated dictionary files go (default <os tmpdir>/minqing-segment) */
	cacheDir?: string;
	/** changes to the data files kept elsewhere (设置 › 词典, the units' directory); none by default */
	overlay?: DictionaryOverlay;
}

/**
 * What a running app changes of the dictionary files: terms added or given another weight or tag (after terms.txt
 * and the generated place and unit names: the later entry of a word wins), terms taken out of the user dictionary,
 * stop words added, and stop words of stopwords.txt that are words again. Plain data, so it reaches the
 * segmentation workers as it is.
 */
export interface DictionaryOverlay {
	terms?: DictEntry[];
	removedTerms?: string[];
	stopWords?: string[];
	keptWords?: string[];
}

/** Whether an overlay changes anything. */
export function overlayIsEmpty(o: DictionaryOverlay | undefined): boolean {
	return !o || !(o.terms?.length || o.removedTerms?.length || o.stopWords?.length || o.keptWords?.length);
}

export interface Segmenter {
	/** all words of the text in order, whitespace dropped */
	cut(text: string): string[];
	/** words for indexing and keywords: normalised, without stop words, punctuation and pure numbers */
	tokens(text: string): string[];
	/** tokens(text) from cut(text)'s words, for callers that need both */
	tokensOf(words: readonly string[]): string[];
	/** the options as resolved */
	readonly options: Readonly<ResolvedOptions>;
	readonly stopWords: ReadonlySet<string>;
	/** the words of the user dictionary (places, units, terms, the overlay's): kept whole */
	readonly userWords: ReadonlySet<string>;
}

export interface ResolvedOptions {
	referenceDir: string;
	dictDir: string;
	userDict: boolean;
	hmm: boolean;
	rules: SegmentRules;
	cacheDir: string;
	overlay: DictionaryOverlay;
}

export const DEFAULT_RULES: Readonly<SegmentRules> = {
	numbers: true,
	punctRuns: true,
	numeralClassifier: true,
	names: true,
	pruneRare: true,
	pruneOrgs: true
};

export function resolveOptions(opts: SegmenterOptions = {}): ResolvedOptions {
	const referenceDir = resolve(opts.referenceDir ?? defaultDataDir());
	return {
		referenceDir,
		dictDir: resolve(opts.dictDir ?? join(referenceDir, 'dict')),
		userDict: opts.userDict ?? true,
		hmm: opts.hmm ?? false,
		rules: { ...DEFAULT_RULES, ...opts.rules },
		cacheDir: resolve(opts.cacheDir ?? join(tmpdir(), 'minqing-segment')),
		overlay: opts.overlay ?? {}
	};
}

// ---------------------------------------------------------------------------------------------------------
// Data files

/** A user-dictionary entry. */
export interface DictEntry {
	word: string;
	freq: number;
	tag: string;
}

function readDataFile(file: string): string {
	try {
		const text = readFileSync(file, 'utf8');
		return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	} catch (e) {
		throw new Error(`${file}: cannot read dictionary file (${(e as Error).message})`);
	}
}

/** Parses `word [freq [tag]]` lines; `#` starts a comment line. Throws naming file and line. */
export function parseTerms(text: string, file = 'terms.txt'): DictEntry[] {
	const out: DictEntry[] = [];
	text.split('\n').forEach((raw, i) => {
		const line = raw.replace(/\r$/, '').trim();
		if (line === '' || line.startsWith('#')) return;
		const parts = line.split(/\s+/);
		if (parts.length > 3) throw new Error(`${file}:${i + 1}: expected "word freq tag", found ${parts.length} fields`);
		const freq = parts[1] === undefined ? DEFAULT_FREQ : Number(parts[1]);
		if (!Number.isInteger(freq) || freq < 1) throw new Error(`${file}:${i + 1}: frequency must be a positive integer, not "${parts[1]}"`);
		out.push({ word: parts[0], freq, tag: parts[2] ?? 'n' });
	});
	return out;
}

/** One word per line; `#` comments. */
export function parseWordList(text: string): string[] {
	return text
		.split('\n')
		.map((l) => l.replace(/\r$/, '').trim())
		.filter((l) => l !== '' && !l.startsWith('#'));
}

const DEFAULT_FREQ = 1000;
const PLACE_FREQ = 2000;
const UNIT_FREQ = 1000;

/** A generated entry's word: two or more characters that reach jieba as one run (no brackets, no spaces). */
const generatedWord = (word: string) => [...word].length >= 2 && /^[\p{Script=Han}\p{L}\p{N}]+$/u.test(word);

/** Dictionary entries (nt) of unit names: those that can be one word, each once. */
export function unitNameEntries(names: Iterable<string>): DictEntry[] {
	const out = new Map<string, DictEntry>();
	for (const w of names) if (generatedWord(w) && !out.has(w)) out.set(w, { word: w, freq: UNIT_FREQ, tag: 'nt' });
	return [...out.values()];
}

/**
 * The generated part of the user dictionary: district and street names and aliases (ns), unit names and
 * short names (nt). Names with characters that never reach jieba as one run (brackets, spaces) are left out.
 */
export function referenceEntries(referenceDir: string): DictEntry[] {
	const ref = loadReference(referenceDir);
	const out: DictEntry[] = [];
	for (const d of ref.districts) for (const w of [d.name, ...d.aliases]) if (generatedWord(w)) out.push({ word: w, freq: PLACE_FREQ, tag: 'ns' });
	for (const s of ref.streets) for (const w of [s.name, ...s.aliases]) if (generatedWord(w)) out.push({ word: w, freq: PLACE_FREQ, tag: 'ns' });
	out.push(...unitNameEntries(ref.units.flatMap((u) => [u.name, u.shortName])));
	return out;
}

/**
 * The whole user dictionary: reference entries, terms.txt, then the overlay's terms (a later entry of the same word
 * wins), less the overlay's removed terms.
 */
export function userDictionary(o: Pick<ResolvedOptions, 'referenceDir' | 'dictDir'> & { overlay?: DictionaryOverlay }): DictEntry[] {
	const byWord = new Map<string, DictEntry>();
	for (const e of referenceEntries(o.referenceDir)) byWord.set(e.word, e);
	for (const e of fileTerms(o.dictDir)) byWord.set(e.word, e);
	for (const e of o.overlay?.terms ?? []) byWord.set(e.word, e);
	for (const w of o.overlay?.removedTerms ?? []) byWord.delete(w);
	return [...byWord.values()];
}

/** The terms of `<dictDir>/terms.txt`. */
export function fileTerms(dictDir: string): DictEntry[] {
	const termsFile = join(dictDir, 'terms.txt');
	return parseTerms(readDataFile(termsFile), termsFile);
}

/** The stop words of `<dictDir>/stopwords.txt`, with the overlay's added and less its kept words. */
export function loadStopWords(dictDir: string, overlay?: DictionaryOverlay): Set<string> {
	const words = new Set(parseWordList(readDataFile(join(dictDir, 'stopwords.txt'))));
	for (const w of overlay?.stopWords ?? []) words.add(w);
	for (const w of overlay?.keptWords ?? []) words.delete(w);
	return words;
}

/** A phrase of the domain check (`domain-check.tsv`) and the words that must come out of it whole. */
export interface DomainCheck {
	phrase: string;
	words: string[];
}

/** Reads `<dictDir>/domain-check.tsv` (header `phrase<TAB>words`, words separated by spaces, # comments). */
export function loadDomainCheck(dictDir: string): DomainCheck[] {
	const file = join(dictDir, 'domain-check.tsv');
	const out: DomainCheck[] = [];
	let header = false;
	readDataFile(file)
		.split('\n')
		.forEach((raw, i) => {
			const line = raw.replace(/\r$/, '');
			if (line.trim() === '' || line.startsWith('#')) return;
			if (!header) {
				header = true;
				return;
			}
			const [phrase, words] = line.split('\t');
			if (!phrase || !words?.trim()) throw new Error(`${file}:${i + 1}: expected "phrase<TAB>words"`);
			out.push({ phrase, words: words.trim().split(/\s+/) });
		});
	return out;
}

/** Writes `content` to `<dir>/<prefix>-<sha1>.utf8` unless present; returns the path. Atomic (rename). */
function cachedFile(dir: string, prefix: string, content: string): string {
	const hash = createHash('sha1').update(content).digest('hex').slice(0, 16);
	const file = join(dir, `${prefix}-${hash}.utf8`);
	if (existsSync(file)) return file;
	mkdirSync(dir, { recursive: true });
	const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
	writeFileSync(tmp, content);
	renameSync(tmp, file);
	return file;
}

// ---------------------------------------------------------------------------------------------------------
// The main dictionary: jieba's, with entries that the PKU-style rules re-split dropped.

interface MainDict {
	/** path of the (derived) dictionary file given to jieba */
	file: string;
	/** person names (tag nr) of the dictionary, for the surname rule */
	names: Set<string>;
}
const mainDictCache = new Map<string, MainDict>();

/**
 * Reads jieba's dictionary and, when a pruning rule is on, writes a derived copy without
 *   - pruneRare: entries of three or more characters with frequency ≤ 3 (jieba's floor: never seen in its
 *     own corpus) that are not idioms (i) or names (nr*, ns, nt). They are compounds from word lists
 *     (各族人民, 执法人员, 新年贺词) that win over their parts in jieba's unigram model only because one
 *     word always beats two; the standard splits them;
 *   - pruneOrgs: organisation names (nt) of four or more characters (中国共产党, 中央军事委员会): the
 *     standard segments an organisation's name into its parts.
 * Returns the file to load and the set of person names (tag nr) for the surname rule.
 */
export function deriveMainDict(cacheDir: string, prune: { rare: boolean; orgs: boolean }): MainDict {
	const key = `${cacheDir}\n${prune.rare}\n${prune.orgs}`;
	const hit = mainDictCache.get(key);
	if (hit) return hit;
	const src = jieba().DEFAULT_DICT;
	const text = readFileSync(src, 'utf8');
	const names = new Set<string>();
	const kept: string[] = [];
	for (const line of text.split('\n')) {
		if (line === '') continue;
		const sp1 = line.indexOf(' ');
		const sp2 = line.indexOf(' ', sp1 + 1);
		const word = line.slice(0, sp1);
		const freq = Number(line.slice(sp1 + 1, sp2));
		const tag = line.slice(sp2 + 1).trim();
		if (tag === 'nr' && word.length >= 3 && word.length <= 4) names.add(word);
		if (prune.orgs && tag === 'nt' && word.length >= 4) continue;
		if (prune.rare && freq <= 3 && word.length >= 3 && tag !== 'i' && !tag.startsWith('nr') && tag !== 'ns' && tag !== 'nt') continue;
		kept.push(line);
	}
	const file = prune.rare || prune.orgs ? cachedFile(cacheDir, 'main', kept.join('\n') + '\n') : src;
	const out = { file, names };
	mainDictCache.set(key, out);
	return out;
}

// ---------------------------------------------------------------------------------------------------------
// Pre-tokenising

const CN_DIGIT = '〇○零一二三四五六七八九';
const CN_NUMERAL = '〇○零一二三四五六七八九十百千万亿两';
/** 0-9 and full-width ０-９ (NaN, past either end of a text, is neither) */
const isDigitCode = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0xff10 && c <= 0xff19);
/** A-Z, a-z and their full-width forms */
const isLatinCode = (c: number) =>
	(c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a);
/** a minus sign before a number: - － − */
const MINUS = codeSet(['-', '－', '−']);
const digitValue = (s: string) => Number(s.replace(/[０-９]/g, (c) => String(c.charCodeAt(0) - 0xff10)));

/** Value of a simple Chinese number below 100 (十二, 三十一, 二十, 九); NaN otherwise. */
function smallChineseNumber(s: string): number {
	const d = (c: string) => '零一二三四五六七八九'.indexOf(c);
	if (/^[一二三四五六七八九]$/.test(s)) return d(s);
	const m = /^([一二三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
	if (m) return (m[1] ? d(m[1]) : 1) * 10 + (m[2] ? d(m[2]) : 0);
	return NaN;
}

const RE_SPACE = /[\s\u3000\u200b\ufeff]+/uy;
const RE_NUMBER = /[0-9０-９]+(?:[.．·∶:：/／][0-9０-９]+)*/y;
const RE_ALNUM = /(?:[A-Za-zＡ-Ｚａ-ｚ0-9０-９]|(?!\p{Script=Han})\p{L})+(?:['’&+._\-](?:[A-Za-zＡ-Ｚａ-ｚ0-9０-９]|(?!\p{Script=Han})\p{L})+)*/uy;
const RE_HAN = /\p{Script=Han}+/uy;
const RE_CN_YEAR = new RegExp(`[${CN_DIGIT}0-9０-９]{2,4}年`, 'y');
const RE_CN_MONTH = /(?:十[一二]|[一二三四五六七八九十])月/y;
const RE_CN_DAY = /(?:[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号]/y;
const PUNCT_RUN = new Set(['—', '─', '…', '·', '.', '．', '-', '－', '~', '～', '=', '*', '_']);
const HAS_LETTER = /(?:[A-Za-zＡ-Ｚａ-ｚ]|(?!\p{Script=Han})\p{L})/u;

function matchAt(re: RegExp, text: string, i: number): string | null {
	re.lastIndex = i;
	const m = re.exec(text);
	return m ? m[0] : null;
}


// ---------------------------------------------------------------------------------------------------------
// Rules on jieba output

/** Classifiers (量词) that the PKU standard separates from a preceding numeral. */
const CLASSIFIERS = new Set(
	[...'个位名条项件次种类年天岁家座台辆架艘只头匹张本部份封篇首批组支队届期章节段句层间栋幢户斤吨米元角块亩场笔轮番阵周倍双对套副串排片滴颗粒根枚例宗股款步级棵株处盏扇度所声遍趟'].concat([])
);
const NUMERAL_RE = new RegExp(`^(第?[${CN_NUMERAL}]+|[多几数])(.)$`);
/** Numeral + classifier words that are lexicalised (kept whole): 一个 as the PKU standard does, 多年 "for years" … */
const LEXICALISED = new Set(['一个', '一度', '多年', '多次', '多种', '百年', '千年', '万年', '万岁', '一家', '一番', '一阵']);
const CN_NUMBER_WORD = new RegExp(`^[${CN_NUMERAL}]+$`);
/** Whether a word can be a Chinese number or a numeral + classifier at all (its first character), before the
 * patterns above: most words cannot, and a set lookup costs far less than a pattern. */
const NUMERAL_FIRST = codeSet([...CN_NUMERAL, '第', '多', '几', '数']);
const isCnNumberWord = (w: string) => NUMERAL_FIRST.has(w.charCodeAt(0)) && CN_NUMBER_WORD.test(w);
/** Characters where a Chinese year or month can begin inside a Han run (breakInsideHan) */
const CN_DATE_START = codeSet([...CN_DIGIT, '十']);
const CN_NUMBER_HEAD = new RegExp(`^(?:第|百分之)?[${CN_NUMERAL}]+$|^百分之$`);
const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕', '令狐', '钟离', '端木', '西门', '南宫', '独孤'];

// ---------------------------------------------------------------------------------------------------------

class JiebaSegmenter implements Segmenter {
	readonly options: ResolvedOptions;
	readonly stopWords: Set<string>;
	private readonly key: string;
	private readonly loadOpts: { dict: string; userDict: string };
	private readonly protectedWords: Set<string>;
	get userWords(): ReadonlySet<string> {
		return this.protectedWords;
	}
	private readonly mixedTerms: RegExp | null;
	/** first characters (UTF-16 units) of mixed terms that begin with a Han character (苏e行) */
	private readonly mixedHanStarts: Set<number>;
	/** first characters (UTF-16 units) of all mixed terms: where none begins, the pattern is not tried */
	private readonly mixedFirst: Set<string>;
	private readonly names: Set<string>;

	constructor(o: ResolvedOptions) {
		this.options = o;
		this.stopWords = loadStopWords(o.dictDir, o.overlay);
		const main = deriveMainDict(o.cacheDir, { rare: o.rules.pruneRare, orgs: o.rules.pruneOrgs });
		this.names = main.names;
		const entries = o.userDict ? userDictionary(o) : [];
		this.protectedWords = new Set(entries.map((e) => e.word));
		// Terms with digits or Latin letters never reach jieba as one Han run: matched before pre-tokenising.
		const mixed = entries.map((e) => e.word).filter((w) => !/^\p{Script=Han}+$/u.test(w));
		mixed.sort((a, b) => b.length - a.length);
		this.mixedHanStarts = new Set(mixed.filter((w) => /^\p{Script=Han}/u.test(w)).map((w) => w.charCodeAt(0)));
		this.mixedFirst = new Set(mixed.map((w) => w[0]));
		this.mixedTerms = mixed.length
			? new RegExp(`(?<![A-Za-z0-9])(?:${mixed.map(escapeRe).join('|')})(?![A-Za-z0-9])`, 'y')
			: null;
		// cppjieba needs a readable user dictionary file; an empty one would abort the process.
		const userLines = entries.filter((e) => /^\p{Script=Han}+$/u.test(e.word)).map((e) => `${e.word} ${e.freq} ${e.tag}`);
		if (userLines.length === 0) userLines.push('民情 1 nz');
		const userDict = cachedFile(o.cacheDir, 'user', userLines.join('\n') + '\n');
		this.loadOpts = { dict: main.file, userDict };
		this.key = JSON.stringify(this.loadOpts);
		this.ensureLoaded();
	}

	private ensureLoaded(): void {
		if (loadedKey === this.key) return;
		const j = jieba();
		for (const f of [this.loadOpts.dict, this.loadOpts.userDict, j.DEFAULT_HMM_DICT, j.DEFAULT_IDF_DICT, j.DEFAULT_STOP_WORD_DICT])
			if (!existsSync(f)) throw new Error(`nodejieba: dictionary file missing: ${f}`);
		j.load({ dict: this.loadOpts.dict, userDict: this.loadOpts.userDict });
		loadedKey = this.key;
		loadCount++;
	}

	cut(text: string): string[] {
		if (typeof text !== 'string' || text.length === 0) return [];
		this.ensureLoaded();
		const out: string[] = [];
		this.pretokenize(text, out);
		return out;
	}

	tokens(text: string): string[] {
		return this.tokensOf(this.cut(text));
	}

	tokensOf(words: readonly string[]): string[] {
		return indexTokens(words, this.stopWords, this.protectedWords);
	}

	/**
	 * Step 1: splits the text into Han runs and finished words, in text order, into `out`: a finished word as it
	 * is, a Han run through jieba and the rules (steps 2 and 3, cutHan) once it ends.
	 */
	private pretokenize(text: string, out: string[]): void {
		// a pattern is tried only where its character table says it can match (beyond the BMP, always)
		const hanT = hanTable();
		const spaceT = spaceTable();
		let han = '';
		let hanStart = 0;
		/** the last finished word, when nothing came between it and position i */
		let lastWord = '';
		let lastEnd = -1;
		let i = 0;
		const n = text.length;
		while (i < n) {
			const code = text.charCodeAt(i);
			const astral = isSurrogate(code);
			let m: string | null;
			let w = (this.mixedTerms && this.mixedFirst.has(text[i]) && matchAt(this.mixedTerms, text, i)) || null;
			if (!w) {
				if ((astral || spaceT[code] === 1) && (m = matchAt(RE_SPACE, text, i))) {
					if (han) this.cutHan(han, out);
					han = '';
					i += m.length;
					continue;
				}
				if (this.options.rules.numbers) w = this.numberAt(text, i, code, lastWord, lastEnd === i);
			}
			if (!w) {
				if ((astral || hanT[code] === 1) && (m = matchAt(RE_HAN, text, i))) {
					if (!han) hanStart = i;
					han += m;
					i += m.length;
					// the run ends where a Chinese date or a mixed user term begins inside it
					const cut = this.breakInsideHan(text, hanStart, i);
					if (cut >= 0) {
						this.cutHan(text.slice(hanStart, cut), out);
						han = '';
						i = cut;
					}
					continue;
				}
				w = this.symbolAt(text, i);
			}
			if (han) this.cutHan(han, out);
			han = '';
			out.push(w);
			i += w.length;
			lastWord = w;
			lastEnd = i;
		}
		if (han) this.cutHan(han, out);
	}

	/**
	 * The word the number rules make at position i, or null: an Arabic number (with its sign, decimals, percent
	 * or date/time unit), an alphanumeric word, or a Chinese year, month or day. `adjacent`: the last word ended at i.
	 */
	private numberAt(text: string, i: number, code: number, lastWord: string, adjacent: boolean): string | null {
		const prev = i > 0 ? text[i - 1] : undefined;
		const digit = isDigitCode(code);
		// a minus right after a digit or a letter is a dash (3-5, B-2), not a sign
		const before = text.charCodeAt(i - 1);
		if (digit || (MINUS.has(code) && isDigitCode(text.charCodeAt(i + 1)) && !isDigitCode(before) && !isLatinCode(before))) {
			const sign = digit ? '' : text[i];
			const num = matchAt(RE_NUMBER, text, i + sign.length)!;
			const rest = text.slice(i + sign.length + num.length, i + sign.length + num.length + 2);
			const after = rest.slice(0, 1);
			// a Latin letter right after the digits makes it an alphanumeric word (5G, 3M)
			if (!sign && HAS_LETTER.test(after)) {
				const am = matchAt(RE_ALNUM, text, i);
				if (am) return am;
			}
			return sign + num + this.numberSuffix(num, rest, lastWord, adjacent);
		}
		if (CN_DATE_START.has(code)) {
			const prevIsNumeral = prev !== undefined && (CN_NUMERAL.includes(prev) || prev === '第');
			if (!prevIsNumeral) {
				const y = matchAt(RE_CN_YEAR, text, i);
				if (y && (y.length >= 4 || /[〇○零]/.test(y))) return y;
				const mo = matchAt(RE_CN_MONTH, text, i);
				if (mo && !CN_NUMERAL.includes(text[i + mo.length] ?? '') && text[i + mo.length] !== '份') return mo;
			}
			if (adjacent && /月$/.test(lastWord)) {
				const day = matchAt(RE_CN_DAY, text, i);
				if (day && smallChineseNumber(day.slice(0, -1)) <= 31) return day;
			}
		}
		// no Han character begins an alphanumeric word
		if (hanTable()[code] === 1) return null;
		const m = matchAt(RE_ALNUM, text, i);
		return m && HAS_LETTER.test(m) ? m : null;
	}

	/** A symbol or punctuation at position i; runs of the same dash or ellipsis are one word. */
	private symbolAt(text: string, i: number): string {
		const rules = this.options.rules;
		const cp = String.fromCodePoint(text.codePointAt(i)!);
		let w = cp;
		if (rules.punctRuns && PUNCT_RUN.has(cp)) while (text.startsWith(cp, i + w.length)) w += cp;
		if (!rules.numbers && /[\p{L}\p{N}]/u.test(cp)) {
			// without the number rules, letters and digits still form runs (jieba would split them one by one)
			const am = matchAt(/[\p{L}\p{N}]+/uy, text, i);
			if (am && !/\p{Script=Han}/u.test(am)) w = am;
		}
		return w;
	}

	/**
	 * Within a Han run [start, end), the first position after its start where a Chinese year or month (number
	 * rules) or a user term with digits or letters begins, so that the run is cut there; -1 when none.
	 */
	private breakInsideHan(text: string, start: number, end: number): number {
		const numbers = this.options.rules.numbers;
		for (let j = start + 1; j < end; j++) {
			const code = text.charCodeAt(j);
			if (this.mixedTerms && this.mixedHanStarts.has(code) && matchAt(this.mixedTerms, text, j)) return j;
			if (!numbers || !CN_DATE_START.has(code)) continue;
			const prev = text[j - 1];
			if (CN_NUMERAL.includes(prev) || prev === '第') continue;
			const y = matchAt(RE_CN_YEAR, text, j);
			if (y && (y.length >= 4 || /[〇○零]/.test(y))) return j;
			const mo = matchAt(RE_CN_MONTH, text, j);
			if (mo && !CN_NUMERAL.includes(text[j + mo.length] ?? '') && text[j + mo.length] !== '份') return j;
		}
		return -1;
	}

	/** The unit that joins an Arabic number (see the module comment), given the (two) characters after it. */
	private numberSuffix(num: string, rest: string, lastWord: string, adjacent: boolean): string {
		const after = rest.slice(0, 1);
		if (after === '%' || after === '％' || after === '‰') return after;
		if (rest === '万亿') return rest;
		if (after === '万' || after === '亿') return after;
		if (!/^[0-9０-９]+$/.test(num)) return '';
		const v = digitValue(num);
		const afterTime = adjacent && /[时点]$/.test(lastWord) && /[0-9０-９]/.test(lastWord);
		const afterMinute = adjacent && /分$/.test(lastWord) && /[0-9０-９]/.test(lastWord);
		switch (after) {
			case '年':
				return num.length >= 3 ? after : '';
			case '月':
				return v >= 1 && v <= 12 ? (rest === '月份' ? rest : after) : '';
			case '日':
				return v >= 1 && v <= 31 ? after : '';
			case '号':
				return adjacent && /月$/.test(lastWord) && v >= 1 && v <= 31 ? after : '';
			case '时':
				return v <= 24 ? after : '';
			case '点':
				return v <= 24 ? (rest === '点钟' ? rest : after) : '';
			case '分':
				return afterTime && v < 60 ? after : '';
			case '秒':
				return afterMinute && v < 60 ? after : '';
		}
		return '';
	}

	/** Steps 2 and 3 on one Han run. */
	private cutHan(run: string, out: string[]): void {
		const rules = this.options.rules;
		const words = jieba().cut(run, this.options.hmm);
		// Chinese numbers that jieba cut into pieces are one word again (第二 十一 → 第二十一, 百分之 五十 → 百分之五十).
		if (rules.numbers) {
			for (let k = words.length - 1; k > 0; k--) {
				const prev = words[k - 1];
				if (isCnNumberWord(words[k]) && CN_NUMBER_HEAD.test(prev) && !this.protectedWords.has(prev) && !this.protectedWords.has(words[k]))
					words.splice(k - 1, 2, prev + words[k]);
			}
		}
		for (const w of words) {
			if (this.protectedWords.has(w)) {
				out.push(w);
				continue;
			}
			if (rules.numeralClassifier && w.length >= 2 && NUMERAL_FIRST.has(w.charCodeAt(0)) && !LEXICALISED.has(w)) {
				const m = NUMERAL_RE.exec(w);
				if (m && CLASSIFIERS.has(m[2])) {
					out.push(m[1], m[2]);
					continue;
				}
			}
			if (rules.names && (w.length === 3 || w.length === 4) && this.names.has(w)) {
				const two = w.slice(0, 2);
				if (COMPOUND_SURNAMES.includes(two)) {
					out.push(two, w.slice(2));
					continue;
				}
				if (w.length === 3 && SURNAMES.has(w[0])) {
					out.push(w[0], w.slice(1));
					continue;
				}
			}
			out.push(w);
		}
	}
}

function escapeRe(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const PURE_NUMBER = new RegExp(`^(?:[-+−]?\\d+(?:[.,:/·]\\d+)*[%‰]?|[${CN_NUMERAL}]+)$`);

/** A character normalizeToken changes (beyond trimming): full-width ASCII, ideographic space, or one with a lower case. */
const NEEDS_NORMALIZING = /[\uff01-\uff5e\u3000\p{Changes_When_Lowercased}]/u;

/** Full-width ASCII → half-width, ideographic space → space, Latin lower case, trimmed. */
export function normalizeToken(w: string): string {
	// most words have nothing to change but their ends
	if (!NEEDS_NORMALIZING.test(w)) return w.trim();
	return w
		.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
		.replace(/\u3000/g, ' ')
		.toLowerCase()
		.trim();
}

/** Digits with optional sign, separators (. , : / ·), decimals and percent; or Chinese numeral characters only. */
export function isPureNumber(w: string): boolean {
	return PURE_NUMBER.test(w);
}

/**
 * A segmenter's tokens (Segmenter.tokensOf) of `words`, given its stop words and the user-dictionary words it keeps
 * even when numeric: for a segmenter whose words come from another thread (thread-segmenter.ts) too.
 */
export function indexTokens(words: readonly string[], stopWords: ReadonlySet<string>, userWords: ReadonlySet<string>): string[] {
	const out: string[] = [];
	for (const w of words) {
		if (isHanOnly(w)) {
			if (!stopWords.has(w) && !isCnNumberWord(w)) out.push(w);
			continue;
		}
		const t = normalizeToken(w);
		if (t === '' || stopWords.has(t)) continue;
		// user-dictionary terms stay even when numeric (12345, 110)
		if (userWords.has(w) || userWords.has(t)) {
			out.push(t);
			continue;
		}
		if (!LETTER_OR_DIGIT.test(t) || isPureNumber(t)) continue;
		out.push(t);
	}
	return out;
}

/**
 * Frees the dictionaries this thread's nodejieba holds, for a worker thread about to end: nodejieba deletes them only
 * when it loads others, not when the thread ends, so each ended thread would keep its dictionaries (hundreds of MB)
 * until the process ends. A one-word dictionary takes their place. `cacheDir` as in SegmenterOptions.
 */
export function releaseDictionaries(cacheDir?: string): void {
	if (!jiebaModule || loadedKey === null) return;
	const dir = resolveOptions({ cacheDir }).cacheDir;
	const word = cachedFile(dir, 'release-dict', '民情 1 n\n');
	jiebaModule.load({ dict: word, userDict: word, idfDict: cachedFile(dir, 'release-idf', '民情 1.0\n'), stopWordDict: cachedFile(dir, 'release-stop', '的\n') });
	loadedKey = null;
}

/** Creates a segmenter (loads nodejieba's dictionaries for it: a few seconds the first time). */
export function createSegmenter(opts: SegmenterOptions = {}): Segmenter {
	return new JiebaSegmenter(resolveOptions(opts));
}

// ---------------------------------------------------------------------------------------------------------
// TF-IDF

/** Document frequencies learned from a corpus of token lists; smoothed idf; JSON round trip. */
export class Idf {
	/** documents seen */
	docs = 0;
	readonly df = new Map<string, number>();

	/** Counts each distinct token of the document once. */
	add(tokens: Iterable<string>): this {
		this.docs++;
		for (const t of new Set(tokens)) this.df.set(t, (this.df.get(t) ?? 0) + 1);
		return this;
	}

	static fromCorpus(corpus: Iterable<Iterable<string>>): Idf {
		const idf = new Idf();
		for (const doc of corpus) idf.add(doc);
		return idf;
	}

	/**
	 * Smoothed inverse document frequency: ln((1 + N) / (1 + df)) + 1. An unseen term (df 0) gets the
	 * highest value ln(1 + N) + 1; a term in every document gets 1; never negative or infinite.
	 */
	idf(term: string): number {
		return Math.log((1 + this.docs) / (1 + (this.df.get(term) ?? 0))) + 1;
	}

	toJSON(): IdfJson {
		return { version: 1, docs: this.docs, df: Object.fromEntries([...this.df].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) };
	}

	static fromJSON(json: IdfJson | string): Idf {
		const j = (typeof json === 'string' ? JSON.parse(json) : json) as IdfJson;
		if (!j || j.version !== 1 || !Number.isInteger(j.docs) || j.docs < 0 || typeof j.df !== 'object' || j.df === null)
			throw new Error('Idf.fromJSON: not an Idf document (expected { version: 1, docs, df })');
		const idf = new Idf();
		idf.docs = j.docs;
		for (const [t, n] of Object.entries(j.df)) {
			if (!Number.isInteger(n) || n < 1 || n > j.docs) throw new Error(`Idf.fromJSON: bad document frequency for "${t}": ${n}`);
			idf.df.set(t, n);
		}
		return idf;
	}
}

export interface IdfJson {
	version: 1;
	docs: number;
	df: Record<string, number>;
}

export interface Keyword {
	word: string;
	weight: number;
}

/**
 * The k tokens with the highest tf·idf (tf = count / number of tokens). Ties: earlier first occurrence wins,
 * so the result is deterministic.
 */
export function topKeywords(tokens: readonly string[], idf: Idf, k: number): Keyword[] {
	if (tokens.length === 0 || k <= 0) return [];
	const tf = new Map<string, { n: number; first: number }>();
	tokens.forEach((t, i) => {
		const e = tf.get(t);
		if (e) e.n++;
		else tf.set(t, { n: 1, first: i });
	});
	const scored = [...tf].map(([word, { n, first }]) => ({ word, weight: (n / tokens.length) * idf.idf(word), first }));
	scored.sort((a, b) => b.weight - a.weight || a.first - b.first);
	return scored.slice(0, k).map(({ word, weight }) => ({ word, weight }));
}

