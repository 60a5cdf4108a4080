import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { parseSearchParams } from '$lib/server/text/params';
import { isBrowse, searchTickets } from '$lib/server/text/search';
import { filterOptions } from '$lib/server/text/options';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, '/search');
	const a = await app();
	const { query, problems } = parseSearchParams(url.searchParams, a.ref);
	const result = query.q.trim() || isBrowse(query) ? await searchTickets(a.analytics.conn, a.ref, query) : null;
	return { query, problems, result, options: filterOptions(a.ref) };
};
