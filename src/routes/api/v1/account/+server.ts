// GET /api/v1/account → { user: { username, name, role, unit, unitName } }: who the session belongs to (any role).
import { json } from '@sveltejs/kit';
import { requireUser } from '$lib/server/guard';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	const u = requireUser(locals);
	return json({ user: { username: u.username, name: u.displayName, role: u.role, unit: u.unitCode, unitName: u.unitName } });
};
