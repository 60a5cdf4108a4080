// The text index of the analytics store: everything derived from a ticket's tokens.
//
//   term_df          document frequency of each term over all tickets (IDF for keywords and search ranking)
//   term_daily       documents per (day, term), one row per pair (kept so by addTermStats; no index): rising
//                    and new terms read this, never the raw tokens
//   search_postings  (term, day, ticket_no) for every distinct term of every ticket: the word index that
//                    search reads (DuckDB's fts extension cannot be installed here). Rows are kept in term
//                    order by `compactPostings`, so a lookup of one term touches a few row groups only.
//   warehouse_meta   'docs_with_tokens': the number of tickets that have tokens (N of the IDF)
//
// Two ways in, one set of statements: the ingest merge and the text enrichment of tickets that arrived
// without tokens (demo data, tickets written in the case-handling module) both stage a term-frequency table
// `(ticket_no, day, term, tf)` of new ticket versions and call `addTermStats` in their transaction; replaced
// versions are taken out first with `removeTermStats`. Keywords are TF-IDF against the corpus as it stands
// with the batch (`keywordsQuery`); ties broken by a hash of the term, so a re-run gives the same keywords.
import type { DuckDBConnection } from '@duckdb/node-api';
import { inTransaction, rollbackQuietly } from './tx';

const TERM_DAILY_COLUMNS = 'day DATE NOT NULL, term VARCHAR NOT NULL, docs INTEGER NOT NULL';

export const TEXT_INDEX_DDL = [
	`CREATE TABLE IF NOT EXISTS term_df (term VARCHAR PRIMARY KEY, df INTEGER NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS term_daily (${TERM_DAILY_COLUMNS})`,
	`CREATE TABLE IF NOT EXISTS search_postings (term VARCHAR NOT NULL, day DATE NOT NULL, ticket_no VARCHAR NOT NULL)`
];

/**
 * A store made before term_daily lost its primary key gets the table rebuilt without it, once (DuckDB cannot
 * drop a constraint in place). Rows and their order stay as they were.
 */
export async function upgradeTextIndex(conn: DuckDBConnection): Promise<void> {
	const r = await conn.runAndReadAll(
		`SELECT count(*)::INTEGER FROM duckdb_constraints() WHERE table_name = 'term_daily' AND constraint_type = 'PRIMARY KEY'`
	);
	if (!Number(r.getRows()[0][0])) return;
	await inTransaction(conn, async () => {
		await conn.run(`CREATE TABLE term_daily_v2 (${TERM_DAILY_COLUMNS})`);
		await conn.run(`INSERT INTO term_daily_v2 SELECT day, term, docs FROM term_daily ORDER BY rowid`);
		await conn.run(`DROP TABLE term_daily`);
		await conn.run(`ALTER TABLE term_daily_v2 RENAME TO term_daily`);
	});
}

/** Keywords kept per ticket. */
export const KEYWORDS_PER_TICKET = 8;

/**
 * Adds the statistics of new ticket versions. `tf` names a table or view with columns
 * (ticket_no VARCHAR, day DATE, term VARCHAR, tf INTEGER), one row per distinct term of a ticket;
 * `newDocs` is the number of tickets in it that did not have tokens before.
 */
export async function addTermStats(conn: DuckDBConnection, tf: string, newDocs: number): Promise<void> {
	await conn.run(`INSERT INTO term_df SELECT term, count(*)::INTEGER FROM ${tf} GROUP BY term
		ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df`);
	// term_daily has one row per (day, term) but no index (an ART index over millions of keys made every
	// batch's upsert and every checkpoint slow): the batch's pairs are looked up by one join, which reads only
	// the row groups of the batch's days; the known pairs are updated and the rest appended
	await conn.run(`CREATE OR REPLACE TEMP TABLE tix_daily AS
		SELECT d.day, d.term, d.docs, t.rowid AS have FROM (SELECT day, term, count(*)::INTEGER AS docs FROM ${tf} GROUP BY day, term) d
		LEFT JOIN term_daily t ON t.day = d.day AND t.term = d.term`);
	await conn.run(`UPDATE term_daily SET docs = term_daily.docs + d.docs FROM tix_daily d WHERE d.have IS NOT NULL AND term_daily.rowid = d.have`);
	await conn.run(`INSERT INTO term_daily SELECT day, term, docs FROM tix_daily WHERE have IS NULL`);
	await conn.run(`DROP TABLE tix_daily`);
	await conn.run(`INSERT INTO search_postings SELECT term, day, ticket_no FROM ${tf}`);
	if (newDocs) await addDocs(conn, newDocs);
}

