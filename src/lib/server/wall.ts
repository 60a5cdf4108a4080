// 大屏: what the wall shows and refreshes — the overview and the map for one filter, and the open alerts on the
// map — for its first render (the page's load) and for each refresh (GET /api/v1/dashboard/wall).
import type { WallData } from '$lib/types';
import { alertMarkers } from './alerts/read';
import { parsePlaceCategory } from './analytics/filters';
import { readWall, type DashboardRead } from './analytics/service';
import type { App } from './app';

/** The wall map's box; the shapes and the alert markers are projected into it on the server. */
export const WALL_MAP = { width: 800, height: 640 } as const;

export async function wallData(a: App, url: URL): Promise<Omit<DashboardRead<WallData>, 'filter'>> {
	// the markers of the wall's district and category (its filter's problems are the wall read's)
	const [wall, alerts] = await Promise.all([readWall(a, url), alertMarkers(a, WALL_MAP.width, WALL_MAP.height, parsePlaceCategory(url.searchParams, a.ref))]);
	// a wall is not clicked: the markers carry no links
	return { problems: wall.problems, refusals: wall.refusals, data: { ...wall.data, alerts: alerts.map((m) => ({ ...m, href: undefined })) } };
}
