// Each browser test gets its own server: a fresh data directory, a free port, its own demo data.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../support/net';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export { freePort };

export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs the launcher to completion (for start-up failures). */
export function runLauncher(env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
	return new Promise((res) => {
		const child = spawn(process.execPath, [join(ROOT, 'src', 'start.cjs')], { env: { ...process.env, ...env }, cwd: ROOT });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('exit', (code) => {
			clearTimeout(timer);
			res({ code, stdout, stderr });
		});
	});
}

export interface TestServer {
	url: string;
	port: number;
	/** the server process */
	pid: number;
	dataDir: string;
	logs: () => string;
	stop: () => Promise<void>;
	cleanup: () => void;
}

export async function startServer(
	opts: { tickets?: number; days?: number; env?: Record<string, string>; dataDir?: string; port?: () => Promise<number> } = {}
): Promise<TestServer> {
	// the port is free when picked, but the server listens only once its stores and demo data are ready (a minute for
	// 20,000 tickets on a busy machine): meanwhile another process may take it, another test run's server say. Then
	// this one exits (port in use) and is started again on another port, and only its own start line counts as up:
	// /healthz on that port may be the other server's, which the tests would then have used.
	for (let attempt = 1; ; attempt++) {
		const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'minqing-e2e-'));
		const port = await (opts.port ?? freePort)();
		const started = await startServerOn(port, dataDir, opts);
		if (started !== 'port taken') return started;
		if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
		if (attempt === 3) throw new Error(`server did not start: port taken three times (the last ${port})`);
	}
}

async function startServerOn(
	port: number,
	dataDir: string,
	opts: { tickets?: number; days?: number; env?: Record<string, string> }
): Promise<TestServer | 'port taken'> {
	let logs = '';
	const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'src', 'start.cjs')], {
		cwd: ROOT,
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			MINQING_DATA_DIR: dataDir,
			MINQING_DEMO: '1',
			MINQING_DEMO_TICKETS: String(opts.tickets ?? 20_000),
			MINQING_DEMO_DAYS: String(opts.days ?? 365),
			...opts.env
		}
	});
	child.stdout!.on('data', (d) => (logs += d));
	child.stderr!.on('data', (d) => (logs += d));
	const exited = new Promise<void>((res) => child.once('exit', () => res()));
	// all its output read (its exit may come before the last of it)
	const closed = new Promise<void>((res) => child.once('close', () => res()));
	const url = `http://127.0.0.1:${port}`;
	// the launcher's line once it listens (src/launch.js)
	const listening = `[minqing] 已启动：${url}`;
	const deadline = Date.now() + 240_000;
	for (;;) {
		if (child.exitCode !== null) {
			await closed;
			if (logs.includes(`端口 ${port} 已被占用`)) return 'port taken';
			throw new Error(`server exited (${child.exitCode}):\n${logs}`);
		}
		if (logs.includes(listening)) {
			try {
				const r = await fetch(`${url}/healthz`);
				if (r.ok) break;
			} catch {
				/* not up yet */
			}
		}
		if (Date.now() > deadline) throw new Error(`server did not start:\n${logs}`);
		await new Promise((r) => setTimeout(r, 300));
	}
	return {
		url,
		port,
		pid: child.pid!,
		dataDir,
		logs: () => logs,
		stop: async () => {
			if (child.exitCode === null) {
				child.kill('SIGTERM');
				await exited;
			}
		},
		cleanup: () => rmSync(dataDir, { recursive: true, force: true })
	};
}

export async function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync'
		]
	});
}

/** Collects console errors and failed requests of a page. */
export function watchErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	page.on('pageerror', (e) => errors.push(e.message));
	return errors;
}

export async function loginAs(page: Page, base: string, username: string, password = 'minqing2026'): Promise<void> {
	await page.goto(`${base}/login`);
	await signInHere(page, username, password);
}

/**
 * Signs in on the login page the page already shows (a tab a link opened on it, say: a second `goto` on such a
 * tab races the tab's own first navigation, and once on CI its load never came within 30 s).
 */
export async function signInHere(page: Page, username: string, password = 'minqing2026'): Promise<void> {
	await page.fill('input[name=username]', username);
	await page.fill('input[name=password]', password);
	// done when the browser is sent on (the page it lands on is waited for by the test's next step): on a test
	// machine busy with other servers and browsers, that page's full load has taken more than 30 s
	await Promise.all([
		page.waitForURL((u) => !u.pathname.startsWith('/login'), { waitUntil: 'commit', timeout: 90_000 }),
		page.click('button[type=submit]')
	]);
	waitForHydration(page);
}

export const SHOTS = join(ROOT, 'test-results');

/**
 * One signed-in page per user, each in its own browser context (its own cookies), made on first use; console
 * errors are collected per user. `close` closes the contexts.
 */
export function userPages(browser: () => Browser, url: () => string, viewport = { width: 1440, height: 1000 }) {
	const contexts: BrowserContext[] = [];
	const pages: Record<string, Page> = {};
	const errors: Record<string, string[]> = {};
	return {
		errors,
		async as(user: string): Promise<Page> {
			if (pages[user]) return pages[user];
			const ctx = await browser().newContext({ viewport });
			contexts.push(ctx);
			const page = await ctx.newPage();
			errors[user] = watchErrors(page);
			await loginAs(page, url(), user);
			pages[user] = page;
			return page;
		},
		async close(): Promise<void> {
			for (const c of contexts) await c.close();
		}
	};
}

/**
 * Makes `page.goto` of an app page return once the page is hydrated: before that, a click on a form's button
 * sends it natively (a refused form then answers 400, which the console reports), and a test on a busy machine
 * acts faster than the scripts arrive. Files and JSON are returned as they load, and `waitUntil: 'commit'` as
 * soon as the answer starts. Every signed-in page (`loginAs`) has it.
 */
const hydrating = new WeakSet<Page>();
export function waitForHydration(page: Page): void {
	if (hydrating.has(page)) return;
	hydrating.add(page);
	const goto = page.goto.bind(page);
	page.goto = async (url, options) => {
		const response = await goto(url, options);
		if (options?.waitUntil !== 'commit' && response?.headers()['content-type']?.startsWith('text/html')) await page.waitForSelector('html[data-hydrated]', { state: 'attached', timeout: 60_000 });
		return response;
	};
}

/**
 * One server and one browser for a test file: started before its tests, stopped after them, with the signed-in
 * page of each user (`userPages`). `server` and `browser` are there once the tests run.
 */
export function browserSuite(opts: Parameters<typeof startServer>[0] = {}) {
	let server: TestServer | undefined;
	let browser: Browser | undefined;
	const started = <T>(v: T | undefined): T => {
		if (v === undefined) throw new Error('browserSuite: the server and the browser start in beforeAll');
		return v;
	};
	const users = userPages(
		() => started(browser),
		() => started(server).url
	);
	beforeAll(async () => {
		server = await startServer(opts);
		browser = await launchBrowser();
	}, 300_000);
	afterAll(async () => {
		await users.close();
		await browser?.close();
		await server?.stop();
		server?.cleanup();
	});
	return {
		...users,
		get server(): TestServer {
			return started(server);
		},
		get browser(): Browser {
			return started(browser);
		}
	};
}

/** Full-page screenshots named `<prefix>-<name>.png` in test-results/ (`viewport`: what the window shows; a long list). */
export const shooter = (prefix: string) => (page: Page, name: string, o: { viewport?: boolean } = {}) =>
	page.screenshot({ path: join(SHOTS, `${prefix}-${name}.png`), fullPage: !o.viewport });
