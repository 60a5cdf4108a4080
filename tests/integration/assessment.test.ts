// 考核 over the real lifecycle: tickets handled through the case actions, synced to the analytics store, and the
// unit panel's figures per unit. Each unit is charged with the rounds it held the ticket in.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { syncIdle, syncToAnalytics, withoutSync } from '../../src/lib/server/sync';
import { unitPanel } from '../../src/lib/server/analytics/dashboard';
import { parseDashboardFilter } from '../../src/lib/server/analytics/filters';
import { duckRunner } from '../../src/lib/server/analytics/sql';
import { addPeople, INTAKE } from '../support/cases';
import ExcelJS from 'exceljs';
import { setApp } from '../../src/lib/server/app';
import { addDays, shanghaiDay } from '../../pipelines/calendar/index';
import { GET as exportXlsx } from '../../src/routes/(app)/assessment/export/+server';
import { and, eq } from 'drizzle-orm';
import { tickets } from '../../src/lib/server/db/schema';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { rebuildRollups } from '../../pipelines/warehouse/schema';
import { readNdjson } from '../../pipelines/ingest/sources';
import { ingestService } from '../../src/lib/server/ingest';

let a: App;
const UNIT_A = 'D320508'; // 姑苏区
const UNIT_B = 'M02'; // 市生态环境局
const UNIT_C = 'M03';
const UNIT_D = 'M04';
const people: Record<string, CaseUser> = {};

beforeAll(async () => {
	a = await startMemoryApp();
	await addPeople(a, people, { operator: ['operator'], dispatcher: ['dispatcher'], supervisor: ['supervisor'], unitA: ['unit_handler', UNIT_A], unitB: ['unit_handler', UNIT_B], unitC: ['unit_handler', UNIT_C], unitD: ['unit_handler', UNIT_D] });
}, 120_000);

afterAll(async () => {
	vi.useRealTimers();
	if (a) await stopApp(a);
});


async function handle(steps: [string, Record<string, unknown>][], before?: Record<number, () => Promise<void>>): Promise<void> {
	const t = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
	let v = t.version;
	for (const [i, [who, body]] of steps.entries()) {
		await before?.[i]?.();
		v = (await actOnTicket(a, people[who], t.ticketNo, { ...body, version: v })).version;
	}
}

/** The clock moved five days on (past any sign-for limit of a dispatch made before); events are append-only. */
async function fiveDaysLater(): Promise<void> {
	vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
	vi.setSystemTime(Date.now() + 5 * 86_400_000);
}

describe('unit assessment (考核) by handling round', () => {
	it('charges a late return, a reopening and each visit to the unit that held the ticket then', async () => {
		// B returns the first ticket after its sign-for limit; A handles it, is visited 不满意, reopened, handles it again
		await handle(
			[
				['dispatcher', { action: 'dispatch', unit_code: UNIT_B }],
				['unitB', { action: 'return', note: '不属于本单位职责' }],
				['dispatcher', { action: 'dispatch', unit_code: UNIT_A }],
				['unitA', { action: 'sign' }],
				['unitA', { action: 'reply', note: '已责令餐馆安装油烟净化设施' }],
				['supervisor', { action: 'visit', satisfaction: '不满意', reopen: true, note: '油烟仍然很大' }],
				['dispatcher', { action: 'dispatch', unit_code: UNIT_A }],
				['unitA', { action: 'sign' }],
				['unitA', { action: 'reply', note: '已联合执法，餐馆停业整改' }],
				['supervisor', { action: 'visit', satisfaction: '满意' }]
			],
			{ 1: fiveDaysLater }
		);
		// B returns a second ticket within its limit; it stays with the dispatchers
		await handle([
			['dispatcher', { action: 'dispatch', unit_code: UNIT_B }],
			['unitB', { action: 'return', note: '地址不在本辖区' }]
		]);
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));

		const now = Date.now();
		const { filter, problems } = parseDashboardFilter(new URLSearchParams('period=7d'), a.ref, now);
		expect(problems).toEqual([]);
		const panel = await unitPanel({ db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now }, filter);
		const unit = (code: string) => panel.units.find((u) => u.code === code)!;
		// A held the first ticket twice: one reply visited 不满意 and reopened, one 满意
		expect(unit(UNIT_A).dispatched).toBe(2);
		expect(unit(UNIT_A).rates).toMatchObject({ signRate: 1, replyRate: 1, returnRate: 0, reopenRate: 0.5, satisfactionRate: 0.5, visited: 2 });
		// B answered both dispatches by returning them, one after its sign-for limit
		expect(unit(UNIT_B).dispatched).toBe(2);
		expect(unit(UNIT_B).rates).toMatchObject({ returnRate: 1, signRate: 0.5, replyRate: null, reopenRate: 0, satisfactionRate: null });
		// the rounds with a result to score: A replied twice, B returned twice
		expect(unit(UNIT_A).rates.measured).toBe(2);
		expect(unit(UNIT_B).rates.measured).toBe(2);
		expect(panel.units.map((u) => u.code).sort()).toEqual([UNIT_A, UNIT_B].sort());
	});
});

