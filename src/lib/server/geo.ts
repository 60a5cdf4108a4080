// District outlines as SVG paths, computed on the server (SSR-safe, no map library in the page): a planar
// projection of the city's GeoJSON (d3-geo geoIdentity with y reflected — at city scale the plane is exact
// enough, and it is immune to the ring-winding rules of spherical projections) fitted to a box.
import { geoIdentity, geoPath, type GeoStream } from 'd3-geo';
import { Geocoder } from '$pipelines/normalize/index';
import type { Reference } from '$pipelines/reference/index';
import type { TicketLocator } from '$lib/types';

/** A district feature's code: its id, or its `code` property. */
const featureCode = (f: GeoJSON.Feature) => String(f.id ?? (f.properties as { code?: string } | null)?.code);

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
		const code = featureCode(f);
		return { code, name: ref.districtByCode.get(code)?.name ?? code, d: path(f) ?? '' };
	});
	cache.set(key, shapes);
	return shapes;
}

// ---------------------------------------------------------------------------------------------------------
// The hotspot map (态势地图): label points of the districts and ticket points, in the same plane as the shapes.

type Projection = ReturnType<typeof geoIdentity>;
const projections = new WeakMap<Reference, Map<string, Projection>>();

/** The projection districtShapes uses for a box of width × height (the same fit, so points line up). */
export function mapProjection(ref: Reference, width: number, height: number): Projection {
	let byRef = projections.get(ref);
	if (!byRef) projections.set(ref, (byRef = new Map()));
	const key = `${width}x${height}`;
	let p = byRef.get(key);
	if (!p)
		byRef.set(
			key,
			(p = geoIdentity()
				.reflectY(true)
				.fitSize([width, height], ref.geojson as GeoJSON.FeatureCollection))
		);
	return p;
}

export interface DistrictLabel {
	code: string;
	name: string;
	/** where the name goes: the district's label point from the reference, else its outline's centroid */
	x: number;
	y: number;
	/** false: no outline in the GeoJSON (drawn as a marker at the label point) */
	hasShape: boolean;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Even–odd test of a point against the projected rings of a (multi)polygon. */
function insideRings(rings: [number, number][][], x: number, y: number): boolean {
	let inside = false;
	for (const ring of rings)
		for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
			const [xi, yi] = ring[i];
			const [xj, yj] = ring[j];
			if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
		}
	return inside;
}

function projectedRings(g: GeoJSON.Geometry | null, projection: Projection): [number, number][][] {
	if (!g) return [];
	const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
	return polys.flat().map((ring) => ring.map((pt) => (projection(pt as [number, number]) ?? [NaN, NaN]) as [number, number]));
}

function distanceToRings(rings: [number, number][][], x: number, y: number): number {
	let best = Infinity;
	for (const ring of rings)
		for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
			const [ax, ay] = ring[j];
			const [bx, by] = ring[i];
			const dx = bx - ax;
			const dy = by - ay;
			const len = dx * dx + dy * dy;
			const t = len ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len)) : 0;
			best = Math.min(best, Math.hypot(ax + t * dx - x, ay + t * dy - y));
		}
	return best;
}

/** How far (in the box's units) an outlined district's label keeps from the marker of a district without outline. */
const MARKER_GAP = 40;

/**
 * A label point for every district of the reference, outlined or not. A district without an outline gets its
 * reference point (the city configuration's `centers`), where its marker is drawn. An outlined district gets
 * the first of: the configured point, its outline's centroid, the GeoJSON's `cp` (often the seat of
 * government, which crowds the city centre) — that lies inside the outline and clear of the markers (苏州工业园区
 * lies inside 姑苏区's outline, right at its centroid); failing all, the inside point farthest from the
 * outline's edge among those clear of the markers. Districts with no point at all are left out.
 */
