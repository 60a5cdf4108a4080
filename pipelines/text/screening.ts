// Screening hints for the intake screen (DESIGN.md: non-acceptance rules 1–9). Words from
// data/dict/screening.json name the rule they hint at; rule 2 also names the emergency line. A rule's `together`
// entries name an object and a state that hint at it only in one clause and in that order (燃气 … 漏气, 孩子 … 掉 …
// 水里), where either alone is everyday talk. The file's stop phrases (以上诉求, 报警器) are read first as ordinary
// text; a negated or feared word does not count (没有车祸, 不想起诉, 怕着火), and a rule's cues cancel its words:
// `unless` in their clause (经常发生车祸 is no emergency), `past` in their clause unless an `ongoing` cue between says
// it goes on (昨天着火, 已经报警; but 从昨天到现在一直联系不上), `after` after them in their sentence (车祸 … 保险公司不赔),
// `address` right after them or after a short name (法院门口, 市委党校门口: a place, not the body). A rule's `yield`
// names rules whose words in the same clause take its words' place (法院 … 起诉 is rule 4's, not rule 3's); a
// procedure already under way (已经申请仲裁, 复议中) moves a rule-4 word to rule 5. Text of nothing but greetings or
// test words (喂, 你好, 测试) is rule 8. Rules 7 (repeat detection) and 9 (其他, the operator's own judgement) have no
// words. A title word the content repeats counts only as it counts there. A hint is advice: the operator decides.
// The file's `urgent` entry is read the same way and gives no hint of a rule: its words (an open manhole, a fallen
// live wire, sewage flooding homes) say that a call the hotline takes is urgent (screenCall's `urgent`, beside its `hints`).
// Pure apart from `loadScreeningRules`.
import { readFileSync } from 'node:fs';
import { toHalfWidth } from '../normalize/text';

