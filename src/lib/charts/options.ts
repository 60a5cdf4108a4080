// Pure ECharts option builders: data in, option object out. No DOM, no echarts runtime.
// Every chart in the app is built here so that look, wording and behaviour stay consistent and testable.

import type { DefaultLabelFormatterCallbackParams, EChartsOption, TooltipComponentFormatterCallbackParams } from 'echarts';
import type { DailyPoint, RankedItem } from '$lib/types';
import { defaultTheme, type ChartTheme } from './theme';
import { formatCount, formatDayLong, formatDayShort, formatDecimal, formatPercent, nextDay } from './format';

export const EMPTY_TEXT = '暂无数据';

/** Escape text from data (category, district names) before it goes into an HTML tooltip. */
export function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

export function baseTextStyle(theme: ChartTheme) {
	return { fontFamily: theme.fontFamily, fontSize: theme.fontSize, color: theme.text };
}

/** The tooltip box of every chart; its type is never below 13 px and grows with a wall theme. */
export function tooltipBox(theme: ChartTheme) {
	return {
		backgroundColor: theme.tooltipBackground,
		borderColor: theme.tooltipBorder,
		borderWidth: 1,
		textStyle: { color: theme.tooltipText, fontFamily: theme.fontFamily, fontSize: Math.max(13, theme.fontSize) },
		confine: true
	};
}

/** A centred "暂无数据" text for charts rendered without data. */
function emptyGraphic(theme: ChartTheme) {
	return [
		{
			type: 'text' as const,
			left: 'center',
			top: 'middle',
			silent: true,
			style: { text: EMPTY_TEXT, fill: theme.textMuted, fontSize: 14, fontFamily: theme.fontFamily }
		}
	];
}

/** The category axis of days (MM-DD labels, overlapping ones hidden) that every daily chart uses. */
export function dayAxis(days: string[], theme: ChartTheme, fontSize?: number) {
	return {
		type: 'category' as const,
		boundaryGap: false,
		data: days,
		axisLine: { lineStyle: { color: theme.axisLine } },
		axisTick: { show: false },
		axisLabel: { color: theme.textMuted, fontSize, formatter: (v: string) => formatDayShort(v), hideOverlap: true }
	};
}

// ---------------------------------------------------------------------------------------------------------
// Daily trend

