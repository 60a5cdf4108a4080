// The case module over a real embedded store: every (state, action, role) combination, two dispatchers on one
// ticket, what units may see and do, masking, validation, and a ticket's whole life through the actions.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { render } from 'svelte/server';
import { loadQueue } from '../../src/lib/server/cases/forms';
import { load as superviseLoad } from '../../src/routes/(app)/supervise/+page.server';
import SupervisePage from '../../src/routes/(app)/supervise/+page.svelte';
import { startRouteApp } from '../support/app';
import { settings, tickets } from '../../src/lib/server/db/schema';
import { CaseError } from '../../src/lib/server/cases/input';
import { CASE_ACTIONS, type CaseAction } from '../../src/lib/server/cases/machine';
import { actOnTicket, recountRoundFlags, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { listQueue, suggestionFor, ticketAfterAction, ticketDetail, type Queue } from '../../src/lib/server/cases/read';
import * as suggestionRoute from '../../src/routes/api/v1/tickets/[no]/suggestion/+server';
import { intakeAssist } from '../../src/lib/server/cases/intake';
import { calendarCoverage, fillWorkClocks, getLimits, saveLimits } from '../../src/lib/server/cases/limits';
import { DEFAULT_LIMITS, STATUSES, type Status } from '../../pipelines/lifecycle/model';
import { WorkCalendar } from '../../pipelines/calendar/index';
import { STREET_NONE, type IntakeAssist, type Role, type SessionUser } from '../../src/lib/types';
import * as ticketsRoute from '../../src/routes/api/v1/tickets/+server';
import * as assistRoute from '../../src/routes/api/v1/intake/assist/+server';
import * as dispatchPage from '../../src/routes/(app)/dispatch/+page.server';
import * as myTicketsPage from '../../src/routes/(app)/my-tickets/+page.server';
import * as supervisePage from '../../src/routes/(app)/supervise/+page.server';
import * as visitsPage from '../../src/routes/(app)/visits/+page.server';
import * as ticketPage from '../../src/routes/(app)/tickets/[no]/+page.server';
import { addPeople, INTAKE, renderTicketPage } from '../support/cases';
import { syncToAnalytics, withoutSync } from '../../src/lib/server/sync';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { formatDeadline } from '../../src/lib/charts/format';
import { PUT as putLimits } from '../../src/routes/api/v1/settings/time-limits/+server';
import { POST as postSuggest } from '../../src/routes/api/v1/suggest/+server';
import CaseQueue from '../../src/lib/ui/CaseQueue.svelte';
import VisitsPage from '../../src/routes/(app)/visits/+page.svelte';
import DispatchPage from '../../src/routes/(app)/dispatch/+page.svelte';

let a: App;
const UNIT_A = 'D320508'; // 姑苏区

const renderTicket = (detail: Awaited<ReturnType<typeof ticketDetail>>, user: CaseUser) => renderTicketPage(a, detail, user);
const UNIT_B = 'M02'; // 市生态环境局
const UNIT_C = 'M01';
const people: Record<string, CaseUser> = {};

const ACTORS = [
	'admin',
	'leader',
	'analyst',
	'emergency',
	'operator',
	'dispatcher',
	'supervisor',
	'unitLead',
	'unitOther',
	'unitAssist'
] as const;
type Actor = (typeof ACTORS)[number];

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...Object.fromEntries((['admin', 'leader', 'analyst', 'emergency', 'operator', 'dispatcher', 'supervisor'] as Role[]).map((r) => [r, [r]])),
		unitLead: ['unit_handler', UNIT_A],
		unitOther: ['unit_handler', UNIT_B],
		unitAssist: ['unit_handler', UNIT_C],
		dispatcher2: ['dispatcher']
	});
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});


/** A ticket put straight into a state (with the fields that state has), lead unit A and assisting unit C where it went to a unit. */
async function ticketIn(status: Status, opts: { pending?: boolean } = {}): Promise<{ no: string; version: number }> {
	const t = await registerTicket(a, people.operator, INTAKE);
	const dispatched = ['dispatched', 'signed', 'replied', 'closed', 'reopened'].includes(status);
	const now = Date.now();
	const [row] = await a.rel.db
		.update(tickets)
		.set({
			status,
			unitCode: dispatched ? UNIT_A : null,
			assistUnits: dispatched ? [UNIT_C] : [],
			dispatchedAt: dispatched ? new Date(now - 3_600_000) : null,
			signDeadline: dispatched ? new Date(now + 86_400_000) : null,
			replyDeadline: dispatched ? new Date(now + 10 * 86_400_000) : null,
			extensionPending: opts.pending ? { days: 3, reason: '需现场勘查', at: now, by: '测试' } : null,
			version: 5
		})
		.where(eq(tickets.id, t.id))
		.returning();
	return { no: row.ticketNo, version: row.version };
}

/** The rules as DESIGN.md states them, written out here independently of the module's table. */
const ALLOWED: Record<CaseAction, { from: Status[]; by: Actor[] }> = {
	accept: { from: ['received'], by: ['admin', 'operator'] },
	not_accept: { from: ['received'], by: ['admin', 'operator'] },
	transfer: { from: ['received'], by: ['admin', 'operator'] },
	answer: { from: ['received'], by: ['admin', 'operator'] },
	merge: { from: ['received', 'accepted'], by: ['admin', 'operator', 'dispatcher'] },
	dispatch: { from: ['accepted', 'reopened'], by: ['admin', 'dispatcher'] },
	sign: { from: ['dispatched'], by: ['unitLead'] },
	return: { from: ['dispatched'], by: ['unitLead'] },
	recall: { from: ['dispatched', 'signed'], by: ['admin', 'dispatcher'] },
	extension_request: { from: ['signed'], by: ['unitLead'] },
	extension_approve: { from: ['signed'], by: ['admin', 'supervisor'] },
	extension_deny: { from: ['signed'], by: ['admin', 'supervisor'] },
	urge: { from: ['dispatched', 'signed'], by: ['admin', 'dispatcher', 'supervisor', 'leader'] },
	supervise: { from: ['dispatched', 'signed'], by: ['admin', 'supervisor', 'leader'] },
	reply: { from: ['signed'], by: ['unitLead'] },
	visit: { from: ['replied'], by: ['admin', 'supervisor', 'operator'] },
	visit_failed: { from: ['replied'], by: ['admin', 'supervisor', 'operator'] },
	reopen: { from: ['closed'], by: ['admin', 'supervisor'] },
	close: { from: ['replied'], by: ['admin', 'supervisor'] },
	note: { from: [...STATUSES], by: ['admin', 'leader', 'operator', 'dispatcher', 'supervisor', 'unitLead', 'unitAssist'] },
	link: { from: [...STATUSES], by: ['admin', 'operator', 'dispatcher', 'supervisor'] },
	unlink: { from: [...STATUSES], by: ['admin', 'operator', 'dispatcher', 'supervisor'] }
};
const TARGET: Partial<Record<CaseAction, Status>> = {
	accept: 'accepted',
	not_accept: 'not_accepted',
	transfer: 'transferred',
	answer: 'answered_directly',
	merge: 'closed',
	dispatch: 'dispatched',
	sign: 'signed',
	return: 'accepted',
	recall: 'accepted',
	reply: 'replied',
	visit: 'closed',
	reopen: 'reopened',
	close: 'closed'
};
const UNIT_ACTORS: Actor[] = ['unitLead', 'unitOther', 'unitAssist'];
const UNIT_ROLE_ACTIONS: CaseAction[] = ['sign', 'return', 'extension_request', 'reply', 'note'];

const AT_UNIT: Status[] = ['dispatched', 'signed', 'replied', 'closed', 'reopened'];
/** Units act only on tickets that went to them. */
function mayAct(action: CaseAction, status: Status, actor: Actor): boolean {
	return (
		ALLOWED[action].from.includes(status) &&
		ALLOWED[action].by.includes(actor) &&
		(!UNIT_ACTORS.includes(actor) || AT_UNIT.includes(status))
	);
}

/** The error a refused combination must give. */
function expectedError(action: CaseAction, status: Status, actor: Actor): CaseError['code'] {
	const rule = ALLOWED[action];
	const isUnit = UNIT_ACTORS.includes(actor);
	const roleMay = isUnit ? UNIT_ROLE_ACTIONS.includes(action) : rule.by.includes(actor);
	// a ticket a unit cannot see answers not_found whatever the action: like a missing one, so its existence does not show
	const atUnit = AT_UNIT.includes(status);
	if (isUnit && (actor === 'unitOther' || !atUnit)) return 'not_found';
	if (!roleMay) return 'forbidden';
	if (isUnit && !rule.by.includes(actor)) return 'forbidden'; // an assisting unit cannot act as lead
	return 'invalid_state';
}

function payload(action: CaseAction, version: number, mergeInto: string): Record<string, unknown> {
	const p: Record<string, unknown> = { action, version, note: '测试说明' };
	if (action === 'not_accept') p.reason = 8;
	if (action === 'transfer') p.transferred_to = '119';
	if (action === 'merge') p.duplicate_of = mergeInto;
	if (action === 'dispatch') p.unit_code = UNIT_A;
	if (action === 'extension_request') p.days = 3;
	if (action === 'visit') p.satisfaction = '满意';
	if (action === 'visit_failed') p.outcome = '无人接听';
	if (action === 'link' || action === 'unlink') p.linked_no = mergeInto;
	return p;
}

describe('every (state, action, role) combination', () => {
	it('allowed ones succeed with the right state; the rest fail with the right error and change nothing', async () => {
		const target = await registerTicket(a, people.operator, INTAKE);
		let allowed = 0;
		let refused = 0;
		for (const status of STATUSES) {
			for (const action of CASE_ACTIONS) {
				const pending = action === 'extension_approve' || action === 'extension_deny';
				const t = await ticketIn(status, { pending });
				for (const actor of ACTORS) {
					if (mayAct(action, status, actor)) continue;
					const err = await actOnTicket(a, people[actor], t.no, payload(action, t.version, target.ticketNo)).then(
						() => null,
						(e: unknown) => e
					);
					expect(err, `${actor} ${action} on ${status}`).toBeInstanceOf(CaseError);
					expect((err as CaseError).code, `${actor} ${action} on ${status}: ${(err as Error).message}`).toBe(
						expectedError(action, status, actor)
					);
					refused++;
				}
				const [still] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, t.no));
				expect(still.version, `${action} on ${status} changed by a refused attempt`).toBe(t.version);
				// 催办 and 督办 make no version: nor did a refused one count
				expect([still.urgeCount, still.supervisedAt, still.visitAttempts], `${action} on ${status} counted by a refused attempt`).toEqual([0, null, 0]);
				for (const actor of ALLOWED[action].by) {
					if (!mayAct(action, status, actor)) continue;
					const fresh = await ticketIn(status, { pending });
					if (action === 'unlink') await actOnTicket(a, people.admin, fresh.no, { action: 'link', linked_no: target.ticketNo });
					const row = await actOnTicket(a, people[actor], fresh.no, payload(action, fresh.version, target.ticketNo));
					expect(row.status, `${actor} ${action} on ${status}`).toBe(TARGET[action] ?? status);
					expect(row.version).toBe(['note', 'link', 'unlink', 'urge', 'supervise', 'visit_failed'].includes(action) ? fresh.version : fresh.version + 1);
					allowed++;
				}
			}
		}
		expect(allowed).toBeGreaterThan(60);
		expect(refused).toBeGreaterThan(1500);
	}, 300_000);

	it('an extension is requested once and decided once', async () => {
		const t = await ticketIn('signed');
		const r1 = await actOnTicket(a, people.unitLead, t.no, {
			action: 'extension_request',
			version: t.version,
			days: 5,
			note: '需协调多部门'
		});
		const again = await actOnTicket(a, people.unitLead, t.no, {
			action: 'extension_request',
			version: r1.version,
			days: 5,
			note: '再次申请'
		}).catch((e) => e);
		expect((again as CaseError).code).toBe('invalid_state');
		const before = r1.replyDeadline!.getTime();
		const r2 = await actOnTicket(a, people.supervisor, t.no, { action: 'extension_approve', version: r1.version });
		expect(r2.extensionPending).toBeNull();
		expect(r2.replyDeadline!.getTime()).toBeGreaterThanOrEqual(before + 5 * 86_400_000); // five working days later, at least five calendar days
		const deny = await actOnTicket(a, people.supervisor, t.no, { action: 'extension_deny', version: r2.version, note: '无待批申请' }).catch(
			(e) => e
		);
		expect((deny as CaseError).code).toBe('invalid_state');
	});

	it('申请延期 is not offered once the reply limit has passed, and its refusal is no version conflict (no refresh note)', async () => {
		const t = await ticketIn('signed');
		await a.rel.db.update(tickets).set({ replyDeadline: new Date(Date.now() - 3_600_000) }).where(eq(tickets.ticketNo, t.no));
		const offered = (await ticketDetail(a, people.unitLead, t.no)).actions.map((x) => x.action);
		expect(offered).toContain('reply');
		expect(offered).not.toContain('extension_request');
		const fd = new FormData();
		for (const [k, v] of Object.entries({ action: 'extension_request', version: String(t.version), days: '3', note: '需协调' })) fd.set(k, v);
		const user: SessionUser = { id: people.unitLead.id!, username: 't_unitLead', displayName: '测试', role: 'unit_handler', unitCode: UNIT_A, unitName: null };
		const act = (body: FormData) => ticketPage.actions.act({ params: { no: t.no }, request: new Request('http://localhost/x', { method: 'POST', body }), locals: { user } } as never);
		expect(await act(fd)).toMatchObject({ status: 409, data: { conflict: false, message: expect.stringContaining('不能再申请延期') } });
		fd.set('version', String(t.version - 1));
		expect(await act(fd)).toMatchObject({ status: 409, data: { conflict: true, message: expect.stringContaining('已被他人更新') } });
	});
	it('the timeline’s 申请延期 entry says how many working days were asked for', async () => {
		const t = await ticketIn('signed');
		await actOnTicket(a, people.unitLead, t.no, { action: 'extension_request', version: t.version, days: 7, note: '需协调多个部门' });
		const html = renderTicket(await ticketDetail(a, people.supervisor, t.no), people.supervisor);
		const entry = html.split('data-testid="timeline-entry"').find((e) => e.includes('data-action="extension_request"'))!;
		expect(entry).toContain('（7 个工作日）');
		expect(entry).toContain('需协调多个部门');
	});
	it('an extension is asked for within the limit, and counts from the limit it extends', async () => {
		// overdue since the end of the day before yesterday (midnight in Shanghai): too late to ask
		const late = await ticketIn('signed');
		const overdue = new Date(Math.floor((Date.now() + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000 - 86_400_000);
		await a.rel.db.update(tickets).set({ replyDeadline: overdue }).where(eq(tickets.ticketNo, late.no));
		const refused = await actOnTicket(a, people.unitLead, late.no, { action: 'extension_request', version: late.version, days: 5, note: '需协调多部门' }).catch((e) => e);
		expect(refused).toMatchObject({ code: 'invalid_state' });
		expect((refused as CaseError).message).toContain('不能再申请延期');
		// the limit as the screens show it: the end of its last day (24:00), not 00:00 of the next
		expect(formatDeadline(overdue.toISOString())).toMatch(/ 24:00$/);
		expect((refused as CaseError).message).toContain(`已于 ${formatDeadline(overdue.toISOString())} 届满`);
		// asked in time, approved after the limit passed: the extra days count from the old limit, not from the approval
		const t = await ticketIn('signed');
		const r1 = await actOnTicket(a, people.unitLead, t.no, { action: 'extension_request', version: t.version, days: 2, note: '需现场勘查' });
		const limit = new Date(Date.now() - 10 * 86_400_000);
		await a.rel.db.update(tickets).set({ replyDeadline: limit }).where(eq(tickets.ticketNo, t.no));
		const r2 = await actOnTicket(a, people.supervisor, t.no, { action: 'extension_approve', version: r1.version });
		expect(r2.replyDeadline!.getTime()).toBe(a.calendar.addWorkingDays(limit.getTime() - 1, 2));
		// two working days after a limit ten days ago end before today: the ticket stays overdue (counted from the
		// approval, it would not be)
		expect(r2.replyDeadline!.getTime()).toBeGreaterThan(limit.getTime());
		expect(r2.replyDeadline!.getTime()).toBeLessThan(Date.now());
	});
});

