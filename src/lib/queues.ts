// The case queues' screens (派单, 我的工单, 督办, 回访, 工单查询) as they name themselves and their tabs: the pages show these, and
// a tab's Excel export (cases/queue-xlsx.ts) titles its sheet and its file with them.
type Tabs = readonly (readonly [key: string, label: string])[];

export const QUEUE_VIEWS = {
	dispatch: {
		title: '派单',
		path: '/dispatch',
		tabs: [
			['all', '全部待派'],
			['returned', '退回/收回'],
			['reopened', '重新办理']
		]
	},
	mine: {
		title: '我的工单',
		path: '/my-tickets',
		tabs: [
			['todo', '待办'],
			['replied', '已答复'],
			['all', '全部']
		]
	},
	supervise: {
		title: '督办',
		path: '/supervise',
		tabs: [
			['red', '超期'],
			['yellow', '临期'],
			['extension', '延期待审批'],
			['all', '全部在办']
		]
	},
	visits: {
		title: '回访',
		path: '/visits',
		tabs: [
			['all', '全部待回访'],
			['todo', '未回访'],
			['retry', '未接通待重拨'],
			['unreached', '回访未果'],
			['overdue', '超时未回访']
		]
	},
	lookup: {
		title: '工单查询',
		path: '/tickets',
		tabs: [
			['all', '全部'],
			['open', '在办'],
			['closed', '已办结'],
			['answered', '直接答复'],
			['not_accepted', '不予受理'],
			['transferred', '已转办']
		]
	}
} as const satisfies Record<string, { title: string; path: string; tabs: Tabs }>;

export type QueueView = keyof typeof QUEUE_VIEWS;

/**
 * The queues that can be narrowed to one undertaking unit's tickets (`unit=`, the lead unit): 督办 (urge one unit's
 * late tickets), 回访 and 工单查询. 我的工单 is a unit's own already; 派单's tickets have no unit yet.
 */
export const UNIT_FILTER_QUEUES: readonly QueueView[] = ['supervise', 'visits', 'lookup'];
export const isQueueView = (x: string): x is QueueView => Object.hasOwn(QUEUE_VIEWS, x);

/** A tab's label, the queue's first tab for a key it does not have (as the queue reads it). */
export function tabLabel(queue: QueueView, tab: string | null | undefined): { key: string; label: string } {
	const tabs: Tabs = QUEUE_VIEWS[queue].tabs;
	const [key, label] = tabs.find(([k]) => k === tab) ?? tabs[0];
	return { key, label };
}

/** 工单查询's periods of receipt: the last this many days (0: any time), as the screen offers them. */
export const LOOKUP_PERIODS = [
	[7, '近 7 天'],
	[30, '近 30 天'],
	[90, '近 90 天'],
	[365, '近一年'],
	[0, '不限']
] as const satisfies readonly (readonly [number, string])[];
export const DEFAULT_LOOKUP_DAYS = 30;

/** A period as a list's heading and its export say it (近 30 天受理), null when it did not limit the list. */
export function periodText(period: { days: number; applied: boolean } | undefined): string | null {
	const label = period?.applied && LOOKUP_PERIODS.find(([d]) => d === period.days)?.[1];
	return label ? `${label}受理` : null;
}

/** A running time limit's kind as the lists and the export name it (TicketSummary.deadlineKind). */
export const LIMIT_KIND_LABELS = { sign: '签收', reply: '答复', visit: '回访' } as const;
/** A time limit's light in words: 正常, 临期 (yellow), 超期 (red). */
export const LIGHT_LABELS = { green: '正常', yellow: '临期', red: '超期' } as const;
