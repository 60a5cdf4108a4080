// Relational → analytics sync: changed tickets reach tickets_fact with their lifecycle figures, once.
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { ticketEvents, tickets, units } from '../../src/lib/server/db/schema';
import { inClusterOrder, keptAndRebuilt } from '../support/rollups';
import { afterSync, forgetWatermark, readWatermark, repairAfterRestore, requestSync, resyncAfterUpgrade, stopSync, syncIdle, syncToAnalytics, withoutSync } from '../../src/lib/server/sync';
import { registerTicket } from '../../src/lib/server/cases/service';
import { readNdjson } from '../../pipelines/ingest/sources';
import { ingestService, readPush } from '../../src/lib/server/ingest';
import { getMeta } from '../../pipelines/warehouse/schema';
import { Ingestor } from '../../pipelines/ingest/pipeline';
import { Geocoder } from '../../pipelines/normalize/index';
import { deadlines, visitDeadline } from '../../pipelines/lifecycle/model';
import { listQueue, ticketDetail } from '../../src/lib/server/cases/read';
import { formatDeadline } from '../../src/lib/charts/format';
import { getLimits } from '../../src/lib/server/cases/limits';

let a: App;
beforeAll(async () => {
	a = await startMemoryApp();
});
afterAll(async () => {
	if (a) await stopApp(a);
});

const fact = async (no: string) =>
	(
		await queryRows<Record<string, unknown>>(
			a.analytics.conn,
			`SELECT status, unit_code, returns, urges, reopens, to_json(rounds)::VARCHAR AS rounds, category_l1, district_code, caller_key, day::VARCHAR AS day FROM tickets_fact WHERE ticket_no = '${no}'`
		)
	).map((r): Record<string, unknown> => ({ ...r, rounds: JSON.parse(String(r.rounds)) }))[0];

