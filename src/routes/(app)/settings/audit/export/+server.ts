// GET /settings/audit/export?area=&actor=&q=&from=&to= (admin) → the 操作日志 entries of the page's filter as an .xlsx
// file, newest first (at most AUDIT_EXPORT_LIMIT); the export itself is an entry of the log. A filter the page refuses
// (an unknown area, a day that is no date) → 400 naming it, no file.
import { app } from '$lib/server/app';
import { exportAuditLog } from '$lib/server/audit-xlsx';
import { clientAddress } from '$lib/server/auth/throttle';
import { caseErrorResponse } from '$lib/server/cases/http';
import { requireScreen } from '$lib/server/guard';
import { attachment } from '$lib/server/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const user = requireScreen(event.locals, '/settings');
	const param = (k: string) => (event.url.searchParams.get(k) ?? '').trim().slice(0, 100) || null;
	try {
		const { body, name } = await exportAuditLog(
			(await app()).rel.db,
			{ area: param('area'), actor: param('actor'), q: param('q'), from: param('from'), to: param('to') },
			{ username: user.username, client: clientAddress(event) }
		);
		return new Response(new Uint8Array(body), {
			headers: {
				'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
				'content-disposition': attachment(name, 'audit-log.xlsx'),
				'cache-control': 'no-store'
			}
		});
	} catch (e) {
		return caseErrorResponse(e);
	}
};
