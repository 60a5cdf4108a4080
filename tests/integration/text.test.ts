// The text screens' reads over a demo store: analysis of the demo history, search (terms, expansions,
// filters, masking, export) and topics, each checked against direct queries.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { registerTicket } from '../../src/lib/server/cases/service';
import { syncIdle } from '../../src/lib/server/sync';
import { overviewData } from '../../src/lib/server/analytics/dashboard';
import { parseDashboardFilter } from '../../src/lib/server/analytics/filters';
import { duckRunner } from '../../src/lib/server/analytics/sql';
import { generateDemo, setApp, stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { ingestService } from '../../src/lib/server/ingest';
import { readNdjson } from '../../pipelines/ingest/sources';
import { parseSearchParams } from '../../src/lib/server/text/params';
import { ticketsHref, UNPLACED } from '../../src/lib/filter-url';
import { queryTerms, SEARCH_EXPORT_COLUMNS, SEARCH_EXPORT_LIMIT, searchExportFile, searchExportRows, searchTickets } from '../../src/lib/server/text/search';
import { render } from 'svelte/server';
import SearchPage from '../../src/routes/(app)/search/+page.svelte';
import { load as searchLoad } from '../../src/routes/(app)/search/+page.server';
import RecordPage from '../../src/routes/(app)/search/[no]/+page.svelte';
import { load as recordLoad } from '../../src/routes/(app)/search/[no]/+page.server';
import { relatedRecords, ticketRecord } from '../../src/lib/server/analytics/ticket-record';
import { GET as exportCsv } from '../../src/routes/(app)/search/export/+server';
import { CHANNEL_LABELS, STATUS_LABELS } from '../../pipelines/lifecycle/model';
import { topicDetail, topicsOverview } from '../../src/lib/server/text/topics';
import { sentimentBreakdown, termsView } from '../../src/lib/server/text/terms';
import { runTopics } from '../../pipelines/text/topics';
import { textIndexDrift } from '../../pipelines/warehouse/text-index';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSegmenter } from '../../pipelines/segment/index';
import { loadModel, suggest } from '../../pipelines/text/classify';
import { trainToFile } from '../../pipelines/text/train';

let a: App;
const NOW = Date.parse('2026-11-28T10:00:00+08:00');
const count = async (sql: string) => Number((await queryRows<{ n: number }>(a.analytics.conn, `SELECT count(*)::INTEGER AS n FROM (${sql})`))[0].n);

beforeAll(async () => {
	a = await startMemoryApp();
	await generateDemo(a, { tickets: 6000, days: 90, seed: 7, now: NOW, relational: false }, () => {});
	expect(await ingestService(a).enrichText()).toBe(6000);
}, 120_000);

afterAll(async () => {
	await ingestService(a)?.close();
	if (a) await stopApp(a);
});

