// Transactions on a DuckDB connection.
import type { DuckDBConnection } from '@duckdb/node-api';

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
