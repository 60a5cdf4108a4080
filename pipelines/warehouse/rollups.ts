// The rollups dashboards read instead of raw rows, and the measures they carry. Each measure is defined once
// as an expression over ticket facts; a rollup stores its per-group count, and a dashboard query sums it — or,
// when a filter needs a dimension no rollup has, runs the same expression over `tickets_fact` directly, so
// both paths give the same numbers (a test checks that).
//
// Measures are counts of tickets (by unit, of handling rounds: UNIT_ROUNDS), so every rate is a ratio of two sums
// and stays exact under any grouping.
// Time-dependent states (open, overdue now) are not rolled up: they change with the clock, not with the data.

/** The ticket states in which the city is still working on a ticket (lifecycle/model OPEN_STATUSES). */
export const OPEN_STATUS_SQL = `('received', 'accepted', 'dispatched', 'signed', 'replied', 'reopened')`;

export const MEASURES = {
	/** tickets received */
	n: `count(*)`,
	/** screened: no longer waiting for the accept/not-accept decision */
	screened: `count(*) FILTER (WHERE status <> 'received')`,
	/** accepted (受理): screened and neither refused nor transferred to an emergency line */
	accepted: `count(*) FILTER (WHERE status NOT IN ('received', 'not_accepted', 'transferred'))`,
	dispatched: `count(*) FILTER (WHERE dispatched_at IS NOT NULL)`,
	/** signed for, with a sign-for time limit */
	sign_done: `count(*) FILTER (WHERE signed_at IS NOT NULL AND sign_deadline IS NOT NULL)`,
	sign_ok: `count(*) FILTER (WHERE signed_at IS NOT NULL AND signed_at <= sign_deadline)`,
	reply_done: `count(*) FILTER (WHERE replied_at IS NOT NULL AND reply_deadline IS NOT NULL)`,
	reply_ok: `count(*) FILTER (WHERE replied_at IS NOT NULL AND replied_at <= reply_deadline)`,
	/** return visits done (满意 / 基本满意 / 不满意 recorded) */
	visited: `count(*) FILTER (WHERE satisfaction IS NOT NULL)`,
	satisfied: `count(*) FILTER (WHERE satisfaction = '满意')`,
	basic: `count(*) FILTER (WHERE satisfaction = '基本满意')`,
	/** tickets returned by a unit at least once (退单) */
	returned: `count(*) FILTER (WHERE returns > 0)`,
	extended: `count(*) FILTER (WHERE extensions > 0)`,
	reopened: `count(*) FILTER (WHERE reopens > 0)`,
	/**
	 * By unit only (UNIT_ROUNDS): the dispatches a unit assisted in (协办). Such a row counts in `n`, `screened` and
	 * `accepted` (an assisted ticket was dispatched: screened and accepted) and in no other measure; the lead's own
	 * figures are those less `assisted` (`leadCounts`).
	 */
	assisted: `count(*) FILTER (WHERE assist)`
} as const;

export type Measure = keyof typeof MEASURES;
export const ALL_MEASURES = Object.keys(MEASURES) as Measure[];
/** The measures of tickets (every measure but the units' `assisted`, which the facts have no rows for). */
export const TICKET_MEASURES = ALL_MEASURES.filter((m) => m !== 'assisted');

/** `category_code` (the ticket's own, most specific category) is in no rollup: read from the facts. */
export type Dim = 'day' | 'hour' | 'district_code' | 'street_code' | 'category_l1' | 'category_l2' | 'category_code' | 'type' | 'channel' | 'unit_code';

const DIM_SQL: Record<Dim, string> = {
	day: 'day DATE NOT NULL',
	hour: 'hour TINYINT NOT NULL',
	district_code: 'district_code VARCHAR',
	street_code: 'street_code VARCHAR',
	category_l1: 'category_l1 VARCHAR',
	category_l2: 'category_l2 VARCHAR',
	category_code: 'category_code VARCHAR',
	type: 'type VARCHAR NOT NULL',
	channel: 'channel VARCHAR NOT NULL',
	unit_code: 'unit_code VARCHAR'
};

