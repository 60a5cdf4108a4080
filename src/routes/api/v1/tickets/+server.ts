// GET /api/v1/tickets?queue=intake|dispatch|mine|supervise|visits&tab=&q=&page= → a queue page (callers masked);
// q: a ticket number or its start, a caller's phone, or words of the title or content.
// POST /api/v1/tickets { channel, type, title?, content, address?, district_code?, street_code?, category_code?,
//   urgency?, caller_name?, caller_phone?, lon?, lat?, decision?: { action, reason?, transferred_to?, duplicate_of?, note? } }
//   → 201 { ticket } (registered, and screened when a decision is given).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole, requireUser } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { CaseError } from '$lib/server/cases/input';
import { QUEUES, listQueue, ticketDetail, type Queue } from '$lib/server/cases/read';
import { registerTicket } from '$lib/server/cases/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	try {
		const queue = url.searchParams.get('queue') ?? '';
		if (!(QUEUES as readonly string[]).includes(queue))
			throw new CaseError('invalid_input', `queue 须为 ${QUEUES.join('、')} 之一`, 'queue');
		const page = Number(url.searchParams.get('page') ?? 1);
		return json(
			await listQueue(await app(), user, {
				queue: queue as Queue,
				tab: url.searchParams.get('tab') ?? undefined,
				q: url.searchParams.get('q') ?? undefined,
				page: Number.isInteger(page) ? page : 1
			})
		);
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
		return json({ ticket: await ticketDetail(a, user, t.ticketNo) }, { status: 201 });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
