// The quarantine: every rejected feed record with its raw text, where it came from and why. Records that were
// read but failed mapping or validation can be replayed after a fix (a corrected mapping file); a replayed
// record that now passes goes through the normal pipeline and its quarantine row is marked `replayed`.
import type { DuckDBConnection } from '@duckdb/node-api';
import { applyMapping, parseMapping, type Mapping } from './mapping';
import { mergeSummaries, type IngestRun, type IngestSummary, type Ingestor } from './pipeline';
import type { RawRecord } from './sources';
import { validateRecord } from './validate';
import { isoShanghaiSql } from '../warehouse/facts';

export interface QuarantineEntry {
	source: string;
	origin: string;
	origin_id: string;
	line: number;
	byte_offset: number | null;
	reason: string;
	field: string | null;
	message: string;
	raw: string;
	fields: string | null;
	/** the mapping (JSON) the record was read with, if any */
	mapping: string | null;
	quarantined_at: string;
	status: 'open' | 'replayed';
	resolved_at: string | null;
	/** the two times as `YYYY-MM-DD HH:mm:ss` in Asia/Shanghai, for display */
	quarantined_text: string;
	resolved_text: string | null;
}

/** Which rows: by source, reason and status (default: the open ones). */
export interface QuarantineFilter {
	source?: string | null;
	reason?: string | null;
	status?: 'open' | 'replayed' | 'all';
}

export interface ReplayResult {
	tried: number;
	replayed: number;
	stillFailing: number;
	/** rows that failed while reading (bad JSON, wrong column count …): only a corrected file fixes them */
	notReplayable: number;
	/** the ingest of the rows replayed: one run per source and mapping, summed up (null when none was) */
	ingest: IngestSummary | null;
}

const COLS = `source, origin, origin_id, line::DOUBLE AS line, byte_offset::DOUBLE AS byte_offset, reason, field, message, raw, fields, mapping,
	${isoShanghaiSql('quarantined_at')} AS quarantined_at, status, ${isoShanghaiSql('resolved_at')} AS resolved_at,
	strftime(timezone('Asia/Shanghai', quarantined_at), '%Y-%m-%d %H:%M:%S') AS quarantined_text,
	strftime(timezone('Asia/Shanghai', resolved_at), '%Y-%m-%d %H:%M:%S') AS resolved_text`;

function filterSql(f: QuarantineFilter): { cond: string; params: Record<string, string> } {
	const where = ['true'];
	const params: Record<string, string> = {};
	const status = f.status ?? 'open';
	if (status !== 'all') {
		where.push('status = $status');
		params.status = status;
	}
	if (f.source) {
		where.push('source = $source');
		params.source = f.source;
	}
	if (f.reason) {
		where.push('reason = $reason');
		params.reason = f.reason;
	}
	return { cond: where.join(' AND '), params };
}

export class Quarantine {
	constructor(private readonly conn: DuckDBConnection) {}

	async counts(): Promise<{ source: string; reason: string; open: number; replayed: number }[]> {
		const r = await this.conn.runAndReadAll(
			`SELECT source, reason, count(*) FILTER (WHERE status = 'open')::INTEGER AS open,
			        count(*) FILTER (WHERE status = 'replayed')::INTEGER AS replayed
			 FROM quarantine GROUP BY ALL ORDER BY open DESC, source, reason`
		);
		return r.getRowObjectsJS() as never;
	}

	/** Names the input of one read (source and origin id) anew: a file that moved after it was read. */
	async relabel(source: string, originId: string, origin: string): Promise<void> {
		await this.conn.run(`UPDATE quarantine SET origin = $origin WHERE source = $s AND origin_id = $o`, { origin, s: source, o: originId });
	}

	/** Deletes the open rows of one read (source and origin id): a read taken back because the input is read again whole. */
	async dropOpen(source: string, originId: string): Promise<void> {
		await this.conn.run(`DELETE FROM quarantine WHERE source = $s AND origin_id = $o AND status = 'open'`, { s: source, o: originId });
	}

	/** Rows matching the filter (all pages). */
	async count(f: QuarantineFilter = {}): Promise<number> {
		const { cond, params } = filterSql(f);
		return Number((await this.conn.runAndReadAll(`SELECT count(*) FROM quarantine WHERE ${cond}`, params)).getRows()[0][0]);
	}

