import { json } from '@sveltejs/kit';
import { alertQueue, parseQueueQuery } from '$lib/server/alerts/read';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** The alert queue: ?status=open|closed|all|<status>&severity=1..4&district=<code>&category=<code> */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireScreen(locals, '/alerts');
	const a = await app();
	const { query, refusals } = parseQueueQuery(url, a.ref);
	if (refusals.length) return apiError(400, 'bad_filter', refusals.join('；'));
	return json({ alerts: await alertQueue(a, query) });
};
