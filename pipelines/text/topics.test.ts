import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCalendar } from '../calendar/index';
import { loadCorpus } from '../demo/corpus';
import { DemoGenerator } from '../demo/generate';
import { loadReference, type Reference } from '../reference/index';
import { FactWriter, type FactRow } from '../warehouse/facts';
import { ensureWarehouse } from '../warehouse/schema';
import { inProcessAnalyzer } from './analyzer';
import { enrichPending } from './enrich';
import { assign } from './cluster';
import { assignNewTickets, latestRun, runTopics } from './topics';

const NOW = Date.parse('2026-10-31T12:00:00+08:00');
let conn: DuckDBConnection;
let ref: Reference;
let late: FactRow[] = [];

const one = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRows()[0][0]);

beforeAll(async () => {
	conn = await (await DuckDBInstance.create(':memory:')).connect();
	await ensureWarehouse(conn);
	ref = loadReference();
	const gen = new DemoGenerator(ref, loadCorpus(new URL('../../data', import.meta.url).pathname, ref), defaultCalendar(), {
		tickets: 4000, days: 60, seed: 11, now: NOW, recentDays: 0
	});
	const w = await FactWriter.open(conn);
	for (const day of gen.days()) for (const f of day.facts) w.add(f);
	w.close();
	await enrichPending(conn, inProcessAnalyzer());
	// tickets of the last day are held back, to arrive after the run
	const lastDay = (await conn.runAndReadAll(`SELECT strftime(max(day), '%Y-%m-%d') FROM tickets_fact`)).getRows()[0][0];
	late = (await conn.runAndReadAll(`SELECT * FROM tickets_fact WHERE day = '${lastDay}'::DATE`)).getRowObjectsJS() as unknown as FactRow[];
	await conn.run(`CREATE TABLE held AS SELECT * FROM tickets_fact WHERE day = '${lastDay}'::DATE`);
	await conn.run(`DELETE FROM tickets_fact WHERE day = '${lastDay}'::DATE`);
}, 120_000);

