import { PLANNED_SCREENS } from '$lib/nav';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params }) => {
	requireScreen(locals, `/${params.screen}`);
	return { screen: PLANNED_SCREENS[params.screen] };
};
