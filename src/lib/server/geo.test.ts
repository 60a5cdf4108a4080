import { describe, expect, it } from 'vitest';
import { loadReference } from '$pipelines/reference/index';
import { districtShapes, ticketLocator } from './geo';

const ref = loadReference();
const W = 480;
const H = 300;
const at = (districtCode: string | null, lon: number | null = null, lat: number | null = null, streetCode: string | null = null) =>
	ticketLocator(ref, W, H, { districtCode, streetCode, lon, lat });
const inBox = (p: { x: number; y: number } | null) => !!p && p.x >= 0 && p.x <= W && p.y >= 0 && p.y <= H;

describe('工单详情 locator map', () => {
	it('draws the ticket’s district with its neighbours, clipped to the box, and a pin at its point', () => {
		const m = at('320508', 120.628, 31.311, ref.streets.find((s) => s.districtCode === '320508')!.code)!;
		expect(m.district).toEqual({ code: '320508', name: '姑苏区', hasShape: true });
		expect(m.street).toBe(ref.streets.find((s) => s.districtCode === '320508')!.name);
		expect(m.shapes.map((s) => s.code)).toContain('320508');
		expect(m.shapes.length).toBeGreaterThan(1); // neighbours around it for orientation
		expect(inBox(m.pin)).toBe(true);
		expect(m.pinOutside).toBe(false);
		expect(m.marker).toBeNull();
		// zoomed in: 姑苏区 fills the box far more than on the city map, and the page carries only what shows
		const own = m.shapes.find((s) => s.code === '320508')!;
		const city = districtShapes(ref, W, H).reduce((n, s) => n + s.d.length, 0);
		expect(m.shapes.reduce((n, s) => n + s.d.length, 0)).toBeLessThan(city);
		expect(own.d).toMatch(/^M/);
		for (const s of m.shapes) for (const [, x, y] of s.d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) expect(inBox({ x: +x, y: +y })).toBe(true);
		expect(m.labels.find((l) => l.code === '320508')).toBeTruthy();
	});

	it('highlights the district without a pin when the ticket has no coordinates', () => {
		const m = at('320506')!;
		expect(m.district.code).toBe('320506');
		expect(m.pin).toBeNull();
		expect(m.pinOutside).toBe(false);
		expect(m.shapes.some((s) => s.code === '320506')).toBe(true);
	});

	it('draws a district without an outline (苏州工业园区) as a marker within the outline it lies in', () => {
		const m = at('320576', 120.71, 31.31)!;
		expect(m.district.hasShape).toBe(false);
		expect(inBox(m.marker)).toBe(true);
		expect(inBox(m.pin)).toBe(true);
		expect(m.shapes.some((s) => s.code === '320508')).toBe(true);
	});

	it('leaves out a point outside the city rather than zoom out to it, and says so', () => {
		const m = at('320508', 0, 0)!;
		expect(m.pin).toBeNull();
		expect(m.pinOutside).toBe(true);
		// a point in another district widens the view to show both
		const far = at('320508', 121.13, 31.46)!;
		expect(inBox(far.pin)).toBe(true);
		expect(far.shapes.some((s) => s.code === '320585')).toBe(true);
	});

	it('has no map without a district (or an unknown one)', () => {
		expect(at(null, 120.62, 31.31)).toBeNull();
		expect(at('999999')).toBeNull();
	});
});
