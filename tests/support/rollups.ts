// The rollups and the open tickets as kept by a change (sync, ingest) and as a full rebuild from the facts
// makes them, rows sorted: a test expects the two to be equal.
import type { DuckDBConnection } from '@duckdb/node-api';
import { OPEN_TICKETS, ROLLUPS } from '../../pipelines/warehouse/rollups';
import { refreshRollups } from '../../pipelines/warehouse/schema';

export type RollupRows = Record<string, string[]>;

async function rollupRows(conn: DuckDBConnection): Promise<RollupRows> {
	const out: RollupRows = {};
	for (const t of [...ROLLUPS.map((r) => r.table), OPEN_TICKETS.table])
		out[t] = (await conn.runAndReadAll(`SELECT * FROM ${t} ORDER BY ALL`)).getRowsJson().map((r) => JSON.stringify(r));
	return out;
}

/** The rows as they stand (`kept`), then rebuilt from the facts (`rebuilt`); the store is left rebuilt. */
export async function keptAndRebuilt(conn: DuckDBConnection): Promise<{ kept: RollupRows; rebuilt: RollupRows }> {
	const kept = await rollupRows(conn);
	await refreshRollups(conn);
	return { kept, rebuilt: await rollupRows(conn) };
}
