// A feed push while the disk is full: a clear error, and nothing of the push written.
// Needs root (a small tmpfs is mounted as the data directory); skipped, and said so, otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type TestServer } from './fixture';

const mountPoint = mkdtempSync(join(tmpdir(), 'minqing-full-'));
let mounted = false;
try {
	execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mountPoint], { stdio: 'ignore' });
	mounted = true;
} catch {
	console.warn('diskfull.e2e: cannot mount a tmpfs here (not root?): skipping the disk-full test');
}

let server: TestServer | null = null;
afterAll(async () => {
	await server?.stop();
	if (mounted) spawnSync('umount', ['-l', mountPoint]);
	rmSync(mountPoint, { recursive: true, force: true });
});

const line = (id: string) =>
	JSON.stringify({ external_id: id, received_at: '2026-11-20T09:00:00+08:00', channel: 'web', type: '投诉', content: `第${id}号：小区门口垃圾堆了三天没人清运，臭味很大，`.repeat(8) });

describe.skipIf(!mounted)('push while the disk is full', () => {
	it('answers 507 with a Chinese message and leaves no part of the push behind', async () => {
		const dataDir = join(mountPoint, 'db');
		const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/lib/server/cli/main.ts', ...args, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8' });
		const tok = cli(['token', 'create', '--name', 'full', '--source', 'full-feed']);
		expect(tok.status, tok.stderr).toBe(0);
		const token = JSON.parse(tok.stdout).token as string;
		server = await startServer({ dataDir, env: { MINQING_DEMO: '0', MINQING_INBOX: '0' } });
		const push = (body: string) =>
			fetch(`${server!.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body });
		const warm = await push(line('W-1'));
		expect(warm.status).toBe(200);
		// fill the disk up to the last few kilobytes: the server's background work (the text round after the push, the
		// start's records) may write meanwhile, and a filler that then finds the disk full has filled it as well
		const free = statfsSync(mountPoint).bavail * statfsSync(mountPoint).bsize;
		try {
			writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(Math.max(0, free - 8 * 1024)));
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
		}
		const body = Array.from({ length: 3000 }, (_, i) => line(`F-${i}`)).join('\n');
		const r = await push(body);
		expect(r.status).toBe(507);
		expect(await r.json()).toEqual({ error: { code: 'storage_full', message: expect.stringContaining('存储空间不足') } });
		// the log says which push failed and why, in the store's own words
		expect(server.logs()).toMatch(/推送 sha256:[0-9a-f]+（来源 full-feed）因存储空间不足未能完成：.*(No space left|ENOSPC|could not write|disk)/is);
		await server.stop();
		server = null;
		rmSync(join(mountPoint, 'filler'));
		const db = await DuckDBInstance.create(join(dataDir, 'minqing.duckdb'), { access_mode: 'READ_ONLY' });
		const conn = await db.connect();
		const n = Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE source = 'full-feed'`)).getRows()[0][0]);
		const a = Number((await conn.runAndReadAll(`SELECT count(*) FROM feed_archive WHERE source = 'full-feed'`)).getRows()[0][0]);
		conn.closeSync();
		db.closeSync();
		expect({ n, a }).toEqual({ n: 1, a: 1 }); // only the push before the disk filled up
	});
});
