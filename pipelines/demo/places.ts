// Invented but plausible local places for demo text: each street/town gets its own stable pools of
// residential compounds, roads, shops, schools … so repeated complaints about one place look the same place.
import type { District, Reference, Street } from '../reference/index';
import { Rng, hash32 } from './rng';

/** Real main roads by district (public street names), mixed with invented ones derived from the street. */
const ROADS: Record<string, string[]> = {
	'320508': ['人民路', '干将西路', '干将东路', '十全街', '观前街', '平江路', '山塘街', '石路', '景德路', '凤凰街', '临顿路', '白塔西路', '东大街', '西中市', '阊胥路', '南门路', '竹辉路', '三香路', '金门路', '广济南路'],
	'320576': ['金鸡湖大道', '现代大道', '星湖街', '苏州大道东', '星港街', '旺墩路', '独墅湖大道', '仁爱路', '钟园路', '翠微街', '东方大道', '苏虹中路', '通园路', '唯华路', '星华街'],
	'320505': ['狮山路', '长江路', '塔园路', '运河路', '金山路', '玉山路', '滨河路', '竹园路', '科锐路', '何山路', '珠江路', '马运路', '浒杨路', '太湖大道'],
	'320506': ['东吴北路', '宝带西路', '吴中大道', '太湖东路', '木东路', '友新路', '迎春路', '东山大道', '苏蠡路', '郭巷街', '吴中东路', '越溪大道'],
	'320507': ['阳澄湖大道', '相城大道', '华元路', '御窑路', '嘉元路', '澄和路', '太阳路', '春申湖路', '采莲路', '蠡塘河路'],
	'320509': ['中山南路', '鲈乡北路', '开平路', '云梨路', '笠泽路', '长安路', '江兴东路', '仲英大道', '高新路', '流虹路'],
	'320581': ['海虞北路', '青墩塘路', '黄河路', '枫林路', '虞山北路', '湖山路', '金沙江路', '衡山路', '世纪大道'],
	'320582': ['人民中路', '杨舍东街', '长安北路', '暨阳中路', '沙洲西路', '梁丰路', '港城大道', '华昌路', '国泰北路'],
	'320583': ['前进中路', '马鞍山中路', '朝阳东路', '柏庐南路', '黄河中路', '人民北路', '萧林路', '长江北路', '祖冲之路', '花桥大道'],
	'320585': ['上海东路', '县府街', '郑和中路', '北京东路', '东仓北路', '常胜北路', '南京东路', '太平北路']
};
const RIVERS_BY_DISTRICT: Record<string, string[]> = {
	'320508': ['外城河', '山塘河', '学士河', '上塘河', '胥江', '平江河', '干将河'],
	'320576': ['娄江', '斜塘河', '吴淞江', '金鸡湖', '独墅湖', '青秋浦'],
	'320505': ['京杭大运河', '金山浜', '西塘河', '浒光运河'],
	'320506': ['石湖', '澹台湖', '胥江', '苏东河', '南塘河'],
	'320507': ['元和塘', '阳澄湖', '蠡塘河', '冶长泾'],
	'320509': ['太浦河', '頔塘', '京杭大运河', '吴淞江'],
	'320581': ['琴川河', '元和塘', '常浒河', '望虞河'],
	'320582': ['东横河', '二干河', '张家港河', '北中心河'],
	'320583': ['娄江', '吴淞江', '青阳港', '庙泾河'],
	'320585': ['浏河', '杨林塘', '致和塘', '盐铁塘']
};
const HOSPITALS_CITY = ['苏州大学附属第一医院', '苏州大学附属第二医院', '苏州市立医院', '苏州市中医医院', '苏州大学附属儿童医院', '苏州市第五人民医院'];
const PARKS_CITY = ['桐泾公园', '东园', '石湖景区', '白塘植物公园', '虎丘湿地公园', '上方山森林公园', '荷塘月色湿地公园', '金鸡湖景区'];
const XQ_A = ['金色', '翠湖', '锦绣', '香樟', '东方', '世纪', '阳光', '名都', '星海', '湖畔', '水岸', '青枫', '书香', '桂花', '玉兰', '御景', '紫薇', '滨湖', '天域', '绿城'];
const XQ_B = ['花园', '苑', '新村', '家园', '华庭', '名邸', '公寓', '小区', '雅苑', '府', '城', '湾', '嘉园', '丽景'];
const SHOP_A = ['老王', '阿强', '小李', '兄弟', '好再来', '惠民', '家乐', '福满园', '鑫鑫', '金牌', '老苏州', '喜洋洋', '大胖', '红红', '一品', '阿婆', '乐购', '川味'];
const SHOP_B = ['烧烤', '面馆', '超市', '便利店', '大排档', '奶茶店', '快餐店', '火锅店', '足浴店', '汽修店', '洗车店', '棋牌室', '水果店', '生鲜超市', '健身房', '培训中心', '小龙虾', '饭店', 'KTV', '理发店'];
const CO_A = ['恒达', '华星', '金诚', '瑞丰', '新宇', '博远', '天工', '永信', '鼎盛', '众和', '嘉禾', '宏远', '正泰', '安捷', '锦程', '迈科'];
const CO_B = ['精密机械', '电子科技', '化工', '纺织', '物流', '物业管理', '房地产开发', '建设工程', '环保科技', '食品', '家政服务', '汽车销售', '教育科技', '餐饮管理', '人力资源', '新材料'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split('');
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文斌辉鹏宇婷晨浩凯俊雪梅琳欣怡子涵嘉懿晓东海燕佳丽春林小龙'.split('');

export interface StreetPlaces {
	street: Street;
	district: District;
	xiaoqu: string[];
	roads: string[];
	shops: string[];
	companies: string[];
	schools: string[];
	hospitals: string[];
	parks: string[];
	rivers: string[];
	sites: string[];
	/** a fixed point inside the district, the street's pseudo-centre for coordinates */
	center: [number, number] | null;
}

/** The short, spoken form of a street name: 平江街道 → 平江, 木渎镇 → 木渎, 科技城（东渚街道） → 科技城. */
export function shortStreetName(name: string): string {
	const base = name.replace(/[（(].*$/, '');
	const s = base.replace(/(街道|镇|经开区|管理办公室|办事处)$/, '');
	return s.length >= 2 ? s : base;
}

const uniq = (xs: string[]) => [...new Set(xs)];

export function buildStreetPlaces(ref: Reference, seed: number, centerOf: (s: Street) => [number, number] | null): Map<string, StreetPlaces> {
	const out = new Map<string, StreetPlaces>();
	for (const street of ref.streets) {
		const district = ref.districtByCode.get(street.districtCode)!;
		const r = new Rng((seed ^ hash32(street.code)) >>> 0);
		const short = shortStreetName(street.name);
		const dShort = district.name.replace(/(区|市)$/, '').replace(/^苏州/, '');
		const xiaoqu = uniq([
			`${short}新村`,
			`${short}花园`,
			`${short}家园`,
			`${short}${r.pick(['一村', '二村', '雅苑', '人家'])}`,
			...Array.from({ length: 10 }, () => `${r.pick(XQ_A)}${r.pick(XQ_B)}`)
		]);
		const districtRoads = ROADS[district.code] ?? ROADS['320508'];
		const roads = uniq([
			`${short}路`,
			`${short}${r.pick(['大道', '街', '中路', '东路'])}`,
			...r.shuffle([...districtRoads]).slice(0, 6)
		]);
		const shops = uniq(Array.from({ length: 10 }, () => `${r.pick(SHOP_A)}${r.pick(SHOP_B)}`));
		const companies = uniq(Array.from({ length: 6 }, () => `苏州${r.pick(CO_A)}${r.pick(CO_B)}有限公司`));
		const schools = [`${short}实验小学`, `${short}中心小学`, `${short}中学`, `${short}${r.pick(['第一', '第二', '中心'])}幼儿园`];
		const hospitals = [`${short}社区卫生服务中心`, `${dShort}人民医院`, r.pick(HOSPITALS_CITY)];
		const parks = [`${short}公园`, r.pick(PARKS_CITY), `${short}${r.pick(['湿地公园', '体育公园', '口袋公园'])}`];
		const rivers = uniq([
			`${short}${r.pick(['河', '浜', '港', '塘'])}`,
			...r.shuffle([...(RIVERS_BY_DISTRICT[district.code] ?? ['外城河'])]).slice(0, 3)
		]);
		const sites = [`${r.pick(xiaoqu)}二期工地`, `${r.pick(roads)}改造工程`, `地铁${r.int(1, 8)}号线${short}站工地`];
		out.set(street.code, { street, district, xiaoqu, roads, shops, companies, schools, hospitals, parks, rivers, sites, center: centerOf(street) });
	}
	return out;
}

export function personName(r: Rng): string {
	return r.pick(SURNAMES) + r.pick(GIVEN) + (r.chance(0.6) ? r.pick(GIVEN) : '');
}

export function mobilePhone(r: Rng): string {
	const prefix = r.pick(['138', '139', '136', '135', '137', '150', '151', '152', '158', '159', '187', '188', '182', '183', '189', '180', '133', '153', '177', '199', '130', '131', '132', '155', '156', '186', '185', '176']);
	return prefix + String(r.int(0, 99_999_999)).padStart(8, '0');
}

export function plate(r: Rng): string {
	const L = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
	const chars = Array.from({ length: 5 }, () => (r.chance(0.6) ? String(r.int(0, 9)) : L[r.int(0, L.length - 1)]));
	return `苏E·${chars.join('')}`;
}
