import { json } from '@sveltejs/kit';
import { readMap } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** The hotspot map's data (MapData) for the filters of the URL, as the page reads them; a refused filter is a 400. */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireScreen(locals, '/map');
	const a = await app();
	const { refusals, data } = await readMap(a, url);
	if (refusals.length) return apiError(400, 'bad_filter', refusals.join('；'));
	return json(data);
};
