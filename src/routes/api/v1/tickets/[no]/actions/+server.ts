// POST /api/v1/tickets/{ticket_no}/actions { action, version, note?, reason?, transferred_to?, duplicate_of?,
//   unit_code?, assist_units?, category_code?, type?, urgency?, title?, district_code?, street_code?, days?, satisfaction?, outcome?, reopen?,
//   linked_no? } → the ticket after the action (category_code, type, urgency, title and the place correct the ticket on accept and
//   dispatch only);
// when the action took it out of the user's sight (a unit returned it), only { ticket_no, status, version, visible: false }.
// note, link and unlink (关联 / 取消关联 with linked_no) leave the ticket as it is and need no version; urge, supervise and
// visit_failed (催办 / 督办 / 回访未接通 with outcome) count on it but need no version and make none (they do not make the
// next action of another stale).
// 403 forbidden (role), 404 (not visible), 409 invalid_state or conflict (stale version), 400 invalid_input.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { ticketAfterAction } from '$lib/server/cases/read';
import { actOnTicket } from '$lib/server/cases/service';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params, request }) => {
	const user = requireUser(locals);
	try {
		const a = await app();
		return json(await ticketAfterAction(a, user, await actOnTicket(a, user, params.no, await jsonBody(request))));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
