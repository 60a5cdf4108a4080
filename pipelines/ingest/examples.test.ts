// The shipped examples end to end: file → reader → mapping → validation. In every file the good records beside
// the bad ones come through, and each bad one is refused with its reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { applyMapping, loadMapping, type Mapping } from './mapping';
import { readCsv, readNdjson, readParquet, type RawRecord } from './sources';
import { validateRecord } from './validate';
import { LEGACY_BAD, LEGACY_ROWS, NDJSON_BAD, PARQUET_ROWS, feedSampleLines } from '../../tests/fixtures/make-ingest-fixtures';

const FIX = join(import.meta.dirname, '../../tests/fixtures');
const NOW = Date.parse('2026-04-01T00:00:00+08:00');

interface Outcome {
	line: number | null;
	id: string | null;
	code: string;
	record?: Record<string, unknown>;
}

async function run(records: AsyncIterable<RawRecord>, mapping: Mapping | null = null): Promise<Outcome[]> {
	const out: Outcome[] = [];
	for await (const r of records) {
		if (r.error || !r.fields) {
			out.push({ line: r.line, id: null, code: r.error!.code });
			continue;
		}
		const fields = mapping ? applyMapping(mapping, r.fields) : r.fields;
		const v = validateRecord(fields, { now: NOW });
		out.push(
			v.ok
				? { line: r.line, id: v.record.external_id, code: 'ok', record: v.record as unknown as Record<string, unknown> }
				: { line: r.line, id: typeof fields.external_id === 'string' ? fields.external_id : null, code: v.code }
		);
	}
	return out;
}

describe('legacy CSV export in GB18030 with the shipped mapping', () => {
	const mapping = loadMapping(join(import.meta.dirname, '../../data/mappings/legacy-export-zh.json'));
	let outcomes: Outcome[];
	beforeAll(async () => {
		outcomes = await run(readCsv(join(FIX, 'legacy-export-gbk.csv'), mapping.input), mapping);
	});

	it('accepts the 22 good rows and refuses the 8 bad ones with their reasons', () => {
		expect(outcomes).toHaveLength(LEGACY_ROWS.length);
		const refused = outcomes.filter((o) => o.code !== 'ok');
		expect(refused.map((o) => o.code).sort()).toEqual(Object.values(LEGACY_BAD).sort());
		for (const o of refused) if (o.id) expect(LEGACY_BAD[o.id], o.id).toBe(o.code);
		// the unquoted comma: the reader refuses the row before mapping
		expect(refused.find((o) => o.code === 'csv_columns')!.line).toBe(9);
		const good = outcomes.filter((o) => o.code === 'ok');
		expect(good).toHaveLength(22);
		expect(good.map((o) => o.id)).toEqual(LEGACY_ROWS.map((r) => r[0]).filter((id) => id && !(id in LEGACY_BAD)));
	});

	it('maps a full row to the canonical record', () => {
		expect(outcomes[0]).toEqual({
			line: 2,
			id: 'LX20260301001',
			code: 'ok',
			record: {
				external_id: 'LX20260301001',
				received_at: '2026-03-01T08:12:33+08:00',
				updated_at: '2026-03-03T16:20:00+08:00',
				channel: 'phone',
				type: '投诉',
				title: '饭店油烟扰民',
				content: '我家楼下新开的饭店油烟很大，每天晚上熏得窗户都打不开，希望有关部门尽快处理。',
				address: '十全街168号',
				district_code: '320508',
				street_code: '320508021',
				lon: 120.6321,
				lat: 31.2952,
				category: '餐饮油烟',
				unit: '苏州市姑苏区人民政府',
				urgency: 'normal',
				status: 'closed',
				sign_deadline: '2026-03-01T12:12:33+08:00',
				signed_at: '2026-03-01T09:30:00+08:00',
				reply_deadline: '2026-03-08T18:00:00+08:00',
				replied_at: '2026-03-03T15:00:00+08:00',
				closed_at: '2026-03-03T16:20:00+08:00',
				satisfaction: '满意',
				caller_name: '张先生',
				caller_phone: '13812345678'
			}
		});
	});

	it('decodes quotes, line breaks in quotes, four-byte GB18030 characters, aliases and value maps', () => {
		const byId = new Map(outcomes.filter((o) => o.record).map((o) => [o.id, o.record!]));
		expect(byId.get('LX20260302005')!.content).toBe('他说"再不管就报警"，楼上装修从早上七点干到晚上十点，电钻声不断，老人孩子都休息不好。');
		expect(byId.get('LX20260303006')!.content).toBe('小区从昨晚开始停水，物业说不清楚原因。\r\n家里有老人，急需用水，请帮忙联系自来水公司。');
		expect(byId.get('LX20260305009')).toMatchObject({ caller_name: '张𠮷', satisfaction: '满意', type: '表扬', street_code: '320506005' });
		expect(byId.get('LX20260301003')).toMatchObject({ district_code: '320576', street_code: '320576050', channel: 'wechat' });
		expect(byId.get('LX20260302004')).toMatchObject({ channel: 'app', district_code: '320576' });
		expect(byId.get('LX20260312026')).toMatchObject({ street_code: '320505400', channel: 'wechat' });
		// a time in another layout than the hint still goes through parseTime
		expect(byId.get('LX20260306010')!.received_at).toBe('2026-03-06T09:30:00+08:00');
		// HTML kept as text
		expect(byId.get('LX20260305008')!.content).toBe('<script>alert("x")</script>网页上提交时内容被截断了，请工作人员核实。');
		// no satisfaction yet, status from the value map
		expect(byId.get('LX20260301002')).toMatchObject({ status: 'signed', caller_phone: '0512-65230001' });
		expect(byId.get('LX20260301002')).not.toHaveProperty('satisfaction');
		// the handling times as the export has them: a reply awaiting its visit, a sign-for without a reply yet
		expect(byId.get('LX20260303006')).toMatchObject({ status: 'replied', signed_at: '2026-03-03T08:30:00+08:00', replied_at: '2026-03-04T10:00:00+08:00' });
		expect(byId.get('LX20260301003')).toMatchObject({ signed_at: '2026-03-02T09:00:00+08:00', sign_deadline: '2026-03-02T01:40:02+08:00' });
		expect(byId.get('LX20260301003')).not.toHaveProperty('replied_at');
		// 紧急程度 through its value map; a value the map does not know goes on as it is (the pipeline flags it)
		expect(byId.get('LX20260310021')!.urgency).toBe('urgent');
		expect(byId.get('LX20260312026')!.urgency).toBe('较急');
	});

	it('gives the same outcome at any chunk size', async () => {
		const bytes = readFileSync(join(FIX, 'legacy-export-gbk.csv'));
		async function* chunks(size: number) {
			for (let p = 0; p < bytes.length; p += size) yield bytes.subarray(p, p + size);
		}
		for (const size of [1, 3, 17, 500]) {
			const o = await run(readCsv(chunks(size)), mapping);
			expect(o).toEqual(outcomes);
		}
	});
});

