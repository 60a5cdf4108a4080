// 舆情简报 over a real demo store (embedded PGlite and DuckDB): a briefing's figures against direct queries of the
// facts, its scope, the alerts of its period, representative tickets with personal data masked, saving at a version
// (409 when stale), 刷新数据 keeping edited text, the exports (a real .docx and PDF, named in Chinese, the PDF refused
// in Chinese without its font), and who may do what — through the route handlers, as SvelteKit calls them.
import { existsSync } from 'node:fs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { generateDemo, stopApp, type App } from '../../src/lib/server/app';
import { eq } from 'drizzle-orm';
import { alerts as alertsTable, briefings as briefingsTable } from '../../src/lib/server/db/schema';
import { ingestService } from '../../src/lib/server/ingest';
import { draftText } from '../../src/lib/server/briefings/draft';
import { createBriefing, refreshBriefing, saveBriefing } from '../../src/lib/server/briefings/service';
import { scopeFilter } from '../../src/lib/server/briefings/figures';
import { mapData, unitPanel } from '../../src/lib/server/analytics/dashboard';
import { duckRunner } from '../../src/lib/server/analytics/sql';
import { BriefingError } from '../../src/lib/server/briefings/input';
import { runTopics } from '../../pipelines/text/topics';
import { SECTION_KEYS, sectionTables, type BriefingView } from '../../src/lib/briefings';
import type { Role, SessionUser } from '../../src/lib/types';
import { startRouteApp } from '../support/app';
import * as listRoute from '../../src/routes/api/v1/briefings/+server';
import * as oneRoute from '../../src/routes/api/v1/briefings/[id]/+server';
import * as refreshRoute from '../../src/routes/api/v1/briefings/[id]/refresh/+server';
import * as exportRoute from '../../src/routes/api/v1/briefings/[id]/export/+server';
import * as listPage from '../../src/routes/(app)/briefings/+page.server';
import * as onePage from '../../src/routes/(app)/briefings/[id]/+page.server';

let a: App;
const NOW = Date.parse('2026-11-28T15:30:00+08:00');
// the last whole week before NOW (a Saturday)
const FROM = '2026-11-16';
const TO = '2026-11-22';
const analyst = { role: 'analyst' as Role, displayName: '测试分析员' };

beforeAll(async () => {
	a = await startRouteApp();
	await generateDemo(a, { tickets: 6000, days: 90, seed: 11, now: NOW, relational: false }, () => {});
	await ingestService(a).enrichText();
	await runTopics(a.analytics.conn, a.ref, { days: 30, now: NOW });
}, 180_000);

afterAll(async () => {
	await ingestService(a)?.close();
	if (a) await stopApp(a);
});

const q = <T extends Record<string, unknown>>(sql: string, params?: Record<string, string>) => queryRows<T>(a.analytics.conn, sql, params);
const count = async (where: string, params?: Record<string, string>) => (await q<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM tickets_fact WHERE ${where}`, params))[0].n;

// --- route handlers ---------------------------------------------------------------------------------------------

type Handler = (event: never) => Response | Promise<Response>;
const sessionUser = (role: Role): SessionUser => ({ id: 1, username: `t_${role}`, displayName: `接口${role}`, role, unitCode: null, unitName: null });

async function call(handler: Handler, role: Role, init: { method?: string; id?: string | number; query?: string; body?: unknown } = {}) {
	const url = new URL(`http://localhost/api/v1/briefings${init.id ? `/${init.id}` : ''}${init.query ?? ''}`);
	const request = new Request(url, {
		method: init.method ?? 'GET',
		body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
		headers: { 'content-type': 'application/json' }
	});
	return handler({ request, url, params: init.id ? { id: String(init.id) } : {}, locals: { user: sessionUser(role) } } as never);
}
const jsonOf = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, any> });

