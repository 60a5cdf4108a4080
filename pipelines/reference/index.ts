/**
 * City reference data: districts and streets (GB/T 2260), the gazetteer aliases, the three-level category
 * taxonomy, the register of undertaking units and the routing table (which unit handles which category where).
 *
 * The city is a configuration: `cities/<slug>.json` under the data directory (default: the repository's
 * `data/`), chosen by `loadReference`'s `city` argument, else the environment variable `MINQING_CITY`, else
 * `suzhou`. It names the city and the files below (paths relative to the data directory); for Suzhou:
 *   geo/suzhou-areas.csv, geo/suzhou-streets.csv, geo/suzhou-districts.geojson   (see geo/README.md)
 *   reference/categories.tsv   code, level, parent, name, path
 *   reference/places.tsv       code, alias          (one row per alias of a district or street)
 *   reference/units.tsv        code, name, short_name, kind, district_code, street_code
 *   reference/routing.tsv      category, handler, weight   (handler: street | district | unit code)
 * Every city also reads geo/china-divisions.csv (code, name, short): China's provinces (2-digit codes) and
 * prefecture-level cities (4-digit), so that the geocoder knows an address in another city when it sees one.
 * `pipelines/reference/import-city.ts` builds the geography files and a configuration for another city.
 *
 * Only node: modules are used (pipelines/ must not depend on src/ or SvelteKit).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface District {
	code: string;
	name: string;
	aliases: string[];
	hasPolygon: boolean;
	center: [number, number] | null;
}
export interface Street {
	code: string;
	name: string;
	districtCode: string;
	aliases: string[];
}
/** A province or a prefecture-level city of China (GB/T 2260), from geo/china-divisions.csv. */
export interface Division {
	/** 2 digits for a province (32), 4 for a prefecture-level city (3201) */
	code: string;
	/** 江苏省, 南京市, 广西壮族自治区, 阿克苏地区 */
	name: string;
	/** the name as also written without its suffix (江苏, 南京, 广西, 阿克苏); null where there is none in use (自治州) */
	short: string | null;
}
export interface Category {
	code: string;
	level: 1 | 2 | 3;
	parent: string | null;
	name: string;
	path: string;
	/**
	 * false: not offered for new tickets (an administrator stopped it in 设置 › 分类; the reference files list
	 * categories in use only); what has it keeps it. A category whose parent is stopped is not offered either.
	 */
	active: boolean;
	/** names it had before a rename in 设置 › 分类 (imports of older records find it by them) */
	formerNames?: readonly string[];
}
export type UnitKind = 'municipal' | 'utility' | 'district' | 'street';
export interface Unit {
	code: string;
	name: string;
	shortName: string;
	kind: UnitKind;
	districtCode: string | null;
	streetCode: string | null;
	/**
	 * false: the unit takes no new tickets (an administrator stopped it in 设置 › 单位; the reference files list
	 * units in use only); the tickets it holds stay with it and its name still shows everywhere
	 */
	active: boolean;
	/** names and short names it had before a rename in 设置 › 单位 (imports of older records find it by them) */
	formerNames?: readonly string[];
}
export interface RoutingRule {
	category: string;
	handler: string;
	weight: number;
}
/** The reference files of a city, as paths relative to the data directory. */
export interface CityFiles {
	areas: string;
	streets: string;
	geojson: string;
	places: string;
	units: string;
	routing: string;
	categories: string;
}
/** A city's configuration, `cities/<slug>.json` under the data directory. */
export interface CityConfig {
	/** the configuration's file name without `.json`, the value of MINQING_CITY: `suzhou` */
	slug: string;
	/** GB/T 2260 code of the prefecture-level city (4 digits): `3205` */
	code: string;
	/** `苏州市` */
	name: string;
	/** long-distance area code given to local landline numbers written without it (`0512`); null: unknown, such numbers are not normalised */
	phoneAreaCode: string | null;
	files: CityFiles;
	/** label points [lon, lat] of districts that have no polygon (or a better point than the GeoJSON's `cp`) */
	centers: Record<string, [number, number]>;
	/** free text: sources, licenses, what is still to be done */
	notes: string[];
}
export interface Reference {
	city: CityConfig;
	/** the city's full name (苏州市); `cityShortName` gives the name as the hotline is called (苏州12345) */
	cityName: string;
	cityCode: string;
	districts: District[];
	streets: Street[];
	categories: Category[];
	units: Unit[];
	routing: RoutingRule[];
	districtByCode: Map<string, District>;
	streetByCode: Map<string, Street>;
	categoryByCode: Map<string, Category>;
	unitByCode: Map<string, Unit>;
	geojson: unknown;
	/** China's provinces and prefecture-level cities, this city's among them (geo/china-divisions.csv) */
	divisions: Division[];
}

