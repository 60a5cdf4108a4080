import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteDatabaseError, RemotePglite } from './pglite-remote';

describe('PGlite in its own thread', () => {
	let db: RemotePglite;
	beforeAll(async () => {
		db = await RemotePglite.open();
		await db.exec(`CREATE TABLE t (id serial PRIMARY KEY, name text UNIQUE NOT NULL, at timestamptz)`);
	});
	afterAll(async () => {
		await db?.close();
	});

	it('runs queries with parameters, as objects or arrays, dates as text when parsers are asked for', async () => {
		const at = new Date('2026-11-29T08:00:00.000Z');
		await db.query(`INSERT INTO t (name, at) VALUES ($1, $2)`, ['甲', at]);
		const objects = await db.query<{ name: string; at: Date }>(`SELECT name, at FROM t WHERE name = $1`, ['甲']);
		expect(objects.rows).toEqual([{ name: '甲', at }]);
		const arrays = await db.query(`SELECT name, at FROM t WHERE name = $1`, ['甲'], { rowMode: 'array', parsers: {} });
		expect(arrays.rows).toHaveLength(1);
		const [name, text] = arrays.rows[0] as unknown as [string, string];
		expect(name).toBe('甲');
		expect(typeof text).toBe('string');
		expect(new Date(text).getTime()).toBe(at.getTime());
		expect(arrays.fields.map((f) => f.name)).toEqual(['name', 'at']);
	});

	it('commits a transaction that returns and rolls back one that throws', async () => {
		const out = await db.transaction(async (tx) => {
			await tx.query(`INSERT INTO t (name) VALUES ('乙')`);
			return (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM t WHERE name = '乙'`)).rows[0].n;
		});
		expect(out).toBe(1);
		await expect(
			db.transaction(async (tx) => {
				await tx.query(`INSERT INTO t (name) VALUES ('丙')`);
				throw new Error('不要了');
			})
		).rejects.toThrow('不要了');
		const names = await db.query<{ name: string }>(`SELECT name FROM t ORDER BY id`);
		expect(names.rows.map((r) => r.name)).toEqual(['甲', '乙']);
	});

	it('gives PostgreSQL errors with their code and fields', async () => {
		const e = await db.query(`INSERT INTO t (name) VALUES ('甲')`).catch((x: unknown) => x);
		expect(e).toBeInstanceOf(RemoteDatabaseError);
		expect(e).toMatchObject({ code: '23505', constraint: 't_name_key' });
		expect((e as Error).message).toMatch(/duplicate key/);
		// a failed statement inside a transaction rolls the whole transaction back
		await expect(
			db.transaction(async (tx) => {
				await tx.query(`INSERT INTO t (name) VALUES ('丁')`);
				await tx.query(`INSERT INTO t (name) VALUES ('甲')`);
			})
		).rejects.toMatchObject({ code: '23505' });
		expect((await db.query(`SELECT 1 FROM t WHERE name = '丁'`)).rows).toHaveLength(0);
	});

	it('holds other statements back while a transaction is open, as PGlite does in one thread', async () => {
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		const order: string[] = [];
		const tx = db.transaction(async (t) => {
			await t.query(`INSERT INTO t (name) VALUES ('戊')`);
			await gate;
			order.push('commit');
		});
		await new Promise((r) => setTimeout(r, 20));
		const outside = db.query<{ n: number }>(`SELECT count(*)::int AS n FROM t WHERE name = '戊'`).then((r) => {
			order.push('outside');
			return r.rows[0].n;
		});
		await new Promise((r) => setTimeout(r, 50));
		expect(order).toEqual([]);
		release();
		await tx;
		expect(await outside).toBe(1);
		expect(order).toEqual(['commit', 'outside']);
	});

	it('refuses work after closing', async () => {
		const other = await RemotePglite.open();
		await other.close();
		await expect(other.query('SELECT 1')).rejects.toThrow(/exited/);
	});
});
