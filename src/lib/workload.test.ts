import { describe, expect, it } from 'vitest';
import type { StaffWorkRow } from './types';
import { groupRows, groupTotals, STAFF_ACTIONS, STAFF_GROUPS } from './workload';

const row = (name: string, counts: Record<string, number>): StaffWorkRow => ({
	key: `u:${name}`,
	name,
	role: 'operator',
	counts,
	total: Object.values(counts).reduce((s, n) => s + n, 0),
	directRate: null
});

describe('groupRows', () => {
	it('lists in a group only the staff with a step of it, most steps first, then by name', () => {
		const [screening, dispatch] = STAFF_GROUPS;
		const rows = [row('乙', { dispatch: 5 }), row('甲', { receive: 2, accept: 2, dispatch: 1 }), row('丙', { accept: 4 }), row('丁', { visit: 9 })];
		expect(groupRows(rows, screening).map((x) => [x.row.name, x.total])).toEqual([
			['丙', 4],
			['甲', 4]
		]);
		expect(groupRows(rows, dispatch).map((x) => [x.row.name, x.total])).toEqual([
			['乙', 5],
			['甲', 1]
		]);
	});

	it('counts each action in one group only', () => {
		const actions = STAFF_ACTIONS.map((a) => a.action);
		expect(new Set(actions).size).toBe(actions.length);
	});
});

describe('groupTotals', () => {
	it("adds up a group's actions over all its rows, and only that group's actions", () => {
		const [screening] = STAFF_GROUPS;
		const rows = groupRows([row('甲', { receive: 2, accept: 3, dispatch: 7 }), row('乙', { receive: 1, answer: 4 }), row('丙', { visit: 5 })], screening);
		const t = groupTotals(rows, screening);
		expect(t.total).toBe(10);
		expect(t.counts).toEqual({ receive: 3, accept: 3, answer: 4, not_accept: 0, transfer: 0, merge: 0 });
		expect(groupTotals([], screening).total).toBe(0);
	});
});
