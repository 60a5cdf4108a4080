import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { extraFiles, schedule2027, springFestival2027 } from '../../tests/support/calendar';
import {
	WorkCalendar,
	daysBetween,
	defaultCalendar,
	isDay,
	parseHolidayFile,
	refusedFileMessage,
	shanghaiDay,
	shanghaiMidnight,
	statutoryHolidays,
	type HolidayData
} from './index';

const defaultCalendarBase = () => createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as HolidayData;

const at = (isoLocal: string) => Date.parse(`${isoLocal}+08:00`);

describe('WorkCalendar (chinese-days data)', () => {
	const cal = defaultCalendar();

	it('knows 2026 National Day and its 调休 working weekend days', () => {
		for (let d = 1; d <= 7; d++) expect(cal.isWorkday(`2026-10-0${d}`)).toBe(false);
		expect(cal.holidayName('2026-10-01')).toBe('国庆节');
		expect(cal.isWorkday('2026-09-20')).toBe(true); // Sunday, worked in lieu
		expect(cal.isWorkday('2026-10-10')).toBe(true); // Saturday, worked in lieu
		expect(cal.isWorkday('2026-10-11')).toBe(false); // plain Sunday
	});

	it('keeps a working clock: its readings differ by the working time between them (whole days, Shanghai time)', () => {
		const H = 3_600_000;
		const worked = (from: string, to: string) => cal.workingClock(at(to)) - cal.workingClock(at(from));
		expect(worked('2026-11-27T17:00:00', '2026-12-01T00:00:00')).toBe(31 * H); // Friday 7 h + Monday 24 h
		expect(worked('2026-11-28T09:00:00', '2026-11-29T18:00:00')).toBe(0); // a weekend
		expect(worked('2026-09-30T10:00:00', '2026-10-08T00:00:00')).toBe(14 * H); // then 国庆
		expect(worked('2026-10-10T08:00:00', '2026-10-10T09:30:00')).toBe(1.5 * H); // a 调休 Saturday
		// across the edges of the precomputed table, as counted day by day
		for (const [from, to] of [
			['1999-12-30T12:00:00', '2000-01-04T12:00:00'],
			['2100-12-30T12:00:00', '2101-01-03T12:00:00']
		]) {
			const days = daysBetween(from.slice(0, 10), to.slice(0, 10));
			const byDay = days.reduce((ms, d, i) => {
				if (!cal.isWorkday(d)) return ms;
				const start = i === 0 ? at(from) : at(`${d}T00:00:00`);
				const end = i === days.length - 1 ? at(to) : at(`${d}T00:00:00`) + 24 * H;
				return ms + end - start;
			}, 0);
			expect(worked(from, to)).toBe(byDay);
		}
	});

	it('knows 2026 Spring Festival: 2-14 is a working Saturday, 2-15..2-23 are off', () => {
		expect(cal.isWorkday('2026-02-14')).toBe(true);
		expect(cal.isWorkday('2026-02-17')).toBe(false);
		expect(cal.isHoliday('2026-02-23')).toBe(true);
		expect(cal.isWorkday('2026-02-24')).toBe(true);
	});

	it('counts working-day deadlines across a holiday', () => {
		// received Wed 2026-09-30 10:00; 2 working days → Thu 10-08 is day 1 (10-01..07 off), Fri 10-09 day 2
		expect(shanghaiDay(cal.addWorkingDays(at('2026-09-30T10:00:00'), 2) - 1)).toBe('2026-10-09');
		// received Fri 2026-10-09: next working day is the 调休 Saturday 10-10
		expect(shanghaiDay(cal.addWorkingDays(at('2026-10-09T15:00:00'), 1) - 1)).toBe('2026-10-10');
		// 0 working days: end of the same day
		expect(cal.addWorkingDays(at('2026-11-27T09:00:00'), 0)).toBe(shanghaiMidnight('2026-11-28'));
		expect(cal.workingDaysBetween('2026-09-28', '2026-10-11')).toBe(6); // 9-28,29,30, 10-8,9,10
	});

	it('gives a year no schedule covers yet its statutory holidays: the next 春节 is not worked, though 调休 is unknown', () => {
		// 2027: 元旦 1-1, 春节 (除夕 2-5 … 初三 2-8), 清明 4-5, 劳动节 5-1/2, 端午 6-9, 中秋 9-15, 国庆 10-1..3
		expect(cal.covers(2027)).toBe(false);
		for (const d of ['2027-01-01', '2027-02-05', '2027-02-08', '2027-04-05', '2027-06-09', '2027-09-15', '2027-10-01'])
			expect(cal.isWorkday(d), d).toBe(false);
		expect(cal.holidayName('2027-02-06')).toBe('春节');
		expect(cal.isWorkday('2027-02-09')).toBe(true);
		// dispatched on the last day of 2026: one working day ends on Monday 2027-01-04, not on New Year's Day
		expect(shanghaiDay(cal.addWorkingDays(at('2026-12-31T10:00:00'), 1) - 1)).toBe('2027-01-04');
		// across 春节: Thursday 2-4, then the four statutory days (and a weekend in them) → Tuesday 2-9
		expect(shanghaiDay(cal.addWorkingDays(at('2027-02-04T10:00:00'), 1) - 1)).toBe('2027-02-09');
		// the statutory days of a year the package knows are all rest days of its official schedule
		const y2026 = statutoryHolidays(2026).holidays;
		expect(Object.keys(y2026)).toEqual(expect.arrayContaining(['2026-02-17', '2026-06-19', '2026-09-25']));
		for (const d of Object.keys(y2026)) expect(cal.isHoliday(d), d).toBe(true);
	});

	it('lets an extra schedule override the package; a year it has in part is not covered and keeps the statutory days it lacks', () => {
		const extra = new WorkCalendar([
			{ holidays: {}, workdays: {} },
			{ holidays: { '2099-01-01': "New Year's Day,元旦,1" }, workdays: { '2099-01-03': 'x,元旦,1' } }
		]);
		expect(extra.isWorkday('2099-01-01')).toBe(false); // a Thursday made a holiday
		expect(extra.isWorkday('2099-01-03')).toBe(true); // a Saturday made a working day
		expect(extra.covers(2099)).toBe(false); // 元旦 alone is not the year's schedule
		expect(extra.coverage(2099)).toEqual({ year: 2099, status: 'partial', lacking: ['春节', '清明', '劳动节', '端午', '中秋', '国庆节'] });
		expect(extra.isWorkday('2099-10-01')).toBe(false); // 国庆, statutory
		expect(extra.coverage(2098).status).toBe('missing');
	});
});

