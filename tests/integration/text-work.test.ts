// The server's background text work (startTextWork) as the server starts it: what it does after an ingest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { generateDemo, stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { ingestService } from '../../src/lib/server/ingest';
import { dictionaryDiff, shippedDictionary, shippedDictionaryCheck, startTextWork, textIdle, textRounds, textStatus } from '../../src/lib/server/text/service';
import { join } from 'node:path';
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

describe('a new version’s dictionary files', () => {
	it('are recorded at start, and the tickets a changed word concerns are analysed again at the next start', async () => {
		await textIdle();
		// the start recorded the files as they are: nothing changed since
		const files = shippedDictionary(join(a.config.referenceDir, 'dict'));
		expect(JSON.parse((await ingestService(a).readMeta('shipped_dictionary'))!)).toEqual(files);
		expect(await shippedDictionaryCheck(a)).toBe(0);
		// a store analysed with older files: 噪音扰民 weighed otherwise, 干嘛 no stop word, a stop word since taken out
		const older = { ...files, 噪音扰民: 'term 800 n', 旧停用词: 'stop' };
		delete (older as Record<string, string>)['干嘛'];
		await ingestService(a).writeMeta('shipped_dictionary', JSON.stringify(older));
		expect(dictionaryDiff(older, files)).toEqual(['噪音扰民', '干嘛', '旧停用词'].sort());
		const concerned = await queryRows<{ n: number }>(
			a.analytics.conn,
			`SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE tokens IS NOT NULL
			   AND (contains(lower(coalesce(title, '')), '噪音扰民') OR contains(lower(content), '噪音扰民')
			     OR contains(lower(coalesce(title, '')), '干嘛') OR contains(lower(content), '干嘛'))`
		);
		expect(concerned[0].n).toBeGreaterThan(0);
		expect(await shippedDictionaryCheck(a)).toBe(concerned[0].n);
		// analysed again in the background, and the files recorded
		await textIdle();
		expect((await textStatus(a)).pending).toBe(0);
		expect(JSON.parse((await ingestService(a).readMeta('shipped_dictionary'))!)).toEqual(files);
		expect(await shippedDictionaryCheck(a)).toBe(0);
	}, 60_000);
});
