import { describe, expect, it } from 'vitest';
import { charBigrams, repeatScorer, repeatSimilarity } from './bigrams';

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

describe('repeatScorer', () => {
	it('gives what repeatSimilarity gives with both addresses as context, for each of many other tickets', () => {
		const call = '市民来电反映：平江路100号小区门口餐馆油烟很大，晚上无法开窗，希望有关部门处理';
		const others: [string, string | null][] = [
			['平江路100号小区门口的餐馆油烟扰民，请尽快处理', '姑苏区平江路100号'],
			['平江路100号路灯不亮', '姑苏区平江路100号'],
			['餐馆油烟很大', null],
			['谢谢', '平江路'],
			['', null],
			['干将路施工噪音扰民，夜里十一点还在施工', '姑苏区干将路88号']
		];
		const score = repeatScorer(call, ['平江路100号']);
		for (const [text, address] of others)
			expect(score(text, [address]), text).toBe(repeatSimilarity(call, text, ['平江路100号', address]));
		expect(score(others[0][0], [others[0][1]])).toBeGreaterThan(0.5);
	});
});