export interface ScreeningRules {
	/**
	 * rule → words (rule 2: line → words); `cues`: what cancels them; `underway`: cues just before the word (up to
	 * UNDERWAY_GAP characters between) or right after it that move it to another rule; `yields`: rules whose words in
	 * its clause take its place
	 */
	words: { rule: number; word: string; line: string | null; cues: Cues; underway: Underway | null; yields: number[] }[];
	/**
	 * rule → groups of words (rule 2: with the line) that hint at it when each group has a word in one clause, in the
	 * groups' order: an object and a state (燃气 … 漏气), read with the negators and the rule's cues as a word is;
	 * `sentence`: in one sentence, over its clauses (摔倒了，起不来)
	 */
	together: { rule: number; line: string | null; groups: string[][]; sentence: boolean; cues: Cues; yields: number[] }[];
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

/** What cancels a word of a rule: habits, the past, what follows an event (rule 2: no emergency going on), a place. */
export interface Cues {
	/** a cue in the word's clause: 经常, 建议, 如果 */
	unless: string[];
	/** a cue in the word's clause that puts it in the past (昨天, 上个月, 已经报警) … */
	past: string[];
	/** … unless one of these stands between that cue and the word, saying it goes on (从昨天到现在, 一直, 还在) */
	ongoing: string[];
	/** a cue anywhere in the word's sentence that speaks of what followed the event (理赔, 保险公司, 表扬) */
	after: string[];
	/** a place right after the word or after up to ADDRESS_GAP characters of a name: an address (法院门口, 市委党校门口) */
	address: string[];
}

interface Underway {
	rule: number;
	before: string[];
	after: string[];
}

/** A `together` group: its words, or the name of one of the file's `groups` (a word list several entries share). */
type Group = string[] | string;

/** What an entry may say besides its words: the cues that cancel them, and words that count only together. */
interface EntryCues {
	unless?: string[];
	past?: string[];
	ongoing?: string[];
	after?: string[];
	address?: string[];
	together?: { line?: string; all: Group[]; sentence?: boolean }[];
}

interface RulesFile {
	stop?: string[];
	empty?: string[];
	groups?: Record<string, string[]>;
	rules: (({ rule: number; words?: string[] } | { rule: number; lines: Record<string, string[]> }) &
		EntryCues & {
			yield?: number[];
			underway?: Underway;
		})[];
	/** hazards that make an accepted call urgent (no rule: the call is taken, and faster) */
	urgent?: { words?: string[] } & EntryCues;
}

const isRule = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 9;
/** The `urgent` entry's words among the rules' (found by the same reading, never a hint of a rule). */
const URGENT = 0;

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
	const groups = new Map<string, string[]>();
	for (const [name, ws] of Object.entries(f.groups ?? {})) groups.set(name, list(ws, `group ${name}`));
	const words: ScreeningRules['words'] = [];
	const together: ScreeningRules['together'] = [];
	const longestFirst = (a: string, b: string) => b.length - a.length;
	if (f.urgent !== undefined && (typeof f.urgent !== 'object' || f.urgent === null || Array.isArray(f.urgent)))
		throw new Error(`${source}: "urgent" must be an object with "words" or "together"`);
	const entries = [...f.rules.map((r) => ({ r, rule: r.rule, name: `rule ${r.rule}` })), ...(f.urgent ? [{ r: f.urgent as RulesFile['rules'][number], rule: URGENT, name: '"urgent"' }] : [])];
	for (const { r, rule, name } of entries) {
		if (rule !== URGENT && !isRule(rule)) throw new Error(`${source}: rule ${JSON.stringify(rule)} is not 1–9`);
		if (rule === URGENT && (r.yield !== undefined || r.underway !== undefined))
			throw new Error(`${source}: "urgent" takes no "yield" or "underway": its words name no rule`);
		const cue = (k: keyof Cues) => list(r[k], `${name}'s "${k}"`);
		const cues: Cues = { unless: cue('unless'), past: cue('past'), ongoing: cue('ongoing'), after: cue('after'), address: cue('address') };
		if (r.yield !== undefined && !(Array.isArray(r.yield) && r.yield.every(isRule)))
			throw new Error(`${source}: ${name}'s "yield" must be a list of rules 1–9`);
		const yields = r.yield ?? [];
		let underway: Underway | null = null;
		if (r.underway !== undefined) {
			if (!isRule(r.underway?.rule)) throw new Error(`${source}: ${name}'s "underway" names no rule 1–9`);
			const what = `${name}'s "underway`;
			underway = { rule: r.underway.rule, before: list(r.underway.before, `${what}.before"`), after: list(r.underway.after, `${what}.after"`) };
		}
		const n = words.length + together.length;
		if ('lines' in r) {
			if (rule === URGENT) throw new Error(`${source}: "urgent" has no emergency lines ("lines"): its words are "words"`);
			for (const [line, ws] of Object.entries(r.lines))
				for (const w of list(ws, `${name}'s line ${line}`)) words.push({ rule, word: w, line, cues, underway, yields });
		} else if (Array.isArray(r.words)) {
			for (const w of list(r.words, `${name}'s "words"`)) words.push({ rule, word: w, line: null, cues, underway, yields });
		} else if (r.words !== undefined || r.together === undefined)
			throw new Error(`${source}: ${name} has neither "words" nor ${rule === URGENT ? '"together"' : '"lines"'}`);
		if (r.together !== undefined && !Array.isArray(r.together)) throw new Error(`${source}: ${name}'s "together" must be a list`);
		for (const [i, t] of (r.together ?? []).entries()) {
			const what = `${name}'s "together" ${i + 1}`;
			const line = 'lines' in r ? (t?.line ?? null) : null;
			if ('lines' in r && (typeof line !== 'string' || !(line in r.lines))) throw new Error(`${source}: ${what} names no line of the rule`);
			if (!Array.isArray(t?.all) || t.all.length < 2) throw new Error(`${source}: ${what} needs two groups or more in "all"`);
			const gs = t.all.map((g) => {
				if (typeof g !== 'string') return list(g, `${what}'s groups`);
				const named = groups.get(g);
				if (!named) throw new Error(`${source}: ${what} names no group ${JSON.stringify(g)}`);
				return named;
			});
			if (gs.some((g) => !g.length)) throw new Error(`${source}: ${what} has an empty group`);
			together.push({ rule, line, groups: gs.map((g) => [...g].sort(longestFirst)), sentence: t.sentence === true, cues, yields });
		}
		if (words.length + together.length === n) throw new Error(`${source}: ${name} has no words`);
	}
	// longer words first, so 燃气泄漏 is found before a shorter word inside it
	words.sort((a, b) => b.word.length - a.word.length);
	const stop = list(f.stop, '"stop"').sort(longestFirst);
	const empty = list(f.empty, '"empty"')
		.map((w) => w.toLowerCase())
		.sort(longestFirst);
	return { words, together, stop, empty };
}

