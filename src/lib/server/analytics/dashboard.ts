// The situation screens' reads: overview (态势总览), map (态势地图) and the unit panel (单位考核). Every figure
// comes from the rollups (pipelines/warehouse/rollups.ts) when one has the dimensions a filter needs, else
// from the same measure over the facts; open and overdue counts are read from the facts, as of now.
// Written once in SQL both DuckDB and PostgreSQL run (see ./sql.ts), so the benchmark can time the same reads
// on both engines.
import { addDays, daysBetween, shanghaiDay, shanghaiMidnight, type WorkCalendar } from '$pipelines/calendar/index';
import { CHANNEL_LABELS, type Channel } from '$pipelines/lifecycle/model';
import type { Reference } from '$pipelines/reference/index';
import { DAY_KIND_LABELS, dayBaseline, dayKind, referenceDays, spanBaseline } from '$pipelines/stats/baseline';
import { HOTSPOT_DEFAULTS, HOTSPOT_METHOD, historyWindows, placeSignificance } from '$pipelines/stats/hotspots';
import { ALL_MEASURES, baseFor, HOURLY_DAYS, measureSql, OPEN_TICKETS, sourceFor, type Dim, type Measure } from '$pipelines/warehouse/rollups';
import type {
	BaselinePoint,
	DashboardFilter,
	DashboardOverview,
	HandlingRates,
	LateUnit,
	MapData,
	MapPlaces,
	OpenCounts,
	OverviewTopic,
	PlaceStat,
	RankedChange,
	UnitPanel,
	VolumeCard
} from '../../types';
import { ASSESSMENT_WEIGHTS, assessmentScore, handlingRates, leadCounts, rankScores, satisfactionRate, type HandlingCounts } from '../assessment';
import { filterDims, filterWhere, periodDays } from './filters';
import type { SqlParams, SqlRunner } from './sql';

