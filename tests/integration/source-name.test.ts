// A source name is half of the key (source, external id) of stored records: every way in takes the same names, so a
// source loaded from files can get a push token whose pushes continue the same keys.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { startRouteApp } from '../support/app';
import { createApiToken } from '../../src/lib/server/auth/tokens';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { ingestService } from '../../src/lib/server/ingest';
import { CommandInputError, runLocalCommand } from '../../src/lib/server/local-commands';
import { isSourceName, SOURCE_NAME_RULE } from '../../src/lib/server/source-name';
import * as pushRoute from '../../src/routes/api/v1/ingest/+server';

let a: App;
const dir = mkdtempSync(join(tmpdir(), 'minqing-source-name-'));

beforeAll(async () => {
	a = await startRouteApp();
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
	rmSync(dir, { recursive: true, force: true });
});

const rec = (id: string, at: string, status = 'received') => ({
	external_id: id,
	received_at: '2026-11-25T08:00:00+08:00',
	updated_at: at,
	status,
	channel: 'phone',
	type: '投诉',
	content: `反映路灯不亮 ${id}`,
	district_code: '320508'
});

describe('source names', () => {
	it('a source loaded from files (旧系统) gets a push token, and its pushes continue the same keys', async () => {
		const file = join(dir, 'rp.ndjson');
		writeFileSync(file, JSON.stringify(rec('RP-1', '2026-11-25T08:00:00+08:00')) + '\n');
		const loaded = await ingestService(a).ingestPath(file, { source: '旧系统' });
		expect(loaded).toMatchObject({ read: 1, accepted: 1 });

		const created = (await runLocalCommand(a, 'token-create', { name: 't2', source: '旧系统' })) as { token: string; source: string };
		expect(created.source).toBe('旧系统');

		const body = JSON.stringify(rec('RP-1', '2026-11-25T09:00:00+08:00', 'dispatched')) + '\n';
		const request = new Request('http://localhost/api/v1/ingest', {
			method: 'POST',
			body,
			headers: { authorization: `Bearer ${created.token}`, 'content-type': 'application/x-ndjson', 'content-length': String(Buffer.byteLength(body)) }
		});
		const res = await pushRoute.POST({ request, url: new URL(request.url) } as never);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ source: '旧系统', read: 1, accepted: 0, updated: 1 });
		const rows = await queryRows<{ n: number }>(a.analytics.conn, `SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE source = '旧系统' AND external_id = 'RP-1'`);
		expect(rows[0].n).toBe(1);
	});

	it('takes what file ingest takes and refuses the rest, in Chinese naming the characters allowed', async () => {
		for (const ok of ['旧系统', 'cityapp', 'district-feed', 'Legacy System', '区.feed_2', 'open311-feed', 'x'.repeat(64)]) expect(isSourceName(ok), ok).toBe(true);
		for (const bad of ['', 'open311:cityapp', 'OPEN311:x', ' 旧系统', '旧系统 ', '.hidden', 'a/b', 'a\\b', 'a\tb', 'x'.repeat(65)]) expect(isSourceName(bad), JSON.stringify(bad)).toBe(false);
		expect(SOURCE_NAME_RULE).toContain('可用汉字、字母、数字、空格和标点符号');

		const refused = runLocalCommand(a, 'token-create', { name: 't3', source: 'a/b' });
		await expect(refused).rejects.toBeInstanceOf(CommandInputError);
		await expect(refused).rejects.toMatchObject({ message: `--source「a/b」${SOURCE_NAME_RULE}`, detail: 'token-create: bad source name "a/b"' });
		await expect(createApiToken(a.rel.db, { name: 't4', sourceName: ' 旧系统', scopes: ['ingest'] })).rejects.toThrow(SOURCE_NAME_RULE);
	});
});
