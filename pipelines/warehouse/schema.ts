// The analytics store (DuckDB): the ticket facts and the rollups dashboards read.
// Derived data: it can always be rebuilt from the relational store plus the raw feed archive.
import {
	BIGINT,
	BOOLEAN,
	DATE,
	DOUBLE,
	LIST,
	SMALLINT,
	STRUCT,
	TIMESTAMPTZ,
	TINYINT,
	VARCHAR,
	type DuckDBConnection,
	type DuckDBType
} from '@duckdb/node-api';
import {
	CLUSTER_ORDER,
	clusterOrder,
	CLUSTERED_TABLES,
	HOURLY_DAYS,
	OPEN_TICKETS,
	openTicketsDdl,
	openTicketsInsert,
	RECENT_SQL,
	ROLLUP_VERSION,
	ROLLUPS,
	rollupBuildPlan,
	rollupDdl,
	rollupInsert,
	rollupMerge,
	sourceFor,
	UNIT_ROUNDS,
	unitRoundsDdl,
	unitRoundsInsert,
	unitRoundsSelect,
	type Rollup
} from './rollups';
import { archiveCallerNames } from './callers';
import { ANALYSIS_VERSION } from '../text/ticket-analysis';
import { TEXT_INDEX_DDL, upgradeTextIndex } from './text-index';
import { hasColumn, hasTable, inTransaction, openGate, type WriteGate } from './tx';

export interface FactColumn {
	name: string;
	sql: string;
	type: DuckDBType;
}

const col = (name: string, sql: string, type: DuckDBType): FactColumn => ({ name, sql, type });

/** A handling round as the facts store it (pipelines/lifecycle/rounds.ts UnitRound; instants in epoch ms, as JSON carries them). */
const ROUNDS = LIST(STRUCT({
	unit: VARCHAR, dispatched_at: BIGINT, sign_deadline: BIGINT, signed_at: BIGINT, reply_deadline: BIGINT, replied_at: BIGINT,
	satisfaction: VARCHAR, returned: BOOLEAN, extended: BOOLEAN, reopened: BOOLEAN
}));

/**
 * One row per ticket, as of its latest version. No caller name or phone: analytics never carry personal
 * data; `caller_key` is a keyed hash that lets repeat callers be counted without knowing who they are.
 */
