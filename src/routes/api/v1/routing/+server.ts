// GET /api/v1/routing (admin) → { routing: [{ code, level, path, inUse, handler, handlerLabel, stopped, inheritedFrom,
//   set, fileHandlerLabel, editedAt, editedBy, version }] }: each category with the handler the 派单 screens suggest
//   (street: the ticket's street office; district: its district government; else a unit code).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { routingAdmin, routingForAdmin } from '$lib/server/routing';
import { requireRole } from '$lib/server/guard';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	const user = requireRole(locals, ['admin']);
	return json({ routing: await routingForAdmin(routingAdmin(await app(), user)) });
};
