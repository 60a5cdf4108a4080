// GET /open311/v2/requests/{service_request_id}.{xml|json} → one request (a list of one), without personal data
import { app } from '$lib/server/app';
import { endpoint, methodNotAllowed, queryParams } from '$lib/server/open311/http';
import { getRequest } from '$lib/server/open311/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, url }) =>
	endpoint(params.file, async (id) => ({
		doc: { kind: 'service_requests', requests: await getRequest(await app(), id, queryParams(url)) }
	}));

export const fallback: RequestHandler = ({ params, request }) =>
	endpoint(params.file, async () => {
		throw methodNotAllowed(request.method, 'GET');
	});
