// The search's hits (of words, a ticket number, or the filters alone) as a CSV file (UTF-8 with BOM, so Excel and WPS open it as Chinese text): the newest
// SEARCH_EXPORT_LIMIT of them, a file cut there saying so (searchExportFile).
import { app } from '$lib/server/app';
import { apiError, attachment } from '$lib/server/http';
import { requireScreen } from '$lib/server/guard';
import { parseSearchParams } from '$lib/server/text/params';
import { isBrowse, searchExportFile } from '$lib/server/text/search';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	requireScreen(locals, '/search');
	const a = await app();
	const { query, problems } = parseSearchParams(url.searchParams, a.ref);
	if (problems.length) return apiError(400, 'bad_filter', problems.join('；'));
	if (!query.q.trim() && !isBrowse(query)) return apiError(400, 'empty_query', '请输入检索词或选择筛选条件');
	const { name, body } = await searchExportFile(a.analytics.conn, a.ref, query);
	return new Response(body, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': attachment(name, 'search.csv')
		}
	});
};
