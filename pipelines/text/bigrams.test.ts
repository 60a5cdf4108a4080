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
	it('do not call two matters at one address a repeat: the address and the stock phrases are left out', () => {
		const at = '姑苏区平江路123号';
		const lamp = '市民来电反映：姑苏区平江路123号门口路灯不亮，夜间出行不便，希望相关部门尽快处理。';
		const stall = '市民来电反映：姑苏区平江路123号门口有人占道经营，影响通行，希望相关部门尽快处理。';
		expect(repeatSimilarity(lamp, stall, [at, at])).toBeLessThan(0.3);
		expect(repeatSimilarity('平江路123号路灯不亮', '平江路123号噪音扰民', [at, at])).toBeLessThan(0.1);
		// the same matter again at the same address still is one
		const again = '姑苏区平江路123号门口路灯还是不亮，晚上出行不便';
		expect(repeatSimilarity(again, lamp, [at, at])).toBeGreaterThan(0.5);
	});
});
