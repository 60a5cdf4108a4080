// The canonical feed record (DESIGN.md, "The canonical feed record") and the raw records the file readers
// yield. The JSON Schema of the same record is `feed-record.schema.json` next to this file; a test keeps the two
// in step.
import { CHANNELS, SATISFACTION, STATUSES, TICKET_TYPES, URGENCIES, type Channel, type Satisfaction, type Status, type TicketType } from '../lifecycle/model';

export { CHANNELS, TICKET_TYPES, STATUSES, SATISFACTION, URGENCIES };
export type { Channel, TicketType, Status, Satisfaction };

/**
 * One ticket as every ingest source delivers it after mapping (one NDJSON line of a canonical feed).
 * The source name is not part of the record: it comes from the command or the API token.
 *
 * As `validateRecord` returns it: text fields as sent (content is not trimmed; cleaning is the normaliser's
 * job), `external_id` trimmed, times rewritten to Asia/Shanghai ISO 8601 with offset
 * (`2026-11-28T10:05:30+08:00`), `updated_at` defaulted to `received_at`, numbers as numbers, and optional fields
 * that were absent or blank left out.
 */
export interface CanonicalRecord {
	/** the sender's id; with the source name the idempotency key */
	external_id: string;
	/** ISO 8601; a time without offset is read as Asia/Shanghai */
	received_at: string;
	/** version time of this record (default `received_at`); a later one replaces, an earlier one is ignored */
	updated_at?: string;
	channel: Channel;
	type: TicketType;
	title?: string;
	/** 1 to 10,000 characters after trimming; stored exactly as sent otherwise */
	content: string;
	/** free text as the caller said it */
	address?: string;
	/** GB/T 2260 6-digit code, when the sender knows it (unknown codes are kept and flagged later) */
	district_code?: string;
	/** 9-digit street code, when the sender knows it */
	street_code?: string;
	/** WGS84 longitude */
	lon?: number;
	/** WGS84 latitude */
	lat?: number;
	/** category code, name or path as the sender has it (resolved later) */
	category?: string;
	/** undertaking unit code or name as the sender has it (resolved later) */
	unit?: string;
	/** one of `URGENCIES` (default normal); another value is kept as normal and flagged later, not refused */
	urgency?: string;
	/** one of `STATUSES`; another value is kept as sent and flagged later, not refused */
	status?: string;
	/**
	 * The handling times the sender's system recorded (its undertaking unit's sign-for and reply, and the limits it
	 * set them); each after `received_at`. They give the feed's tickets the on-time rates and the return visit's limit.
	 */
	sign_deadline?: string;
	signed_at?: string;
	reply_deadline?: string;
	replied_at?: string;
	closed_at?: string;
	/** one of `SATISFACTION`; another value is kept as sent and flagged later, not refused */
	satisfaction?: string;
	/** personal data */
	caller_name?: string;
	/** personal data */
	caller_phone?: string;
}

export type CanonicalField = keyof CanonicalRecord;

/**
 * Every field of the canonical record, in the order of DESIGN.md's table; the fields the table lacks, which a legacy
 * export has as well, come beside their neighbours: `urgency` (紧急程度) before `status`, the handling times (签收时间,
 * 答复时间 and their limits) before `closed_at`.
 */
export const CANONICAL_FIELDS = [
	'external_id',
	'received_at',
	'updated_at',
	'channel',
	'type',
	'title',
	'content',
	'address',
	'district_code',
	'street_code',
	'lon',
	'lat',
	'category',
	'unit',
	'urgency',
	'status',
	'sign_deadline',
	'signed_at',
	'reply_deadline',
	'replied_at',
	'closed_at',
	'satisfaction',
	'caller_name',
	'caller_phone'
] as const satisfies readonly CanonicalField[];

export const REQUIRED_FIELDS = ['external_id', 'received_at', 'channel', 'type', 'content'] as const satisfies readonly CanonicalField[];

/** Fields holding an instant. */
export const TIME_FIELDS = ['received_at', 'updated_at', 'sign_deadline', 'signed_at', 'reply_deadline', 'replied_at', 'closed_at'] as const satisfies readonly CanonicalField[];

/**
 * Fields with a closed vocabulary. `validateRecord` refuses other values of channel and type; other values of
 * urgency, status and satisfaction are kept and flagged later. Mapping files must map to these values.
 */
export const ENUM_VALUES = {
	channel: CHANNELS,
	type: TICKET_TYPES,
	urgency: URGENCIES,
	status: STATUSES,
	satisfaction: SATISFACTION
} as const satisfies Partial<Record<CanonicalField, readonly string[]>>;

/** Chinese names of the fields, for messages. */
export const FIELD_LABELS: Record<CanonicalField, string> = {
	external_id: '工单编号',
	received_at: '受理时间',
	updated_at: '更新时间',
	channel: '来源渠道',
	type: '诉求类型',
	title: '标题',
	content: '诉求内容',
	address: '地址',
	district_code: '区县代码',
	street_code: '街道代码',
	lon: '经度',
	lat: '纬度',
	category: '问题分类',
	unit: '承办单位',
	urgency: '紧急程度',
	status: '办理状态',
	sign_deadline: '签收时限',
	signed_at: '签收时间',
	reply_deadline: '答复时限',
	replied_at: '答复时间',
	closed_at: '办结时间',
	satisfaction: '满意度',
	caller_name: '来电人',
	caller_phone: '联系电话'
};

const CANONICAL_SET: ReadonlySet<string> = new Set(CANONICAL_FIELDS);
export function isCanonicalField(name: string): name is CanonicalField {
	return CANONICAL_SET.has(name);
}

/** A reader's error: a stable code and a message in Chinese (with the technical detail where there is one). */
export interface SourceError {
	code: string;
	message: string;
}

/**
 * One record as a file reader yields it, before mapping and validation.
 *
 * - A good record: `fields` set, `error` null.
 * - A bad record (`bad_json`, `csv_columns`, …): `fields` null, `error` set, `raw` the record as read.
 * - A file-level error (`empty_file`, `bad_parquet`, `unknown_encoding`, …): `line` and `byteOffset` null, `raw` '',
 *   and it is the last thing the reader yields for that file (see `isFileError`).
 *
 * `line` is the 1-based physical line the record starts on (NDJSON, CSV; the CSV header is line 1) or the
 * 1-based row number (Parquet). `byteOffset` is where the record's bytes start in the file (NDJSON, CSV; after
 * a byte order mark), null for Parquet.
 */
export interface RawRecord {
	file: string | null;
	line: number | null;
	byteOffset: number | null;
	raw: string;
	fields: Record<string, unknown> | null;
	error: SourceError | null;
}

/**
 * Where JSON.parse stopped in `text`, from its (English) message: the line and column, both from 1 and counted in
 * characters (the parser counts UTF-16 units: an emoji before it counts once); 'end' when the text ended too soon;
 * null when the message says neither.
 */
export function jsonErrorPlace(text: string, message: string): { line: number; column: number } | 'end' | null {
	const pos = /position (\d+)/.exec(message);
	if (pos) {
		const before = text.slice(0, Number(pos[1]));
		const lineStart = before.lastIndexOf('\n') + 1;
		return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
	}
	return /end of (JSON )?input/i.test(message) ? 'end' : null;
}
