// Mapping files: how another layout (a CSV export with Chinese headers, other names, other value sets) becomes
// canonical feed records without code changes. A mapping is a JSON file:
//
// {
//   "version": 1,
//   "name": "legacy-export-zh",                      optional, for people
//   "description": "…",                              optional
//   "input": { "format": "csv", "encoding": "auto", "delimiter": "," },   optional hints for the reader
//   "rename":    { "来电时间": "received_at" },        source column → canonical field
//   "concat":    { "content": ["诉求内容", "补充说明"] },  canonical field ← non-blank source columns joined
//                                                      ("\n"; or { "from": [...], "separator": "；" })
//   "values":    { "type": { "投诉类": "投诉" }, "channel": { "电话": "phone" } },
//                                                      per canonical field: value → value (others unchanged)
//   "dates":     { "received_at": "YYYY/M/D H:mm:ss" }, format hints, see `reformatTime`
//   "defaults":  { "channel": "feed" },                set when the field is absent or blank
//   "constants": { "channel": "feed" },                always set
//   "drop":      ["来电人"],                            source columns ignored entirely
//   "unmapped":  "keep"                                other source columns pass through ("keep", default) or not ("drop")
// }
//
// Keys starting with `$` (`$schema`, `$comment`) are ignored. Order of application: pass-through of unmapped
// columns, rename, concat, values, dates, defaults, constants. Names in `rename`, `values`, `dates`, `defaults`
// and `constants` on the canonical side must be canonical fields; value maps, defaults and constants of the
// closed vocabularies (channel, type, status, satisfaction) must map to allowed values. `loadMapping` refuses
// anything else with a Chinese message and an English `detail` naming the exact place in the file.
import { readFileSync } from 'node:fs';
import { timeText } from '../normalize/time';
import { CANONICAL_FIELDS, ENUM_VALUES, REQUIRED_FIELDS, TIME_FIELDS, isCanonicalField, jsonErrorPlace, type CanonicalField } from './types';
import type { CsvEncoding, SourceFormat } from './sources';

type TimeField = (typeof TIME_FIELDS)[number];

export interface Mapping {
	name: string | null;
	description: string | null;
	/** where the mapping came from (a path), for messages */
	origin: string;
	/** the mapping as JSON text (what parseMapping read), kept with quarantined records so a replay maps them alike */
	json: string;
	input: { format?: SourceFormat; encoding?: CsvEncoding; delimiter?: string };
	rename: ReadonlyMap<string, CanonicalField>;
	concat: ReadonlyMap<CanonicalField, { from: readonly string[]; separator: string }>;
	values: ReadonlyMap<CanonicalField, ReadonlyMap<string, string | number>>;
	dates: ReadonlyMap<TimeField, TimeFormat>;
	defaults: ReadonlyMap<CanonicalField, string | number>;
	constants: ReadonlyMap<CanonicalField, string | number>;
	drop: ReadonlySet<string>;
	unmapped: 'keep' | 'drop';
}

/** A refused mapping file: `message` in Chinese for people, `detail` in English naming the place. */
export class MappingError extends Error {
	constructor(
		message: string,
		readonly detail: string,
		/** JSON pointer into the mapping file, when the problem is at one place */
		readonly pointer: string | null = null
	) {
		super(message);
		this.name = 'MappingError';
	}
}

const TOP_KEYS = ['version', 'name', 'description', 'input', 'rename', 'concat', 'values', 'dates', 'defaults', 'constants', 'drop', 'unmapped'] as const;
const INPUT_KEYS = ['format', 'encoding', 'delimiter'] as const;
const FORMATS: readonly SourceFormat[] = ['ndjson', 'csv', 'parquet'];
const ENCODINGS: readonly CsvEncoding[] = ['auto', 'utf-8', 'gb18030'];
const TIME_SET: ReadonlySet<string> = new Set(TIME_FIELDS);

/** Reads and checks a mapping file. Throws `MappingError`. */
export function loadMapping(path: string): Mapping {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (e) {
		throw new MappingError(`无法读取映射文件 ${path}`, `cannot read mapping file ${path}: ${(e as Error).message}`);
	}
	return parseMappingText(text, path);
}

