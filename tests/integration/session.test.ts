// Sessions: the cookie's renewal, a form sent after its session ended, the origin rule, login throttling.
import { eq } from 'drizzle-orm';
import { parse } from 'devalue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handle } from '../../src/hooks.server';
import { stopApp, type App } from '../../src/lib/server/app';
import { SESSION_COOKIE, createUser, login, logout, validateSession } from '../../src/lib/server/auth';
import { isSessionExpired } from '../../src/lib/session-expired';
import { sessions } from '../../src/lib/server/db/schema';
import { startRouteApp } from '../support/app';

const DAY = 86_400_000;
let a: App;
let userId: number;

beforeAll(async () => {
	a = await startRouteApp();
	userId = await createUser(a.rel.db, { username: 'clerk', displayName: '话务员', role: 'operator', password: 'desk-ledger-42' });
});

afterAll(async () => {
	if (a) await stopApp(a);
});

interface SetCookie {
	name: string;
	value: string;
	opts: Record<string, unknown>;
}

/** One request through the hook with the session cookie `token`; the cookies the hook set, and the response. */
async function send(url: string, token: string, init: RequestInit = {}) {
	const set: SetCookie[] = [];
	const event = {
		url: new URL(url),
		request: new Request(url, init),
		cookies: {
			get: (name: string) => (name === SESSION_COOKIE ? token : undefined),
			set: (name: string, value: string, opts: Record<string, unknown>) => set.push({ name, value, opts }),
			delete: () => {}
		},
		locals: {} as { user?: unknown },
		getClientAddress: () => '127.0.0.1'
	};
	const response = await handle({ event: event as never, resolve: (() => Promise.resolve(new Response('ok'))) as never });
	return { response, set, user: event.locals.user };
}

/** A new session of the clerk whose expiry in the table is `left` from now. */
async function sessionWith(left: number): Promise<string> {
	const { token } = await login(a.rel.db, 'clerk', 'desk-ledger-42', 'test', a.config.sessionDays);
	await a.rel.db.update(sessions).set({ expiresAt: new Date(Date.now() + left) }).where(eq(sessions.userId, userId));
	return token;
}

const expiries = async () => (await a.rel.db.select({ e: sessions.expiresAt }).from(sessions).where(eq(sessions.userId, userId))).map((r) => r.e.getTime());

describe('a sliding session', () => {
	it('sends the cookie again with the new expiry when a request extends the session (the browser dropped it at the first expiry)', async () => {
		const life = a.config.sessionDays * DAY;
		const token = await sessionWith(life / 2 - DAY);
		const before = Date.now();
		const first = await send('http://x/intake', token);
		expect(first.user).toMatchObject({ username: 'clerk' });
		expect(first.set).toHaveLength(1);
		const [c] = first.set;
		expect(c).toMatchObject({ name: SESSION_COOKIE, value: token, opts: { path: '/', httpOnly: true, sameSite: 'lax', secure: false } });
		const expires = (c.opts.expires as Date).getTime();
		expect(expires).toBeGreaterThanOrEqual(before + life);
		expect(expires).toBeLessThanOrEqual(Date.now() + life);
		// the table says the same
		expect(await expiries()).toEqual([expires]);
		// the extension is done: the next requests neither write nor send the cookie again
		expect((await send('http://x/intake', token)).set).toEqual([]);
	});

	it('keeps the cookie Secure when the app is reached over HTTPS', async () => {
		await a.rel.db.delete(sessions).where(eq(sessions.userId, userId));
		const token = await sessionWith(DAY);
		const { set } = await send('https://x/intake', token);
		expect(set).toHaveLength(1);
		expect(set[0].opts).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: true });
	});

	it('sends nothing while more than half the lifetime is left', async () => {
		await a.rel.db.delete(sessions).where(eq(sessions.userId, userId));
		const token = await sessionWith(a.config.sessionDays * DAY - 60_000);
		const { set, user } = await send('http://x/intake', token);
		expect(user).toMatchObject({ username: 'clerk' });
		expect(set).toEqual([]);
	});

	it('is not extended by a check that cannot send the cookie (the alert stream)', async () => {
		await a.rel.db.delete(sessions).where(eq(sessions.userId, userId));
		const token = await sessionWith(DAY);
		const [old] = await expiries();
		expect(await validateSession(a.rel.db, token, a.config.sessionDays, { extend: false })).toMatchObject({ username: 'clerk' });
		expect(await expiries()).toEqual([old]);
	});
});

