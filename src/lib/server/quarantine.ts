// The data-intake quarantine for the admin page: counts by source × reason, a filtered page of rows, one row
// with its raw text, and replay after a mapping fix (queued with the other ingests).
import { cutChars } from '$pipelines/normalize/text';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MappingError, parseMappingText, type Mapping } from '$pipelines/ingest/mapping';
import type { IngestSummary } from '$pipelines/ingest/pipeline';
import { Quarantine, type QuarantineEntry } from '$pipelines/ingest/quarantine';
import type { FileErrorCode, RecordErrorCode } from '$pipelines/ingest/sources';
import { FIELD_LABELS, isCanonicalField } from '$pipelines/ingest/types';
import { VALIDATION_REASONS } from '$pipelines/ingest/validate';
import type { App } from './app';
import { ingestService, handOverFeedTickets } from './ingest';

export const QUARANTINE_PAGE_SIZE = 50;
/** The largest mapping accepted from the page (uploaded or pasted), in bytes. */
export const MAPPING_MAX_BYTES = 256 * 1024;

/** The readers' error codes (pipelines/ingest/sources.ts), for people. */
export const READER_REASONS: Record<FileErrorCode | RecordErrorCode, string> = {
	empty_file: '文件为空（没有任何记录）',
	file_unreadable: '文件无法读取',
	unknown_format: '无法识别的文件格式',
	unknown_encoding: '无法识别的文件编码（既非 UTF-8，也非 GBK/GB18030）',
	csv_header: 'CSV 表头有误（列名重复、引号错误或过长）',
	csv_no_known_column: 'CSV 表头中没有可识别的列名（第一行不像表头，或需要映射文件）',
	json_array: '内容是 JSON 数组，应为每行一条记录的 NDJSON',
	json_document: '内容是分多行排版的 JSON 文档，应为每行一条记录的 NDJSON',
	bad_parquet: 'Parquet 文件损坏或被截断',
	bad_json: '该行不是有效的 JSON',
	truncated_line: '最后一行不完整（文件可能被截断）',
	not_object: '该行不是 JSON 对象',
	line_too_long: '该行过长',
	bad_encoding: '含有与文件编码不符的字节',
	csv_columns: 'CSV 行的列数与表头不一致',
	csv_quote: 'CSV 引号格式有误',
	csv_row_too_long: 'CSV 行过长'
};

const OTHER_REASONS: Record<string, string> = {
	mapping_failed: '按映射转换时出错',
	unreadable: '无法读取该记录'
};

const REASON_LABELS: Record<string, string> = { ...READER_REASONS, ...OTHER_REASONS, ...VALIDATION_REASONS };

/** A reason code in Chinese (the code itself when it is not known). */
export function reasonLabel(code: string): string {
	return Object.hasOwn(REASON_LABELS, code) ? REASON_LABELS[code] : code;
}

function fieldLabel(field: string | null): string | null {
	if (!field) return null;
	return isCanonicalField(field) ? FIELD_LABELS[field] : field;
}

// ---------------------------------------------------------------------------------------------------------
// Reading

export type QuarantineStatus = 'open' | 'replayed' | 'all';
export const QUARANTINE_STATUS_LABELS: Record<QuarantineStatus, string> = { open: '待处理', replayed: '已重放', all: '全部' };

export interface QuarantineFilters {
	source: string | null;
	reason: string | null;
	status: QuarantineStatus;
	page: number;
	/** what in the query could not be used, in Chinese (the list then shows without it) */
	problems?: string[];
}

/** The list's filters from a URL query (`source`, `reason`, `status`, `page`); anything odd falls back to the default, and is named. */
export function quarantineFilters(q: URLSearchParams): QuarantineFilters {
	const text = (k: string) => {
		const v = q.get(k)?.trim();
		return v ? cutChars(v, 200) : null;
	};
	const status = q.get('status');
	const page = Number(q.get('page') ?? 1);
	const problems: string[] = [];
	if (status !== null && !Object.hasOwn(QUARANTINE_STATUS_LABELS, status)) problems.push(`未知的状态「${cutChars(status, 40)}」，已显示待处理的记录`);
	return {
		source: text('source'),
		reason: text('reason'),
		status: status === 'replayed' || status === 'all' ? status : 'open',
		page: Number.isInteger(page) && page >= 1 && page <= 1_000_000 ? page : 1,
		problems
	};
}

