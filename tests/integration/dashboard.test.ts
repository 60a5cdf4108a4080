// The situation screens' reads over a real demo store: rollups equal the facts they summarise, and every
// figure of the overview, the map and the unit panel equals a direct query over tickets_fact.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { mapData, overviewData, unitPanel, type DashboardContext } from '../../src/lib/server/analytics/dashboard';
import { parseDashboardFilter } from '../../src/lib/server/analytics/filters';
import { duckRunner } from '../../src/lib/server/analytics/sql';
import { generateDemo, setApp, stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import type { DashboardOverview, MapData, SessionUser } from '../../src/lib/types';
import { load as wallLoad } from '../../src/routes/wall/+page.server';
import { GET as wallApi } from '../../src/routes/api/v1/dashboard/wall/+server';
import { GET as overviewApi } from '../../src/routes/api/v1/overview/+server';
import { GET as mapApi } from '../../src/routes/api/v1/dashboard/map/+server';
import { GET as unitsApi } from '../../src/routes/api/v1/dashboard/units/+server';
import { load as overviewLoad } from '../../src/routes/(app)/+page.server';
import { load as alertsLoad } from '../../src/routes/(app)/alerts/+page.server';
import { load as mapLoad } from '../../src/routes/(app)/map/+page.server';
import { GET as alertsApi } from '../../src/routes/api/v1/alerts/+server';
import { alerts as alertsTable } from '../../src/lib/server/db/schema';
import OverviewPage from '../../src/routes/(app)/+page.svelte';
import MapPage from '../../src/routes/(app)/map/+page.svelte';
import { canSee } from '../../src/lib/nav';
import { render } from 'svelte/server';
import type { Role } from '../../src/lib/types';
import { parseSearchParams } from '../../src/lib/server/text/params';
import { searchTickets } from '../../src/lib/server/text/search';
import { placeTicketsHref, ticketsHref } from '../../src/lib/filter-url';
import { ensureWarehouse, rebuildRollups, setMeta } from '../../pipelines/warehouse/schema';
import { dayKind, referenceDays, trimmedMean, weekday } from '../../pipelines/stats/baseline';
import { historyWindows } from '../../pipelines/stats/hotspots';
import { baseTable, MEASURES, OPEN_STATUS_SQL, OPEN_TICKETS, ROLLUPS, UNIT_ROUNDS } from '../../pipelines/warehouse/rollups';

let a: App;
let ctx: DashboardContext;
const NOW = Date.parse('2026-11-28T15:30:00+08:00');

beforeAll(async () => {
	a = await startMemoryApp();
	await generateDemo(a, { tickets: 12_000, days: 150, seed: 7, now: NOW }, () => {});
	ctx = { db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now: NOW };
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

const q = <T extends Record<string, unknown>>(sql: string) => queryRows<T>(a.analytics.conn, sql);
const leader: SessionUser = { id: 1, username: 't_leader', displayName: 'leader', role: 'leader', unitCode: null, unitName: null };
const n = async (where: string) => (await q<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM tickets_fact WHERE ${where}`))[0].n;
const filterOf = (qs: string) => {
	const r = parseDashboardFilter(new URLSearchParams(qs), a.ref, NOW);
	expect(r.problems).toEqual([]);
	return r.filter;
};

/** Rows of `sql` minus rows of `other`, both ways: empty when the two give the same multiset of rows. */
async function differences(sql: string, other: string): Promise<number> {
	const [{ d }] = await q<{ d: number }>(
		`SELECT ((SELECT count(*) FROM ((${sql}) EXCEPT ALL (${other}))) + (SELECT count(*) FROM ((${other}) EXCEPT ALL (${sql}))))::DOUBLE AS d`
	);
	return d;
}

describe('rollups', () => {
	it('hold exactly the measures of the facts (by unit, of the handling rounds), group by group', async () => {
		for (const r of ROLLUPS) {
			const dims = r.dims.join(', ');
			const where = r.recentOnly ? `WHERE day >= current_date - INTERVAL 90 DAY` : '';
			const facts = `SELECT ${dims}, ${r.measures.map((m) => `(${MEASURES[m]})::INTEGER`).join(', ')} FROM ${baseTable(r)} ${where} GROUP BY ALL`;
			const rollup = `SELECT ${dims}, ${r.measures.join(', ')} FROM ${r.table}`;
			expect(await differences(facts, rollup), r.table).toBe(0);
			expect((await q<{ c: number }>(`SELECT count(*)::DOUBLE AS c FROM ${r.table}`))[0].c, r.table).toBeGreaterThan(0);
		}
		// the rounds, against what the demo's events say of each ticket: one ended by each return, an extension
		// approved in at most one round, a reopening after the round visited 不满意 (the demo reopens only so)
		const rounds = UNIT_ROUNDS.table;
		const one = async (sql: string) => (await q<{ v: number }>(`SELECT (${sql})::DOUBLE AS v`))[0].v;
		expect(await n('rounds IS NULL')).toBe(0);
		expect(await one(`SELECT count(*) FILTER (WHERE NOT assist) FROM ${rounds}`)).toBe(await one(`SELECT sum(len(rounds)) FROM tickets_fact`));
		// and a row for each unit each dispatch named to assist (协办), which the demo does for some
		expect(await one(`SELECT count(*) FILTER (WHERE assist) FROM ${rounds}`)).toBe(await one(`SELECT coalesce(sum(len(assists)), 0) FROM tickets_fact`));
		expect(await n('assists IS NOT NULL')).toBeGreaterThan(0);
		expect(await one(`SELECT count(*) FILTER (WHERE returns = 1) FROM ${rounds}`)).toBe(await one(`SELECT sum(returns) FROM tickets_fact`));
		expect(await one(`SELECT count(*) FILTER (WHERE extensions = 1) FROM ${rounds}`)).toBe(await one(`SELECT sum(extensions) FROM tickets_fact`));
		expect(await one(`SELECT count(*) FILTER (WHERE reopens = 1 AND satisfaction = '不满意') FROM ${rounds}`)).toBe(await one(`SELECT sum(reopens) FROM tickets_fact`));
		expect(await n('returns > 0')).toBeGreaterThan(0);
		const cols = OPEN_TICKETS.columns.join(', ');
		expect(await differences(`SELECT ${cols} FROM tickets_fact WHERE status IN ${OPEN_STATUS_SQL}`, `SELECT ${cols} FROM open_tickets`)).toBe(0);
		expect(await n(`status IN ${OPEN_STATUS_SQL}`)).toBeGreaterThan(0);
	});

	it('are rebuilt once when a store was made by another rollup version', async () => {
		await a.analytics.conn.run('DELETE FROM rollup_daily_l1');
		await a.analytics.conn.run('DELETE FROM open_tickets');
		await setMeta(a.analytics.conn, 'rollup_version', 'old');
		await ensureWarehouse(a.analytics.conn);
		const [{ r, f }] = await q<{ r: number; f: number }>(
			`SELECT (SELECT sum(n) FROM rollup_daily_l1)::DOUBLE AS r, (SELECT count(*) FROM tickets_fact)::DOUBLE AS f`
		);
		expect(r).toBe(f);
		expect((await q<{ c: number }>('SELECT count(*)::DOUBLE AS c FROM open_tickets'))[0].c).toBe(await n(`status IN ${OPEN_STATUS_SQL}`));
	});
});

describe('overview', () => {
	it('counts the periods, rates, open tickets and rankings as the facts do', async () => {
		const f = filterOf('period=30d');
		const o = await overviewData(ctx, f);
		expect(o.asOf).toBe('2026-11-28');
		expect([f.from, f.to]).toEqual(['2026-10-30', '2026-11-28']);
		expect(o.volume.map((v) => v.observed)).toEqual([
			await n(`day = DATE '2026-11-28'`),
			await n(`day BETWEEN DATE '2026-11-22' AND DATE '2026-11-28'`),
			await n(`day BETWEEN DATE '2026-10-30' AND DATE '2026-11-28'`)
		]);
		for (const v of o.volume) {
			expect(v.expected).not.toBeNull();
			expect(v.low!).toBeLessThanOrEqual(v.expected!);
			expect(v.high!).toBeGreaterThanOrEqual(v.expected!);
		}
		const period = `day BETWEEN DATE '2026-10-30' AND DATE '2026-11-28'`;
		expect(o.rates.received).toBe(await n(period));
		expect(o.rates.acceptanceRate).toBeCloseTo(
			(await n(`${period} AND status NOT IN ('received', 'not_accepted', 'transferred')`)) / (await n(`${period} AND status <> 'received'`)),
			10
		);
		const now = `to_timestamp(${NOW / 1000})`;
		// handling is counted by round, as the unit assessment counts it: the rounds read here from the facts' own
		// list (a ticket without one, a feed's, is one round of its unit); `$` stands for the round or the fact
		const rounds = async (cond: string) =>
			(
				await q<{ v: number }>(
					`SELECT (coalesce(sum(len(list_filter(rounds, r -> ${cond.replaceAll('$', 'r.')}))), 0) +
					        count(*) FILTER (WHERE rounds IS NULL AND unit_code IS NOT NULL AND ${cond.replaceAll('$', '')}))::DOUBLE AS v
					 FROM tickets_fact WHERE ${period}`
				)
			)[0].v;
		const lateReply = await n(`${period} AND status IN ${OPEN_STATUS_SQL} AND replied_at IS NULL AND reply_deadline < ${now}`);
		expect(o.rates.replyRate).toBeCloseTo(
			(await rounds(`$replied_at <= $reply_deadline`)) /
				((await rounds(`$replied_at IS NOT NULL AND $reply_deadline IS NOT NULL`)) + lateReply),
			10
		);
		const visits = await rounds(`$satisfaction IS NOT NULL`);
		expect(o.rates.visited).toBe(visits);
		expect(o.rates.satisfactionRate).toBeCloseTo((await rounds(`$satisfaction IN ('满意', '基本满意')`)) / visits, 10);
		// more visits than tickets visited: a reply visited 不满意 and handled again is visited again
		expect(visits).toBeGreaterThan(await n(`${period} AND satisfaction IS NOT NULL`));
		expect(o.open.open).toBe(await n(`status IN ${OPEN_STATUS_SQL}`));
		expect(o.open.overdue).toBe(
			await n(`status IN ${OPEN_STATUS_SQL} AND ((signed_at IS NULL AND sign_deadline < ${now}) OR (replied_at IS NULL AND reply_deadline < ${now}))`)
		);
		// who is late: each unit's open tickets past a limit now, most first; the others counted
		const lateCond = `status IN ${OPEN_STATUS_SQL} AND ((signed_at IS NULL AND sign_deadline < ${now}) OR (replied_at IS NULL AND reply_deadline < ${now}))`;
		const byUnit = await q<{ unit: string; late: number; open: number }>(
			`SELECT unit_code AS unit, (count(*) FILTER (WHERE ${lateCond}))::DOUBLE AS late, (count(*) FILTER (WHERE status IN ${OPEN_STATUS_SQL}))::DOUBLE AS open
			 FROM tickets_fact WHERE unit_code IS NOT NULL GROUP BY 1 HAVING late > 0 ORDER BY late DESC, open DESC, unit`
		);
		expect(byUnit.length).toBeGreaterThan(0);
		expect(o.lateUnits.map((u) => [u.code, u.overdue, u.open])).toEqual(byUnit.slice(0, 8).map((r) => [r.unit, r.late, r.open]));
		expect(o.lateUnitsOther).toEqual({ units: Math.max(0, byUnit.length - 8), overdue: byUnit.slice(8).reduce((s, r) => s + r.late, 0) });
		for (const u of o.lateUnits) expect(u.signOverdue + u.replyOverdue).toBeGreaterThanOrEqual(u.overdue);
		for (const c of o.categories.slice(0, 5)) expect(c.count).toBe(await n(`${period} AND category_l1 = '${c.code}'`));
		for (const p of o.places) expect(p.count).toBe(await n(`${period} AND district_code = '${p.code}'`));
		for (const c of o.channels) expect(c.previous).toBe(await n(`day BETWEEN DATE '2026-09-30' AND DATE '2026-10-29' AND channel = '${c.code}'`));
		expect(o.trend.at(-1)!.day).toBe('2026-11-27'); // whole days only
		expect(o.trend.at(-1)!.count).toBe(await n(`day = DATE '2026-11-27'`));
		expect(o.totalTickets).toBe(await n('true'));
	});

	it('applies every filter to every panel, reading the facts where no rollup has the dimensions', async () => {
		const district = '320583';
		const f = filterOf(`period=7d&district=${district}&type=投诉`);
		const o = await overviewData(ctx, f);
		const base = `district_code = '${district}' AND type = '投诉'`;
		expect(o.volume[1].observed).toBe(await n(`${base} AND day BETWEEN DATE '2026-11-22' AND DATE '2026-11-28'`));
		expect(o.placeLevel).toBe('street');
		expect(o.places.length).toBeGreaterThan(0);
		// streets × type: no rollup has both, so this comes from the facts
		for (const s of o.places) expect(s.count).toBe(await n(`${base} AND street_code = '${s.code}' AND day BETWEEN DATE '2026-11-22' AND DATE '2026-11-28'`));
		expect(o.types.map((t) => t.code)).toEqual(['投诉']);

		const l1 = o.categories[0]?.code ?? a.ref.categories.find((c) => c.level === 1)!.code;
		const byCat = await overviewData(ctx, filterOf(`period=30d&category=${l1}`));
		expect(byCat.categoryLevel).toBe(2);
		for (const c of byCat.categories) expect(c.count).toBe(await n(`category_l2 = '${c.code}' AND day BETWEEN DATE '2026-10-30' AND DATE '2026-11-28'`));
	});
});

describe('较上期', () => {
	it('compares a period still in progress with the period before at the same progress, a finished one with the whole', async () => {
		// the share of a normal day's tickets in by 15:30: hours before 15 and half of hour 15, on the days today's
		// baseline compares it with (2026-11-28 is a Saturday: the ordinary Saturdays before it, within the hourly rollup)
		const refs = referenceDays(a.calendar, '2026-11-28', (d) => d >= '2026-08-30' && d < '2026-11-28');
		expect(refs.length).toBe(8);
		for (const d of refs) expect([dayKind(a.calendar, d), weekday(d)]).toEqual(['weekend', 6]);
		const [{ before, half, all }] = await q<{ before: number; half: number; all: number }>(
			`SELECT count(*) FILTER (WHERE hour(received_at) < 15)::DOUBLE AS before, count(*) FILTER (WHERE hour(received_at) = 15)::DOUBLE AS half,
			        count(*)::DOUBLE AS all FROM tickets_fact WHERE day IN (${refs.map((d) => `DATE '${d}'`).join(', ')})`
		);
		const share = (before + half / 2) / all;
		expect(share).toBeGreaterThan(0.3);
		expect(share).toBeLessThan(0.9);
		for (const [qs, len] of [
			['period=today', 1],
			['period=7d', 7]
		] as const) {
			const o = await overviewData(ctx, filterOf(qs));
			const scale = (len - 1 + share) / len;
			for (const r of [...o.channels, ...o.places, ...o.categories, ...o.types]) {
				if (r.previous === 0) continue;
				expect(r.change!, `${qs} ${r.code}`).toBeCloseTo((r.count - r.previous * scale) / (r.previous * scale), 10);
			}
			expect(o.comparison.scale, qs).toBeCloseTo(scale, 10);
			const previous = o.channels.reduce((a, r) => a + r.previous, 0);
			expect(previous).toBe(await n(`day BETWEEN DATE '${o.comparison.from}' AND DATE '${o.comparison.to}'`));
		}
		// a period that ended yesterday is whole: compared with the whole period before
		const done = await overviewData(ctx, filterOf('from=2026-11-21&to=2026-11-27'));
		const [{ first }] = await q<{ first: string }>(`SELECT CAST(min(day) AS VARCHAR) AS first FROM tickets_fact`);
		expect(done.comparison).toEqual({ from: '2026-11-14', to: '2026-11-20', scale: 1, covered: true, dataFrom: first });
		for (const r of done.channels) expect(r.change!).toBeCloseTo((r.count - r.previous) / r.previous, 10);
		// a period before the store's first day is not compared with: no row is new, none has a change
		const long = await overviewData(ctx, filterOf('period=90d'));
		expect(long.comparison.from < first).toBe(true);
		expect(long.comparison.covered).toBe(false);
		for (const r of [...long.categories, ...long.places, ...long.channels, ...long.types]) expect(r.change).toBeNull();
		const html = await renderOverview('leader', '?period=90d');
		expect(html).not.toContain('>新增<');
		expect(html).toContain(`该时段早于数据起始日（${first}），不作比较`);
	});
});

/** The ticket list a drill-down link opens: the search page's parse and read of its URL. */
async function drillTotal(href: string): Promise<{ total: number; problems: string[] }> {
	const { query, problems } = parseSearchParams(new URL(href, 'http://x').searchParams, a.ref);
	return { total: (await searchTickets(a.analytics.conn, a.ref, query)).total, problems };
}

describe('drill-down to the tickets', () => {
	it('opens exactly the tickets of a street ranked within a district, through the street filter of the search', async () => {
		const district = '320505';
		const f = filterOf(`period=30d&district=${district}`);
		const o = await overviewData(ctx, f);
		expect(o.placeLevel).toBe('street');
		expect(o.places.length).toBeGreaterThan(3);
		for (const p of o.places) {
			const href = placeTicketsHref(f, 'street', p.code);
			expect(new URL(href, 'http://x').searchParams.get('street')).toBe(p.code);
			expect(await drillTotal(href), p.name).toEqual({ total: p.count, problems: [] });
		}
		// the map's street table drills the same way
		const m = await mapData(ctx, f);
		for (const s of m.streets!.filter((x) => x.count > 0).slice(0, 3)) expect((await drillTotal(placeTicketsHref(f, 'street', s.code))).total).toBe(s.count);
		// and a district as before
		const city = filterOf('period=30d');
		const top = (await overviewData(ctx, city)).places[0];
		expect((await drillTotal(placeTicketsHref(city, 'district', top.code))).total).toBe(top.count);
	});

	it('ranks the level-3 categories within a level-2 filter, each drilling to exactly its own tickets, never the broader category', async () => {
		const f = filterOf('period=30d&category=0101');
		const period = `day BETWEEN DATE '${f.from}' AND DATE '${f.to}'`;
		const o = await overviewData(ctx, f);
		expect(o.categoryLevel).toBe(3);
		expect(o.categories.length).toBeGreaterThan(1);
		for (const c of o.categories) {
			expect(a.ref.categoryByCode.get(c.code)).toMatchObject({ level: 3, parent: '0101' });
			expect(c.count, c.code).toBe(await n(`${period} AND category_code = '${c.code}'`));
			expect(await drillTotal(ticketsHref(f, { category: c.code })), c.code).toEqual({ total: c.count, problems: [] });
		}
		expect(o.categories.reduce((s, c) => s + c.count, 0) + o.categoryUnsplit).toBe(await n(`${period} AND category_l2 = '0101'`));
		expect(o.categoryUnsplit).toBe(0);
		// a ticket classified no further than level 2 gets no bar of its own (a bar for 0101 would drill to all of it)
		const [{ t, leaf }] = await q<{ t: string; leaf: string }>(`SELECT ticket_no AS t, category_code AS leaf FROM tickets_fact WHERE ${period} AND category_l2 = '0101' LIMIT 1`);
		await a.analytics.conn.run(`UPDATE tickets_fact SET category_code = '0101' WHERE ticket_no = '${t}'`);
		try {
			const coarse = await overviewData(ctx, f);
			expect(coarse.categories.map((c) => c.code)).not.toContain('0101');
			expect(coarse.categoryUnsplit).toBe(1);
		} finally {
			await a.analytics.conn.run(`UPDATE tickets_fact SET category_code = '${leaf}' WHERE ticket_no = '${t}'`);
		}
	});

	it('names an unknown street, or a street outside the chosen district, in Chinese and ignores it', async () => {
		const bad = parseSearchParams(new URLSearchParams('street=999999999'), a.ref);
		expect(bad.problems).toEqual(['未知的街道（镇）代码「999999999」']);
		expect(bad.query.street ?? null).toBeNull();
		const street = a.ref.streets.find((s) => s.districtCode === '320505')!;
		const other = a.ref.districtByCode.get('320583')!;
		const mismatch = parseSearchParams(new URLSearchParams(`district=320583&street=${street.code}`), a.ref);
		expect(mismatch.problems).toEqual([`街道（镇）「${street.name}」不属于区县「${other.name}」，已忽略街道（镇）条件`]);
		expect(mismatch.query.district).toBe('320583');
		expect(mismatch.query.street ?? null).toBeNull();
		const ok = parseSearchParams(new URLSearchParams(`street=${street.code}`), a.ref);
		expect(ok).toMatchObject({ problems: [], query: { street: street.code } });
	});
});

describe('map', () => {
	it('gives each district its count, open and overdue tickets, and a significance against its own past', async () => {
		const f = filterOf('period=7d');
		const m = await mapData(ctx, f);
		expect(m.districts.map((d) => d.code).sort()).toEqual(a.ref.districts.map((d) => d.code).sort());
		for (const d of m.districts) {
			expect(d.count).toBe(await n(`district_code = '${d.code}' AND day BETWEEN DATE '2026-11-22' AND DATE '2026-11-28'`));
			expect(d.open).toBe(await n(`district_code = '${d.code}' AND status IN ${OPEN_STATUS_SQL}`));
			expect(d.expected).not.toBeNull();
			expect(d.q!).toBeGreaterThanOrEqual(0);
		}
		expect(m.days).toHaveLength(7);
		const total = Object.values(m.daily).reduce((s, v) => s + v.reduce((x, y) => x + y, 0), 0);
		expect(total).toBe(await n(`district_code IS NOT NULL AND day BETWEEN DATE '2026-11-22' AND DATE '2026-11-28'`));
		const points = m.points.reduce((s, p) => s + p.n, 0);
		expect(points).toBe(await n(`lon IS NOT NULL AND day BETWEEN DATE '2026-11-22' AND DATE '2026-11-28'`));
		expect(m.streets).toBeNull();

		const withStreets = await mapData(ctx, filterOf('period=30d&district=320505'));
		expect(withStreets.streets!.length).toBe(a.ref.streets.filter((s) => s.districtCode === '320505').length);
		const zs = withStreets.streets!.map((s) => s.z ?? -Infinity);
		expect(zs).toEqual([...zs].sort((x, y) => y - x));
	});
});

describe('map satisfaction', () => {
	it('is the overview’s for the same district and period: by handling round, so a visit 不满意 that reopened the ticket counts', async () => {
		for (const qs of ['period=30d&district=320505', 'period=90d&district=320508', 'period=30d']) {
			const f = filterOf(qs);
			const period = `day BETWEEN DATE '${f.from}' AND DATE '${f.to}'`;
			const district = f.district ? ` AND district_code = '${f.district}'` : '';
			// the data has such a ticket: visited 不满意 in one round, reopened, and visited again
			expect(await n(`${period}${district} AND reopens > 0 AND satisfaction IS NOT NULL`), qs).toBeGreaterThan(0);
			const [o, m] = await Promise.all([overviewData(ctx, f), mapData(ctx, f)]);
			if (f.district) {
				const d = m.districts.find((x) => x.code === f.district)!;
				expect(d.visited, qs).toBe(o.rates.visited);
				expect(d.satisfactionRate, qs).toBe(o.rates.satisfactionRate);
			} else {
				// the city: the districts' visits add up to the overview's (every demo ticket has a district)
				expect(m.districts.reduce((s, d) => s + d.visited, 0)).toBe(o.rates.visited);
			}
		}
		// a district's streets count their visits alike
		const f = filterOf('period=30d&district=320505');
		const m = await mapData(ctx, f);
		for (const st of m.streets!.slice(0, 5)) {
			const [r] = await q<{ v: number; s: number }>(
				`SELECT (count(*) FILTER (WHERE satisfaction IS NOT NULL))::DOUBLE AS v, (count(*) FILTER (WHERE satisfaction IN ('满意', '基本满意')))::DOUBLE AS s
				 FROM ${UNIT_ROUNDS.table} WHERE street_code = '${st.code}' AND day BETWEEN DATE '${f.from}' AND DATE '${f.to}'`
			);
			expect(st.visited, st.code).toBe(r.v);
			expect(st.satisfactionRate, st.code).toBe(r.v > 0 ? r.s / r.v : null);
		}
	});
});

describe('map significance', () => {
	it('expects a short period from the earlier days of each of its days’ kind, counted from the facts', async () => {
		// Thursday and Friday, finished: each day against the Thursdays and Fridays before it that were workdays
		const m = await mapData(ctx, filterOf('from=2026-11-26&to=2026-11-27'));
		const [{ first }] = await q<{ first: string }>(`SELECT CAST(min(day) AS VARCHAR) AS first FROM tickets_fact`);
		const windows = historyWindows(a.calendar, '2026-11-26', 2, 8, first);
		expect(windows).toHaveLength(8);
		for (const d of m.districts.slice(0, 4)) {
			const history: number[] = [];
			for (const w of windows)
				history.push(await n(`district_code = '${d.code}' AND day IN (${w.map((r) => `DATE '${r.from}'`).join(', ')})`));
			expect(d.expected, d.code).toBeCloseTo(trimmedMean(history), 10);
		}
	});
});

describe('unit panel', () => {
	it('scores units from the same counts the facts give', async () => {
		const f = filterOf('period=90d');
		const p = await unitPanel(ctx, f);
		expect(p.units.length).toBeGreaterThan(5);
		const top = p.units[0];
		expect(top.rank).toBe(1);
		expect(top.score).not.toBeNull();
		// every unit is charged with the rounds it held (the facts' rounds, read here without the rollups): a ticket it
		// returned, or that went on to another unit, stays among its dispatched ones; a return counts against it
		let movedOn = 0;
		const period = `day BETWEEN DATE '${f.from}' AND DATE '${f.to}'`;
		for (const u of p.units) {
			const of = (cond: string) =>
				q<{ v: number }>(`SELECT coalesce(sum(len(list_filter(rounds, r -> r.unit = '${u.code}'${cond}))), 0)::DOUBLE AS v FROM tickets_fact WHERE ${period}`).then((r) => r[0].v);
			movedOn += await n(`${period} AND list_contains(list_transform(rounds, r -> r.unit), '${u.code}') AND unit_code IS DISTINCT FROM '${u.code}'`);
			expect(u.dispatched, u.code).toBe(await of(''));
			if (u.dispatched) expect(u.rates.returnRate, u.code).toBeCloseTo((await of(' AND r.returned')) / u.dispatched, 10);
			if (u.dispatched) expect(u.rates.reopenRate, u.code).toBeCloseTo((await of(' AND r.reopened')) / u.dispatched, 10);
		}
		expect(movedOn).toBeGreaterThan(0);
		const scores = p.units.filter((u) => u.score !== null).map((u) => u.score!);
		expect(scores).toEqual([...scores].sort((x, y) => y - x));
		expect(p.months).toHaveLength(6);
		expect(p.months.at(-1)).toBe('2026-11');
	});

	it('scores the trend as the headline: for a period of this month, its last point is the score', async () => {
		const p = await unitPanel(ctx, filterOf('from=2026-11-01&to=2026-11-28'));
		const scored = p.units.filter((u) => u.score !== null);
		expect(scored.length).toBeGreaterThan(3);
		for (const u of scored) expect(u.trend.at(-1), u.code).toBe(u.score);
		// and some unit has open tickets past a limit, which both count against it
		const [{ late }] = await q<{ late: number }>(
			`SELECT count(*)::DOUBLE AS late FROM open_tickets WHERE day >= DATE '2026-11-01' AND unit_code IS NOT NULL
			 AND ((signed_at IS NULL AND sign_deadline < to_timestamp(${NOW / 1000})) OR (replied_at IS NULL AND reply_deadline < to_timestamp(${NOW / 1000})))`
		);
		expect(late).toBeGreaterThan(0);
	});
});

describe('a very early start', () => {
	it('is refused with a message, never a failed read, and the earliest day allowed reads on every screen', async () => {
		const early = parseDashboardFilter(new URLSearchParams('from=0001-01-01&to=2026-11-27'), a.ref, NOW);
		expect(early.problems).toEqual(['日期 0001-01-01 早于 2000-01-01，超出可统计的范围，已按近30天统计']);
		const earliest = filterOf('from=2000-01-01&to=2026-11-27');
		for (const f of [early.filter, earliest]) {
			const o = await overviewData(ctx, f);
			expect(o.rates.received).toBe(await n(`day BETWEEN DATE '${f.from}' AND DATE '${f.to}'`));
			await expect(mapData(ctx, f)).resolves.toBeDefined();
			await expect(unitPanel(ctx, f)).resolves.toBeDefined();
		}
	});
});

describe('wall (大屏)', () => {
	it('shows the overview and the map for one period, opened without one too', async () => {
		setApp(Promise.resolve(a));
		const leader: SessionUser = { id: 1, username: 't_leader', displayName: '领导', role: 'leader', unitCode: null, unitName: null };
		const open = async (qs: string) =>
			(await wallLoad({ locals: { user: leader }, url: new URL(`http://x/wall${qs}`) } as never)) as { overview: DashboardOverview; map: MapData; problems: string[] };
		for (const qs of ['', '?period=30d', '?from=2026-11-01&to=2026-11-20&district=320505']) {
			const w = await open(qs);
			expect(w.problems, qs).toEqual([]);
			expect(w.map.filter, qs).toEqual(w.overview.filter);
		}
		// the wall's refresh reads the same figures as JSON, for the filter the wall shows
		const api = async (qs: string, role: Role = 'leader') =>
			(await wallApi({ locals: { user: { ...leader, role } }, url: new URL(`http://x/api/v1/dashboard/wall${qs}`) } as never)) as Response;
		const first = await open('?period=30d&district=320505');
		const res = await api('?period=30d&district=320505');
		expect(res.status).toBe(200);
		const body = (await res.json()) as { overview: DashboardOverview; map: MapData; alerts: unknown[] };
		expect(body.overview.filter).toEqual(first.overview.filter);
		expect(body.map.filter).toEqual(first.overview.filter);
		expect(body.overview.places.map((p) => [p.code, p.count])).toEqual(first.overview.places.map((p) => [p.code, p.count]));
		expect(Array.isArray(body.alerts)).toBe(true);
		// the places it colours, not the map page's slider and points layer (read and sent at every refresh for nothing)
		expect(Object.keys(body.map).sort()).toEqual(['asOf', 'districts', 'filter', 'method', 'streets', 'unplaced']);
		const bad = await api('?district=999999');
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_filter');
		await expect(api('', 'analyst')).rejects.toMatchObject({ status: 403 });
		const plain = await open('');
		expect(plain.overview.filter.period).toBe('7d');
		// the map's districts add up to the overview's districts for that period
		for (const d of plain.overview.places) expect(plain.map.districts.find((x) => x.code === d.code)!.count).toBe(d.count);
	});
});

