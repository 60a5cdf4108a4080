// Screening hints for the intake screen (DESIGN.md: non-acceptance rules 1–9). Words from
// data/dict/screening.json name the rule they hint at; rule 2 also names the emergency line. The file's stop
// phrases (以上诉求, 报警器) are read first as ordinary text, and a rule's `unless` cues cancel its words in their
// clause (经常发生车祸 is no emergency); a procedure already under way (已经申请仲裁, 复议中) moves a rule-4 word to
// rule 5. Text of nothing but greetings or test words (喂, 你好, 测试) is rule 8. Rules 7 (repeat detection) and 9
// (其他, the operator's own judgement) have no words. A hint is advice: the operator decides. Pure apart from `loadScreeningRules`.
import { readFileSync } from 'node:fs';
import { toHalfWidth } from '../normalize/text';

export interface ScreeningRules {
	/**
	 * rule → words (rule 2: line → words); `unless`: a cue in the word's clause that cancels it; `underway`: cues
	 * just before the word (up to UNDERWAY_GAP characters between) or right after it that move it to another rule
	 */
	words: { rule: number; word: string; line: string | null; unless: string[]; underway: Underway | null }[];
	/** phrases read first, as ordinary text: no word inside or across them counts (以上诉求, 报警器) */
	stop: string[];
	/** words that carry no appeal (喂, 你好, 测试), longest first, lower case: text of nothing else is rule 8 */
	empty: string[];
}

export interface ScreeningHint {
	rule: number;
	/** the words found, in text order */
	words: string[];
	/** rule 2: the emergency line the words point to (110/119/120/122) */
	line: string | null;
}

interface Underway {
	rule: number;
	before: string[];
	after: string[];
}

interface RulesFile {
	stop?: string[];
	empty?: string[];
	rules: (({ rule: number; words: string[] } | { rule: number; lines: Record<string, string[]> }) & {
		unless?: string[];
		underway?: Underway;
	})[];
}

const isRule = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 9;

export function parseScreeningRules(json: string, source = 'screening rules'): ScreeningRules {
	let f: RulesFile;
	try {
		f = JSON.parse(json) as RulesFile;
	} catch (e) {
		throw new Error(`${source}: not JSON (${(e as Error).message})`);
	}
	if (!Array.isArray(f?.rules)) throw new Error(`${source}: "rules" must be an array`);
	const list = (v: unknown, what: string): string[] => {
		if (v === undefined) return [];
		if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x)) throw new Error(`${source}: ${what} must be a list of words`);
		return v.map(toHalfWidth);
	};
	const words: ScreeningRules['words'] = [];
	for (const r of f.rules) {
		if (!isRule(r.rule)) throw new Error(`${source}: rule ${JSON.stringify(r.rule)} is not 1–9`);
		const unless = list(r.unless, `rule ${r.rule}'s "unless"`);
		let underway: Underway | null = null;
		if (r.underway !== undefined) {
			if (!isRule(r.underway?.rule)) throw new Error(`${source}: rule ${r.rule}'s "underway" names no rule 1–9`);
			const what = `rule ${r.rule}'s "underway`;
			underway = { rule: r.underway.rule, before: list(r.underway.before, `${what}.before"`), after: list(r.underway.after, `${what}.after"`) };
		}
		const n = words.length;
		if ('lines' in r) {
			for (const [line, ws] of Object.entries(r.lines))
				for (const w of list(ws, `rule ${r.rule}'s line ${line}`)) words.push({ rule: r.rule, word: w, line, unless, underway });
		} else if (Array.isArray(r.words)) {
			for (const w of list(r.words, `rule ${r.rule}'s "words"`)) words.push({ rule: r.rule, word: w, line: null, unless, underway });
		} else throw new Error(`${source}: rule ${r.rule} has neither "words" nor "lines"`);
		if (words.length === n) throw new Error(`${source}: rule ${r.rule} has no words`);
	}
	// longer words first, so 燃气泄漏 is found before a shorter word inside it
	words.sort((a, b) => b.word.length - a.word.length);
	const longestFirst = (a: string, b: string) => b.length - a.length;
	const stop = list(f.stop, '"stop"').sort(longestFirst);
	const empty = list(f.empty, '"empty"')
		.map((w) => w.toLowerCase())
		.sort(longestFirst);
	return { words, stop, empty };
}

export function loadScreeningRules(path: string): ScreeningRules {
	return parseScreeningRules(readFileSync(path, 'utf8'), path);
}

