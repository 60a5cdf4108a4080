// File sources of the ingest: streaming readers for NDJSON, CSV (UTF-8 or GBK/GB18030, detected) and Parquet
// (through DuckDB). Each yields `RawRecord`s in file order, in bounded memory: files are read in 64 KiB chunks,
// a record longer than the limit is refused rather than buffered, Parquet is read in batches of rows.
//
// Nothing is thrown for bad input: a bad record comes out as a record with `error` set (the raw text kept, so
// the caller can quarantine it) and the records beside it still come through; a file that cannot be read at all
// yields one file-level error (`line` null, see `isFileError`) and nothing after it. (A read that fails in the
// middle — an I/O error, a corrupt Parquet row group — yields the records before it, then the file-level error.)
//
// The outcome depends only on the bytes, never on how they were split into chunks (tests check this), so a run
// that is repeated reads exactly the same records.
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { DuckDBBlobValue, type DuckDBConnection } from '@duckdb/node-api';
import { jsonErrorPlace, type RawRecord, type SourceError } from './types';

export type { RawRecord, SourceError };

/**
 * Where bytes come from: a file path, the first `bytes` bytes of a file (one still being written: what was there
 * when it was last seen still), or any stream of byte chunks (an HTTP body, a test).
 */
export type ByteSource = string | FilePrefix | AsyncIterable<Uint8Array>;
export interface FilePrefix {
	path: string;
	bytes: number;
}
const isPrefix = (s: ByteSource): s is FilePrefix => typeof s === 'object' && s !== null && 'path' in s && 'bytes' in s;

export type SourceFormat = 'ndjson' | 'csv' | 'parquet';

/**
 * Reader error codes. File-level ones end the file; record-level ones concern one record.
 *
 * | code | level | meaning |
 * | --- | --- | --- |
 * | `empty_file` | file | 0 bytes, or nothing but blank lines / a byte order mark |
 * | `file_unreadable` | file | cannot open or read (missing, a directory, permissions, I/O error) |
 * | `unknown_format` | file | `readSource`: the extension is none of .ndjson .jsonl .json .csv .tsv .txt .parquet |
 * | `unknown_encoding` | file | CSV: neither valid UTF-8 nor plausible GBK/GB18030 (or UTF-16, or binary) |
 * | `csv_header` | file | CSV: the header row has duplicate column names, broken quoting, or is longer than `maxRowBytes` |
 * | `csv_no_known_column` | file | CSV with `knownColumns`: the first line has none of them and is data, not a header (JSON: an NDJSON file named .txt; a number, date or time among its cells: a CSV without its header row). A header of unknown names (an export that needs a mapping) is read: its rows are quarantined with their fields, to be replayed with the mapping |
 * | `json_array` | file | NDJSON: the content is one JSON array (its first character, after a byte order mark and white space, is `[`), not one record per line |
 * | `json_document` | file | NDJSON: the content is a pretty-printed JSON document (its first line, after a byte order mark and white space, is `{` alone, and the next non-blank line begins with a member name or `}`), not one record per line |
 * | `bad_parquet` | file | Parquet: truncated or corrupt (DuckDB cannot read it) |
 * | `bad_json` | record | NDJSON: the line is not valid JSON (the parser's message is given) |
 * | `truncated_line` | record | NDJSON: the last line has no line break and is not valid JSON (file cut off) |
 * | `not_object` | record | NDJSON: valid JSON but not an object (an array, a string, null …) |
 * | `line_too_long` | record | NDJSON: a line longer than `maxLineBytes` (raw keeps its beginning) |
 * | `bad_encoding` | record | a line / row that is not valid in the file's encoding (raw decoded with U+FFFD) |
 * | `csv_columns` | record | CSV: a row with more or fewer columns than the header |
 * | `csv_quote` | record | CSV: malformed quoting in a row (a closing quote followed by other text); or a quoted field that never closes (to the end of file or past `maxRowBytes`): the line where it opened is refused and reading resumes on the next line |
 * | `csv_row_too_long` | record | CSV: a row longer than `maxRowBytes` on one line (raw keeps its beginning) |
 */
export const FILE_ERROR_CODES = [
	'empty_file',
	'file_unreadable',
	'unknown_format',
	'unknown_encoding',
	'csv_header',
	'csv_no_known_column',
	'json_array',
	'json_document',
	'bad_parquet'
] as const;
export const RECORD_ERROR_CODES = [
	'bad_json',
	'truncated_line',
	'not_object',
	'line_too_long',
	'bad_encoding',
	'csv_columns',
	'csv_quote',
	'csv_row_too_long'
] as const;
export type FileErrorCode = (typeof FILE_ERROR_CODES)[number];
export type RecordErrorCode = (typeof RECORD_ERROR_CODES)[number];

/** A file-level error: the reader yields it last, with no line and no offset. */
export function isFileError(r: RawRecord): boolean {
	return r.error !== null && r.line === null;
}

const CHUNK_BYTES = 64 * 1024;
/** Default limit of one NDJSON line / CSV row. A valid record is far smaller (content ≤ 10,000 characters). */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
/** How much of an over-long record is kept as its raw text. */
const KEEP_BYTES = 64 * 1024;

/** The format of a file by its extension, or null. */
export function detectFormat(path: string): SourceFormat | null {
	switch (extname(path).toLowerCase()) {
		case '.ndjson':
		case '.jsonl':
		case '.json':
			return 'ndjson';
		case '.csv':
		case '.tsv':
		case '.txt':
			return 'csv';
		case '.parquet':
		case '.pq':
			return 'parquet';
		default:
			return null;
	}
}

// ---------------------------------------------------------------------------------------------------------
// Bytes

function fileError(file: string | null, code: FileErrorCode, message: string): RawRecord {
	return { file, line: null, byteOffset: null, raw: '', fields: null, error: { code, message } };
}

function badRecord(file: string | null, line: number, byteOffset: number | null, raw: string, code: RecordErrorCode, message: string): RawRecord {
	return { file, line, byteOffset, raw, fields: null, error: { code, message } };
}

/** null when the path is a readable regular file, else the file-level error to yield. */
async function checkFile(path: string): Promise<RawRecord | null> {
	try {
		const s = await stat(path);
		if (!s.isFile()) return fileError(path, 'file_unreadable', `无法读取文件：${path} 不是普通文件`);
		if (s.size === 0) return fileError(path, 'empty_file', `文件为空（0 字节）：${path}`);
		return null;
	} catch (e) {
		return fileError(path, 'file_unreadable', `无法读取文件 ${path}（${(e as Error).message}）`);
	}
}