/**
 * Takes out the statistics of the current versions of the tickets listed in `tickets` (a table or view with
 * a ticket_no column), before they are replaced or their text changes. Reads their tokens from tickets_fact.
 */
export async function removeTermStats(conn: DuckDBConnection, tickets: string): Promise<void> {
	await conn.run(`CREATE OR REPLACE TEMP TABLE old_tf AS
		SELECT DISTINCT f.ticket_no, f.day, unnest(f.tokens) AS term FROM tickets_fact f
		WHERE f.tokens IS NOT NULL AND f.ticket_no IN (SELECT ticket_no FROM ${tickets})`);
	await conn.run(`UPDATE term_df SET df = term_df.df - o.n FROM (SELECT term, count(*)::INTEGER AS n FROM old_tf GROUP BY term) o
		WHERE term_df.term = o.term`);
	await conn.run(`DELETE FROM term_df WHERE df <= 0`);
	await conn.run(`UPDATE term_daily SET docs = term_daily.docs - o.n FROM (SELECT day, term, count(*)::INTEGER AS n FROM old_tf GROUP BY day, term) o
		WHERE term_daily.day = o.day AND term_daily.term = o.term`);
	await conn.run(`DELETE FROM term_daily WHERE docs <= 0`);
	await conn.run(`DELETE FROM search_postings WHERE ticket_no IN (SELECT ticket_no FROM ${tickets})`);
	const gone = (await conn.runAndReadAll(`SELECT count(DISTINCT ticket_no)::INTEGER FROM old_tf`)).getRows()[0][0];
	if (Number(gone)) await addDocs(conn, -Number(gone));
}

async function addDocs(conn: DuckDBConnection, n: number): Promise<void> {
	await conn.run(
		`INSERT OR REPLACE INTO warehouse_meta SELECT 'docs_with_tokens',
			(coalesce((SELECT value::BIGINT FROM warehouse_meta WHERE key = 'docs_with_tokens'), 0) + $n)::VARCHAR`,
		{ n }
	);
}

/**
 * A query of (key, keywords VARCHAR[]) over a term-frequency table `tf` with columns (<key>, term, tf):
 * the top terms by tf × ln((N + 1) / (df + 1)), terms of one character left out. Run it after addTermStats,
 * so the batch counts in N and df.
 */
export function keywordsQuery(tf: string, key: string): string {
	return `WITH docs AS (SELECT coalesce((SELECT value::DOUBLE FROM warehouse_meta WHERE key = 'docs_with_tokens'), 0) AS n),
		scored AS (SELECT t.${key}, t.term,
		                  t.tf * ln((docs.n + 1.0) / (coalesce(d.df, 0) + 1.0)) - (hash(t.term) % 1000003) * 1e-9 AS score
		           FROM ${tf} t CROSS JOIN docs LEFT JOIN term_df d ON d.term = t.term WHERE length(t.term) >= 2)
		SELECT ${key}, arg_max(term, score, ${KEYWORDS_PER_TICKET}) AS keywords FROM scored GROUP BY ${key}`;
}

/**
 * The term-frequency rows (ticket_no, day, term, tf) of a query with columns (ticket_no, day, joined), where
 * `joined` holds a ticket's tokens joined by U+0001 (NULL or '' for none). Counted per ticket with
 * list_histogram, which costs less than an unnest and a GROUP BY over all (ticket, term) pairs.
 */
export function termFrequencySql(source: string): string {
	return `SELECT ticket_no, day, unnest(map_keys(h)) AS term, unnest(map_values(h))::INTEGER AS tf
		FROM (SELECT ticket_no, day, list_histogram(string_split(joined, chr(1))) AS h FROM (${source}) WHERE joined <> '')`;
}

