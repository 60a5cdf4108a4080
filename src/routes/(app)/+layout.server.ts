import { navFor } from '$lib/nav';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { workCounts } from '$lib/server/work-counts';
import { cityShortName } from '$pipelines/reference/index';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	const a = await app();
	const nav = navFor(user.role);
	// the city is configuration (MINQING_CITY): the top bar names it from the reference data; the work waiting on each
	// screen as the page is made (the layout reads it again in the browser: GET /api/v1/account/work)
	const at = Date.now();
	return { user, nav, city: cityShortName(a.ref.cityName), work: { at, screens: await workCounts(a, user, nav, at) } };
};