/**
 * Checks a mapping given as JSON text (a file's, an upload's, pasted). A BOM is ignored; invalid JSON is
 * refused naming the line and column. Throws `MappingError`.
 */
export function parseMappingText(text: string, origin: string): Mapping {
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (e) {
		const msg = (e as Error).message;
		const place = jsonErrorPlace(text, msg);
		const where = place === 'end' ? '（内容在结尾处不完整）' : place ? `（第 ${place.line} 行第 ${place.column} 列附近）` : '';
		throw new MappingError(`映射文件 ${origin} 不是有效的 JSON${where}`, `${origin}: invalid JSON: ${msg}`);
	}
	return parseMapping(json, origin);
}

/** Checks a mapping given as a parsed JSON value. Throws `MappingError`. */
export function parseMapping(json: unknown, origin = '映射'): Mapping {
	function fail(pointer: string, zh: string, en: string): never {
		throw new MappingError(`映射文件 ${origin} 有误：${zh}`, `${origin}: ${pointer || '/'}: ${en}`, pointer);
	}
	const ptr = (...parts: string[]) => parts.map((p) => '/' + p.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
	const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
	const objectAt = (v: unknown, p: string, zhName: string): Record<string, unknown> => {
		if (!isObject(v)) fail(p, `「${zhName}」应为 JSON 对象`, `expected an object, got ${kind(v)}`);
		return v as Record<string, unknown>;
	};
	const canonicalAt = (name: string, p: string, role: string): CanonicalField => {
		if (!isCanonicalField(name)) {
			const near = nearest(name, CANONICAL_FIELDS);
			fail(
				p,
				`${role}「${name}」不是标准记录的字段${near ? `，是否应为「${near}」？` : ''}（可用字段：${CANONICAL_FIELDS.join('、')}）`,
				`"${name}" is not a canonical field${near ? ` (did you mean "${near}"?)` : ''}; allowed: ${CANONICAL_FIELDS.join(', ')}`
			);
		}
		return name as CanonicalField;
	};
	const scalarFor = (field: CanonicalField, v: unknown, p: string, allowBlank: boolean): string | number => {
		if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v)))
			fail(p, `字段 ${field} 的取值应为字符串或数字`, `expected a string or a finite number, got ${kind(v)}`);
		const s = v as string | number;
		const allowed = (ENUM_VALUES as Record<string, readonly string[]>)[field];
		if (allowed && !(allowBlank && s === '') && !allowed.includes(String(s)))
			fail(p, `字段 ${field} 只能取 ${allowed.join('、')}，不能是「${s}」`, `"${s}" is not an allowed value of ${field} (${allowed.join(', ')})`);
		return s;
	};

	const root = objectAt(json, '', '映射文件');
	for (const key of Object.keys(root)) {
		if (key.startsWith('$')) continue;
		if (!(TOP_KEYS as readonly string[]).includes(key)) {
			const near = nearest(key, TOP_KEYS);
			fail(
				ptr(key),
				`未知的配置项「${key}」${near ? `，是否应为「${near}」？` : ''}（可用：${TOP_KEYS.join('、')}）`,
				`unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}; allowed: ${TOP_KEYS.join(', ')}`
			);
		}
	}
	if (root.version !== undefined && root.version !== 1)
		fail(ptr('version'), `不支持的版本 ${JSON.stringify(root.version)}，目前只有版本 1`, `unsupported version ${JSON.stringify(root.version)}; only 1 is known`);
	for (const k of ['name', 'description'] as const)
		if (root[k] !== undefined && typeof root[k] !== 'string') fail(ptr(k), `「${k}」应为字符串`, `expected a string, got ${kind(root[k])}`);

	// input
	const input: Mapping['input'] = {};
	if (root.input !== undefined) {
		const o = objectAt(root.input, ptr('input'), 'input');
		for (const k of Object.keys(o))
			if (!(INPUT_KEYS as readonly string[]).includes(k))
				fail(ptr('input', k), `input 中未知的配置项「${k}」（可用：${INPUT_KEYS.join('、')}）`, `unknown key "${k}"; allowed: ${INPUT_KEYS.join(', ')}`);
		if (o.format !== undefined) {
			if (!FORMATS.includes(o.format as SourceFormat))
				fail(ptr('input', 'format'), `文件格式只能是 ${FORMATS.join('、')}`, `format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(o.format)}`);
			input.format = o.format as SourceFormat;
		}
		if (o.encoding !== undefined) {
			if (!ENCODINGS.includes(o.encoding as CsvEncoding))
				fail(ptr('input', 'encoding'), `编码只能是 ${ENCODINGS.join('、')}`, `encoding must be one of ${ENCODINGS.join(', ')}, got ${JSON.stringify(o.encoding)}`);
			input.encoding = o.encoding as CsvEncoding;
		}
		if (o.delimiter !== undefined) {
			const d = o.delimiter;
			if (typeof d !== 'string' || d.length !== 1 || d.charCodeAt(0) > 0x7f || '"\r\n'.includes(d))
				fail(ptr('input', 'delimiter'), '分隔符应为一个 ASCII 字符（不能是引号或换行）', `delimiter must be one ASCII character other than quote and line breaks, got ${JSON.stringify(d)}`);
			input.delimiter = d as string;
		}
	}

	// rename
	const rename = new Map<string, CanonicalField>();
	const producedBy = new Map<CanonicalField, string>(); // target → where it comes from, for conflicts
	if (root.rename !== undefined) {
		const o = objectAt(root.rename, ptr('rename'), 'rename');
		for (const [src, target] of Object.entries(o)) {
			const p = ptr('rename', src);
			if (src.trim() === '') fail(p, 'rename 中有空的源列名', 'empty source column name');
			if (typeof target !== 'string') fail(p, `源列「${src}」应映射到一个字段名（字符串）`, `expected a field name, got ${kind(target)}`);
			const t = canonicalAt(target as string, p, '目标字段');
			const other = producedBy.get(t);
			if (other !== undefined)
				fail(p, `字段 ${t} 同时由「${other}」和「${src}」映射而来，只能有一个来源（要合并多列请用 concat）`, `field ${t} is the target of both "${other}" and "${src}" (use concat to join columns)`);
			producedBy.set(t, src);
			rename.set(src, t);
		}
	}

	// concat
	const concat = new Map<CanonicalField, { from: string[]; separator: string }>();
	if (root.concat !== undefined) {
		const o = objectAt(root.concat, ptr('concat'), 'concat');
		for (const [target, spec] of Object.entries(o)) {
			const p = ptr('concat', target);
			const t = canonicalAt(target, p, '目标字段');
			if (producedBy.has(t))
				fail(p, `字段 ${t} 已由 rename 中的「${producedBy.get(t)}」映射，不能再由 concat 生成`, `field ${t} is already the target of rename "${producedBy.get(t)}"`);
			let from: unknown = spec;
			let separator: unknown = '\n';
			if (isObject(spec)) {
				for (const k of Object.keys(spec))
					if (k !== 'from' && k !== 'separator')
						fail(ptr('concat', target, k), `concat 中未知的配置项「${k}」（可用：from、separator）`, `unknown key "${k}"; allowed: from, separator`);
				from = spec.from;
				if (spec.separator !== undefined) separator = spec.separator;
			}
			if (!Array.isArray(from) || from.length === 0 || from.some((s) => typeof s !== 'string' || s.trim() === ''))
				fail(p, `concat 的字段 ${t} 应给出一个非空的源列名数组`, 'expected a non-empty array of source column names (or { "from": [...], "separator": "..." })');
			if (typeof separator !== 'string') fail(ptr('concat', target, 'separator'), '分隔符应为字符串', `separator must be a string, got ${kind(separator)}`);
			producedBy.set(t, `concat`);
			concat.set(t, { from: from as string[], separator: separator as string });
		}
	}

	// values
	const values = new Map<CanonicalField, Map<string, string | number>>();
	if (root.values !== undefined) {
		const o = objectAt(root.values, ptr('values'), 'values');
		for (const [field, map] of Object.entries(o)) {
			const p = ptr('values', field);
			const f = canonicalAt(field, p, '字段');
			const m = objectAt(map, p, `values.${field}`);
			const out = new Map<string, string | number>();
			for (const [from, to] of Object.entries(m)) out.set(from, scalarFor(f, to, ptr('values', field, from), true));
			values.set(f, out);
		}
	}

	// dates
	const dates = new Map<TimeField, TimeFormat>();
	if (root.dates !== undefined) {
		const o = objectAt(root.dates, ptr('dates'), 'dates');
		for (const [field, fmt] of Object.entries(o)) {
			const p = ptr('dates', field);
			const f = canonicalAt(field, p, '字段');
			if (!TIME_SET.has(f)) fail(p, `字段 ${f} 不是时间字段（时间字段：${TIME_FIELDS.join('、')}）`, `${f} is not a time field (${TIME_FIELDS.join(', ')})`);
			if (typeof fmt !== 'string') fail(p, '时间格式应为字符串，如 "YYYY/M/D H:mm:ss"', `expected a format string, got ${kind(fmt)}`);
			let compiled: TimeFormat;
			try {
				compiled = compileTimeFormat(fmt as string);
			} catch (e) {
				fail(p, `时间格式「${fmt}」无效：${(e as Error).message}`, `invalid time format ${JSON.stringify(fmt)}: ${(e as MappingError).detail ?? (e as Error).message}`);
			}
			dates.set(f as TimeField, compiled!);
		}
	}

	// defaults and constants
	const scalars = (key: 'defaults' | 'constants'): Map<CanonicalField, string | number> => {
		const out = new Map<CanonicalField, string | number>();
		if (root[key] === undefined) return out;
		const o = objectAt(root[key], ptr(key), key);
		for (const [field, v] of Object.entries(o)) {
			const p = ptr(key, field);
			const f = canonicalAt(field, p, '字段');
			if (key === 'constants' && producedBy.has(f))
				fail(p, `字段 ${f} 已由「${producedBy.get(f)}」映射，不能同时设为常量（只在为空时补值请用 defaults）`, `field ${f} is mapped from "${producedBy.get(f)}" and cannot also be a constant (use defaults to fill blanks)`);
			out.set(f, scalarFor(f, v, p, false));
		}
		return out;
	};
	const defaults = scalars('defaults');
	const constants = scalars('constants');

	// drop
	const drop = new Set<string>();
	if (root.drop !== undefined) {
		if (!Array.isArray(root.drop)) fail(ptr('drop'), 'drop 应为源列名数组', `expected an array of source column names, got ${kind(root.drop)}`);
		(root.drop as unknown[]).forEach((c, k) => {
			const p = ptr('drop', String(k));
			if (typeof c !== 'string' || c.trim() === '') fail(p, 'drop 中应为非空的列名', `expected a non-empty column name, got ${kind(c)}`);
			const name = c as string;
			if (rename.has(name)) fail(p, `列「${name}」既在 drop 中又在 rename 中`, `column "${name}" is both dropped and renamed`);
			for (const [t, spec] of concat)
				if (spec.from.includes(name)) fail(p, `列「${name}」既在 drop 中又被 concat 用于字段 ${t}`, `column "${name}" is both dropped and used by concat for ${t}`);
			drop.add(name);
		});
	}

	let unmapped: 'keep' | 'drop' = 'keep';
	if (root.unmapped !== undefined) {
		if (root.unmapped !== 'keep' && root.unmapped !== 'drop')
			fail(ptr('unmapped'), 'unmapped 只能是 "keep"（其他列原样保留）或 "drop"（其他列丢弃）', `unmapped must be "keep" or "drop", got ${JSON.stringify(root.unmapped)}`);
		unmapped = root.unmapped as 'keep' | 'drop';
	}

	return {
		name: (root.name as string | undefined) ?? null,
		description: (root.description as string | undefined) ?? null,
		origin,
		json: JSON.stringify(json),
		input,
		rename,
		concat,
		values,
		dates,
		defaults,
		constants,
		drop,
		unmapped
	};
}

