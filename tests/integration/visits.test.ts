// 回访未接通: return visits that reach nobody are recorded on the ticket (how many, when, what they met), the 回访
// queue sorts and splits by them, and after VISIT_ATTEMPTS of them — or a refusal, or a wrong number — the ticket
// waits for a supervisor's 办结. Over a real embedded store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { stopApp, type App } from '../../src/lib/server/app';
import { startRouteApp } from '../support/app';
import { addPeople, INTAKE, HOTLINE_STAFF } from '../support/cases';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { listQueue, ticketDetail } from '../../src/lib/server/cases/read';
import { fillVisitDeadlines, getLimits, saveLimits } from '../../src/lib/server/cases/limits';
import { auditEntries } from '../../src/lib/server/audit';
import { PUT as putLimits } from '../../src/routes/api/v1/settings/time-limits/+server';
import { ticketEvents, tickets } from '../../src/lib/server/db/schema';
import { DEFAULT_LIMITS, VISIT_ATTEMPTS } from '../../pipelines/lifecycle/model';

let a: App;
const people: Record<string, CaseUser> = {};
/** 姑苏区's government: the routing rules send 餐饮油烟 (020101) in 姑苏区 to it */
const UNIT = 'D320508';

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...HOTLINE_STAFF,
		operator2: ['operator'],
		unit: ['unit_handler', UNIT],
		admin: ['admin']
	});
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

/** A ticket dispatched, signed and replied by the unit: its number and version. */
async function replied(content = '楼下饭店油烟扰民，请处理'): Promise<{ no: string; version: number }> {
	const t = await registerTicket(a, people.operator, { ...INTAKE, category_code: '020101', district_code: '320508', content }, { decision: { action: 'accept' } });
	const d = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT });
	const s = await actOnTicket(a, people.unit, t.ticketNo, { action: 'sign', version: d.version });
	const r = await actOnTicket(a, people.unit, t.ticketNo, { action: 'reply', version: s.version, note: '已约谈店主，加装净化器' });
	return { no: t.ticketNo, version: r.version };
}

const failed = (who: string, no: string, outcome: string, note = '') => actOnTicket(a, people[who], no, { action: 'visit_failed', outcome, note });
const tabOf = async (tab: string) => (await listQueue(a, people.operator, { queue: 'visits', tab })).items.map((x) => x.ticketNo);

