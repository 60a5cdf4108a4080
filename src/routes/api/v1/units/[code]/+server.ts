// GET /api/v1/units/{code} (admin) → { unit }.
// PATCH /api/v1/units/{code} (admin) { name?, short_name?, active?, version? } → { unit, changed: [what changed, in
//   words] }: renames the unit, or stops it (active: false — no new tickets; what it holds stays with it) or starts it
//   again. With version, a change another administrator made meanwhile is refused with 409.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { unitAdmin, unitForAdmin, updateUnit } from '$lib/server/units';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json({ unit: await unitForAdmin(unitAdmin(await app(), user), params.code) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const PATCH: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json(await updateUnit(unitAdmin(await app(), user), params.code, await jsonBody(request)));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
