import { redirect } from '@sveltejs/kit';
import { homeFor } from '$lib/nav';
import { overview } from '$lib/server/analytics/overview';
import { app } from '$lib/server/app';
import { canSee } from '$lib/nav';
import { requireUser } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	if (!canSee(user.role, '/')) redirect(303, homeFor(user.role));
	const a = await app();
	return { overview: await overview(a.analytics.conn, a.ref) };
};
