// GET /open311/v2/tokens/{token}.{xml|json} → [{ service_request_id, token }]; requests are registered at once,
// so a token is the number of a ticket submitted through Open311
import { app } from '$lib/server/app';
import { endpoint, methodNotAllowed, queryParams } from '$lib/server/open311/http';
import { requestIdFromToken } from '$lib/server/open311/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, url }) =>
	endpoint(params.file, async (token) => ({
		doc: { kind: 'service_requests', requests: await requestIdFromToken(await app(), token, queryParams(url)) }
	}));

export const fallback: RequestHandler = ({ params, request }) =>
	endpoint(params.file, async () => {
		throw methodNotAllowed(request.method, 'GET');
	});