export function loadScreeningRules(path: string): ScreeningRules {
	return parseScreeningRules(readFileSync(path, 'utf8'), path);
}

/**
 * Negators, and fears that say the thing has not happened (怕着火, 担心掉下去): a word after one in the same clause,
 * directly or after up to three gap words, does not count.
 */
const NEGATORS = ['没有', '没', '不是', '不会', '不', '无', '未', '并未', '并非', '从未', '尚未', '拒绝', '拒不'];
/**
 * Fears: a feared fire or fall has not happened (怕着火, 担心掉下去), but a caller who fears violence or a crime (我怕被人打,
 * 害怕他家暴) may be in danger now: a fear does not negate a word of the police line (110).
 */
const FEARS = ['怕', '担心', '害怕', '生怕', '以免'];
/**
 * Words that may stand between a negator and the word it negates: what happened (没有发生火灾, 未发生车祸, 没有人打架),
 * what one wants or plans (不想起诉, 不是要起诉, 不需要仲裁, 不打算上访, 不用报警), what one saw (没看到着火, 没闻到煤气味)
 * and who lets it happen (不给立案, 不予立案).
 */
const GAPS = [
	...['发生', '出现', '发现', '造成', '引起', '有', '人', '什么', '任何'],
	...['想', '要', '需要', '需', '打算', '准备', '愿意', '用', '去'],
	...['看到', '看见', '见到', '听到', '听见', '闻到'],
	...['给', '予', '让', '肯']
];
/**
 * Questions that contain a negator but ask (是不是着火了, 会不会爆炸, 有没有人受伤), and double negatives that affirm
 * (不得不起诉): the word counts.
 */
const QUESTIONS = ['是不是', '会不会', '有没有', '是否', '能不能', '要不要', '不得不', '不能不', '不得已'];
const gap = `(?:${GAPS.join('|')}){0,3}$`;
const NEGATED = new RegExp(`(?:${[...NEGATORS, ...FEARS].join('|')})${gap}`);
const NEGATED_NOT_FEARED = new RegExp(`(?:${NEGATORS.join('|')})${gap}`);
const ASKED = new RegExp(`(?:${QUESTIONS.join('|')})${gap}`);
/** Characters that end a clause (toHalfWidth keeps ，！？；： full-width): a negator or a cue only reaches the words of its own clause. */
const CLAUSE_END = /[,.;:!?，。！？；：\s]/;
/** Characters that end a sentence: a `together` entry marked `sentence` reaches over the clauses of one. */
const SENTENCE_END = /[!?。！？\n]/;

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

/** The sentence from `at` on. */
function sentenceAfter(text: string, at: number): string {
	let to = at;
	while (to < text.length && !SENTENCE_END.test(text[to])) to++;
	return text.slice(at, to);
}

/** The sentence around `at`. */
function sentenceAround(text: string, at: number): string {
	let from = at;
	while (from > 0 && !SENTENCE_END.test(text[from - 1])) from--;
	let to = at;
	while (to < text.length && !SENTENCE_END.test(text[to])) to++;
	return text.slice(from, to);
}

/** At most this many characters of a name between a word and an `address` cue: 市委党校门口, 中级人民法院东门. */
const ADDRESS_GAP = 4;
/** Characters that are no part of a name: 法院跟街道都不管 names no place. */
const NOT_NAME = /[和跟与及或说都也不没让给把被向是了]/;

/**
 * Whether the rule's cues cancel its word from `at` to `end`, with its clause and the part of it before the word. A
 * `past` cue counts unless an `ongoing` cue stands between it and the word (从昨天到现在一直联系不上, but not
 * 去年的火灾到现在没修).
 */
