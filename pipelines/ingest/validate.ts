// Record-level validation of canonical feed records (after mapping): the rules of DESIGN.md's table, with
// stable reason codes for the quarantine and messages in Chinese. What is not a reason to refuse a record here:
// unknown district, street, category, unit, urgency, status or satisfaction values (kept and flagged later), HTML or
// script in text (kept as text, escaped when shown), control characters inside text that has other content
// (removed by the normaliser's `cleanText`).
import { formatShanghai, parseTime } from '../normalize/time';
import { CONTENT_MAX_CHARS, cleanText, contentLength, toHalfWidth, unsavableChar } from '../normalize/text';
import { CHANNELS, FIELD_LABELS, TICKET_TYPES, type CanonicalField, type CanonicalRecord, type Channel, type TicketType } from './types';

/** A time may be at most this far ahead of `now` (clock skew between systems). */
export const FUTURE_TOLERANCE_MS = 10 * 60_000;
/** Longest accepted external id, in characters. */
export const EXTERNAL_ID_MAX_CHARS = 256;

/**
 * The reasons a record is refused. Stable: quarantine rows, summaries and replays refer to them.
 * `field` says which field when there is one.
 */
export const VALIDATION_REASONS = {
	not_object: '记录不是 JSON 对象',
	missing_field: '缺少必填字段（工单编号、受理时间、来源渠道、诉求类型、诉求内容）',
	empty_content: '诉求内容为空（去除首尾空白和控制字符后没有文字）',
	content_too_long: `诉求内容超过 ${CONTENT_MAX_CHARS.toLocaleString('en-US')} 个字符`,
	bad_type: '字段的数据类型不对（如应为文本却是对象或数组）',
	bad_external_id: `工单编号无效（含控制字符或不成对的代理码元，或超过 ${EXTERNAL_ID_MAX_CHARS} 个字符）`,
	bad_time: '时间无法识别',
	future_time: '时间晚于当前时间 10 分钟以上',
	updated_before_received: '更新时间早于受理时间',
	closed_before_received: '办结时间早于受理时间',
	handled_before_received: '签收时间、答复时间或其时限早于受理时间',
	unknown_channel: '来源渠道不在 phone、web、app、wechat、open311、feed 之中',
	unknown_type: '诉求类型不在 咨询、求助、投诉、举报、建议、表扬 之中',
	bad_number: '经纬度不是数字',
	coord_incomplete: '经度和纬度只有其一',
	coord_out_of_range: '经纬度超出范围（经度 −180…180，纬度 −90…90）'
} as const;
export type ValidationCode = keyof typeof VALIDATION_REASONS;

export interface ValidationOk {
	ok: true;
	record: CanonicalRecord;
	/** the record's instants in epoch milliseconds (already parsed, so the caller need not parse again) */
	times: { received: number; updated: number; closed: number | null } & HandlingTimes;
}
/** The handling times a record may carry (epoch ms; null when absent). */
export interface HandlingTimes {
	signDeadline: number | null;
	signed: number | null;
	replyDeadline: number | null;
	replied: number | null;
}

/** The handling time fields, with the name of each in `HandlingTimes`; a limit may lie ahead of now. */
const HANDLING_FIELDS = [
	['sign_deadline', 'signDeadline', { deadline: true }],
	['signed_at', 'signed', { deadline: false }],
	['reply_deadline', 'replyDeadline', { deadline: true }],
	['replied_at', 'replied', { deadline: false }]
] as const satisfies readonly (readonly [CanonicalField, keyof HandlingTimes, { deadline: boolean }])[];

export interface ValidationFailure {
	ok: false;
	code: ValidationCode;
	field?: CanonicalField;
	message: string;
}
export type ValidationResult = ValidationOk | ValidationFailure;

