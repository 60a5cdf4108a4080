import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import { wallData } from '$lib/server/wall';
import type { RequestHandler } from './$types';

/** The wall's figures (WallData) for the filters of the URL, what its refresh reads; a refused filter is a 400. */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireScreen(locals, '/wall');
	const { refusals, data } = await wallData(await app(), url);
	if (refusals.length) return apiError(400, 'bad_filter', refusals.join('；'));
	return json(data);
};
