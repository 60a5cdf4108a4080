import { json } from '@sveltejs/kit';
import { actorOf, alertErrorResponse, idParam } from '$lib/server/alerts/http';
import { noteOnAlert } from '$lib/server/alerts/service';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** { note } */
export const POST: RequestHandler = async ({ locals, params, request }) => {
	const user = requireScreen(locals, '/alerts');
	const id = idParam(params.id);
	if (id === null) return apiError(404, 'not_found', `预警 ${params.id} 不存在`);
	const body = (await request.json().catch(() => null)) as { note?: unknown } | null;
	if (!body || typeof body.note !== 'string') return apiError(400, 'invalid_input', '请求须为 JSON，并包含 note 文本');
	try {
		await noteOnAlert(await app(), id, actorOf(user), body.note);
		return json({ id }, { status: 201 });
	} catch (e) {
		return alertErrorResponse(e);
	}
};
