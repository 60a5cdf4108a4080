import { json, redirect, type Handle, type HandleServerError, type ServerInit } from '@sveltejs/kit';
import { app, hasApp, setApp, startApp } from '$lib/server/app';
import { SESSION_COOKIE, checkSessionToken, sessionCookie } from '$lib/server/auth';
import { loadConfig } from '$lib/server/config';
import { startInbox } from '$lib/server/inbox';
import { announceServer, onShutdown } from '$lib/server/presence';
import { noteStorageFailure, storageFailure, storageMessage } from '$lib/server/storage-failure';
import { querySegmenter } from '$lib/server/text/segmenter';
import { startTextWork } from '$lib/server/text/service';
import { startAlertWork } from '$lib/server/alerts/service';
import { startBackgroundPriority, startThreads } from '$lib/server/threads';
import { stopSync } from '$lib/server/sync';
import { withoutParameters } from '$lib/server/log';
import { SESSION_EXPIRED_CODE, SESSION_EXPIRED_MESSAGE } from '$lib/session-expired';

/** Pages and endpoints anyone may reach. */
const PUBLIC = ['/login', '/healthz'];
/** Endpoints that authenticate by API token or the local secret themselves (no session, no origin rule). */
const TOKEN_ROUTES = ['/api/v1/ingest', '/api/v1/ingest/file'];
const TOKEN_PREFIXES = ['/open311/', '/api/v1/local/'];
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

const isTokenRoute = (path: string) => TOKEN_ROUTES.includes(path) || TOKEN_PREFIXES.some((p) => path.startsWith(p));

const UNSAFE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** The origin of a Referer value; '' for one that is no URL (it vouches for nothing). */
function originOf(referer: string): string {
	try {
		return new URL(referer).origin;
	} catch {
		return '';
	}
}

/**
 * The origin rule, for every route but the token-authenticated ones (DESIGN.md): an unsafe request (POST, PUT, PATCH,
 * DELETE) that a browser sent from a page of another origin is refused whatever its content type — a form, JSON, a
 * POST to /logout — so that the session cookie it carries acts for no other site. The page it came from is read from
 * Origin, else Referer, else Sec-Fetch-Site; a request with none of them was not sent by a browser's page (the command
 * line, a script) and passes, except a form, which needs its Origin as in SvelteKit's own check. The app's origin is
 * the one SvelteKit sees (ORIGIN, or PROTOCOL_HEADER/HOST_HEADER behind a proxy): with neither set behind a proxy
 * speaking HTTPS, every POST of the app's own pages is refused here, and the log line names both origins.
 * The refusal: 'form' or 'request' and the origin the request came from; null when it may pass.
 */
function crossSite(request: Request, url: URL): { kind: 'form' | 'request'; from: string } | null {
	if (!UNSAFE_METHODS.includes(request.method)) return null;
	const h = request.headers;
	const type = h.get('content-type')?.split(';')[0].trim().toLowerCase() ?? '';
	const kind = FORM_TYPES.includes(type) ? 'form' : 'request';
	const origin = h.get('origin');
	if (origin !== null) return origin === url.origin ? null : { kind, from: origin };
	if (kind === 'form') return { kind, from: '（无 Origin）' };
	const referer = h.get('referer');
	if (referer !== null) {
		const from = originOf(referer);
		return from === url.origin ? null : { kind, from: from || '（无法识别的 Referer）' };
	}
	const site = h.get('sec-fetch-site');
	return site && site !== 'same-origin' && site !== 'none' ? { kind, from: `（Sec-Fetch-Site: ${site}）` } : null;
}

/**
 * A SvelteKit form action: a POST to a page outside the API naming its action (`?/name`), or one sent by use:enhance
 * (`x-sveltekit-action: true`, which wants the ActionResult as JSON). A POST to an endpoint (/logout) is neither.
 */
function formAction(request: Request, url: URL): 'enhanced' | 'plain' | null {
	if (request.method !== 'POST' || url.pathname.startsWith('/api/')) return null;
	if (request.headers.get('x-sveltekit-action') === 'true') return 'enhanced';
	return [...url.searchParams.keys()].some((k) => k.startsWith('/')) ? 'plain' : null;
}

/**
 * A form submitted without a valid session: refused with 401 where the form is, not sent to the login page (which
 * lost what was typed). use:enhance gets a failure (the ActionResult of fail(401, …), its data in devalue's format)
 * that the app's enhance (lib/ui/forms.svelte.ts) shows without redrawing the form; a form posted without script
 * gets a page saying the same, from which the browser's Back returns to the form as it was filled in.
 */
