import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { verifyApiToken } from '$lib/server/auth/tokens';
import { INGEST_ERROR_STATUS, IngestError, ingestRefusal, ingestService, readPushRequest } from '$lib/server/ingest';
import type { RequestHandler } from './$types';

/** POST NDJSON feed records (one canonical record per line); the source name comes from the API token. */
export const POST: RequestHandler = async ({ request }) => {
	const a = await app();
	const token = await verifyApiToken(a.rel.db, request.headers.get('authorization'), 'ingest');
	if (!token) return ingestRefusal('推送', 401, 'unauthenticated', 'API 令牌无效、已吊销或没有数据接入权限');
	try {
		const push = await readPushRequest(request, a.config.pushLimitMb * 1_048_576);
		return json(await ingestService(a).push(token.sourceName, push.id, push.records));
	} catch (e) {
		if (!(e instanceof IngestError)) throw e;
		const r = ingestRefusal('推送', INGEST_ERROR_STATUS[e.code], e.code, e.message, token.sourceName);
		// a body read to its end leaves the connection clean for the sender's next request; one left unread must close it
		if (!e.drained) r.headers.set('connection', 'close');
		return r;
	}
};
