// The city the stores belong to. A store holds one city's reference data and tickets: started with another city
// (MINQING_CITY), it would take that city's districts and units next to the first city's (seedReference upserts)
// and keep the first city's tickets (the demo is made only into an empty store). So each store records its city at
// its first start, and a start with another city is refused. A store made before the record takes the city it is
// started with, unless its districts (relational) or its tickets (analytics) show another city.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { eq, sql } from 'drizzle-orm';
import type { Reference } from '$pipelines/reference/index';
import { getMeta, setMeta } from '$pipelines/warehouse/schema';
import { queryRows } from './analytics/duckdb';
import { StartupError, type Config } from './config';
import type { Db } from './db';
import { districts, settings } from './db/schema';

/** A city as a store records it: the GB/T 2260 code decides, the name and slug are for messages. */
export interface StoreCity {
	code: string;
	name: string;
	/** null for a city known by its code only (a store made before the record, of a city not configured here) */
	slug: string | null;
}

/** The key of the record: a row of the relational `settings`, and of the analytics store's warehouse_meta. */
export const CITY_KEY = 'city';

export function cityOf(ref: Reference): StoreCity {
	return { code: ref.cityCode, name: ref.cityName, slug: ref.city.slug };
}

/** The city of `code` as the data directory's configurations name it, else by its code. */
function cityByCode(referenceDir: string, code: string): StoreCity {
	let files: string[] = [];
	try {
		files = readdirSync(join(referenceDir, 'cities')).filter((f) => f.endsWith('.json'));
	} catch {
		// no cities/ directory
	}
	for (const f of files.sort()) {
		try {
			const c = JSON.parse(readFileSync(join(referenceDir, 'cities', f), 'utf8')) as { code?: unknown; name?: unknown; slug?: unknown };
			if (c.code === code && typeof c.name === 'string') return { code, name: c.name, slug: typeof c.slug === 'string' ? c.slug : null };
		} catch {
			// not a configuration this can read: loadReference says so when it is the one chosen
		}
	}
	return { code, name: `城市代码 ${code}`, slug: null };
}

/**
 * The relational store's city: recorded at its first start; the other city when it belongs to another (null when it
 * is `ref`'s). Before the reference data is seeded, which would mix the two.
 */
export async function claimRelationalCity(db: Db, ref: Reference, referenceDir: string): Promise<StoreCity | null> {
	const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, CITY_KEY));
	if (row) {
		const recorded = row.value as StoreCity;
		return recorded.code === ref.cityCode ? null : recorded;
	}
	const [other] = await db
		.select({ code: districts.code })
		.from(districts)
		.where(sql`${districts.code} not like ${`${ref.cityCode}%`}`)
		.limit(1);
	if (other) return cityByCode(referenceDir, other.code.slice(0, 4));
	await db.insert(settings).values({ key: CITY_KEY, value: cityOf(ref) }).onConflictDoNothing();
	return null;
}

/** The analytics store's city, as claimRelationalCity's: recorded in warehouse_meta, else told by its tickets' districts. */
export async function claimAnalyticsCity(conn: DuckDBConnection, ref: Reference, referenceDir: string): Promise<StoreCity | null> {
	const raw = await getMeta(conn, CITY_KEY);
	if (raw) {
		const recorded = JSON.parse(raw) as StoreCity;
		return recorded.code === ref.cityCode ? null : recorded;
	}
	const [other] = await queryRows<{ code: string }>(
		conn,
		'SELECT district_code AS code FROM tickets_fact WHERE district_code IS NOT NULL AND NOT starts_with(district_code, $city) LIMIT 1',
		{ city: ref.cityCode }
	);
	if (other) return cityByCode(referenceDir, other.code.slice(0, 4));
	await setMeta(conn, CITY_KEY, JSON.stringify(cityOf(ref)));
	return null;
}

const named = (c: StoreCity) => `${c.name}（${c.slug ? `MINQING_CITY=${c.slug}` : `代码 ${c.code}`}）`;

/** The refusal of a start with `ref`'s city on a store of `other`'s. */
export function otherCityError(store: 'relational' | 'analytics', other: StoreCity, ref: Reference, config: Config, path?: string): StartupError {
	const where =
		store === 'relational'
			? config.databaseUrl
				? '业务库（DATABASE_URL 所指的 PostgreSQL 数据库）'
				: `数据目录 ${config.dataDir} 中的业务库`
			: `数据目录 ${config.dataDir} 中的分析库`;
	const elsewhere = config.databaseUrl ? '用 DATABASE_URL 指定另一个数据库，并用 MINQING_DATA_DIR 指定另一个数据目录' : '用 MINQING_DATA_DIR 指定另一个数据目录';
	return new StartupError(
		`${where}存放的是${named(other)}的数据，不能以${named(cityOf(ref))}启动：一个城市的数据不能与另一个城市的放在一起。` +
			`请为${ref.cityName}${elsewhere}${other.slug ? `，或以 MINQING_CITY=${other.slug} 启动` : ''}`,
		`${store} store${path ? ` ${path}` : ''} belongs to city ${other.code} ${other.name}${other.slug ? ` (${other.slug})` : ''}, started as ${ref.cityCode} ${ref.cityName} (${ref.city.slug})`
	);
}