/** The file of China's provinces and prefecture-level cities, under the data directory; the same for every city. */
export const DIVISIONS_FILE = 'geo/china-divisions.csv';

/** The environment variable that chooses the city (a configuration's slug), and the city without it. */
export const CITY_ENV = 'MINQING_CITY';
export const DEFAULT_CITY = 'suzhou';

const UNIT_KINDS: readonly UnitKind[] = ['municipal', 'utility', 'district', 'street'];
const UNIT_CODE_PATTERN: Record<UnitKind, RegExp> = {
	municipal: /^M\d{2,}$/,
	utility: /^P\d{2,}$/,
	district: /^D\d{6}$/,
	street: /^S\d{9}$/
};

// ---------------------------------------------------------------------------------------------------------
// Tiny parsers. Every row carries the 1-based line number it started on, for error messages.

interface Row {
	line: number;
	fields: Record<string, string>;
}

/** Error naming the file and line: `data/reference/units.tsv:12: unknown kind "foo"`. */
function fail(file: string, line: number | null, message: string): never {
	throw new Error(`${file}${line === null ? '' : `:${line}`}: ${message}`);
}

function readText(file: string): string {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (e) {
		fail(file, null, `cannot read reference file (${(e as Error).message})`);
	}
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function checkHeader(file: string, header: string[], expected: readonly string[]): void {
	const missing = expected.filter((h) => !header.includes(h));
	if (missing.length > 0) fail(file, 1, `header lacks column(s) ${missing.join(', ')} (expected ${expected.join(', ')})`);
	if (new Set(header).size !== header.length) fail(file, 1, 'duplicate column in header');
}

/** Tab-separated, first line is the header, no quoting; blank lines are skipped; values are trimmed. */
export function parseTsv(text: string, file: string, expected: readonly string[]): Row[] {
	const lines = text.split('\n');
	const header = (lines[0] ?? '')
		.replace(/\r$/, '')
		.split('\t')
		.map((h) => h.trim());
	checkHeader(file, header, expected);
	const rows: Row[] = [];
	for (let i = 1; i < lines.length; i++) {
		const raw = lines[i].replace(/\r$/, '');
		if (raw.trim() === '') continue;
		const cells = raw.split('\t');
		if (cells.length !== header.length) fail(file, i + 1, `expected ${header.length} tab-separated fields, found ${cells.length}`);
		const fields: Record<string, string> = {};
		header.forEach((h, j) => (fields[h] = cells[j].trim()));
		rows.push({ line: i + 1, fields });
	}
	return rows;
}

/** RFC 4180 CSV: comma-separated, optional double quotes ("" inside quotes is one quote; quotes may span lines). */
export function parseCsv(text: string, file: string, expected: readonly string[]): Row[] {
	const records: { line: number; cells: string[] }[] = [];
	let cells: string[] = [];
	let cell = '';
	let quoted = false;
	let line = 1;
	let start = 1;
	let i = 0;
	const endRecord = () => {
		cells.push(cell);
		if (!(cells.length === 1 && cells[0].trim() === '')) records.push({ line: start, cells });
		cells = [];
		cell = '';
	};
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"') {
				if (text[i + 1] === '"') {
					cell += '"';
					i += 2;
					continue;
				}
				quoted = false;
			} else {
				if (c === '\n') line++;
				cell += c;
			}
			i++;
			continue;
		}
		if (c === '"') {
			if (cell.trim() !== '') fail(file, line, 'quote in the middle of an unquoted field');
			cell = '';
			quoted = true;
		} else if (c === ',') {
			cells.push(cell);
			cell = '';
		} else if (c === '\n') {
			endRecord();
			line++;
			start = line;
		} else if (c !== '\r') {
			cell += c;
		}
		i++;
	}
	if (quoted) fail(file, start, 'unterminated quoted field');
	if (cell !== '' || cells.length > 0) endRecord();
	if (records.length === 0) fail(file, 1, 'empty file (no header)');
	const header = records[0].cells.map((h) => h.trim());
	checkHeader(file, header, expected);
	return records.slice(1).map((r) => {
		if (r.cells.length !== header.length) fail(file, r.line, `expected ${header.length} comma-separated fields, found ${r.cells.length}`);
		const fields: Record<string, string> = {};
		header.forEach((h, j) => (fields[h] = r.cells[j].trim()));
		return { line: r.line, fields };
	});
}

