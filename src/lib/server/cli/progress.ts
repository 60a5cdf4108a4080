// What the ingest command's progress bar counts for one file: the bytes of a line format, the rows of a Parquet
// file (its records have no byte offset). Apart from the bar itself, so that it can be tested without a terminal.
import { statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { detectFormat, parquetRowCount, type SourceFormat } from '$pipelines/ingest/sources';

export interface ProgressScale {
	/** bytes: where the last record read starts; rows: records read */
	unit: 'bytes' | 'rows';
	/** the bar's total (at least 1) */
	total: number;
}

/** The scale of a file's bar: rows for Parquet whose row count is known (from its footer), else the file's bytes. */
export function progressScale(format: SourceFormat | null, size: number, rows: number | null): ProgressScale {
	if (format === 'parquet' && rows !== null) return { unit: 'rows', total: Math.max(1, rows) };
	return { unit: 'bytes', total: Math.max(1, size) };
}

/** The scale of a file about to be ingested (`format`: a mapping's `input.format`; by default, by its extension). */
export async function fileProgressScale(conn: DuckDBConnection, path: string, format: SourceFormat | null = detectFormat(path)): Promise<ProgressScale> {
	const rows = format === 'parquet' ? await parquetRowCount(conn, path) : null;
	return progressScale(format, statSync(path).size, rows);
}

/** The bar's value at an ingest progress report (`IngestRun['onProgress']`): records read, or the byte offset reached. */
export function progressValue(scale: ProgressScale, p: { read: number; bytes: number | null }): number {
	return Math.min(scale.total, scale.unit === 'rows' ? p.read : (p.bytes ?? 0));
}

/** The part of a cli-progress bar the re-sync's reporter drives. */
export interface Bar {
	start(total: number, value: number): void;
	setTotal(total: number): void;
	update(value: number): void;
	stop(): void;
}

/**
 * The reporter of `pair`'s re-sync (StartOptions.onSyncProgress): a bar on a terminal, stopped as soon as every ticket
 * is synced — the start goes on to log (已同步 … 条), which would otherwise be written onto the bar's line — and
 * started again should more come; else (`bar` null) a line through `line` at the first report, every 5 s and at the end.
 */
export function syncProgressReporter(bar: Bar | null, line: (m: string) => void, now = () => performance.now()): (done: number, total: number) => void {
	let active = false;
	let reported = false;
	let lastLine = 0;
	return (done, total) => {
		if (!total) return;
		if (bar) {
			if (!active) bar.start(total, done);
			else {
				bar.setTotal(total);
				bar.update(done);
			}
			active = done < total;
			if (!active) bar.stop();
		} else if (!reported || now() - lastLine > 5000 || done === total) {
			lastLine = now();
			line(`重新同步 ${done}/${total} 条工单`);
		}
		reported = true;
	};
}

/**
 * The time left as the bars say it (their {eta_formatted}), in Chinese: `估算中` while there is no rate to estimate
 * from yet (cli-progress's ETA is then the string INF or NULL, which its own format cut to “NFs”), seconds in steps
 * of 5 beyond 10 s.
 */
export function etaText(t: number | string): string {
	if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return '估算中';
	if (t > 3600) return `${Math.floor(t / 3600)} 小时 ${Math.floor((t % 3600) / 60)} 分`;
	if (t > 60) return `${Math.floor(t / 60)} 分 ${Math.floor(t % 60)} 秒`;
	return `${t > 10 ? 5 * Math.round(t / 5) : Math.round(t)} 秒`;
}

/** Options every bar of the command line shares: the time left by etaText. */
export const BAR_OPTIONS = { formatTime: (t: number | string) => etaText(t) } as const;