/** The plot area of the time charts (trend, baseline trend, alert band): room for the legend above. */
export const TIME_GRID = { left: 8, right: 16, top: 36, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' } as const;

/**
 * What the time charts (trend, baseline trend, alert band) share: the text, the legend of `legend` above on the
 * right, the plot area and a tooltip for the whole time point.
 */
export function timeChartFrame(theme: ChartTheme, legend: string[], formatter: (p: TooltipComponentFormatterCallbackParams) => string) {
	return {
		textStyle: baseTextStyle(theme),
		aria: { enabled: true },
		legend: { top: 0, right: 0, data: legend, textStyle: { color: theme.text, fontSize: theme.fontSize }, itemWidth: 18, itemHeight: 10 },
		grid: TIME_GRID,
		tooltip: { ...tooltipBox(theme), trigger: 'axis' as const, formatter }
	};
}

/** A count axis from 0 in whole numbers, named by its unit (件). */
export function countAxis(unit: string, theme: ChartTheme, fontSize?: number) {
	return {
		type: 'value' as const,
		name: unit,
		min: 0,
		minInterval: 1,
		nameTextStyle: { color: theme.textMuted, align: 'right' as const },
		axisLabel: { color: theme.textMuted, fontSize, formatter: (v: number) => formatCount(v) },
		splitLine: { lineStyle: { color: theme.splitLine } }
	};
}

/** The normal band as two stacked lines: an invisible lower edge, then the band's width filled (legend 正常范围). */
export function bandSeries(lower: (number | null)[], width: (number | null)[], theme: ChartTheme) {
	const edge = { type: 'line' as const, name: '正常范围', stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, silent: true };
	return [
		{ ...edge, data: lower, areaStyle: { opacity: 0 }, tooltip: { show: false } },
		{ ...edge, data: width, areaStyle: { color: theme.primaryArea }, itemStyle: { color: theme.primaryArea } }
	];
}

/**
 * Sort daily points by day, add up duplicate days and fill missing calendar days with 0 (a day without a row
 * is a day without tickets), so the x axis is a continuous calendar.
 */
export function normalizeDaily(points: DailyPoint[]): DailyPoint[] {
	if (points.length === 0) return [];
	const byDay = new Map<string, number>();
	for (const p of points) byDay.set(p.day, (byDay.get(p.day) ?? 0) + p.count);
	const days = [...byDay.keys()].sort();
	const first = days[0];
	const last = days[days.length - 1];
	const out: DailyPoint[] = [];
	// Guard against absurd spans (bad input) turning into millions of rows.
	for (let day = first, guard = 0; day <= last && guard < 20_000; day = nextDay(day), guard++) {
		out.push({ day, count: byDay.get(day) ?? 0 });
	}
	return out;
}

/**
 * Trailing moving average over `window` values, rounded to one decimal; null where fewer than `window`
 * values are available (the first window-1 days).
 */
export function movingAverage(values: number[], window: number): (number | null)[] {
	if (!Number.isInteger(window) || window < 1) throw new Error(`移动平均窗口无效：${window}`);
	const out: (number | null)[] = [];
	let sum = 0;
	for (let i = 0; i < values.length; i++) {
		sum += values[i];
		if (i >= window) sum -= values[i - window];
		out.push(i >= window - 1 ? Math.round((sum / window) * 10) / 10 : null);
	}
	return out;
}

export interface TrendOptionsInput {
	theme?: ChartTheme;
	/** Days in the moving average; default 7. 0 turns the line off. */
	movingAverageWindow?: number;
	/** Name of the volume series; default 工单量. */
	seriesName?: string;
	/** Unit after numbers; default 件. */
	unit?: string;
	/** Shade the area under the volume line; default true. */
	area?: boolean;
}

/** The fields of ECharts' callback params the formatters read (tests pass plain objects of this shape). */
interface AxisTooltipParam {
	seriesName?: string;
	value?: unknown;
	axisValue?: string | number;
	marker?: unknown;
	dataIndex?: number;
}

export function trendOptions(points: DailyPoint[], opts: TrendOptionsInput = {}): EChartsOption {
	const theme = opts.theme ?? defaultTheme;
	const window = opts.movingAverageWindow ?? 7;
	const seriesName = opts.seriesName ?? '工单量';
	const unit = opts.unit ?? '件';
	const maName = `${window}日移动平均`;

	const daily = normalizeDaily(points);
	const days = daily.map((p) => p.day);
	const counts = daily.map((p) => p.count);
	const ma = window > 0 ? movingAverage(counts, window) : [];

	const series: NonNullable<EChartsOption['series']> = [
		{
			type: 'line',
			name: seriesName,
			data: counts,
			symbol: 'circle',
			symbolSize: 4,
			showSymbol: daily.length <= 31,
			lineStyle: { width: 2, color: theme.primary },
			itemStyle: { color: theme.primary },
			areaStyle: opts.area === false ? undefined : { color: theme.primaryArea },
			emphasis: { focus: 'series' }
		}
	];
	if (window > 0) {
		series.push({
			type: 'line',
			name: maName,
			data: ma,
			symbol: 'none',
			smooth: true,
			connectNulls: false,
			lineStyle: { width: 2, type: 'dashed', color: theme.secondary },
			itemStyle: { color: theme.secondary }
		});
	}

	const tooltipFormatter = (raw: TooltipComponentFormatterCallbackParams): string => {
		const params: AxisTooltipParam[] = Array.isArray(raw) ? raw : [raw];
		if (params.length === 0) return '';
		const idx = params[0].dataIndex ?? 0;
		const day = days[idx] ?? String(params[0].axisValue ?? '');
		const lines = [`<strong>${escapeHtml(formatDayLong(day))}</strong>`];
		for (const p of params) {
			const v = typeof p.value === 'number' ? p.value : null;
			const isMa = p.seriesName === maName;
			const text = v === null ? (isMa ? `不足${window}天` : '—') : `${isMa ? formatDecimal(v) : formatCount(v)} ${unit}`;
			lines.push(`${typeof p.marker === 'string' ? p.marker : ''}${escapeHtml(p.seriesName ?? '')}：${text}`);
		}
		return lines.join('<br/>');
	};

	const frame = timeChartFrame(theme, window > 0 ? [seriesName, maName] : [seriesName], tooltipFormatter);
	return {
		animationDuration: 400,
		color: theme.palette,
		...frame,
		tooltip: { ...frame.tooltip, axisPointer: { type: 'line', lineStyle: { color: theme.axisLine } } },
		xAxis: dayAxis(days, theme),
		yAxis: countAxis(unit, theme),
		series,
		graphic: daily.length === 0 ? emptyGraphic(theme) : []
	};
}

// ---------------------------------------------------------------------------------------------------------
// Ranking bars

export interface RankingBarOptionsInput {
	theme?: ChartTheme;
	/** Show at most this many items (largest first); default 10. */
	limit?: number;
	seriesName?: string;
	unit?: string;
	/** Colour of the bars; default theme.primary. */
	color?: string;
}

export interface RankingBarDatum {
	value: number;
	name: string;
	code: string;
	share: number;
}

/** Largest count first; ties by code so the order is stable. */
export function sortRanked(items: RankedItem[], limit = Infinity): RankedItem[] {
	return [...items].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)).slice(0, Math.max(0, limit));
}

