import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ensureWarehouse } from './schema';
import { addTermStats, textIndexDrift } from './text-index';

const rowsOf = async (conn: Awaited<ReturnType<DuckDBInstance['connect']>>, sql: string) =>
	(await conn.runAndReadAll(sql)).getRows().map((r) => r.map(String));

describe('term_daily', () => {
	it('a store whose term_daily has the old primary key gets it rebuilt without, rows kept', async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await conn.run(`CREATE TABLE term_daily (day DATE NOT NULL, term VARCHAR NOT NULL, docs INTEGER NOT NULL, PRIMARY KEY (day, term))`);
		await conn.run(`INSERT INTO term_daily VALUES ('2026-11-02', '噪音', 3), ('2026-11-01', '积水', 2)`);
		await ensureWarehouse(conn);
		expect(
			await rowsOf(conn, `SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'term_daily' AND constraint_type = 'PRIMARY KEY'`)
		).toEqual([['0']]);
		expect(await rowsOf(conn, `SELECT strftime(day, '%Y-%m-%d'), term, docs FROM term_daily ORDER BY rowid`)).toEqual([
			['2026-11-02', '噪音', '3'],
			['2026-11-01', '积水', '2']
		]);
		await ensureWarehouse(conn); // once only
		expect(await rowsOf(conn, `SELECT count(*) FROM term_daily`)).toEqual([['2']]);
	});

	it('keeps one row per day and term when batches share days and terms', async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await ensureWarehouse(conn);
		const batch = async (rows: [string, string, string][]) => {
			await conn.run(`CREATE OR REPLACE TEMP TABLE tf (ticket_no VARCHAR, day DATE, term VARCHAR, tf INTEGER)`);
			for (const [no, day, term] of rows) await conn.run(`INSERT INTO tf VALUES ($no, $day::DATE, $term, 1)`, { no, day, term });
			await addTermStats(conn, 'tf', new Set(rows.map((r) => r[0])).size);
		};
		await batch([
			['A', '2026-11-01', '积水'],
			['A', '2026-11-01', '内涝'],
			['B', '2026-11-02', '积水']
		]);
		await batch([
			['C', '2026-11-01', '积水'],
			['D', '2026-11-03', '积水']
		]);
		expect(await rowsOf(conn, `SELECT strftime(day, '%Y-%m-%d'), term, docs FROM term_daily ORDER BY day, term`)).toEqual([
			['2026-11-01', '内涝', '1'],
			['2026-11-01', '积水', '2'],
			['2026-11-02', '积水', '1'],
			['2026-11-03', '积水', '1']
		]);
		expect(await rowsOf(conn, `SELECT term, df FROM term_df ORDER BY term`)).toEqual([
			['内涝', '1'],
			['积水', '4']
		]);
	});
});