/** A form action as SvelteKit runs it: its answer, or the status of what it threw (a redirect, error(403)). */
async function action(fn: (e: never) => unknown, role: Role, fields: Record<string, string>, params: Record<string, string> = {}) {
	const body = new FormData();
	for (const [k, v] of Object.entries(fields)) body.set(k, v);
	const request = new Request('http://localhost/briefings', { method: 'POST', body });
	try {
		return { result: (await fn({ request, params, locals: { user: sessionUser(role) } } as never)) as { status?: number; data?: Record<string, unknown> } };
	} catch (e) {
		return { thrown: e as { status?: number; location?: string } };
	}
}

describe('a briefing\'s figures', () => {
	let b: BriefingView;
	beforeAll(async () => {
		b = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO }, NOW);
	}, 60_000);

	it('count the period, the period before and the categories as the facts do', async () => {
		const period = `day BETWEEN DATE '${FROM}' AND DATE '${TO}'`;
		const o = b.figures.overview;
		expect(o.received).toBe(await count(period));
		expect(o.received).toBeGreaterThan(100);
		expect(o.dailyMean).toBeCloseTo(o.received / 7, 10);
		expect(o.previous).toMatchObject({ from: '2026-11-09', to: '2026-11-15', count: await count(`day BETWEEN DATE '2026-11-09' AND DATE '2026-11-15'`) });
		expect(o.previous.change).toBeCloseTo(o.received / o.previous.count! - 1, 10);
		const cats = await q<{ name: string; n: number }>(
			`SELECT category_l1 AS name, count(*)::DOUBLE AS n FROM tickets_fact WHERE ${period} AND category_l1 IS NOT NULL GROUP BY 1 ORDER BY n DESC, name LIMIT 3`
		);
		expect(o.categories.slice(0, 3).map((c) => c.count)).toEqual(cats.map((c) => c.n));
		expect(o.categories[0].name).toBe(a.ref.categoryByCode.get(cats[0].name)!.name);
		// the week's normal: the seven whole days, each against its own kind of day
		expect(o.normal.days).toBe(7);
		expect(o.normal.observed).toBe(o.received);
		expect(o.normal.expected).toBeGreaterThan(0);
	});

	it('draft each section from the figures, in the default order', () => {
		expect(b.title).toBe('苏州12345热线舆情周报（2026年11月16日至2026年11月22日）');
		expect(b.sections.map((s) => s.key)).toEqual([...SECTION_KEYS]);
		for (const s of b.sections) expect([s.text, s.included, s.edited]).toEqual([draftText(s.key, b.figures, 'weekly'), true, false]);
		expect(b.sections[0].text).toContain(`共受理群众诉求 ${b.figures.overview.received.toLocaleString('zh-CN')} 件`);
	});

	it('list the period\'s topics and a representative ticket of each, within the period', async () => {
		expect(b.figures.topics.rows.length).toBeGreaterThan(0);
		expect(b.figures.tickets.rows.length).toBeGreaterThan(0);
		for (const t of b.figures.tickets.rows) {
			expect(await count(`ticket_no = $no AND day BETWEEN DATE '${FROM}' AND DATE '${TO}'`, { no: t.ticketNo })).toBe(1);
			expect(t.topic).not.toBeNull();
		}
	});

	it('rank the units as the assessment does and list the hotspots with their significance', async () => {
		const u = b.figures.units;
		const panel = await unitPanel({ db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now: NOW }, scopeFilter(a, { from: FROM, to: TO, district: null, category: null }));
		const ranked = panel.units.filter((x) => x.rank !== null);
		expect(u.scored).toBe(ranked.length);
		expect(u.scored).toBeGreaterThan(5);
		expect(u.top.map((x) => [x.name, x.score])).toEqual(ranked.slice(0, 5).map((x) => [x.name, x.score]));
		expect(u.bottom.map((x) => x.name)).toEqual(ranked.slice(-u.bottom.length).reverse().map((x) => x.name));
		for (let i = 1; i < u.top.length; i++) expect(u.top[i].score!).toBeLessThanOrEqual(u.top[i - 1].score!);
		// the hotspots are the map's, strongest first
		const map = await mapData({ db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now: NOW }, scopeFilter(a, { from: FROM, to: TO, district: null, category: null }));
		expect(b.figures.hotspots.rows.map((h) => h.name).sort()).toEqual(map.districts.filter((d) => d.hotspot).map((d) => d.name).sort());
		for (const h of b.figures.hotspots.rows) expect(h.q!).toBeLessThan(0.05);
		expect(b.figures.hotspots.places).toBe(a.ref.districts.length);
	});
});

