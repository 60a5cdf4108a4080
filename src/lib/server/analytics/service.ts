// The situation screens' entry point for routes: parse the filter from the URL, run one read on the app's
// analytics store. A refused filter value is reported in `problems` (pages show it with what they show instead) and
// in `refusals` (the JSON API answers 400 with them: the parameter and its value, nothing about a page).
import type { DashboardFilter, DashboardOverview, MapData, MapPlaces, PeriodKey, SessionUser, UnitAssessment, UnitPanel } from '../../types';
import { canSee } from '../../nav';
import { ASSESSED_KINDS, UNIT_KIND_LABELS } from '../../units';
import { openableTickets } from '../cases/read';
import type { App } from '../app';
import { type DashboardContext, mapData, mapPlaces, overviewData, unitPanel } from './dashboard';
import { parseDashboardFilter } from './filters';
import { unitAssessment } from './unit-assessment';
import { duckRunner, type SqlRunner } from './sql';
import { metricRefusal } from '$lib/ui/map-scale';

/** Connections the situation reads spread over (besides the store's own, which pipelines write through). */
const READ_CONNECTIONS = 3;
/** One runner per app: it holds the read connections and caches small facts (the store's first day). */
const runners = new WeakMap<App, Promise<SqlRunner>>();

async function readRunner(a: App): Promise<SqlRunner> {
	const conns = [];
	for (let i = 0; i < READ_CONNECTIONS; i++) {
		conns.push(await a.analytics.connect());
	}
	return duckRunner(conns);
}

export async function dashboardContext(a: App, now = Date.now()): Promise<DashboardContext> {
	let db = runners.get(a);
	if (!db) runners.set(a, (db = readRunner(a)));
	return { db: await db, ref: a.ref, cal: a.calendar, now };
}

export interface DashboardRead<T> {
	filter: DashboardFilter;
	/** the refused filter values, with what the screen shows instead (parseDashboardFilter) */
	problems: string[];
	/** the same, saying only what is wrong and naming the parameter: for an answer that shows nothing instead (the API's 400) */
	refusals: string[];
	data: T;
}

async function read<T>(a: App, url: URL, fn: (ctx: DashboardContext, f: DashboardFilter) => Promise<T>, defaultPeriod: PeriodKey): Promise<DashboardRead<T>> {
	const ctx = await dashboardContext(a);
	const { filter, problems, refusals } = parseDashboardFilter(url.searchParams, a.ref, ctx.now, defaultPeriod);
	return { filter, problems, refusals, data: await fn(ctx, filter) };
}

export const readOverview = (a: App, url: URL): Promise<DashboardRead<DashboardOverview>> => read(a, url, overviewData, '30d');
/** The map's read; an unknown `metric` (which colours the page's map) is among its refusals too, for the JSON API. */
export async function readMap(a: App, url: URL): Promise<DashboardRead<MapData>> {
	const r = await read(a, url, mapData, '7d');
	const metric = metricRefusal(url.searchParams.get('metric'));
	return metric ? { ...r, refusals: [...r.refusals, metric] } : r;
}
/**
 * 考核's ranking; `kind=` lists and ranks the units of one kind among themselves (ASSESSED_KINDS). An unknown kind is
 * a problem the page shows (with all units instead) and a refusal for the API and the workbook.
 */
export async function readUnits(a: App, url: URL): Promise<DashboardRead<UnitPanel>> {
	const asked = url.searchParams.get('kind')?.trim() || null;
	const kind = asked && (ASSESSED_KINDS as readonly string[]).includes(asked) ? asked : null;
	const r = await read(a, url, (ctx, f) => unitPanel(ctx, f, kind), '30d');
	if (!asked || kind) return r;
	const hint = `可选：${ASSESSED_KINDS.map((k) => `${k}（${UNIT_KIND_LABELS[k]}）`).join('、')}`;
	return { ...r, problems: [...r.problems, `未知的单位类别「${asked}」，${hint}，已显示全部单位`], refusals: [...r.refusals, `未知的单位类别「${asked}」（参数 kind），${hint}`] };
}
/** One unit's 考核明细 with the 考核 page's filter (and default period); data null for a unit nobody knows. */
export const readUnitAssessment = (a: App, url: URL, code: string, items?: number): Promise<DashboardRead<UnitAssessment | null>> =>
	read(a, url, (ctx, f) => unitAssessment(ctx, f, code, items), '30d');

/** A unit's standing in 考核 over the default period (近30天), as 我的工单 tells its handlers: its row and how many are ranked. */
export interface UnitStanding {
	code: string;
	period: string;
	score: number | null;
	rank: number | null;
	ranked: number;
}

/**
 * The standing of the user's unit (null for a user of no unit). A failed read of the analytics store leaves it out
 * (null, logged): 我的工单 is the unit's work and never waits on it.
 */
export async function unitStanding(a: App, user: SessionUser): Promise<UnitStanding | null> {
	if (!user.unitCode) return null;
	try {
		const ctx = await dashboardContext(a);
		const { filter } = parseDashboardFilter(new URLSearchParams(), a.ref, ctx.now, '30d');
		const panel = await unitPanel(ctx, filter);
		const u = panel.units.find((x) => x.code === user.unitCode);
		return { code: user.unitCode, period: filter.periodLabel, score: u?.score ?? null, rank: u?.rank ?? null, ranked: panel.units.filter((x) => x.rank !== null).length };
	} catch (e) {
		console.error('[minqing] 本单位考核未能读取：', e);
		return null;
	}
}

/** 考核明细 as its page shows it to `user`: the read, and which of its tickets the user can open where. */
export async function unitAssessmentView(a: App, user: SessionUser, url: URL, code: string) {
	const r = await readUnitAssessment(a, url, code);
	if (!r.data) return null;
	const nos = [...new Set(r.data.cases.flatMap((c) => c.items.map((i) => i.ticketNo)))];
	return {
		...r,
		data: r.data,
		/** the tickets the case store holds that this user may open (工单详情) */
		openable: await openableTickets(a, user, nos),
		/** whether the others open as 工单档案 (who sees 检索) */
		records: canSee(user.role, '/search'),
		/** whether the unit's late open tickets can be urged from 督办 */
		supervise: canSee(user.role, '/supervise')
	};
}

/** The wall's default period: what is happening now, as on the map. */
const WALL_PERIOD: PeriodKey = '7d';

/** 大屏: the overview and the map for one filter, parsed once, so every panel of the screen shows the same period. */
export const readWall = (a: App, url: URL): Promise<DashboardRead<{ overview: DashboardOverview; map: MapPlaces }>> =>
	read(
		a,
		url,
		async (ctx, f) => {
			// the places the wall's map colours; not the map page's slider and points, which it does not show
			const [overview, map] = await Promise.all([overviewData(ctx, f), mapPlaces(ctx, f)]);
			return { overview, map };
		},
		WALL_PERIOD
	);
