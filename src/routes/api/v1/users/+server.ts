// GET /api/v1/users (admin) → { users: [{ username, name, role, unit, unitName, active, demo, createdAt }] }, never a
//   password's hash.
// POST /api/v1/users { username, name, role, unit?, password, confirm? } (admin) → 201 { user } with
//   Location: /api/v1/users/{username}; a user name in use → 409 conflict (field username).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { addUser, userAdmin, usersForAdmin } from '$lib/server/auth/admin';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	const user = requireRole(locals, ['admin']);
	return json({ users: await usersForAdmin(userAdmin(await app(), user)) });
};

export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const created = await addUser(userAdmin(await app(), user), await jsonBody(request));
		return json({ user: created }, { status: 201, headers: { location: `/api/v1/users/${encodeURIComponent(created.username)}` } });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
