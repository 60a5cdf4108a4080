// Topic runs over the analytics store: a period's tickets clustered into labelled topics (cluster.ts), the
// period before assigned to the same topics (for growth and the timeline), topics rolled up to the category
// tree, and new tickets assigned incrementally between full runs. Stored in DuckDB:
//
//   topic_runs     one row per run: period, k, counts, the model (JSON, for incremental assignment)
//   topics         one row per topic of a run: label words, representative, size, size in the period before,
//                  dominant category; topic -1 holds the outliers (tickets that fit no topic)
//   ticket_topics  (run_id, ticket_no, topic_id, score, how): how = 'run' (clustered), 'baseline' (the period
//                  before, assigned), 'assigned' (arrived after the run, assigned incrementally)
//
// Old runs are dropped (`keepRuns`); the representative title is masked for personal data. The tables are
// made by ensureWarehouse (warehouse/schema.ts).
import { randomUUID } from 'node:crypto';
import { LIST, VARCHAR, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { mapInSlices, rowsInTurns } from '../event-loop';
import { categoryAncestors, type Reference } from '../reference/index';
import { isoShanghaiSql, shanghaiDayHour } from '../warehouse/facts';
import { insertJsonRows } from '../warehouse/json-rows';
import { rollbackQuietly } from '../warehouse/tx';
import { assign, cluster, hierarchy, parseModel, serializeModel, type ClusterDoc, type TopicModel } from './cluster';
import { maskPersonal } from './redact';
import { cutChars } from '../normalize/text';


export interface TopicRunOptions {
	/** days in the period, ending with the day of `now` (default 30) */
	days?: number;
	now?: number;
	k?: number | 'auto';
	seed?: number;
	/** runs kept (default 14) */
	keepRuns?: number;
}

export interface TopicRunSummary {
	runId: string;
	periodFrom: string;
	periodTo: string;
	tickets: number;
	k: number;
	outliers: number;
	seconds: number;
}

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

interface TicketDoc {
	ticket_no: string;
	tokens: string[];
	title: string | null;
	content: string;
	category_code: string | null;
}

async function periodDocs(conn: DuckDBConnection, from: string, to: string): Promise<TicketDoc[]> {
	return (
		await conn.runAndReadAll(
			`SELECT ticket_no, tokens, title, content, category_code FROM tickets_fact
			 WHERE day BETWEEN $from::DATE AND $to::DATE AND tokens IS NOT NULL ORDER BY ticket_no`,
			{ from, to }
		)
	).getRowObjectsJS() as unknown as TicketDoc[];
}

const TICKET_TOPIC_COLUMNS = [
	{ name: 'run_id', sql: 'VARCHAR' },
	{ name: 'ticket_no', sql: 'VARCHAR' },
	{ name: 'topic_id', sql: 'INTEGER' },
	{ name: 'score', sql: 'DOUBLE' },
	{ name: 'how', sql: 'VARCHAR' }
];

/** Read as JSON on DuckDB's threads: an appender's close held the server's thread (see json-rows.ts). */
async function insertAssignments(conn: DuckDBConnection, runId: string, rows: { ticketNo: string; topic: number; score: number }[], how: string): Promise<void> {
	const out = rows.map((r) => ({ run_id: runId, ticket_no: r.ticketNo, topic_id: r.topic, score: r.score, how }));
	await insertJsonRows(conn, 'ticket_topics', TICKET_TOPIC_COLUMNS, out);
}

/** Fewer tickets than this in a period make no topic run (nothing to cluster yet). */
export const MIN_TOPIC_TICKETS = 30;

/** Clusters the period's tickets into topics and stores the run; returns its summary, or null when the
 * period has fewer than MIN_TOPIC_TICKETS tickets with text. */
export async function runTopics(conn: DuckDBConnection, ref: Reference, o: TopicRunOptions = {}): Promise<TopicRunSummary | null> {
	const t0 = performance.now();
	const days = Math.max(1, o.days ?? 30);
	const periodTo = shanghaiDayHour(o.now ?? Date.now()).day;
	const periodFrom = addDays(periodTo, -(days - 1));
	const docs = await periodDocs(conn, periodFrom, periodTo);
	if (docs.length < MIN_TOPIC_TICKETS) return null;
	// masked before it is cut (a cut through a number would leave its start in clear), cut by characters
	const titleOf = (d: TicketDoc) => (d.title ? maskPersonal(d.title) : cutChars(maskPersonal(d.content), 40));
	const input: ClusterDoc[] = docs.map((d) => ({ id: d.ticket_no, tokens: d.tokens, title: titleOf(d) }));
	const { model, assignments } = cluster(input, { k: o.k ?? 'auto', seed: o.seed ?? 1 });
	const before = await periodDocs(conn, addDays(periodFrom, -days), addDays(periodFrom, -1));
	const baseline = assign(model, before);
	const prevSize = new Map<number, number>();
	for (const a of baseline) prevSize.set(a.clusterId, (prevSize.get(a.clusterId) ?? 0) + 1);
	const cats = new Map(docs.filter((d) => d.category_code).map((d) => [d.ticket_no, d.category_code!]));
	const tree = hierarchy(model, assignments, cats, (c) => categoryAncestors(ref, c).map((x) => x.code));
	const treeOf = new Map(tree.map((t) => [t.clusterId, t]));

	const runId = randomUUID();
	const seconds = (performance.now() - t0) / 1000;
	await conn.run('BEGIN TRANSACTION');
	try {
		await conn.run(
			`INSERT INTO topic_runs VALUES ($id, now(), $from::DATE, $to::DATE, $k, $kreq, $n, $outliers, $seconds, $model)`,
			{ id: runId, from: periodFrom, to: periodTo, k: model.k, kreq: String(o.k ?? 'auto'), n: docs.length, outliers: model.outliers, seconds, model: serializeModel(model) }
		);
		for (const c of model.clusters) {
			const t = treeOf.get(c.id);
			const l1 = t?.levels[0] ?? null;
			await conn.run(
				`INSERT INTO topics VALUES ($run, $id, $label, $rep, $repTitle, $size, $prev, $l1, $leaf, $share)`,
				{
					run: runId, id: c.id, label: listValue(c.label),
					rep: c.representative ? String(c.representative.id) : null, repTitle: c.representative?.title ?? null,
					size: c.size, prev: prevSize.get(c.id) ?? 0, l1: l1?.code ?? null, leaf: t?.dominant?.code ?? null, share: l1?.share ?? null
				},
				{ label: LIST(VARCHAR) }
			);
		}
		await insertAssignments(conn, runId, assignments.map((a) => ({ ticketNo: String(a.id), topic: a.clusterId, score: a.score })), 'run');
		await insertAssignments(conn, runId, baseline.map((a, i) => ({ ticketNo: before[i].ticket_no, topic: a.clusterId, score: a.score })), 'baseline');
		// older runs go
		const keep = Math.max(1, o.keepRuns ?? 14);
		await conn.run(`CREATE OR REPLACE TEMP TABLE topic_runs_old AS SELECT run_id FROM topic_runs ORDER BY created_at DESC OFFSET ${keep}`);
		await conn.run(`DELETE FROM ticket_topics WHERE run_id IN (SELECT run_id FROM topic_runs_old)`);
		await conn.run(`DELETE FROM topics WHERE run_id IN (SELECT run_id FROM topic_runs_old)`);
		await conn.run(`DELETE FROM topic_runs WHERE run_id IN (SELECT run_id FROM topic_runs_old)`);
		await conn.run('COMMIT');
	} catch (e) {
		await rollbackQuietly(conn);
		throw e;
	}
	return { runId, periodFrom, periodTo, tickets: docs.length, k: model.k, outliers: model.outliers, seconds };
}

/**
 * The model of the run read last. A run's model never changes, and reading and parsing it (hundreds of kilobytes of
 * JSON) took the server's thread for milliseconds in every text round.
 */
let lastModel: { runId: string; model: TopicModel } | null = null;

/** The latest run's id, period and model, or null before the first run. */
export async function latestRun(conn: DuckDBConnection): Promise<{ runId: string; periodFrom: string; periodTo: string; createdAt: string; model: TopicModel } | null> {
	const rows = (
		await conn.runAndReadAll(
			`SELECT run_id, strftime(period_from, '%Y-%m-%d'), strftime(period_to, '%Y-%m-%d'), ${isoShanghaiSql('created_at')}
			 FROM topic_runs ORDER BY created_at DESC LIMIT 1`
		)
	).getRows();
	if (!rows.length) return null;
	const [runId, periodFrom, periodTo, createdAt] = rows[0].map(String);
	if (lastModel?.runId !== runId) {
		const json = (await conn.runAndReadAll(`SELECT model FROM topic_runs WHERE run_id = $id`, { id: runId })).getRows()[0][0];
		// run ids are random UUIDs: the same id in another store is the same run
		lastModel = { runId, model: parseModel(String(json)) };
	}
	return { runId, periodFrom, periodTo, createdAt, model: lastModel.model };
}

/**
 * Tickets scored between two turns of the event loop. A CPU profile of the server under npm run bench -- intake
 * found slices of 500 in the event loop's longest busy stretches, which registrations waited behind.
 */
const ASSIGN_SLICE = 100;

/**
 * Assigns the tickets that arrived since the latest run (from its period's start on, not yet assigned) to
 * its topics; returns how many. Cheap: scoring against the stored topic word counts.
 */
export async function assignNewTickets(conn: DuckDBConnection): Promise<number> {
	const run = await latestRun(conn);
	if (!run) return 0;
	// the tokens come joined into one string a ticket and are split slice by slice: DuckDB's lists of strings made
	// into JavaScript arrays cost this thread several times as much, all at once (a CPU profile of the server under
	// npm run bench -- intake showed it)
	const rows = (await rowsInTurns(
		await conn.run(
			`SELECT f.ticket_no, array_to_string(f.tokens, chr(1)) FROM tickets_fact f
			 WHERE f.tokens IS NOT NULL AND f.day >= $from::DATE
			   AND NOT EXISTS (SELECT 1 FROM ticket_topics t WHERE t.run_id = $run AND t.ticket_no = f.ticket_no)
			 ORDER BY f.ticket_no`,
			{ from: run.periodFrom, run: run.runId }
		)
	)) as [string, string][];
	if (!rows.length) return 0;
	// scored in slices: at 1,000 new tickets a second, a round's few thousand in one call held the server's thread for tens of
	// milliseconds at once (a CPU profile of the server under npm run bench -- intake shows each slice)
	const docs = (slice: readonly [string, string][]) => slice.map(([, joined]) => ({ tokens: joined ? joined.split('\u0001') : [] }));
	const out = await mapInSlices(rows, ASSIGN_SLICE, (slice) => assign(run.model, docs(slice)));
	const assigned = out.map((a, i) => ({ ticketNo: rows[i][0], topic: a.clusterId, score: a.score }));
	await insertAssignments(conn, run.runId, assigned, 'assigned');
	return rows.length;
}
