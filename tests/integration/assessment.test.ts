// 考核 over the real lifecycle: tickets handled through the case actions, synced to the analytics store, and the
// unit panel's figures per unit. Each unit is charged with the rounds it held the ticket in.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { syncIdle, syncToAnalytics, withoutSync } from '../../src/lib/server/sync';
import { unitPanel } from '../../src/lib/server/analytics/dashboard';
import { ASSESSMENT_ITEMS, unitAssessment } from '../../src/lib/server/analytics/unit-assessment';
import { ASSESSMENT_WEIGHTS, handlingRounds, rankScores, scoreLosses } from '../../src/lib/server/assessment';
import { GET as unitApi } from '../../src/routes/api/v1/dashboard/units/[code]/+server';
import { GET as unitExport } from '../../src/routes/(app)/assessment/[unit]/export/+server';
import { GET as unitsApi } from '../../src/routes/api/v1/dashboard/units/+server';
import { readUnits, unitStanding } from '../../src/lib/server/analytics/service';
import { load as pageLoad } from '../../src/routes/(app)/assessment/[unit]/+page.server';
import type { UnitAssessment, UnitPanel } from '../../src/lib/types';
import { parseDashboardFilter } from '../../src/lib/server/analytics/filters';
import { duckRunner } from '../../src/lib/server/analytics/sql';
import { addPeople, INTAKE, renderTicketPage, sessionOf } from '../support/cases';
import { ticketDetail } from '../../src/lib/server/cases/read';
import { ticketArchive } from '../../src/lib/server/analytics/ticket-record';
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
/** the first test's ticket: B's late return, then A's two rounds (visited 不满意 and reopened, then 满意) */
let firstTicket = '';

beforeAll(async () => {
	a = await startMemoryApp();
	await addPeople(a, people, { operator: ['operator'], dispatcher: ['dispatcher'], supervisor: ['supervisor'], leader: ['leader'], unitA: ['unit_handler', UNIT_A], unitB: ['unit_handler', UNIT_B], unitC: ['unit_handler', UNIT_C], unitD: ['unit_handler', UNIT_D] });
}, 120_000);

afterAll(async () => {
	vi.useRealTimers();
	if (a) await stopApp(a);
});


/** Registers a ticket and takes it through `steps`; returns its number. */
async function handle(steps: [string, Record<string, unknown>][], before?: Record<number, () => Promise<void>>): Promise<string> {
	const t = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
	let v = t.version;
	for (const [i, [who, body]] of steps.entries()) {
		await before?.[i]?.();
		v = (await actOnTicket(a, people[who], t.ticketNo, { ...body, version: v })).version;
	}
	return t.ticketNo;
}

/** The clock moved five days on (past any sign-for limit of a dispatch made before); events are append-only. */
async function fiveDaysLater(): Promise<void> {
	vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
	vi.setSystemTime(Date.now() + 5 * 86_400_000);
}

