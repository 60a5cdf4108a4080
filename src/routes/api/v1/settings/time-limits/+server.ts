// GET / PUT /api/v1/settings/time-limits: the case time limits (admin). PUT takes the whole object.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { getLimits, saveLimits } from '$lib/server/cases/limits';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	requireRole(locals, ['admin', 'supervisor', 'dispatcher']);
	return json(await getLimits((await app()).rel.db));
};

export const PUT: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json(await saveLimits((await app()).rel.db, await jsonBody(request), user.username));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
