// 工作量: what the hotline's own staff did in a period — the operators' screening (登记, 受理, 直接答复 …), the
// dispatchers' dispatching, the supervisors' urging and return visits — counted from the tickets' timelines by who
// acted. The undertaking units' work is assessed apart (考核, assessment.ts).
import { sql } from 'drizzle-orm';
import { addDays, shanghaiMidnight } from '$pipelines/calendar/index';
import type { Role, StaffWorkload, StaffWorkRow } from '$lib/types';
import { STAFF_ACTIONS } from '$lib/workload';
import type { App } from '../app';
import { SCREEN_ACTIONS } from './machine';

/**
 * The staff's steps from day `from` to day `to` (Asia/Shanghai, both included) by the account that took them (shown
 * with its name and role now). A step without an account is nobody's work here: the system's (系统), a feed's import
 * (数据接入（…）), an Open311 client's submission, the demo's generated history. The units' accounts take none of
 * these steps (machine.ts): theirs are the units' own (考核).
 */
export async function staffWorkload(app: App, from: string, to: string): Promise<StaffWorkload> {
	const actions = STAFF_ACTIONS.map((a) => a.action);
	const r = (await app.rel.db.execute(sql`
		SELECT u.id AS uid, u.display_name AS name, u.role AS role, e.action AS action, count(*)::int AS n
		FROM ticket_events e JOIN users u ON u.id = e.actor_user_id
		WHERE e.at >= ${new Date(shanghaiMidnight(from)).toISOString()}::timestamptz AND e.at < ${new Date(shanghaiMidnight(addDays(to, 1))).toISOString()}::timestamptz
			AND e.action IN (${sql.join(
				actions.map((a) => sql`${a}`),
				sql`, `
			)})
		GROUP BY 1, 2, 3, 4`)) as unknown as { rows: { uid: number; name: string; role: Role; action: string; n: number }[] };
	const byKey = new Map<string, StaffWorkRow>();
	for (const x of r.rows) {
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

/** 直办率: the calls answered directly (直接答复) of those the member screened (SCREEN_ACTIONS); null with none screened. */
function directRate(counts: Record<string, number>): number | null {
	const screened = SCREEN_ACTIONS.reduce((s, a) => s + (counts[a] ?? 0), 0);
	return screened ? (counts.answer ?? 0) / screened : null;
}
