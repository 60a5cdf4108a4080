// The whole start-up on in-memory stores (PGlite in memory, DuckDB :memory:): migrations, reference data,
// demo accounts, demo data in both stores, login, and the rollups.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { generateDemo, stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { HEALTH_CACHE_MS, storeHealth } from '../../src/lib/server/health';
import { AuthError, DEMO_PASSWORD, createUser, demoAccounts, login, logout, syncDemoAccounts, validateSession } from '../../src/lib/server/auth';
import { ticketEvents, tickets, units, users } from '../../src/lib/server/db/schema';
import { syncToAnalytics, withoutSync } from '../../src/lib/server/sync';

let a: App;
const NOW = Date.parse('2026-11-28T10:00:00+08:00');

beforeAll(async () => {
	// demo accounts as in demo mode, and demo data generated for a fixed "now"
	a = await startMemoryApp();
	await syncDemoAccounts(a.rel.db, true, a.ref);
	await generateDemo(a, { tickets: 8000, days: 120, seed: 42, now: NOW }, () => {});
});

afterAll(async () => {
	if (a) await stopApp(a);
});

describe('start-up', () => {
	it('migrates the relational store and loads the reference data', async () => {
		const [{ n }] = (await a.rel.db.select({ n: sql<number>`count(*)::int` }).from(units)) as { n: number }[];
		expect(n).toBe(a.ref.units.length);
		expect(a.ref.categories.filter((c) => c.level === 1).length).toBeGreaterThanOrEqual(12);
		expect(a.ref.categories.filter((c) => c.level === 2).length).toBeGreaterThanOrEqual(60);
	});

	it('creates the demo accounts in demo mode and removes them when demo mode is off', async () => {
		const demoUsers = await a.rel.db.select().from(users).where(sql`${users.demo} = true and ${users.active} = true`);
		expect(demoUsers.map((u) => u.username).sort()).toEqual(demoAccounts(a.ref).accounts.map((d) => d.username).sort());
		// in Suzhou the unit accounts are 姑苏区's government and the environment bureau
		expect(demoUsers.filter((u) => u.role === 'unit_handler').map((u) => [u.username, u.unitCode, u.displayName]).sort()).toEqual([
			['unit_env', 'M02', '市生态环境局承办员'],
			['unit_gusu', 'D320508', '姑苏区承办员']
		]);
		const s = await login(a.rel.db, 'leader', DEMO_PASSWORD, 'test', 7);
		await syncDemoAccounts(a.rel.db, false, a.ref);
		expect(await validateSession(a.rel.db, s.token, 7)).toBeNull();
		await expect(login(a.rel.db, 'leader', DEMO_PASSWORD, 'test', 7)).rejects.toThrow(AuthError);
		await syncDemoAccounts(a.rel.db, true, a.ref);
		expect((await login(a.rel.db, 'leader', DEMO_PASSWORD, 'test', 7)).user.role).toBe('leader');
	});
});

describe('auth', () => {
	it('logs in with argon2id hashes, keeps sessions by token hash, and logs out', async () => {
		await createUser(a.rel.db, { username: 'unit_a', displayName: '甲单位', role: 'unit_handler', unitCode: 'M02', password: 'correct horse' });
		const [row] = await a.rel.db.select().from(users).where(sql`${users.username} = 'unit_a'`);
		expect(row.passwordHash.startsWith('$argon2id$')).toBe(true);
		const s = await login(a.rel.db, 'unit_a', 'correct horse', 'test', 7);
		const u = await validateSession(a.rel.db, s.token, 7);
		expect(u).toMatchObject({ username: 'unit_a', role: 'unit_handler', unitCode: 'M02' });
		expect(u!.unitName).toContain('生态环境局');
		const stored = await a.rel.db.execute(sql`select id from sessions`);
		expect(JSON.stringify(stored)).not.toContain(s.token);
		await logout(a.rel.db, s.token);
		expect(await validateSession(a.rel.db, s.token, 7)).toBeNull();
	});

	it('refuses wrong passwords, then throttles repeated failures', async () => {
		await expect(login(a.rel.db, 'analyst', 'wrong-password', '10.0.0.9', 7)).rejects.toMatchObject({ code: 'bad_credentials' });
		for (let i = 0; i < 9; i++) await login(a.rel.db, 'analyst', 'wrong', '10.0.0.9', 7).catch(() => {});
		await expect(login(a.rel.db, 'analyst', DEMO_PASSWORD, '10.0.0.9', 7)).rejects.toMatchObject({ code: 'throttled' });
		// another client is not affected
		expect((await login(a.rel.db, 'analyst', DEMO_PASSWORD, '10.0.0.10', 7)).user.role).toBe('analyst');
	});

	it('validates new users', async () => {
		await expect(createUser(a.rel.db, { username: 'x', displayName: 'x', role: 'admin', password: 'longenough' })).rejects.toThrow('用户名');
		await expect(createUser(a.rel.db, { username: 'shorty', displayName: 'x', role: 'admin', password: '123' })).rejects.toThrow('密码');
		await expect(createUser(a.rel.db, { username: 'nounit', displayName: 'x', role: 'unit_handler', password: 'long-enough' })).rejects.toThrow('单位');
	});
});

