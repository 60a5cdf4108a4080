import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCalendar } from '../calendar/index';
import { loadCorpus } from '../demo/corpus';
import { DemoGenerator } from '../demo/generate';
import { loadReference } from '../reference/index';
import { createSegmenter } from '../segment/index';
import { FactWriter } from '../warehouse/facts';
import { ensureWarehouse } from '../warehouse/schema';
import { removeTermStats, textIndexDrift } from '../warehouse/text-index';
import { enrichPending, forgetTokensContaining, forgetUnmaskedTokens, pendingEnrichment, type TextAnalyzer } from './enrich';
import { inProcessAnalyzer } from './analyzer';
import { CALLER_BRACKET } from './redact';
import { shownTicketText, ticketText } from './ticket-analysis';
import { recordGate } from '../../tests/support/gate';

let conn: DuckDBConnection;
let analyzer: TextAnalyzer;
let texts = 0;

/** A new in-memory store holding `tickets` demo facts over `days` days, none analysed yet. */
async function demoStore(tickets: number, days: number, seed: number): Promise<DuckDBConnection> {
	const c = await (await DuckDBInstance.create(':memory:')).connect();
	await ensureWarehouse(c);
	const ref = loadReference();
	const gen = new DemoGenerator(ref, loadCorpus(new URL('../../data', import.meta.url).pathname, ref), defaultCalendar(), {
		tickets, days, seed, now: Date.parse('2026-11-01T00:00:00+08:00'), recentDays: 0
	});
	const w = await FactWriter.open(c);
	for (const day of gen.days()) for (const f of day.facts) w.add(f);
	w.close();
	return c;
}

beforeAll(async () => {
	conn = await demoStore(400, 20, 5);
	const seg = createSegmenter({});
	analyzer = {
		async analyze(list) {
			texts += list.length;
			return list.map((t) => ({ tokens: seg.tokens(t).join('\u0001'), sentiment: -0.5, intensity: 0.25 }));
		}
	};
});

