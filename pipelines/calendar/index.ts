// The Chinese public-holiday calendar with 调休 (weekend days that become working days), for time limits
// counted in working days and for seasonal baselines. Data: the maintained `chinese-days` package
// (State Council schedules), plus `data/reference/holidays-extra.json` in the same shape for years the
// installed package does not know yet — so a new year's schedule is a data edit, not a code change. That file is
// checked when read (`parseHolidayFile`) and not used at all when anything in it is wrong (`WorkCalendar.refused`).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface HolidayData {
	/** YYYY-MM-DD → "English,中文,days" */
	holidays: Record<string, string>;
	/** 调休 working days on weekends, same value format */
	workdays: Record<string, string>;
}

/** The festivals of the statutory holidays, as `statutoryHolidays` names them (the Chinese part of the value). */
export const FESTIVALS = ['元旦', '春节', '清明', '劳动节', '端午', '中秋', '国庆节'] as const;
export type Festival = (typeof FESTIVALS)[number];

export interface YearCoverage {
	year: number;
	/** complete: the package's schedule, or one with every festival; partial: some entries; missing: none */
	status: 'complete' | 'partial' | 'missing';
	/** the festivals the year's schedule lacks: their statutory days are rest days, without 调休 */
	lacking: Festival[];
}

/** An extra holiday file that was not used, and why (one line per problem, in Chinese). */
export interface RefusedFile {
	path: string;
	problems: string[];
}

const festivalOf = (value: string) => value.split(',')[1] as Festival;

const DAY_MS = 86_400_000;
const SHANGHAI_MS = 8 * 3_600_000;

/** Asia/Shanghai date of an instant. */
export function shanghaiDay(ms: number): string {
	return new Date(ms + SHANGHAI_MS).toISOString().slice(0, 10);
}

/** The instant 00:00 Asia/Shanghai of a date. */
export function shanghaiMidnight(day: string): number {
	return Date.parse(`${day}T00:00:00Z`) - SHANGHAI_MS;
}

