import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { inClusterOrder } from '../../tests/support/rollups';
import { CLUSTER_ORDER, CLUSTERED_TABLES } from './rollups';
import { clusterRollups, ensureWarehouse, getMeta, keepRollups, maintainRollups, refreshRollups } from './schema';
import { ANALYSIS_VERSION } from '../text/ticket-analysis';

const rowsOf = async (conn: DuckDBConnection, sql: string) => (await conn.runAndReadAll(sql)).getRows().map((r) => r.map(String));

const DISTRICTS = ['320505', '320506', '320507'];

/** `n` tickets a day over [from, from + days), spread over the districts, categories, types and states. */
async function addTickets(conn: DuckDBConnection, table: string, prefix: string, from: string, days: number, n: number): Promise<void> {
	await conn.run(`INSERT INTO ${table} (ticket_no, source, external_id, channel, type, category_l1, category_l2, content, district_code,
			street_code, urgency, status, unit_code, received_at, day, hour, updated_at, returns, extensions, reopens, urges, satisfaction)
		SELECT '${prefix}' || i, 's', '${prefix}' || i, ['phone', 'web'][1 + i % 2], ['投诉', '求助', '咨询'][1 + i % 3], '0' || (1 + i % 4),
		       '0' || (1 + i % 4) || '0' || (1 + i % 2), '内容', ['${DISTRICTS.join("', '")}'][1 + (i * 7) % 3], NULL, 'normal',
		       ['received', 'dispatched', 'closed'][1 + i % 3], 'U' || (i % 5), d::TIMESTAMPTZ + INTERVAL 9 HOUR, d, 9,
		       d::TIMESTAMPTZ + INTERVAL 9 HOUR, 0, 0, 0, 0, CASE WHEN i % 3 = 2 THEN '满意' END
		FROM (SELECT (DATE '${from}' + (i // ${n})::INTEGER)::DATE AS d, i FROM range(${days * n}) t(i))`);
}

/** Each clustered table's rows as text, sorted (the multiset of rows). */
async function contents(conn: DuckDBConnection): Promise<Record<string, string[]>> {
	const out: Record<string, string[]> = {};
	for (const t of CLUSTERED_TABLES) out[t] = (await rowsOf(conn, `SELECT * FROM ${t}`)).map((r) => r.join('|')).sort();
	return out;
}

async function store(): Promise<DuckDBConnection> {
	const conn = await (await DuckDBInstance.create(':memory:')).connect();
	await ensureWarehouse(conn);
	return conn;
}