async function* chunksOf(source: ByteSource): AsyncGenerator<Buffer> {
	if (typeof source === 'string') {
		for await (const chunk of createReadStream(source, { highWaterMark: CHUNK_BYTES })) yield chunk as Buffer;
	} else if (isPrefix(source)) {
		if (source.bytes <= 0) return;
		for await (const chunk of createReadStream(source.path, { highWaterMark: CHUNK_BYTES, end: source.bytes - 1 })) yield chunk as Buffer;
	} else {
		for await (const chunk of source) {
			if (chunk.byteLength === 0) continue;
			// copied: a producer may reuse its buffer once the next chunk is asked for
			yield Buffer.from(chunk);
		}
	}
}

const fileOf = (source: ByteSource): string | null => (typeof source === 'string' ? source : isPrefix(source) ? source.path : null);

/** The record of a read that failed part-way. */
function readFailed(file: string | null, e: unknown): RawRecord {
	return fileError(file, 'file_unreadable', `读取${file ? `文件 ${file} ` : '数据流'}时出错（${(e as Error)?.message ?? String(e)}）`);
}

const isBlankBytes = (b: Buffer): boolean => {
	for (let i = 0; i < b.length; i++) {
		const c = b[i];
		if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
	}
	return true;
};

const hasUtf8Bom = (b: Buffer): boolean => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
const hasGbBom = (b: Buffer): boolean => b.length >= 4 && b[0] === 0x84 && b[1] === 0x31 && b[2] === 0x95 && b[3] === 0x33;

/**
 * Byte offset of the first byte that is not valid UTF-8, or -1. A sequence cut off by the end of `b` is invalid
 * only when `complete` (else the rest may be in the next chunk).
 */
