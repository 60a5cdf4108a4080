// Rows of raw SQL (db.execute) in the shape drizzle's own queries give: property names of the schema and each
// column's driver value mapped as drizzle maps it (timestamps to Date, arrays, JSON), on PGlite and PostgreSQL alike.
import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

export function fromDriverRow<T extends Table>(table: T, raw: Record<string, unknown>): InferSelectModel<T> {
	const out: Record<string, unknown> = {};
	for (const [key, col] of Object.entries(getTableColumns(table))) {
		const v = raw[col.name];
		out[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
	}
	return out as InferSelectModel<T>;
}