describe('回访未接通', () => {
	it('is counted on the ticket without a new version, in its timeline, and moves it from 未回访 to 未接通待重拨', async () => {
		const t = await replied();
		expect(await tabOf('todo')).toContain(t.no);
		expect((await ticketDetail(a, people.operator, t.no)).actions.map((x) => x.action)).toEqual(expect.arrayContaining(['visit', 'visit_failed']));

		const row = await failed('operator', t.no, '无人接听', '上午十点拨打');
		expect(row).toMatchObject({ status: 'replied', version: t.version, visitAttempts: 1, visitFailure: '无人接听' });
		const [e] = await a.rel.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, row.id)).orderBy(ticketEvents.id).then((es) => es.slice(-1));
		expect(e).toMatchObject({ action: 'visit_failed', fromStatus: 'replied', toStatus: 'replied', note: '第 1 次回访未接通（无人接听）：上午十点拨打', data: { outcome: '无人接听', attempt: 1 } });

		expect(await tabOf('todo')).not.toContain(t.no);
		expect(await tabOf('retry')).toContain(t.no);
		expect(await tabOf('unreached')).not.toContain(t.no);
		const d = await ticketDetail(a, people.operator, t.no);
		expect(d.visitAttempts).toEqual({ count: 1, lastAt: row.visitAttemptedAt!.toISOString(), lastFailure: '无人接听', final: false });
		expect(d.timeline.at(-1)).toMatchObject({ action: 'visit_failed', label: '回访未接通' });

		// a colleague who reaches the caller meanwhile, with the version read before the attempt, records the visit
		const done = await actOnTicket(a, people.operator2, t.no, { action: 'visit', version: t.version, satisfaction: '满意' });
		expect(done).toMatchObject({ status: 'closed', satisfaction: '满意' });
		expect(await tabOf('retry')).not.toContain(t.no);
		// and a late attempt on the closed ticket is refused as such
		await expect(failed('operator', t.no, '无人接听')).rejects.toMatchObject({ code: 'invalid_state' });
	});

	it(`after ${VISIT_ATTEMPTS} attempts, or at once on a refusal or a wrong number, the ticket is 回访未果 and a supervisor closes it without a satisfaction`, async () => {
		const t = await replied();
		for (let i = 1; i < VISIT_ATTEMPTS; i++) await failed('operator', t.no, i % 2 ? '无人接听' : '关机或停机');
		expect((await ticketDetail(a, people.operator, t.no)).visitAttempts?.final).toBe(false);
		expect(await tabOf('retry')).toContain(t.no);
		await failed('operator', t.no, '无人接听');
		const d = await ticketDetail(a, people.supervisor, t.no);
		expect(d.visitAttempts).toMatchObject({ count: VISIT_ATTEMPTS, final: true });
		expect(await tabOf('retry')).not.toContain(t.no);
		expect(await tabOf('unreached')).toContain(t.no);
		expect(await tabOf('all')).toContain(t.no);

		const refused = await replied('小区门口垃圾堆放多日无人清理');
		await failed('operator', refused.no, '拒绝回访');
		const wrong = await replied('路灯坏了好几天');
		await failed('operator', wrong.no, '号码有误');
		expect(await tabOf('unreached')).toEqual(expect.arrayContaining([refused.no, wrong.no]));

		const closed = await actOnTicket(a, people.supervisor, t.no, { action: 'close', version: d.version, note: `${VISIT_ATTEMPTS} 次回访均未接通` });
		expect(closed).toMatchObject({ status: 'closed', satisfaction: null });
		expect(await tabOf('unreached')).not.toContain(t.no);
	});

	it('a new reply (after an unsatisfied visit sent the ticket back) starts its visits again', async () => {
		const t = await replied();
		await failed('operator', t.no, '无人接听');
		const v = await actOnTicket(a, people.operator, t.no, { action: 'visit', version: t.version, satisfaction: '不满意', reopen: true, note: '油烟仍未解决' });
		expect(v.status).toBe('reopened');
		const d = await actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: v.version, unit_code: UNIT });
		const s = await actOnTicket(a, people.unit, t.no, { action: 'sign', version: d.version });
		const r = await actOnTicket(a, people.unit, t.no, { action: 'reply', version: s.version, note: '已责令停业整改' });
		expect(r).toMatchObject({ status: 'replied', visitAttempts: 0, visitAttemptedAt: null, visitFailure: null });
		expect(await tabOf('todo')).toContain(t.no);
		expect((await ticketDetail(a, people.operator, t.no)).visitAttempts).toBeNull();
	});

	it('the queue puts the tickets not tried yet, and the longest untried, first', async () => {
		const first = await replied('噪音扰民一');
		const second = await replied('噪音扰民二');
		const third = await replied('噪音扰民三');
		// replied in this order; the first is tried now, so it goes after the two not tried
		await failed('operator', first.no, '无人接听');
		const all = await tabOf('all');
		const pos = (no: string) => all.indexOf(no);
		expect(pos(second.no)).toBeGreaterThanOrEqual(0);
		expect(pos(second.no)).toBeLessThan(pos(third.no));
		expect(pos(third.no)).toBeLessThan(pos(first.no));
	});

	it('refuses an attempt without what it met, by a unit, or before the reply, naming the field', async () => {
		const t = await replied();
		await expect(actOnTicket(a, people.operator, t.no, { action: 'visit_failed' })).rejects.toMatchObject({
			code: 'invalid_input',
			field: 'outcome',
			message: '请选择未接通的情况（无人接听、关机或停机、拒绝回访、号码有误）'
		});
		await expect(failed('operator', t.no, '忙音')).rejects.toMatchObject({ code: 'invalid_input', field: 'outcome' });
		await expect(failed('unit', t.no, '无人接听')).rejects.toMatchObject({ code: 'forbidden' });
		await expect(failed('dispatcher', t.no, '无人接听')).rejects.toMatchObject({ code: 'forbidden' });
		const [row] = await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, t.no));
		expect(row.visitAttempts).toBe(0);
	});
});