export interface QuarantineCount {
	source: string;
	reason: string;
	reasonLabel: string;
	open: number;
	replayed: number;
}

export interface QuarantineRow {
	source: string;
	/** what was read: a file path, `push:…`, `replay` */
	origin: string;
	originId: string;
	line: number;
	byteOffset: number | null;
	reason: string;
	reasonLabel: string;
	field: string | null;
	fieldLabel: string | null;
	message: string;
	/** ISO 8601 with offset, and `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai for display */
	quarantinedAt: string;
	quarantinedAtText: string;
	status: 'open' | 'replayed';
	resolvedAtText: string | null;
	/** read fine but refused by mapping or validation: a corrected mapping can bring it in */
	replayable: boolean;
}

export interface QuarantineOverview {
	filters: QuarantineFilters;
	counts: QuarantineCount[];
	totals: { open: number; replayed: number };
	sources: string[];
	reasons: { code: string; label: string }[];
	rows: QuarantineRow[];
	/** rows matching the filters (all pages) */
	matching: number;
	pages: number;
	pageSize: number;
}

function toRow(r: QuarantineEntry): QuarantineRow {
	return {
		source: r.source,
		origin: r.origin,
		originId: r.origin_id,
		line: r.line,
		byteOffset: r.byte_offset,
		reason: r.reason,
		reasonLabel: reasonLabel(r.reason),
		field: r.field,
		fieldLabel: fieldLabel(r.field),
		message: r.message,
		quarantinedAt: r.quarantined_at,
		quarantinedAtText: r.quarantined_text,
		status: r.status,
		resolvedAtText: r.resolved_text,
		replayable: r.fields !== null
	};
}

export async function quarantineOverview(conn: DuckDBConnection, filters: QuarantineFilters): Promise<QuarantineOverview> {
	const counts = (await new Quarantine(conn).counts()).map((c) => ({ ...c, reasonLabel: reasonLabel(c.reason) }));
	const totals = counts.reduce((t, c) => ({ open: t.open + c.open, replayed: t.replayed + c.replayed }), { open: 0, replayed: 0 });
	const sources = [...new Set(counts.map((c) => c.source))].sort();
	const reasons = [...new Set(counts.map((c) => c.reason))].sort().map((code) => ({ code, label: reasonLabel(code) }));

	// a source or reason the quarantine has never held is named, and left out of the filter
	const problems = [...(filters.problems ?? [])];
	if (filters.source && !sources.includes(filters.source)) {
		problems.push(`隔离区中没有来源「${filters.source}」的记录，已显示全部来源`);
		filters = { ...filters, source: null };
	}
	if (filters.reason && !reasons.some((r) => r.code === filters.reason)) {
		problems.push(`隔离区中没有原因为「${filters.reason}」的记录，已显示全部原因`);
		filters = { ...filters, reason: null };
	}
	const q = new Quarantine(conn);
	const filter = { source: filters.source, reason: filters.reason, status: filters.status };
	const matching = await q.count(filter);
	const pages = Math.max(1, Math.ceil(matching / QUARANTINE_PAGE_SIZE));
	const page = Math.min(filters.page, pages);
	const rows = await q.list({ ...filter, limit: QUARANTINE_PAGE_SIZE, offset: (page - 1) * QUARANTINE_PAGE_SIZE });
	return {
		filters: { ...filters, page, problems },
		counts,
		totals,
		sources,
		reasons,
		rows: rows.map(toRow),
		matching,
		pages,
		pageSize: QUARANTINE_PAGE_SIZE
	};
}

