// GET  /api/v1/tickets/{ticket_no}/attachments → { count, items, canAdd, max, maxBytes, accept } as this user may see them
// POST /api/v1/tickets/{ticket_no}/attachments (multipart/form-data, one or more `file` fields) → the same, after them:
// all the files are kept or none (413 a file over the limit, 415 a type not taken, 400 empty or too many, 409 closed).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { caseErrorResponse } from '$lib/server/cases/http';
import { CaseError } from '$lib/server/cases/input';
import { addAttachments, filesOfForm, ticketAttachmentList } from '$lib/server/cases/attachments';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireUser(locals);
	try {
		return json(await ticketAttachmentList(await app(), user, params.no));
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const POST: RequestHandler = async ({ locals, params, request }) => {
	const user = requireUser(locals);
	try {
		if (!/^multipart\/form-data/i.test(request.headers.get('content-type') ?? ''))
			throw new CaseError('invalid_input', '请以 multipart/form-data 上传，文件放在 file 字段', 'file', `content-type ${request.headers.get('content-type')}`);
		const form = await request.formData().catch((e: Error) => {
			throw new CaseError('invalid_input', '上传的表单不完整或格式有误，请重新上传', 'file', e.message);
		});
		return json(await addAttachments(await app(), user, params.no, await filesOfForm(form)), { status: 201 });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
