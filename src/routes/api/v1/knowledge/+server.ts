// GET /api/v1/knowledge?q=… → knowledge-base articles for the words, best first (operators answering consultations).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { searchKnowledgeBase } from '$lib/server/cases/intake';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	requireRole(locals, ['admin', 'operator', 'supervisor']);
	return json({ articles: searchKnowledgeBase(await app(), url.searchParams.get('q') ?? '') });
};
