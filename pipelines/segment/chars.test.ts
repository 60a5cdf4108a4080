import { describe, expect, it } from 'vitest';
import { codeSet, hanTable, hasLetterOrDigit, isHanOnly, letterOrDigitTable, spaceTable } from './chars';

const HAN = /\p{Script=Han}/u;
const HAN_ONLY = /^\p{Script=Han}+$/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const SPACE = /[\s\u3000\u200b\ufeff]/u;

describe('character tables', () => {
	it('agree with their patterns on every BMP character, and leave surrogates out', () => {
		const han = hanTable();
		const lod = letterOrDigitTable();
		const space = spaceTable();
		const wrong: string[] = [];
		for (let c = 0; c < 0x10000; c++) {
			const ch = String.fromCharCode(c);
			const surrogate = c >= 0xd800 && c <= 0xdfff;
			if (han[c] !== (!surrogate && HAN.test(ch) ? 1 : 0)) wrong.push(`han ${c.toString(16)}`);
			if (lod[c] !== (!surrogate && LETTER_OR_DIGIT.test(ch) ? 1 : 0)) wrong.push(`letter/digit ${c.toString(16)}`);
			if (space[c] !== (!surrogate && SPACE.test(ch) ? 1 : 0)) wrong.push(`space ${c.toString(16)}`);
		}
		expect(wrong).toEqual([]);
		// a few known members, so that an empty table and an empty pattern cannot agree by accident
		expect([han[0x4e2d], han[0x3007], han[0x2f00], han[0x41]]).toEqual([1, 1, 1, 0]);
		expect([lod[0x41], lod[0x4e2d], lod[0xff11], lod[0x3002]]).toEqual([1, 1, 1, 0]);
		expect([space[0x20], space[0x3000], space[0x200b], space[0xfeff], space[0x4e2d]]).toEqual([1, 1, 1, 1, 0]);
	});

	it('isHanOnly and hasLetterOrDigit answer as the patterns do, beyond the BMP too', () => {
		const words = [
			'', '中', '中国', '中国a', 'a中', '〇', '々', '⼀', '𠀀', '𠀀𠀁', '中𠀀', '𠀀a', 'a𠀀', '😀', '中😀', '😀中', '１２', '，', '。！',
			'\ud840', '中\ud840', '⺀⺁', 'ABC', ' ', '　', '-', '_'
		];
		for (const w of words) {
			expect(isHanOnly(w), w).toBe(HAN_ONLY.test(w));
			expect(hasLetterOrDigit(w), w).toBe(LETTER_OR_DIGIT.test(w));
		}
	});

	it('codeSet takes one UTF-16 unit per character and refuses more', () => {
		expect([...codeSet(['一', 'a'])]).toEqual([0x4e00, 0x61]);
		expect(() => codeSet(['𠀀'])).toThrow(/not one UTF-16 code unit/);
	});
});
