// Callers' names in the analytics store. The facts carry no personal data: the caller's own name is masked in a
// ticket's texts as it enters (pipelines/text/redact.ts). The feed archive keeps the name each version gave, so a
// later version that leaves the caller out is masked alike (the ingest reads it from there).
import type { DuckDBConnection } from '@duckdb/node-api';
import { ticketTextsForAnalytics } from '../text/redact';
import { removeTermStats } from './text-index';
import { hasColumn, inTransaction } from './tx';

/**
 * A store made before the archive kept callers' names gets the column, filled once from the versions archived as
 * canonical JSON (NDJSON files, pushes); a version read through a mapping (a CSV line, renamed fields) stays
 * without, as the raw text alone does not say which field names the caller. The facts whose texts still hold the
 * name so found are then masked (see maskFactsByArchive).
 */
export async function archiveCallerNames(conn: DuckDBConnection): Promise<void> {
	if (await hasColumn(conn, 'feed_archive', 'caller_name')) return;
	await inTransaction(conn, async () => {
		await conn.run(`ALTER TABLE feed_archive ADD COLUMN caller_name VARCHAR`);
		await conn.run(`UPDATE feed_archive SET caller_name = nullif(trim(json_extract_string(raw, '$.caller_name')), '')
			WHERE json_valid(raw) AND json_type(raw) = 'OBJECT'`);
		await maskFactsByArchive(conn);
	});
}

/**
 * Masks the caller's name (the one its latest archived version with a name gave) in the texts of each feed ticket
 * that still holds it — facts stored before the ingest masked names, or by a version that left the caller out. The
 * tickets' words leave the text index and their tokens are cleared, so the text enrichment analyses the masked texts
 * again. Inside the caller's transaction; returns how many tickets it masked.
 */
export async function maskFactsByArchive(conn: DuckDBConnection): Promise<number> {
	const rows = (
		await conn.runAndReadAll(`SELECT f.ticket_no, f.title, f.content, f.address, a.name FROM tickets_fact f
			JOIN (SELECT source, external_id, arg_max(caller_name, updated_at) AS name FROM feed_archive WHERE caller_name IS NOT NULL GROUP BY ALL) a
			  USING (source, external_id)
			WHERE contains(coalesce(f.title, ''), a.name) OR contains(coalesce(f.content, ''), a.name) OR contains(coalesce(f.address, ''), a.name)`)
	).getRows();
	const masked: [string, string | null, string | null, string | null][] = [];
	for (const [no, title, content, address, name] of rows) {
		const text = (v: unknown) => (v === null ? null : String(v));
		const m = ticketTextsForAnalytics({ title: text(title), content: text(content), address: text(address) }, String(name));
		if (m) masked.push([String(no), m.title, m.content, m.address]);
	}
	if (!masked.length) return 0;
	await conn.run(`CREATE OR REPLACE TEMP TABLE masked_callers (ticket_no VARCHAR, title VARCHAR, content VARCHAR, address VARCHAR)`);
	const app = await conn.createAppender('masked_callers', 'main', 'temp');
	for (const row of masked) {
		for (const v of row) v === null ? app.appendNull() : app.appendVarchar(v);
		app.endRow();
	}
	app.closeSync();
	await removeTermStats(conn, 'masked_callers');
	await conn.run(`UPDATE tickets_fact f SET title = m.title, content = m.content, address = m.address, tokens = NULL, keywords = NULL
		FROM masked_callers m WHERE f.ticket_no = m.ticket_no`);
	await conn.run(`DROP TABLE masked_callers`);
	return masked.length;
}
