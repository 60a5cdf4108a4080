// City as configuration: the app shell and the login page name the configured city (MINQING_CITY), not Suzhou.
import { render } from 'svelte/server';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { setApp, startApp, stopApp, type App } from '../../src/lib/server/app';
import { loadConfig, type Config } from '../../src/lib/server/config';
import { syncDemoAccounts } from '../../src/lib/server/auth';
import { tickets, users } from '../../src/lib/server/db/schema';
import { testCityData, TEST_CITY } from '../support/city';
import { load as layoutLoad } from '../../src/routes/(app)/+layout.server';
import { load as loginLoad } from '../../src/routes/login/+page.server';
import LoginPage from '../../src/routes/login/+page.svelte';
import AppLayout from '../../src/routes/(app)/+layout.svelte';
import { createRawSnippet } from 'svelte';
import type { SessionUser } from '../../src/lib/types';
import { cityShortName } from '../../pipelines/reference/index';

// only what these loads read of the app: another city's reference data and the configuration
const shellApp = { ref: { cityName: '无锡市' }, config: { demo: false } } as unknown as App;
setApp(Promise.resolve(shellApp));
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

/** Runs `fn` with MINQING_CITY set to the test city of a fresh copy of data/ (whose path it is given). */
async function inTestCity<T>(units: string[], fn: (referenceDir: string) => Promise<T>): Promise<T> {
	const data = testCityData({ units });
	const before = process.env.MINQING_CITY;
	process.env.MINQING_CITY = TEST_CITY.slug;
	try {
		return await fn(data.dir);
	} finally {
		if (before === undefined) delete process.env.MINQING_CITY;
		else process.env.MINQING_CITY = before;
		data.remove();
	}
}

const memoryConfig = (referenceDir: string, demo: boolean): Config => ({
	...loadConfig({}),
	referenceDir,
	dataDir: ':memory:',
	demo,
	demoTickets: 1500,
	demoDays: 30
});

async function unitAccounts(a: App): Promise<string[][]> {
	const rows = await a.rel.db.select().from(users).where(sql`${users.demo} and ${users.active} and ${users.role} = 'unit_handler'`);
	return rows.map((u) => [u.username, u.unitCode ?? '', u.displayName]).sort();
}

describe('demo mode in a city with the importer’s placeholder units only', () => {
	it('starts, the unit accounts taking units of that city, and leaves out the one the city has no unit for', async () => {
		await inTestCity([], async (referenceDir) => {
			const logs: string[] = [];
			const a = await startApp(memoryConfig(referenceDir, true), (m) => logs.push(m));
			try {
				expect(a.ref.cityName).toBe(TEST_CITY.name);
				expect(await unitAccounts(a)).toEqual([['unit_gusu', 'D990101', '甲区承办员']]);
				expect(logs).toContain(
					'[minqing] 演示账号 unit_env 未创建：测试市的单位名录（reference/ceshi-units.tsv）中没有生态环境局（名称含“生态环境”的市级单位）'
				);
				const [{ n }] = (await a.rel.db.select({ n: sql<number>`count(*)::int` }).from(tickets)) as { n: number }[];
				expect(n).toBeGreaterThan(0);
				// the login page offers the accounts that exist
				setApp(Promise.resolve(a));
				const data = (await loginLoad({ locals: {} } as never)) as { city: string; demoAccounts: { username: string }[] };
				expect(data.city).toBe('测试');
				expect(data.demoAccounts.map((d) => d.username)).toContain('unit_gusu');
				expect(data.demoAccounts.map((d) => d.username)).not.toContain('unit_env');
			} finally {
				setApp(Promise.resolve(shellApp));
				await stopApp(a);
			}
		});
	});

	it('gives unit_env the city’s environment bureau once its register has one', async () => {
		await inTestCity(['M07\t测试市生态环境局\t市生态环境局\tmunicipal\t\t'], async (referenceDir) => {
			const a = await startApp(memoryConfig(referenceDir, false), () => {});
			try {
				await syncDemoAccounts(a.rel.db, true, a.ref);
				expect(await unitAccounts(a)).toEqual([
					['unit_env', 'M07', '市生态环境局承办员'],
					['unit_gusu', 'D990101', '甲区承办员']
				]);
			} finally {
				await stopApp(a);
			}
		});
	});
});
