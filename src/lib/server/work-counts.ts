// The work waiting on each screen of the navigation, as a number beside its name: 受理 the web and app submissions to
// screen, 派单 the tickets to dispatch, 我的工单 a unit's open tickets, 督办 the overdue ones, 回访 the callers to visit
// back, 预警 the alerts nobody has acknowledged yet. Only for the screens the user sees; in one statement over the
// tickets (countTickets over the queues' own tab conditions, so the number is the tab's count on the screen) and one
// over the alerts.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { NavItem, Role } from '$lib/types';
import type { App } from './app';
import { alerts } from './db/schema';
import { getLimits } from './cases/limits';
import { countTickets, queueTabs, type Queue } from './cases/read';

export interface WorkCount {
	count: number;
	/** what the number counts, as the link's title and accessible name say it: 待派 12 件 */
	label: string;
}

/** Each screen's queue tab whose count the navigation shows, and what it is called there. */
const QUEUE_COUNTS: Record<string, { queue: Queue; tab: string; label: string }> = {
	'/intake': { queue: 'intake', tab: 'all', label: '待受理' },
	'/dispatch': { queue: 'dispatch', tab: 'all', label: '待派' },
	'/my-tickets': { queue: 'mine', tab: 'todo', label: '待办' },
	'/supervise': { queue: 'supervise', tab: 'red', label: '超期' },
	'/visits': { queue: 'visits', tab: 'all', label: '待回访' }
};

/**
 * The counts of the nav items that have one (at least one piece of work waiting; a screen with none has no entry), by
 * href. A failure is logged and gives no counts: the navigation never fails for its numbers.
 */
export async function workCounts(app: App, user: { role: Role; unitCode: string | null }, nav: readonly NavItem[], now = Date.now()): Promise<Record<string, WorkCount>> {
	try {
		const hrefs = new Set(nav.map((n) => n.href));
		const out: Record<string, WorkCount> = {};
		const wanted = Object.entries(QUEUE_COUNTS).filter(([href]) => hrefs.has(href));
		const reads: Promise<void>[] = [];
		if (wanted.length)
			reads.push(
				(async () => {
					const tabs = queueTabs(app, user, await getLimits(app.rel.db), now);
					const row = await countTickets(app.rel.db, Object.fromEntries(wanted.map(([href, w]) => [href, tabs[w.queue][w.tab]])));
					for (const [href, w] of wanted) if (row[href] > 0) out[href] = { count: row[href], label: `${w.label} ${row[href]} 件` };
				})()
			);
		if (hrefs.has('/alerts'))
			reads.push(
				(async () => {
					// as the overview counts them: a silenced alert waits for nobody
					const [r] = await app.rel.db
						.select({ n: sql<number>`count(*)::int` })
						.from(alerts)
						.where(and(eq(alerts.status, 'new'), isNull(alerts.silencedBy)));
					if (r.n > 0) out['/alerts'] = { count: r.n, label: `待确认 ${r.n} 条` };
				})()
			);
		await Promise.all(reads);
		return out;
	} catch (e) {
		console.error('[minqing] 导航待办数未能读取：', e instanceof Error ? e.message : e);
		return {};
	}
}
