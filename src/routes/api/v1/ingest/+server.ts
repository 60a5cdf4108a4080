import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { verifyApiToken } from '$lib/server/auth/tokens';
import { DRAIN_LIMIT, IngestError, ingestRefusal, ingestService, pushLimitBytes, readPush } from '$lib/server/ingest';
import type { RequestHandler } from './$types';

async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
	const reader = body.getReader();
	try {
		for (;;) if ((await reader.read()).done) return;
	} catch {
		/* the sender gave up */
	} finally {
		reader.releaseLock();
	}
}

/**
 * Content types of files a push is not: those go to POST /api/v1/ingest/file. Any other is read as NDJSON (senders
 * write application/x-ndjson, application/json, text/plain, application/octet-stream, or curl's form default).
 */
const FILE_TYPES = new Set([
	'text/csv', 'text/tab-separated-values', 'application/csv', 'application/vnd.ms-excel',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.apache.parquet', 'application/x-parquet',
	'application/zip', 'application/x-zip-compressed', 'multipart/form-data'
]);
/** Content encodings a push may come in. */
const ENCODINGS = new Set(['identity', 'gzip', 'deflate']);

/** POST NDJSON feed records (one canonical record per line); the source name comes from the API token. */
export const POST: RequestHandler = async ({ request }) => {
	const a = await app();
	const token = await verifyApiToken(a.rel.db, request.headers.get('authorization'), 'ingest');
	if (!token) return ingestRefusal('推送', 401, 'unauthenticated', 'API 令牌无效、已吊销或没有数据接入权限');
	const limit = pushLimitBytes();
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (declared > limit) {
		// read and discard a body of moderate size first: answering while the sender is still writing resets
		// the connection, and the sender would see a network error instead of this answer
		const drained = !!request.body && declared <= DRAIN_LIMIT;
		if (drained) await drain(request.body!);
		const r = ingestRefusal('推送', 413, 'payload_too_large', `单次推送不得超过 ${Math.round(limit / 1_048_576)} MB，请分批推送`, token.sourceName);
		// a body read to its end leaves the connection clean for the sender's next request; closing it right
		// after the answer could reset it under load. A body left unread must close it.
		if (!drained) r.headers.set('connection', 'close');
		return r;
	}
	const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
	// without a content type the adapter hands over no body at all (also a chunked one, whose length is not declared)
	if (!request.body && (declared > 0 || request.headers.has('transfer-encoding')))
		return ingestRefusal('推送', 400, 'bad_request', '请求须带 Content-Type 头（application/x-ndjson）', token.sourceName);
	if (FILE_TYPES.has(type))
		return ingestRefusal('推送', 415, 'unsupported_media_type', `推送内容须为 NDJSON（Content-Type: application/x-ndjson），收到的是 ${type}；CSV、Excel、Parquet 等文件请用 POST /api/v1/ingest/file`, token.sourceName);
	const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
	if (!ENCODINGS.has(encoding)) return ingestRefusal('推送', 415, 'unsupported_encoding', `不支持 Content-Encoding「${encoding}」：请不压缩，或用 gzip 压缩`, token.sourceName);
	if (!request.body || declared === 0) return ingestRefusal('推送', 400, 'empty_body', '推送内容为空', token.sourceName);
	// compressed: the limit applies to what it unpacks to
	const body = encoding === 'identity' ? request.body : request.body.pipeThrough(new DecompressionStream(encoding as CompressionFormat));
	try {
		let push;
		try {
			push = await readPush(body, limit, request.headers.get('idempotency-key'));
		} catch (e) {
			if (e instanceof IngestError || encoding === 'identity') throw e;
			return ingestRefusal('推送', 400, 'bad_encoding', `推送内容无法按 ${encoding} 解压：${(e as Error).message}`, token.sourceName);
		}
		if (push.blank) return ingestRefusal('推送', 400, 'empty_body', '推送内容为空（只有空白）', token.sourceName);
		return json(await ingestService(a).push(token.sourceName, push.id, push.records));
	} catch (e) {
		if (e instanceof IngestError) {
			const r = ingestRefusal('推送', e.code === 'payload_too_large' ? 413 : 507, e.code, e.message, token.sourceName);
			if (!e.drained) r.headers.set('connection', 'close'); // a body left unread must close the connection
			return r;
		}
		throw e;
	}
};