// ---------------------------------------------------------------------------------------------------------

function isDataDir(dir: string): boolean {
	return existsSync(join(dir, 'reference', 'categories.tsv'));
}

/**
 * Absolute path of the repository's `data/`. Resolved from this module's location (../../data); when the
 * module has been bundled elsewhere (e.g. a server build), the nearest ancestor of the module, then of the
 * working directory, that holds `data/reference/categories.tsv`.
 */
export function defaultDataDir(): string {
	const here = dirname(fileURLToPath(import.meta.url));
	const direct = resolve(here, '..', '..', 'data');
	if (isDataDir(direct)) return direct;
	for (const from of [here, process.cwd()]) {
		let dir = resolve(from);
		for (;;) {
			if (isDataDir(join(dir, 'data'))) return join(dir, 'data');
			const up = dirname(dir);
			if (up === dir) break;
			dir = up;
		}
	}
	return direct;
}

// ---------------------------------------------------------------------------------------------------------
// City configuration.

const SLUG = /^[a-z][a-z0-9-]*$/;
/** As `normalizePhone` accepts them: 010, 02x, 0[3-9]xx. */
const PHONE_AREA_CODE = /^(?:0(?:10|2\d)|0[3-9]\d{2})$/;
const CITY_KEYS = ['slug', 'code', 'name', 'phoneAreaCode', 'files', 'centers', 'notes'] as const;
const FILE_KEYS = ['areas', 'streets', 'geojson', 'places', 'units', 'routing', 'categories'] as const;

/** The city chosen by `city`, else by MINQING_CITY, else `suzhou`; throws on a malformed slug. */
export function citySlug(city?: string): string {
	const fromEnv = city === undefined;
	const slug = (fromEnv ? process.env[CITY_ENV]?.trim() || DEFAULT_CITY : city).trim();
	if (!SLUG.test(slug))
		throw new Error(
			`${fromEnv ? `${CITY_ENV}: ` : ''}bad city "${slug}" (a configuration's slug: lower-case letters, digits and "-", e.g. ${DEFAULT_CITY})`
		);
	return slug;
}

/** `<dataDir>/cities/<slug>.json` */
export function cityConfigPath(dataDir: string, slug: string): string {
	return join(dataDir, 'cities', `${slug}.json`);
}

/**
 * Validates a parsed city configuration; `file` (its path) names it in errors and must be `<slug>.json`.
 * Throws `<file>: field "<field>" ...`.
 */
