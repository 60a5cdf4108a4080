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

describe('textIndexDrift', () => {
	it('counts a (day, term) pair stored twice', async () => {
		const conn = await (await DuckDBInstance.create(':memory:')).connect();
		await ensureWarehouse(conn);
		await conn.run(`INSERT INTO tickets_fact (ticket_no, source, external_id, channel, type, content, urgency, status, received_at, day, hour,
			updated_at, returns, extensions, reopens, urges, tokens)
			VALUES ('T1', 's', 'e1', 'phone', '投诉', '积水', 'normal', 'received', '2026-11-01 08:00:00+08', '2026-11-01', 8,
			'2026-11-01 08:00:00+08', 0, 0, 0, 0, ['积水'])`);
		await conn.run(`INSERT INTO term_df VALUES ('积水', 1)`);
		await conn.run(`INSERT INTO search_postings VALUES ('积水', '2026-11-01', 'T1')`);
		await conn.run(`INSERT INTO warehouse_meta VALUES ('docs_with_tokens', '1')`);
		await conn.run(`INSERT INTO term_daily VALUES ('2026-11-01', '积水', 1)`);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		await conn.run(`INSERT INTO term_daily VALUES ('2026-11-01', '积水', 1)`);
		expect((await textIndexDrift(conn)).termDaily).toBe(1);
	});
});
