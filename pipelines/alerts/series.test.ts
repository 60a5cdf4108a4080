import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureWarehouse } from '../warehouse/schema';
import { readSeries, roundWindowFrom, windowFrom, ROUND_WINDOW_DAYS, WatchCellCache, type CountSeries, type WatchlistSpec } from './series';
import { runPass } from './pass';

const CITY = '320500';
const NOW = Date.parse('2026-07-03T20:30:00+08:00');
const WINDOW = { fromDay: '2026-07-01', now: NOW };
const FLOOD: WatchlistSpec = { slug: 'flood', terms: ['积水', '内涝'], categories: [] };
const FOOD: WatchlistSpec = { slug: 'food', terms: ['食物中毒'], categories: ['0601'] };

let conn: DuckDBConnection;
let version = 0;

/** A ticket version as the store holds it (a later call with the same number replaces it, with a newer version time). */
async function put(no: string, at: string, content: string, district: string | null = '320506', category = '120302'): Promise<void> {
	await conn.run(`DELETE FROM tickets_fact WHERE ticket_no = $no`, { no });
	const t = Date.parse(at);
	const day = new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
	const hour = new Date(t + 8 * 3_600_000).getUTCHours();
	await conn.run(
		`INSERT INTO tickets_fact (ticket_no, source, external_id, channel, type, category_code, category_l1, category_l2, title, content,
			district_code, urgency, status, received_at, day, hour, updated_at, returns, extensions, reopens, urges)
		 VALUES ($no, 't', $no, 'phone', '投诉', $cat, $l1, $l2, '来电', $content, $district, 'normal', 'received',
			make_timestamptz($t::BIGINT * 1000), $day::DATE, $hour, make_timestamptz($v::BIGINT * 1000), 0, 0, 0, 0)`,
		{ no, cat: category, l1: category.slice(0, 2), l2: category.slice(0, 4), content, district, t, day, hour, v: t + ++version }
	);
}

const read = (watchlists: WatchlistSpec[], cache?: WatchCellCache) =>
	readSeries(conn, WINDOW, { cityCode: CITY, watchlists, cache, streets: false, topics: false });

/** The series as comparable data (ids, counts, totals). */
const plain = (series: CountSeries[]) => series.map((s) => ({ id: s.id, values: [...s.values], totals: s.totals ? [...s.totals] : null }));

beforeAll(async () => {
	conn = await (await DuckDBInstance.create(':memory:')).connect();
	await ensureWarehouse(conn);
	await put('A1', '2026-07-01T08:10:00+08:00', '小区门口积水严重');
	await put('A2', '2026-07-01T09:20:00+08:00', '路灯不亮', '320507', '010101');
	await put('B1', '2026-07-02T13:00:00+08:00', '学校食堂疑似食物中毒', '320507', '060102');
	await put('B2', '2026-07-02T13:40:00+08:00', '地下通道内涝', null);
	await put('C1', '2026-07-03T19:05:00+08:00', '噪音扰民', '320506', '020302');
	// after NOW: outside the hourly window, inside today's daily bucket
	await put('C2', '2026-07-03T22:00:00+08:00', '暴雨后积水');
});

