import { filterOptions } from '$lib/server/analytics/filters';
import { readUnits } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, '/assessment');
	const a = await app();
	const r = await readUnits(a, url);
	return { panel: r.data, problems: r.problems, options: filterOptions(a.ref, r.filter) };
};
