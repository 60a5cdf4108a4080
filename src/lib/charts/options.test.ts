import { describe, expect, it } from 'vitest';
import type { DailyPoint, RankedItem } from '$lib/types';
import {
	EMPTY_TEXT,
	escapeHtml,
	movingAverage,
	normalizeDaily,
	rankingBarOptions,
	rankingChartHeight,
	sortRanked,
	trendOptions
} from './options';
import { formatCount, formatDayLong, formatDayShort, formatPercent, nextDay } from './format';
import { lightTheme, type ChartTheme } from './theme';

// Small helpers to read the (loosely typed) option object.
type AnyRecord = Record<string, unknown>;
const asArray = (v: unknown): AnyRecord[] => (Array.isArray(v) ? v : [v]) as AnyRecord[];
const seriesOf = (o: unknown) => asArray((o as AnyRecord).series);
const one = (v: unknown) => asArray(v)[0];
const fn = (v: unknown) => v as (p: unknown) => string;

function days(start: string, counts: number[]): DailyPoint[] {
	const out: DailyPoint[] = [];
	let d = start;
	for (const c of counts) {
		out.push({ day: d, count: c });
		d = nextDay(d);
	}
	return out;
}

describe('format', () => {
	it('formats counts with zh-CN grouping', () => {
		expect(formatCount(0)).toBe('0');
		expect(formatCount(1234567)).toBe('1,234,567');
	});
	it('formats percentages and null', () => {
		expect(formatPercent(0.1234)).toBe('12.3%');
		expect(formatPercent(-0.05)).toBe('-5.0%');
		expect(formatPercent(null)).toBe('—');
	});
	it('formats days in Chinese without time-zone shift', () => {
		expect(formatDayLong('2026-11-28')).toBe('2026年11月28日 星期六');
		expect(formatDayLong('2026-01-01')).toBe('2026年1月1日 星期四');
		expect(formatDayShort('2026-03-05')).toBe('03-05');
	});
	it('steps calendar days across month and leap-year ends', () => {
		expect(nextDay('2026-01-31')).toBe('2026-02-01');
		expect(nextDay('2028-02-28')).toBe('2028-02-29');
		expect(nextDay('2026-12-31')).toBe('2027-01-01');
	});
});

describe('movingAverage', () => {
	it('is null until the window is full, then the trailing mean rounded to 0.1', () => {
		const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
		expect(movingAverage(values, 7)).toEqual([null, null, null, null, null, null, 4, 5, 6, 7]);
	});
	it('rounds to one decimal', () => {
		// (10+0+0)/3 = 3.333.. ; (0+0+5)/3 = 1.666..
		expect(movingAverage([10, 0, 0, 5], 3)).toEqual([null, null, 3.3, 1.7]);
	});
	it('window 1 is the series itself', () => {
		expect(movingAverage([3, 1, 4], 1)).toEqual([3, 1, 4]);
	});
	it('rejects invalid windows', () => {
		expect(() => movingAverage([1], 0)).toThrow();
	});
});

describe('normalizeDaily', () => {
	it('sorts, sums duplicates and fills missing days with 0', () => {
		const out = normalizeDaily([
			{ day: '2026-03-03', count: 5 },
			{ day: '2026-02-27', count: 1 },
			{ day: '2026-03-03', count: 2 },
			{ day: '2026-03-01', count: 4 }
		]);
		expect(out).toEqual([
			{ day: '2026-02-27', count: 1 },
			{ day: '2026-02-28', count: 0 },
			{ day: '2026-03-01', count: 4 },
			{ day: '2026-03-02', count: 0 },
			{ day: '2026-03-03', count: 7 }
		]);
	});
});