export function firstInvalidUtf8(b: Uint8Array, complete = true): number {
	const n = b.length;
	let i = 0;
	while (i < n) {
		const c = b[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		let need: number;
		let min: number;
		if (c >= 0xc2 && c <= 0xdf) (need = 1), (min = 0x80);
		else if (c >= 0xe0 && c <= 0xef) (need = 2), (min = 0x800);
		else if (c >= 0xf0 && c <= 0xf4) (need = 3), (min = 0x10000);
		else return i;
		if (i + need >= n) {
			for (let k = i + 1; k < n; k++) if ((b[k] & 0xc0) !== 0x80) return i;
			return complete ? i : -1;
		}
		let cp = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
		for (let k = 1; k <= need; k++) {
			const t = b[i + k];
			if ((t & 0xc0) !== 0x80) return i;
			cp = (cp << 6) | (t & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
		i += need + 1;
	}
	return -1;
}

// ---------------------------------------------------------------------------------------------------------
// NDJSON

export interface NdjsonOptions {
	/** longest accepted line in bytes (default 1 MiB); a longer one is refused as `line_too_long` */
	maxLineBytes?: number;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** What the start of NDJSON content shows it is not: one JSON array, or a pretty-printed JSON document. */
export type JsonShape = 'array' | 'document';

/**
 * What the start of a JSON text shows, chunk by chunk in constant memory: after an optional UTF-8 byte order mark and
 * white space, `[` is a JSON array; `{` alone on its line, followed (after white space and blank lines) by a member
 * name (`"`) or the closing `}`, is a pretty-printed JSON document; anything else is other content. A lone `{` followed
 * by a record (`{…}`) is NDJSON whose first line is broken: read line by line, that line alone is refused.
 */
class JsonLead {
	private pos = 0;
	private bom = 0;
	/** a `{` was the first character: what follows on its line decides (1), then the next line's first character (2) */
	private brace: 0 | 1 | 2 = 0;
	/** 'array' or 'document'; 'other': content to read line by line; null: undecided so far */
	shape: JsonShape | 'other' | null = null;

	/** Reads on from `b`; returns the shape once it is known (then stays), or null. */
	feed(b: Uint8Array): JsonShape | 'other' | null {
		for (let k = 0; this.shape === null && k < b.length; k++, this.pos++) {
			const c = b[k];
			const space = c === 0x20 || c === 0x09 || c === 0x0d;
			if (this.brace === 1) {
				if (c === 0x0a) this.brace = 2;
				else if (!space) this.shape = 'other';
				continue;
			}
			if (this.brace === 2) {
				if (!space && c !== 0x0a) this.shape = c === 0x22 || c === 0x7d ? 'document' : 'other';
				continue;
			}
			if (this.pos < 3 && this.pos === this.bom && c === UTF8_BOM[this.pos]) {
				this.bom++;
				continue;
			}
			if (this.bom > 0 && this.bom < 3) this.shape = 'other'; // no byte order mark after all
			else if (c === 0x5b) this.shape = 'array';
			else if (c === 0x7b) this.brace = 1;
			else if (!space && c !== 0x0a) this.shape = 'other';
		}
		return this.shape;
	}
}

/** Bytes held back at most while the start of the content is read (then it counts as other content). */
const LEAD_MAX_BYTES = 1 << 20;

/**
 * The chunks, with the first ones held back until `lead` has decided what the content is (the second line may
 * decide it), so that no line is read before: then they come as one.
 */
async function* leadFirst(chunks: AsyncIterable<Buffer>, lead: JsonLead): AsyncGenerator<Buffer> {
	const held: Buffer[] = [];
	let heldBytes = 0;
	for await (const chunk of chunks) {
		if (lead.shape !== null) {
			yield chunk;
			continue;
		}
		lead.feed(chunk);
		held.push(chunk);
		heldBytes += chunk.length;
		if (lead.shape === null && heldBytes >= LEAD_MAX_BYTES) lead.shape = 'other';
		if (lead.shape !== null) {
			yield held.length === 1 ? chunk : Buffer.concat(held);
			held.length = 0;
		}
	}
	if (held.length) yield Buffer.concat(held);
}

/**
 * What a whole JSON text (such as a push's body) is when it is not NDJSON: one JSON array, or a pretty-printed JSON
 * document (see JsonLead); null for content read line by line.
 */
export function jsonShape(b: Uint8Array): JsonShape | null {
	const shape = new JsonLead().feed(b);
	return shape === 'array' || shape === 'document' ? shape : null;
}

/** The file-level error of NDJSON content that is one JSON array or a pretty-printed JSON document. */
function jsonShapeError(file: string | null, shape: JsonShape): RawRecord {
	const what = file ? `文件 ${file} ` : '数据';
	const whole = `整个${file ? '文件' : '数据'}未接入`;
	if (shape === 'array')
		return fileError(
			file,
			'json_array',
			`${what}的内容是一个 JSON 数组（以「[」开头），不是每行一条记录的 NDJSON，${whole}。` +
				`请转换为每行一个 JSON 对象（NDJSON，如 jq -c '.[]' 原文件 > 新文件.ndjson）后重新导入` +
				'（detail: the first character after an optional byte order mark and white space is "["; a JSON array is not read: ' +
				'NDJSON, one JSON object per line, lets each record be refused, quarantined and replayed on its own within the line length limit）'
		);
	return fileError(
		file,
		'json_document',
		`${what}是一个分多行排版的 JSON 文档（以只有「{」的一行开头），不是每行一条记录的 NDJSON，${whole}。` +
			`请转换为每行一个 JSON 对象（NDJSON）后重新导入：一条记录用 jq -c '.' 原文件 > 新文件.ndjson，` +
			`记录在某个数组字段中（如 records）用 jq -c '.records[]' 原文件 > 新文件.ndjson` +
			'（detail: the first line after an optional byte order mark and white space is "{" alone, and the next begins a member name or "}"; a pretty-printed JSON document ' +
			'is not read: as lines, each of its lines would be quarantined as bad_json）'
	);
}

/**
 * NDJSON (JSON Lines): one JSON object per line, LF or CRLF. Blank lines are skipped (they still count in line
 * numbers); a UTF-8 byte order mark at the start is skipped; a last line without a line break is read like any
 * other, and refused as `truncated_line` when it is not valid JSON.
 *
 * Content that is one JSON array (`[` first, after a byte order mark and white space: `[{…},{…}]` on one line or
 * pretty-printed over many) is refused whole as `json_array` before any record: read as lines it would be one
 * `not_object` or `line_too_long` record, or a `bad_json` record per line of it. It is not read element by element:
 * a broken element would leave no line break to resume at, so one bad record could not be set aside alone.
 * Likewise a pretty-printed JSON document (`{` alone on the first line) is refused whole as `json_document`: read
 * as lines, it would be a `bad_json` record per line.
 */
export async function* readNdjson(source: ByteSource, options: NdjsonOptions = {}): AsyncGenerator<RawRecord> {
	const file = fileOf(source);
	const max = options.maxLineBytes ?? DEFAULT_MAX_RECORD_BYTES;
	const keep = Math.min(KEEP_BYTES, max);
	if (file !== null) {
		const bad = await checkFile(file);
		if (bad) {
			yield bad;
			return;
		}
	}

	let pending: Buffer[] = [];
	let pendingLen = 0;
	/** over-long line: its first bytes, kept while the rest is skipped up to the next line break */
	let tooLong: Buffer | null = null;
	let lineStart = 0; // byte offset of the current line
	let chunkStart = 0; // byte offset of the current chunk
	let line = 1;
	let total = 0;
	let records = 0;
	const lead = new JsonLead();

	const finish = (bytes: Buffer, terminated: boolean): RawRecord | null => {
		let start = lineStart;
		let b = bytes;
		if (line === 1 && hasUtf8Bom(b)) {
			b = b.subarray(3);
			start += 3;
		}
		if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
		if (isBlankBytes(b)) return null;
		records++;
		if (!isUtf8(b)) {
			const at = firstInvalidUtf8(b);
			return badRecord(file, line, start, b.toString('utf8'), 'bad_encoding', `第 ${line} 行不是有效的 UTF-8 文本（行内第 ${at} 字节起）；NDJSON 必须使用 UTF-8 编码`);
		}
		const text = b.toString('utf8');
		let value: unknown;
		try {
			value = JSON.parse(text);
		} catch (e) {
			const detail = (e as Error).message;
			// the parser's words are English: where it stopped, in Chinese, and its message as the detail
			const place = jsonErrorPlace(text, detail);
			const where = place === 'end' ? '内容在行尾处不完整' : place ? `第 ${place.column} 个字符附近有误` : '格式有误';
			return terminated
				? badRecord(file, line, start, text, 'bad_json', `第 ${line} 行不是有效的 JSON：${where}（detail: ${detail}）`)
				: badRecord(file, line, start, text, 'truncated_line', `最后一行（第 ${line} 行）不完整，文件可能被截断（detail: ${detail}）`);
		}
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			const what = value === null ? 'null' : Array.isArray(value) ? '数组' : typeof value === 'string' ? '字符串' : typeof value === 'number' ? '数字' : '布尔值';
			return badRecord(file, line, start, text, 'not_object', `第 ${line} 行是${what}，应为一个 JSON 对象`);
		}
		return { file, line, byteOffset: start, raw: text, fields: value as Record<string, unknown>, error: null };
	};

	const tooLongRecord = (): RawRecord => {
		records++;
		const kept = tooLong!;
		tooLong = null;
		return badRecord(file, line, lineStart, kept.toString('utf8'), 'line_too_long', `第 ${line} 行超过 ${max} 字节，不予接收（原始内容只保留前 ${keep} 字节）`);
	};

	try {
		for await (const chunk of leadFirst(chunksOf(source), lead)) {
			total += chunk.length;
			if (lead.shape === 'array' || lead.shape === 'document') {
				yield jsonShapeError(file, lead.shape);
				return;
			}
			let pos = 0;
			while (pos < chunk.length) {
				const nl = chunk.indexOf(0x0a, pos);
				const end = nl === -1 ? chunk.length : nl;
				if (tooLong === null) {
					if (pendingLen + (end - pos) > max) {
						const head = pendingLen > 0 ? Buffer.concat([...pending, chunk.subarray(pos, end)]) : chunk.subarray(pos, end);
						tooLong = Buffer.from(head.subarray(0, keep));
						pending = [];
						pendingLen = 0;
					}
				}
				if (nl === -1) {
					if (tooLong === null) {
						pending.push(chunk.subarray(pos));
						pendingLen += chunk.length - pos;
					}
					break;
				}
				if (tooLong !== null) {
					yield tooLongRecord();
				} else {
					const bytes = pendingLen > 0 ? Buffer.concat([...pending, chunk.subarray(pos, nl)]) : chunk.subarray(pos, nl);
					pending = [];
					pendingLen = 0;
					const r = finish(bytes, true);
					if (r) yield r;
				}
				line++;
				lineStart = chunkStart + nl + 1;
				pos = nl + 1;
			}
			chunkStart += chunk.length;
		}
	} catch (e) {
		yield readFailed(file, e);
		return;
	}
	if (tooLong !== null) yield tooLongRecord();
	else if (pendingLen > 0) {
		const r = finish(Buffer.concat(pending), false);
		if (r) yield r;
	}
	if (total === 0) yield fileError(file, 'empty_file', `${file ? `文件 ${file} ` : '数据'}为空（0 字节）`);
	else if (records === 0) yield fileError(file, 'empty_file', `${file ? `文件 ${file} ` : '数据'}没有任何记录（只有空行）`);
}

// ---------------------------------------------------------------------------------------------------------
// CSV

export type CsvEncoding = 'auto' | 'utf-8' | 'gb18030';

export interface CsvOptions {
	/** 'auto' (default): UTF-8 with or without BOM, or GBK/GB18030, detected from the first 64 KiB */
	encoding?: CsvEncoding;
	/** one ASCII character; default: detected from the header row among `,` tab `;` `|` (`,` when unsure) */
	delimiter?: string;
	/** longest accepted row in bytes (default 1 MiB) */
	maxRowBytes?: number;
	/**
	 * Column names a header has (compared trimmed, ignoring case), those that matter first (a few are named in the
	 * message): for a feed, the canonical fields and the source columns of its mapping. A first line with none of
	 * them that is data, not a header (`notAHeader`: an NDJSON file named .txt, a CSV without its header row), is
	 * refused as `csv_no_known_column` before any row is read, so it is not silently used up as the header. Unset:
	 * any first line is taken as the header.
	 */
	knownColumns?: readonly string[];
}

const SNIFF_BYTES = 64 * 1024;

export type EncodingGuess =
	| { ok: true; encoding: 'utf-8' | 'gb18030'; bom: number; tentative: boolean }
	| { ok: false; message: string };

/**
 * The encoding of a CSV file from its first bytes (64 KiB in `readCsv`): a byte order mark decides (UTF-16 is
 * refused); more than a few NUL bytes (over 8 and 1 %) are refused (binary, or UTF-16 without a BOM); pure ASCII is UTF-8 for now (`tentative`: the first
 * non-ASCII row decides); valid UTF-8 is UTF-8; valid GB18030 that looks like Chinese (at least 80 % of the
 * double-byte characters in the GB2312 rows, as in real GBK text — Latin-1 or random bytes are not) is GB18030;
 * either of them with a few broken characters (at most 2, or 2 %) is still that encoding, its broken rows becoming
 * `bad_encoding` records. Anything else is unknown. `complete` says the sample is the whole file (else a
 * multi-byte character cut off at its end is not an error).
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): EncodingGuess {
	const b = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength);
	if (hasUtf8Bom(b)) return { ok: true, encoding: 'utf-8', bom: 3, tentative: false };
	if (hasGbBom(b)) return { ok: true, encoding: 'gb18030', bom: 4, tentative: false };
	if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)))
		return { ok: false, message: '无法识别文件编码：文件是 UTF-16 编码，不受支持。请另存为 UTF-8 或 GB18030（GBK）后重新导入' };
	// many NUL bytes: binary, or UTF-16 without a BOM (a NUL beside every ASCII character). A stray one in a text
	// file is a control character of its row: cleaned and flagged there, as past the sniffed part
	if (nulCount(b) > Math.max(8, b.length / 100))
		return { ok: false, message: '无法识别文件编码：文件含有大量 NUL 字节（二进制文件或 UTF-16 编码），请另存为 UTF-8 或 GB18030（GBK）的文本文件后重新导入' };
	let ascii = true;
	for (let i = 0; i < b.length; i++)
		if (b[i] >= 0x80) {
			ascii = false;
			break;
		}
	if (ascii) return { ok: true, encoding: 'utf-8', bom: 0, tentative: !complete };
	const u = utf8Stats(b, complete);
	if (u.invalid === 0) return { ok: true, encoding: 'utf-8', bom: 0, tentative: false };
	const g = gbStats(b, complete);
	const share = g.valid === 0 ? 0 : g.common / g.valid;
	if (g.invalid === 0 && share >= 0.8) return { ok: true, encoding: 'gb18030', bom: 0, tentative: false };
	// mostly one of them, with a few broken characters: read it so, the broken rows become bad_encoding records
	const few = (s: { valid: number; invalid: number }) => s.valid > s.invalid && s.invalid <= Math.max(2, 0.02 * (s.valid + s.invalid));
	if (few(u)) return { ok: true, encoding: 'utf-8', bom: 0, tentative: false };
	if (few(g) && share >= 0.8) return { ok: true, encoding: 'gb18030', bom: 0, tentative: false };
	return {
		ok: false,
		message:
			'无法识别文件编码：既不是有效的 UTF-8，也不像 GBK/GB18030 编码的中文文本。请另存为 UTF-8 或 GB18030（GBK）后重新导入' +
			`（detail: in the first ${b.length} bytes ${u.invalid} invalid UTF-8 sequences, the first at byte ${firstInvalidUtf8(b, complete)}; ` +
			`${g.invalid} invalid GB18030 sequences; ${Math.round(share * 100)}% of GB double-byte characters in the common GB2312 range）`
	};
}

function nulCount(b: Uint8Array): number {
	let n = 0;
	for (let i = b.indexOf(0); i !== -1; i = b.indexOf(0, i + 1)) n++;
	return n;
}

/** Multi-byte UTF-8 sequences: how many are valid, and at how many bytes an invalid one starts. */
function utf8Stats(b: Uint8Array, complete: boolean): { valid: number; invalid: number } {
	let valid = 0;
	let invalid = 0;
	let i = 0;
	const n = b.length;
	while (i < n) {
		const c = b[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + len > n && !complete) break;
		if (firstInvalidUtf8(b.subarray(i, i + len)) === -1) {
			valid++;
			i += len;
		} else {
			invalid++;
			i++;
		}
	}
	return { valid, invalid };
}

const gb18030Strict = new TextDecoder('gb18030', { fatal: true });

/**
 * GB18030 text when the bytes read as plausible Chinese (no invalid sequence, mostly GB2312 characters), else null:
 * nearly any bytes decode as GB18030, so decoding alone says nothing.
 */
function plausibleGb18030(b: Uint8Array): string | null {
	const g = gbStats(b, true);
	if (g.invalid > 0 || g.common < 0.8 * g.valid) return null;
	try {
		return gb18030Strict.decode(b);
	} catch {
		return null;
	}
}

/** GB18030 multi-byte sequences: valid ones, invalid starts, and how many are GB2312 characters. */
function gbStats(b: Uint8Array, complete: boolean): { valid: number; invalid: number; common: number } {
	let valid = 0;
	let invalid = 0;
	let common = 0;
	let i = 0;
	const n = b.length;
	while (i < n) {
		const c = b[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c === 0x80 || c === 0xff) {
			// 0x80 is € in GB18030 but does not occur in GBK Chinese text
			invalid++;
			i++;
			continue;
		}
		if (i + 1 >= n) {
			if (complete) invalid++;
			break;
		}
		const t = b[i + 1];
		if (t >= 0x30 && t <= 0x39) {
			if (i + 3 >= n) {
				if (complete) invalid++;
				break;
			}
			if (b[i + 2] >= 0x81 && b[i + 2] <= 0xfe && b[i + 3] >= 0x30 && b[i + 3] <= 0x39) {
				valid++;
				i += 4;
			} else {
				invalid++;
				i++;
			}
		} else if ((t >= 0x40 && t <= 0x7e) || (t >= 0x80 && t <= 0xfe)) {
			valid++;
			if (c >= 0xa1 && c <= 0xf7 && t >= 0xa1) common++;
			i += 2;
		} else {
			invalid++;
			i++;
		}
	}
	return { valid, invalid, common };
}

/** The delimiter of a header line: the most frequent of , tab ; | outside quotes (`,` when none occurs). */
function sniffDelimiter(b: Buffer): number {
	const end = b.indexOf(0x0a);
	const counts = new Map<number, number>([
		[0x2c, 0],
		[0x09, 0],
		[0x3b, 0],
		[0x7c, 0]
	]);
	let quoted = false;
	for (let i = 0; i < (end === -1 ? b.length : end); i++) {
		const c = b[i];
		if (c === 0x22) quoted = !quoted;
		else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
	}
	let best = 0x2c;
	for (const [c, n] of counts) if (n > counts.get(best)!) best = c;
	return best;
}

/**
 * Splits one CSV record (already decoded, no line terminator) into fields, RFC 4180 quoting. Null when the quoting
 * is malformed: a closing quote followed by anything but the delimiter (white space aside), or a quote that
 * never closes — typically an unescaped quote inside a quoted field, or a stray quote that swallowed a line break.
 */
export function splitCsvRecord(s: string, delimiter = ','): string[] | null {
	const out: string[] = [];
	const n = s.length;
	let i = 0;
	for (;;) {
		if (s.charCodeAt(i) === 0x22) {
			let val = '';
			i++;
			for (;;) {
				const q = s.indexOf('"', i);
				if (q === -1) return null;
				val += s.slice(i, q);
				if (s.charCodeAt(q + 1) === 0x22) {
					val += '"';
					i = q + 2;
					continue;
				}
				i = q + 1;
				break;
			}
			while (i < n && (s[i] === ' ' || s[i] === '\t') && s[i] !== delimiter) i++;
			out.push(val);
			if (i >= n) break;
			if (s.startsWith(delimiter, i)) i += delimiter.length;
			else return null;
		} else {
			const d = s.indexOf(delimiter, i);
			if (d === -1) {
				out.push(s.slice(i));
				break;
			}
			out.push(s.slice(i, d));
			i = d + 1;
		}
	}
	return out;
}

/** A cell no header has for a name: a number, a date or a time (`12345`, `2026-03-02`, `2026/3/2 09:07`, `09:07`). */
const VALUE_CELL = /^(?:[-+]?\d+(?:[.,]\d+)?|\d{4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?(?:[ T].*)?|\d{1,2}:\d{2}(?::\d{2})?)$/;

/**
 * Whether a CSV's first line is no header but data: JSON (an NDJSON file named .txt) or a row with a number, a
 * date or a time among its cells (a CSV without its header row). Such a line would be used up as the header, its
 * record lost; a line of unknown names is a header all the same.
 */
function notAHeader(text: string, names: readonly string[]): boolean {
	const t = text.trimStart();
	return t.startsWith('{') || t.startsWith('[') || names.some((n) => VALUE_CELL.test(n));
}

/** For a CSV header that looks like JSON: how to have the file read as NDJSON (else ''). */
function jsonHint(headerText: string): string {
	const t = headerText.trimStart();
	if (t.startsWith('{')) return '。第一行看起来是 JSON 对象：若文件是每行一条记录的 NDJSON，请把扩展名改为 .ndjson 或 .jsonl 后重新导入';
	if (t.startsWith('[')) return '。第一行看起来是 JSON 数组：请转换为每行一个 JSON 对象的 NDJSON（扩展名 .ndjson 或 .jsonl）后重新导入';
	return '';
}

function setField(o: Record<string, unknown>, k: string, v: unknown): void {
	if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
	else o[k] = v;
}

const countNewlines = (b: Buffer): number => {
	let n = 0;
	for (let p = b.indexOf(0x0a); p !== -1; p = b.indexOf(0x0a, p + 1)) n++;
	return n;
};

/**
 * CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes; LF or CRLF), the first non-blank row
 * being the header (names trimmed; an empty name becomes `_colN`; duplicates are a file-level `csv_header`
 * error). Each later row becomes `{ column: value }` with values as strings exactly as in the file (not trimmed).
 * Blank rows are skipped. Rows are split on bytes before decoding, so a broken character never shifts columns.
 */
export async function* readCsv(source: ByteSource, options: CsvOptions = {}): AsyncGenerator<RawRecord> {
	const file = fileOf(source);
	const max = options.maxRowBytes ?? DEFAULT_MAX_RECORD_BYTES;
	const keep = Math.min(KEEP_BYTES, max);
	const want = options.encoding ?? 'auto';
	if (options.delimiter !== undefined && (options.delimiter.length !== 1 || options.delimiter.charCodeAt(0) > 0x7f || '"\r\n'.includes(options.delimiter)))
		throw new Error(`readCsv: the delimiter must be one ASCII character other than quote and line breaks, got ${JSON.stringify(options.delimiter)}`);
	if (file !== null) {
		const bad = await checkFile(file);
		if (bad) {
			yield bad;
			return;
		}
	}

	let buf: Buffer = Buffer.alloc(0);
	let bufOffset = 0; // file offset of buf[0]
	let rowStart = 0; // index in buf where the current row starts
	let i = 0; // scan position in buf
	let inQuotes = false;
	let fieldStart = true;
	let line = 1; // physical line of rowStart
	let skipping = false; // after csv_row_too_long: discarding up to the next line break
	let total = 0;

	let encoding: 'utf-8' | 'gb18030' | null = null;
	let tentative = false;
	let delim = options.delimiter?.charCodeAt(0) ?? -1;
	let delimChar = options.delimiter ?? ',';
	let columns: string[] | null = null;
	/** the header's cells as read (trimmed), to know the header repeated further down */
	let headerCells: string[] = [];
	const known = options.knownColumns ? new Set(options.knownColumns.map((c) => c.trim().toLowerCase())) : null;
	const gbLossy = new TextDecoder('gb18030');

	/** decoded text, or null when the bytes are not valid in the file's encoding */
	const decode = (b: Buffer): string | null => {
		if (encoding === 'utf-8') {
			if (isUtf8(b)) {
				if (tentative) for (let k = 0; k < b.length; k++) if (b[k] >= 0x80) {
					tentative = false;
					break;
				}
				return b.toString('utf8');
			}
			if (tentative) {
				// the first non-ASCII row of a file that started in ASCII: GB18030 if it is plausible Chinese
				const s = plausibleGb18030(b);
				if (s === null) return null;
				encoding = 'gb18030';
				tentative = false;
				return s;
			}
			return null;
		}
		try {
			return gb18030Strict.decode(b);
		} catch {
			return null;
		}
	};
	const lossy = (b: Buffer): string => (encoding === 'gb18030' ? gbLossy.decode(b) : b.toString('utf8'));

	/** The row buf[rowStart, end) (end excludes the line break); yields at most one record, may end the file. */
	const takeRow = (end: number): RawRecord | 'stop' | null => {
		let b = buf.subarray(rowStart, end);
		const startLine = line;
		const offset = bufOffset + rowStart;
		line += countNewlines(b) + 1;
		if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
		if (isBlankBytes(b)) return null;
		const text = decode(b);
		if (columns === null) {
			if (text === null) return 'stop';
			const headerText = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
			const header = splitCsvRecord(headerText, delimChar);
			if (header === null) return fileError(file, 'csv_header', `表头行的引号不规范，无法读取表头${jsonHint(headerText)}`);
			const names = header.map((h, k) => h.trim() || `_col${k + 1}`);
			const seen = new Map<string, number>();
			for (let k = 0; k < names.length; k++) {
				const first = seen.get(names[k]);
				if (first !== undefined) {
					return fileError(file, 'csv_header', `表头第 ${k + 1} 列与第 ${first + 1} 列重名（「${names[k]}」），无法区分字段，请修改表头后重新导入`);
				}
				seen.set(names[k], k);
			}
			// a header of unknown names (an export that needs its mapping) is read, and its rows can be replayed with one
			if (known && !names.some((n) => known.has(n.toLowerCase())) && notAHeader(headerText, names)) return noKnownColumn(startLine, names, headerText);
			columns = names;
			headerCells = header.map((h) => h.trim());
			return null;
		}
		if (text === null) {
			return badRecord(file, startLine, offset, lossy(b), 'bad_encoding', `第 ${startLine} 行含有不符合 ${encoding === 'gb18030' ? 'GB18030' : 'UTF-8'} 编码的字节，无法解码`);
		}
		const cells = splitCsvRecord(text, delimChar);
		if (cells === null) {
			return badRecord(file, startLine, offset, text, 'csv_quote', `第 ${startLine} 行的引号不规范（引号字段结束后紧跟其他字符，或引号没有结束），无法可靠地分列`);
		}
		// a row of empty cells (Excel leaves ,,,, rows below the data) is a blank row; the header again (files
		// joined one after another) is no record either
		if (cells.every((c) => !c.trim())) return null;
		if (cells.length === headerCells.length && cells.every((c, k) => c.trim() === headerCells[k])) return null;
		if (cells.length !== columns.length) {
			return badRecord(file, startLine, offset, text, 'csv_columns', `第 ${startLine} 行有 ${cells.length} 列，表头有 ${columns.length} 列`);
		}
		const fields: Record<string, unknown> = {};
		for (let k = 0; k < cells.length; k++) setField(fields, columns[k], cells[k]);
		return { file, line: startLine, byteOffset: offset, raw: text, fields, error: null };
	};

	/** Moves past the physical line that starts the current row (its line break at `nl`). */
	const resumeAfter = (nl: number) => {
		line++;
		rowStart = i = nl + 1;
		inQuotes = false;
		fieldStart = true;
	};

	/** A quoted field that never closed before the end of input: refuse the line it opened on, resume after it. */
	const unclosedAtEnd = (): RawRecord => {
		const nl = buf.indexOf(0x0a, rowStart);
		let b = buf.subarray(rowStart, nl === -1 ? buf.length : nl);
		if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
		const rec = badRecord(file, line, bufOffset + rowStart, lossy(b), 'csv_quote', `第 ${line} 行的引号字段到文件末尾仍未结束，本行不予接收，从下一行起继续读取`);
		if (nl === -1) rowStart = i = buf.length;
		else resumeAfter(nl);
		return columns === null ? fileError(file, 'csv_header', '表头行的引号字段没有结束，无法读取表头') : rec;
	};

	/**
	 * The row from rowStart is longer than `max` (known from its bytes alone, so the outcome does not depend on
	 * chunk boundaries). If its first line break comes within `max` bytes, the row spans lines because a quote
	 * never closed: that first line is refused as `csv_quote`. Otherwise the first line itself is too long:
	 * `csv_row_too_long`, keeping its first bytes. Either way reading resumes after the first line break.
	 */
	const overLong = (): RawRecord => {
		const nl = buf.indexOf(0x0a, rowStart);
		const at = line;
		const offset = bufOffset + rowStart;
		let rec: RawRecord;
		if (nl !== -1 && nl - rowStart <= max) {
			let b = buf.subarray(rowStart, nl);
			if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
			rec = badRecord(file, at, offset, lossy(b), 'csv_quote', `第 ${at} 行的引号字段超过 ${max} 字节仍未结束，本行不予接收，从下一行起继续读取`);
			resumeAfter(nl);
		} else {
			rec = badRecord(file, at, offset, lossy(buf.subarray(rowStart, rowStart + keep)), 'csv_row_too_long', `第 ${at} 行超过 ${max} 字节，不予接收（原始内容只保留前 ${keep} 字节）`);
			if (nl !== -1) resumeAfter(nl);
			else {
				skipping = true;
				rowStart = i = buf.length;
				inQuotes = false;
				fieldStart = true;
			}
		}
		return columns === null ? fileError(file, 'csv_header', `表头行超过 ${max} 字节（或引号没有结束），无法读取表头`) : rec;
	};

	/** Scans buf for complete rows; `final` at end of input. Returns the records, and whether the file is done. */
	const scan = (final: boolean): { out: RawRecord[]; stop: boolean } => {
		const out: RawRecord[] = [];
		const push = (r: RawRecord): boolean => {
			out.push(r);
			return isFileError(r);
		};
		for (;;) {
			const gb = encoding === 'gb18030';
			if (skipping) {
				const nl = buf.indexOf(0x0a, rowStart);
				if (nl === -1) {
					rowStart = i = buf.length;
					return { out, stop: false };
				}
				skipping = false;
				rowStart = i = nl + 1;
				line++;
			}
			let found = -1;
			let waiting = false;
			const n = buf.length;
			while (i < n) {
				const c = buf[i];
				if (inQuotes) {
					if (c === 0x22) {
						if (i + 1 >= n && !final) {
							waiting = true;
							break;
						}
						if (buf[i + 1] === 0x22) i += 2;
						else {
							inQuotes = false;
							i++;
						}
					} else i++;
				} else if (c === 0x0a) {
					found = i;
					break;
				} else if (c === 0x22 && fieldStart) {
					inQuotes = true;
					fieldStart = false;
					i++;
				} else if (gb && c >= 0x81 && c <= 0xfe) {
					// a GB18030 trail byte may equal an ASCII delimiter such as `|`: skip the whole character — once
					// all of it is in (its second byte says whether it has 2 or 4), so a chunk ending inside one
					// does not make the scan skip the line break after it. Only a valid character is skipped: a lone
					// lead byte (a broken character at the end of a field) is one byte, and what follows it — a line
					// break, a delimiter, a quote — is read as itself, so the next row is not merged into this one
					if (i + 1 >= n && !final) {
						waiting = true;
						break;
					}
					const t = i + 1 < n ? buf[i + 1] : -1;
					let len = 1;
					if (t >= 0x30 && t <= 0x39) {
						// four bytes: lead, 0x30–0x39, 0x81–0xFE, 0x30–0x39
						if (i + 4 > n && !final) {
							waiting = true;
							break;
						}
						if (i + 3 < n && buf[i + 2] >= 0x81 && buf[i + 2] <= 0xfe && buf[i + 3] >= 0x30 && buf[i + 3] <= 0x39) len = 4;
					} else if ((t >= 0x40 && t <= 0x7e) || (t >= 0x80 && t <= 0xfe)) len = 2;
					i += len;
					fieldStart = false;
				} else {
					fieldStart = c === delim;
					i++;
				}
			}
			if (found !== -1) {
				if (found - rowStart > max) {
					if (push(overLong())) return { out, stop: true };
					continue;
				}
				const r = takeRow(found);
				rowStart = i = found + 1;
				inQuotes = false;
				fieldStart = true;
				if (r === 'stop') return { out: [encodingError()], stop: true };
				if (r && push(r)) return { out, stop: true };
				continue;
			}
			if (buf.length - rowStart > max) {
				if (push(overLong())) return { out, stop: true };
				continue;
			}
			if (waiting || !final) return { out, stop: false };
			if (rowStart >= buf.length) return { out, stop: false };
			if (inQuotes) {
				if (push(unclosedAtEnd())) return { out, stop: true };
				continue;
			}
			const r = takeRow(buf.length);
			rowStart = i = buf.length;
			if (r === 'stop') return { out: [encodingError()], stop: true };
			if (r) push(r);
			return { out, stop: r !== null && isFileError(r) };
		}
	};

	/** A header none of whose names is known: the file is refused whole (see `knownColumns`). */
	const noKnownColumn = (at: number, names: string[], headerText: string): RawRecord => {
		const expected = options.knownColumns!;
		const some = expected.slice(0, 6).join('、') + (expected.length > 6 ? ` 等 ${expected.length} 个` : '');
		const cut = (n: string) => JSON.stringify(n.length > 40 ? `${n.slice(0, 40)}…` : n);
		return fileError(
			file,
			'csv_no_known_column',
			`${file ? `文件 ${file} ` : '数据'}的第 ${at} 行应为表头，但它像是数据（JSON，或含数字、日期、时间），其中也没有任何可识别的列名，` +
				`整个${file ? '文件' : '数据'}未接入：请确认文件有表头行（或文件其实不是 CSV）。应有的列名如 ${some}` +
				jsonHint(headerText) +
				`（detail: header row at line ${at}, delimiter ${JSON.stringify(delimChar)}, encoding ${encoding}, ${names.length} columns: ` +
				`${names.slice(0, 8).map(cut).join(', ')}${names.length > 8 ? ', …' : ''}; none matches (trimmed, case-insensitive) any of the ` +
				`${expected.length} known column names: ${expected.slice(0, 12).join(', ')}${expected.length > 12 ? ', …' : ''}）`
		);
	};

	const encodingError = (): RawRecord =>
		fileError(file, 'unknown_encoding', `无法识别文件编码：表头行不是有效的 ${encoding === 'gb18030' ? 'GB18030' : 'UTF-8'} 文本。请另存为 UTF-8 或 GB18030（GBK）后重新导入`);

	/** Decides the encoding and the delimiter once enough bytes are in (or at the end); false when unknown. */
	const start = (final: boolean): RawRecord | null => {
		let bom = 0;
		if (want === 'auto') {
			const g = detectEncoding(buf.subarray(0, SNIFF_BYTES), final && buf.length <= SNIFF_BYTES);
			if (!g.ok) return fileError(file, 'unknown_encoding', g.message);
			encoding = g.encoding;
			tentative = g.tentative;
			bom = g.bom;
		} else {
			encoding = want;
			bom = want === 'utf-8' ? (hasUtf8Bom(buf) ? 3 : 0) : hasGbBom(buf) ? 4 : 0;
		}
		rowStart = i = bom;
		if (delim === -1) {
			delim = sniffDelimiter(buf.subarray(bom, SNIFF_BYTES));
			delimChar = String.fromCharCode(delim);
		}
		return null;
	};

	try {
		for await (const chunk of chunksOf(source)) {
			total += chunk.length;
			if (rowStart > 0) {
				bufOffset += rowStart;
				i -= rowStart;
				buf = Buffer.concat([buf.subarray(rowStart), chunk]);
				rowStart = 0;
			} else buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
			if (encoding === null) {
				if (buf.length < SNIFF_BYTES) continue;
				const bad = start(false);
				if (bad) {
			yield bad;
			return;
		}
			}
			const { out, stop } = scan(false);
			for (const r of out) yield r;
			if (stop) return;
		}
	} catch (e) {
		yield readFailed(file, e);
		return;
	}
	if (total === 0) {
		yield fileError(file, 'empty_file', `${file ? `文件 ${file} ` : '数据'}为空（0 字节）`);
		return;
	}
	if (encoding === null) {
		const bad = start(true);
		if (bad) {
			yield bad;
			return;
		}
	}
	const { out, stop } = scan(true);
	for (const r of out) yield r;
	if (stop) return;
	if (columns === null) yield fileError(file, 'empty_file', `${file ? `文件 ${file} ` : '数据'}没有表头，也没有任何记录（只有空行）`);
}

// ---------------------------------------------------------------------------------------------------------
// Parquet

export interface ParquetOptions {
	/** rows per query (default 10,000) */
	batchSize?: number;
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** `2026-11-28 02:05:30+00` (DuckDB's JSON form of TIMESTAMPTZ) → `2026-11-28T02:05:30+00:00`. */
function isoFromDuck(v: unknown): unknown {
	if (typeof v !== 'string') return v;
	const m = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-]\d{2})(?::?(\d{2}))?)?$/.exec(v);
	if (!m) return v;
	return `${m[1]}T${m[2]}${m[3] === undefined ? '' : `${m[3]}:${m[4] ?? '00'}`}`;
}

/** Row count of a Parquet file from its footer (for progress), or null when it cannot be read. */
export async function parquetRowCount(conn: DuckDBConnection, path: string): Promise<number | null> {
	try {
		const r = await conn.runAndReadAll(`SELECT sum(num_rows) FROM parquet_file_metadata(${sqlString(path)})`);
		return Number(r.getRows()[0][0] ?? 0);
	} catch {
		return null;
	}
}

/** Bytes of a text column stored as plain BINARY: UTF-8, else GB18030 when it reads as plausible Chinese, else null. */
function decodeText(b: Uint8Array): string | null {
	return isUtf8(b) ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : plausibleGb18030(b);
}

/**
 * A Parquet file through DuckDB's `read_parquet`, `batchSize` rows per query (selected by `file_row_number`, which
 * DuckDB prunes to the row groups that hold them), so each batch is a separate statement and the connection may
 * be used for other work between batches (e.g. appending what was read). Rows come as plain objects: integers
 * beyond 2^53 and decimals as strings, timestamps as ISO 8601 strings (TIMESTAMP without offset, to be read as
 * Asia/Shanghai; TIMESTAMPTZ with its offset), dates as `YYYY-MM-DD`, lists and structs as JSON values.
 *
 * A file DuckDB cannot read (truncated, corrupt, not Parquet) yields one `bad_parquet` file-level error; when the
 * damage is found only in a later batch, the rows before it have been yielded already and the error says so.
 */
export async function* readParquet(conn: DuckDBConnection, path: string, options: ParquetOptions = {}): AsyncGenerator<RawRecord> {
	const batch = Math.max(1, Math.floor(options.batchSize ?? 10_000));
	const bad = await checkFile(path);
	if (bad) {
		yield bad;
		return;
	}
	const lit = sqlString(path);
	const broken = (e: unknown, done: number): RawRecord =>
		fileError(
			path,
			'bad_parquet',
			`Parquet 文件 ${path} 已损坏或不完整（可能被截断），无法读取` +
				(done > 0 ? `；前 ${done} 行已读取，其后的行未读取` : '') +
				`（${(e as Error).message}）`
		);
	let total: number;
	try {
		const r = await conn.runAndReadAll(`SELECT sum(num_rows) FROM parquet_file_metadata(${lit})`);
		total = Number(r.getRows()[0][0] ?? 0);
	} catch (e) {
		yield broken(e, 0);
		return;
	}
	if (total === 0) {
		yield fileError(path, 'empty_file', `Parquet 文件 ${path} 没有任何行`);
		return;
	}
	for (let from = 0; from < total; from += batch) {
		let names: string[];
		let tz: boolean[];
		let blob: boolean[];
		let bytes: (Uint8Array | null)[][] | null;
		let rows: Record<string, unknown>[];
		try {
			const reader = await conn.runAndReadAll(
				`SELECT * EXCLUDE (file_row_number) FROM read_parquet(${lit}, file_row_number = true) ` +
					`WHERE file_row_number >= ${from} AND file_row_number < ${from + batch} ORDER BY file_row_number`
			);
			names = reader.columnNames();
			const types = reader.columnTypes().map((t) => t.toString());
			tz = types.map((t) => /^TIMESTAMP/.test(t));
			blob = types.map((t) => t === 'BLOB');
			rows = reader.getRowObjectsJson() as Record<string, unknown>[];
			// text some writers store as plain BINARY (no UTF8 annotation) comes as BLOB: its bytes, to decode here
			if (blob.some(Boolean)) bytes = reader.getRows().map((r) => r.map((v, c) => (blob[c] && v instanceof DuckDBBlobValue ? v.bytes : null)));
			else bytes = null;
		} catch (e) {
			yield broken(e, from);
			return;
		}
		for (let k = 0; k < rows.length; k++) {
			const row = rows[k];
			let bad: string | null = null;
			for (let c = 0; c < names.length; c++) {
				if (tz[c]) row[names[c]] = isoFromDuck(row[names[c]]);
				const b = bytes?.[k][c];
				if (b) {
					const text = decodeText(b);
					if (text === null) bad ??= names[c];
					else row[names[c]] = text;
				}
			}
			const line = from + k + 1;
			if (bad !== null) {
				yield badRecord(path, line, null, JSON.stringify(row), 'bad_encoding', `第 ${line} 行的列「${bad}」是二进制值，既不是 UTF-8 也不是 GB18030 文本，无法解码`);
				continue;
			}
			yield { file: path, line, byteOffset: null, raw: JSON.stringify(row), fields: row, error: null };
		}
		if (rows.length < Math.min(batch, total - from)) return;
	}
}

// ---------------------------------------------------------------------------------------------------------

export interface ReadSourceOptions {
	/** overrides the format detected from the extension */
	format?: SourceFormat;
	/** needed for Parquet */
	conn?: DuckDBConnection;
	csv?: CsvOptions;
	ndjson?: NdjsonOptions;
	parquet?: ParquetOptions;
	/** read only the first so many bytes of an NDJSON or CSV file (Parquet is read whole) */
	bytes?: number;
}

/** Any supported file by its extension (or `format`). */
export async function* readSource(path: string, options: ReadSourceOptions = {}): AsyncGenerator<RawRecord> {
	const format = options.format ?? detectFormat(path);
	switch (format) {
		case 'ndjson':
			return yield* readNdjson(options.bytes === undefined ? path : { path, bytes: options.bytes }, options.ndjson);
		case 'csv':
			return yield* readCsv(options.bytes === undefined ? path : { path, bytes: options.bytes }, options.csv);
		case 'parquet':
			if (!options.conn) throw new Error('readSource: a DuckDB connection is needed to read Parquet');
			return yield* readParquet(options.conn, path, options.parquet);
		default:
			yield fileError(path, 'unknown_format', `无法识别文件格式：${path}（支持 .ndjson .jsonl .json .csv .tsv .txt .parquet）`);
	}
}
