// Domain errors of the briefings as HTTP answers ({ error: { code, message, field? } }), and the exported files.
import { json } from '@sveltejs/kit';
import { attachment } from '../http';
import type { App } from '../app';
import { briefingDocument, exportFileName } from './document';
import { briefingDocx } from './docx';
import { BriefingError, type BriefingErrorCode } from './input';
import { briefingPdf } from './pdf';
import { getBriefing, type Editor } from './service';

export const BRIEFING_ERROR_STATUS = {
	not_found: 404,
	forbidden: 403,
	conflict: 409,
	invalid_input: 400,
	no_font: 503
} as const satisfies Record<BriefingErrorCode, number>;

export function briefingErrorResponse(e: unknown): Response {
	if (!(e instanceof BriefingError)) throw e;
	if (e.detail) console.warn(`[minqing] briefing refused: ${e.code} ${e.field ?? ''} ${e.detail}`);
	return json({ error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } }, { status: BRIEFING_ERROR_STATUS[e.code] });
}

/** The JSON body of a request, or a refusal naming the problem. */
export async function jsonBody(request: Request): Promise<unknown> {
	try {
		return await request.json();
	} catch (e) {
		throw new BriefingError('invalid_input', '请求内容不是有效的 JSON', null, (e as Error).message);
	}
}

export const EXPORT_FORMATS = ['docx', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const TYPES: Record<ExportFormat, string> = {
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	pdf: 'application/pdf'
};

/** A briefing as a .docx or PDF download, named with its title and today's date in Shanghai. */
export async function exportResponse(app: App, user: Editor, id: number, format: string | null, now = Date.now()): Promise<Response> {
	if (format !== 'docx' && format !== 'pdf') throw new BriefingError('invalid_input', '导出格式应为 docx（Word）或 pdf', 'format');
	const b = await getBriefing(app, user, id);
	const doc = briefingDocument(b);
	const body = format === 'docx' ? await briefingDocx(doc) : await briefingPdf(doc, app.config.pdfFont);
	return new Response(new Uint8Array(body), {
		headers: {
			'content-type': TYPES[format],
			'content-disposition': attachment(exportFileName(b.title, format, now), `briefing-${b.id}.${format}`),
			'cache-control': 'no-store'
		}
	});
}
