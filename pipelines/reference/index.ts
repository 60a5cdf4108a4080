/**
 * City reference data: districts and streets (GB/T 2260), the gazetteer aliases, the three-level category
 * taxonomy, the register of undertaking units and the routing table (which unit handles which category where).
 *
 * Files (under the data directory, default: the repository's `data/`):
 *   geo/suzhou-areas.csv, geo/suzhou-streets.csv, geo/suzhou-districts.geojson   (see geo/README.md)
 *   reference/categories.tsv   code, level, parent, name, path
 *   reference/places.tsv       code, alias          (one row per alias of a district or street)
 *   reference/units.tsv        code, name, short_name, kind, district_code, street_code
 *   reference/routing.tsv      category, handler, weight   (handler: street | district | unit code)
 *
 * Only node: modules are used (pipelines/ must not depend on src/ or SvelteKit).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
export interface Category {
	code: string;
	level: 1 | 2 | 3;
	parent: string | null;
	name: string;
	path: string;
}
export type UnitKind = 'municipal' | 'utility' | 'district' | 'street';
export interface Unit {
	code: string;
	name: string;
	shortName: string;
	kind: UnitKind;
	districtCode: string | null;
	streetCode: string | null;
}
export interface RoutingRule {
	category: string;
	handler: string;
	weight: number;
}
export interface Reference {
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
}

/** Per city: display name, and label points for divisions that have no polygon in the GeoJSON. */
const CITIES: Record<string, { name: string; file: string; centers: Record<string, [number, number]> }> = {
	'3205': { name: '苏州市', file: 'suzhou', centers: { '320576': [120.72, 31.32] } }
};
const DEFAULT_CITY = '3205';

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
	const header = (lines[0] ?? '').replace(/\r$/, '').split('\t').map((h) => h.trim());
	checkHeader(file, header, expected);
	const rows: Row[] = [];
	for (let i = 1; i < lines.length; i++) {
		const raw = lines[i].replace(/\r$/, '');
		if (raw.trim() === '') continue;
		const cells = raw.split('\t');
		if (cells.length !== header.length)
			fail(file, i + 1, `expected ${header.length} tab-separated fields, found ${cells.length}`);
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
		if (r.cells.length !== header.length)
			fail(file, r.line, `expected ${header.length} comma-separated fields, found ${r.cells.length}`);
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

const cache = new Map<string, Reference>();
/** Routing rules grouped by category prefix, per loaded reference. */
const rulesIndex = new WeakMap<Reference, Map<string, RoutingRule[]>>();

/** Loads (once per data directory) and validates all reference files. Throws naming file and line. */
export function loadReference(dataDir?: string): Reference {
	const dir = resolve(dataDir ?? defaultDataDir());
	const hit = cache.get(dir);
	if (hit) return hit;
	const ref = load(dir);
	cache.set(dir, ref);
	return ref;
}

function load(dir: string): Reference {
	const city = CITIES[DEFAULT_CITY];
	const f = {
		areas: join(dir, 'geo', `${city.file}-areas.csv`),
		streets: join(dir, 'geo', `${city.file}-streets.csv`),
		geojson: join(dir, 'geo', `${city.file}-districts.geojson`),
		categories: join(dir, 'reference', 'categories.tsv'),
		places: join(dir, 'reference', 'places.tsv'),
		units: join(dir, 'reference', 'units.tsv'),
		routing: join(dir, 'reference', 'routing.tsv')
	};

	// Districts (county level).
	const districts: District[] = [];
	const districtByCode = new Map<string, District>();
	for (const { line, fields: r } of parseCsv(readText(f.areas), f.areas, ['code', 'name', 'cityCode'])) {
		if (!/^\d{6}$/.test(r.code)) fail(f.areas, line, `bad county code "${r.code}"`);
		if (r.cityCode !== DEFAULT_CITY) fail(f.areas, line, `city code ${r.cityCode} is not ${DEFAULT_CITY}`);
		if (!r.code.startsWith(r.cityCode)) fail(f.areas, line, `code ${r.code} is not inside city ${r.cityCode}`);
		if (!r.name) fail(f.areas, line, 'empty name');
		if (districtByCode.has(r.code)) fail(f.areas, line, `duplicate code ${r.code}`);
		const d: District = { code: r.code, name: r.name, aliases: [], hasPolygon: false, center: city.centers[r.code] ?? null };
		districts.push(d);
		districtByCode.set(d.code, d);
	}
	if (districts.length === 0) fail(f.areas, null, 'no districts');

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
		if (Array.isArray(cp) && cp.length === 2 && cp.every((v) => typeof v === 'number' && Number.isFinite(v)))
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
		const c: Category = { code: r.code, level, parent: parent?.code ?? null, name: r.name, path };
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
	for (const { line, fields: r } of parseTsv(readText(f.units), f.units, ['code', 'name', 'short_name', 'kind', 'district_code', 'street_code'])) {
		const kind = r.kind as UnitKind;
		if (!UNIT_KINDS.includes(kind)) fail(f.units, line, `kind must be one of ${UNIT_KINDS.join(', ')}, not "${r.kind}"`);
		if (!UNIT_CODE_PATTERN[kind].test(r.code)) fail(f.units, line, `code "${r.code}" does not fit kind ${kind}`);
		if (unitByCode.has(r.code)) fail(f.units, line, `duplicate code ${r.code}`);
		if (!r.name) fail(f.units, line, 'empty name');
		if (r.district_code && !districtByCode.has(r.district_code)) fail(f.units, line, `unknown district_code ${r.district_code}`);
		if (r.street_code) {
			const s = streetByCode.get(r.street_code);
			if (!s) fail(f.units, line, `unknown street_code ${r.street_code}`);
			if (s.districtCode !== r.district_code) fail(f.units, line, `street ${s.code} lies in district ${s.districtCode}, not "${r.district_code}"`);
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
			streetCode: r.street_code || null
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
		if (r.weight === '' || !Number.isFinite(weight) || weight <= 0) fail(f.routing, line, `weight must be a positive number, not "${r.weight}"`);
		const rule: RoutingRule = { category: r.category, handler: r.handler, weight };
		if (byPrefix.get(rule.category)?.some((o) => o.handler === rule.handler))
			fail(f.routing, line, `handler ${rule.handler} listed twice for ${rule.category}`);
		routing.push(rule);
		byPrefix.set(rule.category, [...(byPrefix.get(rule.category) ?? []), rule]);
	}
	for (const c of categories)
		if (c.level === 3 && !matchRules(byPrefix, c.code))
			fail(f.routing, null, `category ${c.code} ${c.path} has no rule (give at least one for ${c.code.slice(0, 2)})`);

	const ref: Reference = {
		cityName: city.name,
		cityCode: DEFAULT_CITY,
		districts,
		streets,
		categories,
		units,
		routing,
		districtByCode,
		streetByCode,
		categoryByCode,
		unitByCode,
		geojson
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
export function routeUnit(
	ref: Reference,
	categoryCode: string,
	districtCode: string,
	streetCode: string | null,
	rand: () => number
): Unit {
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
