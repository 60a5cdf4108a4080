// 收回: the dispatchers take a ticket back from the unit holding it (sent to the wrong unit, a unit stopped) and
// dispatch it anew — one ticket from its page, or every ticket of a stopped unit from 设置 › 单位 and the API. Over a
// real embedded store: the state and the event, what the unit then sees, the dispatch queue's suggestion, a race
// with the unit's own step, the assessment of the recalled round, and the refusals.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { stopApp, type App } from '../../src/lib/server/app';
import { callRoute, caseRefusal, postForm, sessionUser, startRouteApp } from '../support/app';
import { addPeople, INTAKE, renderTicketPage, HOTLINE_STAFF } from '../support/cases';
import { actOnTicket, recallFromUnit, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { leftNotice } from '../../src/lib/server/cases/forms';
import { listQueue, ticketDetail } from '../../src/lib/server/cases/read';
import { ticketEvents, tickets } from '../../src/lib/server/db/schema';
import { syncIdle, syncToAnalytics, withoutSync } from '../../src/lib/server/sync';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { updateUnit } from '../../src/lib/server/units';
import * as unitsPage from '../../src/routes/(app)/settings/units/+page.server';
import * as recallRoute from '../../src/routes/api/v1/units/[code]/recall/+server';
import type { SessionUser } from '../../src/lib/types';

let a: App;
const people: Record<string, CaseUser> = {};
/** 姑苏区's government: the routing rules send 餐饮油烟 (020101) in 姑苏区 to it */
const DISTRICT_UNIT = 'D320508';
const OTHER = 'M02';
const STOPPED = 'M05';

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...HOTLINE_STAFF,
		district: ['unit_handler', DISTRICT_UNIT],
		other: ['unit_handler', OTHER],
		stopped: ['unit_handler', STOPPED]
	});
}, 120_000);

afterEach(() => void vi.useRealTimers());

afterAll(async () => {
	if (a) await stopApp(a);
});

/** A 餐饮油烟 ticket in 姑苏区, accepted and dispatched to `unit`; its number and version. */
async function dispatched(unit: string, content = '楼下饭店油烟扰民，请处理'): Promise<{ no: string; version: number }> {
	const t = await registerTicket(a, people.operator, { ...INTAKE, category_code: '020101', district_code: '320508', content }, { decision: { action: 'accept' } });
	const d = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: unit });
	return { no: t.ticketNo, version: d.version };
}

const sessionOf = (who: string): SessionUser => {
	const p = people[who];
	return { id: p.id!, username: `t_${who}`, displayName: p.displayName, role: p.role, unitCode: p.unitCode, unitName: null };
};