describe('scope and masking', () => {
	it('counts only the district and category chosen', async () => {
		const district = a.ref.districts[0].code;
		const l1 = (await q<{ c: string }>(`SELECT category_l1 AS c FROM tickets_fact WHERE district_code = '${district}' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`))[0].c;
		const b = await createBriefing(a, analyst, { kind: 'special', from: FROM, to: TO, district, category: l1 }, NOW);
		expect(b.figures.overview.received).toBe(await count(`day BETWEEN DATE '${FROM}' AND DATE '${TO}' AND district_code = '${district}' AND category_l1 = '${l1}'`));
		expect(b.scope).toBe(`${a.ref.districtByCode.get(district)!.name} · ${a.ref.categoryByCode.get(l1)!.name}`);
		expect(b.figures.hotspots.level).toBe('street');
		expect(b.figures.rising.cityWide).toBe(true);
		for (const t of b.figures.tickets.rows) expect(await count(`ticket_no = $no AND district_code = '${district}' AND category_l1 = '${l1}'`, { no: t.ticketNo })).toBe(1);
	});

	it('masks phone and ID numbers in the representative tickets', async () => {
		const first = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO }, NOW);
		const no = first.figures.tickets.rows[0].ticketNo;
		await a.analytics.conn.run(`UPDATE tickets_fact SET content = '我叫王小明，电话13812345678，身份证320502198001011234，楼下施工噪音太大' || content WHERE ticket_no = $no`, { no });
		const again = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO }, NOW);
		const t = again.figures.tickets.rows.find((r) => r.ticketNo === no)!;
		expect(t.excerpt).toContain('138****5678');
		expect(t.excerpt).toContain('320**************4');
		expect(t.excerpt).toContain('王**');
		expect(t.excerpt).not.toMatch(/13812345678|198001011234|王小明/);
	});

	it('never quotes a report (举报) or a ticket refused as secret or private (rule 6) as a typical appeal', async () => {
		const first = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO }, NOW);
		const [r1, r2] = first.figures.tickets.rows.map((t) => t.ticketNo);
		await a.analytics.conn.run(`UPDATE tickets_fact SET type = '举报' WHERE ticket_no = $no`, { no: r1 });
		await a.analytics.conn.run(`UPDATE tickets_fact SET status = 'not_accepted', not_accepted_reason = 6 WHERE ticket_no = $no`, { no: r2 });
		const again = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO }, NOW);
		const listed = again.figures.tickets.rows.map((t) => t.ticketNo);
		expect(listed.length).toBe(first.figures.tickets.rows.length);
		expect(listed).not.toContain(r1);
		expect(listed).not.toContain(r2);
		const kinds = await q<{ type: string; reason: number | null }>(
			`SELECT type, not_accepted_reason AS reason FROM tickets_fact WHERE ticket_no IN (${listed.map((n) => `'${n}'`).join(', ')})`
		);
		for (const k of kinds) expect([k.type === '举报', k.reason === 6]).toEqual([false, false]);
	});

	it('lists the alerts firing within the period, of its district', async () => {
		const [d1, d2] = a.ref.districts.map((d) => d.code);
		const at = (s: string) => new Date(s);
		const plant = async (title: string, districtCode: string, startedAt: Date, lastFiringAt: Date) =>
			a.rel.db.insert(alertsTable).values({
				title, status: 'acknowledged', signal: 'firing', severity: 2, topicKey: title, bucket: 'hour', series: [],
				districtCode, placeLevel: 'district', placeCode: districtCode, categoryCode: null, places: [],
				startedAt, lastFiringAt, observed: 30, expected: 5, upper: 12, score: 0.999
			});
		await plant('期内预警', d1, at('2026-11-18T09:00:00+08:00'), at('2026-11-19T09:00:00+08:00'));
		await plant('跨期预警', d1, at('2026-11-14T09:00:00+08:00'), at('2026-11-16T01:00:00+08:00'));
		await plant('期前预警', d1, at('2026-11-10T09:00:00+08:00'), at('2026-11-15T23:00:00+08:00'));
		await plant('期后预警', d1, at('2026-11-23T00:30:00+08:00'), at('2026-11-23T09:00:00+08:00'));
		await plant('他区预警', d2, at('2026-11-18T09:00:00+08:00'), at('2026-11-18T10:00:00+08:00'));
		const city = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO }, NOW);
		expect(city.figures.alerts.rows.map((r) => r.title).sort()).toEqual(['他区预警', '期内预警', '跨期预警']);
		expect(city.figures.alerts.rows.find((r) => r.title === '期内预警')).toMatchObject({ startedAt: '2026-11-18 09:00', severity: expect.stringContaining('Ⅱ'), status: '已确认' });
		const d1Only = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO, district: d1 }, NOW);
		expect(d1Only.figures.alerts.rows.map((r) => r.title).sort()).toEqual(['期内预警', '跨期预警']);
		expect(city.sections.find((s) => s.key === 'alerts')!.text).toContain('共有 3 条突发事件聚集预警');
	});

	it('leaves out the alerts dismissed as false, and says how many', async () => {
		const d3 = a.ref.districts[2].code;
		const base = { signal: 'firing', severity: 1, bucket: 'hour', series: [], districtCode: d3, placeLevel: 'district', placeCode: d3, categoryCode: null, places: [], observed: 30, expected: 5, upper: 12, score: 0.999 };
		await a.rel.db.insert(alertsTable).values([
			{ ...base, title: '误报预警', topicKey: '误报预警', status: 'dismissed', startedAt: new Date('2026-11-19T09:00:00+08:00'), lastFiringAt: new Date('2026-11-19T12:00:00+08:00') },
			{ ...base, title: '已处置预警', topicKey: '已处置预警', status: 'resolved', startedAt: new Date('2026-11-20T09:00:00+08:00'), lastFiringAt: new Date('2026-11-20T12:00:00+08:00') }
		]);
		const b = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO, district: d3 }, NOW);
		expect(b.figures.alerts.rows.map((r) => r.title)).toEqual(['已处置预警']);
		expect(b.figures.alerts).toMatchObject({ total: 1, dismissed: 1 });
		expect(b.sections.find((s) => s.key === 'alerts')!.text).toContain('共有 1 条突发事件聚集预警');
		const [t] = sectionTables('alerts', b.figures);
		expect(t.note).toContain('另有 1 条预警经核实排除（误报），未列入');
	});
});

