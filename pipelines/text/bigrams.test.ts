import { beforeAll, describe, expect, it } from 'vitest';
import { loadReference } from '../reference/index';
import { composeContent, fill, loadCorpus, SlotContext } from '../demo/corpus';
import { buildStreetPlaces } from '../demo/places';
import { AliasTable, Rng, weightedKey } from '../demo/rng';
import type { TicketType } from '../lifecycle/model';
import { charBigrams, REPEAT_SIMILARITY, repeatScores, repeatSimilarity, type RepeatText } from './bigrams';

describe('character bigrams', () => {
	it('fold width and case and drop spaces, punctuation and symbols', () => {
		expect([...charBigrams('ＡＢ，c d！')]).toEqual(['ab', 'bc', 'cd']);
		expect(charBigrams('一').size).toBe(0);
	});
});

describe('repeat similarity of two texts', () => {
	it('calls the same matter raised again with more words similar, and another matter not', () => {
		const first = '平江路餐馆油烟扰民，晚上无法开窗，请尽快处理';
		expect(repeatSimilarity('平江路餐馆油烟扰民还是没处理，晚上还是无法开窗', first)).toBeGreaterThan(0.5);
		expect(repeatSimilarity('小区路灯坏了好几天，晚上出行不安全', first)).toBeLessThan(0.1);
		// fewer than three bigrams in common say nothing of a matter
		expect(repeatSimilarity('油烟很大', first)).toBe(0);
		expect(repeatSimilarity('', first)).toBe(0);
		// width, case, punctuation, 的 and 了 do not matter
		expect(repeatSimilarity('门口的路灯坏了，ＡＢＣ小区', '门口路灯坏。abc小区')).toBeCloseTo(1, 10);
	});
	it('does not call two matters at one address a repeat: the address and the stock phrases are left out', () => {
		const at = '姑苏区平江路123号';
		const lamp = '市民来电反映：姑苏区平江路123号门口路灯不亮，夜间出行不便，希望相关部门尽快处理。';
		const stall = '市民来电反映：姑苏区平江路123号门口有人占道经营，影响通行，希望相关部门尽快处理。';
		expect(repeatSimilarity(lamp, stall, [at, at])).toBeLessThan(0.2);
		expect(repeatSimilarity('平江路123号路灯不亮', '平江路123号噪音扰民', [at, at])).toBe(0);
		// the same matter again at the same address still is one
		const again = '姑苏区平江路123号门口路灯还是不亮，晚上出行不便';
		expect(repeatSimilarity(again, lamp, [at, at])).toBeGreaterThan(0.5);
	});
});

describe('repeatScores', () => {
	it('leaves each ticket’s own address out of that ticket and the call, and scores each ticket among the others', () => {
		const call = '市民来电反映：平江路100号小区门口餐馆油烟很大，晚上无法开窗，希望有关部门处理';
		const others: RepeatText[] = [
			{ text: '平江路100号小区门口的餐馆油烟扰民，请尽快处理', context: ['姑苏区平江路100号'] },
			{ text: '平江路100号路灯不亮', context: ['姑苏区平江路100号'] },
			{ text: '谢谢', context: ['平江路'] },
			{ text: '' },
			{ text: '干将路施工噪音扰民，夜里十一点还在施工', context: ['姑苏区干将路88号'] }
		];
		const s = repeatScores({ text: call, context: ['平江路100号'] }, others);
		expect(s[0]).toBeGreaterThan(0.5);
		expect(s.slice(1)).toEqual([0, 0, 0, 0]);
		// the call gives no address: the ticket's is left out of both all the same
		expect(repeatScores({ text: '姑苏区平江路100号门口路灯不亮' }, [others[0]])).toEqual([0]);
		expect(repeatScores({ text: call }, [])).toEqual([]);
	});
	it('weighs a bigram by how few of the texts compared hold it', () => {
		const call = '星海街小区门口路灯不亮';
		const lamp = { text: '星海街星湖小区门口的路灯坏了好几天了' };
		const filler = Array.from({ length: 50 }, (_, i) => ({ text: `小区门口第${i}号楼前面有问题没人管` }));
		// alone, 小区门口 is as much of the matter as anything; among tickets that all say it, next to nothing
		const [alone] = repeatScores({ text: call }, [filler[0]]);
		const inPlace = repeatScores({ text: call }, [lamp, ...filler]);
		expect(alone).toBeGreaterThan(0.15);
		expect(Math.max(...inPlace.slice(1))).toBeLessThan(alone / 3);
		// … while the street, the lamp and the compound still make the lamp ticket the same matter
		expect(inPlace[0]).toBeGreaterThan(REPEAT_SIMILARITY.street);
		// a ticket's score does not depend on where it is in the list
		expect(repeatScores({ text: call }, [...filler, lamp]).at(-1)).toBeCloseTo(inPlace[0], 12);
	});
});

/**
 * Pairs of a call and an earlier ticket, labelled: the same matter raised again in other words (by the same caller
 * or a neighbour), and different matters that share filler words (小区, 门口, 楼下, 没人) or a place (with the
 * address both were given, if any). The first five of the different ones are the audit's: a short call took any
 * long ticket of the district for its matter.
 */
