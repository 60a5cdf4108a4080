// 工单查询: every ticket, for those who handle them (a list, no actions: the ticket's own page acts).
import { app } from '$lib/server/app';
import { loadQueue, queueUnitChoices } from '$lib/server/cases/forms';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const a = await app();
	return { queue: await loadQueue(a, requireScreen(locals, '/tickets'), url, 'lookup'), units: queueUnitChoices(a, 'lookup') };
};
