// POST /api/v1/intake/assist { title?, content?, address?, caller_phone?, district_code?, street_code? } → the 受理
// screen's suggestions: place from the address, top categories and units, screening hints, the caller's history,
// earlier related tickets.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { intakeAssist } from '$lib/server/cases/intake';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, request }) => {
	requireRole(locals, ['admin', 'operator']);
	try {
		return json(await intakeAssist(await app(), await jsonBody(request)));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