/** Negators: a word after one in the same clause, directly or after up to two gap words, does not count. */
const NEGATORS = ['没有', '没', '不是', '不会', '不', '无', '未', '并未', '并非', '从未', '尚未'];
/** Words that may stand between a negator and the word it negates: 没有发生火灾, 未发生车祸, 没有人打架. */
const GAPS = ['发生', '出现', '发现', '造成', '引起', '有', '人', '什么', '任何'];
/** Questions that contain a negator but ask: 是不是着火了, 会不会爆炸, 有没有人受伤 — the word counts. */
const QUESTIONS = ['是不是', '会不会', '有没有', '是否', '能不能', '要不要'];
const gap = `(?:${GAPS.join('|')}){0,2}$`;
const NEGATED = new RegExp(`(?:${NEGATORS.join('|')})${gap}`);
const ASKED = new RegExp(`(?:${QUESTIONS.join('|')})${gap}`);
/** Characters that end a clause (toHalfWidth keeps ，！？；： full-width): a negator or a cue only reaches the words of its own clause. */
const CLAUSE_END = /[,.;:!?，。！？；：\s]/;

/** The text of the clause before `at`: from the last clause end before it. */
function clauseBefore(text: string, at: number): string {
	let from = at;
	while (from > 0 && !CLAUSE_END.test(text[from - 1])) from--;
	return text.slice(from, at);
}

/** The text of the clause from `at` on: up to the next clause end. */
function clauseAfter(text: string, at: number): string {
	let to = at;
	while (to < text.length && !CLAUSE_END.test(text[to])) to++;
	return text.slice(at, to);
}

/** Whether a word is negated (没有发生火灾), not asked about (是不是着火了), by its clause before it. */
function negated(before: string): boolean {
	return NEGATED.test(before) && !ASKED.test(before);
}

/** At most this many characters between an `underway` cue and its word: 已经申请仲裁, 已经向法院起诉. */
const UNDERWAY_GAP = 3;

/**
 * Fewer letters and digits than this in title and content, besides the file's `empty` words (喂, 你好, 测试), is
 * no substantive appeal (rule 8); 停水 or 路灯坏了 is one.
 */
export const MIN_MEANINGFUL = 2;

export function screen(rules: ScreeningRules, title: string, content: string): ScreeningHint[] {
	const text = toHalfWidth(`${title}\n${content}`);
	const taken = new Uint8Array(text.length);
	const found: { rule: number; word: string; line: string | null; at: number }[] = [];
	// stop phrases take their characters first, as the geocoder's not-places do: 以上诉求 holds no 上诉
	for (const p of rules.stop) for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) taken.fill(1, at, at + p.length);
	for (const w of rules.words) {
		for (let at = text.indexOf(w.word); at >= 0; at = text.indexOf(w.word, at + 1)) {
			const end = at + w.word.length;
			if (taken.subarray(at, end).includes(1)) continue;
			// a word that does not count is read too, so a shorter word inside it (起火 in 没有冒烟起火) does not count either
			taken.fill(1, at, end);
			const before = clauseBefore(text, at);
			const clause = before + clauseAfter(text, at);
			if (negated(before) || w.unless.some((c) => clause.includes(c))) continue;
			const underway =
				w.underway &&
				(w.underway.before.some((c) => before.slice(-(c.length + UNDERWAY_GAP)).includes(c)) || w.underway.after.some((c) => text.startsWith(c, end)));
			found.push({ rule: underway ? w.underway!.rule : w.rule, word: w.word, line: w.line, at });
		}
	}
	found.sort((a, b) => a.at - b.at);
	const hints = new Map<string, ScreeningHint>();
	for (const f of found) {
		const key = `${f.rule}:${f.line ?? ''}`;
		const h = hints.get(key) ?? { rule: f.rule, words: [], line: f.line };
		if (!h.words.includes(f.word)) h.words.push(f.word);
		hints.set(key, h);
	}
	// no substantive appeal: title and content say (almost) nothing once greetings and test words are left out
	let rest = text.toLowerCase();
	for (const e of rules.empty) rest = rest.split(e).join(' ');
	const meaningful = (rest.match(/[\p{L}\p{N}]/gu) ?? []).length;
	if (text.trim() && meaningful < MIN_MEANINGFUL && !hints.has('8:')) hints.set('8:', { rule: 8, words: [], line: null });
	// rule 2 first (an emergency is transferred at once), then by rule number; more words first within a rule
	return [...hints.values()].sort(
		(a, b) => (a.rule === 2 ? -1 : 0) - (b.rule === 2 ? -1 : 0) || a.rule - b.rule || b.words.length - a.words.length
	);
}