export interface QuarantineDetail extends QuarantineRow {
	/** the record exactly as read (text: never to be rendered as HTML) */
	raw: string;
	/** the fields as read, pretty-printed JSON; null when reading failed */
	fieldsJson: string | null;
}

export async function quarantineEntry(conn: DuckDBConnection, source: string, originId: string, line: number): Promise<QuarantineDetail | null> {
	if (!Number.isSafeInteger(line)) return null;
	const r = await new Quarantine(conn).get(source, originId, line);
	if (!r) return null;
	let fieldsJson: string | null = null;
	if (r.fields !== null) {
		try {
			fieldsJson = JSON.stringify(JSON.parse(r.fields), null, 2);
		} catch {
			fieldsJson = r.fields;
		}
	}
	return { ...toRow(r), raw: r.raw, fieldsJson };
}

// ---------------------------------------------------------------------------------------------------------
// Replay

/** A replay request the page must refuse (shown to the admin as is). */
export class ReplayInputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ReplayInputError';
	}
}

export interface ReplayOutcome {
	source: string | null;
	mappingName: string | null;
	/** open rows looked at */
	tried: number;
	/** now passed and ingested */
	replayed: number;
	/** read fine but still refused by mapping or validation (reason updated) */
	stillFailing: number;
	/** failed while reading: only a corrected file brings them in */
	notReplayable: number;
	/** open rows left in quarantine after the replay (of the replayed source, or all) */
	remaining: number;
	/** the ingest summary of the rows replayed (null when none was) */
	ingest: IngestSummary | null;
}

/**
 * Mapping JSON text (an uploaded file's or pasted) → a checked mapping. `fileName`: the uploaded file's name,
 * null for pasted text. Throws `ReplayInputError` in Chinese, naming the place of the problem.
 */
export function mappingFromText(text: string, fileName: string | null): Mapping {
	const label = fileName ? `映射文件「${fileName}」` : '粘贴的映射内容';
	if (Buffer.byteLength(text, 'utf8') > MAPPING_MAX_BYTES) throw new ReplayInputError(`${label}过大（不得超过 ${MAPPING_MAX_BYTES / 1024} KB）`);
	const origin = fileName ?? '粘贴内容';
	try {
		return parseMappingText(text, origin);
	} catch (e) {
		if (!(e instanceof MappingError)) throw e;
		const prefix = `映射文件 ${origin} 有误：`;
		const invalid = `映射文件 ${origin} 不是有效的 JSON`;
		if (e.message.startsWith(invalid)) throw new ReplayInputError(`${label}不是有效的 JSON${e.message.slice(invalid.length)}`);
		const what = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
		throw new ReplayInputError(`${label}有误：${what}${e.pointer ? `（位置：${e.pointer}）` : ''}`);
	}
}

/**
 * Replays the open quarantine rows (of one source, or all) with an optional corrected mapping, after the
 * ingests queued before it. Throws `ReplayInputError` for a mapping that cannot be used.
 */
export async function replayQuarantine(
	app: App,
	o: { source?: string | null; mappingJson?: string | null; mappingFileName?: string | null }
): Promise<ReplayOutcome> {
	const mapping = o.mappingJson?.trim() ? mappingFromText(o.mappingJson, o.mappingFileName ?? null) : null;
	const source = o.source?.trim() || null;
	return ingestService(app).withIngestor(async (ingestor, conn) => {
		const q = new Quarantine(conn);
		if (source && !(await q.count({ source, status: 'all' }))) throw new ReplayInputError(`隔离区中没有来源「${source}」的记录，无可重放`);
		const r = await q.replay(ingestor, { source: source ?? undefined, mapping, onFeedTickets: (t) => handOverFeedTickets(app, t) });
		return {
			source,
			mappingName: mapping ? (mapping.name ?? o.mappingFileName ?? '粘贴的映射') : null,
			tried: r.tried,
			replayed: r.replayed,
			stillFailing: r.stillFailing,
			notReplayable: r.notReplayable,
			remaining: await q.count({ source, status: 'open' }),
			ingest: r.ingest
		};
	});
}
