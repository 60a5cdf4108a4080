// When the holiday calendar changes (chinese-days updated, or data/reference/holidays-extra.json edited, typically
// when the State Council publishes next year's schedule), the time limits of the tickets still at a unit, and the
// return visits' of the replied tickets, follow it:
// a limit is a number of working days, so a step not done yet gets its deadline counted anew on the new calendar,
// from the same dispatch and over the same number of working days the old calendar gave it. Steps already done keep
// their deadlines (the assessment judged them against those). Each moved ticket gets a `recount` event (时限重算)
// with the new deadlines, which its handling round takes too. The calendar's working days around today are kept in
// `settings` to compare with at the next start.
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { addDays, dayNumber, dayNumberAt, shanghaiDay, type WorkCalendar } from '$pipelines/calendar/index';
import { AT_UNIT } from '$pipelines/lifecycle/model';
import { formatDeadline } from '$lib/charts/format';
import type { Db } from '../db';
import { settings, ticketEvents, tickets, type TicketRow } from '../db/schema';
import { workClocks } from './limits';

const KEY = 'calendar_workdays';
/** Days remembered before today (an open ticket's dispatch) and after it (its deadlines: up to 60 working days and extensions). */
const DAYS_BACK = 400;
const DAYS_AHEAD = 800;

/** The calendar's working days from `from` on, '1' a working day and '0' not. */
interface Snapshot {
	from: string;
	flags: string;
}

export interface CalendarChange {
	/** days whose working-day status changed, within the remembered window */
	days: string[];
	/** tickets whose deadlines moved */
	tickets: number;
}

/**
 * Compares the calendar with the one remembered at the last start and, when days changed, recounts the open deadlines
 * of the tickets at a unit and their working clocks (`WorkCalendar.workingClock`, which every light reads), in one
 * transaction, with a 时限重算 event in each moved ticket's timeline. Then remembers this calendar.
 */
export async function followCalendar(db: Db, cal: WorkCalendar, now = Date.now()): Promise<CalendarChange> {
	const today = dayNumberAt(now);
	const snapshot: Snapshot = { from: shanghaiDay(now - DAYS_BACK * 86_400_000), flags: cal.workdayFlags(today - DAYS_BACK, today + DAYS_AHEAD) };
	return db.transaction(async (txx) => {
		const tx = txx as unknown as Db;
		const [row] = await tx.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY)).for('update');
		const was = row?.value as Snapshot | undefined;
		const change: CalendarChange = { days: was ? changedDays(was, cal) : [], tickets: 0 };
		if (change.days.length) change.tickets = await recount(tx, cal, was!, change.days, now);
		await tx
			.insert(settings)
			.values({ key: KEY, value: snapshot, updatedAt: new Date(now) })
			.onConflictDoUpdate({ target: settings.key, set: { value: snapshot, updatedAt: new Date(now) } });
		return change;
	});
}

function changedDays(was: Snapshot, cal: WorkCalendar): string[] {
	const from = dayNumber(was.from);
	const now = cal.workdayFlags(from, from + was.flags.length - 1);
	const out: string[] = [];
	for (let i = 0; i < now.length; i++) if (now[i] !== was.flags[i]) out.push(addDays(was.from, i));
	return out;
}

/** Whether day number `d` was a working day on the remembered calendar (outside its window: as now). */
function wasWorkday(was: Snapshot, cal: WorkCalendar, d: number): boolean {
	const i = d - dayNumber(was.from);
	return i >= 0 && i < was.flags.length ? was.flags[i] === '1' : cal.isWorkdayNumber(d);
}

/**
 * A deadline counted anew: the remembered calendar's working days from the dispatch day (excluded) to the deadline's
 * day (the deadline is that day's end) are counted on the new one from the same dispatch.
 */
function recounted(was: Snapshot, cal: WorkCalendar, dispatched: number, deadline: number): number {
	const last = dayNumberAt(deadline - 1);
	let n = 0;
	for (let d = dayNumberAt(dispatched) + 1; d <= last; d++) if (wasWorkday(was, cal, d)) n++;
	return cal.addWorkingDays(dispatched, n);
}

