import { describe, expect, it } from 'vitest';
import { ROLLUPS, rollupBuildPlan, rollupInsert, type Rollup } from './rollups';

describe('rollupBuildPlan', () => {
	const plan = rollupBuildPlan();

	it('builds every rollup once, each source before the rollups summed from it', () => {
		expect(plan.map((p) => p.rollup.table).sort()).toEqual(ROLLUPS.map((r) => r.table).sort());
		plan.forEach(({ rollup, from }, i) => {
			if (!from) return;
			const at = plan.findIndex((p) => p.rollup === from);
			expect(at, `${rollup.table} from ${from.table}`).toBeLessThan(i);
			expect(from.recentOnly ?? false).toBe(false);
			for (const d of rollup.dims) expect(from.dims).toContain(d);
			for (const m of rollup.measures) expect(from.measures).toContain(m);
		});
	});

	it('reads the facts only for rollups that no finer full-history rollup covers', () => {
		const covered = (r: Rollup) =>
			ROLLUPS.some(
				(f) =>
					f !== r &&
					!f.recentOnly &&
					f.dims.length > r.dims.length &&
					r.dims.every((d) => f.dims.includes(d)) &&
					r.measures.every((m) => f.measures.includes(m))
			);
		for (const { rollup, from } of plan) expect(from !== null, rollup.table).toBe(covered(rollup));
	});

	it('sums the counts of the source rollup', () => {
		const city = ROLLUPS.find((r) => r.table === 'rollup_daily_city')!;
		const daily = ROLLUPS.find((r) => r.table === 'rollup_daily')!;
		const sql = rollupInsert(city, 'WHERE day = $d', daily);
		expect(sql).toContain('FROM rollup_daily WHERE day = $d');
		expect(sql).toContain('sum(n)::INTEGER');
		expect(rollupInsert(city, '')).toContain('FROM tickets_fact');
		// rows go in day order (the day's position among the dimensions)
		expect(sql).toMatch(/ORDER BY 1$/);
		expect(rollupInsert({ table: 't', dims: ['district_code', 'day'], measures: ['n'] }, '')).toMatch(/ORDER BY 2$/);
	});
});
