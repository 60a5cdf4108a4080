import { geoContains } from 'd3-geo';
import { describe, expect, it } from 'vitest';
import { loadReference, type Reference } from '../reference/index';
import { Geocoder, checkLonLat, type GeocodeHint } from './geocode';

const ref: Reference = loadReference();
const geo = new Geocoder(ref);

/** [address, district, street or null, hint?] — null district means nothing should be found. */
type Case = [string, string | null, string | null, GeocodeHint?];

/**
 * Real-looking addresses as callers and legacy exports write them. The expected codes follow the rules documented
 * on `geocodeText`; this is the accuracy set the report quotes.
 */
const CASES: Case[] = [
	// Full addresses, big to small.
	['苏州市姑苏区平江街道干将东路100号', '320508', '320508018'],
	['江苏省苏州市吴中区甪直镇', '320506', '320506100'],
	['苏州工业园区斜塘街道星港街1号', '320576', '320576051'],
	['吴中区木渎镇中山东路88号', '320506', '320506103'],
	['苏州高新区狮山街道长江路', '320505', '320505002'],
	['相城区元和街道御窑路88号', '320507', '320507001'],
	['常熟市虞山街道海虞北路', '320581', '320581001'],
	['太仓市城厢镇上海东路', '320585', '320585100'],
	['昆山市玉山镇前进中路', '320583', '320583100'],
	['张家港市杨舍镇人民中路', '320582', '320582100'],
	['吴江区松陵镇鲈乡北路88号', '320509', '320509001'], // the old 镇 name of 松陵街道
	['苏州市吴中区越溪街道吴中大道', '320506', '320506003'],
	['吴中区长桥街道东吴北路', '320506', '320506001'],
	['张家港市塘桥镇', '320582', '320582101'],
	['常熟市梅李镇', '320581', '320581101'],
	['相城区望亭镇', '320507', '320507100'],
	['太仓市浏河镇', '320585', '320585102'],
	['虎丘区通安镇', '320505', '320505101'],
	['常熟市沙家浜镇', '320581', '320581105'],
	['苏州市吴江区东太湖度假区', '320509', '320509402'],
	['吴江区　松陵镇', '320509', '320509001'], // ideographic space
	['苏州市相城区', '320507', null],
	['苏州市姑苏区', '320508', null],
	// Short spoken forms.
	['园区星湖街328号', '320576', null],
	['昆山花桥', '320583', '320583104'],
	['家住昆山周市', '320583', '320583102'],
	['高新区（虎丘区）狮山路', '320505', null],
	['苏州高新区', '320505', null],
	['工业园区', '320576', null],
	['新区', '320505', null],
	['姑苏', '320508', null],
	['古城区观前街', '320508', null],
	['ＡＢＣ小区（园区）', '320576', null],
	['我在园区上班，每天堵车', '320576', null],
	['苏州市公安局园区分局', '320576', null],
	['园区管委会', '320576', null],
	['昆山高新区分局', '320583', null],
	// Only a street or town name.
	['木渎', '320506', '320506103'],
	['甪直古镇', '320506', '320506100'],
	['浒墅关', '320505', '320505400'],
	['浒墅关经开区（镇）', '320505', '320505400'],
	['周市镇', '320583', '320583102'],
	['陆家镇', '320583', '320583103'],
	['盛泽镇', '320509', '320509105'],
	['东山镇', '320506', '320506107'],
	['同里', '320509', '320509111'],
	['黄埭镇', '320507', '320507102'],
	['锦丰镇', '320582', '320582103'],
	['千灯镇', '320583', '320583108'],
	['沙溪镇', '320585', '320585101'],
	['胜浦街道', '320576', '320576053'],
	['唯亭', '320576', '320576052'],
	['科技城（东渚街道）', '320505', '320505407'],
	['太湖度假区', '320506', '320506405'],
	['吴中开发区', '320506', '320506404'],
	['太仓经济开发区', '320585', '320585400'],
	['张家港保税区', '320582', '320582403'],
	['昆山开发区', '320583', '320583400'],
	['吴江经济技术开发区', '320509', '320509400'],
	['木渎镇金山路，靠近胥口那边', '320506', '320506103'],
	['巴城镇阳澄湖边上', '320583', '320583101'],
	// A wrong or disagreeing district: the street named in full wins and brings its district.
	['姑苏区木渎镇', '320506', '320506103'],
	['吴中区平江街道', '320508', '320508018'],
	['昆山市周庄镇', '320583', null], // 周庄 is not in the street list: the district stays
	['园区木渎', '320576', null], // a short street name right after another district does not count
	['昆山高新区', '320583', null], // not 苏州高新区
	['昆山工业园区', '320583', null], // not 苏州工业园区
	// Roads named after a place tell the district, not the street.
	['平江路', '320508', null],
	['东山大道', '320506', null],
	['金鸡湖大道1355号', '320576', null],
	['阳澄湖大道', '320507', null],
	['凤凰街88号', '320508', null], // a landmark: 姑苏区's 凤凰街, not 张家港's 凤凰镇
	['张家港市凤凰镇凤凰街', '320582', '320582105'],
	// No place at all, or words that only contain a short place name.
	['人民路', null, null],
	['我家楼下烧烤店油烟太大', null, null],
	['这周市场里很吵', null, null],
	['周市长您好', null, null],
	['陆家嘴', null, null],
	['坚持发展枫桥经验', null, null],
	['城北新区', null, null],
	['开发区', null, null],
	['苏州市', null, null],
	['', null, null],
	// With the sender's district as a hint.
	['木渎', '320506', '320506103', { districtCode: '320506' }],
	['平江路88号', '320508', null, { districtCode: '320508' }],
	['陆家村', null, null, { districtCode: '320506' }], // a short name against the hint: dropped
	['陆家村', '320583', '320583103', {}],
	['园区', '320576', null, { districtCode: '320576' }],
	['星湖街328号', null, null, { districtCode: '320576' }], // the hint alone is no result
	['吴中区木渎镇', '320506', '320506103', { districtCode: '999999' }] // an unknown hint is ignored
];

