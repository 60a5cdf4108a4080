// Continuous sync of the relational store (source of truth) into the analytics store: tickets changed since a
// watermark (the writing transaction, id) are rewritten in tickets_fact with their lifecycle figures. Runs at start
// (catch-up after a crash) and right after each commit that changes tickets (requestSync: at once after a quiet
// spell, at most once a second under a stream of changes).
import { and, asc, desc, sql } from 'drizzle-orm';
import type { DuckDBConnection } from '@duckdb/node-api';
import { shanghaiDayHour, type FactRow } from '$pipelines/warehouse/facts';
import { insertJsonRows } from '$pipelines/warehouse/json-rows';
import { callerKey } from '$pipelines/warehouse/privacy';
import { deleteMeta, FACT_COLUMNS, getMeta, keepRollups, setMeta } from '$pipelines/warehouse/schema';
import { rollbackQuietly } from '$pipelines/warehouse/tx';
import { mapInSlices } from '$pipelines/event-loop';
import { removeTermStats } from '$pipelines/warehouse/text-index';
import { categoryAncestors } from '$pipelines/reference/index';
import { normalizePhone } from '$pipelines/normalize/index';
import { ticketTextsForAnalytics, type TicketTexts } from '$pipelines/text/redact';
import { AT_UNIT, metDeadline } from '$pipelines/lifecycle/model';
import { feedLimits, ROUND_ACTIONS, unitAssists, unitRounds, type RoundEvent, type UnitRound } from '$pipelines/lifecycle/rounds';
import type { App } from './app';
import { CoalescingJob, waitAtMost } from './jobs';
import { ticketEvents, tickets, type TicketRow } from './db/schema';
import { withoutParameters } from './log';

const WATERMARK = 'sync_watermark';

/**
 * Transactions of other databases on the same PostgreSQL server that are known to be theirs: an open transaction
 * that has written (pg_stat_activity's backend_xid, in a database not this one, whose transaction lock the same
 * backend holds: the slot and the lock agree on the backend, so a slot taken over meanwhile by a backend of this
 * database is not taken for the other's), and prepared transactions of other databases. They never write this
 * database's rows.
 */
const OTHER_DATABASES_XIDS = sql`
	SELECT a.backend_xid AS xid FROM pg_stat_activity a
		JOIN pg_locks l ON l.locktype = 'transactionid' AND l.transactionid = a.backend_xid AND l.pid = a.pid AND l.mode = 'ExclusiveLock' AND l.granted
		WHERE a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
	UNION ALL
	SELECT p.transaction FROM pg_prepared_xacts p WHERE p.database <> current_database()`;

/**
 * The sync's horizon: the oldest transaction still running that may write this database's rows (or, with none, the
 * first not yet begun). Every transaction of this database below it has ended (committed or not), so a change it
 * wrote is visible now, and in any later statement, or never; the sync reads only below it, in statements after the
 * one that took it. Transaction ids are the whole server's: the oldest running one may be another database's, which
 * held this one's changes back for as long as it ran (another application's long transaction froze the dashboards).
 * Those known to be another's are passed over; any other one (this database's, one that ended while this looked,
 * one of a backend no longer listed) counts, and PostgreSQL's snapshot lists every transaction running, prepared
 * ones among them. The embedded store runs one transaction at a time: there the oldest running is the horizon.
 * (The oldest by ORDER BY … LIMIT 1: min() of xid8 exists from PostgreSQL 15 only, its ordering from 13.)
 */
const PG_HORIZON = sql`SELECT least(pg_snapshot_xmax(s.snap), (
		SELECT x FROM pg_snapshot_xip(s.snap) x WHERE NOT EXISTS (SELECT 1 FROM (${OTHER_DATABASES_XIDS}) o WHERE o.xid = x::xid)
		ORDER BY x LIMIT 1
	))::text AS horizon FROM (SELECT pg_current_snapshot() AS snap) s`;