const SAME_MATTER: [string, string][] = [
	['星海街小区门口路灯不亮', '星海街星湖小区门口的路灯坏了好几天了，晚上出门黑漆漆的'],
	['平江路餐馆油烟扰民，晚上无法开窗', '平江路那家餐馆的油烟还是很大，晚上家里窗户都不敢开，请尽快处理'],
	['东环路工地每天晚上十一点以后还在打桩，吵得睡不着', '东环路那个工地夜里施工噪音太大，半夜还在打桩，严重影响休息'],
	['金桥新村3幢楼下的窨井盖丢了，很危险', '金桥新村3幢门口井盖缺失，有老人差点掉下去，请尽快补上'],
	['桐泾路三香路路口的红绿灯坏了，车辆乱成一团', '三香路桐泾路交叉口信号灯不亮，早高峰很堵'],
	['学府花园地下车库一直漏水，车顶都被滴脏了', '学府花园地下车库顶板渗水严重，物业一直不修'],
	['老王烧烤每天晚上在人行道上摆桌子占道经营', '老王烧烤店外摆占道，人行道都走不过去了'],
	['阳光城小区电梯又坏了，老人上下楼很困难', '阳光城12幢电梯经常故障停运，已经坏了三天，物业说在等配件'],
	['外塘河河水发黑发臭，夏天味道很大', '外塘河水质很差，河面漂着垃圾，散发臭味，希望治理'],
	['恒达精密机械公司拖欠我两个月工资，老板一直不给', '恒达精密机械有限公司拖欠员工工资两个月了，至今没有发放'],
	['146路公交车经常甩站不停', '146路公交司机甩站，在站台等了半天车直接开过去了'],
	['幸福小区门口的垃圾桶满了好几天没人清运，臭气熏天', '幸福小区垃圾好几天没人清运了，堆在门口发臭'],
	['楼上空调外机支架松动，一开机就哐哐响，怕掉下来', '楼上那家空调外机支架锈了松动了，担心掉下来砸到人'],
	['春晖苑小区停车位被外来车辆占用', '春晖苑小区内外来车辆乱停，业主车位被占'],
	['惠民超市卖过期食品', '惠民超市货架上有过期的牛奶和面包，反映给店员也不处理'],
	['实验小学门口上下学时段交通拥堵，家长车辆乱停', '实验小学放学时门口车辆乱停堵成一片，希望安排交警疏导'],
	['桂花公园里的健身器材坏了，有安全隐患', '桂花公园健身器材损坏很久没人修，小孩玩的时候很危险'],
	['中山北路人行道地砖松动，下雨天一踩就溅水', '中山北路人行道砖块松动翘起，雨天踩上去溅一身泥水'],
	['楼下饭店的排油烟管道正对我家窗户', '楼下饭店的油烟管道对着居民窗户排放，油烟很大'],
	['小区里的流浪狗越来越多，晚上乱叫还咬人', '小区流浪狗成群，夜里狂叫，前几天还咬伤了一个小孩'],
	['房东押金的事还是不退，请问怎么办', '房东不退押金，我想去法院起诉他，请问怎么办'],
	['住房公积金提取需要什么材料', '请问住房公积金怎么提取，需要什么材料'],
	['小区门口井盖丢失还没补上', '小区门口井盖丢失，晚上很危险'],
	['小区路灯还是不亮', '小区路灯不亮，晚上出行不便'],
	['绿城雅苑旁边的工地又在半夜施工了', '绿城雅苑周边工地夜间打桩施工，噪音扰民，多次反映没有改善'],
	['枫桥新村5幢楼道里堆满杂物，堵住了消防通道', '枫桥新村5幢楼道杂物堆放占用消防通道，存在火灾隐患']
];
const OTHER_MATTER: [string, string, string?][] = [
	['小区门口的路灯坏了', '表扬单位服务好、效率高：上次反映太湖家园门口的路灯不亮，第二天街道就派人来修好了，给你们点赞'],
	['小区门口的路灯坏了', '反映电动自行车上牌遇到困难：我这辆电动车是前几年在小区门口的店里买的，当时老板说是新国标车，今天去上牌说车速超标不能上'],
	['门口的马路上有个坑', '春节期间斜塘家园垃圾堆积成山，门口的马路上都是垃圾袋，好几天没人清运'],
	['小区里有人遛狗不牵绳', '居民家中私设托班无资质：小区里有人在家里带十几个孩子，没有任何资质，出了事谁负责'],
	['门口的马路上有个坑', '举报元和公园周边绿地被占用堆物，门口的马路边上堆满了建筑材料'],
	['楼下饭店油烟太大', '楼下饭店每天营业到凌晨，客人喝酒划拳吵闹，影响休息'],
	['平江路123号门口路灯不亮', '平江路123号门口有人占道经营，影响通行', '姑苏区平江路123号'],
	['小区电梯坏了没人修', '小区物业费涨价没开业主大会，物业说涨就涨'],
	['楼下有人半夜唱卡拉OK很吵', '楼下有人乱停车，把消防通道都堵住了'],
	['小区里的垃圾没人清理', '小区里的路灯坏了没人修，晚上很黑'],
	['小区门口有人摆摊卖菜', '小区门口的公交站台被拆了，等车都没地方坐'],
	['社保卡丢了怎么补办', '医保卡在药店被人盗刷了，要求核查消费记录'],
	['我家楼上漏水，天花板都湿了', '我家楼上装修噪音太大，周末一大早就开始砸墙'],
	['公司拖欠工资两个月了', '公司不给交社保，也没签劳动合同'],
	['小区绿化带被人种菜', '小区绿化带里的树被风刮倒了，压到了车'],
	['路边的共享单车乱停放', '路边的窨井盖松动，车压上去哐当响'],
	['小区门口的马路上有个大坑，电动车骑过去差点摔倒', '小区门口的马路上有人乱扔垃圾，没人清扫'],
	['楼下垃圾桶没人管，臭死了', '楼下违章搭建了一个棚子，一直没人管'],
	['小区里晚上有人放烟花，吵得睡不着', '小区里晚上广场舞音响太大，吵得睡不着'],
	['小区门口的路灯坏了', '学校门口的红绿灯坏了，放学时段车辆乱成一团，孩子过马路很危险'],
	['我家门口的下水道堵了', '我家门口的快递柜被物业拆了，取快递很不方便'],
	['楼道里的灯坏了', '楼道里有人堆放电动车还在充电，有火灾隐患'],
	['小区门口的路面积水，下雨天过不去', '小区门口的路面被渣土车压坏了，坑坑洼洼'],
	['我要投诉物业不作为，楼道一直没人打扫', '我要投诉物业不作为，小区门禁坏了一个月不修'],
	['幼儿园入园报名需要什么材料', '住房公积金提取需要什么材料'],
	['附近工地夜间施工噪音太大', '附近工地渣土车撒漏，路面全是泥']
];

