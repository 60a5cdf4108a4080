// GET /api/v1/knowledge?q=… → active knowledge-base articles for the words, best first (operators answering consultations).
// POST /api/v1/knowledge { id, title, keywords, answer } (admin) → 201 { article } with Location: /api/v1/knowledge/{id};
//   keywords: a list of words, or one string separated by commas, 、 or spaces.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { searchKnowledgeBase } from '$lib/server/cases/intake';
import { articleJson, createArticle } from '$lib/server/cases/knowledge';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	requireRole(locals, ['admin', 'operator', 'supervisor']);
	return json({ articles: await searchKnowledgeBase(await app(), url.searchParams.get('q') ?? '') });
};

export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const row = await createArticle((await app()).rel.db, user, await jsonBody(request));
		return json({ article: articleJson(row) }, { status: 201, headers: { location: `/api/v1/knowledge/${row.id}` } });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
