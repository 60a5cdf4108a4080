// Domain errors of the case module as HTTP answers ({ error: { code, message, field? } }).
import { fail, json } from '@sveltejs/kit';
import { CaseError } from './input';
import type { Queue, QueueFilter } from './read';

export const CASE_ERROR_STATUS = {
	not_found: 404,
	forbidden: 403,
	invalid_state: 409,
	conflict: 409,
	invalid_input: 400,
	too_large: 413,
	unsupported_type: 415
} as const satisfies Record<CaseError['code'], number>;

export function caseErrorResponse(e: unknown): Response {
	if (!(e instanceof CaseError)) throw e;
	if (e.detail) console.warn(`[minqing] case input refused: ${e.code} ${e.field ?? ''} ${e.detail}`);
	return json(
		{ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } },
		{ status: CASE_ERROR_STATUS[e.code] }
	);
}

/**
 * A form action's answer to a CaseError: its status, with { form, message, field, values } for the page to show beside
 * the fields of the form named `form` (and what was typed, `values`). Any other error is thrown on.
 */
export function refusedForm(form: string, e: unknown, values: Record<string, string> = {}) {
	if (!(e instanceof CaseError)) throw e;
	return fail(CASE_ERROR_STATUS[e.code], { form, message: e.message, field: e.field, values });
}

/** The JSON body of a request, or a CaseError naming the problem. */
export async function jsonBody(request: Request): Promise<unknown> {
	try {
		return await request.json();
	} catch (e) {
		throw new CaseError('invalid_input', '请求内容不是有效的 JSON', null, (e as Error).message);
	}
}

const NUMBER_FIELDS = ['version', 'reason', 'days'];
/** Fields a form repeats (a multiple select, checkboxes) and the API takes as arrays. */
const LIST_FIELDS = ['assist_units', 'links'];

/** A number field of a form as the API takes it: digits as a number, nothing typed as absent, anything else as typed (refused by zod, naming the field). */
export function formNumber(v: string | undefined): number | string | undefined {
	return !v ? undefined : /^\d+$/.test(v) ? Number(v) : v;
}

/** A case form's fields as the action input the API takes (numbers, the reopen box, repeated fields as arrays). */
export function formToInput(form: FormData): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of form) {
		if (typeof v !== 'string') continue;
		if (LIST_FIELDS.includes(k)) {
			if (v) out[k] = [...((out[k] as string[]) ?? []), v];
		} else if (k === 'reopen') out[k] = v === 'on' || v === 'true';
		else if (NUMBER_FIELDS.includes(k)) out[k] = formNumber(v);
		else if (v !== '' || k === 'note' || k === 'content') out[k] = v;
	}
	return out;
}

/** A queue page asked for in a URL, as the queue screens and GET /api/v1/tickets read it (tab, q, page or cursor, days, unit). */
export function queueFilter(url: URL, queue: Queue): QueueFilter {
	const page = Number(url.searchParams.get('page') ?? 1);
	return {
		queue,
		tab: url.searchParams.get('tab') ?? undefined,
		q: url.searchParams.get('q') ?? undefined,
		page: Number.isInteger(page) ? page : 1,
		after: url.searchParams.get('after') ?? undefined,
		before: url.searchParams.get('before') ?? undefined,
		// 工单查询's period (an empty one is the default; anything but its choices is refused there)
		days: url.searchParams.get('days') ? Number(url.searchParams.get('days')) : undefined,
		unit: url.searchParams.get('unit') || undefined
	};
}
