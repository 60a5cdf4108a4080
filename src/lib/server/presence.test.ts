import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRunningServer } from './presence';

let server: Server | null = null;
let dir = '';
afterEach(() => {
	server?.close();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A data directory whose server.json names this process, served by a /healthz answering `status` and `body`. */
async function announcedBy(status: number, body: unknown): Promise<string> {
	server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
	await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
	dir = mkdtempSync(join(tmpdir(), 'minqing-presence-'));
	const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
	writeFileSync(join(dir, 'server.json'), JSON.stringify({ pid: process.pid, url, startedAt: '', localSecret: 's'.repeat(43) }));
	return dir;
}

describe('findRunningServer', () => {
	it('finds a server whose relational store is down (503 with ok false): it still holds the data directory', async () => {
		const d = await announcedBy(503, { ok: false, relational: 'postgres', demo: false, rounds: { text: 0, detection: 0 }, down: ['relational'] });
		expect(await findRunningServer(d, { attempts: 1 })).toMatchObject({ pid: process.pid });
	});

	it('does not take another program answering on that address for the server', async () => {
		const d = await announcedBy(503, { error: 'maintenance' });
		expect(await findRunningServer(d, { attempts: 1 })).toBeNull();
	});
});
