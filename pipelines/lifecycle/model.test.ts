import { describe, expect, it } from 'vitest';
import { WorkCalendar, defaultCalendar, shanghaiDay } from '../calendar/index';
import { DEFAULT_LIMITS, deadlines, light, metDeadline } from './model';

const at = (isoLocal: string) => Date.parse(`${isoLocal}+08:00`);

describe('time limits', () => {
	const cal = defaultCalendar();
	it('uses the DESIGN defaults: sign 1 working day, 2 hours when urgent; reply by type', () => {
		const t = at('2026-11-27T16:00:00'); // a Friday
		const normal = deadlines(cal, DEFAULT_LIMITS, '投诉', false, t);
		expect(shanghaiDay(normal.signDeadline - 1)).toBe('2026-11-30'); // Monday
		expect(deadlines(cal, DEFAULT_LIMITS, '投诉', true, t).signDeadline).toBe(t + 2 * 3_600_000);
		const consult = deadlines(cal, DEFAULT_LIMITS, '咨询', false, t);
		expect(shanghaiDay(consult.replyDeadline - 1)).toBe('2026-12-01');
		expect(normal.replyDeadline).toBeGreaterThan(consult.replyDeadline);
	});
	it('turns yellow at 75 % of the time used and red when overdue', () => {
		expect(light(0, 100, 50)).toBe('green');
		expect(light(0, 100, 75)).toBe('yellow');
		expect(light(0, 100, 100)).toBe('yellow');
		expect(light(0, 100, 101)).toBe('red');
	});
	it('says whether a step met its limit, and not before it is known', () => {
		expect(metDeadline(90, 100, 200)).toBe(true);
		expect(metDeadline(110, 100, 200)).toBe(false);
		expect(metDeadline(null, 100, 200)).toBe(false); // overdue, not done
		expect(metDeadline(null, 100, 50)).toBeNull(); // still in time
		expect(metDeadline(90, null, 200)).toBeNull(); // no limit
	});
});

describe('time limits over public holidays and 调休 working weekends', () => {
	const cal = defaultCalendar();
	const end = (ms: number) => shanghaiDay(ms - 1); // a deadline is 24:00 of its last day
	it('2026 国庆: the holiday week does not count, the make-up Saturday 10-10 does', () => {
		const t = at('2026-09-30T10:00:00'); // Wednesday before the holiday
		const d = deadlines(cal, DEFAULT_LIMITS, '投诉', false, t);
		expect(end(d.signDeadline)).toBe('2026-10-08'); // 10-01 … 10-07 off
		// 10-08 Thu, 10-09 Fri, 10-10 Sat (调休), 10-12 … 10-16, 10-19 … 10-23, 10-26, 10-27
		expect(end(d.replyDeadline)).toBe('2026-10-27');
		expect(end(deadlines(cal, DEFAULT_LIMITS, '求助', false, t).replyDeadline)).toBe('2026-10-13'); // 10-08, 10-09, 10-10, 10-12, 10-13
	});
	it('2026 国庆: a ticket dispatched on Saturday 09-19 must be signed for on the make-up Sunday 09-20', () => {
		expect(end(deadlines(cal, DEFAULT_LIMITS, '投诉', false, at('2026-09-19T09:00:00')).signDeadline)).toBe('2026-09-20');
		// 中秋 09-25 … 09-27 follows: 09-21 … 09-24 count, then 09-28
		expect(end(deadlines(cal, DEFAULT_LIMITS, '求助', false, at('2026-09-20T09:00:00')).replyDeadline)).toBe('2026-09-28');
	});
	it('2026 春节: the make-up Saturday 02-14 counts, 02-15 … 02-23 do not, Saturday 02-28 does', () => {
		const t = at('2026-02-13T15:00:00'); // Friday
		expect(end(deadlines(cal, DEFAULT_LIMITS, '咨询', false, t).signDeadline)).toBe('2026-02-14');
		expect(end(deadlines(cal, DEFAULT_LIMITS, '咨询', false, t).replyDeadline)).toBe('2026-02-24');
		// 02-14, 02-24 … 02-27, 02-28 (调休), 03-02 … 03-06, 03-09 … 03-12: 15 working days
		expect(end(deadlines(cal, DEFAULT_LIMITS, '投诉', false, t).replyDeadline)).toBe('2026-03-12');
		// urgent: two clock hours, holidays or not
		expect(deadlines(cal, DEFAULT_LIMITS, '投诉', true, at('2026-02-16T10:00:00')).signDeadline).toBe(at('2026-02-16T12:00:00'));
	});
	it('the next 春节 (2027) is a data edit: without its schedule weekends and the statutory days are off, and the calendar says so', () => {
		expect(cal.covers(2026)).toBe(true);
		expect(cal.covers(2027)).toBe(false);
		// chinese-days 1.5.7 has no 2027 schedule yet; once the State Council publishes it, it goes into
		// data/reference/holidays-extra.json. The schedule below has that file's shape; its dates are made up for
		// the test (Spring Festival 2027 is on 02-06), they are not the official ones.
		const next = new WorkCalendar([
			{ holidays: {}, workdays: {} },
			{
				holidays: Object.fromEntries(
					['05', '06', '07', '08', '09', '10', '11', '12', '13'].map((d) => [`2027-02-${d}`, 'Spring Festival,春节,9'])
				),
				workdays: { '2027-02-20': 'Spring Festival,春节,9' }
			}
		]);
		// 春节 alone is not the year's schedule: 2027 is not covered, and its other festivals keep their statutory days
		expect(next.covers(2027)).toBe(false);
		expect(next.coverage(2027).status).toBe('partial');
		expect(next.isWorkday('2027-10-01')).toBe(false);
		const t = at('2027-02-04T09:00:00'); // Thursday
		// 02-04 counts from the next day: 02-05 … 02-13 off, then 02-15 Mon … 02-19, 02-20 Sat (调休), 02-22
		expect(end(deadlines(next, DEFAULT_LIMITS, '求助', false, t).replyDeadline)).toBe('2027-02-19');
		expect(end(deadlines(next, DEFAULT_LIMITS, '投诉', false, t).replyDeadline)).toBe('2027-03-04');
		// without the schedule: weekends and 春节's four statutory days (除夕 02-05 … 初三 02-08), no 调休:
		// 02-09, 02-10, 02-11, 02-12, 02-15
		expect(end(deadlines(cal, DEFAULT_LIMITS, '求助', false, t).replyDeadline)).toBe('2027-02-15');
	});
	it('urgent tickets take the urgent reply limits of their type', () => {
		const limits = { ...DEFAULT_LIMITS, replyUrgentWorkingDays: { ...DEFAULT_LIMITS.replyUrgentWorkingDays, 投诉: 3 } };
		const t = at('2026-11-27T16:00:00');
		expect(end(deadlines(cal, limits, '投诉', true, t).replyDeadline)).toBe('2026-12-02');
		expect(end(deadlines(cal, limits, '投诉', false, t).replyDeadline)).toBe(
			end(deadlines(cal, DEFAULT_LIMITS, '投诉', false, t).replyDeadline)
		);
	});
});