export interface Rollup {
	table: string;
	dims: readonly Dim[];
	measures: readonly Measure[];
	/**
	 * What a row counts: a ticket (the facts, the default), or a unit's handling round of one (`UNIT_ROUNDS`: the
	 * unit assessment, by the unit that held the ticket in each round, not by the one holding it now).
	 */
	base?: 'rounds';
	/** only the last HOURLY_DAYS days are kept */
	recentOnly?: boolean;
}

/** Days of the hourly rollup kept before today. */
export const HOURLY_DAYS = 90;
/** The days a recent-only rollup keeps. */
export const RECENT_SQL = `day >= current_date - INTERVAL ${HOURLY_DAYS} DAY`;

/** Smallest first: a query uses the first rollup that has every dimension and measure it needs. */
export const ROLLUPS: readonly Rollup[] = [
	// the whole city by day, type and channel: the unfiltered panels, a few dozen rows a day
	{ table: 'rollup_daily_city', dims: ['day', 'type', 'channel'], measures: TICKET_MEASURES },
	// counts and rates by day × district × level-1 category: most panels, a few dozen rows a day
	{ table: 'rollup_daily_l1', dims: ['day', 'district_code', 'category_l1'], measures: TICKET_MEASURES },
	// … and by type and channel: the same panels under those filters
	{ table: 'rollup_daily_tc', dims: ['day', 'district_code', 'category_l1', 'type', 'channel'], measures: TICKET_MEASURES },
	// … and by level-2 category too
	{ table: 'rollup_daily', dims: ['day', 'district_code', 'category_l1', 'category_l2', 'type', 'channel'], measures: TICKET_MEASURES },
	// streets (no street polygons: ranked lists), by level-1 category
	{ table: 'rollup_street_daily', dims: ['day', 'district_code', 'street_code', 'category_l1'], measures: ['n', 'visited', 'satisfied', 'basic'] },
	{ table: 'rollup_street_tc', dims: ['day', 'district_code', 'street_code', 'type', 'channel'], measures: ['n', 'visited', 'satisfied', 'basic'] },
	// undertaking units: the assessment figures, counted over handling rounds (the city-wide ranking reads the first)
	{ table: 'rollup_unit_city', dims: ['day', 'unit_code'], measures: ALL_MEASURES, base: 'rounds' },
	{ table: 'rollup_unit_daily', dims: ['day', 'unit_code', 'district_code', 'category_l1'], measures: ALL_MEASURES, base: 'rounds' },
	// (a level-2 category lies in one level-1 category: carrying both costs only the level-2 detail)
	{ table: 'rollup_unit_l2', dims: ['day', 'unit_code', 'district_code', 'category_l1', 'category_l2'], measures: ALL_MEASURES, base: 'rounds' },
	{ table: 'rollup_unit_tc', dims: ['day', 'unit_code', 'district_code', 'type', 'channel'], measures: ALL_MEASURES, base: 'rounds' },
	// intraday views and baselines of the recent past
	{ table: 'rollup_hourly', dims: ['day', 'hour', 'district_code', 'category_l1', 'category_l2', 'type', 'channel'], measures: ['n'], recentOnly: true }
];

/** Bump when a rollup's shape or a measure's definition changes: the store then rebuilds them all once. */
export const ROLLUP_VERSION = '12';

export function rollupDdl(r: Rollup): string {
	const cols = [...r.dims.map((d) => DIM_SQL[d]), ...r.measures.map((m) => `${m} INTEGER NOT NULL`)];
	return `CREATE TABLE IF NOT EXISTS ${r.table} (${cols.join(', ')})`;
}

/**
 * The order rows are stored in (ORDER BY), for a table with these columns: by month, then district, then day
 * where there is a district, else by day.
 * - The min/max zone maps of `day` let a period read only the row groups of its months.
 * - Within a month, one district's rows lie together, so a district filter skips most vectors of the measure
 *   columns instead of decoding every vector for the few rows it keeps. On the 10M demo store the situation
 *   reads' p95 over the bench's filters fell from 45-49 to 32-42 ms, the slowest filter's from 61-68 to
 *   43-57 ms (`npm run bench -- dashboard`).
 * Rows written since (a batch's days, a sync's merge) are appended at the end; `clusterRollups` puts the months
 * they touched back in this order.
 */
export function clusterOrder(columns: readonly string[]): string {
	return columns.includes('district_code') ? CLUSTER_ORDER : 'day';
}

/** `clusterOrder` of the tables with a district. */
export const CLUSTER_ORDER = `date_trunc('month', day), district_code, day`;

