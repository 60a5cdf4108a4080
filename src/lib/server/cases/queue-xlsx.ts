// A case queue's tab as an Excel workbook (.xlsx, exceljs): the 督办 list of overdue tickets sent round as a 通报, a
// unit's own list for its meeting, the 回访 list of callers waiting too long. The rows are the tab's as its screen lists
// them for this user (the same access, order and masked text, lights taken at the export's instant), every page of it
// up to QUEUE_EXPORT_LIMIT; no caller's name or phone leaves in the file. The export is an entry of the 操作日志.
import ExcelJS from 'exceljs';
import { formatDeadline, formatShanghaiSecond, formatShanghaiTime, formatTimeLeft } from '$lib/charts/format';
import { LIGHT_LABELS, LIMIT_KIND_LABELS, QUEUE_VIEWS, periodText, tabLabel, type QueueView } from '$lib/queues';
import { shanghaiDay } from '$pipelines/calendar/index';
import type { TicketSummary } from '$lib/types';
import type { App } from '../app';
import { audit } from '../audit';
import { listQueue, type QueuePage } from './read';
import type { CaseUser } from './service';

export const QUEUE_EXPORT_LIMIT = 10_000;


/**
 * The export of a queue tab by `user` (who must be able to read the queue, as on its screen): the workbook and its
 * file name, 督办-超期-2026-12-05.xlsx. `at`: the instant the lights are taken at; `limit`: the most rows (a longer tab
 * is cut, and the sheet says so); `pageSize`: rows read at a time (tests set these).
 */
export async function exportQueue(
	app: App,
	user: CaseUser & { username: string },
	f: { queue: QueueView; tab?: string | null; q?: string | null; days?: number; unit?: string },
	client: string | null,
	o: { at?: Date; limit?: number; pageSize?: number } = {}
): Promise<{ body: Buffer; name: string }> {
	const at = o.at ?? new Date();
	const limit = o.limit ?? QUEUE_EXPORT_LIMIT;
	const now = at.getTime();
	const items: TicketSummary[] = [];
	let after: string | undefined;
	let total = 0;
	let q = '';
	let period: QueuePage['period'];
	let unit: QueuePage['unit'] = null;
	// the tab read on in pages from one instant: a ticket that moves meanwhile is neither skipped nor repeated
	for (;;) {
		const page = await listQueue(app, user, { queue: f.queue, tab: f.tab ?? undefined, q: f.q ?? undefined, days: f.days, unit: f.unit, after, now, size: Math.min(o.pageSize ?? 1000, limit + 1 - items.length) });
		total = page.total;
		unit = page.unit;
		q = page.q;
		period = page.period;
		items.push(...page.items);
		if (!page.next || items.length > limit) break;
		after = page.next;
	}
	const rows = items.slice(0, limit);
	const view = QUEUE_VIEWS[f.queue];
	const tab = tabLabel(f.queue, f.tab);
	const within = periodText(period);
	const what = `${view.title} · ${tab.label}${unit ? `（${unit.name}）` : ''}${q ? `（查找“${q}”）` : ''}${within ? `（${within}）` : ''}`;
	const body = await queueWorkbook(rows, {
		title: `${view.title} · ${tab.label}`,
		line: `${unit ? `承办单位：${unit.name}；` : ''}${within ? `${within}；` : ''}${q ? `查找“${q}”；` : ''}共 ${total.toLocaleString('zh-CN')} 件${rows.length < items.length ? `；只含前 ${rows.length.toLocaleString('zh-CN')} 件（可用查找缩小范围后分批导出）` : ''}；时限和亮灯按导出时计；不含来电人姓名和电话；${user.username} 导出于 ${formatShanghaiSecond(at.toISOString())}（北京时间）`,
		now,
		visits: f.queue === 'visits'
	});
	await audit(app.rel.db, {
		actor: user.username,
		area: 'export',
		target: `${f.queue}/${tab.key}`,
		message: `数据导出：${user.username} 导出${what}（${rows.length} 件）`,
		client
	});
	return { body, name: `${view.title}-${tab.label.replace(/[/\\]/g, '、')}${unit ? `-${unit.name}` : ''}-${shanghaiDay(now)}.xlsx` };
}

