import { json } from '@sveltejs/kit';
import { overview } from '$lib/server/analytics/overview';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	requireScreen(locals, '/');
	const a = await app();
	return json(await overview(a.analytics.conn, a.ref));
};
