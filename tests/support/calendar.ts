// A whole year's schedule in the shape of data/reference/holidays-extra.json, for tests of the extra file. Its dates
// are made up (chinese-days 1.5.7 has no 2027 yet and the State Council has not published it): they are not official.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { defaultCalendar, type HolidayData } from '../../pipelines/calendar/index';

/**
 * For a describe block: `withFile(content)` gives the calendar with an extra holiday file of that content (JSON, or a
 * string as written), each at a new path (defaultCalendar keeps the last one); the files go when the block ends.
 */
export function extraFiles(): (content: unknown) => { file: string; cal: ReturnType<typeof defaultCalendar> } {
	const dir = mkdtempSync(join(tmpdir(), 'minqing-holidays-'));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));
	let n = 0;
	return (content) => {
		const file = join(dir, `holidays-${++n}.json`);
		writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
		return { file, cal: defaultCalendar(file) };
	};
}

const days = (from: string, to: string) => {
	const out: string[] = [];
	for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
	return out;
};

/** 2027 with each of the seven festivals (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆节) and 调休 Saturdays and Sundays. */
export function schedule2027(): HolidayData {
	const holidays: Record<string, string> = {};
	const put = (from: string, to: string, value: string) => days(from, to).forEach((d) => (holidays[d] = value));
	put('2027-01-01', '2027-01-03', "New Year's Day,元旦,1");
	put('2027-02-05', '2027-02-13', 'Spring Festival,春节,4');
	put('2027-04-03', '2027-04-05', 'Tomb-sweeping Day,清明,1');
	put('2027-05-01', '2027-05-05', 'Labour Day,劳动节,2');
	put('2027-06-09', '2027-06-09', 'Dragon Boat Festival,端午,1');
	put('2027-09-15', '2027-09-15', 'Mid-autumn Festival,中秋,1');
	put('2027-10-01', '2027-10-07', 'National Day,国庆节,3');
	return {
		holidays,
		workdays: {
			'2027-02-20': 'Spring Festival,春节,4',
			'2027-05-08': 'Labour Day,劳动节,2',
			'2027-09-26': 'National Day,国庆节,3',
			'2027-10-09': 'National Day,国庆节,3'
		}
	};
}

/** Only 2027's 春节 and its 调休 Saturday (a year entered in part). */
export function springFestival2027(): HolidayData {
	const all = schedule2027();
	return {
		holidays: Object.fromEntries(Object.entries(all.holidays).filter(([d]) => d.startsWith('2027-02'))),
		workdays: { '2027-02-20': all.workdays['2027-02-20'] }
	};
}