describe('Geocoder.geocodeText', () => {
	it(`geocodes the ${CASES.length} test addresses`, () => {
		const wrong: string[] = [];
		for (const [address, district, street, hint] of CASES) {
			const r = geo.geocodeText(address, hint);
			if (r.districtCode !== district || r.streetCode !== street)
				wrong.push(`${address}${hint ? ` ${JSON.stringify(hint)}` : ''}: got ${r.districtCode}/${r.streetCode} [${r.matched.join(',')}], want ${district}/${street}`);
			expect(r.confidence).toBe(street ? 'street' : district ? 'district' : 'none');
		}
		expect(wrong).toEqual([]);
	});

	it('reports the supporting names as written', () => {
		expect(geo.geocodeText('苏州市姑苏区平江街道干将东路100号').matched).toEqual(['姑苏区', '平江街道']);
		expect(geo.geocodeText('昆山花桥').matched).toEqual(['昆山', '花桥']);
		expect(geo.geocodeText('浒墅关经开区（镇）').matched).toEqual(['浒墅关经开区（镇）']);
		expect(geo.geocodeText('姑苏区木渎镇').matched).toEqual(['木渎镇']);
		expect(geo.geocodeText('平江路').matched).toEqual(['平江']);
		expect(geo.geocodeText('人民路')).toEqual({ districtCode: null, streetCode: null, confidence: 'none', matched: [], outside: null });
	});

	it('places no address of another city or province here, and says which it names', () => {
		const outside: [string, string, string][] = [
			// the audit's two: placed in 吴中区 东山镇 and 吴中区 太湖街道 before
			['南京市江宁区东山街道上元大街', '南京市', '南京市'],
			['无锡市滨湖区太湖街道', '无锡市', '无锡市'],
			['江苏省无锡市滨湖区太湖街道', '无锡市', '无锡市'], // the province is the city's own: skipped
			['中国江苏省南京市', '南京市', '南京市'],
			['浙江省杭州市西湖区', '浙江省', '浙江省'],
			['杭州市西湖区文三路', '杭州市', '杭州市'],
			['上海市嘉定区安亭镇', '上海市', '上海市'],
			['香港特别行政区中西区', '香港特别行政区', '香港特别行政区'],
			// short names: where a phrase starts, before a county-level name, another such name or a place name
			['无锡滨湖区太湖街道', '无锡市', '无锡'],
			['无锡太湖街道', '无锡市', '无锡'],
			['南京东山街道', '南京市', '南京'],
			['上海浦东新区张江镇', '上海市', '上海'],
			['浙江杭州', '浙江省', '浙江'],
			['家住南京', '南京市', '南京'],
			['上海', '上海市', '上海']
		];
		for (const [address, name, as] of outside) {
			const r = geo.geocodeText(address);
			expect(r, address).toMatchObject({ districtCode: null, streetCode: null, confidence: 'outside', matched: [as] });
			expect(r.outside?.name, address).toBe(name);
		}
		expect(geo.geocodeText('南京市江宁区').outside).toEqual({ code: '3201', name: '南京市' });
		// a hint does not bring the place back
		expect(geo.geocodeText('无锡市滨湖区太湖街道', { districtCode: '320506' })).toMatchObject({ streetCode: null, confidence: 'outside' });
	});

	it('still places the city’s own county-level cities and streets named after other cities, and mentions after a place', () => {
		const here: Case[] = [
			['昆山市玉山镇', '320583', '320583100'],
			['常熟市虞山街道', '320581', '320581001'],
			['张家港市杨舍镇', '320582', '320582100'],
			['太仓市浏河镇', '320585', '320585102'],
			['太仓市城厢镇上海东路', '320585', '320585100'],
			['姑苏区南京路8号', '320508', null],
			['吴中区无锡路', '320506', null],
			['吴中区东山镇', '320506', '320506107'],
			['太湖街道', '320506', '320506010'],
			['昆山市花桥镇，靠近上海市嘉定区', '320583', '320583104'], // the city's place first: the other city is a mention
			['姑苏区观前街南京市场', '320508', null],
			['江苏苏州吴中', '320506', null]
		];
		for (const [address, district, street] of here) {
			const r = geo.geocodeText(address);
			expect([r.districtCode, r.streetCode, r.outside], address).toEqual([district, street, null]);
		}
		// words that begin with another city's short name, and its roads: not another city, and no place either
		for (const text of ['南京路', '无锡路5号', '北京东路', '北京烤鸭店', '上海银行', '中山公园', '北京花园小区', '北京华联超市', '南京市场'])
			expect(geo.geocodeText(text), text).toMatchObject({ confidence: 'none', outside: null });
	});

	it('takes the city and its province from the configuration: another city skips its own names and finds Suzhou outside', () => {
		const wuxi: Reference = { ...ref, cityCode: '3202', cityName: '无锡市' };
		const g = new Geocoder(wuxi);
		expect(g.geocodeText('无锡市苏州市').outside?.name).toBe('苏州市'); // 无锡市 skipped as its own name
		expect(geo.geocodeText('无锡市苏州市').outside?.name).toBe('无锡市');
	});

	it('is full-width/half-width insensitive', () => {
		const a = geo.geocodeText('苏州工业园区斜塘街道星港街1号');
		expect(geo.geocodeText('苏州工业园区斜塘街道星港街１号')).toEqual(a);
		expect(geo.geocodeText('浒墅关经开区(镇)').streetCode).toBe('320505400');
	});

	it('finds every street by its official name after its district', () => {
		for (const s of ref.streets) {
			const d = ref.districtByCode.get(s.districtCode)!;
			const r = geo.geocodeText(`${d.name}${s.name}幸福小区3幢`);
			expect([r.districtCode, r.streetCode], s.name).toEqual([d.code, s.code]);
		}
	});

	it('finds every street and district by each alias: alone, and after its district', () => {
		for (const s of ref.streets) {
			const d = ref.districtByCode.get(s.districtCode)!;
			for (const a of s.aliases) {
				expect(geo.geocodeText(a).streetCode, a).toBe(s.code);
				expect(geo.geocodeText(`${d.name}${a}`).streetCode, `${d.name}${a}`).toBe(s.code);
				expect(geo.geocodeText(`家在${a}`).streetCode, `家在${a}`).toBe(s.code);
			}
		}
		for (const d of ref.districts) for (const a of [d.name, ...d.aliases]) expect(geo.geocodeText(a).districtCode, a).toBe(d.code);
	});

	it('finds a development zone written after its county-level city\'s full name (常熟市高新区), and 汾湖 as 黎里镇', () => {
		expect(geo.geocodeText('常熟市高新区东南大道').streetCode).toBe('320581402');
		expect(geo.geocodeText('太仓市高新区').streetCode).toBe('320585400');
		expect(geo.geocodeText('张家港市开发区').streetCode).toBe('320582401');
		expect(geo.geocodeText('吴江区汾湖高新区').streetCode).toBe('320509110');
		// by the same rule, not by a listed alias: 常熟经开区 written 常熟市经开区
		expect(geo.geocodeText('常熟市经开区').streetCode).toBe('320581401');
	});

	it('does not let a 2-character name count inside other words', () => {
		const short = ref.streets.flatMap((s) => s.aliases.filter((a) => a.length === 2));
		expect(short.length).toBeGreaterThan(50);
		for (const a of short) {
			const r = geo.geocodeText(`我们${a}得很好`);
			expect(r.confidence, a).toBe('none');
		}
	});

	it('accepts a landmark list and a not-a-place list', () => {
		const plain = new Geocoder(ref, { landmarks: [], notPlaces: [] });
		expect(plain.geocodeText('凤凰街88号').districtCode).toBe('320582'); // read as a road of 凤凰镇
		expect(plain.geocodeText('陆家嘴').streetCode).toBe('320583103');
		expect(() => new Geocoder(ref, { landmarks: [{ name: '某某路', code: '999999' }] })).toThrow(/unknown code/);
	});

	it('handles odd input', () => {
		expect(geo.geocodeText(undefined as unknown as string).confidence).toBe('none');
		expect(geo.geocodeText('𠀀𠀀吴中区').districtCode).toBe('320506');
		expect(geo.geocodeText('吴中区'.repeat(5000)).districtCode).toBe('320506');
	});

	it('is fast (benchmark-style: prints the rate, asserts nothing about speed)', () => {
		// Typical 20–40-character addresses: 苏州市吴中区木渎镇中山东路128号金色花园3幢2单元501室, and spoken forms.
		const roads = ['干将东路', '星湖街', '中山东路', '长江路', '人民路', '阳澄湖大道', '前进中路', '上海东路'];
		const estates = ['金色花园', '翠湖新村', '锦绣家园', '香樟苑', '阳光城', '书香名邸'];
		const addresses: string[] = [];
		ref.streets.forEach((st, i) => {
			const d = ref.districtByCode.get(st.districtCode)!;
			const road = roads[i % roads.length];
			const estate = estates[i % estates.length];
			addresses.push(`苏州市${d.name}${st.name}${road}${100 + i}号${estate}${(i % 30) + 1}幢${(i % 3) + 1}单元${501 + i}室`);
			addresses.push(`${st.aliases[0] ?? d.aliases[0] ?? d.name}${road}与${roads[(i + 3) % roads.length]}交叉口往东200米`);
			addresses.push(`${d.name}${road}${i + 1}号${estate}小区门口的烧烤摊`);
		});
		const n = 300_000;
		const t0 = performance.now();
		let found = 0;
		for (let i = 0; i < n; i++) if (geo.geocodeText(addresses[i % addresses.length]).districtCode) found++;
		const s = (performance.now() - t0) / 1000;
		const mean = addresses.reduce((sum, a) => sum + a.length, 0) / addresses.length;
		console.log(`geocodeText: ${Math.round(n / s).toLocaleString('en')} addresses/s on one core (mean ${mean.toFixed(1)} chars)`);
		expect(found).toBe(n);
	});
});

