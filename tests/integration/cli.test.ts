// The command line as a user runs it: real processes, real files.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUrl, asAdmin, scratchDatabase, urlFor } from '../support/pg';
import { setApp, startApp, stopApp, type App } from '../../src/lib/server/app';
import { createUser, login, validateSession } from '../../src/lib/server/auth';
import { verifyApiKey } from '../../src/lib/server/auth/tokens';
import { loadConfig } from '../../src/lib/server/config';
import { announceServer, removePresence } from '../../src/lib/server/presence';
import { claimDataDir } from '../../src/lib/server/owner';
import { POST as localApi } from '../../src/routes/api/v1/local/[command]/+server';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'minqing-cli-'));

function cli(args: string[], env: Record<string, string> = {}) {
	const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/lib/server/cli/main.ts', ...args], {
		cwd: ROOT,
		encoding: 'utf8',
		env: { ...process.env, ...env }
	});
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `cli`, without blocking this process (a server in this process can answer it). */
function cliAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((done) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'src/lib/server/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.on('close', (code) => done({ code, stdout, stderr }));
	});
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run cli', () => {
	it('generates a demo deterministically into a data directory and summarises it as JSON', () => {
		const r = cli(['demo', '--tickets', '3000', '--days', '30', '--seed', '7', '--data-dir', dir]);
		expect(r.stderr).not.toMatch(/\n\s+at /);
		expect(r.code).toBe(0);
		const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
		expect(summary).toMatchObject({ tickets: 3000, incidents: 12 });
		expect(summary.relational).toBeGreaterThan(0);
		expect(summary.ticketsPerSecond).toBeGreaterThan(0);
		const truth = JSON.parse(readFileSync(join(dir, 'demo-incidents.json'), 'utf8'));
		expect(truth.incidents).toHaveLength(12);
		expect(existsSync(join(dir, 'minqing.duckdb'))).toBe(true);
	});

	it('refuses to generate over existing data unless --reset is given', () => {
		const again = cli(['demo', '--tickets', '1000', '--days', '30', '--data-dir', dir]);
		expect(again.code).toBe(1);
		expect(again.stderr).toContain('已有 3000 条工单');
		expect(again.stderr).toContain('--reset');
		const reset = cli(['demo', '--tickets', '1000', '--days', '30', '--reset', '--analytics-only', '--data-dir', dir]);
		expect(reset.code).toBe(0);
		expect(JSON.parse(reset.stdout.trim().split('\n').at(-1)!)).toMatchObject({ tickets: 1000, relational: 0 });
	});

	it('demo --reset, pair and classify --train refuse a data directory a server is still starting on (no server.json yet), deleting nothing', async () => {
		// this process claims the data directory as a server does first thing in its start, before it listens
		const starting = mkdtempSync(join(tmpdir(), 'minqing-cli-starting-'));
		writeFileSync(join(starting, 'minqing.duckdb'), 'the server\'s store');
		const release = claimDataDir(starting, '服务器');
		try {
			for (const args of [['demo', '--tickets', '100', '--days', '7', '--reset', '--analytics-only'], ['pair'], ['classify', '--train']]) {
				const r = await cliAsync([...args, '--data-dir', starting]);
				expect(r.code, args.join(' ')).toBe(1);
				expect(r.stderr).toContain(`正由另一个民情进程使用（服务器，进程 ${process.pid}`);
				expect(r.stderr).toContain('请先停止服务器再运行此命令');
			}
			expect(readFileSync(join(starting, 'minqing.duckdb'), 'utf8')).toBe("the server's store");
		} finally {
			release();
			rmSync(starting, { recursive: true, force: true });
		}
	}, 120_000);

	it('creates users, with clear errors for bad input', () => {
		const ok = cli(['user', 'add', '--username', 'ops1', '--name', '值班长', '--role', 'supervisor', '--data-dir', dir], { MINQING_PASSWORD: 'a-long-password' });
		expect(ok.code).toBe(0);
		expect(JSON.parse(ok.stdout)).toMatchObject({ username: 'ops1', role: 'supervisor' });
		const dup = cli(['user', 'add', '--username', 'ops1', '--role', 'supervisor', '--data-dir', dir], { MINQING_PASSWORD: 'a-long-password' });
		expect(dup.code).toBe(1);
		expect(dup.stderr).toContain('已存在');
		const badRole = cli(['user', 'add', '--username', 'x2', '--role', 'king', '--data-dir', dir], { MINQING_PASSWORD: 'a-long-password' });
		expect(badRole.stderr).toContain('未知角色');
		const noPass = cli(['user', 'add', '--username', 'x3', '--role', 'admin', '--data-dir', dir], { MINQING_PASSWORD: '' });
		expect(noPass.stderr).toContain('MINQING_PASSWORD');
	});

	it('lists, disables and enables users and sets a password on the stores, with no server running', () => {
		const run = (args: string[], env: Record<string, string> = {}) => cli([...args, '--data-dir', dir], env);
		// the only active administrator: the demo accounts are disabled outside demo mode
		expect(run(['user', 'add', '--username', 'chief', '--name', '主任', '--role', 'admin'], { MINQING_PASSWORD: 'a-long-password' }).code).toBe(0);
		expect(run(['user', 'add', '--username', 'desk1', '--name', '受理员', '--role', 'operator'], { MINQING_PASSWORD: 'a-long-password' }).code).toBe(0);
		const list = run(['user', 'list']);
		expect(list.code, list.stderr).toBe(0);
		expect(JSON.parse(list.stdout)).toEqual(
			expect.arrayContaining([
				{ username: 'desk1', name: '受理员', role: 'operator', unit: null, unitName: null, active: true, demo: false, mustChangePassword: false, createdAt: expect.any(String) },
				expect.objectContaining({ username: 'chief', role: 'admin', active: true })
			])
		);
		// no hash of a password (the flag mustChangePassword is no secret)
		expect(list.stdout.replaceAll('mustChangePassword', '')).not.toMatch(/argon2|hash|password/i);
		const off = run(['user', 'disable', 'desk1']);
		expect(off.code, off.stderr).toBe(0);
		expect(JSON.parse(off.stdout)).toEqual({ username: 'desk1', active: false, changed: true, sessionsEnded: 0 });
		const last = run(['user', 'disable', 'chief']);
		expect([last.code, last.stderr.split('\n')[0]]).toEqual([1, '[minqing] chief 是最后一个启用的系统管理员，不能停用：请先新建或启用另一个系统管理员']);
		expect(last.stderr).toContain('[minqing] detail:');
		const on = run(['user', 'enable', 'desk1']);
		expect([on.code, JSON.parse(on.stdout)]).toEqual([0, { username: 'desk1', active: true, changed: true, sessionsEnded: 0 }]);
		const pw = run(['user', 'passwd', 'desk1'], { MINQING_PASSWORD: 'another-long-password' });
		expect([pw.code, JSON.parse(pw.stdout)]).toEqual([0, { username: 'desk1', sessionsEnded: 0 }]);
		const noPw = run(['user', 'passwd', 'desk1'], { MINQING_PASSWORD: '' });
		expect([noPw.code, noPw.stderr.split('\n')[0]]).toEqual([1, '[minqing] 请通过环境变量 MINQING_PASSWORD 提供新密码']);
		const nobody = run(['user', 'disable', 'nobody']);
		expect([nobody.code, nobody.stderr.split('\n')[0]]).toEqual([1, '[minqing] 用户 nobody 不存在']);
	}, 300_000); // nine commands, each opening the stores

	it('lists and revokes API tokens on the stores, never showing a token again', () => {
		const run = (args: string[]) => cli([...args, '--data-dir', dir]);
		const made = run(['token', 'create', '--name', '区分中心', '--source', 'district-feed', '--scope', 'ingest,open311']);
		expect(made.code, made.stderr).toBe(0);
		const { id, token } = JSON.parse(made.stdout);
		const list = run(['token', 'list']);
		expect(list.code, list.stderr).toBe(0);
		expect(JSON.parse(list.stdout)).toContainEqual({
			id,
			name: '区分中心',
			source: 'district-feed',
			scopes: ['ingest', 'open311'],
			createdAt: expect.any(String),
			lastUsedAt: null,
			revoked: false,
			revokedAt: null
		});
		expect(list.stdout).not.toContain(token);
		const revoked = run(['token', 'revoke', String(id)]);
		expect(revoked.code, revoked.stderr).toBe(0);
		expect(JSON.parse(revoked.stdout)).toMatchObject({ id, revoked: true, revokedAt: expect.any(String), changed: true });
		const again = run(['token', 'revoke', String(id)]);
		expect([again.code, JSON.parse(again.stdout).changed]).toEqual([0, false]);
		expect(again.stderr).toContain(`令牌 #${id} 早已于`);
		const missing = run(['token', 'revoke', '9999']);
		expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([1, '[minqing] 没有编号为 9999 的 API 令牌（npm run cli -- token list 列出全部）']);
	}, 240_000);

	it('takes over the data directory a server killed with kill -9 left, says so on stderr, and leaves no owner file', () => {
		const gone = spawnSync(process.execPath, ['-e', '']).pid; // a process that has ended
		writeFileSync(join(dir, 'minqing.owner'), JSON.stringify({ pid: gone, what: '服务器', startedAt: '2026-12-01T08:00:00.000Z' }));
		const r = cli(['user', 'list', '--data-dir', dir]);
		expect(r.code, r.stderr).toBe(0);
		expect(Array.isArray(JSON.parse(r.stdout))).toBe(true); // the users, whichever tests made them
		expect(r.stderr).toContain(`[minqing] 接管数据目录 ${dir}：上次使用它的民情进程（服务器，进程 ${gone}，2026-12-01T08:00:00.000Z 起）已不在运行`);
		expect(existsSync(join(dir, 'minqing.owner'))).toBe(false);
	}, 120_000);

	it('names the command in the owner file while it holds the data directory, also with --data-dir before it', async () => {
		const running = cliAsync(['--data-dir', dir, 'token', 'list']);
		let what: string | null = null;
		for (const until = Date.now() + 60_000; what === null && Date.now() < until; ) {
			try {
				what = JSON.parse(readFileSync(join(dir, 'minqing.owner'), 'utf8')).what;
			} catch {
				await new Promise((r) => setTimeout(r, 20));
			}
		}
		const r = await running;
		expect(r.code, r.stderr).toBe(0);
		expect(what).toBe('命令行 token');
	}, 120_000);

	it('ingest exits 2 when a file could not be read at all, and 0 when records were read', () => {
		const empty = join(dir, 'empty.csv');
		const good = join(dir, 'one.ndjson');
		writeFileSync(empty, '');
		writeFileSync(good, JSON.stringify({ external_id: 'cli-1', received_at: '2026-11-20T09:00:00+08:00', channel: 'phone', type: '咨询', content: '询问公积金提取' }) + '\n');
		const bad = cli(['ingest', empty, '--source', 'cli', '--data-dir', dir]);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain(`文件 ${empty} 无法读取（empty_file）`);
		expect(JSON.parse(bad.stdout)).toMatchObject({ read: 1, quarantined: 1, quarantinedByReason: { empty_file: 1 } });
		const ok = cli(['ingest', good, '--source', 'cli', '--data-dir', dir]);
		expect(ok.code).toBe(0);
		expect(JSON.parse(ok.stdout)).toMatchObject({ read: 1, accepted: 1 });
	});

	it('ingest refuses whole an NDJSON file named .txt and a JSON array, saying why, and exits 2', () => {
		const recs = ['txt-1', 'txt-2', 'txt-3'].map((id) => ({ external_id: id, received_at: '2026-11-20T09:00:00+08:00', channel: 'phone', type: '咨询', content: '询问公积金提取' }));
		const txt = join(dir, 'nd.txt');
		const arr = join(dir, 'records.json');
		writeFileSync(txt, recs.map((r) => JSON.stringify(r).replaceAll('":', '": ').replaceAll('",', '", ')).join('\n') + '\n');
		writeFileSync(arr, JSON.stringify(recs, null, 2));
		const r = cli(['ingest', txt, arr, '--source', 'cli-shape', '--data-dir', dir]);
		expect(r.code, r.stderr).toBe(2);
		const { files } = JSON.parse(r.stdout);
		expect(files).toEqual([
			expect.objectContaining({ read: 1, accepted: 0, quarantinedByReason: { csv_no_known_column: 1 } }),
			expect.objectContaining({ read: 1, accepted: 0, quarantinedByReason: { json_array: 1 } })
		]);
		expect(r.stderr).toContain(`文件 ${txt} 无法读取（csv_no_known_column），没有接入任何记录\n[minqing] 原因：文件 ${txt} 的第 1 行应为表头，但它像是数据`);
		expect(r.stderr).toContain(`文件 ${arr} 无法读取（json_array），没有接入任何记录\n[minqing] 原因：文件 ${arr} 的内容是一个 JSON 数组`);
	});

	it('ingest refuses a folder and a source name the server would refuse, in Chinese, before it opens the stores', () => {
		const folder = cli(['ingest', dir, '--source', 'cli', '--data-dir', join(dir, 'nothing-opened')]);
		expect(folder.code).not.toBe(0);
		expect(folder.stderr).toContain('不是普通文件');
		expect(folder.stderr).not.toContain('EISDIR');
		const good = join(dir, 'one.ndjson');
		for (const source of ['', ' 12345/热线 ']) {
			const r = cli(['ingest', good, '--source', source, '--data-dir', join(dir, 'nothing-opened')]);
			expect(r.code).not.toBe(0);
			expect(r.stderr).toContain('不能用作来源名称');
		}
		expect(existsSync(join(dir, 'nothing-opened'))).toBe(false);
	});

	it('lists, shows and replays the quarantine on the stores, with no server running', () => {
		const list = cli(['quarantine', 'list', '--source', 'cli', '--data-dir', dir]);
		expect(list.code, list.stderr).toBe(0);
		const { counts, rows } = JSON.parse(list.stdout);
		expect(rows).toEqual([expect.objectContaining({ source: 'cli', reason: 'empty_file' })]);
		expect(counts).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'cli', reason: 'empty_file' })]));
		// an instant a program reads (RFC 3339: Date.parse refused the +08 it was), the same as the text shown
		expect(rows[0].quarantined_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
		expect(Math.abs(Date.parse(rows[0].quarantined_at) - Date.now())).toBeLessThan(600_000);
		expect(rows[0].quarantined_at.slice(0, 19).replace('T', ' ')).toBe(rows[0].quarantined_text);
		const show = cli(['quarantine', 'show', 'cli', rows[0].origin_id, String(rows[0].line), '--data-dir', dir]);
		expect(JSON.parse(show.stdout)).toMatchObject({ source: 'cli', reason: 'empty_file' });
		const replay = cli(['quarantine', 'replay', '--source', 'cli', '--data-dir', dir]);
		expect(replay.code, replay.stderr).toBe(0);
		expect(JSON.parse(replay.stdout)).toMatchObject({ source: 'cli', tried: 1, replayed: 0, notReplayable: 1, remaining: 1 });
		const noMapping = cli(['quarantine', 'replay', '--mapping', join(dir, 'missing.json'), '--data-dir', dir]);
		expect(noMapping.code).toBe(1);
		expect(noMapping.stderr).toContain('无法读取映射文件');
	});

	it('says in Chinese that the command may not have run when the running server drops its connection', async () => {
		// a "server" that answers the presence check and cuts every command off
		const fake = createServer((req, res) => {
			if (req.url === '/healthz') res.setHeader('content-type', 'application/json').end('{"ok":true}');
			else req.socket.destroy();
		});
		await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
		const held = mkdtempSync(join(tmpdir(), 'minqing-cli-held-'));
		try {
			const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
			writeFileSync(join(held, 'server.json'), JSON.stringify({ pid: process.pid, url, startedAt: '', localSecret: 's'.repeat(43) }));
			const r = await cliAsync(['token', 'create', '--name', '合作方', '--source', 'partner', '--data-dir', held]);
			expect(r.code).toBe(1);
			expect(r.stderr).toContain('无法连接运行中的民情服务器');
			expect(r.stderr).toContain('命令未执行或结果未知');
			expect(r.stderr).not.toMatch(/\n\s+at /);
			expect(existsSync(join(held, 'minqing.duckdb'))).toBe(false); // it did not open the stores itself
		} finally {
			fake.close();
			rmSync(held, { recursive: true, force: true });
		}
	});

	it('refuses DATABASE_URL on a data directory made with the embedded store, before connecting, the password not shown', () => {
		const r = cli(['user', 'add', '--username', 'pgx', '--role', 'admin', '--data-dir', dir], {
			MINQING_PASSWORD: 'a-long-password',
			DATABASE_URL: 'postgres://minqing:s3cret-pass@127.0.0.1:1/minqing'
		});
		expect(r.code).toBe(1);
		expect(r.stderr.split('\n')[0]).toBe(
			`[minqing] 数据目录 ${dir} 的分析库与内置数据库（${join(dir, 'pglite')}）配对，但设置了 DATABASE_URL（postgres://minqing:***@127.0.0.1:1/minqing）：请去掉 DATABASE_URL 后重试。` +
				`如确要让分析库改与现在的业务库配对，先停止服务器，再以同样的设置运行 npm run cli -- pair --data-dir ${dir}（分析库的数据保留，全部工单重新同步）`
		);
		expect(r.stderr).not.toContain('s3cret-pass');
		expect(r.stderr).not.toContain('无法连接');
	});

	it('explains unknown commands and bad numbers', () => {
		expect(cli(['frobnicate']).stderr).toContain('未知命令 frobnicate');
		const bad = cli(['demo', '--tickets', 'lots', '--data-dir', dir]);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toContain('--tickets 必须是');
		expect(cli(['help']).stdout).toContain('用法');
	});

	it('says wrong usage in Chinese with exit code 2, no stack trace, and gives each command its help', () => {
		const missing = cli(['ingest', 'x.ndjson', '--source', '--data-dir', dir]);
		expect(missing.code).toBe(2);
		expect(missing.stderr).toContain('选项 --source 缺少取值，运行 npm run cli -- ingest --help 查看用法');
		expect(missing.stderr).toContain('[minqing] detail:');
		expect(missing.stderr).not.toMatch(/\n\s+at /);
		const unknown = cli(['quarantine', 'list', '--bogus', '--data-dir', dir]);
		expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, '[minqing] 未知选项 --bogus，运行 npm run cli -- quarantine --help 查看用法']);
		// a missing directory was taken as the directory "undefined" under the checkout
		const noDir = cli(['classify', '--data-dir']);
		expect(noDir.code).toBe(2);
		expect(noDir.stderr).toContain('--data-dir 后须跟一个目录');
		const help = cli(['ingest', '--help']);
		expect(help.code).toBe(0);
		expect(help.stdout).toContain('用法: npm run cli -- ingest <文件…>');
		expect(help.stdout).toContain('--data-dir');
		expect(help.stdout).not.toContain('detect-series');
		expect(cli(['help', 'cluster']).stdout).toContain('cluster [--k auto|N]');
		expect(cli(['segment', '--help']).stdout).toContain('--hmm');
		// required options are checked before the stores are opened, or created
		const noName = cli(['token', 'create', '--source', 'x', '--data-dir', join(dir, 'not-created')]);
		expect([noName.code, noName.stderr.split('\n')[0]]).toEqual([2, '[minqing] 必须提供 --name 和 --source：token create --name 名称 --source 来源 [--scope ingest,open311]']);
		expect(cli(['user', 'add', '--username', 'u', '--data-dir', join(dir, 'not-created')]).code).toBe(2);
		expect(existsSync(join(dir, 'not-created'))).toBe(false);
		expect(cli(['frobnicate']).code).toBe(2);
		// detect-series without its file: wrong usage, said as every command says it (it printed an English usage line)
		const noSeries = cli(['detect-series']);
		expect(noSeries.code).toBe(2);
		expect(noSeries.stderr).toContain('detect-series');
		expect(noSeries.stderr).toContain('[minqing] 请指定一个序列文件');
		expect(noSeries.stderr).toContain('[minqing] detail:');
		// an unknown option is said as such, not as a missing file
		const option = cli(['detect-series', 'series.csv', '--foo']);
		expect([option.code, option.stderr.split('\n')[0]]).toEqual([2, '[minqing] 未知选项 --foo，运行 npm run cli -- detect-series --help 查看用法']);
		const show = cli(['quarantine', 'show', 'legacy', 'batch-1', 'x', '--data-dir', dir]);
		expect([show.code, show.stderr.split('\n')[0]]).toEqual([2, '[minqing] 用法: quarantine show <来源> <批次编号> <行号>（行号为整数）']);
	}, 180_000); // some twenty commands, each a process

	it('says wrong usage of the user and token commands with exit code 2 before opening the stores, and gives each its help', () => {
		const nowhere = join(dir, 'not-created-either');
		const usage = (args: string[]) => {
			const r = cli([...args, '--data-dir', nowhere]);
			return [r.code, r.stderr.split('\n')[0]];
		};
		expect(usage(['user', 'passwd', 'a', 'b'])).toEqual([2, '[minqing] 用法: user passwd <用户名>（一个用户名）']);
		expect(usage(['user', 'list', 'extra'])).toEqual([2, '[minqing] 多余的参数 extra，运行 npm run cli -- user --help 查看用法']);
		expect(usage(['user', 'remove', 'a'])).toEqual([2, '[minqing] 用法: user add --username U --name 名称 --role 角色 [--unit 单位代码] | user list | user disable|enable|passwd <用户名>']);
		expect(usage(['token', 'revoke', 'abc'])).toEqual([2, '[minqing] 用法: token revoke <编号>（一个正整数，见 token list）']);
		expect(existsSync(nowhere)).toBe(false);
		const disable = cli(['user', 'disable', '--help']);
		expect(disable.code).toBe(0);
		expect(disable.stdout).toContain('用法: npm run cli -- user disable <用户名>');
		expect(disable.stdout).toContain('最后一个启用的系统管理员');
		expect(disable.stdout).not.toContain('user add');
		const users = cli(['help', 'user']).stdout;
		for (const sub of ['user add', 'user list', 'user disable', 'user enable', 'user passwd']) expect(users).toContain(`npm run cli -- ${sub}`);
		expect(cli(['help', 'token', 'revoke']).stdout).toContain('用法: npm run cli -- token revoke <编号>');
	}, 180_000);
});