describe('派单 suggestions', () => {
	it('never suggest, for one click, the unit that returned the ticket', async () => {
		const t = await registerTicket(
			a,
			people.operator,
			{ ...INTAKE, category_code: '020101', district_code: '320508', content: '楼下饭店油烟扰民，请处理' },
			{ decision: { action: 'accept' } }
		);
		const inQueue = async (tab: string) =>
			(await listQueue(a, people.dispatcher, { queue: 'dispatch', tab, q: t.ticketNo })).items.find((x) => x.ticketNo === t.ticketNo)!;
		const fresh = await inQueue('all');
		expect(fresh.suggestedUnit?.code).toBe(UNIT_A);
		expect(fresh.suggestionNote).toBeNull();
		const d = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT_A });
		await actOnTicket(a, people.unitLead, t.ticketNo, { action: 'return', version: d.version, note: '不属于本单位职责' });
		const back = await inQueue('returned');
		expect(back.status).toBe('accepted');
		expect(back.suggestedUnit).toBeNull();
		// the queue says why there is no suggestion (it said 缺少分类或区 of a ticket that has both)
		expect(back.suggestionNote).toBe('建议单位（苏州市姑苏区人民政府）已退回，请另选单位');
		const detail = await ticketDetail(a, people.dispatcher, t.ticketNo);
		expect(detail.suggestedUnit).toBeNull();
		expect(detail.suggestionNote).toBe(back.suggestionNote);
		// and a ticket without a category still says that
		const bare = await registerTicket(a, people.operator, { ...INTAKE, category_code: null, district_code: '320508' }, { decision: { action: 'accept' } });
		const item = (await listQueue(a, people.dispatcher, { queue: 'dispatch', q: bare.ticketNo })).items[0];
		expect(item.suggestedUnit).toBeNull();
		expect(item.suggestionNote).toBe('缺少分类或区，无法建议');
	});
});

describe('派单 with one click', () => {
	it('sends a reopened ticket back to its lead unit with its assisting units, and says so', async () => {
		const t = await ticketIn('accepted');
		let v = (await actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: t.version, unit_code: UNIT_A, assist_units: [UNIT_B] })).version;
		v = (await actOnTicket(a, people.unitLead, t.no, { action: 'sign', version: v })).version;
		v = (await actOnTicket(a, people.unitLead, t.no, { action: 'reply', version: v, note: '已处理' })).version;
		await actOnTicket(a, people.supervisor, t.no, { action: 'visit', version: v, satisfaction: '不满意', reopen: true });
		const queue = await loadQueue(a, { ...people.dispatcher, id: people.dispatcher.id!, username: 't_dispatcher', unitName: null }, new URL(`http://x/dispatch?tab=reopened&q=${t.no}`), 'dispatch');
		expect(queue.items[0].suggestedUnit).toMatchObject({ code: UNIT_A, why: '原承办单位', assist: [{ code: UNIT_B, name: a.ref.unitByCode.get(UNIT_B)!.name }] });
		// the quick form of the row carries them
		const html = render(DispatchPage, { props: { data: { queue }, form: null } as never }).body;
		const row = html.split('data-testid="queue-row"').find((r) => r.includes(`data-ticket="${t.no}"`))!;
		expect(row).toContain(`name="assist_units" value="${UNIT_B}"`);
		expect(row).toContain(`协办：${a.ref.unitByCode.get(UNIT_B)!.name}`);
	});
});

describe('two people acting on one ticket at once', () => {
	it('two dispatchers, one ticket: exactly one wins, the other gets a conflict', async () => {
		const t = await ticketIn('accepted');
		const results = await Promise.allSettled([
			actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: t.version, unit_code: UNIT_A }),
			actOnTicket(a, people.dispatcher2, t.no, { action: 'dispatch', version: t.version, unit_code: UNIT_B })
		]);
		const won = results.filter((r) => r.status === 'fulfilled');
		const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
		expect(won).toHaveLength(1);
		expect(lost).toHaveLength(1);
		expect((lost[0].reason as CaseError).code).toBe('conflict');
		expect((lost[0].reason as CaseError).message).toContain('已被他人更新');
		const d = await ticketDetail(a, people.admin, t.no);
		expect(d.timeline.filter((e) => e.action === 'dispatch')).toHaveLength(1);
		expect(d.version).toBe(t.version + 1);
	});
	it('a supervisor’s urge or supervision does not make the unit’s reply stale, and counts each one', async () => {
		const t = await ticketIn('signed');
		await actOnTicket(a, people.supervisor, t.no, { action: 'urge', note: '请尽快答复' });
		await actOnTicket(a, people.supervisor, t.no, { action: 'supervise', note: '列入督办' });
		await actOnTicket(a, people.leader, t.no, { action: 'urge', note: '再催' });
		// the unit replies with the version it loaded before all three
		const r = await actOnTicket(a, people.unitLead, t.no, { action: 'reply', version: t.version, note: '已处理' });
		expect(r).toMatchObject({ status: 'replied', version: t.version + 1, urgeCount: 2 });
		expect(r.supervisedAt).not.toBeNull();
		// an urge after the reply is refused by the state, whatever the version
		await expect(actOnTicket(a, people.supervisor, t.no, { action: 'urge', note: '催' })).rejects.toMatchObject({ code: 'invalid_state' });
	});

	it('催办 and 督办 count per handling round: a unit dispatched after a return does not get the first unit’s, the timeline keeps them all', async () => {
		const t = await ticketIn('accepted');
		const d = await actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: t.version, unit_code: UNIT_A });
		for (const note of ['请尽快签收', '再催', '三催']) await actOnTicket(a, people.supervisor, t.no, { action: 'urge', note });
		await actOnTicket(a, people.leader, t.no, { action: 'supervise', note: '列入督办' });
		expect((await ticketDetail(a, people.unitLead, t.no)).urgeCount).toBe(3);
		const back = await actOnTicket(a, people.unitLead, t.no, { action: 'return', version: d.version, note: '不属于本单位职责' });
		await actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: back.version, unit_code: UNIT_B });
		const mine = (await listQueue(a, people.unitOther, { queue: 'mine', q: t.no })).items[0];
		expect(mine).toMatchObject({ urgeCount: 0, supervised: false });
		const detail = await ticketDetail(a, people.unitOther, t.no);
		expect(detail).toMatchObject({ urgeCount: 0, supervised: false });
		expect(detail.timeline.filter((e) => e.action === 'urge')).toHaveLength(3);
		expect((await listQueue(a, people.supervisor, { queue: 'supervise', tab: 'all', q: t.no })).items[0]).toMatchObject({ urgeCount: 0, supervised: false });
		await actOnTicket(a, people.supervisor, t.no, { action: 'urge', note: '请新单位尽快签收' });
		expect(await ticketDetail(a, people.unitOther, t.no)).toMatchObject({ urgeCount: 1, supervised: false });
		// a ticket stored before the counts were per round: put right at the start, from the events since its last dispatch
		await a.rel.db.update(tickets).set({ urgeCount: 4, supervisedAt: new Date() }).where(eq(tickets.ticketNo, t.no));
		expect(await recountRoundFlags(a.rel.db)).toBe(1);
		expect(await ticketDetail(a, people.unitOther, t.no)).toMatchObject({ urgeCount: 1, supervised: false });
		expect(await recountRoundFlags(a.rel.db)).toBe(0);
	});
	it('a stale version is refused even when nobody else is acting', async () => {
		const t = await ticketIn('dispatched');
		const e = await actOnTicket(a, people.unitLead, t.no, { action: 'sign', version: t.version - 1 }).catch((x) => x);
		expect((e as CaseError).code).toBe('conflict');
	});
	it('a version beyond what the store holds is stale too (409), never sent to it; beyond a safe integer a 400', async () => {
		// as the knowledge base answers it (an integer column: PostgreSQL refuses 2^31 and up, a 500 there before);
		// the ticket's version is compared before the write, which names only the version read
		const t = await ticketIn('dispatched');
		for (const version of [2 ** 31, 99999999999, Number.MAX_SAFE_INTEGER])
			await expect(actOnTicket(a, people.unitLead, t.no, { action: 'sign', version })).rejects.toMatchObject({ code: 'conflict' });
		for (const version of [2 ** 53, 1e30])
			await expect(actOnTicket(a, people.unitLead, t.no, { action: 'sign', version })).rejects.toMatchObject({ code: 'invalid_input', field: 'version' });
		// the ticket page's form sends it as digits
		const fd = new FormData();
		fd.set('action', 'sign');
		fd.set('version', '99999999999');
		const user: SessionUser = { id: people.unitLead.id!, username: 'x', displayName: '测试', role: 'unit_handler', unitCode: UNIT_A, unitName: null };
		const r = await ticketPage.actions.act({ params: { no: t.no }, request: new Request('http://localhost/x', { method: 'POST', body: fd }), locals: { user } } as never);
		expect(r).toMatchObject({ status: 409 });
		expect((await ticketDetail(a, people.admin, t.no)).version).toBe(t.version);
	});
	it('a unit whose colleague returned the ticket meanwhile is told of the change (409), another unit still learns nothing (404)', async () => {
		const t = await ticketIn('accepted');
		const d = await actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: t.version, unit_code: UNIT_A, assist_units: [UNIT_C] });
		const results = await Promise.allSettled([
			actOnTicket(a, people.unitLead, t.no, { action: 'return', version: d.version, note: '不属于本单位职责' }),
			actOnTicket(a, people.unitLead, t.no, { action: 'sign', version: d.version })
		]);
		expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		const lost = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as CaseError;
		// whichever came second: a sign after the return, or a return after the sign
		expect(lost.code).toBe('conflict');
		const returned = results[0].status === 'fulfilled';
		if (!returned) await actOnTicket(a, people.unitLead, t.no, { action: 'return', version: d.version + 1, note: '不属于本单位职责' });
		// the return took it away from both units: the lead and the assisting one get 409, whatever version they send
		// (answers differing by version would tell them how the ticket went on)
		const now = (await a.rel.db.select({ v: tickets.version }).from(tickets).where(eq(tickets.ticketNo, t.no)))[0].v;
		for (const who of ['unitLead', 'unitAssist'] as const)
			for (const version of [d.version, now])
				await expect(actOnTicket(a, people[who], t.no, { action: 'sign', version })).rejects.toMatchObject({ code: 'conflict' });
		await expect(actOnTicket(a, people.unitOther, t.no, { action: 'sign', version: d.version })).rejects.toMatchObject({ code: 'not_found' });
	});
	it('a unit acting on its page after a colleague returned the ticket is told it left the unit, and keeps what it typed (no reload into a 404)', async () => {
		const t = await ticketIn('accepted');
		const d = await actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: t.version, unit_code: UNIT_A, assist_units: [UNIT_C] });
		await actOnTicket(a, people.unitLead, t.no, { action: 'return', version: d.version, note: '不属于本单位职责' });
		const post = (who: 'unitLead' | 'unitAssist' | 'unitOther', fields: Record<string, string>, no = t.no) => {
			const fd = new FormData();
			for (const [k, v] of Object.entries(fields)) fd.set(k, v);
			const p = people[who];
			const user: SessionUser = { id: p.id!, username: `t_${who}`, displayName: p.displayName, role: 'unit_handler', unitCode: p.unitCode, unitName: null };
			return ticketPage.actions.act({ params: { no }, request: new Request('http://localhost/x', { method: 'POST', body: fd }), locals: { user } } as never);
		};
		const sign = await post('unitLead', { action: 'sign', version: String(d.version) });
		expect(sign).toMatchObject({ status: 409, data: { gone: true, action: 'sign', message: `工单 ${t.no} 已被退回、收回或改派，本单位已不再办理该工单，本次签收未提交。` } });
		const note = await post('unitAssist', { action: 'note', note: '已安排人员明早现场取样' });
		expect(note).toMatchObject({ status: 409, data: { gone: true, note: '已安排人员明早现场取样', message: expect.stringContaining('本次备注未提交') } });
		// a plain conflict (the ticket is still the unit's) reloads as before; another unit still learns nothing
		const t2 = await ticketIn('dispatched');
		expect(await post('unitLead', { action: 'sign', version: String(t2.version - 1) }, t2.no)).toMatchObject({ status: 409, data: { gone: false } });
		expect(await post('unitOther', { action: 'sign', version: String(d.version) })).toMatchObject({ status: 404, data: { gone: false } });
	});
});

describe('corners of the lifecycle', () => {
	it('并单 only into a ticket still being handled, and never into a chain', async () => {
		const transferred = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'transfer', transferred_to: '119' } });
		await expect(
			registerTicket(a, people.operator, INTAKE, { decision: { action: 'merge', duplicate_of: transferred.ticketNo } })
		).rejects.toMatchObject({ code: 'invalid_input', field: 'duplicate_of', message: expect.stringContaining('只能并入仍在办理中的工单') });
		const main = await registerTicket(a, people.operator, INTAKE);
		const child = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'merge', duplicate_of: main.ticketNo } });
		expect(child.duplicateOf).toBe(main.id);
		const other = await registerTicket(a, people.operator, INTAKE);
		await expect(
			actOnTicket(a, people.operator, main.ticketNo, { action: 'merge', version: main.version, duplicate_of: other.ticketNo })
		).rejects.toMatchObject({ code: 'invalid_input', field: 'duplicate_of', message: expect.stringContaining(child.ticketNo) });
		// into an open one it goes
		const merged = await actOnTicket(a, people.operator, other.ticketNo, { action: 'merge', version: other.version, duplicate_of: main.ticketNo });
		expect(merged).toMatchObject({ status: 'closed', duplicateOf: main.id });
	});
	it('受理 and 派单 correct the category to a level-3 one only, naming the field; an Open311 report keeps its level-2 service', async () => {
		const t = await registerTicket(a, people.operator, INTAKE);
		await expect(actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, category_code: '01' })).rejects.toMatchObject({
			code: 'invalid_input',
			field: 'category_code',
			message: expect.stringContaining('请选择第三级分类')
		});
		const accepted = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, category_code: '010101' });
		await expect(
			actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: accepted.version, unit_code: UNIT_A, category_code: '0101' })
		).rejects.toMatchObject({ code: 'invalid_input', field: 'category_code', message: expect.stringContaining('第 2 级分类') });
		expect((await registerTicket(a, people.operator, { ...INTAKE, category_code: '0101' }, { categoryLevel: 2 })).categoryCode).toBe('0101');
	});
	it('a reply withdraws an extension request still pending, and the timeline says so', async () => {
		const t = await ticketIn('signed', { pending: true });
		const r = await actOnTicket(a, people.unitLead, t.no, { action: 'reply', version: t.version, note: '已清理完毕' });
		expect(r.extensionPending).toBeNull();
		const d = await ticketDetail(a, people.admin, t.no);
		expect(d.extension).toBeNull();
		expect(d.timeline.at(-1)).toMatchObject({ action: 'reply', data: { extensionLapsed: 3 } });
		expect((await listQueue(a, people.supervisor, { queue: 'supervise', tab: 'extension' })).items.map((i) => i.ticketNo)).not.toContain(t.no);
	});
});

