// The build's change to SvelteKit's getRequest (src/adapter.js), run on SvelteKit's own source as installed: the
// Request is made without registering the client's signal, and request.signal still aborts when the client goes.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { leanRequest } from './adapter.js';

const KIT_NODE = resolve('node_modules/@sveltejs/kit/src/exports/node/index.js');

type GetRequest = (o: { request: IncomingMessage; base: string }) => Promise<Request>;

const dir = mkdtempSync(join(tmpdir(), 'minqing-adapter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** SvelteKit's node helpers from `code`, loaded as a module of their own (relative imports pointed at the installed files). */
async function load(code: string, name: string): Promise<GetRequest> {
	const absolute = code.replace(/from '(\.\.?\/[^']+)'/g, (_, p: string) => `from '${pathToFileURL(resolve(dirname(KIT_NODE), p)).href}'`);
	const file = join(dir, `${name}.mjs`);
	writeFileSync(file, absolute);
	return (await import(pathToFileURL(file).href)).getRequest;
}

/** A server that turns each incoming request into a Request with `getRequest` and hands both to the test. */
function serverOf(getRequest: GetRequest) {
	const arrived: { req: IncomingMessage; request: Request }[] = [];
	const waiters: (() => void)[] = [];
	const server: Server = createServer((req, res) => {
		void getRequest({ request: req, base: 'http://localhost' }).then(async (request) => {
			arrived.push({ req, request });
			waiters.splice(0).forEach((w) => w());
			if (req.method === 'POST' && req.headers['x-read'] === '1') res.end(await request.text());
		});
	});
	return {
		server,
		async next() {
			while (!arrived.length) await new Promise<void>((r) => waiters.push(r));
			return arrived.shift()!;
		},
		get port() {
			return (server.address() as AddressInfo).port;
		}
	};
}

describe('src/adapter.js: the Request of each incoming request', () => {
	const source = readFileSync(KIT_NODE, 'utf8');
	let lean: ReturnType<typeof serverOf>;
	let original: ReturnType<typeof serverOf>;

	beforeAll(async () => {
		lean = serverOf(await load(leanRequest(source, KIT_NODE), 'lean'));
		original = serverOf(await load(source, 'original'));
		await Promise.all([once(lean.server.listen(0, '127.0.0.1'), 'listening'), once(original.server.listen(0, '127.0.0.1'), 'listening')]);
	});
	afterAll(() => {
		lean.server.close();
		original.server.close();
		lean.server.closeAllConnections();
		original.server.closeAllConnections();
	});

	function post(port: number, body: string, headers: Record<string, string> = {}) {
		const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/api/v1/tickets', headers: { 'content-type': 'text/plain', ...headers } });
		req.on('error', () => {});
		req.end(body);
		return req;
	}

	it('makes the Request without adding a listener to the client signal (SvelteKit as installed adds one, with a FinalizationRegistry entry)', async () => {
		/** abort listeners added while a request of that server is made into a Request */
		async function listenersAdded(srv: ReturnType<typeof serverOf>) {
			const spy = vi.spyOn(AbortSignal.prototype, 'addEventListener');
			try {
				post(srv.port, 'x');
				const { request } = await srv.next();
				return { request, added: spy.mock.calls.filter(([type]) => type === 'abort').length };
			} finally {
				spy.mockRestore();
			}
		}
		expect((await listenersAdded(original)).added).toBe(1);
		const { request, added } = await listenersAdded(lean);
		expect(added).toBe(0);
		expect(request.signal).toBeInstanceOf(AbortSignal);
		expect(request.signal.aborted).toBe(false);
		expect(request.method).toBe('POST');
		expect(new URL(request.url).pathname).toBe('/api/v1/tickets');
	});

	it('reads the body as before', async () => {
		const req = post(lean.port, '张三：路灯坏了', { 'x-read': '1' });
		await lean.next();
		const [res] = (await once(req, 'response')) as [IncomingMessage];
		let text = '';
		for await (const chunk of res) text += chunk;
		expect(text).toBe('张三：路灯坏了');
	});

	it('request.signal aborts when the client of a GET (the alert stream) goes away', async () => {
		const req = httpRequest({ port: lean.port, host: '127.0.0.1', method: 'GET', path: '/api/v1/alerts/stream' });
		req.on('error', () => {});
		req.end();
		const { request } = await lean.next();
		expect(request.signal.aborted).toBe(false);
		const aborted = once(request.signal, 'abort');
		req.destroy();
		await aborted;
		expect(request.signal.aborted).toBe(true);
	});

	it('request.signal aborts when the client goes away before the body ends', async () => {
		const req = httpRequest({ port: lean.port, host: '127.0.0.1', method: 'POST', path: '/api/v1/alerts/stream', headers: { 'content-length': '100' } });
		req.on('error', () => {});
		req.write('partial');
		const { request } = await lean.next();
		const aborted = once(request.signal, 'abort');
		req.destroy();
		await aborted;
		expect(request.signal.aborted).toBe(true);
	});

	it('stops the build when SvelteKit no longer builds the Request that way', () => {
		expect(() => leanRequest('export async function getRequest() { return new Request(url); }', 'build/server/chunks/handler.js')).toThrow(
			/getRequest.*build\/server\/chunks\/handler\.js.*found it 0 times/
		);
		const twice = leanRequest(source, KIT_NODE);
		expect(() => leanRequest(source + source, KIT_NODE)).toThrow(/found it 2 times/);
		expect(twice).toContain("Object.defineProperty(request_, 'signal'");
		expect(twice).not.toMatch(/signal: controller\.signal/);
	});
});
