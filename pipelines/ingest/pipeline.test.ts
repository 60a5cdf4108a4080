// The ingest pipeline end to end on the fixture files, on an in-memory DuckDB: what lands, what is refused and
// why, and that running the same input again changes nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Geocoder } from '../normalize/index';
import { createSegmenter } from '../segment/index';
import { loadReference, type Reference } from '../reference/index';
import { ensureWarehouse } from '../warehouse/schema';
import { textIndexDrift } from '../warehouse/text-index';
import { feedSampleLines, NDJSON_BAD, LEGACY_BAD } from '../../tests/fixtures/make-ingest-fixtures';
import { snapshot } from '../../tests/support/snapshot';
import { memoryIngestor } from '../../tests/support/ingest';
import { keptAndRebuilt } from '../../tests/support/rollups';
import { recordGate } from '../../tests/support/gate';
import { ingestFile } from './files';
import { loadMapping } from './mapping';
import { Ingestor, unreadableFile } from './pipeline';
import { inProcessAnalyzer, type ClosableAnalyzer } from '../text/analyzer';
import { enrichPending } from '../text/enrich';
import { Quarantine } from './quarantine';
import { readNdjson } from './sources';

const FIX = resolve(import.meta.dirname, '../../tests/fixtures');
const NOW = Date.parse('2026-04-01T12:00:00+08:00');
let ref: Reference;
let analyzer: ClosableAnalyzer;
let inst: DuckDBInstance;
let conn: DuckDBConnection;
let ingestor: Ingestor;
const tmp = mkdtempSync(join(tmpdir(), 'minqing-ingest-'));

beforeAll(() => {
	ref = loadReference();
	analyzer = inProcessAnalyzer();
	feedSampleLines(); // fills NDJSON_BAD
});

