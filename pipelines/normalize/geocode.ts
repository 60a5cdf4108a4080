// Geocoding of hotline tickets: address text → district and street (longest match over the gazetteer of
// `pipelines/reference`, with context rules for short and generic names), and lon/lat → district (point in
// polygon over the district GeoJSON with d3-geo). Pure: a Geocoder is built once from a Reference and then
// only reads it (the point index fills a cache as it is used; results never depend on call order).
import { geoContains } from 'd3-geo';
import { cityShortName, stripSuffix, type Division, type Reference } from '../reference/index';
import { toHalfWidth } from './text';

export type GeocodeConfidence = 'street' | 'district' | 'outside' | 'none';

export interface GeocodeResult {
	/** GB/T 2260 6-digit district code, or null */
	districtCode: string | null;
	/** 9-digit street (township) code, or null; when set, it lies in `districtCode` */
	streetCode: string | null;
	/**
	 * 'street' when a street was found, 'district' when only a district, 'outside' when the text names another city
	 * or province first (no district then), 'none' when nothing
	 */
	confidence: GeocodeConfidence;
	/** the place names in the text that support the result, as written, in text order, without repeats */
	matched: string[];
	/** with 'outside': the province or prefecture-level city the text names (南京市, 浙江省); null otherwise */
	outside: Pick<Division, 'code' | 'name'> | null;
}

export interface GeocodeHint {
	/** the district the sender says the ticket belongs to (a record's `district_code`) */
	districtCode?: string;
	/**
	 * the text is free text (a ticket's content), not an address: another city it names is a mention (渣土车从无锡市开来,
	 * 我在上海市工作), never 'outside'; the city's own places in it are read as ever
	 */
	freeText?: boolean;
}

/** An extra gazetteer entry: a name that stands for a district or street (code) wherever it appears. */
export interface Landmark {
	name: string;
	code: string;
}

export interface GeocoderOptions {
	/** extra names (roads, landmarks); default `DEFAULT_LANDMARKS`; pass [] for none */
	landmarks?: readonly Landmark[];
	/** words that contain a place's short name but are not that place; default `DEFAULT_NOT_PLACES` */
	notPlaces?: readonly string[];
}

/**
 * Well-known roads whose names contain another place's short name, mapped to the district they really lie in:
 * without it 凤凰街 (the food street of 姑苏区) would read as a road of 张家港市凤凰镇. Landmarks count as weak
 * district evidence: any district or street named in full overrides them (张家港市凤凰镇凤凰街 stays in 凤凰镇).
 */
export const DEFAULT_LANDMARKS: readonly Landmark[] = [
	{ name: '凤凰街', code: '320508' } // 姑苏区 (双塔街道)
];

/**
 * Words that contain a short place name but mean something else (陆家嘴 is in Shanghai, 周市长 is a mayor
 * called 周, 枫桥经验 is a governance slogan). The longest match takes them, so the short name inside is never
 * seen. Extend through `GeocoderOptions.notPlaces`.
 */
export const DEFAULT_NOT_PLACES: readonly string[] = [
	'陆家嘴', '陆家浜', '周市长', '周市场', '上周', '下周', '这周', '本周', '每周', '一周', '两周', '几周', '枫桥经验',
	'黄桥烧饼', '东山再起', '大新闻', '凤凰网', '凤凰卫视', '凤凰古城', '香山公园', '新区域', '世外桃源'
];

/** Leading names that say nothing about the place inside the city; they are skipped, with the city's own and its province's names. */
const NOISE = ['中华人民共和国', '中国'];
/**
 * What a county-level name after another city's short name looks like (无锡滨湖区, 南京江宁区, 上海浦东新区): one to
 * four characters and 区, 县 or 市 — not a word for a part of town (北京花园小区, 上海城区) or a shop (北京华联超市).
 */
const COUNTY_AFTER = /^\p{Script=Han}{1,4}?[区县市]/u;
const NOT_COUNTY = /(?:小区|社区|园区|景区|校区|厂区|城区|市区|郊区|辖区|片区|街区|营区|矿区|老区|超市|城市|门市|菜市|夜市|集市|股市|上市|闹市|街市|早市|花市|鱼市)$/;
/** Generic zone names that are aliases of one district or street but are also common nouns elsewhere. */
const ZONE = new Set(['新区', '园区', '高新区', '工业园区', '科技城']);
/** Generic official names (320506404 开发区, 320585400 经济开发区): only right after their own district. */
const LOCAL = new Set(['开发区', '经济开发区']);
/** Characters after which a name starts a new phrase: 在园区, 住木渎, 到周市, 去陆家 … */
const LOCATIVE = new Set([...'在住于到去往从至自近']);

