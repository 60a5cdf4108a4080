import { describe, expect, it } from 'vitest';
import { SegmentPool } from '../segment/pool';
import { inProcessAnalyzer } from './analyzer';
import { shownTicketText, ticketText } from './ticket-analysis';

describe('ticketText and shownTicketText', () => {
	it('keep title and content a line apart, a line break in the title a space', () => {
		expect(ticketText('油烟\n扰民', '第一行\n第二行')).toBe('油烟 扰民\n第一行\n第二行');
		expect(ticketText(null, '内容')).toBe('\n内容');
		expect(shownTicketText(ticketText('油烟\r\n扰民', '第一行\n第二行'))).toBe('油烟 扰民\n第一行\n第二行');
	});

	it('mask title and content each as the screens mask them', () => {
		// a name found in the content is masked there; the title is masked on its own, as the search shows it
		expect(shownTicketText(ticketText('噪音投诉', '我叫王小明，电话13912345678，楼上噪音'))).toBe('噪音投诉\n我叫王**，电话139****5678，楼上噪音');
		expect(shownTicketText(ticketText('来电人李建国反映油烟', '烧烤店油烟'))).toBe('来电人李**反映油烟\n烧烤店油烟');
	});
});

describe('the analysis of a ticket text', () => {
	const texts = [
		ticketText('楼上噪音', '我叫王小明，楼上装修噪音很大，晚上十点还在施工'),
		ticketText('来电人欧阳明辉反映渣土车', '渣土车沿途撒漏，车牌苏E12345'),
		ticketText('路灯不亮', '小区门口路灯坏了好几天')
	];

	it('makes no token of what the mask hides, in the workers as in process', async () => {
		const local = await inProcessAnalyzer().analyze(texts);
		const pool = await SegmentPool.create(1, { userDict: true });
		try {
			expect(await pool.analyze(texts)).toEqual(local);
		} finally {
			await pool.close();
		}
		const tokens = local.map((a) => a.tokens.split('\u0001'));
		expect(tokens[0]).toEqual(expect.arrayContaining(['装修', '噪音', '施工']));
		expect(tokens[1]).toEqual(expect.arrayContaining(['渣土车', '沿途', '车牌']));
		expect(tokens.flat().filter((t) => /小明|明辉|12345/.test(t))).toEqual([]);
		// a text without personal data is analysed as it is
		expect(tokens[2]).toEqual(expect.arrayContaining(['路灯', '小区']));
	});
});
