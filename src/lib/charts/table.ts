// A chart's numbers as a table, for screen readers (Chart.svelte draws it visually hidden under the canvas, which
// they cannot read): one row per category of the category axis (a day, a district), one column per named series.
// A band drawn as two stacked series of one name (a lower edge and the width above it) is one column, low–high.
import type { EChartsOption } from 'echarts';
import { formatCount } from './format';

export interface ChartTable {
	/** the category axis' name (日期, 名称), then the series' names */
	columns: string[];
	rows: string[][];
}

type Raw = unknown;
const first = <T>(x: T | T[] | undefined): T | undefined => (Array.isArray(x) ? x[0] : x);
const valueOf = (d: Raw): number | null => {
	const v = d !== null && typeof d === 'object' && 'value' in d ? (d as { value: unknown }).value : d;
	return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
const cell = (v: number | null): string => (v === null ? '—' : Number.isInteger(v) ? formatCount(v) : v.toLocaleString('zh-CN', { maximumFractionDigits: 1 }));

/** The table of an option with a category axis and named series of values; null when it has none. */
export function chartTable(option: EChartsOption | null): ChartTable | null {
	if (!option) return null;
	const axes = [first(option.xAxis as Raw[] | Raw), first(option.yAxis as Raw[] | Raw)] as ({ type?: string; data?: Raw[]; name?: unknown } | undefined)[];
	const axis = axes.find((a) => a && a.type === 'category' && Array.isArray(a.data));
	if (!axis?.data) return null;
	const categories = axis.data.map((c) => String(c !== null && typeof c === 'object' && 'value' in c ? (c as { value: unknown }).value : c));
	const series = ((Array.isArray(option.series) ? option.series : option.series ? [option.series] : []) as { name?: unknown; data?: unknown; stack?: unknown }[]).filter(
		(s) => typeof s.name === 'string' && Array.isArray(s.data)
	);
	const columns: { name: string; cell: (i: number) => string }[] = [];
	for (const s of series) {
		const name = s.name as string;
		const data = s.data as Raw[];
		const same = columns.find((c) => c.name === name);
		const lower = series.find((o) => o !== s && o.name === name && o.stack !== undefined && o.stack === s.stack);
		if (same) continue;
		if (lower && series.indexOf(lower) > series.indexOf(s)) {
			// a band: this series is the lower edge, the next one of the name the width above it
			const width = lower.data as Raw[];
			columns.push({
				name,
				cell: (i) => {
					const a = valueOf(data[i]);
					const w = valueOf(width[i]);
					return a === null || w === null ? '—' : `${cell(a)}–${cell(Math.round((a + w) * 10) / 10)}`;
				}
			});
		} else columns.push({ name, cell: (i) => cell(valueOf(data[i])) });
	}
	if (!columns.length) return null;
	return {
		// the axis' own name where it has one; else a day axis (the charts' x categories) or names
		columns: [typeof axis.name === 'string' && axis.name ? axis.name : axis === axes[0] ? '日期' : '名称', ...columns.map((c) => c.name)],
		rows: categories.map((c, i) => [c, ...columns.map((col) => col.cell(i))])
	};
}
