// 考核 scorecards as an Excel workbook (.xlsx, exceljs): one row per unit with its rates as percent cells, the
// weighted score and the rank; units below the minimum volume are listed without score or rank. A second sheet
// says how the score is computed; a third, given the staff's workload, lists it as the page does. The figures are
// the page's, so the file equals the screen.
import ExcelJS from 'exceljs';
import { periodText } from '../filter-url';
import { ROLE_LABELS, type AssessmentItem, type StaffWorkload, type UnitAssessment, type UnitPanel } from '../types';
import { formatDeadline, formatShanghaiTime } from '../charts/format';
import { groupTotals, STAFF_GROUPS, type StaffGroup } from '../workload';
import { ASSESSMENT_COUNTING, UNIT_KIND_LABELS } from '../units';
import { ASSESSMENT_WEIGHTS, MIN_ASSESSED_RULE } from './assessment';
import { SCREEN_ACTIONS } from './cases/machine';
import { directRate } from './cases/workload';

export async function scorecardWorkbook(panel: UnitPanel, scope: string, generatedAt = new Date(), staff?: StaffWorkload): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	wb.creator = '民情 Minqing';
	wb.created = generatedAt;
	const ws = wb.addWorksheet('单位考核', { views: [{ state: 'frozen', ySplit: 3 }] });
	ws.addRow([`承办单位考核　${periodText(panel.filter)}`]).font = { bold: true, size: 14 };
	ws.addRow([`范围：${scope}；${MIN_ASSESSED_RULE}`]).font = { color: { argb: 'FF5B6778' } };
	const header = ['排名', '单位', '类型', '派单量', '协办量', '已办结、超期或退回', ...ASSESSMENT_WEIGHTS.map((w) => w.label), '回访量', '综合得分'];
	const head = ws.addRow(header);
	head.font = { bold: true };
	head.eachCell((c) => {
		c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F0FA' } };
		c.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
	});
	const units = [...panel.units].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || b.dispatched - a.dispatched);
	for (const u of units) {
		const row = ws.addRow([
			u.rank ?? '不排名',
			u.name,
			UNIT_KIND_LABELS[u.kind] ?? u.kind,
			u.dispatched,
			u.assisted,
			u.rates.measured,
			...ASSESSMENT_WEIGHTS.map((w) => (u.rates[w.key] as number | null) ?? null),
			u.rates.visited,
			u.score === null ? null : Math.round(u.score * 10) / 10
		]);
		const firstRate = 7;
		ASSESSMENT_WEIGHTS.forEach((_, i) => (row.getCell(firstRate + i).numFmt = '0.0%'));
		row.getCell(firstRate + ASSESSMENT_WEIGHTS.length + 1).numFmt = '0.0';
	}
	ws.columns.forEach((col, i) => (col.width = i === 1 ? 34 : i === 2 ? 14 : 11));
	ws.mergeCells(1, 1, 1, header.length);
	ws.mergeCells(2, 1, 2, header.length);

	const how = wb.addWorksheet('计分说明');
	how.addRow(['指标', '权重', '方向']).font = { bold: true };
	for (const w of ASSESSMENT_WEIGHTS) how.addRow([w.label, w.weight, w.lowerIsBetter ? '越低越好（按 1 − 比率计分）' : '越高越好']);
	how.addRow([]);
	how.addRow([`综合得分 = Σ 权重 × 指标得分 ÷ 有值指标的权重之和（无回访的单位按其余指标计分）；${MIN_ASSESSED_RULE}。`]);
	how.addRow([ASSESSMENT_COUNTING]);
	how.addRow(['签收、办结及时率：已到时限仍未完成的工单按超时计入。满意率：满意与基本满意占回访量的比例。']);
	how.getColumn(1).width = 16;
	how.getColumn(3).width = 30;
	if (staff) staffSheet(wb, staff);
	return Buffer.from(await wb.xlsx.writeBuffer());
}

const HOUR_MS = 3_600_000;