/**
 * `INSERT INTO <rollup> SELECT dims, measures FROM <source> <where> GROUP BY dims`, where the source is the
 * facts or, when given, a finer rollup (one with all of r's dimensions and measures: counts add up, so summing
 * its groups gives exactly what grouping the facts gives, at a fraction of the rows read).
 */
export function rollupInsert(r: Rollup, where: string, from: Rollup | null = null, orderBy = clusterOrder(r.dims)): string {
	const dims = r.dims.join(', ');
	const measures = r.measures.map((m) => (from ? `sum(${m})::INTEGER` : `(${MEASURES[m]})::INTEGER`)).join(', ');
	const groups = r.dims.map((_, i) => i + 1).join(', ');
	return `INSERT INTO ${r.table} SELECT ${dims}, ${measures} FROM ${from ? from.table : baseTable(r)} ${where} GROUP BY ${groups} ORDER BY ${orderBy}`;
}

/** The rows a rollup counts: the facts, or the units' handling rounds. */
export function baseTable(r: Pick<Rollup, 'base'>): string {
	return r.base === 'rounds' ? UNIT_ROUNDS.table : 'tickets_fact';
}

/**
 * `MERGE` of a change set into a rollup: `changes` holds fact rows (for a rollup of rounds, their rounds:
 * `unitRoundsSelect` with the sign) with a `sign` column, -1 for a version that
 * leaves the facts and +1 for one that enters them. Every measure is a count, so a group's change is the sum of
 * the signs that meet its condition; a group whose count falls to 0 is deleted (every other measure counts a
 * subset of it). The cost is that of the changed rows, where a rebuild reads all the facts of the days they touch.
 * A recent-only rollup takes the changes of its window only.
 */
export function rollupMerge(r: Rollup, changes: string): string {
	if (!r.measures.includes('n')) throw new Error(`${r.table}: a rollup merged from changes needs the count n`);
	const signed = (m: Measure) => {
		const sql = MEASURES[m];
		if (!sql.startsWith('count(*)')) throw new Error(`measure ${m} is not a count: ${sql}`);
		return `coalesce(sum(sign)${sql.slice('count(*)'.length)}, 0)::INTEGER AS ${m}`; // a sum over no rows is NULL
	};
	const dims = r.dims.join(', ');
	const on = r.dims.map((d) => (DIM_SQL[d].endsWith('NOT NULL') ? `r.${d} = d.${d}` : `r.${d} IS NOT DISTINCT FROM d.${d}`)).join(' AND ');
	return `MERGE INTO ${r.table} AS r USING (
		SELECT ${dims}, ${r.measures.map(signed).join(', ')} FROM ${changes}${r.recentOnly ? ` WHERE ${RECENT_SQL}` : ''} GROUP BY ALL
	) AS d ON ${on}
	WHEN MATCHED AND r.n + d.n = 0 THEN DELETE
	WHEN MATCHED THEN UPDATE SET ${r.measures.map((m) => `${m} = r.${m} + d.${m}`).join(', ')}
	WHEN NOT MATCHED AND d.n <> 0 THEN INSERT VALUES (${[...r.dims, ...r.measures].map((c) => `d.${c}`).join(', ')})`;
}

/**
 * The order to build the rollups in, each with the finer rollup it can be summed from (null: from the facts).
 * Finer ones come first; among the candidates the one with the fewest dimensions (fewest rows) is taken.
 * Recent-only rollups never serve as a source (they lack the older days).
 */
export function rollupBuildPlan(rollups: readonly Rollup[] = ROLLUPS): { rollup: Rollup; from: Rollup | null }[] {
	const covers = (f: Rollup, r: Rollup) =>
		f !== r && !f.recentOnly && f.base === r.base && f.dims.length > r.dims.length && r.dims.every((d) => f.dims.includes(d)) && r.measures.every((m) => f.measures.includes(m));
	const order = [...rollups].sort((a, b) => b.dims.length - a.dims.length);
	return order.map((r) => {
		const sources = order.filter((f) => covers(f, r)).sort((a, b) => a.dims.length - b.dims.length);
		return { rollup: r, from: sources[0] ?? null };
	});
}

