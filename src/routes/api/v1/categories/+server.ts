// GET /api/v1/categories (admin) → { categories: [{ code, level, parent, name, path, active, inUse, children,
//   activeChildren, tickets, open, formerNames, editedAt, editedBy, version }] } in tree order.
// POST /api/v1/categories { parent: '' | a level-1 or level-2 code, name } (admin) → 201 { category } with
//   Location: /api/v1/categories/{code}; the code is the parent's and the next free two digits.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { addCategory, categoriesForAdmin, categoryAdmin } from '$lib/server/categories';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	const user = requireRole(locals, ['admin']);
	return json({ categories: await categoriesForAdmin(categoryAdmin(await app(), user)) });
};

export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const created = await addCategory(categoryAdmin(await app(), user), await jsonBody(request));
		return json({ category: created }, { status: 201, headers: { location: `/api/v1/categories/${encodeURIComponent(created.code)}` } });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
