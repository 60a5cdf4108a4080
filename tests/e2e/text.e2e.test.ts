// The text screens in a real browser: topics (list, detail, rising terms) and search (results, filters in
// the URL, highlighting, export), with numbers checked against DuckDB after the server has stopped.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, loginAs, startServer, watchErrors, type TestServer } from './fixture';

let server: TestServer;
let browser: Browser;
let page: Page;
let errors: string[];
const shown: { topics: { id: number; size: number }[]; searchTotal: number; filteredTotal: number } = { topics: [], searchTotal: 0, filteredTotal: 0 };

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	server = await startServer({ tickets: 20_000 });
	browser = await launchBrowser();
	page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
	errors = watchErrors(page);
	await loginAs(page, server.url, 'analyst');
	// the text analysis and the first topic run happen in the background after start
	const deadline = Date.now() + 240_000;
	for (;;) {
		await page.goto(`${server.url}/topics`);
		if ((await page.locator('[data-testid=topic-row]').count()) > 0 && (await page.locator('[data-testid=text-pending]').count()) === 0) break;
		if (Date.now() > deadline) throw new Error(`topics did not appear:\n${server.logs()}`);
		await new Promise((r) => setTimeout(r, 2000));
	}
}, 300_000);

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	server?.cleanup();
});

describe('话题', () => {
	it('lists topics with sizes, growth, sparklines and sentiment, and rising terms', async () => {
		const rows = page.locator('[data-testid=topic-row]');
		expect(await rows.count()).toBeGreaterThan(5);
		shown.topics = await rows.evaluateAll((els) => els.map((e) => ({ id: Number(e.getAttribute('data-id')), size: Number(e.getAttribute('data-size')) })));
		expect(await page.locator('[data-testid=topic-row] svg.spark').count()).toBe(shown.topics.length);
		expect(await page.locator('[data-testid=rising-terms]').count()).toBe(1);
		await page.screenshot({ path: join(SHOTS, 'topics.png'), fullPage: true });
	});

	it('shows each topic’s change against the days before on the wall display and the overview, fast-growing ones marked', async () => {
		const leader = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
		const leaderErrors = watchErrors(leader);
		await loginAs(leader, server.url, 'leader');
		// a count, then 新出现, a percentage or a multiple (or nothing, with no days before to compare with)
		const change = /^[\d,]+(新出现|[+−]\d+\.\d%|0\.0%|×\d+\.\d)?$/;
		/** new, a multiple, or +30.0% and more: what risingFast marks */
		const fast = (figures: string) => /新出现|×/.test(figures) || Number(/\+(\d+\.\d)%/.exec(figures)?.[1] ?? 0) >= 30;
		await leader.goto(`${server.url}/wall?period=7d`);
		await leader.waitForSelector('[data-testid=wall] .topics li:not(.muted)');
		const wall = await leader.$$eval('[data-testid=wall] .topics li', (lis) =>
			lis.map((li) => ({ figures: li.querySelector('b')!.textContent!.trim(), fits: li.scrollWidth <= li.clientWidth, marked: !!li.querySelector('.rise') }))
		);
		expect(wall.length).toBeGreaterThan(0);
		for (const t of wall) expect(t).toEqual({ figures: expect.stringMatching(change), fits: true, marked: fast(t.figures) });
		await leader.goto(`${server.url}/?period=7d`);
		const overview = await leader.$$eval('[data-testid=overview-topics] li', (lis) =>
			lis.map((li) => ({ figures: [...li.querySelectorAll('span')].map((s) => s.textContent).join('').replace(/ 件( · )?/, ''), marked: !!li.querySelector('.rise') }))
		);
		// the same topics, in the same order, with the same figures and marks (the wall has room for the first six)
		expect(overview.slice(0, wall.length)).toEqual(wall.map(({ figures, marked }) => ({ figures, marked })));
		expect(leaderErrors).toEqual([]);
		await leader.close();
	});

	it('opens a topic with its words, chart, districts and masked representative tickets', async () => {
		await page.click('[data-testid=topic-row] >> nth=0 >> a');
		await page.waitForSelector('[data-testid=topic-words] li');
		await page.waitForSelector('canvas');
		expect(await page.locator('[data-testid=topic-tickets] li').count()).toBeGreaterThan(0);
		// the district map: every outlined district drawn, coloured by the same counts as the ranking
		expect(await page.locator('figure.map path').count()).toBeGreaterThanOrEqual(9);
		const mapped = await page.locator('figure.map path').evaluateAll((els) => els.reduce((a, e) => a + Number(e.getAttribute('data-count')), 0));
		expect(mapped).toBeGreaterThan(0);
		expect(await page.locator('[data-testid=topic-tickets]').innerText()).not.toMatch(/1[3-9]\d{9}/);
		await page.screenshot({ path: join(SHOTS, 'topic-detail.png'), fullPage: true });
		expect(errors).toEqual([]);
		const r = await page.goto(`${server.url}/topics/98765`);
		expect(r?.status()).toBe(404);
		expect(await page.locator('body').innerText()).toContain('话题 98765 不存在');
		errors.length = 0; // the browser logs the 404 itself
	});
});