function cancelled(cues: Cues, text: string, at: number, end: number, clause: string, before: string): boolean {
	if (cues.unless.some((c) => clause.includes(c))) return true;
	if (cues.address.length) {
		const next = clauseAfter(text, end).slice(0, ADDRESS_GAP + Math.max(...cues.address.map((c) => c.length)));
		const place = cues.address.some((c) => {
			const i = next.indexOf(c);
			return i >= 0 && i <= ADDRESS_GAP && !NOT_NAME.test(next.slice(0, i));
		});
		if (place) return true;
	}
	if (cues.past.some((c) => clause.includes(c))) {
		const pastEnd = Math.max(...cues.past.map((c) => (before.includes(c) ? before.lastIndexOf(c) + c.length : -1)));
		if (!cues.ongoing.some((c) => before.lastIndexOf(c) >= Math.max(pastEnd, 0))) return true;
	}
	if (!cues.after.length) return false;
	// what followed the event is told after it: 车祸 … 保险公司不赔, but not 刚才去医院报销，路上被车撞了
	const sentence = sentenceAround(text, at);
	const rest = sentence.slice(sentence.length - sentenceAfter(text, at).length);
	return cues.after.some((c) => rest.includes(c));
}

/**
 * Whether a word is negated (没有发生火灾), not asked about (是不是着火了), by its clause before it; a word of the police
 * line (`line` 110) by a negator only, not by a fear (FEARS).
 */
function negated(before: string, line: string | null = null): boolean {
	return (line === '110' ? NEGATED_NOT_FEARED : NEGATED).test(before) && !ASKED.test(before);
}

/** At most this many characters between an `underway` cue and its word: 已经申请仲裁, 已经向法院起诉. */
const UNDERWAY_GAP = 3;

/**
 * Fewer letters and digits than this in title and content, besides the file's `empty` words (喂, 你好, 测试), is
 * no substantive appeal (rule 8); 停水 or 路灯坏了 is one.
 */
export const MIN_MEANINGFUL = 2;

/** A `together` hint shows the text from its first word to its last when it is this short (燃气管道漏气), else its words. */
const TOGETHER_SHOWN = 8;

/** The text cut where `end` matches: each piece with where it starts. */
function segmentsOf(text: string, end: RegExp): { from: number; seg: string }[] {
	const out: { from: number; seg: string }[] = [];
	for (let from = 0, to = 0; from < text.length; from = to + 1) {
		for (to = from; to < text.length && !end.test(text[to]); ) to++;
		if (to > from) out.push({ from, seg: text.slice(from, to) });
	}
	return out;
}

/**
 * Where a word of `group` first stands in the segment `seg` (of the text from `offset`) from `from` on, on characters
 * not yet taken (the longest word at a place); positions in the text.
 */
function firstOf(seg: string, offset: number, group: string[], from: number, taken: Uint8Array): { at: number; end: number } | null {
	let best: { at: number; end: number } | null = null;
	for (const w of group)
		for (let i = seg.indexOf(w, from - offset); i >= 0 && (!best || i + offset < best.at); i = seg.indexOf(w, i + 1))
			if (!taken.subarray(i + offset, i + offset + w.length).includes(1)) {
				best = { at: i + offset, end: i + offset + w.length };
				break;
			}
	return best;
}

/** A call's screening: the hints of rules, and the hazard words (the file's `urgent`) that make it urgent if it is taken. */
export interface CallScreening {
	hints: ScreeningHint[];
	/** the `urgent` words found, in text order (read as a rule's words are: negated, past or habitual ones do not count) */
	urgent: string[];
}

