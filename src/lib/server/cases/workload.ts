// 工作量: what the hotline's own staff did in a period — the operators' screening (登记, 受理, 直接答复 …), the
// dispatchers' dispatching, the supervisors' urging and return visits — counted from the tickets' timelines by who
// acted. The undertaking units' work is assessed apart (考核, assessment.ts).
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import { addDays, shanghaiDay, shanghaiMidnight } from '$pipelines/calendar/index';
import type { Status } from '$pipelines/lifecycle/model';
import type { OwnIntakeDay, Role, StaffWorkload, StaffWorkRow } from '$lib/types';
import { STAFF_ACTIONS } from '$lib/workload';
import type { App } from '../app';
import { ticketEvents, tickets } from '../db/schema';
import { SCREEN_ACTIONS } from './machine';
import { callerFor, shownTitle, type CaseUser } from './service';

/**
 * The staff's steps from day `from` to day `to` (Asia/Shanghai, both included) by the account that took them (shown
 * with its name and role now). A step without an account is nobody's work here: the system's (系统), a feed's import
 * (数据接入（…）), an Open311 client's submission, the demo's generated history. The units' accounts take none of
 * these steps (machine.ts): theirs are the units' own (考核).
 */
export async function staffWorkload(app: App, from: string, to: string): Promise<StaffWorkload> {
	const byKey = new Map<string, StaffWorkRow>();
	for (const x of await stepCounts(app, from, to)) {
		const key = `u${x.uid}`;
		let row = byKey.get(key);
		if (!row) byKey.set(key, (row = { key, name: x.name, role: x.role, counts: {}, total: 0, directRate: null }));
		row.counts[x.action] = (row.counts[x.action] ?? 0) + x.n;
		row.total += x.n;
	}
	for (const row of byKey.values()) row.directRate = directRate(row.counts);
	const rows = [...byKey.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name, 'zh'));
	return { from, to, rows };
}

/** The counted steps from day `from` to day `to` by account and action; only those of account `userId` when given. */
async function stepCounts(app: App, from: string, to: string, userId?: number) {
	const actions = STAFF_ACTIONS.map((a) => a.action);
	const r = (await app.rel.db.execute(sql`
		SELECT u.id AS uid, u.display_name AS name, u.role AS role, e.action AS action, count(*)::int AS n
		FROM ticket_events e JOIN users u ON u.id = e.actor_user_id
		WHERE ${periodOf(from, to)} ${userId === undefined ? sql`` : sql`AND e.actor_user_id = ${userId}`}
			AND e.action IN (${sql.join(
				actions.map((a) => sql`${a}`),
				sql`, `
			)})
		GROUP BY 1, 2, 3, 4`)) as unknown as { rows: { uid: number; name: string; role: Role; action: string; n: number }[] };
	return r.rows;
}

/** Events `e` at the Shanghai days `from` to `to`, both included. */
const periodOf = (from: string, to: string) =>
	sql`e.at >= ${new Date(shanghaiMidnight(from)).toISOString()}::timestamptz AND e.at < ${new Date(shanghaiMidnight(addDays(to, 1))).toISOString()}::timestamptz`;

/** How many calls of the day 受理 lists as the account's last registrations. */
export const OWN_RECENT = 5;

/**
 * 受理's own tally: what the operator at the seat did today (Asia/Shanghai) — the 话务受理 steps of their account,
 * 直办率 — and the calls they registered last, newest first, with each ticket's state now (a caller who rings back
 * for the number is found here). The titles are shown as the lists show them to this account.
 */
export async function ownIntakeDay(app: App, user: CaseUser & { id: number }, now = Date.now()): Promise<OwnIntakeDay> {
	const day = shanghaiDay(now);
	const counts: Record<string, number> = {};
	for (const x of await stepCounts(app, day, day, user.id)) counts[x.action] = x.n;
	const recent = await app.rel.db
		.select({ ticketNo: tickets.ticketNo, title: tickets.title, content: tickets.content, status: tickets.status, unitCode: tickets.unitCode, callerName: tickets.callerName, callerPhone: tickets.callerPhone, at: ticketEvents.at })
		.from(ticketEvents)
		.innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
		.where(and(eq(ticketEvents.actorUserId, user.id), eq(ticketEvents.action, 'receive'), gte(ticketEvents.at, new Date(shanghaiMidnight(day)))))
		.orderBy(desc(ticketEvents.at), desc(ticketEvents.id))
		.limit(OWN_RECENT);
	return {
		day,
		counts,
		directRate: directRate(counts),
		recent: recent.map((t) => ({
			ticketNo: t.ticketNo,
			title: shownTitle(t, callerFor(user, t, false).hide),
			status: t.status as Status,
			at: t.at.toISOString()
		}))
	};
}

/** 直办率: the calls answered directly (直接答复) of those the member screened (SCREEN_ACTIONS); null with none screened. */
export function directRate(counts: Record<string, number>): number | null {
	const screened = SCREEN_ACTIONS.reduce((s, a) => s + (counts[a] ?? 0), 0);
	return screened ? (counts.answer ?? 0) / screened : null;
}
