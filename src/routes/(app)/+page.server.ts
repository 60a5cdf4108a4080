import { redirect } from '@sveltejs/kit';
import { canSee, homeFor } from '$lib/nav';
import { alertPanel } from '$lib/server/alerts/read';
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
	// the 预警 panel, for the roles that handle alerts
	const alerts = canSee(user.role, '/alerts') ? await alertPanel(a, r.filter) : null;
	// what this role may open from here: figures drill to /search, the header links to /map and /wall
	const links = { search: canSee(user.role, '/search'), map: canSee(user.role, '/map'), wall: canSee(user.role, '/wall'), topics: canSee(user.role, '/topics'), supervise: canSee(user.role, '/supervise') };
	return { overview: r.data, problems: r.problems, options: filterOptions(a.ref, r.filter), alerts, links };
};
