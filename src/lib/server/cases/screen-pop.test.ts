import { describe, expect, it } from 'vitest';
import { screenPop } from './screen-pop';

const pop = (query: string, areaCode: string | null = '0512') => screenPop(new URLSearchParams(query), areaCode);

describe('screenPop (来电弹屏: /intake?phone=…&channel=…&name=…)', () => {
	it('fills in the number, channel and name the telephone system gives', () => {
		expect(pop('phone=13812345678&channel=wechat&name=%E5%BC%A0%E4%B8%89')).toEqual({
			values: { caller_phone: '13812345678', channel: 'wechat', caller_name: '张三' },
			notes: []
		});
		// a local number (the city's area code makes it one registration takes), +86, a channel by its label
		expect(pop('phone=65123456&channel=%E7%94%B5%E8%AF%9D').values).toEqual({ caller_phone: '65123456', channel: 'phone' });
		expect(pop('phone=%2B86%20138-1234-5678&channel=APP').values).toEqual({ caller_phone: '+86 138-1234-5678', channel: 'app' });
	});

	it('says nothing of parameters that are absent or empty, and of others', () => {
		expect(pop('')).toEqual({ values: {}, notes: [] });
		expect(pop('phone=&channel=%20&name=&call_id=abc')).toEqual({ values: {}, notes: [] });
	});

	it('leaves out what registration would refuse and says why', () => {
		const r = pop('phone=anonymous&channel=fax&name=' + 'x'.repeat(51));
		expect(r.values).toEqual({});
		expect(r.notes).toEqual([
			'话务系统带入的来电号码“anonymous”不是可登记的电话号码，未填入；请向来电人询问联系电话',
			'话务系统带入的渠道“fax”无法识别，未填入（可选：电话、网站、App、微信）',
			`话务系统带入的来电人姓名“${'x'.repeat(20)}…”无法使用，未填入`
		]);
		// a service number, a local number without the city's area code to read it by, a control character
		expect(pop('phone=12345').notes).toHaveLength(1);
		expect(pop('phone=65123456', null).values).toEqual({});
		expect(pop('name=%E5%BC%A0%00%E4%B8%89').notes).toEqual(['话务系统带入的来电人姓名“张三”无法使用，未填入']);
		// the channels 受理 does not register (a feed's, Open311's)
		expect(pop('channel=feed').values).toEqual({});
		expect(pop('channel=open311').values).toEqual({});
	});

	it('keeps the good parameters beside a bad one', () => {
		const r = pop('phone=13812345678&channel=pager');
		expect(r.values).toEqual({ caller_phone: '13812345678' });
		expect(r.notes).toHaveLength(1);
	});
});