	/** Newest first. */
	async list(f: QuarantineFilter & { limit?: number; offset?: number } = {}): Promise<QuarantineEntry[]> {
		const { cond, params } = filterSql(f);
		const r = await this.conn.runAndReadAll(
			`SELECT ${COLS} FROM quarantine WHERE ${cond} ORDER BY quarantined_at DESC, source, origin_id, line LIMIT $limit OFFSET $offset`,
			{ ...params, limit: f.limit ?? 50, offset: f.offset ?? 0 }
		);
		return r.getRowObjectsJS() as never;
	}

	async get(source: string, originId: string, line: number): Promise<QuarantineEntry | null> {
		const r = await this.conn.runAndReadAll(`SELECT ${COLS} FROM quarantine WHERE source = $s AND origin_id = $o AND line = $l`, { s: source, o: originId, l: line });
		return (r.getRowObjectsJS()[0] as never) ?? null;
	}

	/**
	 * Maps and validates the open rows of a source again — with `mapping` when given, else with the mapping each
	 * row was read with (none for a canonical feed); those that pass are ingested, one run per source and
	 * mapping, and marked replayed; the others keep their row with the new reason.
	 */
	async replay(ingestor: Ingestor, o: { source?: string; mapping?: Mapping | null; now?: number; onFeedTickets?: IngestRun['onFeedTickets'] }): Promise<ReplayResult> {
		const now = o.now ?? Date.now();
		const rows = await this.list({ source: o.source, limit: 1_000_000 });
		const result: ReplayResult = { tried: rows.length, replayed: 0, stillFailing: 0, notReplayable: 0, ingest: null };
		const groups = new Map<string, { source: string; mapping: Mapping | null; list: { entry: QuarantineEntry; fields: Record<string, unknown> }[] }>();
		const stored = new Map<string, Mapping>();
		for (const entry of rows) {
			if (!entry.fields) {
				result.notReplayable++;
				continue;
			}
			const fields = JSON.parse(entry.fields) as Record<string, unknown>;
			let mapping: Mapping | null = o.mapping ?? null;
			let mapped: Record<string, unknown>;
			try {
				if (!mapping && entry.mapping) {
					mapping = stored.get(entry.mapping) ?? parseMapping(JSON.parse(entry.mapping), `${entry.origin} 导入时所用的映射`);
					stored.set(entry.mapping, mapping);
				}
				mapped = mapping ? applyMapping(mapping, fields) : fields;
			} catch (e) {
				await this.refail(entry, 'mapping_failed', null, (e as Error).message);
				result.stillFailing++;
				continue;
			}
			const v = validateRecord(mapped, { now });
			if (!v.ok) {
				await this.refail(entry, v.code, v.field ?? null, v.message);
				result.stillFailing++;
				continue;
			}
			const key = `${entry.source}\u0001${mapping?.json ?? ''}`;
			const g = groups.get(key) ?? { source: entry.source, mapping, list: [] };
			g.list.push({ entry, fields });
			groups.set(key, g);
		}
		const summaries: IngestSummary[] = [];
		for (const [i, { source, mapping, list }] of [...groups.values()].entries()) {
			async function* records(): AsyncGenerator<RawRecord> {
				for (const { entry, fields } of list) yield { file: entry.origin, line: entry.line, byteOffset: entry.byte_offset, raw: entry.raw, fields, error: null };
			}
			const summary = await ingestor.run(records(), {
				source,
				origin: `replay`,
				originId: i ? `replay:${now}:${i}` : `replay:${now}`,
				mapping,
				now,
				onFeedTickets: o.onFeedTickets
			});
			summaries.push(summary);
			for (const { entry } of list) {
				await this.conn.run(
					`UPDATE quarantine SET status = 'replayed', resolved_at = make_timestamptz($now::BIGINT * 1000)
					 WHERE source = $s AND origin_id = $o AND line = $l`,
					{ now, s: entry.source, o: entry.origin_id, l: entry.line }
				);
				result.replayed++;
			}
		}
		result.ingest = mergeSummaries(summaries);
		return result;
	}

	private async refail(e: QuarantineEntry, reason: string, field: string | null, message: string): Promise<void> {
		await this.conn.run(`UPDATE quarantine SET reason = $r, field = $f, message = $m WHERE source = $s AND origin_id = $o AND line = $l`, {
			r: reason,
			f: field,
			m: message,
			s: e.source,
			o: e.origin_id,
			l: e.line
		});
	}
}
