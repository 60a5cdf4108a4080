// Number and date formatting shared by charts and UI components (pure, no DOM).

const integerFormat = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const decimalFormat = new Intl.NumberFormat('zh-CN', {
	minimumFractionDigits: 1,
	maximumFractionDigits: 1
});

/** 12345 → "12,345" (zh-CN grouping). */
export function formatCount(n: number): string {
	return integerFormat.format(n);
}

/** 1234.56 → "1,234.6" */
export function formatDecimal(n: number): string {
	return decimalFormat.format(n);
}

/** A file's size for people: 812 → "812 B", 48,300 → "47.2 KB", 3,500,000 → "3.3 MB" (1,024-based, one decimal). */
export function formatBytes(n: number): string {
	if (n < 1024) return `${n} B`;
	const [v, unit] = n < 1024 * 1024 ? [n / 1024, 'KB'] : [n / 1024 / 1024, 'MB'];
	return `${Math.round(v * 10) / 10} ${unit}`;
}

/** 0.1234 → "12.3%"; null → "—". */
export function formatPercent(ratio: number | null, digits = 1): string {
	if (ratio === null || !Number.isFinite(ratio)) return '—';
	return `${(ratio * 100).toFixed(digits)}%`;
}

/**
 * A change against a base (0.25 = a quarter more) for people: "+25.3%", "−8.1%" (a true minus sign), "0.0%" when
 * it rounds to nothing, the same digits in every row of a column. From a doubling on, the multiple of the base:
 * 1.2 → "×2.2", 14.4 → "×15.4" (a base of a few tickets makes a percentage of four digits that nobody reads;
 * "15.4倍" would be read as 增长15.4倍 by some and as 为15.4倍 by others). null → "—".
 */
export function formatChange(change: number | null, digits = 1): string {
	if (change === null || !Number.isFinite(change)) return '—';
	if (change >= 1) return `×${(1 + change).toFixed(1)}`;
	const s = (Math.abs(change) * 100).toFixed(digits);
	return Number(s) === 0 ? `${s}%` : `${change > 0 ? '+' : '−'}${s}%`;
}

/** "12.50" → "12.5", "3.0" → "3" */
export function trimZeros(s: string): string {
	return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

function parseDay(day: string): { y: number; m: number; d: number } | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!match) return null;
	return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

/** "2026-11-28" → "2026年11月28日 星期六" (calendar date; no time-zone shift). */
export function formatDayLong(day: string): string {
	const p = parseDay(day);
	if (!p) return day;
	const weekday = WEEKDAYS[new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay()];
	return `${p.y}年${p.m}月${p.d}日 ${weekday}`;
}

/** "2026-11-28" → "11-28" (compact axis label). */
export function formatDayShort(day: string): string {
	const p = parseDay(day);
	if (!p) return day;
	return `${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** Next calendar day of a YYYY-MM-DD string. */
export function nextDay(day: string): string {
	const p = parseDay(day);
	if (!p) throw new Error(`日期格式无效：${day}`);
	const t = new Date(Date.UTC(p.y, p.m - 1, p.d + 1));
	return t.toISOString().slice(0, 10);
}

/** 08:05 — the Asia/Shanghai clock time of an ISO instant. */
export function formatClock(iso: string): string {
	return new Date(iso).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });
}

const SHANGHAI_MS = 8 * 3_600_000;

/** "2026-11-29T08:05" — the Asia/Shanghai wall time of an instant (China has no daylight saving); as datetime-local. */
export function shanghaiMinute(ms: number): string {
	return new Date(ms + SHANGHAI_MS).toISOString().slice(0, 16);
}

/** "2026-11-29 08:05" in Asia/Shanghai; the text itself when it is not a time; "—" for nothing. */
export function formatShanghaiTime(iso: string | null | undefined): string {
	if (!iso) return '—';
	const ms = Date.parse(iso);
	return Number.isNaN(ms) ? iso : shanghaiMinute(ms).replace('T', ' ');
}

/** "2026-11-29 08:05:09" in Asia/Shanghai, to the second (a log's order within a minute shows). */
export function formatShanghaiSecond(iso: string): string {
	return new Date(Date.parse(iso) + SHANGHAI_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** A time limit: one that ends at midnight reads as the end of its last day ("2026-11-30 24:00"), others as formatShanghaiTime. */
export function formatDeadline(iso: string | null | undefined): string {
	if (!iso) return '—';
	const ms = Date.parse(iso);
	if (Number.isNaN(ms)) return iso;
	const t = shanghaiMinute(ms);
	return t.endsWith('T00:00') ? `${shanghaiMinute(ms - 60_000).slice(0, 10)} 24:00` : t.replace('T', ' ');
}

/** A span of time in its largest whole unit: "3 天", "5 小时", "40 分钟" (at least 1 分钟). */
function spanText(ms: number): string {
	const a = Math.abs(ms);
	return a >= 86_400_000 ? `${Math.floor(a / 86_400_000)} 天` : a >= 3_600_000 ? `${Math.floor(a / 3_600_000)} 小时` : `${Math.max(1, Math.floor(a / 60_000))} 分钟`;
}

/** How far a time limit is from now: "超期 3 天", "超期 5 小时", "剩 2 天", "剩 40 分钟". */
export function formatTimeLeft(deadlineIso: string, nowMs: number): string {
	const left = Date.parse(deadlineIso) - nowMs;
	return left < 0 ? `超期 ${spanText(left)}` : `剩 ${spanText(left)}`;
}

/**
 * How late a step is against its limit: done after it, "超时 2 小时"; still undone past it at `nowMs`, "已超期 3 天";
 * null when it was (or still may be) done in time.
 */
export function formatLate(deadlineIso: string, doneIso: string | null, nowMs: number): string | null {
	const late = (doneIso ? Date.parse(doneIso) : nowMs) - Date.parse(deadlineIso);
	if (late <= 0) return null;
	return doneIso ? `超时 ${spanText(late)}` : `已超期 ${spanText(late)}`;
}