describe('a form sent after its session ended', () => {
	const form = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://x' };
	const body = 'slug=flood&name=%E9%98%B2%E6%B1%9B';

	it('is refused with 401 where the form is: a failure use:enhance shows without redrawing the form (a redirect to the login page before)', async () => {
		const { token } = await login(a.rel.db, 'clerk', 'desk-ledger-42', 'test', a.config.sessionDays);
		await logout(a.rel.db, token);
		const { response } = await send('http://x/settings/alerts?/watchlist', token, {
			method: 'POST',
			headers: { ...form, accept: 'application/json', 'x-sveltekit-action': 'true' },
			body
		});
		expect(response.status).toBe(401);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const result = await response.json();
		// what SvelteKit's deserialize makes of it (its data in devalue's format)
		const parsed = { ...result, data: parse(result.data) };
		expect(parsed).toEqual({ type: 'failure', status: 401, data: { code: 'session_expired', message: '登录已过期，请重新登录后再提交' } });
		expect(isSessionExpired(parsed)).toBe(true);
	});

	it('posted without script, is answered with a page that says so, without any session at all', async () => {
		const { response } = await send('http://x/settings/alerts?/watchlist', '', { method: 'POST', headers: form, body });
		expect(response.status).toBe(401);
		expect(response.headers.get('content-type')).toContain('text/html');
		const html = await response.text();
		expect(html).toContain('登录已过期，请重新登录后再提交');
		expect(html).toContain('href="/login?next=%2Fsettings%2Falerts"');
	});

	it('leaves the redirect to the login page for a page and for a POST to an endpoint (/logout)', async () => {
		for (const [url, init] of [
			['http://x/settings/alerts', {}],
			['http://x/logout', { method: 'POST', headers: form, body: '' }]
		] as const) {
			const thrown = await send(url, '', init).then(
				() => null,
				(e: unknown) => e
			);
			expect(thrown).toMatchObject({ status: 303 });
			expect((thrown as { location: string }).location).toMatch(/^\/login/);
		}
	});
});

describe('the origin rule, for a request with a valid session', () => {
	it('lets through unsafe requests from the app’s own pages and from clients that name no page (no Origin, Referer or Sec-Fetch-Site)', async () => {
		const { token } = await login(a.rel.db, 'clerk', 'desk-ledger-42', 'test', a.config.sessionDays);
		const json = { 'content-type': 'application/json' };
		for (const headers of [
			{ ...json, origin: 'http://x' },
			{ ...json, referer: 'http://x/intake' },
			{ ...json, 'sec-fetch-site': 'same-origin' },
			json
		]) {
			const { response } = await send('http://x/api/v1/tickets', token, { method: 'POST', headers, body: '{}' });
			expect(response.status, JSON.stringify(headers)).toBe(200);
		}
		// behind a proxy, the origin SvelteKit sees (ORIGIN or PROTOCOL_HEADER/HOST_HEADER) is the one compared
		const proxied = await send('https://minqing.example/api/v1/tickets', token, { method: 'POST', headers: { ...json, origin: 'https://minqing.example' }, body: '{}' });
		expect(proxied.response.status).toBe(200);
	});
});

describe('login throttling across addresses', () => {
	it('slows a guesser rotating addresses once the account has 30 failures, but not the user at an address it signed in from', async () => {
		await createUser(a.rel.db, { username: 'target', displayName: '受害者', role: 'operator', password: 'real-password-1' });
		const T = Date.now();
		const attempt = (client: string, password: string, at: number) =>
			login(a.rel.db, 'target', password, client, a.config.sessionDays, at).then(
				() => 'ok',
				(e: { code: string; message: string }) => `${e.code} ${e.message}`
			);
		expect(await attempt('192.0.2.1', 'real-password-1', T)).toBe('ok');
		for (let i = 0; i < 30; i++) expect(await attempt(`198.51.100.${Math.floor(i / 10)}`, 'guess', T + 1000 + i)).toBe('bad_credentials 用户名或密码错误');
		// a fourth address waits (before, each new address had 10 guesses)
		expect(await attempt('198.51.100.3', 'guess', T + 2000)).toBe('throttled 该账号近期登录失败次数过多，请30秒后再试');
		expect(await attempt('198.51.100.3', 'real-password-1', T + 2000)).toBe('throttled 该账号近期登录失败次数过多，请30秒后再试');
		// the real user's usual address does not
		expect(await attempt('192.0.2.1', 'real-password-1', T + 2000)).toBe('ok');
		// a guess is taken again 30 s after the last failure
		expect(await attempt('198.51.100.3', 'guess', T + 1030 + 30_000)).toBe('bad_credentials 用户名或密码错误');
	});
});
