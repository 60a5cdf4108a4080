// An alert's series: the observed count per bucket (bars, red above the band) against the expected line and the
// normal band [lower, upper] (a transparent lower area with the band's width stacked on it, as in
// baseline-trend.ts), with the episode's onset marked. Hourly or daily buckets; times in Asia/Shanghai. Pure:
// an ECharts option.
import type { EChartsOption, TooltipComponentFormatterCallbackParams } from 'echarts';
import { formatCount, formatDecimal, shanghaiMinute } from './format';
import { bandSeries, countAxis, dayAxis, escapeHtml, timeChartFrame } from './options';
import { defaultTheme, type ChartTheme } from './theme';

export interface AlertBandPoint {
	/** ISO instant of the bucket's start */
	t: string;
	observed: number;
	expected: number;
	lower: number;
	upper: number;
	score?: number;
}

export interface AlertBandInput {
	bucket: 'hour' | 'day';
	points: AlertBandPoint[];
	/** ISO instant of the episode's first anomalous bucket */
	onset?: string | null;
	/** ISO instant of the episode's last anomalous bucket */
	last?: string | null;
	theme?: ChartTheme;
	unit?: string;
}

export const ABOVE_COLOUR = '#d64545';
/** The bucket's axis key: "2026-11-29 08:00" (hour) or "2026-11-29" (day), in Asia/Shanghai. */
export function bucketKey(iso: string, bucket: 'hour' | 'day'): string {
	const ms = Date.parse(iso);
	const s = Number.isNaN(ms) ? iso : shanghaiMinute(ms);
	return bucket === 'day' ? s.slice(0, 10) : `${s.slice(0, 13).replace('T', ' ')}:00`;
}

/** Buckets above the band (+1), below it (−1) or inside (0). */
export function bandSide(p: Pick<AlertBandPoint, 'observed' | 'lower' | 'upper'>): -1 | 0 | 1 {
	if (p.observed > p.upper) return 1;
	if (p.observed < p.lower) return -1;
	return 0;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** "11-29 08时" for an hourly key; daily keys go through dayAxis's own MM-DD formatter. */
function hourLabel(key: string): string {
	return `${key.slice(5, 10)} ${key.slice(11, 13)}时`;
}

export function alertBandOptions(input: AlertBandInput): EChartsOption {
	const theme = input.theme ?? defaultTheme;
	const unit = input.unit ?? '件';
	const bucket = input.bucket;
	const points = [...input.points].sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
	const keys = points.map((p) => bucketKey(p.t, bucket));
	const lower = points.map((p) => round1(Math.max(0, p.lower)));
	const width = points.map((p, i) => round1(Math.max(0, p.upper - lower[i])));
	const expected = points.map((p) => round1(p.expected));
	const observed = points.map((p) => (bandSide(p) > 0 ? { value: p.observed, itemStyle: { color: ABOVE_COLOUR } } : p.observed));
	const onsetKey = input.onset ? bucketKey(input.onset, bucket) : null;
	const lastKey = input.last ? bucketKey(input.last, bucket) : null;
	const onsetShown = onsetKey !== null && keys.includes(onsetKey);

	const axis = dayAxis(keys, theme, theme.fontSize);
	const xAxis = {
		...axis,
		boundaryGap: true,
		axisLabel: bucket === 'hour' ? { ...axis.axisLabel, formatter: (v: string) => hourLabel(v) } : axis.axisLabel
	};

	const tooltip = (raw: TooltipComponentFormatterCallbackParams): string => {
		const params = Array.isArray(raw) ? raw : [raw];
		const i = params[0]?.dataIndex ?? 0;
		const p = points[i];
		if (!p) return '';
		const side = bandSide(p);
		const lines = [
			`<strong>${escapeHtml(bucket === 'hour' ? `${keys[i]}–${keys[i].slice(11, 13)}:59` : keys[i])}</strong>`,
			`实际：${formatCount(p.observed)} ${unit}`,
			`预期：${formatDecimal(p.expected)} ${unit}（正常范围 ${formatDecimal(Math.max(0, p.lower))}–${formatDecimal(p.upper)}）`
		];
		if (side) lines.push(side > 0 ? '高于正常范围' : '低于正常范围');
		if (keys[i] === onsetKey) lines.push('异常开始');
		return lines.join('<br/>');
	};

	const markArea =
		onsetShown && lastKey
			? {
					silent: true,
					itemStyle: { color: 'rgba(214, 69, 69, 0.07)' },
					data: [
						[{ xAxis: onsetKey }, { xAxis: keys.includes(lastKey) ? lastKey : keys[keys.length - 1] }] as [
							{ xAxis: string },
							{ xAxis: string }
						]
					]
				}
			: undefined;
	const markLine = onsetShown
		? {
				silent: true,
				symbol: 'none',
				lineStyle: { color: ABOVE_COLOUR, type: 'solid' as const, width: 1.5 },
				label: { formatter: '异常开始', color: ABOVE_COLOUR, position: 'insideEndTop' as const },
				data: [{ xAxis: onsetKey }]
			}
		: undefined;

	return {
		animationDuration: 300,
		...timeChartFrame(theme, ['实际', '预期', '正常范围'], tooltip),
		xAxis,
		yAxis: countAxis(unit, theme, theme.fontSize),
		series: [
			...bandSeries(lower, width, theme),
			{
				type: 'line',
				name: '预期',
				data: expected,
				symbol: 'none',
				lineStyle: { width: 1.5, type: 'dashed', color: theme.secondary },
				itemStyle: { color: theme.secondary }
			},
			{
				type: 'bar',
				name: '实际',
				data: observed,
				barMaxWidth: 18,
				itemStyle: { color: theme.primary },
				markLine,
				markArea
			}
		]
	};
}