export async function queueWorkbook(rows: TicketSummary[], o: { title: string; line: string; now: number; visits: boolean }): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	wb.creator = '民情 Minqing';
	wb.created = new Date(o.now);
	const ws = wb.addWorksheet(o.title.replace(/[*?:\\/[\]]/g, ' ').slice(0, 31), { views: [{ state: 'frozen', ySplit: 3 }] });
	ws.addRow([o.title]).font = { bold: true, size: 14 };
	ws.addRow([o.line]).font = { color: { argb: 'FF5B6778' } };
	type Column = [name: string, width: number, cell: (t: TicketSummary) => string | number];
	const replied: Column[] = o.visits ? [['答复时间', 17, (t) => (t.repliedAt ? formatShanghaiTime(t.repliedAt) : '')]] : [];
	const columns: Column[] = [
		['工单编号', 20, (t) => t.ticketNo],
		['状态', 10, (t) => t.statusLabel],
		['类型', 8, (t) => t.type],
		['渠道', 8, (t) => t.channel],
		['紧急程度', 8, (t) => (t.urgency === 'urgent' ? '紧急' : '一般')],
		['标题', 30, (t) => t.title],
		['诉求摘要', 50, (t) => t.preview],
		['地点', 24, (t) => t.place],
		['分类', 30, (t) => t.category ?? '未分类'],
		['承办单位', 24, (t) => t.unit ?? ''],
		['登记时间', 17, (t) => formatShanghaiTime(t.receivedAt)],
		...replied,
		['时限', 8, (t) => (t.deadlineKind ? LIMIT_KIND_LABELS[t.deadlineKind] : '')],
		['截止时间', 17, (t) => (t.deadline ? formatDeadline(t.deadline) : '')],
		['亮灯', 6, (t) => (t.light ? LIGHT_LABELS[t.light] : '')],
		['剩余/超期', 12, (t) => (t.deadline ? formatTimeLeft(t.deadline, o.now) : '')],
		['催办次数', 8, (t) => t.urgeCount],
		['已督办', 7, (t) => (t.supervised ? '是' : '')],
		['延期待审批', 9, (t) => (t.extensionPending ? '是' : '')],
		['回访未接通', 12, (t) => (t.visitAttempts ? `${t.visitAttempts.count} 次${t.visitAttempts.final ? '（回访未果）' : ''}` : '')],
		// how many files the ticket holds (附件), as the row on the screen says; the files are on the ticket's page
		['附件', 6, (t) => t.attachmentCount]
	];
	const head = ws.addRow(columns.map(([name]) => name));
	head.font = { bold: true };
	head.eachCell((c) => (c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F0FA' } }));
	const RED = { argb: 'FFC0392B' };
	const YELLOW = { argb: 'FFB7791F' };
	const lightCol = columns.findIndex(([name]) => name === '亮灯') + 1;
	// times as text in Beijing time, as the screens show them (a date cell would be read in the opener's time zone)
	for (const t of rows) {
		const r = ws.addRow(columns.map(([, , cell]) => cell(t)));
		if (t.light === 'red' || t.light === 'yellow') r.getCell(lightCol).font = { bold: true, color: t.light === 'red' ? RED : YELLOW };
	}
	columns.forEach(([, width], i) => (ws.getColumn(i + 1).width = width));
	ws.getColumn(columns.findIndex(([name]) => name === '诉求摘要') + 1).alignment = { wrapText: true, vertical: 'top' };
	ws.mergeCells(1, 1, 1, columns.length);
	ws.mergeCells(2, 1, 2, columns.length);
	return Buffer.from(await wb.xlsx.writeBuffer());
}
