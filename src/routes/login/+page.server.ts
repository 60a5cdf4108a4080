import { fail, redirect } from '@sveltejs/kit';
import { ROLE_LABELS } from '$lib/types';
import { homeFor } from '$lib/nav';
import { app } from '$lib/server/app';
import { cityShortName } from '$pipelines/reference/index';
import { AuthError, DEMO_PASSWORD, SESSION_COOKIE, demoAccounts, login, sessionCookie } from '$lib/server/auth';
import { safeNext } from '$lib/server/auth/next';
import { clientAddress, noteProxyAddress } from '$lib/server/auth/throttle';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (locals.user) redirect(303, homeFor(locals.user.role));
	const { config, ref } = await app();
	return {
		city: cityShortName(ref.cityName),
		demoAccounts: config.demo
			? demoAccounts(ref).accounts.map((a) => ({ username: a.username, password: DEMO_PASSWORD, roleLabel: ROLE_LABELS[a.role] }))
			: []
	};
};

export const actions: Actions = {
	default: async (event) => {
		const { request, cookies, url } = event;
		noteProxyAddress(request.headers);
		const form = await request.formData();
		const username = String(form.get('username') ?? '').trim();
		const password = String(form.get('password') ?? '');
		if (!username || !password) return fail(400, { message: '请输入用户名和密码', username });
		const { rel, config } = await app();
		try {
			const s = await login(rel.db, username, password, clientAddress(event), config.sessionDays);
			cookies.set(SESSION_COOKIE, s.token, sessionCookie(url, s.expiresAt));
			redirect(303, safeNext(url.searchParams.get('next')) ?? homeFor(s.user.role));
		} catch (e) {
			if (e instanceof AuthError) return fail(e.code === 'throttled' ? 429 : 400, { message: e.message, username });
			throw e;
		}
	}
};
