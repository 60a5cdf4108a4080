// 工作量 of the hotline's own staff: which timeline steps count, and in which group the page and the workbook show
// them. Shared by the server's count (cases/workload.ts), the page and the workbook.
import type { StaffWorkRow } from './types';

export interface StaffGroup {
	title: string;
	actions: { action: string; label: string }[];
}

export const STAFF_GROUPS: readonly StaffGroup[] = [
	{
		title: '话务受理',
		actions: [
			{ action: 'receive', label: '登记' },
			{ action: 'accept', label: '受理' },
			{ action: 'answer', label: '直接答复' },
			{ action: 'not_accept', label: '不予受理' },
			{ action: 'transfer', label: '转紧急热线' },
			{ action: 'merge', label: '并单' }
		]
	},
	{
		title: '派单',
		actions: [
			{ action: 'dispatch', label: '派单' },
			{ action: 'recall', label: '收回' }
		]
	},
	{
		title: '督办与回访',
		actions: [
			{ action: 'urge', label: '催办' },
			{ action: 'supervise', label: '督办' },
			{ action: 'extension_approve', label: '批准延期' },
			{ action: 'extension_deny', label: '驳回延期' },
			{ action: 'visit', label: '回访' },
			{ action: 'visit_failed', label: '回访未接通' },
			{ action: 'reopen', label: '重新交办' },
			{ action: 'close', label: '办结' }
		]
	}
];

export const STAFF_ACTIONS = STAFF_GROUPS.flatMap((g) => g.actions);

/** The operators' group (话务受理): 受理's own tally of the day shows these. */
export const INTAKE_GROUP = STAFF_GROUPS.find((g) => g.actions.some((a) => a.action === 'receive'))!;

/** A group's rows: the staff with a step of it, most steps first. */
export function groupRows(rows: readonly StaffWorkRow[], g: StaffGroup): { row: StaffWorkRow; total: number }[] {
	return rows
		.map((row) => ({ row, total: g.actions.reduce((s, a) => s + (row.counts[a.action] ?? 0), 0) }))
		.filter((x) => x.total > 0)
		.sort((a, b) => b.total - a.total || a.row.name.localeCompare(b.row.name, 'zh'));
}

/** A group's table shows its busiest this many at first (a city's hotline has hundreds of operators); the rest on request. */
export const STAFF_SHOWN = 15;

/** A group's total per action and in all, over all its rows (shown under the table, whatever of it is shown). */
export function groupTotals(rows: readonly { row: StaffWorkRow; total: number }[], g: StaffGroup): { counts: Record<string, number>; total: number } {
	const counts: Record<string, number> = {};
	for (const a of g.actions) counts[a.action] = rows.reduce((s, x) => s + (x.row.counts[a.action] ?? 0), 0);
	return { counts, total: rows.reduce((s, x) => s + x.total, 0) };
}
