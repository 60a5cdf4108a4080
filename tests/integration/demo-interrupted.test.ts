// A demo generation interrupted part-way (a start killed while it generates) leaves the relational store without a
// part of the demo that a later start would take for the whole: the next generation loads it complete, and says so.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { ensureDemoData, generateDemo, stopApp, type App } from '../../src/lib/server/app';
import { settings, tickets } from '../../src/lib/server/db/schema';
import { startMemoryApp } from '../support/app';

let a: App;
const NOW = Date.parse('2026-11-28T10:00:00+08:00');
const demo = { tickets: 3000, days: 40, seed: 9, now: NOW };
const relationalDemo = async () =>
	((await a.rel.db.select({ n: sql<number>`count(*)::int` }).from(tickets).where(eq(tickets.source, 'demo'))) as { n: number }[])[0].n;

beforeAll(async () => {
	a = await startMemoryApp();
});
afterAll(async () => {
	if (a) await stopApp(a);
});

describe('an interrupted demo generation', () => {
	it('leaves no relational demo tickets behind, and the next generation loads them whole', async () => {
		// interrupted when half the tickets are generated (as a kill would, but in this process: the error stops it)
		await expect(
			generateDemo(a, demo, () => {}, (done, total) => {
				if (done > total / 2) throw new Error('interrupted');
			})
		).rejects.toThrow('interrupted');
		expect(await relationalDemo()).toBe(0);
		const logs: string[] = [];
		const whole = await generateDemo(a, demo, (m) => logs.push(m));
		expect(logs.join('\n')).not.toContain('业务库中已有演示工单');
		expect(whole.relational).toBeGreaterThan(50);
		expect(await relationalDemo()).toBe(whole.relational);
		// its completion record, written in the same transaction
		const [mark] = await a.rel.db.select().from(settings).where(eq(settings.key, 'demo_relational'));
		expect(mark.value).toMatchObject({ tickets: whole.relational, seed: 9 });
	}, 120_000);

	it('a first start finding only part of an analytics demo (no completion record) generates it anew', async () => {
		const b = await startMemoryApp();
		try {
			await b.analytics.conn.run(`DELETE FROM warehouse_meta WHERE key = 'demo'`);
			// a part of a demo: facts of source demo, without the record runDemo writes last
			await expect(
				generateDemo(b, { ...demo, relational: false }, () => {}, (done, total) => {
					if (done > total / 2) throw new Error('interrupted');
				})
			).rejects.toThrow('interrupted');
			const [{ n }] = await queryRows<{ n: number }>(b.analytics.conn, `SELECT count(*)::INTEGER AS n FROM tickets_fact`);
			expect(n).toBeGreaterThan(0);
			const logs: string[] = [];
			const r = await ensureDemoData({ ...b, config: { ...b.config, demoTickets: 3000, demoDays: 40, demoSeed: 9 } }, (m) => logs.push(m));
			expect(r?.tickets).toBe(3000);
			expect(logs.join('\n')).toContain('分析库中的演示数据不完整');
			const [{ m }] = await queryRows<{ m: number }>(b.analytics.conn, `SELECT count(*)::INTEGER AS m FROM tickets_fact`);
			expect(m).toBe(3000); // the part deleted, the whole generated once
		} finally {
			await stopApp(b);
		}
	}, 120_000);

	it('a start stopped after the analytics demo but before the relational one committed generates both anew (the analytics demo is not taken for the whole)', async () => {
		const b = await startMemoryApp();
		try {
			await b.analytics.conn.run(`DELETE FROM warehouse_meta WHERE key = 'demo'`);
			// the relational transaction fails at its last statement, after the analytics store has the whole demo
			await b.rel.db.execute(sql.raw(`CREATE FUNCTION refuse_demo_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'stopped'; END $$`));
			await b.rel.db.execute(
				sql.raw(`CREATE TRIGGER refuse_demo_mark BEFORE INSERT ON settings FOR EACH ROW WHEN (NEW.key = 'demo_relational') EXECUTE FUNCTION refuse_demo_mark()`)
			);
			await expect(generateDemo(b, demo, () => {})).rejects.toThrow('insert into "settings"');
			const [{ n }] = await queryRows<{ n: number }>(b.analytics.conn, `SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE source = 'demo'`);
			expect(n).toBe(3000);
			await b.rel.db.execute(sql.raw(`DROP TRIGGER refuse_demo_mark ON settings`));
			const logs: string[] = [];
			const r = await ensureDemoData({ ...b, config: { ...b.config, demoTickets: 3000, demoDays: 40, demoSeed: 9 } }, (m) => logs.push(m));
			expect(r?.tickets).toBe(3000);
			expect(logs.join('\n')).toContain('分析库中的演示数据不完整');
			expect(r!.relational).toBeGreaterThan(50);
			const [{ held }] = (await b.rel.db.select({ held: sql<number>`count(*)::int` }).from(tickets).where(eq(tickets.source, 'demo'))) as { held: number }[];
			expect(held).toBe(r!.relational);
		} finally {
			await stopApp(b);
		}
	}, 180_000);
});
