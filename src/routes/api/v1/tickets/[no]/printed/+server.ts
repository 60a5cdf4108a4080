// POST /api/v1/tickets/{ticket_no}/printed → 204: the ticket's page was printed (工单详情 says so as the browser
// prints it); an entry of the 操作日志 (cases/print.ts). A ticket this user may not read → 404, nothing recorded.
import { app } from '$lib/server/app';
import { clientAddress } from '$lib/server/auth/throttle';
import { recordTicketPrint } from '$lib/server/cases/print';
import { caseErrorResponse } from '$lib/server/cases/http';
import { requireUser } from '$lib/server/guard';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const user = requireUser(event.locals);
	try {
		await recordTicketPrint(await app(), user, event.params.no, clientAddress(event));
		return new Response(null, { status: 204 });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