function sessionExpiredAnswer(kind: 'enhanced' | 'plain', url: URL): Response {
	const headers = { 'cache-control': 'no-store' };
	if (kind === 'enhanced') {
		const data = JSON.stringify([{ code: 1, message: 2 }, SESSION_EXPIRED_CODE, SESSION_EXPIRED_MESSAGE]);
		return json({ type: 'failure', status: 401, data }, { status: 401, headers });
	}
	const next = encodeURIComponent(url.pathname);
	const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>登录已过期 · 民情</title></head>
<body><main>
<h1>${SESSION_EXPIRED_MESSAGE}</h1>
<p>本次提交未保存。请<a href="/login" target="_blank" rel="noopener">在新标签页中重新登录</a>，然后用浏览器的「后退」回到表单（已填写的内容一般仍在）再次提交；或<a href="/login?next=${next}">在本页登录</a>（需重新填写）。</p>
</main></body></html>`;
	return new Response(html, { status: 401, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } });
}

export const init: ServerInit = async () => {
	// started once per process; a dev-server reload reuses the running instance
	if (!hasApp()) {
		const p = startApp(loadConfig());
		setApp(p);
		const a = await p;
		// from now on DuckDB, the text analysis and the detection run below the threads that answer requests
		startBackgroundPriority(a.config.backgroundNice, startThreads());
		// tell a CLI on this machine that this server owns the data directory, and watch its drop folder
		announceServer(a.config.dataDir);
		await startInbox(a);
		// on the way down, the sync stops after its batch in flight, before the stores close under it
		onShutdown(() => stopSync(a));
		// the server's segmenter (search queries, suggestions) starts loading its dictionaries now, in a thread of its
		// own (a second or two: npm run bench -- segment prints it), so that the first query rarely waits for them
		querySegmenter(a.ref);
		// tokens, keywords, sentiment, topics and the classifier, in the background
		startTextWork(a);
		// emerging-incident detection after each batch and every minute
		startAlertWork(a);
	}
};

export const handle: Handle = async ({ event, resolve }) => {
	const path = event.url.pathname;
	if (isTokenRoute(path)) {
		event.locals.user = null;
		const response = storageStatus(event.locals, await resolve(event));
		return apiErrorShape(response, event.request.method, path);
	}
	// a NUL in the address reaches no store (PostgreSQL refuses it in text): a clear refusal, not a 500
	if ((path + event.url.search).includes('%00')) {
		const message = '请求地址含有空字符（%00），无法处理';
		return path.startsWith('/api/')
			? json({ error: { code: 'invalid_input', message } }, { status: 400 })
			: new Response(message, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
	}
	const foreign = crossSite(event.request, event.url);
	if (foreign) {
		const message = foreign.kind === 'form' ? '跨站表单提交被拒绝' : '跨站请求被拒绝：请求并非来自本站页面';
		console.warn(`[minqing] 请求被拒绝（403 跨站）：${event.request.method} ${path}，来自 ${foreign.from}，本站为 ${event.url.origin}`);
		return path.startsWith('/api/')
			? json({ error: { code: 'forbidden', message } }, { status: 403 })
			: new Response(message, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
	}
	const { rel, config } = await app();
	// the health check needs no sign-in: a session cookie a browser sends along is not looked up (with the relational
	// store down, that made /healthz a 500 instead of its 503)
	const token = path === '/healthz' ? '' : (event.cookies.get(SESSION_COOKIE) ?? '');
	const session = token ? await checkSessionToken(rel.db, token, config.sessionDays) : null;
	event.locals.user = session?.user ?? null;
	// a sliding session: when the check extended it (once per half lifetime), the browser gets the new expiry too
	if (session?.renewedUntil) event.cookies.set(SESSION_COOKIE, token, sessionCookie(event.url, session.renewedUntil));

	const isPublic = PUBLIC.includes(path) || path.startsWith('/_app/') || path === '/favicon.svg';
	if (!event.locals.user && token) event.cookies.delete(SESSION_COOKIE, { path: '/' });
	if (!isPublic && !event.locals.user) {
		if (path.startsWith('/api/')) {
			return json({ error: { code: 'unauthenticated', message: '未登录或登录已过期' } }, { status: 401 });
		}
		const action = formAction(event.request, event.url);
		if (action) return sessionExpiredAnswer(action, event.url);
		const next = path === '/' ? '' : `?next=${encodeURIComponent(path + event.url.search)}`;
		redirect(303, `/login${next}`);
	}
	if (event.locals.user?.mustChangePassword && !isPublic && !PASSWORD_CHANGE_PATHS.includes(path)) return passwordChangeFirst(event.request, path);
	const response = storageStatus(event.locals, await resolve(event));
	response.headers.set('x-content-type-options', 'nosniff');
	response.headers.set('referrer-policy', 'same-origin');
	return path.startsWith('/api/') ? apiErrorShape(response, event.request.method, path) : response;
};

/** What a user whose password an administrator set may reach: 我的账号 (the page and the API) and signing out. */
const PASSWORD_CHANGE_PATHS = ['/account', '/api/v1/account', '/api/v1/account/password', '/logout'];
const PASSWORD_CHANGE_MESSAGE = '管理员为您设置了初始密码：请先在「我的账号」中修改密码，再使用系统';

/**
 * Anything else while the password an administrator set is unchanged (a new account, a reset): a page goes to 我的账号,
 * an API call or a form elsewhere gets 403 `password_change_required`. Token-authenticated routes are not sessions and
 * are not concerned.
 */
function passwordChangeFirst(request: Request, path: string): Response {
	if (path.startsWith('/api/')) return json({ error: { code: 'password_change_required', message: PASSWORD_CHANGE_MESSAGE } }, { status: 403 });
	if (request.method === 'GET' || request.method === 'HEAD') redirect(303, '/account');
	return new Response(PASSWORD_CHANGE_MESSAGE, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** A 500 whose error was a storage fault (handleError marked it) is a 507, as a push on a full disk is. */
function storageStatus(locals: App.Locals, response: Response): Response {
	if (response.status !== 500 || !locals.storageFailure) return response;
	return new Response(response.body, { status: 507, statusText: 'Insufficient Storage', headers: response.headers });
}

/** The code of an API error raised without one (SvelteKit's own 404 and 405, a bare error(…)). */
const STATUS_CODES: Record<number, string> = {
	400: 'bad_request',
	401: 'unauthenticated',
	403: 'forbidden',
	404: 'not_found',
	405: 'method_not_allowed',
	409: 'conflict',
	413: 'payload_too_large',
	415: 'unsupported_media_type',
	429: 'too_many_requests'
};
const codeOf = (status: number) => STATUS_CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request');

/** An error response re-made as { error: { code, message } } with its status and headers (Allow of a 405 among them). */
function errorJson(response: Response, code: string, message: string): Response {
	const headers = new Headers(response.headers);
	for (const h of ['content-type', 'content-length', 'content-encoding', 'etag']) headers.delete(h);
	headers.set('cache-control', 'no-store');
	return json({ error: { code, message } }, { status: response.status, headers });
}

/**
 * API errors use DESIGN.md's shape { error: { code, message } } whatever raised them: an error(…) answered as
 * { message, code }, and under /api/ also what SvelteKit answers itself — the HTML page of a path no endpoint
 * serves (404) and the plain text of a method an endpoint lacks (405, with its Allow header). Open311 keeps its
 * own error format (a token route outside /api/).
 */
async function apiErrorShape(response: Response, method: string, path: string): Promise<Response> {
	if (response.status < 400) return response;
	if (response.headers.get('content-type')?.includes('application/json')) {
		const body = (await response.clone().json().catch(() => null)) as { error?: unknown; message?: string; code?: string } | null;
		if (!body || body.error || typeof body.message !== 'string') return response;
		return errorJson(response, body.code ?? codeOf(response.status), body.message);
	}
	if (!path.startsWith('/api/')) return response;
	const status = response.status;
	const allow = response.headers.get('allow');
	const message =
		status === 404
			? `接口不存在：${path}`
			: status === 405
				? `该接口不支持 ${method} 请求${allow ? `（可用：${allow}）` : ''}`
				: status >= 500
					? '服务内部错误，请稍后重试'
					: `请求未被接受（HTTP ${status}）`;
	return errorJson(response, codeOf(status), message);
}

/**
 * The Chinese message of a request SvelteKit refused itself (the only 4xx that reach handleError: an error(…) of the
 * app's own does not): a form action posted as something other than a form (415), a POST to a page without actions
 * (405), an address that does not decode (400).
 */
function refusalMessage(status: number, request: Request): string {
	if (status === 415) {
		const type = request.headers.get('content-type')?.slice(0, 100) || '（无）';
		return `表单须以 application/x-www-form-urlencoded、multipart/form-data 或 text/plain 格式提交，收到的是 ${type}`;
	}
	if (status === 405) return `此页面不接受 ${request.method} 提交`;
	if (status === 400) return '请求地址无法解码';
	return `请求未被接受（HTTP ${status}）`;
}

export const handleError: HandleServerError = ({ error, event, status }) => {
	if (status === 404) return { message: '页面或接口不存在', code: 'not_found' };
	// the client's mistake, not the server's: said as such, and logged as a refusal rather than an internal error
	if (status >= 400 && status < 500) {
		const code = codeOf(status);
		const detail = error instanceof Error ? error.message : String(error);
		console.warn(`[minqing] 请求被拒绝（${status} ${code}）：${event.request.method} ${event.url.pathname}：${detail.slice(0, 300)}`);
		return { message: refusalMessage(status, event.request), code };
	}
	// a full disk or a data directory that may not be written: the administrator's to fix, said so (507 in handle)
	const storage = storageFailure(error);
	if (storage) {
		noteStorageFailure(storage);
		if (event.locals) event.locals.storageFailure = storage.code;
		console.error(`[minqing] 存储故障（${storage.code}）：${event.request.method} ${event.url.pathname}：${storage.detail}`);
		return { message: storageMessage(storage), code: storage.code };
	}
	const id = crypto.randomUUID().slice(0, 8);
	console.error(`[minqing] error ${id} ${event.request.method} ${event.url.pathname}:`, withoutParameters(error));
	return { message: `服务内部错误（编号 ${id}），请稍后重试`, code: 'internal' };
};

