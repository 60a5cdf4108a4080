// Log in as a leader in a real browser, read the overview, and check every number against DuckDB itself.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, loginAs, startServer, watchErrors, type TestServer } from './fixture';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	server = await startServer({ tickets: 20_000 });
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	server?.cleanup();
});

const digits = (s: string) => Number(s.replace(/[^\d]/g, ''));

describe('overview (态势总览)', () => {
	it('sends a visitor without a session to the login page, and the API answers 401 in JSON', async () => {
		const r = await fetch(`${server.url}/`, { redirect: 'manual' });
		expect(r.status).toBe(303);
		expect(r.headers.get('location')).toBe('/login');
		const api = await fetch(`${server.url}/api/v1/overview`);
		expect(api.status).toBe(401);
		expect(await api.json()).toEqual({ error: { code: 'unauthenticated', message: '未登录或登录已过期' } });
	});

	it('shows a wrong password in Chinese and keeps the username', async () => {
		const page = await browser.newPage();
		await page.goto(`${server.url}/login`);
		await page.fill('input[name=username]', 'leader');
		await page.fill('input[name=password]', 'not-the-password');
		await page.click('button[type=submit]');
		await expect.poll(() => page.locator('[data-testid=login-error]').innerText()).toContain('用户名或密码错误');
		expect(await page.inputValue('input[name=username]')).toBe('leader');
		await page.close();
	});

	it('shows a leader numbers that equal direct DuckDB counts', async () => {
		const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, server.url, 'leader');
		await page.waitForSelector('[data-testid=trend] canvas');
		const now = Date.parse((await page.getAttribute('[data-testid=as-of]', 'data-now'))!);
		const stats = await Promise.all([0, 1, 2].map(async (i) => digits(await page.locator(`[data-testid=stat-${i}]`).innerText())));
		const total = digits(await page.locator('[data-testid=stat-total]').innerText());
		const rows = async (id: string) =>
			page.locator(`[data-testid=${id}]`).evaluateAll((els) => els.map((e) => ({ code: e.getAttribute('data-code')!, count: Number(e.getAttribute('data-count')) })));
		const categories = await rows('top-category-row');
		const districts = await rows('top-district-row');
		await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
		expect(errors).toEqual([]);

		// the server owns the DuckDB file: stop it, then count with plain SQL over the raw ticket rows
		await server.stop();
		const db = await DuckDBInstance.create(join(server.dataDir, 'minqing.duckdb'), { access_mode: 'READ_ONLY' });
		const conn = await db.connect();
		const count = async (where: string) =>
			Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE ${where}`)).getRows()[0][0]);
		const DAY = 86_400_000;
		const midnight = (ms: number) => Math.floor((ms + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000;
		for (const [i, days] of [1, 7, 30].entries()) {
			const from = midnight(now) - (days - 1) * DAY;
			expect(stats[i]).toBe(await count(`epoch_ms(received_at) BETWEEN ${from} AND ${now}`));
		}
		expect(total).toBe(await count('true'));
		const from30 = midnight(now) - 29 * DAY;
		for (const c of categories) expect(c.count).toBe(await count(`category_l1 = '${c.code}' AND epoch_ms(received_at) >= ${from30}`));
		for (const d of districts) expect(d.count).toBe(await count(`district_code = '${d.code}' AND epoch_ms(received_at) >= ${from30}`));
		expect(categories).toHaveLength(10);
		expect(districts).toHaveLength(10);
		conn.closeSync();
		db.closeSync();
	});
});
