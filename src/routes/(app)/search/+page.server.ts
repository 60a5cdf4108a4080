import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { MAX_PAGE, parseSearchParams } from '$lib/server/text/params';
import { isBrowse, MAX_EXPANSIONS, MAX_TERMS, SEARCH_EXPORT_LIMIT, searchTickets } from '$lib/server/text/search';
import { searchOptions } from '$lib/server/text/options';
import { openableTickets } from '$lib/server/cases/read';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireScreen(locals, '/search');
	const a = await app();
	const { query, problems } = parseSearchParams(url.searchParams, a.ref);
	const result = query.q.trim() || isBrowse(query) ? await searchTickets(a.analytics.conn, a.ref, query) : null;
	// the hits a leader or an administrator may open as 工单详情
	const openable = result ? await openableTickets(a, user, result.hits.map((h) => h.ticketNo)) : [];
	// the street choice lists the chosen district's streets (or the chosen street's, when only a street is given)
	const district = query.district ?? (query.street ? a.ref.streetByCode.get(query.street)?.districtCode : null);
	return { query, problems, result, openable, maxTerms: MAX_TERMS, maxExpansions: MAX_EXPANSIONS, maxPage: MAX_PAGE, exportLimit: SEARCH_EXPORT_LIMIT, options: searchOptions(a.ref, district) };
};