describe('periods at the edge of the data', () => {
	const firstDay = async () => (await q<{ d: string }>(`SELECT strftime(min(day), '%Y-%m-%d') AS d FROM tickets_fact`))[0].d;
	const plus = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

	it('makes a briefing of the first weeks of the data, whose words have no weeks before them to be compared with', async () => {
		const first = await firstDay();
		const b = await createBriefing(a, analyst, { kind: 'weekly', from: first, to: plus(first, 6) }, NOW);
		expect(b.figures.overview.received).toBeGreaterThan(0);
		expect(b.figures.rising).toMatchObject({ rows: [], newTerms: [], compared: false });
		const text = b.sections.find((s) => s.key === 'rising')!.text;
		expect(text).toContain('基期');
		expect(text).toContain('无法比较');
		expect(text).not.toContain('没有统计显著的变化');
		// no district has weeks before it to be compared with: no hotspot test, and it says so
		expect(b.figures.hotspots.tested).toBe(0);
		expect(b.sections.find((s) => s.key === 'hotspots')!.text).toBe('各区县此前的数据不足，本周未做热点检验。');
	});

	it('counts the daily mean over the days the data covers, and says when the data starts', async () => {
		const first = await firstDay();
		// ten days before the data and ten days of it
		const b = await createBriefing(a, analyst, { kind: 'special', from: plus(first, -10), to: plus(first, 9) }, NOW);
		const o = b.figures.overview;
		expect(o.received).toBe(await count(`day BETWEEN DATE '${first}' AND DATE '${plus(first, 9)}'`));
		expect(o.dataFrom).toBe(first);
		expect(o.dailyMean).toBeCloseTo(o.received / 10, 10);
		const text = b.sections.find((s) => s.key === 'overview')!.text;
		expect(text).toContain(`（系统数据自 ${first} 起）`);
		expect(text).toContain(`日均 ${Math.round(o.received / 10).toLocaleString('zh-CN')} 件`);

		// a period wholly before the data: no tickets, and it says why
		const before = await createBriefing(a, analyst, { kind: 'weekly', from: plus(first, -40), to: plus(first, -34) }, NOW);
		expect(before.figures.overview).toMatchObject({ received: 0, dailyMean: 0, dataFrom: first });
		const none = before.sections.find((s) => s.key === 'overview')!.text;
		expect(none).toContain(`没有工单数据（系统数据自 ${first} 起）`);
		expect(none).not.toContain('日均');
	});
});

