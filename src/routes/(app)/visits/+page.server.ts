import { queueRoute } from '$lib/server/cases/forms';

const route = queueRoute('/visits', 'visits');
export const load = route.load;
export const actions = route.actions;
