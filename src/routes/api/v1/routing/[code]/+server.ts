// GET /api/v1/routing/{code} (admin) → { routing }.
// PUT /api/v1/routing/{code} (admin) { handler: street | district | a unit code | '' (the file's rules again), version? }
//   → { routing, changed }: the handler suggested for the category's tickets (and those of the categories under it
//   without rules of their own). A stopped unit, a district or street unit, an unknown one → 400 naming `handler`; a
//   stale version → 409.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { routingAdmin, routingFor, setRouting } from '$lib/server/routing';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json({ routing: await routingFor(routingAdmin(await app(), user), params.code) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const PUT: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json(await setRouting(routingAdmin(await app(), user), params.code, await jsonBody(request)));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
