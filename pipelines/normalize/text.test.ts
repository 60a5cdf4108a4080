import { describe, expect, it } from 'vitest';
import { CONTENT_MAX_CHARS, KEPT_FULLWIDTH, cleanText, contentLength, cutChars, looksLikeHtml, toHalfWidth, unreadableMessage, unsavableChar, unsavableMessage } from './text';

describe('toHalfWidth', () => {
	it('converts full-width letters, digits, space and ASCII punctuation', () => {
		expect(toHalfWidth('ＡＢＣｘｙｚ０１２３４５６７８９')).toBe('ABCxyz0123456789');
		expect(toHalfWidth('０５１２－６５１２３４５６')).toBe('0512-65123456');
		expect(toHalfWidth('２０２６／１１／２８　１０：０５')).toBe('2026/11/28 10：05'); // ： is Chinese punctuation
		expect(toHalfWidth('＂＃＄％＆＇＊＋．／＜＝＞＠［＼］＾＿｀｛｜｝')).toBe('"#$%&\'*+./<=>@[\\]^_`{|}');
		expect(toHalfWidth('苏Ｅ·１２３４５')).toBe('苏E·12345');
	});

	it('keeps Chinese punctuation, also the marks that live in the full-width block', () => {
		const chinese = '，。！？、；：“”‘’（）《》【】…—～·￥';
		expect(toHalfWidth(chinese)).toBe(chinese);
		for (const c of KEPT_FULLWIDTH) expect(toHalfWidth(c)).toBe(c);
		expect(toHalfWidth('你好！请问（园区）怎么走？')).toBe('你好！请问（园区）怎么走？');
	});

	it('converts exactly U+3000 and U+FF01–U+FF5E minus the kept marks, and keeps the length', () => {
		for (let c = 0xff01; c <= 0xff5e; c++) {
			const ch = String.fromCharCode(c);
			const out = toHalfWidth(ch);
			if (KEPT_FULLWIDTH.includes(ch)) expect(out).toBe(ch);
			else expect(out.charCodeAt(0)).toBe(c - 0xfee0);
		}
		expect(toHalfWidth('\u3000')).toBe(' ');
		const s = 'ＡＢ苏州１２３，干将东路　１００号';
		expect(toHalfWidth(s)).toHaveLength(s.length);
		expect(toHalfWidth('plain ascii 123')).toBe('plain ascii 123');
	});
});

describe('cleanText', () => {
	it('trims, normalises line breaks, and changes nothing else', () => {
		expect(cleanText('  \u3000小区门口垃圾没人清理。\r\n第二行\r第三行\n\n  ')).toEqual({
			text: '小区门口垃圾没人清理。\n第二行\n第三行',
			flags: []
		});
		const inner = '楼下  烧烤店\t油烟\n\n\n太大　了ＡＢＣ';
		expect(cleanText(inner).text).toBe(inner);
	});

	it('removes control characters except tab and newline, with a flag', () => {
		const r = cleanText('噪音\u0000扰民\u0007\u001b[0m\u007f\u0085，\t还有\n下一行');
		expect(r.text).toBe('噪音扰民[0m，\t还有\n下一行');
		expect(r.flags).toEqual(['control_chars']);
		expect(cleanText('\u0000\u0001').text).toBe('');
	});

	it('keeps format characters and emoji; replaces unpaired surrogates', () => {
		expect(cleanText('a\u200bb😀').text).toBe('a\u200bb😀');
		const r = cleanText('坏\ud800字');
		expect(r.text).toBe('坏\ufffd字');
		expect(r.flags).toEqual(['invalid_unicode']);
	});

	it("finds what no store keeps in people's text: a NUL, half a character; a whole one (𠮷, emoji) is kept", () => {
		expect(unsavableChar('路灯\u0000')).toEqual({ code: 'U+0000', what: '空字符（U+0000）' });
		expect(unsavableChar('路\ud842灯')).toEqual({ code: 'U+D842', what: '无效字符（不成对的代理码元 U+D842）' });
		expect(unsavableChar('\udfb7路灯')?.code).toBe('U+DFB7');
		expect(unsavableChar('路灯\ud842')?.code).toBe('U+D842');
		expect(unsavableChar('𠮷野家😀\u0001\ufffd')).toBeNull();
		expect(unsavableMessage('备注', '好', null, '坏\ud800')).toBe('备注含有无效字符（不成对的代理码元 U+D800），无法保存，请删除后重试');
		expect(unsavableMessage('备注', '好', undefined)).toBeNull();
		// where nothing is saved (the 受理 assistant), without 无法保存
		expect(unreadableMessage('诉求内容', '好', '坏\u0000')).toBe('诉求内容含有无法识别的字符（空字符 U+0000），请删除后重试');
		expect(unreadableMessage('诉求内容', '坏\udfff')).toBe('诉求内容含有无法识别的字符（不成对的代理码元 U+DFFF），请删除后重试');
		expect(unreadableMessage('诉求内容', '好', null)).toBeNull();
	});

	it('flags HTML and script but keeps the text exactly as sent', () => {
		for (const s of [
			'<script>alert(1)</script>投诉',
			'投诉<img src=x onerror=alert(1)>',
			'<a href="javascript:alert(1)">点我</a>',
			'<IFRAME src=//evil>',
			'见附件<br/>谢谢',
			'<!-- 注释 -->',
			'链接 javascript:void(0)',
			'<svg onload=alert(1)>',
			'</div>'
		]) {
			const r = cleanText(s);
			expect(r.text, s).toBe(s.trim());
			expect(r.flags, s).toContain('html');
		}
	});

	it('does not take Chinese writing with angle brackets for HTML', () => {
		for (const s of ['依据<<消费者权益保护法>>第二十四条', '温度<30度', 'a<b 且 c>d 不成立', '<苏州市生活垃圾分类管理条例>', '2<3']) {
			expect(cleanText(s).flags, s).toEqual([]);
			expect(looksLikeHtml(s)).toBe(false);
		}
	});
});

describe('cutChars', () => {
	it('keeps the first n characters as contentLength counts them, never half of a surrogate pair', () => {
		expect(cutChars('路灯坏了', 2)).toBe('路灯');
		expect(cutChars('路😀路', 2)).toBe('路😀');
		expect(cutChars('𠀀𠀀𠀀', 2)).toBe('𠀀𠀀');
		expect(cutChars('路😀', 5)).toBe('路😀');
		expect(cutChars('abc', 0)).toBe('');
		// a lone surrogate already there counts as one character
		expect(cutChars('\uD800ab', 2)).toBe('\uD800a');
		for (let n = 0; n < 8; n++) expect(contentLength(cutChars('a😀b𠀀c👍d', n))).toBe(Math.min(n, 7));
	});
});

describe('contentLength', () => {
	it('counts code points, so characters outside the BMP count once', () => {
		expect(contentLength('')).toBe(0);
		expect(contentLength('苏州12345')).toBe(7);
		expect(contentLength('𠀀𠀁')).toBe(2);
		expect('😀'.length).toBe(2);
		expect(contentLength('好😀')).toBe(2);
		expect(contentLength('\ud800x')).toBe(2); // an unpaired surrogate is one character
	});

	it('supports the 1–10,000 rule at its edges', () => {
		expect(contentLength('字'.repeat(CONTENT_MAX_CHARS))).toBe(10_000);
		expect(contentLength('😀'.repeat(CONTENT_MAX_CHARS))).toBe(10_000);
		expect(contentLength('字'.repeat(CONTENT_MAX_CHARS + 1))).toBe(10_001);
		expect(contentLength(cleanText(' \n\t ').text)).toBe(0);
	});
});