describe('topic runs', () => {
	it('puts every ticket of the period in a topic or among the outliers, and the period before in the baseline', async () => {
		const s = (await runTopics(conn, ref, { days: 30, now: NOW, seed: 3 }))!;
		expect(s.tickets).toBe(await one(`SELECT count(*) FROM tickets_fact WHERE day BETWEEN '${s.periodFrom}'::DATE AND '${s.periodTo}'::DATE`));
		expect(s.k).toBeGreaterThan(5);
		expect(await one(`SELECT sum(size) FROM topics WHERE run_id = '${s.runId}'`)).toBe(s.tickets);
		expect(await one(`SELECT count(*) FROM ticket_topics WHERE run_id = '${s.runId}' AND how = 'run'`)).toBe(s.tickets);
		const before = await one(`SELECT count(*) FROM tickets_fact WHERE day < '${s.periodFrom}'::DATE AND day >= '${s.periodFrom}'::DATE - INTERVAL 30 DAY`);
		expect(await one(`SELECT sum(prev_size) FROM topics WHERE run_id = '${s.runId}'`)).toBe(before);
		expect(await one(`SELECT count(*) FROM ticket_topics WHERE run_id = '${s.runId}' AND how = 'baseline'`)).toBe(before);
	});

	it('labels each topic with its words and a representative ticket of the topic, and rolls it up to a category', async () => {
		const run = (await latestRun(conn))!;
		const topics = (await conn.runAndReadAll(`SELECT * FROM topics WHERE run_id = '${run.runId}' AND topic_id >= 0`)).getRowObjectsJS() as {
			topic_id: number; label: string[]; rep_ticket: string; size: number; category_l1: string | null; category_share: number | null;
		}[];
		let covered = 0;
		for (const t of topics) {
			expect(t.label.length).toBeGreaterThan(0);
			expect(await one(`SELECT count(*) FROM ticket_topics WHERE run_id = '${run.runId}' AND ticket_no = '${t.rep_ticket}' AND topic_id = ${t.topic_id}`)).toBe(1);
			// the label's first words occur in a good part of the topic's tickets
			const c = await one(`SELECT avg(CASE WHEN list_has_any(f.tokens, ['${t.label.slice(0, 3).join("','")}']) THEN 1 ELSE 0 END)
				FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no) WHERE tt.run_id = '${run.runId}' AND tt.topic_id = ${t.topic_id} AND tt.how = 'run'`);
			expect(c).toBeGreaterThan(0.2);
			covered += c * t.size;
			expect(ref.categoryByCode.get(t.category_l1!)?.level).toBe(1);
		}
		const members = topics.reduce((a, t) => a + t.size, 0);
		expect(covered / members).toBeGreaterThan(0.5);
		// topics follow the categories far better than chance: the dominant level-1 class's share of a topic,
		// against the largest class's share of the whole period
		const purity = topics.reduce((a, t) => a + (t.category_share ?? 0) * t.size, 0) / members;
		const chance = await one(`SELECT max(n) / sum(n) FROM (SELECT count(*) AS n FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no)
			WHERE tt.run_id = '${run.runId}' AND tt.how = 'run' AND tt.topic_id >= 0 GROUP BY f.category_l1)`);
		expect(purity).toBeGreaterThan(3 * chance);
	});

	it('assigns tickets that arrive after the run to its topics, once', async () => {
		await conn.run(`INSERT INTO tickets_fact SELECT * FROM held`);
		expect(await assignNewTickets(conn)).toBe(late.length);
		expect(await assignNewTickets(conn)).toBe(0);
		const run = (await latestRun(conn))!;
		expect(await one(`SELECT count(*) FROM ticket_topics WHERE run_id = '${run.runId}' AND how = 'assigned'`)).toBe(late.length);
	});

	it('scores a large arrival in slices exactly as one call would, and reads the model of a newer run', async () => {
		const run = (await latestRun(conn))!;
		// 1,500 copies of the period's tickets under new numbers: three slices
		await conn.run(`INSERT INTO tickets_fact SELECT * REPLACE ('X' || ticket_no AS ticket_no, 'X' || external_id AS external_id)
			FROM tickets_fact WHERE day >= '${run.periodFrom}'::DATE ORDER BY ticket_no LIMIT 1500`);
		const copies = (
			await conn.runAndReadAll(`SELECT ticket_no, tokens FROM tickets_fact WHERE ticket_no LIKE 'X%' ORDER BY ticket_no`)
		).getRowObjectsJS() as unknown as { ticket_no: string; tokens: string[] }[];
		expect(copies.length).toBe(1500);
		expect(await assignNewTickets(conn)).toBe(1500);
		const stored = (
			await conn.runAndReadAll(
				`SELECT ticket_no, topic_id, score FROM ticket_topics WHERE run_id = '${run.runId}' AND ticket_no LIKE 'X%' ORDER BY ticket_no`
			)
		)
			.getRows()
			.map(([no, topic, score]) => ({ no: String(no), topic: Number(topic), score: Number(score) }));
		const whole = assign(run.model, copies);
		expect(stored.map((r) => r.no)).toEqual(copies.map((c) => c.ticket_no));
		expect(stored.map((r) => r.topic)).toEqual(whole.map((a) => a.clusterId));
		for (let i = 0; i < whole.length; i++) expect(stored[i].score).toBeCloseTo(whole[i].score, 4);
		await conn.run(`DELETE FROM tickets_fact WHERE ticket_no LIKE 'X%'`);

		const next = (await runTopics(conn, ref, { days: 30, now: NOW, seed: 5 }))!;
		const latest = (await latestRun(conn))!;
		expect(latest.runId).toBe(next.runId);
		expect(latest.model).not.toBe(run.model);
		expect(latest.model.k).toBe(next.k);
	});
});