/** Road suffixes: a name followed by one names a road (平江路, 东山大道), not the place itself. */
const ROAD_SUFFIXES = ['东路', '西路', '南路', '北路', '中路', '东街', '西街', '南街', '北街', '中街', '大道', '大街', '路', '街', '巷', '弄'];
/** Place suffixes: a short name followed by one is used as a place name (周市镇, 陆家村, 木渎附近). */
const PLACE_SUFFIXES = [
	'街道', '镇', '乡', '村', '社区', '小区', '花园', '新村', '新城', '家园', '苑', '公寓', '片区', '地区', '一带', '附近',
	'周边', '那边', '这边', '那里', '这里', '区域', '辖区', '境内', '老街', '古镇', '派出所', '政府', '站', '中学', '小学',
	'幼儿园', '医院', '卫生院', '公园', '工业园', '开发区', '菜场', '农贸市场'
];

/** Institution suffixes after a zone name: 公安局园区分局, 园区管委会, 高新区法院 (园区 here is 苏州工业园区). */
const ZONE_SUFFIXES = ['分局', '管委会', '管理委员会', '派出所', '大队', '支队', '中队', '法院', '检察院', '税务局', '人民医院', '社会事业局', '规建委'];

/**
 * How a gazetteer key may be used:
 * - official: an official district/street name (虎丘区, 木渎镇) — counts anywhere;
 * - alias: an alias of 3+ characters (浒墅关, 工业园区 is a zone) — counts anywhere;
 * - weak: a 2-character alias (周市, 陆家, 东山, 昆山) — these occur inside unrelated words (这周市场, 陆家嘴,
 *   广东山区), so they count only in context (see `Geocoder.geocodeText`);
 * - zone: a generic zone name (园区, 新区, 高新区, 工业园区, 科技城) — counts only where a phrase starts, next to
 *   its own district/street, or before an institution suffix (公安局园区分局); never right after another
 *   district (昆山高新区 is not 苏州高新区);
 * - local: a generic official name (开发区, 经济开发区) — counts only right after its own district;
 * - landmark: an extra name (凤凰街) — counts anywhere, as weak evidence;
 * - noise: the city's and its province's names (苏州市, 苏州, 江苏省, 江苏), 中国 — skipped, and what follows starts a phrase;
 * - stop: a word that is not a place although it contains one's short name (陆家嘴) — skipped;
 * - foreign: another province's or prefecture-level city's name (南京市, 浙江省) — the text is about a place outside
 *   the city when it comes before any of the city's own places; not before a road suffix (南京路) or as 市场;
 * - foreignShort: such a name without its suffix (南京, 无锡, 浙江) — counts as foreign only where a phrase starts
 *   and another such name, a place of the city (东山 only before 街道, 镇 …) or a county-level name follows directly
 *   (浙江杭州, 无锡太湖街道, 南京东山街道, 无锡滨湖区), or nothing more is written (上海, 家住南京。), so 北京烤鸭店,
 *   上海银行 and 中山公园 are no other city.
 */
type KeyClass = 'official' | 'alias' | 'weak' | 'zone' | 'local' | 'landmark' | 'noise' | 'stop' | 'foreign' | 'foreignShort';

interface Entry {
	key: string;
	cls: KeyClass;
	/** district or street code ('' for noise, the division's code for foreign) */
	code: string;
	/** the district of the place (its own code for a district) */
	district: string;
	street: boolean;
}

interface TrieNode {
	entry: Entry | null;
	next: Map<number, TrieNode> | null;
}

interface Token {
	e: Entry;
	start: number;
	end: number;
}

interface Evidence {
	e: Entry;
	start: number;
	end: number;
	/** 3 official name, 2 alias or zone or local, 1 weak or landmark, 0 a road named after the place */
	strength: number;
	/** the name is followed by a road suffix (平江路): it tells the district, not the street */
	road: boolean;
}

const STRENGTH: Record<KeyClass, number> = { official: 3, alias: 2, zone: 2, local: 2, weak: 1, landmark: 1, noise: 0, stop: 0, foreign: 0, foreignShort: 0 };

/** Full-width → half-width, and the Chinese round brackets too (matching only; length-preserving). */
function fold(s: string): string {
	const t = toHalfWidth(s);
	return t.indexOf('（') < 0 && t.indexOf('）') < 0 ? t : t.replace(/（/g, '(').replace(/）/g, ')');
}

function isHan(c: number): boolean {
	return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xd800 && c <= 0xdfff); // surrogates: the CJK extensions beyond the BMP
}

