import { json } from '@sveltejs/kit';
import { alertStatus, requestRound } from '$lib/server/alerts/service';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { ALERT_HANDLER_ROLES } from '$lib/alerts';
import type { RequestHandler } from './$types';

/** Runs a detection round now (it also runs after each ingest batch and sync, and every five minutes without them) and returns its summary. */
export const POST: RequestHandler = async ({ locals }) => {
	requireRole(locals, ALERT_HANDLER_ROLES);
	await requestRound(await app());
	return json(alertStatus());
};

export const GET: RequestHandler = async ({ locals }) => {
	requireRole(locals, ['admin', 'emergency', 'leader']);
	return json(alertStatus());
};
