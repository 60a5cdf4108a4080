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
	it('reads a negator over a short gap, and a negated word hides the words inside it', () => {
		for (const text of [
			'小区没有发生火灾，但是消防通道被堆物堵住了',
			'并未发生火灾，只是楼道里烟味很大',
			'路口未发生车祸，但信号灯坏了好几天',
			'没有冒烟起火，只是配电箱烟味大',
			'今天电梯停了一会，没有人困在电梯里，请物业检修',
			'楼下没有人打架，只是吵架声音很大'
		])
			expect(rulesOf('', text), text).toEqual([]);
		// the negator reaches its own clause only
		expect(rulesOf('', '没有人管，楼道里着火了')).toEqual([2]);
	});
	it('reads a question as a question, not as a negation', () => {
		for (const text of ['邻居家里好像是不是着火了，有很大的烟味', '楼上有没有着火，闻到很大的烟味，请派人看看', '家里煤气罐会不会爆炸，一直在嘶嘶响'])
			expect(screen(rules, '', text)[0], text).toMatchObject({ rule: 2, line: '119' });
		expect(screen(rules, '', '有没有人晕倒不清楚，我看到楼下围了很多人')[0]).toMatchObject({ rule: 2, line: '120' });
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