export const FACT_COLUMNS: readonly FactColumn[] = [
	col('ticket_no', 'VARCHAR NOT NULL', VARCHAR),
	col('source', 'VARCHAR NOT NULL', VARCHAR),
	col('external_id', 'VARCHAR NOT NULL', VARCHAR),
	col('channel', 'VARCHAR NOT NULL', VARCHAR),
	col('type', 'VARCHAR NOT NULL', VARCHAR),
	col('category_code', 'VARCHAR', VARCHAR),
	col('category_l1', 'VARCHAR', VARCHAR),
	col('category_l2', 'VARCHAR', VARCHAR),
	col('title', 'VARCHAR', VARCHAR),
	col('content', 'VARCHAR NOT NULL', VARCHAR),
	col('address', 'VARCHAR', VARCHAR),
	col('district_code', 'VARCHAR', VARCHAR),
	col('street_code', 'VARCHAR', VARCHAR),
	col('lon', 'DOUBLE', DOUBLE),
	col('lat', 'DOUBLE', DOUBLE),
	col('urgency', 'VARCHAR NOT NULL', VARCHAR),
	col('status', 'VARCHAR NOT NULL', VARCHAR),
	col('unit_code', 'VARCHAR', VARCHAR),
	col('received_at', 'TIMESTAMPTZ NOT NULL', TIMESTAMPTZ),
	col('day', 'DATE NOT NULL', DATE), // Asia/Shanghai date of received_at
	col('hour', 'TINYINT NOT NULL', TINYINT), // Asia/Shanghai hour of received_at
	col('updated_at', 'TIMESTAMPTZ NOT NULL', TIMESTAMPTZ),
	col('dispatched_at', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('signed_at', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('replied_at', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('closed_at', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('sign_deadline', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('reply_deadline', 'TIMESTAMPTZ', TIMESTAMPTZ),
	col('satisfaction', 'VARCHAR', VARCHAR),
	col('not_accepted_reason', 'TINYINT', TINYINT),
	col('transferred_to', 'VARCHAR', VARCHAR),
	col('returns', 'SMALLINT NOT NULL', SMALLINT),
	col('extensions', 'SMALLINT NOT NULL', SMALLINT),
	col('reopens', 'SMALLINT NOT NULL', SMALLINT),
	col('urges', 'SMALLINT NOT NULL', SMALLINT),
	col('sign_on_time', 'BOOLEAN', BOOLEAN),
	col('reply_on_time', 'BOOLEAN', BOOLEAN),
	col('caller_key', 'VARCHAR', VARCHAR),
	// added by the ingest pipeline (segmentation, keywords, data-quality flags); new columns go last
	col('tokens', 'VARCHAR[]', LIST(VARCHAR)),
	col('keywords', 'VARCHAR[]', LIST(VARCHAR)),
	col('flags', 'VARCHAR[]', LIST(VARCHAR)),
	// text analysis (pipelines/text): sentiment score in [-1, 1] (negative: distressed, angry) and intensity in [0, 1]
	col('sentiment', 'DOUBLE', DOUBLE),
	col('intensity', 'DOUBLE', DOUBLE),
	// the ticket's handling rounds (pipelines/lifecycle/rounds.ts), from its events: the unit assessment charges each
	// round to its unit. NULL when the history is unknown (a feed's ticket), empty when it never went to a unit
	col('rounds', ROUNDS.toString(), ROUNDS),
	// the assisting units (协办) of its dispatches, one entry a dispatch (pipelines/lifecycle/rounds.ts unitAssists)
	col('assists', 'VARCHAR[]', LIST(VARCHAR))
];

/** Columns facts no longer have, dropped from a store made by an older version. */
const DROPPED_FACT_COLUMNS = ['returned_by'];

const DDL = [
	`CREATE TABLE IF NOT EXISTS tickets_fact (${FACT_COLUMNS.map((c) => `${c.name} ${c.sql}`).join(', ')})`,
	`CREATE TABLE IF NOT EXISTS warehouse_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
	// every rejected feed record, with its raw text and where it came from; keyed so a re-run adds nothing
	`CREATE TABLE IF NOT EXISTS quarantine (
		source VARCHAR NOT NULL, origin VARCHAR NOT NULL, origin_id VARCHAR NOT NULL, line BIGINT NOT NULL,
		byte_offset BIGINT, reason VARCHAR NOT NULL, field VARCHAR, message VARCHAR NOT NULL, raw VARCHAR NOT NULL,
		quarantined_at TIMESTAMPTZ NOT NULL, status VARCHAR NOT NULL DEFAULT 'open', resolved_at TIMESTAMPTZ,
		PRIMARY KEY (source, origin_id, line))`,
	// the raw feed archive: every accepted record version as sent, so the facts can be rebuilt, and the caller's
	// name it gave (cleaned), so a later version that leaves the caller out still has the name masked in its texts
	`CREATE TABLE IF NOT EXISTS feed_archive (
		source VARCHAR NOT NULL, external_id VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
		origin_id VARCHAR NOT NULL, line BIGINT NOT NULL, raw VARCHAR NOT NULL, caller_name VARCHAR)`,
	// the text index: term_df, term_daily, search_postings (text-index.ts)
	...TEXT_INDEX_DDL,
	// topic runs (pipelines/text/topics.ts): runs, their topics, and which ticket belongs to which topic
	`CREATE TABLE IF NOT EXISTS topic_runs (
		run_id VARCHAR PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, period_from DATE NOT NULL, period_to DATE NOT NULL,
		k INTEGER NOT NULL, k_requested VARCHAR NOT NULL, tickets INTEGER NOT NULL, outliers INTEGER NOT NULL,
		seconds DOUBLE NOT NULL, model VARCHAR NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS topics (
		run_id VARCHAR NOT NULL, topic_id INTEGER NOT NULL, label VARCHAR[] NOT NULL, rep_ticket VARCHAR, rep_title VARCHAR,
		size INTEGER NOT NULL, prev_size INTEGER NOT NULL, category_l1 VARCHAR, category_code VARCHAR, category_share DOUBLE,
		PRIMARY KEY (run_id, topic_id))`,
	`CREATE TABLE IF NOT EXISTS ticket_topics (
		run_id VARCHAR NOT NULL, ticket_no VARCHAR NOT NULL, topic_id INTEGER NOT NULL, score DOUBLE NOT NULL, how VARCHAR NOT NULL)`,
	// daily sequence of ticket numbers given to feed records (SZ20261128-F000001)
	`CREATE TABLE IF NOT EXISTS feed_seq (day DATE PRIMARY KEY, last INTEGER NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS ingest_runs (
		run_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, origin VARCHAR NOT NULL, origin_id VARCHAR NOT NULL,
		started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ, summary VARCHAR)`
];

/** Dashboards and pipelines think in Asia/Shanghai. */
export async function ensureWarehouse(conn: DuckDBConnection): Promise<void> {
	await conn.run(`SET TimeZone = 'Asia/Shanghai'`);
	const created = !(await hasTable(conn, 'tickets_fact'));
	for (const stmt of DDL) await conn.run(stmt);
	// a new store's tokens are all made by this version's analysis
	if (created) await setMeta(conn, 'analysis_version', ANALYSIS_VERSION);
	// a store made by an older version gets the columns added since (appended, in FACT_COLUMNS order)
	for (const c of FACT_COLUMNS) await conn.run(`ALTER TABLE tickets_fact ADD COLUMN IF NOT EXISTS ${c.name} ${c.sql.replace(' NOT NULL', '')}`);
	await roundsFromReturnedBy(conn);
	for (const c of DROPPED_FACT_COLUMNS) await conn.run(`ALTER TABLE tickets_fact DROP COLUMN IF EXISTS ${c}`);
	// the fields as read (JSON) of a record that failed after reading, so a replay can map them again
	await conn.run(`ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS fields VARCHAR`);
	// the mapping the record was read with (JSON), so a replay without a new mapping maps it as the ingest did
	await conn.run(`ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS mapping VARCHAR`);
	await archiveCallerNames(conn);
	await upgradeTextIndex(conn);
	await upgradeRollups(conn);
}

/**
 * A store made before the rounds (ROLLUP_VERSION 9) named on each fact the units that returned the ticket
 * (`returned_by`). The relational store's tickets get their rounds from their events at the next sync; the facts only
 * the analytics store holds (the demo's history) get rounds from `returned_by` here, before it is dropped: a returned
 * round for each unit that returned the ticket and a round of the unit holding it now with the fact's own figures,
 * so a return stays charged to the unit that made it, as it was.
 */
async function roundsFromReturnedBy(conn: DuckDBConnection): Promise<void> {
	if (!(await hasColumn(conn, 'tickets_fact', 'returned_by'))) return;
	const ms = (c: string) => `epoch_ms(${c})`;
	const none = `NULL::BIGINT`;
	await conn.run(`UPDATE tickets_fact SET rounds =
		list_transform(returned_by, u -> {'unit': u, 'dispatched_at': ${ms('dispatched_at')}, 'sign_deadline': ${none}, 'signed_at': ${none},
			'reply_deadline': ${none}, 'replied_at': ${none}, 'satisfaction': NULL::VARCHAR, 'returned': true, 'extended': false, 'reopened': false})
		|| CASE WHEN unit_code IS NULL THEN [] ELSE [{'unit': unit_code, 'dispatched_at': ${ms('dispatched_at')}, 'sign_deadline': ${ms('sign_deadline')},
			'signed_at': ${ms('signed_at')}, 'reply_deadline': ${ms('reply_deadline')}, 'replied_at': ${ms('replied_at')}, 'satisfaction': satisfaction,
			'returned': false, 'extended': extensions > 0, 'reopened': reopens > 0}] END
		WHERE returned_by IS NOT NULL AND rounds IS NULL`);
}

export async function getMeta(conn: DuckDBConnection, key: string): Promise<string | null> {
	const r = await conn.runAndReadAll('SELECT value FROM warehouse_meta WHERE key = $key', { key });
	const rows = r.getRows();
	return rows.length ? String(rows[0][0]) : null;
}

export async function setMeta(conn: DuckDBConnection, key: string, value: string): Promise<void> {
	await conn.run('INSERT OR REPLACE INTO warehouse_meta VALUES ($key, $value)', { key, value });
}

export async function deleteMeta(conn: DuckDBConnection, key: string): Promise<void> {
	await conn.run('DELETE FROM warehouse_meta WHERE key = $key', { key });
}

export { HOURLY_DAYS };

/**
 * Recomputes the rollups for [fromDay, toDay] (inclusive, 'YYYY-MM-DD'), or entirely when no range is given,
 * in one transaction so readers never see a half-built rollup.
 */
export async function refreshRollups(conn: DuckDBConnection, range?: { fromDay: string; toDay: string }): Promise<void> {
	await inTransaction(conn, () => rebuildRollups(conn, range));
}

// --- the rows' order (clusterOrder): appended rows are put back in order by month -----------------------

/**
 * warehouse_meta key of the rows appended out of `clusterOrder` since the last clustering: JSON
 * `{ from: the earliest day written, since: when the first of them was written (ms) }`.
 */
const UNCLUSTERED = 'rollups_unclustered';

interface Unclustered {
	from: string;
	since: number;
}

async function readUnclustered(conn: DuckDBConnection): Promise<Unclustered | null> {
	const v = await getMeta(conn, UNCLUSTERED);
	return v ? (JSON.parse(v) as Unclustered) : null;
}

/**
 * Notes, in the writer's transaction, that rows from `fromDay` on were written out of order (the rollup
 * writers below do; exported for the benchmark, which times the rewrite).
 */
export async function markUnclustered(conn: DuckDBConnection, fromDay: string, since = Date.now()): Promise<void> {
	const was = await readUnclustered(conn);
	const mark: Unclustered = was
		? { from: fromDay < was.from ? fromDay : was.from, since: Math.min(was.since, since) }
		: { from: fromDay, since };
	if (!was || was.from !== mark.from || was.since !== mark.since) await setMeta(conn, UNCLUSTERED, JSON.stringify(mark));
}

async function clearUnclustered(conn: DuckDBConnection): Promise<void> {
	await deleteMeta(conn, UNCLUSTERED);
}

export interface Clustered {
	/** the first day rewritten (the first of a month) */
	fromDay: string;
	rows: number;
	seconds: number;
}

/**
 * Puts the rows of the clustered tables back in `clusterOrder`, from the first month written out of order
 * on, in one transaction (readers see the old or the new order, the same rows either way). No other writer
 * may write these tables meanwhile: an update of a row the rewrite deletes would be lost (see WriteGate).
 * Returns what it rewrote, or null when nothing was out of order.
 */
export async function clusterRollups(conn: DuckDBConnection): Promise<Clustered | null> {
	const mark = await readUnclustered(conn);
	if (!mark) return null;
	const t0 = performance.now();
	const fromDay = `${mark.from.slice(0, 7)}-01`;
	const rows = await inTransaction(conn, async () => {
		let n = 0;
		for (const table of CLUSTERED_TABLES) {
			await conn.run(`CREATE OR REPLACE TEMP TABLE cluster_rows AS SELECT * FROM ${table} WHERE day >= $from::DATE`, { from: fromDay });
			await conn.run(`DELETE FROM ${table} WHERE day >= $from::DATE`, { from: fromDay });
			const r = await conn.run(`INSERT INTO ${table} SELECT * FROM cluster_rows ORDER BY ${CLUSTER_ORDER}`);
			n += Number(r.rowsChanged);
		}
		await conn.run('DROP TABLE cluster_rows');
		await clearUnclustered(conn);
		return n;
	});
	return { fromDay, rows, seconds: (performance.now() - t0) / 1000 };
}

/**
 * `clusterRollups`, through `gate`, when rows have been out of order for at least `afterMs` (default 0: whenever
 * any are): the server waits an hour, so that a stream of small writes is put in order once, not after each.
 */
export async function maintainRollups(
	conn: DuckDBConnection,
	o: { afterMs?: number; now?: number; gate?: WriteGate } = {}
): Promise<Clustered | null> {
	const mark = await readUnclustered(conn);
	if (!mark || (o.now ?? Date.now()) - mark.since < (o.afterMs ?? 0)) return null;
	return (o.gate ?? openGate)(() => clusterRollups(conn));
}

/** The rollup rebuild itself, inside the caller's transaction. */
export async function rebuildRollups(conn: DuckDBConnection, range?: { fromDay: string; toDay: string }): Promise<void> {
	const params = range ? { from: range.fromDay, to: range.toDay } : undefined;
	const inRange = range ? 'day BETWEEN $from::DATE AND $to::DATE' : '';
	// a range's rows go at the end, out of clusterOrder whatever their own order (clusterRollups puts them in
	// it later): in day order, which costs less to sort (`npm run bench -- ingest --tickets 300000 --merge-only`:
	// the rollups phase took 2.6-3.0 s in day order against 3.1-3.4 s sorted by clusterOrder)
	const orderBy = (r: Rollup) => (range ? 'day' : clusterOrder(r.dims));
	// the rounds first: the unit rollups are built from them
	await conn.run(`DELETE FROM ${UNIT_ROUNDS.table}${range ? ` WHERE ${inRange}` : ''}`, params);
	await conn.run(unitRoundsInsert(inRange), params);
	// finer rollups first: the coarser ones are summed from them (rollupBuildPlan)
	for (const { rollup: r, from } of rollupBuildPlan()) {
		if (r.recentOnly) {
			// the hourly rollup covers only the recent past: the range and the days that left the window go (a full
			// rebuild: everything), and the recent days are refilled
			await conn.run(`DELETE FROM ${r.table}${range ? ` WHERE ${inRange} OR NOT (${RECENT_SQL})` : ''}`, params);
			await conn.run(rollupInsert(r, `WHERE ${RECENT_SQL}${range ? ` AND ${inRange}` : ''}`, from, orderBy(r)), params);
		} else {
			await conn.run(`DELETE FROM ${r.table}${range ? ` WHERE ${inRange}` : ''}`, params);
			await conn.run(rollupInsert(r, range ? `WHERE ${inRange}` : '', from, orderBy(r)), params);
		}
	}
	await conn.run(`DELETE FROM ${OPEN_TICKETS.table}${range ? ` WHERE ${inRange}` : ''}`, params);
	await conn.run(openTicketsInsert(inRange), params);
	// a full rebuild writes everything in clusterOrder; a range's rows went at the end
	if (range) await markUnclustered(conn, range.fromDay);
	else await clearUnclustered(conn);
}

/**
 * The rollups and the open tickets brought up to date with a change set by merging its difference, inside the
 * caller's transaction. For a few changed tickets among a busy day's thousands this costs a fraction of
 * rebuilding their days.
 */
async function applyRollupChanges(conn: DuckDBConnection, changes: string, fromDay: string): Promise<void> {
	// the rounds of the versions leaving (-1) and entering (+1): what the unit rollups take the difference of
	await conn.run(`CREATE OR REPLACE TEMP TABLE round_changes AS ${unitRoundsSelect('', changes, true)}`);
	for (const r of ROLLUPS) {
		await conn.run(rollupMerge(r, r.base === 'rounds' ? 'round_changes' : changes));
		if (r.recentOnly) await conn.run(`DELETE FROM ${r.table} WHERE NOT (${RECENT_SQL})`);
	}
	await conn.run('DROP TABLE round_changes');
	await conn.run(`DELETE FROM ${OPEN_TICKETS.table} WHERE ticket_no IN (SELECT ticket_no FROM ${changes})`);
	await conn.run(openTicketsInsert('sign = 1', changes));
	await conn.run(`DELETE FROM ${UNIT_ROUNDS.table} WHERE ticket_no IN (SELECT ticket_no FROM ${changes})`);
	await conn.run(unitRoundsInsert('sign = 1', changes));
	// new groups and open tickets went at the end
	await markUnclustered(conn, fromDay);
}

/**
 * Brings the rollups and the open tickets up to date with a change set, inside the caller's transaction:
 * `changes` is a table with `sign` (-1: a version leaving the facts, +1: one entering them) and the fact
 * columns CHANGE_COLUMNS (or whole fact rows). Of two ways it takes the cheaper:
 * - where the days the changes span held no more tickets than the change set before it (a bulk load in time
 *   order, a first sync), those days are rebuilt: that reads about as many rows as the changes and sums the
 *   coarser rollups from the finer, where a merge groups the changes once per rollup (on the first 300,000
 *   records of the 1M bench feed, the rollups phase of tests/bench/ingest-merge.ts took 1.7–1.8 s with this
 *   choice and 2.7–2.8 s with this function changed to merge always);
 * - otherwise (a push or a sync among a busy day's tickets, or changes spread over months) the difference is
 *   merged, at the cost of the changes, not of the days between the oldest and the newest.
 * Both give the same rollups (tests of the ingest and the sync compare them with a full rebuild).
 */
export async function keepRollups(conn: DuckDBConnection, changes: string): Promise<void> {
	const [[n, from, to, before]] = (
		await conn.runAndReadAll(`WITH c AS (SELECT count(*) AS n, min(day) AS lo, max(day) AS hi FROM ${changes})
			SELECT c.n::INTEGER, strftime(c.lo, '%Y-%m-%d'), strftime(c.hi, '%Y-%m-%d'),
			       (SELECT coalesce(sum(r.n), 0)::BIGINT FROM ${sourceFor(['day'], ['n'])!.table} r WHERE r.day BETWEEN c.lo AND c.hi)
			FROM c`)
	).getRows();
	if (!Number(n)) return;
	if (Number(before) <= Number(n)) await rebuildRollups(conn, { fromDay: String(from), toDay: String(to) });
	else await applyRollupChanges(conn, changes, String(from));
}

/**
 * A store whose rollups were built by another version (other columns or measure definitions) gets them
 * dropped, created anew and rebuilt from the facts, once.
 */
async function upgradeRollups(conn: DuckDBConnection): Promise<void> {
	if ((await getMeta(conn, 'rollup_version')) === ROLLUP_VERSION) {
		for (const r of ROLLUPS) await conn.run(rollupDdl(r));
		await conn.run(openTicketsDdl());
		await conn.run(unitRoundsDdl());
		// a store written in another order is put in this one by the next maintenance, whole
		if ((await getMeta(conn, 'rollup_order')) !== CLUSTER_ORDER) {
			await inTransaction(conn, async () => {
				await markUnclustered(conn, '0001-01-01', 0);
				await setMeta(conn, 'rollup_order', CLUSTER_ORDER);
			});
		}
		return;
	}
	await inTransaction(conn, async () => {
		for (const r of ROLLUPS) {
			await conn.run(`DROP TABLE IF EXISTS ${r.table}`);
			await conn.run(rollupDdl(r));
		}
		await conn.run(`DROP TABLE IF EXISTS ${OPEN_TICKETS.table}`);
		await conn.run(openTicketsDdl());
		await conn.run(`DROP TABLE IF EXISTS unit_returns`); // before version 10: the returns by unit, now in the rounds
		await conn.run(`DROP TABLE IF EXISTS ${UNIT_ROUNDS.table}`);
		await conn.run(unitRoundsDdl());
		await rebuildRollups(conn);
		await setMeta(conn, 'rollup_version', ROLLUP_VERSION);
		await setMeta(conn, 'rollup_order', CLUSTER_ORDER);
	});
}
