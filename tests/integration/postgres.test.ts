// The same schema, migrations, auth and demo load on a real PostgreSQL server (DATABASE_URL).
// tests/run-all.sh starts a throwaway server and sets MINQING_TEST_PG_URL.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateDemo, setApp, startApp, stopApp, type App } from '../../src/lib/server/app';
import { GET as healthz } from '../../src/routes/healthz/+server';
import { handle } from '../../src/hooks.server';
import { HEALTH_CACHE_MS, HEALTH_PROBE_MS, storeHealth } from '../../src/lib/server/health';
import { tcpProxy } from '../support/net';
import { DEMO_PASSWORD, login, validateSession } from '../../src/lib/server/auth';
import { actOnTicket, registerTicket } from '../../src/lib/server/cases/service';
import { listQueue } from '../../src/lib/server/cases/read';
import { addAttachments, attachmentFile, ATTACHMENTS_PER_TICKET } from '../../src/lib/server/cases/attachments';
import sharp from 'sharp';
import { CaseError } from '../../src/lib/server/cases/input';
import { pgRunner } from '../../src/lib/server/analytics/sql';
import { loadConfig, StartupError } from '../../src/lib/server/config';
import { asAdmin, scratchDatabase, urlFor } from '../support/pg';
import { ticketEvents, tickets } from '../../src/lib/server/db/schema';
import { openAnalytics, queryRows } from '../../src/lib/server/analytics/duckdb';
import { readPairing } from '../../src/lib/server/pairing';
import { deleteMeta } from '../../pipelines/warehouse/schema';
import { changesHeldBack, heldBackBy, readWatermark, syncIdle, syncToAnalytics, withoutSync } from '../../src/lib/server/sync';
import type { UnitRound } from '../../pipelines/lifecycle/rounds';

const adminUrl = process.env.MINQING_TEST_PG_URL;
if (!adminUrl) console.warn('MINQING_TEST_PG_URL is not set: skipping the PostgreSQL tests (tests/run-all.sh sets it)');

