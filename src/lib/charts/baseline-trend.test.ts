import { describe, expect, it } from 'vitest';
import type { BaselinePoint } from '$lib/types';
import { baselineTrendOptions, outsideBand, volumeLevel } from './baseline-trend';

type AnyRecord = Record<string, unknown>;
const asArray = (v: unknown): AnyRecord[] => (Array.isArray(v) ? v : [v]) as AnyRecord[];
const seriesOf = (o: unknown) => asArray((o as AnyRecord).series);
const formatterOf = (o: unknown) => ((o as AnyRecord).tooltip as AnyRecord).formatter as (p: unknown) => string;

const point = (
	day: string,
	count: number,
	expected: number | null,
	low: number | null,
	high: number | null,
	kind = '工作日'
): BaselinePoint => ({
	day,
	count,
	expected,
	low,
	high,
	kind
});

const points: BaselinePoint[] = [
	point('2025-11-17', 100, 100, 80.4, 119.6), // inside
	point('2025-11-18', 150, 100, 80.4, 119.6), // above
	point('2025-11-19', 50, 100, 80.4, 119.6), // below
	point('2025-11-22', 10, null, null, null, '周末'), // no baseline
	point('2025-11-20', 1023, 1000.04, 937.26, 1062.83) // inside, rounding
];

describe('outsideBand', () => {
	it('tells above, below and inside', () => {
		expect(outsideBand(point('2025-11-17', 120, 100, 80, 119))).toBe(1);
		expect(outsideBand(point('2025-11-17', 79, 100, 80, 119))).toBe(-1);
		expect(outsideBand(point('2025-11-17', 100, 100, 80, 119))).toBe(0);
	});
	it('counts the band’s edges as inside', () => {
		expect(outsideBand(point('2025-11-17', 119, 100, 80, 119))).toBe(0);
		expect(outsideBand(point('2025-11-17', 80, 100, 80, 119))).toBe(0);
	});
	it('is 0 without a baseline', () => {
		expect(outsideBand(point('2025-11-17', 1e6, null, null, null))).toBe(0);
		expect(outsideBand(point('2025-11-17', 0, null, null, null))).toBe(0);
	});
});

describe('baselineTrendOptions', () => {
	const o = baselineTrendOptions(points);
	const [lowS, widthS, expectedS, countS] = seriesOf(o);

	it('has the days on the x axis', () => {
		expect((o.xAxis as AnyRecord).data).toEqual(points.map((p) => p.day));
	});

	it('draws the band as the low line with the band width stacked on it', () => {
		expect(lowS.stack).toBe('band');
		expect(widthS.stack).toBe('band');
		expect(lowS.data).toEqual([80.4, 80.4, 80.4, null, 937.3]);
		// 119.6 − 80.4 = 39.2; 1062.83 − 937.26 = 125.57 → 125.6
		expect(widthS.data).toEqual([39.2, 39.2, 39.2, null, 125.6]);
		// low + width is the top of the band, up to rounding
		const lows = lowS.data as (number | null)[];
		const widths = widthS.data as (number | null)[];
		points.forEach((p, i) => {
			if (p.high === null) return;
			expect(Math.abs(lows[i]! + widths[i]! - p.high)).toBeLessThanOrEqual(0.1 + 1e-9);
		});
		// the lower area is invisible, the width is filled
		expect((lowS.areaStyle as AnyRecord).opacity).toBe(0);
		expect((widthS.areaStyle as AnyRecord).color).toBeTruthy();
	});

	it('draws the expectation as its own line, null without a baseline', () => {
		expect(expectedS.stack).toBeUndefined();
		expect(expectedS.data).toEqual([100, 100, 100, null, 1000]);
	});

	it('colours the counts outside the band', () => {
		const data = countS.data as unknown[];
		expect(data[0]).toBe(100);
		expect(data[1]).toEqual({
			value: 150,
			itemStyle: { color: '#d64545' },
			symbolSize: 7
		});
		expect(data[2]).toEqual({
			value: 50,
			itemStyle: { color: '#5b8def' },
			symbolSize: 7
		});
		expect(data[3]).toBe(10);
		expect(data[4]).toBe(1023);
	});

	it('has no band for an empty series', () => {
		const e = seriesOf(baselineTrendOptions([]));
		expect(e.map((s) => s.data)).toEqual([[], [], [], []]);
	});

	describe('tooltip', () => {
		const fmt = formatterOf(o);

		it('describes a day with its baseline', () => {
			const text = fmt([{ dataIndex: 0 }]);
			expect(text).toBe('<strong>2025年11月17日 星期一</strong> 工作日<br/>工单量：100 件<br/>常态：100 件（正常范围 80–120）');
		});

		it('says when a day is above or below the band', () => {
			expect(fmt([{ dataIndex: 1 }])).toContain('<br/>高于正常范围');
			expect(fmt([{ dataIndex: 2 }])).toContain('<br/>低于正常范围');
			expect(fmt([{ dataIndex: 0 }])).not.toContain('正常范围<br/>');
			// a single parameter object works as well as an array
			expect(fmt({ dataIndex: 1 })).toBe(fmt([{ dataIndex: 1 }]));
		});

		it('groups thousands and rounds the baseline', () => {
			expect(fmt([{ dataIndex: 4 }])).toContain('工单量：1,023 件<br/>常态：1,000 件（正常范围 937–1,063）');
		});

		it('says when there is no baseline', () => {
			expect(fmt([{ dataIndex: 3 }])).toBe('<strong>2025年11月22日 星期六</strong> 周末<br/>工单量：10 件<br/>历史数据不足，无常态基线');
		});

		it('escapes the kind and uses the unit given', () => {
			const f = formatterOf(baselineTrendOptions([point('2025-11-17', 5, null, null, null, '<b>节</b>')], { unit: '单' }));
			const text = f([{ dataIndex: 0 }]);
			expect(text).toContain('&lt;b&gt;节&lt;/b&gt;');
			expect(text).not.toContain('<b>');
			expect(text).toContain('工单量：5 单');
		});

		it('is empty for an index without a point', () => {
			expect(fmt([{ dataIndex: 99 }])).toBe('');
		});
	});
});

describe('volumeLevel', () => {
	it('reads a figure by the band the card shows: above it is 高于常态 even below 2σ', () => {
		// expected 100, σ 10: the 95 % band is [80.4, 119.6]; 120 is outside it at z = 2.0 − ε
		expect(volumeLevel({ observed: 120, low: 80.4, high: 119.6 })).toBe('high');
		expect(volumeLevel({ observed: 119, low: 80.4, high: 119.6 })).toBe('normal');
		expect(volumeLevel({ observed: 80, low: 80.4, high: 119.6 })).toBe('low');
		expect(volumeLevel({ observed: 80, low: null, high: null })).toBe('none');
	});
});
