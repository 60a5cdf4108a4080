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

	it('keeps filters in the URL across a reload, drills to the tickets, and names an unknown filter value', async () => {
		const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, server.url, 'leader');
		await page.waitForSelector('[data-testid=trend] canvas');
		// choosing a district submits the filter bar: the URL carries it, and a reload keeps it
		await Promise.all([page.waitForURL((u) => u.searchParams.get('district') === '320583'), page.selectOption('[data-testid=filter-district]', '320583')]);
		await page.reload();
		expect(await page.inputValue('[data-testid=filter-district]')).toBe('320583');
		await page.waitForSelector('[data-testid=place-row]');
		const streets = await page.locator('[data-testid=place-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')!));
		expect(streets.length).toBeGreaterThan(0);
		for (const s of streets) expect(s.startsWith('320583')).toBe(true);
		// a category row drills to exactly the tickets behind its count
		const row = page.locator('[data-testid=category-row]').first();
		const count = Number(await row.getAttribute('data-count'));
		const code = await row.getAttribute('data-code');
		await Promise.all([page.waitForURL((u) => u.pathname === '/search'), row.locator('a', { hasText: '工单' }).click()]);
		const url = new URL(page.url());
		expect(url.searchParams.get('district')).toBe('320583');
		expect(url.searchParams.get('category')).toBe(code);
		expect(digits(await page.locator('[data-testid=search-total]').innerText())).toBe(count);
		// a street row drills to exactly its own tickets (the search's street filter)
		await page.goBack();
		const street = page.locator('[data-testid=place-row]').first();
		const streetCount = Number(await street.getAttribute('data-count'));
		const streetCode = await street.getAttribute('data-code');
		await Promise.all([page.waitForURL((u) => u.pathname === '/search'), street.locator('a', { hasText: '工单' }).click()]);
		expect(new URL(page.url()).searchParams.get('street')).toBe(streetCode);
		expect(digits(await page.locator('[data-testid=search-total]').innerText())).toBe(streetCount);
		// a custom period stays when another filter changes, and goes when a preset period is chosen
		await page.goto(`${server.url}/?from=2026-01-01&to=2026-01-20`);
		await Promise.all([page.waitForURL((u) => u.searchParams.get('channel') === 'phone'), page.selectOption('[data-testid=filter-channel]', 'phone')]);
		expect([new URL(page.url()).searchParams.get('from'), new URL(page.url()).searchParams.get('to')]).toEqual(['2026-01-01', '2026-01-20']);
		await Promise.all([page.waitForURL((u) => u.searchParams.get('period') === '7d'), page.selectOption('[data-testid=filter-period]', '7d')]);
		expect(new URL(page.url()).searchParams.has('from')).toBe(false);
		expect(new URL(page.url()).searchParams.get('channel')).toBe('phone');
		// a code no district has: said in Chinese, the rest of the page still works
		await page.goto(`${server.url}/?district=999999&period=7d`);
		expect(await page.locator('[data-testid=filter-problems]').innerText()).toContain('未知的区县代码「999999」');
		await page.waitForSelector('[data-testid=trend] canvas');
		const api = await page.request.get(`${server.url}/api/v1/overview?category=XX`);
		expect(api.status()).toBe(400);
		expect((await api.json()).error).toEqual({ code: 'bad_filter', message: expect.stringContaining('未知的分类代码「XX」') });
		expect(errors).toEqual([]);
		await page.close();
	});

	it('shows the wall display without scrollbars at 1920×1080 and 3840×2160', async () => {
		for (const [width, height] of [
			[1920, 1080],
			[3840, 2160]
		]) {
			const page = await browser.newPage({ viewport: { width, height } });
			const errors = watchErrors(page);
			await loginAs(page, server.url, 'leader');
			await page.goto(`${server.url}/wall?period=7d`);
			await page.waitForSelector('[data-testid=wall] canvas');
			await page.waitForSelector('[data-testid=wall] svg path');
			const size = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
			expect(size.w).toBeLessThanOrEqual(width);
			expect(size.h).toBeLessThanOrEqual(height);
			// nothing spills out of its box
			const overflow = await page.evaluate(() =>
				[...document.querySelectorAll('[data-testid=wall] .box, [data-testid=wall] .fig')].filter((e) => e.scrollHeight > e.clientHeight + 2).length
			);
			expect(overflow).toBe(0);
			await page.screenshot({ path: join(SHOTS, `wall-${width}x${height}.png`) });
			expect(errors).toEqual([]);
			await page.close();
		}
	});

	it('sizes the wall map’s names, values, badges and legend with the wall’s type, at 1920×1080 and 3840×2160', async () => {
		const sizes: Record<number, { swatch: number; body: number }> = {};
		for (const [width, height] of [
			[1920, 1080],
			[3840, 2160]
		]) {
			const page = await browser.newPage({ viewport: { width, height } });
			await loginAs(page, server.url, 'leader');
			await page.goto(`${server.url}/wall?period=7d`);
			await page.waitForSelector('[data-testid=wall] svg text.name');
			const m = await page.evaluate(() => {
				const px = (sel: string) => {
					const t = document.querySelector<SVGGraphicsElement>(`[data-testid=wall] ${sel}`);
					return t ? parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM()!.a : null;
				};
				const swatch = document.querySelector('[data-testid=wall] .legend i')!.getBoundingClientRect();
				const items = [...document.querySelectorAll('[data-testid=wall] .legend li')].map((li) => {
					const i = li.querySelector('i, svg')!.getBoundingClientRect();
					const range = document.createRange();
					range.selectNodeContents(li.lastChild!);
					return { swatchRight: i.right, textLeft: range.getBoundingClientRect().left };
				});
				const box = document.querySelector('[data-testid=wall] .box.map')!.getBoundingClientRect();
				const caption = document.querySelector('[data-testid=wall] .box.map figcaption')!.getBoundingClientRect();
				return {
					body: parseFloat(getComputedStyle(document.querySelector('[data-testid=wall]')!).fontSize),
					name: px('text.name'),
					value: px('text.value'),
					badge: px('.badge text'),
					swatch: swatch.width,
					overlapping: items.filter((x) => x.textLeft < x.swatchRight).length,
					below: box.bottom - caption.bottom
				};
			});
			expect(m.name!, `${width}`).toBeGreaterThanOrEqual(0.85 * m.body);
			expect(m.value!).toBeGreaterThanOrEqual(0.8 * m.body);
			if (m.badge !== null) expect(m.badge).toBeGreaterThanOrEqual(0.65 * m.body);
			expect(m.overlapping).toBe(0);
			// the map takes the box's height: no band left empty under the legend
			expect(m.below).toBeLessThan(0.03 * height);
			sizes[width] = { swatch: m.swatch, body: m.body };
			await page.close();
		}
		// the legend's swatches grow with the screen as its type does
		expect(sizes[3840].swatch / sizes[1920].swatch).toBeCloseTo(sizes[3840].body / sizes[1920].body, 1);
	});

	it('shows an empty period on the wall in its own dark colours, with a legend of what there is and the round marker visible', async () => {
		const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
		await loginAs(page, server.url, 'leader');
		await page.goto(`${server.url}/wall?from=2025-01-01&to=2025-01-07`);
		await page.waitForSelector('[data-testid=wall] .chart-empty');
		const m = await page.evaluate(() => {
			const lum = (c: string) => {
				const [r, g, b] = c.match(/[\d.]+/g)!.map(Number);
				return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
			};
			const empty = getComputedStyle(document.querySelector('[data-testid=wall] .chart-empty')!);
			const marker = document.querySelector<SVGCircleElement>('[data-testid=wall] circle.marker');
			return {
				emptyBg: lum(empty.backgroundColor),
				legend: [...document.querySelectorAll('[data-testid=wall] .legend li')].map((li) => li.textContent!.trim()),
				marker: marker ? { fill: lum(getComputedStyle(marker).fill), stroke: lum(getComputedStyle(marker).stroke) } : null
			};
		});
		expect(m.emptyBg).toBeLessThan(0.3);
		expect(m.legend[0]).toBe('0');
		expect(m.legend.join(' ')).not.toMatch(/\d–\d/);
		expect(m.marker).not.toBeNull();
		expect(Math.abs(m.marker!.fill - m.marker!.stroke)).toBeGreaterThan(0.5);
		await page.screenshot({ path: join(SHOTS, 'wall-empty.png') });
		await page.close();
	});

	it('keeps the wall on the last figures when a refresh fails, and refreshes again afterwards', async () => {
		const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
		await loginAs(page, server.url, 'leader');
		// the next refresh fails (a server error), whichever way the wall fetches its figures
		let failed = 0;
		const fail = async (route: import('playwright-core').Route) => {
			failed++;
			await route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"x"}}' });
		};
		await page.route('**/api/v1/dashboard/wall*', fail);
		await page.route('**/wall/__data.json*', fail);
		await page.goto(`${server.url}/wall?period=7d&refresh=10`);
		await page.waitForSelector('[data-testid=wall] canvas');
		const figure = await page.locator('[data-testid=wall-volume-1] strong').innerText();
		const status = page.locator('[data-testid=wall-refreshed]');
		await expect.poll(() => status.getAttribute('data-stale'), { timeout: 25_000 }).toBe('1');
		expect(failed).toBeGreaterThan(0);
		// still the wall, with its figures, saying the refresh failed
		expect(await status.innerText()).toMatch(/^刷新失败，显示 \d{1,2}:\d{2}:\d{2} 的数据$/);
		expect(await page.locator('[data-testid=wall-volume-1] strong').innerText()).toBe(figure);
		// the server answers again: the next refresh brings the wall back up to date
		await page.unroute('**/api/v1/dashboard/wall*');
		await page.unroute('**/wall/__data.json*');
		await expect.poll(async () => Number(await status.getAttribute('data-refreshes')), { timeout: 25_000 }).toBeGreaterThanOrEqual(1);
		expect(await status.getAttribute('data-stale')).toBe('0');
		expect(await page.locator('[data-testid=wall-volume-1] strong').innerText()).toBe(figure);
		await page.close();
	});

	it('says on the wall when the session has ended, with a link to sign in again', async () => {
		const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
		await loginAs(page, server.url, 'leader');
		await page.route('**/api/v1/dashboard/wall*', (route) =>
			route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthenticated","message":"未登录或登录已过期"}}' })
		);
		await page.goto(`${server.url}/wall?period=7d&refresh=10`);
		await page.waitForSelector('[data-testid=wall] canvas');
		const shownAt = (await page.locator('[data-testid=wall-refreshed]').innerText()).replace('已刷新 ', '');
		const status = page.locator('[data-testid=wall-refreshed]');
		await expect.poll(() => status.getAttribute('data-state'), { timeout: 25_000 }).toBe('expired');
		expect(await status.innerText()).toContain('登录已失效，请重新登录');
		expect(await status.innerText()).toContain(shownAt);
		expect(await page.locator('[data-testid=wall-login]').getAttribute('href')).toBe(`/login?next=${encodeURIComponent('/wall?period=7d&refresh=10')}`);
		await page.screenshot({ path: join(SHOTS, 'wall-expired.png') });
		await page.close();
	});

	it('gives up a refresh the server does not answer, one request at a time, and says since when the figures are', async () => {
		const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
		await loginAs(page, server.url, 'leader');
		// the server takes in the requests and never answers them (hung, or a half-open connection)
		await page.route('**/api/v1/dashboard/wall*', () => {});
		let active = 0;
		let most = 0;
		let sent = 0;
		const isWall = (r: import('playwright-core').Request) => r.url().includes('/api/v1/dashboard/wall');
		page.on('request', (r) => {
			if (!isWall(r)) return;
			sent++;
			most = Math.max(most, ++active);
		});
		page.on('requestfailed', (r) => void (isWall(r) && active--));
		page.on('requestfinished', (r) => void (isWall(r) && active--));
		await page.goto(`${server.url}/wall?period=7d&refresh=10`);
		await page.waitForSelector('[data-testid=wall] canvas');
		const shownAt = (await page.locator('[data-testid=wall-refreshed]').innerText()).replace('已刷新 ', '');
		const status = page.locator('[data-testid=wall-refreshed]');
		// given up after 30 s; the next is sent 10 s after that
		await expect.poll(() => status.getAttribute('data-state'), { timeout: 60_000 }).toBe('failed');
		expect(await status.innerText()).toBe(`刷新失败，显示 ${shownAt} 的数据`);
		await expect.poll(() => sent, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
		await page.waitForTimeout(5_000);
		expect(most).toBe(1);
		await page.close();
	}, 180_000);

	it('names on the wall the filter it shows, and a period of dates once', async () => {
		const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
		await loginAs(page, server.url, 'leader');
		await page.goto(`${server.url}/wall?period=30d&category=12&district=320583&channel=phone&type=${encodeURIComponent('投诉')}`);
		const shown = page.locator('[data-testid=wall-filter]');
		const text = await shown.innerText();
		expect(text).toMatch(/^近30天（\d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}） · 昆山市 · \S+ · 电话 · 投诉$/);
		expect(text).not.toContain('已筛选');
		await page.screenshot({ path: join(SHOTS, 'wall-filtered.png') });
		await page.goto(`${server.url}/wall?from=2026-11-01&to=2026-11-07`);
		expect(await shown.innerText()).toBe('2026-11-01 至 2026-11-07');
		await page.close();
	});

	it('ranks the units by assessment score, with the counts behind each rate', async () => {
		const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, server.url, 'leader');
		await page.goto(`${server.url}/assessment?period=90d`);
		const rows = page.locator('[data-testid=unit-row]');
		expect(await rows.count()).toBeGreaterThan(5);
		const ranked = await rows.evaluateAll((els) =>
			els.map((e) => ({ code: e.getAttribute('data-code')!, score: e.getAttribute('data-score'), rank: e.getAttribute('data-rank') }))
		);
		const scores = ranked.filter((r) => r.score).map((r) => Number(r.score));
		expect(scores.length).toBeGreaterThan(0);
		expect(scores).toEqual([...scores].sort((x, y) => y - x));
		expect(ranked[0].rank).toBe('1');
		// the dispatches each unit assisted in (协办) have a column of their own, beside its dispatches as lead
		const heads = await page.locator('[data-testid=units] thead th').allInnerTexts();
		expect(heads.slice(2, 4)).toEqual(['派单', '协办']);
		expect(await rows.first().locator('td').count()).toBe(heads.length);
		// the API gives the same ranking, and names a bad filter
		const api = await page.request.get(`${server.url}/api/v1/dashboard/units?period=90d`);
		expect(api.status()).toBe(200);
		const body = await api.json();
		expect(body.units.map((u: { code: string }) => u.code)).toEqual(ranked.map((r) => r.code));
		const bad = await page.request.get(`${server.url}/api/v1/dashboard/units?period=century`);
		expect(bad.status()).toBe(400);
		expect((await bad.json()).error.message).toContain('未知的时段「century」');
		await page.screenshot({ path: join(SHOTS, 'assessment.png'), fullPage: true });
		expect(errors).toEqual([]);
		await page.close();
	});

	it('shows a leader numbers that equal direct DuckDB counts', async () => {
		const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, server.url, 'leader');
		await page.waitForSelector('[data-testid=trend] canvas');
		const now = Date.parse((await page.getAttribute('[data-testid=as-of]', 'data-now'))!);
		const stats = await Promise.all([0, 1, 2].map(async (i) => digits(await page.locator(`[data-testid=stat-${i}]`).innerText())));
		const received = digits(await page.locator('[data-testid=kpi-received]').innerText());
		const open = digits(await page.locator('[data-testid=kpi-open]').innerText());
		const rows = async (id: string) =>
			page.locator(`[data-testid=${id}]`).evaluateAll((els) => els.map((e) => ({ code: e.getAttribute('data-code')!, count: Number(e.getAttribute('data-count')) })));
		const categories = await rows('category-row');
		const districts = await rows('place-row');
		await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
		expect(errors).toEqual([]);

		// the server owns the DuckDB file: stop it, then count with plain SQL over the raw ticket rows
		await server.stop();
		const db = await DuckDBInstance.create(join(server.dataDir, 'minqing.duckdb'), { access_mode: 'READ_ONLY' });
		const conn = await db.connect();
		await conn.run(`SET TimeZone = 'Asia/Shanghai'`);
		const count = async (where: string) =>
			Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE ${where}`)).getRows()[0][0]);
		const today = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
		const since = (days: number) => `day BETWEEN DATE '${today}' - INTERVAL ${days - 1} DAY AND DATE '${today}'`;
		for (const [i, days] of [1, 7, 30].entries()) expect(stats[i]).toBe(await count(since(days)));
		expect(received).toBe(await count(since(30)));
		expect(open).toBe(await count(`status IN ('received', 'accepted', 'dispatched', 'signed', 'replied', 'reopened')`));
		for (const c of categories) expect(c.count).toBe(await count(`category_l1 = '${c.code}' AND ${since(30)}`));
		for (const d of districts) expect(d.count).toBe(await count(`district_code = '${d.code}' AND ${since(30)}`));
		expect(categories.length).toBeGreaterThanOrEqual(10);
		expect(districts).toHaveLength(10);
		conn.closeSync();
		db.closeSync();
	});
});
