// POST /api/v1/units/{code}/recall (admin, dispatcher) { note } → { recalled: [ticket numbers], left: [{ ticketNo,
//   message }] }: 收回 of every ticket a stopped unit leads, back to the dispatch queue, each its own recall event with
//   the note as its reason; a ticket changed meanwhile is left and listed. An active unit is refused (field code).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { recallFromUnit } from '$lib/server/cases/service';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, ['admin', 'dispatcher']);
	try {
		const body = (await jsonBody(request)) as { note?: unknown } | null;
		return json(await recallFromUnit(await app(), user, params.code, body && typeof body === 'object' ? body.note : undefined));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
