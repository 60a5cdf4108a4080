// POST /api/v1/tickets/actions { items: [{ ticket_no, action, version?, … }, …] } (at most 100) → 200
// { results: [{ ticket_no, ok: true, status, version } | { ticket_no, ok: false, error: { code, message } }] }:
// each ticket taken on its own, in the order given, as POST /api/v1/tickets/{no}/actions takes it; one refused
// neither stops nor undoes the others. A list that is empty, too long, or names a ticket twice is 400 as a whole.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { actOnTickets } from '$lib/server/cases/service';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireUser(locals);
	try {
		const body = (await jsonBody(request)) as { items?: unknown } | null;
		const outcomes = await actOnTickets(await app(), user, body && typeof body === 'object' ? body.items : undefined);
		return json({
			results: outcomes.map((o) =>
				o.ok ? { ticket_no: o.ticketNo, ok: true, status: o.status, version: o.version } : { ticket_no: o.ticketNo, ok: false, error: { code: o.code, message: o.message } }
			)
		});
	} catch (e) {
		return caseErrorResponse(e);
	}
};
