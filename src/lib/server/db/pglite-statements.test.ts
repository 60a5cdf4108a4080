import { PGlite, type Results } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PREPARED, PREPARE_AFTER, PreparedStatements } from './pglite-statements.mjs';

const preparedTexts = async (db: PGlite) =>
	(await db.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements WHERE NOT from_sql`)).rows.map((r) => r.statement);

describe('prepared statements for the embedded store', () => {
	let db: PGlite;
	let statements: PreparedStatements;
	/** a query as the worker runs it outside a transaction */
	const run = async <T = Record<string, unknown>>(sql: string, params: unknown[] = [], options: Record<string, unknown> = {}) =>
		(await statements.query(db, sql, params, options)) as Results<T>;
	beforeAll(async () => {
		db = new PGlite();
		await db.exec(`CREATE TABLE t (id serial PRIMARY KEY, name text UNIQUE NOT NULL, at timestamptz, tags text[], doc json)`);
		statements = new PreparedStatements(db);
	});
	afterAll(async () => {
		await db?.close();
	});

	it('prepares a text on its second use and gives the same answers as an unprepared query', async () => {
		const insert = `INSERT INTO t (name, at, tags, doc) VALUES ($1, $2, $3, $4) RETURNING *`;
		const at = new Date('2026-11-30T01:02:03.000Z');
		const first = await run(insert, ['甲', at, ['噪音', '夜间'], JSON.stringify({ a: 1 })]);
		expect(await preparedTexts(db)).not.toContain(insert);
		const second = await run(insert, ['乙', at, ['噪音'], JSON.stringify({ a: 2 })]);
		expect(await preparedTexts(db)).toContain(insert);
		expect(PREPARE_AFTER).toBe(2);
		expect(first.rows[0]).toMatchObject({ name: '甲', at, tags: ['噪音', '夜间'], doc: { a: 1 } });
		expect(second.rows[0]).toMatchObject({ name: '乙', at, tags: ['噪音'], doc: { a: 2 } });
		expect(second.fields.map((f) => f.name)).toEqual(first.fields.map((f) => f.name));
		expect(second.affectedRows).toBe(1);
		// rows as arrays, nulls, and a third use through the kept statement
		const select = `SELECT name, at FROM t WHERE name = $1 OR $2::text IS NULL ORDER BY id`;
		for (let i = 0; i < 2; i++) await run(select, ['甲', null], { rowMode: 'array' });
		const arrays = await run<unknown[]>(select, ['甲', null], { rowMode: 'array' });
		expect(arrays.rows).toEqual([
			['甲', at],
			['乙', at]
		]);
		expect(await preparedTexts(db)).toContain(select);
	});

	it('keeps PostgreSQL errors with their code and statement, and the statement usable afterwards', async () => {
		const insert = `INSERT INTO t (name) VALUES ($1)`;
		await run(insert, ['丙']);
		await run(insert, ['丁']);
		const e = await run(insert, ['丙']).catch((x: unknown) => x);
		expect(e).toMatchObject({ code: '23505', query: insert });
		await run(insert, ['戊']);
		expect((await db.query(`SELECT count(*)::int AS n FROM t WHERE name IN ('丙', '丁', '戊')`)).rows).toEqual([{ n: 3 }]);
	});

	it('runs inside a transaction and is rolled back with it', async () => {
		const insert = `INSERT INTO t (name) VALUES ($1) RETURNING id`;
		await expect(
			db.transaction(async (tx) => {
				await statements.query(tx, insert, ['己'], {}, true);
				// the second use: through the prepared statement, in the same transaction
				await statements.query(tx, insert, ['庚'], {}, true);
				throw new Error('不要了');
			})
		).rejects.toThrow('不要了');
		// the statement outlives the transaction (prepared statements are not transactional)
		expect(await preparedTexts(db)).toContain(insert);
		expect((await db.query(`SELECT count(*)::int AS n FROM t WHERE name IN ('己', '庚')`)).rows).toEqual([{ n: 0 }]);
		// outside a transaction a prepared statement waits for the open one, as PGlite's own queries do (run inside
		// it, it would see the transaction's own row and answer 1 at once)
		const count = `SELECT count(*)::int AS n FROM t WHERE name = $1`;
		expect((await run(count, ['辛'])).rows).toEqual([{ n: 0 }]);
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const tx = db.transaction(async (t) => {
			await t.query(`INSERT INTO t (name) VALUES ('辛')`);
			await gate;
		});
		await new Promise((r) => setTimeout(r, 10));
		let done = false;
		const outside = run(count, ['辛']).then((r) => ((done = true), r));
		await new Promise((r) => setTimeout(r, 30));
		expect(done).toBe(false);
		release();
		await tx;
		expect((await outside).rows).toEqual([{ n: 1 }]);
	});

	it('closes its statements after a schema change, so `*` shows the new column', async () => {
		const star = `SELECT * FROM t WHERE name = $1`;
		await run(star, ['甲']);
		expect(Object.keys((await run(star, ['甲'])).rows[0])).not.toContain('note');
		expect((await preparedTexts(db)).length).toBeGreaterThan(0);
		await run(`ALTER TABLE t ADD COLUMN note text`);
		expect(await preparedTexts(db)).toEqual([]);
		// a script of several statements counts as a schema change whatever it starts with
		await run(star, ['甲']);
		await run(star, ['甲']);
		expect(await preparedTexts(db)).toEqual([star]);
		await statements.exec(db, `SELECT 1; SELECT 2`);
		expect(await preparedTexts(db)).toEqual([]);
		await run(star, ['甲']);
		expect(Object.keys((await run(star, ['甲'])).rows[0])).toContain('note');
	});

	it(`keeps at most ${MAX_PREPARED} statements, closing the least recently used`, async () => {
		const text = (i: number) => `SELECT $1::int + ${i} AS n`;
		for (let i = 0; i < MAX_PREPARED + 10; i++) {
			await run(text(i), [1]);
			expect((await run<{ n: number }>(text(i), [1])).rows).toEqual([{ n: i + 1 }]);
			// the first one stays in use, so it is never the least recently used
			if (i > 0) await run(text(0), [1]);
		}
		const kept = await preparedTexts(db);
		expect(kept).toHaveLength(MAX_PREPARED);
		expect(kept).toContain(text(0));
		expect(kept).toContain(text(MAX_PREPARED + 9));
		expect(kept).not.toContain(text(1));
	});
});
