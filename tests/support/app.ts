import { expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setApp, startApp, stopApp, type App } from '../../src/lib/server/app';
import { CaseError } from '../../src/lib/server/cases/input';
import type { Role, SessionUser } from '../../src/lib/types';
import { loadConfig } from '../../src/lib/server/config';

/** The app on in-memory stores without demo data, its log silenced: how the integration tests start it. */
export function startMemoryApp(): Promise<App> {
	return startApp({ ...loadConfig({}), dataDir: ':memory:', demo: false }, () => {});
}

/**
 * A restart over a data directory on disk: an app on a new directory, `before` on it, the app stopped, an app started
 * again over the same directory and `after` on it; both stopped and the directory removed at the end.
 */
export async function acrossRestart(prefix: string, before: (b: App) => Promise<void>, after: (b: App) => Promise<void>): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), `minqing-${prefix}-`));
	const start = () => startApp({ ...loadConfig({}), dataDir: dir, demo: false }, () => {});
	try {
		const first = await start();
		try {
			await before(first);
		} finally {
			await stopApp(first);
		}
		const again = await start();
		try {
			await after(again);
		} finally {
			await stopApp(again);
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** startMemoryApp, made the app the route handlers and page loads find through app(), as the server's is. */
export async function startRouteApp(): Promise<App> {
	const a = await startMemoryApp();
	setApp(Promise.resolve(a));
	return a;
}

/** The HTTP status of the error a route handler throws (SvelteKit's error(403) for a role it refuses); 0 when it answers. */
export async function refusedStatus(p: Promise<unknown>): Promise<number> {
	const e = (await p.then(
		() => null,
		(x: unknown) => x
	)) as { status?: number } | null;
	return e?.status ?? 0;
}

/** The CaseError a domain call is refused with (it must be refused): [code, field, message]. */
export async function caseRefusal(p: Promise<unknown>): Promise<[string, string | null, string]> {
	const e = await p.then(
		() => null,
		(x: unknown) => x
	);
	expect(e, 'expected a refusal').toBeInstanceOf(CaseError);
	const c = e as CaseError;
	return [c.code, c.field, c.message];
}

/** A signed-in user of `role` as the hooks put it in locals (id 1, no unit). */
export const sessionUser = (role: Role, username = `t_${role}`): SessionUser => ({ id: 1, username, displayName: `接口${role}`, role, unitCode: null, unitName: null });

/**
 * Calls an API route handler as SvelteKit does, signed in as `role` (user name `as`): a JSON body (a string is sent
 * as it is). Its status, JSON answer, headers and Location.
 */
export async function callRoute(
	handler: unknown,
	address: string,
	init: { method?: string; body?: unknown; params?: Record<string, string>; role?: Role; as?: string } = {}
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers; location: string | null }> {
	const url = new URL(address, 'http://localhost');
	const request = new Request(url, {
		method: init.method ?? 'GET',
		body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
		headers: { 'content-type': 'application/json' }
	});
	const res = await (handler as (event: never) => Response | Promise<Response>)({
		request,
		url,
		params: init.params ?? {},
		locals: { user: sessionUser(init.role ?? 'admin', init.as) }
	} as never);
	return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers, location: res.headers.get('location') };
}

/** What a settings page's form action answers: a success ({ saved }) or a refusal (fail: status and data). */
export interface FormAnswer {
	status?: number;
	data?: { form?: string; field?: string; message?: string; values?: Record<string, string> };
	form?: string;
	saved?: string;
}

/** Posts `fields` to a page's form action as SvelteKit does, signed in as an administrator (user name `as`). */
export function postForm(action: unknown, address: string, fields: Record<string, string>, as = 'chief'): Promise<FormAnswer> {
	const fd = new FormData();
	for (const [k, v] of Object.entries(fields)) fd.set(k, v);
	const request = new Request(new URL(address, 'http://localhost'), { method: 'POST', body: fd });
	return (action as (event: never) => Promise<FormAnswer>)({ request, locals: { user: sessionUser('admin', as) } } as never);
}