describe('text analysis of the demo history', () => {
	it('gives every ticket tokens and sentiment, with a consistent index', async () => {
		expect(await count(`SELECT 1 FROM tickets_fact WHERE tokens IS NULL OR sentiment IS NULL`)).toBe(0);
		expect(await textIndexDrift(a.analytics.conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
	});
});

describe('search', () => {
	it('finds exactly the tickets that contain every term, in any longer word too', async () => {
		const r = await searchTickets(a.analytics.conn, a.ref, { q: '噪音 楼上' });
		expect(r.terms).toEqual(['噪音', '楼上']);
		const direct = await count(`SELECT 1 FROM tickets_fact WHERE len(list_filter(tokens, t -> contains(t, '噪音'))) > 0 AND len(list_filter(tokens, t -> contains(t, '楼上'))) > 0`);
		expect(direct).toBeGreaterThan(0);
		expect(r.total).toBe(direct);
		expect(r.hits.length).toBe(Math.min(20, direct));
		for (const h of r.hits) expect(h.snippet.some((m) => m.hit) || h.title.some((m) => m.hit)).toBe(true);
		// newest first
		const times = r.hits.map((h) => h.receivedAt);
		expect([...times].sort().reverse()).toEqual(times);
	});

	it('finds every ticket with a single common character, however many words hold it, and names what it ignored', async () => {
		// the character in the most distinct words of the store
		const chars = await queryRows<{ ch: string; words: number }>(
			a.analytics.conn,
			`SELECT ch, count(DISTINCT term)::INTEGER AS words FROM (SELECT term, unnest(string_split(term, '')) AS ch FROM term_df)
			 WHERE regexp_matches(ch, '^\\p{Han}$') GROUP BY ch ORDER BY words DESC, ch LIMIT 30`
		);
		const { ch, words } = chars.find((c) => queryTerms(c.ch).join() === c.ch)!; // not a stop word
		expect(words).toBeGreaterThan(40); // more words than the search once looked at
		const r = await searchTickets(a.analytics.conn, a.ref, { q: ch });
		expect(r.terms).toEqual([ch]);
		expect(r.total).toBe(await count(`SELECT 1 FROM tickets_fact WHERE len(list_filter(tokens, t -> contains(t, '${ch}'))) > 0`));
		expect(r.partialTerms).toEqual([]);
		// numbers are not searched, and nine terms are one too many: both are said
		const n = await searchTickets(a.analytics.conn, a.ref, { q: '地铁7号线 噪音 楼上 油烟 施工 垃圾 路灯 停车 积水 占道' });
		expect(n.ignored.numbers).toEqual(['7']);
		expect(n.terms.length).toBe(8);
		expect(n.ignored.terms.length).toBeGreaterThan(0);
		expect(n.terms).not.toContain(n.ignored.terms[0]);
		expect((await searchTickets(a.analytics.conn, a.ref, { q: 'PM2.5 超标' })).ignored.numbers).toEqual([]);
	});

	it('pages from the most recent days first exactly as over all days, and marks estimated totals', async () => {
		const whole = { windows: [Infinity], exactLimit: Infinity };
		let estimated = 0;
		for (const q of [{ q: '垃圾' }, { q: '噪音 楼上' }, { q: '垃圾', district: '320508' }, { q: '垃圾', from: '2026-10-01', to: '2026-11-20' }]) {
			for (const page of [1, 2]) {
				const exact = await searchTickets(a.analytics.conn, a.ref, { ...q, page }, whole);
				// every window tried, and no exact count: the estimate path
				const windowed = await searchTickets(a.analytics.conn, a.ref, { ...q, page }, { windows: [3, 7, 30, Infinity], exactLimit: 0 });
				expect(exact.approximate).toBe(false);
				expect(windowed.hits.map((h) => h.ticketNo)).toEqual(exact.hits.map((h) => h.ticketNo));
				if (windowed.approximate) {
					estimated++;
					expect(windowed.total).toBeGreaterThan(exact.total * 0.4);
					expect(windowed.total).toBeLessThan(exact.total * 2.5);
				} else expect(windowed.total).toBe(exact.total);
				// the default path counts these small totals exactly
				const byDefault = await searchTickets(a.analytics.conn, a.ref, { ...q, page });
				expect(byDefault.total).toBe(exact.total);
				expect(byDefault.approximate).toBe(false);
			}
		}
		expect(estimated).toBeGreaterThan(0);
	});

	it('applies filters from the URL and refuses unknown codes with a message', async () => {
		const { query, problems } = parseSearchParams(new URLSearchParams('q=垃圾&district=320508&category=01&from=2026-10-01&to=2026-11-28'), a.ref);
		expect(problems).toEqual([]);
		const r = await searchTickets(a.analytics.conn, a.ref, query);
		const direct = await count(`SELECT 1 FROM tickets_fact WHERE district_code = '320508' AND category_l1 = '01' AND day BETWEEN '2026-10-01' AND '2026-11-28'
			AND len(list_filter(tokens, t -> contains(t, '垃圾'))) > 0`);
		expect(r.total).toBe(direct);
		const bad = parseSearchParams(new URLSearchParams('q=垃圾&district=999999&category=zz&from=2026-02-30'), a.ref);
		expect(bad.problems).toEqual(['日期「2026-02-30」无效，应为 年-月-日（如 2026-11-01）', '未知的区县代码「999999」', '未知的分类代码「zz」']);
		expect(bad.query.district ?? null).toBeNull();
		for (const page of ['501', '0', '2.5', 'x']) expect(parseSearchParams(new URLSearchParams(`q=垃圾&page=${page}`), a.ref).problems).toEqual([`页码「${page}」无效（1–500），已显示第 1 页`]);
		expect(parseSearchParams(new URLSearchParams('q=垃圾&page=500'), a.ref).problems).toEqual([]);
	});

	it('says which term no ticket contains, and copes with queries that have no terms', async () => {
		const r = await searchTickets(a.analytics.conn, a.ref, { q: '噪音 量子纠缠' });
		expect(r.unknownTerms).toEqual(['量子', '纠缠']);
		expect(r.total).toBe(0);
		for (const q of ['', '，。！', '的 了', 'a'.repeat(5000)]) {
			const x = await searchTickets(a.analytics.conn, a.ref, { q });
			expect(x.total).toBe(0);
		}
		expect(queryTerms('ＰＭ2.5 超标')).toContain('pm2.5');
	});

	it('finds a ticket by its number or the start of it (the words index has no numbers), on the page too', async () => {
		const [t] = await queryRows<{ no: string; day: string; n: number; district: string }>(
			a.analytics.conn,
			`SELECT ticket_no AS no, strftime(day, '%Y%m%d') AS day, count(*) OVER (PARTITION BY day)::INTEGER AS n, district_code AS district
			 FROM tickets_fact WHERE district_code IS NOT NULL ORDER BY day DESC, ticket_no LIMIT 1`
		);
		const one = await searchTickets(a.analytics.conn, a.ref, { q: ` ${t.no.toLowerCase()} ` });
		expect(one).toMatchObject({ ticketNo: t.no, total: 1, terms: [], unknownTerms: [] });
		expect(one.hits.map((h) => h.ticketNo)).toEqual([t.no]);
		// the day's tickets, newest number first; with a filter, those it keeps
		const day = await searchTickets(a.analytics.conn, a.ref, { q: `SZ${t.day}`, size: 100 });
		expect(day.total).toBe(t.n);
		expect(day.hits.every((h) => h.ticketNo.startsWith(`SZ${t.day}`))).toBe(true);
		const inDistrict = await searchTickets(a.analytics.conn, a.ref, { q: `SZ${t.day}`, district: t.district, size: 100 });
		expect(inDistrict.total).toBe(await count(`SELECT 1 FROM tickets_fact WHERE strftime(day, '%Y%m%d') = '${t.day}' AND district_code = '${t.district}'`));
		expect(inDistrict.total).toBeLessThan(t.n);
		// the month's and the year's, as many as the facts hold
		const month = t.day.slice(0, 6);
		expect((await searchTickets(a.analytics.conn, a.ref, { q: `SZ${month}` })).total).toBe(await count(`SELECT 1 FROM tickets_fact WHERE ticket_no LIKE 'SZ${month}%'`));
		// a number no ticket has; a date that is none is words again
		expect(await searchTickets(a.analytics.conn, a.ref, { q: `SZ${t.day}-999999` })).toMatchObject({ ticketNo: `SZ${t.day}-999999`, total: 0 });
		expect((await searchTickets(a.analytics.conn, a.ref, { q: 'SZ20261399' })).ticketNo).toBeNull();
		setApp(Promise.resolve(a));
		const user = { id: 1, username: 'analyst', displayName: '分析员', role: 'analyst', unitCode: null, unitName: null };
		const shown = async (q: string) => {
			const data = (await searchLoad({ locals: { user }, url: new URL(`http://x/search?q=${encodeURIComponent(q)}`) } as never)) as Exclude<Awaited<ReturnType<typeof searchLoad>>, void>;
			return render(SearchPage, { props: { data: { ...data, user: null, nav: [], result: data.result }, params: {} } as never }).body.replace(/<!--[^>]*-->/g, '');
		};
		const page = await shown(t.no);
		expect(page).toMatch(new RegExp(`编号为「${t.no}」的工单共 <strong[^>]*>1</strong> 条`));
		expect(page).toContain(`data-ticket="${t.no}"`);
		expect(page).not.toContain('无法检索');
		expect(await shown(`SZ${t.day}-999999`)).toContain(`没有编号为「SZ${t.day}-999999」的工单。`);
		expect(await shown(`SZ${month}`)).toMatch(new RegExp(`编号以「SZ${month}」开头的工单共`));
		// a leader opens a ticket the case store holds as 工单详情 (registered here: SZ…-H…); an analyst, who works on no
		// cases, does not, and nobody a ticket of the analytics-only history
		const operator = { id: null, role: 'operator' as const, unitCode: null, displayName: '话务员' };
		const held = { no: (await registerTicket(a, operator, { channel: 'phone', type: '咨询', title: '编号检索', content: '请问公积金怎么提取', address: '' })).ticketNo };
		await syncIdle(a);
		const leader = { id: 2, username: 'leader', displayName: '领导', role: 'leader', unitCode: null, unitName: null };
		const as = async (u: typeof user, q: string) => {
			const data = (await searchLoad({ locals: { user: u }, url: new URL(`http://x/search?q=${encodeURIComponent(q)}`) } as never)) as Exclude<Awaited<ReturnType<typeof searchLoad>>, void>;
			return { hits: data.result!.hits.map((h: { ticketNo: string }) => h.ticketNo), openable: data.openable };
		};
		expect(await as(leader, held.no)).toEqual({ hits: [held.no], openable: [held.no] });
		expect(await as(user, held.no)).toEqual({ hits: [held.no], openable: [] });
		expect(await as(leader, t.no)).toEqual({ hits: [t.no], openable: [] });
		const data = (await searchLoad({ locals: { user: leader }, url: new URL(`http://x/search?q=${held.no}`) } as never)) as Exclude<Awaited<ReturnType<typeof searchLoad>>, void>;
		expect(render(SearchPage, { props: { data: { ...data, user: null, nav: [] }, params: {} } as never }).body).toContain(`href="/tickets/${held.no}"`);
	});

	it('shows no keyword that the mask hides in the text (a name, a plate)', async () => {
		const q = { q: '噪音 楼上' };
		const no = (await searchTickets(a.analytics.conn, a.ref, q)).hits[0].ticketNo;
		await a.analytics.conn.run(`CREATE TEMP TABLE kw_before AS SELECT ticket_no, content, keywords FROM tickets_fact WHERE ticket_no = $no`, { no });
		try {
			await a.analytics.conn.run(
				`UPDATE tickets_fact SET content = '我叫王小明，车牌苏E12345，楼上噪音很大', keywords = ['小明', 'e12345', '噪音', '楼上'] WHERE ticket_no = $no`,
				{ no }
			);
			const hit = (await searchTickets(a.analytics.conn, a.ref, q)).hits.find((h) => h.ticketNo === no)!;
			expect(hit.snippet.map((m) => m.text).join('')).not.toMatch(/小明|12345/);
			expect(hit.keywords).toEqual(['噪音', '楼上']);
		} finally {
			await a.analytics.conn.run(`UPDATE tickets_fact f SET content = b.content, keywords = b.keywords FROM kw_before b WHERE f.ticket_no = b.ticket_no`);
			await a.analytics.conn.run(`DROP TABLE kw_before`);
		}
	});

	it('does not find a ticket by a word the mask hides, nor count that word among the terms', async () => {
		// a pushed ticket is analysed as it is shown (我叫王** …): the name is in the stored text, not in its words
		const line = JSON.stringify({
			external_id: 'MASKED-1',
			received_at: new Date(NOW - 3600_000).toISOString(),
			channel: 'web',
			type: '投诉',
			title: '楼上装修噪音',
			content: '我叫欧阳明辉，楼上装修噪音很大，晚上十点还在施工'
		});
		async function* bytes() {
			yield new TextEncoder().encode(line + '\n');
		}
		expect((await ingestService(a).push('mask-test', 'm1', readNdjson(bytes()))).accepted).toBe(1);
		const [fact] = await queryRows<{ ticket_no: string; content: string; tokens: string[] }>(
			a.analytics.conn,
			`SELECT ticket_no, content, tokens FROM tickets_fact WHERE source = 'mask-test'`
		);
		expect(fact.content).toContain('欧阳明辉');
		expect(fact.tokens).toContain('施工');
		// the surname stays, as the screens show it (欧阳**)
		expect(fact.tokens.filter((t) => t.includes('明辉'))).toEqual([]);
		expect((await searchTickets(a.analytics.conn, a.ref, { q: '欧阳明辉' })).total).toBe(0);
		expect((await searchTickets(a.analytics.conn, a.ref, { q: '明辉' })).total).toBe(0);
		expect((await searchTickets(a.analytics.conn, a.ref, { q: '装修 施工 噪音' })).hits.map((h) => h.ticketNo)).toContain(fact.ticket_no);
		expect(await count(`SELECT 1 FROM term_df WHERE term LIKE '%明辉%'`)).toBe(0);
		expect(await textIndexDrift(a.analytics.conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
	});

	it('exports the same tickets, masked', async () => {
		const q = { q: '噪音 楼上' };
		const { rows, total } = await searchExportRows(a.analytics.conn, a.ref, q);
		expect(rows.length).toBe((await searchTickets(a.analytics.conn, a.ref, q)).total);
		expect(total).toBe(rows.length);
		for (const r of rows) expect(r.内容).not.toMatch(/1[3-9]\d{9}/);
		// codes read as the pages show them
		expect(new Set(rows.map((r) => r.渠道))).toEqual(new Set(rows.map((r) => r.渠道).filter((c) => Object.values(CHANNEL_LABELS).includes(c))));
		expect(rows.every((r) => Object.values(STATUS_LABELS).includes(r.状态 as never))).toBe(true);
	});

	it('exports every list the page shows: a ticket number’s tickets and a drill-down’s (filters alone), the same as the page lists', async () => {
		const [t] = await queryRows<{ day: string; district: string; from: string }>(
			a.analytics.conn,
			`SELECT strftime(day, '%Y%m%d') AS day, district_code AS district, strftime(day, '%Y-%m-%d') AS from FROM tickets_fact
			 WHERE district_code IS NOT NULL ORDER BY day DESC, ticket_no LIMIT 1`
		);
		const nos = async (q: Parameters<typeof searchTickets>[2]) => {
			const r = await searchTickets(a.analytics.conn, a.ref, { ...q, size: 100 });
			expect(r.total).toBeLessThanOrEqual(100);
			return r.hits.map((h) => h.ticketNo).sort();
		};
		for (const q of [
			{ q: `SZ${t.day}` },
			{ q: `SZ${t.day}`, district: t.district },
			{ q: '', district: t.district, from: t.from, to: t.from },
			{ q: '', from: t.from, to: t.from, type: '投诉' }
		]) {
			const { rows, total } = await searchExportRows(a.analytics.conn, a.ref, q);
			const listed = await nos(q);
			expect(listed.length, JSON.stringify(q)).toBeGreaterThan(0);
			expect(rows.map((r) => r.工单编号).sort(), JSON.stringify(q)).toEqual(listed);
			expect(total).toBe(listed.length);
		}
		// past the limit: the newest, and how many in all
		const capped = await searchExportRows(a.analytics.conn, a.ref, { q: '', from: t.from, to: t.from }, 5);
		expect(capped.rows.length).toBe(5);
		expect(capped.total).toBe((await searchTickets(a.analytics.conn, a.ref, { q: '', from: t.from, to: t.from })).total);
		// the file of a drill-down is named by what it selects
		const { name } = await searchExportFile(a.analytics.conn, a.ref, { q: '', district: t.district, from: t.from, to: t.from, type: '投诉' }, NOW);
		expect(name).toBe(`检索-${a.ref.districtByCode.get(t.district)!.name}-投诉-${t.from}-2026-11-28.csv`);
		// nothing to list: no rows, and the route refuses it in words
		expect(await searchExportRows(a.analytics.conn, a.ref, { q: '' })).toEqual({ rows: [], total: 0 });
		setApp(Promise.resolve(a));
		const res = await exportCsv({ locals: { user: { id: 1, username: 'analyst', displayName: '分析员', role: 'analyst', unitCode: null, unitName: null } }, url: new URL('http://x/search/export?q=') } as never);
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ error: { code: 'empty_query', message: '请输入检索词或选择筛选条件' } });
	});

	it('filters by a data-quality flag of the ingest, with words or alone, in the page, the export and the URL', async () => {
		const words = await searchTickets(a.analytics.conn, a.ref, { q: '噪音', size: 3 });
		const marked = words.hits.map((h) => h.ticketNo);
		expect(marked.length).toBe(3);
		await a.analytics.conn.run(`CREATE TEMP TABLE flag_before AS SELECT ticket_no, flags FROM tickets_fact WHERE ticket_no IN ($a, $b, $c)`, { a: marked[0], b: marked[1], c: marked[2] });
		try {
			await a.analytics.conn.run(`UPDATE tickets_fact SET flags = list_append(coalesce(flags, []), 'lonlat_swapped') WHERE ticket_no IN ($a, $b, $c)`, {
				a: marked[0], b: marked[1], c: marked[2]
			});
			const all = await count(`SELECT 1 FROM tickets_fact WHERE list_contains(flags, 'lonlat_swapped')`);
			expect(all).toBeGreaterThanOrEqual(3);
			const alone = await searchTickets(a.analytics.conn, a.ref, { q: '', flag: 'lonlat_swapped', size: 100 });
			expect(alone.total).toBe(all);
			expect(alone.hits.map((h) => h.ticketNo)).toEqual(expect.arrayContaining(marked));
			const withWords = await searchTickets(a.analytics.conn, a.ref, { q: '噪音', flag: 'lonlat_swapped', size: 100 });
			expect(withWords.total).toBe(
				await count(`SELECT 1 FROM tickets_fact WHERE list_contains(flags, 'lonlat_swapped') AND len(list_filter(tokens, t -> contains(t, '噪音'))) > 0`)
			);
			expect(withWords.hits.map((h) => h.ticketNo)).toEqual(expect.arrayContaining(marked));
			const exported = await searchExportRows(a.analytics.conn, a.ref, { q: '', flag: 'lonlat_swapped' });
			expect(exported.rows.map((r) => r.工单编号).sort()).toEqual(alone.hits.map((h) => h.ticketNo).sort());
			expect((await searchExportFile(a.analytics.conn, a.ref, { q: '', flag: 'lonlat_swapped' }, NOW)).name).toBe('检索-经纬度颠倒-2026-11-28.csv');
		} finally {
			await a.analytics.conn.run(`UPDATE tickets_fact f SET flags = b.flags FROM flag_before b WHERE f.ticket_no = b.ticket_no`);
			await a.analytics.conn.run(`DROP TABLE flag_before`);
		}
		// from the URL: a known flag is kept, an unknown one named
		expect(parseSearchParams(new URLSearchParams('flag=unresolved_place'), a.ref)).toMatchObject({ query: { flag: 'unresolved_place' }, problems: [] });
		expect(parseSearchParams(new URLSearchParams('flag=bogus'), a.ref).problems).toEqual(['未知的数据质量标记「bogus」']);
	});

	it('lists the tickets placed in no district, and a district’s placed in none of its streets (the map’s 未定位), from the URL too', async () => {
		const [t] = await queryRows<{ no: string; district: string }>(
			a.analytics.conn,
			`SELECT ticket_no AS no, district_code AS district FROM tickets_fact WHERE street_code IS NOT NULL ORDER BY day DESC, ticket_no LIMIT 1`
		);
		const [u] = await queryRows<{ no: string }>(
			a.analytics.conn,
			`SELECT ticket_no AS no FROM tickets_fact WHERE district_code IS NOT NULL AND ticket_no <> $no ORDER BY day DESC, ticket_no LIMIT 1`,
			{ no: t.no }
		);
		await a.analytics.conn.run(`CREATE TEMP TABLE place_before AS SELECT ticket_no, district_code, street_code FROM tickets_fact WHERE ticket_no IN ($a, $b)`, { a: t.no, b: u.no });
		try {
			// one ticket loses its street, another its district and street
			await a.analytics.conn.run(`UPDATE tickets_fact SET street_code = NULL WHERE ticket_no = $no`, { no: t.no });
			await a.analytics.conn.run(`UPDATE tickets_fact SET district_code = NULL, street_code = NULL WHERE ticket_no = $no`, { no: u.no });
			const unplaced = await searchTickets(a.analytics.conn, a.ref, { q: '', district: 'none', size: 100 });
			expect(unplaced.total).toBe(await count(`SELECT 1 FROM tickets_fact WHERE district_code IS NULL`));
			expect(unplaced.hits.map((h) => h.ticketNo)).toContain(u.no);
			expect(unplaced.hits.every((h) => h.district === null)).toBe(true);
			const noStreet = await searchTickets(a.analytics.conn, a.ref, { q: '', district: t.district, street: 'none', size: 100 });
			expect(noStreet.total).toBe(await count(`SELECT 1 FROM tickets_fact WHERE district_code = '${t.district}' AND street_code IS NULL`));
			expect(noStreet.hits.map((h) => h.ticketNo)).toContain(t.no);
			const { name } = await searchExportFile(a.analytics.conn, a.ref, { q: '', district: 'none' }, NOW);
			expect(name).toBe('检索-未定位到区县-2026-11-28.csv');
		} finally {
			await a.analytics.conn.run(`UPDATE tickets_fact f SET district_code = b.district_code, street_code = b.street_code FROM place_before b WHERE f.ticket_no = b.ticket_no`);
			await a.analytics.conn.run(`DROP TABLE place_before`);
		}
		const parse = (qs: string) => parseSearchParams(new URLSearchParams(qs), a.ref);
		expect(parse('district=none')).toMatchObject({ query: { district: 'none' }, problems: [] });
		expect(parse(`district=${t.district}&street=none`)).toMatchObject({ query: { district: t.district, street: 'none' }, problems: [] });
		expect(parse('street=none').problems).toEqual(['「未定位到街道（镇）」须同时选择区县，已忽略街道（镇）条件']);
		const street = [...a.ref.streetByCode.values()][0];
		expect(parse(`district=none&street=${street.code}`).problems).toEqual([`已选择「未定位到区县」的工单，已忽略街道（镇）条件「${street.name}」`]);
		// the map's links to them
		const f = parseDashboardFilter(new URLSearchParams('period=7d'), a.ref, NOW).filter;
		expect(new URL(`http://x${ticketsHref(f, { district: UNPLACED })}`).searchParams.get('district')).toBe('none');
	});

	it("finds, for the topics' rising and new terms, the tickets they counted (whole words)", async () => {
		const v = await termsView(a.analytics.conn, { to: '2026-11-28' });
		const shown = [...v.rising.slice(0, 5).map((r) => ({ term: r.term, n: r.current, from: v.from, to: v.to })), ...v.newTerms.slice(0, 5).map((t) => ({ term: t.term, n: t.current, from: v.from, to: v.to }))];
		expect(shown.length).toBeGreaterThan(0);
		for (const t of shown) {
			const { query } = parseSearchParams(new URLSearchParams({ q: t.term, exact: '1', from: t.from, to: t.to }), a.ref);
			expect((await searchTickets(a.analytics.conn, a.ref, query)).total, t.term).toBe(t.n);
		}
	});

	it('exports a file with its header also when nothing matches', async () => {
		setApp(Promise.resolve(a));
		const get = (q: string) =>
			exportCsv({ locals: { user: { id: 1, username: 'analyst', displayName: '分析员', role: 'analyst', unitCode: null, unitName: null } }, url: new URL(`http://x/search/export?q=${encodeURIComponent(q)}`) } as never);
		const res = await get('恐龙化石');
		expect(res.status).toBe(200);
		const text = async (r: Response) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(await r.arrayBuffer());
		expect(await text(res)).toBe('\ufeff' + SEARCH_EXPORT_COLUMNS.join(',') + '\r\n');
		const full = (await text(await get('噪音'))).split('\r\n');
		expect(full[0]).toBe('\ufeff' + SEARCH_EXPORT_COLUMNS.join(','));
		expect(full.length).toBeGreaterThan(2);
	});

	it("names the file by the query's first 20 characters, a rare one whole, and the day in Shanghai", async () => {
		setApp(Promise.resolve(a));
		const get = (q: string) =>
			exportCsv({ locals: { user: { id: 1, username: 'analyst', displayName: '分析员', role: 'analyst', unitCode: null, unitName: null } }, url: new URL(`http://x/search/export?q=${encodeURIComponent(q)}`) } as never);
		const fileName = (r: Response) => decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(r.headers.get('content-disposition')!)![1]);
		vi.useFakeTimers({ toFake: ['Date'] });
		try {
			vi.setSystemTime(Date.parse('2026-11-28T07:30:00+08:00')); // still 11-27 in UTC
			expect(fileName(await get('噪音'))).toBe('检索-噪音-2026-11-28.csv');
			// 𠮷 is the 20th character, two UTF-16 units from the 20th
			const res = await get('路灯'.repeat(9) + '路𠮷野家');
			expect(res.status).toBe(200);
			expect(fileName(res)).toBe(`检索-${'路灯'.repeat(9)}路𠮷-2026-11-28.csv`);
			// the query itself is cut at 200 characters, not inside one
			expect(parseSearchParams(new URLSearchParams({ q: '噪'.repeat(199) + '𠮷𠮷' }), a.ref).query.q).toBe('噪'.repeat(199) + '𠮷');
		} finally {
			vi.useRealTimers();
		}
	});
});

describe('the search export beyond its limit', () => {
	it('keeps the newest hits and says so in the name and the last line of the file; a whole export says nothing', async () => {
		const q = { q: '噪音' };
		const { total } = await searchTickets(a.analytics.conn, a.ref, q);
		expect(total).toBeGreaterThan(5);
		const cut = await searchExportFile(a.analytics.conn, a.ref, q, NOW, 5);
		expect(cut.name).toBe('检索-噪音-2026-11-28-最新5条.csv');
		const lines = cut.body.split('\r\n');
		expect(lines).toHaveLength(1 + 5 + 1 + 1); // header, the rows, the note, the last line break
		expect(lines[6]).toBe(`（此文件只含最新的 5 条：符合条件的工单共 ${total} 条，其余未导出；请缩小起止日期、区县等条件后分批导出）`);
		// the newest: the first five of the whole export
		const whole = await searchExportFile(a.analytics.conn, a.ref, q, NOW, total);
		expect(whole.name).toBe('检索-噪音-2026-11-28.csv');
		expect(whole.body.split('\r\n').slice(0, 6)).toEqual(lines.slice(0, 6));
		expect(whole.body.split('\r\n')).toHaveLength(1 + total + 1);
		expect(whole.body).not.toContain('此文件只含');
	});

	it('says on the page, beside the button, that the export keeps only the newest hits when there are more', async () => {
		const user = { id: 1, username: 'analyst', displayName: '分析员', role: 'analyst', unitCode: null, unitName: null };
		setApp(Promise.resolve(a));
		const data = (await searchLoad({ locals: { user }, url: new URL('http://x/search?q=%E5%99%AA%E9%9F%B3') } as never)) as Exclude<Awaited<ReturnType<typeof searchLoad>>, void>;
		const page = (total: number, approximate = false) =>
			render(SearchPage, { props: { data: { ...data, user: null, nav: [], result: { ...data.result!, total, approximate } }, params: {} } as never }).body;
		expect(page(SEARCH_EXPORT_LIMIT)).not.toContain('search-export-limit');
		const over = page(SEARCH_EXPORT_LIMIT + 1234, true);
		expect(over).toMatch(/data-testid="search-export"/);
		expect(over).toMatch(/data-testid="search-export-limit"[^>]*>\s*导出只含最新的 50,000 条，其余约 1,234 条不导出（文件名和文件末行会注明）/);
		expect(page(SEARCH_EXPORT_LIMIT + 1)).toMatch(/其余 1 条不导出/);
	});
});

describe('sentiment by district and unit', () => {
	it('adds up to the tickets of the period and ranks units by their share of discontent', async () => {
		const b = await sentimentBreakdown(a.analytics.conn, a.ref, { from: '2026-10-01', to: '2026-11-28', minTickets: 10 });
		expect(b.districts.reduce((x, r) => x + r.n, 0)).toBe(await count(`SELECT 1 FROM tickets_fact WHERE day BETWEEN '2026-10-01' AND '2026-11-28' AND district_code IS NOT NULL`));
		for (const r of [...b.districts, ...b.units]) {
			expect(r.mean).toBeGreaterThanOrEqual(-1);
			expect(r.mean).toBeLessThanOrEqual(1);
		}
		const shares = b.units.map((u) => u.negativeShare);
		expect([...shares].sort((x, y) => y - x)).toEqual(shares);
		expect(b.units.every((u) => u.n >= 10)).toBe(true);
	});
});

describe('classifier', () => {
	it('trains in a worker thread from the store into a model file that suggests the right class', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'minqing-model-'));
		try {
			const path = join(dir, 'models', 'classifier.json');
			const seg = createSegmenter({});
			const r = await trainToFile(a.analytics.conn, path, { referenceDir: a.config.referenceDir, segmenter: seg, perClass: 60 });
			expect(r.examples).toBeGreaterThan(1000);
			const model = loadModel(path);
			const s = suggest(model, { title: '楼上装修噪音扰民', content: '楼上每天晚上十点以后还在用电钻，孩子没法睡觉' }, seg);
			expect(s.level1[0].code).toBe('02');
			expect(s.categories).toHaveLength(3);
			expect(s.units.length).toBeGreaterThan(0);
			const sum = s.level1.reduce((x, c) => x + c.p, 0);
			expect(sum).toBeLessThanOrEqual(1.0001);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}, 120_000);
});

