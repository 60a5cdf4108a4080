import { json, redirect, type Handle, type HandleServerError, type ServerInit } from '@sveltejs/kit';
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
	const { rel, config } = await app();
	const token = event.cookies.get(SESSION_COOKIE) ?? '';
	event.locals.user = token ? await validateSession(rel.db, token, config.sessionDays) : null;

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
	const response = await resolve(event);
	response.headers.set('x-content-type-options', 'nosniff');
	response.headers.set('referrer-policy', 'same-origin');
	return path.startsWith('/api/') ? apiErrorShape(response) : response;
};

/** API errors use DESIGN.md's shape { error: { code, message } } whatever raised them. */
async function apiErrorShape(response: Response): Promise<Response> {
	if (response.ok || !response.headers.get('content-type')?.includes('application/json')) return response;
	const body = (await response.clone().json().catch(() => null)) as { error?: unknown; message?: string; code?: string } | null;
	if (!body || body.error || typeof body.message !== 'string') return response;
	const code = body.code ?? (response.status === 404 ? 'not_found' : response.status >= 500 ? 'internal' : 'bad_request');
	return json({ error: { code, message: body.message } }, { status: response.status, headers: { 'cache-control': 'no-store' } });
}

export const handleError: HandleServerError = ({ error, event, status }) => {
	if (status === 404) return { message: '页面或接口不存在', code: 'not_found' };
	const id = crypto.randomUUID().slice(0, 8);
	console.error(`[minqing] error ${id} ${event.request.method} ${event.url.pathname}:`, error);
	return { message: `服务内部错误（编号 ${id}），请稍后重试`, code: 'internal' };
};

