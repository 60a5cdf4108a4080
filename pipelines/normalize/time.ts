// Timestamps of feed records → epoch milliseconds. Every wall-clock time without an offset is Asia/Shanghai
// (UTC+8 all year: China has had no daylight saving time since 1991). Pure functions, no dependencies.
import { toHalfWidth } from './text';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Asia/Shanghai offset in minutes. */
export const SHANGHAI_OFFSET_MIN = 480;

/**
 * The instants `parseTime` accepts: 1990-01-01 to 2099-12-31 (Shanghai). Anything outside is taken for garbage
 * (a zero, a wrong unit, a typo in the year); whether a time is in the future is the caller's rule, not this one.
 */
export const TIME_MIN_MS = Date.UTC(1990, 0, 1) - 8 * HOUR;
export const TIME_MAX_MS = Date.UTC(2100, 0, 1) - 8 * HOUR - 1;

/**
 * Epoch numbers: below 1e11 they are seconds (1e11 s is the year 5138), from 1e11 on milliseconds (1e11 ms is
 * 1973-03-03). Inside the accepted window 1990–2099 the two never meet: seconds run 6.3e8–4.1e9, ms 6.3e11–4.1e12.
 */
const SECONDS_BELOW = 1e11;

/** Offsets in use run from -12:00 to +14:00: none is further from UTC than this many minutes. */
export const MAX_OFFSET_MIN = 14 * 60;

/** The days of month `m` (1-12) of year `y` (Gregorian). */
export function daysInMonth(y: number, m: number): number {
	if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
	return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Wall-clock fields → epoch ms, or null when a field is out of range (2026-02-30, 25:00, 10:60). */
function compose(
	y: number,
	mo: number,
	d: number,
	h: number,
	mi: number,
	s: number,
	ms: number,
	offsetMin: number
): number | null {
	if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
	if (h > 23 || mi > 59 || s > 59) return null;
	const t = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * MINUTE;
	return t >= TIME_MIN_MS && t <= TIME_MAX_MS ? t : null;
}

/** `.5` → 500, `.123456` → 123 (truncated to milliseconds). */
function fraction(f: string | undefined): number {
	return f ? Number(f.slice(1, 4).padEnd(3, '0')) : 0;
}

/** `Z`, `+08:00`, `+0800`, `+08`, `-05:30` → minutes east of UTC; undefined → Shanghai; null when malformed. */
function offset(z: string | undefined): number | null {
	if (z === undefined || z === '') return SHANGHAI_OFFSET_MIN;
	if (z === 'Z' || z === 'z') return 0;
	const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(z);
	if (!m) return null;
	const h = Number(m[2]);
	const mi = Number(m[3] ?? '0');
	if (mi > 59 || h * 60 + mi > MAX_OFFSET_MIN) return null;
	return (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
}

// Date (year-month-day with -, / or .), then optionally a time: hours and minutes, optional seconds with a
// fraction, optional offset. Between date and time: T, a space or nothing else.
const NUMERIC =
	/^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
// ISO 8601 basic format: 20261128T100530, 20261128T100530Z, 20261128T100530+0800.
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})[Tt](\d{2})(\d{2})(?:(\d{2})(\.\d+)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
// 2026年11月28日, then optionally 10时05分30秒 / 10点05分 / 10点 / 10:05 / 10:05:30.
const CHINESE =
	/^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(?:\s*(\d{1,2})\s*(?:[时点]\s*(?:(\d{1,2})\s*分\s*(?:(\d{1,2})\s*秒)?)?|:\s*(\d{2})(?::(\d{2}))?))?$/;

/**
 * A time as written → the text the patterns read: full-width digits and signs half-width, and the full-width
 * colon too (toHalfWidth keeps it as Chinese punctuation; in a time it separates hours and minutes).
 */
export function timeText(raw: string): string {
	return toHalfWidth(raw).replaceAll('：', ':').trim();
}

function parseString(raw: string): number | null {
	const s = timeText(raw);
	if (s === '') return null;

	if (/^\d+$/.test(s)) return parseDigits(s);
	if (/^\d+\.\d+$/.test(s)) return parseEpoch(Number(s));

	let m = NUMERIC.exec(s);
	if (m) {
		const off = offset(m[9]);
		if (off === null) return null;
		if (m[5] === undefined && m[9] !== undefined) return null; // an offset needs a time
		return compose(+m[1], +m[3], +m[4], +(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? 0), fraction(m[8]), off);
	}
	m = ISO_BASIC.exec(s);
	if (m) {
		const off = offset(m[8]);
		if (off === null) return null;
		return compose(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0), fraction(m[7]), off);
	}
	m = CHINESE.exec(s);
	if (m) {
		const h = +(m[4] ?? 0);
		const mi = +(m[5] ?? m[7] ?? 0);
		const sec = +(m[6] ?? m[8] ?? 0);
		return compose(+m[1], +m[2], +m[3], h, mi, sec, 0, SHANGHAI_OFFSET_MIN);
	}
	return null;
}