describe('npm run cli through a running server', () => {
	// The server is this process: the app on a data directory of its own, its presence file, /healthz and the
	// route the command line posts its commands to (POST /api/v1/local/<command>), over HTTP.
	const held = mkdtempSync(join(tmpdir(), 'minqing-cli-server-'));
	let app: App;
	let server: Server;

	beforeAll(async () => {
		app = await startApp({ ...loadConfig({}), dataDir: held, demo: false }, () => {});
		setApp(Promise.resolve(app));
		server = createServer((req, res) => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', async () => {
				if (url.pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
				const command = /^\/api\/v1\/local\/([^/]+)$/.exec(url.pathname)?.[1];
				if (req.method !== 'POST' || !command) return void res.writeHead(404).end();
				const request = new Request(url, { method: 'POST', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
				const answer = await localApi({ request, params: { command } } as never);
				res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
			});
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
		const env = { PORT: process.env.PORT, HOST: process.env.HOST };
		process.env.PORT = String((server.address() as AddressInfo).port);
		process.env.HOST = '127.0.0.1';
		try {
			expect(announceServer(held, () => {})).not.toBeNull();
		} finally {
			for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
			else process.env[k] = v;
		}
	}, 120_000);

	afterAll(async () => {
		removePresence();
		server?.closeAllConnections();
		server?.close();
		if (app) await stopApp(app);
		rmSync(held, { recursive: true, force: true });
	});

	const run = async (args: string[], env: Record<string, string> = {}) => {
		const r = await cliAsync([...args, '--data-dir', held], env);
		expect(r.stderr).not.toMatch(/lock|锁|Conflicting|\n\s+at /i);
		return r;
	};

	it('disables a user: a session cookie of theirs stops working at once and login refuses them as a wrong password', async () => {
		await createUser(app.rel.db, { username: 'boss', displayName: '主任', role: 'admin', password: 'top-manager-pw' });
		await createUser(app.rel.db, { username: 'clerk', displayName: '话务员甲', role: 'operator', password: 'front-desk-pw' });
		const session = await login(app.rel.db, 'clerk', 'front-desk-pw', 'browser', 7);
		expect((await validateSession(app.rel.db, session.token, 7))?.username).toBe('clerk'); // trusted for a while now
		const list = await run(['user', 'list']);
		expect(list.code, list.stderr).toBe(0);
		expect(JSON.parse(list.stdout).map((u: { username: string; active: boolean }) => [u.username, u.active])).toEqual([
			['boss', true],
			['clerk', true]
		]);
		const off = await run(['user', 'disable', 'clerk']);
		expect(off.code, off.stderr).toBe(0);
		expect(JSON.parse(off.stdout)).toEqual({ username: 'clerk', active: false, changed: true, sessionsEnded: 1 });
		expect(await validateSession(app.rel.db, session.token, 7)).toBeNull();
		const refused = (password: string, client: string) =>
			login(app.rel.db, 'clerk', password, client, 7).then(
				() => 'signed in',
				(e: Error) => e.message
			);
		expect(await refused('front-desk-pw', 'a')).toBe('用户名或密码错误');
		expect(await refused('wrong-password', 'b')).toBe('用户名或密码错误');
		// refused through the server as directly: the message, exit 1
		const last = await run(['user', 'disable', 'boss']);
		expect([last.code, last.stderr.split('\n')[0]]).toEqual([1, '[minqing] boss 是最后一个启用的系统管理员，不能停用：请先新建或启用另一个系统管理员']);
		expect((await run(['user', 'enable', 'nobody'])).stderr).toContain('用户 nobody 不存在');
		const on = await run(['user', 'enable', 'clerk']);
		expect(JSON.parse(on.stdout)).toEqual({ username: 'clerk', active: true, changed: true, sessionsEnded: 0 });
		expect(await refused('front-desk-pw', 'c')).toBe('signed in');
	}, 180_000);

	it('sets a password: the old one and every session end', async () => {
		const session = await login(app.rel.db, 'clerk', 'front-desk-pw', 'browser-2', 7);
		const pw = await run(['user', 'passwd', 'clerk'], { MINQING_PASSWORD: 'new-desk-pw-2' });
		expect(pw.code, pw.stderr).toBe(0);
		expect(JSON.parse(pw.stdout)).toEqual({ username: 'clerk', sessionsEnded: 2 });
		expect(await validateSession(app.rel.db, session.token, 7)).toBeNull();
		await expect(login(app.rel.db, 'clerk', 'front-desk-pw', 'browser-3', 7)).rejects.toThrow('用户名或密码错误');
		expect((await login(app.rel.db, 'clerk', 'new-desk-pw-2', 'browser-4', 7)).user.username).toBe('clerk');
		expect((await run(['user', 'passwd', 'clerk'], { MINQING_PASSWORD: '' })).code).toBe(1);
	}, 120_000);

	it('lists and revokes API tokens: a revoked token is refused from then on', async () => {
		const made = await run(['token', 'create', '--name', '合作方', '--source', 'partner']);
		const { id, token } = JSON.parse(made.stdout);
		expect(await verifyApiKey(app.rel.db, token, 'ingest')).toMatchObject({ id });
		const list = await run(['token', 'list']);
		expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id, name: '合作方', source: 'partner', scopes: ['ingest'], lastUsedAt: expect.any(String), revoked: false })]);
		expect(list.stdout).not.toContain(token);
		const revoked = await run(['token', 'revoke', String(id)]);
		expect(revoked.code, revoked.stderr).toBe(0);
		expect(JSON.parse(revoked.stdout)).toMatchObject({ id, revoked: true, changed: true });
		expect(await verifyApiKey(app.rel.db, token, 'ingest')).toBeNull();
		const missing = await run(['token', 'revoke', '77']);
		expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([1, '[minqing] 没有编号为 77 的 API 令牌（npm run cli -- token list 列出全部）']);
	}, 120_000);
});