describe('unit assessment (考核) by handling round', () => {
	it('charges a late return, a reopening and each visit to the unit that held the ticket then', async () => {
		// B returns the first ticket after its sign-for limit; A handles it, is visited 不满意, reopened, handles it again
		firstTicket = await handle(
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

const ctxNow = () => ({ db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now: Date.now() });

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

describe('考核明细: the rounds behind a unit’s rates', () => {
	const detail = async (code: string, qs = 'period=7d') => {
		const now = Date.now();
		const { filter } = parseDashboardFilter(new URLSearchParams(qs), a.ref, now);
		return (await unitAssessment({ db: duckRunner(a.analytics.conn), ref: a.ref, cal: a.calendar, now }, filter, code))!;
	};
	const api = (who: string, code: string, qs = 'period=7d') => {
		setApp(Promise.resolve(a));
		return unitApi({ locals: { user: sessionOf(people, who) }, url: new URL(`http://localhost/api/v1/dashboard/units/${code}?${qs}`), params: { code } } as never);
	};

	it('lists the tickets each rate lost points on, a step still undone past its limit among them', async () => {
		// B: a return within its limit; a ticket signed and replied, visited 不满意 and reopened; a dispatch left unsigned
		const returned = await handle([
			['dispatcher', { action: 'dispatch', unit_code: UNIT_B }],
			['unitB', { action: 'return', note: '不属于本单位职责' }]
		]);
		const reopened = await handle([
			['dispatcher', { action: 'dispatch', unit_code: UNIT_B }],
			['unitB', { action: 'sign' }],
			['unitB', { action: 'reply', note: '已处理' }],
			['supervisor', { action: 'visit', satisfaction: '不满意', reopen: true, note: '没有解决' }]
		]);
		const unsigned = await handle([['dispatcher', { action: 'dispatch', unit_code: UNIT_B }]]);
		await fiveDaysLater(); // past the unsigned dispatch's sign-for limit
		await sync();
		const d = await detail(UNIT_B);
		const items = (k: string) => d.cases.find((c) => c.key === k)!.items;
		const nos = (k: string) => items(k).map((i) => i.ticketNo);
		expect(nos('returned')).toContain(returned);
		expect(nos('unsatisfied')).toContain(reopened);
		expect(nos('reopened')).toContain(reopened);
		expect(nos('returned')).not.toContain(reopened);
		// the unsigned dispatch counts against the sign-for rate now, first in its list, with its limit
		const late = items('sign').find((i) => i.ticketNo === unsigned)!;
		expect(late).toMatchObject({ pending: true, doneAt: null });
		expect(Date.parse(late.deadline!)).toBeLessThan(Date.now());
		expect(items('sign')[0].pending).toBe(true);
		// a return within the limit is on time: not among the late sign-fors
		expect(nos('sign')).not.toContain(returned);
		// the unit's row of the panel, and how many are ranked
		const panel = await panelNow();
		expect(d.unit).toEqual(panel.units.find((u) => u.code === UNIT_B));
		expect(d.ranked).toBe(panel.units.filter((u) => u.rank !== null).length);
	});

	it('gives every unit lists as long as its rates say, against all units’ rates and its lost points, under any filter', async () => {
		const panel = await panelNow();
		expect(panel.units.length).toBeGreaterThan(2);
		for (const qs of ['period=7d', 'period=7d&district=320508&type=投诉', 'period=7d&channel=web', 'period=7d&district=320505']) {
			for (const u of (await unitPanel(ctxNow(), parseDashboardFilter(new URLSearchParams(qs), a.ref, Date.now()).filter)).units) {
				const d = await detail(u.code, qs);
				const losses = scoreLosses(u.rates);
				for (const c of d.cases) {
					const w = ASSESSMENT_WEIGHTS.find((x) => x.key === c.rate)!;
					expect(c.value).toBe(u.rates[c.rate]);
					// the rate is (of − count) / of, or count / of where lower is better
					if (c.value === null) expect(c.count).toBe(0);
					else expect(c.count).toBe(Math.round(c.of * (w.lowerIsBetter ? c.value : 1 - c.value)));
					expect(c.items.length).toBe(Math.min(c.count, ASSESSMENT_ITEMS));
					expect(new Set(c.items.map((i) => i.ticketNo + i.dispatchedAt)).size).toBe(c.items.length);
					expect(c.lost).toBe(losses.get(c.rate) ?? null);
				}
			}
		}
		// all units together: the sums of the units' counts
		const d = await detail(UNIT_B);
		for (const c of d.cases) {
			let count = 0;
			let of = 0;
			for (const u of panel.units) {
				const x = (await detail(u.code)).cases.find((y) => y.key === c.key)!;
				count += x.count;
				of += x.of;
			}
			const w = ASSESSMENT_WEIGHTS.find((x) => x.key === c.rate)!;
			expect(c.all).toBeCloseTo(of ? (w.lowerIsBetter ? count / of : 1 - count / of) : NaN, 9);
		}
	});

	it('is open to 考核’s readers for any unit and to a unit’s handler for its own only', async () => {
		const own = await api('unitB', UNIT_B);
		expect(own.status).toBe(200);
		const body = (await own.json()) as UnitAssessment;
		expect(body.unit.code).toBe(UNIT_B);
		expect((await api('supervisor', UNIT_A)).status).toBe(200);
		await expect(api('unitB', UNIT_A)).rejects.toMatchObject({ status: 403, body: { message: '只能查看本单位的考核' } });
		await expect(api('operator', UNIT_A)).rejects.toMatchObject({ status: 403 });
		const unknown = await api('supervisor', 'NOPE');
		expect(unknown.status).toBe(404);
		expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('没有编码为“NOPE”的承办单位');
		const bad = await api('supervisor', UNIT_A, 'channel=fax');
		expect(bad.status).toBe(400);
		// the page: which tickets open where, and whether the late ones lead to 督办
		const page = (who: string) =>
			pageLoad({ locals: { user: sessionOf(people, who) }, url: new URL(`http://localhost/assessment/${UNIT_B}?period=7d`), params: { unit: UNIT_B } } as never) as Promise<{
				openable: string[];
				records: boolean;
				supervise: boolean;
				ownUnit: boolean;
				view: UnitAssessment;
			}>;
		const sup = await page('supervisor');
		expect(sup).toMatchObject({ records: false, supervise: true, ownUnit: false });
		const listed = [...new Set(sup.view.cases.flatMap((c) => c.items.map((i) => i.ticketNo)))];
		expect(listed.length).toBeGreaterThan(0);
		expect([...sup.openable].sort()).toEqual(listed.sort()); // every ticket here is in the case store, and a supervisor reads them all
		const unitsOwn = await page('unitB');
		expect(unitsOwn).toMatchObject({ records: false, supervise: false, ownUnit: true });
		// the unit opens the tickets it still holds, not the ones it returned
		const stillHeld = (await Promise.all(listed.map(async (no) => ((await a.rel.db.select({ u: tickets.unitCode }).from(tickets).where(eq(tickets.ticketNo, no)))[0]?.u === UNIT_B ? no : null)))).filter(Boolean);
		expect([...unitsOwn.openable].sort()).toEqual((stillHeld as string[]).sort());
	});

	it('shows each ticket’s rounds on 工单详情 as its fact holds them, a late step marked', async () => {
		for (const no of [firstTicket]) {
			const detail = await ticketDetail(a, people.supervisor, no);
			const record = await ticketArchive(a, sessionOf(people, 'leader') as never, no);
			const facts = (await queryRows(a.analytics.conn, `SELECT to_json(rounds)::VARCHAR AS r FROM tickets_fact WHERE ticket_no = '${no}'`))[0].r as string;
			expect(detail.rounds).toEqual(handlingRounds(JSON.parse(facts), (c) => a.ref.unitByCode.get(c)?.name ?? c));
			expect(detail.rounds).toEqual(record.record.rounds);
			// B's return after its limit, then A's two rounds: 不满意 and reopened, then 满意
			expect(detail.rounds!.map((r) => [r.unit, r.returned, r.satisfaction, r.reopened])).toEqual([
				['苏州市生态环境局', true, null, false],
				['苏州市姑苏区人民政府', false, '不满意', true],
				['苏州市姑苏区人民政府', false, '满意', false]
			]);
			const html = renderTicketPage(a, detail, people.supervisor);
			const rows = [...html.matchAll(/data-testid="handling-round" data-sign-late="(true|false)" data-reply-late="(true|false)"/g)].map((m) => [m[1], m[2]]);
			expect(rows).toEqual([
				['true', 'false'],
				['false', 'false'],
				['false', 'false']
			]);
		}
	});

	it('exports every round of the page as a workbook, for whoever may read the page', async () => {
		const get = (who: string, code: string, qs = 'period=7d') => {
			setApp(Promise.resolve(a));
			return unitExport({ locals: { user: sessionOf(people, who) }, url: new URL(`http://localhost/assessment/${code}/export?${qs}`), params: { unit: code } } as never);
		};
		const res = await get('unitB', UNIT_B);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('考核明细-苏州市生态环境局-'));
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(await res.arrayBuffer());
		const list = wb.getWorksheet('失分工单')!;
		const rows = Array.from({ length: list.rowCount - 1 }, (_, i) => list.getRow(i + 2).values as unknown[]);
		const d = await detail(UNIT_B);
		// each kind's rounds, all of them (fewer than the page's 100), in the page's order
		expect(rows.map((r) => `${r[1]} ${r[2]}`)).toEqual(d.cases.flatMap((c) => c.items.map((i) => `${c.label} ${i.ticketNo}`)));
		expect(rows.length).toBe(d.cases.reduce((s, c) => s + c.count, 0));
		const unsignedRow = rows.find((r) => r[1] === '签收超时' && r[7] === '尚未签收')!;
		expect(Number(unsignedRow[8])).toBeGreaterThan(0);
		await expect(get('unitB', UNIT_A)).rejects.toMatchObject({ status: 403 });
		const bad = await get('supervisor', UNIT_A, 'channel=fax');
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^考核明细未导出：未知的渠道「fax」/);
	});

	it('ranks a kind of unit among themselves (单位类别), and names a kind it does not know', async () => {
		const get = async (who: string, qs: string) => {
			setApp(Promise.resolve(a));
			return unitsApi({ locals: { user: sessionOf(people, who) }, url: new URL(`http://localhost/api/v1/dashboard/units?${qs}`) } as never);
		};
		// enough rounds with a result to score: 姑苏区 (a district) and M03 reply to ten tickets each, M04 returns ten
		for (let i = 0; i < 10; i++) {
			for (const [unit, who] of [[UNIT_A, 'unitA'], [UNIT_C, 'unitC']] as const)
				await handle([
					['dispatcher', { action: 'dispatch', unit_code: unit }],
					[who, { action: 'sign' }],
					[who, { action: 'reply', note: '已处理' }]
				]);
			await handle([
				['dispatcher', { action: 'dispatch', unit_code: UNIT_D }],
				['unitD', { action: 'return', note: '不属于本单位职责' }]
			]);
		}
		await sync();
		const all = (await (await get('supervisor', 'period=7d')).json()) as UnitPanel;
		const municipal = (await (await get('supervisor', 'period=7d&kind=municipal')).json()) as UnitPanel;
		expect(municipal.kind).toBe('municipal');
		expect(municipal.units.map((u) => u.code).sort()).toEqual(all.units.filter((u) => u.kind === 'municipal').map((u) => u.code).sort());
		expect(municipal.units.map((u) => u.code)).not.toContain(UNIT_A); // 姑苏区, a district
		// ranked among themselves: the same scores, ranks 1… over the kind alone
		const scored = municipal.units.filter((u) => u.score !== null);
		expect(scored.length).toBeGreaterThan(0);
		expect(scored.map((u) => u.rank)).toEqual(rankScores(scored.map((u) => u.score)));
		for (const u of municipal.units) expect(u.score).toBe(all.units.find((x) => x.code === u.code)!.score);
		// M04 is below the district overall, and ranks among the departments alone
		const rankOf = (p: UnitPanel, code: string) => p.units.find((u) => u.code === code)!.rank!;
		expect(rankOf(all, UNIT_A)).toBeLessThan(rankOf(all, UNIT_D));
		expect(rankOf(municipal, UNIT_D)).toBe(rankOf(all, UNIT_D) - all.units.filter((u) => u.kind !== 'municipal' && u.rank !== null && u.rank < rankOf(all, UNIT_D)).length);
		// 考核明细 gives the unit's rank among its kind beside the overall one
		const d = await detail(UNIT_D);
		expect(d.unit.rank).toBe(rankOf(all, UNIT_D));
		expect(d.kindRank).toBe(rankOf(municipal, UNIT_D));
		expect(d.kindRanked).toBe(scored.length);
		// a kind nobody has: the API refuses it naming the parameter; the page shows every unit and says why
		const bad = await get('supervisor', 'period=7d&kind=army');
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^未知的单位类别「army」（参数 kind），可选：municipal（市级部门）/);
		const page = await readUnits(a, new URL('http://localhost/assessment?period=7d&kind=army'));
		expect(page.data.kind).toBeNull();
		expect(page.problems.at(-1)).toMatch(/^未知的单位类别「army」，可选：.*，已显示全部单位$/);
		// the workbook of a kind says so in its scope and its name
		const res = await exportXlsx({ locals: { user: sessionOf(people, 'supervisor') }, url: new URL('http://localhost/assessment/export?period=7d&kind=municipal') } as never);
		expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('单位考核-市级部门-');
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(await res.arrayBuffer());
		expect(String(wb.getWorksheet('单位考核')!.getCell('A2').value)).toMatch(/^范围：市级部门；/);
	});

	it('tells a unit’s handler its unit’s standing over the last 30 days on 我的工单, and nobody else', async () => {
		setApp(Promise.resolve(a));
		const panel = (await readUnits(a, new URL('http://localhost/assessment'))).data;
		const d = panel.units.find((u) => u.code === UNIT_D)!;
		expect(d.score).not.toBeNull(); // scored in the test before
		expect(await unitStanding(a, sessionOf(people, 'unitD') as never)).toEqual({
			code: UNIT_D,
			period: '近30天',
			score: d.score,
			rank: d.rank,
			ranked: panel.units.filter((u) => u.rank !== null).length
		});
		expect(await unitStanding(a, sessionOf(people, 'supervisor') as never)).toBeNull();
	});

	it('shows a known unit without rounds in the period as having nothing to assess', async () => {
		const d = await detail('M05');
		expect(d.unit).toMatchObject({ code: 'M05', dispatched: 0, score: null, rank: null });
		expect(d.cases.every((c) => c.count === 0 && c.items.length === 0 && c.lost === null)).toBe(true);
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