export function districtLabels(ref: Reference, width: number, height: number): DistrictLabel[] {
	const projection = mapProjection(ref, width, height);
	const path = geoPath(projection);
	const fc = ref.geojson as GeoJSON.FeatureCollection;
	const features = new Map(fc.features.map((f) => [featureCode(f), f]));
	const finite = (xy: [number, number] | null | undefined): xy is [number, number] =>
		!!xy && Number.isFinite(xy[0]) && Number.isFinite(xy[1]);
	const hasShape = (code: string) => {
		const f = features.get(code);
		return !!f && !!path(f);
	};
	const markers: [number, number][] = [];
	for (const d of ref.districts) if (!hasShape(d.code) && d.center) markers.push(projection(d.center) as [number, number]);
	const clear = ([x, y]: [number, number]) => markers.every(([mx, my]) => Math.hypot(mx - x, my - y) >= MARKER_GAP);

	const out: DistrictLabel[] = [];
	for (const d of ref.districts) {
		const f = features.get(d.code);
		let xy: [number, number] | null = null;
		if (!f || !hasShape(d.code)) {
			xy = d.center ? projection(d.center) : null;
		} else {
			const rings = projectedRings(f.geometry, projection);
			const configured = ref.city.centers[d.code];
			const candidates = [configured ? projection(configured) : null, path.centroid(f), d.center ? projection(d.center) : null].filter(
				finite
			);
			xy = candidates.find((c) => insideRings(rings, c[0], c[1]) && clear(c)) ?? null;
			if (!xy) {
				// the inside point (on a coarse grid) farthest from the edge, among those clear of the markers
				const [[x0, y0], [x1, y1]] = path.bounds(f);
				const step = Math.max(2, Math.min(x1 - x0, y1 - y0) / 40);
				let best = -1;
				for (let x = x0; x <= x1; x += step)
					for (let y = y0; y <= y1; y += step) {
						if (!insideRings(rings, x, y) || !clear([x, y])) continue;
						const dist = distanceToRings(rings, x, y);
						if (dist > best) [best, xy] = [dist, [x, y]];
					}
			}
			xy ??= candidates[0] ?? null;
		}
		if (!finite(xy)) continue;
		out.push({ code: d.code, name: d.name, x: round1(xy[0]), y: round1(xy[1]), hasShape: hasShape(d.code) });
	}
	return out;
}

/** Points (lon, lat in degrees) projected into the box; points that fall outside it (mis-geocoded) are dropped. */
export function projectPoints<T extends { lon: number; lat: number; n: number }>(
	ref: Reference,
	width: number,
	height: number,
	points: readonly T[]
): { x: number; y: number; n: number }[] {
	const projection = mapProjection(ref, width, height);
	const out: { x: number; y: number; n: number }[] = [];
	for (const p of points) {
		const xy = projection([p.lon, p.lat]);
		if (!xy || !(xy[0] >= 0 && xy[0] <= width && xy[1] >= 0 && xy[1] <= height)) continue;
		out.push({ x: round1(xy[0]), y: round1(xy[1]), n: p.n });
	}
	return out;
}

const geocoders = new WeakMap<Reference, Geocoder>();
/** One geocoder per city reference (the gazetteer trie is built once). */
export function geocoderFor(ref: Reference): Geocoder {
	let g = geocoders.get(ref);
	if (!g) geocoders.set(ref, (g = new Geocoder(ref)));
	return g;
}

// ---------------------------------------------------------------------------------------------------------
// 工单详情: a small locator map of one ticket — its district's outline (with the neighbours around it, clipped
// to the box), and a pin at the ticket's coordinates.


/** A path stream that drops a point closer than `eps` (in the box's units) to the last one it kept in its line. */
function thinned(eps: number, sink: GeoStream): GeoStream {
	let last: [number, number] | null = null;
	return {
		point(x, y) {
			if (last && Math.hypot(x - last[0], y - last[1]) < eps) return;
			last = [x, y];
			sink.point(x, y);
		},
		lineStart() {
			last = null;
			sink.lineStart();
		},
		lineEnd: () => sink.lineEnd(),
		polygonStart: () => sink.polygonStart(),
		polygonEnd: () => sink.polygonEnd(),
		sphere: () => sink.sphere?.()
	};
}

/**
 * The locator map of a ticket in a box of width × height: the projection is fitted to the ticket's district
 * (for a district without an outline, to the outline its label point lies in) and to the ticket's point when
 * that lies within the city's map — a point far from its district widens the view rather than leave the box.
 * Null without a district (nothing to show). The same planar projection as `districtShapes`, so outlines match
 * the other maps; clipped to the box and thinned to half a unit, so the page carries only what shows.
 */
