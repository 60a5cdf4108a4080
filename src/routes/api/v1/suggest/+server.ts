// POST /api/v1/suggest {title?, content, district_code?, street_code?} → top categories and units with
// calibrated probabilities (the intake screen's suggestion).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { objectBody } from '$lib/server/cases/input';
import { NoModelError, suggestFor } from '$lib/server/text/classifier';
import type { RequestHandler } from './$types';

const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : null);

export const POST: RequestHandler = async ({ locals, request }) => {
	requireRole(locals, ['admin', 'operator', 'dispatcher', 'supervisor']);
	let body: Record<string, unknown>;
	try {
		// refused as every case API refuses it: invalid_input, no JSON at all told from JSON that is no object
		body = objectBody(await jsonBody(request));
	} catch (e) {
		return caseErrorResponse(e);
	}
	const content = str(body.content, 5000) ?? '';
	const title = str(body.title, 500);
	if (!content.trim() && !title?.trim()) return apiError(400, 'empty_text', '请填写诉求内容');
	const a = await app();
	try {
		return json(suggestFor(a, { title, content, district_code: str(body.district_code, 12), street_code: str(body.street_code, 12) }));
	} catch (e) {
		if (e instanceof NoModelError) return apiError(503, 'model_not_ready', e.message);
		throw e;
	}
};
