import { describe, expect, it } from 'vitest';
import { TIME_MAX_MS, TIME_MIN_MS, formatShanghai, parseTime } from './time';

/** 2026-11-28 10:05:30 in Shanghai */
const T = Date.UTC(2026, 10, 28, 2, 5, 30);
const DAY0 = Date.UTC(2026, 10, 27, 16, 0, 0); // 2026-11-28 00:00 Shanghai

describe('parseTime', () => {
	it('reads ISO 8601 with and without offset (no offset = Asia/Shanghai)', () => {
		expect(parseTime('2026-11-28T10:05:30+08:00')).toBe(T);
		expect(parseTime('2026-11-28T02:05:30Z')).toBe(T);
		expect(parseTime('2026-11-28T02:05:30.000z')).toBe(T);
		expect(parseTime('2026-11-28T10:05:30')).toBe(T);
		expect(parseTime('2026-11-28T10:05:30+0800')).toBe(T);
		expect(parseTime('2026-11-28T10:05:30+08')).toBe(T);
		expect(parseTime('2026-11-27T21:05:30-05:00')).toBe(T);
		expect(parseTime('2026-11-28T10:05:30.123+08:00')).toBe(T + 123);
		expect(parseTime('2026-11-28T10:05:30.123456')).toBe(T + 123);
		expect(parseTime('2026-11-28T10:05:30.5')).toBe(T + 500);
		expect(parseTime('2026-11-28T10:05')).toBe(T - 30_000);
		expect(parseTime('20261128T020530Z')).toBe(T);
		expect(parseTime('20261128T100530')).toBe(T);
		// offsets run to ±14:00 and no further (+14:30 was read as an offset of 870 minutes)
		expect(parseTime('2026-11-28T16:05:30+14:00')).toBe(T);
		expect(parseTime('2026-11-28T16:35:30+14:30')).toBeNull();
		expect(parseTime('2026-11-28T10:05:30+14:59')).toBeNull();
		expect(parseTime('2026-11-27T14:05:30-12:00')).toBe(T);
	});

	it('reads the common export layouts', () => {
		expect(parseTime('2026-11-28 10:05:30')).toBe(T);
		expect(parseTime('2026-11-28 10:05')).toBe(T - 30_000);
		expect(parseTime('2026/11/28 10:05:30')).toBe(T);
		expect(parseTime('2026/11/28 10:05')).toBe(T - 30_000);
		expect(parseTime('2026.11.28 10:05:30')).toBe(T);
		expect(parseTime('2026/1/5 9:05')).toBe(Date.UTC(2026, 0, 5, 1, 5));
		expect(parseTime('2026-11-28 10:05:30 +08:00')).toBe(T);
		expect(parseTime('20261128100530')).toBe(T);
		expect(parseTime('202611281005')).toBe(T - 30_000);
		expect(parseTime(20261128100530)).toBe(T);
		expect(parseTime('  2026-11-28 10:05:30\n')).toBe(T);
		expect(parseTime('２０２６－１１－２８　１０:０５:３０')).toBe(T);
		// the full-width colon, which toHalfWidth keeps as Chinese punctuation, separates a time's parts
		expect(parseTime('２０２６－１１－２８　１０：０５：３０')).toBe(T);
		expect(parseTime('2026-11-28 10：05：30')).toBe(T);
	});

	it('reads Chinese dates and times', () => {
		expect(parseTime('2026年11月28日 10时05分30秒')).toBe(T);
		expect(parseTime('2026年11月28日10时05分30秒')).toBe(T);
		expect(parseTime('2026年11月28日 10时05分')).toBe(T - 30_000);
		expect(parseTime('2026年11月28日 10点05分')).toBe(T - 30_000);
		expect(parseTime('2026年11月28日 10:05')).toBe(T - 30_000);
		expect(parseTime('2026年11月28日 10:05:30')).toBe(T);
		expect(parseTime('2026年11月28日 10点')).toBe(T - 330_000);
		expect(parseTime('2026年11月28日')).toBe(DAY0);
		expect(parseTime('2026年11月28号')).toBe(DAY0);
		expect(parseTime('２０２６年１１月２８日　１０时０５分')).toBe(T - 30_000);
	});

	it('reads a date alone as 00:00 Shanghai', () => {
		for (const s of ['2026-11-28', '2026/11/28', '2026.11.28', '20261128', '2026年11月28日']) expect(parseTime(s), s).toBe(DAY0);
		expect(formatShanghai(parseTime('2026-11-28')!)).toBe('2026-11-28T00:00:00+08:00');
	});

	it('reads epoch seconds and milliseconds, told apart by magnitude', () => {
		const sec = T / 1000;
		expect(parseTime(sec)).toBe(T);
		expect(parseTime(T)).toBe(T);
		expect(parseTime(String(sec))).toBe(T);
		expect(parseTime(String(T))).toBe(T);
		expect(parseTime(sec + 0.5)).toBe(T + 500);
		expect(parseTime(`${sec}.25`)).toBe(T + 250);
		expect(parseTime(BigInt(T))).toBe(T);
		expect(parseTime(new Date(T))).toBe(T);
		expect(parseTime(946_684_800_000)).toBe(Date.UTC(2000, 0, 1)); // 12-digit epoch ms, not YYYYMMDDHHmm
		expect(parseTime('946684800000')).toBe(Date.UTC(2000, 0, 1));
	});

	it('rejects impossible dates and times', () => {
		for (const s of [
			'2026-02-30',
			'2025-02-29',
			'2026-13-01',
			'2026-00-10',
			'2026-11-31 10:00',
			'2026-11-28 25:00',
			'2026-11-28 24:00',
			'2026-11-28 10:60',
			'2026-11-28 10:05:60',
			'2026年2月30日',
			'2026年11月28日 25时',
			'20260230120000',
			'2026-11-28T10:05:30+15:00',
			'2026-11-28T10:05:30+08:75'
		])
			expect(parseTime(s), s).toBeNull();
		expect(parseTime('2024-02-29')).not.toBeNull(); // a leap year
		expect(parseTime('2000-02-29')).not.toBeNull();
	});

	it('rejects garbage', () => {
		for (const v of [
			'',
			'   ',
			'yesterday',
			'昨天下午',
			'2026年11月',
			'26-11-28',
			'11/28/2026',
			'2026-11-28T',
			'2026-11-28 10',
			'2026-11-28 10:05:30 abc',
			'0',
			'12345',
			'1e10',
			'NaN',
			'-1764295530',
			'9'.repeat(30),
			'2026-11-28'.repeat(10)
		])
			expect(parseTime(v), JSON.stringify(v)).toBeNull();
		for (const v of [null, undefined, 0, -1, NaN, Infinity, true, {}, [], new Date(NaN), 1e300])
			expect(parseTime(v), String(v)).toBeNull();
	});

	it('rejects instants outside 1990–2099 (zeros, wrong units)', () => {
		expect(parseTime('1970-01-01T00:00:00Z')).toBeNull();
		expect(parseTime('1989-12-31T23:59:59')).toBeNull();
		expect(parseTime('1990-01-01T00:00:00')).toBe(TIME_MIN_MS);
		expect(parseTime('2099-12-31T23:59:59.999')).toBe(TIME_MAX_MS);
		expect(parseTime('2100-01-01')).toBeNull();
		expect(parseTime(86_400)).toBeNull(); // one day after the epoch
		expect(parseTime(T * 1000)).toBeNull(); // microseconds
	});
});

describe('formatShanghai', () => {
	it('writes Asia/Shanghai ISO 8601 with the +08:00 offset, to the second', () => {
		expect(formatShanghai(T)).toBe('2026-11-28T10:05:30+08:00');
		expect(formatShanghai(T + 999)).toBe('2026-11-28T10:05:30+08:00');
		expect(formatShanghai(Date.UTC(2026, 11, 31, 16, 0, 0))).toBe('2027-01-01T00:00:00+08:00');
		expect(formatShanghai(Date.UTC(2026, 11, 31, 15, 59, 59))).toBe('2026-12-31T23:59:59+08:00');
		expect(() => formatShanghai(NaN)).toThrow(RangeError);
	});

	it('round-trips with parseTime', () => {
		for (let t = TIME_MIN_MS; t < TIME_MAX_MS; t += 86_400_000 * 37 + 3_723_000) {
			const s = Math.floor(t / 1000) * 1000;
			expect(parseTime(formatShanghai(s))).toBe(s);
		}
	});
});
