// The analytics store (DuckDB): the ticket facts and the rollups dashboards read.
// Derived data: it can always be rebuilt from the relational store plus the raw feed archive.
import {
	BOOLEAN,
	DATE,
	DOUBLE,
	SMALLINT,
	TIMESTAMPTZ,
	TINYINT,
	VARCHAR,
	type DuckDBConnection,
	type DuckDBType
} from '@duckdb/node-api';

export interface FactColumn {
	name: string;
	sql: string;
	type: DuckDBType;
}

const col = (name: string, sql: string, type: DuckDBType): FactColumn => ({ name, sql, type });

/**
 * One row per ticket, as of its latest version. No caller name or phone: analytics never carry personal
 * data; `caller_key` is a keyed hash that lets repeat callers be counted without knowing who they are.
 */
export const FACT_COLUMNS: readonly FactColumn[] = [
	col('ticket_no', 'VARCHAR NOT NULL', VARCHAR),
	col('source', 'VARCHAR NOT NULL', VARCHAR),
	col('external_id', 'VARCHAR NOT NULL', VARCHAR),
	col('channel', 'VARCHAR NOT NULL', VARCHAR),
	col('type', 'VARCHAR NOT NULL', VARCHAR),
	col('category_code', 'VARCHAR', VARCHAR),
	col('category_l1', 'VARCHAR', VARCHAR),
	col('category_l2', 'VARCHAR', VARCHAR),
	col('title', 'VARCHAR', VARCHAR),
	col('content', 'VARCHAR NOT NULL', VARCHAR),
	col('address', 'VARCHAR', VARCHAR),
	col('district_code', 'VARCHAR', VARCHAR),
	col('street_code', 'VARCHAR', VARCHAR),
	col('lon', 'DOUBLE', DOUBLE),
	col('lat', 'DOUBLE', DOUBLE),
	col('urgency', 'VARCHAR NOT NULL', VARCHAR),
	col('status', 'VARCHAR NOT NULL', VARCHAR),
	col('unit_code', 'VARCHAR', VARCHAR),
	col('received_at', 'TIMESTAMPTZ NOT NULL', TIMESTAMPTZ),
	col('day', 'DATE NOT NULL', DATE), // Asia/Shanghai date of received_at
	col('hour', 'TINYINT NOT NULL', TINYINT), // Asia/Shanghai hour of received_at
	col('updated_at', 'TIMESTAMPTZ NOT NULL', TIMESTAMPTZ),
	col('dispatched_at', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('signed_at', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('replied_at', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('closed_at', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('sign_deadline', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('reply_deadline', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('satisfaction', 'VARCHAR', VARCHAR),
	col('not_accepted_reason', 'TINYINT', TINYINT),
	col('transferred_to', 'VARCHAR', VARCHAR),
	col('returns', 'SMALLINT NOT NULL', SMALLINT),
	col('extensions', 'SMALLINT NOT NULL', SMALLINT),
	col('reopens', 'SMALLINT NOT NULL', SMALLINT),
	col('urges', 'SMALLINT NOT NULL', SMALLINT),
	col('sign_on_time', 'BOOLEAN', BOOLEAN),
	col('reply_on_time', 'BOOLEAN', BOOLEAN),
	col('caller_key', 'VARCHAR', VARCHAR)
];

const DDL = [
	`CREATE TABLE IF NOT EXISTS tickets_fact (${FACT_COLUMNS.map((c) => `${c.name} ${c.sql}`).join(', ')})`,
	// counts by day × district × category × type × channel: what dashboards read instead of raw rows
	`CREATE TABLE IF NOT EXISTS rollup_daily (
		day DATE NOT NULL, district_code VARCHAR, category_l1 VARCHAR, category_l2 VARCHAR,
		type VARCHAR NOT NULL, channel VARCHAR NOT NULL, n INTEGER NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS warehouse_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`
];

/** Dashboards and pipelines think in Asia/Shanghai. */
export async function ensureWarehouse(conn: DuckDBConnection): Promise<void> {
	await conn.run(`SET TimeZone = 'Asia/Shanghai'`);
	for (const stmt of DDL) await conn.run(stmt);
}

export async function getMeta(conn: DuckDBConnection, key: string): Promise<string | null> {
	const r = await conn.runAndReadAll('SELECT value FROM warehouse_meta WHERE key = $key', { key });
	const rows = r.getRows();
	return rows.length ? String(rows[0][0]) : null;
}

export async function setMeta(conn: DuckDBConnection, key: string, value: string): Promise<void> {
	await conn.run('INSERT OR REPLACE INTO warehouse_meta VALUES ($key, $value)', { key, value });
}

/**
 * Recomputes the daily rollup for [fromDay, toDay] (inclusive, 'YYYY-MM-DD'), or entirely when no range is
 * given, in one transaction so readers never see a half-built rollup.
 */
export async function refreshRollups(conn: DuckDBConnection, range?: { fromDay: string; toDay: string }): Promise<void> {
	const where = range ? `WHERE day BETWEEN $from::DATE AND $to::DATE` : '';
	const params = range ? { from: range.fromDay, to: range.toDay } : undefined;
	await conn.run('BEGIN TRANSACTION');
	try {
		await conn.run(`DELETE FROM rollup_daily ${where}`, params);
		await conn.run(
			`INSERT INTO rollup_daily
			 SELECT day, district_code, category_l1, category_l2, type, channel, count(*)::INTEGER
			 FROM tickets_fact ${where}
			 GROUP BY ALL`,
			params
		);
		await conn.run('COMMIT');
	} catch (e) {
		await conn.run('ROLLBACK');
		throw e;
	}
}