describe('rollup row order (clusterRollups)', () => {
	it('a full rebuild writes every clustered table in order and leaves nothing to put in order', async () => {
		const conn = await store();
		await addTickets(conn, 'tickets_fact', 'A', '2026-08-01', 92, 30);
		await refreshRollups(conn);
		expect(CLUSTERED_TABLES).toContain('rollup_daily');
		expect(CLUSTERED_TABLES).toContain('open_tickets');
		expect(CLUSTERED_TABLES).not.toContain('rollup_daily_city'); // no district to cluster on
		for (const t of CLUSTERED_TABLES) expect(await inClusterOrder(conn, t), t).toBe(true);
		expect(await clusterRollups(conn)).toBeNull();
		expect(await getMeta(conn, 'rollup_order')).toBe(CLUSTER_ORDER);
	});

	it('rows appended by a later batch are put back in order from their month on, the same rows, older months untouched', async () => {
		const conn = await store();
		await addTickets(conn, 'tickets_fact', 'A', '2026-08-01', 92, 30);
		await refreshRollups(conn);
		const rowidsBefore = await rowsOf(conn, `SELECT rowid FROM rollup_daily WHERE day < DATE '2026-09-01' ORDER BY rowid`);
		// a late batch for two September days that hold tickets already: their rollup rows are written anew at the end
		await conn.run(`CREATE TEMP TABLE late AS SELECT * FROM tickets_fact LIMIT 0`);
		await addTickets(conn, 'late', 'B', '2026-09-14', 2, 40);
		await conn.run(`INSERT INTO tickets_fact SELECT * FROM late`);
		await conn.run(`CREATE TEMP TABLE changes AS SELECT *, 1 AS sign FROM late`);
		await keepRollups(conn, 'changes');
		expect(JSON.parse((await getMeta(conn, 'rollups_unclustered'))!).from).toBe('2026-09-14');
		expect(await inClusterOrder(conn, 'rollup_daily')).toBe(false);
		const before = await contents(conn);

		const r = await clusterRollups(conn);
		expect(r).not.toBeNull();
		expect(r!.fromDay).toBe('2026-09-01');
		expect(r!.rows).toBeGreaterThan(0);
		expect(await contents(conn)).toEqual(before);
		for (const t of CLUSTERED_TABLES) expect(await inClusterOrder(conn, t), t).toBe(true);
		// August was in order: its rows were not rewritten
		expect(await rowsOf(conn, `SELECT rowid FROM rollup_daily WHERE day < DATE '2026-09-01' ORDER BY rowid`)).toEqual(rowidsBefore);
		expect(await getMeta(conn, 'rollups_unclustered')).toBeNull();
		expect(await clusterRollups(conn)).toBeNull();

		// and the rollups still equal a rebuild from the facts
		await refreshRollups(conn);
		expect(await contents(conn)).toEqual(before);
	});

	it('the earliest day and the first write are kept across batches; maintenance waits until the rows have been out of order long enough', async () => {
		const conn = await store();
		await addTickets(conn, 'tickets_fact', 'A', '2026-10-01', 61, 10);
		await refreshRollups(conn);
		const batch = async (prefix: string, day: string) => {
			await conn.run(`CREATE OR REPLACE TEMP TABLE late AS SELECT * FROM tickets_fact LIMIT 0`);
			await addTickets(conn, 'late', prefix, day, 1, 20);
			await conn.run(`INSERT INTO tickets_fact SELECT * FROM late`);
			await conn.run(`CREATE OR REPLACE TEMP TABLE changes AS SELECT *, 1 AS sign FROM late`);
			await keepRollups(conn, 'changes');
		};
		await batch('B', '2026-11-20');
		const first = JSON.parse((await getMeta(conn, 'rollups_unclustered'))!);
		expect(first.from).toBe('2026-11-20');
		await batch('C', '2026-10-05');
		await batch('D', '2026-11-25');
		const mark = JSON.parse((await getMeta(conn, 'rollups_unclustered'))!);
		expect(mark).toEqual({ from: '2026-10-05', since: first.since });

		expect(await maintainRollups(conn, { afterMs: 3_600_000, now: mark.since + 3_599_000 })).toBeNull();
		expect(await inClusterOrder(conn, 'rollup_daily_l1')).toBe(false);
		const r = await maintainRollups(conn, { afterMs: 3_600_000, now: mark.since + 3_600_000 });
		expect(r?.fromDay).toBe('2026-10-01');
		for (const t of CLUSTERED_TABLES) expect(await inClusterOrder(conn, t), t).toBe(true);
	});

	it('a store kept in another order is marked whole, due at once, and put in order by the next maintenance', async () => {
		const conn = await store();
		await addTickets(conn, 'tickets_fact', 'A', '2026-10-01', 30, 20);
		await refreshRollups(conn);
		// rows in day order, as versions before clusterOrder wrote them
		for (const t of CLUSTERED_TABLES) await conn.run(`CREATE OR REPLACE TABLE ${t} AS SELECT * FROM ${t} ORDER BY day, hash(rowid)`);
		await conn.run(`DELETE FROM warehouse_meta WHERE key = 'rollup_order'`);
		expect(await inClusterOrder(conn, 'rollup_daily')).toBe(false);

		await ensureWarehouse(conn);
		expect(JSON.parse((await getMeta(conn, 'rollups_unclustered'))!)).toEqual({ from: '0001-01-01', since: 0 });
		expect(await getMeta(conn, 'rollup_order')).toBe(CLUSTER_ORDER);
		await ensureWarehouse(conn); // once
		const r = await maintainRollups(conn, { afterMs: 3_600_000 });
		expect(r?.fromDay).toBe('0001-01-01');
		for (const t of CLUSTERED_TABLES) expect(await inClusterOrder(conn, t), t).toBe(true);
	});
});

