import { error, fail, redirect } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireRole } from '$lib/server/guard';
import { CaseError, tidyTicketNo } from '$lib/server/cases/input';
import { CASE_ROLES } from '$lib/server/cases/machine';
import { caseChoices, placeChoices, runCaseForm } from '$lib/server/cases/forms';
import { CASE_ERROR_STATUS } from '$lib/server/cases/http';
import { addAttachments, filesOfForm } from '$lib/server/cases/attachments';
import { ticketDetail } from '$lib/server/cases/read';
import { callScreening } from '$lib/server/cases/intake';
import { ticketLocator } from '$lib/server/geo';
import type { Actions, PageServerLoad } from './$types';

/** The locator map's box. */
const MAP_W = 480;
const MAP_H = 300;

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = requireRole(locals, CASE_ROLES);
	// a number typed into the address bar (sz20261202-h00009, a space after it): the ticket's own address
	const no = tidyTicketNo(params.no);
	if (no !== params.no) redirect(302, `/tickets/${encodeURIComponent(no)}${url.search}`);
	const a = await app();
	try {
		const detail = await ticketDetail(a, user, params.no);
		// the locator map (district outline and a pin), projected here: the page carries only SVG paths
		// the places only where 受理 or 派单 may correct them
		const places = detail.actions.some((x) => x.action === 'accept' || x.action === 'dispatch') ? placeChoices(a) : [];
		// a submission awaiting 受理 (web, app, WeChat, Open311): what its words say, as the 受理 assistant says it of a call
		const screening = detail.actions.some((x) => x.action === 'accept') ? callScreening(a, detail.title ?? '', detail.content) : null;
		return { detail, choices: caseChoices(a), places, map: ticketLocator(a.ref, MAP_W, MAP_H, detail), screening };
	} catch (e) {
		if (e instanceof CaseError && e.code === 'not_found') error(404, { message: e.message, code: 'not_found' });
		throw e;
	}
};

export const actions: Actions = {
	act: async ({ locals, params, request }) => {
		const r = await runCaseForm(await app(), requireRole(locals, CASE_ROLES), request, params.no);
		// the ticket left the user's sight (a unit returned it): its queue says so, instead of a 404 on reload
		if ('visible' in r && !r.visible) redirect(303, `/my-tickets?left=${encodeURIComponent(params.no)}`);
		return r;
	},
	/** 上传附件: the chosen files, all kept or none */
	attach: async ({ locals, params, request }) => {
		const user = requireRole(locals, CASE_ROLES);
		try {
			const files = await filesOfForm(await request.formData());
			const after = await addAttachments(await app(), user, params.no, files);
			return { ok: true as const, action: 'attach', added: files.length, count: after.count };
		} catch (e) {
			if (!(e instanceof CaseError)) throw e;
			if (e.detail) console.warn(`[minqing] attachment refused: ${params.no} ${e.code} ${e.detail}`);
			return fail(CASE_ERROR_STATUS[e.code], { ok: false as const, action: 'attach', message: e.message, field: e.field });
		}
	}
};