describe('access: units see and act on their own tickets only', () => {
	it('unit B cannot read, list or change unit A’s tickets; the assisting unit reads but cannot act as lead', async () => {
		const t = await ticketIn('dispatched');
		await expect(ticketDetail(a, people.unitOther, t.no)).rejects.toMatchObject({ code: 'not_found' });
		for (const action of ['sign', 'return', 'note'] as const) {
			await expect(actOnTicket(a, people.unitOther, t.no, payload(action, t.version, ''))).rejects.toMatchObject({ code: 'not_found' });
		}
		// found by its number: the grid above left more than a page of tickets at unit A
		const mineB = await listQueue(a, people.unitOther, { queue: 'mine', tab: 'all', q: t.no });
		expect(mineB.items.map((i) => i.ticketNo)).not.toContain(t.no);
		const mineA = await listQueue(a, people.unitLead, { queue: 'mine', tab: 'all', q: t.no });
		expect(mineA.items.map((i) => i.ticketNo)).toContain(t.no);
		expect(mineA.items.every((i) => i.role === 'lead')).toBe(true);
		const mineC = await listQueue(a, people.unitAssist, { queue: 'mine', tab: 'all', q: t.no });
		expect(mineC.items.find((i) => i.ticketNo === t.no)?.role).toBe('assist');
		const asAssist = await ticketDetail(a, people.unitAssist, t.no);
		expect(asAssist.actions.map((x) => x.action)).toEqual(['note']);
		expect(asAssist.caller).toEqual({ name: '张*', phone: '138****1234' });
		await expect(actOnTicket(a, people.unitAssist, t.no, { action: 'sign', version: t.version })).rejects.toMatchObject({
			code: 'forbidden'
		});
		await expect(listQueue(a, people.unitLead, { queue: 'dispatch' })).rejects.toMatchObject({ code: 'forbidden' });
		// a role that sees no cases is refused as such (403, as the ticket page refuses it), for any ticket or none
		for (const no of [t.no, 'SZ20000101-H99999'])
			await expect(ticketDetail(a, people.analyst, no)).rejects.toMatchObject({ code: 'forbidden', message: '当前角色不能查看工单' });
	});
	it('another unit’s ticket answers as a missing one, whatever the action (the role check does not show that it exists)', async () => {
		const t = await ticketIn('dispatched');
		for (const action of ['dispatch', 'merge', 'sign'] as const) {
			const hidden = await actOnTicket(a, people.unitOther, t.no, payload(action, t.version, t.no)).catch((e: CaseError) => e);
			const missing = await actOnTicket(a, people.unitOther, 'SZ20000101-H99999', payload(action, 1, t.no)).catch((e: CaseError) => e);
			expect(hidden).toMatchObject({ code: 'not_found', message: `工单 ${t.no} 不存在或无权查看` });
			expect(missing).toMatchObject({ code: 'not_found', message: '工单 SZ20000101-H99999 不存在或无权查看' });
		}
	});
	it('a unit that returns a ticket gets the action’s result, not a 404: the number, state and version, and no longer the ticket', async () => {
		const t = await ticketIn('dispatched');
		const row = await actOnTicket(a, people.unitLead, t.no, { action: 'return', version: t.version, note: '不属于本单位职责' });
		expect(row.status).toBe('accepted');
		expect(await ticketAfterAction(a, people.unitLead, row)).toEqual({ ticket_no: t.no, status: 'accepted', version: row.version, visible: false });
		// its page, opened again, says why it is gone; another unit still learns nothing of it
		await expect(ticketDetail(a, people.unitLead, t.no)).rejects.toMatchObject({
			code: 'not_found',
			message: `工单 ${t.no} 已不由本单位办理（已退回、收回或改派），不能再查看`
		});
		await expect(ticketDetail(a, people.unitOther, t.no)).rejects.toMatchObject({ code: 'not_found', message: `工单 ${t.no} 不存在或无权查看` });
		expect(await ticketAfterAction(a, people.dispatcher, row)).toMatchObject({ ticketNo: t.no, status: 'accepted' });
	});
	it('我的工单 words the notice of a ticket the unit returned itself, and shows none for any other text put into ?left=', async () => {
		const t = await ticketIn('dispatched');
		const kept = await ticketIn('dispatched');
		await actOnTicket(a, people.unitLead, t.no, { action: 'return', version: t.version, note: '不属于本单位职责' });
		const left = async (who: 'unitLead' | 'unitOther', value: string) => {
			const p = people[who];
			const user: SessionUser = { id: p.id!, username: `t_${who}`, displayName: p.displayName, role: 'unit_handler', unitCode: p.unitCode, unitName: null };
			const url = new URL(`http://localhost/my-tickets?left=${encodeURIComponent(value)}`);
			return ((await myTicketsPage.load({ locals: { user }, url } as never)) as { left: string | null }).left;
		};
		expect(await left('unitLead', t.no)).toBe(`工单 ${t.no} 已退回，由派单员重新派单，本单位不再办理。`);
		expect(await left('unitLead', t.no.toLowerCase())).toBe(`工单 ${t.no} 已退回，由派单员重新派单，本单位不再办理。`);
		for (const [who, value] of [
			['unitLead', '您的账号已被冻结，请致电 400-123-4567'],
			['unitLead', kept.no], // still the unit's
			['unitOther', t.no] // never the unit's: nothing about it
		] as const)
			expect(await left(who, value), value).toBeNull();
	});
	it('callers are masked for leaders and in every queue, shown on the lead unit’s and the dispatchers’ detail', async () => {
		const t = await ticketIn('signed');
		expect((await ticketDetail(a, people.leader, t.no)).caller).toEqual({ name: '张*', phone: '138****1234' });
		expect((await ticketDetail(a, people.unitLead, t.no)).caller).toEqual({ name: '张三', phone: '13812341234' });
		expect((await ticketDetail(a, people.dispatcher, t.no)).caller).toEqual({ name: '张三', phone: '13812341234' });
		// the number to dial back (拨打) only where it is shown in clear
		expect((await ticketDetail(a, people.unitLead, t.no)).callerDial).toBe('13812341234');
		expect((await ticketDetail(a, people.supervisor, t.no)).callerDial).toBe('13812341234');
		expect((await ticketDetail(a, people.leader, t.no)).callerDial).toBeNull();
		for (const [who, queue] of [
			['leader', 'supervise'],
			['supervisor', 'supervise'],
			['dispatcher', 'dispatch'],
			['supervisor', 'visits']
		] as const) {
			const page = await listQueue(a, people[who], { queue, tab: 'all' });
			expect(page.items.length, `${who} ${queue}`).toBeGreaterThan(0);
			for (const i of page.items) expect(i.caller, `${who} ${queue}`).toEqual({ name: '张*', phone: '138****1234' });
		}
	});
	it('回访 shows each ticket by the reply time it is sorted by (答复 …); the other queues keep the registration time', async () => {
		// registered first, replied last: the registration times run against the list's order
		const first = await ticketIn('replied');
		const second = await ticketIn('replied');
		const at = (iso: string) => new Date(iso);
		await a.rel.db.update(tickets).set({ repliedAt: at('2026-12-02T09:30:00+08:00') }).where(eq(tickets.ticketNo, first.no));
		await a.rel.db.update(tickets).set({ repliedAt: at('2026-12-01T16:05:00+08:00') }).where(eq(tickets.ticketNo, second.no));
		const session = (key: string) => ({ ...people[key], id: people[key].id!, username: `t_${key}`, unitName: null });
		/** each row's ticket and what its 时限 cell says */
		const shown = (html: string) =>
			html
				.split('<tr data-testid="queue-row"')
				.slice(1)
				.map((row) => [/data-ticket="([^"]+)"/.exec(row)![1], .../<div class="muted small[^"]*">(登记|答复) ([^<]+)<\/div>/.exec(row)!.slice(1)]);
		// the 回访 screen as its route renders it
		const visits = shown(render(VisitsPage, { props: { data: { queue: await loadQueue(a, session('supervisor'), new URL('http://x/visits'), 'visits') } } as never }).body);
		const mine = visits.filter(([no]) => no === first.no || no === second.no);
		expect(mine).toEqual([
			[second.no, '答复', '2026-12-01 16:05'],
			[first.no, '答复', '2026-12-02 09:30']
		]);
		// the list reads in order of the reply times it shows (tickets other tests put in 待回访 by hand have none and show 登记)
		const times = visits.filter(([, kind]) => kind === '答复').map(([, , t]) => t);
		expect(times.length).toBeGreaterThanOrEqual(2);
		expect(times).toEqual([...times].sort());
		// the API's queue carries the reply times too
		const api = await listQueue(a, people.supervisor, { queue: 'visits' });
		expect(api.items.find((t) => t.ticketNo === first.no)?.repliedAt).toBe(new Date('2026-12-02T09:30:00+08:00').toISOString());
		// a unit's replied tickets stay by registration
		const mineQueue = await loadQueue(a, session('unitLead'), new URL('http://x/my-tickets?tab=replied'), 'mine');
		const unit = shown(render(CaseQueue, { props: { path: '/my-tickets', page: mineQueue, tabs: [['replied', '已答复']], empty: '' } }).body);
		expect(unit.find(([no]) => no === first.no)?.[1]).toBe('登记');
	});
	it('phone numbers in the text are masked wherever the caller is, and a leader cannot find tickets by a phone number', async () => {
		const t = await ticketIn('signed');
		const text = '我叫李四，联系电话13912345678，楼下饭店油烟很大';
		await a.rel.db.update(tickets).set({ title: '李四来电13912345678', content: text }).where(eq(tickets.ticketNo, t.no));
		const leader = await ticketDetail(a, people.leader, t.no);
		expect(leader.content).not.toContain('13912345678');
		expect(leader.content).toContain('139****5678');
		expect(leader.title).not.toContain('13912345678');
		expect((await ticketDetail(a, people.unitAssist, t.no)).content).not.toContain('13912345678');
		expect((await ticketDetail(a, people.unitLead, t.no)).content).toBe(text); // the handling screen
		expect((await ticketDetail(a, people.dispatcher, t.no)).content).toBe(text);
		const page = await listQueue(a, people.supervisor, { queue: 'supervise', tab: 'all', q: '李四来电' });
		const row = page.items.find((i) => i.ticketNo === t.no)!;
		expect(row.preview).toContain('139****5678');
		expect(row.preview + row.title).not.toContain('13912345678');
		await expect(listQueue(a, people.leader, { queue: 'supervise', tab: 'all', q: '13812341234' })).rejects.toMatchObject({ code: 'forbidden', field: 'q' });
		expect((await listQueue(a, people.supervisor, { queue: 'supervise', tab: 'all', q: '13812341234' })).items.length).toBeGreaterThan(0);
		// eight digits that are a day are the ticket numbers' day, which a leader may look for
		const day = t.no.slice(2, 10);
		const byDay = await listQueue(a, people.leader, { queue: 'supervise', tab: 'all', q: day });
		expect(byDay.items.length).toBeGreaterThan(0);
		expect(byDay.items.every((i) => i.ticketNo.includes(`${day}-`))).toBe(true);
	});
	it('a queue search finds a ticket only by what the searcher may see: not by a masked name, ID or number', async () => {
		const t = await ticketIn('signed'); // lead unit A, assisting unit C
		const text = '我叫赵六一，身份证320502199001011234，请回拨65123456，楼道堆放杂物，夜间噪声超过GB3096标准';
		await a.rel.db.update(tickets).set({ title: '楼道堆物', content: text, callerName: '赵六一', callerPhone: '65123456', callerPhoneKey: '051265123456' }).where(eq(tickets.ticketNo, t.no));
		const finds = async (who: CaseUser, queue: 'supervise' | 'mine', q: string) =>
			(await listQueue(a, who, { queue, tab: 'all', q })).items.some((i) => i.ticketNo === t.no);
		for (const q of ['赵六一', '320502199001011234', '1990010112', '回拨6512'])
			expect([q, await finds(people.leader, 'supervise', q)], q).toEqual([q, false]);
		expect(await finds(people.leader, 'supervise', '楼道堆放杂物')).toBe(true); // what it sees
		// the counts say the same as the rows
		expect((await listQueue(a, people.leader, { queue: 'supervise', tab: 'all', q: '赵六一' })).counts.all).toBe(
			(await listQueue(a, people.leader, { queue: 'supervise', tab: 'all', q: '赵六一' })).items.length
		);
		// those who handle it find it by all of it; the assisting unit by what it sees only, and not by the number
		expect(await finds(people.supervisor, 'supervise', '赵六一')).toBe(true);
		expect(await finds(people.unitLead, 'mine', '赵六一')).toBe(true);
		expect(await finds(people.unitLead, 'mine', '65123456')).toBe(true);
		expect(await finds(people.unitAssist, 'mine', '赵六一')).toBe(false);
		expect(await finds(people.unitAssist, 'mine', '65123456')).toBe(false);
		expect(await finds(people.unitAssist, 'mine', '楼道堆放杂物')).toBe(true);
		// letters and digits that are no ticket number's start are words of the text
		expect(await finds(people.supervisor, 'supervise', 'GB3096')).toBe(true);
		expect(await finds(people.supervisor, 'supervise', t.no.slice(0, -1).toLowerCase())).toBe(true);
	});
	it('the caller’s own name in the text, and personal data in the timeline’s notes and reasons, are masked wherever the caller is', async () => {
		const other = await registerTicket(a, people.operator, { ...INTAKE, caller_name: '王小五', title: '王小五反映楼下饭店油烟 13912345678' });
		const t = await ticketIn('signed');
		await a.rel.db.update(tickets).set({ content: '来电人张三反映楼下饭店油烟很大' }).where(eq(tickets.ticketNo, t.no));
		const noted = await actOnTicket(a, people.unitLead, t.no, { action: 'note', version: t.version, note: '已电话联系张三 13812345678 核实' });
		await actOnTicket(a, people.unitLead, t.no, { action: 'extension_request', version: noted.version, days: 3, note: '需约张三（13812345678）现场勘查' });
		for (const who of ['leader', 'unitAssist'] as const) {
			const d = await ticketDetail(a, people[who], t.no);
			const shown = JSON.stringify([d.content, d.preview, d.title, d.timeline.map((e) => [e.note, e.data]), d.extension]);
			expect(shown, who).not.toContain('张三');
			expect(shown, who).not.toContain('13812345678');
			expect(d.content, who).toBe('来电人张*反映楼下饭店油烟很大');
			expect(d.extension?.reason, who).toBe('需约张*（138****5678）现场勘查');
		}
		// an earlier related ticket (the same phone) names its own caller in its title: masked in the list too
		const related = (await ticketDetail(a, people.leader, t.no)).related.find((r) => r.ticketNo === other.ticketNo);
		expect(related?.title).toBe('王**反映楼下饭店油烟 139****5678'); // the other caller's number too
		expect(JSON.stringify(related)).not.toContain('王小五');
		const lead = await ticketDetail(a, people.unitLead, t.no);
		expect(lead.content).toBe('来电人张三反映楼下饭店油烟很大');
		expect(lead.timeline.map((e) => e.note)).toContain('已电话联系张三 13812345678 核实');
		expect(lead.extension?.reason).toBe('需约张三（13812345678）现场勘查');
	});
	it('the caller’s given name alone (two characters or more) is masked with the full name: 娜娜 of 欧阳娜娜', async () => {
		const t = await ticketIn('signed');
		await a.rel.db.update(tickets).set({ callerName: '欧阳娜娜', content: '欧阳娜娜反映楼上漏水' }).where(eq(tickets.ticketNo, t.no));
		await actOnTicket(a, people.unitLead, t.no, { action: 'note', note: '已联系来电人，娜娜说周末在家，约周六上门查看' });
		for (const who of ['leader', 'unitAssist'] as const) {
			const d = await ticketDetail(a, people[who], t.no);
			expect(d.content, who).toBe('欧阳**反映楼上漏水');
			expect(d.timeline.at(-1)?.note, who).toBe('已联系来电人，**说周末在家，约周六上门查看');
			expect(JSON.stringify(d), who).not.toContain('娜娜');
		}
		expect((await ticketDetail(a, people.unitLead, t.no)).timeline.at(-1)?.note).toContain('娜娜说周末在家');
	});
});