describe('editing', () => {
	it('saves at the version read, answers 409 to a stale one, and 刷新数据 keeps the edited text only', async () => {
		const created = await jsonOf(await call(listRoute.POST, 'analyst', { method: 'POST', body: { kind: 'weekly', from: FROM, to: TO, title: '第47周舆情周报' } }));
		expect(created.status).toBe(201);
		const b = created.body.briefing as BriefingView;
		expect(b.title).toBe('第47周舆情周报');
		const sections = b.sections.map((s) => ({ key: s.key, included: s.key !== 'rising', text: s.text }));
		sections[0].text = '本周总体平稳。分析员补充：供暖诉求开始增多。';
		// the tickets section moved up to second
		const order = [sections[0], sections[6], ...sections.slice(1, 6)];
		const saved = await jsonOf(await call(oneRoute.PUT, 'analyst', { method: 'PUT', id: b.id, body: { version: 1, sections: order } }));
		expect(saved.status).toBe(200);
		const v2 = saved.body.briefing as BriefingView;
		expect(v2.version).toBe(2);
		expect(v2.sections.map((s) => [s.key, s.included, s.edited])).toEqual(order.map((s, i) => [s.key, s.included, i === 0]));

		// someone else still holding version 1
		const stale = await jsonOf(await call(oneRoute.PUT, 'admin', { method: 'PUT', id: b.id, body: { version: 1, sections: order } }));
		expect(stale.status).toBe(409);
		expect(stale.body.error).toMatchObject({ code: 'conflict', field: 'version' });
		expect(stale.body.error.message).toContain('您编辑的是第 1 版，现为第 2 版');

		// 刷新数据 with new figures: the unedited drafts follow them, the edited text stays
		await a.analytics.conn.run(`DELETE FROM tickets_fact WHERE ticket_no IN (SELECT ticket_no FROM tickets_fact WHERE day = DATE '${FROM}' LIMIT 5)`);
		const { refreshRollups } = await import('../../pipelines/warehouse/schema');
		await refreshRollups(a.analytics.conn);
		const refreshed = await refreshBriefing(a, analyst, b.id, { version: 2 }, NOW);
		expect(refreshed.version).toBe(3);
		expect(refreshed.figures.overview.received).toBe(b.figures.overview.received - 5);
		expect(Date.parse(refreshed.figuresAt)).toBe(NOW);
		expect(refreshed.sections[0].text).toBe('本周总体平稳。分析员补充：供暖诉求开始增多。');
		for (const s of refreshed.sections.slice(1)) expect(s.text).toBe(draftText(s.key, refreshed.figures, 'weekly'));
		expect(refreshed.sections.map((s) => s.key)).toEqual(order.map((s) => s.key));
		// the snapshot: reading it again gives the same figures, whatever the store holds now
		await a.analytics.conn.run(`DELETE FROM tickets_fact WHERE ticket_no IN (SELECT ticket_no FROM tickets_fact WHERE day = DATE '${FROM}' LIMIT 5)`);
		const read = await jsonOf(await call(oneRoute.GET, 'leader', { id: b.id }));
		expect(read.body.briefing.figures.overview.received).toBe(refreshed.figures.overview.received);

		// a stale refresh is refused too
		const e = await refreshBriefing(a, analyst, b.id, { version: 2 }, NOW).catch((x: unknown) => x);
		expect(e).toBeInstanceOf(BriefingError);
		expect((e as BriefingError).code).toBe('conflict');
	});

	it('keeps an unedited section unedited when saved as it is, though its draft is worded otherwise now (a new version)', async () => {
		const b = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO }, NOW);
		// the text as an earlier version of the drafts wrote it, never touched by the analyst
		const older = b.sections.map((s) => (s.key === 'topics' ? { ...s, text: '旧版草稿：本周话题平稳。' } : s));
		await a.rel.db.update(briefingsTable).set({ sections: older }).where(eq(briefingsTable.id, b.id));
		// the page posts every section as it shows it; the analyst edited the overview only
		const posted = older.map((s) => ({ key: s.key, included: s.included, text: s.key === 'overview' ? '分析员改写。' : s.text }));
		const saved = await saveBriefing(a, analyst, b.id, { version: 1, sections: posted }, NOW);
		expect(saved.sections.filter((s) => s.edited).map((s) => s.key)).toEqual(['overview']);
		const refreshed = await refreshBriefing(a, analyst, b.id, { version: 2 }, NOW);
		expect(refreshed.sections.find((s) => s.key === 'topics')!.text).toBe(draftText('topics', refreshed.figures, 'weekly'));
		expect(refreshed.sections.find((s) => s.key === 'overview')!.text).toBe('分析员改写。');
		// a text put back to the draft is no longer edited
		const back = refreshed.sections.map((s) => ({ key: s.key, included: s.included, text: s.key === 'overview' ? draftText('overview', refreshed.figures, 'weekly') : s.text }));
		expect((await saveBriefing(a, analyst, b.id, { version: 3, sections: back }, NOW)).sections.every((s) => !s.edited)).toBe(true);
	});

	it('refuses bad input naming the field, in Chinese', async () => {
		const bad = await jsonOf(await call(listRoute.POST, 'analyst', { method: 'POST', body: { kind: 'weekly', from: '2026-11-22', to: '2026-11-16' } }));
		expect(bad.status).toBe(400);
		expect(bad.body.error).toEqual({ code: 'invalid_input', field: 'from', message: '起始日期 2026-11-22 晚于结束日期 2026-11-16' });
		const notJson = await jsonOf(await call(listRoute.POST, 'analyst', { method: 'POST', body: '{' }));
		expect([notJson.status, notJson.body.error.message]).toEqual([400, '请求内容不是有效的 JSON']);
		const b = await createBriefing(a, analyst, { kind: 'monthly', from: '2026-10-01', to: '2026-10-31' }, NOW);
		const long = await jsonOf(
			await call(oneRoute.PUT, 'analyst', { method: 'PUT', id: b.id, body: { version: 1, sections: b.sections.map((s) => ({ ...s, text: s.key === 'units' ? '长'.repeat(3001) : s.text })) } })
		);
		expect(long.status).toBe(400);
		expect(long.body.error).toMatchObject({ field: 'sections.units', message: expect.stringContaining('「承办单位办理情况」的文字不能超过 3000 个字') });
		expect((await jsonOf(await call(oneRoute.GET, 'analyst', { id: 999999 }))).status).toBe(404);
		expect((await jsonOf(await call(oneRoute.GET, 'analyst', { id: 'abc' }))).body.error.code).toBe('not_found');
	});

	it('the page\'s forms say which field is wrong, create and save', async () => {
		const bad = await action(listPage.actions.create as never, 'analyst', { kind: 'weekly', title: '', from: '2026-13-01', to: TO, district: '', category: '' });
		expect(bad.result).toMatchObject({ status: 400, data: { field: 'from', message: expect.stringContaining('起始日期「2026-13-01」无效') } });
		const ok = await action(listPage.actions.create as never, 'analyst', { kind: 'weekly', title: '表单周报', from: FROM, to: TO, district: '', category: '' });
		expect(ok.thrown?.status).toBe(303);
		const id = /\/briefings\/(\d+)$/.exec(ok.thrown!.location!)![1];
		const fields: Record<string, string> = { version: '1', title: '表单周报（改）', order: [...SECTION_KEYS].reverse().join(',') };
		for (const k of SECTION_KEYS) {
			fields[`text_${k}`] = k === 'hotspots' ? '热点区域：分析员改写。' : '';
			if (k !== 'alerts') fields[`included_${k}`] = 'on';
		}
		const saved = await action(onePage.actions.save as never, 'analyst', fields, { id });
		expect(saved.result).toEqual({ saved: '已保存（第 2 版）' });
		const b = (await jsonOf(await call(oneRoute.GET, 'analyst', { id }))).body.briefing as BriefingView;
		expect(b.title).toBe('表单周报（改）');
		expect(b.sections.map((s) => s.key)).toEqual([...SECTION_KEYS].reverse());
		expect(b.sections.find((s) => s.key === 'alerts')!.included).toBe(false);
		expect(b.sections.find((s) => s.key === 'hotspots')!.text).toBe('热点区域：分析员改写。');
		const stale = await action(onePage.actions.save as never, 'analyst', fields, { id });
		expect(stale.result).toMatchObject({ status: 409, data: { code: 'conflict', field: 'version' } });
	});
});