describe('enrichPending', () => {
	it('gives every ticket without tokens its tokens, keywords and sentiment, and a consistent text index', async () => {
		const before = await pendingEnrichment(conn);
		expect(before).toBeGreaterThan(300);
		// every ticket pending: analysed in batches, written in one rewrite, through the gate
		const g = recordGate(conn);
		const done = await enrichPending(g.conn, analyzer, { batch: 150, gate: g.gate });
		expect(g.passes()).toBe(1);
		expect(g.statements.filter((x) => x.sql === 'COMMIT').length).toBe(g.passes());
		expect(g.statements.filter((x) => !x.inside)).toEqual([]);
		expect(done).toBe(before);
		expect(await pendingEnrichment(conn)).toBe(0);
		const rows = (await conn.runAndReadAll(`SELECT count(*) FILTER (WHERE len(keywords) > 0), count(*) FILTER (WHERE sentiment = -0.5 AND intensity = 0.25), count(*) FROM tickets_fact`)).getRows()[0].map(Number);
		expect(rows[0]).toBeGreaterThan(rows[2] * 0.95);
		expect(rows[1]).toBe(rows[2]);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
	});

	it('has nothing to do the second time', async () => {
		const n = texts;
		expect(await enrichPending(conn, analyzer)).toBe(0);
		expect(texts).toBe(n);
	});

	it('updates a few changed tickets in place and keeps the index consistent', async () => {
		await conn.run(`CREATE OR REPLACE TEMP VIEW changed AS SELECT ticket_no FROM tickets_fact ORDER BY ticket_no LIMIT 7`);
		await removeTermStats(conn, 'changed');
		await conn.run(`UPDATE tickets_fact SET tokens = NULL, keywords = NULL, content = content || '，楼道里电动车充电很危险' WHERE ticket_no IN (SELECT ticket_no FROM changed)`);
		expect(await pendingEnrichment(conn)).toBe(7);
		// in place, batch by batch, each through the gate
		const g = recordGate(conn);
		expect(await enrichPending(g.conn, analyzer, { batch: 3, gate: g.gate })).toBe(7);
		expect(g.passes()).toBe(3);
		expect(g.statements.filter((x) => x.sql === 'COMMIT').length).toBe(3);
		expect(g.statements.filter((x) => !x.inside)).toEqual([]);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		const rows = (await conn.runAndReadAll(`SELECT count(*) FROM search_postings WHERE term = '电动车' AND ticket_no IN (SELECT ticket_no FROM changed)`)).getRows();
		expect(Number(rows[0][0])).toBe(7);
	});

	it('leaves a ticket pending when its text changed while it was being analysed (a sync wrote a new version)', async () => {
		await conn.run(`CREATE OR REPLACE TEMP VIEW again AS SELECT ticket_no FROM tickets_fact ORDER BY ticket_no DESC LIMIT 3`);
		await removeTermStats(conn, 'again');
		await conn.run(`UPDATE tickets_fact SET tokens = NULL, keywords = NULL WHERE ticket_no IN (SELECT ticket_no FROM again)`);
		const [[changed]] = (await conn.runAndReadAll(`SELECT min(ticket_no) FROM again`)).getRows();
		const racing: TextAnalyzer = {
			async analyze(list) {
				// meanwhile, another version with other text replaces one of them (tokens still NULL)
				await conn.run(`UPDATE tickets_fact SET content = '小区门口井盖缺失，夜里有人踩空' WHERE ticket_no = $no`, { no: String(changed) });
				return analyzer.analyze(list);
			}
		};
		expect(await enrichPending(conn, racing, { batch: 10 })).toBe(3);
		const tokensOf = async () =>
			(await conn.runAndReadAll(`SELECT tokens FROM tickets_fact WHERE ticket_no = $no`, { no: String(changed) })).getRowObjectsJS()[0]
				.tokens as string[] | null;
		expect(await tokensOf()).toBeNull();
		expect(await pendingEnrichment(conn)).toBe(1);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		// the next round analyses the text it has now
		expect(await enrichPending(conn, analyzer)).toBe(1);
		expect(await tokensOf()).toContain('井盖');
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
	});

	it('clears the tokens of the analysed tickets that contain a word, in one pass through the gate, and the next round analyses them anew', async () => {
		expect(await pendingEnrichment(conn)).toBe(0);
		// tickets that contain 电动车 (the changed ones above) or, in Latin letters of either case, wifi
		await conn.run(`UPDATE tickets_fact SET content = content || '，楼道WiFi信号差' WHERE ticket_no = (SELECT max(ticket_no) FROM tickets_fact)`);
		const [[expected]] = (
			await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE contains(title || content, '电动车') OR contains(lower(content), 'wifi')`)
		).getRows();
		expect(Number(expected)).toBeGreaterThanOrEqual(8);
		const g = recordGate(conn);
		expect(await forgetTokensContaining(g.conn, ['电动车', 'wifi', '电动车', ''], g.gate)).toBe(Number(expected));
		expect(g.passes()).toBe(1);
		expect(g.statements.filter((x) => !x.inside)).toEqual([]);
		expect(await pendingEnrichment(conn)).toBe(Number(expected));
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		expect(await forgetTokensContaining(conn, [])).toBe(0);
		expect(await enrichPending(conn, analyzer)).toBe(Number(expected));
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
	});

	it('keywords are terms of the ticket, ranked by TF-IDF', async () => {
		const rows = (await conn.runAndReadAll(`SELECT tokens, keywords FROM tickets_fact LIMIT 50`)).getRowObjectsJS() as { tokens: string[]; keywords: string[] }[];
		for (const r of rows) {
			for (const k of r.keywords) expect(r.tokens).toContain(k);
			expect(r.keywords.length).toBeLessThanOrEqual(8);
		}
	});
});

describe('enrichPending between its batches', () => {
	it('runs betweenBatches after each batch with no transaction open, and leaves a ticket whose text that changed pending', async () => {
		const c = await demoStore(400, 20, 11);
		const pending = await pendingEnrichment(c);
		const calls: number[] = [];
		let changed = '';
		const done = await enrichPending(c, analyzer, {
			batch: 150,
			betweenBatches: async () => {
				// as a push would: its own transaction, here a new text for a ticket of the first batch, analysed but not yet written
				await c.run('BEGIN TRANSACTION');
				if (!changed) {
					changed = String((await c.runAndReadAll(`SELECT min(ticket_no) FROM tickets_fact`)).getRows()[0][0]);
					await c.run(`UPDATE tickets_fact SET content = content || '（补充：已第二次来电）' WHERE ticket_no = $no`, { no: changed });
				}
				await c.run('COMMIT');
				calls.push(await pendingEnrichment(c));
			}
		});
		expect(done).toBe(pending);
		expect(calls).toHaveLength(Math.ceil(pending / 150));
		// the changed ticket's analysis was of its old text: it stays pending for the next round, the rest are written
		expect(await pendingEnrichment(c)).toBe(1);
		expect(String((await c.runAndReadAll(`SELECT ticket_no FROM tickets_fact WHERE tokens IS NULL`)).getRows()[0][0])).toBe(changed);
		expect(await textIndexDrift(c)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
	});
});

describe('a store analysed before the tokens were made of the texts as shown', () => {
	it('has the tickets whose shown text differs analysed again, once, and keeps the tokens of the others', async () => {
		const old = await demoStore(200, 10, 9);
		await old.run(`UPDATE tickets_fact SET content = '我叫王小明，楼下烧烤店油烟很大' WHERE ticket_no = (SELECT min(ticket_no) FROM tickets_fact)`);
		// analysed as the versions before 2 did: the text as stored, the name a word of it
		const seg = createSegmenter({});
		const raw: TextAnalyzer = { analyze: async (list) => list.map((t) => ({ tokens: seg.tokens(t).join('\u0001'), sentiment: 0, intensity: 0 })) };
		await enrichPending(old, raw);
		await old.run(`DELETE FROM warehouse_meta WHERE key = 'analysis_version'`);
		const named = (await old.runAndReadAll(`SELECT ticket_no, tokens FROM tickets_fact ORDER BY ticket_no LIMIT 1`)).getRowObjectsJS()[0] as { ticket_no: string; tokens: string[] };
		expect(named.tokens.some((t) => t.includes('小明'))).toBe(true);
		const before = new Map(
			((await old.runAndReadAll(`SELECT ticket_no, tokens FROM tickets_fact`)).getRowObjectsJS() as { ticket_no: string; tokens: string[] }[]).map((r) => [r.ticket_no, r.tokens])
		);

		const analysed: string[] = [];
		const now: TextAnalyzer = {
			async analyze(list) {
				analysed.push(...list);
				return inProcessAnalyzer().analyze(list);
			}
		};
		const said: string[] = [];
		const n = await enrichPending(old, now, { log: (m) => said.push(m) });
		expect(n).toBe(analysed.length);
		// the look through the store is said before and after (on a large store it takes a while, once)
		expect(said).toHaveLength(2);
		expect(said[0]).toContain(`检查 ${before.size} 条已分析工单`);
		expect(said[1]).toContain(`${n} 条工单将按遮盖个人信息后的文本重新分析`);
		// the named ticket among them, no longer with the name; the others untouched
		expect(analysed.some((t) => t.includes('王小明'))).toBe(true);
		expect(n).toBeLessThan(before.size / 2);
		const after = (await old.runAndReadAll(`SELECT ticket_no, tokens FROM tickets_fact`)).getRowObjectsJS() as { ticket_no: string; tokens: string[] }[];
		const redone = after.filter((r) => JSON.stringify(r.tokens) !== JSON.stringify(before.get(r.ticket_no)));
		expect(redone.length).toBeGreaterThan(0);
		expect(redone.length).toBeLessThanOrEqual(n);
		expect(after.find((r) => r.ticket_no === named.ticket_no)!.tokens.filter((t) => t.includes('小明'))).toEqual([]);
		expect(Number((await old.runAndReadAll(`SELECT count(*) FROM search_postings WHERE term LIKE '%小明%'`)).getRows()[0][0])).toBe(0);
		expect(await textIndexDrift(old)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		// once: the store now says which analysis its tokens are of
		expect(await enrichPending(old, now, { log: (m) => said.push(m) })).toBe(0);
		expect(analysed.length).toBe(n);
		expect(said).toHaveLength(2);
		expect(await forgetUnmaskedTokens(old)).toBe(0);
	});
	it('from version 2 compares only the texts with a caller’s word in brackets, the only Han text the mask of 3 hides besides', async () => {
		const old = await demoStore(200, 10, 9);
		const [a, b] = ((await old.runAndReadAll(`SELECT ticket_no FROM tickets_fact ORDER BY ticket_no LIMIT 2`)).getRows() as string[][]).map((r) => String(r[0]));
		await old.run(`UPDATE tickets_fact SET content = '王小明（来电人）反映楼下烧烤店油烟很大' WHERE ticket_no = $a`, { a });
		// shown otherwise by 3 (a first-generation ID number), but in digits only, which make no tokens
		const idText = '身份证号320502850312123丢失，楼下烧烤店油烟很大';
		await old.run(`UPDATE tickets_fact SET content = $t WHERE ticket_no = $b`, { t: idText, b });
		expect(shownTicketText(ticketText(null, idText))).not.toBe(ticketText(null, idText));
		const seg = createSegmenter({});
		const raw: TextAnalyzer = { analyze: async (list) => list.map((t) => ({ tokens: seg.tokens(t).join('\u0001'), sentiment: 0, intensity: 0 })) };
		await enrichPending(old, raw);
		await old.run(`UPDATE warehouse_meta SET value = '2' WHERE key = 'analysis_version'`);
		const tokensOf = async (no: string) => (await old.runAndReadAll(`SELECT tokens FROM tickets_fact WHERE ticket_no = $no`, { no })).getRowObjectsJS()[0].tokens as string[];
		const bTokens = await tokensOf(b);
		expect((await tokensOf(a)).some((t) => t.includes('小明'))).toBe(true);
		const bracketed = ((await old.runAndReadAll(`SELECT title, content FROM tickets_fact`)).getRows() as (string | null)[][]).filter((r) =>
			r.some((x) => x !== null && CALLER_BRACKET.test(x))
		).length;

		const said: string[] = [];
		const analysed: string[] = [];
		const n = await enrichPending(old, { analyze: async (list) => (analysed.push(...list), inProcessAnalyzer().analyze(list)) }, { log: (m) => said.push(m) });
		expect(said[0]).toContain(`检查 ${bracketed} 条已分析工单`);
		expect(bracketed).toBeLessThan(10);
		expect(n).toBe(1);
		expect(analysed.some((t) => t.includes('王小明'))).toBe(true);
		expect((await tokensOf(a)).filter((t) => t.includes('小明'))).toEqual([]);
		expect(await tokensOf(b)).toEqual(bTokens);
		expect(await textIndexDrift(old)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
	});
});
