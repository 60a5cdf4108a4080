import { afterEach, describe, it, expect, vi } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	categoryAncestors,
	citySlug,
	defaultDataDir,
	findPlace,
	loadCityConfig,
	loadReference,
	parseCityConfig,
	parseCsv,
	placeName,
	routeUnit,
	type Reference
} from './index';

const ref: Reference = loadReference();

/** Deterministic pseudo-random numbers in [0, 1). */
function lcg(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

/** A copy of the data directory with one file rewritten; removed afterwards. */
function withBrokenCopy(file: string, edit: (text: string) => string, check: (dir: string) => void): void {
	const dir = mkdtempSync(join(tmpdir(), 'minqing-ref-'));
	try {
		for (const sub of ['cities', 'geo', 'reference']) cpSync(join(defaultDataDir(), sub), join(dir, sub), { recursive: true });
		const path = join(dir, file);
		writeFileSync(path, edit(readFileSync(path, 'utf8')));
		check(dir);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('placeName', () => {
	it('names the city, a district, a street after its district, and falls back to the code', () => {
		expect(placeName(ref, 'city', ref.cityCode)).toBe('苏州市');
		expect(placeName(ref, 'district', '320506')).toBe('吴中区');
		expect(placeName(ref, 'street', '320506001')).toBe('吴中区长桥街道');
		expect(placeName(ref, 'street', '999999999')).toBe('999999999');
	});
});

describe('reference data', () => {
	it('has the city, its 10 districts and 118 streets', () => {
		expect(ref.cityName).toBe('苏州市');
		expect(ref.cityCode).toBe('3205');
		expect(ref.districts).toHaveLength(10);
		expect(ref.streets).toHaveLength(118);
		for (const s of ref.streets) expect(ref.districtByCode.has(s.districtCode)).toBe(true);
		expect(ref.districtByCode.get('320576')?.name).toBe('苏州工业园区');
	});

	it('takes polygons and centres from the GeoJSON; 苏州工业园区 has a centre but no polygon', () => {
		const sip = ref.districtByCode.get('320576')!;
		expect(sip.hasPolygon).toBe(false);
		expect(sip.center![0]).toBeCloseTo(120.72, 1);
		expect(sip.center![1]).toBeCloseTo(31.32, 1);
		for (const d of ref.districts) {
			expect(d.center).not.toBeNull();
			if (d.code !== '320576') expect(d.hasPolygon).toBe(true);
		}
		expect(ref.districtByCode.get('320508')!.center).toEqual([120.617369, 31.33565]);
		expect((ref.geojson as { type: string }).type).toBe('FeatureCollection');
	});

	it('has the category taxonomy with consistent parents and paths', () => {
		const count = (l: number) => ref.categories.filter((c) => c.level === l).length;
		expect(count(1)).toBeGreaterThanOrEqual(12);
		expect(count(2)).toBeGreaterThanOrEqual(60);
		expect(count(3)).toBeGreaterThan(count(2));
		expect(categoryAncestors(ref, '010101').map((c) => c.name)).toEqual(['城市管理', '市容环境', '占道经营']);
		expect(categoryAncestors(ref, '0202').map((c) => c.code)).toEqual(['02', '0202']);
		expect(() => categoryAncestors(ref, '999999')).toThrow(/999999/);
		for (const c of ref.categories.filter((c) => c.level === 3))
			expect(
				categoryAncestors(ref, c.code)
					.map((a) => a.name)
					.join(' › ')
			).toBe(c.path);
	});

	it('registers units whose district and street codes exist', () => {
		const kinds = (k: string) => ref.units.filter((u) => u.kind === k);
		expect(kinds('district')).toHaveLength(10);
		expect(kinds('street')).toHaveLength(118);
		expect(kinds('municipal').length).toBeGreaterThanOrEqual(26);
		expect(kinds('utility').length).toBeGreaterThanOrEqual(7);
		for (const u of ref.units) {
			if (u.districtCode !== null) expect(ref.districtByCode.has(u.districtCode)).toBe(true);
			if (u.streetCode !== null) expect(ref.streetByCode.get(u.streetCode)?.districtCode).toBe(u.districtCode);
			if (u.kind === 'municipal' || u.kind === 'utility') expect(u.districtCode).toBeNull();
		}
		for (const d of ref.districts) expect(ref.unitByCode.get(`D${d.code}`)?.kind).toBe('district');
		for (const s of ref.streets) expect(ref.unitByCode.get(`S${s.code}`)?.kind).toBe('street');
		expect(ref.unitByCode.get('D320576')?.name).toBe('苏州工业园区管委会');
		expect(ref.unitByCode.get('S320508018')?.name).toBe('姑苏区平江街道办事处');
		expect(ref.unitByCode.get('S320506103')?.name).toBe('吴中区木渎镇人民政府');
		expect(ref.units.some((u) => u.name === '苏州市生态环境局')).toBe(true);
		expect(ref.units.some((u) => u.name === '苏州港华燃气有限公司')).toBe(true);
	});

	it('routes every level-3 category to an existing unit in every district', () => {
		const rand = lcg(42);
		for (const c of ref.categories.filter((c) => c.level === 3)) {
			for (const d of ref.districts) {
				const streets = ref.streets.filter((s) => s.districtCode === d.code);
				for (let i = 0; i < 3; i++) {
					const street = i === 0 ? null : streets[Math.floor(rand() * streets.length)].code;
					const unit = routeUnit(ref, c.code, d.code, street, rand);
					expect(ref.unitByCode.get(unit.code)).toBe(unit);
					if (unit.kind === 'district') expect(unit.districtCode).toBe(d.code);
					if (unit.kind === 'street') {
						expect(street).not.toBeNull();
						expect(unit.streetCode).toBe(street);
						expect(unit.districtCode).toBe(d.code);
					}
				}
			}
		}
	});

	it('lands street rules on the street office of the same district, or the district without a street', () => {
		// 010102 乱张贴小广告: street office or district.
		const rules = ref.routing.filter((r) => r.category === '010102');
		expect(rules.map((r) => r.handler).sort()).toEqual(['district', 'street']);
		const first = () => 0; // the first rule of the list, which is `street`
		expect(rules[0].handler).toBe('street');
		expect(routeUnit(ref, '010102', '320508', '320508018', first).code).toBe('S320508018');
		expect(routeUnit(ref, '010102', '320508', null, first).code).toBe('D320508');
		// a street of another district does not count as the ticket's street
		expect(routeUnit(ref, '010102', '320508', '320506103', first).code).toBe('D320508');
		const rand = lcg(7);
		for (const s of ref.streets) {
			const u = routeUnit(ref, '010102', s.districtCode, s.code, rand);
			expect(u.districtCode).toBe(s.districtCode);
			if (u.kind === 'street') expect(u.code).toBe(`S${s.code}`);
		}
	});

	it('uses the most specific prefix and respects weights', () => {
		// 0402 供电 → 国网苏州供电公司 only; 1101 户籍与证件 → 市公安局 only
		expect(routeUnit(ref, '040201', '320583', null, Math.random).name).toBe('国网江苏省电力有限公司苏州供电分公司');
		expect(routeUnit(ref, '110101', '320505', null, Math.random).name).toBe('苏州市公安局');
		const rand = lcg(1);
		const n = 4000;
		let streetShare = 0;
		for (let i = 0; i < n; i++) if (routeUnit(ref, '010101', '320508', '320508018', rand).kind === 'street') streetShare++;
		const rules = ref.routing.filter((r) => r.category === '010101');
		const expected =
			rules.filter((r) => r.handler === 'street').reduce((s, r) => s + r.weight, 0) / rules.reduce((s, r) => s + r.weight, 0);
		expect(streetShare / n).toBeGreaterThan(expected - 0.05);
		expect(streetShare / n).toBeLessThan(expected + 0.05);
		expect(() => routeUnit(ref, '99', '320508', null, rand)).toThrow(/99/);
		expect(() => routeUnit(ref, '010101', '110101', null, rand)).toThrow(/110101/);
	});

	it('resolves gazetteer aliases', () => {
		const code = (t: string) => findPlace(ref, t)?.place.code;
		expect(code('园区')).toBe('320576');
		expect(code('工业园区')).toBe('320576');
		expect(code('高新区')).toBe('320505');
		expect(code('新区')).toBe('320505');
		expect(code('常熟')).toBe('320581');
		expect(code('横塘')).toBe('320505001');
		expect(code('木渎')).toBe('320506103');
		expect(code('科技城')).toBe('320505407');
		expect(code('东渚')).toBe('320505407');
		expect(code('虎丘')).toBe('320508022'); // 姑苏区虎丘街道, not 虎丘区
		expect(code('苏州工业园区')).toBe('320576');
		expect(findPlace(ref, '火星')).toBeNull();
		const seen = new Map<string, string>();
		for (const p of [...ref.districts, ...ref.streets])
			for (const a of [p.name, ...p.aliases]) {
				expect(seen.get(a) ?? p.code).toBe(p.code);
				seen.set(a, p.code);
			}
		// every 街道/镇 has its short name unless that is a common word
		expect(
			ref.streets
				.filter((s) => /(街道|镇)$/.test(s.name) && s.aliases.length === 0)
				.map((s) => s.name)
				.sort()
		).toEqual(['东南街道', '城南街道', '太平街道', '太湖街道'].sort());
	});

	it('caches per data directory', () => {
		vi.stubEnv('MINQING_CITY', '');
		expect(loadReference()).toBe(ref);
		expect(loadReference(defaultDataDir())).toBe(ref);
		expect(loadReference(defaultDataDir(), 'suzhou')).toBe(ref);
		vi.unstubAllEnvs();
	});

	it('knows China’s provinces and prefecture-level cities, with the short names in use', () => {
		const by = new Map(ref.divisions.map((d) => [d.code, d]));
		expect(by.get('32')).toEqual({ code: '32', name: '江苏省', short: '江苏' });
		expect(by.get('3201')).toEqual({ code: '3201', name: '南京市', short: '南京' });
		expect(by.get('3205')).toEqual({ code: '3205', name: '苏州市', short: '苏州' });
		expect(by.get('45')?.short).toBe('广西');
		expect(by.get('81')?.short).toBe('香港');
		expect(by.get('2224')).toEqual({ code: '2224', name: '延边朝鲜族自治州', short: null });
		expect(ref.divisions.filter((d) => d.code.length === 2)).toHaveLength(34);
		expect(ref.divisions.some((d) => /辖/.test(d.name))).toBe(false); // no 市辖区 placeholders
	});

	it('is configured by data/cities/suzhou.json', () => {
		const file = join(defaultDataDir(), 'cities', 'suzhou.json');
		expect(ref.city).toEqual(parseCityConfig(JSON.parse(readFileSync(file, 'utf8')), file));
		expect(ref.city).toMatchObject({ slug: 'suzhou', code: '3205', name: '苏州市', phoneAreaCode: '0512' });
		expect(ref.city.files).toEqual({
			areas: 'geo/suzhou-areas.csv',
			streets: 'geo/suzhou-streets.csv',
			geojson: 'geo/suzhou-districts.geojson',
			places: 'reference/places.tsv',
			units: 'reference/units.tsv',
			routing: 'reference/routing.tsv',
			categories: 'reference/categories.tsv'
		});
		expect(ref.city.centers).toEqual({ '320576': [120.72, 31.32] });
	});

	it('names the file and line of malformed data', () => {
		withBrokenCopy(
			'reference/units.tsv',
			(t) => t.replace('\tmunicipal\t', '\tministry\t'),
			(dir) => {
				expect(() => loadReference(dir)).toThrow(/units\.tsv:2: kind must be/);
			}
		);
		withBrokenCopy(
			'reference/routing.tsv',
			(t) =>
				t
					.split('\n')
					.map((l, i) => (i === 4 ? l.replace(/\t[\d.]+$/, '\tmany') : l))
					.join('\n'),
			(dir) => {
				expect(() => loadReference(dir)).toThrow(/routing\.tsv:5: weight must be/);
			}
		);
		withBrokenCopy(
			'reference/places.tsv',
			(t) => t + '320505\t木渎\n',
			(dir) => {
				expect(() => loadReference(dir)).toThrow(/places\.tsv:\d+: alias "木渎" already names 320506103/);
			}
		);
		withBrokenCopy(
			'geo/china-divisions.csv',
			(t) => t.replace('3201,南京市,南京', '320100,南京市,南京'),
			(dir) => {
				expect(() => loadReference(dir)).toThrow(/china-divisions\.csv:\d+: bad province or city code "320100"/);
			}
		);
		withBrokenCopy(
			'reference/categories.tsv',
			(t) => t.replace('010101\t3\t0101\t', '010101\t3\t0101\textra\t'),
			(dir) => {
				expect(() => loadReference(dir)).toThrow(/categories\.tsv:4: expected 5 tab-separated fields, found 6/);
			}
		);
		withBrokenCopy(
			'reference/routing.tsv',
			(t) =>
				t
					.split('\n')
					.filter((l) => !l.startsWith('0402'))
					.join('\n'),
			(dir) => {
				expect(() => loadReference(dir)).not.toThrow(); // 04 still covers 供电
			}
		);
		withBrokenCopy(
			'cities/suzhou.json',
			(t) => t.replace('"0512"', '"512"'),
			(dir) => {
				expect(() => loadReference(dir, 'suzhou')).toThrow(/cities\/suzhou\.json: field "phoneAreaCode" must be a long-distance area code/);
			}
		);
		withBrokenCopy(
			'cities/suzhou.json',
			(t) => t.replace('"320576"', '"320599"'),
			(dir) => {
				expect(() => loadReference(dir, 'suzhou')).toThrow(
					/cities\/suzhou\.json: field "centers\.320599" names no district of .*suzhou-areas\.csv/
				);
			}
		);
		withBrokenCopy(
			'cities/suzhou.json',
			(t) => t.replace('"code": "3205"', '"code": "3206"'),
			(dir) => {
				expect(() => loadReference(dir, 'suzhou')).toThrow(/field "centers\.320576" is not a district code of city 3206/);
			}
		);
		withBrokenCopy(
			'cities/suzhou.json',
			(t) => t.replace('"code": "3205"', '"code": "3206"').replace(/"centers": \{[^}]*\}/, '"centers": {}'),
			(dir) => {
				expect(() => loadReference(dir, 'suzhou')).toThrow(/suzhou-areas\.csv:2: city code 3205 is not 3206/);
			}
		);
		withBrokenCopy(
			'cities/suzhou.json',
			(t) => t.replace('"reference/units.tsv"', '"reference/no-such-units.tsv"'),
			(dir) => {
				expect(() => loadReference(dir, 'suzhou')).toThrow(/no-such-units\.tsv: cannot read reference file/);
			}
		);
		withBrokenCopy(
			'cities/suzhou.json',
			(t) => t.replace('{', '{,'),
			(dir) => {
				expect(() => loadReference(dir, 'suzhou')).toThrow(/cities\/suzhou\.json: invalid JSON/);
			}
		);
		withBrokenCopy(
			'geo/suzhou-streets.csv',
			(t) => t.replace('320505002,"狮山街道",320505,32,3205', '320505002,"狮山街道",320505,32'),
			(dir) => {
				expect(() => loadReference(dir)).toThrow(/suzhou-streets\.csv:3: expected 5 comma-separated fields/);
			}
		);
	});
});

describe('parseCsv', () => {
	it('handles quotes, escaped quotes, commas and newlines inside quotes, CRLF', () => {
		const rows = parseCsv('a,b\r\n"x, ""y""",2\r\n"multi\nline",3\n\n', 't.csv', ['a', 'b']);
		expect(rows).toEqual([
			{ line: 2, fields: { a: 'x, "y"', b: '2' } },
			{ line: 3, fields: { a: 'multi\nline', b: '3' } }
		]);
		expect(() => parseCsv('a,b\n"open,1\n', 't.csv', ['a', 'b'])).toThrow(/t\.csv:2: unterminated/);
		expect(() => parseCsv('a\n1\n', 't.csv', ['a', 'b'])).toThrow(/t\.csv:1: header lacks column\(s\) b/);
	});
});

/** A hand-made city of two districts and two streets, with its own category tree, next to a copy of Suzhou. */
function withTinyCity(check: (dir: string) => void): void {
	const dir = mkdtempSync(join(tmpdir(), 'minqing-city-'));
	const write = (rel: string, text: string) => {
		mkdirSync(join(dir, rel, '..'), { recursive: true });
		writeFileSync(join(dir, rel), text);
	};
	try {
		for (const sub of ['cities', 'geo', 'reference']) cpSync(join(defaultDataDir(), sub), join(dir, sub), { recursive: true });
		write(
			'cities/tiny.json',
			JSON.stringify({
				slug: 'tiny',
				code: '9901',
				name: '测试市',
				phoneAreaCode: '0999',
				files: {
					areas: 'geo/tiny-areas.csv',
					streets: 'geo/tiny-streets.csv',
					geojson: 'geo/tiny-districts.geojson',
					places: 'reference/tiny-places.tsv',
					units: 'reference/tiny-units.tsv',
					routing: 'reference/tiny-routing.tsv',
					categories: 'reference/tiny-categories.tsv'
				},
				centers: { '990102': [100.5, 30.5] }
			})
		);
		write('geo/tiny-areas.csv', 'code,name,cityCode,provinceCode\n990101,"甲区",9901,99\n990102,"乙县",9901,99\n');
		write(
			'geo/tiny-streets.csv',
			'code,name,areaCode,provinceCode,cityCode\n990101001,"东门街道",990101,99,9901\n990102100,"西岭镇",990102,99,9901\n'
		);
		write(
			'geo/tiny-districts.geojson',
			JSON.stringify({
				type: 'FeatureCollection',
				features: [
					{
						type: 'Feature',
						id: '990101',
						properties: { name: '甲区', cp: [100.1, 30.1] },
						geometry: {
							type: 'Polygon',
							coordinates: [
								[
									[100, 30],
									[100.2, 30],
									[100.2, 30.2],
									[100, 30]
								]
							]
						}
					}
				]
			})
		);
		write('reference/tiny-places.tsv', 'code\talias\n990101\t甲城\n990102100\t西岭\n');
		write(
			'reference/tiny-units.tsv',
			'code\tname\tshort_name\tkind\tdistrict_code\tstreet_code\n' +
				'D990101\t测试市甲区人民政府\t甲区政府\tdistrict\t990101\t\n' +
				'D990102\t乙县人民政府\t乙县政府\tdistrict\t990102\t\n' +
				'S990101001\t甲区东门街道办事处\t东门街道\tstreet\t990101\t990101001\n' +
				'S990102100\t乙县西岭镇人民政府\t西岭镇\tstreet\t990102\t990102100\n'
		);
		write('reference/tiny-routing.tsv', 'category\thandler\tweight\n01\tstreet\t1\n');
		write(
			'reference/tiny-categories.tsv',
			'code\tlevel\tparent\tname\tpath\n01\t1\t\t城市管理\t\n0101\t2\t01\t市容环境\t\n010101\t3\t0101\t占道经营\t\n'
		);
		check(dir);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('city configuration', () => {
	afterEach(() => {
		vi.unstubAllEnvs();
	});

	it('chooses the city by the parameter, else MINQING_CITY, else suzhou', () => {
		withTinyCity((dir) => {
			vi.stubEnv('MINQING_CITY', 'tiny');
			const tiny = loadReference(dir);
			expect(tiny.city.slug).toBe('tiny');
			expect([tiny.cityName, tiny.cityCode, tiny.city.phoneAreaCode]).toEqual(['测试市', '9901', '0999']);
			expect(tiny.districts.map((d) => [d.code, d.name, d.hasPolygon, d.center])).toEqual([
				['990101', '甲区', true, [100.1, 30.1]],
				['990102', '乙县', false, [100.5, 30.5]]
			]);
			expect(tiny.streets.map((s) => [s.code, s.districtCode])).toEqual([
				['990101001', '990101'],
				['990102100', '990102']
			]);
			expect(tiny.categories.map((c) => c.path)).toEqual(['城市管理', '城市管理 › 市容环境', '城市管理 › 市容环境 › 占道经营']);
			expect(findPlace(tiny, '西岭')?.place.code).toBe('990102100');
			expect(routeUnit(tiny, '010101', '990102', '990102100', () => 0).code).toBe('S990102100');

			const suzhou = loadReference(dir, 'suzhou'); // the parameter wins over MINQING_CITY
			expect([suzhou.cityName, suzhou.districts.length, suzhou.city.phoneAreaCode]).toEqual(['苏州市', 10, '0512']);
			vi.stubEnv('MINQING_CITY', '');
			expect(loadReference(dir)).toBe(suzhou);
			vi.stubEnv('MINQING_CITY', ' tiny ');
			expect(loadReference(dir)).toBe(tiny);
		});
	});

	it('caches per data directory and city', () => {
		withTinyCity((a) =>
			withTinyCity((b) => {
				const tinyA = loadReference(a, 'tiny');
				expect(loadReference(a, 'tiny')).toBe(tinyA);
				expect(loadReference(b, 'tiny')).not.toBe(tinyA);
				expect(loadReference(b, 'tiny').cityName).toBe('测试市');
				expect(loadReference(a, 'suzhou')).not.toBe(tinyA);
				vi.stubEnv('MINQING_CITY', 'tiny');
				expect(loadReference(a)).toBe(tinyA);
			})
		);
	});

	it('names the city configuration and the field that is wrong', () => {
		const good = {
			slug: 'tiny',
			code: '9901',
			name: '测试市',
			phoneAreaCode: '0999',
			files: { areas: 'a.csv', streets: 's.csv', geojson: 'g.json', places: 'p.tsv', units: 'u.tsv', routing: 'r.tsv', categories: 'c.tsv' }
		};
		const file = '/data/cities/tiny.json';
		const parse = (patch: (o: Record<string, unknown>) => void) => {
			const o = structuredClone(good) as Record<string, unknown>;
			patch(o);
			return () => parseCityConfig(o, file);
		};
		expect(parseCityConfig(good, file)).toEqual({ ...good, centers: {}, notes: [] });
		expect(parseCityConfig({ ...good, phoneAreaCode: null }, file).phoneAreaCode).toBeNull();
		expect(parse((o) => delete o.phoneAreaCode)).toThrow('/data/cities/tiny.json: field "phoneAreaCode" is missing');
		expect(parse((o) => (o.phoneAreaCode = '512'))).toThrow('field "phoneAreaCode" must be a long-distance area code like "0512"');
		expect(parse((o) => (o.phoneAreaCode = 512))).toThrow('field "phoneAreaCode" must be');
		expect(parse((o) => (o.code = '990'))).toThrow('field "code" must be the 4-digit GB/T 2260 code of a prefecture-level city, not "990"');
		expect(parse((o) => delete o.name)).toThrow('field "name" is missing');
		expect(parse((o) => (o.name = ' '))).toThrow('field "name" must be a non-empty string');
		expect(parse((o) => (o.slug = 'other'))).toThrow('field "slug" is "other" but the file is named tiny.json');
		expect(parse((o) => (o.slug = 'Tiny'))).toThrow('field "slug" must be lower-case letters');
		expect(parse((o) => (o.mapCentre = [1, 2]))).toThrow('field "mapCentre" is not a city configuration field');
		expect(parse((o) => delete (o.files as Record<string, string>).routing)).toThrow('field "files.routing" is missing');
		expect(parse((o) => ((o.files as Record<string, string>).units = '../units.tsv'))).toThrow(
			'field "files.units" must be a path inside the data directory (relative, without ".."), not "../units.tsv"'
		);
		expect(parse((o) => ((o.files as Record<string, string>).units = '/etc/units.tsv'))).toThrow(
			'field "files.units" must be a path inside'
		);
		expect(parse((o) => ((o.files as Record<string, string>).extra = 'x.tsv'))).toThrow('field "files.extra" is not a reference file');
		expect(parse((o) => (o.files = 'geo/'))).toThrow('field "files" must be an object');
		expect(parse((o) => (o.centers = { '320576': [120.72, 31.32] }))).toThrow('field "centers.320576" is not a district code of city 9901');
		expect(parse((o) => (o.centers = { '990101': [30.5] }))).toThrow('field "centers.990101" must be [lon, lat] in degrees, not [30.5]');
		expect(parse((o) => (o.centers = { '990101': [30.5, 100.5] }))).toThrow('field "centers.990101" must be [lon, lat]');
		expect(parse((o) => (o.notes = 'imported'))).toThrow('field "notes" must be an array of strings');
		expect(() => parseCityConfig([good], file)).toThrow('/data/cities/tiny.json: not a JSON object');
	});

	it('names a city that has no configuration, and a malformed MINQING_CITY', () => {
		withTinyCity((dir) => {
			expect(() => loadReference(dir, 'wuxi')).toThrow(
				/cities\/wuxi\.json: no configuration for city "wuxi" \(configured: suzhou, tiny; MINQING_CITY chooses the city\)/
			);
			vi.stubEnv('MINQING_CITY', 'wuxi');
			expect(() => loadReference(dir)).toThrow(/no configuration for city "wuxi"/);
			vi.stubEnv('MINQING_CITY', '../tiny');
			expect(() => loadReference(dir)).toThrow('MINQING_CITY: bad city "../tiny"');
			expect(() => citySlug('Tiny')).toThrow('bad city "Tiny"');
			expect(loadCityConfig(dir, 'tiny').centers).toEqual({ '990102': [100.5, 30.5] });
		});
	});
});
