// City as configuration: the app shell and the login page name the configured city (MINQING_CITY), not Suzhou.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { setApp, type App } from '../../src/lib/server/app';
import { load as layoutLoad } from '../../src/routes/(app)/+layout.server';
import { load as loginLoad } from '../../src/routes/login/+page.server';
import LoginPage from '../../src/routes/login/+page.svelte';
import AppLayout from '../../src/routes/(app)/+layout.svelte';
import { createRawSnippet } from 'svelte';
import type { SessionUser } from '../../src/lib/types';
import { cityShortName } from '../../pipelines/reference/index';

// only what these loads read of the app: another city's reference data and the configuration
setApp(Promise.resolve({ ref: { cityName: '无锡市' }, config: { demo: false } } as unknown as App));
const user: SessionUser = { id: 1, username: 'leader', displayName: '领导', role: 'leader', unitCode: null, unitName: null };

describe('the city in the app shell and on the login page', () => {
	it('comes from the reference data', async () => {
		const shell = (await layoutLoad({ locals: { user } } as never)) as { city: string };
		expect(shell.city).toBe('无锡');
		const top = render(AppLayout, { props: { data: { ...shell, user, nav: [] }, children: createRawSnippet(() => ({ render: () => '<p></p>' })) } as never }).body;
		expect(top).toContain('无锡12345热线');
		expect(top).not.toContain('苏州');
		const data = (await loginLoad({ locals: {} } as never)) as { city: string; demoAccounts: unknown[] };
		expect(data.city).toBe('无锡');
		const html = render(LoginPage, { props: { data, form: null } as never }).body;
		expect(html).toContain('无锡12345政务服务便民热线');
		expect(html).not.toContain('苏州');
	});

	it('is called by its name without 市', () => {
		expect(cityShortName('苏州市')).toBe('苏州');
		expect(cityShortName('无锡市')).toBe('无锡');
		expect(cityShortName('市')).toBe('市');
	});
});