/** Hours a step was late (or is, still undone at `now`), to one decimal; null where it had no limit. */
function hoursLate(i: AssessmentItem, now: number): number | null {
	if (!i.deadline) return null;
	const done = i.doneAt ? Date.parse(i.doneAt) : now;
	return Math.round((done - Date.parse(i.deadline)) / HOUR_MS * 10) / 10;
}

/**
 * A unit's 考核明细 as a workbook: its scorecard (each rate beside all units', its lost points, how many rounds counted
 * against it) and, on a second sheet, every round listed (ASSESSMENT_EXPORT_ITEMS of each kind at most, and it says
 * when more were left out), with its limit, when the step was done and how many hours late.
 */
export async function unitAssessmentWorkbook(v: UnitAssessment, scope: string, generatedAt = new Date()): Promise<Buffer> {
	const wb = new ExcelJS.Workbook();
	wb.creator = '民情 Minqing';
	wb.created = generatedAt;
	const u = v.unit;
	const bold = (row: ExcelJS.Row) => {
		row.font = { bold: true };
		row.eachCell((c) => (c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F0FA' } }));
	};
	const ws = wb.addWorksheet('考核明细');
	ws.addRow([`${u.name} 考核明细　${periodText(v.filter)}`]).font = { bold: true, size: 14 };
	const rank =
		u.rank === null
			? `不参与排名（${MIN_ASSESSED_RULE}）`
			: `第 ${u.rank} 名（共 ${v.ranked} 个单位参与排名）${v.kindRank === null ? '' : `；${UNIT_KIND_LABELS[u.kind] ?? u.kind}中第 ${v.kindRank} 名（共 ${v.kindRanked} 个）`}`;
	ws.addRow([`范围：${scope}；派单 ${u.dispatched} 次，有结果可考核 ${u.rates.measured} 次，协办 ${u.assisted} 次`]).font = { color: { argb: 'FF5B6778' } };
	ws.addRow(['综合得分', u.score === null ? '样本不足' : Math.round(u.score * 10) / 10, '名次', rank]).font = { bold: true };
	ws.addRow([]);
	bold(ws.addRow(['指标', '本单位', '全部单位', '失分', '失分的派单', '共计派单']));
	for (const c of v.cases) {
		const row = ws.addRow([c.rateLabel, c.value, c.all, c.lost, `${c.label} ${c.count} 件`, c.of]);
		row.getCell(2).numFmt = '0.0%';
		row.getCell(3).numFmt = '0.0%';
		row.getCell(4).numFmt = '0.0';
	}
	ws.addRow([]);
	ws.addRow([ASSESSMENT_COUNTING]).alignment = { wrapText: true, vertical: 'top' };
	ws.getRow(ws.rowCount).height = 90;
	ws.mergeCells(ws.rowCount, 1, ws.rowCount, 6);
	ws.columns.forEach((col, i) => (col.width = [14, 12, 12, 10, 22, 10][i]));
	ws.mergeCells(1, 1, 1, 6);
	ws.mergeCells(2, 1, 2, 6);
	ws.mergeCells(3, 4, 3, 6);

	const list = wb.addWorksheet('失分工单', { views: [{ state: 'frozen', ySplit: 1 }] });
	bold(list.addRow(['类别', '工单编号', '标题', '受理日期', '派单时间', '时限', '签收、退单或答复时间', '超时（小时）']));
	const now = generatedAt.getTime();
	for (const c of v.cases) {
		const timed = c.key === 'sign' || c.key === 'reply';
		for (const i of c.items) {
			const row = list.addRow([
				c.label,
				i.ticketNo,
				i.title ?? '',
				i.day,
				i.dispatchedAt ? formatShanghaiTime(i.dispatchedAt) : '',
				timed ? formatDeadline(i.deadline) : '',
				timed ? (i.pending ? `尚未${c.key === 'sign' ? '签收' : '答复'}` : formatShanghaiTime(i.doneAt)) : '',
				timed ? hoursLate(i, now) : null
			]);
			row.getCell(8).numFmt = '0.0';
		}
		if (c.count > c.items.length) list.addRow([c.label, `另有 ${c.count - c.items.length} 件未列出（只列最近的 ${c.items.length} 件）`]);
	}
	if (list.rowCount === 1) list.addRow(['本时段没有失分的派单']);
	list.columns.forEach((col, i) => (col.width = [12, 20, 40, 12, 18, 18, 22, 12][i]));
	return Buffer.from(await wb.xlsx.writeBuffer());
}

/** 工作人员工作量: one row a member of staff, the steps by group as the page lists them, 合计 and 直办率. */
function staffSheet(wb: ExcelJS.Workbook, staff: StaffWorkload): void {
	const ws = wb.addWorksheet('工作人员工作量', { views: [{ state: 'frozen', ySplit: 4, xSplit: 2 }] });
	const actions = STAFF_GROUPS.flatMap((g) => g.actions);
	const width = 2 + actions.length + 2;
	ws.addRow([`热线工作人员工作量　${staff.from} 至 ${staff.to}`]).font = { bold: true, size: 14 };
	ws.addRow(['按操作时间统计话务员、派单员、督办员用账号在工单上的操作次数；系统、数据接入、Open311 等非账号的操作不计，承办单位的办理见“单位考核”；只按时段统计。']).font = { color: { argb: 'FF5B6778' } };
	// the groups over their columns, then the steps
	const groups = ws.addRow(['', '', ...STAFF_GROUPS.flatMap((g) => g.actions.map((_, i) => (i === 0 ? g.title : ''))), '', '']);
	let col = 3;
	for (const g of STAFF_GROUPS) {
		if (g.actions.length > 1) ws.mergeCells(3, col, 3, col + g.actions.length - 1);
		col += g.actions.length;
	}
	const head = ws.addRow(['人员', '角色', ...actions.map((a) => a.label), '合计', '直办率']);
	for (const r of [groups, head]) {
		r.font = { bold: true };
		r.eachCell((c) => {
			c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F0FA' } };
			c.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
		});
	}
	const first = ws.rowCount + 1;
	for (const x of staff.rows) {
		const row = ws.addRow([x.name, ROLE_LABELS[x.role] ?? x.role, ...actions.map((a) => x.counts[a.action] ?? 0), x.total, x.directRate]);
		row.getCell(width).numFmt = '0.0%';
	}
	if (staff.rows.length) totalsRow(ws, staff.rows, first, actions);
	else ws.addRow(['本时段没有工作人员的操作']);
	ws.columns.forEach((c, i) => (c.width = i === 0 ? 18 : i === 1 ? 10 : 9));
	ws.mergeCells(1, 1, 1, width);
	ws.mergeCells(2, 1, 2, width);
}

/**
 * 合计（N 人）under the staff's rows: each step's sum and the sum of 合计 as SUM formulas over the rows above, and the
 * 直办率 of them all (直接答复 of the calls screened) as a formula, each with its value computed here, so that the file
 * opens with the figures in any reader and a row changed or deleted in Excel updates them.
 */
function totalsRow(ws: ExcelJS.Worksheet, rows: StaffWorkload['rows'], first: number, actions: StaffGroup['actions']): void {
	const last = first + rows.length - 1;
	const letter = (col: number) => ws.getColumn(col).letter;
	const sum = (col: number, result: number) => ({ formula: `SUM(${letter(col)}${first}:${letter(col)}${last})`, result });
	// the page's group totals, over every step
	const all = groupTotals(rows.map((row) => ({ row, total: row.total })), { title: '', actions });
	const cell = (action: string) => `${letter(3 + actions.findIndex((a) => a.action === action))}${last + 1}`;
	const screened = SCREEN_ACTIONS.map(cell).join(',');
	const rate = directRate(all.counts);
	const row = ws.addRow([
		`合计（${rows.length} 人）`,
		'',
		...actions.map((a, i) => sum(3 + i, all.counts[a.action])),
		sum(3 + actions.length, all.total),
		{ formula: `IF(SUM(${screened})=0,"",${cell('answer')}/SUM(${screened}))`, result: rate ?? '' }
	]);
	row.font = { bold: true };
	row.getCell(3 + actions.length + 1).numFmt = '0.0%';
	row.eachCell((c) => (c.border = { top: { style: 'thin' } }));
}