/**
 * The tickets still open, with what the open and overdue counts need: a few percent of all tickets, so
 * "how many are overdue now" never scans the facts. Kept with the rollups (a rebuild, or a change set).
 */
export const OPEN_TICKETS = {
	table: 'open_tickets',
	columns: ['ticket_no', 'day', 'district_code', 'street_code', 'category_l1', 'category_l2', 'type', 'channel', 'unit_code', 'status', 'signed_at', 'sign_deadline', 'replied_at', 'reply_deadline'] as const
};

/**
 * The units' handling rounds (pipelines/lifecycle/rounds.ts): one row per round, with the ticket's dimensions and
 * status and the round's unit, instants and outcome under the names of the fact columns the measures read
 * (`returns`, `extensions`, `reopens` 0 or 1), so the assessment's measures count rounds as they count tickets.
 * A unit is charged with what happened while it held the ticket: a late sign-for or a return it made, an extension
 * it got, a reply that was visited 不满意 and reopened, also when the ticket went on to another unit. A fact
 * without rounds (a feed's ticket, whose history the feed does not carry) is one round of the unit it names.
 * A feed's round (one without rounds, or one a feed's version began: `dispatched_at` NULL either way) was never
 * dispatched here: it counts in the unit's volume (`n`), its visit in the satisfaction rate, its sign-for and reply
 * in the on-time rates where the feed reports them with their limits (the done steps with a limit), and in none of
 * the denominators of the return, extension and reopen rates (`dispatched`), which a feed does not report.
 * An assisting unit (协办单位: `assists`) has no steps or limits of its own (it sees the ticket and adds notes): each
 * dispatch it assisted in is a row with `assist` true and nothing else, counted in its `assisted` volume only.
 * Kept with the rollups (a rebuild, or a change set); the unit rollups are built from it.
 */
export const UNIT_ROUNDS = {
	table: 'unit_rounds',
	/** the ticket's own columns */
	ticketColumns: ['ticket_no', 'day', 'district_code', 'street_code', 'category_l1', 'category_l2', 'type', 'channel', 'status'] as const
};

export function unitRoundsDdl(): string {
	return `CREATE TABLE IF NOT EXISTS ${UNIT_ROUNDS.table} (ticket_no VARCHAR NOT NULL, day DATE NOT NULL, district_code VARCHAR,
		street_code VARCHAR, category_l1 VARCHAR, category_l2 VARCHAR, type VARCHAR NOT NULL, channel VARCHAR NOT NULL,
		status VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, dispatched_at TIMESTAMPTZ, sign_deadline TIMESTAMPTZ,
		signed_at TIMESTAMPTZ, reply_deadline TIMESTAMPTZ, replied_at TIMESTAMPTZ, satisfaction VARCHAR,
		returns SMALLINT NOT NULL, extensions SMALLINT NOT NULL, reopens SMALLINT NOT NULL, assist BOOLEAN NOT NULL)`;
}

/**
 * The rounds of the rows of `from` (the facts, or a change set) that meet `where`, as `UNIT_ROUNDS` rows (and
 * the change set's `sign` after them when `signed`).
 */
export function unitRoundsSelect(where: string, from = 'tickets_fact', signed = false): string {
	// a round a feed began (no dispatch here: dispatched_at NULL) is in no denominator of the return, extension and
	// reopen rates (`dispatched`), so nothing that befell it here counts in their numerators either
	const dispatchedHere = (flag: string) => `(${flag} AND r.dispatched_at IS NOT NULL)::SMALLINT`;
	const ticket = UNIT_ROUNDS.ticketColumns.map((c) => `f.${c}`).join(', ');
	const sign = signed ? ', f.sign' : '';
	const cond = where ? ` AND (${where})` : '';
	const ms = (c: string) => `make_timestamptz(r.${c} * 1000) AS ${c}`;
	return `SELECT ${ticket}, r.unit AS unit_code, ${ms('dispatched_at')}, ${ms('sign_deadline')}, ${ms('signed_at')}, ${ms('reply_deadline')}, ${ms('replied_at')},
			r.satisfaction, ${dispatchedHere('r.returned')} AS returns, ${dispatchedHere('r.extended')} AS extensions, ${dispatchedHere('r.reopened')} AS reopens, false AS assist${sign}
		FROM (SELECT * FROM ${from} WHERE rounds IS NOT NULL${cond}) f, unnest(f.rounds) AS u(r)
		UNION ALL
		SELECT ${ticket}, f.unit_code, f.dispatched_at, f.sign_deadline, f.signed_at, f.reply_deadline, f.replied_at,
			f.satisfaction, least(f.returns, 1)::SMALLINT, least(f.extensions, 1)::SMALLINT, least(f.reopens, 1)::SMALLINT, false${sign}
		FROM ${from} f WHERE f.rounds IS NULL AND f.unit_code IS NOT NULL${cond}
		UNION ALL
		SELECT ${ticket}, a.unit, NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ, NULL::TIMESTAMPTZ,
			NULL::VARCHAR, 0::SMALLINT, 0::SMALLINT, 0::SMALLINT, true${sign}
		FROM (SELECT * FROM ${from} WHERE assists IS NOT NULL${cond}) f, unnest(f.assists) AS a(unit)`;
}