describe('exports', () => {
	let b: BriefingView;
	beforeAll(async () => {
		b = await createBriefing(a, analyst, { kind: 'weekly', title: '周报 (第47周)/测试', from: FROM, to: TO }, NOW);
		b = await saveBriefing(a, analyst, b.id, { version: 1, sections: b.sections.map((s) => ({ ...s, text: s.key === 'overview' ? '导出测试：分析员写的总体情况。' : s.text })) }, NOW);
	}, 60_000);
	const fileName = (r: Response) => decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(r.headers.get('content-disposition')!)![1]);
	const today = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

	it('gives a Word document with the edited text, named in Chinese', async () => {
		const r = await call(exportRoute.GET, 'leader', { id: b.id, query: '?format=docx' });
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toContain('wordprocessingml');
		expect(fileName(r)).toBe(`舆情简报-周报 (第47周) 测试-${today()}.docx`);
		// RFC 5987: ( and ) are percent-encoded; the plain filename is ASCII
		expect(r.headers.get('content-disposition')).toContain(`filename="briefing-${b.id}.docx"`);
		expect(r.headers.get('content-disposition')).toContain('%28');
		const zip = await JSZip.loadAsync(Buffer.from(await r.arrayBuffer()));
		const xml = await zip.file('word/document.xml')!.async('string');
		expect(xml).toContain('导出测试：分析员写的总体情况。');
		expect(xml).toContain(b.figures.overview.received.toLocaleString('zh-CN'));
	});

	it.runIf(existsSync(a?.config.pdfFont.path ?? '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'))('gives a PDF with the font embedded', async () => {
		const r = await call(exportRoute.GET, 'analyst', { id: b.id, query: '?format=pdf' });
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/pdf');
		expect(fileName(r)).toBe(`舆情简报-周报 (第47周) 测试-${today()}.pdf`);
		const buf = Buffer.from(await r.arrayBuffer());
		expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
		expect(buf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Regular/);
	});

	it('refuses a PDF without its font in Chinese, and the Word document still works', async () => {
		const keep = a.config.pdfFont;
		a.config.pdfFont = { path: '/nonexistent/NotoSansCJK.ttc', family: 'NotoSansCJKsc-Regular' };
		try {
			const pdf = await jsonOf(await call(exportRoute.GET, 'analyst', { id: b.id, query: '?format=pdf' }));
			expect(pdf.status).toBe(503);
			expect(pdf.body.error.code).toBe('no_font');
			expect(pdf.body.error.message).toContain('无法导出 PDF');
			expect(pdf.body.error.message).toContain('Word 文档仍可导出');
			expect((await call(exportRoute.GET, 'analyst', { id: b.id, query: '?format=docx' })).status).toBe(200);
			const page = (await onePage.load({ params: { id: String(b.id) }, locals: { user: sessionUser('analyst') } } as never)) as { pdf: string | null };
			expect(page.pdf).toContain('暂不能导出 PDF');
		} finally {
			a.config.pdfFont = keep;
		}
		const bad = await jsonOf(await call(exportRoute.GET, 'analyst', { id: b.id, query: '?format=xls' }));
		expect(bad.body.error).toMatchObject({ code: 'invalid_input', field: 'format' });
	});
});