describe('trendOptions', () => {
	const counts = Array.from({ length: 90 }, (_, i) => 100 + ((i * 37) % 50));
	const points = days('2026-08-31', counts);
	const o = trendOptions(points);

	it('puts the input days on the x axis and the counts in the first series', () => {
		const x = one((o as AnyRecord).xAxis);
		expect(x.type).toBe('category');
		expect(x.data).toEqual(points.map((p) => p.day));
		const [volume] = seriesOf(o);
		expect(volume.type).toBe('line');
		expect(volume.name).toBe('工单量');
		expect(volume.data).toEqual(counts);
	});

	it('adds a 7-day moving average line with correct values', () => {
		const ma = seriesOf(o)[1];
		expect(ma.name).toBe('7日移动平均');
		const data = ma.data as (number | null)[];
		expect(data).toHaveLength(90);
		expect(data.slice(0, 6)).toEqual([null, null, null, null, null, null]);
		const mean = (a: number[]) => Math.round((a.reduce((s, v) => s + v, 0) / a.length) * 10) / 10;
		expect(data[6]).toBe(mean(counts.slice(0, 7)));
		expect(data[89]).toBe(mean(counts.slice(83, 90)));
		expect(one((o as AnyRecord).legend).data as string[]).toEqual(['工单量', '7日移动平均']);
	});

	it('fills gaps in the input so the axis is a continuous calendar', () => {
		const g = trendOptions([
			{ day: '2026-11-01', count: 3 },
			{ day: '2026-11-03', count: 5 }
		]);
		expect(one((g as AnyRecord).xAxis).data).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
		expect(seriesOf(g)[0].data).toEqual([3, 0, 5]);
	});

	it('has a Chinese tooltip with the full date, thousands separators and the average', () => {
		const big = trendOptions(days('2026-11-22', [1200, 1300, 1400, 1500, 1600, 1700, 1800]));
		const tooltip = one((big as AnyRecord).tooltip);
		expect(tooltip.trigger).toBe('axis');
		const html = fn(tooltip.formatter)([
			{ seriesName: '工单量', value: 1800, dataIndex: 6, marker: '' },
			{ seriesName: '7日移动平均', value: 1500, dataIndex: 6, marker: '' }
		]);
		expect(html).toContain('2026年11月28日 星期六');
		expect(html).toContain('工单量：1,800 件');
		expect(html).toContain('7日移动平均：1,500.0 件');
		const early = fn(tooltip.formatter)([{ seriesName: '7日移动平均', value: null, dataIndex: 0, marker: '' }]);
		expect(early).toContain('不足7天');
	});

	it('formats axis labels compactly', () => {
		const x = one((o as AnyRecord).xAxis);
		expect(fn((x.axisLabel as AnyRecord).formatter)('2026-11-28')).toBe('11-28');
		const y = one((o as AnyRecord).yAxis);
		expect(y.name).toBe('件');
		expect(y.min).toBe(0);
	});

	it('honours the window option and can drop the average', () => {
		const o3 = trendOptions(days('2026-01-01', [3, 6, 9, 12]), { movingAverageWindow: 3 });
		expect(seriesOf(o3)[1].name).toBe('3日移动平均');
		expect(seriesOf(o3)[1].data).toEqual([null, null, 6, 9]);
		const none = trendOptions(points, { movingAverageWindow: 0 });
		expect(seriesOf(none)).toHaveLength(1);
	});

	it('uses the theme colours', () => {
		const dark: ChartTheme = { ...lightTheme, primary: '#00ffcc', secondary: '#ffcc00' };
		const t = trendOptions(points, { theme: dark });
		expect((seriesOf(t)[0].lineStyle as AnyRecord).color).toBe('#00ffcc');
		expect((seriesOf(t)[1].lineStyle as AnyRecord).color).toBe('#ffcc00');
	});

	it('empty input gives empty series and a 暂无数据 text, no throw', () => {
		const e = trendOptions([]);
		expect(one((e as AnyRecord).xAxis).data).toEqual([]);
		for (const s of seriesOf(e)) expect(s.data).toEqual([]);
		const graphic = asArray((e as AnyRecord).graphic);
		expect((graphic[0].style as AnyRecord).text).toBe(EMPTY_TEXT);
		expect(EMPTY_TEXT).toBe('暂无数据');
		// With data there is no empty text.
		expect(asArray((o as AnyRecord).graphic)).toEqual([]);
	});
});

