// GET /api/v1/tickets/{ticket_no}/suggestion?category_code=&district_code=&street_code= → { suggestedUnit, suggestionNote }:
// the unit the routing rules suggest for a ticket waiting for 派单 with the place and category the dispatch form now
// corrects it to (each absent: the ticket's own); a bad code is a 400 naming the field.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { caseErrorResponse } from '$lib/server/cases/http';
import { suggestionFor } from '$lib/server/cases/read';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params, url }) => {
	const user = requireUser(locals);
	const param = (k: string) => url.searchParams.get(k)?.trim().slice(0, 16) || undefined;
	try {
		return json(
			await suggestionFor(await app(), user, params.no, {
				category_code: param('category_code'),
				district_code: param('district_code'),
				street_code: param('street_code')
			})
		);
	} catch (e) {
		return caseErrorResponse(e);
	}
};
