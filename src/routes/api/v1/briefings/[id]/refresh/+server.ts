// POST /api/v1/briefings/{id}/refresh { version, title?, sections? } (admin, analyst) → { briefing }: 刷新数据 — the
//   figures generated again for its period and scope; sections whose text was not edited get the new draft, edited
//   ones keep their text (the edits sent along are saved first). A stale version → 409 conflict.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { briefingErrorResponse, jsonBody } from '$lib/server/briefings/http';
import { briefingId, refreshBriefing } from '$lib/server/briefings/service';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params, request }) => {
	const user = requireUser(locals);
	try {
		return json({ briefing: await refreshBriefing(await app(), user, briefingId(params.id), await jsonBody(request)) });
	} catch (e) {
		return briefingErrorResponse(e);
	}
};