describe('rankingBarOptions', () => {
	const items: RankedItem[] = [
		{ code: '320506', name: '吴中区', count: 812, share: 0.1624 },
		{ code: '320505', name: '虎丘区', count: 1530, share: 0.306 },
		{ code: '320508', name: '姑苏区', count: 1203, share: 0.2406 },
		{ code: '320507', name: '相城区', count: 812, share: 0.1624 }
	];

	it('orders largest first (ties by code) and keeps the largest at the top', () => {
		const o = rankingBarOptions(items);
		const y = one((o as AnyRecord).yAxis);
		expect(y.type).toBe('category');
		expect(y.inverse).toBe(true); // first category drawn at the top
		expect(y.data).toEqual(['虎丘区', '姑苏区', '吴中区', '相城区']);
		const bar = seriesOf(o)[0];
		expect(bar.type).toBe('bar');
		expect(bar.data).toEqual([
			{ value: 1530, name: '虎丘区', code: '320505', share: 0.306 },
			{ value: 1203, name: '姑苏区', code: '320508', share: 0.2406 },
			{ value: 812, name: '吴中区', code: '320506', share: 0.1624 },
			{ value: 812, name: '相城区', code: '320507', share: 0.1624 }
		]);
	});

	it('does not mutate its input', () => {
		const copy = structuredClone(items);
		rankingBarOptions(items);
		expect(items).toEqual(copy);
	});

	it('labels each bar with count and share', () => {
		const bar = seriesOf(rankingBarOptions(items))[0];
		const label = bar.label as AnyRecord;
		expect(label.show).toBe(true);
		expect(label.position).toBe('right');
		const data = bar.data as AnyRecord[];
		expect(fn(label.formatter)({ data: data[0] })).toBe('1,530 件 · 30.6%');
	});

	it('has a Chinese tooltip and escapes names', () => {
		const o = rankingBarOptions([{ code: 'x', name: '<b>市容</b>', count: 12, share: 0.5 }]);
		const tooltip = one((o as AnyRecord).tooltip);
		const html = fn(tooltip.formatter)({ data: (seriesOf(o)[0].data as AnyRecord[])[0] });
		expect(html).toContain('&lt;b&gt;市容&lt;/b&gt;');
		expect(html).toContain('工单量：12 件');
		expect(html).toContain('占比：50.0%');
	});

	it('limits to the top N (default 10)', () => {
		const many: RankedItem[] = Array.from({ length: 15 }, (_, i) => ({
			code: `c${i}`,
			name: `类别${i}`,
			count: i * 10,
			share: i / 100
		}));
		const o = rankingBarOptions(many);
		expect(seriesOf(o)[0].data as unknown[]).toHaveLength(10);
		expect((one((o as AnyRecord).yAxis).data as string[])[0]).toBe('类别14');
		expect(seriesOf(rankingBarOptions(many, { limit: 3 }))[0].data as unknown[]).toHaveLength(3);
	});

	it('empty input gives an empty chart with 暂无数据', () => {
		const o = rankingBarOptions([]);
		expect(one((o as AnyRecord).yAxis).data).toEqual([]);
		expect(seriesOf(o)[0].data).toEqual([]);
		expect((asArray((o as AnyRecord).graphic)[0].style as AnyRecord).text).toBe('暂无数据');
	});
});

describe('helpers', () => {
	it('sortRanked sorts without mutating', () => {
		const a: RankedItem[] = [
			{ code: 'b', name: 'B', count: 1, share: 0 },
			{ code: 'a', name: 'A', count: 2, share: 0 }
		];
		expect(sortRanked(a).map((i) => i.code)).toEqual(['a', 'b']);
		expect(a[0].code).toBe('b');
	});
	it('rankingChartHeight grows with the number of rows, with a floor', () => {
		expect(rankingChartHeight(0)).toBe(160);
		expect(rankingChartHeight(10)).toBe(324);
	});
	it('escapeHtml', () => {
		expect(escapeHtml(`a&b<c>"d'`)).toBe('a&amp;b&lt;c&gt;&quot;d&#39;');
	});
});