describe('queues', () => {
	it('find a ticket by its number, a caller by phone, and words of the text', async () => {
		const t = await registerTicket(
			a,
			people.operator,
			{ ...INTAKE, caller_phone: '139 0000 2222', content: '请核查独一无二的紫藤花架倒塌问题' },
			{ decision: { action: 'accept' } }
		);
		const byNo = await listQueue(a, people.dispatcher, { queue: 'dispatch', q: t.ticketNo });
		expect(byNo.items.map((i) => i.ticketNo)).toEqual([t.ticketNo]);
		expect(byNo.total).toBe(1);
		// the start of a number: the city's letters and the year (0 found before: it took 6 digits)
		for (const start of [t.ticketNo.slice(0, 6), t.ticketNo.slice(0, 6).toLowerCase(), t.ticketNo.slice(0, 10)]) {
			const byStart = await listQueue(a, people.dispatcher, { queue: 'dispatch', q: start });
			expect(byStart.total, start).toBeGreaterThanOrEqual(1);
			expect(byStart.items.every((i) => i.ticketNo.startsWith(start.toUpperCase())), start).toBe(true);
		}
		const byPhone = await listQueue(a, people.dispatcher, { queue: 'dispatch', q: '13900002222' });
		expect(byPhone.items.map((i) => i.ticketNo)).toEqual([t.ticketNo]);
		const byText = await listQueue(a, people.dispatcher, { queue: 'dispatch', q: '紫藤花架' });
		expect(byText.items.map((i) => i.ticketNo)).toEqual([t.ticketNo]);
		expect((await listQueue(a, people.dispatcher, { queue: 'dispatch', q: '50%_' })).total).toBe(0);
	});
	it('我的工单 全部: the unit’s open tickets first by deadline (overdue on top), then the others, most recent first', async () => {
		const closed = await ticketIn('closed');
		const overdue = await ticketIn('signed');
		const now = Date.now();
		// the closed ticket's reply deadline lies further back than the open one's: it sorted above it before
		await a.rel.db.update(tickets).set({ replyDeadline: new Date(now - 30 * 86_400_000) }).where(eq(tickets.ticketNo, closed.no));
		await a.rel.db.update(tickets).set({ replyDeadline: new Date(now - 86_400_000) }).where(eq(tickets.ticketNo, overdue.no));
		const all: { ticketNo: string; status: string; deadline: string | null }[] = [];
		for (let page = 1; ; page++) {
			const p = await listQueue(a, people.unitLead, { queue: 'mine', tab: 'all', page });
			all.push(...p.items);
			if (p.page * p.pageSize >= p.total) break;
		}
		const open = (s: string) => s === 'dispatched' || s === 'signed';
		const firstOther = all.findIndex((t) => !open(t.status));
		expect(firstOther).toBeGreaterThan(0);
		expect(all.slice(firstOther).every((t) => !open(t.status))).toBe(true);
		const deadlines = all.slice(0, firstOther).map((t) => Date.parse(t.deadline!));
		expect(deadlines).toEqual([...deadlines].sort((x, y) => x - y));
		expect(all.findIndex((t) => t.ticketNo === overdue.no)).toBeLessThan(all.findIndex((t) => t.ticketNo === closed.no));
	});
	it('cut a title made from the content, its preview and a related ticket’s title by characters, never inside an emoji or 𠀀', async () => {
		const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
		const content = `${'路'.repeat(29)}𠀀${'灯'.repeat(89)}😀后面还有`;
		const first = await registerTicket(a, people.operator, { ...INTAKE, title: null, content, street_code: null, address: '' }, { decision: { action: 'accept' } });
		const item = (await listQueue(a, people.dispatcher, { queue: 'dispatch', q: first.ticketNo })).items[0];
		expect(item.title).toBe(`${'路'.repeat(29)}𠀀`);
		expect(item.preview).toBe(`${'路'.repeat(29)}𠀀${'灯'.repeat(89)}😀`);
		// the caller's next call lists the first one as related, titled by its content
		const next = await registerTicket(a, people.operator, { ...INTAKE, content: '路灯还是没修好' });
		const related = (await ticketDetail(a, people.dispatcher, next.ticketNo)).related.find((r) => r.ticketNo === first.ticketNo);
		expect(related?.title).toBe(`${'路'.repeat(29)}𠀀`);
		for (const text of [item.title, item.preview, related?.title ?? '']) expect(text).not.toMatch(lone);
	});
	it('a page past the end is empty, with the tab’s total and its number of pages', async () => {
		await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
		const first = await listQueue(a, people.dispatcher, { queue: 'dispatch' });
		// the pages that have tickets, walked one by one: as many as it says, holding them all
		let filled = 0;
		let seen = 0;
		for (let p = 1; ; p++) {
			const items = (await listQueue(a, people.dispatcher, { queue: 'dispatch', page: p })).items;
			if (!items.length) break;
			filled++;
			seen += items.length;
		}
		expect([first.pages, seen]).toEqual([filled, first.total]);
		const past = await listQueue(a, people.dispatcher, { queue: 'dispatch', page: first.pages + 4 });
		expect(past.items).toEqual([]);
		expect(past.total).toBe(first.total);
		expect(past.page).toBe(first.pages + 4);
		expect(past.pages).toBe(first.pages);
	});
	it('page on by the rows shown (keyset): tickets dispatched by someone else meanwhile make no waiting ticket skip a page', async () => {
		const mark = '键集分页测试';
		const made = await Promise.all(
			Array.from({ length: 110 }, (_, i) => registerTicket(a, people.operator, { ...INTAKE, content: `${mark}第${i}号，路灯不亮`, caller_phone: null, caller_name: null }, { decision: { action: 'accept' } }))
		);
		const follow = (p: { page: number; next?: string | null }) =>
			// what the page's 下一页 link asks for (before keyset paging: the next number)
			p.next !== undefined ? { after: p.next ?? undefined } : { page: p.page + 1 };
		const p1 = await listQueue(a, people.dispatcher, { queue: 'dispatch', q: mark });
		expect([p1.total, p1.pages, p1.page, p1.items.length]).toEqual([110, 3, 1, 50]);
		// another dispatcher dispatches 10 tickets of page 1
		for (const t of p1.items.slice(0, 10)) await actOnTicket(a, people.dispatcher2, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT_A });
		const p2 = await listQueue(a, people.dispatcher, { queue: 'dispatch', q: mark, ...follow(p1) });
		const p3 = await listQueue(a, people.dispatcher, { queue: 'dispatch', q: mark, ...follow(p2) });
		const seen = new Set([...p1.items, ...p2.items, ...p3.items].map((t) => t.ticketNo));
		expect(seen.size).toBe(110);
		expect([...seen].sort()).toEqual(made.map((t) => t.ticketNo).sort());
		expect([p2.items.length, p3.items.length, p3.next]).toEqual([50, 10, null]);
		// where the pages stand in the tab as it is now (100 waiting), and back again page by page
		expect([p2.start, p3.start, p3.pages]).toEqual([40, 90, 2]);
		const back = await listQueue(a, people.dispatcher, { queue: 'dispatch', q: mark, before: p3.prev! });
		expect(back.items.map((t) => t.ticketNo)).toEqual(p2.items.map((t) => t.ticketNo));
		// a URL with a cursor is shareable: the same page for another dispatcher
		expect((await listQueue(a, people.dispatcher2, { queue: 'dispatch', q: mark, after: p1.next! })).items.map((t) => t.ticketNo)).toEqual(p2.items.map((t) => t.ticketNo));
		// past the end: empty, numbered past the last page; a cursor not of this queue's shape is refused
		expect(await listQueue(a, people.dispatcher, { queue: 'dispatch', q: mark, after: '0~1000000000000~2147483647' })).toMatchObject({ items: [], page: 3, pages: 2, next: null });
		await expect(listQueue(a, people.dispatcher, { queue: 'dispatch', after: 'x~1' })).rejects.toMatchObject({ code: 'invalid_input', field: 'after' });
		// on the queue's page (a link cut off or typed by hand): 400 with the message, not an internal error
		const user: SessionUser = { id: people.dispatcher.id!, username: 't_dispatcher', displayName: people.dispatcher.displayName, role: 'dispatcher', unitCode: null, unitName: null };
		for (const q of ['after=x~1', 'before=abc'])
			await expect(dispatchPage.load({ locals: { user }, url: new URL(`http://localhost/dispatch?${q}`) } as never)).rejects.toMatchObject({
				status: 400,
				body: { message: '分页位置（after、before）无效，请从第一页重新翻页' }
			});
	});
	it('every queue walked by its cursors holds each ticket of the tab once, in the order of the pages by number', async () => {
		for (const [who, queue, tab] of [
			['dispatcher', 'dispatch', 'all'],
			['unitLead', 'mine', 'all'],
			['supervisor', 'supervise', 'all'],
			['supervisor', 'visits', 'all'],
			['operator', 'intake', 'all']
		] as const) {
			const byNumber: string[] = [];
			const first = await listQueue(a, people[who], { queue, tab });
			for (let p = 1; p <= first.pages; p++) byNumber.push(...(await listQueue(a, people[who], { queue, tab, page: p })).items.map((t) => t.ticketNo));
			const byCursor: string[] = [];
			for (let page = first; ; page = await listQueue(a, people[who], { queue, tab, after: page.next! })) {
				byCursor.push(...page.items.map((t) => t.ticketNo));
				if (!page.next) break;
			}
			expect(byCursor, queue).toEqual(byNumber);
			expect(new Set(byCursor).size, queue).toBe(first.total);
		}
	});
	it('light the supervise list: red when overdue, yellow from 75 % of the time', async () => {
		const red = await ticketIn('signed');
		const yellow = await ticketIn('signed');
		const now = Date.now();
		await a.rel.db
			.update(tickets)
			.set({ dispatchedAt: new Date(now - 10 * 3_600_000), replyDeadline: new Date(now - 60_000) })
			.where(eq(tickets.ticketNo, red.no));
		await a.rel.db
			.update(tickets)
			.set({ dispatchedAt: new Date(now - 8 * 3_600_000), replyDeadline: new Date(now + 2 * 3_600_000) })
			.where(eq(tickets.ticketNo, yellow.no));
		const r = await listQueue(a, people.supervisor, { queue: 'supervise', tab: 'red', q: red.no });
		expect(r.items.map((i) => [i.ticketNo, i.light])).toEqual([[red.no, 'red']]);
		const y = await listQueue(a, people.supervisor, { queue: 'supervise', tab: 'yellow', q: yellow.no });
		expect(y.items.map((i) => [i.ticketNo, i.light])).toEqual([[yellow.no, 'yellow']]);
		expect((await listQueue(a, people.supervisor, { queue: 'supervise', tab: 'red', q: yellow.no })).total).toBe(0);
	});
	it("light a ticket whose dispatch is not known here (a feed's, with the limits it reports) from its receipt", async () => {
		const red = await ticketIn('signed');
		const yellow = await ticketIn('signed');
		const green = await ticketIn('dispatched');
		const now = Date.now();
		const feedLike = (received: number, v: Partial<typeof tickets.$inferInsert>) => ({ dispatchedAt: null, dispatchedWork: null, signDeadlineWork: null, replyDeadlineWork: null, receivedAt: new Date(received), ...v });
		await a.rel.db.update(tickets).set(feedLike(now - 50 * 3_600_000, { replyDeadline: new Date(now - 60_000) })).where(eq(tickets.ticketNo, red.no));
		await a.rel.db.update(tickets).set(feedLike(now - 8 * 3_600_000, { replyDeadline: new Date(now + 2 * 3_600_000) })).where(eq(tickets.ticketNo, yellow.no));
		await a.rel.db.update(tickets).set(feedLike(now - 3_600_000, { signDeadline: new Date(now + 20 * 3_600_000) })).where(eq(tickets.ticketNo, green.no));
		const item = async (tab: string, no: string) => (await listQueue(a, people.supervisor, { queue: 'supervise', tab, q: no })).items.map((i) => [i.ticketNo, i.light]);
		expect(await item('red', red.no)).toEqual([[red.no, 'red']]);
		expect(await item('yellow', yellow.no)).toEqual([[yellow.no, 'yellow']]);
		expect(await item('all', green.no)).toEqual([[green.no, 'green']]);
		expect(await item('yellow', green.no)).toEqual([]);
		expect(await ticketDetail(a, people.supervisor, yellow.no)).toMatchObject({ deadlineKind: 'reply', light: 'yellow' });
		// steps the feed reports done: on time or late against its limits, on the ticket's page
		const done = await ticketIn('replied');
		await a.rel.db
			.update(tickets)
			.set(feedLike(now - 50 * 3_600_000, { signDeadline: new Date(now - 40 * 3_600_000), signedAt: new Date(now - 45 * 3_600_000), replyDeadline: new Date(now - 10 * 3_600_000), repliedAt: new Date(now - 5 * 3_600_000) }))
			.where(eq(tickets.ticketNo, done.no));
		expect(await ticketDetail(a, people.supervisor, done.no)).toMatchObject({ signLight: 'green', replyLight: 'red' });
	});
	it('count the time used as the limit counts it: working time for working days, clock time for an urgent sign-for', async () => {
		const at = (local: string) => Date.parse(`${local}+08:00`);
		const clock = (local: string) => a.calendar.workingClock(at(local));
		// a dispatch stores the working clocks of its instant and its deadlines
		const t0 = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
		const d = await actOnTicket(a, people.dispatcher, t0.ticketNo, { action: 'dispatch', version: t0.version, unit_code: UNIT_A });
		expect(d.dispatchedWork).toBe(a.calendar.workingClock(d.dispatchedAt!.getTime()));
		expect(d.signDeadlineWork).toBe(a.calendar.workingClock(d.signDeadline!.getTime()));
		expect(d.replyDeadlineWork).toBe(a.calendar.workingClock(d.replyDeadline!.getTime()));
		const set = async (status: Status, v: Partial<typeof tickets.$inferInsert>) => {
			const t = await ticketIn(status);
			await a.rel.db.update(tickets).set(v).where(eq(tickets.ticketNo, t.no));
			return t.no;
		};
		// a sign-for of 1 working day, dispatched on Friday 17:00: due at the end of Monday (the weekend uses none)
		const weekend = await set('dispatched', {
			dispatchedAt: new Date(at('2026-11-27T17:00:00')),
			signDeadline: new Date(at('2026-12-01T00:00:00')),
			dispatchedWork: clock('2026-11-27T17:00:00'),
			signDeadlineWork: clock('2026-12-01T00:00:00')
		});
		// a 咨询 reply of 2 working days, dispatched the day before 国庆 (10-01..07 off): due at the end of 10-09
		const holiday = await set('signed', {
			dispatchedAt: new Date(at('2026-09-30T10:00:00')),
			replyDeadline: new Date(at('2026-10-10T00:00:00')),
			dispatchedWork: clock('2026-09-30T10:00:00'),
			replyDeadlineWork: clock('2026-10-10T00:00:00')
		});
		// an urgent sign-for of 2 hours on a Saturday night: clock time
		const urgent = await set('dispatched', {
			urgency: 'urgent',
			dispatchedAt: new Date(at('2026-11-28T22:00:00')),
			signDeadline: new Date(at('2026-11-29T00:00:00')),
			dispatchedWork: clock('2026-11-28T22:00:00'),
			signDeadlineWork: clock('2026-11-29T00:00:00')
		});
		const lightAt = async (no: string, now: string) => {
			const [all, yellowTab] = await Promise.all(
				['all', 'yellow'].map((tab) => listQueue(a, people.supervisor, { queue: 'supervise', tab, q: no, now: at(now) }))
			);
			const l = all.items[0].light;
			expect(yellowTab.total === 1, `${no} at ${now}: the yellow tab agrees with the light ${l}`).toBe(l === 'yellow');
			return l;
		};
		// Monday 10:00: 65 of 79 clock hours, but 17 of 31 working hours
		expect(await lightAt(weekend, '2026-11-30T10:00:00')).toBe('green');
		expect(await lightAt(weekend, '2026-11-30T18:00:00')).toBe('yellow'); // 25 of 31
		// 10-07 23:00 is past 75 % of the clock time, inside the holiday; 75 % of the 62 working hours is 10-09 08:30
		expect(await lightAt(holiday, '2026-10-07T23:00:00')).toBe('green');
		expect(await lightAt(holiday, '2026-10-09T08:00:00')).toBe('green');
		expect(await lightAt(holiday, '2026-10-09T08:45:00')).toBe('yellow');
		expect(await lightAt(urgent, '2026-11-28T23:20:00')).toBe('green');
		expect(await lightAt(urgent, '2026-11-28T23:40:00')).toBe('yellow');
	});
	it('fills the working clocks of tickets at a unit that were dispatched before they were stored', async () => {
		const t = await ticketIn('signed'); // deadlines set directly, as an older version left them: no clocks
		const [before] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, t.no));
		expect(before.dispatchedWork).toBeNull();
		expect(await fillWorkClocks(a.rel.db, a.calendar)).toBeGreaterThanOrEqual(1);
		const [after] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, t.no));
		expect(after.dispatchedWork).toBe(a.calendar.workingClock(before.dispatchedAt!.getTime()));
		expect(after.signDeadlineWork).toBe(a.calendar.workingClock(before.signDeadline!.getTime()));
		expect(after.replyDeadlineWork).toBe(a.calendar.workingClock(before.replyDeadline!.getTime()));
		expect(after.version).toBe(before.version); // not a change of the ticket
		expect(await fillWorkClocks(a.rel.db, a.calendar)).toBe(0);
	});
	it('read a tab named as a property every object inherits (constructor, toString, __proto__ …) as any unknown tab: the queue’s default one', async () => {
		// it was taken for a tab (`in` sees inherited properties): drizzle's and() got a function, a 500 for the list, the API and every queue page
		await ticketIn('signed');
		await ticketIn('replied');
		await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
		const INHERITED = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', 'isPrototypeOf'];
		const queues: [Queue, CaseUser, string][] = [
			['intake', people.operator, 'all'],
			['dispatch', people.dispatcher, 'all'],
			['mine', people.unitLead, 'todo'],
			['supervise', people.supervisor, 'red'],
			['visits', people.operator, 'all']
		];
		for (const [queue, who, tab] of queues) {
			const plain = await listQueue(a, who, { queue });
			expect(plain.tab).toBe(tab);
			for (const name of INHERITED) {
				const page = await listQueue(a, who, { queue, tab: name });
				expect([page.tab, page.total, page.items.map((i) => i.ticketNo)], `${queue}?tab=${name}`).toEqual([tab, plain.total, plain.items.map((i) => i.ticketNo)]);
				expect(Object.keys(page.counts)).toEqual(Object.keys(plain.counts));
			}
		}
		// the API and the queue pages, as a request reaches them
		const session = (u: CaseUser): SessionUser => ({ id: u.id!, username: 'x', displayName: u.displayName, role: u.role, unitCode: u.unitCode, unitName: null });
		const api = async (u: CaseUser, qs: string) => {
			const url = new URL(`http://localhost/api/v1/tickets${qs}`);
			const res = await ticketsRoute.GET({ url, request: new Request(url), locals: { user: session(u) } } as never);
			return { status: res.status, body: (await res.json()) as { tab: string } };
		};
		expect(await api(people.unitLead, '?queue=mine&tab=constructor')).toMatchObject({ status: 200, body: { tab: 'todo' } });
		expect(await api(people.dispatcher, '?queue=dispatch&tab=__proto__')).toMatchObject({ status: 200, body: { tab: 'all' } });
		expect(await api(people.supervisor, '?queue=supervise&tab=toString')).toMatchObject({ status: 200, body: { tab: 'red' } });
		const load = async (route: { load: unknown }, u: CaseUser, path: string) =>
			((await (route.load as (e: unknown) => Promise<{ queue: { tab: string } }>)({ locals: { user: session(u) }, url: new URL(`http://localhost${path}`) })).queue.tab);
		expect(await load(myTicketsPage, people.unitLead, '/my-tickets?tab=constructor')).toBe('todo');
		expect(await load(dispatchPage, people.dispatcher, '/dispatch?tab=toString')).toBe('all');
		expect(await load(supervisePage, people.supervisor, '/supervise?tab=hasOwnProperty')).toBe('red');
		expect(await load(visitsPage, people.operator, '/visits?tab=__proto__')).toBe('all');
	});
});