describe('the JSON API refusing a filter value', () => {
	it('answers 400 bad_filter naming the parameter and the value, never what a page shows instead', async () => {
		setApp(Promise.resolve(a));
		const leader: SessionUser = { id: 1, username: 't_leader', displayName: '领导', role: 'leader', unitCode: null, unitName: null };
		const refusal = async (get: (e: never) => Promise<Response> | Response, path: string) => {
			const res = await get({ locals: { user: leader }, url: new URL(`http://x${path}`) } as never);
			expect(res.status, path).toBe(400);
			const { error } = (await res.json()) as { error: { code: string; message: string } };
			expect(error.code, path).toBe('bad_filter');
			expect(error.message, path).not.toMatch(/已显示|已按/);
			return error.message;
		};
		for (const [get, path] of [
			[overviewApi, '/api/v1/overview'],
			[mapApi, '/api/v1/dashboard/map'],
			[unitsApi, '/api/v1/dashboard/units'],
			[wallApi, '/api/v1/dashboard/wall'],
			[alertsApi, '/api/v1/alerts']
		] as const)
			expect(await refusal(get, `${path}?district=999999&category=zz`)).toBe('未知的区县代码「999999」（参数 district）；未知的分类代码「zz」（参数 category）');
		expect(await refusal(overviewApi, '/api/v1/overview?period=week&channel=fax')).toMatch(
			/^未知的时段「week」（参数 period），可选：today（今日）、.*；未知的渠道「fax」（参数 channel），可选：phone（电话）、/
		);
		expect(await refusal(overviewApi, '/api/v1/overview?from=2026-02-30')).toBe('日期「2026-02-30」无效（参数 from），应为 年-月-日（如 2026-11-01）');
		// the map's colouring, which only the page uses, is checked too rather than ignored
		expect(await refusal(mapApi, '/api/v1/dashboard/map?metric=heat')).toBe(
			'未知的地图指标「heat」（参数 metric），可选：volume（工单量）、change（较自身基线变化）、overdue（超期占比）、satisfaction（满意率）'
		);
		expect((await mapApi({ locals: { user: leader }, url: new URL('http://x/api/v1/dashboard/map?metric=change') } as never)).status).toBe(200);
		expect(await refusal(alertsApi, '/api/v1/alerts?status=gone&severity=9')).toBe(
			'状态“gone”不存在（参数 status），可选：open、closed、all、new、acknowledged、escalated、resolved、dismissed；级别“9”不存在（参数 severity），应为 1–4'
		);
	});
});

