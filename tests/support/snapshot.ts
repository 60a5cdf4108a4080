// A comparable picture of every table the ingest writes (rows sorted, wall-clock columns left out), for
// idempotency and crash tests.
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';

const TABLES: Record<string, string> = {
	tickets_fact: 'SELECT * FROM tickets_fact',
	quarantine: 'SELECT * EXCLUDE (quarantined_at, resolved_at) FROM quarantine',
	feed_archive: 'SELECT * FROM feed_archive',
	term_df: 'SELECT * FROM term_df',
	feed_seq: 'SELECT * FROM feed_seq',
	rollup_daily: 'SELECT * FROM rollup_daily',
	rollup_hourly: 'SELECT * FROM rollup_hourly'
};

export async function snapshot(conn: DuckDBConnection): Promise<Record<string, { rows: number; sha256: string }>> {
	const out: Record<string, { rows: number; sha256: string }> = {};
	for (const [name, sql] of Object.entries(TABLES)) {
		const rows = (await conn.runAndReadAll(sql)).getRowsJson().map((r) => JSON.stringify(r)).sort();
		out[name] = { rows: rows.length, sha256: createHash('sha256').update(rows.join('\n')).digest('hex') };
	}
	return out;
}
