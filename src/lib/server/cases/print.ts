// A ticket printed (工单详情's 打印工单, or the browser's own print of that page) is an entry of the 操作日志, as a
// queue's export is: the sheet leaves the system with the ticket's text, and, for those who handle the ticket, the
// caller's name and number in clear.
import type { App } from '../app';
import { audit } from '../audit';
import { callerFor, visibleTicket, type CaseUser } from './service';

/**
 * Records that `user` printed ticket `no`, as the page showed it to them: the same access as reading it (a ticket
 * the user may not read is not_found, and nothing is recorded). Returns whether the caller was shown in clear.
 */
export async function recordTicketPrint(app: App, user: CaseUser & { username: string }, no: string, client: string | null): Promise<{ callerInClear: boolean }> {
	// the page's own rules, without building the page: who may read the ticket, and whom it shows the caller
	const t = await visibleTicket(app, user, no);
	const callerInClear = !callerFor(user, t, true).masked && !!(t.callerName || t.callerPhone);
	await audit(app.rel.db, {
		actor: user.username,
		area: 'export',
		target: `ticket/${t.ticketNo}`,
		message: `数据导出：${user.username} 打印工单 ${t.ticketNo}${callerInClear ? '（含来电人姓名和电话）' : '（来电人已遮盖）'}`,
		client
	});
	return { callerInClear };
}