export function parseCityConfig(value: unknown, file: string): CityConfig {
	function bad(field: string, message: string): never {
		fail(file, null, `field "${field}" ${message}`);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, null, 'not a JSON object');
	const o = value as Record<string, unknown>;
	for (const k of Object.keys(o))
		if (!(CITY_KEYS as readonly string[]).includes(k)) bad(k, `is not a city configuration field (fields: ${CITY_KEYS.join(', ')})`);
	const str = (field: string): string => {
		const v = o[field];
		if (v === undefined) bad(field, 'is missing');
		if (typeof v !== 'string' || v.trim() === '') bad(field, `must be a non-empty string, not ${JSON.stringify(v)}`);
		return v as string;
	};
	const slug = str('slug');
	if (!SLUG.test(slug)) bad('slug', `must be lower-case letters, digits and "-", not "${slug}"`);
	const stem = file
		.replace(/\\/g, '/')
		.split('/')
		.pop()!
		.replace(/\.json$/, '');
	if (stem !== slug) bad('slug', `is "${slug}" but the file is named ${stem}.json`);
	const code = str('code');
	if (!/^\d{4}$/.test(code)) bad('code', `must be the 4-digit GB/T 2260 code of a prefecture-level city, not "${code}"`);
	const name = str('name');
	if (o.phoneAreaCode === undefined) bad('phoneAreaCode', 'is missing (a long-distance area code like "0512", or null)');
	const phoneAreaCode = o.phoneAreaCode as string | null;
	if (phoneAreaCode !== null && (typeof phoneAreaCode !== 'string' || !PHONE_AREA_CODE.test(phoneAreaCode)))
		bad(
			'phoneAreaCode',
			`must be a long-distance area code like "0512" (010, 02x, 0[3-9]xx) or null, not ${JSON.stringify(phoneAreaCode)}`
		);

	const filesValue = o.files;
	if (typeof filesValue !== 'object' || filesValue === null || Array.isArray(filesValue))
		bad('files', `must be an object with ${FILE_KEYS.join(', ')}`);
	const fo = filesValue as Record<string, unknown>;
	for (const k of Object.keys(fo))
		if (!(FILE_KEYS as readonly string[]).includes(k)) bad(`files.${k}`, `is not a reference file (files: ${FILE_KEYS.join(', ')})`);
	const files = {} as CityFiles;
	for (const k of FILE_KEYS) {
		const v = fo[k];
		if (v === undefined) bad(`files.${k}`, 'is missing');
		if (typeof v !== 'string' || v.trim() === '') bad(`files.${k}`, `must be a non-empty string, not ${JSON.stringify(v)}`);
		const p = v as string;
		if (isAbsolute(p) || /^[a-zA-Z]:/.test(p) || p.split(/[\\/]/).includes('..'))
			bad(`files.${k}`, `must be a path inside the data directory (relative, without ".."), not "${p}"`);
		files[k] = p;
	}

	const centers: Record<string, [number, number]> = {};
	const centersValue = o.centers ?? {};
	if (typeof centersValue !== 'object' || centersValue === null || Array.isArray(centersValue))
		bad('centers', 'must be an object { "<district code>": [lon, lat] }');
	for (const [k, v] of Object.entries(centersValue as Record<string, unknown>)) {
		if (!/^\d{6}$/.test(k) || !k.startsWith(code)) bad(`centers.${k}`, `is not a district code of city ${code}`);
		const ok =
			Array.isArray(v) &&
			v.length === 2 &&
			v.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
			Math.abs(v[0]) <= 180 &&
			Math.abs(v[1]) <= 90;
		if (!ok) bad(`centers.${k}`, `must be [lon, lat] in degrees, not ${JSON.stringify(v)}`);
		centers[k] = [(v as number[])[0], (v as number[])[1]];
	}

	const notesValue = o.notes ?? [];
	if (!Array.isArray(notesValue) || !notesValue.every((x) => typeof x === 'string')) bad('notes', 'must be an array of strings');
	return { slug, code, name, phoneAreaCode, files, centers, notes: [...(notesValue as string[])] };
}

/** Reads and validates `<dataDir>/cities/<slug>.json`. */
export function loadCityConfig(dataDir: string, slug: string): CityConfig {
	const file = cityConfigPath(dataDir, slug);
	if (!existsSync(file)) {
		let available: string[] = [];
		try {
			available = readdirSync(join(dataDir, 'cities'))
				.filter((f) => f.endsWith('.json'))
				.map((f) => f.slice(0, -5))
				.sort();
		} catch {
			// no cities/ directory
		}
		fail(
			file,
			null,
			`no configuration for city "${slug}" (configured: ${available.length ? available.join(', ') : 'none'}; ${CITY_ENV} chooses the city)`
		);
	}
	const text = readText(file);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (e) {
		fail(file, null, `invalid JSON (${(e as Error).message})`);
	}
	return parseCityConfig(value, file);
}

