// GET /api/v1/lexicon/{kind}/{word} (admin) → { entry }.
// PATCH /api/v1/lexicon/{kind}/{word} (admin) { weight?, tag?, active?, version? } (a stop word: active only) →
//   { entry, changed: [what changed, in words], reanalysed (as for POST) }: gives a term another weight or part of speech, or takes
//   the word out of the dictionary (active: false) or back. With version, a change another administrator made
//   meanwhile is refused with 409.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { lexiconAdmin, lexiconEntry, reanalysedWithin, REANALYSIS_WAIT_MS, updateLexiconEntry } from '$lib/server/lexicon';
import { dictionaryChanged } from '$lib/server/text/service';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json({ entry: await lexiconEntry(lexiconAdmin(await app(), user), params.kind, params.word) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const PATCH: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const a = await app();
		const r = await updateLexiconEntry(lexiconAdmin(a, user, (words) => dictionaryChanged(a, words)), params.kind, params.word, await jsonBody(request));
		return json({ entry: r.entry, changed: r.changed, reanalysed: await reanalysedWithin(r, REANALYSIS_WAIT_MS) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
