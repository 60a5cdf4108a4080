// The one place that touches the ECharts runtime. A Svelte action owns one chart instance per element:
//
//   <div use:chart={options}></div>
//   <div use:chart={{ option: options, onClick: (p) => drill(p.name) }}></div>
//
// ECharts is imported lazily in the browser only (actions never run during SSR), so pages render on the
// server without it and the library lands in its own client chunk.

import type { Action } from 'svelte/action';
import type { ECElementEvent, EChartsOption, EChartsType } from 'echarts';

export type ChartClickParams = ECElementEvent;
export type ChartClickHandler = (params: ChartClickParams) => void;
/** Where an element of a chart leads: from its index on the category axis and its datum (the first series' in a table row); null for nowhere. */
export type ChartDrill = (point: { dataIndex: number; data: unknown }) => string | null;

export interface ChartConfig {
	option: EChartsOption;
	/** Called with ECharts' click params (seriesName, name, value, data, dataIndex, …) for drill-down. */
	onClick?: ChartClickHandler;
	/** Called when ECharts cannot be loaded or the option is rejected. */
	onError?: (error: unknown) => void;
	renderer?: 'canvas' | 'svg';
}

export type ChartParam = EChartsOption | ChartConfig;

function toConfig(param: ChartParam): ChartConfig {
	// EChartsOption has no top-level `option` key, so its presence marks the config form.
	return param && typeof param === 'object' && 'option' in param ? (param as ChartConfig) : { option: param as EChartsOption };
}

function prefersReducedMotion(): boolean {
	return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}

function withMotion(option: EChartsOption): EChartsOption {
	return prefersReducedMotion() ? { ...option, animation: false } : option;
}

export const chart: Action<HTMLElement, ChartParam> = (node, param) => {
	let config = toConfig(param);
	let instance: EChartsType | null = null;
	let observer: ResizeObserver | null = null;
	let destroyed = false;

	function report(error: unknown) {
		if (config.onError) config.onError(error);
		else console.error('[chart]', error);
	}

	function apply() {
		if (!instance) return;
		try {
			// notMerge: the option is the whole truth, series removed from it disappear.
			instance.setOption(withMotion(config.option), true);
		} catch (error) {
			report(error);
		}
	}

	async function mount() {
		if (typeof window === 'undefined') return;
		let echarts: typeof import('echarts');
		try {
			echarts = await import('echarts');
		} catch (error) {
			if (!destroyed) report(error);
			return;
		}
		// The element may have been removed while the import was in flight.
		if (destroyed || !node.isConnected) return;
		instance = echarts.init(node, undefined, { renderer: config.renderer ?? 'canvas', locale: 'ZH' });
		// One stable listener that always calls the latest handler, so updates need no re-binding.
		instance.on('click', (params) => config.onClick?.(params as ECElementEvent));
		apply();
		if (typeof ResizeObserver !== 'undefined') {
			let frame = 0;
			observer = new ResizeObserver(() => {
				cancelAnimationFrame(frame);
				frame = requestAnimationFrame(() => instance?.resize());
			});
			observer.observe(node);
		}
	}

	void mount();

	return {
		update(next: ChartParam) {
			config = toConfig(next);
			apply(); // before the import resolves this is a no-op; mount() applies the latest config
		},
		destroy() {
			destroyed = true;
			observer?.disconnect();
			observer = null;
			instance?.dispose();
			instance = null;
		}
	};
};
