// GET /api/v1/tickets?queue=intake|dispatch|mine|supervise|visits|lookup&tab=&q=&page=|after=|before=&days= → a queue
// page (callers masked); after / before: the page's `next` / `prev` cursor (keyset paging: a queue that moves meanwhile
// skips nothing); q: a ticket number or its start, a caller's phone, or words of the title or content; lookup (工单查询,
// every ticket): days= 7, 30 (default), 90, 365 or 0 (any time), the period of receipt, not limiting a number's search.
// POST /api/v1/tickets { channel, type, title?, content, address?, district_code?, street_code?, category_code?,
//   urgency?, caller_name?, caller_phone?, lon?, lat?, links?: [ticket_no…] (关联, up to 10),
//   decision?: { action, reason?, transferred_to?, duplicate_of?, note? } }
//   → 201 { ticket: { ticket_no, status, version, received_at, district_code, street_code, category_code } } with
//   Location: /api/v1/tickets/{ticket_no} (registered, and screened when a decision is given; the full ticket is there).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole, requireUser } from '$lib/server/guard';
import { caseErrorResponse, jsonBody, queueFilter } from '$lib/server/cases/http';
import { CaseError } from '$lib/server/cases/input';
import { QUEUES, listQueue, type Queue } from '$lib/server/cases/read';
import { registerTicket } from '$lib/server/cases/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	try {
		const queue = url.searchParams.get('queue') ?? '';
		if (!(QUEUES as readonly string[]).includes(queue))
			throw new CaseError('invalid_input', `queue 须为 ${QUEUES.join('、')} 之一`, 'queue');
		return json(await listQueue(await app(), user, queueFilter(url, queue as Queue)));
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, ['admin', 'operator']);
	try {
		const body = await jsonBody(request);
		const a = await app();
		const decision = body && typeof body === 'object' ? (body as { decision?: unknown }).decision : undefined;
		const t = await registerTicket(a, user, body, { decision });
		const ticket = {
			ticket_no: t.ticketNo,
			status: t.status,
			version: t.version,
			received_at: t.receivedAt.toISOString(),
			district_code: t.districtCode,
			street_code: t.streetCode,
			category_code: t.categoryCode
		};
		return json({ ticket }, { status: 201, headers: { location: `/api/v1/tickets/${t.ticketNo}` } });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
