// The rollups, the open tickets and the units' handling rounds as kept by a change (sync, ingest) and as a full rebuild from the facts
// makes them, rows sorted: a test expects the two to be equal.
import type { DuckDBConnection } from '@duckdb/node-api';
import { CLUSTER_ORDER, OPEN_TICKETS, ROLLUPS, UNIT_ROUNDS } from '../../pipelines/warehouse/rollups';
import { refreshRollups } from '../../pipelines/warehouse/schema';

export type RollupRows = Record<string, string[]>;

async function rollupRows(conn: DuckDBConnection): Promise<RollupRows> {
	const out: RollupRows = {};
	for (const t of [...ROLLUPS.map((r) => r.table), OPEN_TICKETS.table, UNIT_ROUNDS.table])
		out[t] = (await conn.runAndReadAll(`SELECT * FROM ${t} ORDER BY ALL`)).getRowsJson().map((r) => JSON.stringify(r));
	return out;
}

/** The rows as they stand (`kept`), then rebuilt from the facts (`rebuilt`); the store is left rebuilt. */
export async function keptAndRebuilt(conn: DuckDBConnection): Promise<{ kept: RollupRows; rebuilt: RollupRows }> {
	const kept = await rollupRows(conn);
	await refreshRollups(conn);
	return { kept, rebuilt: await rollupRows(conn) };
}

/** Whether the rows of `table` from `fromDay` on lie in CLUSTER_ORDER (by rowid: the order a scan reads them). */
export async function inClusterOrder(conn: DuckDBConnection, table: string, fromDay = '0001-01-01'): Promise<boolean> {
	const [[bad]] = (
		await conn.runAndReadAll(
			`SELECT count(*)::INTEGER FROM (SELECT row_number() OVER (ORDER BY ${CLUSTER_ORDER}, rowid) AS want, row_number() OVER (ORDER BY rowid) AS got
			 FROM ${table} WHERE day >= DATE '${fromDay}') WHERE want <> got`
		)
	).getRows();
	return bad === 0;
}
