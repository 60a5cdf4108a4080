import { describe, expect, it } from 'vitest';
import { ABOVE_COLOUR, alertBandOptions, bandSide, bucketKey, type AlertBandPoint } from './alert-band';
import { formatShanghaiTime } from './format';

type AnyRecord = Record<string, unknown>;
const asArray = (v: unknown): AnyRecord[] => (Array.isArray(v) ? v : [v]) as AnyRecord[];
const seriesOf = (o: unknown) => asArray((o as AnyRecord).series);
const formatterOf = (o: unknown) => ((o as AnyRecord).tooltip as AnyRecord).formatter as (p: unknown) => string;

// 2026-11-29 06:00 … 10:00 in Shanghai (UTC+8), given out of order
const hourly: AlertBandPoint[] = [
	{ t: '2026-11-28T23:00:00.000Z', observed: 3, expected: 2.04, lower: 0, upper: 5.6 },
	{ t: '2026-11-28T22:00:00.000Z', observed: 1, expected: 2, lower: 0.3, upper: 5 },
	{ t: '2026-11-29T00:00:00.000Z', observed: 23, expected: 4.1, lower: 0.5, upper: 8.26 },
	{ t: '2026-11-29T01:00:00.000Z', observed: 30, expected: 4.5, lower: -0.5, upper: 9 },
	{ t: '2026-11-29T02:00:00.000Z', observed: 0, expected: 4, lower: 1, upper: 9 }
];

describe('bucketKey and formatShanghaiTime', () => {
	it('use Asia/Shanghai wall time', () => {
		expect(bucketKey('2026-11-28T22:30:00.000Z', 'hour')).toBe('2026-11-29 06:00');
		expect(bucketKey('2026-11-28T16:00:00.000Z', 'day')).toBe('2026-11-29');
		expect(bucketKey('2026-11-28T15:59:59.000Z', 'day')).toBe('2026-11-28');
		expect(formatShanghaiTime('2026-11-29T00:05:00.000Z')).toBe('2026-11-29 08:05');
		expect(formatShanghaiTime(null)).toBe('—');
	});
});

describe('bandSide', () => {
	it('tells above, below and inside (edges inside)', () => {
		expect(bandSide({ observed: 9, lower: 1, upper: 8 })).toBe(1);
		expect(bandSide({ observed: 0, lower: 1, upper: 8 })).toBe(-1);
		expect(bandSide({ observed: 8, lower: 1, upper: 8 })).toBe(0);
		expect(bandSide({ observed: 1, lower: 1, upper: 8 })).toBe(0);
	});
});

describe('alertBandOptions', () => {
	const o = alertBandOptions({ bucket: 'hour', points: hourly, onset: '2026-11-29T00:00:00.000Z', last: '2026-11-29T01:00:00.000Z' });
	const [lowS, widthS, expectedS, observedS] = seriesOf(o);

	it('puts the hours in order on the x axis, in Shanghai time', () => {
		const x = o.xAxis as AnyRecord;
		expect(x.data).toEqual(['2026-11-29 06:00', '2026-11-29 07:00', '2026-11-29 08:00', '2026-11-29 09:00', '2026-11-29 10:00']);
		expect(((x.axisLabel as AnyRecord).formatter as (v: string) => string)('2026-11-29 08:00')).toBe('11-29 08时');
	});

	it('draws the band as lower (clamped at 0) plus the stacked width', () => {
		expect(lowS.stack).toBe('band');
		expect(widthS.stack).toBe('band');
		expect(lowS.data).toEqual([0.3, 0, 0.5, 0, 1]);
		expect(widthS.data).toEqual([4.7, 5.6, 7.8, 9, 8]);
		expect((lowS.areaStyle as AnyRecord).opacity).toBe(0);
		expect((widthS.areaStyle as AnyRecord).color).toBeTruthy();
	});

	it('draws the expected line and the observed bars, red above the band', () => {
		expect(expectedS.type).toBe('line');
		expect(expectedS.data).toEqual([2, 2, 4.1, 4.5, 4]);
		expect(observedS.type).toBe('bar');
		const d = observedS.data as unknown[];
		expect(d[0]).toBe(1);
		expect(d[2]).toEqual({ value: 23, itemStyle: { color: ABOVE_COLOUR } });
		expect(d[3]).toEqual({ value: 30, itemStyle: { color: ABOVE_COLOUR } });
		expect(d[4]).toBe(0);
	});

	it('marks the onset and shades the episode', () => {
		const ml = observedS.markLine as AnyRecord;
		expect(ml.data).toEqual([{ xAxis: '2026-11-29 08:00' }]);
		expect((ml.label as AnyRecord).formatter).toBe('异常开始');
		const ma = observedS.markArea as AnyRecord;
		expect(ma.data).toEqual([[{ xAxis: '2026-11-29 08:00' }, { xAxis: '2026-11-29 09:00' }]]);
	});

	it('leaves the marks out when the onset is outside the points', () => {
		const o2 = alertBandOptions({ bucket: 'hour', points: hourly, onset: '2026-11-20T00:00:00.000Z' });
		const s = seriesOf(o2)[3];
		expect(s.markLine).toBeUndefined();
		expect(s.markArea).toBeUndefined();
	});

	it('explains a bucket in the tooltip', () => {
		const text = formatterOf(o)([{ dataIndex: 2 }]);
		expect(text).toContain('2026-11-29 08:00–08:59');
		expect(text).toContain('实际：23 件');
		expect(text).toContain('预期：4.1 件（正常范围 0.5–8.3）');
		expect(text).toContain('高于正常范围');
		expect(text).toContain('异常开始');
		expect(formatterOf(o)([{ dataIndex: 0 }])).not.toContain('正常范围）<br/>高于');
	});

	it('uses days for a daily series', () => {
		const daily = alertBandOptions({
			bucket: 'day',
			points: [
				{ t: '2026-11-27T16:00:00.000Z', observed: 5, expected: 4, lower: 1, upper: 8 },
				{ t: '2026-11-28T16:00:00.000Z', observed: 40, expected: 4, lower: 1, upper: 8 }
			],
			onset: '2026-11-28T16:00:00.000Z'
		});
		const x = daily.xAxis as AnyRecord;
		expect(x.data).toEqual(['2026-11-28', '2026-11-29']);
		expect(((x.axisLabel as AnyRecord).formatter as (v: string) => string)('2026-11-29')).toBe('11-29');
		expect(formatterOf(daily)([{ dataIndex: 1 }])).toContain('<strong>2026-11-29</strong>');
	});

	it('draws nothing wrong for no points', () => {
		const e = alertBandOptions({ bucket: 'hour', points: [] });
		expect((e.xAxis as AnyRecord).data).toEqual([]);
		expect(seriesOf(e)[3].data).toEqual([]);
	});
});
