// A push's body as the route takes it (readPushRequest): what is refused before any record is read; an ingest's
// counts as the server's log says them (summaryCounts).
import { describe, expect, it } from 'vitest';
import type { IngestSummary } from '$pipelines/ingest/pipeline';
import { readPushRequest, summaryCounts } from './ingest';

const LIMIT = 32 * 1_048_576;

const post = (body: string, type = 'application/x-ndjson') =>
	new Request('http://localhost/api/v1/ingest', { method: 'POST', headers: { 'content-type': type }, body });

const rec = (id: string) => ({ external_id: id, received_at: '2026-11-20T09:00:00+08:00', channel: 'web', type: '投诉', content: '小区门口垃圾堆了三天没人清运' });

describe('readPushRequest', () => {
	it('refuses a body that is one JSON array with json_array, on one line or pretty-printed, as a file of it is refused', async () => {
		const records = [rec('JA-1'), rec('JA-2'), rec('JA-3')];
		for (const body of [JSON.stringify(records), JSON.stringify(records, null, 2), `\ufeff\n  ${JSON.stringify(records)}\n`]) {
			await expect(readPushRequest(post(body, 'application/json'), LIMIT)).rejects.toMatchObject({
				code: 'json_array',
				message: expect.stringContaining('每行一个 JSON 对象')
			});
		}
	});

	it('refuses a pretty-printed JSON document with json_document, as a file of it is refused', async () => {
		for (const body of [JSON.stringify(rec('JD-1'), null, 2), JSON.stringify({ records: [rec('JD-2')] }, null, 2), `\ufeff {\r\n"external_id": "JD-3"}`]) {
			await expect(readPushRequest(post(body, 'application/json'), LIMIT)).rejects.toMatchObject({
				code: 'json_document',
				message: expect.stringContaining('每行一个完整的 JSON 对象')
			});
		}
	});

	it('reads an NDJSON body record by record', async () => {
		const push = await readPushRequest(post([rec('N-1'), rec('N-2')].map((r) => JSON.stringify(r)).join('\n') + '\n'), LIMIT);
		const ids: unknown[] = [];
		for await (const r of push.records) ids.push(r.fields?.external_id);
		expect(ids).toEqual(['N-1', 'N-2']);
	});
});

describe('summaryCounts', () => {
	const summary: IngestSummary = {
		source: 's', origin: 'o', read: 12, accepted: 9, updated: 1, duplicates: 0, stale: 1, quarantined: 1, quarantinedByReason: { bad_json: 1 },
		unresolvedPlaces: 0, unknownCategories: 0, flagged: {}, seconds: 1, timings: {}
	};

	it('names the reasons of what was refused and the flags of what was kept not as sent', () => {
		expect(summaryCounts({ ...summary, flagged: { unknown_urgency: 2, handling_times_out_of_order: 1 } })).toBe(
			'读取 12 条，新增 9，更新 1，重复 0，过时 1，隔离 1（bad_json 1），标记 3（unknown_urgency 2，handling_times_out_of_order 1）'
		);
	});

	it('says nothing of reasons or flags there are none of', () => {
		expect(summaryCounts({ ...summary, quarantined: 0, quarantinedByReason: {} })).toBe('读取 12 条，新增 9，更新 1，重复 0，过时 1，隔离 0');
	});
});