describe('a store made before the handling rounds', () => {
	it('keeps a return charged to the unit that made it: returned_by becomes rounds before it is dropped', async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await ensureWarehouse(conn);
		// the layout of ROLLUP_VERSION 9: returned_by in place of rounds
		await conn.run('ALTER TABLE tickets_fact DROP COLUMN rounds');
		await conn.run('ALTER TABLE tickets_fact ADD COLUMN returned_by VARCHAR[]');
		await addTickets(conn, 'tickets_fact', 'T', '2026-11-01', 1, 3);
		await conn.run(`UPDATE tickets_fact SET returned_by = ['A'], returns = 1, dispatched_at = received_at, unit_code = 'B' WHERE ticket_no = 'T1'`);
		await conn.run(`INSERT OR REPLACE INTO warehouse_meta VALUES ('rollup_version', '9')`);
		await ensureWarehouse(conn);
		expect(await rowsOf(conn, `SELECT column_name FROM duckdb_columns() WHERE table_name = 'tickets_fact' AND column_name IN ('returned_by', 'rounds')`)).toEqual([['rounds']]);
		// A returned it and B holds it: A is charged the return, both have the ticket among their dispatched ones
		expect(await rowsOf(conn, `SELECT unit_code, returns, dispatched_at IS NOT NULL FROM unit_rounds WHERE ticket_no = 'T1' ORDER BY ALL`)).toEqual([
			['A', '1', 'true'],
			['B', '0', 'true']
		]);
		// the other facts had no returns: no rounds, one round of their unit each (as a feed's ticket)
		expect(await rowsOf(conn, `SELECT count(*) FROM tickets_fact WHERE rounds IS NOT NULL`)).toEqual([['1']]);
		expect(await rowsOf(conn, `SELECT sum(returned) FROM rollup_unit_city WHERE unit_code = 'A'`)).toEqual([['1']]);
	});
});

describe('a store made before the archive kept callers', () => {
	it("gains the archive's caller_name, filled from the versions archived as canonical JSON", async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await conn.run(`CREATE TABLE feed_archive (source VARCHAR NOT NULL, external_id VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
			origin_id VARCHAR NOT NULL, line BIGINT NOT NULL, raw VARCHAR NOT NULL)`);
		const raws = [
			JSON.stringify({ external_id: 'A', caller_name: ' 李建国 ', content: '来电人李建国反映' }),
			JSON.stringify({ external_id: 'B', caller_name: '', content: '匿名' }),
			JSON.stringify({ external_id: 'C', content: '没有来电人' }),
			'D,王小五,"来电人王小五反映"' // a CSV line read through a mapping
		];
		for (const [i, raw] of raws.entries())
			await conn.run(`INSERT INTO feed_archive VALUES ('s', $id, now(), 'o', $line, $raw)`, { id: 'ABCD'[i], line: i + 1, raw });
		await ensureWarehouse(conn);
		expect(await rowsOf(conn, `SELECT external_id, coalesce(caller_name, '-') FROM feed_archive ORDER BY external_id`)).toEqual([
			['A', '李建国'],
			['B', '-'],
			['C', '-'],
			['D', '-']
		]);
		// once: a name written later, also of a JSON version, is not filled again from the raw text at the next start
		await conn.run(`UPDATE feed_archive SET caller_name = '王小五' WHERE external_id = 'A'`);
		await ensureWarehouse(conn);
		expect(await rowsOf(conn, `SELECT caller_name FROM feed_archive WHERE external_id = 'A'`)).toEqual([['王小五']]);
	});
});

describe('which analysis made the tokens (analysis_version)', () => {
	it('is the current one for a new store, and stays unsaid for a store made before it, until its tickets are looked through', async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await ensureWarehouse(conn);
		expect(await getMeta(conn, 'analysis_version')).toBe(ANALYSIS_VERSION);
		// a store made before: opening it again does not claim its tokens were made by this version
		await conn.run(`DELETE FROM warehouse_meta WHERE key = 'analysis_version'`);
		await ensureWarehouse(conn);
		expect(await getMeta(conn, 'analysis_version')).toBeNull();
		conn.closeSync();
	});
});
