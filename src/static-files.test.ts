// The guard before adapter-node's static files: a file listed at the start and gone since (the app rebuilt in place)
// is a 503 in Chinese, said once in the log; files still there, other paths and other methods go on to the app.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingStaticGuard } from './static-files.js';

const dir = mkdtempSync(join(tmpdir(), 'minqing-static-'));
const said: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
	mkdirSync(join(dir, '_app', 'immutable', 'chunks'), { recursive: true });
	for (const f of ['_app/immutable/chunks/a.js', '_app/immutable/chunks/a.js.br', '_app/immutable/chunks/b.js', '_app/immutable/chunks/b.js.gz', '_app/immutable/chunks/c.js', 'favicon.png', '字体.woff2'])
		writeFileSync(join(dir, f), 'x');
	const guard = missingStaticGuard(dir, (m) => said.push(m));
	server = createServer((req, res) => {
		if (guard(req, res)) return;
		res.end('app');
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
	server?.close();
	rmSync(dir, { recursive: true, force: true });
});

describe('missingStaticGuard', () => {
	it('lets every request through while the files are there', async () => {
		for (const p of ['/_app/immutable/chunks/a.js', '/favicon.png', '/%E5%AD%97%E4%BD%93.woff2', '/tickets/SZ1', '/nothing.js']) {
			const r = await fetch(base + p);
			expect([p, r.status, await r.text()]).toEqual([p, 200, 'app']);
		}
		expect(said).toEqual([]);
	});

	it('answers a file gone since the start (or its precompressed copy) with a 503, and says so once', async () => {
		rmSync(join(dir, '_app', 'immutable', 'chunks', 'a.js'));
		rmSync(join(dir, '_app', 'immutable', 'chunks', 'a.js.br'));
		rmSync(join(dir, '_app', 'immutable', 'chunks', 'b.js.gz')); // b.js itself is still there
		rmSync(join(dir, '字体.woff2'));
		for (const p of ['/_app/immutable/chunks/a.js', '/_app/immutable/chunks/a.js?v=1', '/_app/immutable/chunks/b.js', '/%E5%AD%97%E4%BD%93.woff2']) {
			const r = await fetch(base + p);
			expect([p, r.status, r.headers.get('cache-control')]).toEqual([p, 503, 'no-store']);
			expect(await r.text()).toBe('服务程序已更新，请稍后刷新页面（服务器需要重启）');
		}
		expect(said).toHaveLength(1);
		expect(said[0]).toContain('构建产物已被替换');
		expect(said[0]).toContain('请重启服务器');
		// the rest goes on: files still there, the app's own paths, other methods
		for (const p of ['/_app/immutable/chunks/c.js', '/favicon.png', '/tickets/SZ1']) expect((await fetch(base + p)).status).toBe(200);
		expect((await fetch(base + '/_app/immutable/chunks/a.js', { method: 'POST', body: 'x' })).status).toBe(200);
	});
});
