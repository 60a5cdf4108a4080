import { queueRoute } from '$lib/server/cases/forms';

const route = queueRoute('/supervise', 'supervise');
export const load = route.load;
export const actions = route.actions;
