// 工作量: the hotline staff's steps counted by the account that took them, over a period of Shanghai days — a unit's
// left to 考核, a step without an account (the system's, an Open311 client's) to no one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { ownIntakeDay, OWN_RECENT, staffWorkload } from '../../src/lib/server/cases/workload';
import { addDays, shanghaiDay } from '../../pipelines/calendar/index';
import { load as assessmentLoad } from '../../src/routes/(app)/assessment/+page.server';
import { load as intakeLoad } from '../../src/routes/(app)/intake/+page.server';
import { startRouteApp } from '../support/app';
import { addPeople, INTAKE, sessionOf } from '../support/cases';

let a: App;
const people: Record<string, CaseUser> = {};

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, { op: ['operator'], op2: ['operator'], disp: ['dispatcher'], sup: ['supervisor'], unit: ['unit_handler', 'D320508'] });
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

describe('staffWorkload', () => {
	it('counts each member’s steps by action over the period, leaves the units’ and the system’s out', async () => {
		const { op, disp, sup, unit } = people;
		const accepted = await registerTicket(a, op, INTAKE, { decision: { action: 'accept' } });
		await registerTicket(a, op, { ...INTAKE, type: '咨询' }, { decision: { action: 'answer', note: '已告知办理流程' } });
		await registerTicket(a, op, INTAKE, { decision: { action: 'not_accept', reason: 8 } });
		await registerTicket(a, op, INTAKE); // registered, not yet screened
		// a submission from outside, as Open311 registers one: no account took it, so it is nobody's work here
		await registerTicket(a, { id: null, role: 'operator', unitCode: null, displayName: 'Open311（测试客户端）' }, { ...INTAKE, channel: 'web' });
		const d = await actOnTicket(a, disp, accepted.ticketNo, { action: 'dispatch', version: accepted.version, unit_code: 'D320508' });
		const s = await actOnTicket(a, unit, accepted.ticketNo, { action: 'sign', version: d.version });
		await actOnTicket(a, sup, accepted.ticketNo, { action: 'urge', note: '请尽快办理' });
		await actOnTicket(a, sup, accepted.ticketNo, { action: 'supervise', note: '列入督办' });
		await actOnTicket(a, unit, accepted.ticketNo, { action: 'reply', version: s.version, note: '已处理' });

		const today = shanghaiDay(Date.now());
		const w = await staffWorkload(a, today, today);
		const of = (p: CaseUser) => w.rows.find((r) => r.key === `u${p.id}`);
		expect(of(op)).toMatchObject({ name: '测试op', role: 'operator', counts: { receive: 4, accept: 1, answer: 1, not_accept: 1 }, total: 7 });
		// 直办率: 1 direct answer of 3 calls screened (the fourth only registered); none screened, none
		expect(of(op)!.directRate).toBeCloseTo(1 / 3, 10);
		expect(of(disp)).toMatchObject({ role: 'dispatcher', counts: { dispatch: 1 }, total: 1, directRate: null });
		expect(of(sup)).toMatchObject({ role: 'supervisor', counts: { urge: 1, supervise: 1 }, total: 2 });
		// the unit's signing and reply are its own (考核), and no row is the system's
		expect(of(unit)).toBeUndefined();
		expect(w.rows.some((r) => r.name === '系统' || r.role === 'unit_handler')).toBe(false);
		expect(w.rows.some((r) => r.name.startsWith('Open311'))).toBe(false);
		// a period that ends yesterday has none of today's steps
		const yesterday = addDays(today, -1);
		const before = await staffWorkload(a, addDays(today, -30), yesterday);
		expect(before.rows.find((r) => r.key === `u${op.id}`)).toBeUndefined();
		// the 考核 page's load gives the period it shows
		const data = (await assessmentLoad({ locals: { user: sessionOf(people, 'sup') }, url: new URL('http://x/assessment?period=7d') } as never)) as {
			staff: Awaited<ReturnType<typeof staffWorkload>>;
		};
		expect(data.staff).toMatchObject({ from: addDays(today, -6), to: today });
		expect(data.staff.rows.find((r) => r.key === `u${op.id}`)?.total).toBe(7);
	});
});