describe('topics', () => {
	it('lists the latest run with sizes, growth, sentiment and daily series that add up', async () => {
		const s = (await runTopics(a.analytics.conn, a.ref, { days: 30, now: NOW }))!;
		const o = await topicsOverview(a.analytics.conn, a.ref);
		expect(o.run?.id).toBe(s.runId);
		expect(o.topics.length).toBe(s.k);
		expect(o.topics.reduce((x, t) => x + t.size, 0) + s.outliers).toBe(s.tickets);
		for (const t of o.topics) {
			expect(t.daily.length).toBe(o.days.length);
			expect(t.daily.reduce((x, n) => x + n, 0)).toBe(t.size + t.prevSize);
			expect(t.sentiment).not.toBeNull();
		}
		const d = await topicDetail(a.analytics.conn, a.ref, o.topics[0].id);
		expect(d.words.length).toBeGreaterThan(0);
		expect(d.districts.reduce((x, r) => x + r.n, 0)).toBeLessThanOrEqual(o.topics[0].size);
		expect(d.assignedSince).toBe(0);
		// a ticket assigned after the run counts in the districts, and the detail says how many such there are
		await a.analytics.conn.run(
			`INSERT INTO ticket_topics SELECT run_id, ticket_no, $id, 0.5, 'assigned' FROM ticket_topics f WHERE run_id = $run AND how = 'baseline'
			 AND ticket_no IN (SELECT ticket_no FROM tickets_fact WHERE district_code IS NOT NULL) LIMIT 1`,
			{ id: o.topics[0].id, run: o.run!.id }
		);
		const later = await topicDetail(a.analytics.conn, a.ref, o.topics[0].id);
		expect(later.assignedSince).toBe(1);
		expect(later.districts.reduce((x, r) => x + r.n, 0)).toBe(d.districts.reduce((x, r) => x + r.n, 0) + 1);
		await a.analytics.conn.run(`DELETE FROM ticket_topics WHERE run_id = $run AND topic_id = $id AND how = 'assigned'`, { run: o.run!.id, id: o.topics[0].id });
		await expect(topicDetail(a.analytics.conn, a.ref, 9999)).rejects.toThrow('话题 9999 不存在');

		// the overview's topics panel counts a topic's tickets within the page's filter
		const ctx = { db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now: NOW };
		const all = await overviewData(ctx, parseDashboardFilter(new URLSearchParams('period=30d'), a.ref, NOW).filter);
		expect(all.topics[0].size).toBe(o.topics[0].size);
		const inDistrict = await overviewData(ctx, parseDashboardFilter(new URLSearchParams('period=30d&district=320583'), a.ref, NOW).filter);
		expect(inDistrict.topics.length).toBeGreaterThan(0);
		for (const t of inDistrict.topics)
			expect(t.size).toBe(
				await count(`SELECT 1 FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no)
					WHERE tt.run_id = '${s.runId}' AND tt.topic_id = ${t.id} AND tt.how <> 'baseline' AND f.district_code = '320583'`)
			);
	});

	it('counts the topics of the overview within the period, and says when the period reaches before the tickets of the run', async () => {
		const [{ run_id: run }] = await queryRows<{ run_id: string }>(a.analytics.conn, `SELECT run_id FROM topic_runs ORDER BY created_at DESC LIMIT 1`);
		const ctx = { db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now: NOW };
		const overview = (qs: string) => overviewData(ctx, parseDashboardFilter(new URLSearchParams(qs), a.ref, NOW).filter);
		const inDays = (id: number, from: string, to: string, how = `tt.how <> 'baseline'`) =>
			count(`SELECT 1 FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no) WHERE tt.run_id = '${run}' AND tt.topic_id = ${id} AND ${how}
				AND f.day BETWEEN DATE '${from}' AND DATE '${to}'`);
		const month = await overview('period=30d');
		for (const [qs, from] of [
			['period=today', '2026-11-28'],
			['period=7d', '2026-11-22']
		] as const) {
			const o = await overview(qs);
			expect(o.topicsWindow, qs).toEqual({ from, to: '2026-11-28', clipped: false });
			expect(o.topics.length, qs).toBeGreaterThan(0);
			for (const t of o.topics) expect(t.size, `${qs} topic ${t.id}`).toBe(await inDays(t.id, from, '2026-11-28'));
			// fewer tickets than the whole run: the period counts
			expect(o.topics.reduce((x, t) => x + t.size, 0), qs).toBeLessThan(month.topics.reduce((x, t) => x + t.size, 0));
		}
		// a finished week: growth against the week before (tickets assigned to the topics, the run's baseline too)
		const week = await overview('from=2026-11-20&to=2026-11-26');
		for (const t of week.topics) {
			const prev = await inDays(t.id, '2026-11-13', '2026-11-19', 'true');
			expect(t.growth, `topic ${t.id}`).toBe(prev > 0 ? (t.size - prev) / prev : null);
			// none before: 新出现, not a growth from nothing
			expect(t.isNew, `topic ${t.id}`).toBe(prev === 0);
		}
		// a year: only the run's days can be counted, and the page is told
		const year = await overview('period=365d');
		expect(year.topicsWindow).toEqual({ from: '2026-10-30', to: '2026-11-28', clipped: true });
		for (const t of year.topics) expect(t.size).toBe(await inDays(t.id, '2026-10-30', '2026-11-28'));
		// a period before the run's tickets: no topic counts
		const before = await overview('from=2026-09-01&to=2026-10-15');
		expect(before.topicsWindow).toBeNull();
		expect(before.topics).toEqual([]);
	});
});

