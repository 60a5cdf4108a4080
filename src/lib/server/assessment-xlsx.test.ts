import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { AssessmentCase, AssessmentItem, HandlingRates, StaffWorkload, UnitAssessment, UnitPanel, UnitScore } from '../types';
import { assessmentScore, handlingRates, MIN_ASSESSED, MIN_ASSESSED_RULE } from './assessment';
import { scorecardWorkbook, unitAssessmentWorkbook } from './assessment-xlsx';

function unit(code: string, dispatched: number, sat: number, assisted = 0): UnitScore {
	const rates: HandlingRates = handlingRates({
		n: dispatched,
		screened: dispatched,
		accepted: dispatched,
		dispatched,
		sign_done: dispatched,
		sign_ok: dispatched - 1,
		reply_done: dispatched,
		reply_ok: dispatched - 2,
		visited: dispatched,
		satisfied: sat,
		basic: 0,
		returned: 1,
		extended: 0,
		reopened: 1
	});
	return { code, name: `单位${code}`, kind: 'municipal', dispatched, assisted, rates, score: assessmentScore(rates), rank: null, trend: [] };
}

describe('考核 workbook', () => {
	it('lists ranked units first with percent cells and the score, and units below the minimum without a rank', async () => {
		const a = { ...unit('M01', 40, 36), rank: 1 };
		const b = { ...unit('M02', 20, 10, 3), rank: 2 };
		const small = unit('M03', MIN_ASSESSED - 2, 8); // 8 replied and 1 returned: one round short
		const panel = {
			filter: { period: '30d', periodLabel: '近30天', from: '2026-10-31', to: '2026-11-29' },
			units: [small, b, a],
			months: [],
			weights: []
		} as unknown as UnitPanel;
		const buf = await scorecardWorkbook(panel, '全市');
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(buf as unknown as ArrayBuffer);
		const ws = wb.getWorksheet('单位考核')!;
		expect(ws.getCell('A1').value).toBe('承办单位考核　近30天（2026-10-31 至 2026-11-29）');
		expect(ws.getRow(3).values).toContain('满意率');
		const rows = [4, 5, 6].map((r) => ws.getRow(r));
		expect(rows.map((r) => r.getCell(2).value)).toEqual(['单位M01', '单位M02', '单位M03']);
		expect(rows[0].getCell(1).value).toBe(1);
		expect(rows[2].getCell(1).value).toBe('不排名');
		expect(ws.getRow(3).getCell(5).value).toBe('协办量');
		expect(rows.map((r) => r.getCell(5).value)).toEqual([0, 3, 0]);
		expect(ws.getRow(3).getCell(6).value).toBe('已办结、超期或退回');
		expect(rows[2].getCell(6).value).toBe(MIN_ASSESSED - 1);
		const satCol = 3 + 3 + 3; // 排名 单位 类型 派单量 协办量 已办结、超期或退回, then 签收 办结 满意
		expect(rows[0].getCell(satCol).value).toBeCloseTo(36 / 40);
		expect(rows[0].getCell(satCol).numFmt).toBe('0.0%');
		const scoreCell = rows[0].getCell(ws.getRow(3).cellCount);
		expect(scoreCell.value).toBeCloseTo(Math.round(a.score! * 10) / 10);
		expect(rows[2].getCell(ws.getRow(3).cellCount).value).toBeNull();
		expect(wb.getWorksheet('计分说明')!.getCell('A2').value).toBe('签收及时率');
	});

	it('names a period of dates given by its dates once', async () => {
		const panel = {
			filter: { period: 'custom', periodLabel: '2026-11-01 至 2026-11-30', from: '2026-11-01', to: '2026-11-30' },
			units: [],
			months: [],
			weights: []
		} as unknown as UnitPanel;
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load((await scorecardWorkbook(panel, '全市')) as unknown as ArrayBuffer);
		expect(wb.getWorksheet('单位考核')!.getCell('A1').value).toBe('承办单位考核　2026-11-01 至 2026-11-30');
	});
	it('lists the staff’s workload on its own sheet: groups over their steps, 合计 and 直办率 as a percent, a 合计 row of them all; none without it given', async () => {
		const panel = { filter: { period: '7d', periodLabel: '近7天', from: '2026-11-30', to: '2026-12-06' }, units: [], months: [], weights: [] } as unknown as UnitPanel;
		const staff: StaffWorkload = {
			from: '2026-11-30',
			to: '2026-12-06',
			rows: [
				{ key: 'u3', name: '话务员王芳', role: 'operator', counts: { receive: 5, accept: 3, answer: 1 }, total: 9, directRate: 0.25 },
				{ key: 'u5', name: '派单员李强', role: 'dispatcher', counts: { dispatch: 4 }, total: 4, directRate: null },
				{ key: 'u7', name: '话务员赵敏', role: 'operator', counts: { receive: 4, accept: 1, answer: 2, not_accept: 1 }, total: 8, directRate: 0.5 }
			]
		};
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load((await scorecardWorkbook(panel, '全市', new Date(), staff)) as unknown as ArrayBuffer);
		const ws = wb.getWorksheet('工作人员工作量')!;
		expect(ws.getCell('A1').value).toBe('热线工作人员工作量　2026-11-30 至 2026-12-06');
		const head = ws.getRow(4).values as unknown[];
		expect(head.slice(1, 5)).toEqual(['人员', '角色', '登记', '受理']);
		expect(ws.getRow(3).getCell(3).value).toBe('话务受理');
		const col = (label: string) => head.indexOf(label);
		const op = ws.getRow(5);
		expect([op.getCell(1).value, op.getCell(2).value, op.getCell(col('登记')).value, op.getCell(col('直接答复')).value, op.getCell(col('合计')).value]).toEqual(['话务员王芳', '话务员', 5, 1, 9]);
		expect(op.getCell(col('直办率')).value).toBeCloseTo(1 / 4);
		expect(op.getCell(col('直办率')).numFmt).toBe('0.0%');
		const disp = ws.getRow(6);
		expect([disp.getCell(1).value, disp.getCell(2).value, disp.getCell(col('派单')).value, disp.getCell(col('直办率')).value]).toEqual(['派单员李强', '派单员', 4, null]);
		// 合计 of the three: sums as formulas over the rows with their values, 直办率 of all the calls screened (3 of 8)
		const sum = ws.getRow(8);
		expect(sum.getCell(1).value).toBe('合计（3 人）');
		expect(sum.getCell(col('登记')).value).toEqual({ formula: 'SUM(C5:C7)', result: 9 });
		expect((sum.getCell(col('派单')).value as { result: number }).result).toBe(4);
		expect((sum.getCell(col('合计')).value as { result: number }).result).toBe(21);
		const rate = sum.getCell(col('直办率')).value as { formula: string; result: number };
		expect(rate.result).toBeCloseTo(3 / 8);
		expect(rate.formula).toMatch(/^IF\(SUM\(.+\)=0,"",E8\/SUM\(.+\)\)$/);
		// the calls screened: the columns of 受理, 不予受理, 转紧急热线, 直接答复 and 并单 (SCREEN_ACTIONS), none missing
		const letterOf = (label: string) => ws.getColumn(col(label)).letter;
		const screened = rate.formula.match(/^IF\(SUM\(([^)]+)\)/)![1].split(',').sort();
		expect(screened).toEqual(['受理', '不予受理', '转紧急热线', '直接答复', '并单'].map((l) => `${letterOf(l)}8`).sort());
		expect(sum.getCell(col('直办率')).numFmt).toBe('0.0%');
		expect(sum.font.bold).toBe(true);
		const without = new ExcelJS.Workbook();
		await without.xlsx.load((await scorecardWorkbook(panel, '全市')) as unknown as ArrayBuffer);
		expect(without.getWorksheet('工作人员工作量')).toBeUndefined();
	});
});

