/**
 * `npm run cli -- detect-series <file.csv>`: scores one series with the product's default detector settings.
 *
 * Input: `timestamp,value` rows, header line optional. Timestamps `2014-07-01 00:30:00` (also with `T`, without
 * seconds, with fractions, or a bare date) are Asia/Shanghai wall time; timestamps with `Z` or an offset (after `T`
 * or a space, as pandas and PostgreSQL write them: +00:00, +0800, +08) are taken as given; a date, time or offset
 * that does not exist (2026-02-30, 25:00, +25:00), zoned or not, is an unparseable row. Lines may end in \r\n,
 * \n or \r. An empty value (or NaN/NA/null) is a missing value: no observation, so among rows sharing a timestamp
 * the last one with a value counts (`t,5` then `t,` gives 5, `t,5` then `t,7` gives 7; all empty: missing), as
 * the detector merges them; rows out of order are put in time order.
 * Output: `timestamp,value,score,alert` in time order, one row per distinct timestamp (the timestamp as written in
 * the input, score with 4 decimals, alert 1 only where a new alert episode starts).
 * Exit code 0; 1 when the file is missing, unreadable, empty or has an unparseable row (message on stderr in Chinese,
 * then the precise reason); 2 for a usage error.
 */
import { readFile } from 'node:fs/promises';
import { utcTime } from '../calendar/index';
import { daysInMonth, MAX_OFFSET_MIN } from '../normalize/time';
import { LineOutput } from '../cli-output';
import { detectSeries, type SeriesPoint } from './detector';


const SHANGHAI_MS = 8 * 3_600_000;
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
/** with a zone: `T` or a space (pandas, PostgreSQL), then `Z` or an offset ±HH:MM, ±HHMM or ±HH (PostgreSQL's +08) */
const ZONED = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)$/i;
const MISSING = new Set(['', 'nan', 'na', 'null', 'none']);

/**
 * Epoch ms of the fields as UTC wall time, or the reason they name no instant (month 13, 2014-02-30, 25:00,
 * minute or second 60). Both forms go through it, so a zoned time is refused exactly where a naive one is.
 */
function utcFields(y: number, mo: number, d: number, h: number, mi: number, sec: number, frac: string): number | string {
	if (mo < 1 || mo > 12) return `month ${mo} out of range 1-12`;
	const dim = daysInMonth(y, mo);
	if (d < 1 || d > dim) return `day ${d} out of range: ${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')} has ${dim} days`;
	if (h > 23) return `hour ${h} out of range 0-23`;
	if (mi > 59) return `minute ${mi} out of range 0-59`;
	if (sec > 59) return `second ${sec} out of range 0-59`;
	const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
	return utcTime(y, mo - 1, d, h, mi, sec, ms);
}

/** Epoch ms of a timestamp (naive: Asia/Shanghai wall time), or why it is not one. */
function readTimestamp(s: string): number | string {
	const m = NAIVE.exec(s);
	if (m) {
		const [y, mo, d, h, mi, sec, frac] = m.slice(1).map((x) => x ?? '');
		const t = utcFields(+y, +mo, +d, +(h || 0), +(mi || 0), +(sec || 0), frac);
		return typeof t === 'number' ? t - SHANGHAI_MS : t;
	}
	const z = ZONED.exec(s);
	if (z) {
		const [y, mo, d, h, mi, sec, frac, utc, sign, oh, om] = z.slice(1).map((x) => x ?? '');
		const t = utcFields(+y, +mo, +d, +h, +mi, +(sec || 0), frac);
		if (typeof t === 'string') return t;
		if (utc) return t;
		if (+(om || 0) > 59) return `offset minutes ${om} out of range 0-59`;
		if (+oh * 60 + +(om || 0) > MAX_OFFSET_MIN) return `offset ${sign}${oh}:${om || '00'} beyond ±14:00`;
		return t - (sign === '-' ? -1 : 1) * (+oh * 60 + +(om || 0)) * 60_000;
	}
	return 'expected YYYY-MM-DD HH:MM:SS or ISO 8601';
}

