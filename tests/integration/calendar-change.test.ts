// A changed holiday calendar moves the deadlines of the steps still to be done, counted anew over the same working days.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { loadConfig } from '../../src/lib/server/config';
import { ticketEvents, tickets, type TicketRow } from '../../src/lib/server/db/schema';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { followCalendar } from '../../src/lib/server/cases/calendar-change';
import { getLimits } from '../../src/lib/server/cases/limits';
import { dayNumberAt, defaultCalendar, shanghaiDay } from '../../pipelines/calendar/index';
import { addPeople } from '../support/cases';
import { formatDeadline } from '../../src/lib/charts/format';

let a: App;
let dir: string;
const UNIT = 'D320508';
const people: Record<string, CaseUser> = {};

beforeAll(async () => {
	a = await startMemoryApp();
	dir = mkdtempSync(join(tmpdir(), 'minqing-cal-'));
	await addPeople(a, people, { operator: ['operator'], dispatcher: ['dispatcher'], unit: ['unit_handler', UNIT] });
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
	if (dir) rmSync(dir, { recursive: true, force: true });
});

async function dispatched(urgency: 'normal' | 'urgent', sign = false): Promise<TicketRow> {
	const t = await registerTicket(
		a,
		people.operator,
		{ channel: 'phone', type: '投诉', title: '噪音扰民', content: '夜间施工噪音很大', address: '姑苏区平江路1号', district_code: '320508', urgency },
		{ decision: { action: 'accept' } }
	);
	let r = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', unit_code: UNIT, version: t.version });
	if (sign) r = await actOnTicket(a, people.unit, t.ticketNo, { action: 'sign', version: r.version });
	return r;
}

const reread = async (t: TicketRow) => (await a.rel.db.select().from(tickets).where(eq(tickets.id, t.id)))[0];

describe('a changed holiday calendar', () => {
	it('moves the deadlines not yet met by the working days that changed, notes it in the timeline, and only once', async () => {
		expect(await followCalendar(a.rel.db, a.calendar)).toEqual({ days: [], tickets: 0 }); // as at the start
		const open = await dispatched('normal');
		const signed = await dispatched('normal', true);
		const urgent = await dispatched('urgent');
		const limits = await getLimits(a.rel.db);
		// the first working day after the dispatch becomes a holiday: the day the sign-for limit ended
		const day = shanghaiDay(open.signDeadline!.getTime() - 1);
		const file = join(dir, 'holidays.json');
		writeFileSync(file, JSON.stringify({ holidays: { [day]: 'Test Day,测试假日,1' }, workdays: {} }));
		const changed = defaultCalendar(file);
		expect(changed.isWorkday(day)).toBe(false);

		const r = await followCalendar(a.rel.db, changed);
		expect(r).toEqual({ days: [day], tickets: 3 });
		const [o, s, u] = [await reread(open), await reread(signed), await reread(urgent)];
		const from = open.dispatchedAt!.getTime();
		expect(o.signDeadline!.getTime()).toBe(changed.addWorkingDays(from, limits.signWorkingDays));
		expect(o.signDeadline!.getTime()).toBeGreaterThan(open.signDeadline!.getTime());
		expect(o.replyDeadline!.getTime()).toBe(changed.addWorkingDays(from, limits.replyWorkingDays['投诉']));
		expect(o.replyDeadline!.getTime()).toBeGreaterThan(open.replyDeadline!.getTime());
		expect(o.signDeadlineWork).toBe(changed.workingClock(o.signDeadline!.getTime()));
		expect(o.replyDeadlineWork).toBe(changed.workingClock(o.replyDeadline!.getTime()));
		expect(o.dispatchedWork).toBe(changed.workingClock(from));
		expect(o.version).toBe(open.version + 1);
		// a step done keeps the deadline it was judged by; an urgent sign-for limit is in hours
		expect(s.signDeadline).toEqual(signed.signDeadline);
		expect(s.replyDeadline!.getTime()).toBeGreaterThan(signed.replyDeadline!.getTime());
		expect(u.signDeadline).toEqual(urgent.signDeadline);
		expect(dayNumberAt(u.replyDeadline!.getTime() - 1)).toBeGreaterThan(dayNumberAt(urgent.replyDeadline!.getTime() - 1));
		const [note] = await a.rel.db
			.select()
			.from(ticketEvents)
			.where(and(eq(ticketEvents.ticketId, open.id), eq(ticketEvents.actorName, '系统')));
		expect(note).toMatchObject({ action: 'recount', data: { signDeadline: o.signDeadline!.getTime(), replyDeadline: o.replyDeadline!.getTime() } });
		expect(note.note).toContain(day);
		// the deadlines as the screens show them: a limit ends at the end of its last day (24:00), not 00:00 of the next
		expect(note.note).toContain(`签收时限 ${formatDeadline(open.signDeadline!.toISOString())} → ${formatDeadline(o.signDeadline!.toISOString())}`);
		expect(note.note).toContain(`办理时限 ${formatDeadline(open.replyDeadline!.toISOString())} → ${formatDeadline(o.replyDeadline!.toISOString())}`);
		expect(note.note).toMatch(/ 24:00 → /);
		expect(note.note).not.toContain(' 00:00');

		expect(await followCalendar(a.rel.db, changed)).toEqual({ days: [], tickets: 0 });
		// and back: the deadlines the old calendar gave
		expect(await followCalendar(a.rel.db, a.calendar)).toEqual({ days: [day], tickets: 3 });
		const back = await reread(open);
		expect(back.signDeadline).toEqual(open.signDeadline);
		expect(back.replyDeadline).toEqual(open.replyDeadline);
	});
});

