// With a server running: the drop folder (inbox/ → processed/ or failed/), the local file-ingest endpoint and
// its local secret, and the CLI writing through the server instead of opening the locked stores.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type TestServer } from './fixture';

let server: TestServer;
let other: TestServer;
const tmp = mkdtempSync(join(tmpdir(), 'minqing-inbox-'));

beforeAll(async () => {
	[server, other] = await Promise.all([startServer({ tickets: 1_000, days: 30 }), startServer({ tickets: 500, days: 30 })]);
});

afterAll(async () => {
	await Promise.all([server?.stop(), other?.stop()]);
	server?.cleanup();
	other?.cleanup();
	rmSync(tmp, { recursive: true, force: true });
});

const yesterday = new Date(Date.now() - 86_400_000).toISOString();
const line = (id: string, content = '小区门口垃圾堆了三天没人清运') =>
	JSON.stringify({ external_id: id, received_at: yesterday, channel: 'web', type: '投诉', content, address: '姑苏区平江街道' });

/**
 * Runs the command line, without blocking this process: a spawnSync held its event loop for seconds, so a keep-alive
 * connection the server closed meanwhile was not seen closed, and the next fetch wrote on it (EPIPE, once under load).
 */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const child = spawn(process.execPath, ['--import', 'tsx', 'src/lib/server/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
	child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
	const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
	const code = await new Promise<number | null>((res) => child.once('close', (c) => res(c)));
	clearTimeout(timer);
	return { code, stdout, stderr };
}

const presence = (dir: string) => JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as { pid: number; url: string; startedAt: string; localSecret: string };

async function waitFor<T>(what: string, fn: () => T | null | undefined, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = fn();
		if (v) return v;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** The first file named `name` under processed/<date>/. */
function findProcessed(dir: string, name: string): string | null {
	const root = join(dir, 'inbox', 'processed');
	for (const day of existsSync(root) ? readdirSync(root) : []) {
		const p = join(root, day, name);
		if (existsSync(p) && existsSync(`${p}.summary.json`)) return p;
	}
	return null;
}

async function upload(base: string, secret: string, query: string, body: string) {
	const r = await fetch(`${base}/api/v1/ingest/file?${query}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/octet-stream' },
		body
	});
	return { status: r.status, body: await r.json() };
}

describe('server presence', () => {
	it('writes server.json (mode 0600) with its pid, URL and a secret of its own', () => {
		const p = presence(server.dataDir);
		expect(p.url).toBe(server.url);
		expect(p.localSecret.length).toBeGreaterThanOrEqual(32);
		expect(() => process.kill(p.pid, 0)).not.toThrow();
		expect(statSync(join(server.dataDir, 'server.json')).mode & 0o777).toBe(0o600);
		expect(presence(other.dataDir).localSecret).not.toBe(p.localSecret);
	});
});

describe('the drop folder', () => {
	it('ingests a file put into inbox/<source>/ and moves it to processed/ with a summary', async () => {
		const dir = join(server.dataDir, 'inbox', 'partner');
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, '.hidden.ndjson'), line('P-HIDDEN') + '\n');
		// written under a partial name, then renamed into place, as a careful sender does
		writeFileSync(join(dir, 'feed.ndjson.part'), [line('P-1'), line('P-2', '路灯坏了一个星期'), line('P-3', '菜场门口占道经营'), '{"bad json'].join('\n') + '\n');
		await new Promise((r) => setTimeout(r, 1500));
		expect(existsSync(join(dir, 'feed.ndjson.part'))).toBe(true); // a partial file is left alone
		renameSync(join(dir, 'feed.ndjson.part'), join(dir, 'feed.ndjson'));
		// the first file the server ingests starts its segmentation workers, which run at nice 10: with both cores busy
		// at the default priority this took over 30 s (the CLI's two-line ingest below, 63 s, in the same run)
		const moved = await waitFor('feed.ndjson in processed/', () => findProcessed(server.dataDir, 'feed.ndjson'), 120_000);
		const summary = JSON.parse(readFileSync(`${moved}.summary.json`, 'utf8'));
		expect(summary).toMatchObject({ file: 'partner/feed.ndjson', source: 'partner', read: 4, accepted: 3, quarantined: 1, quarantinedByReason: { bad_json: 1 } });
		expect(existsSync(join(dir, 'feed.ndjson'))).toBe(false);
		expect(existsSync(join(dir, '.hidden.ndjson'))).toBe(true); // dotfiles are not taken
	});

	it('moves a file that cannot be read at all to failed/ with the reason', async () => {
		// blank lines only (a 0-byte file is taken only after 30 s: a copy may create it before writing)
		writeFileSync(join(server.dataDir, 'inbox', 'empty.ndjson'), '\n\n');
		const err = await waitFor('failed/empty.ndjson.error.json', () => {
			const p = join(server.dataDir, 'inbox', 'failed', 'empty.ndjson.error.json');
			return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null;
		}, 120_000); // (after the ingest above, as slow, if it is still running: the drop folder takes one file at a time)
		expect(err).toMatchObject({ file: 'empty.ndjson', source: 'inbox', error: { code: 'empty_file', message: expect.stringContaining('没有任何记录') } });
		expect(existsSync(join(server.dataDir, 'inbox', 'failed', 'empty.ndjson'))).toBe(true);
	});
});

describe('the CLI while the server runs', () => {
	it('ingests through the API (no store lock) and prints the same summary as the direct mode', async () => {
		const file = join(tmp, 'cli.ndjson');
		writeFileSync(file, [line('C-1'), line('C-2', '噪音扰民，夜里施工')].join('\n') + '\n');
		const r = await cli(['ingest', file, '--source', 'cli-feed', '--data-dir', server.dataDir]);
		expect(r.stderr).not.toMatch(/lock|锁|Conflicting/i);
		expect(r.code, r.stderr).toBe(0);
		expect(r.stderr).toContain('经由其 API 接入');
		const s = JSON.parse(r.stdout);
		expect(s).toMatchObject({ source: 'cli-feed', origin: file, read: 2, accepted: 2, quarantined: 0, bytes: statSync(file).size });
		expect(s.peakRssMB).toBeGreaterThan(0);
		// in small pieces (as a file over the request-body limit travels): the same records are duplicates now
		const again = await cli(['ingest', file, '--source', 'cli-feed', '--data-dir', server.dataDir], { MINQING_UPLOAD_CHUNK_BYTES: '50' });
		expect(again.code, again.stderr).toBe(0);
		expect(JSON.parse(again.stdout)).toMatchObject({ read: 2, accepted: 0, duplicates: 2 });
	});

	it('sends the mapping along: a GBK export with Chinese headers lands as in the direct mode', async () => {
		const r = await cli(['ingest', 'tests/fixtures/legacy-export-gbk.csv', '--source', 'legacy', '--mapping', 'data/mappings/legacy-export-zh.json', '--data-dir', server.dataDir]);
		expect(r.code, r.stderr).toBe(0);
		expect(JSON.parse(r.stdout)).toMatchObject({ source: 'legacy', read: 30, accepted: 22 });
		// its refused rows name the file as it was sent, not the server's temporary copy (gone after the ingest)
		const { rows } = JSON.parse((await cli(['quarantine', 'list', '--source', 'legacy', '--data-dir', server.dataDir])).stdout) as { rows: { origin: string }[] };
		expect(rows.length).toBe(8);
		for (const q of rows) expect(q.origin).toBe('upload:legacy-export-gbk.csv');
	});

	it('has the server run user, token and quarantine for it, with the answers of the direct mode', async () => {
		const run = async (args: string[], env: Record<string, string> = {}) => {
			const r = await cli([...args, '--data-dir', server.dataDir], env);
			expect(r.stderr).not.toMatch(/lock|锁|Conflicting|\n\s+at /i);
			return r;
		};
		const added = await run(['user', 'add', '--username', 'cli_clerk', '--name', '命令行话务员', '--role', 'operator'], { MINQING_PASSWORD: 'desk-ledger-42' });
		expect(added.code, added.stderr).toBe(0);
		expect(JSON.parse(added.stdout)).toMatchObject({ id: expect.any(Number), username: 'cli_clerk', role: 'operator' });
		const login = await fetch(`${server.url}/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
			body: new URLSearchParams({ username: 'cli_clerk', password: 'desk-ledger-42' }),
			redirect: 'manual'
		});
		expect(login.headers.get('set-cookie') ?? '').toContain('mq_session');
		// refused input: the Chinese message, exit 1
		const again = await run(['user', 'add', '--username', 'cli_clerk', '--role', 'operator'], { MINQING_PASSWORD: 'desk-ledger-42' });
		expect(again.code).toBe(1);
		expect(again.stderr).toContain('用户名 cli_clerk 已存在');
		expect((await run(['user', 'add', '--username', 'x_y', '--role', 'chief'], { MINQING_PASSWORD: 'desk-ledger-42' })).stderr).toContain('未知角色 chief');

		const token = await run(['token', 'create', '--name', '合作方', '--source', 'partner2']);
		expect(token.code, token.stderr).toBe(0);
		const t = JSON.parse(token.stdout);
		expect(t).toMatchObject({ source: 'partner2', scopes: ['ingest'] });
		expect(await upload(server.url, t.token, 'filename=t.ndjson', line('T-1'))).toMatchObject({ status: 200, body: { source: 'partner2', accepted: 1 } });

		// the drop folder's bad line (above) is in the quarantine
		const list = await run(['quarantine', 'list', '--source', 'partner']);
		expect(list.code, list.stderr).toBe(0);
		const { rows } = JSON.parse(list.stdout);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ source: 'partner', reason: 'bad_json' });
		// it names the file where the drop folder moved it, not where it was dropped
		expect(rows[0].origin).toMatch(/inbox\/processed\/\d{4}-\d{2}-\d{2}\/feed\.ndjson$/);
		const show = await run(['quarantine', 'show', 'partner', rows[0].origin_id, String(rows[0].line)]);
		expect(JSON.parse(show.stdout).raw).toBe('{"bad json');
		expect((await run(['quarantine', 'show', 'partner', rows[0].origin_id, '999'])).stderr).toContain('隔离区中没有这条记录');
		const replay = await run(['quarantine', 'replay', '--source', 'partner', '--mapping', 'data/mappings/legacy-export-zh.json']);
		expect(replay.code, replay.stderr).toBe(0);
		expect(JSON.parse(replay.stdout)).toMatchObject({ source: 'partner', tried: 1, replayed: 0, notReplayable: 1, remaining: 1 });
		expect((await fetch(`${server.url}/healthz`)).ok).toBe(true);
	});

	it('refuses demo and classify --train with a clear message, leaving the data alone', async () => {
		for (const args of [['demo', '--tickets', '100', '--reset'], ['classify', '--train']]) {
			const r = await cli([...args, '--data-dir', server.dataDir]);
			expect(r.code).toBe(1);
			expect(r.stderr).toContain('正由运行中的民情服务器使用');
			expect(r.stderr).toContain('请先停止服务器');
			expect(r.stderr).not.toMatch(/\n\s+at /);
		}
		expect(existsSync(join(server.dataDir, 'minqing.duckdb'))).toBe(true);
		expect((await fetch(`${server.url}/healthz`)).ok).toBe(true);
	});
});