/** The overview page as the server renders it for a role. */
async function renderOverview(role: Role, qs: string): Promise<string> {
	setApp(Promise.resolve(a));
	const user: SessionUser = { id: 1, username: `t_${role}`, displayName: role, role, unitCode: null, unitName: null };
	const data = (await overviewLoad({ locals: { user }, url: new URL(`http://x/${qs}`) } as never)) as Record<string, unknown>;
	return render(OverviewPage, { props: { data: { ...data, user, nav: [] } as never, params: {} } as never }).body;
}

describe('the overview page', () => {
	it('shows as 受理量 the accepted tickets that 受理率 divides, and the tickets registered beside them', async () => {
		const html = await renderOverview('leader', '?from=2026-11-01&to=2026-11-27');
		const figure = (id: string) => Number(new RegExp(`data-testid="${id}"[^>]*>([\\d,]+)<`).exec(html)![1].replaceAll(',', ''));
		const period = `day BETWEEN DATE '2026-11-01' AND DATE '2026-11-27'`;
		const accepted = await n(`${period} AND status NOT IN ('received', 'not_accepted', 'transferred')`);
		expect(html).toMatch(/<span[^>]*>受理量<\/span>\s*<strong[^>]*data-testid="kpi-accepted"/);
		expect(figure('kpi-accepted')).toBe(accepted);
		expect(figure('kpi-received')).toBe(await n(period));
		expect(figure('kpi-received')).toBeGreaterThan(accepted);
	});
});

