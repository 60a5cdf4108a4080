// GET /open311/v2/services/{service_code}.{xml|json} → the service definition (no extra attributes: metadata is false)
import { app } from '$lib/server/app';
import { endpoint, methodNotAllowed, queryParams } from '$lib/server/open311/http';
import { serviceDefinition } from '$lib/server/open311/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, url }) =>
	endpoint(params.file, async (code) => ({
		doc: { kind: 'service_definition', definition: serviceDefinition(await app(), code, queryParams(url)) }
	}));

export const fallback: RequestHandler = ({ params, request }) =>
	endpoint(params.file, async () => {
		throw methodNotAllowed(request.method, 'GET');
	});
