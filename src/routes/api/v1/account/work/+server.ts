// GET /api/v1/account/work → { at, screens: { "/dispatch": { count, label }, … } }: the work waiting on each screen the
// user sees at `at` (ms), as the navigation shows it beside the screen's name (work-counts.ts); a screen with none has
// no entry. Any role.
import { json } from '@sveltejs/kit';
import { navFor } from '$lib/nav';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { workCounts } from '$lib/server/work-counts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	const user = requireUser(locals);
	const at = Date.now();
	return json({ at, screens: await workCounts(await app(), user, navFor(user.role), at) }, { headers: { 'cache-control': 'no-store' } });
};
