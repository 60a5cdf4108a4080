import { json } from '@sveltejs/kit';
import { alertErrorResponse, idParam } from '$lib/server/alerts/http';
import { alertDetail } from '$lib/server/alerts/read';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	requireScreen(locals, '/alerts');
	const id = idParam(params.id);
	if (id === null) return apiError(404, 'not_found', `预警 ${params.id} 不存在`);
	try {
		return json(await alertDetail(await app(), id));
	} catch (e) {
		return alertErrorResponse(e);
	}
};
