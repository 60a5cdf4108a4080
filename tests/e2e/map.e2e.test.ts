// The hotspot map (态势地图) in a real browser: the districts' counts, a street drill-down, the day slider and the
// ticket layer are read off the page and checked, after the server has stopped, against DuckDB's own counts over
// tickets_fact (plain SQL here, not the dashboard code); filters live in the URL and survive a reload; refused URL
// values are explained in Chinese; the JSON API answers the same numbers, 400 for a refused filter.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchBrowser, loginAs, startServer, watchErrors, type TestServer } from './fixture';

let server: TestServer;
let browser: Browser;
let page: Page;
let errors: string[];

type Counts = Record<string, number>;
const shown = {
	week: { from: '', to: '', counts: {} as Counts },
	month: { from: '', to: '', counts: {} as Counts },
	drilled: '',
	streets: {} as Counts,
	day: '',
	dayCounts: {} as Counts,
	pointTotal: 0,
	pointsFrom: '',
	pointsTo: ''
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	server = await startServer({ tickets: 20_000 });
	browser = await launchBrowser();
	page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
	errors = watchErrors(page);
	await loginAs(page, server.url, 'leader');
}, 300_000);

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	server?.cleanup();
});

async function period(): Promise<{ from: string; to: string }> {
	const el = page.locator('[data-testid=map-period]');
	const from = (await el.getAttribute('data-from'))!;
	const to = (await el.getAttribute('data-to'))!;
	expect(from).toMatch(DAY);
	expect(to).toMatch(DAY);
	return { from, to };
}

async function districtAttr(attr: 'data-count' | 'data-value'): Promise<Counts> {
	const rows = await page
		.locator('[data-testid=map-district]')
		.evaluateAll((els, a) => els.map((e) => [e.getAttribute('data-code')!, Number(e.getAttribute(a))] as const), attr);
	return Object.fromEntries(rows);
}

/** A point of the viewport where the district itself (not a neighbour, not a marker) is under the pointer. */
async function pointIn(code: string): Promise<{ x: number; y: number }> {
	const p = await page.evaluate((c) => {
		const el = document.querySelector(`[data-testid=map-district][data-code="${c}"]`)!;
		const r = el.getBoundingClientRect();
		// from the centre outwards, so the point is well inside
		const cands: [number, number][] = [];
		for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) cands.push([r.left + (r.width * i) / 24, r.top + (r.height * j) / 24]);
		const cx = r.left + r.width / 2;
		const cy = r.top + r.height / 2;
		cands.sort((a, b) => Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(b[0] - cx, b[1] - cy));
		for (const [x, y] of cands) {
			const hit = document.elementFromPoint(x, y)?.closest('[data-testid=map-district]');
			if (hit?.getAttribute('data-code') === c) return { x, y };
		}
		return null;
	}, code);
	expect(p, `no visible point of district ${code}`).not.toBeNull();
	return p!;
}

