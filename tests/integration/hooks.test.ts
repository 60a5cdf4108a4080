// The server hook's guards that answer before any store is reached.
import { describe, expect, it, vi } from 'vitest';
import { handle, handleError } from '../../src/hooks.server';
import { recentStorageFailure, storageFailure } from '../../src/lib/server/storage-failure';

const eventFor = (url: string) =>
	({
		url: new URL(url),
		request: new Request(url),
		cookies: { get: () => undefined, delete: () => {} },
		locals: {}
	}) as never;
const resolve = () => {
	throw new Error('resolved: the guard let the request through');
};

describe('a NUL in the address', () => {
	it('is refused with 400 and a Chinese message, in the API shape on the API (a 500 from the store before)', async () => {
		const api = await handle({ event: eventFor('http://x/api/v1/tickets/%00'), resolve });
		expect(api.status).toBe(400);
		expect(await api.json()).toEqual({ error: { code: 'invalid_input', message: '请求地址含有空字符（%00），无法处理' } });
		const page = await handle({ event: eventFor('http://x/search?q=%00'), resolve });
		expect(page.status).toBe(400);
		expect(await page.text()).toBe('请求地址含有空字符（%00），无法处理');
	});
});

describe('errors under /api/ that no API handler answered', () => {
	const answer = (response: Response) => () => Promise.resolve(response);
	const call = (url: string, response: Response, method = 'GET') =>
		handle({ event: { ...(eventFor(url) as object), request: new Request(url, { method }) } as never, resolve: answer(response) as never });

	it('take the API shape { error: { code, message } } with their status: SvelteKit’s 404 page, its 405 text with Allow, a bare { message, code }', async () => {
		const notFound = await call('http://x/api/v1/local/nope', new Response('<!doctype html><h1>404</h1>', { status: 404, headers: { 'content-type': 'text/html' } }));
		expect(notFound.status).toBe(404);
		expect(notFound.headers.get('content-type')).toContain('application/json');
		expect(await notFound.json()).toEqual({ error: { code: 'not_found', message: '接口不存在：/api/v1/local/nope' } });

		const wrongMethod = await call(
			'http://x/api/v1/local/status',
			new Response('DELETE method not allowed', { status: 405, headers: { 'content-type': 'text/plain', allow: 'POST' } }),
			'DELETE'
		);
		expect(wrongMethod.status).toBe(405);
		expect(wrongMethod.headers.get('allow')).toBe('POST');
		expect(await wrongMethod.json()).toEqual({ error: { code: 'method_not_allowed', message: '该接口不支持 DELETE 请求（可用：POST）' } });

		const bare = await call('http://x/api/v1/local/status', Response.json({ message: '当前账号无权访问此页面', code: 'forbidden' }, { status: 403 }));
		expect(bare.status).toBe(403);
		expect(await bare.json()).toEqual({ error: { code: 'forbidden', message: '当前账号无权访问此页面' } });
	});

	it('a cross-site form to the API is refused in the API shape (a page keeps the plain text)', async () => {
		const form = (url: string) =>
			handle({
				event: {
					...(eventFor(url) as object),
					request: new Request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil' }, body: 'a=1' })
				} as never,
				resolve
			});
		const api = await form('http://x/api/v1/tickets');
		expect(api.status).toBe(403);
		expect(await api.json()).toEqual({ error: { code: 'forbidden', message: '跨站表单提交被拒绝' } });
		expect(await (await form('http://x/intake')).text()).toBe('跨站表单提交被拒绝');
	});

	it('leave Open311’s own errors and successful answers alone', async () => {
		const xml = '<?xml version="1.0"?><errors><error><code>404</code></error></errors>';
		const open311 = await call('http://x/open311/v2/requests/1.xml', new Response(xml, { status: 404, headers: { 'content-type': 'text/xml' } }));
		expect(await open311.text()).toBe(xml);
		const ok = await call('http://x/api/v1/local/status', new Response('fine', { status: 200, headers: { 'content-type': 'text/plain' } }));
		expect(await ok.text()).toBe('fine');
	});
});