// ---------------------------------------------------------------------------------------------------------

const cache = new Map<string, Reference>();
/** Routing rules grouped by category prefix, per loaded reference. */
const rulesIndex = new WeakMap<Reference, Map<string, RoutingRule[]>>();

/** Forgets what routeUnit built from `ref.routing`, after the rules changed (设置 › 派单规则). */
export function routingChanged(ref: Reference): void {
	rulesIndex.delete(ref);
}

/**
 * Loads (once per data directory and city) and validates the city's configuration and all its reference
 * files. The city: `city` (a slug), else MINQING_CITY, else `suzhou`. Throws naming file and line.
 */
export function loadReference(dataDir?: string, city?: string): Reference {
	const dir = resolve(dataDir ?? defaultDataDir());
	const slug = citySlug(city);
	const key = `${dir}\0${slug}`;
	const hit = cache.get(key);
	if (hit) return hit;
	const ref = load(dir, loadCityConfig(dir, slug));
	cache.set(key, ref);
	return ref;
}

function load(dir: string, city: CityConfig): Reference {
	const f = { ...city.files };
	for (const k of FILE_KEYS) f[k] = join(dir, city.files[k]);
	const configFile = cityConfigPath(dir, city.slug);

	// Districts (county level).
	const districts: District[] = [];
	const districtByCode = new Map<string, District>();
	for (const { line, fields: r } of parseCsv(readText(f.areas), f.areas, ['code', 'name', 'cityCode'])) {
		if (!/^\d{6}$/.test(r.code)) fail(f.areas, line, `bad county code "${r.code}"`);
		if (r.cityCode !== city.code) fail(f.areas, line, `city code ${r.cityCode} is not ${city.code} (${city.name})`);
		if (!r.code.startsWith(r.cityCode)) fail(f.areas, line, `code ${r.code} is not inside city ${r.cityCode}`);
		if (!r.name) fail(f.areas, line, 'empty name');
		if (districtByCode.has(r.code)) fail(f.areas, line, `duplicate code ${r.code}`);
		const d: District = { code: r.code, name: r.name, aliases: [], hasPolygon: false, center: city.centers[r.code] ?? null };
		districts.push(d);
		districtByCode.set(d.code, d);
	}
	if (districts.length === 0) fail(f.areas, null, 'no districts');
	for (const code of Object.keys(city.centers))
		if (!districtByCode.has(code)) fail(configFile, null, `field "centers.${code}" names no district of ${f.areas}`);

	// Streets (township level).
	const streets: Street[] = [];
	const streetByCode = new Map<string, Street>();
	for (const { line, fields: r } of parseCsv(readText(f.streets), f.streets, ['code', 'name', 'areaCode'])) {
		if (!/^\d{9}$/.test(r.code)) fail(f.streets, line, `bad township code "${r.code}"`);
		if (!districtByCode.has(r.areaCode)) fail(f.streets, line, `unknown county code ${r.areaCode}`);
		if (!r.code.startsWith(r.areaCode)) fail(f.streets, line, `code ${r.code} is not inside county ${r.areaCode}`);
		if (!r.name) fail(f.streets, line, 'empty name');
		if (streetByCode.has(r.code)) fail(f.streets, line, `duplicate code ${r.code}`);
		const s: Street = { code: r.code, name: r.name, districtCode: r.areaCode, aliases: [] };
		streets.push(s);
		streetByCode.set(s.code, s);
	}

	// GeoJSON: polygons and label points.
	let geojson: unknown;
	try {
		geojson = JSON.parse(readText(f.geojson));
	} catch (e) {
		fail(f.geojson, null, `invalid JSON (${(e as Error).message})`);
	}
	const features = (geojson as { features?: unknown }).features;
	if (!Array.isArray(features)) fail(f.geojson, null, 'not a FeatureCollection');
	features.forEach((feat: unknown, i: number) => {
		const ft = feat as { id?: unknown; properties?: { cp?: unknown; adcode?: unknown }; geometry?: unknown };
		const code = String(ft.id ?? ft.properties?.adcode ?? '');
		const d = districtByCode.get(code);
		if (!d) fail(f.geojson, null, `feature #${i} has unknown district id "${code}"`);
		d.hasPolygon = ft.geometry != null;
		const cp = ft.properties?.cp;
		if (!(d.code in city.centers) && Array.isArray(cp) && cp.length === 2 && cp.every((v) => typeof v === 'number' && Number.isFinite(v)))
			d.center = [cp[0], cp[1]];
	});

	// Categories.
	const categories: Category[] = [];
	const categoryByCode = new Map<string, Category>();
	for (const { line, fields: r } of parseTsv(readText(f.categories), f.categories, ['code', 'level', 'parent', 'name', 'path'])) {
		const level = Number(r.level);
		if (level !== 1 && level !== 2 && level !== 3) fail(f.categories, line, `level must be 1, 2 or 3, not "${r.level}"`);
		if (!new RegExp(`^\\d{${2 * level}}$`).test(r.code))
			fail(f.categories, line, `a level-${level} code has ${2 * level} digits, not "${r.code}"`);
		if (categoryByCode.has(r.code)) fail(f.categories, line, `duplicate code ${r.code}`);
		if (!r.name) fail(f.categories, line, 'empty name');
		let parent: Category | null = null;
		if (level > 1) {
			parent = categoryByCode.get(r.parent) ?? null;
			if (!parent || r.code.slice(0, 2 * (level - 1)) !== r.parent)
				fail(f.categories, line, `parent "${r.parent}" must be the code's prefix and listed above it`);
		} else if (r.parent) fail(f.categories, line, 'a level-1 category has no parent');
		const path = parent ? `${parent.path} › ${r.name}` : r.name;
		if (r.path && r.path !== path) fail(f.categories, line, `path "${r.path}" should be "${path}"`);
		const c: Category = { code: r.code, level, parent: parent?.code ?? null, name: r.name, path, active: true };
		categories.push(c);
		categoryByCode.set(c.code, c);
	}

	// Gazetteer aliases. An alias names exactly one place and is never another place's name.
	const placeNames = new Map<string, string>();
	for (const p of [...districts, ...streets]) placeNames.set(p.name, p.code);
	const aliasOwner = new Map<string, string>();
	for (const { line, fields: r } of parseTsv(readText(f.places), f.places, ['code', 'alias'])) {
		const place = districtByCode.get(r.code) ?? streetByCode.get(r.code);
		if (!place) fail(f.places, line, `unknown district/street code "${r.code}"`);
		if (!r.alias) fail(f.places, line, 'empty alias');
		const owner = aliasOwner.get(r.alias) ?? placeNames.get(r.alias);
		if (owner !== undefined && owner !== r.code) fail(f.places, line, `alias "${r.alias}" already names ${owner}`);
		if (aliasOwner.has(r.alias) || r.alias === place.name) continue;
		aliasOwner.set(r.alias, r.code);
		place.aliases.push(r.alias);
	}

	// Undertaking units.
	const units: Unit[] = [];
	const unitByCode = new Map<string, Unit>();
	for (const { line, fields: r } of parseTsv(readText(f.units), f.units, [
		'code',
		'name',
		'short_name',
		'kind',
		'district_code',
		'street_code'
	])) {
		const kind = r.kind as UnitKind;
		if (!UNIT_KINDS.includes(kind)) fail(f.units, line, `kind must be one of ${UNIT_KINDS.join(', ')}, not "${r.kind}"`);
		if (!UNIT_CODE_PATTERN[kind].test(r.code)) fail(f.units, line, `code "${r.code}" does not fit kind ${kind}`);
		if (unitByCode.has(r.code)) fail(f.units, line, `duplicate code ${r.code}`);
		if (!r.name) fail(f.units, line, 'empty name');
		if (r.district_code && !districtByCode.has(r.district_code)) fail(f.units, line, `unknown district_code ${r.district_code}`);
		if (r.street_code) {
			const s = streetByCode.get(r.street_code);
			if (!s) fail(f.units, line, `unknown street_code ${r.street_code}`);
			if (s.districtCode !== r.district_code)
				fail(f.units, line, `street ${s.code} lies in district ${s.districtCode}, not "${r.district_code}"`);
		}
		if (kind === 'district' && (r.code !== `D${r.district_code}` || r.street_code))
			fail(f.units, line, 'a district unit is coded D + its district_code and has no street_code');
		if (kind === 'street' && r.code !== `S${r.street_code}`) fail(f.units, line, 'a street unit is coded S + its street_code');
		const u: Unit = {
			code: r.code,
			name: r.name,
			shortName: r.short_name || r.name,
			kind,
			districtCode: r.district_code || null,
			streetCode: r.street_code || null,
			active: true
		};
		units.push(u);
		unitByCode.set(u.code, u);
	}
	for (const d of districts) if (!unitByCode.has(`D${d.code}`)) fail(f.units, null, `no district unit D${d.code} for ${d.name}`);
	for (const s of streets) if (!unitByCode.has(`S${s.code}`)) fail(f.units, null, `no street unit S${s.code} for ${s.name}`);

	// Routing rules.
	const routing: RoutingRule[] = [];
	const byPrefix = new Map<string, RoutingRule[]>();
	for (const { line, fields: r } of parseTsv(readText(f.routing), f.routing, ['category', 'handler', 'weight'])) {
		if (!categoryByCode.has(r.category)) fail(f.routing, line, `unknown category "${r.category}"`);
		if (r.handler !== 'street' && r.handler !== 'district' && !unitByCode.has(r.handler))
			fail(f.routing, line, `handler must be street, district or a unit code, not "${r.handler}"`);
		const weight = Number(r.weight);
		if (r.weight === '' || !Number.isFinite(weight) || weight <= 0)
			fail(f.routing, line, `weight must be a positive number, not "${r.weight}"`);
		const rule: RoutingRule = { category: r.category, handler: r.handler, weight };
		if (byPrefix.get(rule.category)?.some((o) => o.handler === rule.handler))
			fail(f.routing, line, `handler ${rule.handler} listed twice for ${rule.category}`);
		routing.push(rule);
		byPrefix.set(rule.category, [...(byPrefix.get(rule.category) ?? []), rule]);
	}
	for (const c of categories)
		if (c.level === 3 && !matchRules(byPrefix, c.code))
			fail(f.routing, null, `category ${c.code} ${c.path} has no rule (give at least one for ${c.code.slice(0, 2)})`);

	// China's provinces and prefecture-level cities.
	const divisionsFile = join(dir, DIVISIONS_FILE);
	const divisions: Division[] = [];
	const divisionCodes = new Set<string>();
	for (const { line, fields: r } of parseCsv(readText(divisionsFile), divisionsFile, ['code', 'name', 'short'])) {
		if (!/^\d{2}(\d{2})?$/.test(r.code)) fail(divisionsFile, line, `bad province or city code "${r.code}" (2 or 4 digits)`);
		if (divisionCodes.has(r.code)) fail(divisionsFile, line, `duplicate code ${r.code}`);
		if (!r.name) fail(divisionsFile, line, 'empty name');
		if (r.short && (r.short.length < 2 || !r.name.startsWith(r.short))) fail(divisionsFile, line, `short name "${r.short}" is not the start of "${r.name}" (2 characters at least)`);
		divisionCodes.add(r.code);
		divisions.push({ code: r.code, name: r.name, short: r.short || null });
	}

	const ref: Reference = {
		city,
		cityName: city.name,
		cityCode: city.code,
		districts,
		streets,
		categories,
		units,
		routing,
		districtByCode,
		streetByCode,
		categoryByCode,
		unitByCode,
		geojson,
		divisions
	};
	rulesIndex.set(ref, byPrefix);
	return ref;
}

