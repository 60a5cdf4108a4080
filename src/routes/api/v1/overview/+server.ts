import { json } from '@sveltejs/kit';
import { readOverview } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** 态势总览 as JSON, with the page's URL filters; a refused filter value is a 400 naming it. */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireScreen(locals, '/');
	const r = await readOverview(await app(), url);
	if (r.refusals.length) return apiError(400, 'bad_filter', r.refusals.join('；'));
	return json(r.data);
};