export function screenCall(rules: ScreeningRules, title: string, content: string): CallScreening {
	const text = toHalfWidth(`${title}\n${content}`);
	const taken = new Uint8Array(text.length);
	const found: { rule: number; word: string; line: string | null; at: number; clause: number; yields: number[] }[] = [];
	// the title names what the content tells: a word of the title that the content also has counts only as it counts
	// there (车祸 over 昨天发生车祸，保险公司不赔 is no emergency); a title word the content does not have is read alone
	const contentFrom = toHalfWidth(title).length + 1;
	const inTitle: { word: string; index: number }[] = [];
	const inContent = new Map<string, boolean>();
	// stop phrases take their characters first, as the geocoder's not-places do: 以上诉求 holds no 上诉
	for (const p of rules.stop) for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) taken.fill(1, at, at + p.length);
	for (const w of rules.words) {
		for (let at = text.indexOf(w.word); at >= 0; at = text.indexOf(w.word, at + 1)) {
			const end = at + w.word.length;
			if (at >= contentFrom && !inContent.has(w.word)) inContent.set(w.word, false);
			if (taken.subarray(at, end).includes(1)) continue;
			// a word that does not count is read too, so a shorter word inside it (起火 in 没有冒烟起火) does not count either
			taken.fill(1, at, end);
			const before = clauseBefore(text, at);
			const clause = before + clauseAfter(text, at);
			if (negated(before, w.line) || cancelled(w.cues, text, at, end, clause, before)) continue;
			const underway =
				w.underway &&
				(w.underway.before.some((c) => before.slice(-(c.length + UNDERWAY_GAP)).includes(c)) || w.underway.after.some((c) => text.startsWith(c, end)));
			if (at < contentFrom) inTitle.push({ word: w.word, index: found.length });
			else inContent.set(w.word, true);
			found.push({ rule: underway ? w.underway!.rule : w.rule, word: w.word, line: w.line, at, clause: at - before.length, yields: w.yields });
		}
	}
	for (const t of inTitle.reverse()) if (inContent.get(t.word) === false) found.splice(t.index, 1);
	// an object and a state in one clause (燃气 … 漏气), or one sentence for an entry so marked (摔倒了，起不来): each
	// group's first word there after the group before it, on characters no word took
	const segments = { clause: segmentsOf(text, CLAUSE_END), sentence: segmentsOf(text, SENTENCE_END) };
	for (const t of rules.together) {
		for (const { from, seg } of t.sentence ? segments.sentence : segments.clause) {
			if (!t.groups[t.groups.length - 1].some((w) => seg.includes(w))) continue;
			const parts: { at: number; end: number }[] = [];
			for (const g of t.groups) {
				const p = firstOf(seg, from, g, parts.length ? parts[parts.length - 1].end : from, taken);
				if (!p) break;
				parts.push(p);
			}
			if (parts.length < t.groups.length) continue;
			for (const p of parts) taken.fill(1, p.at, p.end);
			// no word negated, no `unless` cue in a word's clause, and the time and sentence cues read at the last word (the
			// state: 儿子从昨天到现在一直联系不上)
			const counts = parts.every((p, i) => {
				const before = clauseBefore(text, p.at);
				const clause = before + clauseAfter(text, p.at);
				if (negated(before, t.line)) return false;
				return i === parts.length - 1 ? !cancelled(t.cues, text, p.at, p.end, clause, before) : !t.cues.unless.some((c) => clause.includes(c));
			});
			if (!counts) continue;
			const first = parts[0].at;
			const last = parts[parts.length - 1].end;
			const word = last - first <= TOGETHER_SHOWN ? text.slice(first, last) : parts.map((p) => text.slice(p.at, p.end)).join('…');
			found.push({ rule: t.rule, word, line: t.line, at: first, clause: last - clauseBefore(text, last).length, yields: t.yields });
		}
	}
	found.sort((a, b) => a.at - b.at);
	// a word of a rule that yields to another rule's word in its clause does not count (法院 … 起诉: rule 4's)
	const counted = found.filter((f) => !f.yields.length || !found.some((g) => g.clause === f.clause && f.yields.includes(g.rule)));
	const hints = new Map<string, ScreeningHint>();
	const urgent: string[] = [];
	for (const f of counted) {
		if (f.rule === URGENT) {
			if (!urgent.includes(f.word)) urgent.push(f.word);
			continue;
		}
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
	const ordered = [...hints.values()].sort(
		(a, b) => (a.rule === 2 ? -1 : 0) - (b.rule === 2 ? -1 : 0) || a.rule - b.rule || b.words.length - a.words.length
	);
	return { hints: ordered, urgent };
}
