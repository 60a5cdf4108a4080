// Daily volume against its seasonal baseline: the count line, the expected line and the normal band (the
// band is drawn as a transparent lower area with the band's width stacked on it). Pure: an ECharts option.
import type { EChartsOption, TooltipComponentFormatterCallbackParams } from 'echarts';
import type { BaselinePoint, VolumeCard } from '$lib/types';
import { formatCount, formatDayLong } from './format';
import { bandSeries, countAxis, dayAxis, escapeHtml, timeChartFrame } from './options';
import { defaultTheme, type ChartTheme } from './theme';

export interface BaselineTrendInput {
	theme?: ChartTheme;
	unit?: string;
}

/** Days outside their band: above (+1), below (−1), inside or without a baseline (0). */
export function outsideBand(p: BaselinePoint): -1 | 0 | 1 {
	if (p.high !== null && p.count > p.high) return 1;
	if (p.low !== null && p.count < p.low) return -1;
	return 0;
}

/**
 * A volume card's level against its normal band — the band the card shows, so a figure above it never reads
 * 处于常态: 'none' without a baseline.
 */
export function volumeLevel(v: Pick<VolumeCard, 'observed' | 'low' | 'high'>): 'high' | 'low' | 'normal' | 'none' {
	if (v.low === null || v.high === null) return 'none';
	const o = outsideBand({ day: '', count: v.observed, expected: null, low: v.low, high: v.high, kind: '' });
	return o > 0 ? 'high' : o < 0 ? 'low' : 'normal';
}

export function baselineTrendOptions(points: BaselinePoint[], opts: BaselineTrendInput = {}): EChartsOption {
	const theme = opts.theme ?? defaultTheme;
	const unit = opts.unit ?? '件';
	const days = points.map((p) => p.day);
	const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
	const low = points.map((p) => round(p.low));
	const width = points.map((p) => (p.low === null || p.high === null ? null : round(p.high - p.low)));
	const expected = points.map((p) => round(p.expected));
	const counts = points.map((p) => {
		const o = outsideBand(p);
		return o === 0 ? p.count : { value: p.count, itemStyle: { color: o > 0 ? '#d64545' : '#5b8def' }, symbolSize: 7 };
	});

	const tooltip = (raw: TooltipComponentFormatterCallbackParams): string => {
		const params = Array.isArray(raw) ? raw : [raw];
		const i = params[0]?.dataIndex ?? 0;
		const p = points[i];
		if (!p) return '';
		const lines = [`<strong>${escapeHtml(formatDayLong(p.day))}</strong> ${escapeHtml(p.kind)}`, `工单量：${formatCount(p.count)} ${unit}`];
		if (p.expected !== null) {
			lines.push(
				`常态：${formatCount(Math.round(p.expected))} ${unit}（正常范围 ${formatCount(Math.round(p.low ?? 0))}–${formatCount(Math.round(p.high ?? 0))}）`
			);
			const o = outsideBand(p);
			if (o) lines.push(o > 0 ? '高于正常范围' : '低于正常范围');
		} else lines.push('历史数据不足，无常态基线');
		return lines.join('<br/>');
	};

	return {
		animationDuration: 300,
		...timeChartFrame(theme, ['工单量', '常态', '正常范围'], tooltip),
		xAxis: dayAxis(days, theme, theme.fontSize),
		yAxis: countAxis(unit, theme, theme.fontSize),
		series: [
			...bandSeries(low, width, theme),
			{
				type: 'line',
				name: '常态',
				data: expected,
				symbol: 'none',
				smooth: true,
				lineStyle: { width: 1.5, type: 'dashed', color: theme.secondary },
				itemStyle: { color: theme.secondary }
			},
			{
				type: 'line',
				name: '工单量',
				data: counts,
				symbol: 'circle',
				symbolSize: 4,
				showSymbol: true,
				lineStyle: { width: 2, color: theme.primary },
				itemStyle: { color: theme.primary },
				emphasis: { focus: 'series' }
			}
		]
	};
}