/** optional text fields, checked in this order */
const OPTIONAL_TEXT = ['title', 'address', 'district_code', 'street_code', 'category', 'unit', 'urgency', 'status', 'satisfaction', 'caller_name', 'caller_phone'] as const;
const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);
const TYPE_SET: ReadonlySet<string> = new Set(TICKET_TYPES);
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const has = (o: Record<string, unknown>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const absent = (v: unknown): boolean => v === undefined || v === null;
const blank = (v: unknown): boolean => absent(v) || (typeof v === 'string' && v.trim() === '');

/** A value for a message: quoted, shortened. */
function show(v: unknown): string {
	let s: string;
	try {
		s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
	} catch {
		s = String(v);
	}
	s = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
	return `「${s.length > 40 ? `${s.slice(0, 40)}…` : s}」`;
}

function fail(code: ValidationCode, field: CanonicalField | undefined, message: string): ValidationFailure {
	return field === undefined ? { ok: false, code, message } : { ok: false, code, field, message };
}

const label = (f: CanonicalField) => `${FIELD_LABELS[f]}（${f}）`;

/** A scalar as text: strings as they are, finite numbers and bigints in decimal; null for anything else. */
function asText(v: unknown): string | null {
	if (typeof v === 'string') return v;
	if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
	if (typeof v === 'bigint') return v.toString();
	return null;
}

/** Missing (absent, null or blank) required field, or null. */
function required(f: Record<string, unknown>, name: CanonicalField): ValidationFailure | null {
	return !has(f, name) || blank(f[name]) ? fail('missing_field', name, `缺少必填字段${label(name)}`) : null;
}

/** The field as text, or the `bad_type` failure. */
function textOf(f: Record<string, unknown>, name: CanonicalField): string | ValidationFailure {
	const s = asText(f[name]);
	return s === null ? fail('bad_type', name, `${label(name)}应为文本，实际为${typeName(f[name])}`) : s;
}

/**
 * An optional time after received_at: null when absent or blank, else epoch ms or the failure. `limit` null: the
 * time may lie ahead (a deadline).
 */
function laterTime(
	f: Record<string, unknown>,
	name: 'updated_at' | 'closed_at' | (typeof HANDLING_FIELDS)[number][0],
	code: 'updated_before_received' | 'closed_before_received' | 'handled_before_received',
	received: number,
	limit: number | null
): number | null | ValidationFailure {
	if (!has(f, name) || blank(f[name])) return null;
	const t = parseTime(f[name]);
	if (t === null) return fail('bad_time', name, `${label(name)}${show(f[name])}无法识别为时间`);
	if (limit !== null && t > limit) return fail('future_time', name, `${label(name)}${show(f[name])}晚于当前时间 10 分钟以上`);
	if (t < received) return fail(code, name, `${label(name)}${show(f[name])}早于受理时间${show(f.received_at)}`);
	return t;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** An optional coordinate: null when absent or blank, else the number or the failure. */
function coordinate(f: Record<string, unknown>, name: 'lon' | 'lat'): number | null | ValidationFailure {
	const v = f[name];
	if (!has(f, name) || blank(v)) return null;
	let n = NaN;
	if (typeof v === 'number') n = v;
	else if (typeof v === 'string') {
		const s = toHalfWidth(v).trim();
		if (NUMBER.test(s)) n = Number(s);
	}
	if (!Number.isFinite(n)) return fail('bad_number', name, `${label(name)}${show(v)}不是数字`);
	const max = name === 'lon' ? 180 : 90;
	if (n < -max || n > max) return fail('coord_out_of_range', name, `${label(name)} ${n} 超出范围（${-max} 至 ${max}）`);
	return n;
}

/** Something other than white space and control characters (what `cleanText` would leave non-empty). */
const VISIBLE = /[^\s\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Checks one record (field names already canonical, e.g. after `applyMapping`) against the canonical feed record
 * rules, first failure wins. `now` (epoch ms) is the reference for "in the future".
 *
 * The record returned has: `external_id` trimmed (numbers written in decimal); times as Asia/Shanghai ISO 8601
 * with offset (`2026-11-28T10:05:30+08:00`; whatever `parseTime` accepts goes in); `updated_at` defaulted to
 * `received_at`; channel lower-cased and type trimmed; lon/lat as numbers; district/street codes trimmed; other
 * text exactly as sent (numbers written in decimal); optional fields that are absent or blank left out; fields
 * that are not canonical dropped. Fields come in the order of DESIGN.md's table.
 */
export function validateRecord(fields: unknown, options: { now: number }): ValidationResult {
	if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return fail('not_object', undefined, '记录不是 JSON 对象');
	const f = fields as Record<string, unknown>;
	const limit = options.now + FUTURE_TOLERANCE_MS;

	// external_id
	let bad = required(f, 'external_id');
	if (bad) return bad;
	// a JSON number beyond 2^53 was already rounded when the line was parsed: two ids would become one key
	const id = f.external_id;
	if (typeof id === 'number' && Number.isInteger(id) && !Number.isSafeInteger(id))
		return fail('bad_external_id', 'external_id', `工单编号 ${show(id)} 是超过 2^53 的数字，解析时已无法保持原值；请以字符串发送（加引号）`);
	const idText = textOf(f, 'external_id');
	if (typeof idText !== 'string') return idText;
	const externalId = idText.trim();
	if (CONTROL.test(externalId)) return fail('bad_external_id', 'external_id', `工单编号${show(externalId)}含有控制字符`);
	// half a character ("\ud800" in JSON) has no UTF-8 form: stored, it would become U+FFFD, and ids differing there one key
	const half = unsavableChar(externalId);
	if (half) return fail('bad_external_id', 'external_id', `工单编号${show(externalId)}含有${half.what}`);
	if (externalId.length > EXTERNAL_ID_MAX_CHARS)
		return fail('bad_external_id', 'external_id', `工单编号长 ${externalId.length} 个字符，超过 ${EXTERNAL_ID_MAX_CHARS} 个字符的上限`);

	// received_at
	bad = required(f, 'received_at');
	if (bad) return bad;
	const received = parseTime(f.received_at);
	if (received === null) return fail('bad_time', 'received_at', `${label('received_at')}${show(f.received_at)}无法识别为时间`);
	if (received > limit) return fail('future_time', 'received_at', `${label('received_at')}${show(f.received_at)}晚于当前时间 10 分钟以上`);

	// channel, type
	bad = required(f, 'channel');
	if (bad) return bad;
	const channelText = textOf(f, 'channel');
	if (typeof channelText !== 'string') return channelText;
	const channel = CHANNEL_SET.has(channelText) ? channelText : channelText.trim().toLowerCase();
	if (!CHANNEL_SET.has(channel))
		return fail('unknown_channel', 'channel', `未知的来源渠道${show(channelText)}，应为 ${CHANNELS.join('、')} 之一（其他写法请在映射文件的 values 中对应）`);
	bad = required(f, 'type');
	if (bad) return bad;
	const typeText = textOf(f, 'type');
	if (typeof typeText !== 'string') return typeText;
	const type = TYPE_SET.has(typeText) ? typeText : toHalfWidth(typeText).trim();
	if (!TYPE_SET.has(type))
		return fail('unknown_type', 'type', `未知的诉求类型${show(typeText)}，应为 ${TICKET_TYPES.join('、')} 之一（其他写法请在映射文件的 values 中对应）`);

	// content: 1 to 10,000 characters after cleaning (control characters out, line breaks as one, trimmed)
	if (!has(f, 'content') || absent(f.content)) return fail('missing_field', 'content', `缺少必填字段${label('content')}`);
	const content = textOf(f, 'content');
	if (typeof content !== 'string') return content;
	if (!VISIBLE.test(content)) return fail('empty_content', 'content', '诉求内容为空（去除首尾空白和控制字符后没有文字）');
	if (content.length > CONTENT_MAX_CHARS) {
		// cleaning only shortens, so only a long text needs it
		const chars = contentLength(cleanText(content).text);
		if (chars > CONTENT_MAX_CHARS)
			return fail('content_too_long', 'content', `诉求内容有 ${chars} 个字符，超过 ${CONTENT_MAX_CHARS} 个字符的上限`);
	}

	// optional times
	const updated = laterTime(f, 'updated_at', 'updated_before_received', received, limit);
	if (updated !== null && typeof updated !== 'number') return updated;
	const closed = laterTime(f, 'closed_at', 'closed_before_received', received, limit);
	if (closed !== null && typeof closed !== 'number') return closed;
	const handling: HandlingTimes = { signDeadline: null, signed: null, replyDeadline: null, replied: null };
	for (const [name, key, { deadline }] of HANDLING_FIELDS) {
		const t = laterTime(f, name, 'handled_before_received', received, deadline ? null : limit);
		if (t !== null && typeof t !== 'number') return t;
		handling[key] = t;
	}

	// coordinates
	const lon = coordinate(f, 'lon');
	if (lon !== null && typeof lon !== 'number') return lon;
	const lat = coordinate(f, 'lat');
	if (lat !== null && typeof lat !== 'number') return lat;
	if ((lon === null) !== (lat === null)) {
		const missing: CanonicalField = lon === null ? 'lon' : 'lat';
		return fail('coord_incomplete', missing, `只有${lon === null ? '纬度' : '经度'}，缺少${label(missing)}`);
	}

	// optional text, checked before the record is built
	const text: Partial<Record<CanonicalField, string>> = {};
	for (const name of OPTIONAL_TEXT) {
		if (!has(f, name) || blank(f[name])) continue;
		const s = textOf(f, name);
		if (typeof s !== 'string') return s;
		text[name] = name === 'district_code' || name === 'street_code' ? toHalfWidth(s).trim() : s;
	}

	const receivedIso = formatShanghai(received);
	const record: CanonicalRecord = {
		external_id: externalId,
		received_at: receivedIso,
		updated_at: updated === null ? receivedIso : formatShanghai(updated),
		channel: channel as Channel,
		type: type as TicketType
	} as CanonicalRecord;
	if (text.title !== undefined) record.title = text.title;
	record.content = content;
	if (text.address !== undefined) record.address = text.address;
	if (text.district_code !== undefined) record.district_code = text.district_code;
	if (text.street_code !== undefined) record.street_code = text.street_code;
	if (lon !== null && lat !== null) {
		record.lon = lon;
		record.lat = lat;
	}
	if (text.category !== undefined) record.category = text.category;
	if (text.unit !== undefined) record.unit = text.unit;
	if (text.urgency !== undefined) record.urgency = text.urgency;
	if (text.status !== undefined) record.status = text.status;
	for (const [name, key] of HANDLING_FIELDS) if (handling[key] !== null) record[name] = formatShanghai(handling[key]);
	if (closed !== null) record.closed_at = formatShanghai(closed);
	if (text.satisfaction !== undefined) record.satisfaction = text.satisfaction;
	if (text.caller_name !== undefined) record.caller_name = text.caller_name;
	if (text.caller_phone !== undefined) record.caller_phone = text.caller_phone;
	return { ok: true, record, times: { received, updated: updated ?? received, closed, ...handling } };
}

function typeName(v: unknown): string {
	if (v === null) return '空值';
	if (Array.isArray(v)) return '数组';
	switch (typeof v) {
		case 'object':
			return '对象';
		case 'boolean':
			return '布尔值';
		case 'number':
			return '非有限数字';
		default:
			return typeof v;
	}
}
