import { districtLabels, districtShapes } from '$lib/server/geo';
import { readMap, readOverview } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** 大屏: the overview and the map for a wall, refreshed by the page itself (it re-runs this load). */
export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, '/wall');
	const a = await app();
	const [overview, map] = await Promise.all([readOverview(a, url), readMap(a, url)]);
	return {
		overview: overview.data,
		map: map.data,
		problems: overview.problems,
		shapes: districtShapes(a.ref, 800, 640),
		labels: districtLabels(a.ref, 800, 640),
		mapSize: { width: 800, height: 640 },
		city: a.ref.cityName
	};
};
