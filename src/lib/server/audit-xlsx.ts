// 设置 › 操作日志 as an Excel workbook (.xlsx, exceljs), for an inspection or an archive kept outside the system: the
// entries that meet the page's filter, newest first, with what the filter was, who exported it and when. At most
// AUDIT_EXPORT_LIMIT rows; a longer log is cut at the newest ones, and the sheet says so on its second line.
import ExcelJS from 'exceljs';
import { formatShanghaiSecond } from '$lib/charts/format';
import { shanghaiDay } from '$pipelines/calendar/index';
import type { Db } from './db';
import { audit, AUDIT_AREAS, auditEntries, isAuditArea, type AuditFilter, type AuditListing } from './audit';

export const AUDIT_EXPORT_LIMIT = 100_000;

/**
 * The export of 设置 › 操作日志 by `actor` from `client`: the workbook of the filter's entries and its file name; the
 * export is itself an entry of the log. A filter auditEntries refuses is refused the same way, and nothing is recorded.
 */
export async function exportAuditLog(
	db: Db,
	f: Omit<AuditFilter, 'before' | 'size'>,
	actor: { username: string; client: string | null },
	at = new Date()
): Promise<{ body: Buffer; name: string }> {
	const rows = await auditEntriesForExport(db, f);
	const filter = auditFilterText(f);
	const body = await auditWorkbook(rows, { filter, exportedBy: actor.username, at });
	await audit(db, {
		actor: actor.username,
		area: 'audit',
		message: `操作日志：${actor.username} 导出操作日志（${filter}，${rows.entries.length} 条）`,
		client: actor.client
	});
	return { body, name: `操作日志-${shanghaiDay(at.getTime())}.xlsx` };
}

/** The filter in words, as the sheet's second line says it: 全部记录 without one. */
function auditFilterText(f: Omit<AuditFilter, 'before' | 'size'>): string {
	const parts = [
		f.area && isAuditArea(f.area) ? `类别：${AUDIT_AREAS[f.area]}` : '',
		f.actor ? `操作人：${f.actor}` : '',
		f.q ? `含“${f.q}”` : '',
		f.from || f.to ? `日期：${f.from ?? '最早'} 至 ${f.to ?? '今天'}` : ''
	].filter(Boolean);
	return parts.length ? parts.join('；') : '全部记录';
}

/**
 * The entries of the filter, newest first, read a page at a time, at most `limit`; `more`: there were others (older).
 * A filter that auditEntries refuses (an unknown area, a day that is no date) is refused here the same way.
 */
export async function auditEntriesForExport(db: Db, f: Omit<AuditFilter, 'before' | 'size'>, limit = AUDIT_EXPORT_LIMIT): Promise<{ entries: AuditListing[]; more: boolean }> {
	const entries: AuditListing[] = [];
	let before: number | null = null;
	// one entry beyond the limit is read, to know whether there are more
	for (;;) {
		const page = await auditEntries(db, { ...f, before, size: Math.min(500, limit + 1 - entries.length) });
		entries.push(...page.entries);
		if (page.next === null || entries.length > limit) return { entries: entries.slice(0, limit), more: entries.length > limit };
		before = page.next;
	}
}

export async function auditWorkbook(
	rows: { entries: AuditListing[]; more: boolean },
	o: { filter: string; exportedBy: string; at?: Date }
): Promise<Buffer> {
	const at = o.at ?? new Date();
	const wb = new ExcelJS.Workbook();
	wb.creator = '民情 Minqing';
	wb.created = at;
	const ws = wb.addWorksheet('操作日志', { views: [{ state: 'frozen', ySplit: 3 }] });
	ws.addRow(['操作日志']).font = { bold: true, size: 14 };
	const cut = rows.more ? `；只含最新的 ${rows.entries.length.toLocaleString('zh-CN')} 条，更早的未导出（可缩小日期范围后分批导出）` : '';
	ws.addRow([`${o.filter}；共 ${rows.entries.length.toLocaleString('zh-CN')} 条${cut}；${o.exportedBy} 导出于 ${formatShanghaiSecond(at.toISOString())}（北京时间）`]).font = {
		color: { argb: 'FF5B6778' }
	};
	const head = ws.addRow(['时间', '类别', '操作人', '对象', '内容', '来源地址']);
	head.font = { bold: true };
	head.eachCell((c) => (c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F0FA' } }));
	// the time as text in Beijing time, as the page shows it (a date cell would be read in the opener's time zone)
	for (const e of rows.entries) ws.addRow([formatShanghaiSecond(e.at), e.areaLabel, e.actor, e.target, e.message, e.client ?? '']);
	[20, 10, 16, 18, 80, 18].forEach((w, i) => (ws.getColumn(i + 1).width = w));
	ws.getColumn(5).alignment = { wrapText: true, vertical: 'top' };
	ws.mergeCells(1, 1, 1, 6);
	ws.mergeCells(2, 1, 2, 6);
	return Buffer.from(await wb.xlsx.writeBuffer());
}
