// Rows into a DuckDB table through JSON text: this thread only serialises them, and DuckDB parses and inserts them
// on its own threads while the event loop goes on. An appender converts and flushes its rows on the calling thread:
// under npm run bench -- intake a CPU profile of the server found the sync's flushes (200 rows each) in most of the
// event loop's longest busy stretches, which registrations arriving meanwhile waited for (npm run bench -- sync
// prints the longest stall a sync causes).
import type { DuckDBConnection } from '@duckdb/node-api';
import { mapInSlices } from '../event-loop';

/** A column of the target table: its name and its SQL type (a trailing NOT NULL, PRIMARY KEY and so on are ignored). */
export interface JsonColumn {
	name: string;
	sql: string;
}

/** Rows per statement (bounds the JSON text of one). */
const JSON_ROWS_PER_STATEMENT = 10_000;

const baseType = (sql: string) => sql.replace(/\s+(NOT\s+NULL|PRIMARY\s+KEY|DEFAULT\b|UNIQUE|CHECK\b).*$/i, '').trim();

/**
 * How a column travels: the JSON type DuckDB reads it as, and the expression that makes the column's value of it.
 * Instants travel as epoch milliseconds, dates as 'YYYY-MM-DD', 64-bit integers as decimal strings (JSON numbers
 * are doubles); everything else as its own type.
 */
function travel(c: JsonColumn): { json: string; expr: string } {
	const declared = baseType(c.sql);
	const type = declared.toUpperCase();
	const field = `r."${c.name.replaceAll('"', '""')}"`;
	switch (type) {
		case 'TIMESTAMPTZ':
			return { json: 'DOUBLE', expr: `make_timestamptz(round(${field})::BIGINT * 1000)` };
		case 'DATE':
			return { json: 'VARCHAR', expr: `${field}::DATE` };
		case 'BIGINT':
		case 'UBIGINT':
		case 'HUGEINT':
		case 'UHUGEINT':
			return { json: 'VARCHAR', expr: `${field}::${type}` };
		default:
			// as declared: a STRUCT's field names keep their case
			return { json: declared, expr: field };
	}
}

/** The INSERT that reads rows of `columns` from the JSON array in its parameter $rows (exported for the tests). */
export function jsonInsertSql(table: string, columns: readonly JsonColumn[]): string {
	const cols = columns.map(travel);
	const schema = JSON.stringify([Object.fromEntries(columns.map((c, i) => [c.name, cols[i].json]))]).replaceAll("'", "''");
	return `INSERT INTO ${table} (${columns.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(', ')})
		SELECT ${cols.map((c) => c.expr).join(', ')} FROM (SELECT unnest(json_transform_strict($rows::JSON, '${schema}')) AS r)`;
}

/** Rows serialised between two turns of the event loop. */
const STRINGIFY_SLICE = 500;

/**
 * Inserts `rows` into `table`, in statements of `perStatement` rows. Each row is an object with a key for every
 * column (other keys are ignored), its value as `travel` says. A missing key or a value of another type fails the
 * statement instead of storing NULL; so does a string that is not well-formed Unicode (a lone surrogate, which no
 * string read from PostgreSQL or DuckDB holds).
 */
export async function insertJsonRows(
	conn: DuckDBConnection,
	table: string,
	columns: readonly JsonColumn[],
	rows: readonly object[],
	perStatement = JSON_ROWS_PER_STATEMENT
): Promise<void> {
	const sql = jsonInsertSql(table, columns);
	for (let i = 0; i < rows.length; i += perStatement) {
		const parts = await mapInSlices(rows.slice(i, i + perStatement), STRINGIFY_SLICE, (slice) => [JSON.stringify(slice).slice(1, -1)]);
		await conn.run(sql, { rows: `[${parts.join(',')}]` });
	}
}
