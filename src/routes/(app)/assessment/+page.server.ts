import { filterOptions } from '$lib/server/analytics/filters';
import { readUnits } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { staffWorkload } from '$lib/server/cases/workload';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, '/assessment');
	const a = await app();
	const r = await readUnits(a, url);
	return { panel: r.data, problems: r.problems, options: filterOptions(a.ref, r.filter), staff: await staffWorkload(a, r.filter.from, r.filter.to) };
};
