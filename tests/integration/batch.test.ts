// Batch steps on a queue's selection (派单 to the suggested units, 催办 with one note) over a real embedded store:
// each ticket is taken on its own — its checks, its version, its transaction — so one refused neither stops nor undoes
// the others; through the domain, the queue pages' form and POST /api/v1/tickets/actions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { caseRefusal, startRouteApp } from '../support/app';
import { addPeople, INTAKE, sessionOf, HOTLINE_STAFF } from '../support/cases';
import { actOnTicket, actOnTickets, BATCH_MAX, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { ticketDetail } from '../../src/lib/server/cases/read';
import * as dispatchPage from '../../src/routes/(app)/dispatch/+page.server';
import * as supervisePage from '../../src/routes/(app)/supervise/+page.server';
import * as batchRoute from '../../src/routes/api/v1/tickets/actions/+server';

let a: App;
const people: Record<string, CaseUser> = {};
const UNIT_A = 'D320508';
const UNIT_B = 'M02';
const as = (key: string) => sessionOf(people, key);

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...HOTLINE_STAFF,
		unitA: ['unit_handler', UNIT_A]
	});
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

const accepted = (content: string) => registerTicket(a, people.operator, { ...INTAKE, content }, { decision: { action: 'accept' } });

/** Posts a queue page's batch form as the browser does. */
async function postBatch(page: { actions: Record<string, unknown> }, key: string, fields: [string, string][]) {
	const fd = new FormData();
	for (const [k, v] of fields) fd.append(k, v);
	const request = new Request('http://localhost/x?/batch', { method: 'POST', body: fd });
	return (page.actions.batch as (e: never) => Promise<Record<string, unknown>>)({ request, locals: { user: as(key) } } as never);
}

