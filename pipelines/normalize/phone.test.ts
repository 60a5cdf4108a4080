import { describe, expect, it } from 'vitest';
import { SUZHOU_AREA_CODE, dialNumber, isMobile, maskName, maskPhone, normalizePhone } from './phone';

describe('normalizePhone', () => {
	it('reads mobile numbers in the usual spellings', () => {
		for (const s of [
			'13812341234',
			'138 1234 1234',
			'138-1234-1234',
			'+86 138 1234 1234',
			'+86-13812341234',
			'(+86)13812341234',
			'0086 13812341234',
			'8613812341234',
			'013812341234',
			'１３８１２３４１２３４',
			'tel:+8613812341234',
			' 138.1234.1234 '
		])
			expect(normalizePhone(s), s).toBe('13812341234');
		expect(normalizePhone(19912345678)).toBe('19912345678');
		expect(isMobile('13812341234')).toBe(true);
	});

	it('reads landlines and keeps the area code', () => {
		for (const s of ['0512-65123456', '(0512)65123456', '（0512）65123456', '0512 6512 3456', '051265123456', '+86 512 65123456', '+86 (0)512-65123456', '0086-512-65123456'])
			expect(normalizePhone(s), s).toBe('051265123456');
		expect(normalizePhone('021-62345678')).toBe('02162345678');
		expect(normalizePhone('010 8888 6666')).toBe('01088886666');
		expect(normalizePhone('0520-5123456')).toBe('05205123456'); // 7 local digits
		expect(isMobile('051265123456')).toBe(false);
	});

	it('gives local numbers the area code passed in', () => {
		expect(normalizePhone('65123456', SUZHOU_AREA_CODE)).toBe('051265123456');
		expect(normalizePhone('6512 3456', '0512')).toBe('051265123456');
		expect(normalizePhone('65123456')).toBeNull();
		expect(normalizePhone('65123456', '512')).toBeNull();
		expect(normalizePhone('13812341234', '0512')).toBe('13812341234');
	});

	it('drops extensions', () => {
		expect(normalizePhone('0512-65123456-801')).toBe('051265123456');
		expect(normalizePhone('0512-65123456转801')).toBe('051265123456');
		expect(normalizePhone('0512-65123456 ext. 12')).toBe('051265123456');
		expect(normalizePhone('65123456-801', '0512')).toBe('051265123456');
	});

	it('returns null for what is not a phone number', () => {
		for (const s of [
			'',
			'   ',
			'无',
			'12345',
			'110',
			'95588',
			'4008001234',
			'12812341234', // no mobile starts with 12
			'1381234123', // 10 digits
			'138123412345', // 12 digits
			'0512-1234567', // local part starting with 1
			'13812341234/13912341234',
			'138abc41234',
			'+1 415 555 0100',
			'+44 20 7946 0958',
			'0000000000'
		])
			expect(normalizePhone(s), s).toBeNull();
		for (const v of [null, undefined, {}, 1.5, -13812341234]) expect(normalizePhone(v)).toBeNull();
	});
});

describe('dialNumber', () => {
	it('dials the canonical number: a mobile, a landline with its area code, a local number with the city’s', () => {
		expect(dialNumber('138 1234 5678')).toBe('13812345678');
		expect(dialNumber('+86 138-1234-5678')).toBe('13812345678');
		expect(dialNumber('（0512）6512-3456')).toBe('051265123456');
		expect(dialNumber('65123456', SUZHOU_AREA_CODE)).toBe('051265123456');
		expect(dialNumber('１３８１２３４５６７８')).toBe('13812345678');
	});

	it('leaves an extension to the person calling, and keeps the numbers registration takes without a key', () => {
		expect(dialNumber('0512-65123456转801')).toBe('051265123456');
		expect(dialNumber('0512-65123456-801')).toBe('051265123456');
		expect(dialNumber('+44 20 7946 0958')).toBe('+442079460958');
		expect(dialNumber('0044 20 7946 0958 ext 12')).toBe('+442079460958');
		expect(dialNumber('400-123-4567')).toBe('4001234567');
	});

	it('dials nothing that is not a number: masked, a service number, a local number without an area code, text', () => {
		for (const s of ['138****5678', '12345', '110', '65123456', 'anonymous', '', null, undefined, '+12', '请拨打13812345678'])
			expect(dialNumber(s)).toBeNull();
	});
});

describe('maskPhone', () => {
	it('hides the middle of a number', () => {
		expect(maskPhone('13812341234')).toBe('138****1234');
		expect(maskPhone('+86 138-1234-1234')).toBe('138****1234');
		expect(maskPhone('0512-65123456')).toBe('0512****3456');
		expect(maskPhone('021-62345678')).toBe('021****5678');
		// a local number without its area code keeps only its last 4 (first 3 and last 4 left 7 of 8 digits)
		expect(maskPhone('65123456')).toBe('****3456');
		expect(maskPhone('6512345')).toBe('****2345');
		expect(maskPhone('12345')).toBe('****2345');
		expect(maskPhone('1234')).toBe('****');
		expect(maskPhone('1391234.5678')).toBe('139****5678');
		expect(maskPhone('')).toBe('');
		expect(maskPhone(null)).toBe('');
	});
});

describe('maskName', () => {
	it('keeps the surname and hides the given name, one * per character', () => {
		expect(maskName('张三')).toBe('张*');
		expect(maskName('张小明')).toBe('张**');
		expect(maskName('欧阳娜娜')).toBe('欧阳**');
		expect(maskName('司马懿')).toBe('司马*');
		expect(maskName('欧阳')).toBe('欧*');
		expect(maskName('王')).toBe('*');
		expect(maskName(' 李四 ')).toBe('李*');
	});

	it('keeps polite forms and placeholders, which hide the person already', () => {
		expect(maskName('张先生')).toBe('张先生');
		expect(maskName('王女士')).toBe('王女士');
		expect(maskName('欧阳先生')).toBe('欧阳先生');
		expect(maskName('匿名')).toBe('匿名');
	});

	it('masks other scripts after the first character, keeping spaces', () => {
		expect(maskName('John Smith')).toBe('J*** *****');
		expect(maskName('')).toBe('');
		expect(maskName(undefined)).toBe('');
	});
});
