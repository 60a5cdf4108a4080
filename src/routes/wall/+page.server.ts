import { districtLabels, districtShapes } from '$lib/server/geo';
import { app } from '$lib/server/app';
import { filterNames } from '$lib/server/analytics/filters';
import { requireScreen } from '$lib/server/guard';
import { WALL_MAP, wallData } from '$lib/server/wall';
import type { PageServerLoad } from './$types';

/** 大屏: the overview and the map for a wall; the page refreshes the figures from GET /api/v1/dashboard/wall. */
export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, '/wall');
	const a = await app();
	const { problems, data } = await wallData(a, url);
	return {
		...data,
		problems,
		/** what the filter narrows to, by name (the refreshes keep the filter) */
		filterNames: filterNames(data.overview.filter, a.ref),
		shapes: districtShapes(a.ref, WALL_MAP.width, WALL_MAP.height),
		labels: districtLabels(a.ref, WALL_MAP.width, WALL_MAP.height),
		mapSize: WALL_MAP,
		city: a.ref.cityName
	};
};