describe('a batch of steps', () => {
	it('takes each ticket on its own: a stale version or a ticket taken meanwhile is refused alone, the rest are done', async () => {
		const [x, y, z] = [await accepted('平江路油烟扰民一'), await accepted('平江路油烟扰民二'), await accepted('平江路油烟扰民三')];
		// y is dispatched by someone else after the page was shown
		await actOnTicket(a, people.dispatcher, y.ticketNo, { action: 'dispatch', version: y.version, unit_code: UNIT_B });
		const out = await actOnTickets(a, people.dispatcher, [
			{ ticket_no: x.ticketNo, action: 'dispatch', version: x.version, unit_code: UNIT_A },
			{ ticket_no: y.ticketNo, action: 'dispatch', version: y.version, unit_code: UNIT_A },
			{ ticket_no: z.ticketNo, action: 'dispatch', version: z.version, unit_code: UNIT_A, assist_units: [UNIT_B] }
		]);
		expect(out.map((o) => [o.ticketNo, o.ok])).toEqual([
			[x.ticketNo, true],
			[y.ticketNo, false],
			[z.ticketNo, true]
		]);
		expect(out[1]).toMatchObject({ ok: false, code: 'conflict' });
		const [dx, dy, dz] = await Promise.all([x, y, z].map((t) => ticketDetail(a, as('dispatcher'), t.ticketNo)));
		expect([dx.status, dx.unit]).toEqual(['dispatched', a.ref.unitByCode.get(UNIT_A)!.name]);
		expect(dy.unit).toBe(a.ref.unitByCode.get(UNIT_B)!.name);
		expect(dz.assistUnits.map((u) => u.code)).toEqual([UNIT_B]);
		// each ticket's own dispatch event, by the dispatcher
		expect(dz.timeline.filter((e) => e.action === 'dispatch').map((e) => e.actor)).toEqual(['测试dispatcher']);
	});

	it('refuses a list that is empty, too long or names a ticket twice, before any step', async () => {
		const t = await accepted('河道发黑发臭');
		expect((await caseRefusal(actOnTickets(a, people.dispatcher, [])))[2]).toBe('请至少选择一件工单');
		expect((await caseRefusal(actOnTickets(a, people.dispatcher, 'x')))[0]).toBe('invalid_input');
		const many = Array.from({ length: BATCH_MAX + 1 }, () => ({ ticket_no: t.ticketNo, action: 'note', note: 'x' }));
		expect((await caseRefusal(actOnTickets(a, people.dispatcher, many)))[2]).toBe(`一次最多处理 ${BATCH_MAX} 件工单，本次 ${BATCH_MAX + 1} 件`);
		const twice = [t.ticketNo, t.ticketNo.toLowerCase()].map((no) => ({ ticket_no: no, action: 'dispatch', version: t.version, unit_code: UNIT_A }));
		expect((await caseRefusal(actOnTickets(a, people.dispatcher, twice)))[2]).toBe(`工单 ${t.ticketNo} 在本次选择中出现了两次`);
		expect((await caseRefusal(actOnTickets(a, people.dispatcher, [{ action: 'dispatch' }])))[2]).toBe('第 1 项缺少工单编号（ticket_no）');
		expect((await ticketDetail(a, as('dispatcher'), t.ticketNo)).status).toBe('accepted');
	});

	it('派单’s batch form sends each picked ticket to the units shown, and names the ones it could not', async () => {
		const [x, y] = [await accepted('十全街夜间施工噪音'), await accepted('十全街路灯不亮')];
		const answer = (await postBatch(dispatchPage, 'dispatcher', [
			['action', 'dispatch'],
			['pick', `${x.ticketNo}|${x.version}|${UNIT_A}|${UNIT_B}`],
			// shown at an older version: someone changed it since
			['pick', `${y.ticketNo}|${y.version - 1}|${UNIT_A}|`]
		])) as { ok: boolean; batch: string; done: string[]; refused: { ticket: string; message: string }[] };
		expect(answer).toMatchObject({ ok: true, batch: 'dispatch', done: [x.ticketNo] });
		expect(answer.refused.map((r) => r.ticket)).toEqual([y.ticketNo]);
		expect(answer.refused[0].message).toMatch(/刷新/);
		const dx = await ticketDetail(a, as('dispatcher'), x.ticketNo);
		expect([dx.status, dx.assistUnits.map((u) => u.code)]).toEqual(['dispatched', [UNIT_B]]);
		// nothing picked, or a step a queue does not take in a batch
		expect(((await postBatch(dispatchPage, 'dispatcher', [['action', 'dispatch']])) as { status: number }).status).toBe(400);
		const close = (await postBatch(dispatchPage, 'dispatcher', [['action', 'close'], ['pick', x.ticketNo]])) as { status: number; data: { message: string } };
		expect([close.status, close.data.message]).toEqual([400, '不能批量办结']);
	});

	it('督办’s batch form urges the picked tickets with one note; a unit may not urge', async () => {
		const made = [await accepted('双塔街道垃圾清运不及时'), await accepted('双塔街道占道经营')];
		for (const t of made) await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT_A });
		const note = '已临近时限，请于今日内答复';
		const refusedNote = (await postBatch(supervisePage, 'supervisor', [['action', 'urge'], ...made.map((t) => ['pick', t.ticketNo] as [string, string])])) as { status: number; data: { field: string } };
		expect([refusedNote.status, refusedNote.data.field]).toEqual([400, 'note']);
		const answer = (await postBatch(supervisePage, 'supervisor', [['action', 'urge'], ['note', note], ...made.map((t) => ['pick', t.ticketNo] as [string, string])])) as { done: string[]; refused: unknown[] };
		expect(answer.done).toEqual(made.map((t) => t.ticketNo));
		expect(answer.refused).toEqual([]);
		for (const t of made) {
			const d = await ticketDetail(a, as('supervisor'), t.ticketNo);
			expect(d.urgeCount).toBe(1);
			expect(d.timeline.at(-1)).toMatchObject({ action: 'urge', note });
		}
		// a unit's batch: every ticket refused on its own, none urged
		const unit = await actOnTickets(a, people.unitA, made.map((t) => ({ ticket_no: t.ticketNo, action: 'urge', note })));
		expect(unit.map((o) => o.ok)).toEqual([false, false]);
		expect((await ticketDetail(a, as('supervisor'), made[0].ticketNo)).urgeCount).toBe(1);
	});

	it('POST /api/v1/tickets/actions answers each ticket’s outcome in order, and a bad list with 400', async () => {
		const [x, y] = [await accepted('石路步行街噪音'), await accepted('石路步行街占道')];
		const call = async (body: unknown) => {
			const url = new URL('http://localhost/api/v1/tickets/actions');
			const request = new Request(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
			const res = await (batchRoute.POST as (e: never) => Promise<Response>)({ request, url, locals: { user: as('dispatcher') } } as never);
			return { status: res.status, body: (await res.json()) as Record<string, never> };
		};
		const ok = await call({
			items: [
				{ ticket_no: x.ticketNo, action: 'dispatch', version: x.version, unit_code: UNIT_A },
				{ ticket_no: y.ticketNo, action: 'dispatch', version: y.version, unit_code: 'NOPE' }
			]
		});
		expect(ok.status).toBe(200);
		expect(ok.body.results).toEqual([
			{ ticket_no: x.ticketNo, ok: true, status: 'dispatched', version: x.version + 1 },
			{ ticket_no: y.ticketNo, ok: false, error: { code: 'invalid_input', message: expect.stringContaining('NOPE') } }
		]);
		const bad = await call({ items: [] });
		expect(bad.status).toBe(400);
		expect(bad.body.error).toMatchObject({ code: 'invalid_input', field: 'items' });
		expect((await call({})).status).toBe(400);
	});
});