/**
 * Epoch ms of a timestamp (naive: Asia/Shanghai wall time), or NaN — also for a date or time that does not exist
 * (2014-02-30, 25:00, an offset beyond ±14:00 or with 60 minutes or more), with or without a zone.
 */
export function parseTimestamp(s: string): number {
	const t = readTimestamp(s);
	return typeof t === 'number' ? t : NaN;
}

class InputError extends Error {
	constructor(
		readonly userMessage: string,
		readonly detail: string
	) {
		super(detail);
	}
}

function unquote(s: string): string {
	const t = s.trim();
	return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

/** Parses the CSV text; throws InputError with the line number for a bad row. */
export function parseSeriesCsv(text: string, name = 'input'): { points: SeriesPoint[]; labels: Map<number, string> } {
	// \r\n, \n, or \r alone (old Mac line ends)
	const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
	const points: SeriesPoint[] = [];
	const labels = new Map<number, string>();
	let seenData = false;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		if (line.trim() === '') continue;
		const fields = line.split(',');
		const lineNo = i + 1;
		const ts = unquote(fields[0]);
		const read = readTimestamp(ts);
		const t = typeof read === 'number' ? read : NaN;
		if (!seenData && Number.isNaN(t) && /^[^\d]/.test(ts)) {
			// header line (first non-empty line, not starting with a digit)
			seenData = true;
			continue;
		}
		seenData = true;
		if (fields.length !== 2)
			throw new InputError(
				`${name} 第 ${lineNo} 行格式错误：应为“时间,数值”两列`,
				`line ${lineNo}: expected 2 comma-separated fields, got ${fields.length}: ${JSON.stringify(line.slice(0, 80))}`
			);
		if (Number.isNaN(t))
			throw new InputError(
				`${name} 第 ${lineNo} 行的时间无法识别：${ts.slice(0, 40)}`,
				`line ${lineNo}: unparseable timestamp ${JSON.stringify(ts.slice(0, 80))} (${read})`
			);
		const vs = unquote(fields[1]);
		let value: number;
		if (MISSING.has(vs.toLowerCase())) value = NaN;
		else {
			value = Number(vs);
			if (!Number.isFinite(value))
				throw new InputError(
					`${name} 第 ${lineNo} 行的数值无法识别：${vs.slice(0, 40)}`,
					`line ${lineNo}: unparseable value ${JSON.stringify(vs.slice(0, 80))}`
				);
		}
		if (!labels.has(t)) labels.set(t, ts);
		points.push({ t, value });
	}
	return { points, labels };
}

function fail(e: InputError): number {
	process.stderr.write(`[minqing] ${e.userMessage}\n[minqing] detail: ${e.detail}\n`);
	return 1;
}

export async function detectSeriesCli(path: string, out: NodeJS.WritableStream): Promise<number> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (e) {
		const err = e as NodeJS.ErrnoException;
		return fail(new InputError(err.code === 'ENOENT' ? `找不到文件 ${path}` : `无法读取文件 ${path}`, err.message));
	}
	let parsed: ReturnType<typeof parseSeriesCsv>;
	try {
		parsed = parseSeriesCsv(text, path);
	} catch (e) {
		if (e instanceof InputError) return fail(e);
		throw e;
	}
	if (parsed.points.length === 0) return fail(new InputError(`文件 ${path} 中没有数据行`, 'empty input: no timestamp,value rows'));
	const scored = detectSeries(parsed.points);
	const chunks: string[] = ['timestamp,value,score,alert\n'];
	for (const p of scored)
		chunks.push(`${parsed.labels.get(p.t)},${Number.isNaN(p.value) ? '' : p.value},${p.score.toFixed(4)},${p.alert ? 1 : 0}\n`);
	// a reader that goes away (`detect-series f.csv | head`) ends the command quietly
	const output = new LineOutput(out);
	await output.write(chunks.join(''));
	await output.end();
	return 0;
}
