// Another city than Suzhou, for start-up tests: a copy of the repository's data/ with a tiny city 测试市
// (slug ceshi, code 9901) written the way pipelines/reference/import-city.ts writes one — districts with
// polygons, streets, and the placeholder unit register (district governments D…, street offices S…, no
// municipal bureau) and routing (every category to the district).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { areasCsv, cityFiles, routingTsv, streetsCsv, unitsTsv, type Area, type StreetRow } from '../../pipelines/reference/import-city';
import { defaultDataDir } from '../../pipelines/reference/index';

export const TEST_CITY = { slug: 'ceshi', code: '9901', name: '测试市' } as const;

const AREAS: Area[] = [
	{ code: '990101', name: '甲区', cityCode: '9901', provinceCode: '99' },
	{ code: '990102', name: '乙区', cityCode: '9901', provinceCode: '99' }
];
const STREETS: StreetRow[] = [
	{ code: '990101001', name: '东门街道', areaCode: '990101', provinceCode: '99', cityCode: '9901' },
	{ code: '990101002', name: '西门街道', areaCode: '990101', provinceCode: '99', cityCode: '9901' },
	{ code: '990102001', name: '南湖镇', areaCode: '990102', provinceCode: '99', cityCode: '9901' }
];

function square(x: number, y: number): number[][][] {
	return [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]];
}

/**
 * A copy of data/ in a new temporary directory that also holds 测试市; `units` adds rows (tab-separated, as in
 * units.tsv) to its placeholder register. `remove()` deletes the directory.
 */
export function testCityData(o: { units?: string[] } = {}): { dir: string; remove: () => void } {
	const dir = mkdtempSync(join(tmpdir(), 'minqing-city-'));
	cpSync(defaultDataDir(), dir, { recursive: true, filter: (src) => !src.startsWith(join(defaultDataDir(), 'db')) });
	const write = (rel: string, text: string) => writeFileSync(join(dir, rel), text);
	const { slug, code, name } = TEST_CITY;
	const files = cityFiles(slug);
	write(files.areas, areasCsv(AREAS));
	write(files.streets, streetsCsv(STREETS));
	write(
		files.geojson,
		JSON.stringify({
			type: 'FeatureCollection',
			features: AREAS.map((a, i) => ({
				type: 'Feature',
				id: a.code,
				properties: { name: a.name, cp: [120.05 + i * 0.1, 31.05] },
				geometry: { type: 'Polygon', coordinates: square(120 + i * 0.1, 31) }
			}))
		})
	);
	write(files.places, 'code\talias\n');
	write(files.units, unitsTsv(name, AREAS, STREETS) + (o.units ?? []).map((u) => `${u}\n`).join(''));
	const categories = readFileSync(join(dir, files.categories), 'utf8')
		.split('\n')
		.slice(1)
		.map((l) => l.split('\t')[0])
		.filter(Boolean);
	write(files.routing, routingTsv(categories));
	write(
		`cities/${slug}.json`,
		JSON.stringify({
			slug,
			code,
			name,
			phoneAreaCode: '0999',
			files
		})
	);
	return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