describe('检索', () => {
	it('searches, highlights the words, pages, and keeps the query in the URL', async () => {
		await page.goto(`${server.url}/search`);
		await page.fill('input[name=q]', '噪音');
		await page.click('[data-testid=search-form] button[type=submit]');
		await page.waitForSelector('[data-testid=search-total]');
		expect(new URL(page.url()).searchParams.get('q')).toBe('噪音');
		shown.searchTotal = Number((await page.locator('[data-testid=search-total]').innerText()).replace(/\D/g, ''));
		expect(shown.searchTotal).toBeGreaterThan(20);
		expect(await page.locator('[data-testid=search-hit]').count()).toBe(20);
		expect(await page.locator('[data-testid=search-hit] mark').first().innerText()).toBe('噪音');
		await page.screenshot({ path: join(SHOTS, 'search.png'), fullPage: true });
		// a filter in the URL survives a reload
		await page.goto(`${server.url}/search?q=噪音&district=320506`);
		await page.reload();
		expect(await page.inputValue('select[name=district]')).toBe('320506');
		shown.filteredTotal = Number((await page.locator('[data-testid=search-total]').innerText()).replace(/\D/g, ''));
		expect(shown.filteredTotal).toBeGreaterThan(0);
		expect(shown.filteredTotal).toBeLessThan(shown.searchTotal);
	});

	it('explains an unknown filter and an unknown word instead of failing', async () => {
		await page.goto(`${server.url}/search?q=噪音&district=999999`);
		expect(await page.locator('[data-testid=search-problem]').innerText()).toContain('未知的区县代码「999999」');
		await page.goto(`${server.url}/search?q=${encodeURIComponent('量子纠缠')}`);
		expect(await page.locator('[data-testid=search-unknown]').innerText()).toContain('没有任何工单包含');
		// a page past the last, numbers that are not searched, a query of nothing but common words: each said as it is
		await page.goto(`${server.url}/search?q=${encodeURIComponent('7号 噪音')}&page=499`);
		expect(await page.locator('[data-testid=search-past-end]').innerText()).toContain('第 499 页超出了结果范围');
		expect(await page.locator('[data-testid=search-ignored-numbers]').innerText()).toContain('已忽略「7」');
		await page.goto(`${server.url}/search?q=${encodeURIComponent('的')}`);
		expect(await page.locator('[data-testid=search-none]').count()).toBe(0);
		expect(await page.locator('[data-testid=search-summary]').innerText()).toContain('检索词只含标点、数字或常用虚词');
	});

	it('opens a hit’s 工单档案 with its whole masked text and handling, and leads back to the same hits', async () => {
		const hits = `${server.url}/search?q=${encodeURIComponent('噪音')}&page=2`;
		await page.goto(hits);
		const hit = page.locator('[data-testid=search-hit]').first();
		const no = (await hit.getAttribute('data-ticket'))!;
		const snippet = (await hit.locator('.snippet').innerText()).replace(/…/g, '').trim();
		// the hit's line under the snippet: 区县 · 街道 · 分类 · 性质
		const category = (await hit.locator('p.meta').innerText()).split(' · ').at(-2)!.trim();
		await hit.locator('[data-testid=hit-record]').click();
		await page.waitForSelector(`[data-testid=ticket-record][data-ticket="${no}"]`);
		expect(page.url()).toBe(`${server.url}/search/${no}`);
		// the whole text holds the snippet the hit showed; an analyst works on no cases: no 工单详情
		expect(await page.locator('[data-testid=record-content]').innerText()).toContain(snippet.slice(0, 30));
		expect(await page.locator('[data-testid=record-open-case]').count()).toBe(0);
		expect(await page.locator('[data-testid=record-keywords] a').count()).toBeGreaterThan(0);
		expect(await page.locator('[data-testid=record-category]').innerText()).toBe(category);
		await page.screenshot({ path: join(SHOTS, 'ticket-record.png'), fullPage: true });
		await page.click('[data-testid=record-back]');
		await page.waitForURL(hits);
		expect(await page.locator('[data-testid=search-hit]').first().getAttribute('data-ticket')).toBe(no);
		expect(errors).toEqual([]);
		// a number no ticket has says so (the browser logs the 404 it was answered with: that one is expected)
		const missing = await page.goto(`${server.url}/search/${no.slice(0, 11)}999999`);
		expect(missing!.status()).toBe(404);
		expect(await page.locator('body').innerText()).toContain(`没有编号为 ${no.slice(0, 11)}999999 的工单`);
		expect(errors.splice(0).every((e) => e.includes('404'))).toBe(true);
	});

	it('exports the hits as a CSV file that Excel reads as UTF-8', async () => {
		await page.goto(`${server.url}/search?q=噪音`);
		const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=search-export]')]);
		const path = join(SHOTS, 'search-export.csv');
		await download.saveAs(path);
		const text = readFileSync(path, 'utf8');
		expect(text.charCodeAt(0)).toBe(0xfeff);
		const lines = text.trim().split('\r\n');
		expect(lines[0]).toContain('工单编号');
		expect(lines.length - 1).toBe(shown.searchTotal);
		expect(errors).toEqual([]);
	});

	it('shows numbers equal to direct DuckDB queries', async () => {
		await server.stop();
		const inst = await DuckDBInstance.create(join(server.dataDir, 'minqing.duckdb'), { access_mode: 'READ_ONLY' });
		const c = await inst.connect();
		const one = async (sql: string) => Number((await c.runAndReadAll(sql)).getRows()[0][0]);
		expect(await one(`SELECT count(*) FROM tickets_fact WHERE len(list_filter(tokens, t -> contains(t, '噪音'))) > 0`)).toBe(shown.searchTotal);
		expect(await one(`SELECT count(*) FROM tickets_fact WHERE district_code = '320506' AND len(list_filter(tokens, t -> contains(t, '噪音'))) > 0`)).toBe(shown.filteredTotal);
		const run = `(SELECT run_id FROM topic_runs ORDER BY created_at DESC LIMIT 1)`;
		for (const t of shown.topics.slice(0, 5))
			expect(await one(`SELECT count(*) FROM ticket_topics WHERE run_id = ${run} AND topic_id = ${t.id} AND how = 'run'`)).toBe(t.size);
		c.closeSync();
		inst.closeSync();
	});
});