const has = (o: Record<string, unknown>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function setField(o: Record<string, unknown>, k: string, v: unknown): void {
	if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
	else o[k] = v;
}

/**
 * The source columns a mapping renames or joins that a record does not have: a header written another way
 * (全角 brackets, an extra word) would otherwise lose that column's data without a word. Columns the mapping
 * drops are not asked for.
 */
export function missingColumns(m: Mapping, fields: Record<string, unknown>): string[] {
	return [...new Set(sourceColumns(m))].filter((c) => !has(fields, c));
}

/** The source columns a mapping renames or joins, in its order. */
const sourceColumns = (m: Mapping): string[] => [...m.rename.keys(), ...[...m.concat.values()].flatMap((c) => c.from)];

/**
 * The column names a feed file read with this mapping (or none) may have in its header, those that matter most
 * first: the source columns the mapping renames, joins or drops, then the required canonical fields, then the
 * others. A CSV whose first line has none of them and is data is refused whole (`CsvOptions.knownColumns`).
 */
export function knownColumns(m: Mapping | null): string[] {
	const mapped = m ? [...sourceColumns(m), ...m.drop] : [];
	return [...new Set([...mapped, ...REQUIRED_FIELDS, ...CANONICAL_FIELDS])];
}

/**
 * Source fields → fields named as the canonical record (still unvalidated: pass the result to
 * `validateRecord`). Never throws; a value the mapping does not cover is passed on unchanged, so validation
 * says what is wrong with it.
 */
export function applyMapping(m: Mapping, fields: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	if (m.unmapped === 'keep')
		for (const k of Object.keys(fields)) if (!m.drop.has(k) && !m.rename.has(k)) setField(out, k, fields[k]);
	for (const [src, target] of m.rename) {
		if (has(fields, src)) out[target] = fields[src];
	}
	for (const [target, { from, separator }] of m.concat) {
		const parts: string[] = [];
		let present = false;
		for (const src of from) {
			if (!has(fields, src)) continue;
			present = true;
			const v = fields[src];
			if (blank(v)) continue;
			parts.push(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
		}
		if (present) out[target] = parts.join(separator);
		else delete out[target];
	}
	for (const [field, map] of m.values) {
		const v = out[field];
		if (typeof v !== 'string' && typeof v !== 'number') continue;
		const key = String(v);
		const hit = map.get(key) ?? map.get(key.trim());
		if (hit !== undefined) out[field] = hit;
	}
	for (const [field, fmt] of m.dates) {
		const v = out[field];
		if (typeof v !== 'string') continue;
		const iso = reformatTime(v, fmt);
		if (iso !== null) out[field] = iso;
	}
	for (const [field, v] of m.defaults) if (blank(out[field])) out[field] = v;
	for (const [field, v] of m.constants) out[field] = v;
	return out;
}

// ---------------------------------------------------------------------------------------------------------
// Time format hints

/**
 * A time format hint of a mapping. Tokens: `YYYY` `YY` (20YY) `M` `MM` `D` `DD` `H` `HH` (24-hour) `h` `hh`
 * (12-hour, with `A`) `A` (上午/下午/AM/PM) `m` `mm` `s` `ss` `S…` (fraction of a second, any number of S)
 * `Z` (`Z`, `+08:00`, `+0800`); text in [brackets] is literal; a space matches any run of white space; every
 * other character matches itself. The format must have year, month and day.
 */
export interface TimeFormat {
	source: string;
	regex: RegExp;
	groups: string[];
}

const TOKENS: [string, string][] = [
	['YYYY', '(\\d{4})'],
	['YY', '(\\d{2})'],
	['MM', '(\\d{2})'],
	['M', '(\\d{1,2})'],
	['DD', '(\\d{2})'],
	['D', '(\\d{1,2})'],
	['HH', '(\\d{2})'],
	['H', '(\\d{1,2})'],
	['hh', '(\\d{2})'],
	['h', '(\\d{1,2})'],
	['mm', '(\\d{2})'],
	['m', '(\\d{1,2})'],
	['ss', '(\\d{2})'],
	['s', '(\\d{1,2})'],
	['A', '(上午|下午|AM|PM|am|pm)'],
	['Z', '(Z|z|[+-]\\d{2}:?\\d{2})']
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileTimeFormat(fmt: string): TimeFormat {
	let re = '';
	const groups: string[] = [];
	let i = 0;
	while (i < fmt.length) {
		const c = fmt[i];
		if (c === '[') {
			const end = fmt.indexOf(']', i);
			if (end === -1) throw new MappingError('方括号没有闭合', 'unclosed [');
			re += escapeRe(fmt.slice(i + 1, end));
			i = end + 1;
			continue;
		}
		if (/\s/.test(c)) {
			while (i < fmt.length && /\s/.test(fmt[i])) i++;
			re += '\\s+';
			continue;
		}
		if (c === 'S') {
			let j = i;
			while (fmt[j] === 'S') j++;
			groups.push('S');
			re += '(\\d{1,9})';
			i = j;
			continue;
		}
		const tok = TOKENS.find(([t]) => fmt.startsWith(t, i));
		if (tok) {
			groups.push(tok[0]);
			re += tok[1];
			i += tok[0].length;
			continue;
		}
		re += escapeRe(c);
		i++;
	}
	const hasAny = (...t: string[]) => t.some((x) => groups.includes(x));
	if (!hasAny('YYYY', 'YY') || !hasAny('MM', 'M') || !hasAny('DD', 'D'))
		throw new MappingError('格式中必须有年（YYYY 或 YY）、月（M 或 MM）和日（D 或 DD）', 'the format needs a year (YYYY/YY), a month (M/MM) and a day (D/DD)');
	if (hasAny('h', 'hh') !== hasAny('A'))
		throw new MappingError('12 小时制（h/hh）必须与上午/下午标记（A）一起使用', '12-hour tokens (h/hh) need A (上午/下午/AM/PM), and A needs h/hh');
	const seen = new Set<string>();
	for (const g of groups) {
		const key = g.replace(/^(YYYY|YY)$/, 'Y').replace(/^(MM|M)$/, 'Mo').replace(/^(DD|D)$/, 'D').replace(/^(HH|H|hh|h)$/, 'H');
		if (seen.has(key)) throw new MappingError(`「${g}」重复出现`, `token ${g} appears twice`);
		seen.add(key);
	}
	return { source: fmt, regex: new RegExp(`^\\s*${re}\\s*$`), groups };
}

const p2 = (s: string | undefined) => (s ?? '0').padStart(2, '0');

/**
 * A time written in `fmt` → `YYYY-MM-DDTHH:mm:ss[.fff][offset]` (no offset: Asia/Shanghai), or null when the
 * text does not have that form. Only the layout changes; whether the time exists (2026-02-30) is for the
 * normaliser's `parseTime` to decide.
 */
export function reformatTime(value: string, fmt: TimeFormat): string | null {
	const m = fmt.regex.exec(timeText(value));
	if (!m) return null;
	const g: Record<string, string> = {};
	fmt.groups.forEach((name, k) => (g[name] = m[k + 1]));
	const year = g.YYYY ?? `20${g.YY}`;
	let hour = Number(g.HH ?? g.H ?? g.hh ?? g.h ?? '0');
	if (g.A !== undefined) {
		const pm = /下午|pm/i.test(g.A);
		if (hour < 1 || hour > 12) return null;
		hour = (hour % 12) + (pm ? 12 : 0);
	}
	const frac = g.S !== undefined ? `.${g.S}` : '';
	const zone = g.Z === undefined ? '' : g.Z === 'z' ? 'Z' : g.Z;
	return `${year}-${p2(g.MM ?? g.M)}-${p2(g.DD ?? g.D)}T${p2(String(hour))}:${p2(g.mm ?? g.m)}:${p2(g.ss ?? g.s)}${frac}${zone}`;
}

// ---------------------------------------------------------------------------------------------------------

function kind(v: unknown): string {
	if (v === null) return 'null';
	if (Array.isArray(v)) return 'an array';
	return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** The closest name within edit distance 2 (for "did you mean"), or null. */
function nearest(name: string, names: readonly string[]): string | null {
	let best: string | null = null;
	let bestD = 3;
	for (const n of names) {
		const d = distance(name.toLowerCase(), n.toLowerCase());
		if (d < bestD) (best = n), (bestD = d);
	}
	return best;
}

function distance(a: string, b: string): number {
	if (Math.abs(a.length - b.length) > 2) return 3;
	let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const cur = [i];
		for (let j = 1; j <= b.length; j++)
			cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
		prev = cur;
	}
	return prev[b.length];
}
