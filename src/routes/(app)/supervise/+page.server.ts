import { app } from '$lib/server/app';
import { queueRoute } from '$lib/server/cases/forms';
import { getLimits } from '$lib/server/cases/limits';
import type { PageServerLoad } from './$types';

const route = queueRoute('/supervise', 'supervise');
/** the queue, and the yellow light's share of the time as set in 设置 › 办理时限, which the page's lead names */
export const load: PageServerLoad = async (event) => {
	const queue = await route.load(event);
	const { yellowAt } = await getLimits((await app()).rel.db);
	return { ...queue, yellowPercent: Math.round(yellowAt * 100) };
};
export const actions = route.actions;
