import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy';

describe('passwordProblem', () => {
	it('takes a password of 8 or more characters with two kinds of characters that is neither the name nor easily guessed', () => {
		// 127 different Han characters and a digit: the longest taken
		const longest = Array.from({ length: 127 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 37) % 2000))).join('') + '1';
		for (const ok of ['minqing2026', 'clerk-password', 'correct horse', '苏州12345热线', longest, 'Admin@1234!', 'desk-ledger-42', 'zhangwei1988'])
			expect(passwordProblem(ok, 'operator'), ok).toBeNull();
	});

	it('refuses, in Chinese, what is too short or too long (counted in characters, not UTF-16 units)', () => {
		expect(passwordProblem('')).toBe('请填写密码');
		expect(passwordProblem('ab1-')).toBe('密码至少 8 位（现有 4 位）');
		// seven characters, fourteen UTF-16 units
		expect(passwordProblem('𠀀𠀀𠀀𠀀𠀀𠀀1')).toBe('密码至少 8 位（现有 7 位）');
		expect(passwordProblem('a1'.repeat(65))).toBe('密码不能超过 128 位');
	});

	it('refuses one kind of character only: letters of any script, digits, or symbols and spaces', () => {
		for (const one of ['abcdefgh', 'ABCDEFGHIJ', '12345678', '苏州市政务热线服务', '!@#$%^&*', '        '])
			expect(passwordProblem(one), one).toBe('密码须含字母、数字、符号中的至少两种');
		expect(passwordProblem('苏州市政务热线服务1')).toBeNull();
	});

	it('refuses the account’s own name inside, whatever its case, for names of three characters or more', () => {
		expect(passwordProblem('zhang.san-01', 'zhang.san')).toBe('密码不能包含用户名');
		expect(passwordProblem('2026-ZHANG.SAN', 'zhang.san')).toBe('密码不能包含用户名');
		expect(passwordProblem('li-2026-pass', 'li')).toBeNull(); // a two-letter name is in too many words
	});

	it('refuses the passwords tried first, in any case, and those built on them', () => {
		// in leaked-password lists: language-common's, and the Chinese ones it lacks (woaini1314, suzhou12345)
		for (const common of ['password1', 'woaini1314', 'WOAINI1314', '1qaz2wsx', 'abcd1234', 'a1b2c3d4', 'Suzhou12345'])
			expect(passwordProblem(common), common).toBe('这个密码过于常见，容易被猜中，请换一个');
		// a l33t spelling or a few characters more is no better: refused, saying why and what to do
		for (const near of ['P@ssw0rd', 'Admin@123', 'abcd1234-desk', 'qwer1234!', 'hotline2026'])
			expect(passwordProblem(near), near).toBe('这个密码容易被猜中（与常用密码相近），请换一个：再加几个不常见的词');
	});

	it('refuses repeats, dates and keyboard walks, naming which', () => {
		expect(passwordProblem('aaaaaaaa1')).toMatch(/^这个密码容易被猜中（含重复的字符），请换一个：/);
		expect(passwordProblem('2026-11-30a')).toMatch(/^这个密码容易被猜中（含日期），请换一个：/);
		expect(passwordProblem('zxcvbnm,./1')).toMatch(/^这个密码容易被猜中（含键盘上连成一排的按键），请换一个：/);
	});
});
