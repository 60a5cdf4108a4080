// GET /tickets/export?queue=dispatch|mine|supervise|visits|lookup&tab=&q=&days=&unit= → the queue's tab as an .xlsx file, as its screen
// lists it for this user (cases/queue-xlsx.ts); the export is an entry of the 操作日志. A queue the user may not read
// → 403; an unknown queue → 400; an unknown tab is the queue's first, as on the screen.
import { app } from '$lib/server/app';
import { clientAddress } from '$lib/server/auth/throttle';
import { caseErrorResponse, queueFilter } from '$lib/server/cases/http';
import { CaseError } from '$lib/server/cases/input';
import { exportQueue } from '$lib/server/cases/queue-xlsx';
import { requireUser } from '$lib/server/guard';
import { attachment } from '$lib/server/http';
import { isQueueView, QUEUE_VIEWS } from '$lib/queues';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
	const user = requireUser(event.locals);
	const param = (k: string) => event.url.searchParams.get(k);
	try {
		const queue = param('queue') ?? '';
		if (!isQueueView(queue))
			throw new CaseError('invalid_input', `工单队列应为：${Object.entries(QUEUE_VIEWS).map(([k, v]) => `${v.title}（${k}）`).join('、')}`, 'queue');
		// what the screen's address says of the tab (a page or a cursor is no part of an export: it takes every page)
		const { tab, q, days, unit } = queueFilter(event.url, queue);
		const { body, name } = await exportQueue(await app(), user, { queue, tab, q, days, unit }, clientAddress(event));
		return new Response(new Uint8Array(body), {
			headers: {
				'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
				'content-disposition': attachment(name, `${queue}.xlsx`),
				'cache-control': 'no-store'
			}
		});
	} catch (e) {
		return caseErrorResponse(e);
	}
};
