import { app } from '$lib/server/app';
import { leftNotice, queueRoute } from '$lib/server/cases/forms';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

const route = queueRoute('/my-tickets', 'mine');
export const load: PageServerLoad = async (event) => {
	const [queue, left] = await Promise.all([
		route.load(event),
		app().then((a) => leftNotice(a, requireScreen(event.locals, '/my-tickets'), event.url.searchParams.get('left')))
	]);
	return { ...queue, left };
};
export const actions = route.actions;
