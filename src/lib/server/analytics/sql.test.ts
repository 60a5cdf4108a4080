import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { duckRunner, inList, pgRunner, positional, type PgQueryable } from './sql';

/** A stand-in for a pg Pool: records what it is asked (the statement names apart) and answers fixed rows. */
function fakePg(rows: Record<string, unknown>[] = []) {
	const calls: { text: string; values: unknown[] | undefined }[] = [];
	const names: (string | undefined)[] = [];
	const db: PgQueryable = {
		async query({ name, text, values }) {
			calls.push({ text, values });
			names.push(name);
			return { rows };
		}
	};
	return { db, calls, names };
}

describe('positional', () => {
	it('numbers names in order of first use, a repeated name keeping its number', () => {
		expect(positional('SELECT * FROM t WHERE day >= $from AND day <= $to AND created >= $from')).toEqual({
			text: 'SELECT * FROM t WHERE day >= $1 AND day <= $2 AND created >= $1',
			names: ['from', 'to']
		});
	});

	it('keeps casts after a parameter', () => {
		expect(positional('WHERE day BETWEEN $from::DATE AND $to::DATE')).toEqual({
			text: 'WHERE day BETWEEN $1::DATE AND $2::DATE',
			names: ['from', 'to']
		});
	});

	it('takes the whole identifier, digits and underscores included', () => {
		expect(positional('x IN ($c0, $c1, $c10) AND d = $f_district_code')).toEqual({
			text: 'x IN ($1, $2, $3) AND d = $4',
			names: ['c0', 'c1', 'c10', 'f_district_code']
		});
	});

	it('leaves quoted strings alone', () => {
		expect(positional("SELECT '$x' AS s, $y AS t, 'a $y b' AS u")).toEqual({
			text: "SELECT '$x' AS s, $1 AS t, 'a $y b' AS u",
			names: ['y']
		});
		expect(positional("SELECT 'it''s $a' AS s, $b AS t")).toEqual({
			text: "SELECT 'it''s $a' AS s, $1 AS t",
			names: ['b']
		});
	});

	it('leaves text without named parameters as it is', () => {
		expect(positional('SELECT 1, $1, 5$')).toEqual({
			text: 'SELECT 1, $1, 5$',
			names: []
		});
		expect(positional('')).toEqual({ text: '', names: [] });
	});
});

describe('inList', () => {
	it('gives one named parameter per value', () => {
		expect(inList('c', ['01', '02', '03'])).toEqual({
			sql: '$c0, $c1, $c2',
			params: { c0: '01', c1: '02', c2: '03' }
		});
		expect(inList('d', [])).toEqual({ sql: '', params: {} });
	});
});

describe('pgRunner', () => {
	it('passes the positional text and the values in order', async () => {
		const { db, calls } = fakePg([{ n: 3 }]);
		const run = pgRunner(db);
		expect(run.engine).toBe('postgres');
		const rows = await run.all('SELECT count(*) AS n FROM t WHERE d = $district AND day >= $from::DATE AND x = $district', {
			from: '2026-11-01',
			district: '320508',
			unused: 'ignored'
		});
		expect(rows).toEqual([{ n: 3 }]);
		expect(calls).toEqual([
			{
				text: 'SELECT count(*) AS n FROM t WHERE d = $1 AND day >= $2::DATE AND x = $1',
				values: ['320508', '2026-11-01']
			}
		]);
	});

	it('passes null, numbers and booleans through', async () => {
		const { db, calls } = fakePg();
		await pgRunner(db).all('SELECT $a, $b, $c', { c: true, b: 2.5, a: null });
		expect(calls[0].values).toEqual([null, 2.5, true]);
	});

	it('rewrites each text anew with the values of each call', async () => {
		const { db, calls } = fakePg();
		const run = pgRunner(db);
		await run.all('SELECT $x', { x: 1 });
		await run.all('SELECT $x', { x: 2 });
		await run.all('SELECT $y, $x', { x: 3, y: 4 });
		expect(calls).toEqual([
			{ text: 'SELECT $1', values: [1] },
			{ text: 'SELECT $1', values: [2] },
			{ text: 'SELECT $1, $2', values: [4, 3] }
		]);
	});

	it('names each statement after its text, the same in every runner, so PostgreSQL parses it once per connection', async () => {
		const { db, names } = fakePg();
		const one = pgRunner(db);
		const other = pgRunner(db);
		await one.all('SELECT $x', { x: 1 });
		await one.all('SELECT $x', { x: 2 });
		await other.all('SELECT $x', { x: 3 });
		await one.all('SELECT $x, $y', { x: 1, y: 2 });
		expect(names[0]).toMatch(/^minqing_[0-9a-f]{32}$/);
		expect(names.slice(1, 3)).toEqual([names[0], names[0]]);
		expect(names[3]).not.toBe(names[0]);
	});

	it('refuses a statement with a parameter that has no value, without querying', async () => {
		const { db, calls } = fakePg();
		const run = pgRunner(db);
		await expect(run.all('SELECT * FROM t WHERE a = $a AND b = $b', { a: 1 })).rejects.toThrow('$b');
		await expect(run.all('SELECT $a')).rejects.toThrow('$a');
		expect(calls).toHaveLength(0);
	});
});

