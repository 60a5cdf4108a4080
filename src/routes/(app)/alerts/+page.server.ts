import { alertQueue, parseQueueQuery } from '$lib/server/alerts/read';
import { alertStatus } from '$lib/server/alerts/service';
import { app } from '$lib/server/app';
import { filterOptions as searchFilterOptions } from '$lib/server/text/options';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, depends }) => {
	requireScreen(locals, '/alerts');
	depends('app:alerts');
	const a = await app();
	const { query, problems } = parseQueueQuery(url, a.ref);
	const { last, running, lastError } = alertStatus();
	return {
		query,
		options: searchFilterOptions(a.ref),
		problems,
		alerts: await alertQueue(a, query),
		detection: { last: last ? { at: last.at, series: last.series, seconds: last.seconds } : null, running, failed: !!lastError }
	};
};