describe('回访时限', () => {
	const rowOf = async (no: string) => (await a.rel.db.select().from(tickets).where(eq(tickets.ticketNo, no)))[0];
	const itemAt = async (no: string, now: number, tab = 'all') =>
		(await listQueue(a, people.operator, { queue: 'visits', tab, q: no, now })).items.find((x) => x.ticketNo === no);

	it('runs from the reply over working days, lights yellow and red in the 回访 queue, and lists the late ones', async () => {
		const t = await replied('小区门口垃圾桶满溢');
		const row = await rowOf(t.no);
		const limits = await getLimits(a.rel.db);
		const deadline = a.calendar.addWorkingDays(row.repliedAt!.getTime(), limits.visitWorkingDays);
		expect(row.visitDeadline!.getTime()).toBe(deadline);

		const fresh = await itemAt(t.no, row.repliedAt!.getTime() + 60_000);
		expect(fresh).toMatchObject({ deadline: new Date(deadline).toISOString(), deadlineKind: 'visit', light: 'green' });
		// a minute before the deadline, the end of a working day: nearly all of the working time is used
		expect((await itemAt(t.no, deadline - 60_000))?.light).toBe('yellow');
		expect((await itemAt(t.no, deadline + 60_000))?.light).toBe('red');
		expect(await itemAt(t.no, deadline - 60_000, 'overdue')).toBeUndefined();
		expect(await itemAt(t.no, deadline + 60_000, 'overdue')).toBeDefined();
		// a weekend or a holiday uses none of it: the working clock stands still
		const clock = a.calendar.workingClock.bind(a.calendar);
		const used = (now: number) => (clock(now) - clock(row.repliedAt!.getTime())) / (clock(deadline) - clock(row.repliedAt!.getTime()));
		for (let now = row.repliedAt!.getTime() + 3_600_000; now < deadline; now += 3_600_000)
			expect((await itemAt(t.no, now))?.light).toBe(used(now) >= limits.yellowAt ? 'yellow' : 'green');

		// on the ticket, for those who visit; not to the unit, whose limits were met
		const d = await ticketDetail(a, people.operator, t.no);
		expect(d).toMatchObject({ deadlineKind: 'visit', deadline: new Date(deadline).toISOString() });
		const mine = await listQueue(a, people.unit, { queue: 'mine', tab: 'replied', q: t.no });
		expect(mine.items.find((x) => x.ticketNo === t.no)).toMatchObject({ deadline: null, deadlineKind: null, light: null });
		expect(await ticketDetail(a, people.unit, t.no)).toMatchObject({ deadline: null, deadlineKind: null });
	});

	it('ends with a reopening, and the next reply has its own', async () => {
		const t = await replied('路灯不亮');
		const v = await actOnTicket(a, people.operator, t.no, { action: 'visit', version: t.version, satisfaction: '不满意', reopen: true });
		expect(v).toMatchObject({ status: 'reopened', visitDeadline: null });
		const d = await actOnTicket(a, people.dispatcher, t.no, { action: 'dispatch', version: v.version, unit_code: UNIT });
		const s = await actOnTicket(a, people.unit, t.no, { action: 'sign', version: d.version });
		const r = await actOnTicket(a, people.unit, t.no, { action: 'reply', version: s.version, note: '已更换灯具' });
		expect(r.visitDeadline!.getTime()).toBe(a.calendar.addWorkingDays(r.repliedAt!.getTime(), DEFAULT_LIMITS.visitWorkingDays));
	});

	it('is set in 设置 › 办理时限 for the replies after, kept by a client that does not send it, and refused out of 1–30', async () => {
		try {
			await saveLimits(a.rel.db, { ...DEFAULT_LIMITS, visitWorkingDays: 5 }, 'chief');
			expect((await auditEntries(a.rel.db, { area: 'limits' })).entries[0]).toMatchObject({ message: '办理时限：chief 修改回访时限（工作日） 3 → 5' });
			const t = await replied('公园健身器材损坏');
			const row = await rowOf(t.no);
			expect(row.visitDeadline!.getTime()).toBe(a.calendar.addWorkingDays(row.repliedAt!.getTime(), 5));
			// an API client that knew the limits before the visit's: its object keeps the limit in force
			const { visitWorkingDays: _, ...older } = { ...DEFAULT_LIMITS, yellowAt: 0.8 };
			const res = await putLimits({ locals: { user: { ...people.admin, unitName: null } }, request: new Request('http://x/api/v1/settings/time-limits', { method: 'PUT', body: JSON.stringify(older) }) } as never);
			expect(res.status).toBe(200);
			expect(await getLimits(a.rel.db)).toMatchObject({ visitWorkingDays: 5, yellowAt: 0.8 });
			for (const bad of [0, 31, 2.5])
				await expect(saveLimits(a.rel.db, { ...DEFAULT_LIMITS, visitWorkingDays: bad })).rejects.toMatchObject({
					code: 'invalid_input',
					field: 'visitWorkingDays',
					message: '回访时限（工作日）应为 1–30 之间的整数'
				});
		} finally {
			await saveLimits(a.rel.db, DEFAULT_LIMITS);
		}
	});

	it('is given at start to the replied tickets that have none (replied before it existed, the demo)', async () => {
		const t = await replied('共享单车乱停放');
		const row = await rowOf(t.no);
		await a.rel.db.update(tickets).set({ visitDeadline: null }).where(eq(tickets.id, row.id));
		expect(await fillVisitDeadlines(a.rel.db, a.calendar)).toBeGreaterThanOrEqual(1);
		expect((await rowOf(t.no)).visitDeadline).toEqual(row.visitDeadline);
		expect(await fillVisitDeadlines(a.rel.db, a.calendar)).toBe(0);
	});
});