describe('the extra holiday file (holidays-extra.json)', () => {
	const withFile = extraFiles();
	const NOW = Date.parse('2026-12-02T10:00:00+08:00');

	it('the file shipped in data/reference is valid', () => {
		const text = readFileSync(new URL('../../data/reference/holidays-extra.json', import.meta.url), 'utf8');
		expect(parseHolidayFile(text, 2004, NOW).problems).toEqual([]);
	});

	it('a whole year entered covers it, with its 调休, and moves the statutory fallback one year on', () => {
		const { cal } = withFile(schedule2027());
		expect(cal.refused).toBeNull();
		expect(cal.covers(2027)).toBe(true);
		expect(cal.coverage(2027)).toEqual({ year: 2027, status: 'complete', lacking: [] });
		expect(cal.isWorkday('2027-02-11')).toBe(false); // 春节 as entered, beyond the statutory four days
		expect(cal.isWorkday('2027-02-20')).toBe(true); // its 调休 Saturday
		expect(cal.isWorkday('2027-10-07')).toBe(false);
		expect(cal.covers(2028)).toBe(false);
		expect(cal.isWorkday('2032-10-01')).toBe(false); // 2028 … 2032 get the statutory days
	});

	it('a key that is not a YYYY-MM-DD date (2027-2-8) refuses the whole file, naming it and the key; 2027 keeps its statutory days', () => {
		const schedule = schedule2027();
		delete schedule.holidays['2027-02-08'];
		schedule.holidays['2027-2-8'] = 'Spring Festival,春节,4';
		const { file, cal } = withFile(schedule);
		// before: 2027 counted as covered by its other entries, and 初三 2027-02-08 was a working day
		expect(cal.isWorkday('2027-02-08')).toBe(false);
		expect(cal.covers(2027)).toBe(false);
		expect(cal.refused).toEqual({ path: file, problems: ['holidays 中的“2027-2-8”不是 YYYY-MM-DD 格式的日期（应写作 2027-02-08）'] });
		// none of the file is used: the 春节 days beyond the statutory four and the 调休 Saturday are as without it
		expect(cal.isWorkday('2027-02-11')).toBe(true);
		expect(cal.isWorkday('2027-02-20')).toBe(false);
		expect(cal.isWorkday('2027-10-01')).toBe(false); // statutory 国庆
		expect(refusedFileMessage(cal.refused!)).toBe(
			`节假日文件 ${file} 有 1 处错误，整个文件未使用（时限按 chinese-days 的放假安排和法定节日计算，直到改正）：holidays 中的“2027-2-8”不是 YYYY-MM-DD 格式的日期（应写作 2027-02-08）。`
		);
	});

	it('a year typo (2207-02-08) is refused and does not move the statutory fallback past 2027 … 2206', () => {
		const { cal } = withFile({ holidays: { '2207-02-08': 'Spring Festival,春节,4' }, workdays: {} });
		expect(cal.refused?.problems[0]).toMatch(/^holidays 中的“2207-02-08”的年份 2207 不在 2004–20\d\d 年之间/);
		for (const d of ['2027-01-01', '2027-02-08', '2027-10-01', '2031-10-01']) expect(cal.isWorkday(d), d).toBe(false);
		expect(cal.coverage(2027).status).toBe('missing');
		// and in the calendar itself (without the file's check), a lone entry far off is a partial year, not a covered one
		const raw = new WorkCalendar([defaultCalendarBase(), { holidays: { '2207-02-08': 'Spring Festival,春节,4' }, workdays: {} }], 5);
		expect(raw.isWorkday('2027-10-01')).toBe(false);
		expect(raw.coverage(2207).status).toBe('partial');
	});

	it('only 春节 entered for 2027: 2027 is partial, and 元旦, 清明, 劳动节, 端午, 中秋 and 国庆 keep their statutory days', () => {
		const { cal } = withFile(springFestival2027());
		expect(cal.refused).toBeNull();
		expect(cal.covers(2027)).toBe(false);
		expect(cal.coverage(2027)).toEqual({ year: 2027, status: 'partial', lacking: ['元旦', '清明', '劳动节', '端午', '中秋', '国庆节'] });
		expect(cal.isWorkday('2027-02-11')).toBe(false); // as entered
		expect(cal.isWorkday('2027-02-20')).toBe(true); // its 调休
		for (const d of ['2027-01-01', '2027-04-05', '2027-05-01', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-02', '2027-10-03'])
			expect(cal.isWorkday(d), d).toBe(false);
		expect(cal.isWorkday('2027-10-04')).toBe(true); // no 调休 is guessed
		expect(cal.isWorkday('2031-10-01')).toBe(false); // the fallback still runs from 2026, the last covered year
	});

	it('refuses every other kind of bad entry, each named by its list and key', () => {
		const check = (content: string) => parseHolidayFile(content, 2004, NOW).problems;
		const file = (holidays: Record<string, unknown>, workdays: Record<string, unknown> = {}) => JSON.stringify({ holidays, workdays });
		expect(check('{ "holidays": { "2027-01-01": "元旦" ')[0]).toMatch(/^不是有效的 JSON/);
		expect(check('[]')).toEqual(['文件内容应为 { "holidays": { "YYYY-MM-DD": "英文名,中文名,天数" }, "workdays": { … } }']);
		expect(check('{ "holidays": [], "workdays": {}, "inLieuDays": {} }')).toEqual([
			'有未知的字段“inLieuDays”（只认 holidays 和 workdays）',
			'“holidays”应是一个对象：{ "YYYY-MM-DD": "英文名,中文名,天数" }'
		]);
		expect(check(file({ '2027-02-30': 'Spring Festival,春节,4' }))).toEqual(['holidays 中的“2027-02-30”不是真实的日期']);
		expect(check(file({ '08/02/2027': 'Spring Festival,春节,4' }))).toEqual(['holidays 中的“08/02/2027”不是 YYYY-MM-DD 格式的日期']);
		expect(check(file({ '2029-02-08': 'Spring Festival,春节,4', '2003-01-01': "New Year's Day,元旦,1" }))).toEqual([
			'holidays 中的“2029-02-08”的年份 2029 不在 2004–2028 年之间（chinese-days 最早的年份至今年后两年），可能是笔误',
			'holidays 中的“2003-01-01”的年份 2003 不在 2004–2028 年之间（chinese-days 最早的年份至今年后两年），可能是笔误'
		]);
		for (const value of ['春节', 'Spring Festival,春节', 'Spring Festival,春节,four', ',春节,4', 'Spring Festival,,4', 4, null])
			expect(check(file({ '2027-02-08': value }))).toEqual([
				`holidays 中的“2027-02-08”的值 ${JSON.stringify(value)} 应为“英文名,中文名,天数”，如 "Spring Festival,春节,4"`
			]);
		expect(check(file({}, { '2027-02-08': 'Spring Festival,春节,4' }))).toEqual(['workdays 中的“2027-02-08”是星期一：调休上班日只能是周六或周日']);
		expect(check(file({ '2027-02-20': 'Spring Festival,春节,4' }, { '2027-02-20': 'Spring Festival,春节,4' }))).toEqual([
			'“2027-02-20”同时写在 holidays 和 workdays 中'
		]);
		// a file without one of the lists has it empty; a good file gives its schedule
		expect(parseHolidayFile('{ "holidays": { "2027-01-01": "New Year\'s Day,元旦,1" } }', 2004, NOW)).toEqual({
			data: { holidays: { '2027-01-01': "New Year's Day,元旦,1" }, workdays: {} },
			problems: []
		});
		// each of them keeps the whole file out of the calendar
		const { cal } = withFile({ ...schedule2027(), holidays: { ...schedule2027().holidays, '2027-06-09': 'Dragon Boat Festival,端午' } });
		expect(cal.refused?.problems).toHaveLength(1);
		expect(cal.isWorkday('2027-02-11')).toBe(true);
		expect(refusedFileMessage({ path: 'x.json', problems: ['a', 'b', 'c'] }, 2)).toBe(
			'节假日文件 x.json 有 3 处错误，整个文件未使用（时限按 chinese-days 的放假安排和法定节日计算，直到改正）：a；b；另有 1 处。'
		);
	});
});

describe('isDay and daysBetween', () => {
	it('accepts real dates only and lists the days of a range, both ends included', () => {
		expect(isDay('2024-02-29')).toBe(true);
		expect(isDay('2026-02-29')).toBe(false);
		expect(isDay('2026-2-1')).toBe(false);
		expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
		expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
	});
});
