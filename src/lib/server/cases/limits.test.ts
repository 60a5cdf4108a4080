// What 设置 › 办理时限 says about the holiday calendar: which of this year and next are complete, partial or missing,
// and an extra holiday file that was refused.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { WorkCalendar, defaultCalendar, type HolidayData } from '../../../../pipelines/calendar/index';
import { extraFiles, schedule2027, springFestival2027 } from '../../../../tests/support/calendar';
import { calendarCoverage } from './limits';

const NOW = Date.parse('2026-12-02T10:00:00+08:00');
const STATUTORY = '元旦、春节四天、清明、劳动节两天、端午、中秋、国庆三天';

describe('calendarCoverage', () => {
	const withFile = extraFiles();

	it('says 2027 is missing when nothing adds it (the package has up to 2026)', () => {
		const c = calendarCoverage(defaultCalendar(), NOW);
		expect(c.ok).toBe(false);
		expect(c.fileError).toBeNull();
		expect(c.message).toBe(
			`节假日数据已覆盖 2026 年。节假日数据缺少 2027 年的放假安排：这些年份的时限扣除周末和法定节日当天（${STATUTORY}），不含调休。国务院办公厅公布放假安排后，请更新 chinese-days 或在 data/reference/holidays-extra.json 中补充 2027 年的全年安排。`
		);
	});

	it('says both years are covered when the extra file has the whole of 2027', () => {
		const c = calendarCoverage(withFile(schedule2027()).cal, NOW);
		expect(c.ok).toBe(true);
		expect(c.message).toBe('节假日数据已覆盖 2026、2027 年。');
	});

	it('a typo in a date (2027-2-8): the file is refused and said so, and 2027 is missing — not "covered"', () => {
		const { file, cal } = withFile({ holidays: { ...schedule2027().holidays, '2027-2-8': 'Spring Festival,春节,4' }, workdays: {} });
		const c = calendarCoverage(cal, NOW);
		expect(c.ok).toBe(false);
		expect(c.message).not.toContain('已覆盖 2026、2027');
		expect(c.fileError).toBe(
			`节假日文件 ${file} 有 1 处错误，整个文件未使用（时限按 chinese-days 的放假安排和法定节日计算，直到改正）：holidays 中的“2027-2-8”不是 YYYY-MM-DD 格式的日期（应写作 2027-02-08）。`
		);
		expect(c.message.startsWith(c.fileError!)).toBe(true);
		expect(c.message).toContain('缺少 2027 年的放假安排');
		expect(c.years[1]).toMatchObject({ year: 2027, covered: false, status: 'missing' });
	});

	it('a typo in a year (2207-02-08): refused, and the statutory days the message speaks of are deducted in 2027', () => {
		const { cal } = withFile({ holidays: { '2207-02-08': 'Spring Festival,春节,4' }, workdays: {} });
		const c = calendarCoverage(cal, NOW);
		expect(c.fileError).toContain('holidays 中的“2207-02-08”的年份 2207 不在 2004–');
		expect(c.message).toContain(`缺少 2027 年的放假安排：这些年份的时限扣除周末和法定节日当天（${STATUTORY}）`);
		for (const d of ['2027-01-01', '2027-02-08', '2027-10-01']) expect(cal.isWorkday(d), d).toBe(false);
	});

	it('only 春节 of 2027 entered: 2027 is partial, and the message names the festivals counted by their statutory days', () => {
		const c = calendarCoverage(withFile(springFestival2027()).cal, NOW);
		expect(c.ok).toBe(false);
		expect(c.fileError).toBeNull();
		expect(c.years[1]).toMatchObject({ year: 2027, covered: false, status: 'partial', lacking: ['元旦', '清明', '劳动节', '端午', '中秋', '国庆节'] });
		expect(c.message).toBe(
			'节假日数据已覆盖 2026 年。2027 年的放假安排不完整：已录入的日子照录入的算，未录入的节日只扣除法定节日当天（元旦、清明、劳动节两天、端午、中秋、国庆三天），不含调休。国务院办公厅公布放假安排后，请更新 chinese-days 或在 data/reference/holidays-extra.json 中补全 2027 年的全年安排。'
		);
	});

	it('names each year by its state: complete, partial and missing together', () => {
		const base = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as HolidayData;
		const partial2027 = new WorkCalendar([base, springFestival2027()], 5);
		const at2027 = Date.parse('2027-03-01T10:00:00+08:00');
		const c = calendarCoverage(partial2027, at2027);
		expect(c.years.map((y) => y.status)).toEqual(['partial', 'missing']);
		expect(c.message).toContain('节假日数据缺少 2028 年的放假安排');
		expect(c.message).toContain('2027 年的放假安排不完整');
		expect(c.message).toContain('中补全 2027、2028 年的全年安排。');
		expect(c.message).not.toContain('已覆盖');
	});
});
