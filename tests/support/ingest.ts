// An ingestor on an in-memory analytics store: how the ingest tests set one up.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Ingestor } from '../../pipelines/ingest/pipeline';
import { Geocoder } from '../../pipelines/normalize/index';
import type { Reference } from '../../pipelines/reference/index';
import type { TextAnalyzer } from '../../pipelines/text/enrich';
import { ensureWarehouse } from '../../pipelines/warehouse/schema';

/** A new in-memory store with the warehouse's tables, and an ingestor over it (the reference's geocoder, `analyzer`). */
export async function memoryIngestor(ref: Reference, analyzer: TextAnalyzer | null): Promise<{ inst: DuckDBInstance; conn: DuckDBConnection; ingestor: Ingestor; close(): void }> {
	const inst = await DuckDBInstance.create(':memory:');
	const conn = await inst.connect();
	await ensureWarehouse(conn);
	const ingestor = new Ingestor({ conn, ref, geocoder: new Geocoder(ref), analyzer });
	return {
		inst,
		conn,
		ingestor,
		close: () => {
			conn.closeSync();
			inst.closeSync();
		}
	};
}