describe('canonical NDJSON sample', () => {
	it('every good record lands; every bad line is refused with its reason', async () => {
		const lines = feedSampleLines();
		const outcomes = await run(readNdjson(join(FIX, 'feed-sample.ndjson')));
		expect(outcomes).toHaveLength(lines.filter((l) => l.trim() !== '').length);
		const refused = Object.fromEntries(outcomes.filter((o) => o.code !== 'ok').map((o) => [o.line, o.code]));
		expect(refused).toEqual(Object.fromEntries(Object.entries(NDJSON_BAD).map(([k, v]) => [Number(k), v])));
		const good = outcomes.filter((o) => o.code === 'ok');
		expect(good).toHaveLength(20);
		expect(good.map((o) => o.id)).toEqual([...Array.from({ length: 19 }, (_, k) => `F-${String(k + 1).padStart(4, '0')}`), '12345']);
		// HTML and control characters inside text are kept as sent
		expect(good[6].record!.content).toBe('<script>alert(1)</script><img src=x onerror=alert(2)>网页表单提交的内容');
		expect(good[7].record!.content).toBe('路面塌陷\u0007\u0000请尽快处理\u001b');
	});
});

describe('Parquet sample', () => {
	let inst: DuckDBInstance;
	let conn: DuckDBConnection;
	beforeAll(async () => {
		inst = await DuckDBInstance.create(':memory:');
		conn = await inst.connect();
	});
	afterAll(() => {
		conn.closeSync();
		inst.closeSync();
	});

	it('reads and validates the rows; the empty content is refused', async () => {
		const outcomes = await run(readParquet(conn, join(FIX, 'feed-sample.parquet'), { batchSize: 5 }));
		expect(outcomes).toHaveLength(PARQUET_ROWS);
		expect(outcomes.filter((o) => o.code !== 'ok')).toEqual([{ line: 7, id: 'P-0007', code: 'empty_content' }]);
		expect(outcomes[0].record).toMatchObject({
			external_id: 'P-0001',
			received_at: '2026-03-01T08:00:00+08:00', // TIMESTAMPTZ 00:00 UTC
			updated_at: '2026-03-01T10:00:00+08:00', // naive TIMESTAMP, read as Shanghai
			lon: 120.6,
			lat: 31.3
		});
	});

	it('the truncated copy is one file-level error', async () => {
		expect(await run(readParquet(conn, join(FIX, 'feed-sample-truncated.parquet')))).toEqual([{ line: null, id: null, code: 'bad_parquet' }]);
	});
});