/** The calendar date `n` days after `day` (YYYY-MM-DD; n may be negative). */
export function addDays(day: string, n: number): string {
	return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Date.UTC with the year as given (month 0-11; a day or month beyond its range rolls over, as in Date.UTC): Date.UTC
 * reads the years 0-99 as 1900-1999.
 */
export function utcTime(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
	const t = new Date(0);
	t.setUTCFullYear(y, mo, d);
	return t.setUTCHours(h, mi, s, ms);
}

/** Whether `s` is a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isDay(s: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
	const t = Date.parse(`${s}T00:00:00Z`);
	return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/** The dates from `from` to `to`, both included (empty when from > to). */
export function daysBetween(from: string, to: string): string[] {
	const out: string[] = [];
	for (let n = dayNumber(from), last = dayNumber(to); n <= last; n++) out.push(new Date(n * DAY_MS).toISOString().slice(0, 10));
	return out;
}

/** Days since 1970-01-01 of an Asia/Shanghai calendar date or instant. */
export function dayNumber(day: string): number {
	return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}
export function dayNumberAt(ms: number): number {
	return Math.floor((ms + SHANGHAI_MS) / DAY_MS);
}

// Working-day arithmetic runs on a precomputed table of day numbers (fast enough for millions of tickets).
const TABLE_FROM = dayNumber('2000-01-01');
const TABLE_TO = dayNumber('2100-12-31');

export class WorkCalendar {
	private readonly holidays = new Map<string, string>();
	private readonly workdays = new Map<string, string>();
	/** the years with schedule entries, complete or partial; a year not here is missing */
	private readonly status = new Map<number, YearCoverage>();
	private flags: Uint8Array | null = null;
	/** cum[i] = working days in [TABLE_FROM, TABLE_FROM + i] */
	private cum: Int32Array | null = null;

	/**
	 * `sources` are official schedules, later ones overriding earlier ones. `sources[0]` is the package's: each year it
	 * has counts as covered. A year only later sources (the city's extra file) have counts as covered only when it is
	 * complete — a holiday on at least one statutory day of each festival (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆节);
	 * a partial year keeps the statutory days (`statutoryHolidays`) of the festivals it lacks. The `fallbackYears`
	 * years after the last covered one get their statutory holidays too (without the 调休 of a schedule not yet
	 * published): used, but such a year does not count as covered. `refused` is an extra file that was not used.
	 */
	constructor(
		sources: HolidayData[],
		fallbackYears = 0,
		readonly refused: RefusedFile | null = null
	) {
		const official = new Set<number>();
		const entered = new Set<number>();
		sources.forEach((s, i) => {
			const years = i === 0 ? official : entered;
			for (const [d, v] of Object.entries(s.holidays)) {
				this.holidays.set(d, v);
				this.workdays.delete(d);
				years.add(Number(d.slice(0, 4)));
			}
			for (const [d, v] of Object.entries(s.workdays)) {
				this.workdays.set(d, v);
				this.holidays.delete(d);
				years.add(Number(d.slice(0, 4)));
			}
		});
		for (const year of official) this.status.set(year, { year, status: 'complete', lacking: [] });
		const statutory = new Map<number, Record<string, string>>();
		const statutoryOf = (y: number) => statutory.get(y) ?? statutory.set(y, statutoryHolidays(y).holidays).get(y)!;
		for (const year of entered) {
			if (official.has(year)) continue;
			const days = Object.entries(statutoryOf(year));
			const lacking = FESTIVALS.filter((f) => !days.some(([d, v]) => festivalOf(v) === f && this.holidays.has(d)));
			this.status.set(year, { year, status: lacking.length ? 'partial' : 'complete', lacking });
		}
		const covered = [...this.status.values()].filter((c) => c.status === 'complete').map((c) => c.year);
		const last = covered.length ? Math.max(...covered) : Number.NaN;
		const fill = new Set([...this.status.values()].filter((c) => c.status === 'partial').map((c) => c.year));
		for (let y = last + 1; y <= last + fallbackYears; y++) if (!this.status.has(y)) fill.add(y);
		for (const y of fill) {
			const lacking = this.coverage(y).lacking;
			for (const [d, v] of Object.entries(statutoryOf(y)))
				if (lacking.includes(festivalOf(v)) && !this.holidays.has(d) && !this.workdays.has(d)) this.holidays.set(d, v);
		}
	}

	private table(): { flags: Uint8Array; cum: Int32Array } {
		if (!this.flags || !this.cum) {
			const n = TABLE_TO - TABLE_FROM + 1;
			const flags = new Uint8Array(n);
			const cum = new Int32Array(n);
			let c = 0;
			for (let i = 0; i < n; i++) {
				const num = TABLE_FROM + i;
				const dow = (num + 4) % 7; // 1970-01-01 was a Thursday
				flags[i] = dow === 0 || dow === 6 ? 0 : 1;
				c += flags[i];
				cum[i] = c;
			}
			for (const d of this.holidays.keys()) this.setFlag(flags, dayNumber(d), 0);
			for (const d of this.workdays.keys()) this.setFlag(flags, dayNumber(d), 1);
			c = 0;
			for (let i = 0; i < n; i++) cum[i] = c += flags[i];
			this.flags = flags;
			this.cum = cum;
		}
		return { flags: this.flags, cum: this.cum };
	}

	private setFlag(flags: Uint8Array, num: number, v: number) {
		if (num >= TABLE_FROM && num <= TABLE_TO) flags[num - TABLE_FROM] = v;
	}

	/**
	 * Whether the calendar has a year's complete official schedule (otherwise weekends and, for the years after the
	 * covered ones, the statutory days count).
	 */
	covers(year: number): boolean {
		return this.coverage(year).status === 'complete';
	}

	/** A year's schedule: complete, partial (with the festivals it lacks) or missing. */
	coverage(year: number): YearCoverage {
		return this.status.get(year) ?? { year, status: 'missing', lacking: [...FESTIVALS] };
	}

	isHoliday(day: string): boolean {
		return this.holidays.has(day);
	}

	/** Chinese name of the holiday on that day (春节, 国庆节 …), or null. */
	holidayName(day: string): string | null {
		const v = this.holidays.get(day);
		return v ? (v.split(',')[1] ?? null) : null;
	}

	isWorkday(day: string): boolean {
		return this.isWorkdayNumber(dayNumber(day));
	}

	isWorkdayNumber(num: number): boolean {
		if (num < TABLE_FROM || num > TABLE_TO) {
			const dow = (((num + 4) % 7) + 7) % 7;
			return dow !== 0 && dow !== 6;
		}
		return this.table().flags[num - TABLE_FROM] === 1;
	}

	/**
	 * The deadline `n` working days after an instant: the end (24:00 Asia/Shanghai) of the n-th working day
	 * after the day of `fromMs`. n = 0 gives the end of that day.
	 */
	addWorkingDays(fromMs: number, n: number): number {
		const d = dayNumberAt(fromMs);
		let j = d;
		if (n > 0) {
			if (d < TABLE_FROM || d + n * 7 + 60 > TABLE_TO) {
				for (let left = n; left > 0; ) if (this.isWorkdayNumber(++j)) left--;
			} else {
				const { cum } = this.table();
				const target = cum[d - TABLE_FROM] + n;
				let lo = d - TABLE_FROM + 1;
				let hi = lo + n * 7 + 60; // no run of holidays is that long
				while (lo < hi) {
					const mid = (lo + hi) >> 1;
					if (cum[mid] >= target) hi = mid;
					else lo = mid + 1;
				}
				j = TABLE_FROM + lo;
			}
		}
		return (j + 1) * DAY_MS - SHANGHAI_MS;
	}

	/**
	 * A running total of working time up to the instant `ms`, in ms from the start of the table's first day: the
	 * parts of days that are working days (whole Asia/Shanghai days). The difference of two readings is the working
	 * time between them (a weekend or a holiday adds nothing): how much of a limit in working days is used.
	 */
	workingClock(ms: number): number {
		const d = dayNumberAt(ms);
		return this.workingDaysBefore(d) * DAY_MS + (this.isWorkdayNumber(d) ? ms + SHANGHAI_MS - d * DAY_MS : 0);
	}

	/** Working days from the table's first day up to day number `d` (excluded); negative before the table. */
	private workingDaysBefore(d: number): number {
		if (d <= TABLE_FROM) {
			let n = 0;
			for (let j = d; j < TABLE_FROM; j++) if (this.isWorkdayNumber(j)) n--;
			return n;
		}
		const { cum } = this.table();
		if (d - 1 <= TABLE_TO) return cum[d - 1 - TABLE_FROM];
		let n = cum[TABLE_TO - TABLE_FROM];
		for (let j = TABLE_TO + 1; j < d; j++) if (this.isWorkdayNumber(j)) n++;
		return n;
	}

	/** The days from day number `from` to `to` (both included) as a string, '1' a working day and '0' not. */
	workdayFlags(from: number, to: number): string {
		let s = '';
		for (let d = from; d <= to; d++) s += this.isWorkdayNumber(d) ? '1' : '0';
		return s;
	}

	/** Working days in [fromDay, toDay] inclusive. */
	workingDaysBetween(fromDay: string, toDay: string): number {
		let n = 0;
		for (let d = dayNumber(fromDay), e = dayNumber(toDay); d <= e; d++) if (this.isWorkdayNumber(d)) n++;
		return n;
	}
}

/**
 * The statutory public holidays of a year (国务院《全国年节及纪念日放假办法》, as revised in 2024): 元旦 1 January;
 * 春节 four days (除夕 and the first three days of the first lunar month); 清明 (the solar term); 劳动节 1–2 May;
 * 端午 (5th day of the 5th lunar month); 中秋 (15th of the 8th); 国庆节 1–3 October. The published schedule adds
 * 调休 on top of these, which cannot be foreseen: for a year it does not cover yet, these days at least are not
 * counted as working days. Lunar dates and 清明 from chinese-days.
 */
/** The statutory days off of each festival (国务院《全国年节及纪念日放假办法》), as statutoryHolidays puts them. */
export const STATUTORY_DAYS: Readonly<Record<Festival, number>> = { 元旦: 1, 春节: 4, 清明: 1, 劳动节: 2, 端午: 1, 中秋: 1, 国庆节: 3 };

export function statutoryHolidays(year: number): HolidayData {
	const require = createRequire(import.meta.url);
	const cd = require('chinese-days') as {
		getSolarDateFromLunar: (d: string) => { date: string };
		getSolarTermDate: (year: number, month: number, term: string) => string;
	};
	const holidays: Record<string, string> = {};
	const put = (day: string, name: string) => (holidays[day] = `${name},${STATUTORY_DAYS[festivalOf(name) as Festival]}`);
	const y = String(year);
	put(`${y}-01-01`, "New Year's Day,元旦");
	const spring = cd.getSolarDateFromLunar(`${y}-01-01`).date;
	for (let i = -1; i <= 2; i++) put(addDays(spring, i), 'Spring Festival,春节');
	put(cd.getSolarTermDate(year, 4, 'pure_brightness'), 'Tomb-sweeping Day,清明');
	put(`${y}-05-01`, 'Labour Day,劳动节');
	put(`${y}-05-02`, 'Labour Day,劳动节');
	put(cd.getSolarDateFromLunar(`${y}-05-05`).date, 'Dragon Boat Festival,端午');
	put(cd.getSolarDateFromLunar(`${y}-08-15`).date, 'Mid-autumn Festival,中秋');
	for (const d of ['10-01', '10-02', '10-03']) put(`${y}-${d}`, 'National Day,国庆节');
	return { holidays, workdays: {} };
}

/** Years after the last one the schedules cover that get the statutory days (deadlines run a few months ahead). */
const FALLBACK_YEARS = 5;

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

/**
 * Checks an extra holiday file's text (`{ "holidays": { "YYYY-MM-DD": "English,中文,days" }, "workdays": { … } }`):
 * every key a real date from `firstYear` to two years after `now`'s, every value "English,中文,days" with a
 * whole number of days, a 调休 working day on a Saturday or Sunday, no day in both lists, no other fields. Returns
 * the schedule, or the problems (in Chinese, each naming the list and the key) and no schedule.
 */
export function parseHolidayFile(
	text: string,
	firstYear: number,
	now = Date.now()
): { data: HolidayData; problems: [] } | { data: null; problems: string[] } {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (e) {
		return { data: null, problems: [`不是有效的 JSON（${(e as Error).message}）`] };
	}
	const shape = '应为 { "holidays": { "YYYY-MM-DD": "英文名,中文名,天数" }, "workdays": { … } }';
	if (typeof json !== 'object' || json === null || Array.isArray(json)) return { data: null, problems: [`文件内容${shape}`] };
	const problems: string[] = [];
	for (const k of Object.keys(json)) if (k !== 'holidays' && k !== 'workdays') problems.push(`有未知的字段“${k}”（只认 holidays 和 workdays）`);
	const lastYear = Number(shanghaiDay(now).slice(0, 4)) + 2;
	const out: HolidayData = { holidays: {}, workdays: {} };
	for (const list of ['holidays', 'workdays'] as const) {
		const entries: unknown = (json as Record<string, unknown>)[list] ?? {};
		if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
			problems.push(`“${list}”应是一个对象：{ "YYYY-MM-DD": "英文名,中文名,天数" }`);
			continue;
		}
		for (const [key, value] of Object.entries(entries)) {
			const at = `${list} 中的“${key}”`;
			if (!isDay(key)) {
				const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(key);
				const padded = m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : '';
				problems.push(
					/^\d{4}-\d{2}-\d{2}$/.test(key)
						? `${at}不是真实的日期`
						: `${at}不是 YYYY-MM-DD 格式的日期${isDay(padded) ? `（应写作 ${padded}）` : ''}`
				);
				continue;
			}
			const year = Number(key.slice(0, 4));
			if (year < firstYear || year > lastYear) {
				problems.push(`${at}的年份 ${year} 不在 ${firstYear}–${lastYear} 年之间（chinese-days 最早的年份至今年后两年），可能是笔误`);
				continue;
			}
			const parts = typeof value === 'string' ? value.split(',') : [];
			if (parts.length !== 3 || !parts[0].trim() || !parts[1].trim() || !/^[1-9]\d*$/.test(parts[2])) {
				problems.push(`${at}的值 ${JSON.stringify(value)} 应为“英文名,中文名,天数”，如 "Spring Festival,春节,4"`);
				continue;
			}
			const dow = (dayNumber(key) + 4) % 7; // 1970-01-01 was a Thursday
			if (list === 'workdays' && dow !== 0 && dow !== 6) {
				problems.push(`${at}是${WEEKDAYS[dow]}：调休上班日只能是周六或周日`);
				continue;
			}
			if (list === 'workdays' && key in out.holidays) {
				problems.push(`“${key}”同时写在 holidays 和 workdays 中`);
				continue;
			}
			out[list][key] = value as string;
		}
	}
	return problems.length ? { data: null, problems } : { data: out, problems: [] };
}

