import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactWriter, type FactRow } from './facts';
import { insertJsonRows, jsonInsertSql } from './json-rows';
import { ensureWarehouse, FACT_COLUMNS } from './schema';

let conn: DuckDBConnection;
beforeAll(async () => {
	conn = await (await DuckDBInstance.create(':memory:')).connect();
	await ensureWarehouse(conn);
});
afterAll(() => conn.closeSync());

const fact = (i: number, over: Partial<FactRow> = {}): FactRow => ({
	ticket_no: `SZ20261130-${String(i).padStart(6, '0')}`,
	source: 'hotline',
	external_id: `e${i}`,
	channel: 'phone',
	type: '投诉',
	category_code: '0101',
	category_l1: '01',
	category_l2: '0101',
	title: `标题 ${i}`,
	content: `小区门口油烟很大（第 ${i} 次来电）`,
	address: '姑苏区平江街道',
	district_code: '320508',
	street_code: '320508001',
	lon: 120.62,
	lat: 31.31,
	urgency: 'normal',
	status: 'dispatched',
	unit_code: 'U01',
	received_at: Date.UTC(2026, 10, 30, 1, 2, 3, 456),
	day: '2026-11-30',
	hour: 9,
	updated_at: Date.UTC(2026, 10, 30, 2, 0, 0, 1),
	dispatched_at: Date.UTC(2026, 10, 30, 1, 30),
	signed_at: null,
	replied_at: null,
	closed_at: null,
	sign_deadline: Date.UTC(2026, 11, 1),
	reply_deadline: Date.UTC(2026, 11, 7),
	satisfaction: null,
	not_accepted_reason: null,
	transferred_to: null,
	returns: 1,
	extensions: 0,
	reopens: 2,
	urges: 3,
	sign_on_time: true,
	reply_on_time: null,
	caller_key: 'a1b2c3',
	tokens: ['小区', '油烟'],
	keywords: ['油烟'],
	flags: null,
	sentiment: -0.25,
	intensity: 0.5,
	rounds: [
		{ unit: 'D320508', dispatched_at: 1764547200123, sign_deadline: 1764633600000, signed_at: 1764640000000, reply_deadline: null, replied_at: null, satisfaction: null, returned: true, extended: false, reopened: false },
		{ unit: 'M02', dispatched_at: 1764650000000, sign_deadline: null, signed_at: null, reply_deadline: 1765000000000, replied_at: 1764990000000, satisfaction: '不满意', returned: false, extended: true, reopened: true }
	],
	assists: ['M03', 'M04'],
	...over
});

/** Every column of `table` as text, in ticket order: equal texts mean equal values of equal types. */
async function dump(table: string): Promise<string[][]> {
	const cols = FACT_COLUMNS.map((c) => `${c.name}::VARCHAR`).join(', ');
	return (await conn.runAndReadAll(`SELECT ${cols} FROM ${table} ORDER BY ticket_no`))
		.getRows()
		.map((r) => r.map((v) => (v === null ? '∅' : String(v))));
}