describe('the 受理 screen’s assistant', () => {
	it('shows a caller’s earlier ticket with the name and number in its title masked', async () => {
		const other = await registerTicket(a, people.operator, {
			...INTAKE,
			caller_name: '赵大海',
			caller_phone: '13911112222',
			title: '赵大海13911112222反映观前街井盖缺失',
			content: '观前街井盖缺失，夜里有行人差点踩空',
			address: '姑苏区平江街道观前街8号'
		});
		const r = await intakeAssist(a, { title: '反映观前街井盖缺失', content: '观前街井盖缺失，夜里有行人差点踩空', address: '姑苏区平江街道观前街8号', caller_phone: '139 1111 2222' });
		const seen = r.related.find((t) => t.ticketNo === other.ticketNo);
		expect(seen?.title).toBe('赵**139****2222反映观前街井盖缺失');
	});

	it('parses the place, names the rule and its words, finds the knowledge-base answer and the caller’s open ticket', async () => {
		const first = await registerTicket(
			a,
			people.operator,
			{ ...INTAKE, caller_phone: '13700001111', content: '平江路餐馆油烟扰民，晚上无法开窗，请尽快处理' },
			{ decision: { action: 'accept' } }
		);
		const r = await intakeAssist(a, {
			title: '',
			content: '平江路餐馆油烟扰民还是没处理，另外隔壁好像着火了冒烟',
			address: '姑苏区平江街道平江路100号',
			caller_phone: '137 0000 1111'
		});
		expect(r.place).toMatchObject({ districtCode: '320508' });
		expect(r.place?.streetCode).toMatch(/^320508\d{3}$/);
		expect(r.screening[0]).toMatchObject({ rule: 2, line: '119', words: ['着火'] });
		// an emergency is transferred: no suggestion to take it as urgent
		expect(r.urgent).toBeNull();
		// the caller's open ticket: a 并单 hint, which is no rule (rule 7 is for a matter handled)
		const repeat = r.screening.find((h) => h.mergeInto);
		expect(repeat).toMatchObject({ rule: null, text: '同一事项的工单仍在办理', mergeInto: first.ticketNo });
		expect(repeat?.advice).toBe(`与在办工单 ${first.ticketNo} 内容相似，可并单`);
		expect(r.screening.find((h) => h.rule === 7)).toBeUndefined();
		expect(r.related[0]).toMatchObject({ ticketNo: first.ticketNo, why: '同一来电人，内容相似' });
		const kb = await intakeAssist(a, { content: '请问住房公积金怎么提取' });
		expect(kb.knowledge[0].id).toBe('line-housing-fund');
		expect(kb.screening).toEqual([]);
		expect(kb.urgent).toBeNull();
		// a hazard the hotline takes: urgent is suggested with its words; gone once it is over
		const manhole = await intakeAssist(a, { title: '井盖丢失', content: '人民路口的井盖丢失了，晚上有人差点掉下去' });
		expect(manhole.urgent?.words).toEqual(['井盖丢失']);
		expect(manhole.urgent?.advice).toContain('建议标为紧急');
		expect(manhole.screening).toEqual([]);
		expect((await intakeAssist(a, { content: '人民路口的井盖昨天丢了，今天已经修好了' })).urgent).toBeNull();
		await expect(intakeAssist(a, { content: 'x'.repeat(10_001) })).rejects.toMatchObject({ code: 'invalid_input', field: 'content' });
		// the assistant takes what registration takes: 10,000 characters (20,000 UTF-16 units here)
		await expect(intakeAssist(a, { content: '𠀀'.repeat(10_000) })).resolves.toBeTruthy();
	});

	it('refuses a NUL or half a character naming the field, without saying 无法保存: it saves nothing', async () => {
		await expect(intakeAssist(a, { content: '路灯\u0000坏了' })).rejects.toMatchObject({
			code: 'invalid_input',
			field: 'content',
			message: '诉求内容含有无法识别的字符（空字符 U+0000），请删除后重试'
		});
		await expect(intakeAssist(a, { content: '路灯坏了', address: '星海街\udc00' })).rejects.toMatchObject({
			field: 'address',
			message: expect.stringMatching(/^[^，]+含有无法识别的字符（不成对的代理码元 U\+DC00），请删除后重试$/)
		});
		// as the 受理 screen sends it: the JSON escape of half a character, a 400 naming the field
		const o = people.operator;
		const res = await assistRoute.POST({
			locals: { user: { id: o.id!, username: 'x', displayName: o.displayName, role: o.role, unitCode: o.unitCode, unitName: null } },
			request: new Request('http://localhost/api/v1/intake/assist', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content":"路灯\\ud800坏了"}' })
		} as never);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ error: { code: 'invalid_input', field: 'content', message: '诉求内容含有无法识别的字符（不成对的代理码元 U+D800），请删除后重试' } });
	});

	it('tells what the caller’s number called about before: in all, within 30 days, still open, the latest; five in 30 days is 高频来电', async () => {
		const phone = '13966660001';
		// a number that never called: a first call, said as such; no phone, or one repeat detection cannot read: nothing
		expect((await intakeAssist(a, { caller_phone: phone })).caller).toEqual({ total: 0, recent: 0, open: 0, lastAt: null, frequent: false });
		expect((await intakeAssist(a, { content: '路灯坏了' })).caller).toBeNull();
		expect((await intakeAssist(a, { caller_phone: '12345' })).caller).toBeNull();
		const call = (content: string) => registerTicket(a, people.operator, { ...INTAKE, caller_phone: phone, content }, { decision: { action: 'accept' } });
		// an old matter, closed long ago: in the total, not in the 30 days, not open
		const old = await registerTicket(a, people.operator, { ...INTAKE, caller_phone: '139 6666 0001', content: '去年反映的路灯问题' }, { decision: { action: 'answer', note: '已答复' } });
		await a.rel.db.update(tickets).set({ receivedAt: new Date(Date.now() - 40 * 86_400_000) }).where(eq(tickets.id, old.id));
		const recent = [];
		for (const content of ['楼下餐馆油烟扰民', '小区门口占道经营', '噪音扰民，晚上施工']) recent.push(await call(content));
		const r = await intakeAssist(a, { caller_phone: phone });
		expect(r.caller).toMatchObject({ total: 4, recent: 3, open: 3, frequent: false });
		const latest = await a.rel.db.select({ at: tickets.receivedAt }).from(tickets).where(eq(tickets.id, recent[2].id));
		expect(r.caller?.lastAt).toBe(latest[0].at.toISOString());
		// the same number written another way is the same caller (repeat detection's key)
		expect((await intakeAssist(a, { caller_phone: '+86 139-6666-0001' })).caller).toEqual(r.caller);
		// the earlier calls of the 30 days are listed as related tickets, the old one is not
		expect(r.related.map((t) => t.ticketNo).sort()).toEqual(recent.map((t) => t.ticketNo).sort());
		for (const content of ['垃圾清运不及时', '路面破损坑洼']) await call(content);
		const frequent = await intakeAssist(a, { caller_phone: phone });
		expect(frequent.caller).toMatchObject({ total: 6, recent: 5, open: 5, frequent: true });
		// a ticket handled to its end is no longer open
		const [t] = await a.rel.db.select().from(tickets).where(eq(tickets.id, recent[0].id));
		await a.rel.db.update(tickets).set({ status: 'closed' }).where(eq(tickets.id, t.id));
		expect((await intakeAssist(a, { caller_phone: phone })).caller).toMatchObject({ total: 6, recent: 5, open: 4 });
	});

	it('suggests a street only within the district, the operator’s or the address’s', async () => {
		const content = '路边有人占道经营，影响通行，请尽快处理';
		// the operator chose 姑苏区; the address names a town of 吴中区: no 姑苏区 木渎镇
		const mixed = await intakeAssist(a, { content, address: '吴中区木渎镇中山东路', district_code: '320508' });
		expect(mixed.place).toMatchObject({ districtCode: '320508', streetCode: null });
		// a street the operator chose with another district's code is not paired with it either
		const muDu = [...a.ref.streetByCode.values()].find((s) => s.name.startsWith('木渎'))!;
		const wrong = await intakeAssist(a, { content, district_code: '320508', street_code: muDu.code });
		expect(wrong.place?.streetCode).toBeNull();
		// a street alone gives its district
		const alone = await intakeAssist(a, { content, street_code: muDu.code });
		expect(alone.place).toMatchObject({ districtCode: muDu.districtCode, streetCode: muDu.code });
		// the address alone: its own pair
		const byText = await intakeAssist(a, { content, address: '吴中区木渎镇中山东路' });
		expect(byText.place).toMatchObject({ districtCode: '320506', streetCode: muDu.code, outside: null });
	});

	it('places no address of another city here and says it seems outside the city; registration leaves the place to the operator', async () => {
		const content = '路灯不亮，晚上出行不便，请尽快处理';
		for (const [address, city] of [
			['南京市江宁区东山街道上元大街', '南京市'], // placed in 吴中区 东山镇 before
			['无锡市滨湖区太湖街道', '无锡市'] // and in 吴中区 太湖街道
		]) {
			const r = await intakeAssist(a, { content, address });
			expect(r.place, address).toMatchObject({ districtCode: null, streetCode: null, name: `苏州市以外（${city}）` });
			expect(r.place?.outside).toBe(`地址似乎在苏州市以外（${city}），未自动填写区、街道；请向来电人核实，属本市的请手动选择`);
			const t = await registerTicket(a, people.operator, { ...INTAKE, content, address, district_code: null });
			expect([t.districtCode, t.streetCode], address).toEqual([null, null]);
		}
		// the operator decides: a place chosen by hand is registered as chosen
		const chosen = await registerTicket(a, people.operator, { ...INTAKE, content, address: '无锡市滨湖区太湖街道', district_code: '320506', street_code: '320506010' });
		expect([chosen.districtCode, chosen.streetCode]).toEqual(['320506', '320506010']);
		// the city's own county-level cities and a road named after another city stay here
		expect((await intakeAssist(a, { content, address: '昆山市玉山镇' })).place).toMatchObject({ districtCode: '320583', outside: null });
		expect((await intakeAssist(a, { content, address: '姑苏区南京路' })).place).toMatchObject({ districtCode: '320508', outside: null });
	});

	it('suggests rule 7 only for an earlier ticket a unit handled, and says what became of the others', async () => {
		const call = (caller_phone: string, content: string, decision?: Record<string, unknown>) =>
			registerTicket(a, people.operator, { ...INTAKE, title: '', address: '', district_code: null, caller_phone, content }, decision && { decision });
		const again = async (caller_phone: string, content: string) => {
			const r = await intakeAssist(a, { content, caller_phone });
			expect(r.related.some((x) => x.repeat)).toBe(true);
			return r.screening;
		};
		// transferred to 119: no rule 7 (nobody here handled it), the line again
		const fire = await call('13600000001', '楼下电动车棚着火了，浓烟很大', { action: 'transfer', transferred_to: '119' });
		let s = await again('13600000001', '楼下电动车棚那边还是没人来处理');
		expect(s.find((h) => h.rule === 7)).toBeUndefined();
		expect(s[0]).toMatchObject({
			rule: 2,
			line: '119',
			words: [],
			mergeInto: null,
			advice: `与工单 ${fire.ticketNo} 内容相似，该单曾转 119，如事态仍在持续，建议再转 119 并告知来电人`
		});
		// … and with the words' own hint for the same line, one hint that says both
		s = await again('13600000001', '楼下电动车棚着火了，火越来越大');
		expect(s.filter((h) => h.rule === 2)).toHaveLength(1);
		expect(s[0].advice).toBe(`出现“着火”，疑似紧急事项，建议转 119 并告知来电人；与工单 ${fire.ticketNo} 内容相似，该单曾转 119`);
		// refused under rule 4: that rule and its reason
		const refused = await call('13600000002', '房东不退押金，我想去法院起诉他，请问怎么办', {
			action: 'not_accept',
			reason: 4,
			note: '告知通过诉讼解决'
		});
		s = await again('13600000002', '房东押金的事还是不退，请问怎么办');
		expect(s.find((h) => h.rule === 7)).toBeUndefined();
		expect(s.find((h) => h.rule === 4)?.advice).toBe(
			`与工单 ${refused.ticketNo} 内容相似，该单曾以情形 4（应通过诉讼、仲裁、行政复议解决）不予受理，如无新情况，请核实是否仍属该情形`
		);
		// answered directly: nothing to suggest
		await call('13600000003', '请问住房公积金怎么提取，需要什么材料', { action: 'answer', note: '告知提取流程' });
		expect(await again('13600000003', '住房公积金提取需要什么材料')).toEqual([]);
		// merged into an open ticket: 并单 into that one
		const main = await call('13600000004', '小区门口井盖丢失，晚上很危险', { action: 'accept' });
		const merged = await call('13600000004', '小区门口井盖丢失了，有人差点掉下去', { action: 'merge', duplicate_of: main.ticketNo });
		s = await again('13600000004', '小区门口井盖丢失还没补上');
		expect(s).toEqual([
			expect.objectContaining({
				rule: null,
				text: '同一事项的工单仍在办理',
				mergeInto: main.ticketNo,
				advice: `工单 ${merged.ticketNo} 已并入 ${main.ticketNo}；与在办工单 ${main.ticketNo} 内容相似，可并单`
			})
		]);
		// handled by a unit to closure: rule 7
		const done = await call('13600000005', '小区路灯不亮，晚上出行不便', { action: 'accept' });
		const at = new Date();
		await a.rel.db.update(tickets).set({ status: 'closed', unitCode: UNIT_A, dispatchedAt: at, closedAt: at }).where(eq(tickets.id, done.id));
		s = await again('13600000005', '小区路灯还是不亮');
		expect(s).toEqual([
			expect.objectContaining({ rule: 7, mergeInto: null, advice: `与已办结工单 ${done.ticketNo} 内容相似，如无新情况、新理由，属情形 7` })
		]);
	});

	it('asks about a substantive appeal only when title and content say nothing but greetings', async () => {
		const rule8 = async (title: string, content: string) => (await intakeAssist(a, { title, content })).screening.filter((h) => h.rule === 8);
		expect(await rule8('', '路灯坏了')).toEqual([]);
		expect(await rule8('', '井盖丢失')).toEqual([]);
		expect(await rule8('小区门口路灯不亮', '喂')).toEqual([]);
		const [h] = await rule8('', '喂，你好，在吗？');
		expect(h).toMatchObject({ words: [], advice: '内容过短或只有问候、试拨等用语，请核实是否有实质诉求（情形 8）' });
	});

	/** Earlier tickets of other callers in 园区 金鸡湖街道, about 星海街 and elsewhere, accepted (open: 可并单). */
	const XINGHAI = '工业园区金鸡湖街道';
	async function xinghaiTickets(prefix: string) {
		const earlier = (n: number, content: string) =>
			registerTicket(
				a,
				people.operator,
				{ ...INTAKE, title: '', district_code: null, address: XINGHAI, caller_phone: `${prefix}${String(n).padStart(4, '0')}`, content },
				{ decision: { action: 'accept' } }
			);
		return {
			lamp: await earlier(1, '星海街星湖小区门口的路灯坏了好几天了，晚上出门黑漆漆的'),
			bar: await earlier(2, '星海街蓝调酒吧每天晚上音乐声很大，一直到凌晨两点，吵得睡不着'),
			praise: await earlier(3, '表扬单位服务好、效率高：上次反映太湖家园门口的路灯不亮，第二天街道就派人来修好了，给你们点赞'),
			bike: await earlier(4, '反映电动自行车上牌遇到困难：我这辆电动车是前几年在小区门口的店里买的，当时老板说是新国标车，今天去上牌说车速超标不能上'),
			rubbish: await earlier(5, '春节期间斜塘家园垃圾堆积成山，门口的马路上都是垃圾袋，好几天没人清运')
		};
	}

	it('offers an earlier ticket of the same street said in other words, and none that only shares the call’s filler words', async () => {
		const t = await xinghaiTickets('1390576');
		expect(t.lamp.streetCode).toBe('320576054');
		const assist = (content: string) => intakeAssist(a, { content, address: XINGHAI, caller_phone: '13905769999' });
		const offered = async (content: string) => {
			const r = await assist(content);
			// an open earlier ticket's hint is 并单, naming no rule (rule 7 is for one handled to closure)
			const hint = r.screening.find((h) => h.mergeInto);
			return { related: r.related.map((x) => `${x.ticketNo} ${x.why}`), mergeInto: hint?.mergeInto ?? null };
		};
		// the same matter in other words: 可并单
		expect(await offered('星海街小区门口路灯不亮')).toEqual({ related: [`${t.lamp.ticketNo} 同一地点，内容相似`], mergeInto: t.lamp.ticketNo });
		expect(await offered('小区门口的路灯坏了')).toEqual({ related: [`${t.lamp.ticketNo} 同一地点，内容相似`], mergeInto: t.lamp.ticketNo });
		expect(await offered('星海街蓝调酒吧半夜音乐太吵了，睡不着觉')).toEqual({ related: [`${t.bar.ticketNo} 同一地点，内容相似`], mergeInto: t.bar.ticketNo });
		// the audit's calls: a praise of a lamp repaired, a bicycle bought at the gate, rubbish on the road are other matters
		expect(await offered('门口的马路上有个坑')).toEqual({ related: [], mergeInto: null });
		expect(await offered('小区里有人遛狗不牵绳')).toEqual({ related: [], mergeInto: null });
		const lampCall = await assist('小区门口的路灯坏了');
		for (const other of [t.praise, t.bike, t.rubbish]) expect(lampCall.related.map((x) => x.ticketNo)).not.toContain(other.ticketNo);
	});

	it('lists a ticket of the district, when the call names no street, only if it says much the same, and suggests no 并单 or rule 7 by it', async () => {
		const t = await xinghaiTickets('1390577');
		const assist = (content: string, caller_phone = '13905779999') => intakeAssist(a, { content, address: '工业园区', caller_phone });
		const lamp = (r: IntakeAssist) => r.related.find((x) => x.ticketNo === t.lamp.ticketNo);
		// a lamp somewhere in the district is no lamp at the caller's gate (the street would offer it, as above)
		let r = await assist('小区门口的路灯坏了');
		expect(r.place).toMatchObject({ districtCode: '320576', streetCode: null });
		expect(r.related.filter((x) => x.repeat)).toEqual([]);
		expect(r.screening.filter((h) => h.rule === 7 || h.mergeInto)).toEqual([]);
		// much the same words: listed as the district's, to link or merge by hand, but not suggested
		r = await assist('星海街星湖小区门口的路灯坏了好几天了，还是没人来修');
		expect(lamp(r)).toMatchObject({ why: '同一区县，内容相似', repeat: false });
		expect(r.screening.filter((h) => h.rule === 7 || h.mergeInto)).toEqual([]);
		// the caller of that ticket: 可并单 as ever
		r = await assist('星海街星湖小区门口的路灯还是不亮', '139 0577 0001');
		expect(lamp(r)).toMatchObject({ why: '同一来电人，内容相似', repeat: true });
		expect(r.screening.find((h) => h.mergeInto)?.mergeInto).toBe(t.lamp.ticketNo);
	});

	it('finds the caller’s earlier ticket however many tickets of the place came after it', async () => {
		const mine = await registerTicket(a, people.operator, {
			...INTAKE,
			title: '',
			district_code: null,
			caller_phone: '13955556666',
			content: '楼下餐馆油烟扰民严重，每天晚上排放大量油烟，影响居民开窗通风',
			address: '吴江区松陵镇中山北路1号'
		});
		expect(mine.streetCode).not.toBeNull();
		// 450 other callers' tickets in the same place afterwards (one capped read of caller-or-place lost it)
		for (let i = 0; i < 450; i += 50)
			await Promise.all(
				Array.from({ length: 50 }, (_, k) =>
					registerTicket(a, people.operator, {
						...INTAKE,
						title: '',
						district_code: null,
						caller_phone: `1380000${String(i + k).padStart(4, '0')}`,
						content: `第${i + k}号路灯不亮，夜间出行不便`,
						address: `吴江区松陵镇中山北路${i + k + 2}号`
					})
				)
			);
		const r = await intakeAssist(a, {
			content: '楼下餐馆油烟扰民的问题还没解决，油烟排放依旧',
			address: '吴江区松陵镇中山北路1号',
			caller_phone: '13955556666'
		});
		expect(r.related.map((x) => x.ticketNo)).toContain(mine.ticketNo);
		expect(r.related.find((x) => x.ticketNo === mine.ticketNo)?.why).toMatch(/^同一来电人/);
	});
});

