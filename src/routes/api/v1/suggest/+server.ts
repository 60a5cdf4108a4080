// POST /api/v1/suggest {title?, content, district_code?, street_code?} → top categories and units with
// calibrated probabilities (the intake screen's suggestion).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { apiError } from '$lib/server/http';
import { NoModelError, suggestFor } from '$lib/server/text/classifier';
import type { RequestHandler } from './$types';

const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : null);

export const POST: RequestHandler = async ({ locals, request }) => {
	requireRole(locals, ['admin', 'operator', 'dispatcher', 'supervisor']);
	let body: Record<string, unknown>;
	try {
		body = (await request.json()) as Record<string, unknown>;
	} catch {
		return apiError(400, 'bad_json', '请求内容不是有效的 JSON');
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) return apiError(400, 'bad_json', '请求内容应为 JSON 对象');
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