export function unitRoundsInsert(where: string, from = 'tickets_fact'): string {
	return `INSERT INTO ${UNIT_ROUNDS.table} ${unitRoundsSelect(where, from)} ORDER BY day`;
}

/** The tables kept in `clusterOrder` with a district to cluster on: the rollups with one and the open tickets. */
export const CLUSTERED_TABLES: readonly string[] = [
	...ROLLUPS.filter((r) => r.dims.includes('district_code')).map((r) => r.table),
	OPEN_TICKETS.table
];

/**
 * The fact columns a change set (`rollupMerge`, `keepRollups`) must have, besides `sign`: every rollup
 * dimension, every column a measure reads, and the open tickets' columns. A writer may pass whole fact rows;
 * the ingest passes these only, which spares it copying each batch's texts and token lists once more.
 */
export const CHANGE_COLUMNS: readonly string[] = [
	...new Set<string>([
		...(Object.keys(DIM_SQL) as Dim[]),
		...['status', 'dispatched_at', 'signed_at', 'sign_deadline', 'replied_at', 'reply_deadline', 'satisfaction', 'returns', 'extensions', 'reopens'],
		...OPEN_TICKETS.columns,
		...UNIT_ROUNDS.ticketColumns,
		'rounds',
		'assists'
	])
];

export function openTicketsDdl(): string {
	return `CREATE TABLE IF NOT EXISTS ${OPEN_TICKETS.table} AS SELECT ${OPEN_TICKETS.columns.join(', ')} FROM tickets_fact WHERE false`;
}

/** The open tickets among the rows of `from` (the facts, or a change set) that meet `where`. */
export function openTicketsInsert(where: string, from = 'tickets_fact'): string {
	return `INSERT INTO ${OPEN_TICKETS.table} SELECT ${OPEN_TICKETS.columns.join(', ')} FROM ${from} WHERE status IN ${OPEN_STATUS_SQL}${where ? ` AND ${where}` : ''} ORDER BY ${clusterOrder(OPEN_TICKETS.columns)}`;
}

/**
 * Where a query over `dims` (grouped or filtered) needing `measures` can read: the smallest rollup that has
 * them all (and, for a period reaching back beyond the hourly window, is not recent-only), else the table it is
 * built from (`baseFor`).
 */
export function sourceFor(
	dims: readonly Dim[],
	measures: readonly Measure[],
	opts: { fromDay?: string; recentFrom?: string } = {},
	rollups: readonly Rollup[] = ROLLUPS
): Rollup | null {
	for (const r of rollups) {
		// by unit, rounds are counted; otherwise tickets
		if ((r.base === 'rounds') !== dims.includes('unit_code')) continue;
		if (r.recentOnly && (!opts.fromDay || !opts.recentFrom || opts.fromDay < opts.recentFrom)) continue;
		if (dims.every((d) => r.dims.includes(d)) && measures.every((m) => r.measures.includes(m))) return r;
	}
	return null;
}

/** The rows a query over `dims` counts when no rollup serves it: by unit the handling rounds, else the facts. */
export function baseFor(dims: readonly Dim[]): string {
	return baseTable({ base: dims.includes('unit_code') ? 'rounds' : undefined });
}

/** The SQL that yields measure `m` from a source: a sum over a rollup, the expression itself over facts. */
export function measureSql(m: Measure, source: Rollup | null): string {
	return source ? `sum(${m})` : MEASURES[m];
}