describe('time limits', () => {
	it('are saved whole and validated, and a dispatch uses the saved ones', async () => {
		const bad = await saveLimits(a.rel.db, { ...DEFAULT_LIMITS, signWorkingDays: 0 }).catch((e: unknown) => e);
		expect(bad).toMatchObject({ code: 'invalid_input' });
		expect((bad as Error).message).toBe('签收时限（工作日）应为 1–60 之间的整数');
		// 紧急 is the faster lane: an urgent limit longer than the normal one is refused, naming both
		await expect(saveLimits(a.rel.db, { ...DEFAULT_LIMITS, replyUrgentWorkingDays: { ...DEFAULT_LIMITS.replyUrgentWorkingDays, 咨询: 60 } })).rejects.toThrow(
			'紧急工单答复时限（工作日）（咨询）为 60 个工作日，不能长于一般工单的 2 个工作日'
		);
		await expect(saveLimits(a.rel.db, { ...DEFAULT_LIMITS, signUrgentHours: 48 })).rejects.toThrow('不能长于一般工单的签收时限');
		// signing for comes before answering: a sign-for limit beyond a type's reply limit is refused, naming the type
		await expect(saveLimits(a.rel.db, { ...DEFAULT_LIMITS, signWorkingDays: 10 })).rejects.toMatchObject({
			code: 'invalid_input',
			field: 'signWorkingDays',
			message: '签收时限（工作日）为 10 个工作日，不能长于咨询工单的答复时限（2 个工作日）'
		});
		await expect(
			saveLimits(a.rel.db, {
				...DEFAULT_LIMITS,
				signWorkingDays: 2,
				signUrgentHours: 36,
				replyUrgentWorkingDays: { ...DEFAULT_LIMITS.replyUrgentWorkingDays, 表扬: 1 }
			})
		).rejects.toThrow('紧急工单签收时限（小时）为 36 小时，不能长于紧急表扬工单的答复时限（1 个工作日，按每日 24 小时计 24 小时）');
		expect(await getLimits(a.rel.db)).toEqual(DEFAULT_LIMITS);
		// such limits saved before the rule existed are read as the defaults, not used
		await a.rel.db.insert(settings).values({ key: 'case_time_limits', value: { ...DEFAULT_LIMITS, signWorkingDays: 10 }, updatedAt: new Date() });
		expect(await getLimits(a.rel.db)).toEqual(DEFAULT_LIMITS);
		await a.rel.db.delete(settings).where(eq(settings.key, 'case_time_limits'));
		await saveLimits(a.rel.db, { ...DEFAULT_LIMITS, replyUrgentWorkingDays: { ...DEFAULT_LIMITS.replyUrgentWorkingDays, 投诉: 3 } });
		const urgent = await registerTicket(a, people.operator, { ...INTAKE, urgency: 'urgent' }, { decision: { action: 'accept' } });
		const d = await actOnTicket(a, people.dispatcher, urgent.ticketNo, { action: 'dispatch', version: urgent.version, unit_code: UNIT_A });
		expect(d.replyDeadline!.getTime()).toBe(a.calendar.addWorkingDays(d.dispatchedAt!.getTime(), 3));
		expect(d.signDeadline!.getTime()).toBe(d.dispatchedAt!.getTime() + 2 * 3_600_000);
		await saveLimits(a.rel.db, DEFAULT_LIMITS);
		expect(await getLimits(a.rel.db)).toEqual(DEFAULT_LIMITS);
	});
	it('name on the 督办 page the yellow light\'s share of the time as it is set, not a fixed 75 %', async () => {
		await saveLimits(a.rel.db, { ...DEFAULT_LIMITS, yellowAt: 0.6 });
		try {
			const data = (await superviseLoad({ locals: { user: people.supervisor }, url: new URL('http://localhost/supervise') } as never)) as { queue: { yellowAt: number } };
			expect(data.queue.yellowAt).toBe(0.6);
			const html = render(SupervisePage, { props: { data, form: null } as never }).body;
			expect(html).toContain('已用时限的 60% 亮黄灯');
		} finally {
			await saveLimits(a.rel.db, DEFAULT_LIMITS);
		}
	});
	it('refuse a body that is no JSON object with a message that says so (it read "undefined应为 1–60 之间的整数")', async () => {
		const user = { ...people.admin, username: 't_admin', unitName: null };
		for (const body of ['[]', '"x"', '7', 'null']) {
			const res = await putLimits({ locals: { user }, request: new Request('http://x/api/v1/settings/time-limits', { method: 'PUT', body }) } as never);
			expect(res.status, body).toBe(400);
			expect(await res.json(), body).toEqual({ error: { code: 'invalid_input', message: '请求内容应为 JSON 对象' } });
		}
		// no JSON at all: said so, not that it is no object
		const res = await putLimits({ locals: { user }, request: new Request('http://x/api/v1/settings/time-limits', { method: 'PUT', body: '{"signHours": 2' }) } as never);
		expect([res.status, await res.json()]).toEqual([400, { error: { code: 'invalid_input', message: '请求内容不是有效的 JSON' } }]);
		expect(await getLimits(a.rel.db)).toEqual(DEFAULT_LIMITS);
		// 分类建议 refuses them alike (it answered bad_json for both, and took an array as an object before that)
		const suggest = async (body: string) => {
			const r = await postSuggest({ locals: { user: people.operator }, request: new Request('http://x/api/v1/suggest', { method: 'POST', body }) } as never);
			return [r.status, await r.json()];
		};
		for (const body of ['[]', '"x"', 'null']) expect(await suggest(body), body).toEqual([400, { error: { code: 'invalid_input', message: '请求内容应为 JSON 对象' } }]);
		expect(await suggest('{"content": "路灯')).toEqual([400, { error: { code: 'invalid_input', message: '请求内容不是有效的 JSON' } }]);
		expect(await suggest('{"content": " "}')).toEqual([400, { error: { code: 'empty_text', message: '请填写诉求内容' } }]);
	});
	it('follow a type and urgency corrected while screening or dispatching, and the timeline says what changed', async () => {
		// registered as a request for help (the type an Open311 report gets), screened as an urgent complaint
		const t = await registerTicket(a, people.operator, { ...INTAKE, type: '求助' });
		const acc = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, type: '投诉', urgency: 'urgent' });
		expect(acc).toMatchObject({ type: '投诉', urgency: 'urgent' });
		const d = await actOnTicket(a, people.dispatcher, acc.ticketNo, { action: 'dispatch', version: acc.version, unit_code: UNIT_A });
		expect(d.signDeadline!.getTime()).toBe(d.dispatchedAt!.getTime() + DEFAULT_LIMITS.signUrgentHours * 3_600_000);
		expect(d.replyDeadline!.getTime()).toBe(a.calendar.addWorkingDays(d.dispatchedAt!.getTime(), DEFAULT_LIMITS.replyUrgentWorkingDays.投诉));
		// the dispatcher may correct it too, before the unit has it: the limits are those of the corrected type
		const u = await registerTicket(a, people.operator, { ...INTAKE, type: '咨询' }, { decision: { action: 'accept' } });
		const du = await actOnTicket(a, people.dispatcher, u.ticketNo, { action: 'dispatch', version: u.version, unit_code: UNIT_A, type: '投诉' });
		expect(du.type).toBe('投诉');
		expect(du.replyDeadline!.getTime()).toBe(a.calendar.addWorkingDays(du.dispatchedAt!.getTime(), DEFAULT_LIMITS.replyWorkingDays.投诉));
		const timeline = (await ticketDetail(a, people.dispatcher, t.ticketNo)).timeline;
		expect(timeline.find((e) => e.action === 'accept')!.note).toBe('诉求类型由“求助”改为“投诉”，紧急程度由“一般”改为“紧急”');
		// afterwards (the unit's limits are running) a correction is refused by name, not dropped without a word
		await expect(actOnTicket(a, people.unitLead, t.ticketNo, { action: 'sign', version: d.version, type: '咨询' })).rejects.toMatchObject({
			code: 'invalid_input',
			field: 'type',
			message: '只有受理或派单时可以更改诉求类型'
		});
		await expect(actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: d.version, unit_code: UNIT_A, urgency: 'bogus' })).rejects.toMatchObject({
			field: 'urgency'
		});
	});

	it('take the place corrected while screening or dispatching: a street brings its district, a district alone leaves the street unknown; the timeline and the analytics follow', async () => {
		const t = await registerTicket(a, people.operator, INTAKE);
		expect(t.districtCode).toBe('320508');
		const before = t.streetCode === null ? '未定' : a.ref.streetByCode.get(t.streetCode)!.name;
		// refused by name, and nothing changes: an unknown district or street, a street of another district
		for (const [fix, field, message] of [
			[{ district_code: '999999' }, 'district_code', '所属区“999999”不存在'],
			[{ street_code: '320506999' }, 'street_code', '所属街道（镇）“320506999”不存在'],
			[{ district_code: '320508', street_code: '320506001' }, 'street_code', '街道（镇）“长桥街道”不属于所选的区']
		] as const) {
			await expect(actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, ...fix }), field).rejects.toMatchObject({ code: 'invalid_input', field, message });
		}
		// a web submission's wrong district, put right while screening: its street is then unknown
		const acc = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, district_code: '320506' });
		expect(acc).toMatchObject({ status: 'accepted', version: t.version + 1, districtCode: '320506', streetCode: null });
		// the dispatcher names the street
		const d = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: acc.version, unit_code: UNIT_A, street_code: '320506003' });
		expect(d).toMatchObject({ districtCode: '320506', streetCode: '320506003' });
		const timeline = (await ticketDetail(a, people.dispatcher, t.ticketNo)).timeline;
		expect(timeline.find((e) => e.action === 'accept')!.note).toBe(
			['所属区由“姑苏区”改为“吴中区”', ...(t.streetCode ? [`所属街道（镇）由“${before}”改为“未定”`] : [])].join('，')
		);
		expect(timeline.find((e) => e.action === 'dispatch')!.note).toContain('所属街道（镇）由“未定”改为“越溪街道”');
		expect(timeline.find((e) => e.action === 'dispatch')!.data).toMatchObject({ changed: { street: [null, '320506003'] } });
		// a street alone moves the ticket to its district
		const u = await registerTicket(a, people.operator, INTAKE);
		expect(await actOnTicket(a, people.operator, u.ticketNo, { action: 'accept', version: u.version, street_code: '320506001' })).toMatchObject({
			districtCode: '320506',
			streetCode: '320506001'
		});
		// once the unit holds it, the place is not changed under it
		await expect(actOnTicket(a, people.unitLead, t.ticketNo, { action: 'sign', version: d.version, district_code: '320508' })).rejects.toMatchObject({
			code: 'invalid_input',
			field: 'district_code',
			message: '只有受理或派单时可以更改所属区'
		});
		// 派单's suggestion follows the place the form corrects to (GET …/suggestion), a bad code naming its field
		const w = await registerTicket(a, people.operator, { ...INTAKE, category_code: '020101' }, { decision: { action: 'accept' } });
		const asIs = await suggestionFor(a, people.dispatcher, w.ticketNo, {});
		const moved = await suggestionFor(a, people.dispatcher, w.ticketNo, { district_code: '320506' });
		expect(asIs.suggestedUnit!.code).not.toBe(moved.suggestedUnit!.code);
		expect(moved.suggestedUnit!.name).toContain('吴中');
		const viaApi = async (q: string) => {
			const res = await suggestionRoute.GET({ locals: { user: { ...people.dispatcher, id: people.dispatcher.id!, username: 't_dispatcher', unitName: null } }, params: { no: w.ticketNo }, url: new URL(`http://x/api/v1/tickets/${w.ticketNo}/suggestion?${q}`) } as never);
			return { status: res.status, body: await res.json() };
		};
		expect(await viaApi('district_code=320506')).toEqual({ status: 200, body: JSON.parse(JSON.stringify(moved)) });
		expect(await viaApi('district_code=320508&street_code=320506001')).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', field: 'street_code' } } });
		// a ticket a unit holds has no suggestion to follow
		expect(await suggestionFor(a, people.dispatcher, t.ticketNo, { district_code: '320508' })).toEqual({ suggestedUnit: null, suggestionNote: null });

		// the analytics count it where it now is
		await withoutSync(a, () => syncToAnalytics(a));
		const [fact] = await queryRows<{ district_code: string; street_code: string }>(
			a.analytics.conn,
			`SELECT district_code, street_code FROM tickets_fact WHERE ticket_no = '${t.ticketNo}'`
		);
		expect(fact).toEqual({ district_code: '320506', street_code: '320506003' });
	});

	it('take a street found wrong back to 未定 (street_code none), in the ticket’s district or the one given', async () => {
		const t = await registerTicket(a, people.operator, { ...INTAKE, street_code: '320508018' });
		expect(t).toMatchObject({ districtCode: '320508', streetCode: '320508018' });
		const cleared = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, street_code: STREET_NONE });
		expect(cleared).toMatchObject({ districtCode: '320508', streetCode: null });
		const accept = (await ticketDetail(a, people.dispatcher, t.ticketNo)).timeline.find((e) => e.action === 'accept')!;
		expect(accept.note).toBe('所属街道（镇）由“平江街道”改为“未定”');
		// with a district: that district, its street 未定; a ticket whose street is 未定 already: nothing changes
		const u = await registerTicket(a, people.operator, { ...INTAKE, street_code: '320508018' });
		expect(await actOnTicket(a, people.operator, u.ticketNo, { action: 'accept', version: u.version, district_code: '320506', street_code: STREET_NONE })).toMatchObject({
			districtCode: '320506',
			streetCode: null
		});
		const d = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: cleared.version, unit_code: UNIT_A, street_code: STREET_NONE });
		const dispatch = (await ticketDetail(a, people.dispatcher, t.ticketNo)).timeline.find((e) => e.action === 'dispatch')!;
		expect(dispatch.note).not.toContain('街道');
		expect(dispatch.data).not.toHaveProperty('changed');
		expect(d.streetCode).toBeNull();
		// an unknown district beside it is still refused by name
		const w = await registerTicket(a, people.operator, INTAKE);
		await expect(actOnTicket(a, people.operator, w.ticketNo, { action: 'accept', version: w.version, district_code: '999999', street_code: STREET_NONE })).rejects.toMatchObject({
			field: 'district_code'
		});
	});

	it('take off a map point the corrected district cannot hold, keeping it in the change; a point the district may hold stays', async () => {
		// an app submission's point at 平江路 (姑苏区), the matter in 吴中区: the pin would lie in the wrong district
		const t = await registerTicket(a, people.operator, { ...INTAKE, lon: 120.6305, lat: 31.3212 });
		expect(t).toMatchObject({ districtCode: '320508', lon: 120.6305, lat: 31.3212 });
		const moved = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, district_code: '320506' });
		expect(moved).toMatchObject({ districtCode: '320506', lon: null, lat: null });
		const accept = (await ticketDetail(a, people.dispatcher, t.ticketNo)).timeline.find((e) => e.action === 'accept')!;
		expect(accept.note).toContain('原地图位置（东经 120.63050，北纬 31.32120）不在吴中区，已从工单上去掉');
		expect(accept.data).toMatchObject({ changed: { district: ['320508', '320506'], point: [[120.6305, 31.3212], null] } });
		await withoutSync(a, () => syncToAnalytics(a));
		const [fact] = await queryRows<{ lon: number | null }>(a.analytics.conn, `SELECT lon FROM tickets_fact WHERE ticket_no = '${t.ticketNo}'`);
		expect(fact).toEqual({ lon: null });
		// a point at 金鸡湖 lies in 姑苏区's polygon, which 苏州工业园区 shares: corrected to 园区, the point may be right and stays
		const u = await registerTicket(a, people.operator, { ...INTAKE, lon: 120.7052, lat: 31.3181 });
		const park = await actOnTicket(a, people.operator, u.ticketNo, { action: 'accept', version: u.version, district_code: '320576' });
		expect(park).toMatchObject({ districtCode: '320576', lon: 120.7052, lat: 31.3181 });
		expect((await ticketDetail(a, people.dispatcher, u.ticketNo)).timeline.find((e) => e.action === 'accept')!.note).not.toContain('地图位置');
		// a street of the same district moves no point
		const w = await registerTicket(a, people.operator, { ...INTAKE, lon: 120.6305, lat: 31.3212 });
		const street = await actOnTicket(a, people.operator, w.ticketNo, { action: 'accept', version: w.version, street_code: '320508018' });
		expect(street).toMatchObject({ districtCode: '320508', streetCode: '320508018', lon: 120.6305, lat: 31.3212 });
	});

	it('take a title rewritten while screening or dispatching, the content as the caller gave it', async () => {
		const t = await registerTicket(a, people.operator, { ...INTAKE, title: '投诉' });
		// blank: unchanged, nothing said
		const same = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, title: '   ' });
		expect(same.title).toBe('投诉');
		const d = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: same.version, unit_code: UNIT_A, title: ' 小区门口餐馆油烟扰民 ' });
		expect(d).toMatchObject({ title: '小区门口餐馆油烟扰民', content: INTAKE.content });
		const timeline = (await ticketDetail(a, people.dispatcher, t.ticketNo)).timeline;
		expect(timeline.find((e) => e.action === 'accept')!.note).toBe('');
		expect(timeline.find((e) => e.action === 'dispatch')!.note).toContain('标题由“投诉”改为“小区门口餐馆油烟扰民”');
		expect(timeline.find((e) => e.action === 'dispatch')!.data).toMatchObject({ changed: { title: ['投诉', '小区门口餐馆油烟扰民'] } });
		await expect(actOnTicket(a, people.unitLead, t.ticketNo, { action: 'sign', version: d.version, title: '别的标题' })).rejects.toMatchObject({
			code: 'invalid_input',
			field: 'title',
			message: '只有受理或派单时可以更改标题'
		});
		// a ticket without a title shows its content's start as one: the form sends that back, which changes nothing
		const untitled = await registerTicket(a, people.operator, { ...INTAKE, title: '' });
		const shown = (await ticketDetail(a, people.operator, untitled.ticketNo)).title;
		expect(INTAKE.content.startsWith(shown.replace(/…$/, ''))).toBe(true);
		const kept = await actOnTicket(a, people.operator, untitled.ticketNo, { action: 'accept', version: untitled.version, title: shown });
		expect(kept.title).toBe('');
		expect((await ticketDetail(a, people.operator, untitled.ticketNo)).timeline.at(-1)!.note).toBe('');
		const u = await registerTicket(a, people.operator, INTAKE);
		await expect(actOnTicket(a, people.operator, u.ticketNo, { action: 'accept', version: u.version, title: '长'.repeat(201) })).rejects.toMatchObject({
			code: 'invalid_input',
			field: 'title'
		});
	});

	it('say when the holiday calendar lacks next year', () => {
		// package calendars that know 2026 only, and 2026 and 2027 (the package's years count as known; the extra file's
		// years only when complete: limits.test.ts)
		const known2026 = new WorkCalendar([{ holidays: { '2026-10-01': 'National Day,国庆节,7' }, workdays: {} }]);
		const both = new WorkCalendar([
			{ holidays: { '2026-10-01': 'National Day,国庆节,7', '2027-02-06': 'Spring Festival,春节,8' }, workdays: {} }
		]);
		const at = Date.parse('2026-11-29T12:00:00+08:00');
		const c = calendarCoverage(known2026, at);
		expect(c.years.map(({ year, covered, status }) => ({ year, covered, status }))).toEqual([
			{ year: 2026, covered: true, status: 'complete' },
			{ year: 2027, covered: false, status: 'missing' }
		]);
		expect(c.ok).toBe(false);
		expect(c.message).toContain('缺少 2027 年');
		const d = calendarCoverage(both, at);
		expect(d.ok).toBe(true);
		expect(d.message).toBe('节假日数据已覆盖 2026、2027 年。');
	});
});

