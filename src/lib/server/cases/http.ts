// Domain errors of the case module as HTTP answers ({ error: { code, message, field? } }).
import { json } from '@sveltejs/kit';
import { CaseError } from './input';

export const CASE_ERROR_STATUS = {
	not_found: 404,
	forbidden: 403,
	invalid_state: 409,
	conflict: 409,
	invalid_input: 400
} as const satisfies Record<CaseError['code'], number>;

export function caseErrorResponse(e: unknown): Response {
	if (!(e instanceof CaseError)) throw e;
	if (e.detail) console.warn(`[minqing] case input refused: ${e.code} ${e.field ?? ''} ${e.detail}`);
	return json(
		{ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } },
		{ status: CASE_ERROR_STATUS[e.code] }
	);
}

/** The JSON body of a request, or a CaseError naming the problem. */
export async function jsonBody(request: Request): Promise<unknown> {
	try {
		return await request.json();
	} catch (e) {
		throw new CaseError('invalid_input', '请求体应为 JSON 对象', null, (e as Error).message);
	}
}