beforeEach(async () => {
	({ inst, conn, ingestor } = await memoryIngestor(ref, analyzer));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const q = async <T = Record<string, unknown>>(sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
const ndjson = (name: string, lines: string[]) => {
	const p = join(tmp, name);
	writeFileSync(p, lines.join('\n') + '\n');
	return p;
};

describe('ingest of a canonical NDJSON file', () => {
	it('lands the good records with tokens, keywords and places, and quarantines each bad one with its reason', async () => {
		const s = await ingestFile(ingestor, conn, join(FIX, 'feed-sample.ndjson'), { source: 'partner', now: NOW });
		const badReasons = Object.values(NDJSON_BAD);
		expect(s.quarantined).toBe(badReasons.length);
		for (const r of new Set(badReasons)) expect(s.quarantinedByReason[r]).toBe(badReasons.filter((x) => x === r).length);
		const facts = await q<{ ticket_no: string; tokens: string[]; keywords: string[]; district_code: string; flags: string[] | null; content: string }>(
			`SELECT ticket_no, tokens, keywords, district_code, flags, content FROM tickets_fact ORDER BY ticket_no`
		);
		expect(facts.length).toBe(s.accepted);
		expect(s.accepted + s.duplicates + s.stale + s.quarantined).toBe(s.read);
		for (const f of facts) {
			expect(f.ticket_no).toMatch(/^SZ2026\d{4}-F\d{6}$/);
			expect(f.tokens.length).toBeGreaterThan(0);
			expect(f.keywords.length).toBeGreaterThan(0);
		}
		// HTML is kept as text, flagged, never dropped
		const html = facts.find((f) => f.content.includes('<script>'));
		expect(html?.flags).toContain('html');
		// every bad line is in the quarantine with its raw text and line number
		const rows = await q<{ line: number; reason: string; raw: string }>(`SELECT line::INTEGER line, reason, raw FROM quarantine ORDER BY line`);
		expect(Object.fromEntries(rows.map((r) => [r.line, r.reason]))).toEqual(Object.fromEntries(Object.entries(NDJSON_BAD).map(([l, r]) => [Number(l), r])));
		const lines = feedSampleLines();
		for (const r of rows) expect(r.raw).toBe(lines[r.line - 1]);
		// rollups follow the facts, the archive keeps every accepted version
		const [{ n }] = await q<{ n: number }>(`SELECT sum(n)::INTEGER n FROM rollup_daily`);
		expect(n).toBe(s.accepted);
		const [{ a }] = await q<{ a: number }>(`SELECT count(*)::INTEGER a FROM feed_archive`);
		expect(a).toBe(s.accepted);
	});

	it('changes nothing when the same file is ingested again', async () => {
		const path = join(FIX, 'feed-sample.ndjson');
		const first = await ingestFile(ingestor, conn, path, { source: 'partner', now: NOW });
		const before = await snapshot(conn);
		const again = await ingestFile(ingestor, conn, path, { source: 'partner', now: NOW });
		expect(again.accepted).toBe(0);
		expect(again.duplicates).toBe(first.accepted);
		expect(await snapshot(conn)).toEqual(before);
	});

	it('replaces a record by a newer version, keeps its number, and ignores an older one', async () => {
		const rec = (updated: string, content: string) =>
			JSON.stringify({ external_id: 'X-1', received_at: '2026-03-20T08:00:00+08:00', updated_at: updated, channel: 'phone', type: '投诉', content, district_code: '320508' });
		await ingestor.run(readNdjson(ndjson('v1.ndjson', [rec('2026-03-20T08:00:00+08:00', '第一版：楼道里堆满杂物')])), { source: 's', origin: 'v1', originId: 'v1', now: NOW });
		const [{ ticket_no }] = await q<{ ticket_no: string }>(`SELECT ticket_no FROM tickets_fact`);
		const s2 = await ingestor.run(readNdjson(ndjson('v2.ndjson', [rec('2026-03-21T09:00:00+08:00', '第二版：楼道杂物已清理一半，电动车仍在充电')])), { source: 's', origin: 'v2', originId: 'v2', now: NOW });
		expect(s2.updated).toBe(1);
		const s3 = await ingestor.run(readNdjson(ndjson('v0.ndjson', [rec('2026-03-20T12:00:00+08:00', '比第二版更早的一版')])), { source: 's', origin: 'v0', originId: 'v0', now: NOW });
		expect(s3.stale).toBe(1);
		const rows = await q<{ ticket_no: string; content: string }>(`SELECT ticket_no, content FROM tickets_fact`);
		expect(rows).toEqual([{ ticket_no, content: '第二版：楼道杂物已清理一半，电动车仍在充电' }]);
		// document frequencies count each ticket once: the replaced version's terms are gone
		const [{ df }] = await q<{ df: number | null }>(`SELECT max(df)::INTEGER df FROM term_df`);
		expect(df).toBe(1);
		// the whole text index (df, daily terms, postings, document count) equals a recount
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		const [{ n }] = await q<{ n: number }>(`SELECT count(*)::INTEGER n FROM search_postings WHERE term = '杂物'`);
		expect(n).toBe(1);
		// the same key from another source is another ticket
		await ingestor.run(readNdjson(ndjson('o.ndjson', [rec('2026-03-20T08:00:00+08:00', '另一个来源')])), { source: 'other', origin: 'o', originId: 'o', now: NOW });
		const [{ c }] = await q<{ c: number }>(`SELECT count(*)::INTEGER c FROM tickets_fact`);
		expect(c).toBe(2);
	});

	it('keeps the rollups, the open tickets and the text index as a rebuild makes them, through new, changed and repeated records', async () => {
		// varied records over 120 days before today (some outside the hourly rollup's window), in small batches
		const streets = [...ref.streetByCode.values()];
		const cats = [...ref.categoryByCode.keys()];
		const unitCodes = ref.units.map((u) => u.code);
		const now = Date.now();
		const iso = (t: number) => new Date(t).toISOString();
		// `text` and `day`: the versions whose text and day the record has (a status or place update keeps them)
		const record = (i: number, version: number, text = version, day = text) => {
			const received = now - (1 + ((i * 7919 + day * 37) % 120)) * 86_400_000 + (i % 24) * 60_000;
			const st = streets[(i + version) % streets.length];
			const closed = (i + version) % 3 === 0;
			return JSON.stringify({
				external_id: `R-${i}`,
				received_at: iso(received),
				updated_at: iso(now - (10 - version) * 60_000),
				channel: ['phone', 'web', 'wechat'][i % 3],
				type: ['投诉', '咨询', '求助', '建议'][(i + version) % 4],
				content: `第 ${text} 版：楼下餐馆油烟扰民 ${i}`,
				...((i + version) % 13 === 0 ? {} : (i + version) % 2 ? { street_code: st.code } : { district_code: st.districtCode }),
				...(i % 11 === 0 ? {} : { category: cats[(i + version * 5) % cats.length] }),
				...(i % 5 === 0 ? {} : { unit: unitCodes[(i + version) % unitCodes.length] }),
				status: closed ? 'closed' : ['received', 'dispatched', 'signed', 'replied'][(i + version) % 4],
				...(closed ? { closed_at: iso(now - (10 - version) * 60_000), satisfaction: ['满意', '基本满意', '不满意'][i % 3] } : {})
			});
		};
		const ids = Array.from({ length: 300 }, (_, i) => i);
		const first = await ingestor.run(readNdjson(ndjson('r1.ndjson', ids.map((i) => record(i, 0)))), { source: 's', origin: 'r1', originId: 'r1', now, batchSize: 64 });
		expect(first.accepted).toBe(300);
		const textOf = async (no: string) => (await q<{ tokens: string[]; keywords: string[] }>(`SELECT tokens, keywords FROM tickets_fact WHERE external_id = '${no}'`))[0];
		const before = await textOf('R-2');
		// a quarter changed (another text and day, place, category, unit, status), a quarter updated with the same
		// text and day (place, category, unit, status), an eighth with the same text on another day, 40 new, the
		// rest the same again
		const second = ids
			.map((i) => (i % 4 === 0 ? record(i, 1) : i % 4 === 2 ? record(i, 1, 0) : i % 8 === 1 ? record(i, 1, 0, 1) : record(i, 0)))
			.concat(Array.from({ length: 40 }, (_, k) => record(300 + k, 0)));
		const s2 = await ingestor.run(readNdjson(ndjson('r2.ndjson', second)), { source: 's', origin: 'r2', originId: 'r2', now, batchSize: 64 });
		expect([s2.accepted, s2.updated, s2.duplicates]).toEqual([40, 188, 112]);
		// updated in place: the new status, the text index entries it had
		const [r2] = await q<{ ticket_no: string; status: string; type: string }>(`SELECT ticket_no, status, type FROM tickets_fact WHERE external_id = 'R-2'`);
		expect([r2.status, r2.type]).toEqual(['closed', '建议']); // version 0: signed, 求助
		expect(await textOf('R-2')).toEqual(before);
		// a place lost or found on the way changes the flags of a ticket updated in place
		const flags = await q<{ external_id: string; flags: string[] | null }>(`SELECT external_id, flags FROM tickets_fact WHERE external_id IN ('R-26', 'R-90')`);
		expect(flags.map((f) => [f.external_id, f.flags?.includes('unresolved_place') ?? false]).sort()).toEqual([['R-26', false], ['R-90', true]]);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		const { kept, rebuilt } = await keptAndRebuilt(conn);
		expect(kept.rollup_daily.length).toBeGreaterThan(100);
		expect(kept.rollup_hourly.length).toBeGreaterThan(50);
		expect(kept.open_tickets.length).toBeGreaterThan(100);
		for (const t of Object.keys(rebuilt)) expect(kept[t], t).toEqual(rebuilt[t]);
	});

	it("runs each batch's transaction through the write gate it is given", async () => {
		const g = recordGate(conn);
		const gated = new Ingestor({ conn: g.conn, ref, geocoder: new Geocoder(ref), analyzer, gate: g.gate });
		const lines = Array.from({ length: 150 }, (_, i) =>
			JSON.stringify({
				external_id: `G-${i}`,
				received_at: '2026-03-30T09:00:00+08:00',
				channel: 'phone',
				type: '投诉',
				content: `噪音扰民 ${i}`
			})
		);
		const s = await gated.run(readNdjson(ndjson('gate.ndjson', lines)), {
			source: 's',
			origin: 'g',
			originId: 'g',
			now: NOW,
			batchSize: 64
		});
		expect(s.accepted).toBe(150);
		expect(g.passes()).toBe(3);
		expect(g.statements.filter((x) => x.sql === 'BEGIN').length).toBe(3);
		expect(g.statements.filter((x) => x.sql === 'COMMIT').length).toBe(3);
		expect(g.statements.filter((x) => !x.inside)).toEqual([]);
	});

	it('quarantines a record without fields ({}) for what it lacks, not silently', async () => {
		const good = (id: string) => JSON.stringify({ external_id: id, received_at: '2026-03-05T10:00:00+08:00', channel: 'web', type: '咨询', content: '请问公积金怎么提取' });
		const s = await ingestor.run(readNdjson(ndjson('empty-object.ndjson', [good('E-1'), '{}', good('E-2')])), {
			source: 't',
			origin: 'empty-object.ndjson',
			originId: 'empty-object',
			now: NOW
		});
		expect(s).toMatchObject({ read: 3, accepted: 2, quarantined: 1, quarantinedByReason: { missing_field: 1 } });
		expect(await q(`SELECT line::INTEGER AS line, field FROM quarantine`)).toEqual([{ line: 2, field: 'external_id' }]);
	});

	it('counts a duplicate id within one batch once, the latest version winning', async () => {
		const r = (id: string, upd: string, content: string) =>
			JSON.stringify({ external_id: id, received_at: '2026-03-20T08:00:00+08:00', updated_at: upd, channel: 'web', type: '咨询', content });
		const s = await ingestor.run(
			readNdjson(ndjson('dup.ndjson', [r('D-1', '2026-03-20T08:00:00+08:00', '旧'), r('D-1', '2026-03-20T10:00:00+08:00', '新'), r('D-1', '2026-03-20T10:00:00+08:00', '新')])),
			{ source: 's', origin: 'dup', originId: 'dup', now: NOW }
		);
		// as if the versions had come one at a time: new, then its update, then the same again
		expect(s).toMatchObject({ read: 3, accepted: 1, updated: 1, duplicates: 1, stale: 0 });
		expect(await q(`SELECT content FROM tickets_fact`)).toEqual([{ content: '新' }]);
	});

	it('runs another ingest between two batches (betweenBatches) within its own settings, which a nested run leaves as they are', async () => {
		const r = (id: string) => JSON.stringify({ external_id: id, received_at: '2026-03-20T08:00:00+08:00', channel: 'web', type: '咨询', content: `记录${id}` });
		const threshold = async () => String((await conn.runAndReadAll(`SELECT current_setting('checkpoint_threshold')`)).getRows()[0][0]);
		const before = await threshold();
		const seen: string[] = [];
		const s = await ingestor.run(readNdjson(ndjson('outer.ndjson', ['O-1', 'O-2', 'O-3', 'O-4', 'O-5'].map(r))), {
			source: 'outer', origin: 'outer', originId: 'outer', now: NOW, batchSize: 2,
			betweenBatches: async () => {
				const inner = await ingestor.run(readNdjson(ndjson(`inner${seen.length}.ndjson`, [r(`I-${seen.length}`)])), {
					source: 'inner', origin: 'inner', originId: `inner${seen.length}`, now: NOW, nested: true
				});
				expect(inner).toMatchObject({ read: 1, accepted: 1 });
				seen.push(await threshold()); // the outer run's, not reset by the inner one
			}
		});
		expect(s).toMatchObject({ read: 5, accepted: 5 });
		expect(seen).toHaveLength(2); // after the first two batches were read; the last batch is merged after the loop
		expect(seen).toEqual([seen[0], seen[0]]);
		expect(seen[0]).not.toBe(before); // the run's 4GB, not the default
		expect(await threshold()).toBe(before); // put back when the outer run ends
		expect(await q(`SELECT source, count(*)::INTEGER AS n FROM tickets_fact WHERE source IN ('outer', 'inner') GROUP BY 1 ORDER BY 1`)).toEqual([
			{ source: 'inner', n: 2 },
			{ source: 'outer', n: 5 }
		]);
	});

	it('gives the same summary whatever the batch size, and counts unresolved places only among the versions stored', async () => {
		const r = (id: string, h: number, extra: Record<string, unknown> = {}) =>
			JSON.stringify({ external_id: id, received_at: '2026-03-20T08:00:00+08:00', updated_at: `2026-03-20T${String(h).padStart(2, '0')}:00:00+08:00`, channel: 'web', type: '咨询', content: `第${h}版`, district_code: '320508', ...extra });
		// versions out of order, repeats, stale ones, a key stored before the file and one with an unknown category
		const before = [r('K-1', 9), r('K-2', 12)];
		const lines = [r('K-1', 10), r('K-1', 8), r('K-3', 8), r('K-1', 11), r('K-3', 8), r('K-2', 11), r('K-3', 9), r('K-2', 13), r('K-4', 8, { category: '不存在的分类', district_code: undefined, address: '' }), r('K-4', 9, { category: '不存在的分类', district_code: undefined, address: '' }), r('K-1', 11)];
		const summaries = [];
		for (const batchSize of [1, 2, 3, 100]) {
			const { ingestor: ing, close } = await memoryIngestor(ref, null);
			await ing.run(readNdjson(ndjson('before.ndjson', before)), { source: 's', origin: 'b', originId: 'b', now: NOW });
			const s = await ing.run(readNdjson(ndjson('k.ndjson', lines)), { source: 's', origin: 'k', originId: 'k', now: NOW, batchSize });
			summaries.push({ read: s.read, accepted: s.accepted, updated: s.updated, duplicates: s.duplicates, stale: s.stale, unresolvedPlaces: s.unresolvedPlaces, unknownCategories: s.unknownCategories, flagged: s.flagged });
			// a second run of the same file: all repeats or older, nothing newly unresolved
			const again = await ing.run(readNdjson(ndjson('k.ndjson', lines)), { source: 's', origin: 'k', originId: 'k', now: NOW, batchSize });
			expect(again).toMatchObject({ accepted: 0, updated: 0, unresolvedPlaces: 0, unknownCategories: 0 });
			expect(again.flagged).toEqual({});
			close();
		}
		expect(summaries[0]).toEqual({
			read: 11, accepted: 2, updated: 5, duplicates: 2, stale: 2, unresolvedPlaces: 2, unknownCategories: 2,
			flagged: { unresolved_place: 2, unknown_category: 2 }
		});
		for (const s of summaries) expect(s).toEqual(summaries[0]);
	});

	it("keeps the caller's name masked when a later version leaves the caller out, in the same batch or a later run", async () => {
		const r = (id: string, upd: string, name?: string) =>
			JSON.stringify({
				external_id: id, received_at: '2026-03-20T08:00:00+08:00', updated_at: upd, channel: 'phone', type: '投诉', title: '李建国反映路灯不亮',
				content: '来电人李建国反映：小区路灯不亮已经一周', address: '姑苏区李建国家门口', district_code: '320508', ...(name ? { caller_name: name } : {})
			});
		const run = (name: string, lines: string[]) => ingestor.run(readNdjson(ndjson(`${name}.ndjson`, lines)), { source: 's', origin: name, originId: name, now: NOW });
		// N-1: named, then a newer version without the caller in a later run; N-2: both in one batch, the nameless one newer
		await run('n1', [r('N-1', '2026-03-20T08:00:00+08:00', '李建国')]);
		const s = await run('n2', [r('N-1', '2026-03-20T09:00:00+08:00'), r('N-2', '2026-03-20T08:00:00+08:00', '李建国'), r('N-2', '2026-03-20T09:00:00+08:00')]);
		expect(s).toMatchObject({ accepted: 1, updated: 2, stale: 0 });
		const facts = await q<{ external_id: string; title: string; content: string; address: string; tokens: string[]; keywords: string[] }>(
			`SELECT external_id, title, content, address, tokens, keywords FROM tickets_fact ORDER BY external_id`
		);
		expect(facts.map((f) => [f.external_id, f.title, f.content, f.address])).toEqual([
			['N-1', '李**反映路灯不亮', '来电人李**反映：小区路灯不亮已经一周', '姑苏区李**家门口'],
			['N-2', '李**反映路灯不亮', '来电人李**反映：小区路灯不亮已经一周', '姑苏区李**家门口']
		]);
		// the words come from the masked text: no token, keyword or search posting holds the name
		for (const f of facts) expect([...f.tokens, ...f.keywords].filter((t) => t.includes('建国'))).toEqual([]);
		expect(await q(`SELECT DISTINCT term FROM search_postings WHERE term LIKE '%建国%'`)).toEqual([]);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		// a later version without the caller whose text does not hold the name is archived with the name too
		await run('n3', [JSON.stringify({ external_id: 'N-1', received_at: '2026-03-20T08:00:00+08:00', updated_at: '2026-03-20T10:00:00+08:00', channel: 'phone', type: '投诉', content: '已处理', district_code: '320508' })]);
		// each archived version keeps the name it gave, or the one it was given
		expect(await q(`SELECT external_id, strftime(updated_at, '%H') AS h, caller_name FROM feed_archive ORDER BY external_id, updated_at`)).toEqual([
			{ external_id: 'N-1', h: '08', caller_name: '李建国' },
			{ external_id: 'N-1', h: '09', caller_name: '李建国' },
			{ external_id: 'N-1', h: '10', caller_name: '李建国' },
			{ external_id: 'N-2', h: '09', caller_name: '李建国' }
		]);
	});

	it("masks, once, the caller's name in the facts a store kept before the archive held callers, and analyses them again", async () => {
		const content = '来电人李建国反映：小区路灯不亮已经一周';
		const r = { external_id: 'O-1', received_at: '2026-03-20T08:00:00+08:00', updated_at: '2026-03-20T08:00:00+08:00', channel: 'phone', type: '投诉', content, district_code: '320508' };
		// as an older version stored it: the text as given and analysed so (ANALYSIS_VERSION 1), the archive's raw line
		// naming the caller, no caller column
		const seg = createSegmenter({});
		const asStored = { analyze: async (l: string[]) => l.map((t) => ({ tokens: seg.tokens(t).join('\u0001'), sentiment: 0, intensity: 0 })) };
		const older = new Ingestor({ conn, ref, geocoder: new Geocoder(ref), analyzer: asStored });
		await older.run(readNdjson(ndjson('o1.ndjson', [JSON.stringify(r)])), { source: 's', origin: 'o1', originId: 'o1', now: NOW });
		await conn.run(`UPDATE feed_archive SET raw = $raw`, { raw: JSON.stringify({ ...r, caller_name: '李建国' }) });
		await conn.run(`ALTER TABLE feed_archive DROP COLUMN caller_name`);
		expect((await q<{ tokens: string[] }>(`SELECT tokens FROM tickets_fact`))[0].tokens.join('')).toContain('李建国');
		await ensureWarehouse(conn);
		expect(await q(`SELECT content, tokens, keywords FROM tickets_fact`)).toEqual([{ content: '来电人李**反映：小区路灯不亮已经一周', tokens: null, keywords: null }]);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
		expect(await enrichPending(conn, analyzer)).toBe(1);
		const [f] = await q<{ tokens: string[]; keywords: string[] }>(`SELECT tokens, keywords FROM tickets_fact`);
		expect([...f.tokens, ...f.keywords].filter((t) => t.includes('建国'))).toEqual([]);
		expect(await textIndexDrift(conn)).toEqual({ termDf: 0, termDaily: 0, postings: 0, docs: 0 });
	});

	it("takes a legacy system's handling times into the facts, the on-time figures and the unit's round; a later version's times replace them", async () => {
		const r = (id: string, extra: Record<string, unknown>) =>
			JSON.stringify({ external_id: id, received_at: '2026-03-20T08:00:00+08:00', channel: 'phone', type: '投诉', content: '噪音扰民', unit: 'M01', district_code: '320508', ...extra });
		const limits = { sign_deadline: '2026-03-20T12:00:00+08:00', reply_deadline: '2026-03-27T18:00:00+08:00' };
		const run = (name: string, lines: string[]) => ingestor.run(readNdjson(ndjson(name, lines)), { source: 'legacy', origin: name, originId: name, now: NOW });
		const s = await run('h1.ndjson', [
			r('H-1', { ...limits, status: 'replied', signed_at: '2026-03-20T09:00:00+08:00', replied_at: '2026-03-25T10:00:00+08:00' }), // both on time
			r('H-2', { ...limits, status: 'replied', signed_at: '2026-03-20T15:00:00+08:00', replied_at: '2026-03-30T10:00:00+08:00' }), // both late
			r('H-3', { ...limits, status: 'signed', signed_at: '2026-03-20T11:00:00+08:00' }), // no reply, past its limit by NOW
			r('H-4', { status: 'signed', signed_at: '2026-03-20T11:00:00+08:00', reply_deadline: '2026-04-30T18:00:00+08:00' }), // limit still running
			r('H-5', { status: 'replied', signed_at: '2026-03-22T09:00:00+08:00', replied_at: '2026-03-21T09:00:00+08:00' }), // out of order
			r('H-6', { status: 'closed', closed_at: '2026-03-22T09:00:00+08:00' }) // no handling times: as before
		]);
		expect(s).toMatchObject({ accepted: 6, quarantined: 0 });
		// the summary says what was kept with a flag
		expect(s.flagged).toEqual({ handling_times_out_of_order: 1 });
		type Row = { external_id: string; signed_at: number | null; replied_at: number | null; sign_deadline: number | null; sign_on_time: boolean | null; reply_on_time: boolean | null; flags: string[] | null };
		const facts = async () =>
			q<Row>(`SELECT external_id, epoch_ms(signed_at)::DOUBLE AS signed_at, epoch_ms(replied_at)::DOUBLE AS replied_at, epoch_ms(sign_deadline)::DOUBLE AS sign_deadline,
				sign_on_time, reply_on_time, flags FROM tickets_fact ORDER BY external_id`);
		const rows = await facts();
		const at = (iso: string) => Date.parse(iso);
		expect(rows[0]).toMatchObject({ signed_at: at('2026-03-20T09:00:00+08:00'), replied_at: at('2026-03-25T10:00:00+08:00'), sign_deadline: at(limits.sign_deadline), sign_on_time: true, reply_on_time: true });
		expect(rows.map((x) => [x.external_id, x.sign_on_time, x.reply_on_time])).toEqual([
			['H-1', true, true],
			['H-2', false, false],
			['H-3', true, false],
			['H-4', null, null],
			['H-5', null, null],
			['H-6', null, null]
		]);
		expect(rows[4].flags).toEqual(['handling_times_out_of_order']);
		expect(rows[5]).toMatchObject({ signed_at: null, replied_at: null, sign_deadline: null, flags: null });
		// the unit's rounds carry them: on-time rates for the unit, but no dispatch here (not in the return rate's base)
		const unit = async () =>
			(
				await q<{ sign_done: number; sign_ok: number; reply_done: number; reply_ok: number; dispatched: number }>(
					`SELECT count(*) FILTER (WHERE signed_at IS NOT NULL AND sign_deadline IS NOT NULL)::INTEGER AS sign_done,
						count(*) FILTER (WHERE signed_at <= sign_deadline)::INTEGER AS sign_ok,
						count(*) FILTER (WHERE replied_at IS NOT NULL AND reply_deadline IS NOT NULL)::INTEGER AS reply_done,
						count(*) FILTER (WHERE replied_at <= reply_deadline)::INTEGER AS reply_ok,
						count(*) FILTER (WHERE dispatched_at IS NOT NULL)::INTEGER AS dispatched
					 FROM unit_rounds WHERE unit_code = 'M01'`
				)
			)[0];
		expect(await unit()).toEqual({ sign_done: 3, sign_ok: 2, reply_done: 2, reply_ok: 1, dispatched: 0 });
		// H-2's next version: the reply came again, on time after an extension; H-3 replied
		await run('h2.ndjson', [
			r('H-2', { ...limits, updated_at: '2026-03-31T09:00:00+08:00', status: 'replied', signed_at: '2026-03-20T15:00:00+08:00', reply_deadline: '2026-04-03T18:00:00+08:00', replied_at: '2026-03-30T10:00:00+08:00' }),
			r('H-3', { ...limits, updated_at: '2026-03-26T09:00:00+08:00', status: 'replied', signed_at: '2026-03-20T11:00:00+08:00', replied_at: '2026-03-26T09:00:00+08:00' })
		]);
		expect((await facts()).slice(1, 3).map((x) => [x.external_id, x.sign_on_time, x.reply_on_time])).toEqual([
			['H-2', false, true],
			['H-3', true, true]
		]);
		expect(await unit()).toEqual({ sign_done: 3, sign_ok: 2, reply_done: 3, reply_ok: 3, dispatched: 0 });
		// kept through the change sets as a rebuild from the facts makes them
		const { kept, rebuilt } = await keptAndRebuilt(conn);
		expect(kept).toEqual(rebuilt);
	});

	it('takes the urgency a record gives; another value is kept as normal and flagged', async () => {
		const r = (id: string, extra: Record<string, unknown>) =>
			JSON.stringify({ external_id: id, received_at: '2026-03-20T08:00:00+08:00', channel: 'phone', type: '求助', content: '燃气泄漏', district_code: '320508', ...extra });
		await ingestor.run(readNdjson(ndjson('u.ndjson', [r('U-1', { urgency: 'urgent' }), r('U-2', { urgency: ' Urgent ' }), r('U-3', {}), r('U-4', { urgency: '较急' })])), { source: 's', origin: 'u', originId: 'u', now: NOW });
		const rows = await q<{ external_id: string; urgency: string; flags: string[] | null }>(`SELECT external_id, urgency, flags FROM tickets_fact ORDER BY external_id`);
		expect(rows).toEqual([
			{ external_id: 'U-1', urgency: 'urgent', flags: null },
			{ external_id: 'U-2', urgency: 'urgent', flags: null },
			{ external_id: 'U-3', urgency: 'normal', flags: null },
			{ external_id: 'U-4', urgency: 'normal', flags: ['unknown_urgency'] }
		]);
	});

	it('keeps records with unknown districts or categories, flagged, and geocodes places from the address', async () => {
		const r = (id: string, extra: Record<string, unknown>) =>
			JSON.stringify({ external_id: id, received_at: '2026-03-20T08:00:00+08:00', channel: 'web', type: '投诉', content: '噪音扰民', ...extra });
		await ingestor.run(
			readNdjson(
				ndjson('places.ndjson', [
					r('P-1', { district_code: '999999', category: '外星人入侵' }),
					r('P-2', { address: '苏州市姑苏区平江街道干将东路100号', category: '环境保护 › 噪声污染 › 社会生活噪声' }),
					r('P-3', { address: '不知道在哪' }),
					// another city's address: kept, not placed in 吴中区 东山镇, flagged; the content is not read instead
					r('P-4', { address: '南京市江宁区东山街道上元大街', content: '东山镇路灯不亮' }),
					r('P-5', { address: '无锡市滨湖区太湖街道', district_code: '320506' }), // the sender's district stays
					// a content naming another city is a mention: its place here is read (no address, or one naming no place)
					r('P-6', { content: '从无锡市开来的渣土车在吴中区木渎镇乱倒' }),
					r('P-7', { address: '小区门口', content: '我在上海市工作，家住姑苏区平江街道' })
				])
			),
			{ source: 's', origin: 'p', originId: 'p', now: NOW }
		);
		const rows = await q<{ external_id: string; district_code: string | null; street_code: string | null; category_code: string | null; flags: string[] | null }>(
			`SELECT external_id, district_code, street_code, category_code, flags FROM tickets_fact ORDER BY external_id`
		);
		expect(rows[0]).toMatchObject({ district_code: null, category_code: null });
		expect(rows[0].flags).toEqual(expect.arrayContaining(['unknown_district', 'unknown_category', 'unresolved_place']));
		expect(rows[1]).toMatchObject({ district_code: '320508', category_code: '020302' });
		expect(rows[1].street_code).toMatch(/^320508/);
		expect(rows[2].flags).toContain('unresolved_place');
		expect(rows[3]).toMatchObject({ external_id: 'P-4', district_code: null, street_code: null });
		expect(rows[3].flags).toEqual(expect.arrayContaining(['outside_city', 'unresolved_place']));
		expect(rows[4]).toMatchObject({ external_id: 'P-5', district_code: '320506', street_code: null, flags: ['outside_city'] });
		expect(rows[5]).toMatchObject({ external_id: 'P-6', district_code: '320506', street_code: '320506103', flags: null });
		expect(rows[6]).toMatchObject({ external_id: 'P-7', district_code: '320508' });
		expect(rows[6].flags ?? []).not.toContain('outside_city');
	});
});

describe('other formats', () => {
	it('loads the GB18030 CSV export of a legacy system through the example mapping', async () => {
		const mapping = loadMapping(resolve(import.meta.dirname, '../../data/mappings/legacy-export-zh.json'));
		const s = await ingestFile(ingestor, conn, join(FIX, 'legacy-export-gbk.csv'), { source: 'legacy', mapping, now: NOW });
		expect(s.quarantined).toBe(Object.keys(LEGACY_BAD).length);
		expect(s.accepted).toBe(30 - Object.keys(LEGACY_BAD).length);
		const rows = await q<{ n: number; d: number; c: number }>(
			`SELECT count(*)::INTEGER n, count(district_code)::INTEGER d, count(category_code)::INTEGER c FROM tickets_fact`
		);
		expect(rows[0].d).toBeGreaterThanOrEqual(rows[0].n - 2);
		expect(rows[0].c).toBeGreaterThan(0);
		expect(s.missingColumns).toBeUndefined();
	});

	it('says which mapped columns a file lacks (a header written another way loses that column\'s data)', async () => {
		const mapping = loadMapping(resolve(import.meta.dirname, '../../data/mappings/legacy-export-zh.json'));
		const p = join(tmp, 'legacy-variant.csv');
		writeFileSync(
			p,
			'工单编号,来电时间,来源渠道,诉求类型,诉求内容,所属区县（区）\nV-1,2026-11-20 09:00:00,电话,投诉,楼下饭店油烟扰民,姑苏区\n'
		);
		const s = await ingestFile(ingestor, conn, p, { source: 'variant', mapping, now: NOW });
		expect(s.read).toBe(1);
		expect(s.missingColumns).toContain('所属区县');
		expect(s.missingColumns).not.toContain('工单编号');
	});

	it('reads Parquet, and refuses a truncated Parquet file as one clear error', async () => {
		const ok = await ingestFile(ingestor, conn, join(FIX, 'feed-sample.parquet'), { source: 'pq', now: NOW });
		expect(ok.accepted).toBeGreaterThan(10);
		const bad = await ingestFile(ingestor, conn, join(FIX, 'feed-sample-truncated.parquet'), { source: 'pq2', now: NOW });
		expect(bad.accepted).toBe(0);
		expect(bad.quarantinedByReason).toHaveProperty('bad_parquet');
	});

	it.runIf(process.platform === 'linux')('reads the file an open handle holds (readFrom), in its format, whatever its name holds now', async () => {
		const { copyFileSync, closeSync, openSync, renameSync } = await import('node:fs');
		for (const [name, fixture, other] of [
			['held.ndjson', 'feed-sample.ndjson', '{"external_id":"N-1","received_at":"2026-03-20T08:00:00+08:00","channel":"phone","type":"投诉","content":"另一个文件"}\n'],
			['held.parquet', 'feed-sample.parquet', 'not parquet at all']
		] as const) {
			const path = join(tmp, name);
			copyFileSync(join(FIX, fixture), path);
			const fd = openSync(path, 'r');
			try {
				// another file takes the name while the held one waits to be read
				writeFileSync(`${path}.new`, other);
				renameSync(`${path}.new`, path);
				const s = await ingestFile(ingestor, conn, path, { source: `held-${name}`, now: NOW, readFrom: `/proc/self/fd/${fd}` });
				const whole = await ingestFile(ingestor, conn, join(FIX, fixture), { source: `whole-${name}`, now: NOW });
				expect(s.read, name).toBe(whole.read);
				expect(s.read, name).toBeGreaterThan(10);
				expect(s.originId, name).toBe(whole.originId);
				expect(s.fileError, name).toBeNull();
			} finally {
				closeSync(fd);
			}
		}
	});

	it('refuses whole, without losing a record silently, an NDJSON file named .txt and a JSON array; a Chinese-header CSV without its mapping is read, to be replayed', async () => {
		const lines = feedSampleLines().slice(0, 3).map((l) => JSON.stringify(JSON.parse(l), null, 1).replace(/\n\s*/g, ' '));
		const records = lines.map((l) => JSON.parse(l));
		const cases = [
			// read as CSV, its first record became the header: read 2, and the first record was nowhere
			{ name: 'nd.txt', text: lines.join('\n') + '\n', reason: 'csv_no_known_column' },
			// read as NDJSON: one not_object record, or a bad_json record per line
			{ name: 'array.json', text: JSON.stringify(records), reason: 'json_array' },
			{ name: 'pretty.json', text: JSON.stringify(records, null, 2) + '\n', reason: 'json_array' },
			// read as NDJSON: a bad_json record per line of it
			{ name: 'export.json', text: JSON.stringify({ records }, null, 2) + '\n', reason: 'json_document' }
		];
		for (const c of cases) {
			const p = join(tmp, c.name);
			writeFileSync(p, c.text);
			const s = await ingestFile(ingestor, conn, p, { source: 'shape', now: NOW });
			expect(s, c.name).toMatchObject({ read: 1, accepted: 0, quarantined: 1, quarantinedByReason: { [c.reason]: 1 } });
			expect(unreadableFile(s)).toEqual([c.reason]);
		}
		expect(await q(`SELECT count(*)::INTEGER AS n FROM tickets_fact`)).toEqual([{ n: 0 }]);
		const rows = await q<{ reason: string; message: string; line: number }>(`SELECT reason, message, line::INTEGER AS line FROM quarantine ORDER BY origin`);
		expect(rows.map((r) => r.reason).sort()).toEqual(['csv_no_known_column', 'json_array', 'json_array', 'json_document']);
		for (const r of rows) expect(r.message).toMatch(/NDJSON|ndjson/);
		// the export with Chinese headers, without its mapping: a header all the same; its rows are quarantined with
		// their fields, and a replay with the mapping brings them in
		const zh = await ingestFile(ingestor, conn, join(FIX, 'legacy-export-gbk.csv'), { source: 'legacy', now: NOW });
		expect(zh.read).toBeGreaterThan(1);
		expect(zh.quarantinedByReason.csv_no_known_column).toBeUndefined();
		expect(unreadableFile(zh)).toBeNull();
		const replay = await new Quarantine(conn).replay(ingestor, { source: 'legacy', mapping: loadMapping(resolve(import.meta.dirname, '../../data/mappings/legacy-export-zh.json')), now: NOW });
		expect(replay.replayed).toBeGreaterThan(0);
	});

	it('names the file as shownAs in the messages of the reader (an upload, not its temporary file)', async () => {
		const p = join(tmp, '3f2a-upload-tmp-records.json');
		writeFileSync(p, '[{"external_id": "U-1"}]');
		const s = await ingestFile(ingestor, conn, p, { source: 'upload-name', origin: 'upload:records.json', shownAs: 'records.json', now: NOW });
		const [row] = await q<{ message: string }>(`SELECT message FROM quarantine WHERE source = 'upload-name'`);
		expect(row.message).toContain('文件 records.json 的内容是一个 JSON 数组');
		expect(row.message).not.toContain(p);
		// the summary carries the reader's message, for the command line and the drop folder to say
		expect(s.fileError).toBe(row.message);
		expect((await ingestFile(ingestor, conn, join(FIX, 'feed-sample.ndjson'), { source: 'upload-name-ok', now: NOW })).fileError).toBeNull();
	});

	it('refuses a 0-byte file clearly', async () => {
		const p = join(tmp, 'empty.ndjson');
		writeFileSync(p, '');
		const s = await ingestFile(ingestor, conn, p, { source: 's', now: NOW });
		expect(s.quarantinedByReason).toEqual({ empty_file: 1 });
	});
});

describe('quarantine replay', () => {
	it('replays records after a mapping fix and marks them replayed', async () => {
		const p = ndjson('typo.ndjson', [
			JSON.stringify({ external_id: 'Q-1', received_at: '2026-03-20T08:00:00+08:00', channel: '电话', type: '投诉', content: '路灯不亮' }),
			'{"broken json'
		]);
		const s = await ingestFile(ingestor, conn, p, { source: 'legacy2', now: NOW });
		expect(s.quarantined).toBe(2);
		const mapPath = join(tmp, 'fix.json');
		writeFileSync(mapPath, JSON.stringify({ version: 1, name: 'fix', values: { channel: { 电话: 'phone' } } }));
		const r = await new Quarantine(conn).replay(ingestor, { source: 'legacy2', mapping: loadMapping(mapPath), now: NOW });
		expect(r).toMatchObject({ tried: 2, replayed: 1, notReplayable: 1 });
		expect(await q(`SELECT channel, content FROM tickets_fact`)).toEqual([{ channel: 'phone', content: '路灯不亮' }]);
		expect(await q(`SELECT status, reason FROM quarantine ORDER BY line`)).toEqual([
			{ status: 'replayed', reason: expect.any(String) },
			{ status: 'open', reason: 'bad_json' }
		]);
	});

	it('sums up the runs of a replay over several sources in its summary', async () => {
		const bad = (id: string) => JSON.stringify({ external_id: id, received_at: '2026-03-20T08:00:00+08:00', channel: '电话', type: '投诉', content: '路灯不亮' });
		await ingestFile(ingestor, conn, ndjson('a.ndjson', [bad('A-1'), bad('A-2')]), { source: 'feed-a', now: NOW });
		await ingestFile(ingestor, conn, ndjson('b.ndjson', [bad('B-1')]), { source: 'feed-b', now: NOW });
		const mapPath = join(tmp, 'fix2.json');
		writeFileSync(mapPath, JSON.stringify({ version: 1, name: 'fix', values: { channel: { 电话: 'phone' } } }));
		const r = await new Quarantine(conn).replay(ingestor, { mapping: loadMapping(mapPath), now: NOW });
		expect(r).toMatchObject({ tried: 3, replayed: 3 });
		expect(r.ingest).toMatchObject({ source: 'feed-a、feed-b', read: 3, accepted: 3, quarantined: 0 });
	});
});

describe('quarantine replay without a new mapping', () => {
	it('maps each row with the mapping it was read with: the reasons of a mapped file stay what they were', async () => {
		const mapping = loadMapping(resolve(import.meta.dirname, '../../data/mappings/legacy-export-zh.json'));
		await ingestFile(ingestor, conn, join(FIX, 'legacy-export-gbk.csv'), { source: 'legacy', mapping, now: NOW });
		const before = await q(`SELECT line::INTEGER AS line, reason, field FROM quarantine ORDER BY line`);
		expect(before.length).toBe(Object.keys(LEGACY_BAD).length);
		const r = await new Quarantine(conn).replay(ingestor, { source: 'legacy', now: NOW });
		expect(r).toMatchObject({ tried: before.length, replayed: 0 });
		expect(r.stillFailing + r.notReplayable).toBe(before.length);
		expect(r.stillFailing).toBeGreaterThan(4);
		expect(await q(`SELECT line::INTEGER AS line, reason, field FROM quarantine ORDER BY line`)).toEqual(before);
	});
});

describe('mergeThreads', () => {
	const setting = async (name: string) => String((await conn.runAndReadAll(`SELECT current_setting('${name}')`)).getRows()[0][0]);

	it('merges on the given number of DuckDB threads and puts the setting back after the run', async () => {
		await conn.run(`SET threads = 3`);
		const seen: string[] = [];
		// read during the run on a connection of its own (the setting is the database's): a query on the ingest's
		// connection while a batch merges in the background ran into its appender (a pending query result closed)
		const other = await inst.connect();
		const parses = (l: string) => {
			try {
				return typeof JSON.parse(l) === 'object';
			} catch {
				return false;
			}
		};
		const lines = feedSampleLines().filter(parses).slice(0, 30);
		await ingestor.run(
			(async function* () {
				for (const [i, raw] of lines.entries()) {
					if (i === 10) seen.push(String((await other.runAndReadAll(`SELECT current_setting('threads')`)).getRows()[0][0]));
					yield { file: null, fields: JSON.parse(raw), raw, line: i + 1, byteOffset: null, error: null };
				}
			})(),
			{ source: 't', origin: 'test', originId: 'o1', now: NOW, batchSize: 8, mergeThreads: 1 }
		);
		other.closeSync();
		expect(seen).toEqual(['1']);
		expect(await setting('threads')).toBe('3');
		expect(Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact`)).getRows()[0][0])).toBeGreaterThan(10);
	});

	it('puts it back when the run fails', async () => {
		await conn.run(`SET threads = 3`);
		const threshold = await setting('checkpoint_threshold');
		const failing = (async function* () {
			yield { file: null, fields: { external_id: 'x' }, raw: '{}', line: 1, byteOffset: null, error: null };
			throw new Error('the disk went away');
		})();
		await expect(ingestor.run(failing, { source: 't', origin: 'test', originId: 'o2', now: NOW, mergeThreads: 1 })).rejects.toThrow('the disk went away');
		expect(await setting('threads')).toBe('3');
		expect(await setting('checkpoint_threshold')).toBe(threshold);
	});
});
