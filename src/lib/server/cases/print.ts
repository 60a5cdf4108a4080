// A ticket printed (工单详情's 打印工单, or the browser's own print of that page) is an entry of the 操作日志, as a
// queue's export is: the sheet leaves the system with the ticket's text, and, for those who handle the ticket, the
// caller's name and number in clear.
import type { App } from '../app';
import { audit } from '../audit';
import { ticketDetail } from './read';
import type { CaseUser } from './service';

/**
 * Records that `user` printed ticket `no`, as the page showed it to them: the same access as reading it (a ticket
 * the user may not read is not_found, and nothing is recorded). Returns whether the caller was shown in clear.
 */
export async function recordTicketPrint(app: App, user: CaseUser & { username: string }, no: string, client: string | null): Promise<{ callerInClear: boolean }> {
	const d = await ticketDetail(app, user, no);
	const callerInClear = !d.callerMasked && !!(d.caller.name || d.caller.phone);
	await audit(app.rel.db, {
		actor: user.username,
		area: 'export',
		target: `ticket/${d.ticketNo}`,
		message: `数据导出：${user.username} 打印工单 ${d.ticketNo}${callerInClear ? '（含来电人姓名和电话）' : '（来电人已遮盖）'}`,
		client
	});
	return { callerInClear };
}