describe('ownIntakeDay', () => {
	it('gives the operator their own screening of the day and the calls they registered last, newest first', async () => {
		const { op2 } = people;
		const other = await registerTicket(a, people.op, INTAKE, { decision: { action: 'accept' } });
		// nothing yet: another operator's calls are not this one's
		const before = await ownIntakeDay(a, op2 as CaseUser & { id: number });
		expect(before.counts).toEqual({});
		expect(before.directRate).toBeNull();
		expect(before.recent).toEqual([]);

		const made: { ticketNo: string }[] = [];
		made.push(await registerTicket(a, op2, { ...INTAKE, type: '咨询', title: '公积金提取' }, { decision: { action: 'answer', note: '已告知' } }));
		made.push(await registerTicket(a, op2, { ...INTAKE, title: '张三反映油烟扰民' }, { decision: { action: 'accept' } }));
		made.push(await registerTicket(a, op2, INTAKE, { decision: { action: 'transfer', transferred_to: '110' } }));
		made.push(await registerTicket(a, op2, INTAKE, { decision: { action: 'merge', duplicate_of: other.ticketNo } }));
		made.push(await registerTicket(a, op2, INTAKE));
		made.push(await registerTicket(a, op2, { ...INTAKE, type: '咨询', title: '最后一通' }, { decision: { action: 'answer', note: '已答复' } }));

		// and a return visit of the day: the operators visit callers back too
		const { disp, unit } = people;
		const d = await actOnTicket(a, disp, made[1].ticketNo, { action: 'dispatch', version: 2, unit_code: 'D320508' });
		const s = await actOnTicket(a, unit, made[1].ticketNo, { action: 'sign', version: d.version });
		const r = await actOnTicket(a, unit, made[1].ticketNo, { action: 'reply', version: s.version, note: '已处理' });
		await actOnTicket(a, op2, made[1].ticketNo, { action: 'visit', version: r.version, satisfaction: '满意' });

		const day = await ownIntakeDay(a, op2 as CaseUser & { id: number });
		expect(day.day).toBe(shanghaiDay(Date.now()));
		expect(day.counts).toEqual({ receive: 6, accept: 1, answer: 2, transfer: 1, merge: 1, visit: 1 });
		// 2 answered directly of the 5 screened (the fifth call is only registered)
		expect(day.directRate).toBeCloseTo(2 / 5, 10);
		// the last OWN_RECENT of their registrations, newest first, each in its state now
		expect(day.recent.map((r) => r.ticketNo)).toEqual(made.slice(-OWN_RECENT).reverse().map((t) => t.ticketNo));
		expect(day.recent[0]).toMatchObject({ title: '最后一通', status: 'answered_directly' });
		expect(day.recent.find((r) => r.ticketNo === made[4].ticketNo)?.status).toBe('received');
		expect(day.recent.find((r) => r.ticketNo === made[2].ticketNo)?.status).toBe('transferred');
		expect(day.recent.find((r) => r.ticketNo === made[1].ticketNo)?.status).toBe('closed');
		// the title as the lists show it: the caller's own name masked
		expect(day.recent.find((r) => r.ticketNo === made[1].ticketNo)?.title).toMatch(/^张\*+反映油烟扰民$/);
		expect(day.recent.some((r) => r.ticketNo === made[0].ticketNo)).toBe(false);

		// tomorrow starts at nought
		const tomorrow = await ownIntakeDay(a, op2 as CaseUser & { id: number }, Date.now() + 86_400_000);
		expect(tomorrow.counts).toEqual({});
		expect(tomorrow.recent).toEqual([]);

		// the 受理 page's load carries it
		const data = (await intakeLoad({ locals: { user: sessionOf(people, 'op2') }, url: new URL('http://x/intake') } as never)) as { mine: typeof day };
		expect(data.mine.counts.receive).toBe(6);
		expect(data.mine.recent).toHaveLength(OWN_RECENT);
	});
});
