import { describe, expect, it } from 'vitest';
import { baseFor, ROLLUPS, rollupBuildPlan, rollupInsert, sourceFor } from './rollups';

describe('rollupBuildPlan', () => {
	const plan = rollupBuildPlan();

	it('builds every rollup once, each source before the rollups summed from it', () => {
		expect(plan.map((p) => p.rollup.table).sort()).toEqual(ROLLUPS.map((r) => r.table).sort());
		plan.forEach(({ rollup, from }, i) => {
			if (!from) return;
			const at = plan.findIndex((p) => p.rollup === from);
			expect(at, `${rollup.table} from ${from.table}`).toBeLessThan(i);
			expect(from.recentOnly ?? false).toBe(false);
			expect(from.base, `${rollup.table} from ${from.table}`).toBe(rollup.base); // rounds are never summed into tickets
			for (const d of rollup.dims) expect(from.dims).toContain(d);
			for (const m of rollup.measures) expect(from.measures).toContain(m);
		});
	});

	it('reads the facts only for the rollups that no finer full-history rollup covers (6 of 11)', () => {
		const fromFacts = plan.filter((p) => !p.from).map((p) => p.rollup.table).sort();
		expect(fromFacts).toEqual(['rollup_daily', 'rollup_hourly', 'rollup_street_daily', 'rollup_street_tc', 'rollup_unit_l2', 'rollup_unit_tc']);
		// the smallest cover is taken: the city-wide rollup sums the 5-dimension one, not the 6-dimension one
		expect(plan.find((p) => p.rollup.table === 'rollup_daily_city')!.from!.dims.length).toBe(5);
	});

	it('sums the counts of the source rollup', () => {
		const city = ROLLUPS.find((r) => r.table === 'rollup_daily_city')!;
		const daily = ROLLUPS.find((r) => r.table === 'rollup_daily')!;
		const sql = rollupInsert(city, 'WHERE day = $d', daily);
		expect(sql).toContain('FROM rollup_daily WHERE day = $d');
		expect(sql).toContain('sum(n)::INTEGER');
		expect(rollupInsert(city, '')).toContain('FROM tickets_fact');
		expect(rollupInsert(ROLLUPS.find((r) => r.table === 'rollup_unit_tc')!, '')).toContain('FROM unit_rounds');
		// rows go in clusterOrder: by day without a district, by month, district and day with one
		expect(sql).toMatch(/ORDER BY day$/);
		expect(rollupInsert({ table: 't', dims: ['district_code', 'day'], measures: ['n'] }, '')).toMatch(
			/ORDER BY date_trunc\('month', day\), district_code, day$/
		);
	});
});

describe('sourceFor', () => {
	it('counts handling rounds by unit and tickets otherwise, also where no rollup serves', () => {
		expect(sourceFor(['day', 'unit_code'], ['n'])!.table).toBe('rollup_unit_city');
		expect(sourceFor(['day', 'unit_code', 'street_code'], ['n'])).toBeNull();
		expect(baseFor(['day', 'unit_code', 'street_code'])).toBe('unit_rounds');
		// a ticket query whose dimensions a unit rollup also has never reads it, even where that one would come first
		const unitsFirst = [...ROLLUPS.filter((x) => x.base === 'rounds'), ...ROLLUPS.filter((x) => x.base !== 'rounds')];
		for (const r of ROLLUPS.filter((x) => x.base === 'rounds')) {
			const dims = r.dims.filter((d) => d !== 'unit_code');
			expect(sourceFor(dims, ['n'], {}, unitsFirst)?.base, r.table).toBeUndefined();
		}
		// and a query by unit never reads a ticket rollup, even one that had a unit_code
		const ticketsByUnit = [{ table: 't', dims: ['day', 'unit_code'], measures: ['n'] } as const, ...ROLLUPS];
		expect(sourceFor(['day', 'unit_code'], ['n'], {}, ticketsByUnit)!.table).toBe('rollup_unit_city');
		expect(baseFor(['day', 'street_code', 'category_code'])).toBe('tickets_fact');
	});
});