function suffixTable(list: string[]): Map<number, string[]> {
	const m = new Map<number, string[]>();
	for (const s of list) m.set(s.charCodeAt(0), [...(m.get(s.charCodeAt(0)) ?? []), s]);
	for (const v of m.values()) v.sort((a, b) => b.length - a.length);
	return m;
}
const SUFFIX_ROAD = suffixTable(ROAD_SUFFIXES);
const SUFFIX_PLACE = suffixTable(PLACE_SUFFIXES);
const SUFFIX_ZONE = suffixTable(ZONE_SUFFIXES);

function hasSuffix(table: Map<number, string[]>, t: string, pos: number): boolean {
	const list = pos < t.length ? table.get(t.charCodeAt(pos)) : undefined;
	if (list) for (const s of list) if (t.startsWith(s, pos)) return true;
	return false;
}

/** 'place' | 'road' | null for the text right after position `pos`; 街道 is a place, 街 a road. */
function suffixAt(t: string, pos: number): 'place' | 'road' | null {
	if (pos >= t.length) return null;
	const c = t.charCodeAt(pos);
	const p = SUFFIX_PLACE.get(c);
	const r = SUFFIX_ROAD.get(c);
	let best: 'place' | 'road' | null = null;
	let len = 0;
	if (p) for (const s of p) if (s.length > len && t.startsWith(s, pos)) (best = 'place'), (len = s.length);
	if (r) for (const s of r) if (s.length > len && t.startsWith(s, pos)) (best = 'road'), (len = s.length);
	return best;
}

interface DistrictPolygon {
	code: string;
	feature: unknown;
	bbox: [number, number, number, number];
}

/** Grid cell size (degrees) of the point-in-polygon index, and the margin around each border edge. */
const GRID_CELL = 0.005;
const GRID_MARGIN = 0.0005;
const NO_CELL_YET = -2;
const ON_BORDER = -1;

/** Rough bounding box of the People's Republic of China (incl. Hainan and the islands down to 3.8°N). */
const CHINA = { minLon: 73.4, maxLon: 135.1, minLat: 3.8, maxLat: 53.6 };
const inChina = (lon: number, lat: number) =>
	lon >= CHINA.minLon && lon <= CHINA.maxLon && lat >= CHINA.minLat && lat <= CHINA.maxLat;

/**
 * A coordinate pair checked for plausibility: numbers (or numeric strings) inside China's bounding box. An
 * obvious swap (lat, lon given as lon, lat — e.g. [31.3, 120.6]) is detected and fixed: because China's
 * longitudes (≥ 73.4) are all larger than its latitudes (≤ 53.6), the two orders can never both fit.
 * Returns null for non-numbers, NaN, (0, 0), and points outside China in both orders.
 */
export function checkLonLat(lon: unknown, lat: unknown): { lon: number; lat: number; swapped: boolean } | null {
	const x = typeof lon === 'string' && lon.trim() !== '' ? Number(toHalfWidth(lon.trim())) : lon;
	const y = typeof lat === 'string' && lat.trim() !== '' ? Number(toHalfWidth(lat.trim())) : lat;
	if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return null;
	if (inChina(x, y)) return { lon: x, lat: y, swapped: false };
	if (inChina(y, x)) return { lon: y, lat: x, swapped: true };
	return null;
}

function bboxOf(geometry: unknown): [number, number, number, number] {
	const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
	const walk = (c: unknown): void => {
		if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') {
			b[0] = Math.min(b[0], c[0]);
			b[1] = Math.min(b[1], c[1]);
			b[2] = Math.max(b[2], c[0]);
			b[3] = Math.max(b[3], c[1]);
		} else if (Array.isArray(c)) c.forEach(walk);
	};
	walk((geometry as { coordinates?: unknown }).coordinates);
	return b;
}

const inBox = (b: [number, number, number, number], lon: number, lat: number) =>
	lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3];

/**
 * Address text → district and street; lon/lat → district. Build one per Reference and reuse it (building
 * takes some 20–30 ms; then geocodeText handles about a million addresses per second on one core and locate
 * some 100k points per second; each worker thread builds its own).
 */