/** The message saying that an extra holiday file is not used, with its first `max` problems. */
export function refusedFileMessage(r: RefusedFile, max = Infinity): string {
	const shown = r.problems.slice(0, max);
	const more = r.problems.length - shown.length;
	return `节假日文件 ${r.path} 有 ${r.problems.length} 处错误，整个文件未使用（时限按 chinese-days 的放假安排和法定节日计算，直到改正）：${shown.join('；')}${more ? `；另有 ${more} 处` : ''}。`;
}

let cached: WorkCalendar | null = null;
let cachedExtra: string | undefined;

/**
 * The calendar from chinese-days plus an optional extra file in the same JSON shape. A file with any problem is not
 * used at all (the calendar's `refused` says why), so that a half-read schedule never moves deadlines unnoticed.
 */
export function defaultCalendar(extraPath?: string): WorkCalendar {
	if (cached && cachedExtra === extraPath) return cached;
	const require = createRequire(import.meta.url);
	const base = require('chinese-days/dist/chinese-days.json') as HolidayData;
	const sources: HolidayData[] = [base];
	let refused: RefusedFile | null = null;
	if (extraPath && existsSync(extraPath)) {
		let r: ReturnType<typeof parseHolidayFile>;
		try {
			r = parseHolidayFile(readFileSync(extraPath, 'utf8'), Math.min(...Object.keys(base.holidays).map((d) => Number(d.slice(0, 4)))));
		} catch (e) {
			r = { data: null, problems: [`无法读取（${(e as Error).message}）`] };
		}
		if (r.data) sources.push(r.data);
		else refused = { path: extraPath, problems: r.problems };
	}
	cached = new WorkCalendar(sources, FALLBACK_YEARS, refused);
	cachedExtra = extraPath;
	return cached;
}
