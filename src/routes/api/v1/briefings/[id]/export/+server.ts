// GET /api/v1/briefings/{id}/export?format=docx|pdf (admin, leader, analyst) → the briefing as a Word document or a
//   PDF, named 舆情简报-<title>-<today in Shanghai>.<ext>. Without its CJK font the PDF is refused (503 no_font).
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { briefingErrorResponse, exportResponse } from '$lib/server/briefings/http';
import { briefingId } from '$lib/server/briefings/service';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params, url }) => {
	const user = requireUser(locals);
	try {
		return await exportResponse(await app(), user, briefingId(params.id), url.searchParams.get('format'));
	} catch (e) {
		return briefingErrorResponse(e);
	}
};
