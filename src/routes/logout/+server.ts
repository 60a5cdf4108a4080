import { redirect } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { SESSION_COOKIE, logout } from '$lib/server/auth';
import { clientAddress } from '$lib/server/auth/throttle';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const { cookies } = event;
	await logout((await app()).rel.db, cookies.get(SESSION_COOKIE) ?? '', clientAddress(event));
	cookies.delete(SESSION_COOKIE, { path: '/' });
	redirect(303, '/login');
};