async function recount(tx: Db, cal: WorkCalendar, was: Snapshot, days: string[], now: number): Promise<number> {
	// locked: an action on one of them meanwhile waits, and its version check then sees this change
	const open = await tx
		.select()
		.from(tickets)
		.where(and(inArray(tickets.status, [...AT_UNIT]), isNotNull(tickets.dispatchedAt)))
		.for('update');
	const what = days.length > 3 ? `${days.slice(0, 3).join('、')} 等 ${days.length} 天` : days.join('、');
	let moved = 0;
	for (const t of open) {
		const dispatched = t.dispatchedAt!.getTime();
		// an urgent ticket's sign-for limit is in hours, not working days
		const sign = t.signDeadline && !t.signedAt && t.urgency !== 'urgent' ? recounted(was, cal, dispatched, t.signDeadline.getTime()) : null;
		const reply = t.replyDeadline && !t.repliedAt ? recounted(was, cal, dispatched, t.replyDeadline.getTime()) : null;
		const signDeadline = sign !== null && sign !== t.signDeadline!.getTime() ? new Date(sign) : t.signDeadline;
		const replyDeadline = reply !== null && reply !== t.replyDeadline!.getTime() ? new Date(reply) : t.replyDeadline;
		const notes: string[] = [];
		// as the screens show a deadline: one that ends at midnight is the end of its last day (2026-10-08 24:00)
		if (signDeadline !== t.signDeadline) notes.push(`签收时限 ${formatDeadline(t.signDeadline!.toISOString())} → ${formatDeadline(signDeadline!.toISOString())}`);
		if (replyDeadline !== t.replyDeadline) notes.push(`办理时限 ${formatDeadline(t.replyDeadline!.toISOString())} → ${formatDeadline(replyDeadline!.toISOString())}`);
		const clocks = workClocks(cal, { dispatchedAt: t.dispatchedAt, signDeadline, replyDeadline });
		if (!notes.length && clocks.dispatchedWork === t.dispatchedWork && clocks.signDeadlineWork === t.signDeadlineWork && clocks.replyDeadlineWork === t.replyDeadlineWork)
			continue;
		const at = new Date(now);
		// the clocks alone (a changed day before the dispatch shifts them all) change nothing a person sees: no new version
		const version = notes.length ? t.version + 1 : t.version;
		await tx
			.update(tickets)
			.set({ signDeadline, replyDeadline, ...clocks, version, ...(notes.length ? { updatedAt: at } : {}) })
			.where(eq(tickets.id, t.id));
		if (!notes.length) continue;
		moved++;
		// with the new deadlines, which the ticket's handling round takes (pipelines/lifecycle/rounds.ts)
		await recountEvent(tx, t, what, notes, at, {
			...(signDeadline !== t.signDeadline ? { signDeadline: signDeadline!.getTime() } : {}),
			...(replyDeadline !== t.replyDeadline ? { replyDeadline: replyDeadline!.getTime() } : {})
		});
	}
	return moved + (await recountVisits(tx, cal, was, what, now));
}

/** A moved ticket's 时限重算 event: what changed on the calendar, the deadlines before and after, the new ones as data. */
async function recountEvent(tx: Db, t: TicketRow, what: string, notes: string[], at: Date, data: Record<string, number>): Promise<void> {
	await tx.insert(ticketEvents).values({
		ticketId: t.id,
		action: 'recount',
		fromStatus: t.status,
		toStatus: t.status,
		actorName: '系统',
		unitCode: t.unitCode,
		note: `节假日安排更新（${what}的工作日安排有变），按新安排重算：${notes.join('；')}`,
		data,
		at
	});
}

/** The return visits' deadlines of the replied tickets, counted anew from their replies as `recount` counts a unit's. */
async function recountVisits(tx: Db, cal: WorkCalendar, was: Snapshot, what: string, now: number): Promise<number> {
	const waiting = await tx
		.select()
		.from(tickets)
		.where(and(eq(tickets.status, 'replied'), isNotNull(tickets.repliedAt), isNotNull(tickets.visitDeadline)))
		.for('update');
	let moved = 0;
	for (const t of waiting) {
		const visitDeadline = recounted(was, cal, t.repliedAt!.getTime(), t.visitDeadline!.getTime());
		if (visitDeadline === t.visitDeadline!.getTime()) continue;
		const at = new Date(now);
		await tx
			.update(tickets)
			.set({ visitDeadline: new Date(visitDeadline), version: t.version + 1, updatedAt: at })
			.where(eq(tickets.id, t.id));
		moved++;
		await recountEvent(tx, t, what, [`回访时限 ${formatDeadline(t.visitDeadline!.toISOString())} → ${formatDeadline(new Date(visitDeadline).toISOString())}`], at, { visitDeadline });
	}
	return moved;
}
