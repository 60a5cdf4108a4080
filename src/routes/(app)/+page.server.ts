import { redirect } from '@sveltejs/kit';
import { canSee, homeFor } from '$lib/nav';
import { filterOptions } from '$lib/server/analytics/filters';
import { readOverview } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals);
	if (!canSee(user.role, '/')) redirect(303, homeFor(user.role));
	const a = await app();
	const r = await readOverview(a, url);
	return { overview: r.data, problems: r.problems, options: filterOptions(a.ref, r.filter) };
};
