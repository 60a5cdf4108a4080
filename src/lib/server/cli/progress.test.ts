// The ingest command's progress bar: what it counts for each format, from the progress reports a real ingest gives.
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '$pipelines/ingest/files';
import type { Ingestor } from '$pipelines/ingest/pipeline';
import { loadReference } from '$pipelines/reference/index';
import { inProcessAnalyzer, type ClosableAnalyzer } from '$pipelines/text/analyzer';
import { PARQUET_ROWS } from '../../../../tests/fixtures/make-ingest-fixtures';
import { memoryIngestor } from '../../../../tests/support/ingest';
import { fileProgressScale, progressScale, progressValue } from './progress';

const FIX = resolve(import.meta.dirname, '../../../../tests/fixtures');
const NOW = Date.parse('2026-04-01T12:00:00+08:00');
let conn: DuckDBConnection;
let analyzer: ClosableAnalyzer;
let ingestor: Ingestor;
let close: () => void;

beforeAll(async () => {
	analyzer = inProcessAnalyzer();
	({ conn, ingestor, close } = await memoryIngestor(loadReference(), analyzer));
});

afterAll(async () => {
	await analyzer.close();
	close();
});

/** The bar's values at each progress report of an ingest of the file in batches of 2, and its scale. */
async function barValues(path: string, source: string) {
	const scale = await fileProgressScale(conn, path);
	const values: number[] = [];
	await ingestFile(ingestor, conn, path, { source, now: NOW, batchSize: 2, onProgress: (p) => values.push(progressValue(scale, p)) });
	return { scale, values };
}

describe('the ingest progress bar', () => {
	it('counts the rows of a Parquet file, whose records have no byte offset: it moves with each batch', async () => {
		const { scale, values } = await barValues(join(FIX, 'feed-sample.parquet'), 'pq');
		expect(scale).toEqual({ unit: 'rows', total: PARQUET_ROWS });
		// in bytes it stayed at 0 until the end (and the ETA was NaN)
		expect(new Set(values).size).toBeGreaterThan(3);
		expect(values[0]).toBeGreaterThan(0);
		for (let k = 1; k < values.length; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
		expect(values.at(-1)).toBe(PARQUET_ROWS);
	});

	it('counts the bytes of a line format, up to where the last record read starts', async () => {
		const path = join(FIX, 'feed-sample.ndjson');
		const { scale, values } = await barValues(path, 'nd');
		expect(scale.unit).toBe('bytes');
		expect(values.some((v) => v > 0)).toBe(true);
		for (let k = 1; k < values.length; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
		expect(Math.max(...values)).toBeLessThan(scale.total);
	});

	it('falls back to bytes when the row count of a Parquet file cannot be read; never passes its total', () => {
		expect(progressScale('parquet', 500, null)).toEqual({ unit: 'bytes', total: 500 });
		expect(progressScale('parquet', 500, 0)).toEqual({ unit: 'rows', total: 1 });
		expect(progressValue({ unit: 'rows', total: 10 }, { read: 11, bytes: null })).toBe(10);
		expect(progressValue({ unit: 'bytes', total: 10 }, { read: 3, bytes: null })).toBe(0);
	});
});