describe('POST /api/v1/local/<command>', () => {
	it('answers only its own local secret', async () => {
		const post = (base: string, secret: string, command = 'quarantine-list') =>
			fetch(`${base}/api/v1/local/${command}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{}' });
		expect((await post(server.url, 'x'.repeat(40))).status).toBe(401);
		expect((await post(other.url, presence(server.dataDir).localSecret)).status).toBe(401);
		expect((await post(server.url, presence(server.dataDir).localSecret, 'drop-tables')).status).toBe(404);
		expect((await post(server.url, presence(server.dataDir).localSecret)).status).toBe(200);
	});
});

describe('POST /api/v1/ingest/file', () => {
	it('refuses a wrong secret, and the secret of another server, with 401', async () => {
		const own = presence(server.dataDir).localSecret;
		const wrong = await upload(server.url, own.slice(0, -2) + 'xx', 'source=s&filename=a.ndjson', line('S-1'));
		expect(wrong).toEqual({ status: 401, body: { error: { code: 'unauthenticated', message: expect.any(String) } } });
		expect((await upload(other.url, own, 'source=s&filename=a.ndjson', line('S-1'))).status).toBe(401);
		const ok = await upload(other.url, presence(other.dataDir).localSecret, 'source=s&filename=a.ndjson', line('S-1'));
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ source: 's', read: 1, accepted: 1 });
	});

	it('keeps an upload named ../../etc/passwd inside its uploads folder', async () => {
		const secret = presence(server.dataDir).localSecret;
		const r = await upload(server.url, secret, `source=s&filename=${encodeURIComponent('../../etc/passwd')}`, 'root:x:0:0:root:/root:/bin/bash\n');
		expect(r.status).toBe(200);
		expect(r.body.origin).toBe('upload:passwd');
		expect(r.body.quarantinedByReason).toEqual({ unknown_format: 1 }); // no extension: not read as a feed
		const back = await upload(server.url, secret, `source=s&filename=${encodeURIComponent('..\\..\\evil.ndjson')}`, line('S-2'));
		expect(back.body).toMatchObject({ origin: 'upload:evil.ndjson', accepted: 1 });
		expect(readdirSync(join(server.dataDir, 'inbox', '.uploads'))).toEqual([]); // removed after the ingest
		for (const p of [join(server.dataDir, 'etc'), join(server.dataDir, 'inbox', 'etc'), join(server.dataDir, 'evil.ndjson'), join(server.dataDir, 'inbox', 'evil.ndjson')]) {
			expect(existsSync(p)).toBe(false);
		}
	});
});

describe('after the server stops', () => {
	it('server.json is gone, a stale one is ignored, and the CLI works on the stores directly', async () => {
		const pid = presence(server.dataDir).pid;
		await server.stop();
		expect(existsSync(join(server.dataDir, 'server.json'))).toBe(false);
		writeFileSync(join(server.dataDir, 'server.json'), JSON.stringify({ pid, url: server.url, startedAt: '', localSecret: 'stale' }));
		const file = join(tmp, 'cli.ndjson');
		const r = await cli(['ingest', file, '--source', 'cli-feed', '--data-dir', server.dataDir]);
		expect(r.code, r.stderr).toBe(0);
		expect(r.stderr).not.toContain('经由其 API');
		expect(JSON.parse(r.stdout)).toMatchObject({ read: 2, duplicates: 2 });
	});

	it('after a restart: a new secret, and an API token with the ingest scope works too (its source wins)', async () => {
		const old = JSON.parse(readFileSync(join(server.dataDir, 'server.json'), 'utf8')).localSecret;
		const t = await cli(['token', 'create', '--name', '区分中心', '--source', 'district-feed', '--data-dir', server.dataDir]);
		expect(t.code, t.stderr).toBe(0);
		const token = JSON.parse(t.stdout).token as string;
		server = await startServer({ dataDir: server.dataDir });
		expect(presence(server.dataDir).localSecret).not.toBe(old);
		const r = await upload(server.url, token, 'source=not-mine&filename=t.ndjson', line('T-1'));
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ source: 'district-feed', accepted: 1 });
	});
});
