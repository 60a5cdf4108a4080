// District outlines as SVG paths, computed on the server (SSR-safe, no map library in the page): a planar
// projection of the city's GeoJSON (d3-geo geoIdentity with y reflected — at city scale the plane is exact
// enough, and it is immune to the ring-winding rules of spherical projections) fitted to a box.
import { geoIdentity, geoPath } from 'd3-geo';
import type { Reference } from '$pipelines/reference/index';

export interface DistrictShape {
	code: string;
	name: string;
	d: string;
}

const cache = new Map<string, DistrictShape[]>();

export function districtShapes(ref: Reference, width: number, height: number): DistrictShape[] {
	const key = `${width}x${height}`;
	const hit = cache.get(key);
	if (hit) return hit;
	const fc = ref.geojson as GeoJSON.FeatureCollection;
	const projection = geoIdentity().reflectY(true).fitSize([width, height], fc);
	const path = geoPath(projection);
	const shapes = fc.features.map((f) => {
		const code = String(f.id ?? (f.properties as { code?: string } | null)?.code);
		return { code, name: ref.districtByCode.get(code)?.name ?? code, d: path(f) ?? '' };
	});
	cache.set(key, shapes);
	return shapes;
}
