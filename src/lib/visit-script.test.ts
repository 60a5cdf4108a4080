import { describe, expect, it } from 'vitest';
import { visitScript } from './visit-script';

const base = {
	city: '苏州',
	callerName: '张三',
	// 2026-12-05 23:30 UTC is 12月6日 in Shanghai
	receivedAt: '2026-12-05T23:30:00.000Z',
	title: '小区门口餐馆油烟扰民',
	unit: '苏州市姑苏区人民政府',
	reply: '已约谈餐馆经营者，要求加装油烟净化设施'
};

describe('visitScript', () => {
	it('asks for the caller by name, says what was reported on which day (Shanghai), by whom it was handled and the reply, then the three answers', () => {
		expect(visitScript(base)).toEqual([
			'您好，这里是苏州12345热线，请问您是张三吗？',
			'您在12月6日反映的“小区门口餐馆油烟扰民”，已交苏州市姑苏区人民政府办理，现在给您做个回访。',
			'承办单位答复：已约谈餐馆经营者，要求加装油烟净化设施',
			'请问您反映的问题解决了吗？您对办理结果是满意、基本满意，还是不满意？',
			'感谢您对12345热线工作的支持，再见。'
		]);
	});

	it('asks for the caller of that day’s call when no name was given or it is masked', () => {
		for (const callerName of [null, '', '  ', '张*']) {
			expect(visitScript({ ...base, callerName })[0]).toBe('您好，这里是苏州12345热线，请问您是12月6日来电反映问题的市民吗？');
		}
	});

	it('leaves out the reply line when no reply is recorded, and the unit when none is named', () => {
		const lines = visitScript({ ...base, reply: '  ', unit: null });
		expect(lines).toHaveLength(4);
		expect(lines[1]).toBe('您在12月6日反映的“小区门口餐馆油烟扰民”，已办理，现在给您做个回访。');
		expect(lines.some((l) => l.startsWith('承办单位答复'))).toBe(false);
	});
});