describe('Geocoder.locate', () => {
	it('puts each district label point into its district', () => {
		for (const d of ref.districts) if (d.hasPolygon && d.center) expect(geo.locate(d.center[0], d.center[1]), d.name).toBe(d.code);
	});

	it('locates real places', () => {
		const places: [string, number, number, string | null][] = [
			['观前街', 120.625, 31.31, '320508'],
			['木渎', 120.51, 31.26, '320506'],
			['松陵', 120.64, 31.16, '320509'],
			['狮山', 120.57, 31.3, '320505'],
			['元和', 120.64, 31.37, '320507'],
			['玉山镇', 120.96, 31.38, '320583'],
			['花桥', 121.1, 31.3, '320583'],
			['杨舍镇', 120.55, 31.87, '320582'],
			['城厢镇', 121.1, 31.45, '320585'],
			['虞山', 120.74, 31.65, '320581'],
			['太湖 (in 吴中区)', 120.25, 31.2, '320506'],
			['上海人民广场', 121.47, 31.23, null],
			['无锡', 120.3, 31.57, null],
			['北京', 116.4, 39.9, null]
		];
		for (const [name, lon, lat, code] of places) expect(geo.locate(lon, lat), name).toBe(code);
	});

	it('returns the host polygon for 苏州工业园区, which has no polygon, and lists it as a candidate', () => {
		const jinjiHu: [number, number] = [120.7, 31.31];
		const host = geo.locate(...jinjiHu);
		expect(host).toBe('320508'); // the shipped GeoJSON draws 园区's land inside 姑苏区's polygon
		expect(geo.locateCandidates(...jinjiHu)).toEqual(['320508', '320576']);
		expect(geo.pointMayBeIn('320576', ...jinjiHu)).toBe(true);
		expect(geo.pointMayBeIn('320506', ...jinjiHu)).toBe(false);
		expect(geo.locateCandidates(120.51, 31.26)).toEqual(['320506']);
		expect(geo.locateCandidates(0, 0)).toEqual([]);
	});

	it('locateNearest splits the shared polygon by the nearer label point: 园区 east of the old town, 姑苏区 in it', () => {
		expect(geo.locateNearest(120.7, 31.31)).toBe('320576'); // 金鸡湖
		expect(geo.locateNearest(120.727, 31.276)).toBe('320576'); // 星湖街
		expect(geo.locateNearest(120.8, 31.36)).toBe('320576'); // 唯亭
		expect(geo.locateNearest(120.63, 31.318)).toBe('320508'); // 平江路
		expect(geo.locateNearest(120.609, 31.33)).toBe('320508'); // 苏州站
		expect(geo.locateNearest(120.51, 31.26)).toBe('320506'); // one candidate
		expect(geo.locateNearest(0, 0)).toBeNull();
	});

	it('fixes an obvious lat/lon swap and rejects what is not in China', () => {
		expect(geo.locate(31.31, 120.625)).toBe('320508');
		expect(checkLonLat(31.31, 120.625)).toEqual({ lon: 120.625, lat: 31.31, swapped: true });
		expect(checkLonLat('120.625', '31.31')).toEqual({ lon: 120.625, lat: 31.31, swapped: false });
		for (const [lon, lat] of [
			[0, 0],
			[NaN, 31],
			[Infinity, 31],
			[-120.6, 31.3],
			[120.6, -31.3],
			[200, 31],
			[2.35, 48.85] // Paris
		])
			expect(geo.locate(lon, lat), `${lon},${lat}`).toBeNull();
		expect(checkLonLat('', '31')).toBeNull();
		expect(checkLonLat(null, undefined)).toBeNull();
	});

	it('agrees with plain geoContains on random points (the grid index is exact)', () => {
		const features = (ref.geojson as { features: { id: string }[] }).features;
		let seed = 7;
		const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
		for (let i = 0; i < 3000; i++) {
			const p: [number, number] = [119.85 + rnd() * 1.6, 30.7 + rnd() * 1.4];
			const want = features.find((f) => geoContains(f as never, p))?.id ?? null;
			expect(geo.locate(p[0], p[1]), p.join(',')).toBe(want === null ? null : String(want));
		}
	});
});