/** Canvas height that gives each bar a readable row. */
export function rankingChartHeight(itemCount: number, rowHeight = 30): number {
	return Math.max(160, Math.min(itemCount, 20) * rowHeight + 24);
}

export function rankingLabel(d: Pick<RankingBarDatum, 'value' | 'share'>, unit = '件'): string {
	return `${formatCount(d.value)} ${unit} · ${formatPercent(d.share)}`;
}

export function rankingBarOptions(items: RankedItem[], opts: RankingBarOptionsInput = {}): EChartsOption {
	const theme = opts.theme ?? defaultTheme;
	const unit = opts.unit ?? '件';
	const seriesName = opts.seriesName ?? '工单量';
	const ranked = sortRanked(items, opts.limit ?? 10);
	// sizes follow the theme's type size (12 px on screens, larger on a wall)
	const k = theme.fontSize / 12;
	const data: RankingBarDatum[] = ranked.map((i) => ({
		value: i.count,
		name: i.name,
		code: i.code,
		share: i.share
	}));

	const datumOf = (p: DefaultLabelFormatterCallbackParams | DefaultLabelFormatterCallbackParams[]) =>
		(Array.isArray(p) ? p[0] : p)?.data as RankingBarDatum | undefined;
	const labelFormatter = (p: DefaultLabelFormatterCallbackParams): string => {
		const d = datumOf(p);
		return d ? rankingLabel(d, unit) : '';
	};
	const tooltipFormatter = (p: TooltipComponentFormatterCallbackParams): string => {
		const d = datumOf(p);
		if (!d) return '';
		return [
			`<strong>${escapeHtml(d.name)}</strong>`,
			`${escapeHtml(seriesName)}：${formatCount(d.value)} ${unit}`,
			`占比：${formatPercent(d.share)}`
		].join('<br/>');
	};

	return {
		animationDuration: 400,
		color: theme.palette,
		textStyle: baseTextStyle(theme),
		aria: { enabled: true },
		grid: { left: 8, right: Math.round(110 * k), top: 4, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
		tooltip: { ...tooltipBox(theme), trigger: 'item', formatter: tooltipFormatter },
		xAxis: { type: 'value', show: false, min: 0 },
		yAxis: {
			type: 'category',
			// First item at the top.
			inverse: true,
			data: data.map((d) => d.name),
			axisLine: { show: false },
			axisTick: { show: false },
			axisLabel: { color: theme.text, width: Math.round(110 * k), overflow: 'truncate', fontSize: Math.round(13 * k) }
		},
		series: [
			{
				type: 'bar',
				name: seriesName,
				data,
				barMaxWidth: Math.round(18 * k),
				itemStyle: { color: opts.color ?? theme.primary, borderRadius: [0, 3, 3, 0] },
				label: {
					show: true,
					position: 'right',
					color: theme.text,
					formatter: labelFormatter
				},
				emphasis: { focus: 'self' }
			}
		],
		graphic: data.length === 0 ? emptyGraphic(theme) : []
	};
}