describe('收回 of one ticket', () => {
	it('takes the ticket from its unit back to the dispatch queue, where the unit is not suggested again; the unit no longer sees it', async () => {
		const t = await dispatched(DISTRICT_UNIT);
		expect((await ticketDetail(a, people.dispatcher, t.no)).actions.map((x) => x.action)).toContain('recall');
		const row = await actOnTicket(a, people.dispatcher, t.no, { action: 'recall', version: t.version, note: '派错单位，应由市城管局办理' });
		expect(row).toMatchObject({ status: 'accepted', unitCode: null, assistUnits: [], signDeadline: null, replyDeadline: null, signedAt: null, version: t.version + 1 });
		const [e] = await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, row.id)).orderBy(ticketEvents.id).then((es) => es.slice(-1));
		expect(e).toMatchObject({ action: 'recall', fromStatus: 'dispatched', toStatus: 'accepted', unitCode: DISTRICT_UNIT, note: '派错单位，应由市城管局办理', actorName: '测试dispatcher' });

		// the dispatch queue lists it among 退回/收回; the routing rule's unit is the one it was recalled from: not offered
		const queue = await listQueue(a, people.dispatcher, { queue: 'dispatch', tab: 'returned' });
		const item = queue.items.find((x) => x.ticketNo === t.no)!;
		expect(item.suggestedUnit).toBeNull();
		expect(item.suggestionNote).toBe(`工单已从建议单位（${a.ref.unitByCode.get(DISTRICT_UNIT)!.name}）收回，请另选单位`);

		// the unit: gone from its queue, its page and its actions; told what happened
		const mine = await listQueue(a, people.district, { queue: 'mine' });
		expect(mine.items.map((x) => x.ticketNo)).not.toContain(t.no);
		await expect(ticketDetail(a, people.district, t.no)).rejects.toMatchObject({ code: 'not_found' });
		await expect(actOnTicket(a, people.district, t.no, { action: 'sign', version: t.version })).rejects.toMatchObject({ code: 'conflict' });
		expect(await leftNotice(a, sessionOf('district'), t.no)).toBe(`工单 ${t.no} 已由派单员收回，本单位不再办理。`);

		// the timeline says from whom, and the ticket can be dispatched anew
		const detail = await ticketDetail(a, people.dispatcher, t.no);
		const html = renderTicketPage(a, detail, people.dispatcher);
		const entry = html.split('data-testid="timeline-entry"').find((x) => x.includes('data-action="recall"'))!;
		expect(entry).toContain(`收回自${a.ref.unitByCode.get(DISTRICT_UNIT)!.name}`);
		expect(entry).toContain('派错单位，应由市城管局办理');
		const again = await actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: row.version, unit_code: 'M01' });
		expect(again).toMatchObject({ status: 'dispatched', unitCode: 'M01' });
	});

	it('recalls a signed ticket too; a pending extension request lapses with it', async () => {
		const t = await dispatched(OTHER, '河道发黑发臭');
		const s = await actOnTicket(a, people.other, t.no, { action: 'sign', version: t.version });
		const r = await actOnTicket(a, people.other, t.no, { action: 'extension_request', version: s.version, days: 5, note: '需协调多部门' });
		const row = await actOnTicket(a, people.dispatcher, t.no, { action: 'recall', version: r.version, note: '职责调整，改由区政府办理' });
		expect(row).toMatchObject({ status: 'accepted', extensionPending: null, unitCode: null, signedAt: null });
		const timeline = (await ticketDetail(a, people.dispatcher, t.no)).timeline;
		expect(timeline.at(-1)).toMatchObject({ action: 'recall', data: { extensionLapsed: 5 } });
	});

	it('needs a reason, is the dispatchers’ and administrators’ alone, and only while a unit holds the ticket', async () => {
		const t = await dispatched(OTHER, '路灯不亮');
		expect(await caseRefusal(actOnTicket(a, people.dispatcher, t.no, { action: 'recall', version: t.version }))).toEqual(['invalid_input', 'note', '收回须说明理由']);
		for (const who of ['supervisor', 'operator'])
			expect((await caseRefusal(actOnTicket(a, people[who], t.no, { action: 'recall', version: t.version, note: '收回' })))[0], who).toBe('forbidden');
		// the unit itself returns (退单); it cannot recall
		expect((await caseRefusal(actOnTicket(a, people.other, t.no, { action: 'recall', version: t.version, note: '收回' })))[0]).toBe('forbidden');
		const back = await actOnTicket(a, people.dispatcher, t.no, { action: 'recall', version: t.version, note: '派错单位' });
		expect(await caseRefusal(actOnTicket(a, people.dispatcher, t.no, { action: 'recall', version: back.version, note: '再次收回' }))).toEqual([
			'invalid_state',
			null,
			'工单当前为“待派单”，不能收回'
		]);
	});

	it('races the unit’s own step: exactly one of a sign-for and a recall at the same version wins', async () => {
		for (let i = 0; i < 4; i++) {
			const t = await dispatched(OTHER, `噪音扰民 ${i}`);
			const results = await Promise.allSettled([
				actOnTicket(a, people.other, t.no, { action: 'sign', version: t.version }),
				actOnTicket(a, people.dispatcher, t.no, { action: 'recall', version: t.version, note: '派错单位' })
			]);
			const won = results.filter((r) => r.status === 'fulfilled');
			expect(won).toHaveLength(1);
			const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
			expect(lost.reason).toMatchObject({ code: 'conflict' });
			const [row] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, t.no));
			expect(row.version).toBe(t.version + 1);
			expect(row.status).toBe(results[0].status === 'fulfilled' ? 'signed' : 'accepted');
		}
	});
});

describe('the assessment of a recalled round', () => {
	it('charges a limit passed before the recall as late, and nothing for one still running; a recall is no return', async () => {
		// M03: recalled within its sign-for limit; M04: recalled unsigned five days later, past it
		const inTime = await dispatched('M03', '绿化带杂草丛生');
		await actOnTicket(a, people.dispatcher, inTime.no, { action: 'recall', version: inTime.version, note: '派错单位' });
		const late = await dispatched('M04', '小区电梯经常故障');
		vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
		vi.setSystemTime(Date.now() + 5 * 86_400_000);
		await actOnTicket(a, people.dispatcher, late.no, { action: 'recall', version: late.version, note: '单位长期未签收' });
		await syncIdle(a);
		await withoutSync(a, async () => void (await syncToAnalytics(a)));
		const rounds = await queryRows<{ ticket_no: string; unit_code: string; late: boolean | null; returns: number }>(
			a.analytics.conn,
			`SELECT ticket_no, unit_code, signed_at > sign_deadline AS late, returns FROM unit_rounds WHERE ticket_no IN ($a, $b) ORDER BY unit_code`,
			{ a: inTime.no, b: late.no }
		);
		expect(rounds).toEqual([
			{ ticket_no: inTime.no, unit_code: 'M03', late: null, returns: 0 },
			{ ticket_no: late.no, unit_code: 'M04', late: true, returns: 0 }
		]);
		const facts = await queryRows<{ ticket_no: string; status: string; unit_code: string | null; returns: number }>(
			a.analytics.conn,
			`SELECT ticket_no, status, unit_code, returns FROM tickets_fact WHERE ticket_no IN ($a, $b) ORDER BY ticket_no`,
			{ a: inTime.no, b: late.no }
		);
		expect(facts.map((f) => [f.status, f.unit_code, f.returns])).toEqual([
			['accepted', null, 0],
			['accepted', null, 0]
		]);
	});
});

