// The situation screens' entry point for routes: parse the filter from the URL, run one read on the app's
// analytics store. A refused filter value is reported in `problems` (pages show it; the API answers 400).
import type { DashboardFilter, DashboardOverview, MapData, PeriodKey, UnitPanel } from '../../types';
import type { App } from '../app';
import { type DashboardContext, mapData, overviewData, unitPanel } from './dashboard';
import { parseDashboardFilter } from './filters';
import { duckRunner, type SqlRunner } from './sql';

/** One runner per app: the reads cache small facts (the store's first day) per runner. */
const runners = new WeakMap<App, SqlRunner>();

export function dashboardContext(a: App, now = Date.now()): DashboardContext {
	let db = runners.get(a);
	if (!db) runners.set(a, (db = duckRunner(a.analytics.conn)));
	return { db, ref: a.ref, cal: a.calendar, now };
}

export interface DashboardRead<T> {
	filter: DashboardFilter;
	problems: string[];
	data: T;
}

async function read<T>(a: App, url: URL, fn: (ctx: DashboardContext, f: DashboardFilter) => Promise<T>, defaultPeriod: PeriodKey): Promise<DashboardRead<T>> {
	const ctx = dashboardContext(a);
	const { filter, problems } = parseDashboardFilter(url.searchParams, a.ref, ctx.now, defaultPeriod);
	return { filter, problems, data: await fn(ctx, filter) };
}

export const readOverview = (a: App, url: URL): Promise<DashboardRead<DashboardOverview>> => read(a, url, overviewData, '30d');
export const readMap = (a: App, url: URL): Promise<DashboardRead<MapData>> => read(a, url, mapData, '7d');
export const readUnits = (a: App, url: URL): Promise<DashboardRead<UnitPanel>> => read(a, url, unitPanel, '30d');
