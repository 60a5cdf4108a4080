// GET /api/v1/briefings/{id} → { briefing } with its sections (order, included, text, edited) and the figures kept.
// PUT /api/v1/briefings/{id} { version, title?, sections?: [{ key, included, text }] } (admin, analyst) → { briefing }:
//   every section once, in the new order; a stale version → 409 conflict.
// DELETE /api/v1/briefings/{id}?version= (admin, analyst) → { deleted: id }.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { briefingErrorResponse, jsonBody } from '$lib/server/briefings/http';
import { briefingId, deleteBriefing, getBriefing, saveBriefing } from '$lib/server/briefings/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireUser(locals);
	try {
		return json({ briefing: await getBriefing(await app(), user, briefingId(params.id)) });
	} catch (e) {
		return briefingErrorResponse(e);
	}
};

export const PUT: RequestHandler = async ({ locals, params, request }) => {
	const user = requireUser(locals);
	try {
		return json({ briefing: await saveBriefing(await app(), user, briefingId(params.id), await jsonBody(request)) });
	} catch (e) {
		return briefingErrorResponse(e);
	}
};

export const DELETE: RequestHandler = async ({ locals, params, url }) => {
	const user = requireUser(locals);
	try {
		const id = briefingId(params.id);
		await deleteBriefing(await app(), user, id, url.searchParams.get('version'));
		return json({ deleted: id });
	} catch (e) {
		return briefingErrorResponse(e);
	}
};