const PGLITE_HORIZON = sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`;

/** The sync's horizon (a transaction id as text): changes written below it are read. */
export async function syncHorizon(app: App): Promise<string> {
	const r = (await app.rel.db.execute(app.rel.kind === 'postgres' ? PG_HORIZON : PGLITE_HORIZON)) as unknown as { rows: { horizon: string }[] };
	return r.rows[0].horizon;
}
const BATCH = 2000;
/**
 * Tickets read from the relational store per statement. The embedded store runs one statement at a time, so a
 * registration arriving meanwhile waits for the page: `npm run bench -- intake --loads open` (1,000 registrations a
 * second, fresh store) gave a p99 of 36–50 ms at 50 connections and 38–49 ms at 200 over 5 runs with pages of 250,
 * 36–42 and 30–37 ms over 3 runs with 100.
 */
const READ_PAGE = 100;
/** Tickets made into facts between two turns of the event loop. */
const STAGE_SLICE = 200;

/** The last ticket synced, by the transaction that wrote its change (`tickets.changed_xid`, as text) and its id. */
interface Watermark {
	xid: string;
	id: number;
}

export async function readWatermark(conn: DuckDBConnection): Promise<Watermark | null> {
	const v = await getMeta(conn, WATERMARK);
	return v ? (JSON.parse(v) as Watermark) : null;
}

/**
 * What the sync derives from the relational store, by version: bump it when the facts gain something the sync
 * fills in, or the watermark changes meaning (2: `returned_by`, the units that returned a ticket; 3: the watermark
 * is the store's own change time `changed_at`, no longer `updated_at`; 4: `rounds`, the handling rounds, in place
 * of `returned_by`; 5: the watermark is the writing transaction `changed_xid`; 6: the caller's own name masked in the
 * texts; 7: and the caller's own phone number; 8: a round a feed's version began has no dispatch instant; 9: `assists`,
 * the assisting units of the dispatches). A store synced by an older version gets every
 * ticket synced again at the next start (`resyncAfterUpgrade`), so its relational tickets carry the new columns.
 */
const SYNC_VERSION = '9';

/** Sends the watermark back to the start when the store was synced by an older SYNC_VERSION (at start, before the catch-up). */
export async function resyncAfterUpgrade(app: App): Promise<void> {
	const conn = app.analytics.conn;
	if ((await getMeta(conn, 'sync_version')) === SYNC_VERSION) return;
	await deleteMeta(conn, WATERMARK);
	await setMeta(conn, 'sync_version', SYNC_VERSION);
}

/**
 * Transaction ids belong to one database cluster: a database moved to another server by dump and restore keeps its
 * rows' `changed_xid` (and the analytics store its watermark) while the new cluster counts from far below them, so
 * every new change would sort before the watermark and never be synced. At start, before the catch-up: rows marked
 * by a transaction the cluster has not reached yet are marked again by this one, and a watermark ahead of the
 * cluster is dropped (every ticket is synced again, which the facts take idempotently).
 */
export async function repairAfterRestore(app: App): Promise<{ restamped: number; resync: boolean }> {
	const ahead = sql`pg_snapshot_xmax(pg_current_snapshot())`;
	const restamped = await app.rel.db
		.update(tickets)
		.set({ changedXid: sql`pg_current_xact_id()` })
		.where(sql`${tickets.changedXid} >= ${ahead}`)
		.returning({ id: tickets.id });
	const wm = await readWatermark(app.analytics.conn);
	const wmAhead = wm?.xid
		? ((await app.rel.db.execute(sql`SELECT (${wm.xid}::xid8 >= ${ahead}) AS ahead`)) as unknown as { rows: { ahead: boolean }[] }).rows[0]?.ahead
		: false;
	const resync = restamped.length > 0 || wmAhead === true;
	if (resync) await deleteMeta(app.analytics.conn, WATERMARK);
	return { restamped: restamped.length, resync };
}

/** Drops the watermark: the next sync reads every ticket (the analytics store was paired with another relational store). */
export async function forgetWatermark(conn: DuckDBConnection): Promise<void> {
	await deleteMeta(conn, WATERMARK);
}

/** Marks everything currently in the relational store as synced (after the demo wrote both stores itself). */
export async function markSynced(app: App): Promise<void> {
	const [last] = await app.rel.db.select({ xid: tickets.changedXid, id: tickets.id }).from(tickets).orderBy(desc(tickets.changedXid), desc(tickets.id)).limit(1);
	if (last) await setMeta(app.analytics.conn, WATERMARK, JSON.stringify({ xid: last.xid, id: last.id } satisfies Watermark));
	await setMeta(app.analytics.conn, 'sync_version', SYNC_VERSION); // the demo wrote its facts as this version derives them
}

/**
 * A ticket's events that make its handling rounds, as the statement below gives them: action, to, unit, at, and data's
 * deadlines, satisfaction, assisting units, and a feed version's sign-for and reply times.
 */
type RoundStep = [string, string, string | null, string, number | null, number | null, string | null, string[] | null, number | null, number | null];

/** What a ticket's events give its fact (named as the fact's columns), and the steps of its rounds. */
type LifecycleFigures = Pick<FactRow, 'returns' | 'extensions' | 'reopens' | 'urges'> & { steps: RoundStep[] };

/**
 * A ticket's lifecycle figures from its events, in the statement that reads the ticket (one statement a page, and
 * a few figures a ticket instead of its events): counted as the demo generator's `stateAt` counts them (an event
 * counts once: a return, else an approved extension, else a move to reopened, else an urge or a supervision), and
 * the events its handling rounds are made of (`unitRounds`), in order, none for a ticket never dispatched.
 */
const LIFECYCLE_FIGURES = sql<LifecycleFigures>`(SELECT json_build_object(
	'returns', count(*) FILTER (WHERE e.action = 'return'),
	'extensions', count(*) FILTER (WHERE e.action = 'extension_approve'),
	'reopens', count(*) FILTER (WHERE e.action NOT IN ('return', 'extension_approve') AND e.to_status = 'reopened'),
	'urges', count(*) FILTER (WHERE e.action IN ('urge', 'supervise') AND e.to_status <> 'reopened'),
	'steps', coalesce(json_agg(json_build_array(e.action, e.to_status, e.unit_code, e.at, e.data->'signDeadline', e.data->'replyDeadline', e.data->'satisfaction', e.data->'assistUnits', e.data->'signedAt', e.data->'repliedAt') ORDER BY e.id)
		FILTER (WHERE e.action IN (${sql.join(ROUND_ACTIONS.map((a) => sql`${a}`), sql`, `)}) OR e.to_status = 'reopened'), '[]'))
	FROM ${ticketEvents} e WHERE e.ticket_id = "tickets"."id")`; // qualified by hand: drizzle writes ${tickets.id} unqualified here
// (in the order written: a ticket's events are written under its row lock, whatever the clocks of the servers say)

/**
 * The handling rounds of a ticket from the steps the statement read. A ticket at a unit without any (a feed's, handed
 * over before its events named the unit) has NULL: as a feed's ticket in the analytics store, one round of its unit.
 */
function roundsOf(t: TicketRow, events: readonly RoundEvent[]): UnitRound[] | null {
	const rounds = unitRounds(events);
	return rounds.length === 0 && t.unitCode ? null : rounds;
}

const roundEvents = (steps: readonly RoundStep[]): RoundEvent[] =>
	steps.map(([action, to, unit, at, signDeadline, replyDeadline, satisfaction, assistUnits, signedAt, repliedAt]) => ({
		action, to, unit, at: Date.parse(at), signDeadline, replyDeadline, satisfaction, assistUnits, signedAt, repliedAt
	}));

/** The ticket's texts with the caller's own name and number masked (the analytics carry no personal data: 来电人李建国 → 李**). */
function textsForAnalytics(t: TicketRow): TicketTexts {
	const given = { title: t.title, content: t.content, address: t.address };
	return ticketTextsForAnalytics(given, t.callerName, t.callerPhone) ?? given;
}

function toFact(app: App, t: TicketRow, { steps, ...figures }: LifecycleFigures, now: number): FactRow {
	const ms = (d: Date | null) => (d ? d.getTime() : null);
	const anc = t.categoryCode ? categoryAncestors(app.ref, t.categoryCode) : [];
	const received = t.receivedAt.getTime();
	const { day, hour } = shanghaiDayHour(received);
	// the caller as repeat detection keys them (a local number with the city's area code: 65123456 is 0512 65123456)
	const phone = t.callerPhone ? normalizePhone(t.callerPhone, app.ref.city.phoneAreaCode ?? undefined) : null;
	const events = roundEvents(steps);
	const assists = unitAssists(events);
	// a ticket never dispatched here (a feed's): a step still due at the unit by the store's limit, as 督办 watches it
	// (counted from the receipt where the feed reported none: the overview's 当前超期 agrees with 督办); a step done, or
	// no longer due, by the limit its feed reported alone, so a limit the sender never set counts in no on-time rate
	const reported = t.dispatchedAt ? null : feedLimits(events);
	const due = (AT_UNIT as readonly string[]).includes(t.status);
	const signDeadline = reported && (t.signedAt || !due) ? reported.signDeadline : ms(t.signDeadline);
	const replyDeadline = reported && (t.repliedAt || !due) ? reported.replyDeadline : ms(t.replyDeadline);
	return {
		ticket_no: t.ticketNo, source: t.source, external_id: t.externalId, channel: t.channel, type: t.type,
		category_code: t.categoryCode, category_l1: anc[0]?.code ?? null, category_l2: anc[1]?.code ?? null,
		...textsForAnalytics(t),
		district_code: t.districtCode, street_code: t.streetCode,
		lon: t.lon, lat: t.lat, urgency: t.urgency, status: t.status, unit_code: t.unitCode,
		received_at: received, day, hour, updated_at: t.updatedAt.getTime(),
		dispatched_at: ms(t.dispatchedAt), signed_at: ms(t.signedAt), replied_at: ms(t.repliedAt), closed_at: ms(t.closedAt),
		sign_deadline: signDeadline, reply_deadline: replyDeadline, satisfaction: t.satisfaction,
		not_accepted_reason: t.notAcceptedReason, transferred_to: t.transferredTo, ...figures, rounds: roundsOf(t, events), assists: assists.length ? assists : null,
		sign_on_time: metDeadline(ms(t.signedAt), signDeadline, now), reply_on_time: metDeadline(ms(t.repliedAt), replyDeadline, now),
		caller_key: phone ? callerKey(phone) : null, tokens: null, keywords: null, flags: null, sentiment: null, intensity: null
	};
}

/**
 * Rewrites in tickets_fact every relational ticket changed after the watermark by a transaction that has ended,
 * in batches; each batch and its watermark move in one DuckDB transaction, so a crash repeats at most one batch
 * (which is idempotent).
 * Tokens, keywords and flags that the ingest pipeline computed are kept. Between batches it stops early when
 * `yieldNow` says so.
 */
/** Tickets last changed by a transaction below `horizon` (one that has ended: syncHorizon). */
const endedBefore = (horizon: string) => sql`${tickets.changedXid} < ${horizon}::xid8`;
/** Tickets after the watermark in the sync's order (changed xid, then id), as a row comparison the index scan starts at. */
const pastWatermark = (wm: Watermark) => sql`(${tickets.changedXid}, ${tickets.id}) > (${wm.xid}::xid8, ${wm.id}::integer)`;

export async function syncToAnalytics(
	app: App,
	now = Date.now(),
	yieldNow?: () => boolean,
	/** after each batch: the tickets synced so far, of the `total` waiting when it began (a catch-up's progress) */
	onProgress?: (done: number, total: number) => void
): Promise<number> {
	const { db } = app.rel;
	const conn = app.analytics.conn;
	let total = 0;
	let waiting = 0;
	if (onProgress) {
		const wm0 = await readWatermark(conn);
		const horizon0 = await syncHorizon(app);
		const [{ n }] = await db
			.select({ n: sql<number>`count(*)::int` })
			.from(tickets)
			.where(
				and(
					endedBefore(horizon0),
					wm0 ? pastWatermark(wm0) : undefined
				)
			);
		waiting = n;
		onProgress(0, waiting);
	}
	for (;;) {
		// read in pages: the embedded store runs one statement at a time, and a registration waiting behind a
		// read of thousands of rows waited for all of it
		let wm = await readWatermark(conn);
		// only the changes of transactions that have ended: below the oldest one still running that may write here.
		// One still running may have written before another that has committed; a watermark moved past the committed
		// one's change would leave the other's behind it for good once it commits. (The horizon is taken before the
		// pages are read: what is below it then has ended for every later statement too.)
		const horizon = await syncHorizon(app);
		const ended = endedBefore(horizon);
		// by ticket: one changed between two of the pages is read twice, and its later version stands (both would
		// have entered the facts, and the rollups would have counted it twice)
		const rows = new Map<number, { t: TicketRow; figures: LifecycleFigures }>();
		let last: TicketRow | null = null;
		while (rows.size < BATCH) {
			// a row comparison, so that PostgreSQL starts the index scan at the watermark: the same condition
			// spelt `x > a OR (x = a AND id > b)` read the index from its start each time (25,000 rows filtered
			// away at 30,000 tickets; a page then took as long as the rest of the sync)
			const after = wm ? pastWatermark(wm) : undefined;
			const page = await db
				.select({ t: tickets, figures: LIFECYCLE_FIGURES })
				.from(tickets)
				.where(and(ended, after))
				.orderBy(asc(tickets.changedXid), asc(tickets.id))
				.limit(READ_PAGE);
			if (!page.length) break;
			for (const { t, figures } of page) rows.set(t.id, { t, figures });
			last = page[page.length - 1].t;
			wm = { xid: last.changedXid, id: last.id };
			if (page.length < READ_PAGE) break;
		}
		if (!last) return total;

		await conn.run('CREATE OR REPLACE TEMP TABLE sync_stage AS SELECT * FROM tickets_fact LIMIT 0');
		// the facts are made on the event loop, a slice at a time; DuckDB reads them as JSON on its own threads
		const facts = await mapInSlices([...rows.values()], STAGE_SLICE, (slice) => slice.map((r) => toFact(app, r.t, r.figures, now)));
		await insertJsonRows(conn, 'sync_stage', FACT_COLUMNS, facts);
		await conn.run('BEGIN TRANSACTION');
		try {
			// the versions leaving the facts (-1) and those entering them (+1): the rollups take the difference,
			// and what the text analysis found in a leaving version is kept when its text is the same
			await conn.run(`CREATE OR REPLACE TEMP TABLE sync_changes AS
				SELECT f.*, -1 AS sign FROM tickets_fact f SEMI JOIN sync_stage s USING (source, external_id)
				UNION ALL SELECT *, 1 AS sign FROM sync_stage`);
			await conn.run(`CREATE OR REPLACE TEMP TABLE sync_keep AS
				SELECT f.source, f.external_id, f.ticket_no, f.tokens, f.keywords, f.sentiment, f.intensity, f.flags,
				       f.title IS NOT DISTINCT FROM s.title AND f.content = s.content AS same_text
				FROM sync_changes f JOIN sync_stage s USING (source, external_id) WHERE f.sign = -1`);
			// a changed text leaves the text index; the text enrichment analyses the new one
			await conn.run(`CREATE OR REPLACE TEMP VIEW sync_changed AS SELECT ticket_no FROM sync_keep WHERE NOT same_text AND tokens IS NOT NULL`);
			await removeTermStats(conn, 'sync_changed');
			await conn.run(`DELETE FROM tickets_fact f USING sync_stage s WHERE f.source = s.source AND f.external_id = s.external_id`);
			await conn.run(`INSERT INTO tickets_fact SELECT s.* REPLACE (
					CASE WHEN k.same_text THEN k.tokens END AS tokens,
					CASE WHEN k.same_text THEN k.keywords END AS keywords,
					CASE WHEN k.same_text THEN k.sentiment END AS sentiment,
					CASE WHEN k.same_text THEN k.intensity END AS intensity,
					k.flags AS flags)
				FROM sync_stage s LEFT JOIN sync_keep k USING (source, external_id)`);
			await keepRollups(conn, 'sync_changes');
			await conn.run(`INSERT OR REPLACE INTO warehouse_meta VALUES ('${WATERMARK}', $v)`, {
				v: JSON.stringify({ xid: last.changedXid, id: last.id } satisfies Watermark)
			});
			await conn.run('COMMIT');
		} catch (e) {
			await rollbackQuietly(conn);
			throw e;
		}
		total += rows.size;
		// (tickets changed meanwhile make the total grow)
		onProgress?.(total, Math.max(waiting, total));
		// under a stream of changes every batch finds new ones, so a round would not end while the stream lasts:
		// the caller ends it here (a writer waits in withoutSync, or the round is old) and runs the rest after it
		if (yieldNow?.()) return total;
	}
}

/**
 * Whether committed changes wait behind a transaction still running (one that wrote before them and has not ended:
 * the sync reads only below the oldest such transaction). Nothing else asks for a sync when that one ends.
 */
export async function changesHeldBack(app: App): Promise<boolean> {
	// the embedded store holds every other statement while a transaction is open: none is running when this reads
	if (app.rel.kind === 'pglite') return false;
	const horizon = await syncHorizon(app);
	const [row] = await app.rel.db
		.select({ id: tickets.id })
		.from(tickets)
		.where(sql`${tickets.changedXid} >= ${horizon}::xid8`)
		.limit(1);
	return !!row;
}

/**
 * What holds the sync back on PostgreSQL, for the log: the transaction at the horizon — the connection running it
 * (pid, database, application, state, since when; pg_stat_activity shows another account's session without its
 * state and times unless this account may read all statistics) or the prepared transaction (gid, owner, since when).
 */
export async function heldBackBy(app: App): Promise<string> {
	if (app.rel.kind !== 'postgres') return '';
	const horizon = await syncHorizon(app);
	const r = (await app.rel.db.execute(sql`
		SELECT format('连接 pid %s（数据库 %s，应用 %s，账号 %s，状态 %s，事务开始于 %s）', a.pid, coalesce(a.datname, '—'), coalesce(nullif(a.application_name, ''), '—'),
			coalesce(a.usename, '—'), coalesce(a.state, '无权查看'), coalesce(to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '无权查看')) AS who
			FROM pg_stat_activity a WHERE a.backend_xid = ${horizon}::xid8::xid
		UNION ALL
		SELECT format('预备事务 %s（数据库 %s，账号 %s，预备于 %s；须 COMMIT PREPARED 或 ROLLBACK PREPARED）', quote_literal(p.gid), p.database, p.owner,
			to_char(p.prepared, 'YYYY-MM-DD HH24:MI:SS TZ')) FROM pg_prepared_xacts p WHERE p.transaction = ${horizon}::xid8::xid`)) as unknown as { rows: { who: string }[] };
	return r.rows.length ? r.rows.map((x) => x.who).join('；') : `事务 ${horizon}（已结束或无法查看）`;
}

const HELD_BACK_MAX_MS = 30_000;
/** A hold-back this long is logged (then again every as long). */
const HELD_BACK_WARN_MS = 5 * 60_000;

// --- "right after each commit": one sync at a time, at most one a second under a stream of changes ---------
/**
 * Under a steady stream of changes (registrations at 1,000 a second), a sync starts at least this long after
 * the previous one started, so its fixed work (the statements of a batch, the joins against the facts) is
 * shared by a second's tickets instead of a few. A change after a quiet spell is synced at once.
 */
const SYNC_GAP_MS = 1000;
/**
 * A round ends after its batch that reaches this age, and asks for the next round: under a stream of changes
 * every batch finds new ones, and the work that follows a round (afterSync: the text analysis, the alert
 * detection) would otherwise wait for the stream to stop.
 */
const ROUND_MS = 1000;
const jobs = new WeakMap<App, CoalescingJob>();

const afterSyncHooks: ((app: App) => void)[] = [];

/** Runs `f` after each requested sync that changed something (the text analysis of changed tickets). */
export function afterSync(f: (app: App) => void): void {
	if (!afterSyncHooks.includes(f)) afterSyncHooks.push(f);
}

function syncJob(app: App): CoalescingJob {
	let job = jobs.get(app);
	if (!job) {
		// a round gives way between batches to a writer waiting in withoutSync, and ends once it is ROUND_MS old;
		// either way it asks for a round after it
		const yieldNow = () => {
			if (job!.closed) return true;
			if (!job!.contended && performance.now() - job!.startedAt < ROUND_MS) return false;
			void job!.request();
			return true;
		};
		// changes held back by a transaction still running: another round once it may have ended (1 s, doubling to 30 s)
		let retryMs = 0;
		let heldSince = 0;
		let warned = 0;
		const retryHeldBack = async () => {
			if (job!.closed || !(await changesHeldBack(app))) {
				retryMs = heldSince = warned = 0;
				return;
			}
			const now = Date.now();
			heldSince ||= now;
			if (now - heldSince > HELD_BACK_WARN_MS && now - warned > HELD_BACK_WARN_MS) {
				warned = now;
				const who = await heldBackBy(app).catch((e: Error) => `（无法查看：${e.message?.split('\n')[0]}）`);
				console.error(
					`[minqing] 同步等待业务库中一个未结束的事务已超过 ${Math.round((now - heldSince) / 60_000)} 分钟：其后提交的工单变更暂未进入分析库。等待的是：${who}`
				);
			}
			retryMs = Math.min(HELD_BACK_MAX_MS, retryMs ? retryMs * 2 : 1000);
			setTimeout(() => void job!.request(), retryMs).unref();
		};
		job = new CoalescingJob(async () => {
			try {
				const n = await syncToAnalytics(app, Date.now(), yieldNow);
				if (n) for (const f of afterSyncHooks) f(app);
				await retryHeldBack();
			} catch (e) {
				// stopping: the stores may close under the batch in flight, which then commits nothing
				if (job!.closed) console.error(`[minqing] 同步在关闭时中断，下次启动时从上次的位置补齐：${(e as Error).message?.split('\n')[0]}`);
				else console.error('[minqing] sync to analytics failed (will retry on the next change or start):', withoutParameters(e));
			}
		}, SYNC_GAP_MS);
		jobs.set(app, job);
	}
	return job;
}

export function requestSync(app: App): void {
	void syncJob(app).request();
}

/** Runs `fn` with no sync running: a sync requested meanwhile starts after it. */
export function withoutSync<T>(app: App, fn: () => Promise<T>): Promise<T> {
	return syncJob(app).exclusive(fn);
}

/**
 * For the server's shutdown, before the stores close: no sync starts any more, and the one in flight ends after
 * its batch (each batch commits whole or not at all), waited for up to `ms`. What is left is caught up from the
 * watermark at the next start.
 */
export async function stopSync(app: App, ms = 5000): Promise<void> {
	const job = jobs.get(app);
	if (!job) return;
	job.close();
	await waitAtMost(job.idle(), ms);
}

/** Resolves when the syncs requested so far for `app` have finished (tests, shutdown). */
export async function syncIdle(app: App): Promise<void> {
	await jobs.get(app)?.idle();
}
