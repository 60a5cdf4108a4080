// The analysis of one ticket's text (its index tokens and sentiment), one function for the segmentation workers
// (pipelines/segment/worker.mjs) and the in-process analyzer alike. It reads the text as the analytics show it:
// title and content each masked as every analytics screen masks them (maskPersonal: the search, the topics, the
// briefings, the alerts), so no word the mask hides enters the tokens — nor, through them, the word index, the
// keywords, the topics' and the rising terms. Before, a search for 王小明 found the ticket shown as 我叫王**.
import type { Segmenter } from '../segment/index';
import { CALLER_BRACKET, maskPersonal } from './redact';
import { loadSentimentLexicon, sentimentOf } from './sentiment';

/**
 * What the stored tokens were made of, kept in the analytics store's meta (analysis_version): 2 = the texts as
 * shown (shownTicketText); before, the texts as stored; 3 = as 2, the mask also hiding a name before the caller's
 * word in brackets (王小明（来电人）). A store analysed by another version has the tickets whose shown text differs
 * analysed again (enrich.ts: forgetUnmaskedTokens). Bump it when the mask comes to hide words (Han text) it did not:
 * numbers make no tokens.
 */
export const ANALYSIS_VERSION = '3';

/**
 * A step from an older version to ANALYSIS_VERSION (`<from>><to>`) whose mask change is known: a DuckDB condition
 * on tickets_fact's title and content that every text the newer mask shows otherwise meets, so the look through a
 * store (forgetUnmaskedTokens) compares only those (2 → 3: a caller's word in brackets, as the mask looks for it;
 * its other changes hide only digits). A step not listed compares every analysed text; bumping the version thus
 * leaves the older steps out until they are given for the new one.
 */
export const UPGRADE_TEXTS: Record<string, string> = {
	'2>3': `regexp_matches(title, '${CALLER_BRACKET.source}') OR regexp_matches(content, '${CALLER_BRACKET.source}')`
};

/** What the analysis of one text gives: its tokens joined by U+0001, its sentiment score and intensity. */
export interface TextAnalysis {
	tokens: string;
	sentiment: number | null;
	intensity: number | null;
}

/**
 * The text a ticket is analysed by: title and content, a line apart (a line break in the title is a space there,
 * so the first line break parts them again: shownTicketText).
 */
export function ticketText(title: string | null, content: string | null): string {
	return `${(title ?? '').replace(/[\r\n]+/g, ' ')}\n${content ?? ''}`;
}

/** A ticketText as the analytics show it: its title and its content, each masked by maskPersonal. */
export function shownTicketText(text: string): string {
	const i = text.indexOf('\n');
	return i < 0 ? maskPersonal(text) : `${maskPersonal(text.slice(0, i))}\n${maskPersonal(text.slice(i + 1))}`;
}

/** The analysis of ticketTexts with `seg` and the sentiment lexicon of `dataDir` (default: the repository's data/). */
export function ticketAnalysis(seg: Segmenter, dataDir?: string): (text: string) => TextAnalysis {
	const lexicon = loadSentimentLexicon(dataDir);
	return (text) => {
		const shown = shownTicketText(text);
		const words = seg.cut(shown);
		const s = sentimentOf(words, shown, lexicon);
		return { tokens: seg.tokensOf(words).join('\u0001'), sentiment: s.score, intensity: s.intensity };
	};
}
