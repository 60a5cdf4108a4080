import { json } from '@sveltejs/kit';
import { actorOf, alertErrorResponse, idParam } from '$lib/server/alerts/http';
import { actOnAlert } from '$lib/server/alerts/service';
import { isAlertAction } from '$lib/server/alerts/store';
import { app } from '$lib/server/app';
import { ALERT_HANDLER_ROLES } from '$lib/alerts';
import { requireRole } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import type { RequestHandler } from './$types';

/** { action: acknowledge|escalate|resolve|dismiss, version, note? } */
export const POST: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, ALERT_HANDLER_ROLES);
	const id = idParam(params.id);
	if (id === null) return apiError(404, 'not_found', `预警 ${params.id} 不存在`);
	const body = (await request.json().catch(() => null)) as { action?: unknown; note?: unknown; version?: unknown } | null;
	if (!body || typeof body.action !== 'string' || !isAlertAction(body.action)) {
		return apiError(400, 'invalid_input', '请求须为 JSON，action 为 acknowledge、escalate、resolve 或 dismiss 之一');
	}
	// the version the user saw: of two people acting on one alert at once, one wins and the other gets 409
	const version = body.version === undefined || body.version === null ? null : Number(body.version);
	if (version === null) return apiError(400, 'invalid_input', '缺少 version：请带上所见预警的版本号（GET /api/v1/alerts/<id> 的 version），以免覆盖他人同时的操作');
	if (!Number.isInteger(version)) return apiError(400, 'invalid_input', 'version 须为整数');
	try {
		const row = await actOnAlert(await app(), id, body.action, actorOf(user), version, typeof body.note === 'string' ? body.note : '');
		return json({ id, status: row.status, version: row.version });
	} catch (e) {
		return alertErrorResponse(e);
	}
};