describe('考核明细 workbook', () => {
	const at = (s: string) => new Date(`${s}+08:00`).toISOString();
	const u = { ...unit('M01', 40, 36), rank: 3 };
	const item = (no: string, o: Partial<AssessmentItem> = {}): AssessmentItem => ({
		ticketNo: no, title: `标题${no}`, day: '2026-11-20', dispatchedAt: at('2026-11-20T09:00:00'), deadline: null, doneAt: null, pending: false, ...o
	});
	const c = (key: AssessmentCase['key'], label: string, items: AssessmentItem[], count = items.length): AssessmentCase => ({
		key, label, description: '', rate: 'signRate', rateLabel: `${label}率`, count, of: 40, value: 0.9, all: 0.8, worse: false, lost: 1.5, items
	});
	const view = {
		filter: { period: '30d', periodLabel: '近30天', from: '2026-10-31', to: '2026-11-29' },
		unit: u,
		ranked: 12,
		kindRank: 2,
		kindRanked: 5,
		months: [],
		cases: [
			c('sign', '签收超时', [
				item('SZ1', { deadline: at('2026-11-23T00:00:00'), pending: true }),
				item('SZ2', { deadline: at('2026-11-23T00:00:00'), doneAt: at('2026-11-23T06:30:00') })
			]),
			c('returned', '退单', [item('SZ3')], 3)
		]
	} as unknown as UnitAssessment;

	it('has the scorecard, then every round with its limit, when it was done and how late', async () => {
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load((await unitAssessmentWorkbook(view, '全市', new Date(at('2026-11-24T00:00:00')))) as unknown as ArrayBuffer);
		const ws = wb.getWorksheet('考核明细')!;
		expect(ws.getCell('A1').value).toBe('单位M01 考核明细　近30天（2026-10-31 至 2026-11-29）');
		expect(['A3', 'B3', 'C3', 'D3'].map((a) => ws.getCell(a).value)).toEqual(['综合得分', Math.round(u.score! * 10) / 10, '名次', '第 3 名（共 12 个单位参与排名）；市级部门中第 2 名（共 5 个）']);
		const sign = ws.getRow(6);
		expect(sign.values).toEqual([, '签收超时率', 0.9, 0.8, 1.5, '签收超时 2 件', 40]);
		expect(sign.getCell(2).numFmt).toBe('0.0%');
		const list = wb.getWorksheet('失分工单')!;
		const rows = Array.from({ length: list.rowCount - 1 }, (_, i) => list.getRow(i + 2).values as unknown[]);
		// still unsigned a day after its limit: 24 hours late now; signed 6.5 hours after it
		expect(rows[0]).toEqual([, '签收超时', 'SZ1', '标题SZ1', '2026-11-20', '2026-11-20 09:00', '2026-11-22 24:00', '尚未签收', 24]);
		expect(rows[1].slice(6)).toEqual(['2026-11-22 24:00', '2026-11-23 06:30', 6.5]);
		// a return has no limit or lateness; the two not listed are said to be left out
		expect(rows[2].slice(1, 6)).toEqual(['退单', 'SZ3', '标题SZ3', '2026-11-20', '2026-11-20 09:00']);
		expect(rows[2].slice(6).filter((v) => v !== '' && v !== null && v !== undefined)).toEqual([]);
		expect(rows[3].slice(1)).toEqual(['退单', '另有 2 件未列出（只列最近的 1 件）']);
	});

	it('says so when nothing lost points, and an unranked unit why', async () => {
		const wb = new ExcelJS.Workbook();
		const idle = { ...view, unit: { ...u, rank: null, score: null }, cases: [] } as UnitAssessment;
		await wb.xlsx.load((await unitAssessmentWorkbook(idle, '全市')) as unknown as ArrayBuffer);
		expect(String(wb.getWorksheet('考核明细')!.getCell('D3').value)).toBe(`不参与排名（${MIN_ASSESSED_RULE}）`);
		expect(wb.getWorksheet('考核明细')!.getCell('B3').value).toBe('样本不足');
		expect(wb.getWorksheet('失分工单')!.getCell('A2').value).toBe('本时段没有失分的派单');
	});
});
