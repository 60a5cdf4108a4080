// City as configuration: the app shell and the login page name the configured city (MINQING_CITY), not Suzhou.
import { render } from 'svelte/server';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { setApp, startApp, stopApp, type App } from '../../src/lib/server/app';
import { loadConfig, type Config } from '../../src/lib/server/config';
import { syncDemoAccounts } from '../../src/lib/server/auth';
import { districts, settings, tickets, users } from '../../src/lib/server/db/schema';
import { StartupError } from '../../src/lib/server/config';
import { CITY_KEY } from '../../src/lib/server/store-city';
import { deleteMeta, getMeta } from '../../pipelines/warehouse/schema';
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
async function inTestCity<T>(units: string[], fn: (referenceDir: string) => Promise<T>, city: string = TEST_CITY.slug): Promise<T> {
	const data = testCityData({ units });
	const before = process.env.MINQING_CITY;
	process.env.MINQING_CITY = city;
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

describe('a data directory holds one city', () => {
	/** Starts the app on `dataDir` with the city `slug` of `referenceDir` (a copy of data/ with both cities). */
	async function startAs(slug: string, referenceDir: string, dataDir: string): Promise<App> {
		process.env.MINQING_CITY = slug;
		return startApp({ ...loadConfig({}), referenceDir, dataDir, demo: false }, () => {});
	}
	async function refusedAs(slug: string, referenceDir: string, dataDir: string): Promise<StartupError> {
		const e = await startAs(slug, referenceDir, dataDir).then(
			async (a) => {
				await stopApp(a);
				throw new Error(`started as ${slug} on ${dataDir}`);
			},
			(err: unknown) => err
		);
		expect(e).toBeInstanceOf(StartupError);
		return e as StartupError;
	}
	const cityRecord = async (a: App) => [
		(await a.rel.db.select({ value: settings.value }).from(settings).where(eq(settings.key, CITY_KEY)))[0]?.value ?? null,
		JSON.parse((await getMeta(a.analytics.conn, CITY_KEY)) ?? 'null')
	];
	const SUZHOU = { code: '3205', name: '苏州市', slug: 'suzhou' };
	/** the analytics store's sync position (sync.ts) */
	const WATERMARK = 'sync_watermark';

	it('records its city at the first start and refuses a start with another city, naming both', async () => {
		const first = mkdtempSync(join(tmpdir(), 'minqing-store-'));
		const second = mkdtempSync(join(tmpdir(), 'minqing-store-'));
		try {
			await inTestCity([], async (referenceDir) => {
				let a = await startAs('suzhou', referenceDir, first);
				expect(await cityRecord(a)).toEqual([SUZHOU, SUZHOU]);
				await stopApp(a);

				let e = await refusedAs(TEST_CITY.slug, referenceDir, first);
				expect(e.userMessage).toBe(
					`数据目录 ${first} 中的业务库存放的是苏州市（MINQING_CITY=suzhou）的数据，不能以测试市（MINQING_CITY=ceshi）启动：` +
						'一个城市的数据不能与另一个城市的放在一起。请为测试市用 MINQING_DATA_DIR 指定另一个数据目录，或以 MINQING_CITY=suzhou 启动'
				);
				expect(e.detail).toBe('relational store belongs to city 3205 苏州市 (suzhou), started as 9901 测试市 (ceshi)');

				// nothing of the other city was added; then the records go, as in a store made before them, whose
				// analytics store has a ticket of Suzhou
				a = await startAs('suzhou', referenceDir, first);
				const [{ n }] = (await a.rel.db.select({ n: sql<number>`count(*)::int` }).from(districts).where(sql`${districts.code} like '9901%'`)) as { n: number }[];
				expect(n).toBe(0);
				await a.rel.db.delete(settings).where(eq(settings.key, CITY_KEY));
				await deleteMeta(a.analytics.conn, CITY_KEY);
				await a.analytics.conn.run(
					`INSERT INTO tickets_fact (ticket_no, source, external_id, channel, type, content, urgency, status, received_at, day, hour,
						updated_at, returns, extensions, reopens, urges, district_code)
					 VALUES ('T-1', 'test', 'T-1', 'web', '投诉', '噪音扰民', 'normal', 'closed', TIMESTAMPTZ '2026-01-05 10:00:00+08',
						DATE '2026-01-05', 10, TIMESTAMPTZ '2026-01-05 10:00:00+08', 0, 0, 0, 0, '320508')`
				);
				// nor, made before the pairing too, the relational store it was synced from (pairing.ts would refuse a copy
				// beside a new relational store for that): the records of a store that never synced
				await deleteMeta(a.analytics.conn, 'relational_store');
				await deleteMeta(a.analytics.conn, WATERMARK);
				await stopApp(a);
				for (const f of ['minqing.duckdb', 'minqing.duckdb.wal'])
					if (existsSync(join(first, f))) cpSync(join(first, f), join(second, f));

				// a store made before the record: its districts tell its city
				e = await refusedAs(TEST_CITY.slug, referenceDir, first);
				expect(e.userMessage).toContain(`数据目录 ${first} 中的业务库存放的是苏州市（MINQING_CITY=suzhou）的数据`);
				// an analytics store made before the record, beside a new relational store: its tickets tell its city
				e = await refusedAs(TEST_CITY.slug, referenceDir, second);
				expect(e.userMessage).toContain(`数据目录 ${second} 中的分析库存放的是苏州市（MINQING_CITY=suzhou）的数据，不能以测试市（MINQING_CITY=ceshi）启动`);
				expect(e.detail).toBe(`analytics store ${join(second, 'minqing.duckdb')} belongs to city 3205 苏州市 (suzhou), started as 9901 测试市 (ceshi)`);

				// started with its own city, a store made before the record takes it
				a = await startAs('suzhou', referenceDir, first);
				expect(await cityRecord(a)).toEqual([SUZHOU, SUZHOU]);
				await stopApp(a);
			}, 'suzhou');
		} finally {
			rmSync(first, { recursive: true, force: true });
			rmSync(second, { recursive: true, force: true });
		}
	}, 300_000);
});
