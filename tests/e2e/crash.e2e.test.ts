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

function runAndKill(dataDir: string, file: string, afterMs: number): Promise<'killed' | 'finished'> {
	return new Promise((res) => {
		const child = spawn(process.execPath, args(dataDir, file), { cwd: ROOT, stdio: 'ignore' });
		const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
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
		const points = [0.15, 0.3, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95];
		let kills = 0;
		for (const p of points) if ((await runAndKill(crashed, feed, Math.round(ms * p))) === 'killed') kills++;
		expect(kills).toBeGreaterThanOrEqual(5);
		runToEnd(crashed, feed);
		expect(await tablesOf(crashed)).toEqual(expected);
	}, 600_000);
});