/**
 * A string of digits: 14 = YYYYMMDDHHmmss, 12 = YYYYMMDDHHmm (when that is a valid time), 8 = YYYYMMDD (all
 * Shanghai); anything else is an epoch number (10 digits seconds, 13 digits milliseconds, told apart by magnitude).
 */
function parseDigits(s: string): number | null {
	const n = (a: number, b: number) => Number(s.slice(a, b));
	if (s.length === 14) return compose(n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14), 0, SHANGHAI_OFFSET_MIN);
	if (s.length === 12) {
		// YYYYMMDDHHmm, or else epoch milliseconds of 1990-01-01 … 2001-09-09 (12 digits too).
		const t = compose(n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), 0, 0, SHANGHAI_OFFSET_MIN);
		return t ?? parseEpoch(Number(s));
	}
	if (s.length === 8) return compose(n(0, 4), n(4, 6), n(6, 8), 0, 0, 0, 0, SHANGHAI_OFFSET_MIN);
	if (s.length > 16) return null;
	return parseEpoch(Number(s));
}

function parseEpoch(v: number): number | null {
	if (!Number.isFinite(v) || v <= 0) return null;
	const t = Math.round(v < SECONDS_BELOW ? v * 1000 : v);
	return t >= TIME_MIN_MS && t <= TIME_MAX_MS ? t : null;
}

/**
 * A timestamp of a feed record → epoch milliseconds, or null when it is not one.
 *
 * Accepted (full-width digits and punctuation are read as half-width; surrounding white space is ignored):
 * - ISO 8601 / RFC 3339 with or without offset: `2026-11-28T10:05:30+08:00`, `2026-11-28T02:05:30Z`,
 *   `2026-11-28T10:05:30.123`, `2026-11-28T10:05`, offsets `Z`, `+08:00`, `+0800`, `+08`; basic format
 *   `20261128T100530Z`;
 * - `YYYY-MM-DD HH:mm[:ss[.fff]]`, the same with `/` or `.` between the date parts, one-digit month, day and hour
 *   allowed (`2026/1/5 9:05`), an offset allowed after the time;
 * - `YYYYMMDDHHmmss`, `YYYYMMDDHHmm`, `YYYYMMDD`;
 * - `2026年11月28日 10时05分[30秒]`, `10点05分`, `10点`, `2026年11月28日 10:05[:30]`, `2026年11月28号`;
 * - a date alone (`2026-11-28`, `2026/11/28`, `2026年11月28日`, `20261128`) → 00:00 that day;
 * - epoch seconds or milliseconds as a number or a digit string (`1764295530`, `1764295530123`, `1764295530.5`),
 *   told apart by magnitude (below 1e11 → seconds);
 * - a valid `Date` object.
 * A time without offset is Asia/Shanghai (UTC+8, no DST).
 *
 * Rejected (null): impossible dates and times (2026-02-30, 2025-02-29, 25:00, 24:00, 10:60, leap second :60),
 * offsets beyond ±14:00, an offset on a date without time, two-digit years, 上午/下午 forms, anything else;
 * and every instant outside 1990-01-01 … 2099-12-31 (Shanghai), which catches zeros and wrong units.
 * Fractions of a second beyond milliseconds are truncated.
 */
export function parseTime(value: unknown): number | null {
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return null;
		if (Number.isInteger(value) && value > 0) return parseDigits(String(value));
		return parseEpoch(value);
	}
	if (typeof value === 'string') return value.length > 64 ? null : parseString(value);
	if (typeof value === 'bigint') return parseDigits(value.toString());
	if (value instanceof Date) {
		const t = value.getTime();
		return Number.isFinite(t) && t >= TIME_MIN_MS && t <= TIME_MAX_MS ? t : null;
	}
	return null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An instant as Asia/Shanghai ISO 8601 with offset, to the second (milliseconds are dropped, rounding down):
 * `2026-11-28T10:05:30+08:00`. Throws a RangeError for a non-finite number.
 */
export function formatShanghai(ms: number): string {
	if (!Number.isFinite(ms)) throw new RangeError(`formatShanghai: not a time: ${ms}`);
	const d = new Date(Math.floor(ms / 1000) * 1000 + SHANGHAI_OFFSET_MIN * MINUTE);
	const y = d.getUTCFullYear();
	if (y < 0 || y > 9999) throw new RangeError(`formatShanghai: year ${y} out of range`);
	return (
		`${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
		`T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+08:00`
	);
}
