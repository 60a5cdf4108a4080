import { randomUUID } from 'node:crypto';
import { json } from '@sveltejs/kit';
import { readNdjson } from '$pipelines/ingest/sources';
import { app } from '$lib/server/app';
import { verifyApiToken } from '$lib/server/auth/tokens';
import { apiError } from '$lib/server/http';
import { IngestError, ingestService, limitBytes, pushLimitBytes } from '$lib/server/ingest';
import type { RequestHandler } from './$types';

/** POST NDJSON feed records (one canonical record per line); the source name comes from the API token. */
export const POST: RequestHandler = async ({ request }) => {
	const a = await app();
	const token = await verifyApiToken(a.rel.db, request.headers.get('authorization'), 'ingest');
	if (!token) return apiError(401, 'unauthenticated', 'API 令牌无效、已吊销或没有数据接入权限');
	const limit = pushLimitBytes();
	const declared = Number(request.headers.get('content-length') ?? NaN);
	if (declared > limit) return apiError(413, 'payload_too_large', `单次推送不得超过 ${Math.round(limit / 1_048_576)} MB，请分批推送`);
	if (!request.body || declared === 0) return apiError(400, 'empty_body', '推送内容为空');
	const pushId = request.headers.get('idempotency-key')?.slice(0, 80) || randomUUID();
	try {
		return json(await ingestService(a).push(token.sourceName, pushId, readNdjson(limitBytes(request.body, limit))));
	} catch (e) {
		if (e instanceof IngestError) return apiError(e.code === 'payload_too_large' ? 413 : 507, e.code, e.message);
		throw e;
	}
};
