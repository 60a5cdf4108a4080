// Roles decide what a user sees: navigation, pages, and the API behind them.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, loginAs, signInHere, startServer, watchErrors, type TestServer } from './fixture';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
	server = await startServer({ tickets: 3_000, days: 60 });
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	server?.cleanup();
});

describe('access by role', () => {
	it('lands a unit handler on its own work, never on the city overview', async () => {
		const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
		const errors = watchErrors(page);
		await loginAs(page, server.url, 'unit_gusu');
		expect(new URL(page.url()).pathname).toBe('/my-tickets');
		await expect.poll(() => page.locator('main h1').innerText()).toBe('我的工单');
		expect(await page.locator('[data-testid=queue-tabs]').innerText()).toContain('待办');
		const nav = await page.locator('nav[aria-label=主导航] a').allInnerTexts();
		expect(nav.join(' ')).toContain('我的工单');
		expect(nav.join(' ')).not.toContain('态势总览');
		await page.goto(`${server.url}/`);
		expect(new URL(page.url()).pathname).toBe('/my-tickets');
		const r = await page.request.get(`${server.url}/api/v1/overview`);
		expect(r.status()).toBe(403);
		expect(await r.json()).toEqual({ error: { code: 'forbidden', message: '当前账号无权访问此页面' } });
		await page.goto(`${server.url}/map`);
		await expect.poll(() => page.locator('[data-testid=error]').innerText()).toContain('无权访问');
		expect(await page.locator('nav[aria-label=主导航]').count()).toBe(1); // the error stays inside the app shell
		await page.screenshot({ path: join(SHOTS, 'unit-handler.png') });
		expect(errors.filter((e) => !e.includes('403'))).toEqual([]);
		await page.close();
	});

	it('lets an analyst read the overview API, and logging out ends the session', async () => {
		const page = await browser.newPage();
		await loginAs(page, server.url, 'analyst');
		const r = await page.request.get(`${server.url}/api/v1/overview`);
		expect(r.status()).toBe(200);
		const body = await r.json();
		expect(body.totalTickets).toBe(3_000);
		await page.click('form[action="/logout"] button');
		await page.waitForURL((u) => u.pathname === '/login');
		const after = await page.request.get(`${server.url}/api/v1/overview`);
		expect(after.status()).toBe(401);
		await page.close();
	});

	it('answers a form action posted as JSON with 415 and a Chinese reason, logged as a refusal (an internal error before)', async () => {
		const page = await browser.newPage();
		await loginAs(page, server.url, 'admin');
		const r = await page.request.post(`${server.url}/settings/alerts?/watchlist`, {
			headers: { 'content-type': 'application/json', accept: 'application/json', 'x-sveltekit-action': 'true' },
			data: { slug: 'x' }
		});
		expect(r.status()).toBe(415);
		expect(await r.json()).toEqual({
			type: 'error',
			error: { message: '表单须以 application/x-www-form-urlencoded、multipart/form-data 或 text/plain 格式提交，收到的是 application/json', code: 'unsupported_media_type' }
		});
		expect(server.logs()).toContain('[minqing] 请求被拒绝（415 unsupported_media_type）：POST /settings/alerts');
		expect(server.logs()).not.toMatch(/error \w+ POST \/settings\/alerts/);
		await page.close();
	});

	it('keeps what was typed on the login page before its script loaded (slow line, busy server)', async () => {
		const page = await browser.newPage();
		let release = () => {};
		const scripts = new Promise<void>((r) => (release = r));
		await page.route('**/_app/immutable/**', async (route) => {
			await scripts;
			await route.continue();
		});
		// (the page's module scripts hold DOMContentLoaded back, so wait only for the form)
		await page.goto(`${server.url}/login`, { waitUntil: 'commit' });
		await page.waitForSelector('button[type=submit]');
		await page.fill('input[name=username]', 'analyst');
		await page.fill('input[name=password]', 'minqing2026');
		release();
		await page.waitForLoadState('networkidle');
		await page.waitForTimeout(500); // hydration runs right after the scripts arrive
		expect(await page.inputValue('input[name=username]')).toBe('analyst');
		await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 }), page.click('button[type=submit]')]);
		await page.close();
	});
});

describe('a session that ends while a form is filled in', () => {
	it('keeps what was typed and says so; signed in again in another tab, the same form is sent (the login page took its place before)', async () => {
		const ctx = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
		const page = await ctx.newPage();
		const errors = watchErrors(page);
		await loginAs(page, server.url, 'admin');
		await page.goto(`${server.url}/settings/alerts`);
		await page.locator('details.add summary', { hasText: '添加关注词表' }).click();
		const f = page.locator('[data-testid=watchlist-new]');
		await f.locator('input[name=slug]').fill('heat_wave');
		await f.locator('input[name=name]').fill('高温');
		await f.locator('textarea[name=terms]').fill('高温、中暑');
		// the session ends elsewhere (logged out from another tab, or expired) while this page still holds its cookie
		const session = (await ctx.cookies()).find((c) => c.name === 'mq_session');
		const out = await fetch(`${server.url}/logout`, { method: 'POST', headers: { cookie: `mq_session=${session!.value}` }, redirect: 'manual' });
		expect(out.status).toBe(303);
		await f.locator('button', { hasText: '添加关注词表' }).click();
		const notice = page.locator('[data-testid=session-expired]');
		await notice.waitFor();
		expect(await notice.innerText()).toContain('登录已过期，请重新登录后再提交');
		expect(new URL(page.url()).pathname).toBe('/settings/alerts');
		expect(await f.locator('input[name=slug]').inputValue()).toBe('heat_wave');
		expect(await f.locator('input[name=name]').inputValue()).toBe('高温');
		expect(await f.locator('textarea[name=terms]').inputValue()).toBe('高温、中暑');
		await page.screenshot({ path: join(SHOTS, 'session-expired.png') });
		// the notice's link signs in again in a new tab; back here, the same form goes through
		const [tab] = await Promise.all([ctx.waitForEvent('page'), notice.locator('[data-testid=login-again]').click()]);
		await tab.waitForURL((u) => u.pathname === '/login', { waitUntil: 'commit' });
		await signInHere(tab, 'admin');
		await tab.close();
		await f.locator('button', { hasText: '添加关注词表' }).click();
		await page.locator('[data-testid=watchlist-row][data-slug=heat_wave]').waitFor();
		expect(await notice.count()).toBe(0);
		expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
		await ctx.close();
	});
});
