import { describe, expect, it } from 'vitest';
import { charBigrams, repeatSimilarity } from './bigrams';

describe('character bigrams', () => {
	it('fold width and case and drop spaces, punctuation and symbols', () => {
		expect([...charBigrams('ＡＢ，c d！')]).toEqual(['ab', 'bc', 'cd']);
		expect(charBigrams('一').size).toBe(0);
	});
	it('call the same matter raised again with more words similar, and another matter not', () => {
		const first = '平江路餐馆油烟扰民，晚上无法开窗，请尽快处理';
		expect(repeatSimilarity('平江路餐馆油烟扰民还是没处理，晚上还是无法开窗', first)).toBeGreaterThan(0.5);
		expect(repeatSimilarity('小区路灯坏了好几天，晚上出行不安全', first)).toBeLessThan(0.2);
		// short texts fall back to Jaccard, so a few words contained in a long text do not count as the same matter
		expect(repeatSimilarity('油烟扰民', first)).toBeLessThan(0.3);
		expect(repeatSimilarity('', first)).toBe(0);
	});
});
