// The knowledge base that consultations are answered from (data/kb/articles.json seeds the app's store, where
// 设置 › 知识库 edits it): loading the file with checks, and a search that ranks articles by the caller's words
// found in their keywords and title, then by character-bigram overlap (robust to word order and to how a caller
// phrases it). Pure apart from `loadKnowledge`.
import { readFileSync } from 'node:fs';
import { toHalfWidth } from '../normalize/text';
import { charBigrams, sharedBigrams } from './bigrams';

export interface Article {
	id: string;
	title: string;
	keywords: string[];
	answer: string;
	updated: string;
}

export interface ArticleHit extends Article {
	score: number;
	/** keywords or title words found in the text */
	matched: string[];
}

export function parseKnowledge(json: string, source = 'knowledge base'): Article[] {
	let f: { articles?: unknown };
	try {
		f = JSON.parse(json) as { articles?: unknown };
	} catch (e) {
		throw new Error(`${source}: not JSON (${(e as Error).message})`);
	}
	if (!Array.isArray(f.articles)) throw new Error(`${source}: "articles" must be an array`);
	const seen = new Set<string>();
	return f.articles.map((a: Partial<Article>, i) => {
		const where = `${source}: article ${i + 1}${a?.id ? ` (${a.id})` : ''}`;
		if (!a || typeof a.id !== 'string' || !a.id) throw new Error(`${where}: "id" is missing`);
		if (seen.has(a.id)) throw new Error(`${where}: id "${a.id}" is used twice`);
		seen.add(a.id);
		if (typeof a.title !== 'string' || !a.title.trim()) throw new Error(`${where}: "title" is missing`);
		if (typeof a.answer !== 'string' || !a.answer.trim()) throw new Error(`${where}: "answer" is missing`);
		if (!Array.isArray(a.keywords) || a.keywords.some((k) => typeof k !== 'string'))
			throw new Error(`${where}: "keywords" must be a list of words`);
		return { id: a.id, title: a.title, keywords: a.keywords, answer: a.answer, updated: typeof a.updated === 'string' ? a.updated : '' };
	});
}

export function loadKnowledge(path: string): Article[] {
	return parseKnowledge(readFileSync(path, 'utf8'), path);
}

/** A word as the search compares it (width, case and spaces folded); the store de-duplicates keywords the same way. */
export const fold = (s: string) => toHalfWidth(s).toLowerCase().replace(/\s+/g, '');

/** Share of the article's title-and-keyword bigrams that the text has (how much of the article the text talks about). */
function coverage(text: Set<string>, article: Set<string>): number {
	return article.size ? sharedBigrams(article, text) / article.size : 0;
}

/** Articles for a caller's text, best first: a keyword found counts most, then bigram coverage. */
export function searchKnowledge(articles: readonly Article[], text: string, limit = 3): ArticleHit[] {
	const t = fold(text);
	if (t.length < 2) return [];
	const tg = charBigrams(text);
	const hits: ArticleHit[] = [];
	for (const a of articles) {
		const matched = a.keywords.filter((k) => fold(k).length >= 2 && t.includes(fold(k)));
		const cov = coverage(tg, charBigrams(`${a.title}${a.keywords.join('')}`));
		const score = matched.length + cov;
		if (matched.length === 0 && cov < 0.25) continue;
		hits.push({ ...a, score: Math.round(score * 100) / 100, matched });
	}
	return hits.sort((x, y) => y.score - x.score || x.id.localeCompare(y.id)).slice(0, limit);
}
