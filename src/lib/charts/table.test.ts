import { describe, expect, it } from 'vitest';
import { baselineTrendOptions } from './baseline-trend';
import { rankingBarOptions } from './options';
import { chartTable } from './table';

describe('chartTable', () => {
	it('a ranking: one row per name with its count', () => {
		const t = chartTable(
			rankingBarOptions([
				{ name: '姑苏区', code: '320508', count: 1200, share: 0.6 },
				{ name: '吴中区', code: '320506', count: 800, share: 0.4 }
			])
		);
		expect(t).toEqual({ columns: ['名称', '工单量'], rows: [['姑苏区', '1,200'], ['吴中区', '800']] });
	});

	it('the daily trend against its normal: each day with its count, the normal and the band as low–high', () => {
		const t = chartTable(
			baselineTrendOptions([
				{ day: '2026-11-30', count: 120, expected: 100, low: 80, high: 120.5, kind: '周末' },
				{ day: '2026-12-01', count: 90, expected: null, low: null, high: null, kind: '工作日' }
			] as Parameters<typeof baselineTrendOptions>[0])
		);
		expect(t?.columns[0]).toBe('日期');
		expect(t?.columns).toContain('工单量');
		const at = (row: number, col: string) => t!.rows[row][t!.columns.indexOf(col)];
		expect(at(0, '工单量')).toBe('120');
		expect(at(0, '常态')).toBe('100');
		expect(at(0, '正常范围')).toBe('80–120.5');
		expect(at(1, '常态')).toBe('—');
		expect(at(1, '正常范围')).toBe('—');
	});

	it('heads the category column with the axis’ own name where it has one', () => {
		const t = chartTable({ xAxis: { type: 'category', name: '小时', data: ['08', '09'] }, yAxis: { type: 'value' }, series: [{ type: 'bar', name: '工单量', data: [3, 4] }] });
		expect(t).toEqual({ columns: ['小时', '工单量'], rows: [['08', '3'], ['09', '4']] });
	});

	it('nothing to tabulate: null', () => {
		expect(chartTable(null)).toBeNull();
		expect(chartTable({ series: [] })).toBeNull();
	});
});
