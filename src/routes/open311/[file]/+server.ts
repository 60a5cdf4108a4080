// GET /open311/discovery.{xml|json} → the GeoReport v2 service discovery document (changeset, contact, key_service,
// endpoints: the v2 base at the origin the request came to); any other name here is the spec's 404
import { app } from '$lib/server/app';
import { endpoint, methodNotAllowed, noSuchResource } from '$lib/server/open311/http';
import { discovery } from '$lib/server/open311/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params, url }) =>
	endpoint(params.file, async (name) => {
		if (name !== 'discovery') throw noSuchResource(params.file);
		return { doc: { kind: 'discovery', discovery: discovery(await app(), url.origin) } };
	});

export const fallback: RequestHandler = ({ params, request }) =>
	endpoint(params.file, async (name) => {
		if (name !== 'discovery') throw noSuchResource(params.file);
		throw methodNotAllowed(request.method, 'GET');
	});
