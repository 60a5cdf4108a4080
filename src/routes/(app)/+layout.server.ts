import { navFor } from '$lib/nav';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { cityShortName } from '$pipelines/reference/index';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	// the city is configuration (MINQING_CITY): the top bar names it from the reference data
	return { user, nav: navFor(user.role), city: cityShortName((await app()).ref.cityName) };
};