function matchRules(byPrefix: Map<string, RoutingRule[]>, code: string): RoutingRule[] | null {
	for (let len = code.length; len >= 2; len -= 2) {
		const rules = byPrefix.get(code.slice(0, len));
		if (rules) return rules;
	}
	return null;
}

/**
 * The unit that handles `categoryCode` at a place: a weighted pick (with `rand` in [0, 1)) among the rules of
 * the most specific matching category prefix. `street` means the street office of `streetCode`, and falls back
 * to the district government when `streetCode` is null or not a street of `districtCode`.
 */
export function routeUnit(ref: Reference, categoryCode: string, districtCode: string, streetCode: string | null, rand: () => number): Unit {
	let byPrefix = rulesIndex.get(ref);
	if (!byPrefix) {
		byPrefix = new Map();
		for (const r of ref.routing) byPrefix.set(r.category, [...(byPrefix.get(r.category) ?? []), r]);
		rulesIndex.set(ref, byPrefix);
	}
	const rules = matchRules(byPrefix, categoryCode);
	if (!rules) throw new Error(`no routing rule for category "${categoryCode}"`);
	if (!ref.districtByCode.has(districtCode)) throw new Error(`unknown district code "${districtCode}"`);
	const total = rules.reduce((s, r) => s + r.weight, 0);
	let x = Math.min(Math.max(rand(), 0), 1) * total;
	let rule = rules[rules.length - 1];
	for (const r of rules) {
		if (x < r.weight) {
			rule = r;
			break;
		}
		x -= r.weight;
	}
	let handler = rule.handler;
	if (handler === 'street') {
		const street = streetCode === null ? undefined : ref.streetByCode.get(streetCode);
		handler = street && street.districtCode === districtCode ? `S${street.code}` : 'district';
	}
	if (handler === 'district') handler = `D${districtCode}`;
	const unit = ref.unitByCode.get(handler);
	if (!unit) throw new Error(`routing for ${categoryCode} names unit ${handler}, which is not registered`);
	return unit;
}

