// The data directory's owner file: a live Minqing process's claim refuses another process; a dead one's is taken over.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from './config';
import { OWNER_FILE, claimDataDir, dataDirOwner, processStart } from './owner';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
	for (const c of children.splice(0)) c.kill();
	for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
	const d = mkdtempSync(join(tmpdir(), 'minqing-owner-'));
	dirs.push(d);
	return d;
};
/** A live process: node (as a Minqing server would be), or another program. */
const live = (cmd: string, args: string[]) => {
	const c = spawn(cmd, args, { stdio: 'ignore' });
	children.push(c);
	// until the child has become the program (between fork and exec its /proc entry shows this process, and while
	// it execs an empty command line, which reads as no node process: a claim made then took the directory over)
	const until = Date.now() + 5000;
	while (linux && Date.now() < until) {
		try {
			if (readFileSync(`/proc/${c.pid}/cmdline`, 'utf8') === [cmd, ...args].join('\0') + '\0') break;
		} catch {
			/* not there yet */
		}
	}
	return c.pid!;
};
const owned = (dir: string, pid: number, what = '服务器', more: object = {}) =>
	writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ pid, what, startedAt: '2026-01-01T00:00:00Z', ...more }));
const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const linux = process.platform === 'linux';

/** The message claimDataDir refuses with (null when it claims). */
const refusal = (dir: string, what: string, command?: string): string | null => {
	try {
		claimDataDir(dir, what, command);
	} catch (e) {
		return (e as StartupError).userMessage;
	}
	return null;
};

