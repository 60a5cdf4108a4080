// Choices of the filter controls (districts, categories, channels, types), from the reference data.
import type { Reference } from '$pipelines/reference/index';
import { CHANNELS, CHANNEL_LABELS, TICKET_TYPES } from '$pipelines/lifecycle/model';
import { FACT_FLAG_NAMES } from '$pipelines/ingest/flags';

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
