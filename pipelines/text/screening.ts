// Screening hints for the intake screen (DESIGN.md: non-acceptance rules 1–9). Words from
// data/dict/screening.json name the rule they hint at; rule 2 also names the emergency line. A hint is advice:
// the operator decides. Pure apart from `loadScreeningRules`.
import { readFileSync } from 'node:fs';
import { toHalfWidth } from '../normalize/text';

export interface ScreeningRules {
	/** rule → words (rule 2: line → words) */
	words: { rule: number; word: string; line: string | null }[];
}

export interface ScreeningHint {
	rule: number;
	/** the words found, in text order */
	words: string[];
	/** rule 2: the emergency line the words point to (110/119/120/122) */
	line: string | null;
}

interface RulesFile {
	rules: ({ rule: number; words: string[] } | { rule: number; lines: Record<string, string[]> })[];
}

export function parseScreeningRules(json: string, source = 'screening rules'): ScreeningRules {
	let f: RulesFile;
	try {
		f = JSON.parse(json) as RulesFile;
	} catch (e) {
		throw new Error(`${source}: not JSON (${(e as Error).message})`);
	}
	if (!Array.isArray(f?.rules)) throw new Error(`${source}: "rules" must be an array`);
	const words: ScreeningRules['words'] = [];
	for (const r of f.rules) {
		if (!Number.isInteger(r.rule) || r.rule < 1 || r.rule > 9) throw new Error(`${source}: rule ${JSON.stringify(r.rule)} is not 1–9`);
		if ('lines' in r) {
			for (const [line, ws] of Object.entries(r.lines)) for (const w of ws) words.push({ rule: r.rule, word: toHalfWidth(w), line });
		} else if (Array.isArray(r.words)) {
			for (const w of r.words) words.push({ rule: r.rule, word: toHalfWidth(w), line: null });
		} else throw new Error(`${source}: rule ${r.rule} has neither "words" nor "lines"`);
	}
	// longer words first, so 燃气泄漏 is found before a shorter word inside it
	words.sort((a, b) => b.word.length - a.word.length);
	return { words };
}

export function loadScreeningRules(path: string): ScreeningRules {
	return parseScreeningRules(readFileSync(path, 'utf8'), path);
}

/** A word right after a negation (没有人受伤, 不是火灾, 未发生车祸) does not count. */
const NEGATION = /(?:没有|没|不是|不|无|未|并非)$/;
/** Fewer meaningful characters than this is no substantive appeal (rule 8). */
export const MIN_MEANINGFUL = 6;

export function screen(rules: ScreeningRules, title: string, content: string): ScreeningHint[] {
	const text = toHalfWidth(`${title}\n${content}`);
	const taken = new Uint8Array(text.length);
	const found: { rule: number; word: string; line: string | null; at: number }[] = [];
	for (const w of rules.words) {
		for (let at = text.indexOf(w.word); at >= 0; at = text.indexOf(w.word, at + 1)) {
			if (taken[at] || NEGATION.test(text.slice(Math.max(0, at - 3), at))) continue;
			taken.fill(1, at, at + w.word.length);
			found.push({ ...w, at });
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
	const meaningful = (content.match(/[\p{L}\p{N}]/gu) ?? []).length;
	if (content.trim() && meaningful < MIN_MEANINGFUL && !hints.has('8:')) hints.set('8:', { rule: 8, words: [], line: null });
	// rule 2 first (an emergency is transferred at once), then by rule number; more words first within a rule
	return [...hints.values()].sort(
		(a, b) => (a.rule === 2 ? -1 : 0) - (b.rule === 2 ? -1 : 0) || a.rule - b.rule || b.words.length - a.words.length
	);
}
