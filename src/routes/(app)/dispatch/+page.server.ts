import { queueRoute } from '$lib/server/cases/forms';

const route = queueRoute('/dispatch', 'dispatch');
export const load = route.load;
export const actions = route.actions;