describe('who may do what', () => {
	it('lets leaders read and export, not edit; units and operators see nothing', async () => {
		const b = await createBriefing(a, analyst, { kind: 'weekly', from: FROM, to: TO }, NOW);
		expect((await call(listRoute.GET, 'leader')).status).toBe(200);
		expect((await call(oneRoute.GET, 'leader', { id: b.id })).status).toBe(200);
		const put = await jsonOf(await call(oneRoute.PUT, 'leader', { method: 'PUT', id: b.id, body: { version: 1 } }));
		expect(put).toEqual({ status: 403, body: { error: { code: 'forbidden', message: '只有分析员和管理员可以编辑简报' } } });
		expect((await call(listRoute.POST, 'leader', { method: 'POST', body: { kind: 'weekly', from: FROM, to: TO } })).status).toBe(403);
		expect((await call(refreshRoute.POST, 'leader', { method: 'POST', id: b.id, body: { version: 1 } })).status).toBe(403);
		expect((await call(oneRoute.DELETE, 'leader', { method: 'DELETE', id: b.id, query: '?version=1' })).status).toBe(403);
		for (const role of ['operator', 'unit_handler', 'dispatcher', 'supervisor', 'emergency'] as Role[]) {
			expect((await call(listRoute.GET, role)).status, role).toBe(403);
			expect((await call(oneRoute.GET, role, { id: b.id })).status, role).toBe(403);
			expect((await call(exportRoute.GET, role, { id: b.id, query: '?format=docx' })).status, role).toBe(403);
			const page = await Promise.resolve()
				.then(() => listPage.load({ locals: { user: sessionUser(role) } } as never))
				.then(
				() => 200,
				(e: { status?: number }) => e.status
			);
			expect(page, role).toBe(403);
		}
		const leaderPage = (await listPage.load({ locals: { user: sessionUser('leader') } } as never)) as { canEdit: boolean; briefings: unknown[] };
		expect(leaderPage.canEdit).toBe(false);
		expect(leaderPage.briefings.length).toBeGreaterThan(0);
		const leaderCreate = await action(listPage.actions.create as never, 'leader', { kind: 'weekly', from: FROM, to: TO });
		expect(leaderCreate.result?.status).toBe(403);
		// deleting needs the version read
		expect((await call(oneRoute.DELETE, 'analyst', { method: 'DELETE', id: b.id, query: '?version=2' })).status).toBe(409);
		expect((await jsonOf(await call(oneRoute.DELETE, 'analyst', { method: 'DELETE', id: b.id, query: '?version=1' }))).body).toEqual({ deleted: b.id });
		expect((await call(oneRoute.GET, 'analyst', { id: b.id })).status).toBe(404);
	});
});
