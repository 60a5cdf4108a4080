// GET /api/v1/knowledge/{id} → { article } (retired ones too, with retired_at).
// PUT /api/v1/knowledge/{id} { title, keywords, answer, version, retired? } (admin) → { article }: replaces the article
//   at the version read (a stale version → 409 conflict); retired: true retires it, false restores it.
// DELETE /api/v1/knowledge/{id}?version= (admin) → { article }: retires it (停用; kept, and not brought back by the seed).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { articleJson, getArticle, retireArticle, updateArticle } from '$lib/server/cases/knowledge';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	requireRole(locals, ['admin', 'operator', 'supervisor']);
	try {
		return json({ article: articleJson(await getArticle((await app()).rel.db, params.id)) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const PUT: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json({ article: articleJson(await updateArticle((await app()).rel.db, user, params.id, await jsonBody(request))) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const DELETE: RequestHandler = async ({ locals, params, url }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const version = url.searchParams.get('version') ?? undefined;
		return json({ article: articleJson(await retireArticle((await app()).rel.db, user, params.id, version)) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
