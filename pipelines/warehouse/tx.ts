// Transactions on a DuckDB connection, and what a store made by an older version has.
import type { DuckDBConnection } from '@duckdb/node-api';

/** Whether the store has a (lasting, not temporary) table of that name. */
export async function hasTable(conn: DuckDBConnection, table: string): Promise<boolean> {
	const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER FROM duckdb_tables() WHERE table_name = $t AND NOT temporary`, { t: table });
	return Number(r.getRows()[0][0]) > 0;
}

/** Whether a table of the main schema has a column (a store made by an older version may lack it). */
export async function hasColumn(conn: DuckDBConnection, table: string, column: string): Promise<boolean> {
	const r = await conn.runAndReadAll(`SELECT count(*)::INTEGER FROM duckdb_columns() WHERE table_name = $t AND column_name = $c`, { t: table, c: column });
	return Number(r.getRows()[0][0]) > 0;
}

/**
 * Runs `fn` in one transaction. On failure the transaction is rolled back and the original error thrown —
 * also when the failure was the COMMIT itself (a full disk), after which DuckDB has already ended it.
 */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
	await conn.run('BEGIN TRANSACTION');
	try {
		const out = await fn();
		await conn.run('COMMIT');
		return out;
	} catch (e) {
		await rollbackQuietly(conn);
		throw e;
	}
}

/** ROLLBACK that does not mask the error being handled when no transaction is active any more. */
export async function rollbackQuietly(conn: DuckDBConnection): Promise<void> {
	try {
		await conn.run('ROLLBACK');
	} catch (e) {
		if (!/no transaction is active/i.test((e as Error).message)) throw e;
	}
}

/**
 * Runs a writer's transaction so that no other writer's transaction overlaps it. The analytics store has
 * writers on more than one connection in the server (the ingest queue, the sync). DuckDB fails the second of
 * two transactions that update one row or delete one row, but not a delete against an update: one transaction
 * deletes a row (a batch rebuilding its days' rollups, a rewrite in order), another updates it (a sync merging
 * its difference), both commit, and the update is lost (DuckDB 1.5.6, checked with two connections). So every
 * writer but one runs its transactions through the gate the other writer keeps closed while it writes.
 */
export type WriteGate = <T>(fn: () => Promise<T>) => Promise<T>;

/** The gate of a process with one writer (the CLI): open. */
export const openGate: WriteGate = (fn) => fn();