describe('WatchCellCache', () => {
	const lists = [FLOOD, FOOD];

	it('gives the series an uncached read gives, and reads only the hours whose tickets changed', async () => {
		const cache = new WatchCellCache();
		const direct = plain(await read(lists));
		expect(direct.find((s) => s.id === 'watchlist:flood@320500/day')?.values).toEqual([1, 1, 1]);
		expect(plain(await read(lists, cache))).toEqual(direct);
		expect(cache.lastComputed).toEqual(['2026-07-01 08', '2026-07-01 09', '2026-07-02 13', '2026-07-03 19', '2026-07-03 22']);
		expect(plain(await read(lists, cache))).toEqual(direct);
		expect(cache.lastComputed).toEqual([]);

		// a new ticket on an old day, in an hour of its own and in one with a ticket
		await put('A3', '2026-07-01T10:00:00+08:00', '积水没过脚踝');
		await put('A4', '2026-07-01T08:30:00+08:00', '噪音');
		expect(plain(await read(lists, cache))).toEqual(plain(await read(lists)));
		expect(cache.lastComputed).toEqual(['2026-07-01 08', '2026-07-01 10']);
		// a new version with other text (same category, district and hour)
		await put('A2', '2026-07-01T09:20:00+08:00', '路灯不亮，路面积水', '320507', '010101');
		expect(plain(await read(lists, cache))).toEqual(plain(await read(lists)));
		expect(cache.lastComputed).toEqual(['2026-07-01 09']);
		expect([...(await read(lists, cache)).find((s) => s.id === 'watchlist:flood@320507/day')!.values]).toEqual([1, 0, 0]);
		// a new version in another category, one in another district, and one that moves to another day
		await put('B1', '2026-07-02T13:00:00+08:00', '学校食堂疑似食物中毒', '320507', '010101');
		await put('A3', '2026-07-01T10:00:00+08:00', '积水没过脚踝', '320508');
		await put('C1', '2026-07-02T19:05:00+08:00', '噪音扰民', '320506', '020302');
		expect(plain(await read(lists, cache))).toEqual(plain(await read(lists)));
		// (the hour C1 left holds no ticket now: its cells are dropped, nothing to compute)
		expect(cache.lastComputed).toEqual(['2026-07-01 10', '2026-07-02 13', '2026-07-02 19']);
		// a correction of place or category written without a new version time
		await conn.run(`UPDATE tickets_fact SET district_code = '320506' WHERE ticket_no = 'A3'`);
		await conn.run(`UPDATE tickets_fact SET category_code = '060102', category_l1 = '06', category_l2 = '0601' WHERE ticket_no = 'A1'`);
		expect(plain(await read(lists, cache))).toEqual(plain(await read(lists)));
		expect(cache.lastComputed).toEqual(['2026-07-01 08', '2026-07-01 10']);
		// every ticket of a day gone
		await conn.run(`DELETE FROM tickets_fact WHERE day = '2026-07-02'`);
		expect(plain(await read(lists, cache))).toEqual(plain(await read(lists)));
		expect(cache.lastComputed).toEqual([]);
		expect([...(await read(lists, cache)).find((s) => s.id === 'watchlist:food@320500/day')!.values]).toEqual([1, 0, 0]); // A1, now in a listed category
	});

	it('starts afresh when a list changes', async () => {
		const cache = new WatchCellCache();
		await read(lists, cache);
		const wider = [{ ...FLOOD, terms: [...FLOOD.terms, '噪音'] }, FOOD];
		expect(plain(await read(wider, cache))).toEqual(plain(await read(wider)));
		expect(cache.lastComputed).toEqual(['2026-07-01 08', '2026-07-01 09', '2026-07-01 10', '2026-07-03 22']);
	});
});

describe('roundWindowFrom', () => {
	it('starts a round’s window at the first day the store has calls of, not before', async () => {
		const c = await (await DuckDBInstance.create(':memory:')).connect();
		await ensureWarehouse(c);
		const now = Date.parse('2026-07-20T23:00:00+08:00');
		expect(await roundWindowFrom(c, now)).toBe(windowFrom(now, ROUND_WINDOW_DAYS)); // no data yet: the whole window
		// a deployment whose calls begin 20 days before: steady, 4 to 8 a day in one category
		await c.run(
			`INSERT INTO tickets_fact (ticket_no, source, external_id, channel, type, category_code, category_l1, category_l2, title, content,
				district_code, urgency, status, received_at, day, hour, updated_at, returns, extensions, reopens, urges)
			 SELECT 'S' || d || '-' || i, 't', 'S' || d || '-' || i, 'phone', '投诉', '010101', '01', '0101', '来电', '路灯不亮', '320506',
				'normal', 'received', TIMESTAMPTZ '2026-07-01 09:00:00+08' + to_days(d::INTEGER) + to_hours(i::INTEGER),
				DATE '2026-07-01' + d::INTEGER, (9 + i)::TINYINT, now(), 0, 0, 0, 0
			 FROM range(0, 20) a(d), range(0, 8) b(i) WHERE i < 4 + (d * 3) % 5`
		);
		expect(await roundWindowFrom(c, now)).toBe('2026-07-01');
		expect(await roundWindowFrom(c, now, 10)).toBe('2026-07-11'); // data from before the window: the window
		// a round over a window reaching back past the data took its first days for a jump from nothing
		const episodes = async (fromDay: string) =>
			runPass(await readSeries(c, { fromDay, now }, { cityCode: CITY, watchlists: [], streets: false, topics: false })).episodes;
		expect((await episodes(windowFrom(now, ROUND_WINDOW_DAYS))).length).toBeGreaterThan(0);
		expect(await episodes(await roundWindowFrom(c, now))).toEqual([]);
	});
});