export class Geocoder {
	/** trie roots by the first UTF-16 code unit (a flat table: one array read per character of the text) */
	private readonly root: (TrieNode | undefined)[] = new Array<TrieNode | undefined>(65536).fill(undefined);
	private readonly districtCodes: Set<string>;
	private readonly polygons: DistrictPolygon[] = [];
	private readonly cityBox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
	/**
	 * A grid of GRID_CELL° cells over the city's bounding box, filled lazily: NO_CELL_YET, ON_BORDER (a polygon
	 * edge may cross the cell: ask geoContains), or 0 (outside every polygon) / i + 1 (inside polygon i) for a
	 * cell no edge crosses, which is then wholly on one side of every border.
	 */
	private cells: Int16Array = new Int16Array(0);
	private gridW = 0;
	private gridH = 0;
	/** polygon owner → districts without a polygon of their own whose label point lies in that polygon */
	private readonly shadowed = new Map<string, string[]>();
	/** label points [lon, lat] of the districts that have one */
	private readonly centers = new Map<string, [number, number]>();
	/** the provinces and prefecture-level cities other than the city's own and its province, by code */
	private readonly foreign = new Map<string, Division>();

	constructor(ref: Reference, options: GeocoderOptions = {}) {
		this.districtCodes = new Set(ref.districts.map((d) => d.code));
		const keys = new Map<string, Entry>();
		const add = (name: string, cls: KeyClass, code: string, district: string, street: boolean) => {
			const key = fold(name.trim());
			if (key.length < 2 || keys.has(key)) return; // the first owner keeps a name (official names go first)
			keys.set(key, { key, cls, code, district, street });
		};
		const aliasClass = (key: string): KeyClass => (ZONE.has(key) ? 'zone' : LOCAL.has(key) ? 'local' : key.length <= 2 ? 'weak' : 'alias');

		for (const d of ref.districts) add(d.name, LOCAL.has(d.name) ? 'local' : 'official', d.code, d.code, false);
		for (const s of ref.streets) add(s.name, LOCAL.has(s.name) ? 'local' : 'official', s.code, s.districtCode, true);
		// Names with a bracketed part (浒墅关经开区（镇）, 科技城（东渚街道）): the part before and the part inside.
		for (const s of ref.streets) {
			const m = /^(.+?)[（(](.+)[）)]$/.exec(s.name);
			if (!m) continue;
			for (const part of [m[1], m[2]]) if (part.length >= 3) add(part, aliasClass(fold(part)), s.code, s.districtCode, true);
		}
		for (const d of ref.districts) for (const a of d.aliases) add(a, aliasClass(fold(a)), d.code, d.code, false);
		for (const s of ref.streets) for (const a of s.aliases) add(a, aliasClass(fold(a)), s.code, s.districtCode, true);
		// an alias that starts with its district's short name is also written with the full name (常熟高新区 →
		// 常熟市高新区, 吴中开发区 → 吴中区开发区, 张家港经开区 → 张家港市经开区), as addresses often do
		for (const s of ref.streets) {
			const d = ref.districtByCode.get(s.districtCode);
			const short = d ? stripSuffix(d.name, /[区市县]$/) : null;
			if (!d || !short) continue;
			for (const a of s.aliases) if (a.startsWith(short) && !a.startsWith(d.name)) add(d.name + a.slice(short.length), 'alias', s.code, s.districtCode, true);
		}
		for (const l of options.landmarks ?? DEFAULT_LANDMARKS) {
			const d = ref.districtByCode.get(l.code);
			const s = ref.streetByCode.get(l.code);
			if (!d && !s) throw new Error(`Geocoder: landmark "${l.name}" names unknown code ${l.code}`);
			add(l.name, 'landmark', l.code, s ? s.districtCode : l.code, !!s);
		}
		// the city's own name and its province's say nothing about the place inside it; every other province and
		// prefecture-level city is outside (a name the city's own places have keeps meaning them)
		const own = new Set([ref.cityCode, ref.cityCode.slice(0, 2)]);
		const ownNames = [ref.cityName, cityShortName(ref.cityName)];
		for (const d of ref.divisions) if (own.has(d.code)) ownNames.push(d.name, ...(d.short ? [d.short] : []));
		for (const n of [...NOISE, ...ownNames]) add(n, 'noise', '', '', false);
		for (const n of options.notPlaces ?? DEFAULT_NOT_PLACES) add(n, 'stop', '', '', false);
		for (const d of ref.divisions) {
			if (own.has(d.code)) continue;
			this.foreign.set(d.code, d);
			add(d.name, 'foreign', d.code, '', false);
		}
		for (const d of ref.divisions) if (!own.has(d.code) && d.short) add(d.short, 'foreignShort', d.code, '', false);

		for (const e of keys.values()) {
			const c0 = e.key.charCodeAt(0);
			let node = (this.root[c0] ??= { entry: null, next: null });
			for (let i = 1; i < e.key.length; i++) {
				const c = e.key.charCodeAt(i);
				const next = (node.next ??= new Map());
				let child = next.get(c);
				if (!child) next.set(c, (child = { entry: null, next: null }));
				node = child;
			}
			node.entry = e;
		}

		// Polygons.
		const features = (ref.geojson as { features?: unknown[] } | null)?.features ?? [];
		for (const f of features) {
			const ft = f as { id?: unknown; properties?: { adcode?: unknown }; geometry?: unknown };
			const code = String(ft.id ?? ft.properties?.adcode ?? '');
			if (!ft.geometry || !this.districtCodes.has(code)) continue;
			const bbox = bboxOf(ft.geometry);
			this.polygons.push({ code, feature: f, bbox });
			this.cityBox[0] = Math.min(this.cityBox[0], bbox[0]);
			this.cityBox[1] = Math.min(this.cityBox[1], bbox[1]);
			this.cityBox[2] = Math.max(this.cityBox[2], bbox[2]);
			this.cityBox[3] = Math.max(this.cityBox[3], bbox[3]);
		}
		this.buildGrid();
		for (const d of ref.districts) if (d.center) this.centers.set(d.code, d.center);
		for (const d of ref.districts) {
			if (d.hasPolygon || !d.center) continue;
			const host = this.polygonAt(d.center[0], d.center[1]);
			if (host) this.shadowed.set(host, [...(this.shadowed.get(host) ?? []), d.code]);
		}
	}