describe('the data directory owner', () => {
	it('is claimed by this process and released (counted: a second claim of the same process is no conflict)', () => {
		const dir = fresh();
		const a = claimDataDir(dir, '服务器');
		expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8'))).toMatchObject({ pid: process.pid, what: '服务器' });
		const b = claimDataDir(dir, '命令行 demo');
		b();
		expect(existsSync(join(dir, OWNER_FILE))).toBe(true);
		a();
		expect(existsSync(join(dir, OWNER_FILE))).toBe(false);
	});

	it('refuses a claim while another live node process holds it, naming it', () => {
		const dir = fresh();
		const pid = live(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		owned(dir, pid);
		expect(dataDirOwner(dir)).toMatchObject({ pid, what: '服务器' });
		let err: unknown;
		try {
			claimDataDir(dir, '命令行 demo', 'demo');
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(StartupError);
		expect((err as StartupError).userMessage).toContain(`正由另一个民情进程使用（服务器，进程 ${pid}`);
		expect((err as StartupError).userMessage).toContain('请先停止服务器再运行此命令');
		expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')).pid).toBe(pid); // left as it was
	});

	it('tells a command line run meanwhile to wait (for the other command to end, or the server to finish starting), not to stop it', () => {
		const dir = fresh();
		const pid = live(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		owned(dir, pid, '命令行 demo');
		expect(refusal(dir, '命令行 user')).toBe(
			`数据目录 ${dir} 正由另一个民情命令使用（命令行 demo，进程 ${pid}，2026-01-01T00:00:00Z 起）：请待它结束后再运行此命令`
		);
		owned(dir, pid, '服务器');
		expect(refusal(dir, '命令行 token')).toBe(
			`数据目录 ${dir} 正由正在启动的民情服务器使用（进程 ${pid}，2026-01-01T00:00:00Z 起）：请待服务器启动完成后重试，命令将经由服务器执行`
		);
		// a second server is told as before
		expect(refusal(dir, '服务器')).toBe(`数据目录 ${dir} 正由另一个民情进程使用（服务器，进程 ${pid}，2026-01-01T00:00:00Z 起），请先停止它或改用其他数据目录`);
	});

	it('tells demo, pair or classify --train run while another command line holds the data directory to wait for it, not to stop a server', () => {
		const dir = fresh();
		const pid = live(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		owned(dir, pid, '命令行 demo');
		expect(refusal(dir, '命令行 demo', 'demo')).toBe(`数据目录 ${dir} 正由另一个民情命令使用（命令行 demo，进程 ${pid}，2026-01-01T00:00:00Z 起），demo 暂不能执行：请待它结束后再运行此命令`);
	});

	it('tells a server starting while a command line holds the data directory to start again once it has ended', () => {
		const dir = fresh();
		const pid = live(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		owned(dir, pid, '命令行 ingest');
		expect(refusal(dir, '服务器')).toBe(`数据目录 ${dir} 正由民情命令行使用（命令行 ingest，进程 ${pid}，2026-01-01T00:00:00Z 起）：请待它结束后再启动服务器`);
	});

	it('takes over the file of a process that is gone, or whose pid another program has now', () => {
		const dir = fresh();
		owned(dir, 2 ** 22 + 12345); // no such process
		expect(dataDirOwner(dir)).toBeNull();
		claimDataDir(dir, '服务器')();
		owned(dir, live('sleep', ['60']));
		expect(dataDirOwner(dir)).toBeNull();
		const release = claimDataDir(dir, '服务器');
		expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')).pid).toBe(process.pid);
		release();
	});

	it('says that it takes over the file a process that is gone left (a server killed with kill -9), naming that process', () => {
		const dir = fresh();
		const said: string[] = [];
		owned(dir, 2 ** 22 + 12345, '服务器');
		claimDataDir(dir, '命令行 user', undefined, (m) => said.push(m))();
		expect(said).toHaveLength(1);
		expect(said[0]).toContain(`接管数据目录 ${dir}`);
		expect(said[0]).toContain(`服务器，进程 ${2 ** 22 + 12345}，2026-01-01T00:00:00Z 起`);
		expect(said[0]).toContain('已不在运行');
		// a directory no one held, and a claim of its own: nothing to say
		claimDataDir(dir, '服务器', undefined, (m) => said.push(m))();
		expect(said).toHaveLength(1);
	});

	it.runIf(linux)('takes over the file of a killed process not yet reaped (a zombie: its pid and start time still in /proc)', () => {
		const dir = fresh();
		const pid = live(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		const start = processStart(pid)!;
		process.kill(pid, 'SIGKILL');
		// this process reaps its children only when its event loop runs: until then the child is a zombie
		const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
		const until = Date.now() + 5000;
		while (state() !== 'Z' && Date.now() < until);
		expect(state()).toBe('Z');
		owned(dir, pid, '服务器', { boot: bootId(), start });
		expect(dataDirOwner(dir)).toBeNull();
	});

	it.runIf(linux)('names its boot and start time, and a live owner that started then still refuses', () => {
		const dir = fresh();
		claimDataDir(dir, '服务器')();
		const release = claimDataDir(dir, '服务器');
		const mine = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8'));
		expect(mine).toMatchObject({ pid: process.pid, boot: bootId(), start: processStart(process.pid) });
		expect(mine.start).toMatch(/^\d+$/);
		release();
		const pid = live(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		owned(dir, pid, '服务器', { boot: bootId(), start: processStart(pid) });
		expect(dataDirOwner(dir)).toMatchObject({ pid });
	});

	it.runIf(linux)('takes over a file whose pid a later node process has (reused after a restart or a reboot)', () => {
		const dir = fresh();
		const pid = live(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		const start = processStart(pid)!;
		// the same pid, but a process that started at another time: the one that wrote the file is gone
		owned(dir, pid, '服务器', { boot: bootId(), start: String(Number(start) - 1) });
		expect(dataDirOwner(dir)).toBeNull();
		// the same pid and start, in another boot
		owned(dir, pid, '服务器', { boot: '00000000-0000-0000-0000-000000000000', start });
		expect(dataDirOwner(dir)).toBeNull();
		const release = claimDataDir(dir, '命令行 demo', 'demo');
		expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')).pid).toBe(process.pid);
		release();
	});

	it('leaves a stale file alone while a live process holds the takeover lock (it is taking over now), naming that process', () => {
		const dir = fresh();
		owned(dir, 2 ** 22 + 12345); // gone
		const pid = live(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
		const lock = join(dir, `${OWNER_FILE}.takeover`);
		writeFileSync(lock, JSON.stringify({ pid, what: '命令行 ingest', startedAt: '2026-01-01T00:00:00Z' }));
		expect(refusal(dir, '服务器')).toContain(`正由民情命令行使用（命令行 ingest，进程 ${pid}`);
		// neither the stale file nor the other's lock is touched: the other process goes on with its takeover
		expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')).pid).toBe(2 ** 22 + 12345);
		expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(pid);
	});

	it('removes a takeover lock that a process left by dying while it held it, and leaves none of its own', () => {
		const dir = fresh();
		owned(dir, 2 ** 22 + 12345);
		writeFileSync(join(dir, `${OWNER_FILE}.takeover`), JSON.stringify({ pid: 2 ** 22 + 12346, what: '服务器', startedAt: '2026-01-01T00:00:00Z' }));
		const release = claimDataDir(dir, '服务器', undefined, () => {});
		expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')).pid).toBe(process.pid);
		expect(readdirSync(dir)).toEqual([OWNER_FILE]);
		release();
		expect(readdirSync(dir)).toEqual([]);
	});

	it('gives a stale file to one of several processes that take it over at once, and refuses the others', async () => {
		const dir = fresh();
		owned(dir, 2 ** 22 + 12345);
		const go = join(dir, 'go');
		// each waits for the same moment, claims, says whether it got the directory, holds it a while and exits
		const script = `import { existsSync } from 'node:fs';
			import { claimDataDir } from './src/lib/server/owner.ts';
			while (!existsSync(${JSON.stringify(go)}));
			let got = true;
			try { claimDataDir(${JSON.stringify(dir)}, '命令行 test', undefined, () => {}); } catch { got = false; }
			console.log(got ? 'claimed' : 'refused');
			setTimeout(() => process.exit(0), 1500);`;
		const runs = Array.from({ length: 6 }, () => {
			const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
			children.push(c);
			let out = '';
			c.stdout!.on('data', (d) => (out += d));
			const ready = new Promise<void>((r) => c.once('spawn', () => r()));
			return { ready, done: new Promise<string>((r) => c.once('exit', () => r(out.trim()))) };
		});
		await Promise.all(runs.map((r) => r.ready));
		await new Promise((r) => setTimeout(r, 3000)); // tsx loaded in each
		writeFileSync(go, '');
		const said = await Promise.all(runs.map((r) => r.done));
		expect(said.filter((s) => s === 'claimed')).toHaveLength(1);
		expect(said.filter((s) => s === 'refused')).toHaveLength(5);
	}, 60_000);
});