describe('duckRunner', () => {
	let instance: DuckDBInstance;
	let conn: DuckDBConnection;
	beforeAll(async () => {
		instance = await DuckDBInstance.create(':memory:');
		conn = await instance.connect();
		await conn.run(`CREATE TABLE t (day DATE, district_code VARCHAR, n INTEGER)`);
		await conn.run(`INSERT INTO t VALUES
			('2026-11-01', 'A', 1), ('2026-11-02', 'A', 2), ('2026-11-03', 'B', 4), ('2026-11-04', 'A', 8), ('2026-11-05', 'C', 16)`);
	});
	afterAll(() => {
		conn?.closeSync();
		instance?.closeSync();
	});
	it('runs with named parameters, casts included', async () => {
		const run = duckRunner(conn);
		expect(run.engine).toBe('duckdb');
		const rows = await run.all<{ total: number }>(
			'SELECT sum(n)::INTEGER AS total FROM t WHERE day BETWEEN $from::DATE AND $to::DATE AND district_code = $d',
			{ from: '2026-11-02', to: '2026-11-04', d: 'A' }
		);
		expect(rows).toEqual([{ total: 10 }]);
	});

	it('drops parameters the statement does not use (DuckDB would refuse them)', async () => {
		await expect(conn.runAndReadAll('SELECT $a::INTEGER AS a', { a: 1, b: 2 })).rejects.toThrow();
		const rows = await duckRunner(conn).all('SELECT $a::INTEGER AS a', {
			a: 1,
			b: 2,
			c: 'x'
		});
		expect(rows).toEqual([{ a: 1 }]);
	});

	it("prepares a text once per connection and runs it with each call's values, also after its table was replaced", async () => {
		const other = await instance.connect();
		const prepares = [vi.spyOn(conn, 'prepare'), vi.spyOn(other, 'prepare')];
		try {
			const run = duckRunner([conn, other]);
			const sql = 'SELECT sum(n)::INTEGER AS total FROM t WHERE district_code = $d';
			// two at a time: each connection prepares the text once
			const first = await Promise.all([run.all(sql, { d: 'A' }), run.all(sql, { d: 'B' })]);
			expect(first).toEqual([[{ total: 11 }], [{ total: 4 }]]);
			expect(await run.all(sql, { d: 'C' })).toEqual([{ total: 16 }]);
			expect(await run.all(sql, { d: 'Z' })).toEqual([{ total: null }]);
			// the table replaced (as compactions and the bulk text analysis do): the kept statement reads the new one
			await conn.run(`CREATE TABLE t_new AS SELECT day, district_code, n * 100 AS n FROM t`);
			await conn.run(`ALTER TABLE t RENAME TO t_old`);
			await conn.run(`ALTER TABLE t_new RENAME TO t`);
			expect(await run.all(sql, { d: 'A' })).toEqual([{ total: 1100 }]);
			await conn.run(`DROP TABLE t`);
			await conn.run(`ALTER TABLE t_old RENAME TO t`);
			expect(await run.all(sql, { d: 'A' })).toEqual([{ total: 11 }]);
			// six calls, two connections: each prepared the text once
			expect(prepares.map((p) => p.mock.calls.filter(([text]) => text === sql).length)).toEqual([1, 1]);
		} finally {
			prepares.forEach((p) => p.mockRestore());
			other.closeSync();
		}
	});

	it('runs without parameters', async () => {
		expect(await duckRunner(conn).all('SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 5 }]);
	});

	it('refuses a parameter without a value', async () => {
		await expect(
			duckRunner(conn).all('SELECT $a::INTEGER AS a, $b::INTEGER AS b', {
				a: 1
			})
		).rejects.toThrow('$b');
	});

	it('runs an IN list from inList', async () => {
		const list = inList('c', ['A', 'C']);
		const rows = await duckRunner(conn).all(`SELECT sum(n)::INTEGER AS total FROM t WHERE district_code IN (${list.sql})`, list.params);
		expect(rows).toEqual([{ total: 27 }]);
	});

	it('takes the same SQL text as pgRunner', async () => {
		const list = inList('c', ['A', 'B']);
		const sql = `SELECT CAST(day AS VARCHAR) AS day, n FROM t
			WHERE day >= $from::DATE AND day <= $to::DATE AND district_code IN (${list.sql}) AND n <> $skip
			ORDER BY day`;
		const params = {
			from: '2026-11-01',
			to: '2026-11-04',
			skip: 2,
			unrelated: 'x',
			...list.params
		};

		const duck = await duckRunner(conn).all(sql, params);
		expect(duck).toEqual([
			{ day: '2026-11-01', n: 1 },
			{ day: '2026-11-03', n: 4 },
			{ day: '2026-11-04', n: 8 }
		]);

		const { db, calls } = fakePg();
		await pgRunner(db).all(sql, params);
		expect(calls[0].text).toContain('day >= $1::DATE AND day <= $2::DATE AND district_code IN ($3, $4) AND n <> $5');
		expect(calls[0].values).toEqual(['2026-11-01', '2026-11-04', 'A', 'B', 2]);
	});

	// (once a shared /g expression: positional() left its lastIndex where pick() then started)
	it('finds every parameter even after positional() has run in the same process', async () => {
		positional('SELECT $y, $x'); // e.g. a pgRunner query of the benchmark
		expect(await duckRunner(conn).all('SELECT $a::INTEGER AS a', { a: 1 })).toEqual([{ a: 1 }]);
	});

	it('leaves a $name inside a quoted string alone, as pgRunner does', async () => {
		const sql = "SELECT '$x' AS s, $y::INTEGER AS t";
		const { db, calls } = fakePg();
		await pgRunner(db).all(sql, { y: 1 });
		expect(calls[0]).toEqual({
			text: "SELECT '$x' AS s, $1::INTEGER AS t",
			values: [1]
		});
		expect(await duckRunner(conn).all(sql, { y: 1 })).toEqual([{ s: '$x', t: 1 }]);
	});
});
