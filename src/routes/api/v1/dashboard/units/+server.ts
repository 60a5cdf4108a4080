import { json } from '@sveltejs/kit';
import { readUnits } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** The units ranked by assessment score, with the page's URL filters; a refused filter value is a 400. */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireScreen(locals, '/assessment');
	const r = await readUnits(await app(), url);
	if (r.refusals.length) return apiError(400, 'bad_filter', r.refusals.join('；'));
	return json(r.data);
};