	// -------------------------------------------------------------------------------------------------------
	// Text

	/**
	 * Address (or any text) → district and street.
	 *
	 * Matching: the text is folded (full-width → half-width, （）→ ()), then scanned left to right for the longest
	 * gazetteer key at each position (a trie over official names, aliases, the parts of bracketed names, landmarks,
	 * the skipped prefixes — the city's and its province's names, 中国 — and the names of China's other provinces and
	 * prefecture-level cities); a match consumes its characters.
	 *
	 * Which matches count (see `KeyClass`): official names and 3+-character aliases always; 2-character aliases
	 * only (a) where a phrase starts — at the start, after a non-Chinese character (space, punctuation, digit),
	 * after a skipped prefix (苏州周市镇 → 周市), or after 在/住/于/到/去/往/从/至/自/近 —, (b) when followed by an
	 * address suffix (路, 街, 大道, 巷, 弄, 镇, 村, 社区, 小区, 花园, 新村, 附近, 站 … see PLACE_SUFFIXES and
	 * ROAD_SUFFIXES), (c) for a street, when its district was named before (or is the hint, or is implied by a
	 * street named before in full: 木渎镇…胥口), (d) for a district,
	 * when one of its streets follows directly (昆山花桥); generic zone names (园区, 新区, 高新区, 工业园区, 科技城)
	 * only by (a), (c), (d), when they are the hint, or before an institution suffix (公安局园区分局, 园区管委会)
	 * unless another place name directly precedes; 开发区/经济开发区 only right after their district.
	 * A name followed by a road suffix (平江路, 东山大道) names a road: it supports the district but never sets
	 * the street.
	 *
	 * Resolution:
	 * 0. another province or prefecture-level city (reference geo/china-divisions.csv) named before any of the city's
	 *    own places gives 'outside' with that division, and no district or street: 南京市江宁区东山街道 is not 吴中区
	 *    东山镇, 无锡市滨湖区太湖街道 not 吴中区 太湖街道 (see `KeyClass` for when such a name counts; 南京路 does not);
	 * 1. a street whose district is also named (or is the hint) wins — the strongest such street (official
	 *    name > alias > short alias), the earliest on a tie;
	 * 2. otherwise the strongest street, which implies its district, wins over a disagreeing district when the
	 *    street is named in full or by a 3+-character alias, or is stronger than every district named
	 *    (姑苏区木渎镇 → 吴中区 木渎镇); a short-alias street loses to a district named in full or by alias, and to a
	 *    disagreeing hint when no district is named in the text;
	 * 3. otherwise the strongest district named (one agreeing with the hint first; official name > alias >
	 *    short alias/landmark > a road named after a street), the earliest on a tie.
	 * The hint never becomes the result by itself: a text that names no place gives 'none'.
	 */
	geocodeText(address: string, hint?: GeocodeHint): GeocodeResult {
		if (typeof address !== 'string' || address.length === 0) return NONE();
		const t = fold(address);
		const hintCode = hint?.districtCode && this.districtCodes.has(hint.districtCode) ? hint.districtCode : null;

		// 1. Tokens: leftmost longest matches.
		const tokens: Token[] = [];
		const n = t.length;
		for (let i = 0; i < n; ) {
			let node = this.root[t.charCodeAt(i)];
			if (node === undefined) {
				i++;
				continue;
			}
			let best: Entry | null = null;
			let end = i;
			let k = i + 1;
			for (;;) {
				if (node.entry !== null) {
					best = node.entry;
					end = k;
				}
				if (k >= n || node.next === null) break;
				const nx: TrieNode | undefined = node.next.get(t.charCodeAt(k));
				if (nx === undefined) break;
				node = nx;
				k++;
			}
			if (best === null) i++;
			else {
				tokens.push({ e: best, start: i, end });
				i = end;
			}
		}
		if (tokens.length === 0) return NONE();

		// 2. Which tokens count.
		const ev: Evidence[] = [];
		const namedDistricts = new Set<string>();
		if (hintCode) namedDistricts.add(hintCode);
		for (let idx = 0; idx < tokens.length; idx++) {
			const tok = tokens[idx];
			const e = tok.e;
			if (e.cls === 'noise' || e.cls === 'stop') continue;
			const prev = idx > 0 && tokens[idx - 1].end === tok.start ? tokens[idx - 1] : null;
			const next = idx + 1 < tokens.length && tokens[idx + 1].start === tok.end ? tokens[idx + 1] : null;
			const suffix = suffixAt(t, tok.end);
			if (e.cls === 'foreign' || e.cls === 'foreignShort') {
				// another city named before any of the city's own places: the text is about a place there (南京市江宁区
				// 东山街道 is not 吴中区 东山镇); named after one, it is a mention (昆山市花桥镇，靠近上海)
				if (!hint?.freeText && ev.length === 0 && this.foreignCounts(t, tok, prev, next, suffix)) {
					const d = this.foreign.get(e.code)!;
					return { districtCode: null, streetCode: null, confidence: 'outside', matched: [address.slice(tok.start, tok.end)], outside: { code: d.code, name: d.name } };
				}
				continue;
			}
			let ok: boolean;
			if (e.cls === 'official' || e.cls === 'alias' || e.cls === 'landmark') ok = true;
			else if (e.cls === 'local') ok = prev !== null && !prev.e.street && prev.e.code === e.district;
			else {
				const before = tok.start === 0 ? -1 : t.charCodeAt(tok.start - 1);
				const phraseStart =
					before < 0 || !isHan(before) || (prev !== null && prev.e.cls === 'noise') || LOCATIVE.has(t[tok.start - 1]);
				const own = e.street ? namedDistricts.has(e.district) : e.code === hintCode;
				const ownStreetNext = !e.street && next !== null && next.e.street && next.e.district === e.code;
				ok =
					phraseStart ||
					own ||
					ownStreetNext ||
					(e.cls === 'weak' && suffix !== null) ||
					(e.cls === 'zone' && (prev === null || prev.e.cls === 'stop') && hasSuffix(SUFFIX_ZONE, t, tok.end));
			}
			if (!ok) continue;
			const road = suffix === 'road';
			let strength = STRENGTH[e.cls];
			if (road) strength = e.street ? 0 : Math.min(strength, 1);
			ev.push({ e, start: tok.start, end: tok.end, strength, road });
			// A district named, or implied by a street named in full, lets later short street names count.
			if (!e.street || (strength >= 2 && !road)) namedDistricts.add(e.district);
		}
		if (ev.length === 0) return NONE();

		// 3. Resolution.
		let bestStreet: Evidence | null = null; // strongest street (not a road)
		let bestConsistent: Evidence | null = null; // strongest street whose district is named or the hint
		let bestDistrict: Evidence | null = null; // strongest district named
		for (const x of ev) {
			if (!x.e.street) {
				if (better(x, bestDistrict)) bestDistrict = x;
			} else if (!x.road) {
				if (better(x, bestStreet)) bestStreet = x;
				if ((x.e.district === hintCode || this.named(ev, x.e.district)) && better(x, bestConsistent)) bestConsistent = x;
			}
		}
		let street = bestConsistent;
		if (street === null && bestStreet !== null) {
			const s = bestStreet;
			const d = bestDistrict;
			if (d === null) street = hintCode === null || s.strength >= 2 ? s : null;
			else if (s.strength >= 2 || s.strength > d.strength) street = s;
		}
		if (street !== null) return this.result(address, ev, street.e.district, street.e.code);

		// District only: from districts named and roads named after streets, one agreeing with the hint first.
		let d: Evidence | null = null;
		let agreeing: Evidence | null = null;
		for (const x of ev) {
			if (x.e.street && !x.road) continue;
			if (better(x, d)) d = x;
			if (x.e.district === hintCode && better(x, agreeing)) agreeing = x;
		}
		d = agreeing ?? d;
		return d === null ? NONE() : this.result(address, ev, d.e.district, null);
	}

