import { districtLabels, districtShapes } from '$lib/server/geo';
import { readWall } from '$lib/server/analytics/service';
import { app } from '$lib/server/app';
import { alertMarkers } from '$lib/server/alerts/read';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** 大屏: the overview and the map for a wall, refreshed by the page itself (it re-runs this load). */
export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, '/wall');
	const a = await app();
	// one filter for every panel: the overview and the map never show two periods side by side
	const [wall, alerts] = await Promise.all([readWall(a, url), alertMarkers(a, 800, 640)]);
	return {
		overview: wall.data.overview,
		map: wall.data.map,
		problems: wall.problems,
		shapes: districtShapes(a.ref, 800, 640),
		labels: districtLabels(a.ref, 800, 640),
		mapSize: { width: 800, height: 640 },
		// open alerts on the map (a wall is not clicked: no links)
		alerts: alerts.map((m) => ({ ...m, href: undefined })),
		city: a.ref.cityName
	};
};
