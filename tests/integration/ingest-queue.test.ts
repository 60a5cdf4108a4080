// One ingest queue: a push that arrives while an uploaded file is ingested waits, and the log says so; each upload
// has its line in the log, as each push has. A file of several batches takes the pushes waiting between two of
// its batches, so a push does not wait for the whole file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setApp, startApp, stopApp, type App } from '../../src/lib/server/app';
import { createApiToken } from '../../src/lib/server/auth/tokens';
import { loadConfig } from '../../src/lib/server/config';
import { ingestService } from '../../src/lib/server/ingest';
import { readNdjson } from '../../pipelines/ingest/sources';
import { POST as pushRoute } from '../../src/routes/api/v1/ingest/+server';
import { POST as uploadRoute } from '../../src/routes/api/v1/ingest/file/+server';

const dir = mkdtempSync(join(tmpdir(), 'minqing-queue-'));
let a: App;
let token: string;
beforeAll(async () => {
	a = await startApp({ ...loadConfig({}), dataDir: dir, demo: false }, () => {});
	setApp(Promise.resolve(a));
	token = (await createApiToken(a.rel.db, { name: 'q', sourceName: 'queue-feed', scopes: ['ingest'] })).token;
}, 120_000);
afterAll(async () => {
	await ingestService(a).close();
	if (a) await stopApp(a);
	rmSync(dir, { recursive: true, force: true });
});

const yesterday = new Date(Date.now() - 86_400_000).toISOString();
const lines = (prefix: string, n: number) =>
	Array.from({ length: n }, (_, i) => JSON.stringify({ external_id: `${prefix}-${i}`, received_at: yesterday, channel: 'web', type: '投诉', content: '小区门口垃圾堆了三天没人清运', address: '姑苏区平江街道' })).join('\n') + '\n';

async function* bytes(text: string) {
	yield new TextEncoder().encode(text);
}

describe('the ingest queue', () => {
	it('logs each upload, and a push waiting behind one', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		try {
			const url = 'http://x/api/v1/ingest/file?filename=big.ndjson';
			const upload = uploadRoute({
				request: new Request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: lines('U', 3000) }),
				url: new URL(url)
			} as never) as Promise<Response>;
			const svc = ingestService(a);
			for (const t0 = Date.now(); !svc.busyWith()?.includes('big.ndjson') && Date.now() - t0 < 60_000; ) await new Promise((r) => setTimeout(r, 5));
			expect(svc.busyWith()).toContain('接入文件 big.ndjson');
			const push = await pushRoute({
				request: new Request('http://x/api/v1/ingest', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, body: lines('P', 5) })
			} as never);
			expect(push.status).toBe(200);
			expect(await push.json()).toMatchObject({ read: 5, accepted: 5 });
			expect((await upload).status).toBe(200);
			const said = log.mock.calls.map((c) => String(c[0]));
			expect(said.filter((m) => m.includes('排队等待：正在接入文件 big.ndjson'))).toHaveLength(1);
			expect(said.filter((m) => /^\[minqing\] 上传 big\.ndjson（来源 queue-feed，\d+ 字节）读取 3000 条，新增 3000/.test(m))).toHaveLength(1);
		} finally {
			log.mockRestore();
		}
	}, 180_000);

	it('runs a push between two batches of a large file, not after the whole file', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		try {
			// three batches (20,000 records a batch): the push is asked for while the first is read
			const path = join(dir, 'large.ndjson');
			writeFileSync(path, lines('L', 45_000));
			const svc = ingestService(a);
			const ended: string[] = [];
			const file = svc.ingestPath(path, { source: 'queue-feed', shownAs: 'large.ndjson' }).then((s) => (ended.push('file'), s));
			for (const t0 = Date.now(); !svc.busyWith()?.includes('large.ndjson') && Date.now() - t0 < 60_000; ) await new Promise((r) => setTimeout(r, 5));
			const push = svc.push('queue-feed', 'between', readNdjson(bytes(lines('B', 5)))).then((s) => (ended.push('push'), s));
			const [f, p] = await Promise.all([file, push]);
			expect(ended).toEqual(['push', 'file']);
			expect(p).toMatchObject({ read: 5, accepted: 5, quarantined: 0 });
			expect(f).toMatchObject({ read: 45_000, accepted: 45_000, quarantined: 0 });
			const said = log.mock.calls.map((c) => String(c[0]));
			expect(said.filter((m) => m.includes('推送 between（来源 queue-feed）排队等待：正在接入文件 large.ndjson') && m.endsWith('将在其两批之间或完成后接入'))).toHaveLength(1);
			// both whole in the store
			const conn = await a.analytics.connect();
			try {
				const rows = (await conn.runAndReadAll(`SELECT left(external_id, 2) AS k, count(*)::INTEGER FROM tickets_fact WHERE source = 'queue-feed' AND (external_id LIKE 'L-%' OR external_id LIKE 'B-%') GROUP BY 1 ORDER BY 1`)).getRows();
				expect(rows).toEqual([['B-', 5], ['L-', 45_000]]);
			} finally {
				conn.closeSync();
			}
		} finally {
			log.mockRestore();
		}
	}, 300_000);

	it('runs a push waiting behind the text analysis between two of its batches, not after the whole round', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		const conn = await a.analytics.connect();
		try {
			// the files' tickets as a store whose text analysis is to be done again (an upgrade, a demo history)
			await conn.run(`UPDATE tickets_fact SET tokens = NULL, keywords = NULL WHERE source = 'queue-feed'`);
			const pending = Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE tokens IS NULL`)).getRows()[0][0]);
			expect(pending).toBeGreaterThan(40_000);
			const svc = ingestService(a);
			const ended: string[] = [];
			const text = svc.enrichText().then((n) => (ended.push('text'), n));
			for (const t0 = Date.now(); !svc.busyWith()?.includes('分析工单文本') && Date.now() - t0 < 60_000; ) await new Promise((r) => setTimeout(r, 5));
			expect(svc.busyWith()).toBe('分析工单文本');
			const push = svc.push('queue-feed', 'during-text', readNdjson(bytes(lines('T', 5)))).then((s) => (ended.push('push'), s));
			const [n, p] = await Promise.all([text, push]);
			expect(ended).toEqual(['push', 'text']);
			expect(n).toBe(pending);
			expect(p).toMatchObject({ read: 5, accepted: 5, quarantined: 0 });
			const said = log.mock.calls.map((c) => String(c[0]));
			expect(said.filter((m) => m.includes('推送 during-text（来源 queue-feed）排队等待：正在分析工单文本') && m.endsWith('将在其两批之间或完成后接入'))).toHaveLength(1);
			// the pushed tickets analysed as they came in, every other one by the round
			expect(Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE tokens IS NULL`)).getRows()[0][0])).toBe(0);
		} finally {
			conn.closeSync();
			log.mockRestore();
		}
	}, 300_000);
});