export function ticketLocator(
	ref: Reference,
	width: number,
	height: number,
	t: { districtCode: string | null; streetCode: string | null; lon: number | null; lat: number | null }
): TicketLocator | null {
	const district = t.districtCode ? ref.districtByCode.get(t.districtCode) : undefined;
	if (!district) return null;
	const { lon, lat } = t;
	const street = t.streetCode ? ref.streetByCode.get(t.streetCode) : undefined;
	const fc = ref.geojson as GeoJSON.FeatureCollection;
	const city = mapProjection(ref, width, height);
	const cityPath = geoPath(city);
	const own = fc.features.find((f) => featureCode(f) === district.code && cityPath(f));
	const center = ref.city.centers[district.code] ?? district.center;
	// a district without an outline: the outline its label point lies in (苏州工业园区 → 姑苏区), else the whole city
	let focus: GeoJSON.GeoJsonObject = fc;
	if (own) focus = own;
	else if (center) {
		const [cx, cy] = city(center) ?? [NaN, NaN];
		focus = fc.features.find((f) => insideRings(projectedRings(f.geometry, city), cx, cy)) ?? fc;
	}
	const hasPoint = lon !== null && lat !== null && Number.isFinite(lon) && Number.isFinite(lat);
	// within the city's map (its lon/lat bounds, a little wider): else the point is not drawn
	const [[x0, y0], [x1, y1]] = geoPath().bounds(fc);
	const margin = 0.05;
	const inCity = hasPoint && lon! >= x0 - margin && lon! <= x1 + margin && lat! >= y0 - margin && lat! <= y1 + margin;
	const pointAt = (coordinates: [number, number]): GeoJSON.Feature => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates } });
	const fitted: GeoJSON.FeatureCollection = {
		type: 'FeatureCollection',
		features: [
			...(focus.type === 'FeatureCollection' ? (focus as GeoJSON.FeatureCollection).features : [focus as GeoJSON.Feature]),
			...(inCity ? [pointAt([lon!, lat!])] : []),
			...(!own && center ? [pointAt(center)] : [])
		]
	};
	// room for the pin's head above its point and for the names
	const projection = geoIdentity()
		.reflectY(true)
		.fitExtent(
			[
				[24, 30],
				[width - 24, height - 16]
			],
			fitted
		)
		.clipExtent([
			[0, 0],
			[width, height]
		]);
	const path = geoPath({ stream: (sink: GeoStream) => projection.stream(thinned(0.5, sink)) }).digits(1);
	const shapes = fc.features
		.map((f) => {
			const code = featureCode(f);
			return { code, name: ref.districtByCode.get(code)?.name ?? code, d: path(f) ?? '' };
		})
		.filter((s) => s.d);
	const inBox = (xy: [number, number] | null): xy is [number, number] =>
		!!xy && xy[0] >= 0 && xy[0] <= width && xy[1] >= 0 && xy[1] <= height;
	const labels: TicketLocator['labels'] = [];
	for (const d of ref.districts) {
		const f = fc.features.find((x) => featureCode(x) === d.code);
		// the label point: the configured one, the outline's own label point (cp), the centroid
		const cp = (f?.properties as { cp?: [number, number] } | null)?.cp;
		const at = ref.city.centers[d.code] ?? d.center ?? cp ?? null;
		const xy = at ? (projection(at) as [number, number] | null) : f ? path.centroid(f) : null;
		// only names that fit: clear of the edges (a name is about 4 characters of 12 units, drawn above its point)
		if (inBox(xy) && xy[0] >= 28 && xy[0] <= width - 28 && xy[1] >= 16 && xy[1] <= height - 6)
			labels.push({ code: d.code, name: d.name, x: round1(xy[0]), y: round1(xy[1]) });
	}
	const pinXy = inCity ? (projection([lon!, lat!]) as [number, number] | null) : null;
	const markerXy = !own && center ? (projection(center) as [number, number] | null) : null;
	return {
		width,
		height,
		district: { code: district.code, name: district.name, hasShape: !!own },
		street: street && street.districtCode === district.code ? street.name : null,
		shapes,
		labels,
		marker: inBox(markerXy) ? { x: round1(markerXy[0]), y: round1(markerXy[1]) } : null,
		pin: inBox(pinXy) ? { x: round1(pinXy[0]), y: round1(pinXy[1]) } : null,
		pinOutside: hasPoint && !inCity
	};
}