describe('term numbers', () => {
	const tfBatch = async (conn: Awaited<ReturnType<DuckDBInstance['connect']>>, rows: [string, string, string][]) => {
		await conn.run(`CREATE OR REPLACE TEMP TABLE tf (ticket_no VARCHAR, day DATE, term VARCHAR, tf INTEGER)`);
		for (const [no, day, term] of rows) await conn.run(`INSERT INTO tf VALUES ($no, $day::DATE, $term, 1)`, { no, day, term });
		await addTermStats(conn, 'tf', new Set(rows.map((r) => r[0])).size);
	};

	it('a new term takes the next number, in term order within its batch; a known term keeps its number', async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await ensureWarehouse(conn);
		await tfBatch(conn, [
			['A', '2026-11-01', '积水'],
			['A', '2026-11-01', '内涝']
		]);
		await tfBatch(conn, [
			['B', '2026-11-02', '噪音'],
			['B', '2026-11-02', '积水'],
			['B', '2026-11-02', '油烟']
		]);
		expect(await rowsOf(conn, `SELECT term, df, id FROM term_df ORDER BY id`)).toEqual([
			['内涝', '1', '1'],
			['积水', '2', '2'],
			['噪音', '1', '3'],
			['油烟', '1', '4']
		]);
		// the postings carry the numbers, and read back as the terms
		expect(
			await rowsOf(conn, `SELECT p.ticket_no, d.term FROM search_postings p JOIN term_df d ON d.id = p.term_id ORDER BY p.ticket_no, p.term_id`)
		).toEqual([
			['A', '内涝'],
			['A', '积水'],
			['B', '积水'],
			['B', '噪音'],
			['B', '油烟']
		]);
		await conn.run(`INSERT INTO tickets_fact (ticket_no, source, external_id, channel, type, content, urgency, status, received_at, day, hour,
			updated_at, returns, extensions, reopens, urges, tokens)
			SELECT no, 's', no, 'phone', '投诉', 'x', 'normal', 'received', day::TIMESTAMPTZ, day, 0, day::TIMESTAMPTZ, 0, 0, 0, 0, tokens
			FROM (VALUES ('A', '2026-11-01'::DATE, ['积水', '内涝']), ('B', '2026-11-02'::DATE, ['噪音', '积水', '油烟'])) v(no, day, tokens)`);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		// two terms with one number is drift
		await conn.run(`UPDATE term_df SET id = 1 WHERE term = '油烟'`);
		expect((await textIndexDrift(conn)).termDf).toBe(1);
	});

	it('a store whose postings carry the terms themselves gets them numbered and rewritten, once', async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await conn.run(`CREATE TABLE term_df (term VARCHAR PRIMARY KEY, df INTEGER NOT NULL)`);
		await conn.run(`CREATE TABLE search_postings (term VARCHAR NOT NULL, day DATE NOT NULL, ticket_no VARCHAR NOT NULL)`);
		await conn.run(`INSERT INTO term_df VALUES ('积水', 2), ('内涝', 1)`);
		await conn.run(`INSERT INTO search_postings VALUES ('积水', '2026-11-01', 'A'), ('内涝', '2026-11-01', 'A'), ('积水', '2026-11-02', 'B')`);
		await ensureWarehouse(conn);
		expect(await rowsOf(conn, `SELECT term, df, id FROM term_df ORDER BY id`)).toEqual([
			['内涝', '1', '1'],
			['积水', '2', '2']
		]);
		// in term order, newest day first
		expect(await rowsOf(conn, `SELECT term_id, strftime(day, '%Y-%m-%d'), ticket_no FROM search_postings ORDER BY rowid`)).toEqual([
			['1', '2026-11-01', 'A'],
			['2', '2026-11-02', 'B'],
			['2', '2026-11-01', 'A']
		]);
		await ensureWarehouse(conn); // once only
		expect(await rowsOf(conn, `SELECT count(*) FROM search_postings`)).toEqual([['3']]);
		// and new terms go on from the highest number
		await tfBatch(conn, [['C', '2026-11-03', '黑臭']]);
		expect(await rowsOf(conn, `SELECT id FROM term_df WHERE term = '黑臭'`)).toEqual([['3']]);
	});
});

describe('textIndexDrift', () => {
	it('counts a (day, term) pair stored twice', async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await ensureWarehouse(conn);
		await conn.run(`INSERT INTO tickets_fact (ticket_no, source, external_id, channel, type, content, urgency, status, received_at, day, hour,
			updated_at, returns, extensions, reopens, urges, tokens)
			VALUES ('T1', 's', 'e1', 'phone', '投诉', '积水', 'normal', 'received', '2026-11-01 08:00:00+08', '2026-11-01', 8,
			'2026-11-01 08:00:00+08', 0, 0, 0, 0, ['积水'])`);
		await conn.run(`INSERT INTO term_df VALUES ('积水', 1, 1)`);
		await conn.run(`INSERT INTO search_postings VALUES (1, '2026-11-01', 'T1')`);
		await conn.run(`INSERT INTO warehouse_meta VALUES ('docs_with_tokens', '1')`);
		await conn.run(`INSERT INTO term_daily VALUES ('2026-11-01', '积水', 1)`);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		await conn.run(`INSERT INTO term_daily VALUES ('2026-11-01', '积水', 1)`);
		expect((await textIndexDrift(conn)).termDaily).toBe(1);
	});
});