describe('收回 of every ticket of a stopped unit', () => {
	it('recalls what the stopped unit leads, from 设置 › 单位 (form and page) and the API; an active unit is refused', async () => {
		const held = [await dispatched(STOPPED, '菜市场占道经营'), await dispatched(STOPPED, '共享单车乱停放')];
		const signed = await actOnTicket(a, people.stopped, held[1].no, { action: 'sign', version: held[1].version });
		const elsewhere = await dispatched(OTHER, '工地夜间施工噪音');
		const admin = { role: 'admin' as const, unitCode: null, displayName: '管理员', id: null };

		// an active unit's tickets are recalled one by one
		expect(await caseRefusal(recallFromUnit(a, admin, STOPPED, '单位撤并'))).toEqual([
			'invalid_input',
			'code',
			`${a.ref.unitByCode.get(STOPPED)!.name}仍在启用中：一并收回只用于已停用的单位，其工单请在工单详情中逐件收回`
		]);
		await updateUnit({ db: a.rel.db, ref: a.ref, actor: { username: 'chief', role: 'admin' } }, STOPPED, { active: false });

		// the page offers it on the stopped unit's row and opens the form
		const url = new URL(`http://localhost/settings/units?recall=${STOPPED}`);
		const page = (await unitsPage.load({ locals: { user: sessionUser('admin') }, url } as never)) as {
			recall: { code: string; holding: number; active: boolean } | null;
		};
		expect(page.recall).toMatchObject({ code: STOPPED, holding: 2, active: false });
		expect(await postForm(unitsPage.actions.recall, '/settings/units?/recall', { code: STOPPED, note: '' })).toMatchObject({
			status: 400,
			data: { form: 'recall', field: 'note', message: '收回须说明理由' }
		});
		const done = await postForm(unitsPage.actions.recall, '/settings/units?/recall', { code: STOPPED, note: '单位撤并，职责划入区政府' });
		expect(done).toMatchObject({ form: 'recall', saved: '已收回 2 件工单，等待在派单中重新派单' });
		for (const t of held) {
			const [row] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, t.no));
			expect(row).toMatchObject({ status: 'accepted', unitCode: null });
		}
		const events = await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.action, 'recall'));
		expect(events.filter((e) => e.unitCode === STOPPED).map((e) => [e.fromStatus, e.note])).toEqual([
			['dispatched', '单位撤并，职责划入区政府'],
			['signed', '单位撤并，职责划入区政府']
		]);
		expect(signed.status).toBe('signed');
		// another unit's ticket is not touched
		const [other] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, elsewhere.no));
		expect(other).toMatchObject({ status: 'dispatched', unitCode: OTHER });

		// the API: nothing left now; refusals with their statuses
		const call = (body: unknown, role: 'admin' | 'dispatcher' | 'supervisor' = 'dispatcher', code = STOPPED) =>
			callRoute(recallRoute.POST, `/api/v1/units/${code}/recall`, { method: 'POST', body, params: { code }, role });
		expect(await call({ note: '再次收回' })).toMatchObject({ status: 200, body: { recalled: [], left: [] } });
		expect(await call({})).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', field: 'note' } } });
		expect(await call({ note: '收回' }, 'dispatcher', OTHER)).toMatchObject({ status: 400, body: { error: { field: 'code' } } });
		expect(await call({ note: '收回' }, 'dispatcher', 'M99')).toMatchObject({ status: 400, body: { error: { field: 'code', message: '单位 M99 不存在' } } });
		await expect(call({ note: '收回' }, 'supervisor')).rejects.toMatchObject({ status: 403 });

		// the API recalls what a unit holds when it is stopped again
		await updateUnit({ db: a.rel.db, ref: a.ref, actor: { username: 'chief', role: 'admin' } }, STOPPED, { active: true });
		const more = await dispatched(STOPPED, '楼道堆放杂物');
		await updateUnit({ db: a.rel.db, ref: a.ref, actor: { username: 'chief', role: 'admin' } }, STOPPED, { active: false });
		expect(await call({ note: '单位撤并' }, 'admin')).toMatchObject({ status: 200, body: { recalled: [more.no], left: [] } });
	});
});
