// A file ingest killed (SIGKILL) at many points and run again leaves exactly the tables a clean run leaves.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshot } from '../support/snapshot';
import { writeFeed } from '../support/feed';
import { ROOT } from './fixture';

const tmp = mkdtempSync(join(tmpdir(), 'minqing-crash-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const args = (dataDir: string, file: string) => ['--import', 'tsx', 'src/lib/server/cli/main.ts', 'ingest', file, '--source', 'legacy', '--batch', '1500', '--data-dir', dataDir];

function runToEnd(dataDir: string, file: string): { ms: number; summary: Record<string, unknown> } {
	const t0 = Date.now();
	const r = spawnSync(process.execPath, args(dataDir, file), { cwd: ROOT, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`ingest failed: ${r.stderr}`);
	return { ms: Date.now() - t0, summary: JSON.parse(r.stdout) };
}

/**
 * Runs the ingest and kills it `delayMs` after its `batch`-th progress line (the CLI prints one per batch
 * when its stderr is not a terminal): kills land between, inside and after merges, whatever the machine's
 * speed. `batch` 0 kills during start-up.
 */
function runAndKill(dataDir: string, file: string, batch: number, delayMs: number): Promise<'killed' | 'finished'> {
	return new Promise((res) => {
		const child = spawn(process.execPath, args(dataDir, file), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
		let seen = 0;
		let timer: ReturnType<typeof setTimeout> | null = batch === 0 ? setTimeout(() => child.kill('SIGKILL'), delayMs) : null;
		child.stderr!.setEncoding('utf8');
		child.stderr!.on('data', (d: string) => {
			seen += (d.match(/条（/g) ?? []).length;
			if (!timer && seen >= batch) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
		});
		child.on('exit', (code, signal) => {
			if (timer) clearTimeout(timer);
			res(signal === 'SIGKILL' ? 'killed' : code === 0 ? 'finished' : 'killed');
		});
	});
}

async function tablesOf(dataDir: string) {
	const db = await DuckDBInstance.create(join(dataDir, 'minqing.duckdb'), { access_mode: 'READ_ONLY' });
	const conn = await db.connect();
	try {
		return await snapshot(conn);
	} finally {
		conn.closeSync();
		db.closeSync();
	}
}

describe('crash safety of file ingest', () => {
	it('gives identical tables after kills at many points and a final re-run', async () => {
		const feed = join(tmp, 'feed.ndjson');
		const { lines, bad } = await writeFeed(feed, { records: 15_000, badEvery: 400 });
		const clean = join(tmp, 'clean');
		const { ms, summary } = runToEnd(clean, feed);
		expect(summary).toMatchObject({ read: lines, quarantined: bad });
		const expected = await tablesOf(clean);
		expect(expected.tickets_fact.rows).toBe(lines - bad);

		const crashed = join(tmp, 'crashed');
		// [after how many batches, then how long]: during start-up, right after a commit, mid-merge, late
		const points: [number, number][] = [[0, Math.round(ms * 0.3)], [1, 0], [2, 40], [3, 150], [5, 10], [6, 300], [8, 80], [9, 20]];
		let kills = 0;
		for (const [batch, delay] of points) if ((await runAndKill(crashed, feed, batch, delay)) === 'killed') kills++;
		expect(kills).toBeGreaterThanOrEqual(6);
		runToEnd(crashed, feed);
		expect(await tablesOf(crashed)).toEqual(expected);
	}, 600_000);
});
