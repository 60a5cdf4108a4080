import { fail } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { canSee } from '$lib/nav';
import { caseChoices, intakeChoices } from '$lib/server/cases/forms';
import { CASE_ERROR_STATUS, formToInput } from '$lib/server/cases/http';
import { CaseError, MAX_CONTENT } from '$lib/server/cases/input';
import { ownIntakeDay } from '$lib/server/cases/workload';
import { screenPop } from '$lib/server/cases/screen-pop';
import { ATTACHMENT_ACCEPT, ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_TICKET, filesOfForm, registerWithFiles, uploadTotalBytes } from '$lib/server/cases/attachments';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireScreen(locals, '/intake');
	const a = await app();
	return {
		// the operator's own day: a registration (the form's action) loads it again
		mine: await ownIntakeDay(a, user),
		choices: caseChoices(a),
		places: intakeChoices(a),
		contentMax: MAX_CONTENT,
		// the caller's history links to 工单查询 by the number (every role that registers calls sees it)
		canLookup: canSee(user.role, '/tickets'),
		// 来电弹屏: the telephone system opens /intake?phone=…&channel=…&name=… for a call ringing at this seat
		pop: screenPop(url.searchParams, a.ref.city.phoneAreaCode),
		attachments: { accept: ATTACHMENT_ACCEPT, maxBytes: ATTACHMENT_MAX_BYTES, max: ATTACHMENTS_PER_TICKET, maxTotalBytes: uploadTotalBytes() }
	};
};

const DECISION_FIELDS = ['reason', 'transferred_to', 'duplicate_of', 'decision_note'];

export const actions: Actions = {
	register: async ({ locals, request }) => {
		const user = requireScreen(locals, '/intake');
		const form = await request.formData();
		const f = formToInput(form);
		const decision: Record<string, unknown> = { action: f.decision || 'accept' };
		for (const k of DECISION_FIELDS) if (f[k] !== undefined && f[k] !== '') decision[k === 'decision_note' ? 'note' : k] = f[k];
		const intake: Record<string, unknown> = { ...f, urgency: f.urgency === 'urgent' ? 'urgent' : 'normal' };
		for (const k of [...DECISION_FIELDS, 'decision']) delete intake[k];
		for (const k of ['district_code', 'street_code', 'category_code', 'caller_name', 'caller_phone', 'title', 'address']) if (intake[k] === '') delete intake[k];
		try {
			const r = await registerWithFiles(await app(), user, intake, decision, await filesOfForm(form));
			return { ok: true as const, ticketNo: r.ticket.ticketNo, status: r.ticket.status, attached: r.attached, attachFailed: r.attachFailed };
		} catch (e) {
			if (e instanceof CaseError) {
				if (e.field === 'file' && e.detail) console.warn(`[minqing] intake attachment refused: ${e.code} ${e.detail}`);
				return fail(CASE_ERROR_STATUS[e.code], { ok: false as const, message: e.field === 'file' ? `未登记：${e.message}` : e.message, field: e.field, values: f });
			}
			throw e;
		}
	}
};
