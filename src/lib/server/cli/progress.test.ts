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
import { etaText, fileProgressScale, progressScale, progressValue, syncProgressReporter } from './progress';

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

describe("pair's re-sync reporter", () => {
	const fakeBar = () => {
		const calls: string[] = [];
		return {
			calls,
			bar: {
				start: (t: number, v: number) => calls.push(`start ${v}/${t}`),
				setTotal: (t: number) => calls.push(`total ${t}`),
				update: (v: number) => calls.push(`update ${v}`),
				stop: () => calls.push('stop')
			}
		};
	};

	it('stops the bar once every ticket is synced, before the start logs its summary onto the terminal', () => {
		const { calls, bar } = fakeBar();
		const report = syncProgressReporter(bar, () => {});
		report(0, 5779);
		report(2000, 5779);
		report(5779, 5779);
		expect(calls).toEqual(['start 0/5779', 'total 5779', 'update 2000', 'total 5779', 'update 5779', 'stop']);
		// more tickets after all: a bar again
		report(5780, 5790);
		expect(calls.slice(6)).toEqual(['start 5780/5790']);
	});

	it('without a terminal writes a line at the first report, every 5 s and at the end', () => {
		const lines: string[] = [];
		let t = 0;
		const report = syncProgressReporter(null, (m) => lines.push(m), () => t);
		report(0, 0);
		report(0, 100);
		t = 1000;
		report(10, 100);
		t = 7000;
		report(50, 100);
		report(100, 100);
		expect(lines).toEqual(['重新同步 0/100 条工单', '重新同步 50/100 条工单', '重新同步 100/100 条工单']);
	});
});

describe('the time left on the bars', () => {
	it('is said in Chinese, and while it cannot be estimated yet (no progress: cli-progress passes INF or NULL) says so, not “NFs”', () => {
		expect(etaText('INF')).toBe('估算中');
		expect(etaText('NULL')).toBe('估算中');
		expect(etaText(0)).toBe('0 秒');
		expect(etaText(7)).toBe('7 秒');
		expect(etaText(42)).toBe('40 秒'); // in steps of 5 s beyond 10 s, as cli-progress rounds
		expect(etaText(125)).toBe('2 分 5 秒');
		expect(etaText(3725)).toBe('1 小时 2 分');
	});
});
