// Shared wording of the text screens (sentiment and growth), pure functions for pages and tests.
import { formatChange } from './charts/format';

/** Sentiment score in [-1, 1] → a word for people. */
export function sentimentWord(score: number | null): string {
	if (score === null || Number.isNaN(score)) return '—';
	if (score <= -0.5) return '强烈不满';
	if (score <= -0.15) return '不满';
	if (score < 0.15) return '平和';
	return '正面';
}

/**
 * A topic growing fast: new since the days compared with, or at least 30 % more than in them. The briefing draft
 * names these (增长较快，建议关注), the overview and the wall mark them.
 */
export function risingFast(t: { growth: number | null; isNew?: boolean }): boolean {
	return !!t.isNew || (t.growth !== null && t.growth >= 0.3);
}

/** Growth ratio (0.25 = +25 %) as formatChange writes it, in whole percent; "新出现" when there was nothing before. */
export function growthText(growth: number, prev: number): string {
	return prev === 0 ? '新出现' : formatChange(growth, 0);
}