export interface DashboardContext {
	db: SqlRunner;
	ref: Reference;
	cal: WorkCalendar;
	/** the instant the figures are computed for (ms) */
	now: number;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

// ---------------------------------------------------------------------------------------------------------
// The one aggregation every panel goes through

interface AggregateSpec {
	filter: DashboardFilter;
	from: string;
	to: string;
	by?: Dim[];
	measures: readonly Measure[];
	/** filter dimensions to ignore (a ranking by district ignores the district filter to show all districts) */
	omit?: Dim[];
	/** extra conditions (leading " AND ") with their parameters */
	where?: { sql: string; params: SqlParams };
	/** numbered windows of days: rows are grouped by window index `w` (0 = the first) instead of by day */
	windows?: { from: string; to: string }[];
	/**
	 * group by each of these dimensions separately (GROUPING SETS, each with `w`), in one pass over the
	 * source; a row's `g_<dim>` is 0 for the dimension it belongs to
	 */
	sets?: Dim[];
	/**
	 * count the handling rounds of the units that held the tickets (UNIT_ROUNDS), not the tickets: what the unit
	 * assessment counts; implied by grouping by `unit_code`
	 */
	rounds?: boolean;
}

function recentFrom(now: number): string {
	return addDays(shanghaiDay(now), -HOURLY_DAYS);
}

export async function aggregate(ctx: DashboardContext, spec: AggregateSpec): Promise<Row[]> {
	const by = spec.by ?? [];
	const omit = spec.omit ?? [];
	// by unit the rollups count rounds (sourceFor): rounds are asked for by the unit dimension, and only units' rows count
	const rounds = spec.rounds || by.includes('unit_code');
	const dims = [...new Set<Dim>(['day', ...by, ...(rounds ? (['unit_code'] as Dim[]) : []), ...(spec.sets ?? []), ...filterDims(spec.filter).filter((d) => !omit.includes(d))])];
	const source = sourceFor(dims, spec.measures);
	const table = source ? source.table : baseFor(dims);
	const fw = filterWhere(spec.filter, omit);
	const params: SqlParams = { from: spec.from, to: spec.to, ...fw.params, ...(spec.where?.params ?? {}) };
	const select: string[] = by.map((d) => (d === 'day' ? 'CAST(day AS VARCHAR) AS day' : d));
	const measures = spec.measures.map((m) => `(${measureSql(m, source)})::FLOAT8 AS ${m}`);
	const inner = inPeriod(table, `${fw.sql}${rounds ? ' AND unit_code IS NOT NULL' : ''}${spec.where?.sql ?? ''}`, params, spec.windows);
	if (spec.windows) select.push('w');
	let groups = select.map((_, i) => i + 1).join(', ');
	if (spec.sets) {
		const w = spec.windows ? ', w' : '';
		groups = `GROUPING SETS (${spec.sets.map((d) => `(${d}${w})`).join(', ')})`;
		select.unshift(...spec.sets.flatMap((d) => [d, `GROUPING(${d}) AS g_${d}`]));
	}
	const sql = `SELECT ${[...select, ...measures].join(', ')} FROM (${inner}) t${groups ? ` GROUP BY ${groups}` : ''}`;
	return ctx.db.all(sql, params);
}

/**
 * The rows of `table` received in [$from, $to] that meet `cond` (leading " AND "); with `windows`, each row with
 * the number `w` of the window its day falls in, rows in none left out. Adds the windows' bounds to `params`.
 */
function inPeriod(table: string, cond: string, params: SqlParams, windows?: readonly { from: string; to: string }[]): string {
	const rows = `FROM ${table} WHERE day BETWEEN $from::DATE AND $to::DATE${cond}`;
	if (!windows) return `SELECT * ${rows}`;
	const cases = windows.map((w, i) => {
		params[`w${i}f`] = w.from;
		params[`w${i}t`] = w.to;
		return `WHEN day BETWEEN $w${i}f::DATE AND $w${i}t::DATE THEN ${i}`;
	});
	return `SELECT * FROM (SELECT *, CASE ${cases.join(' ')} END AS w ${rows}) s WHERE w IS NOT NULL`;
}

/** The measures of 满意率 (assessment.ts satisfactionRate), read by handling round (`rounds: true`) on every screen. */
const VISIT_MEASURES: readonly Measure[] = ['visited', 'satisfied', 'basic'];

export function countsOf(r: Row | undefined): HandlingCounts {
	const c = {} as Record<Measure, number>;
	for (const m of ALL_MEASURES) c[m] = num(r?.[m]);
	return c;
}

/** An open ticket past its sign-for limit now, unsigned / past its reply limit, unanswered (parameter $now, epoch s). */
export const SIGN_LATE = `signed_at IS NULL AND sign_deadline < to_timestamp($now::FLOAT8)`;
export const REPLY_LATE = `replied_at IS NULL AND reply_deadline < to_timestamp($now::FLOAT8)`;

/** Open tickets now, optionally by a dimension; `late*` count those received in [from, to] past a limit. */
export async function openCounts(ctx: DashboardContext, filter: DashboardFilter, by: Dim | null, omit: Dim[] = []): Promise<Map<string, OpenCounts & { lateSign: number; lateReply: number }>> {
	const fw = filterWhere(filter, omit);
	const params: SqlParams = { now: ctx.now / 1000, from: filter.from, to: filter.to, ...fw.params };
	const received = `day BETWEEN $from::DATE AND $to::DATE`;
	const rows = await ctx.db.all(
		`SELECT ${by ? `${by} AS key, ` : ''}count(*)::FLOAT8 AS open,
		        (count(*) FILTER (WHERE (${SIGN_LATE}) OR (${REPLY_LATE})))::FLOAT8 AS overdue,
		        (count(*) FILTER (WHERE ${SIGN_LATE}))::FLOAT8 AS sign_overdue,
		        (count(*) FILTER (WHERE ${REPLY_LATE}))::FLOAT8 AS reply_overdue,
		        (count(*) FILTER (WHERE ${SIGN_LATE} AND ${received}))::FLOAT8 AS late_sign,
		        (count(*) FILTER (WHERE ${REPLY_LATE} AND ${received}))::FLOAT8 AS late_reply
		 FROM ${OPEN_TICKETS.table} WHERE true${fw.sql}${by ? ' GROUP BY 1' : ''}`,
		params
	);
	return new Map(
		rows.map((r) => [
			by ? String(r.key) : '',
			{ open: num(r.open), overdue: num(r.overdue), signOverdue: num(r.sign_overdue), replyOverdue: num(r.reply_overdue), lateSign: num(r.late_sign), lateReply: num(r.late_reply) }
		])
	);
}

/** First day the store has data for (cached per runner for a minute). */
const dataStart = new WeakMap<SqlRunner, { at: number; day: string | null }>();
async function firstDay(ctx: DashboardContext): Promise<string | null> {
	const hit = dataStart.get(ctx.db);
	if (hit && ctx.now - hit.at < 60_000 && hit.at <= ctx.now) return hit.day;
	const [r] = await ctx.db.all<{ d: string | null }>(`SELECT CAST(min(day) AS VARCHAR) AS d FROM rollup_daily_l1`);
	const day = r?.d ?? null;
	dataStart.set(ctx.db, { at: ctx.now, day });
	return day;
}

/** Daily counts over [from, to] with zeros filled for the days the store covers. */
async function dailyCounts(ctx: DashboardContext, filter: DashboardFilter, from: string, to: string, start: string | null): Promise<Map<string, number>> {
	const rows = await aggregate(ctx, { filter, from, to, by: ['day'], measures: ['n'] });
	const counts = new Map<string, number>();
	if (!start) return counts;
	for (const d of daysBetween(from < start ? start : from, to)) counts.set(d, 0);
	for (const r of rows) counts.set(String(r.day), num(r.n));
	return counts;
}

/**
 * Share of a normal day's tickets that has come in by `now`: the hourly profile of today's reference days (the
 * days its baseline compares it with: a Saturday's are Saturdays, a holiday's holidays), within the hourly
 * rollup's days; the last 4 weeks when it holds none of them.
 */
async function dayShareSoFar(ctx: DashboardContext, filter: DashboardFilter): Promise<number> {
	const today = shanghaiDay(ctx.now);
	const fw = filterWhere(filter);
	const recent = recentFrom(ctx.now);
	const refs = referenceDays(ctx.cal, today, (d) => d >= recent && d < today);
	const params: SqlParams = { from: addDays(today, -28), to: addDays(today, -1), ...fw.params };
	refs.forEach((d, i) => (params[`r${i}`] = d));
	const days = refs.length ? `day IN (${refs.map((_, i) => `$r${i}::DATE`).join(', ')})` : 'day BETWEEN $from::DATE AND $to::DATE';
	const rows = await ctx.db.all(`SELECT hour, sum(n)::FLOAT8 AS n FROM rollup_hourly WHERE ${days}${fw.sql} GROUP BY 1`, params);
	const byHour = new Array(24).fill(0);
	for (const r of rows) byHour[num(r.hour)] = num(r.n);
	const total = byHour.reduce((s, v) => s + v, 0);
	const elapsed = (ctx.now - shanghaiMidnight(today)) / 3_600_000;
	if (total === 0) return Math.min(1, elapsed / 24);
	const h = Math.min(23, Math.floor(elapsed));
	let share = 0;
	for (let i = 0; i < h; i++) share += byHour[i];
	share += byHour[h] * (elapsed - h);
	return Math.min(1, share / total);
}

function kindLabel(cal: WorkCalendar, day: string): string {
	const k = dayKind(cal, day);
	const name = k === 'holiday' ? cal.holidayName(day) : null;
	return name ? `${DAY_KIND_LABELS[k]}（${name}）` : DAY_KIND_LABELS[k];
}

/** Rows of `rankedBy` as ranked changes; `scale` brings the previous period to the current one's progress. */
function ranked(rows: Row[], key: string, name: (code: string) => string, scale: number, covered = true): RankedChange[] {
	const total = rows.reduce((s, r) => s + num(r.cur), 0);
	return rows
		.filter((r) => r[key] !== null && num(r.cur) + num(r.prev) > 0)
		.map((r) => {
			const code = String(r[key]);
			const count = num(r.cur);
			const previous = num(r.prev);
			const base = previous * scale;
			return { code, name: name(code), count, share: total ? count / total : 0, previous, change: covered && base > 0 ? (count - base) / base : null };
		})
		.sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/**
 * How far a period has come: 1 for a finished one; for one ending today, the whole days before today and the
 * share of a normal day passed by now (`share`), over its days. What the period before is scaled by so that a
 * morning is not compared with a whole day (较上期, the map's expectation, the topics' growth).
 */
function progress(w: { from: string; to: string }, today: string, share: number): number {
	const len = periodDays(w);
	return w.to === today ? (len - 1 + share) / len : 1;
}

/** The equal-length period just before the filter's period. */
function previousPeriod(f: Pick<DashboardFilter, 'from' | 'to'>): { from: string; to: string } {
	const len = periodDays(f);
	return { from: addDays(f.from, -len), to: addDays(f.from, -1) };
}

/**
 * Counts by each of `dims` in the period and the period before, as few passes as the rollups allow: the
 * dimensions that one rollup has together are read in one GROUPING SETS query.
 */
async function rankedBy(ctx: DashboardContext, filter: DashboardFilter, dims: Dim[]): Promise<Map<Dim, Row[]>> {
	const prev = previousPeriod(filter);
	const windows = [
		{ from: filter.from, to: filter.to },
		{ from: prev.from, to: prev.to }
	];
	// each dimension from the smallest source that has it; the dimensions of one source in one pass
	const base: Dim[] = ['day', ...filterDims(filter)];
	const bySource = new Map<string, Dim[]>();
	for (const d of dims) {
		const key = sourceFor([...base, d], ['n'])?.table ?? baseFor([...base, d]);
		bySource.set(key, [...(bySource.get(key) ?? []), d]);
	}
	const batches = [...bySource.values()];
	const out = new Map<Dim, Row[]>();
	await Promise.all(
		batches.map(async (batch) => {
			const rows = await aggregate(ctx, { filter, from: prev.from, to: filter.to, sets: batch, measures: ['n'], windows });
			for (const dim of batch) {
				const byKey = new Map<string, Row>();
				for (const r of rows) {
					if (num(r[`g_${dim}`]) !== 0) continue;
					const k = String(r[dim]);
					const e = byKey.get(k) ?? { [dim]: r[dim], cur: 0, prev: 0 };
					if (num(r.w) === 0) e.cur = num(e.cur) + num(r.n);
					else e.prev = num(e.prev) + num(r.n);
					byKey.set(k, e);
				}
				out.set(dim, [...byKey.values()]);
			}
		})
	);
	return out;
}

// ---------------------------------------------------------------------------------------------------------
// 态势总览

/** The units with late tickets the overview names (the rest are counted). */
const LATE_UNITS = 8;

export async function overviewData(ctx: DashboardContext, filter: DashboardFilter): Promise<DashboardOverview> {
	const { ref, cal, now } = ctx;
	const today = shanghaiDay(now);
	const start = await firstDay(ctx);

	// the trend: the period (at least the last 90 days), whole days only; baselines need up to a year before
	const trendTo = filter.to === today ? addDays(today, -1) : filter.to;
	const trendFrom = periodDays(filter) >= 90 ? filter.from : addDays(trendTo, -89);
	// the level below the filter's category: level 1, 2 within a level-1 filter, 3 (the tickets' own) within a level-2 one
	const catDim: Dim = filter.categoryLevel === 1 ? 'category_l2' : filter.categoryLevel === 2 ? 'category_code' : 'category_l1';
	const placeDim: Dim = filter.district ? 'street_code' : 'district_code';
	// the independent reads run side by side (the runner spreads them over its connections)
	const [counts, share, [totals], [roundTotals], openNow, rankings, [{ n: totalTickets }], topics] = await Promise.all([
		dailyCounts(ctx, filter, addDays(trendFrom, -400), today, start),
		dayShareSoFar(ctx, filter),
		aggregate(ctx, { filter, from: filter.from, to: filter.to, measures: ['n', 'screened', 'accepted'] }),
		aggregate(ctx, { filter, from: filter.from, to: filter.to, measures: ALL_MEASURES, rounds: true }),
		openCounts(ctx, filter, 'unit_code'),
		rankedBy(ctx, filter, [catDim, placeDim, 'channel', 'type']),
		ctx.db.all<{ n: number }>(`SELECT coalesce(sum(n), 0)::FLOAT8 AS n FROM rollup_daily_l1`),
		ctx.db.engine === 'duckdb' ? overviewTopics(ctx, filter) : Promise.resolve<TopicCounts>({ asOf: null, window: null, rows: [] })
	]);
	const trend: BaselinePoint[] = daysBetween(trendFrom, trendTo)
		.filter((d) => counts.has(d))
		.map((day) => {
			const b = dayBaseline(cal, day, counts);
			return { day, count: counts.get(day) ?? 0, expected: b?.expected ?? null, low: b?.low ?? null, high: b?.high ?? null, kind: kindLabel(cal, day) };
		});

	const volume: VolumeCard[] = [];
	for (const [label, days] of [['今日', 1], ['近7天', 7], ['近30天', 30]] as const) {
		const from = addDays(today, -(days - 1));
		const span = daysBetween(from, today);
		const b = spanBaseline(cal, span, counts, { partialLast: share });
		const observed = span.reduce((s, d) => s + (counts.get(d) ?? 0), 0);
		volume.push({
			label,
			range: days === 1 ? today : `${from} – ${today}`,
			observed,
			expected: b ? b.expected + (observed - b.observed) : null, // days without a baseline count as expected
			low: b ? b.low + (observed - b.observed) : null,
			high: b ? b.high + (observed - b.observed) : null,
			change: b && b.expected > 0 ? (b.observed - b.expected) / b.expected : null
		});
	}

	// by unit (a ticket not dispatched yet has none), summed for the city's own figures
	const open = { open: 0, overdue: 0, signOverdue: 0, replyOverdue: 0, lateSign: 0, lateReply: 0 };
	for (const o of openNow.values()) for (const k of Object.keys(open) as (keyof typeof open)[]) open[k] += o[k];
	const late = [...openNow]
		.filter(([code, o]) => code !== 'null' && o.overdue > 0)
		.map(([code, o]): LateUnit => ({ code, name: ref.unitByCode.get(code)?.name ?? `未登记单位（${code}）`, open: o.open, overdue: o.overdue, signOverdue: o.signOverdue, replyOverdue: o.replyOverdue }))
		.sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.code.localeCompare(b.code));
	// handling as the unit assessment counts it, over every handling round (a late return, a reply visited 不满意
	// and handled again count, as they do against the unit); receiving and screening by ticket
	const rounds = countsOf(roundTotals);
	const ticketCounts = countsOf(totals);
	const rates = handlingRates(
		{ ...rounds, n: ticketCounts.n, screened: ticketCounts.screened, accepted: ticketCounts.accepted },
		{ sign: open.lateSign, reply: open.lateReply }
	);

	// a period ending today is still in progress: the period before counts as far as this one has come (the
	// map scales its expectation alike), so a morning is not compared with a whole day
	// compared only with a period the store holds whole: one reaching before its first day would show every row as
	// new (or far up), which says when the data starts, not how the city changed
	const prevWindow = previousPeriod(filter);
	const comparison = { ...prevWindow, scale: progress(filter, today, share), covered: start !== null && start <= prevWindow.from, dataFrom: start };
	const allCategories = ranked(rankings.get(catDim)!, catDim, (c) => ref.categoryByCode.get(c)?.name ?? `未知（${c}）`, comparison.scale, comparison.covered);
	// within a level-2 filter, a ticket classified no further than level 2 (or to an unknown code) has no level-3
	// bar: it is counted apart, so no bar stands for, or drills to, the whole level-2 category
	const isLeaf = (code: string) => {
		const c = ref.categoryByCode.get(code);
		return !!c && c.level === 3 && c.parent === filter.category;
	};
	const categories = catDim === 'category_code' ? allCategories.filter((c) => isLeaf(c.code)) : allCategories;
	const topicScale = topics.window ? progress(topics.window, today, share) : 1;
	const categoryUnsplit = catDim === 'category_code' ? allCategories.filter((c) => !isLeaf(c.code)).reduce((s, c) => s + c.count, 0) : 0;
	const places = ranked(
		rankings.get(placeDim)!,
		placeDim,
		(c) => (placeDim === 'street_code' ? ref.streetByCode.get(c)?.name : ref.districtByCode.get(c)?.name) ?? `未知（${c}）`,
		comparison.scale,
		comparison.covered
	).slice(0, 15);
	const channels = ranked(rankings.get('channel')!, 'channel', (c) => CHANNEL_LABELS[c as Channel] ?? c, comparison.scale, comparison.covered);
	const types = ranked(rankings.get('type')!, 'type', (c) => c, comparison.scale, comparison.covered);

	return {
		asOf: today,
		now: new Date(now).toISOString(),
		filter,
		volume,
		trend,
		rates,
		open: { open: open.open, overdue: open.overdue, signOverdue: open.signOverdue, replyOverdue: open.replyOverdue },
		lateUnits: late.slice(0, LATE_UNITS),
		lateUnitsOther: { units: Math.max(0, late.length - LATE_UNITS), overdue: late.slice(LATE_UNITS).reduce((s, u) => s + u.overdue, 0) },
		categories: categories.slice(0, 12),
		categoryLevel: filter.categoryLevel === 1 ? 2 : filter.categoryLevel === 2 ? 3 : 1,
		categoryUnsplit,
		places,
		placeLevel: filter.district ? 'street' : 'district',
		channels,
		types,
		comparison,
		topics: topics.rows.map((t): OverviewTopic => {
			// growth against the days before, at the same progress when the window ends today (as 较上期)
			const base = t.prev === null ? 0 : t.prev * topicScale;
			return { id: t.id, label: t.label, size: t.size, growth: base > 0 ? (t.size - base) / base : null, isNew: t.prev === 0 };
		}),
		topicsAsOf: topics.asOf,
		topicsWindow: topics.window,
		totalTickets: num(totalTickets)
	};
}

interface TopicCounts {
	asOf: string | null;
	window: { from: string; to: string; clipped: boolean } | null;
	rows: { id: number; label: string; size: number; prev: number | null }[];
}

/**
 * The largest topics of the latest run, counted within the filter and the period: the period's days within
 * the run's tickets (its days and those assigned since), and the same number of days before for growth
 * (topics live in the analytics store only).
 */
async function overviewTopics(ctx: DashboardContext, filter: DashboardFilter): Promise<TopicCounts> {
	const [run] = await ctx.db.all<{ run_id: string; created: string; pf: string; pt: string }>(
		`SELECT run_id, CAST(created_at AS VARCHAR) AS created, CAST(period_from AS VARCHAR) AS pf, CAST(period_to AS VARCHAR) AS pt
		 FROM topic_runs ORDER BY created_at DESC LIMIT 1`
	);
	if (!run) return { asOf: null, window: null, rows: [] };
	// the run clustered [pf, pt], assigned the same number of days before it (baseline) and the tickets since
	const from = filter.from < run.pf ? run.pf : filter.from;
	if (from > filter.to) return { asOf: run.created, window: null, rows: [] };
	const window = { from, to: filter.to, clipped: from !== filter.from };
	const prev = previousPeriod(window);
	const before = prev.from >= previousPeriod({ from: run.pf, to: run.pt }).from ? prev : null;
	const fw = filterWhere(filter, [], 'f');
	const rows = await ctx.db.all(
		`SELECT t.topic_id, t.label,
		        (count(*) FILTER (WHERE f.day >= $from::DATE AND tt.how <> 'baseline'))::FLOAT8 AS size,
		        (count(*) FILTER (WHERE f.day < $from::DATE))::FLOAT8 AS prev_size
		 FROM ticket_topics tt JOIN tickets_fact f ON f.ticket_no = tt.ticket_no JOIN topics t ON t.run_id = tt.run_id AND t.topic_id = tt.topic_id
		 WHERE tt.run_id = $run AND tt.topic_id >= 0 AND f.day BETWEEN $lo::DATE AND $to::DATE${fw.sql}
		 GROUP BY 1, 2 HAVING size > 0 ORDER BY size DESC, 1 LIMIT 8`,
		{ run: run.run_id, from, to: filter.to, lo: before?.from ?? from, ...fw.params }
	);
	return {
		asOf: run.created,
		window,
		rows: rows.map((r) => ({ id: num(r.topic_id), label: (r.label as string[]).slice(0, 3).join(' · '), size: num(r.size), prev: before ? num(r.prev_size) : null }))
	};
}

// ---------------------------------------------------------------------------------------------------------
// 态势地图

const SLIDER_DAYS = 30;
const POINT_DAYS = 7;

async function placeStats(
	ctx: DashboardContext,
	filter: DashboardFilter,
	dim: 'district_code' | 'street_code',
	keys: { code: string; name: string }[],
	start: string | null,
	/** share of a normal day passed by now (for a period ending today) */
	share: number
): Promise<PlaceStat[]> {
	const today = shanghaiDay(ctx.now);
	const len = periodDays(filter);
	const history = start ? historyWindows(ctx.cal, filter.from, len, HOTSPOT_DEFAULTS.windows, start) : [];
	// the day ranges to count: the period (0), then each range of the history once (a short period's windows are
	// single reference days, which two days of the period may share)
	const ranges = [{ from: filter.from, to: filter.to }];
	const rangeOf = new Map<string, number>();
	const historyRanges = history.map((w) =>
		w.map((r) => {
			const k = `${r.from}/${r.to}`;
			let i = rangeOf.get(k);
			if (i === undefined) rangeOf.set(k, (i = ranges.push(r) - 1));
			return i;
		})
	);
	const omit: Dim[] = dim === 'district_code' ? ['district_code'] : [];
	const [counts, visits, open] = await Promise.all([
		// the tickets of every range in one pass
		aggregate(ctx, {
			filter,
			from: ranges.reduce((m, r) => (r.from < m ? r.from : m), filter.from),
			to: filter.to,
			by: [dim],
			measures: ['n'],
			omit,
			windows: ranges
		}),
		// the period's return visits as the overview counts them: by handling round (satisfactionRate)
		aggregate(ctx, { filter, from: filter.from, to: filter.to, by: [dim], measures: VISIT_MEASURES, omit, rounds: true }),
		openCounts(ctx, filter, dim, omit)
	]);
	const perRange = new Map<string, number[]>();
	for (const r of counts) {
		const k = String(r[dim]);
		const a = perRange.get(k) ?? new Array(ranges.length).fill(0);
		a[num(r.w)] += num(r.n);
		perRange.set(k, a);
	}
	// a period ending today is still in progress: its expected count is scaled by the share of today passed
	const scale = progress(filter, today, share);
	const sig = new Map(
		placeSignificance(
			keys.map((k) => {
				const a = perRange.get(k.code) ?? new Array(ranges.length).fill(0);
				return { key: k.code, current: a[0], history: historyRanges.map((w) => w.reduce((sum, i) => sum + a[i], 0)) };
			}),
			{ scale }
		).map((s) => [s.key, s])
	);
	const rateOf = new Map(visits.map((r) => [String(r[dim]), r]));
	return keys.map((k) => {
		const s = sig.get(k.code)!;
		const r = rateOf.get(k.code);
		const o = open.get(k.code);
		const visited = num(r?.visited);
		return {
			code: k.code,
			name: k.name,
			count: s.observed,
			expected: s.expected,
			change: s.change,
			z: s.z,
			q: s.q,
			hotspot: s.hotspot,
			open: o?.open ?? 0,
			overdue: o?.overdue ?? 0,
			overdueShare: o && o.open > 0 ? o.overdue / o.open : null,
			visited,
			satisfactionRate: satisfactionRate({ visited, satisfied: num(r?.satisfied), basic: num(r?.basic) })
		};
	});
}

/**
 * The map's places: the districts (and the filtered district's streets) with their counts and hotspots, and the
 * period's tickets no district holds. All the wall's map shows (mapPlaces); the map page adds the slider's days
 * and the points (mapData).
 */
export async function mapPlaces(ctx: DashboardContext, filter: DashboardFilter): Promise<MapPlaces> {
	const { ref, now } = ctx;
	const today = shanghaiDay(now);
	const [start, share] = await Promise.all([firstDay(ctx), filter.to === today ? dayShareSoFar(ctx, filter) : Promise.resolve(1)]);
	const [districts, streetStats, all] = await Promise.all([
		placeStats(ctx, filter, 'district_code', ref.districts, start, share),
		filter.district ? placeStats(ctx, filter, 'street_code', ref.streets.filter((s) => s.districtCode === filter.district), start, share) : Promise.resolve(null),
		// the period's tickets wherever they are: those without a known district are not on the map, and it says so
		filter.district ? Promise.resolve(null) : aggregate(ctx, { filter, from: filter.from, to: filter.to, measures: ['n'] })
	]);
	const placed = districts.reduce((s, d) => s + d.count, 0);
	const unplaced = all ? Math.max(0, num(all[0]?.n) - placed) : 0;
	const streets = streetStats ? streetStats.sort((a, b) => (b.z ?? -Infinity) - (a.z ?? -Infinity) || b.count - a.count) : null;
	return { asOf: today, filter, districts, unplaced, streets, method: HOTSPOT_METHOD };
}

export async function mapData(ctx: DashboardContext, filter: DashboardFilter): Promise<MapData> {
	const { ref } = ctx;
	// the slider: the last days of the period, per district
	const sliderTo = filter.to;
	const sliderFrom = addDays(sliderTo, -(Math.min(SLIDER_DAYS, periodDays(filter)) - 1));
	const days = daysBetween(sliderFrom, sliderTo);
	// points: tickets with coordinates, binned to 0.01° (about 1 km) over the period's last 7 days at most
	// (a situation layer: where calls come from now; the choropleth covers the whole period)
	const pointsFrom = periodDays(filter) > POINT_DAYS ? addDays(filter.to, -(POINT_DAYS - 1)) : filter.from;
	const fw = filterWhere(filter);

	const [places, dayRows, pointRows] = await Promise.all([
		mapPlaces(ctx, filter),
		aggregate(ctx, { filter, from: sliderFrom, to: sliderTo, by: ['day', 'district_code'], measures: ['n'], omit: ['district_code'] }),
		ctx.db.all(
			// floor(x·100 + ½)/100, not round(x::NUMERIC, 2): DuckDB casts a DOUBLE to DECIMAL(18,3) first, and
			// rounding twice moves a tenth of the points into the neighbouring bin
			`SELECT (floor(lon * 100 + 0.5) / 100)::FLOAT8 AS lon, (floor(lat * 100 + 0.5) / 100)::FLOAT8 AS lat, count(*)::FLOAT8 AS n FROM tickets_fact
			 WHERE day BETWEEN $from::DATE AND $to::DATE AND lon IS NOT NULL AND lat IS NOT NULL${fw.sql} GROUP BY 1, 2`,
			{ from: pointsFrom, to: filter.to, ...fw.params }
		)
	]);
	const daily: Record<string, number[]> = {};
	for (const d of ref.districts) daily[d.code] = new Array(days.length).fill(0);
	const dayIndex = new Map(days.map((d, i) => [d, i]));
	for (const r of dayRows) {
		const s = daily[String(r.district_code)];
		const i = dayIndex.get(String(r.day));
		if (s && i !== undefined) s[i] = num(r.n);
	}
	const points = pointRows.map((r) => ({ lon: num(r.lon), lat: num(r.lat), n: num(r.n) }));

	return { ...places, days, daily, points, pointsFrom };
}

// ---------------------------------------------------------------------------------------------------------
// 单位考核 (leaders' unit panel)

const TREND_MONTHS = 6;


/** The units' scores for the period, ranked; with `kind`, the units of that kind only, ranked among themselves. */
export async function unitPanel(ctx: DashboardContext, filter: DashboardFilter, kind: string | null = null): Promise<UnitPanel> {
	const { ref, now } = ctx;
	// monthly trend: the last months up to the period's end
	const endMonth = filter.to.slice(0, 7);
	const months: string[] = [];
	for (let i = TREND_MONTHS - 1; i >= 0; i--) {
		const [y, m] = endMonth.split('-').map(Number);
		const d = new Date(Date.UTC(y, m - 1 - i, 1));
		months.push(d.toISOString().slice(0, 7));
	}
	const windows = months.map((m, i) => ({ from: `${m}-01`, to: i === months.length - 1 ? filter.to : addDays(`${months[i + 1]}-01`, -1) }));
	// by unit the rollups count handling rounds: each unit is charged with the rounds it held (UNIT_ROUNDS)
	const [rows, open, monthly, lateMonthly] = await Promise.all([
		aggregate(ctx, { filter, from: filter.from, to: filter.to, by: ['unit_code'], measures: ALL_MEASURES }),
		openCounts(ctx, filter, 'unit_code'),
		aggregate(ctx, { filter, from: windows[0].from, to: filter.to, by: ['unit_code'], measures: ALL_MEASURES, windows }),
		lateByWindow(ctx, filter, windows)
	]);
	const key = (r: Row) => `${r.unit_code}\u0001${num(r.w)}`;
	const lateOf = new Map(lateMonthly.map((r) => [key(r), { sign: num(r.late_sign), reply: num(r.late_reply) }]));
	const trendOf = new Map<string, (number | null)[]>();
	for (const r of monthly) {
		const k = String(r.unit_code);
		const t = trendOf.get(k) ?? new Array(months.length).fill(null);
		// as the headline score: open tickets of the window past a limit now count against it
		t[num(r.w)] = assessmentScore(handlingRates(leadCounts(countsOf(r)), lateOf.get(key(r))));
		trendOf.set(k, t);
	}
	const all = rows.map((r) => {
		const code = String(r.unit_code);
		const o = open.get(code);
		const counts = countsOf(r);
		// its figures as lead; the dispatches it assisted in are shown beside them (leadCounts)
		const rates: HandlingRates = handlingRates(leadCounts(counts), { sign: o?.lateSign ?? 0, reply: o?.lateReply ?? 0 });
		const u = ref.unitByCode.get(code);
		return {
			code,
			name: u?.name ?? `未登记单位（${code}）`,
			kind: u?.kind ?? 'unknown',
			dispatched: rates.dispatched,
			assisted: counts.assisted ?? 0,
			rates,
			score: assessmentScore(rates),
			rank: null as number | null,
			trend: trendOf.get(code) ?? new Array(months.length).fill(null)
		};
	});
	const units = kind ? all.filter((u) => u.kind === kind) : all;
	const ranks = rankScores(units.map((u) => u.score));
	units.forEach((u, i) => (u.rank = ranks[i]));
	units.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || b.dispatched - a.dispatched || b.assisted - a.assisted || a.code.localeCompare(b.code));
	return { filter, kind, units, months, weights: ASSESSMENT_WEIGHTS.map(({ key, label, weight }) => ({ key, label, weight })) };
}

