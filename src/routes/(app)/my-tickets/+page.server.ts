import { queueRoute } from '$lib/server/cases/forms';

const route = queueRoute('/my-tickets', 'mine');
export const load = route.load;
export const actions = route.actions;
