// The server's background text work (startTextWork) as the server starts it: what it does after an ingest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { generateDemo, stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { ingestService } from '../../src/lib/server/ingest';
import { startTextWork, textIdle, textRounds, textStatus } from '../../src/lib/server/text/service';
import { readNdjson } from '../../pipelines/ingest/sources';

let a: App;
beforeAll(async () => {
	a = await startMemoryApp();
	await generateDemo(a, { tickets: 1500, days: 30, seed: 11, now: Date.now(), relational: false }, () => {});
	// the first round analyses the demo and runs the topics
	startTextWork(a, () => {});
	await textIdle();
}, 120_000);

afterAll(async () => {
	await textIdle();
	await ingestService(a)?.close();
	if (a) await stopApp(a);
});

const push = (id: string, records: Record<string, unknown>[]) =>
	ingestService(a).push(
		'work-feed',
		id,
		readNdjson(
			(async function* () {
				yield new TextEncoder().encode(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
			})()
		)
	);
const rec = (id: string, content: string) => {
	const now = new Date().toISOString();
	return { external_id: id, received_at: now, updated_at: now, channel: 'phone', type: '投诉', content, district_code: '320508' };
};

const unassigned = async () =>
	(
		await queryRows<{ ticket_no: string }>(
			a.analytics.conn,
			`SELECT f.ticket_no FROM tickets_fact f WHERE f.day >= (SELECT period_from FROM topic_runs ORDER BY created_at DESC LIMIT 1)
			   AND NOT EXISTS (SELECT 1 FROM ticket_topics t WHERE t.ticket_no = f.ticket_no AND t.run_id = (SELECT run_id FROM topic_runs ORDER BY created_at DESC LIMIT 1))
			 ORDER BY f.ticket_no`
		)
	).map((r) => r.ticket_no);

describe('the text work after an ingest', () => {
	it('assigns the tickets a push brought to the topics, without a sync', async () => {
		expect(await queryRows(a.analytics.conn, `SELECT run_id FROM topic_runs`)).toHaveLength(1);
		expect(await unassigned()).toEqual([]);
		const contents = ['反映小区门口垃圾堆放多日无人清运', '反映楼上夜间装修噪音扰民', '反映路灯不亮存在安全隐患'];
		const summary = await push('w1', contents.map((c, i) => rec(`W-${i}`, c)));
		expect(summary).toMatchObject({ accepted: 3 });
		// the ingest asked for a round (it waits out the gap after the first)
		expect((await textStatus(a)).running).toBe(true);
		expect(await unassigned()).toHaveLength(3);
		await textIdle();
		expect(await unassigned()).toEqual([]);
		// the same run: the new tickets were assigned to it, not clustered anew
		expect(await queryRows(a.analytics.conn, `SELECT run_id FROM topic_runs`)).toHaveLength(1);
		expect(await queryRows(a.analytics.conn, `SELECT how FROM ticket_topics JOIN tickets_fact USING (ticket_no) WHERE source = 'work-feed'`)).toEqual(
			Array(3).fill({ how: 'assigned' })
		);
	}, 60_000);

	it('coalesces a stream of pushes into a round or two, not one per push', async () => {
		const rounds = textRounds();
		for (let i = 0; i < 6; i++) expect(await push(`s${i}`, [rec(`S-${i}`, `反映共享单车乱停放堵塞人行道 ${i}`)])).toMatchObject({ accepted: 1 });
		await textIdle();
		expect(await unassigned()).toEqual([]);
		expect(textRounds() - rounds).toBeGreaterThanOrEqual(1);
		expect(textRounds() - rounds).toBeLessThanOrEqual(2);
	}, 60_000);
});
