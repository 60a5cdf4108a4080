import { canSee } from '$lib/nav';
import { alertMarkers } from '$lib/server/alerts/read';
import { app } from '$lib/server/app';
import { readMap } from '$lib/server/analytics/service';
import { filterOptions } from '$lib/server/analytics/filters';
import { districtLabels, districtShapes, projectPoints } from '$lib/server/geo';
import { requireScreen } from '$lib/server/guard';
import { parseMetric } from '$lib/ui/map-scale';
import type { PageServerLoad } from './$types';

/** The map's box; the shapes, labels and points are projected into it on the server. */
const MAP_W = 640;
const MAP_H = 560;

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireScreen(locals, '/map');
	const a = await app();
	const { filter, problems, data } = await readMap(a, url);
	const { metric, problem } = parseMetric(url.searchParams.get('metric'));
	const { points, ...map } = data;
	// open alerts as markers; a role without the 预警 screen sees them without the link
	const linked = canSee(user.role, '/alerts');
	const alerts = (await alertMarkers(a, MAP_W, MAP_H, filter)).map((m) => (linked ? m : { ...m, href: undefined }));
	return {
		filter,
		problems: problem ? [...problems, problem] : problems,
		metric,
		map,
		points: projectPoints(a.ref, MAP_W, MAP_H, points),
		shapes: districtShapes(a.ref, MAP_W, MAP_H),
		labels: districtLabels(a.ref, MAP_W, MAP_H),
		box: { width: MAP_W, height: MAP_H },
		alerts,
		options: filterOptions(a.ref, filter)
	};
};