describe('the alerts on the overview, the map and the queue', () => {
	// open alerts of two districts, of the city naming one district among its places, and of none; of a level-1
	// category, of a level-2 category under it, of another category and of none (a watch list's); one silenced
	// and one resolved
	const D1 = '320505';
	const D2 = '320506';
	const planted = {
		d1Sub: { districtCode: D1, placeLevel: 'district', placeCode: D1, categoryCode: '1203', places: [] },
		d2Other: { districtCode: D2, placeLevel: 'district', placeCode: D2, categoryCode: '01', places: [] },
		cityNamingD1: { districtCode: null, placeLevel: 'city', placeCode: '320500', categoryCode: '12', places: [{ level: 'district', code: D1, name: '', observed: 9, expected: 2 }] },
		cityWatch: { districtCode: null, placeLevel: 'city', placeCode: '320500', categoryCode: null, watchlistSlug: 'flood_drought', places: [{ level: 'district', code: D2, name: '', observed: 9, expected: 2 }] },
		d1Silenced: { districtCode: D1, placeLevel: 'district', placeCode: D1, categoryCode: '12', places: [], silencedBy: 1 },
		d1Resolved: { districtCode: D1, placeLevel: 'district', placeCode: D1, categoryCode: '12', places: [], status: 'resolved' }
	} as const;
	const ids: Record<string, number> = {};
	const nameOf = (id: number) => Object.entries(ids).find(([, v]) => v === id)?.[0];
	beforeAll(async () => {
		setApp(Promise.resolve(a));
		await a.rel.db.delete(alertsTable);
		const at = new Date(NOW - 3_600_000);
		for (const [name, p] of Object.entries(planted)) {
			const [row] = await a.rel.db
				.insert(alertsTable)
				.values({
					title: name, status: 'new', signal: 'firing', severity: 3, topicKey: name, bucket: 'hour', series: [],
					startedAt: at, lastFiringAt: at, observed: 9, expected: 2, upper: 5, score: 0.99, ...p
				})
				.returning({ id: alertsTable.id });
			ids[name] = row.id;
		}
	});
	const panel = (html: string) => {
		const part = /data-testid="overview-alerts"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
		return {
			title: /<h2[^>]*>([^<]*)</.exec(part)?.[1],
			top: [...part.matchAll(/data-testid="overview-alert" data-id="(\d+)"/g)].map((m) => nameOf(Number(m[1]))).sort(),
			total: [...part.matchAll(/data-testid="alert-count-\d" data-n="(\d+)"/g)].reduce((x, m) => x + Number(m[1]), 0),
			all: /href="([^"]*)"[^>]*data-testid="overview-alerts-all"/.exec(part)?.[1].replaceAll('&amp;', '&')
		};
	};

	it('on the overview follow its district and category, and leave out the silenced and closed ones', async () => {
		const city = panel(await renderOverview('leader', '?period=7d'));
		expect(city).toEqual({ title: '预警（全市）', top: ['cityNamingD1', 'cityWatch', 'd1Sub', 'd2Other'], total: 4, all: '/alerts' });

		const d1Name = a.ref.districtByCode.get(D1)!.name;
		const district = panel(await renderOverview('leader', `?period=7d&district=${D1}`));
		expect(district).toEqual({ title: `预警（${d1Name}）`, top: ['cityNamingD1', 'd1Sub'], total: 2, all: `/alerts?district=${D1}` });

		// a level-1 category takes its own alerts and those of the categories under it, not a watch list's
		const l1 = panel(await renderOverview('leader', '?period=7d&category=12'));
		expect(l1.top).toEqual(['cityNamingD1', 'd1Sub']);
		expect(l1.title).toBe(`预警（全市 · ${a.ref.categoryByCode.get('12')!.name}）`);
		const both = panel(await renderOverview('leader', `?period=7d&district=${D2}&category=01`));
		expect(both).toMatchObject({ top: ['d2Other'], total: 1, all: `/alerts?district=${D2}&category=01` });
		// channel and type do not apply to alerts: the panel says so instead of pretending
		const html = await renderOverview('leader', '?period=7d&channel=phone');
		expect(panel(html).total).toBe(4);
		expect(html).toContain('不随时段、渠道、性质筛选变化');
	});

	it('in the queue and its API take the same filters, and name an unknown code', async () => {
		const queue = async (qs: string) => {
			const data = (await alertsLoad({ locals: { user: leader }, url: new URL(`http://x/alerts${qs}`), depends: () => {} } as never)) as {
				alerts: { id: number }[];
				problems: string[];
				query: { district: string | null; category: string | null };
			};
			return { names: data.alerts.map((x) => nameOf(x.id)).sort(), problems: data.problems, query: data.query };
		};
		expect((await queue(`?district=${D1}`)).names).toEqual(['cityNamingD1', 'd1Silenced', 'd1Sub']);
		expect((await queue(`?status=all&district=${D1}&category=12`)).names).toEqual(['cityNamingD1', 'd1Resolved', 'd1Silenced', 'd1Sub']);
		// the overview's counts link here without the silenced ones, as they count
		expect((await queue(`?district=${D1}&silenced=hide`)).names).toEqual(['cityNamingD1', 'd1Sub']);
		expect((await queue('?silenced=yes')).problems).toEqual(['参数 silenced 只能是 hide（不含静默的预警），收到“yes”']);
		const html = await renderOverview('leader', `?period=7d&district=${D1}`);
		expect(html).toContain(`href="/alerts?severity=3&amp;silenced=hide&amp;district=${D1}"`);
		const bad = await queue('?district=999999&category=zz');
		expect(bad.problems).toEqual(['未知的区县代码「999999」，已显示全市', '未知的分类代码「zz」，已显示全部分类']);
		expect(bad.query).toMatchObject({ district: null, category: null });
		expect(bad.names).toHaveLength(5);
		const api = await alertsApi({ locals: { user: leader }, url: new URL('http://x/api/v1/alerts?district=999999') } as never);
		expect(api.status).toBe(400);
		expect(((await api.json()) as { error: { message: string } }).error.message).toContain('未知的区县代码「999999」');
		// a level-3 category: the queue takes its level-2 parent and says so in its own words
		const l3 = [...a.ref.categoryByCode.values()].find((c) => c.level === 3 && c.code.startsWith('1203'))!;
		const leaf = await queue(`?status=all&category=${l3.code}`);
		expect(leaf.query).toMatchObject({ category: '1203' });
		expect(leaf.problems).toEqual([`预警按一、二级分类统计；「${l3.name}」已按其上级分类「${a.ref.categoryByCode.get('1203')!.name}」显示`]);
	});

	it('on the map are the open, unsilenced ones of its district and category', async () => {
		const markers = async (qs: string) => {
			const data = (await mapLoad({ locals: { user: leader }, url: new URL(`http://x/map${qs}`) } as never)) as { alerts: { id: string }[] };
			return data.alerts.map((m) => nameOf(Number(m.id))).sort();
		};
		expect(await markers('')).toEqual(['cityNamingD1', 'cityWatch', 'd1Sub', 'd2Other']);
		expect(await markers(`?district=${D2}`)).toEqual(['cityWatch', 'd2Other']);
		expect(await markers('?category=1203')).toEqual(['d1Sub']);
	});
});

