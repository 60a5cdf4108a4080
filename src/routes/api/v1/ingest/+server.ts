import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { verifyApiToken } from '$lib/server/auth/tokens';
import { apiError } from '$lib/server/http';
import { DRAIN_LIMIT, IngestError, ingestService, pushLimitBytes, readPush } from '$lib/server/ingest';
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

/** POST NDJSON feed records (one canonical record per line); the source name comes from the API token. */
export const POST: RequestHandler = async ({ request }) => {
	const a = await app();
	const token = await verifyApiToken(a.rel.db, request.headers.get('authorization'), 'ingest');
	if (!token) return apiError(401, 'unauthenticated', 'API 令牌无效、已吊销或没有数据接入权限');
	const limit = pushLimitBytes();
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (declared > limit) {
		// read and discard a body of moderate size first: answering while the sender is still writing resets
		// the connection, and the sender would see a network error instead of this answer
		const drained = !!request.body && declared <= DRAIN_LIMIT;
		if (drained) await drain(request.body!);
		const r = apiError(413, 'payload_too_large', `单次推送不得超过 ${Math.round(limit / 1_048_576)} MB，请分批推送`);
		// a body read to its end leaves the connection clean for the sender's next request; closing it right
		// after the answer could reset it under load. A body left unread must close it.
		if (!drained) r.headers.set('connection', 'close');
		return r;
	}
	if (!request.body || declared === 0) return apiError(400, 'empty_body', '推送内容为空');
	try {
		const { id, records } = await readPush(request.body, limit, request.headers.get('idempotency-key'));
		return json(await ingestService(a).push(token.sourceName, id, records));
	} catch (e) {
		if (e instanceof IngestError) {
			const r = apiError(e.code === 'payload_too_large' ? 413 : 507, e.code, e.message);
			if (!e.drained) r.headers.set('connection', 'close'); // a body left unread must close the connection
			return r;
		}
		throw e;
	}
};
