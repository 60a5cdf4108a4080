import { fail } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { caseChoices, intakeChoices } from '$lib/server/cases/forms';
import { CASE_ERROR_STATUS, formToInput } from '$lib/server/cases/http';
import { CaseError, MAX_CONTENT } from '$lib/server/cases/input';
import { registerTicket } from '$lib/server/cases/service';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	requireScreen(locals, '/intake');
	const a = await app();
	return { choices: caseChoices(a), places: intakeChoices(a), contentMax: MAX_CONTENT };
};

const DECISION_FIELDS = ['reason', 'transferred_to', 'duplicate_of', 'decision_note'];

export const actions: Actions = {
	register: async ({ locals, request }) => {
		const user = requireScreen(locals, '/intake');
		const f = formToInput(await request.formData());
		const decision: Record<string, unknown> = { action: f.decision || 'accept' };
		for (const k of DECISION_FIELDS) if (f[k] !== undefined && f[k] !== '') decision[k === 'decision_note' ? 'note' : k] = f[k];
		const intake: Record<string, unknown> = { ...f, urgency: f.urgency === 'urgent' ? 'urgent' : 'normal' };
		for (const k of [...DECISION_FIELDS, 'decision']) delete intake[k];
		for (const k of ['district_code', 'street_code', 'category_code', 'caller_name', 'caller_phone', 'title', 'address']) if (intake[k] === '') delete intake[k];
		try {
			const t = await registerTicket(await app(), user, intake, { decision });
			return { ok: true as const, ticketNo: t.ticketNo, status: t.status };
		} catch (e) {
			if (e instanceof CaseError) return fail(CASE_ERROR_STATUS[e.code], { ok: false as const, message: e.message, field: e.field, values: f });
			throw e;
		}
	}
};
