// GET /api/v1/tickets/{ticket_no} → the ticket as this user may see it: fields, lights, timeline, related tickets, actions.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { caseErrorResponse } from '$lib/server/cases/http';
import { ticketDetail } from '$lib/server/cases/read';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireUser(locals);
	try {
		return json(await ticketDetail(await app(), user, params.no));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