describe('links of the overview', () => {
	it('lead every role only to screens it may open', async () => {
		const screenOf = (href: string) => {
			const path = new URL(href, 'http://x/').pathname;
			return path === '/' ? '/' : `/${path.split('/')[1]}`;
		};
		const seen = new Map<Role, Set<string>>();
		for (const role of ['operator', 'dispatcher', 'supervisor', 'emergency', 'analyst', 'leader'] as Role[]) {
			const html = await renderOverview(role, '?period=30d&district=320505');
			const screens = new Set([...html.matchAll(/href="([^"]*)"/g)].map((m) => screenOf(m[1].replaceAll('&amp;', '&'))));
			for (const s of screens) expect(canSee(role, s), `${role} → ${s}`).toBe(true);
			seen.set(role, screens);
		}
		// the roles that may follow them still get the drill-downs and the header links
		expect([...seen.get('leader')!]).toEqual(expect.arrayContaining(['/search', '/map', '/wall']));
		expect([...seen.get('analyst')!]).toEqual(expect.arrayContaining(['/search', '/map']));
	});
});

// last in the file: it adds tickets to the store
describe('tickets without a known district', () => {
	it('are counted on the map beside the districts, and the page says they are not on it', async () => {
		const before = await mapData(ctx, filterOf('period=7d'));
		expect(before.unplaced).toBe(0);
		// five of the week's tickets as a feed sends them with a district code the city does not have (kept, flagged)
		await a.analytics.conn.run(`INSERT INTO tickets_fact SELECT * REPLACE ('NOPLACE-' || ticket_no AS ticket_no, 'NOPLACE-' || external_id AS external_id,
			NULL AS district_code, NULL AS street_code, NULL AS lon, NULL AS lat)
			FROM tickets_fact WHERE day >= DATE '2026-11-25' ORDER BY ticket_no LIMIT 5`);
		await rebuildRollups(a.analytics.conn);
		const m = await mapData(ctx, filterOf('period=7d'));
		expect(m.unplaced).toBe(5);
		expect(m.districts.reduce((s, d) => s + d.count, 0) + m.unplaced).toBe(await n(`day BETWEEN DATE '${m.filter.from}' AND DATE '${m.filter.to}'`));
		// under another filter, the unplaced tickets of that filter only
		const [{ channel }] = await q<{ channel: string }>(`SELECT channel FROM tickets_fact WHERE ticket_no LIKE 'NOPLACE-%' LIMIT 1`);
		const byChannel = await mapData(ctx, filterOf(`period=7d&channel=${channel}`));
		expect(byChannel.unplaced).toBe(
			await n(`ticket_no LIKE 'NOPLACE-%' AND channel = '${channel}' AND day BETWEEN DATE '${byChannel.filter.from}' AND DATE '${byChannel.filter.to}'`)
		);
		expect(byChannel.unplaced).toBeGreaterThan(0);
		// the page reads the clock itself: it runs on the store's (the demo's) day, as on the day the demo was made
		vi.useFakeTimers({ toFake: ['Date'] });
		let data;
		try {
			vi.setSystemTime(NOW);
			data = await mapLoad({ locals: { user: leader }, url: new URL('http://x/map?period=7d') } as never);
		} finally {
			vi.useRealTimers();
		}
		const html = render(MapPage, { props: { data: { ...data, user: leader, nav: [] } as never, params: {} } as never }).body;
		// the count says where they are and opens them: 检索's tickets of the period placed in no district
		const text = html.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&');
		expect(text).toContain('另有 5 件未定位到区县，不在地图上');
		expect(html.replace(/&amp;/g, '&')).toContain(`href="/search?from=${m.filter.from}&to=${m.filter.to}&district=none" data-testid="map-unplaced-tickets"`);
		expect((await searchTickets(a.analytics.conn, a.ref, { q: '', district: 'none', from: m.filter.from, to: m.filter.to })).total).toBe(m.unplaced);
	});
});