describe('an unsafe request from a page of another site', () => {
	const send = (url: string, headers: Record<string, string>, method = 'POST', body: string | null = '{}') =>
		handle({
			event: {
				...(eventFor(url) as object),
				request: new Request(url, { method, headers: { cookie: 'mq_session=abc', ...headers }, body: method === 'DELETE' ? null : body })
			} as never,
			resolve
		});
	const REFUSED = { error: { code: 'forbidden', message: '跨站请求被拒绝：请求并非来自本站页面' } };

	it('is refused with 403 in the API shape whatever its content type (JSON was accepted: only forms were checked)', async () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		try {
			for (const type of ['application/json', 'application/json;x', 'application/octet-stream']) {
				const r = await send('http://x/api/v1/alerts/1/notes', { 'content-type': type, origin: 'http://evil.example' });
				expect(r.status, type).toBe(403);
				expect(await r.json()).toEqual(REFUSED);
			}
			for (const method of ['PUT', 'PATCH', 'DELETE']) {
				expect((await send('http://x/api/v1/knowledge/kb-1', { 'content-type': 'application/json', origin: 'http://evil.example' }, method)).status).toBe(403);
			}
			// the refusal is logged with both origins (a proxy without ORIGIN or PROTOCOL_HEADER shows itself there)
			expect(warn).toHaveBeenCalledWith('[minqing] 请求被拒绝（403 跨站）：POST /api/v1/alerts/1/notes，来自 http://evil.example，本站为 http://x');
		} finally {
			warn.mockRestore();
		}
	});

	it('is refused when only the Referer or Sec-Fetch-Site names the other site, and a POST to /logout too (it ended the session)', async () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		try {
			const byReferer = await send('http://x/api/v1/tickets', { 'content-type': 'application/json', referer: 'http://evil.example/page' });
			expect(byReferer.status).toBe(403);
			expect(await byReferer.json()).toEqual(REFUSED);
			expect((await send('http://x/api/v1/tickets', { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
			expect((await send('http://x/api/v1/tickets', { 'content-type': 'application/json', origin: 'null' })).status).toBe(403);
			const logout = await send('http://x/logout', { origin: 'http://evil.example' }, 'POST', null);
			expect(logout.status).toBe(403);
			expect(await logout.text()).toBe('跨站请求被拒绝：请求并非来自本站页面');
			// the app's origin is the one SvelteKit sees (ORIGIN or PROTOCOL_HEADER behind a proxy): http is not https
			expect((await send('https://minqing.example/api/v1/tickets', { 'content-type': 'application/json', origin: 'http://minqing.example' })).status).toBe(403);
		} finally {
			warn.mockRestore();
		}
	});

	it('leaves the token-authenticated routes alone (Open311 and the feed push come from other servers)', async () => {
		const ok = () => Promise.resolve(new Response('fine', { status: 200 }));
		for (const url of ['http://x/open311/v2/requests.json', 'http://x/api/v1/ingest', 'http://x/api/v1/local/status']) {
			const r = await handle({
				event: {
					...(eventFor(url) as object),
					request: new Request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://partner.example' }, body: 'a=1' })
				} as never,
				resolve: ok as never
			});
			expect(r.status, url).toBe(200);
		}
	});
});

describe('a request SvelteKit refuses itself', () => {
	const refuse = (status: number, message: string, init: RequestInit, url = 'http://x/settings/alerts?/watchlist') => {
		const error = Object.assign(new Error(message), { status, text: message });
		return handleError({ error, event: { ...(eventFor(url) as object), request: new Request(url, init) } as never, status, message });
	};

	it('a form action posted as JSON: 415 said in Chinese and logged as a refusal, not as an internal error (服务内部错误 and an error entry before)', async () => {
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		const error = vi.spyOn(console, 'error').mockImplementation(() => {});
		try {
			const answer = await refuse(415, 'Form actions expect form-encoded data — received application/json', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{}'
			});
			expect(answer).toEqual({
				message: '表单须以 application/x-www-form-urlencoded、multipart/form-data 或 text/plain 格式提交，收到的是 application/json',
				code: 'unsupported_media_type'
			});
			expect(error).not.toHaveBeenCalled();
			expect(warn).toHaveBeenCalledWith(
				'[minqing] 请求被拒绝（415 unsupported_media_type）：POST /settings/alerts：Form actions expect form-encoded data — received application/json'
			);
			// a POST to a page without actions, an address that does not decode
			expect(await refuse(405, 'POST method not allowed. No form actions exist for this page', { method: 'POST' }, 'http://x/map')).toEqual({
				message: '此页面不接受 POST 提交',
				code: 'method_not_allowed'
			});
			expect(await refuse(400, 'Failed to decode URI: /%E0', {}, 'http://x/%E0')).toEqual({ message: '请求地址无法解码', code: 'bad_request' });
			expect(error).not.toHaveBeenCalled();
		} finally {
			warn.mockRestore();
			error.mockRestore();
		}
	});

	it('an unexpected error is still an internal one, with its number in the log', async () => {
		const error = vi.spyOn(console, 'error').mockImplementation(() => {});
		try {
			const answer = (await handleError({ error: new Error('boom'), event: eventFor('http://x/intake') as never, status: 500, message: 'Internal Error' })) as { message: string };
			expect(answer.message).toMatch(/^服务内部错误（编号 [0-9a-f]{8}），请稍后重试$/);
			expect(error).toHaveBeenCalledOnce();
		} finally {
			error.mockRestore();
		}
	});
});

describe('a storage fault', () => {
	// as PGlite reports a data directory made read-only under the running server, wrapped by drizzle
	const readOnly = () =>
		Object.assign(new Error('Failed query: insert into "tickets" (...) values (...)'), {
			cause: Object.assign(new Error('could not open file "base/5/16808": Permission denied'), { code: '58P01' })
		});

	it('is answered 507 in plain Chinese, not 服务内部错误, and logged as a storage fault; /healthz reports it', async () => {
		const error = vi.spyOn(console, 'error').mockImplementation(() => {});
		try {
			const event = { ...(eventFor('http://x/api/v1/local/status') as object), request: new Request('http://x/api/v1/local/status', { method: 'POST' }), locals: {} } as never;
			const body = (await handleError({ error: readOnly(), event, status: 500, message: 'Internal Error' })) as { message: string; code: string };
			expect(body).toEqual({ code: 'storage_unavailable', message: expect.stringContaining('服务器无法写入数据目录（没有写权限或为只读）') });
			expect(body.message).not.toContain('服务内部错误');
			expect(error).toHaveBeenCalledWith(expect.stringContaining('存储故障（storage_unavailable）：POST /api/v1/local/status：58P01 could not open file "base/5/16808": Permission denied'));
			// the response SvelteKit made of it (500 with handleError's body) goes out as 507, in the API's shape
			const answer = await handle({ event, resolve: (() => Promise.resolve(Response.json(body, { status: 500 }))) as never });
			expect(answer.status).toBe(507);
			expect(await answer.json()).toEqual({ error: body });
			expect(recentStorageFailure()).toMatchObject({ code: 'storage_unavailable' });
			// a full disk as before (the pushes' 507), an account's missing rights and other faults are not storage faults
			expect(storageFailure(Object.assign(new Error('could not extend file "base/5/1": No space left on device'), { code: '53100' }))?.code).toBe('storage_full');
			expect(storageFailure(new Error('permission denied for table tickets'))).toBeNull();
			expect(storageFailure(new Error('boom'))).toBeNull();
		} finally {
			error.mockRestore();
		}
	});
});

