import { redirect } from '@sveltejs/kit';
import { canSee, homeFor } from '$lib/nav';
import { alertQueue, alertScope, alertScopeLabel } from '$lib/server/alerts/read';
import { openCounts } from '$lib/server/alerts/store';
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
	// the 预警 panel, for the roles that handle alerts: open alerts by severity and the most urgent five, of the
	// filter's district and category (alerts have no channel or type; they are open now, whatever the period)
	const scope = alertScope(a.ref, r.filter);
	const alerts = canSee(user.role, '/alerts')
		? await Promise.all([openCounts(a.rel.db, scope), alertQueue(a, { status: 'open', limit: 5, unsilenced: true, ...scope })]).then(([counts, top]) => ({
				counts,
				top,
				/** the place and category shown, and the queue's URL parameters for them */
				label: alertScopeLabel(a.ref, r.filter),
				query: new URLSearchParams(Object.entries({ district: r.filter.district, category: r.filter.category }).filter((e): e is [string, string] => !!e[1])).toString()
			}))
		: null;
	// what this role may open from here: figures drill to /search, the header links to /map and /wall
	const links = { search: canSee(user.role, '/search'), map: canSee(user.role, '/map'), wall: canSee(user.role, '/wall'), topics: canSee(user.role, '/topics') };
	return { overview: r.data, problems: r.problems, options: filterOptions(a.ref, r.filter), alerts, links };
};