/** A district's 999 tickets of the last weeks as the demo writes them (its phrase files, places and openers). */
function districtTickets(districtCode: string, n: number): RepeatText[] {
	const ref = loadReference();
	const corpus = loadCorpus(new URL('../../data', import.meta.url).pathname, ref);
	const places = [...buildStreetPlaces(ref, 7, () => null).values()].filter((p) => p.district.code === districtCode);
	const specs = [...corpus.phrases.values()];
	const kinds = new AliasTable(specs, specs.map((s) => s.weight));
	const r = new Rng(7);
	return Array.from({ length: n }, () => {
		const p = r.pick(places);
		const spec = kinds.draw(r);
		const src = { district: p.district.name, street: p.street.name, pools: p, hours: spec.hours, receivedMs: Date.parse('2026-11-28T10:00:00+08:00'), plate: () => '苏E·3K8J2' };
		const ctx = new SlotContext(r, src);
		const type = weightedKey(r, spec.types) as TicketType;
		const content = composeContent(r, r.pick(spec.contents), spec.details, ctx, { type, short: r.chance(0.15) });
		return { text: `${fill(r.pick(spec.titles), ctx)}${content}`, context: [`${p.district.name}${ctx.get('road')}${r.int(1, 888)}号`] };
	});
}

describe('repeat detection on a labelled set of pairs, each among a district’s tickets', () => {
	let score: (call: string, earlier: string, at?: string) => number;
	beforeAll(() => {
		const district = districtTickets('320506', 999);
		// the earlier ticket is one of the thousand the assistant reads
		score = (call, earlier, at) => repeatScores({ text: call, context: [at] }, [...district, { text: earlier, context: [at] }])[999];
	});

	it('ranks the same matter above a different one far more often than not, and keeps both sides of the street threshold', () => {
		const same = SAME_MATTER.map(([a, b]) => score(a, b));
		const other = OTHER_MATTER.map(([a, b, at]) => score(a, b, at));
		// the chance that a pair of the same matter scores above one of different matters (0.64 by the share of the
		// shorter text's bigrams found in the other, as before; 0.89 here)
		let above = 0;
		for (const s of same) for (const o of other) above += s > o ? 1 : s === o ? 0.5 : 0;
		expect(above / same.length / other.length).toBeGreaterThan(0.8);
		// at the street's threshold: 18 of 26 found, 3 of 26 taken for a repeat (15 and 14 before, at its 0.4)
		const found = same.filter((s) => s >= REPEAT_SIMILARITY.street).length;
		const wrong = other.filter((s) => s >= REPEAT_SIMILARITY.street).length;
		expect(found).toBeGreaterThanOrEqual((3 / 5) * same.length);
		expect(wrong).toBeLessThanOrEqual(other.length / 5);
	});

	it('takes none of the audit’s short calls for a long ticket that merely holds its filler words', () => {
		for (const [call, earlier] of OTHER_MATTER.slice(0, 5)) expect(score(call, earlier), `${call} | ${earlier}`).toBeLessThan(REPEAT_SIMILARITY.street);
	});
});
