// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), format by extension (.xml or .json):
// GET  /open311/v2/services.{fmt}  → the service list (the level-2 categories of the city's taxonomy)
// GET  /open311/v2/requests.{fmt}  → requests: service_request_id, service_code, status, start_date, end_date
// POST /open311/v2/requests.{fmt}  → a new request (form-encoded, api_key required) → 201 [{ service_request_id, service_notice, account_id }]
import { app } from '$lib/server/app';
import { endpoint, formParams, methodNotAllowed, noSuchResource, queryParams } from '$lib/server/open311/http';
import { createRequest, listRequests, listServices } from '$lib/server/open311/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, url }) =>
	endpoint(params.file, async (name) => {
		if (name === 'services') return { doc: { kind: 'services', services: listServices(await app(), queryParams(url)) } };
		if (name === 'requests') return { doc: { kind: 'service_requests', requests: await listRequests(await app(), queryParams(url)) } };
		throw noSuchResource(params.file);
	});

export const POST: RequestHandler = ({ params, request, url }) =>
	endpoint(params.file, async (name) => {
		if (name === 'services') throw methodNotAllowed('POST', 'GET');
		if (name !== 'requests') throw noSuchResource(params.file);
		const r = await createRequest(await app(), await formParams(request, url), { idempotencyKey: request.headers.get('idempotency-key') });
		return { doc: { kind: 'service_requests', requests: [r.request] }, status: r.replayed ? 200 : 201 };
	});

export const fallback: RequestHandler = ({ params, request }) =>
	endpoint(params.file, async () => {
		throw methodNotAllowed(request.method, 'GET, POST');
	});
