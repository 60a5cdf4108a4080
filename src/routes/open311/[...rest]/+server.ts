// Any other path under /open311: the spec's 404 errors document (in JSON when the path ends in .json, else XML)
import { endpoint, noSuchResource } from '$lib/server/open311/http';
import type { RequestHandler } from './$types';

export const fallback: RequestHandler = ({ params }) =>
	endpoint(params.rest, async () => {
		throw noSuchResource(params.rest);
	});
