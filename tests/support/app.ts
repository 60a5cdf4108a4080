import { expect } from 'vitest';
import { setApp, startApp, type App } from '../../src/lib/server/app';
import { CaseError } from '../../src/lib/server/cases/input';
import { loadConfig } from '../../src/lib/server/config';

/** The app on in-memory stores without demo data, its log silenced: how the integration tests start it. */
export function startMemoryApp(): Promise<App> {
	return startApp({ ...loadConfig({}), dataDir: ':memory:', demo: false }, () => {});
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
