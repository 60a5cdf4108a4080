// GET /settings/audit/export?area=&actor=&q=&from=&to= (admin) → the 操作日志 entries of the page's filter as an .xlsx
// file, newest first (at most AUDIT_EXPORT_LIMIT); the export itself is an entry of the log. A filter the page refuses
// (an unknown area, a day that is no date) → 400 naming it, no file.
import { app } from '$lib/server/app';
import { audit } from '$lib/server/audit';
import { clientAddress } from '$lib/server/auth/throttle';
import { auditEntriesForExport, auditFilterText, auditWorkbook } from '$lib/server/audit-xlsx';
import { caseErrorResponse } from '$lib/server/cases/http';
import { requireScreen } from '$lib/server/guard';
import { attachment } from '$lib/server/http';
import { shanghaiDay } from '$pipelines/calendar/index';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const { locals, url } = event;
	const user = requireScreen(locals, '/settings');
	const param = (k: string) => (url.searchParams.get(k) ?? '').trim().slice(0, 100) || null;
	const filter = { area: param('area'), actor: param('actor'), q: param('q'), from: param('from'), to: param('to') };
	try {
		const db = (await app()).rel.db;
		const rows = await auditEntriesForExport(db, filter);
		const at = new Date();
		const body = await auditWorkbook(rows, { filter: auditFilterText(filter), exportedBy: user.username, at });
		await audit(db, {
			actor: user.username,
			area: 'audit',
			message: `操作日志：${user.username} 导出操作日志（${auditFilterText(filter)}，${rows.entries.length} 条）`,
			client: clientAddress(event)
		});
		return new Response(new Uint8Array(body), {
			headers: {
				'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
				'content-disposition': attachment(`操作日志-${shanghaiDay(at.getTime())}.xlsx`, 'audit-log.xlsx'),
				'cache-control': 'no-store'
			}
		});
	} catch (e) {
		return caseErrorResponse(e);
	}
};