describe('demo data in both stores', () => {
	it('puts recent and open tickets with their lifecycle events in the relational store', async () => {
		const rows = await a.rel.db.select().from(tickets);
		expect(rows.length).toBeGreaterThan(100);
		const open = rows.filter((t) => !t.closedAt);
		expect(open.length).toBeGreaterThan(0);
		expect(rows.some((t) => t.callerPhone && /^1\d{10}$/.test(t.callerPhone))).toBe(true);
		const [{ n }] = (await a.rel.db.select({ n: sql<number>`count(*)::int` }).from(ticketEvents)) as { n: number }[];
		expect(n).toBeGreaterThan(rows.length);
		// every relational ticket is also in the analytics store, with the same status
		const facts = await queryRows<{ ticket_no: string; status: string }>(a.analytics.conn, 'SELECT ticket_no, status FROM tickets_fact');
		const status = new Map(facts.map((f) => [f.ticket_no, f.status]));
		for (const t of rows.slice(0, 300)) expect(status.get(t.ticketNo)).toBe(t.status);
	});

	it("names assisting units (协办) on some dispatches, and the analytics store's assists are what the sync reads from the events", async () => {
		const rows = await a.rel.db.select().from(tickets).where(sql`${tickets.source} = 'demo'`);
		const dispatches = await a.rel.db.select().from(ticketEvents).where(sql`${ticketEvents.action} = 'dispatch'`);
		const named = dispatches.filter((e) => ((e.data as { assistUnits?: string[] } | null)?.assistUnits ?? []).length > 0);
		expect(named.length / dispatches.length).toBeGreaterThan(0.03);
		for (const e of named) expect((e.data as { assistUnits: string[] }).assistUnits).not.toContain(e.unitCode);
		// the tickets: the units assisting their current dispatch see them (a unit's list, canView)
		const assisted = rows.filter((t) => t.assistUnits.length > 0);
		expect(assisted.length).toBeGreaterThan(0);
		for (const t of assisted) expect(t.assistUnits).not.toContain(t.unitCode);
		const facts = () =>
			queryRows<{ ticket_no: string; assists: string | null }>(
				a.analytics.conn,
				`SELECT ticket_no, to_json(assists)::VARCHAR AS assists FROM tickets_fact WHERE source = 'demo' AND ticket_no IN (SELECT unnest(string_split($nos, ','))) ORDER BY ticket_no`,
				{ nos: rows.map((t) => t.ticketNo).join(',') }
			);
		const generated = await facts();
		expect(generated.length).toBe(rows.length);
		expect(generated.filter((f) => f.assists !== null).length).toBeGreaterThanOrEqual(assisted.length);
		// every relational ticket synced again from its events
		await withoutSync(a, async () => {
			await a.analytics.conn.run(`DELETE FROM warehouse_meta WHERE key = 'sync_watermark'`);
			expect(await syncToAnalytics(a)).toBeGreaterThanOrEqual(rows.length);
		});
		expect(await facts()).toEqual(generated);
	});

	it('keeps ticket_events append-only', async () => {
		const refused = (e: unknown) => /append-only/.test(String((e as { cause?: Error }).cause?.message ?? e));
		await expect(a.rel.db.execute(sql`update ticket_events set note = 'changed'`)).rejects.toSatisfy(refused);
		await expect(a.rel.db.execute(sql`delete from ticket_events`)).rejects.toSatisfy(refused);
	});
});

describe('rollups', () => {
	it('keeps an hourly rollup for the last 90 days that adds up to the daily one', async () => {
		const rows = await queryRows<{ daily: number; hourly: number; oldest: string }>(
			a.analytics.conn,
			`SELECT (SELECT sum(n) FROM rollup_daily WHERE day >= current_date - INTERVAL 90 DAY)::DOUBLE AS daily,
			        (SELECT sum(n) FROM rollup_hourly)::DOUBLE AS hourly,
			        (SELECT strftime(min(day), '%Y-%m-%d') FROM rollup_hourly) AS oldest`
		);
		expect(rows[0].hourly).toBeGreaterThan(0);
		expect(rows[0].hourly).toBe(rows[0].daily);
		const [{ n }] = await queryRows<{ n: number }>(a.analytics.conn, `SELECT count(*)::DOUBLE n FROM rollup_hourly WHERE day < current_date - INTERVAL 90 DAY`);
		expect(n).toBe(0);
	});
});

describe('/healthz on the embedded store', () => {
	it('is ok while the embedded store\'s worker runs, and says the relational store is down once the worker has stopped', async () => {
		const b = await startMemoryApp();
		const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
		try {
			expect(await storeHealth(b)).toEqual({ ok: true, down: [] });
			await b.rel.close(); // as a worker that failed: the store's thread is gone
			expect(await storeHealth(b, Date.now() + HEALTH_CACHE_MS)).toEqual({ ok: false, down: ['relational'] });
			expect(errors).toHaveBeenCalledWith(expect.stringContaining('业务库（PGlite (内存)）无法访问'));
		} finally {
			errors.mockRestore();
			await stopApp(b);
		}
	});
});
