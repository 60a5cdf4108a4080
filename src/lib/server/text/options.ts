// Choices of the filter controls (districts, categories, channels, types), from the reference data.
import type { Reference } from '$pipelines/reference/index';
import { CHANNELS, CHANNEL_LABELS, TICKET_TYPES } from '$pipelines/lifecycle/model';
import { FACT_FLAG_NAMES } from '$pipelines/ingest/flags';
import { UNPLACED } from '$lib/filter-url';

export interface FilterOptions {
	districts: { code: string; name: string }[];
	categories: { code: string; name: string; level: number }[];
	channels: { code: string; name: string }[];
	types: string[];
}

export function filterOptions(ref: Reference): FilterOptions {
	return {
		districts: [...ref.districtByCode.values()].map((d) => ({ code: d.code, name: d.name })),
		// level 1 and level 2: the choices stay readable; a level-3 code in the URL works as well
		categories: [...ref.categoryByCode.values()].filter((c) => c.level <= 2).map((c) => ({ code: c.code, name: c.name, level: c.level })),
		channels: CHANNELS.map((c) => ({ code: c, name: CHANNEL_LABELS[c] })),
		types: [...TICKET_TYPES]
	};
}

/** The streets (towns) of a district, for the street choice once a district is chosen (none without one). */
export function streetOptions(ref: Reference, district: string | null | undefined): { code: string; name: string }[] {
	return district ? ref.streets.filter((s) => s.districtCode === district).map((s) => ({ code: s.code, name: s.name })) : [];
}

/** The ingest's data-quality flags, for 检索's 数据质量 choice. */
export function flagOptions(): { code: string; name: string }[] {
	return Object.entries(FACT_FLAG_NAMES).map(([code, name]) => ({ code, name }));
}

/**
 * 检索's choices: the filters' (filterOptions), the chosen district's streets, each with a last choice for the tickets
 * placed in none (UNPLACED: the map's 未定位到区县 and 未定位到街道（镇）), and the data-quality flags.
 */
export function searchOptions(ref: Reference, district: string | null | undefined) {
	const o = filterOptions(ref);
	const streets = streetOptions(ref, district);
	return {
		...o,
		districts: [...o.districts, { code: UNPLACED, name: '未定位到区县' }],
		streets: streets.length ? [...streets, { code: UNPLACED, name: '未定位到街道（镇）' }] : [],
		flags: flagOptions()
	};
}
