import { json } from '@sveltejs/kit';
import { readUnitAssessment } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { requireUnitAssessment } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** One unit's 考核明细 with the 考核 page's URL filters: a unit's handler may read its own unit's only. */
export const GET: RequestHandler = async ({ locals, url, params }) => {
	requireUnitAssessment(locals, params.code);
	const r = await readUnitAssessment(await app(), url, params.code);
	if (r.refusals.length) return apiError(400, 'bad_filter', r.refusals.join('；'));
	if (!r.data) return apiError(404, 'not_found', `没有编码为“${params.code}”的承办单位`);
	return json(r.data);
};