describe('sync to analytics', () => {
	it('copies new tickets, then their changes, without personal data, and is idempotent', async () => {
		const t0 = new Date('2026-11-20T09:30:00+08:00');
		const [t] = await a.rel.db
			.insert(tickets)
			.values({
				ticketNo: 'SZ20261120-900001',
				source: 'intake',
				externalId: 'SZ20261120-900001',
				channel: 'phone',
				type: '投诉',
				categoryCode: '020101',
				title: '餐饮油烟',
				content: '楼下饭店油烟很大',
				districtCode: '320508',
				status: 'received',
				callerName: '张三',
				callerPhone: '13812345678',
				receivedAt: t0,
				updatedAt: t0
			})
			.returning();
		await a.rel.db.insert(ticketEvents).values({ ticketId: t.id, action: 'receive', toStatus: 'received', actorName: '话务员', at: t0 });
		expect(await syncToAnalytics(a)).toBe(1);
		const f1 = await fact('SZ20261120-900001');
		expect(f1).toMatchObject({ status: 'received', category_l1: '02', district_code: '320508', day: '2026-11-20' });
		expect(String(f1.caller_key)).toMatch(/^[0-9a-f]{16}$/);
		const cols = await queryRows<{ n: string }>(
			a.analytics.conn,
			`SELECT column_name AS n FROM duckdb_columns() WHERE table_name = 'tickets_fact'`
		);
		expect(cols.map((c) => c.n)).not.toContain('caller_phone');

		const t1 = new Date('2026-11-20T11:00:00+08:00');
		await a.rel.db.insert(ticketEvents).values([
			{
				ticketId: t.id,
				action: 'dispatch',
				fromStatus: 'accepted',
				toStatus: 'dispatched',
				actorName: '派单员',
				unitCode: 'S320508001',
				at: t1
			},
			{
				ticketId: t.id,
				action: 'return',
				fromStatus: 'dispatched',
				toStatus: 'accepted',
				actorName: '街道',
				unitCode: 'S320508001',
				at: t1
			},
			{ ticketId: t.id, action: 'urge', fromStatus: 'signed', toStatus: 'signed', actorName: '督办员', at: t1 },
			{ ticketId: t.id, action: 'visit', fromStatus: 'replied', toStatus: 'reopened', actorName: '回访员', at: t1 }
		]);
		await a.rel.db
			.update(tickets)
			.set({ status: 'dispatched', unitCode: 'D320508', updatedAt: t1, version: 2 })
			.where(eq(tickets.id, t.id));
		expect(await syncToAnalytics(a)).toBe(1);
		// one handling round: the street's, answered by its return (the urge and the visit came after it, in no round)
		const rounds = [{ unit: 'S320508001', dispatched_at: t1.getTime(), sign_deadline: null, signed_at: t1.getTime(), reply_deadline: null, replied_at: null, satisfaction: null, returned: true, extended: false, reopened: false }];
		expect(await fact('SZ20261120-900001')).toMatchObject({ status: 'dispatched', unit_code: 'D320508', returns: 1, urges: 1, reopens: 1, rounds });
		// a store synced by an older version (without the rounds) gets every ticket again at the next start
		await a.analytics.conn.run(`UPDATE tickets_fact SET rounds = NULL WHERE ticket_no = 'SZ20261120-900001'`);
		await a.analytics.conn.run(`UPDATE warehouse_meta SET value = '1' WHERE key = 'sync_version'`);
		expect(await syncToAnalytics(a)).toBe(0);
		await resyncAfterUpgrade(a);
		expect(await syncToAnalytics(a)).toBeGreaterThanOrEqual(1);
		expect(await fact('SZ20261120-900001')).toMatchObject({ rounds });
		await resyncAfterUpgrade(a);
		expect(await syncToAnalytics(a)).toBe(0); // once
		const [{ n }] = await queryRows<{ n: number }>(
			a.analytics.conn,
			`SELECT count(*)::INTEGER n FROM tickets_fact WHERE ticket_no = 'SZ20261120-900001'`
		);
		expect(n).toBe(1);
		expect(await syncToAnalytics(a)).toBe(0);
		// the watermark is the transaction that wrote the last ticket's change (changed_xid), not its version time
		const [newest] = await a.rel.db.select({ xid: tickets.changedXid, id: tickets.id }).from(tickets).orderBy(desc(tickets.changedXid), desc(tickets.id)).limit(1);
		expect(newest.id).toBe(t.id);
		expect(await readWatermark(a.analytics.conn)).toEqual({ xid: newest.xid, id: t.id });
		const [{ r }] = await queryRows<{ r: number }>(
			a.analytics.conn,
			`SELECT sum(n)::INTEGER r FROM rollup_daily WHERE day = DATE '2026-11-20'`
		);
		expect(r).toBe(1);
	});

	it('says its progress when asked (a catch-up of every ticket after pair): from 0 of those waiting to all of them', async () => {
		const user = { id: null, role: 'operator' as const, unitCode: null, displayName: '测试' };
		for (let i = 0; i < 3; i++) await registerTicket(a, user, { channel: 'phone', type: '咨询', content: `进度测试第${i}件，请问公积金怎么提取` });
		await syncIdle(a);
		const [{ n }] = (await a.rel.db.select({ n: sql<number>`count(*)::int` }).from(tickets)) as { n: number }[];
		await withoutSync(a, async () => {
			await forgetWatermark(a.analytics.conn);
			const calls: [number, number][] = [];
			const synced = await syncToAnalytics(a, Date.now(), undefined, (done, total) => calls.push([done, total]));
			expect(synced).toBe(n);
			expect(calls[0]).toEqual([0, n]);
			expect(calls.at(-1)).toEqual([n, n]);
			expect(calls.every(([d, t], i) => t === n && (i === 0 || d > calls[i - 1][0]))).toBe(true);
		});
	});

	it('keys a caller in the analytics store as repeat detection does (a local number with the city’s area code)', async () => {
		const user = { id: null, role: 'operator' as const, unitCode: null, displayName: '测试' };
		const call = (caller_phone: string) => registerTicket(a, user, { channel: 'phone', type: '咨询', content: '请问公积金怎么提取', caller_phone });
		const local = await call('6512 3456');
		const full = await call('0512-65123456');
		expect(local.callerPhoneKey).toBe(full.callerPhoneKey);
		await syncIdle(a);
		const [k1, k2] = [(await fact(local.ticketNo)).caller_key, (await fact(full.ticketNo)).caller_key];
		expect(String(k1)).toMatch(/^[0-9a-f]{16}$/);
		expect(k1).toBe(k2);
	});

	it('after a restore into another cluster (transaction ids far ahead of it), marks the rows again and syncs everything once', async () => {
		const t0 = new Date('2026-11-21T09:30:00+08:00');
		const mk = async (no: string) => {
			const [t] = await a.rel.db
				.insert(tickets)
				.values({ ticketNo: no, source: 'intake', externalId: no, channel: 'phone', type: '咨询', content: '询问', status: 'received', receivedAt: t0, updatedAt: t0 })
				.returning();
			return t;
		};
		await mk('SZ20261101-990001');
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		// as a dump of a busier cluster restored here: the rows' and the watermark's transaction ids lie far ahead
		await a.rel.db.update(tickets).set({ changedXid: sql`'4000000000'::xid8` });
		await a.analytics.conn.run(`INSERT OR REPLACE INTO warehouse_meta VALUES ('sync_watermark', '{"xid":"4000000000","id":999999}')`);
		await mk('SZ20261101-990002');
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		expect(await fact('SZ20261101-990002')).toBeUndefined(); // behind the watermark for good
		const r = await repairAfterRestore(a);
		expect(r.resync).toBe(true);
		expect(r.restamped).toBeGreaterThanOrEqual(1);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		expect(await fact('SZ20261101-990002')).toMatchObject({ status: 'received' });
		expect(await repairAfterRestore(a)).toEqual({ restamped: 0, resync: false }); // once
	});

	it('reads past pages of tickets that share one update time, each ticket once', async () => {
		// a batch written in one statement shares its time: the watermark's id must carry the reads through it
		const at = new Date('2026-11-21T10:00:00+08:00');
		const row = (i: number) => ({
			ticketNo: `SZ20261121-9${String(i).padStart(5, '0')}`,
			source: 'intake',
			externalId: `SZ20261121-9${String(i).padStart(5, '0')}`,
			channel: 'phone',
			type: '咨询',
			content: `同一时刻的来电 ${i}`,
			status: 'received',
			receivedAt: at,
			updatedAt: at
		});
		const first = await a.rel.db
			.insert(tickets)
			.values(Array.from({ length: 600 }, (_, i) => row(i)))
			.returning({ id: tickets.id });
		expect(await syncToAnalytics(a)).toBe(600);
		const maxId = Math.max(...first.map((r) => r.id));
		expect((await readWatermark(a.analytics.conn))?.id).toBe(maxId);
		expect(await syncToAnalytics(a)).toBe(0);
		// one more at the same time, after the watermark by its id only
		await a.rel.db.insert(tickets).values(row(600));
		expect(await syncToAnalytics(a)).toBe(1);
		const [{ n, d }] = await queryRows<{ n: number; d: number }>(
			a.analytics.conn,
			`SELECT count(*)::INTEGER n, count(DISTINCT ticket_no)::INTEGER d FROM tickets_fact WHERE ticket_no LIKE 'SZ20261121-9%'`
		);
		expect([n, d]).toEqual([601, 601]);
	});

	it('writes a ticket changed between two pages of one round once, in its later version', async () => {
		const at = Date.parse('2026-11-22T09:00:00+08:00');
		const no = (i: number) => `SZ20261122-9${String(i).padStart(5, '0')}`;
		await a.rel.db.insert(tickets).values(
			Array.from({ length: 300 }, (_, i) => ({
				ticketNo: no(i),
				source: 'intake',
				externalId: no(i),
				channel: 'phone',
				type: '投诉',
				content: `分页之间改动的来电 ${i}`,
				status: 'received',
				receivedAt: new Date(at + i * 1000),
				updatedAt: new Date(at + i * 1000)
			}))
		);
		// the first ticket is accepted right after the round read its first page (250 tickets), before the second
		const db = a.rel.db as unknown as { select: (...args: unknown[]) => { from: (...f: unknown[]) => PromiseLike<unknown> } };
		const select = db.select.bind(db);
		let reads = 0;
		const spy = vi.spyOn(db, 'select').mockImplementation((...args: unknown[]) => {
			const q = select(...args);
			const from = q.from.bind(q);
			q.from = (...f: unknown[]) => {
				const b = from(...f) as PromiseLike<unknown> & { then: PromiseLike<unknown>['then'] };
				if (++reads !== 2) return b;
				const then = b.then.bind(b);
				b.then = ((res: never, rej: never) =>
					a.rel.db
						.update(tickets)
						.set({ status: 'accepted', updatedAt: new Date(at + 10_000_000) })
						.where(eq(tickets.ticketNo, no(0)))
						.then(() => then(res, rej), rej)) as typeof b.then;
				return b;
			};
			return q;
		});
		try {
			await syncToAnalytics(a);
		} finally {
			spy.mockRestore();
		}
		expect(reads).toBeGreaterThanOrEqual(2);
		const rows = await queryRows<{ status: string }>(a.analytics.conn, `SELECT status FROM tickets_fact WHERE ticket_no = '${no(0)}'`);
		expect(rows).toEqual([{ status: 'accepted' }]);
		const [{ n }] = await queryRows<{ n: number }>(a.analytics.conn, `SELECT count(*)::INTEGER n FROM tickets_fact WHERE ticket_no LIKE 'SZ20261122-9%'`);
		expect(n).toBe(300);
		const [{ c }] = await queryRows<{ c: number }>(a.analytics.conn, `SELECT sum(n)::INTEGER c FROM rollup_daily_city WHERE day = DATE '2026-11-22'`);
		expect(c).toBe(300);
	});

	it('keeps the rollups and the open tickets exactly as a rebuild from the facts would make them', async () => {
		// varied tickets over 100 days (some outside the hourly rollup's window), then changes of every kind
		const districts = [...a.ref.districtByCode.keys()];
		const streets = [...a.ref.streetByCode.values()];
		const cats = [...a.ref.categoryByCode.keys()];
		const unitCodes = (await a.rel.db.select({ code: units.code }).from(units)).map((u) => u.code);
		expect(unitCodes.length).toBeGreaterThan(1);
		const base = Date.now() - 100 * 86_400_000;
		const rows = Array.from({ length: 300 }, (_, i) => {
			const received = new Date(base + ((i * 7919) % 100) * 86_400_000 + (i % 24) * 3_600_000);
			const st = streets[i % streets.length];
			const done = i % 3 === 0;
			return {
				ticketNo: `SZ-ROLL-${i}`,
				source: 'intake',
				externalId: `SZ-ROLL-${i}`,
				channel: ['phone', 'web', 'wechat'][i % 3],
				type: ['投诉', '咨询', '求助', '建议'][i % 4],
				categoryCode: i % 11 === 0 ? null : cats[i % cats.length],
				content: `来电 ${i}`,
				districtCode: i % 13 === 0 ? null : i % 2 ? st.districtCode : districts[i % districts.length],
				streetCode: i % 2 ? st.code : null,
				status: done ? 'closed' : ['received', 'dispatched', 'signed', 'replied'][i % 4],
				unitCode: i % 5 === 0 ? null : unitCodes[i % unitCodes.length],
				dispatchedAt: i % 4 ? received : null,
				signedAt: done ? new Date(received.getTime() + 3_600_000) : null,
				signDeadline: new Date(received.getTime() + (i % 2 ? 7_200_000 : 1_800_000)),
				repliedAt: done ? new Date(received.getTime() + 86_400_000) : null,
				replyDeadline: new Date(received.getTime() + 3 * 86_400_000),
				closedAt: done ? new Date(received.getTime() + 2 * 86_400_000) : null,
				satisfaction: done ? ['满意', '基本满意', '不满意'][i % 3] : null,
				receivedAt: received,
				updatedAt: new Date(base)
			};
		});
		const ids = await a.rel.db.insert(tickets).values(rows).returning({ id: tickets.id });
		await syncToAnalytics(a);
		// changes: status and unit moves, a district cleared, satisfaction, returns and a reopening by events
		const at = new Date();
		for (let i = 0; i < 300; i += 4) {
			await a.rel.db
				.update(tickets)
				.set({
					status: i % 8 ? 'closed' : 'reopened',
					unitCode: unitCodes[(i + 1) % unitCodes.length],
					districtCode: i % 12 === 0 ? null : rows[i].districtCode,
					satisfaction: i % 8 ? '满意' : null,
					repliedAt: at,
					updatedAt: at
				})
				.where(eq(tickets.id, ids[i].id));
			if (i % 3 === 0)
				await a.rel.db
					.insert(ticketEvents)
					.values({ ticketId: ids[i].id, action: 'return', fromStatus: 'dispatched', toStatus: 'accepted', actorName: '街道', at });
		}
		expect(await syncToAnalytics(a)).toBe(75);
		const { kept, rebuilt } = await keptAndRebuilt(a.analytics.conn);
		expect(kept.rollup_daily.length).toBeGreaterThan(50);
		expect(kept.open_tickets.length).toBeGreaterThan(10);
		for (const t of Object.keys(rebuilt)) expect(kept[t], t).toEqual(rebuilt[t]);
	});

	it('the rows syncs append are put back in order by the maintenance, syncs alongside it kept', async () => {
		const received = (i: number) => new Date(Date.now() - (i % 20) * 86_400_000);
		const add = (from: number, n: number) =>
			a.rel.db.insert(tickets).values(
				Array.from({ length: n }, (_, k) => {
					const i = from + k;
					return {
						ticketNo: `SZ-ORDER-${i}`,
						source: 'intake',
						externalId: `SZ-ORDER-${i}`,
						channel: 'phone',
						type: '投诉',
						content: `来电 ${i}`,
						districtCode: [...a.ref.districtByCode.keys()][i % 5],
						status: 'received',
						receivedAt: received(i),
						updatedAt: new Date()
					};
				})
			);
		await add(0, 200);
		await syncToAnalytics(a);
		expect(await getMeta(a.analytics.conn, 'rollups_unclustered')).not.toBeNull();
		expect(await inClusterOrder(a.analytics.conn, 'rollup_daily_l1')).toBe(false);

		const errors = vi.spyOn(console, 'error');
		try {
			await add(200, 50);
			const maintained = ingestService(a).maintainRollups(0);
			// syncs alongside: the rewrite runs before or after a sync, never during one (CoalescingJob.exclusive)
			requestSync(a);
			requestSync(a);
			const r = await maintained;
			await syncIdle(a);
			expect(r?.rows).toBeGreaterThan(0);
			expect(errors.mock.calls.filter((c) => String(c[0]).includes('sync to analytics failed'))).toEqual([]);
		} finally {
			errors.mockRestore();
		}
		const [{ n }] = await queryRows<{ n: number }>(
			a.analytics.conn,
			`SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE ticket_no LIKE 'SZ-ORDER-%'`
		);
		expect(n).toBe(250);
		for (const t of ['rollup_daily_l1', 'rollup_daily', 'open_tickets']) expect(await inClusterOrder(a.analytics.conn, t), t).toBe(true);
		const { kept, rebuilt } = await keptAndRebuilt(a.analytics.conn);
		for (const t of Object.keys(rebuilt)) expect(kept[t], t).toEqual(rebuilt[t]);
	});

	it('an ingest batch written while a sync writes waits for it (one writer at a time)', async () => {
		// stands for a sync writing: the ingest queue's writes go through the same exclusion
		let release: () => void = () => {};
		const syncing = withoutSync(a, () => new Promise<void>((r) => (release = r)));
		const lines = Array.from({ length: 20 }, (_, i) =>
			JSON.stringify({
				external_id: `GATE-${i}`,
				received_at: new Date().toISOString(),
				channel: 'web',
				type: '咨询',
				content: `咨询 ${i}`
			})
		);
		async function* bytes() {
			yield new TextEncoder().encode(lines.join('\n') + '\n');
		}
		const pushed = ingestService(a).push('gate-test', 'p1', readNdjson(bytes()));
		const count = async () =>
			(await queryRows<{ n: number }>(a.analytics.conn, `SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE source = 'gate-test'`))[0].n;
		await new Promise((r) => setTimeout(r, 500));
		expect(await count()).toBe(0);
		release();
		await syncing;
		expect((await pushed).accepted).toBe(20);
		expect(await count()).toBe(20);
	});

	/**
	 * Case handling's stream of changes: 5 new tickets every few milliseconds, a sync requested after each
	 * commit, until `stop` (or `max` tickets); `written` counts them.
	 */
	function ticketStream(prefix: string, max: number) {
		const s = { writing: true, written: 0, done: Promise.resolve() };
		s.done = (async () => {
			while (s.writing && s.written < max) {
				await a.rel.db.insert(tickets).values(
					Array.from({ length: 5 }, () => {
						const no = `${prefix}-${s.written++}`;
						return {
							ticketNo: no,
							source: 'intake',
							externalId: no,
							channel: 'phone',
							type: '咨询',
							content: '咨询',
							status: 'received',
							receivedAt: new Date(),
							updatedAt: new Date()
						};
					})
				);
				requestSync(a); // as case handling does after each commit
				await new Promise((r) => setTimeout(r, 5));
			}
		})();
		return { state: s, stop: () => ((s.writing = false), s.done) };
	}

	/** After the stream: every ticket synced once. */
	async function expectSynced(prefix: string, written: number) {
		await syncIdle(a);
		const [{ n }] = await queryRows<{ n: number }>(
			a.analytics.conn,
			`SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE ticket_no LIKE '${prefix}-%'`
		);
		expect(n).toBe(written);
	}

	it('a sync round that keeps finding changes gives way to a waiting writer between batches', async () => {
		const stream = ticketStream('SZ-STREAM', 2000);
		try {
			await new Promise((r) => setTimeout(r, 200));
			// the ingest queue's turn: it comes while the writer still writes, not when the stream ends
			const stillWriting = await withoutSync(a, async () => stream.state.writing && stream.state.written < 2000);
			expect(stillWriting).toBe(true);
		} finally {
			await stream.stop();
		}
		await expectSynced('SZ-STREAM', stream.state.written);
	});

	it('under a stream of changes a round ends within about a second, so the work after a sync runs during the stream', async () => {
		const during: number[] = [];
		const stream = ticketStream('SZ-FLOW', 20_000);
		// the text analysis and the alert detection are asked for this way, after each round that synced something
		afterSync(() => {
			if (stream.state.writing) during.push(stream.state.written);
		});
		try {
			const t0 = Date.now();
			while (during.length < 2 && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 50));
			expect(during.length, `rounds ended while ${stream.state.written} tickets were written`).toBeGreaterThanOrEqual(2);
		} finally {
			await stream.stop();
		}
		await expectSynced('SZ-FLOW', stream.state.written);
	});

	it('stopped for a shutdown, the sync starts no more rounds, and what it left is caught up from the watermark', async () => {
		// an app of its own: this one's sync stays stopped
		const b = await startMemoryApp();
		try {
			const user = { id: null, role: 'operator' as const, unitCode: null, displayName: '测试' };
			const call = (i: number) => ({ channel: 'phone', type: '咨询', title: `关闭前来电 ${i}`, content: '请问公积金怎么提取', address: '', caller_phone: '13900000000' });
			const synced = async (no: string) =>
				(await queryRows<{ n: number }>(b.analytics.conn, `SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE ticket_no = '${no}'`))[0].n;
			const before = await registerTicket(b, user, call(1));
			await syncIdle(b);
			expect(await synced(before.ticketNo)).toBe(1);

			await stopSync(b);
			const after = await registerTicket(b, user, call(2)); // asks for a sync, as every registration does
			requestSync(b);
			await syncIdle(b);
			await new Promise((r) => setTimeout(r, 100));
			expect(await synced(after.ticketNo)).toBe(0);

			// the next start's catch-up
			expect(await syncToAnalytics(b)).toBe(1);
			expect(await synced(after.ticketNo)).toBe(1);
		} finally {
			await stopApp(b);
		}
	});
});