/** [L1, L2, L3] for an L3 code (shorter for L1/L2 codes); throws on an unknown code. */
/** A place's display name: the city, a district, or a street after its district (吴中区长桥街道); the code when unknown. */
export function placeName(ref: Reference, level: 'city' | 'district' | 'street' | (string & {}), code: string): string {
	if (level === 'city') return ref.cityName;
	if (level === 'district') return ref.districtByCode.get(code)?.name ?? code;
	const st = ref.streetByCode.get(code);
	return st ? `${ref.districtByCode.get(st.districtCode)?.name ?? ''}${st.name}` : code;
}

export function categoryAncestors(ref: Reference, code: string): Category[] {
	const out: Category[] = [];
	let c = ref.categoryByCode.get(code);
	if (!c) throw new Error(`unknown category "${code}"`);
	while (c) {
		out.unshift(c);
		c = c.parent === null ? undefined : ref.categoryByCode.get(c.parent);
	}
	return out;
}

/** The district or street whose name or alias is exactly `text` (e.g. 园区, 木渎, 苏州工业园区), or null. */
export function findPlace(ref: Reference, text: string): { kind: 'district'; place: District } | { kind: 'street'; place: Street } | null {
	const t = text.trim();
	for (const d of ref.districts) if (d.name === t || d.aliases.includes(t)) return { kind: 'district', place: d };
	for (const s of ref.streets) if (s.name === t || s.aliases.includes(t)) return { kind: 'street', place: s };
	return null;
}

/** A name without its suffix, or null when the rest would be under 2 characters or end in 自治/族 (an ethnic name). */
export function stripSuffix(name: string, suffix: RegExp): string | null {
	const m = suffix.exec(name);
	if (!m) return null;
	const rest = name.slice(0, m.index);
	return rest.length >= 2 && !/(自治|族)$/.test(rest) ? rest : null;
}

/** Short name of the city, as its hotline is called: 苏州市 → 苏州 (苏州12345), 海西蒙古族藏族自治州 → as is. */
export function cityShortName(name: string): string {
	return stripSuffix(name, /市$/) ?? name;
}
