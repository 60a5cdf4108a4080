// 工单查询: every ticket, for those who handle them (a list, no actions: the ticket's own page acts).
import { app } from '$lib/server/app';
import { loadQueue } from '$lib/server/cases/forms';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => ({ queue: await loadQueue(await app(), requireScreen(locals, '/tickets'), url, 'lookup') });