describe('工单档案', () => {
	const analyst = { id: 1, username: 'analyst', displayName: '分析员', role: 'analyst', unitCode: null, unitName: null };
	const leader = { id: 2, username: 'leader', displayName: '领导', role: 'leader', unitCode: null, unitName: null };
	const open = async (user: typeof analyst, no: string) =>
		(await recordLoad({ locals: { user }, params: { no }, url: new URL(`http://x/search/${encodeURIComponent(no)}`) } as never)) as Exclude<Awaited<ReturnType<typeof recordLoad>>, void>;

	it('shows a ticket of the history as the facts hold it: place, category, unit, each handling round, its topic', async () => {
		// a ticket that went to units more than once (returned or reopened), in a topic of the latest run
		const [f] = await queryRows<{
			ticket_no: string; status: string; category_code: string; district_code: string; street_code: string | null; unit_code: string;
			units: string[]; replied: boolean[]; sign_on_time: boolean | null; topic_id: number; urgency: string;
		}>(
			a.analytics.conn,
			`SELECT f.ticket_no, f.status, f.category_code, f.district_code, f.street_code, f.unit_code, sign_on_time, f.urgency,
			        list_transform(f.rounds, x -> x.unit) AS units, list_transform(f.rounds, x -> x.replied_at IS NOT NULL) AS replied, tt.topic_id
			 FROM tickets_fact f JOIN ticket_topics tt USING (ticket_no)
			 WHERE len(f.rounds) > 1 AND f.category_code IS NOT NULL AND f.district_code IS NOT NULL AND f.unit_code IS NOT NULL
			   AND tt.run_id = (SELECT run_id FROM topic_runs ORDER BY created_at DESC LIMIT 1) AND tt.topic_id >= 0 AND tt.how <> 'baseline'
			 ORDER BY f.day DESC, f.ticket_no LIMIT 1`
		);
		expect(f).toBeDefined();
		const r = (await ticketRecord(a.analytics.conn, a.ref, f.ticket_no))!;
		const unitName = (c: string) => a.ref.unitByCode.get(c)!.name;
		expect(r).toMatchObject({
			ticketNo: f.ticket_no,
			status: f.status,
			statusLabel: STATUS_LABELS[f.status as keyof typeof STATUS_LABELS],
			category: { code: f.category_code, path: a.ref.categoryByCode.get(f.category_code)!.path },
			districtCode: f.district_code,
			unit: unitName(f.unit_code),
			signOnTime: f.sign_on_time,
			urgent: f.urgency === 'urgent'
		});
		expect(r.place.startsWith(a.ref.districtByCode.get(f.district_code)!.name)).toBe(true);
		expect(r.rounds!.map((x) => x.unit)).toEqual(f.units.map(unitName));
		expect(r.rounds!.map((x) => x.repliedAt !== null)).toEqual(f.replied);
		expect(r.topics.map((t) => t.id)).toContain(f.topic_id);
		// times as instants: the first round's dispatch comes after the receipt
		expect(Date.parse(r.rounds![0].dispatchedAt!)).toBeGreaterThanOrEqual(Date.parse(r.receivedAt));
		// any spelling of the number finds it; a number of no ticket finds none
		expect((await ticketRecord(a.analytics.conn, a.ref, ` ${f.ticket_no.toLowerCase()} `))?.ticketNo).toBe(f.ticket_no);
		expect(await ticketRecord(a.analytics.conn, a.ref, `${f.ticket_no.slice(0, 11)}999999`)).toBeNull();
	});

	it('masks the text as every analytics screen does, keeps no hidden word among the keywords, and names each data-quality flag', async () => {
		const [{ no }] = await queryRows<{ no: string }>(a.analytics.conn, `SELECT ticket_no AS no FROM tickets_fact ORDER BY day, ticket_no LIMIT 1`);
		await a.analytics.conn.run(`CREATE TEMP TABLE rec_before AS SELECT ticket_no, content, address, keywords, flags FROM tickets_fact WHERE ticket_no = $no`, { no });
		try {
			await a.analytics.conn.run(
				`UPDATE tickets_fact SET content = '我叫王小明，电话13912345678，楼上噪音很大', address = '姑苏区人民路100号 13912345678',
				 keywords = ['小明', '噪音'], flags = ['lonlat_swapped', 'some_future_flag'] WHERE ticket_no = $no`,
				{ no }
			);
			const r = (await ticketRecord(a.analytics.conn, a.ref, no))!;
			expect(r.content).toContain('楼上噪音很大');
			expect(`${r.content} ${r.address}`).not.toMatch(/小明|13912345678/);
			expect(r.keywords).toEqual(['噪音']);
			expect(r.flags).toEqual([
				{ code: 'lonlat_swapped', label: '来源所报经纬度顺序颠倒，已纠正' },
				{ code: 'some_future_flag', label: 'some_future_flag' }
			]);
		} finally {
			await a.analytics.conn.run(
				`UPDATE tickets_fact f SET content = b.content, address = b.address, keywords = b.keywords, flags = b.flags FROM rec_before b WHERE f.ticket_no = b.ticket_no`
			);
			await a.analytics.conn.run(`DROP TABLE rec_before`);
		}
	});

	it('lists as 相关工单 the caller’s tickets within 30 days either way, and the street’s with similar text, by the rule of 工单详情', async () => {
		// a caller with a few tickets, one of them placed in a street
		const [c] = await queryRows<{ no: string; day: string; street: string; key: string }>(
			a.analytics.conn,
			`SELECT ticket_no AS no, strftime(day, '%Y-%m-%d') AS day, street_code AS street, caller_key AS key FROM tickets_fact
			 WHERE caller_key IN (SELECT caller_key FROM tickets_fact WHERE caller_key IS NOT NULL GROUP BY 1 HAVING count(*) BETWEEN 3 AND 10)
			   AND street_code IS NOT NULL ORDER BY day DESC, ticket_no LIMIT 1`
		);
		const callers = await queryRows<{ no: string }>(
			a.analytics.conn,
			`SELECT ticket_no AS no FROM tickets_fact WHERE caller_key = $key AND ticket_no <> $no AND day BETWEEN $day::DATE - 30 AND $day::DATE + 30`,
			{ key: c.key, no: c.no, day: c.day }
		);
		expect(callers.length).toBeGreaterThan(0);
		// another caller's ticket of the same street 20 days later, given the same words; one of the caller's 40 days later
		const [other] = await queryRows<{ no: string; content: string; title: string | null }>(
			a.analytics.conn,
			`SELECT ticket_no AS no, content, title FROM tickets_fact WHERE caller_key IS DISTINCT FROM $key AND ticket_no <> $no ORDER BY day DESC, ticket_no LIMIT 1`,
			{ key: c.key, no: c.no }
		);
		const [far] = await queryRows<{ no: string; key: string | null }>(
			a.analytics.conn,
			`SELECT ticket_no AS no, caller_key AS key FROM tickets_fact WHERE caller_key IS DISTINCT FROM $key AND ticket_no NOT IN ($no, $other) ORDER BY day, ticket_no LIMIT 1`,
			{ key: c.key, no: c.no, other: other.no }
		);
		await a.analytics.conn.run(`CREATE TEMP TABLE rel_before AS SELECT * FROM tickets_fact WHERE ticket_no IN ($a, $b)`, { a: other.no, b: far.no });
		try {
			await a.analytics.conn.run(
				`UPDATE tickets_fact SET street_code = $street, title = t.title, content = t.content, address = t.address,
				        received_at = t.received_at + INTERVAL 20 DAY, day = t.day + 20
				 FROM (SELECT title, content, address, received_at, day FROM tickets_fact WHERE ticket_no = $no) t WHERE ticket_no = $other`,
				{ street: c.street, no: c.no, other: other.no }
			);
			await a.analytics.conn.run(
				`UPDATE tickets_fact SET caller_key = $key, received_at = t.received_at + INTERVAL 40 DAY, day = t.day + 40
				 FROM (SELECT received_at, day FROM tickets_fact WHERE ticket_no = $no) t WHERE ticket_no = $far`,
				{ key: c.key, no: c.no, far: far.no }
			);
			const r = (await ticketRecord(a.analytics.conn, a.ref, c.no))!;
			const related = await relatedRecords(a.analytics.conn, r);
			const why = new Map(related.items.map((x) => [x.ticketNo, x.why]));
			expect(related.total).toBe(related.items.length);
			expect([...why].filter(([, w]) => w.startsWith('同一来电人')).map(([no]) => no).sort()).toEqual(callers.map((x) => x.no).sort());
			expect(why.get(other.no)).toBe('同一地点，内容相似');
			expect(related.items.find((x) => x.ticketNo === other.no)?.repeat).toBe(true);
			expect(why.has(far.no)).toBe(false);
			// newest first
			const times = related.items.map((x) => x.receivedAt);
			expect([...times].sort().reverse()).toEqual(times);
		} finally {
			await a.analytics.conn.run(`DELETE FROM tickets_fact WHERE ticket_no IN (SELECT ticket_no FROM rel_before)`);
			await a.analytics.conn.run(`INSERT INTO tickets_fact SELECT * FROM rel_before`);
			await a.analytics.conn.run(`DROP TABLE rel_before`);
		}
	});

	it('opens for the analytics screens’ users, links 工单详情 for whom the case store shows it, and answers an unknown number with 404', async () => {
		setApp(Promise.resolve(a));
		const [{ no }] = await queryRows<{ no: string }>(a.analytics.conn, `SELECT ticket_no AS no FROM tickets_fact WHERE source = 'demo' ORDER BY day DESC LIMIT 1`);
		const history = await open(analyst, no);
		expect(history.archive).toMatchObject({ openable: false, alerts: [] });
		expect(history.archive.record.ticketNo).toBe(no);
		const page = render(RecordPage, { props: { data: { ...history, user: null, nav: [] }, params: { no } } as never }).body;
		expect(page).toContain(history.archive.record.content.slice(0, 20));
		expect(page).not.toContain('工单详情中查看');
		// a ticket registered here: a leader may open its case, an analyst (who works on no cases) may not
		const operator = { id: null, role: 'operator' as const, unitCode: null, displayName: '话务员' };
		const held = (await registerTicket(a, operator, { channel: 'phone', type: '咨询', title: '档案', content: '请问社保卡怎么补办', address: '' })).ticketNo;
		await syncIdle(a);
		expect((await open(leader, held)).archive.openable).toBe(true);
		expect((await open(analyst, held)).archive.openable).toBe(false);
		const leaderPage = render(RecordPage, { props: { data: { ...(await open(leader, held)), user: null, nav: [] }, params: { no: held } } as never }).body;
		expect(leaderPage).toContain(`href="/tickets/${held}"`);
		// a number typed in lower case goes to the record's own address; one no ticket has is a 404 that says why
		await expect(open(analyst, held.toLowerCase())).rejects.toMatchObject({ status: 302, location: `/search/${held}` });
		await expect(open(analyst, `${no.slice(0, 11)}999999`)).rejects.toMatchObject({ status: 404, body: { message: expect.stringContaining('没有编号为') } });
		// roles that see no analytics screen are refused
		await expect(open({ ...analyst, role: 'operator' }, no)).rejects.toMatchObject({ status: 403 });
	});
});