describe('intake validation', () => {
	const refused = (input: Record<string, unknown>): Promise<CaseError> =>
		registerTicket(a, people.operator, input).then(
			() => {
				throw new Error('accepted');
			},
			(e: unknown) => e as CaseError
		);
	it('takes null for an optional text as empty, and refuses a NUL or half a character in an action’s note by field', async () => {
		const t = await registerTicket(a, people.operator, { ...INTAKE, title: null, address: null, links: null });
		expect(t).toMatchObject({ title: '', address: '' });
		// fields an action does not use, sent as null
		const accepted = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, duplicate_of: null, unit_code: null, reason: null, days: null });
		expect(accepted.status).toBe('accepted');
		await a.rel.db.update(tickets).set({ status: 'received', version: t.version }).where(eq(tickets.id, t.id));
		const e = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, note: '备注\u0000' }).catch((x: CaseError) => x);
		expect(e).toMatchObject({ code: 'invalid_input', field: 'note', message: '说明含有空字符（U+0000），无法保存，请删除后重试' });
		// half a character (a lone surrogate, "\ud800" in JSON) too: it was stored as U+FFFD, a silent change
		const half = await actOnTicket(a, people.operator, t.ticketNo, { action: 'accept', version: t.version, note: '备注\ud800' }).catch((x: CaseError) => x);
		expect(half).toMatchObject({ code: 'invalid_input', field: 'note', message: '说明含有无效字符（不成对的代理码元 U+D800），无法保存，请删除后重试' });
		const bad = await actOnTicket(a, people.operator, t.ticketNo, { action: 'fly', version: t.version }).catch((x: CaseError) => x);
		expect((bad as CaseError).message).toMatch(/^操作只能是：受理（accept）、不予受理（not_accept）/);
	});
	it('counts the 10,000 characters of content after trimming and by code point, as DESIGN.md and the feeds do', async () => {
		const extB = '𠀀'.repeat(10_000); // 20,000 UTF-16 units
		expect((await registerTicket(a, people.operator, { ...INTAKE, content: extB })).content).toBe(extB);
		const padded = `  ${'x'.repeat(10_000)}\n`;
		expect((await registerTicket(a, people.operator, { ...INTAKE, content: padded })).content).toBe(padded); // stored as given
		expect(await refused({ ...INTAKE, content: '𠀀'.repeat(10_001) })).toMatchObject({ code: 'invalid_input', field: 'content' });
	});
	it('names the field in Chinese', async () => {
		const cases: [Record<string, unknown>, string, RegExp][] = [
			[{ ...INTAKE, content: 'x'.repeat(10_001) }, 'content', /诉求内容不能超过 10000 个字/],
			[{ ...INTAKE, content: '   ' }, 'content', /请填写诉求内容/],
			[{ ...INTAKE, type: '闲聊' }, 'type', /诉求类型只能是/],
			[{ ...INTAKE, district_code: '999999' }, 'district_code', /所属区“999999”不存在/],
			[{ ...INTAKE, street_code: '320506001' }, 'street_code', /不属于所选的区/],
			[{ ...INTAKE, category_code: '9999' }, 'category_code', /诉求分类“9999”不存在/],
			// the forms offer level 3 only: a level-1 or level-2 code names the field and what it is
			[{ ...INTAKE, category_code: '01' }, 'category_code', /诉求分类“01”（城市管理）是第 1 级分类，请选择第三级分类/],
			[{ ...INTAKE, category_code: '0101' }, 'category_code', /诉求分类“0101”（城市管理 › 市容环境）是第 2 级分类/],
			[{ ...INTAKE, caller_phone: 'call me' }, 'caller_phone', /联系电话格式不正确/],
			[{ ...INTAKE, channel: undefined }, 'channel', /请填写来源渠道/],
			// no store keeps a NUL: refused by field instead of a failed write (500 before)
			[{ ...INTAKE, content: '路灯\u0000坏了' }, 'content', /诉求内容含有空字符/],
			[{ ...INTAKE, caller_name: '赵六\u0000六' }, 'caller_name', /来电人姓名含有空字符/],
			[{ ...INTAKE, links: ['SZ\u0000'] }, 'links', /关联工单含有空字符/],
			// nor half a character (a lone surrogate, "\ud800" in JSON): a failed write (500) in a new ticket before
			[{ ...INTAKE, content: '路灯\ud800坏了' }, 'content', /^诉求内容含有无效字符（不成对的代理码元 U\+D800），无法保存/],
			[{ ...INTAKE, title: '\udc00路灯' }, 'title', /^标题含有无效字符（不成对的代理码元 U\+DC00）/],
			[{ ...INTAKE, caller_name: '赵\udbff' }, 'caller_name', /^来电人姓名含有无效字符/],
			// in a field of no label, by its own name (a name every object inherits was answered with the inherited
			// function's source: “function Object() { [native code] }含有空字符”)
			[{ ...INTAKE, remark: '备注\u0000' }, 'remark', /^remark含有空字符/],
			[{ ...INTAKE, constructor: '备注\u0000' }, 'constructor', /^constructor含有空字符/],
			[{ ...INTAKE, toString: '备注\u0000' }, 'toString', /^toString含有空字符/],
			[JSON.parse(`{"__proto__":"备注\\u0000",${JSON.stringify(INTAKE).slice(1)}`), '__proto__', /^__proto__含有空字符/],
			// coded values name their Chinese labels beside the codes
			[{ ...INTAKE, urgency: 'asap' }, 'urgency', /紧急程度只能是：一般（normal）、紧急（urgent）/],
			[{ ...INTAKE, channel: 'fax' }, 'channel', /来源渠道只能是：电话（phone）/]
		];
		for (const [input, field, msg] of cases) {
			const e = await refused(input);
			expect(e, field).toBeInstanceOf(CaseError);
			expect(e.code).toBe('invalid_input');
			expect(e.field).toBe(field);
			expect(e.message).toMatch(msg);
		}
		// as the API receives it: the JSON escape of half a character, a 400 naming the field (a 500 before)
		const o = people.operator;
		const res = await ticketsRoute.POST({
			locals: { user: { id: o.id!, username: 'x', displayName: o.displayName, role: o.role, unitCode: o.unitCode, unitName: null } },
			request: new Request('http://localhost/api/v1/tickets', { method: 'POST', body: JSON.stringify({ ...INTAKE, content: 'PLACEHOLDER' }).replace('PLACEHOLDER', '路灯\\ud800坏了') })
		} as never);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ error: { code: 'invalid_input', field: 'content', message: '诉求内容含有无效字符（不成对的代理码元 U+D800），无法保存，请删除后重试' } });
	});
	it('takes the caller’s phone in the forms repeat detection reads (full-width too), stored as given and keyed; refuses others naming the forms', async () => {
		const session: SessionUser = { ...people.operator, id: people.operator.id!, username: 't_operator', unitName: null };
		const post = async (body: unknown) => {
			const request = new Request('http://localhost/api/v1/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
			const res = await ticketsRoute.POST({ locals: { user: session }, request } as never);
			return { status: res.status, body: (await res.json()) as { ticket?: { ticket_no: string }; error?: { message: string } } };
		};
		// full-width digits, as Chinese input methods type them: taken, stored as typed, keyed as the mobile number
		const full = await post({ ...INTAKE, caller_phone: '１３８１２３４５６７８' });
		expect(full.status).toBe(201);
		const [row] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, full.body.ticket!.ticket_no));
		expect([row.callerPhone, row.callerPhoneKey]).toEqual(['１３８１２３４５６７８', '13812345678']);
		const taken: [string, string][] = [
			['+86 138-1234-5678', '13812345678'],
			['(0512) 6512 3456', '051265123456'],
			['65123456', '051265123456'], // a local number: the city's area code
			['0512-65123456转801', '051265123456'] // the extension stays in what is stored, not in the key
		];
		for (const [given, key] of taken) {
			const t = await registerTicket(a, people.operator, { ...INTAKE, caller_phone: given });
			expect([t.callerPhone, t.callerPhoneKey], given).toEqual([given, key]);
		}
		// another country's or region's number and a company's 400 line: taken as given, with no key to find the caller by
		for (const given of ['+852 6123 4567', '00 1 415 555 0100', '400-820-8820']) {
			const t = await registerTicket(a, people.operator, { ...INTAKE, caller_phone: given });
			expect([t.callerPhone, t.callerPhoneKey], given).toEqual([given, null]);
		}
		// a service number, a 10-digit and a 15-digit "mobile": no key to find the caller by, refused
		for (const given of ['12345', '1391234567', '138123456789012', 'call me']) {
			const e = await refused({ ...INTAKE, caller_phone: given });
			expect(e, given).toMatchObject({ code: 'invalid_input', field: 'caller_phone' });
			expect(e.message).toMatch(/^联系电话格式不正确：应为 11 位手机号（如 13812345678）或带区号的固定电话（如 0512-65123456，本地固话可不带区号）/);
		}
		const api = await post({ ...INTAKE, caller_phone: '1391234567' });
		expect(api.status).toBe(400);
		expect(api.body.error!.message).toMatch(/^联系电话格式不正确：应为 11 位手机号/);
	});
	it('registers many calls at once: one number each, none lost, and one refused by the store fails alone', async () => {
		await registerTicket(a, people.operator, INTAKE, { source: 'batch-test', externalId: 'dup' });
		const results = await Promise.allSettled(
			Array.from({ length: 120 }, (_, i) =>
				registerTicket(
					a,
					people.operator,
					{ ...INTAKE, title: `并发 ${i}` },
					{ source: 'batch-test', externalId: i === 60 ? 'dup' : `b${i}` }
				)
			)
		);
		const ok = results
			.filter((r) => r.status === 'fulfilled')
			.map((r) => (r as PromiseFulfilledResult<{ ticketNo: string; title: string }>).value);
		expect(ok).toHaveLength(119);
		expect(results[60].status).toBe('rejected');
		expect(new Set(ok.map((t) => t.ticketNo)).size).toBe(119);
		expect(ok.every((t, i) => t.title === `并发 ${i < 60 ? i : i + 1}`)).toBe(true);
		const stored = await a.rel.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.source, 'batch-test'));
		expect(stored).toHaveLength(120);
		const d = await ticketDetail(a, people.operator, ok[100].ticketNo);
		expect(d.timeline.map((e) => e.action)).toEqual(['receive']);
	});
	it('registrations arriving in one event-loop turn from separate callbacks (as HTTP requests do) share one transaction', async () => {
		const made = await new Promise<Promise<unknown>[]>((resolve) => {
			const calls: Promise<unknown>[] = [];
			// setImmediate, not setTimeout(0): timers created across a millisecond boundary on a busy machine fall due
			// in different turns, while immediates queued together all run in the next check phase
			for (let i = 0; i < 30; i++)
				setImmediate(() => calls.push(registerTicket(a, people.operator, { ...INTAKE, title: `同一轮 ${i}` }, { source: 'turn-test' })));
			setImmediate(() => resolve(calls));
		});
		await Promise.all(made);
		const r = (await a.rel.db.execute(
			sql`select count(*)::int as n, count(distinct xmin::text)::int as tx from tickets where source = 'turn-test'`
		)) as unknown as {
			rows: { n: number; tx: number }[];
		};
		expect(r.rows[0]).toEqual({ n: 30, tx: 1 });
	});
	it('takes the place from the address when none is given', async () => {
		const t = await registerTicket(a, people.operator, { ...INTAKE, district_code: null, address: '吴中区长桥街道宝带西路' });
		expect(t.districtCode).toBe('320506');
		expect(t.streetCode).toBe('320506001');
		const given = await registerTicket(a, people.operator, { ...INTAKE, district_code: '320508', address: '吴中区长桥街道' });
		expect(given.districtCode).toBe('320508'); // the operator's choice wins
	});
	it('stores text exactly as given (markup included) and numbers tickets per day', async () => {
		const content = '<script>alert(1)</script>  门口 <b>积水</b>\n第二行 ';
		const t1 = await registerTicket(a, people.operator, { ...INTAKE, content });
		const t2 = await registerTicket(a, people.operator, INTAKE);
		expect(t1.content).toBe(content);
		expect(t1.ticketNo).toMatch(/^SZ\d{8}-H\d{5}$/);
		expect(Number(t2.ticketNo.slice(-5))).toBe(Number(t1.ticketNo.slice(-5)) + 1);
	});
	it('screens in the same step, and refuses an unknown unit when dispatching', async () => {
		const t = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'transfer', transferred_to: '120' } });
		expect(t.status).toBe('transferred');
		expect(t.transferredTo).toBe('120');
		const acc = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
		const e = await actOnTicket(a, people.dispatcher, acc.ticketNo, { action: 'dispatch', version: acc.version, unit_code: 'M999' }).catch(
			(x) => x
		);
		expect(e).toMatchObject({ code: 'invalid_input', field: 'unit_code' });
		const bad = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'sign' } }).catch((x) => x);
		expect(bad).toMatchObject({ code: 'invalid_input', field: 'decision' });
	});
});

