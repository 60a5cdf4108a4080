import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge, parseKnowledge, searchKnowledge } from './knowledge';

const kb = loadKnowledge(join(import.meta.dirname, '../../data/kb/articles.json'));

describe('knowledge base', () => {
	it('finds the article a consultation is about, whatever its wording', () => {
		expect(searchKnowledge(kb, '我想问一下住房公积金怎么提取出来')[0].id).toBe('line-housing-fund');
		expect(searchKnowledge(kb, '请问我上周反映的事情现在办到哪了')[0].id).toBe('hotline-progress');
		expect(searchKnowledge(kb, '退休以后养老金怎么领，社保交了十五年')[0].id).toBe('line-social-security');
		expect(searchKnowledge(kb, '我的个人信息会不会被泄露给商家')[0].id).toBe('hotline-privacy');
	});
	it('returns nothing for text it has no article for, and nothing for an empty query', () => {
		expect(searchKnowledge(kb, '楼下餐馆油烟扰民')).toEqual([]);
		expect(searchKnowledge(kb, '')).toEqual([]);
	});
	it('says which words matched and keeps at most the limit', () => {
		const hits = searchKnowledge(kb, '出租车拒载还绕路，公交也不准时', 2);
		expect(hits.length).toBeLessThanOrEqual(2);
		expect(hits[0]).toMatchObject({ id: 'line-transport' });
		expect(hits[0].matched).toEqual(expect.arrayContaining(['出租车', '拒载', '绕路']));
	});
	it('refuses a broken file with the article at fault', () => {
		expect(() =>
			parseKnowledge(
				'{"articles":[{"id":"a","title":"t","answer":"x","keywords":[]},{"id":"a","title":"t","answer":"x","keywords":[]}]}',
				'kb.json'
			)
		).toThrow(/kb.json: article 2 \(a\): id "a" is used twice/);
		expect(() => parseKnowledge('{"articles":[{"id":"b","title":"t","keywords":[]}]}', 'kb.json')).toThrow(/"answer" is missing/);
	});
});
