import { app } from '$lib/server/app';
import { leftNotice, queueRoute } from '$lib/server/cases/forms';
import { requireScreen } from '$lib/server/guard';
import { unitStanding } from '$lib/server/analytics/service';
import type { PageServerLoad } from './$types';

const route = queueRoute('/my-tickets', 'mine');
export const load: PageServerLoad = async (event) => {
	const user = requireScreen(event.locals, '/my-tickets');
	const [queue, left, standing] = await Promise.all([
		route.load(event),
		app().then((a) => leftNotice(a, user, event.url.searchParams.get('left'))),
		app().then((a) => unitStanding(a, user))
	]);
	return { ...queue, left, standing };
};
export const actions = route.actions;
