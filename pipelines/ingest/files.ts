// File ingest: a stable id of the file's content (so a re-run of the same file finds its own quarantine
// rows), format detection, and the run through the pipeline.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { knownColumns, type Mapping } from './mapping';
import type { IngestRun, IngestSummary, Ingestor } from './pipeline';
import { detectFormat, isFileError, readSource, type RawRecord } from './sources';

/** sha256 of a file's bytes (or of its first `bytes`), first 16 hex characters. */
export async function fileOriginId(path: string, bytes?: number): Promise<string> {
	const h = createHash('sha256');
	if (bytes === undefined || bytes > 0) for await (const chunk of createReadStream(path, bytes === undefined ? {} : { end: bytes - 1 })) h.update(chunk as Buffer);
	return h.digest('hex').slice(0, 16);
}

/**
 * The reader's records as the run takes them: its messages name the file `shownAs` where they named its path, and
 * the message of its file-level error (the file, or its rest, could not be read) is kept in `seen`.
 */
async function* passing(records: AsyncIterable<RawRecord>, path: string, shownAs: string | undefined, seen: { fileError: string | null }): AsyncGenerator<RawRecord> {
	for await (const read of records) {
		const r = shownAs !== undefined && read.error?.message.includes(path) ? { ...read, error: { ...read.error, message: read.error.message.replaceAll(path, shownAs) } } : read;
		if (isFileError(r)) seen.fileError = r.error!.message;
		yield r;
	}
}

/** A file's run: the run's summary, the bytes read, the content's id, and the reader's message when it could not read the file. */
export type FileIngestSummary = IngestSummary & { bytes: number; originId: string; fileError: string | null };

export async function ingestFile(
	ingestor: Ingestor,
	conn: DuckDBConnection,
	path: string,
	opts: {
		source: string;
		/** what the run and its quarantine rows name as the input, for people (default: the file's absolute path) */
		origin?: string;
		/** the file's name in the reader's messages (default: its absolute path): an upload's own, not its temporary file's */
		shownAs?: string;
		/** read only the first so many bytes (a file that may still grow: what was there when it was seen still) */
		bytes?: number;
		/**
		 * where the bytes are read, when not at `path` (which still names the file and gives its format): an open
		 * handle's `/proc/self/fd/N`, so that the file read is the one the caller holds, whatever its name holds now
		 */
		readFrom?: string;
		mapping?: Mapping | null;
		onProgress?: IngestRun['onProgress'];
		now?: number;
		batchSize?: number;
		mergeThreads?: number;
		onFeedTickets?: IngestRun['onFeedTickets'];
		betweenBatches?: IngestRun['betweenBatches'];
	}
): Promise<FileIngestSummary> {
	const abs = resolve(path);
	const from = opts.readFrom ?? abs;
	const bytes = opts.bytes ?? statSync(from).size;
	// a mapping may say how its files are to be read (format, encoding, delimiter)
	const hint = opts.mapping?.input ?? {};
	const originId = await fileOriginId(from, opts.bytes);
	// a CSV header must name at least one column the mapping or the canonical record knows: a first line that is no
	// header (an NDJSON file named .txt) is refused with the file, not used up as the header
	const csv = { encoding: hint.encoding, delimiter: hint.delimiter, knownColumns: knownColumns(opts.mapping ?? null) };
	const seen = { fileError: null as string | null };
	// the format from the file's name (the path read from may have none); the reader's messages name the file
	const format = hint.format ?? (from === abs ? undefined : (detectFormat(abs) ?? undefined));
	const records = passing(readSource(from, { conn, format, csv, bytes: opts.bytes }), from, opts.shownAs ?? (from === abs ? undefined : abs), seen);
	const summary = await ingestor.run(records, {
		source: opts.source,
		origin: opts.origin ?? abs,
		originId,
		mapping: opts.mapping ?? null,
		now: opts.now,
		batchSize: opts.batchSize,
		mergeThreads: opts.mergeThreads,
		onProgress: opts.onProgress,
		onFeedTickets: opts.onFeedTickets,
		betweenBatches: opts.betweenBatches
	});
	// the reader's message when the file (or its rest) could not be read: what the command line and the drop folder say
	return { ...summary, bytes, originId, fileError: seen.fileError };
}