/** A token list from joined tokens (U+0001 between tokens, '' for none), as SQL over a column expression. */
export function splitTokensSql(joined: string): string {
	return `CASE WHEN ${joined} IS NULL THEN NULL WHEN ${joined} = '' THEN []::VARCHAR[] ELSE string_split(${joined}, chr(1)) END`;
}

/**
 * Rewrites search_postings in term order (after a bulk load, or when appends since the last compaction
 * have grown large), so that the zone maps of its row groups let a term lookup skip nearly all of them.
 */
export async function compactPostings(conn: DuckDBConnection): Promise<void> {
	await conn.run('BEGIN TRANSACTION');
	try {
		await conn.run(`CREATE OR REPLACE TABLE search_postings_sorted AS SELECT * FROM search_postings ORDER BY term, day DESC, ticket_no`);
		await conn.run(`DROP TABLE search_postings`);
		await conn.run(`ALTER TABLE search_postings_sorted RENAME TO search_postings`);
		const n = (await conn.runAndReadAll(`SELECT count(*) FROM search_postings`)).getRows()[0][0];
		await conn.run(`INSERT OR REPLACE INTO warehouse_meta VALUES ('postings_compacted_rows', $n)`, { n: String(n) });
		await conn.run('COMMIT');
	} catch (e) {
		await rollbackQuietly(conn);
		throw e;
	}
}

/** Whether the postings appended since the last compaction exceed `share` of the table (default 20 %). */
export async function postingsNeedCompaction(conn: DuckDBConnection, share = 0.2): Promise<boolean> {
	const r = (
		await conn.runAndReadAll(`SELECT (SELECT count(*) FROM search_postings),
			coalesce((SELECT value::BIGINT FROM warehouse_meta WHERE key = 'postings_compacted_rows'), 0)`)
	).getRows()[0];
	const total = Number(r[0]);
	const compacted = Number(r[1]);
	return total > 0 && total - compacted > share * Math.max(compacted, 1);
}

/**
 * How far the text index is from a full recount over tickets_fact: rows of term_df, term_daily and
 * search_postings that differ, and the docs_with_tokens counter's error. All zero when it is consistent
 * (tests, and `npm run cli -- text check`).
 */
export async function textIndexDrift(conn: DuckDBConnection): Promise<{ termDf: number; termDaily: number; postings: number; docs: number }> {
	const one = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRows()[0][0]);
	await conn.run(`CREATE OR REPLACE TEMP TABLE drift_tf AS
		SELECT DISTINCT ticket_no, day, unnest(tokens) AS term FROM tickets_fact WHERE tokens IS NOT NULL`);
	const termDf = await one(`SELECT count(*) FROM (
		(SELECT term, count(*)::INTEGER AS df FROM drift_tf GROUP BY term EXCEPT SELECT term, df FROM term_df)
		UNION ALL (SELECT term, df FROM term_df EXCEPT SELECT term, count(*)::INTEGER FROM drift_tf GROUP BY term))`);
	// EXCEPT ALL: a (day, term) pair stored twice counts too (no index keeps the pairs unique)
	const termDaily = await one(`SELECT count(*) FROM (
		(SELECT day, term, count(*)::INTEGER FROM drift_tf GROUP BY day, term EXCEPT ALL SELECT day, term, docs FROM term_daily)
		UNION ALL (SELECT day, term, docs FROM term_daily EXCEPT ALL SELECT day, term, count(*)::INTEGER FROM drift_tf GROUP BY day, term))`);
	const postings = await one(`SELECT count(*) FROM (
		(SELECT term, day, ticket_no FROM drift_tf EXCEPT ALL SELECT term, day, ticket_no FROM search_postings)
		UNION ALL (SELECT term, day, ticket_no FROM search_postings EXCEPT ALL SELECT term, day, ticket_no FROM drift_tf))`);
	const docs = await one(`SELECT (SELECT count(*) FROM tickets_fact WHERE tokens IS NOT NULL)
		- coalesce((SELECT value::BIGINT FROM warehouse_meta WHERE key = 'docs_with_tokens'), 0)`);
	return { termDf, termDaily, postings, docs };
}

/** Compacts the postings when appends have grown large; returns whether it did. */
export async function maintainTextIndex(conn: DuckDBConnection): Promise<boolean> {
	if (!(await postingsNeedCompaction(conn))) return false;
	await compactPostings(conn);
	return true;
}