/**
 * Per unit and window: its open tickets received in the window that are past a limit now, unsigned or unanswered:
 * what the headline score counts against a unit for its period (openCounts), so the trend's points are scored alike.
 */
async function lateByWindow(ctx: DashboardContext, filter: DashboardFilter, windows: { from: string; to: string }[]): Promise<Row[]> {
	const fw = filterWhere(filter);
	const params: SqlParams = { now: ctx.now / 1000, from: windows[0].from, to: filter.to, ...fw.params };
	return ctx.db.all(
		`SELECT unit_code, w, (count(*) FILTER (WHERE ${SIGN_LATE}))::FLOAT8 AS late_sign, (count(*) FILTER (WHERE ${REPLY_LATE}))::FLOAT8 AS late_reply
		 FROM (${inPeriod(OPEN_TICKETS.table, `${fw.sql} AND unit_code IS NOT NULL`, params, windows)}) t GROUP BY unit_code, w`,
		params
	);
}

/** Every read of the situation screens, by name: what the benchmark times on both engines. */
export const DASHBOARD_READS: { name: string; run(ctx: DashboardContext, filter: DashboardFilter): Promise<unknown> }[] = [
	{ name: 'overview', run: overviewData },
	{ name: 'map', run: mapData },
	{ name: 'units', run: unitPanel }
];