describe('insertJsonRows', () => {
	it('stores fact rows exactly as the appender does, odd values included', async () => {
		const rows = [
			fact(1),
			// NULLs everywhere a column allows one
			fact(2, {
				category_code: null,
				category_l1: null,
				category_l2: null,
				title: null,
				address: null,
				district_code: null,
				street_code: null,
				lon: null,
				lat: null,
				unit_code: null,
				dispatched_at: null,
				sign_deadline: null,
				reply_deadline: null,
				sign_on_time: null,
				caller_key: null,
				tokens: null,
				keywords: null,
				flags: null,
				sentiment: null,
				intensity: null,
				rounds: null,
				assists: null
			}),
			// quotes, backslashes, control characters, characters beyond the BMP, an empty list, a list with an empty word
			fact(3, {
				content: `他说"别'关'"\\n\u0001\u0002\t末尾 𠮷😀`,
				title: '',
				tokens: [],
				rounds: [],
				flags: ['', 'x"y'],
				not_accepted_reason: 7,
				hour: 23
			}),
			// a fraction of a millisecond and an instant before 1970
			fact(5, { received_at: Date.UTC(1969, 11, 31, 23, 59, 59, 999) + 0.4, satisfaction: '不满意', lon: -0.5, reply_on_time: false })
		];
		await conn.run('CREATE OR REPLACE TEMP TABLE by_appender AS SELECT * FROM tickets_fact LIMIT 0');
		await conn.run('CREATE OR REPLACE TEMP TABLE by_json AS SELECT * FROM tickets_fact LIMIT 0');
		const w = await FactWriter.open(conn, 'by_appender', [], 'temp');
		for (const r of rows) w.add(r);
		w.close();
		await insertJsonRows(conn, 'by_json', FACT_COLUMNS, rows);
		const viaAppender = await dump('by_appender');
		expect(viaAppender).toHaveLength(rows.length);
		expect(await dump('by_json')).toEqual(viaAppender);
	});

	it('splits the rows over statements and keeps their order', async () => {
		await conn.run('CREATE OR REPLACE TEMP TABLE seq (i INTEGER NOT NULL, big UBIGINT, ts TIMESTAMPTZ, d DATE)');
		const rows = Array.from({ length: 2_500 }, (_, i) => ({
			i,
			big: (18446744073709551615n - BigInt(i)).toString(),
			ts: i * 1000,
			d: '2026-02-28'
		}));
		await insertJsonRows(
			conn,
			'seq',
			[
				{ name: 'i', sql: 'INTEGER NOT NULL' },
				{ name: 'big', sql: 'UBIGINT' },
				{ name: 'ts', sql: 'TIMESTAMPTZ' },
				{ name: 'd', sql: 'DATE' }
			],
			rows,
			1_000
		);
		const got = (await conn.runAndReadAll(`SELECT i, big::VARCHAR, epoch_ms(ts)::INTEGER, d::VARCHAR FROM seq ORDER BY rowid`)).getRows();
		expect(got.map((r) => r[0])).toEqual(rows.map((r) => r.i));
		expect(got[2_499]).toEqual([2_499, '18446744073709549116', 2_499_000, '2026-02-28']);
	});

	it('fails on a value of the wrong type, a missing key or a lone surrogate instead of storing NULL, and stores nothing of that statement', async () => {
		await conn.run('CREATE OR REPLACE TEMP TABLE typed (n INTEGER, s VARCHAR)');
		const cols = [
			{ name: 'n', sql: 'INTEGER' },
			{ name: 's', sql: 'VARCHAR' }
		];
		await expect(
			insertJsonRows(conn, 'typed', cols, [
				{ n: 1, s: 'a' },
				{ n: 'zwei', s: 'b' }
			])
		).rejects.toThrow(/zwei/);
		await expect(insertJsonRows(conn, 'typed', cols, [{ n: 1, s: 'a' }, { n: 2 }])).rejects.toThrow(/key "s"/);
		await expect(insertJsonRows(conn, 'typed', cols, [{ n: 1, s: 'a\ud800b' }])).rejects.toThrow(/surrogate/);
		expect((await conn.runAndReadAll('SELECT count(*)::INTEGER FROM typed')).getRows()[0][0]).toBe(0);
		await insertJsonRows(conn, 'typed', cols, [{ n: 1, s: 'a', other: true }]);
		expect((await conn.runAndReadAll('SELECT n, s FROM typed')).getRows()).toEqual([[1, 'a']]);
		// a double quote in a column name, and a single quote (which lands in the statement's schema literal)
		expect(jsonInsertSql('t', [{ name: 'a"b', sql: 'VARCHAR' }])).toContain('"a""b"');
		await conn.run(`CREATE OR REPLACE TEMP TABLE odd_names ("a""b" VARCHAR, "it's" INTEGER)`);
		await insertJsonRows(
			conn,
			'odd_names',
			[
				{ name: 'a"b', sql: 'VARCHAR' },
				{ name: "it's", sql: 'INTEGER' }
			],
			[{ 'a"b': 'x', "it's": 7 }]
		);
		expect((await conn.runAndReadAll('SELECT * FROM odd_names')).getRows()).toEqual([['x', 7]]);
	});
});
