// GET /api/v1/briefings → { briefings: [{ id, kind, kindLabel, title, from, to, scope, updatedBy, updatedAt, version }] }
//   (admin, leader, analyst), newest change first.
// POST /api/v1/briefings { kind, title?, from, to, district?, category? } (admin, analyst) → 201 { briefing } with
//   Location: /api/v1/briefings/{id}; the figures are generated now and kept with it.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { briefingErrorResponse, jsonBody } from '$lib/server/briefings/http';
import { createBriefing, listBriefings } from '$lib/server/briefings/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	const user = requireUser(locals);
	try {
		return json({ briefings: await listBriefings(await app(), user) });
	} catch (e) {
		return briefingErrorResponse(e);
	}
};

export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireUser(locals);
	try {
		const b = await createBriefing(await app(), user, await jsonBody(request));
		return json({ briefing: b }, { status: 201, headers: { location: `/api/v1/briefings/${b.id}` } });
	} catch (e) {
		return briefingErrorResponse(e);
	}
};