describe('a changed holiday calendar and the return visits', () => {
	it("moves a replied ticket's visit deadline, counted anew from the reply, with a 时限重算 in its timeline", async () => {
		const t = await dispatched('normal', true);
		const r = await actOnTicket(a, people.unit, t.ticketNo, { action: 'reply', version: t.version, note: '已协调施工单位调整作业时间' });
		const limits = await getLimits(a.rel.db);
		expect(r.visitDeadline!.getTime()).toBe(a.calendar.addWorkingDays(r.repliedAt!.getTime(), limits.visitWorkingDays));
		// the first working day after the reply becomes a holiday
		let day = shanghaiDay(r.repliedAt!.getTime() + 86_400_000);
		while (!a.calendar.isWorkday(day)) day = shanghaiDay(Date.parse(`${day}T12:00:00+08:00`) + 86_400_000);
		const file = join(dir, 'holidays-visit.json');
		writeFileSync(file, JSON.stringify({ holidays: { [day]: 'Test Day,测试假日,1' }, workdays: {} }));
		const changed = defaultCalendar(file);

		const moved = await followCalendar(a.rel.db, changed);
		expect(moved.days).toEqual([day]);
		const v = await reread(r);
		expect(v.visitDeadline!.getTime()).toBe(changed.addWorkingDays(r.repliedAt!.getTime(), limits.visitWorkingDays));
		expect(v.visitDeadline!.getTime()).toBeGreaterThan(r.visitDeadline!.getTime());
		expect(v.version).toBe(r.version + 1);
		// the unit's own limits were met: they stay
		expect(v.replyDeadline).toEqual(r.replyDeadline);
		const [note] = await a.rel.db
			.select()
			.from(ticketEvents)
			.where(and(eq(ticketEvents.ticketId, r.id), eq(ticketEvents.action, 'recount')));
		expect(note).toMatchObject({ actorName: '系统', data: { visitDeadline: v.visitDeadline!.getTime() } });
		expect(note.note).toContain(`回访时限 ${formatDeadline(r.visitDeadline!.toISOString())} → ${formatDeadline(v.visitDeadline!.toISOString())}`);

		expect(await followCalendar(a.rel.db, a.calendar)).toMatchObject({ days: [day] });
		expect((await reread(r)).visitDeadline).toEqual(r.visitDeadline);
	});
});

describe('a bad holiday file', () => {
	it('is not used, and the start says so with the file, the key and what is wrong', async () => {
		// the reference data as shipped, but for the holiday file
		const data = join(loadConfig({}).root, 'data');
		const ref = join(dir, 'data');
		mkdirSync(join(ref, 'reference'), { recursive: true });
		for (const f of readdirSync(data)) if (f !== 'reference') symlinkSync(join(data, f), join(ref, f));
		for (const f of readdirSync(join(data, 'reference'))) if (f !== 'holidays-extra.json') symlinkSync(join(data, 'reference', f), join(ref, 'reference', f));
		const file = join(ref, 'reference', 'holidays-extra.json');
		writeFileSync(file, JSON.stringify({ holidays: { '2027-2-8': 'Spring Festival,春节,4' }, workdays: {} }));
		const lines: string[] = [];
		const b = await startApp({ ...loadConfig({}), referenceDir: ref, dataDir: ':memory:', demo: false }, (m) => lines.push(m));
		try {
			expect(lines).toContain(
				`[minqing] 节假日文件 ${file} 有 1 处错误，整个文件未使用（时限按 chinese-days 的放假安排和法定节日计算，直到改正）：holidays 中的“2027-2-8”不是 YYYY-MM-DD 格式的日期（应写作 2027-02-08）。`
			);
			expect(b.calendar.refused?.path).toBe(file);
			expect(b.calendar.isWorkday('2027-02-08')).toBe(false);
		} finally {
			await stopApp(b);
		}
	});
});
