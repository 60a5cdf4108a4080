// GET /api/v1/categories/{code} (admin) → { category }.
// PATCH /api/v1/categories/{code} (admin) { name?, active?, version? } → { category, changed: [what changed, in
//   words] }: renames it (the paths under it follow), or stops it (active: false — it and the categories under it
//   are no longer given to new tickets) or starts it again. With version, a change made meanwhile → 409.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { categoryAdmin, categoryForAdmin, updateCategory } from '$lib/server/categories';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json({ category: await categoryForAdmin(categoryAdmin(await app(), user), params.code) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const PATCH: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json(await updateCategory(categoryAdmin(await app(), user), params.code, await jsonBody(request)));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
