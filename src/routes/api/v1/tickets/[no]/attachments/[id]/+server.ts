// GET /api/v1/tickets/{ticket_no}/attachments/{id} → the file as uploaded (an image shown, a PDF downloaded;
// ?download=1 downloads an image too); ?thumb=1 → an image's preview (WebP, at most 320 px a side).
import { app } from '$lib/server/app';
import { requireUser } from '$lib/server/guard';
import { caseErrorResponse } from '$lib/server/cases/http';
import { attachmentFile, attachmentHeaders } from '$lib/server/cases/attachments';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params, url, request }) => {
	const user = requireUser(locals);
	try {
		const f = await attachmentFile(await app(), user, params.no, /^\d{1,9}$/.test(params.id) ? Number(params.id) : -1, url.searchParams.get('thumb') === '1');
		const headers = attachmentHeaders(f, url.searchParams.get('download') === '1');
		if (request.headers.get('if-none-match') === headers.etag) return new Response(null, { status: 304, headers: { etag: headers.etag, 'cache-control': headers['cache-control'] } });
		return new Response(f.bytes as Uint8Array<ArrayBuffer>, { headers });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
