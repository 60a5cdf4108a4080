// The search's hits as a CSV file (UTF-8 with BOM, so Excel and WPS open it as Chinese text).
import { app } from '$lib/server/app';
import { apiError } from '$lib/server/http';
import { requireScreen } from '$lib/server/guard';
import { parseSearchParams } from '$lib/server/text/params';
import { SEARCH_EXPORT_COLUMNS, searchExportRows } from '$lib/server/text/search';
import { toCsv } from '$lib/server/text/csv';
import { shanghaiDay } from '$pipelines/calendar/index';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	requireScreen(locals, '/search');
	const a = await app();
	const { query, problems } = parseSearchParams(url.searchParams, a.ref);
	if (problems.length) return apiError(400, 'bad_filter', problems.join('；'));
	if (!query.q.trim()) return apiError(400, 'empty_query', '请输入检索词');
	const rows = await searchExportRows(a.analytics.conn, a.ref, query);
	// the query's first 20 characters (code points: a cut through a surrogate pair is no text encodeURIComponent
	// takes) and the day in Shanghai
	const name = `检索-${[...query.q.trim()].slice(0, 20).join('')}-${shanghaiDay(Date.now())}.csv`;
	return new Response(toCsv(rows, [...SEARCH_EXPORT_COLUMNS]), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="search.csv"; filename*=UTF-8''${encodeURIComponent(name)}`
		}
	});
};
