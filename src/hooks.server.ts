import { json, redirect, type Handle, type ServerInit } from '@sveltejs/kit';
import { app, hasApp, setApp, startApp } from '$lib/server/app';
import { SESSION_COOKIE, validateSession } from '$lib/server/auth';
import { loadConfig } from '$lib/server/config';

/** Pages and endpoints anyone may reach. */
const PUBLIC = ['/login', '/healthz'];

export const init: ServerInit = async () => {
	// started once per process; a dev-server reload reuses the running instance
	if (!hasApp()) {
		const p = startApp(loadConfig());
		setApp(p);
		await p;
	}
};

export const handle: Handle = async ({ event, resolve }) => {
	const { db } = (await app()).rel;
	const { sessionDays } = (await app()).config;
	const token = event.cookies.get(SESSION_COOKIE) ?? '';
	event.locals.user = token ? await validateSession(db, token, sessionDays) : null;

	const path = event.url.pathname;
	const isPublic = PUBLIC.includes(path) || path.startsWith('/_app/') || path === '/favicon.svg';
	if (!event.locals.user && token) event.cookies.delete(SESSION_COOKIE, { path: '/' });
	if (!isPublic && !event.locals.user) {
		if (path.startsWith('/api/')) {
			return json({ error: { code: 'unauthenticated', message: '未登录或登录已过期' } }, { status: 401 });
		}
		const next = path === '/' ? '' : `?next=${encodeURIComponent(path + event.url.search)}`;
		redirect(303, `/login${next}`);
	}
	return resolve(event);
};