describe.skipIf(!adminUrl)('npm run cli on PostgreSQL (DATABASE_URL)', () => {
	it('refuses a data directory made with PostgreSQL when DATABASE_URL is missing, saying which database, and makes no embedded store; pair pairs it anew', async () => {
		const db = await scratchDatabase('minqing_cli_pair');
		const pgDir = join(dir, 'pg-mode');
		try {
			const made = cli(['user', 'add', '--username', 'admin1', '--name', '管理员', '--role', 'admin', '--data-dir', pgDir], { MINQING_PASSWORD: 'a-long-password', DATABASE_URL: db.url });
			expect(made.code, made.stderr).toBe(0);
			const forgotten = cli(['user', 'add', '--username', 'admin2', '--name', '管理员', '--role', 'admin', '--data-dir', pgDir], { MINQING_PASSWORD: 'a-long-password', DATABASE_URL: '' });
			expect(forgotten.code).toBe(1);
			expect(forgotten.stdout).toBe('');
			const [message, detail] = forgotten.stderr.trim().split('\n');
			expect(message).toContain(`与 PostgreSQL 数据库 ${db.url} 配对，但没有设置 DATABASE_URL`);
			expect(detail).toMatch(/^\[minqing\] detail: analytics store .+ is paired with postgres .+ DATABASE_URL is not set$/);
			expect(forgotten.stderr).not.toMatch(/\n\s+at /);
			expect(existsSync(join(pgDir, 'pglite'))).toBe(false);
			// with DATABASE_URL the user is made where the server signs in
			expect(cli(['user', 'add', '--username', 'admin2', '--name', '管理员', '--role', 'admin', '--data-dir', pgDir], { MINQING_PASSWORD: 'a-long-password', DATABASE_URL: db.url }).code).toBe(0);
			// a change of relational store on purpose: pair, then the embedded store is the one
			const paired = cli(['pair', '--data-dir', pgDir], { DATABASE_URL: '' });
			expect(paired.code, paired.stderr).toBe(0);
			expect(JSON.parse(paired.stdout)).toMatchObject({ relational: 'pglite' });
			expect(paired.stderr).toContain('分析库改为与本业务库配对');
			expect(cli(['user', 'add', '--username', 'admin3', '--role', 'admin', '--data-dir', pgDir], { MINQING_PASSWORD: 'a-long-password', DATABASE_URL: db.url }).code).toBe(1);
		} finally {
			await db.drop();
		}
	});

	it('says in Chinese that the account may not create tables, with PostgreSQL\'s reason and SQLSTATE, no stack and no password', async () => {
		const db = await scratchDatabase('minqing_cli_rights');
		const role = `minqing_connect_only_${process.pid}`;
		try {
			// an account that may connect, and nothing else (PUBLIC may not create in the public schema since PostgreSQL 15)
			await asAdmin([`CREATE ROLE ${role} LOGIN PASSWORD 'pw-s3cret-9'`, `REVOKE CREATE ON SCHEMA public FROM PUBLIC`], db.name);
			const r = cli(['user', 'add', '--username', 'admin2', '--name', '管理员', '--role', 'admin', '--data-dir', join(dir, 'pg-rights')], {
				MINQING_PASSWORD: 'a-long-password',
				DATABASE_URL: urlFor(db.name, { user: role, password: 'pw-s3cret-9' })
			});
			expect(r.code).toBe(1);
			const [message, detail] = r.stderr.trim().split('\n');
			expect(message).toContain(`数据库账号 ${role} 没有建表权限`);
			expect(message).toContain(`数据库 ${db.name} 的所有者账号`);
			expect(detail).toMatch(/^\[minqing\] detail: migrate postgres:\/\/.+:\*\*\*@.+: permission denied for database .+ \(SQLSTATE 42501\) in: CREATE SCHEMA/);
			expect(r.stderr).not.toMatch(/\n\s+at /);
			expect(r.stderr).not.toContain('pw-s3cret-9');
		} finally {
			await db.drop(role);
		}
	});
});