	/** Whether another city's name (a foreign or foreignShort token) names where the text is (see `KeyClass`). */
	private foreignCounts(t: string, tok: Token, prev: Token | null, next: Token | null, suffix: 'place' | 'road' | null): boolean {
		if (suffix === 'road') return false; // 南京路, 北京东路, 上海大街
		if (tok.e.cls === 'foreign') return !(tok.e.key.endsWith('市') && t[tok.end] === '场'); // 南京市场
		const before = tok.start === 0 ? -1 : t.charCodeAt(tok.start - 1);
		const phraseStart = before < 0 || !isHan(before) || (prev !== null && (prev.e.cls === 'noise' || prev.e.cls === 'foreign' || prev.e.cls === 'foreignShort')) || LOCATIVE.has(t[tok.start - 1]);
		if (!phraseStart) return false;
		// 浙江杭州, 无锡太湖街道, 南京东山街道 (a short name of the city's own as a place: 东山 before 街道)
		if (next !== null) {
			const c = next.e.cls;
			if (c === 'foreign' || c === 'foreignShort' || c === 'official' || c === 'alias') return true;
			if (c === 'weak' && suffixAt(t, next.end) === 'place') return true;
		}
		if (tok.end === t.length || !isHan(t.charCodeAt(tok.end))) return true; // the name alone: 上海, 家住南京。
		const county = COUNTY_AFTER.exec(t.slice(tok.end, tok.end + 5));
		return county !== null && !NOT_COUNTY.test(county[0]) && t[tok.end + county[0].length] !== '场';
	}