describe('feed versions reach the relational store as the analytics store keeps them', () => {
	const push = (source: string, id: string, records: Record<string, unknown>[]) =>
		ingestService(a).push(
			source,
			id,
			readNdjson(
				(async function* () {
					yield new TextEncoder().encode(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
				})()
			)
		);
	const rec = (id: string, at: string, extra: Record<string, unknown> = {}) => ({
		external_id: id,
		received_at: '2026-11-25T08:00:00+08:00',
		updated_at: at,
		channel: 'phone',
		type: '投诉',
		content: `反映路灯不亮 ${id}`,
		district_code: '320508',
		...extra
	});
	const factOf = async (source: string, id: string) =>
		(
			await queryRows<{ status: string; unit_code: string | null; updated: string }>(
				a.analytics.conn,
				`SELECT status, unit_code, strftime(updated_at, '%H:%M') AS updated FROM tickets_fact WHERE source = '${source}' AND external_id = '${id}'`
			)
		)[0];
	const relOf = async (source: string, id: string) =>
		(await a.rel.db.select().from(tickets).where(and(eq(tickets.source, source), eq(tickets.externalId, id))))[0];

	it('a stale version neither enters the relational store nor comes back with the next sync; a newer one updates both', async () => {
		expect(await push('fv', 'p1', [rec('X-2', '2026-11-25T10:00:00+08:00', { status: 'closed', closed_at: '2026-11-25T10:00:00+08:00' }), rec('X-1', '2026-11-25T09:00:00+08:00')])).toMatchObject({ accepted: 2 });
		expect(await relOf('fv', 'X-2')).toBeUndefined(); // closed history stays in the analytics store
		expect((await relOf('fv', 'X-1')).status).toBe('received');
		expect(await push('fv', 'p2', [rec('X-2', '2026-11-25T09:30:00+08:00'), rec('X-1', '2026-11-25T11:00:00+08:00', { status: 'dispatched', unit: 'D320508' })])).toMatchObject({
			stale: 1,
			updated: 1
		});
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		expect(await relOf('fv', 'X-2')).toBeUndefined();
		expect(await factOf('fv', 'X-2')).toEqual({ status: 'closed', unit_code: null, updated: '10:00' });
		const x1 = await relOf('fv', 'X-1');
		expect(x1).toMatchObject({ status: 'dispatched', unitCode: 'D320508', version: 2 });
		expect(await factOf('fv', 'X-1')).toEqual({ status: 'dispatched', unit_code: 'D320508', updated: '11:00' });
		const events = await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, x1.id));
		expect(events.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
			['receive', null, 'received'],
			['feed_update', 'received', 'dispatched']
		]);
	});

	it('a version dated ahead by its sender hides no later local change from the analytics store', async () => {
		const sync = async () => {
			await syncIdle(a);
			await withoutSync(a, async () => void (await syncToAnalytics(a)));
		};
		// five minutes ahead: inside the tolerance for the sender's clock
		const ahead = new Date(Date.now() + 5 * 60_000).toISOString();
		expect(await push('fv', 'p-ahead', [rec('X-7', ahead, { received_at: new Date(Date.now() - 3_600_000).toISOString() })])).toMatchObject({ accepted: 1 });
		await sync();
		// a change made here right after (a handling action stamps the server's time, before the sender's)
		const x7 = await relOf('fv', 'X-7');
		await a.rel.db
			.update(tickets)
			.set({ status: 'accepted', version: x7.version + 1, updatedAt: new Date() })
			.where(eq(tickets.id, x7.id));
		const other = await a.rel.db
			.insert(tickets)
			.values({ ticketNo: 'SZ20261201-H99901', source: 'intake', externalId: 'SZ20261201-H99901', channel: 'phone', type: '咨询', content: '本地登记', status: 'received', receivedAt: new Date(), updatedAt: new Date() })
			.returning();
		await sync();
		expect((await factOf('fv', 'X-7')).status).toBe('accepted');
		expect(await fact(other[0].ticketNo)).toMatchObject({ status: 'received' });
	});

	it('a newer feed version of a ticket handled here keeps its handling in the analytics store', async () => {
		const sync = async () => {
			await syncIdle(a);
			await withoutSync(a, async () => void (await syncToAnalytics(a)));
		};
		await push('fv', 'p-h1', [rec('X-8', '2026-11-25T09:00:00+08:00')]);
		await sync();
		// dispatched here half an hour ago
		const x8 = await relOf('fv', 'X-8');
		const at = new Date(Date.now() - 30 * 60_000);
		await a.rel.db
			.update(tickets)
			.set({ status: 'dispatched', unitCode: 'D320508', dispatchedAt: at, signDeadline: new Date(at.getTime() + 7_200_000), version: x8.version + 1, updatedAt: at })
			.where(eq(tickets.id, x8.id));
		// and another ticket handled five minutes ago, synced
		const [y] = await a.rel.db
			.insert(tickets)
			.values({ ticketNo: 'SZ20261201-H99902', source: 'intake', externalId: 'SZ20261201-H99902', channel: 'phone', type: '咨询', content: '本地登记', status: 'received', receivedAt: new Date(), updatedAt: new Date(Date.now() - 5 * 60_000) })
			.returning();
		await sync();
		expect(await fact(y.ticketNo)).toMatchObject({ status: 'received' });
		// the sub-centre's newer version, ten minutes old when it arrives (feeds come late)
		const newer = new Date(Date.now() - 10 * 60_000).toISOString();
		expect(await push('fv', 'p-h2', [rec('X-8', newer, { status: 'signed', unit: 'D320508' })])).toMatchObject({ updated: 1 });
		await sync();
		const [f] = await queryRows<{ status: string; dispatched: boolean; deadline: boolean }>(
			a.analytics.conn,
			`SELECT status, dispatched_at IS NOT NULL AS dispatched, sign_deadline IS NOT NULL AS deadline FROM tickets_fact WHERE source = 'fv' AND external_id = 'X-8'`
		);
		expect(f).toEqual({ status: 'signed', dispatched: true, deadline: true });
	});

	it('a newer closed version closes the open ticket here too, and an older one changes nothing', async () => {
		await push('fv', 'p3', [rec('X-3', '2026-11-25T09:00:00+08:00')]);
		await push('fv', 'p4', [rec('X-3', '2026-11-25T12:00:00+08:00', { status: 'closed', closed_at: '2026-11-25T12:00:00+08:00', satisfaction: '满意' })]);
		await push('fv', 'p5', [rec('X-3', '2026-11-25T11:00:00+08:00')]);
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		expect(await relOf('fv', 'X-3')).toMatchObject({ status: 'closed', satisfaction: '满意', version: 2 });
		expect(await factOf('fv', 'X-3')).toEqual({ status: 'closed', unit_code: null, updated: '12:00' });
	});

	it("a feed's ticket handed over here is a handling round of the unit the feed names, with the visit it reports", async () => {
		await push('fv', 'p-r1', [rec('X-R', '2026-11-25T09:00:00+08:00', { status: 'dispatched', unit: 'D320508' })]);
		await push('fv', 'p-r2', [rec('X-R', '2026-11-25T12:00:00+08:00', { status: 'closed', unit: 'D320508', closed_at: '2026-11-25T12:00:00+08:00', satisfaction: '满意' })]);
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		const rows = await queryRows<{ unit_code: string; satisfaction: string | null }>(
			a.analytics.conn,
			`SELECT r.unit_code, r.satisfaction FROM unit_rounds r JOIN tickets_fact f USING (ticket_no) WHERE f.source = 'fv' AND f.external_id = 'X-R'`
		);
		expect(rows).toEqual([{ unit_code: 'D320508', satisfaction: '满意' }]);
	});

	it("a feed's handling times reach the relational store, the return visit's limit and the unit's round, through the sync", async () => {
		const times = { sign_deadline: '2026-11-25T12:00:00+08:00', signed_at: '2026-11-25T10:00:00+08:00', reply_deadline: '2026-12-02T18:00:00+08:00' };
		await push('fv', 'p-t1', [rec('X-T', '2026-11-25T10:00:00+08:00', { status: 'signed', unit: 'D320508', urgency: 'urgent', ...times })]);
		expect(await relOf('fv', 'X-T')).toMatchObject({ status: 'signed', urgency: 'urgent', signedAt: new Date(times.signed_at), signDeadline: new Date(times.sign_deadline), repliedAt: null, visitDeadline: null });
		// replied late: awaiting its visit, whose limit runs from the reply as one made here
		const replied = '2026-12-03T09:00:00+08:00';
		await push('fv', 'p-t2', [rec('X-T', replied, { status: 'replied', unit: 'D320508', ...times, replied_at: replied })]);
		const x = await relOf('fv', 'X-T');
		// a ticket held here keeps the urgency it entered with (or was given here): a later version does not change it
		expect(x).toMatchObject({ status: 'replied', urgency: 'urgent', signedAt: new Date(times.signed_at), replyDeadline: new Date(times.reply_deadline), repliedAt: new Date(replied) });
		expect(x.visitDeadline).toEqual(new Date(visitDeadline(a.calendar, await getLimits(a.rel.db), Date.parse(replied))));
		expect(x.visitDeadline!.getTime()).toBeGreaterThan(Date.parse(replied));
		const events = await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, x.id)).orderBy(ticketEvents.id);
		// the timeline says what the source system recorded (it has no sign or reply event of these steps)
		expect(events.map((e) => e.note)).toEqual(['由数据接入导入（来源系统记录：签收 2026-11-25 10:00）', '数据接入收到更新的版本（来源系统记录：签收 2026-11-25 10:00，答复 2026-12-03 09:00）']);
		expect(events.at(-1)!.data).toEqual({ signDeadline: Date.parse(times.sign_deadline), signedAt: Date.parse(times.signed_at), replyDeadline: Date.parse(times.reply_deadline), repliedAt: Date.parse(replied) });
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		const round = async () =>
			(
				await queryRows<{ unit_code: string; sign_ok: boolean; reply_ok: boolean; dispatched: boolean; satisfaction: string | null }>(
					a.analytics.conn,
					`SELECT r.unit_code, r.signed_at <= r.sign_deadline AS sign_ok, r.replied_at <= r.reply_deadline AS reply_ok, r.dispatched_at IS NOT NULL AS dispatched, r.satisfaction
					 FROM unit_rounds r JOIN tickets_fact f USING (ticket_no) WHERE f.source = 'fv' AND f.external_id = 'X-T'`
				)
			)[0];
		expect(await round()).toEqual({ unit_code: 'D320508', sign_ok: true, reply_ok: false, dispatched: false, satisfaction: null });
		const [f] = await queryRows<{ sign_on_time: boolean; reply_on_time: boolean }>(a.analytics.conn, `SELECT sign_on_time, reply_on_time FROM tickets_fact WHERE source = 'fv' AND external_id = 'X-T'`);
		expect(f).toEqual({ sign_on_time: true, reply_on_time: false });
		// visited and closed: no visit limit runs; a version without times keeps the ones the store has
		await push('fv', 'p-t3', [rec('X-T', '2026-12-04T09:00:00+08:00', { status: 'closed', unit: 'D320508', closed_at: '2026-12-04T09:00:00+08:00', satisfaction: '基本满意' })]);
		expect(await relOf('fv', 'X-T')).toMatchObject({ status: 'closed', repliedAt: new Date(replied), signedAt: new Date(times.signed_at), visitDeadline: null });
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		expect(await round()).toEqual({ unit_code: 'D320508', sign_ok: true, reply_ok: false, dispatched: false, satisfaction: '基本满意' });
	});

	it("an open ticket at a unit whose feed reports no limits gets this hotline's, from its receipt, while the step is due; no on-time rate counts them", async () => {
		const limits = await getLimits(a.rel.db);
		const received = '2026-10-09T09:00:00+08:00';
		await push('fl', 'p-l1', [
			rec('L-S', '2026-10-10T09:00:00+08:00', { received_at: received, status: 'signed', unit: 'D320508' }),
			rec('L-D', '2026-10-10T09:00:00+08:00', { received_at: received, status: 'dispatched', unit: 'D320508', type: '求助', urgency: 'urgent' }),
			rec('L-A', '2026-10-10T09:00:00+08:00', { received_at: received, status: 'accepted' }),
			rec('L-R', '2026-10-10T09:00:00+08:00', { received_at: received, status: 'signed', unit: 'D320508', reply_deadline: '2026-12-31T18:00:00+08:00' })
		]);
		const signed = await relOf('fl', 'L-S');
		const own = deadlines(a.calendar, limits, '投诉', false, Date.parse(received));
		expect(signed).toMatchObject({ signDeadline: null, replyDeadline: new Date(own.replyDeadline), dispatchedAt: null });
		const urgent = deadlines(a.calendar, limits, '求助', true, Date.parse(received));
		expect(await relOf('fl', 'L-D')).toMatchObject({ signDeadline: new Date(urgent.signDeadline), replyDeadline: new Date(urgent.replyDeadline) });
		// awaiting dispatch here: the dispatch gives its limits; a limit the feed reports is kept as reported
		expect(await relOf('fl', 'L-A')).toMatchObject({ signDeadline: null, replyDeadline: null });
		expect((await relOf('fl', 'L-R')).replyDeadline).toEqual(new Date('2026-12-31T18:00:00+08:00'));
		const [ev] = await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, signed.id));
		expect(ev.note).toBe(`由数据接入导入（来源系统未报时限，按本平台时限自登记时间起算：答复 ${formatDeadline(new Date(own.replyDeadline).toISOString())}）`);
		// the unit's round keeps what the feed reported: no limit to judge it by
		expect(ev.data).toBeNull();
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		const analytics = async () =>
			(
				await queryRows<{ fact: string | null; round: string | null }>(
					a.analytics.conn,
					`SELECT strftime(f.reply_deadline, '%Y-%m-%d') AS fact, strftime(r.reply_deadline, '%Y-%m-%d') AS round FROM tickets_fact f JOIN unit_rounds r USING (ticket_no) WHERE f.source = 'fl' AND f.external_id = 'L-S'`
				)
			)[0];
		// while the reply is due, the analytics watch it as 督办 does (the overview's 当前超期); the unit's round has no limit
		const day = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
		expect(await analytics()).toEqual({ fact: day(own.replyDeadline), round: null });
		const [overdue] = await queryRows<{ n: number }>(a.analytics.conn, `SELECT count(*)::INTEGER AS n FROM open_tickets WHERE ticket_no = '${signed.ticketNo}' AND replied_at IS NULL AND reply_deadline < now()`);
		expect(overdue.n).toBe(1);
		// overdue since: 督办 lists it red
		const supervisor = { id: null, role: 'supervisor' as const, unitCode: null, displayName: '督办' };
		const red = await listQueue(a, supervisor, { queue: 'supervise', tab: 'red', size: 1000 });
		expect(red.items.map((i) => i.ticketNo)).toEqual(expect.arrayContaining([signed.ticketNo, (await relOf('fl', 'L-D')).ticketNo]));
		expect(red.items.map((i) => i.ticketNo)).not.toContain((await relOf('fl', 'L-R')).ticketNo);
		// 工单详情 shows the reply limit alone, and says where it comes from; a reported limit is the sender's
		expect(await ticketDetail(a, supervisor, signed.ticketNo)).toMatchObject({ signDeadline: null, replyDeadline: new Date(own.replyDeadline).toISOString(), limitsFromReceipt: true, replyLight: 'red' });
		expect((await ticketDetail(a, supervisor, (await relOf('fl', 'L-R')).ticketNo)).limitsFromReceipt).toBe(false);
		// replied: judged by the limit the sender set, none, so in no on-time rate
		await push('fl', 'p-l2', [rec('L-S', '2026-10-11T09:00:00+08:00', { received_at: received, status: 'replied', unit: 'D320508', replied_at: '2026-10-11T09:00:00+08:00' })]);
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		expect(await analytics()).toEqual({ fact: null, round: null });
		const notes = (await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, signed.id)).orderBy(ticketEvents.id)).map((e) => e.note);
		expect(notes.at(-1)).toBe('数据接入收到更新的版本（来源系统记录：答复 2026-10-11 09:00）');
		// a later version reporting the limit replaces the inferred one, in both stores
		await push('fl', 'p-l3', [rec('L-D', '2026-10-11T09:00:00+08:00', { received_at: received, status: 'signed', unit: 'D320508', type: '求助', reply_deadline: '2026-12-30T18:00:00+08:00' })]);
		expect((await relOf('fl', 'L-D')).replyDeadline).toEqual(new Date('2026-12-30T18:00:00+08:00'));
	});

	it('a hand-over that failed after its batch committed is repaired by running the same records again', async () => {
		const conn = await a.analytics.connect();
		const ingestor = new Ingestor({ conn, ref: a.ref, geocoder: new Geocoder(a.ref), analyzer: null, gate: (fn) => withoutSync(a, fn) });
		const records = readNdjson(
			(async function* () {
				yield new TextEncoder().encode(JSON.stringify(rec('X-5', '2026-11-25T09:00:00+08:00')) + '\n');
			})()
		);
		const failing = ingestor.run(records, {
			source: 'fv',
			origin: 'push',
			originId: 'push:p8',
			onFeedTickets: async () => {
				throw new Error('ENOSPC: no space left on device');
			}
		});
		await expect(failing).rejects.toThrow(/ENOSPC/);
		conn.closeSync();
		expect(await factOf('fv', 'X-5')).toMatchObject({ status: 'received' }); // committed in DuckDB
		expect(await relOf('fv', 'X-5')).toBeUndefined();
		expect(await push('fv', 'p9', [rec('X-5', '2026-11-25T09:00:00+08:00')])).toMatchObject({ duplicates: 1 });
		expect(await relOf('fv', 'X-5')).toMatchObject({ status: 'received', version: 1 });
		expect(await push('fv', 'p10', [rec('X-5', '2026-11-25T09:00:00+08:00')])).toMatchObject({ duplicates: 1 });
		expect(await relOf('fv', 'X-5')).toMatchObject({ version: 1 }); // a repeat changes nothing there
	});

	it("the caller's own name and number in the text are masked in the analytics store and kept as given in the relational one", async () => {
		const given = { title: '李建国反映路灯不亮', content: '来电人李建国反映：小区路灯不亮，李建国请回拨138 1234 5678', address: '李建国家门口' };
		expect(await push('fv', 'p11', [rec('X-11', '2026-11-25T09:00:00+08:00', { ...given, caller_name: '李建国', caller_phone: '13812345678' })])).toMatchObject({ accepted: 1 });
		const rel = await relOf('fv', 'X-11');
		expect({ title: rel.title, content: rel.content, address: rel.address }).toEqual(given);
		const text = async () =>
			(await queryRows<{ title: string; content: string; address: string }>(a.analytics.conn, `SELECT title, content, address FROM tickets_fact WHERE source = 'fv' AND external_id = 'X-11'`))[0];
		const masked = { title: '李**反映路灯不亮', content: '来电人李**反映：小区路灯不亮，李**请回拨138****5678', address: '李**家门口' };
		expect(await text()).toEqual(masked);
		// the sync of the relational ticket (after a change there) masks it alike
		await a.rel.db.update(tickets).set({ urgency: 'urgent', updatedAt: new Date() }).where(eq(tickets.id, rel.id));
		await syncToAnalytics(a);
		expect(await text()).toEqual(masked);
	});

	it('a caller name with a NUL is cleaned and flagged, and its ticket lands in both stores', async () => {
		expect(await push('fv', 'p6', [rec('X-4', '2026-11-25T09:00:00+08:00', { caller_name: '张\u0000三', caller_phone: '13812345678' })])).toMatchObject({ accepted: 1 });
		expect((await relOf('fv', 'X-4')).callerName).toBe('张三');
		const [f] = await queryRows<{ flags: string[] }>(a.analytics.conn, `SELECT flags FROM tickets_fact WHERE source = 'fv' AND external_id = 'X-4'`);
		expect(f.flags).toContain('control_chars');
	});

	it('a push sent again without an Idempotency-Key does not quarantine its bad lines twice', async () => {
		const bytes = new TextEncoder().encode([JSON.stringify(rec('R-1', '2026-11-25T09:00:00+08:00')), '{"bad json'].join('\n') + '\n');
		const body = () =>
			(async function* () {
				yield bytes.subarray(0, 10);
				yield bytes.subarray(10);
			})();
		const quarantined = async () =>
			(await queryRows<{ n: number }>(a.analytics.conn, `SELECT count(*)::INTEGER AS n FROM quarantine WHERE source = 'fv-retry'`))[0].n;
		for (let i = 0; i < 2; i++) {
			const { id, records } = await readPush(body(), 1_000_000, null);
			expect(id).toMatch(/^sha256:[0-9a-f]{32}$/);
			await ingestService(a).push('fv-retry', id, records);
		}
		expect(await quarantined()).toBe(1);
		// with a key: the same body keeps its origin, another body under the same key gets its own (its bad lines are kept)
		const keyed = (await readPush(body(), 1_000_000, 'client-key-1')).id;
		expect(keyed).toMatch(/^client-key-1#[0-9a-f]{16}$/);
		expect((await readPush(body(), 1_000_000, 'client-key-1')).id).toBe(keyed);
		const other = new TextEncoder().encode([JSON.stringify(rec('R-2', '2026-11-25T09:00:00+08:00')), '{"also bad'].join('\n') + '\n');
		const second = await readPush((async function* () { yield other; })(), 1_000_000, 'client-key-1');
		expect(second.id).not.toBe(keyed);
		await ingestService(a).push('fv-retry', second.id, second.records);
		expect(await quarantined()).toBe(2);
		await expect(readPush(body(), 20, null)).rejects.toMatchObject({ code: 'payload_too_large' });
	});

	it('a push that passes its size limit while streaming lands nothing and fails with payload_too_large', async () => {
		const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify(rec(`L-${i}`, '2026-11-25T09:00:00+08:00')) + '\n');
		async function* chunks() {
			for (const l of lines) yield new TextEncoder().encode(l);
		}
		// as the route takes a push: the body is read whole, within the limit, before any record is
		await expect(readPush(chunks(), 2000, 'p7').then(({ id, records }) => ingestService(a).push('fv-limit', id, records))).rejects.toMatchObject({
			code: 'payload_too_large'
		});
		const [{ n }] = await queryRows<{ n: number }>(a.analytics.conn, `SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE source = 'fv-limit'`);
		expect(n).toBe(0);
	});
});