describe.skipIf(!adminUrl)('PostgreSQL as the relational store', () => {
	const dbName = `minqing_test_${process.pid}_${Date.now()}`;
	let url = '';
	let dataDir = '';
	let a: App;

	beforeAll(async () => {
		const admin = new pg.Client({ connectionString: adminUrl });
		await admin.connect();
		await admin.query(`CREATE DATABASE ${dbName}`);
		await admin.end();
		const u = new URL(adminUrl!);
		u.pathname = `/${dbName}`;
		url = u.toString();
		dataDir = mkdtempSync(join(tmpdir(), 'minqing-pg-'));
		a = await startApp({ ...loadConfig({}), dataDir, databaseUrl: url, demo: true, demoTickets: 4000, demoDays: 60 }, () => {});
	});

	afterAll(async () => {
		if (a) await stopApp(a);
		if (dataDir) rmSync(dataDir, { recursive: true, force: true });
		if (adminUrl) {
			const admin = new pg.Client({ connectionString: adminUrl });
			await admin.connect();
			await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
			await admin.end();
		}
	});

	it('runs on PostgreSQL, not on the embedded store', () => {
		expect(a.rel.kind).toBe('postgres');
	});

	it("runs the dashboards' SQL as named statements: one per text and connection, whichever runner asks", async () => {
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			const one = pgRunner(client);
			const other = pgRunner(client);
			const text = `SELECT count(*)::int AS n FROM tickets WHERE received_at >= $from::timestamptz AND status <> $status`;
			const direct = async (from: string) => {
				const r = await client.query(`SELECT count(*)::int AS n FROM tickets WHERE received_at >= $1::timestamptz AND status <> 'closed'`, [from]);
				return r.rows;
			};
			expect(await one.all(text, { from: '2000-01-01', status: 'closed' })).toEqual(await direct('2000-01-01'));
			expect(await other.all(text, { from: '2100-01-01', status: 'closed' })).toEqual([{ n: 0 }]);
			expect(await one.all(`SELECT $a::int + $b::int AS s`, { a: 2, b: 3 })).toEqual([{ s: 5 }]);
			const { rows } = await client.query(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'minqing_%'`);
			expect(rows).toHaveLength(2);
		} finally {
			await client.end();
		}
	});

	it('applies the committed migrations, including the append-only trigger', async () => {
		const r = await a.rel.db.execute(sql`select tgname from pg_trigger where tgname = 'ticket_events_no_update_delete'`);
		expect(JSON.stringify(r)).toContain('ticket_events_no_update_delete');
		await expect(a.rel.db.execute(sql`delete from ticket_events`)).rejects.toSatisfy((e: unknown) =>
			/append-only/.test(String((e as { cause?: Error }).cause?.message ?? e))
		);
	});

	it('generated the demo into both stores on first start and logs demo users in', async () => {
		const [{ n }] = (await a.rel.db.select({ n: sql<number>`count(*)::int` }).from(tickets)) as { n: number }[];
		const [{ e }] = (await a.rel.db.select({ e: sql<number>`count(*)::int` }).from(ticketEvents)) as { e: number }[];
		expect(n).toBeGreaterThan(100);
		expect(e).toBeGreaterThan(n);
		// the start filled the working clocks of the demo's tickets at a unit (the generator knows no calendar)
		const atUnit = await a.rel.db
			.select({ work: tickets.dispatchedWork, at: tickets.dispatchedAt })
			.from(tickets)
			.where(sql`${tickets.status} in ('dispatched', 'signed')`);
		expect(atUnit.length).toBeGreaterThan(0);
		for (const t of atUnit) expect(t.work).toBe(a.calendar.workingClock(t.at!.getTime()));
		const s = await login(a.rel.db, 'dispatcher', DEMO_PASSWORD, 'pg-test', 7);
		expect((await validateSession(a.rel.db, s.token, 7))?.role).toBe('dispatcher');
	});

	it('syncs the lifecycle figures the demo generator counted, from the events on PostgreSQL', async () => {
		const counts = () =>
			queryRows<Record<string, unknown>>(
				a.analytics.conn,
				`SELECT ticket_no, returns, extensions, reopens, urges, to_json(rounds)::VARCHAR AS rounds FROM tickets_fact WHERE source = 'demo' AND ticket_no IN
				 (SELECT unnest(string_split($nos, ','))) ORDER BY ticket_no`,
				{ nos: demoNos.join(',') }
			);
		const demoNos = (await a.rel.db.select({ no: tickets.ticketNo }).from(tickets).where(eq(tickets.source, 'demo'))).map((r) => r.no);
		const generated = await counts();
		expect(generated.length).toBe(demoNos.length);
		// every figure occurs, so a count that the sync misses shows
		for (const k of ['returns', 'extensions', 'reopens', 'urges']) expect(generated.some((r) => Number(r[k]) > 0)).toBe(true);
		// and the handling rounds: a return, an extension, a reopening and a visit each in some round
		const rounds = generated.flatMap((r) => JSON.parse(String(r.rounds)) as UnitRound[]);
		for (const has of [(x: UnitRound) => x.returned, (x: UnitRound) => x.extended, (x: UnitRound) => x.reopened, (x: UnitRound) => x.satisfaction !== null])
			expect(rounds.some(has)).toBe(true);
		await withoutSync(a, async () => {
			await a.analytics.conn.run(`DELETE FROM warehouse_meta WHERE key = 'sync_watermark'`);
			expect(await syncToAnalytics(a)).toBeGreaterThanOrEqual(demoNos.length);
		});
		expect(await counts()).toEqual(generated);
	});

	it('survives a restart: migrations are not re-applied and the demo is not generated twice', async () => {
		await stopApp(a);
		a = await startApp({ ...loadConfig({}), dataDir, databaseUrl: url, demo: true, demoTickets: 4000, demoDays: 60 }, () => {});
		const facts = (await a.analytics.conn.runAndReadAll('SELECT count(*) FROM tickets_fact')).getRows()[0][0];
		expect(Number(facts)).toBe(4000);
		await expect(generateDemo(a, { tickets: 10, days: 1, seed: 1 }, () => {})).resolves.toMatchObject({ relational: 0 });
	});

	/** Runs `fn` while another connection holds a transaction that has updated a demo ticket (`set`); `commit` ends it. */
	async function whileWriting(set: string, fn: (slow: { ticketNo: string }, commit: () => Promise<void>) => Promise<void>): Promise<void> {
		const [slow] = await a.rel.db.select().from(tickets).where(eq(tickets.source, 'demo')).limit(1);
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			await client.query('BEGIN');
			await client.query(`UPDATE tickets SET ${set}, version = version + 1, updated_at = now() WHERE id = $1`, [slow.id]);
			await fn(slow, async () => void (await client.query('COMMIT')));
		} finally {
			await client.end();
		}
	}
	const call = (title: string, content: string) =>
		registerTicket(a, { id: null, role: 'operator', unitCode: null, displayName: '话务员' }, { channel: 'phone', type: '咨询', title, content, address: '', district_code: '320508' });
	const titleOf = async (no: string) =>
		(await queryRows<{ title: string }>(a.analytics.conn, `SELECT title FROM tickets_fact WHERE ticket_no = $no`, { no }))[0]?.title;

	it('syncs a change whose transaction wrote first and committed last, after the other was synced', async () => {
		await whileWriting(`title = '慢事务的标题'`, async (slow, commit) => {
			// another registration writes and commits meanwhile, and a sync runs
			const quick = await call('快事务', '咨询社保卡办理地点');
			await syncIdle(a);
			await withoutSync(a, async () => void (await syncToAnalytics(a)));
			await commit();
			await withoutSync(a, async () => void (await syncToAnalytics(a)));
			expect(await titleOf(slow.ticketNo)).toBe('慢事务的标题');
			expect(await titleOf(quick.ticketNo)).toBe('快事务');
		});
	});

	it('syncs a change held back by a transaction still running once that one ends, with no other change to ask for it', async () => {
		await whileWriting(`urge_count = urge_count`, async (_slow, commit) => {
			// this registration asks for a sync, which finds it behind the open transaction
			const held = await call('等待中的事务之后', '咨询居住证办理');
			await syncIdle(a);
			expect(await titleOf(held.ticketNo)).toBeUndefined();
			await commit();
			const deadline = Date.now() + 10_000;
			while ((await titleOf(held.ticketNo)) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
			expect(await titleOf(held.ticketNo)).toBe('等待中的事务之后');
		});
	});

	/** Runs `fn` while a transaction that has a transaction id is open in another database of the server (the admin's), or prepared there. */
	async function whileOtherDatabaseWrites(fn: () => Promise<void>, prepared = false): Promise<void> {
		const other = new pg.Client({ connectionString: adminUrl, application_name: 'another-app' });
		await other.connect();
		const gid = `minqing_other_${process.pid}`;
		try {
			await other.query('BEGIN');
			await other.query('SELECT pg_current_xact_id()');
			if (prepared) await other.query(`PREPARE TRANSACTION '${gid}'`);
			await fn();
		} finally {
			await other.query(prepared ? `ROLLBACK PREPARED '${gid}'` : 'ROLLBACK').catch(() => {});
			await other.end();
		}
	}

	/** Whether the server takes prepared transactions (max_prepared_transactions above 0, as tests/support/postgres.sh starts it). */
	const preparedAllowed = async () =>
		Number(((await a.rel.db.execute(sql`SELECT current_setting('max_prepared_transactions') AS n`)) as unknown as { rows: { n: string }[] }).rows[0].n) > 0;

	it("does not wait for another database's transactions on the same server, open or prepared: they never write this one's rows", async () => {
		for (const prepared of (await preparedAllowed()) ? [false, true] : [false]) {
			await whileOtherDatabaseWrites(async () => {
				const quick = await call(prepared ? '别的库有预备事务时' : '别的库有长事务时', '咨询公积金提取');
				await syncIdle(a);
				await withoutSync(a, async () => void (await syncToAnalytics(a)));
				expect(await titleOf(quick.ticketNo)).toBe(prepared ? '别的库有预备事务时' : '别的库有长事务时');
				expect(await changesHeldBack(a)).toBe(false);
			}, prepared);
		}
	});

	it('waits for a prepared transaction of this database that wrote before, and syncs its change and the later ones once it is committed', async (ctx) => {
		if (!(await preparedAllowed())) ctx.skip('max_prepared_transactions is 0 on this server');
		const [slow] = await a.rel.db.select().from(tickets).where(eq(tickets.source, 'demo')).limit(1);
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		const gid = `minqing_own_${process.pid}`;
		try {
			await client.query('BEGIN');
			await client.query(`UPDATE tickets SET title = '预备事务的标题', version = version + 1, updated_at = now() WHERE id = $1`, [slow.id]);
			await client.query(`PREPARE TRANSACTION '${gid}'`);
			const later = await call('预备事务之后', '咨询医保报销');
			await syncIdle(a);
			await withoutSync(a, async () => void (await syncToAnalytics(a)));
			expect(await titleOf(later.ticketNo)).toBeUndefined();
			expect(await changesHeldBack(a)).toBe(true);
			expect(await heldBackBy(a)).toMatch(new RegExp(`^预备事务 '${gid}'（数据库 ${dbName}，账号 postgres，预备于 .+；须 COMMIT PREPARED 或 ROLLBACK PREPARED）$`));
			await client.query(`COMMIT PREPARED '${gid}'`);
			await withoutSync(a, async () => void (await syncToAnalytics(a)));
			expect(await titleOf(slow.ticketNo)).toBe('预备事务的标题');
			expect(await titleOf(later.ticketNo)).toBe('预备事务之后');
		} finally {
			await client.query(`ROLLBACK PREPARED '${gid}'`).catch(() => {});
			await client.end();
		}
	});

	it('names the connection whose open transaction holds the sync back: pid, database, application, state, since when', async () => {
		const [slow] = await a.rel.db.select().from(tickets).where(eq(tickets.source, 'demo')).limit(1);
		const client = new pg.Client({ connectionString: url, application_name: 'slow-writer' });
		await client.connect();
		try {
			await client.query('BEGIN');
			await client.query(`UPDATE tickets SET urge_count = urge_count WHERE id = $1`, [slow.id]);
			const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
			await call('被挡住的登记', '咨询居住证办理');
			expect(await changesHeldBack(a)).toBe(true);
			expect(await heldBackBy(a)).toMatch(
				new RegExp(`^连接 pid ${pid}（数据库 ${dbName}，应用 slow-writer，账号 postgres，状态 idle in transaction，事务开始于 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d .+）$`)
			);
			await client.query('COMMIT');
		} finally {
			await client.end();
		}
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
	});

	it('registers calls in one statement: the day\'s next numbers in order, rows as drizzle reads them, one receive event each', async () => {
		const operator = { id: null, role: 'operator' as const, unitCode: null, displayName: '话务员' };
		const call = (i: number) => ({ channel: 'phone', type: '投诉', title: `PG 登记 ${i}`, content: '路灯坏了好几天', address: '姑苏区平江路100号', caller_name: '张三', caller_phone: '13812341234' });
		// registered in one turn: one batch
		const made = await Promise.all([0, 1, 2].map((i) => registerTicket(a, operator, call(i))));
		expect(made.map((t) => t.title)).toEqual(['PG 登记 0', 'PG 登记 1', 'PG 登记 2']);
		const serials = made.map((t) => Number(t.ticketNo.split('-H')[1]));
		expect(serials).toEqual([serials[0], serials[0] + 1, serials[0] + 2]);
		const again = await registerTicket(a, operator, call(3));
		expect(Number(again.ticketNo.split('-H')[1])).toBe(serials[0] + 3);
		for (const t of [...made, again]) {
			const [row] = await a.rel.db.select().from(tickets).where(eq(tickets.id, t.id));
			expect(t).toEqual(row);
			expect(t.receivedAt).toBeInstanceOf(Date);
			expect(t).toMatchObject({ status: 'received', districtCode: '320508', assistUnits: [], version: 1, externalId: t.ticketNo });
			const events = await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, t.id));
			expect(events.map((e) => [e.action, e.toStatus, e.actorName])).toEqual([['receive', 'received', '话务员']]);
		}
	});

	it('工单查询 pages on by the time of receipt: every ticket once, in order, a cursor’s microseconds read back exactly', async () => {
		const operator = { id: null, role: 'operator' as const, unitCode: null, displayName: '话务员' };
		// three calls within a millisecond or so, and the demo's year: times that differ in their microseconds only
		await Promise.all([0, 1, 2].map((i) => registerTicket(a, operator, { channel: 'phone', type: '咨询', content: `查询进度 ${i}`, caller_phone: '13812349999' })));
		const all = await listQueue(a, operator, { queue: 'lookup', days: 0, size: 1000 });
		expect(all.total).toBeGreaterThan(1000);
		const seen: string[] = [];
		let after: string | undefined;
		for (let i = 0; i < 40; i++) {
			const p = await listQueue(a, operator, { queue: 'lookup', days: 0, size: 25, after });
			seen.push(...p.items.map((t) => t.ticketNo));
			after = p.next ?? undefined;
			if (!after) break;
		}
		expect(seen).toEqual(all.items.slice(0, seen.length).map((t) => t.ticketNo));
		expect(seen.length).toBe(1000);
		const times = all.items.map((t) => Date.parse(t.receivedAt));
		expect(times).toEqual([...times].sort((x, y) => y - x));
		// and back: the page before the third is the second
		const third = await listQueue(a, operator, { queue: 'lookup', days: 0, size: 25, after: (await listQueue(a, operator, { queue: 'lookup', days: 0, size: 50 })).next ?? undefined });
		const second = await listQueue(a, operator, { queue: 'lookup', days: 0, size: 25, before: third.prev ?? undefined });
		expect(second.items.map((t) => t.ticketNo)).toEqual(seen.slice(25, 50));
		expect(third.start).toBe(50);
	});

	it('two 并单 at once on one pair or a chain: one is taken, the other refused, never a chain or a 500', async () => {
		const operator = { id: null, role: 'operator' as const, unitCode: null, displayName: '话务员' };
		const call = (i: number) => ({ channel: 'phone', type: '投诉', title: `PG 并单 ${i}`, content: '楼下饭店油烟很大', address: '姑苏区平江路1号' });
		for (let round = 0; round < 5; round++) {
			const [x, y, z] = await Promise.all([0, 1, 2].map((i) => registerTicket(a, operator, call(i))));
			// x into y and y into z: taken together they would make a chain x → y → z
			const chain = await Promise.allSettled([
				actOnTicket(a, operator, x.ticketNo, { action: 'merge', version: x.version, duplicate_of: y.ticketNo }),
				actOnTicket(a, operator, y.ticketNo, { action: 'merge', version: y.version, duplicate_of: z.ticketNo })
			]);
			expect(chain.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
			expect(((chain.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as CaseError).code).toMatch(/^(invalid_input|conflict)$/);
			// z into x and x into z: each into the other
			const [p, q] = await Promise.all([3, 4].map((i) => registerTicket(a, operator, call(i))));
			const pair = await Promise.allSettled([
				actOnTicket(a, operator, p.ticketNo, { action: 'merge', version: p.version, duplicate_of: q.ticketNo }),
				actOnTicket(a, operator, q.ticketNo, { action: 'merge', version: q.version, duplicate_of: p.ticketNo })
			]);
			expect(pair.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
			expect((pair.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(CaseError);
		}
	});

	it("keeps an attachment's bytes as sent, and of two uploads at once into the ticket's last place takes one (the ticket's row locked on a real server)", async () => {
		const operator = { id: null, role: 'operator' as const, unitCode: null, displayName: '话务员' };
		const t = await registerTicket(a, operator, { channel: 'wechat', type: '投诉', title: 'PG 附件', content: '河道发黑发臭，附现场照片', address: '姑苏区平江路1号' });
		const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#204060' } }).jpeg().toBuffer();
		// every byte value, as a PDF: nothing in the driver's path may change one
		const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
		const kept = await addAttachments(a, operator, t.ticketNo, [
			{ name: '现场.jpg', bytes: photo },
			{ name: '说明.pdf', bytes: pdf }
		]);
		const [img, doc] = kept.items!;
		expect(Buffer.from((await attachmentFile(a, operator, t.ticketNo, img.id)).bytes).equals(photo)).toBe(true);
		expect(Buffer.from((await attachmentFile(a, operator, t.ticketNo, doc.id)).bytes).equals(pdf)).toBe(true);
		expect((await sharp((await attachmentFile(a, operator, t.ticketNo, img.id, true)).bytes).metadata()).format).toBe('webp');
		const fill = Array.from({ length: ATTACHMENTS_PER_TICKET - 3 }, (_, i) => ({ name: `${i}.jpg`, bytes: photo }));
		await addAttachments(a, operator, t.ticketNo, fill);
		for (let round = 0; round < 3; round++) {
			const both = await Promise.allSettled([0, 1].map((i) => addAttachments(a, operator, t.ticketNo, [{ name: `last${round}-${i}.jpg`, bytes: photo }])));
			expect(both.map((r) => r.status).sort()).toEqual(round === 0 ? ['fulfilled', 'rejected'] : ['rejected', 'rejected']);
		}
		const [{ n }] = ((await a.rel.db.execute(sql`SELECT count(*)::int AS n FROM ticket_attachments WHERE ticket_id = ${t.id}`)) as unknown as { rows: { n: number }[] }).rows;
		expect(n).toBe(ATTACHMENTS_PER_TICKET);
	});
});

describe.skipIf(!adminUrl)('PostgreSQL accounts without the rights Minqing needs', () => {
	it('an account that may apply no migration, or read no table, stops the start with a StartupError naming the account and PostgreSQL\'s reason', async () => {
		const db = await scratchDatabase('minqing_rights');
		const role = `minqing_rights_${process.pid}`;
		const config = (databaseUrl: string) => ({ ...loadConfig({}), dataDir: ':memory:', databaseUrl, demo: false });
		try {
			// the tables made by their owner
			await stopApp(await startApp(config(db.url), () => {}));
			// an account that may create the migrations' bookkeeping, which then finds every migration applied, and may touch no table
			await asAdmin([`CREATE ROLE ${role} LOGIN PASSWORD 'pw-s3cret-7'`, `GRANT CREATE ON DATABASE ${db.name} TO ${role}`, `GRANT ALL ON SCHEMA drizzle TO ${role}`, `GRANT ALL ON ALL TABLES IN SCHEMA drizzle TO ${role}`], db.name);
			const weak = urlFor(db.name, { user: role, password: 'pw-s3cret-7' });
			const refused = await startApp(config(weak), () => {}).then(
				() => null,
				(e: unknown) => e
			);
			expect(refused).toBeInstanceOf(StartupError);
			const { userMessage, detail } = refused as StartupError;
			expect(userMessage).toContain(`数据库账号 ${role} 没有读写 Minqing 数据表的权限`);
			expect(detail).toMatch(/^start postgres:\/\/.+:\*\*\*@.+: permission denied for table \w+ \(SQLSTATE 42501\)/);
			expect(userMessage + detail).not.toContain('pw-s3cret-7');
			// and with no right to create even the bookkeeping: said at the migration
			await asAdmin([`REVOKE CREATE ON DATABASE ${db.name} FROM ${role}`, `REVOKE ALL ON SCHEMA drizzle FROM ${role}`], db.name);
			const noCreate = (await startApp(config(weak), () => {}).catch((e: unknown) => e)) as StartupError;
			expect(noCreate).toBeInstanceOf(StartupError);
			expect(noCreate.userMessage).toContain(`数据库账号 ${role} 没有建表权限`);
			expect(noCreate.detail).toContain('(SQLSTATE 42501) in: CREATE');
		} finally {
			await db.drop(role);
		}
	});
});

describe.skipIf(!adminUrl)('an account with only the rights to read and write the tables', () => {
	it('runs a database its owner migrated, and says at a pending migration that it cannot apply it', async () => {
		const db = await scratchDatabase('minqing_dml');
		const role = `minqing_dml_${process.pid}`;
		const config = (databaseUrl: string) => ({ ...loadConfig({}), dataDir: ':memory:', databaseUrl, demo: false });
		try {
			await stopApp(await startApp(config(db.url), () => {}));
			await asAdmin(
				[
					`CREATE ROLE ${role} LOGIN PASSWORD 'pw-dml-4'`,
					`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
					`GRANT USAGE ON SCHEMA public, drizzle TO ${role}`,
					`GRANT SELECT ON drizzle.__drizzle_migrations TO ${role}`,
					`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
					`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role}`
				],
				db.name
			);
			const weak = urlFor(db.name, { user: role, password: 'pw-dml-4' });
			const app = await startApp(config(weak), () => {});
			try {
				expect(app.rel.kind).toBe('postgres');
				const t = await registerTicket(app, { id: null, role: 'operator', unitCode: null, displayName: '话务员' }, { channel: 'phone', type: '咨询', content: '请问公积金怎么提取', address: '' });
				expect(t.ticketNo).toMatch(/-H\d+$/);
			} finally {
				await stopApp(app);
			}
			// a migration the owner has not applied yet: the start says the account cannot create tables
			await asAdmin([`DELETE FROM drizzle.__drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM drizzle.__drizzle_migrations)`], db.name);
			const pending = (await startApp(config(weak), () => {}).catch((e: unknown) => e)) as StartupError;
			expect(pending).toBeInstanceOf(StartupError);
			expect(pending.userMessage).toContain(`数据库账号 ${role} 没有建表权限`);
		} finally {
			await db.drop(role);
		}
	});
});

describe.skipIf(!adminUrl)('/healthz on PostgreSQL', () => {
	it('answers 503 with ok false naming the relational store while PostgreSQL does not answer, and ok again once it does', async () => {
		const db = await scratchDatabase('minqing_health');
		const target = new URL(db.url);
		const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port) });
		const through = new URL(db.url);
		through.port = String(proxy.port);
		let b: App | null = null;
		const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
		try {
			b = await startApp({ ...loadConfig({}), dataDir: ':memory:', databaseUrl: through.toString(), demo: false }, () => {});
			setApp(Promise.resolve(b));
			const health = async () => {
				const r = await healthz();
				return { status: r.status, body: (await r.json()) as Record<string, unknown> };
			};
			const up = await health();
			expect(up).toMatchObject({ status: 200, body: { ok: true, relational: 'postgres', demo: false } });
			expect(up.body).not.toHaveProperty('down');
			expect(up.body.rounds).toEqual({ text: expect.any(Number), detection: expect.any(Number) });

			await proxy.cut();
			// the answer of the last probe stands for a moment: monitors polling fast do not each cost a query
			expect((await health()).status).toBe(200);
			const t = Date.now();
			const down = await storeHealth(b, t + HEALTH_CACHE_MS);
			expect(down).toEqual({ ok: false, down: ['relational'] });
			expect(Date.now() - t).toBeLessThan(HEALTH_PROBE_MS + 1000);
			await new Promise((r) => setTimeout(r, HEALTH_CACHE_MS));
			const answer = await health();
			expect(answer).toMatchObject({ status: 503, body: { ok: false, relational: 'postgres', down: ['relational'] } });
			expect(errors.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('无法访问'))).toHaveLength(1);
			expect(JSON.stringify(answer.body)).not.toContain(String(target.port)); // nothing of where the database lives
			// a browser's session cookie sent along is not looked up in the store that is down
			const event = { url: new URL('http://x/healthz'), request: new Request('http://x/healthz'), cookies: { get: () => 'a-session-token', delete: () => {} }, locals: {} };
			expect((await handle({ event: event as never, resolve: (() => healthz()) as never })).status).toBe(503);

			await proxy.resume();
			expect(await storeHealth(b, Date.now() + 2 * HEALTH_CACHE_MS)).toEqual({ ok: true, down: [] });
			expect(errors.mock.calls.map((c) => String(c[0])).some((m) => m.includes('已恢复'))).toBe(true);
		} finally {
			errors.mockRestore();
			await proxy.close();
			if (b) await stopApp(b);
			await db.drop();
		}
	});
});

describe.skipIf(!adminUrl)('the analytics store of a data directory belongs with one relational store', () => {
	const operator = { id: null, role: 'operator' as const, unitCode: null, displayName: '话务员' };
	const register = (b: App, title: string) => registerTicket(b, operator, { channel: 'phone', type: '咨询', title, content: '咨询公积金提取', address: '', district_code: '320508' });
	const config = (dataDir: string, databaseUrl: string | null) => ({ ...loadConfig({}), dataDir, databaseUrl, demo: false });
	const refusal = (p: Promise<App>) =>
		p.then(
			async (b) => {
				await stopApp(b);
				return null;
			},
			(e: unknown) => e as StartupError
		);
	/** The analytics store's watermark and pairing, read with the app stopped. */
	const analyticsMeta = async (dataDir: string) => {
		const store = await openAnalytics(join(dataDir, 'minqing.duckdb'));
		try {
			return { watermark: await readWatermark(store.conn), pairing: await readPairing(store.conn) };
		} finally {
			await store.close();
		}
	};

	it('refuses another relational store, of either kind, before it opens it, keeping the watermark; the same database moved is its own', async () => {
		const first = await scratchDatabase('minqing_pair_a');
		const other = await scratchDatabase('minqing_pair_b');
		const copy = `${first.name}_copy`;
		const dataDir = mkdtempSync(join(tmpdir(), 'minqing-pair-'));
		try {
			let b = await startApp(config(dataDir, first.url), () => {});
			await register(b, '配对之前的工单');
			await syncIdle(b);
			await stopApp(b);
			const before = await analyticsMeta(dataDir);
			expect(before.watermark).not.toBeNull();
			expect(before.pairing).toMatchObject({ kind: 'postgres', describe: first.url });

			// DATABASE_URL forgotten (the command line, the server): refused before an embedded store is made
			const forgotten = await refusal(startApp(config(dataDir, null), () => {}));
			expect(forgotten).toBeInstanceOf(StartupError);
			expect(forgotten!.userMessage).toContain(`与 PostgreSQL 数据库 ${first.url} 配对，但没有设置 DATABASE_URL`);
			expect(forgotten!.userMessage).toContain(`npm run cli -- pair --data-dir ${dataDir}`);
			expect(existsSync(join(dataDir, 'pglite'))).toBe(false);

			// another database: refused before the start writes to the analytics store (the watermark stays), and
			// before its migrations make tables in it (an empty database named by mistake stays empty)
			const wrong = await refusal(startApp(config(dataDir, other.url), () => {}));
			expect(wrong).toBeInstanceOf(StartupError);
			expect(wrong!.userMessage).toContain(`记录的是 PostgreSQL 数据库 ${first.url}（编号 ${before.pairing!.id}）`);
			expect(wrong!.userMessage).toContain(`现在打开的是 PostgreSQL 数据库 ${other.url}（一个尚未用于民情的数据库）`);
			expect(wrong!.detail).toContain('(store id none)');
			expect(await analyticsMeta(dataDir)).toEqual(before);
			const otherPool = new pg.Pool({ connectionString: other.url });
			try {
				const { rows } = await otherPool.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`);
				expect(rows[0].n).toBe(0);
			} finally {
				await otherPool.end();
			}

			// the same database at another address, and a copy of it (as a dump restored on another host): the same store
			await asAdmin([`CREATE DATABASE ${copy} TEMPLATE ${first.name}`]);
			const moved = new URL(urlFor(copy));
			moved.hostname = 'localhost';
			b = await startApp(config(dataDir, moved.toString()), () => {});
			const later = await register(b, '迁移之后的工单');
			await syncIdle(b);
			expect((await queryRows(b.analytics.conn, `SELECT title FROM tickets_fact WHERE ticket_no = $no`, { no: later.ticketNo }))[0]).toEqual({ title: '迁移之后的工单' });
			await stopApp(b);
			expect((await analyticsMeta(dataDir)).pairing).toEqual({ ...before.pairing, describe: moved.toString() });

			// paired anew on purpose: the other database's tickets are synced from its start
			const elsewhere = await startApp(config(':memory:', other.url), () => {});
			const there = await register(elsewhere, '另一个库的工单');
			await stopApp(elsewhere);
			const logs: string[] = [];
			b = await startApp(config(dataDir, other.url), (m) => logs.push(m), { pair: true });
			expect(logs.join('\n')).toContain('分析库改为与本业务库配对');
			expect((await queryRows(b.analytics.conn, `SELECT title FROM tickets_fact WHERE ticket_no = $no`, { no: there.ticketNo }))[0]).toEqual({ title: '另一个库的工单' });
			await stopApp(b);
			expect((await analyticsMeta(dataDir)).pairing).toMatchObject({ kind: 'postgres', describe: other.url });
			expect(await refusal(startApp(config(dataDir, first.url), () => {}))).toBeInstanceOf(StartupError);
		} finally {
			rmSync(dataDir, { recursive: true, force: true });
			await first.drop();
			await other.drop();
			await asAdmin([`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`]);
		}
	});

	it('a store made before pairings were recorded: refused without DATABASE_URL when it has synced and has no embedded store, else paired with what it is started with', async () => {
		const db = await scratchDatabase('minqing_pair_old');
		const dataDir = mkdtempSync(join(tmpdir(), 'minqing-pair-old-'));
		const unpair = async () => {
			const store = await openAnalytics(join(dataDir, 'minqing.duckdb'));
			await deleteMeta(store.conn, 'relational_store');
			await store.close();
		};
		try {
			const b = await startApp(config(dataDir, db.url), () => {});
			await register(b, '旧版本的工单');
			await syncIdle(b);
			await stopApp(b);
			await unpair();
			const before = await analyticsMeta(dataDir);
			const forgotten = await refusal(startApp(config(dataDir, null), () => {}));
			expect(forgotten).toBeInstanceOf(StartupError);
			expect(forgotten!.userMessage).toContain('已从业务库同步过工单，但目录中没有内置数据库');
			expect(existsSync(join(dataDir, 'pglite'))).toBe(false);
			expect(await analyticsMeta(dataDir)).toEqual(before);
			await stopApp(await startApp(config(dataDir, db.url), () => {}));
			expect((await analyticsMeta(dataDir)).pairing).toMatchObject({ kind: 'postgres', describe: db.url });
			expect((await analyticsMeta(dataDir)).watermark).toEqual(before.watermark);
		} finally {
			rmSync(dataDir, { recursive: true, force: true });
			await db.drop();
		}
	});
});