describe('态势地图', () => {
	it('shows every district, the marker of the one without an outline, a legend, a tooltip and the method', async () => {
		const r = await page.goto(`${server.url}/map`);
		expect(r?.status()).toBe(200);
		await page.waitForSelector('[data-testid=map-district]');
		shown.week = { ...(await period()), counts: await districtAttr('data-count') };
		expect(Object.keys(shown.week.counts)).toHaveLength(10);
		expect(await page.locator('[data-testid=map-district][data-marker="1"]').getAttribute('data-code')).toBe('320576');
		expect(await page.locator('[data-testid=hotspot-map] figcaption').innerText()).toContain('苏州工业园区在边界数据中没有独立边界');
		expect(Object.values(shown.week.counts).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
		// the ranking beside the map has the same counts
		const ranked = Object.fromEntries(
			await page.locator('[data-testid=district-row]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-code')!, Number(e.getAttribute('data-count'))]))
		);
		expect(ranked).toEqual(shown.week.counts);
		expect(await page.locator('[data-testid=map-legend] li').count()).toBeGreaterThanOrEqual(6);
		expect(await page.locator('[data-testid=map-method]').innerText()).toContain('Benjamini–Hochberg');
		// hover: the tooltip names the district and its figures
		const top = Object.entries(shown.week.counts).sort((a, b) => b[1] - a[1])[0][0];
		const pt = await pointIn(top);
		await page.mouse.move(pt.x, pt.y);
		const tip = await page.locator('[data-testid=map-tooltip]').innerText();
		expect(tip).toContain('本期工单');
		expect(tip).toContain(`${shown.week.counts[top].toLocaleString('zh-CN')} 件`);
		expect(tip).toContain('z / q');
		await page.screenshot({ path: join(SHOTS, 'map.png'), fullPage: true });
		await page.mouse.move(5, 5);
		expect(errors).toEqual([]);
	});

	it('switches the metric in the URL and draws the change scale around 0', async () => {
		await Promise.all([page.waitForURL((u) => u.searchParams.get('metric') === 'change'), page.click('[data-testid=metric-change]')]);
		await expect.poll(() => page.getAttribute('[data-testid=hotspot-map]', 'data-metric')).toBe('change');
		expect(await page.getAttribute('[data-testid=map-legend]', 'data-kind')).toBe('diverging');
		expect(await page.locator('[data-testid=map-legend]').innerText()).toContain('0%–+');
		// the period select submits the filter bar; the metric is kept
		await Promise.all([page.waitForURL((u) => u.searchParams.get('period') === '30d'), page.selectOption('[data-testid=filter-period]', '30d')]);
		expect(new URL(page.url()).searchParams.get('metric')).toBe('change');
		await page.waitForSelector('[data-testid=map-period][data-from]');
		await expect.poll(async () => (await period()).from).not.toBe(shown.week.from);
		shown.month = { ...(await period()), counts: await districtAttr('data-count') };
	});

	it('drills from a district to its streets by a click, and the URL keeps the filter over a reload', async () => {
		const code = Object.entries(shown.month.counts)
			.filter(([c]) => c !== '320576')
			.sort((a, b) => b[1] - a[1])[0][0];
		shown.drilled = code;
		const pt = await pointIn(code);
		await Promise.all([page.waitForURL((u) => u.searchParams.get('district') === code), page.mouse.click(pt.x, pt.y)]);
		await page.waitForSelector('[data-testid=street-row]');
		const url = new URL(page.url());
		expect(url.searchParams.get('period')).toBe('30d');
		expect(url.searchParams.get('metric')).toBe('change');
		const read = async () =>
			Object.fromEntries(
				await page.locator('[data-testid=street-row]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-code')!, Number(e.getAttribute('data-count'))]))
			) as Counts;
		shown.streets = await read();
		expect(Object.keys(shown.streets).length).toBeGreaterThan(2);
		for (const s of Object.keys(shown.streets)) expect(s.startsWith(code)).toBe(true);
		expect(Object.values(shown.streets).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(shown.month.counts[code]);
		expect(await page.locator('[data-testid=map-selected]').count()).toBe(1);
		const tickets = new URL((await page.getAttribute('[data-testid=street-tickets]', 'href'))!, server.url);
		expect(tickets.pathname).toBe('/search');
		expect(Object.fromEntries(tickets.searchParams)).toEqual({ from: shown.month.from, to: shown.month.to, district: code });
		await page.screenshot({ path: join(SHOTS, 'map-district.png'), fullPage: true });

		await page.reload();
		await page.waitForSelector('[data-testid=street-row]');
		expect(new URL(page.url()).searchParams.get('district')).toBe(code);
		expect(await page.inputValue('[data-testid=filter-district]')).toBe(code);
		expect(await page.inputValue('[data-testid=filter-period]')).toBe('30d');
		expect(await page.getAttribute('[data-testid=metric-change]', 'aria-current')).toBe('true');
		expect(await read()).toEqual(shown.streets);
		// back to the whole city, filter kept
		await Promise.all([page.waitForURL((u) => !u.searchParams.has('district')), page.click('[data-testid=back-to-city]')]);
		expect(new URL(page.url()).searchParams.get('period')).toBe('30d');
		expect(await page.locator('[data-testid=district-row]').count()).toBe(10);
		expect(errors).toEqual([]);
	});

	it('replays the last days with the slider and the play button, without a reload', async () => {
		await page.goto(`${server.url}/map`);
		await page.waitForSelector('[data-testid=map-slider]');
		await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
		const slider = page.locator('[data-testid=map-day-range]');
		const max = Number(await slider.getAttribute('max'));
		expect(max).toBe(6);
		await slider.fill('2');
		shown.day = (await page.getAttribute('[data-testid=hotspot-map]', 'data-day'))!;
		expect(shown.day).toMatch(DAY);
		expect(await page.locator('[data-testid=map-day]').innerText()).toBe(shown.day);
		expect(await page.locator('[data-testid=map-legend]').innerText()).toContain(`${shown.day} 当日工单量`);
		shown.dayCounts = await districtAttr('data-value');
		// play runs to the last day of the period and stops there (the period this page shows: the first test's week
		// has moved on a day if midnight in Asia/Shanghai came in between)
		const { to } = await period();
		await page.click('[data-testid=map-play]');
		await expect.poll(() => page.getAttribute('[data-testid=hotspot-map]', 'data-day'), { timeout: 15_000 }).toBe(to);
		await expect.poll(() => page.locator('[data-testid=map-play]').innerText()).toContain('播放');
		await page.click('[data-testid=map-whole]');
		expect(await page.getAttribute('[data-testid=hotspot-map]', 'data-day')).toBe('');
		expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
		expect(new URL(page.url()).search).toBe('');
	});

	it('shows the metric chosen while a day is on the slider: back to the whole period in that metric', async () => {
		await page.goto(`${server.url}/map`);
		await page.waitForSelector('[data-testid=map-slider]');
		await page.locator('[data-testid=map-day-range]').fill('2');
		expect(await page.getAttribute('[data-testid=hotspot-map]', 'data-day')).toMatch(DAY);
		await Promise.all([page.waitForURL((u) => u.searchParams.get('metric') === 'satisfaction'), page.click('[data-testid=metric-satisfaction]')]);
		await expect.poll(() => page.getAttribute('[data-testid=hotspot-map]', 'data-metric')).toBe('satisfaction');
		expect(await page.getAttribute('[data-testid=hotspot-map]', 'data-day')).toBe('');
		expect(await page.locator('[data-testid=map-legend] .legend-title').innerText()).toContain('满意率');
		expect(await page.locator('[data-testid=map-day]').innerText()).toContain('逐日回放');
		await page.goto(`${server.url}/map`);
		await page.waitForSelector('[data-testid=map-slider]');
	});

	it('picks any day by keyboard, the last one too, and names the day to a screen reader', async () => {
		const slider = page.locator('[data-testid=map-day-range]');
		const { to } = await period();
		expect(await slider.getAttribute('aria-valuetext')).toBe('全时段（可逐日回放最近 7 天）');
		await slider.focus();
		await page.keyboard.press('End');
		await expect.poll(() => page.getAttribute('[data-testid=hotspot-map]', 'data-day')).toBe(to);
		expect(await slider.getAttribute('aria-valuetext')).toBe(`${to}（第 7 天，共 7 天）`);
		await page.keyboard.press('ArrowLeft');
		const before = (await page.getAttribute('[data-testid=hotspot-map]', 'data-day'))!;
		expect(before < to).toBe(true);
		expect(await slider.getAttribute('aria-valuetext')).toBe(`${before}（第 6 天，共 7 天）`);
		await page.keyboard.press('ArrowRight');
		await expect.poll(() => page.getAttribute('[data-testid=hotspot-map]', 'data-day')).toBe(to);
		await page.click('[data-testid=map-whole]');
	});

	it('draws the tickets with coordinates as points or hexagons', async () => {
		await page.click('[data-testid=layer-points]');
		const circles = page.locator('[data-testid=map-points] circle');
		expect(await circles.count()).toBeGreaterThan(10);
		await page.click('[data-testid=layer-hex]');
		const hexN = await page.locator('[data-testid=map-hexes] path').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-n'))));
		expect(hexN.length).toBeGreaterThan(5);
		shown.pointTotal = hexN.reduce((a, b) => a + b, 0);
		const note = await page.locator('[data-testid=layer-note]').innerText();
		expect(note).toContain(`共 ${shown.pointTotal.toLocaleString('zh-CN')} 件`);
		[, shown.pointsFrom, shown.pointsTo] = /（(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2})）/.exec(note)!;
		await page.evaluate(() => window.scrollTo(0, 0));
		await page.screenshot({ path: join(SHOTS, 'map-hex.png'), fullPage: true });
		await page.click('[data-testid=layer-none]');
		expect(await page.locator('[data-testid=map-hexes]').count()).toBe(0);
		expect(errors).toEqual([]);
	});

	it('explains unknown district, category and metric in the URL instead of failing', async () => {
		const r = await page.goto(`${server.url}/map?district=999999&category=ZZ99&metric=heat`);
		expect(r?.status()).toBe(200);
		const problems = await page.locator('[data-testid=filter-problems]').innerText();
		expect(problems).toContain('未知的区县代码「999999」，已显示全市');
		expect(problems).toContain('未知的分类代码「ZZ99」');
		expect(problems).toContain('未知的地图指标「heat」');
		// the whole city is still drawn, with the week's counts: those the API gives for the week this page shows (the
		// first test's week has moved on a day if midnight in Asia/Shanghai came in between)
		const week = await period();
		const api = await page.request.get(`${server.url}/api/v1/dashboard/map?from=${week.from}&to=${week.to}`);
		const { districts } = (await api.json()) as { districts: { code: string; count: number }[] };
		expect(await districtAttr('data-count')).toEqual(Object.fromEntries(districts.map((d) => [d.code, d.count])));
		if (week.to === shown.week.to) expect(await districtAttr('data-count')).toEqual(shown.week.counts);
		expect(await page.locator('[data-testid=street-row]').count()).toBe(0);
		expect(errors).toEqual([]);
	});

	it('answers the same data as JSON, 400 for a refused filter, 401 without a session, 403 for a role without the map', async () => {
		// the month the page showed, by its dates (近30天 has moved on a day if midnight in Asia/Shanghai came since)
		const ok = await page.request.get(`${server.url}/api/v1/dashboard/map?from=${shown.month.from}&to=${shown.month.to}&district=${shown.drilled}`);
		expect(ok.status()).toBe(200);
		const body = (await ok.json()) as { filter: { from: string }; districts: { code: string; count: number }[]; streets: { code: string; count: number }[] };
		expect(body.filter.from).toBe(shown.month.from);
		expect(Object.fromEntries(body.districts.map((d) => [d.code, d.count]))).toEqual(shown.month.counts);
		expect(Object.fromEntries(body.streets.map((d) => [d.code, d.count]))).toEqual(shown.streets);

		const bad = await page.request.get(`${server.url}/api/v1/dashboard/map?district=999999&channel=pigeon`);
		expect(bad.status()).toBe(400);
		const err = (await bad.json()) as { error: { code: string; message: string } };
		expect(err.error.code).toBe('bad_filter');
		expect(err.error.message).toContain('未知的区县代码「999999」');
		expect(err.error.message).toContain('未知的渠道「pigeon」');

		const anon = await fetch(`${server.url}/api/v1/dashboard/map`);
		expect(anon.status).toBe(401);

		const ctx = await browser.newContext();
		const op = await ctx.newPage();
		await loginAs(op, server.url, 'operator');
		expect((await op.goto(`${server.url}/map`))?.status()).toBe(403);
		expect((await op.request.get(`${server.url}/api/v1/dashboard/map`)).status()).toBe(403);
		await ctx.close();
	});

	it('shows numbers equal to direct DuckDB counts over tickets_fact', async () => {
		expect(errors).toEqual([]);
		await server.stop();
		const inst = await DuckDBInstance.create(join(server.dataDir, 'minqing.duckdb'), { access_mode: 'READ_ONLY' });
		const c = await inst.connect();
		const counts = async (sql: string, params: Record<string, string>): Promise<Counts> =>
			Object.fromEntries(((await c.runAndReadAll(sql, params)).getRows() as [string, bigint | number][]).map(([k, n]) => [String(k), Number(n)]));
		const byDistrict = `SELECT district_code, count(*) FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE AND district_code IS NOT NULL GROUP BY 1`;
		const withZeros = (db: Counts, keys: string[]) => Object.fromEntries(keys.map((k) => [k, db[k] ?? 0]));

		const week = await counts(byDistrict, { from: shown.week.from, to: shown.week.to });
		expect(withZeros(week, Object.keys(shown.week.counts))).toEqual(shown.week.counts);
		expect(Object.keys(week).every((k) => k in shown.week.counts)).toBe(true);
		const month = await counts(byDistrict, { from: shown.month.from, to: shown.month.to });
		expect(withZeros(month, Object.keys(shown.month.counts))).toEqual(shown.month.counts);

		const streets = await counts(
			`SELECT street_code, count(*) FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE AND district_code = $d AND street_code IS NOT NULL GROUP BY 1`,
			{ from: shown.month.from, to: shown.month.to, d: shown.drilled }
		);
		expect(withZeros(streets, Object.keys(shown.streets))).toEqual(shown.streets);
		expect(Object.keys(streets).every((k) => k in shown.streets)).toBe(true);

		const day = await counts(byDistrict, { from: shown.day, to: shown.day });
		expect(withZeros(day, Object.keys(shown.dayCounts))).toEqual(shown.dayCounts);

		const points = (
			await c.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE AND lon IS NOT NULL AND lat IS NOT NULL`, {
				from: shown.pointsFrom,
				to: shown.pointsTo
			})
		).getRows()[0][0];
		expect(Number(points)).toBe(shown.pointTotal);
		c.closeSync();
		inst.closeSync();
	});
});