describe('a ticket’s whole life', () => {
	it('intake → dispatch → sign → reply → unsatisfied visit → reopened → dispatch → reply → satisfied → closed, every step in the timeline', async () => {
		const t0 = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
		const no = t0.ticketNo;
		let v = t0.version;
		const step = async (who: string, body: Record<string, unknown>) => {
			const r = await actOnTicket(a, people[who], no, { ...body, version: v });
			v = r.version;
			return r;
		};
		const d1 = await step('dispatcher', { action: 'dispatch', unit_code: UNIT_A, assist_units: [UNIT_C] });
		expect(d1.signDeadline!.getTime()).toBeGreaterThan(Date.now());
		expect(d1.replyDeadline!.getTime()).toBeGreaterThan(d1.signDeadline!.getTime());
		await step('unitLead', { action: 'sign' });
		await step('unitAssist', { action: 'note', note: '协办单位已到现场查看' });
		await step('supervisor', { action: 'urge', note: '请尽快处理' });
		await step('unitLead', { action: 'reply', note: '已责令餐馆安装油烟净化设施' });
		const r = await step('supervisor', { action: 'visit', satisfaction: '不满意', reopen: true, note: '来电人表示油烟仍然很大' });
		expect(r.status).toBe('reopened');
		const detailReopened = await ticketDetail(a, people.dispatcher, no);
		expect(detailReopened.suggestedUnit).toMatchObject({ code: UNIT_A, why: '原承办单位' });
		expect(detailReopened.satisfaction).toBe('不满意');
		await step('dispatcher', { action: 'dispatch', unit_code: UNIT_A });
		// the new round has no visit yet: the last round's 不满意 is in the timeline, not the ticket's satisfaction
		expect((await ticketDetail(a, people.unitLead, no)).satisfaction).toBeNull();
		await step('unitLead', { action: 'sign' });
		await step('unitLead', { action: 'reply', note: '已联合执法，餐馆停业整改' });
		expect((await ticketDetail(a, people.supervisor, no)).satisfaction).toBeNull();
		const done = await step('supervisor', { action: 'visit', satisfaction: '满意' });
		expect(done.status).toBe('closed');
		expect(done.satisfaction).toBe('满意');
		const d = await ticketDetail(a, people.admin, no);
		expect(d.satisfaction).toBe('满意');
		expect(d.timeline.map((e) => e.action)).toEqual([
			'receive',
			'accept',
			'dispatch',
			'sign',
			'note',
			'urge',
			'reply',
			'visit',
			'dispatch',
			'sign',
			'reply',
			'visit'
		]);
		expect(d.timeline.map((e) => e.toStatus)).toEqual([
			'received',
			'accepted',
			'dispatched',
			'signed',
			'signed',
			'signed',
			'replied',
			'reopened',
			'dispatched',
			'signed',
			'replied',
			'closed'
		]);
		expect(d.timeline[3].actor).toContain('姑苏区');
		expect(d.actions.map((x) => x.action)).toEqual(['reopen', 'note', 'link']);
	});
	it('a ticket merged after a unit returned it cannot be reopened (it was not handled to the end)', async () => {
		const main = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
		const t0 = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
		let v = t0.version;
		const step = async (who: string, body: Record<string, unknown>) => {
			const r = await actOnTicket(a, people[who], t0.ticketNo, { ...body, version: v });
			v = r.version;
			return r;
		};
		await step('dispatcher', { action: 'dispatch', unit_code: UNIT_A });
		await step('unitLead', { action: 'return', note: '不属于本单位职责' });
		expect((await step('dispatcher', { action: 'merge', duplicate_of: main.ticketNo })).status).toBe('closed');
		const refused = await step('supervisor', { action: 'reopen', note: '来电人再次反映' }).catch((e: CaseError) => e);
		expect(refused).toMatchObject({ code: 'invalid_state' });
		expect((await ticketDetail(a, people.supervisor, t0.ticketNo)).actions.map((x) => x.action)).not.toContain('reopen');
	});
	it('finds the caller’s earlier ticket and similar tickets of the same place as related', async () => {
		const first = await registerTicket(a, people.operator, {
			...INTAKE,
			caller_phone: '0512-6512 3456',
			content: '平江路某饭店油烟扰民严重，晚上无法开窗'
		});
		const again = await registerTicket(a, people.operator, {
			...INTAKE,
			caller_phone: '65123456',
			content: '又来反映：饭店排油烟问题仍未解决'
		});
		const d = await ticketDetail(a, people.operator, again.ticketNo);
		expect(d.related.find((r) => r.ticketNo === first.ticketNo)?.why).toMatch(/同一来电人/);
	});

	it('says on the ticket page what its related tickets are: all of the caller’s, and the similar ones of the street (or district)', async () => {
		// the same caller about something else: listed all the same, not as 内容相似
		const lamp = await registerTicket(a, people.operator, { ...INTAKE, caller_phone: '13905761234', title: '路灯不亮', content: '小区门口的路灯坏了一个星期' });
		const noise = await registerTicket(a, people.operator, { ...INTAKE, caller_phone: '13905761234', title: '装修噪音', content: '楼上邻居半夜装修噪音扰民' });
		const page = async (no: string) => {
			const detail = await ticketDetail(a, people.operator, no);
			return { detail, html: renderTicket(detail, people.operator) };
		};
		const { detail, html } = await page(noise.ticketNo);
		expect(detail.related.find((r) => r.ticketNo === lamp.ticketNo)?.why).toBe('同一来电人');
		const scope = '同一来电人的工单和同一地点（街道，未定街道时为区县）内容相似的工单';
		expect(html).toContain(`已关联或并单的工单，以及近 30 天${scope}`);
		expect(html).not.toContain('同一来电人或同一地点');
		// a ticket with none: the empty panel says the same
		const alone = await registerTicket(a, people.operator, { ...INTAKE, caller_phone: '13905769876', address: '', district_code: null, title: '居住证', content: '咨询一下居住证怎么办理' });
		const none = await page(alone.ticketNo);
		expect(none.detail.related).toEqual([]);
		expect(none.html).toContain(`近 30 天没有${scope}。`);
	});
});

describe('关联: linked tickets, each handled on its own', () => {
	const linkedOf = async (no: string) =>
		(await ticketDetail(a, people.dispatcher, no)).related.filter((r) => r.linked).map((r) => r.ticketNo);
	it('offers 取消关联 only on a ticket that has a link', async () => {
		const [x, y] = [await registerTicket(a, people.operator, INTAKE), await registerTicket(a, people.operator, INTAKE)];
		const offered = async () => (await ticketDetail(a, people.dispatcher, x.ticketNo)).actions.map((r) => r.action);
		expect(await offered()).toContain('link');
		expect(await offered()).not.toContain('unlink');
		await actOnTicket(a, people.dispatcher, x.ticketNo, { action: 'link', linked_no: y.ticketNo });
		expect(await offered()).toContain('unlink');
	});
	it('links two tickets both ways without changing either, refuses a second link, itself and an unknown number, and unlinks', async () => {
		const one = await ticketIn('signed');
		const two = await registerTicket(a, people.operator, { ...INTAKE, content: '另一处的问题', caller_phone: '13900001111' });
		const row = await actOnTicket(a, people.dispatcher, two.ticketNo, { action: 'link', linked_no: one.no, note: '同一商户' });
		expect(row.version).toBe(two.version);
		expect(row.status).toBe('received');
		expect(await linkedOf(two.ticketNo)).toEqual([one.no]);
		expect(await linkedOf(one.no)).toEqual([two.ticketNo]);
		const d1 = await ticketDetail(a, people.admin, one.no);
		expect(d1.status).toBe('signed');
		expect(d1.version).toBe(one.version);
		const e1 = d1.timeline.at(-1)!;
		expect([e1.action, e1.note]).toEqual(['link', `关联工单 ${two.ticketNo}：同一商户`]);
		const e2 = (await ticketDetail(a, people.admin, two.ticketNo)).timeline.at(-1)!;
		expect([e2.action, e2.note]).toEqual(['link', `关联工单 ${one.no}：同一商户`]);

		const refusal = (input: Record<string, unknown>) =>
			actOnTicket(a, people.operator, one.no, input).then(
				() => null,
				(e: CaseError) => e
			);
		expect(await refusal({ action: 'link', linked_no: two.ticketNo })).toMatchObject({
			code: 'invalid_input',
			field: 'linked_no',
			message: `已与工单 ${two.ticketNo} 关联`
		});
		expect(await refusal({ action: 'link', linked_no: one.no })).toMatchObject({ code: 'invalid_input', message: '不能关联工单本身' });
		expect(await refusal({ action: 'link', linked_no: 'SZ20000101-H99999' })).toMatchObject({ code: 'invalid_input', field: 'linked_no' });
		expect(await refusal({ action: 'link' })).toMatchObject({
			code: 'invalid_input',
			field: 'linked_no',
			message: '请填写要关联的工单编号'
		});
		expect(await refusal({ action: 'link', linked_no: two.ticketNo, version: 1 })).toMatchObject({ code: 'invalid_input' }); // no conflict: links ignore the version
		const unit = await actOnTicket(a, people.unitLead, one.no, { action: 'link', linked_no: two.ticketNo }).catch((e: CaseError) => e);
		expect((unit as CaseError).code).toBe('forbidden');

		await actOnTicket(a, people.supervisor, one.no, { action: 'unlink', linked_no: two.ticketNo });
		expect(await linkedOf(two.ticketNo)).toEqual([]);
		expect(await linkedOf(one.no)).toEqual([]);
		expect(await refusal({ action: 'unlink', linked_no: two.ticketNo })).toMatchObject({
			code: 'invalid_input',
			message: `未与工单 ${two.ticketNo} 关联`
		});
		expect((await ticketDetail(a, people.admin, two.ticketNo)).timeline.map((e) => e.action)).toEqual(['receive', 'link', 'unlink']);
	});
	it('links a new call to earlier tickets as it is registered, and refuses an unknown one without registering anything', async () => {
		const earlier = await ticketIn('closed');
		const t = await registerTicket(a, people.operator, { ...INTAKE, links: [earlier.no, earlier.no] }, { decision: { action: 'accept' } });
		expect(t.status).toBe('accepted');
		expect((await ticketDetail(a, people.operator, t.ticketNo)).timeline.map((e) => e.action)).toEqual(['receive', 'link', 'accept']);
		expect(await linkedOf(earlier.no)).toContain(t.ticketNo);
		const before = await a.rel.db.select({ id: tickets.id }).from(tickets);
		const e = await registerTicket(a, people.operator, { ...INTAKE, links: [earlier.no, 'SZ20000101-H00001'] }).catch((x: CaseError) => x);
		expect(e).toMatchObject({ code: 'invalid_input', field: 'links', message: '要关联的工单 SZ20000101-H00001 不存在' });
		expect(await a.rel.db.select({ id: tickets.id }).from(tickets)).toHaveLength(before.length);
	});
	it('takes a ticket number as people type it — lower case, spaces around, full width — in 并单, 关联, the ticket’s address and the search', async () => {
		const main = await registerTicket(a, people.operator, { ...INTAKE, content: '独一份的梧桐树倒伏挡路' }, { decision: { action: 'accept' } });
		const typed = (no: string) => ` ${no.toLowerCase()} `; // sz20261202-h00009 with a space on either side
		const wide = (no: string) => no.replace(/[\x21-\x7e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)); // ＳＺ２０２６…
		// 并单 at registration and afterwards: 要并入的工单 … 不存在 before
		const merged = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'merge', duplicate_of: typed(main.ticketNo) } });
		expect([merged.status, merged.duplicateOf]).toEqual(['closed', main.id]);
		const later = await registerTicket(a, people.operator, INTAKE);
		const m2 = await actOnTicket(a, people.operator, later.ticketNo, { action: 'merge', version: later.version, duplicate_of: wide(main.ticketNo) });
		expect(m2.duplicateOf).toBe(main.id);
		// 关联: on registration (the same number twice in two spellings is one link) and as an action
		const linked = await registerTicket(a, people.operator, { ...INTAKE, links: [typed(main.ticketNo), main.ticketNo] });
		expect(await linkedOf(linked.ticketNo)).toEqual([main.ticketNo]);
		const other = await registerTicket(a, people.operator, INTAKE);
		await actOnTicket(a, people.operator, other.ticketNo, { action: 'link', linked_no: typed(main.ticketNo) });
		expect(await linkedOf(other.ticketNo)).toEqual([main.ticketNo]);
		// the ticket by its number, as the API and the actions take it from the address
		expect((await ticketDetail(a, people.operator, typed(main.ticketNo))).ticketNo).toBe(main.ticketNo);
		const noted = await actOnTicket(a, people.operator, main.ticketNo.toLowerCase(), { action: 'note', note: '来电人补充了照片' });
		expect(noted.id).toBe(main.id);
		// the page's address: sent on to the number as written on tickets
		const session: SessionUser = { ...people.operator, id: people.operator.id!, username: 't_operator', unitName: null };
		const load = ticketPage.load as unknown as (e: unknown) => Promise<unknown>;
		const url = new URL(`http://localhost/tickets/${encodeURIComponent(typed(main.ticketNo))}?tab=x`);
		const redirect = await load({ locals: { user: session }, params: { no: typed(main.ticketNo) }, url }).catch((e: unknown) => e);
		expect(redirect).toMatchObject({ status: 302, location: `/tickets/${main.ticketNo}?tab=x` });
		// and the queue's search
		for (const q of [typed(main.ticketNo), wide(main.ticketNo)]) {
			const found = await listQueue(a, people.dispatcher, { queue: 'dispatch', q });
			expect(found.items.map((i) => i.ticketNo), q).toEqual([main.ticketNo]);
		}
	});
});
