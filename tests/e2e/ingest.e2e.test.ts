// The feed push over HTTP: token auth, size limit, and the same push twice changing nothing.
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type TestServer } from './fixture';

let server: TestServer;
let token = '';

beforeAll(async () => {
	// the token is made with the CLI on the server's data directory before the server takes it over
	server = await startServer({ tickets: 2_000, days: 30, env: { MINQING_PUSH_LIMIT_MB: '1' } });
	await server.stop();
	const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/lib/server/cli/main.ts', 'token', 'create', '--name', '区分中心', '--source', 'district-feed', '--data-dir', server.dataDir], {
		cwd: ROOT,
		encoding: 'utf8'
	});
	expect(r.status, r.stderr).toBe(0);
	token = JSON.parse(r.stdout).token;
	server = await startServer({ dataDir: server.dataDir, env: { MINQING_PUSH_LIMIT_MB: '1' } });
});

afterAll(async () => {
	await server?.stop();
	server?.cleanup();
});

const line = (id: string, content = '小区门口垃圾堆了三天没人清运') =>
	JSON.stringify({ external_id: id, received_at: '2026-11-20T09:00:00+08:00', channel: 'web', type: '投诉', content, address: '姑苏区平江街道' });

async function push(body: string, auth = `Bearer ${token}`) {
	const r = await fetch(`${server.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-ndjson' }, body });
	return { status: r.status, body: await r.json() };
}

describe('POST /api/v1/ingest', () => {
	it('refuses a missing or wrong token with 401', async () => {
		expect((await push(line('A-1'), '')).status).toBe(401);
		const r = await push(line('A-1'), 'Bearer mq_not-a-real-token');
		expect(r).toEqual({ status: 401, body: { error: { code: 'unauthenticated', message: expect.stringContaining('令牌') } } });
	});

	it('takes good records, quarantines bad ones, and counts a repeat as duplicates', async () => {
		const body = [line('A-1'), line('A-2', '路灯坏了'), '{"bad json', JSON.stringify({ external_id: 'A-3', channel: 'web', type: '投诉', content: '没有时间' })].join('\n');
		const first = await push(body);
		expect(first.status).toBe(200);
		expect(first.body).toMatchObject({ source: 'district-feed', read: 4, accepted: 2, quarantined: 2 });
		const again = await push(body);
		expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
	});

	it('takes a gzip-compressed push, and refuses another content type, an unknown encoding and a blank body clearly', async () => {
		const send = async (body: Buffer | string, headers: Record<string, string>) => {
			const r = await fetch(`${server.url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
			return { status: r.status, body: await r.json() };
		};
		const zipped = gzipSync(Buffer.from([line('GZ-1'), line('GZ-2', '井盖缺失')].join('\n') + '\n'));
		expect(await send(zipped, { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' })).toMatchObject({ status: 200, body: { accepted: 2, quarantined: 0 } });
		expect(await send('编号,内容\n1,路灯\n', { 'content-type': 'text/csv' })).toMatchObject({
			status: 415,
			body: { error: { code: 'unsupported_media_type', message: expect.stringContaining('/api/v1/ingest/file') } }
		});
		// a sender that says octet-stream (or curl's form default) is read as NDJSON, as before
		expect(await send(line('OCT-1') + '\n', { 'content-type': 'application/octet-stream' })).toMatchObject({ status: 200, body: { accepted: 1 } });
		expect(await send(line('FORM-1') + '\n', { 'content-type': 'application/x-www-form-urlencoded' })).toMatchObject({ status: 200, body: { accepted: 1 } });
		expect(await send(zipped, { 'content-type': 'application/x-ndjson', 'content-encoding': 'br' })).toMatchObject({ status: 415, body: { error: { code: 'unsupported_encoding' } } });
		expect(await send(Buffer.from('not gzip at all'), { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' })).toMatchObject({ status: 400, body: { error: { code: 'bad_encoding' } } });
		expect(await send('\n  \n', { 'content-type': 'application/x-ndjson' })).toMatchObject({ status: 400, body: { error: { code: 'empty_body' } } });
		// each push and each refusal is in the server's log
		expect(server.logs()).toContain('推送被拒绝（415 unsupported_media_type，来源 district-feed）');
		expect(server.logs()).toMatch(/推送 sha256:[0-9a-f]+（来源 district-feed）读取 2 条，新增 2/);
	});

	it('refuses an oversized push with 413 and writes nothing of it', async () => {
		const big = Array.from({ length: 6000 }, (_, i) => line(`BIG-${i}`, '很长的内容'.repeat(20))).join('\n');
		const r = await push(big);
		expect(r.status).toBe(413);
		expect(r.body.error.code).toBe('payload_too_large');
		const ok = await push(line('BIG-0'));
		expect(ok.body.accepted).toBe(1); // nothing of the refused push was stored
	});

	it('answers 413 also to an oversized push sent without a length (chunked), not with a reset connection', async () => {
		const piece = new TextEncoder().encode(Array.from({ length: 200 }, (_, i) => line(`CH-${i}`, '很长的内容'.repeat(20))).join('\n') + '\n');
		let sent = 0;
		const body = new ReadableStream<Uint8Array>({
			pull(c) {
				if (sent >= 3 * 1_048_576) return c.close();
				sent += piece.byteLength;
				c.enqueue(piece);
			}
		});
		const r = await fetch(`${server.url}/api/v1/ingest`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
			body,
			duplex: 'half'
		} as RequestInit);
		expect(r.status).toBe(413);
		expect((await r.json()).error).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('1 MB') });
		expect((await push(line('CH-0'))).body).toMatchObject({ accepted: 1 }); // nothing of it was stored
	});
});
