import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScreeningRules, parseScreeningRules, screen } from './screening';

const rules = loadScreeningRules(join(import.meta.dirname, '../../data/dict/screening.json'));
const rulesOf = (title: string, content: string) => screen(rules, title, content).map((h) => h.rule);

describe('screening hints', () => {
	it('points an emergency to its line, and puts it first', () => {
		const h = screen(rules, '', '我们小区3号楼起火了，楼道里都是烟，还有人晕倒了，我已经在投诉物业');
		expect(h[0]).toMatchObject({ rule: 2, line: '119', words: ['起火'] });
		expect(h.find((x) => x.line === '120')?.words).toEqual(['晕倒']);
	});
	it('names the rule and the words for legal procedures, petitions and the bodies outside the government', () => {
		expect(rulesOf('', '我和公司的劳动纠纷已经申请仲裁，想问问进度')).toContain(4);
		expect(rulesOf('', '这个案子法院已立案，开庭时间一直拖')).toEqual(expect.arrayContaining([3, 5]));
		expect(rulesOf('', '我要反映人大代表不履职的问题')).toEqual([3]);
		expect(screen(rules, '', '我想去信访，这事拖了三年').find((x) => x.rule === 5)?.words).toEqual(['信访']);
	});
	it('ignores a negated word and ordinary complaints', () => {
		expect(rulesOf('', '路口发生剐蹭，没有车祸那么严重，主要是红绿灯坏了')).toEqual([]);
		expect(rulesOf('餐馆油烟扰民', '楼下餐馆每天晚上油烟很大，影响居民开窗通风')).toEqual([]);
		expect(rulesOf('', '不是火灾，是楼下烧烤的烟太大')).toEqual([]);
	});
	it('reads full-width text, and calls an almost empty appeal rule 8', () => {
		expect(rulesOf('', 'ｘｘ家里燃气泄漏了')).toEqual([2]);
		expect(rulesOf('', '喂？')).toEqual([8]);
	});
	it('says what is wrong with a bad rules file', () => {
		expect(() => parseScreeningRules('{"rules":[{"rule":12,"words":["x"]}]}', 'f.json')).toThrow(/f.json: rule 12 is not 1–9/);
		expect(() => parseScreeningRules('nope', 'f.json')).toThrow(/f.json: not JSON/);
	});
});