	/** Whether a district is named in the text (a district token, not a street). */
	private named(ev: Evidence[], district: string): boolean {
		for (const x of ev) if (!x.e.street && x.e.code === district) return true;
		return false;
	}

	private result(address: string, ev: Evidence[], districtCode: string, streetCode: string | null): GeocodeResult {
		const matched: string[] = [];
		for (const x of ev) {
			const supports = x.e.street ? x.e.code === streetCode || (x.road && x.e.district === districtCode) : x.e.code === districtCode;
			if (!supports) continue;
			const s = address.slice(x.start, x.end);
			if (!matched.includes(s)) matched.push(s);
		}
		return { districtCode, streetCode, confidence: streetCode ? 'street' : 'district', matched, outside: null };
	}

	// -------------------------------------------------------------------------------------------------------
	// Coordinates

	/** Marks every cell that a polygon edge's bounding box (plus a margin) touches as ON_BORDER. */
	private buildGrid(): void {
		if (this.polygons.length === 0) return;
		const [x0, y0, x1, y1] = this.cityBox;
		this.gridW = Math.max(1, Math.ceil((x1 - x0) / GRID_CELL));
		this.gridH = Math.max(1, Math.ceil((y1 - y0) / GRID_CELL));
		this.cells = new Int16Array(this.gridW * this.gridH).fill(NO_CELL_YET);
		const col = (x: number) => Math.min(this.gridW - 1, Math.max(0, Math.floor((x - x0) / GRID_CELL)));
		const row = (y: number) => Math.min(this.gridH - 1, Math.max(0, Math.floor((y - y0) / GRID_CELL)));
		const ring = (r: unknown) => {
			if (!Array.isArray(r)) return;
			for (let i = 0; i + 1 < r.length; i++) {
				const [ax, ay] = r[i] as [number, number];
				const [bx, by] = r[i + 1] as [number, number];
				// geoContains takes the edge as a great-circle arc, which bulges off the straight lon/lat segment by
				// about len² × 0.001° (len in degrees; 1.5e-5° for this file's longest edge, 0.12°): the segment's
				// bounding box plus a margin well above that contains the arc.
				const len = Math.hypot(bx - ax, by - ay);
				const margin = GRID_MARGIN + 0.002 * len * len;
				const c0 = col(Math.min(ax, bx) - margin);
				const c1 = col(Math.max(ax, bx) + margin);
				const r0 = row(Math.min(ay, by) - margin);
				const r1 = row(Math.max(ay, by) + margin);
				for (let y = r0; y <= r1; y++) for (let x = c0; x <= c1; x++) this.cells[y * this.gridW + x] = ON_BORDER;
			}
		};
		for (const p of this.polygons) {
			const g = (p.feature as { geometry: { type: string; coordinates: unknown[] } }).geometry;
			const polys = g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates];
			for (const poly of polys) if (Array.isArray(poly)) poly.forEach(ring);
		}
	}

	/** The polygon containing a point by geoContains (bounding boxes first). */
	private polygonIndexExact(lon: number, lat: number): number {
		for (let i = 0; i < this.polygons.length; i++) {
			const p = this.polygons[i];
			if (inBox(p.bbox, lon, lat) && geoContains(p.feature as never, [lon, lat])) return i;
		}
		return -1;
	}

	private polygonAt(lon: number, lat: number): string | null {
		if (!inBox(this.cityBox, lon, lat)) return null;
		const [x0, y0] = this.cityBox;
		const x = Math.min(this.gridW - 1, Math.floor((lon - x0) / GRID_CELL));
		const y = Math.min(this.gridH - 1, Math.floor((lat - y0) / GRID_CELL));
		const cell = y * this.gridW + x;
		let state = this.cells[cell];
		if (state === NO_CELL_YET) {
			// No border crosses this cell: its centre tells for all of it.
			state = this.polygonIndexExact(x0 + (x + 0.5) * GRID_CELL, y0 + (y + 0.5) * GRID_CELL) + 1;
			this.cells[cell] = state;
		}
		const i = state === ON_BORDER ? this.polygonIndexExact(lon, lat) : state - 1;
		return i < 0 ? null : this.polygons[i].code;
	}

	/**
	 * Whether a point (WGS84, as given: no swap) lies within `margin` degrees (0.1° ≈ 10 km) of the box around the
	 * city's district outlines: near enough to be about the city even where `locate` finds no district (past the
	 * simplified borders, on 太湖 or the Yangtze). True when there are no outlines to tell by.
	 */
	nearCity(lon: number, lat: number, margin = 0.1): boolean {
		const [x0, y0, x1, y1] = this.cityBox;
		if (!Number.isFinite(x0)) return true;
		return lon >= x0 - margin && lon <= x1 + margin && lat >= y0 - margin && lat <= y1 + margin;
	}

	/**
	 * lon/lat (WGS84) → the code of the district whose polygon contains the point, or null when the pair is not
	 * a coordinate in China (see `checkLonLat`; an obvious lat/lon swap is fixed first) or lies outside every
	 * district of the city (neighbouring cities, the Yangtze, points just past the simplified borders).
	 *
	 * 苏州工业园区 (320576) has no polygon of its own in the district GeoJSON: its land lies inside another
	 * district's polygon — in the shipped file 姑苏区 (320508) — and `locate` returns **that polygon's code**
	 * (so a point at 金鸡湖 gives 320508). It never invents a boundary. Use `locateCandidates` to learn that such
	 * a point may just as well be in 320576, and prefer the text's district when it is one of the candidates.
	 */
	locate(lon: number, lat: number): string | null {
		const c = checkLonLat(lon, lat);
		return c === null ? null : this.polygonAt(c.lon, c.lat);
	}

	/**
	 * Every district a point may belong to: the polygon's district first, then the districts without a polygon
	 * whose label point lies in that polygon (in the shipped data: a point inside 姑苏区's polygon gives
	 * ['320508', '320576']). Empty when `locate` gives null.
	 */
	locateCandidates(lon: number, lat: number): string[] {
		const code = this.locate(lon, lat);
		return code === null ? [] : [code, ...(this.shadowed.get(code) ?? [])];
	}

	/**
	 * The district a point most likely lies in: `locate`'s polygon, or, where districts without a polygon lie inside
	 * it, the candidate whose label point is nearest — the boundary between them is not in the data, so this splits
	 * the shared polygon halfway between the label points (a point in 姑苏区's old town gives 320508, one at 金鸡湖
	 * or 星湖街 320576). An address that names one of the candidates should decide before this.
	 */
	locateNearest(lon: number, lat: number, candidates = this.locateCandidates(lon, lat)): string | null {
		if (candidates.length <= 1) return candidates[0] ?? null;
		const k = Math.cos((lat * Math.PI) / 180);
		let best = candidates[0];
		let bestD = Infinity;
		for (const code of candidates) {
			const c = this.centers.get(code);
			if (!c) continue;
			const d = ((c[0] - lon) * k) ** 2 + (c[1] - lat) ** 2;
			if (d < bestD) {
				bestD = d;
				best = code;
			}
		}
		return best;
	}

	/** Whether a point can lie in `districtCode` (one of `locateCandidates`). */
	pointMayBeIn(districtCode: string, lon: number, lat: number): boolean {
		return this.locateCandidates(lon, lat).includes(districtCode);
	}
}

/** a beats b: stronger, or as strong and earlier in the text; anything beats null. */
function better(a: Evidence, b: Evidence | null): boolean {
	return b === null || (a.strength !== b.strength ? a.strength > b.strength : a.start < b.start);
}

const NONE = (): GeocodeResult => ({ districtCode: null, streetCode: null, confidence: 'none', matched: [], outside: null });