/** The unit panel of the last 7 days, as of now. */
async function panelNow() {
	const now = Date.now();
	const { filter, problems } = parseDashboardFilter(new URLSearchParams('period=7d'), a.ref, now);
	expect(problems).toEqual([]);
	return unitPanel({ db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now }, filter);
}

async function sync(): Promise<void> {
	await syncIdle(a);
	await withoutSync(a, async () => void (await syncToAnalytics(a)));
}

/** Pushes feed records (source 'fa') as a sub-centre does. */
function push(id: string, records: Record<string, unknown>[]) {
	return ingestService(a).push(
		'fa',
		id,
		readNdjson(
			(async function* () {
				yield new TextEncoder().encode(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
			})()
		)
	);
}

describe("a feed's tickets (no time limits, no steps taken here)", () => {
	it('count in the volume and the satisfaction of the unit the feed names, not in its return, extension and reopen rates', async () => {
		// one round dispatched here, returned within its limit
		await handle([
			['dispatcher', { action: 'dispatch', unit_code: UNIT_C }],
			['unitC', { action: 'return', note: '不属于本单位职责' }]
		]);
		// two of a feed's tickets at the same unit: one still open (handed over to the relational store, its rounds from
		// its events), one closed and visited 满意 (closed history stays in the analytics store, a fact without rounds)
		const received = new Date(Date.now() - 3_600_000).toISOString();
		const rec = (id: string, extra: Record<string, unknown>) => ({
			external_id: id, received_at: received, updated_at: received, channel: 'phone', type: '投诉',
			content: `反映路灯不亮 ${id}`, district_code: '320508', unit: UNIT_C, ...extra
		});
		expect(
			await push('fa-1', [rec('F-OPEN', { status: 'dispatched' }), rec('F-CLOSED', { status: 'closed', closed_at: received, satisfaction: '满意' })])
		).toMatchObject({ accepted: 2 });
		await sync();
		const c = (await panelNow()).units.find((u) => u.code === UNIT_C)!;
		expect(c.rates.received).toBe(3);
		// the one round dispatched here is the only one that could be returned, extended or reopened
		expect(c.dispatched).toBe(1);
		expect(c.rates).toMatchObject({ returnRate: 1, extensionRate: 0, reopenRate: 0, satisfactionRate: 1, visited: 1, measured: 1 });
		// the unit hands the feed's open ticket back here: not a return of a dispatch, so no return counts against it
		const [open] = await a.rel.db.select().from(tickets).where(and(eq(tickets.source, 'fa'), eq(tickets.externalId, 'F-OPEN')));
		await actOnTicket(a, people.unitC, open.ticketNo, { action: 'return', note: '不属于本单位职责', version: open.version });
		await sync();
		const after = (await panelNow()).units.find((u) => u.code === UNIT_C)!;
		expect(after.dispatched).toBe(1);
		expect(after.rates).toMatchObject({ returnRate: 1, received: 3 });
	});
});

describe('co-handling (主办 + 协办)', () => {
	it("counts an assisting unit's rounds as its 协办 volume, and none of the lead's figures against it", async () => {
		const before = await panelNow();
		const b0 = before.units.find((u) => u.code === UNIT_B)!;
		const c0 = before.units.find((u) => u.code === UNIT_C)!;
		expect(before.units.find((u) => u.code === UNIT_D)).toBeUndefined();
		// C leads, D and B assist: C signs, replies and is visited 不满意; the ticket is reopened and sent to C again,
		// D assisting once more
		await handle(
			[
				['dispatcher', { action: 'dispatch', unit_code: UNIT_C, assist_units: [UNIT_D, UNIT_B] }],
				['unitC', { action: 'sign' }],
				['unitC', { action: 'reply', note: '已协调有关单位处理' }],
				['supervisor', { action: 'visit', satisfaction: '不满意', reopen: true, note: '仍未解决' }],
				['dispatcher', { action: 'dispatch', unit_code: UNIT_C, assist_units: [UNIT_D] }]
			]
		);
		await sync();
		const after = await panelNow();
		const unit = (code: string) => after.units.find((u) => u.code === code)!;
		// the lead is charged with both rounds, as any lead
		expect(unit(UNIT_C).dispatched).toBe(c0.dispatched + 2);
		expect(unit(UNIT_C).assisted).toBe(0);
		// D only assisted: its two 协办 rounds show, it has no rates of its own and is not scored or ranked
		expect(unit(UNIT_D)).toMatchObject({ assisted: 2, dispatched: 0, score: null, rank: null });
		expect(unit(UNIT_D).rates).toMatchObject({ received: 0, measured: 0, signRate: null, replyRate: null, satisfactionRate: null, returnRate: null, reopenRate: null });
		// B's own rounds are as they were; its one 协办 round is counted beside them
		expect(unit(UNIT_B).assisted).toBe(1);
		expect(unit(UNIT_B).rates).toEqual(b0.rates);
		expect(unit(UNIT_B).dispatched).toBe(b0.dispatched);
		// the figures kept from the sync's change sets are those of the facts, and those of a rebuild from them
		const assisted = async () => ({
			facts: await queryRows(a.analytics.conn, `SELECT u AS unit, count(*)::DOUBLE AS n FROM (SELECT unnest(assists) AS u FROM tickets_fact) GROUP BY 1 ORDER BY 1`),
			rounds: await queryRows(a.analytics.conn, `SELECT unit_code AS unit, count(*)::DOUBLE AS n FROM unit_rounds WHERE assist GROUP BY 1 ORDER BY 1`),
			rollup: await queryRows(a.analytics.conn, `SELECT unit_code AS unit, sum(assisted)::DOUBLE AS n FROM rollup_unit_tc GROUP BY 1 HAVING sum(assisted) > 0 ORDER BY 1`)
		});
		const kept = await assisted();
		expect(kept.facts).toEqual([{ unit: UNIT_B, n: 1 }, { unit: UNIT_D, n: 2 }]);
		expect(kept.rounds).toEqual(kept.facts);
		expect(kept.rollup).toEqual(kept.facts);
		await withoutSync(a, () => rebuildRollups(a.analytics.conn));
		expect(await assisted()).toEqual(kept);
		expect((await panelNow()).units).toEqual(after.units);
	});
});

describe('the 考核 workbook as the supervisors download it', () => {
	const get = (qs: string) => {
		setApp(Promise.resolve(a));
		const user = { id: people.supervisor.id!, username: 'x', displayName: '督办员', role: 'supervisor', unitCode: null, unitName: null };
		return exportXlsx({ locals: { user }, url: new URL(`http://localhost/assessment/export?${qs}`) } as never);
	};
	const sheet = async (res: Response) => {
		expect(res.status).toBe(200);
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(await res.arrayBuffer());
		return wb.getWorksheet('单位考核')!;
	};

	it('names the scope as the page does: 电话, not phone', async () => {
		const ws = await sheet(await get(`period=30d&channel=phone&type=${encodeURIComponent('投诉')}&district=320508`));
		expect(String(ws.getCell('A2').value)).toMatch(/^范围：姑苏区、电话、投诉；/);
		expect(String(ws.getCell('A1').value)).toMatch(/^承办单位考核　近30天（\d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}）$/);
	});

	it('names a period of dates given by its dates once', async () => {
		const to = shanghaiDay(Date.now());
		const from = addDays(to, -9);
		const ws = await sheet(await get(`from=${from}&to=${to}`));
		expect(ws.getCell('A1').value).toBe(`承办单位考核　${from} 至 ${to}`);
	});

	it('refuses a bad filter saying that nothing was exported and why, not what the page shows instead', async () => {
		const res = await get('from=2026-12-10&to=2026-12-01&channel=fax');
		expect(res.status).toBe(400);
		const { error } = (await res.json()) as { error: { code: string; message: string } };
		expect(error.code).toBe('bad_filter');
		expect(error.message).toMatch(/^考核表未导出：起始日期 2026-12-10 晚于结束日期 2026-12-01（参数 from、to）；未知的渠道「fax」（参数 channel），可选：/);
		expect(error.message).not.toContain('已按');
	});
});
