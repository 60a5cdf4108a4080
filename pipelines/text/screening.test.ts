import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScreeningRules, parseScreeningRules, screenCall, type ScreeningRules } from './screening';

const rules = loadScreeningRules(join(import.meta.dirname, '../../data/dict/screening.json'));
/** The hints of rules alone. */
const screen = (r: ScreeningRules, title: string, content: string) => screenCall(r, title, content).hints;
const rulesOf = (title: string, content: string) => screen(rules, title, content).map((h) => h.rule);
/** Each of these contents gives no hint at all. */
const noHints = (texts: string[]) => {
	for (const text of texts) expect(rulesOf('', text), text).toEqual([]);
};

describe('screening hints', () => {
	it('points an emergency to its line, and puts it first', () => {
		const h = screen(rules, '', '我们小区3号楼起火了，楼道里都是烟，还有人晕倒了，我已经在投诉物业');
		expect(h[0]).toMatchObject({ rule: 2, line: '119', words: ['起火'] });
		expect(h.find((x) => x.line === '120')?.words).toEqual(['晕倒']);
	});
	it('points the common ways of reporting an emergency to their line', () => {
		const cases: [string, string][] = [
			['老人在小区门口被电动车撞倒，现在躺在地上起不来', '122'],
			['老人过马路被车撞了，倒在路边', '122'],
			['我骑车被电瓶车撞了，腿在流血', '122'],
			['孩子在河边溺水了，快来人', '119'],
			['有人在马路上被打了，流了很多血', '110'],
			['我被人打了，对方还在楼下', '110'],
			['房子烧起来了，火很大', '119'],
			['楼下停的电动车自燃了', '119'],
			['楼道里冒出浓烟，什么都看不清', '119'],
			['家里老人一氧化碳中毒了，叫不醒', '120'],
			['邻居好像煤气中毒了，门敲不开', '120'],
			['工地上有人触电了，快来人', '120'],
			['商场里有人心脏骤停，正在做心肺复苏', '120'],
			['公交站台有个老人倒地不起', '120'],
			['我家老人走失了，穿灰色外套', '110'],
			['孩子在商场里走丢了，找了半小时', '110'],
			['接到冒充客服的电话，电信诈骗被骗了五万', '110'],
			// a caller who fears violence may be in danger now: a fear negates a feared fire or fall, not the police line
			['前夫天天堵在楼下，我怕被人打', '110'],
			['他喝了酒，我担心被打', '110']
		];
		for (const [text, line] of cases) expect(screen(rules, '', text)[0], text).toMatchObject({ rule: 2, line });
		expect(screen(rules, '', '有人在马路上被打了，流了很多血').find((h) => h.line === '120')?.words).toEqual(['流了很多血']);
		expect(screen(rules, '', '老人在小区门口被电动车撞倒，现在躺在地上起不来').map((h) => h.line)).toEqual(['122', '120']);
	});
	it('points an object and its state said together, and more kinds of emergency, to their line', () => {
		const cases: [string, string][] = [
			['家里燃气管道漏气了，味道很大', '119'],
			['闻到很浓的煤气味', '119'],
			['厨房煤气味很重', '119'],
			['家里液化气罐漏气了', '119'],
			['孩子掉水里了', '119'],
			['刚才小区里有个小孩掉进池塘了', '119'],
			['被关在电梯里出不来了', '119'],
			['电梯里困了人，快来', '119'],
			['电梯卡住了，里面有人出不来', '119'],
			['我现在被困在小区3幢的电梯里，按了报警铃没人应答', '119'],
			['有人受伤了', '120'],
			['家里有人割腕了', '120'],
			['老人在家摔倒了起不来', '120'],
			['我爸在卫生间滑倒了，现在动不了', '120'],
			['工地上有人从高处摔下来了', '120'],
			['隔壁在吸毒', '110'],
			['有人在贩毒', '110'],
			['女儿离家出走三天了联系不上', '110'],
			['我妈早上出门到现在联系不上', '110']
		];
		for (const [text, line] of cases) expect(screen(rules, '', text)[0], text).toMatchObject({ rule: 2, line });
		// the words of a hint said together: the text from the first to the last when short
		expect(screen(rules, '', '家里燃气管道漏气了')[0].words).toEqual(['燃气管道漏气']);
		// a fight with someone hurt: the police and an ambulance, one hint each
		expect(screen(rules, '', '邻居打架有人受伤').map((h) => [h.line, h.words])).toEqual([
			['110', ['打架']],
			['120', ['受伤']]
		]);
	});
	it('needs the object and the state together, in their order, and as facts', () => {
		noHints([
			'燃气费怎么这么贵，燃气公司乱收费',
			'煤气罐送货太慢了',
			'燃气灶打不着火，想换一个',
			'电梯里的广告太吵了',
			'电梯停运，老人被困在家里下不了楼',
			'手机掉水里了，能修吗',
			'小区池塘水很臭，孩子们都不敢去玩',
			'楼顶的广告牌摇摇晃晃，怕掉下来砸到人',
			'空调外机支架锈了，担心哪天整个掉下来砸到人',
			'路面结冰，担心老人摔倒',
			'健身器材坏了，孩子差点摔下来',
			'雨水落水管堵了，阳台积水',
			'看到新闻里电动车起火，我们楼道里也有人这样充电',
			'路边有只受伤的流浪狗，想找救助站'
		]);
	});
	it('gives no transfer hint for the everyday words around them', () => {
		noHints([
			'楼上装修噪音太大，晚上总被打扰',
			'楼上住户把承重墙打通了，担心安全',
			'经常有人打电话推销，被打电话骚扰',
			'我家宠物狗走丢了，想问能不能在小区贴寻狗启事',
			'工厂烟囱冒浓烟，污染空气',
			'小区宣传防诈骗知识的横幅掉了',
			'电线裸露在外面，有触电危险',
			'路边的树倒在地上挡路'
		]);
	});
	it('names the rule and the words for legal procedures, petitions and the bodies outside the government', () => {
		expect(rulesOf('', '请问和公司的劳动纠纷怎么申请仲裁')).toContain(4);
		// the court where the caller's case is: rule 5's, not rule 3's
		expect(rulesOf('', '这个案子法院已立案，开庭时间一直拖')).toEqual([5]);
		expect(rulesOf('', '我要反映人大代表不履职的问题')).toEqual([3]);
		expect(screen(rules, '', '我想去信访，这事拖了三年').find((x) => x.rule === 5)?.words).toEqual(['信访']);
	});
	it('tells a procedure to start (rule 4) from one already under way (rule 5)', () => {
		const cases: [string, number][] = [
			['交警的处罚决定我不服，我要复议', 4],
			['对城管的处罚决定不服，要求复议', 4],
			['这个处罚我已复议过了，还没有结果', 5],
			['行政复议中，想问问什么时候出结果', 5],
			['我和公司的劳动纠纷已经申请仲裁，想问问进度', 5],
			['这个案子已经在法院立案了，对方一直拖着', 5],
			['电动车被偷，派出所立案了，但一直没消息', 5],
			['我和开发商正在打官司，想让住建局先处理', 5],
			['房屋质量问题正在诉讼，想再反映一下', 5],
			['法院判了但对方一直不执行', 5],
			// under way, said less tightly (found by a review: each gave rule 4 or nothing)
			['已经申请劳动仲裁，想问进度', 5],
			['劳动仲裁已经受理了，什么时候开庭', 5],
			['我已经向区政府申请了行政复议', 5],
			['仲裁委已经裁决了，公司不执行', 5],
			['我已经申请了信息公开，到期没有答复', 5],
			['案子已经在法院审理中', 5],
			// and a procedure still to start stays rule 4
			['公司拖欠工资，我想申请劳动仲裁', 4],
			['准备向法院起诉物业', 4],
			['提出了诉求想复议', 4],
			['申请了退款想起诉商家', 4]
		];
		for (const [text, rule] of cases) {
			const r = rulesOf('', text);
			expect(r, text).toContain(rule);
			expect(r, text).not.toContain(rule === 4 ? 5 : 4);
		}
	});
	it('hints no procedure for an administrative matter still being looked at', () => {
		for (const text of ['我的低保申请还在审理中', '公租房资格还在审理中', '现在审理这个事情要多久']) expect(rulesOf('', text), text).not.toContain(5);
	});
	it('names the Party, People’s Congress and army bodies, and only them', () => {
		for (const text of [
			'我要反映市委大院门口乱停车的问题，市委书记应该管管',
			'想向区委反映社区工作人员态度差',
			'县委办公室电话打不通',
			'街道党工委的人来过一次就没下文了',
			'这个事情政法委也知道',
			'我给人民代表大会写过信',
			'这事我向区人大反映过，一直没回复',
			'解放军营区外墙施工，噪音扰民'
		])
			expect(rulesOf('', text), text).toContain(3);
		noHints([
			'超市委托的快递员把包裹弄丢了',
			'物业受社区委托管理停车，收费太高',
			'我们小区人大多是老人，希望加装电梯',
			'退役解放军战士想咨询安置补助怎么申领',
			'我心里很委屈，物业一直不给维修'
		]);
	});
	it('reads a body named as a place, a military family’s benefits and a court of the caller’s procedure as no rule-3 matter', () => {
		noHints([
			'中级人民法院门口的路灯坏了',
			'检察院旁边的人行道坑坑洼洼',
			'市委党校门口有人占道经营',
			'区人民法院的对面有个井盖丢了',
			'武警支队东门外面的垃圾一直没人清理',
			'我的孩子在部队当兵，想咨询优待政策',
			'儿子今年参军入伍，家里能享受什么待遇'
		]);
		expect(rulesOf('', '我已经向法院起诉了想问进展')).toEqual([5]);
		expect(rulesOf('', '法院判决了对方不执行')).toEqual([5]);
		expect(rulesOf('', '我想去法院起诉开发商')).toEqual([4]);
		// a name that is no place, and the body in another clause, still count
		expect(rulesOf('', '法院跟街道都说不归他们管')).toEqual([3]);
		expect(rulesOf('', '县委门口天天堵车，县委书记也不管')).toEqual([3]);
		expect(rulesOf('', '法院判了，检察院也不管')).toEqual([3, 5]);
	});
	it('answers a question how to write, what to bring or how to reach a body as a consultation, not rule 3, 4 or 5', () => {
		noHints(['起诉书模板怎么写', '起诉离婚需要什么材料', '劳动仲裁委员会电话多少', '信访局电话是多少', '法院的地址是哪里，怎么走', '仲裁委几点上班']);
		// the caller's own case still counts
		expect(rulesOf('', '我要起诉他')).toEqual([4]);
		expect(rulesOf('', '我要起诉他，需要准备什么材料')).toEqual([4]);
		expect(rulesOf('', '请问和公司的劳动纠纷怎么申请仲裁')).toEqual([4]);
		expect(rulesOf('', '县委办公室电话打不通')).toEqual([3]);
	});
	it('reads a complaint that a body cannot be reached as one about its service, not a procedure (rules 4, 5)', () => {
		noHints(['劳动仲裁委电话打不通', '复议机关的电话一直没人接', '信访局电话老是占线']);
		// the caller's own procedure in another clause still counts
		expect(rulesOf('', '我要申请仲裁，仲裁委电话打不通')).toEqual([4]);
	});
	it('names a request for someone else’s personal data rule 6, and abuse of the hotline rule 8, not the caller as their victim', () => {
		for (const text of ['查询某人的住址和电话', '我想查一下我邻居的手机号和家庭住址', '帮我查下他的电话', '能不能告诉我这个人住在哪', '查询我的邻居的电话'])
			expect(rulesOf('', text), text).toEqual([6]);
		for (const text of ['我要骂死你们这些狗官', '你们这些狗官不得好死', '再不处理我弄死你们']) expect(rulesOf('', text), text).toEqual([8]);
		noHints([
			'物业在业主群里泄露我的个人隐私',
			'小区住户的个人信息被泄露了，经常接到骚扰电话',
			'查询公积金中心的电话',
			'查一下物业的联系方式',
			'我想查询我的通话记录',
			'邻居骂我让我去死',
			'邻居威胁说要弄死你们全家',
			'固体废物乱堆乱放'
		]);
	});
	it('gives every rule in the dictionary words, each of which hints at its rule alone', () => {
		const file = JSON.parse(readFileSync(join(import.meta.dirname, '../../data/dict/screening.json'), 'utf8')) as {
			rules: { rule: number; words?: string[]; lines?: Record<string, string[]> }[];
		};
		for (const r of file.rules) {
			const words = r.words ?? Object.values(r.lines ?? {}).flat();
			expect(words.length, `rule ${r.rule}`).toBeGreaterThan(0);
		}
		// rule 7 comes from the repeat check and rule 9 is the operator's own judgement
		expect(file.rules.map((r) => r.rule).sort()).toEqual([1, 2, 3, 4, 5, 6, 8]);
		// (the `urgent` entry's words are rule 0: no hint of a rule, an urgent word)
		for (const w of rules.words)
			if (w.rule === 0) expect(screenCall(rules, '', w.word), w.word).toEqual({ hints: [], urgent: [w.word] });
			else expect(screen(rules, '', w.word), w.word).toContainEqual({ rule: w.rule, words: [w.word], line: w.line });
		// and each `together` entry, a word of each group in turn
		for (const t of rules.together) {
			const text = t.groups.map((g) => g[g.length - 1]).join('');
			if (t.rule === 0) expect(screenCall(rules, '', text), text).toEqual({ hints: [], urgent: [text] });
			else expect(screen(rules, '', text), text).toContainEqual({ rule: t.rule, words: [text], line: t.line });
		}
		expect(rules.words.some((w) => w.rule === 0) && rules.together.some((t) => t.rule === 0)).toBe(true);
		expect(() => parseScreeningRules('{"rules":[{"rule":3,"words":[]}]}', 'f.json')).toThrow(/f.json: rule 3 has no words/);
	});
	it('ignores a negated word and ordinary complaints', () => {
		expect(rulesOf('', '路口发生剐蹭，没有车祸那么严重，主要是红绿灯坏了')).toEqual([]);
		expect(rulesOf('餐馆油烟扰民', '楼下餐馆每天晚上油烟很大，影响居民开窗通风')).toEqual([]);
		expect(rulesOf('', '不是火灾，是楼下烧烤的烟太大')).toEqual([]);
	});
	it('reads everyday phrases as ordinary text, not as the words inside them', () => {
		noHints([
			'小区门口垃圾桶满了没人清理，以上诉求望相关部门尽快解决，谢谢',
			'打人社局电话一直没人接，想咨询退休手续怎么办',
			'拨打人民医院的电话一直占线，想问怎么预约挂号',
			'小区烟感报警器半夜一直响，物业不处理',
			'燃气报警器坏了，想问问应该找谁更换',
			'医院门口乱停车严重，救护车都进不去',
			'急救中心收费太贵，想咨询收费标准',
			'政务服务网上访问很慢，页面经常打不开',
			'楼上访客很多，半夜还在吵闹',
			'我从部队退伍回来，咨询退役军人安置政策',
			'请环保部门来测试一下河水是不是被污染了',
			'家里没什么事的时候就听到楼上装修噪音'
		]);
		// the words themselves still count
		expect(screen(rules, '', '我爸突然说不出话，快派救护车过来')[0]).toMatchObject({ rule: 2, line: '120', words: ['派救护车'] });
		expect(screen(rules, '', '我要报警，有人在砸我家的门')[0]).toMatchObject({ rule: 2, line: '110', words: ['报警'] });
		expect(rulesOf('', '这件事我已经去上访了好几次，一直没有结果')).toEqual([5]);
		expect(rulesOf('', '部队营区晚上施工噪音很大，影响休息')).toEqual([3]);
	});
	it('gives no transfer hint for what happens often, happened before or should be prevented', () => {
		noHints([
			'路口经常发生交通事故，建议设置红绿灯',
			'去年发生过车祸的路口，请加装减速带',
			'仓库曾经着火过，现在还在堆放易燃物',
			'建议在车祸多发路段增设警示牌',
			'小区电动车在楼道充电，容易引发火灾，请物业管理'
		]);
		// the cue reaches its own clause only
		expect(screen(rules, '', '这个路口经常堵车，刚刚又发生车祸了，有人倒在地上')[0]).toMatchObject({ rule: 2, line: '122', words: ['车祸'] });
	});
	it('gives no transfer hint for an event gone by, one already reported or what followed it, but does for one going on', () => {
		noHints([
			'我已经报警了，警察说这事让我找12345',
			'上个月小区起火，物业到现在还没修好消防设施',
			'昨天晚上小区发生火灾，现在要求物业赔偿',
			'车祸发生已经一个月了，保险公司还不赔',
			'交通事故理赔怎么办理',
			'120急救车收费太贵了',
			'前几天小区里有人打架，物业不管',
			'去年发生火灾的那栋楼到现在还没修',
			'火已经扑灭了，但是楼道全黑了，谁来清理',
			'工友在厂里中暑晕倒送医院了，厂里说中暑不算工伤',
			'想表扬一下社区的王姐，我家老人走失，她带着大家找了一晚上终于找到了'
		]);
		// what followed the event is told after it: a cue before the word is no follow-up of it
		expect(screen(rules, '', '我刚从医院报销回来，路上被车撞了，腿在流血')[0]).toMatchObject({ rule: 2, line: '122' });
		expect(screen(rules, '', '上午去保险公司办事，现在楼下着火了')[0]).toMatchObject({ rule: 2, line: '119' });
		const cases: [string, string][] = [
			['刚才小区里着火了', '119'],
			['现在楼下有人打架', '110'],
			['刚刚有人晕倒了，现在还没醒', '120'],
			// the past with what goes on since: still an emergency
			['我儿子从昨天到现在一直联系不上', '110'],
			['昨天开始家里一直有煤气味', '119'],
			// the cue reaches its own clause only
			['昨天下了一场大雨，刚才楼下车库着火了', '119']
		];
		for (const [text, line] of cases) expect(screen(rules, '', text)[0], text).toMatchObject({ rule: 2, line });
	});
	it('reads a title word as the content reads it, when the content has it too', () => {
		// the title names what the content tells: gone by, negated or followed by a claim there, so in the title too
		expect(rulesOf('车祸', '昨天发生车祸，保险公司一直不赔')).toEqual([]);
		expect(rulesOf('火灾', '去年发生火灾的那栋楼到现在还没修')).toEqual([]);
		expect(rulesOf('起诉', '我不想起诉，只想让物业把钱退了')).toEqual([]);
		// an event going on, or a title word the content does not repeat, counts
		expect(screen(rules, '着火了', '3号楼着火了，火很大')[0]).toMatchObject({ rule: 2, line: '119', words: ['着火'] });
		expect(screen(rules, '车祸', '路口有人倒在地上不动了')[0]).toMatchObject({ rule: 2, line: '122' });
	});
	it('reads a negator over a short gap, and a negated word hides the words inside it', () => {
		noHints([
			'小区没有发生火灾，但是消防通道被堆物堵住了',
			'并未发生火灾，只是楼道里烟味很大',
			'路口未发生车祸，但信号灯坏了好几天',
			'没有冒烟起火，只是配电箱烟味大',
			'今天电梯停了一会，没有人困在电梯里，请物业检修',
			'楼下没有人打架，只是吵架声音很大'
		]);
		// the negator reaches its own clause only
		expect(rulesOf('', '没有人管，楼道里着火了')).toEqual([2]);
	});
	it('reads a negator before what one wants, plans or saw, and a refusal, as a negation', () => {
		noHints([
			'我不想起诉',
			'我不是要起诉，只是想问问政策',
			'不需要仲裁',
			'我不打算上访，只想问个问题',
			'没看到着火',
			'没有闻到煤气味，但是燃气表走得很快',
			'没看到有人打架，只是很吵',
			'不用报警了，已经没事了',
			'派出所不给立案'
		]);
		// a double negative affirms; the words still count without a negator
		expect(rulesOf('', '我不得不起诉他')).toEqual([4]);
		expect(rulesOf('', '我要起诉他')).toEqual([4]);
		expect(screen(rules, '', '我不想活了')[0]).toMatchObject({ rule: 2, line: '110', words: ['不想活'] });
	});
	it('reads a question as a question, not as a negation', () => {
		for (const text of ['邻居家里好像是不是着火了，有很大的烟味', '楼上有没有着火，闻到很大的烟味，请派人看看', '家里煤气罐会不会爆炸，一直在嘶嘶响'])
			expect(screen(rules, '', text)[0], text).toMatchObject({ rule: 2, line: '119' });
		expect(screen(rules, '', '有没有人晕倒不清楚，我看到楼下围了很多人')[0]).toMatchObject({ rule: 2, line: '120' });
	});
	it('reads full-width text, and calls an almost empty appeal rule 8', () => {
		expect(rulesOf('', 'ｘｘ家里燃气泄漏了')).toEqual([2]);
		expect(rulesOf('', '喂？')).toEqual([8]);
	});
	it('calls rule 8 text that says nothing, not a short appeal, reading the title too', () => {
		for (const text of ['喂', '喂，你好，在吗？', '没事', '测试', '您好，打错了，不好意思', '哈哈哈']) expect(rulesOf('', text), text).toEqual([8]);
		noHints(['路灯坏了', '井盖丢失', '停水', '请问公积金怎么提取']);
		expect(rulesOf('小区门口路灯不亮', '喂')).toEqual([]);
		expect(rulesOf('测试', '')).toEqual([8]);
	});
	it('finds the hazards that make a taken call urgent, read as a rule’s words are', () => {
		const urgentOf = (text: string) => screenCall(rules, '', text).urgent;
		expect(urgentOf('人民路口的井盖丢失了，晚上很危险')).toEqual(['井盖丢失']);
		expect(urgentOf('小区门口没有井盖，已经有人差点掉下去')).toEqual(['没有井盖']);
		expect(urgentOf('台风过后路面塌陷了一个大坑')).toEqual(['路面塌陷']);
		expect(urgentOf('电线掉下来拖在地上')).toEqual(['电线掉下来']);
		expect(urgentOf('红绿灯坏了，路口很乱；家里污水倒灌')).toEqual(['红绿灯坏了', '污水倒灌']);
		expect(urgentOf('公司十几个人中午吃了食堂的饭，下午都上吐下泻')).toEqual(['十几个人…上吐下泻']);
		// habitual, hypothetical, past and negated ones do not count; one still going on does
		expect(urgentOf('经常有井盖松动')).toEqual([]);
		expect(urgentOf('如果井盖丢了怎么办')).toEqual([]);
		expect(urgentOf('井盖昨天丢了，已经修好了')).toEqual([]);
		expect(urgentOf('井盖没有破损，只是有点响')).toEqual([]);
		expect(urgentOf('井盖从昨天到现在一直缺失')).toEqual(['井盖…缺失']);
		// an emergency's words take their characters first: 燃气泄漏 is rule 2, not urgent
		expect(screenCall(rules, '', '燃气泄漏了')).toMatchObject({ hints: [{ rule: 2, line: '119' }], urgent: [] });
		// ordinary complaints and questions are not urgent
		expect(urgentOf('楼下树枝太长挡住了阳台光线')).toEqual([]);
		expect(urgentOf('请问什么时候停水')).toEqual([]);
		expect(() => parseScreeningRules('{"rules":[],"urgent":{"lines":{"119":["着火"]}}}', 'f.json')).toThrow(/f.json: "urgent" has no emergency lines/);
		expect(() => parseScreeningRules('{"rules":[],"urgent":["井盖"]}', 'f.json')).toThrow(/f.json: "urgent" must be an object/);
		expect(() => parseScreeningRules('{"rules":[],"urgent":{"words":[]}}', 'f.json')).toThrow(/f.json: "urgent" has no words/);
		expect(() => parseScreeningRules('{"rules":[],"urgent":{"words":["井盖丢失"],"underway":{"rule":5}}}', 'f.json')).toThrow(/f.json: "urgent" takes no "yield" or "underway"/);
	});
	it('says what is wrong with a bad rules file', () => {
		expect(() => parseScreeningRules('{"rules":[{"rule":12,"words":["x"]}]}', 'f.json')).toThrow(/f.json: rule 12 is not 1–9/);
		expect(() => parseScreeningRules('nope', 'f.json')).toThrow(/f.json: not JSON/);
		expect(() => parseScreeningRules('{"stop":"报警器","rules":[]}', 'f.json')).toThrow(/f.json: "stop" must be a list of words/);
		expect(() => parseScreeningRules('{"rules":[{"rule":4,"words":["复议"],"underway":{"rule":0}}]}', 'f.json')).toThrow(/f.json: rule 4's "underway" names no rule 1–9/);
		expect(() => parseScreeningRules('{"rules":[{"rule":3,"words":["法院"],"yield":[4,10]}]}', 'f.json')).toThrow(/f.json: rule 3's "yield" must be a list of rules 1–9/);
		expect(() => parseScreeningRules('{"rules":[{"rule":2,"lines":{"119":["着火"]},"after":"理赔"}]}', 'f.json')).toThrow(/f.json: rule 2's "after" must be a list of words/);
		const together = (t: unknown) => parseScreeningRules(JSON.stringify({ rules: [{ rule: 2, lines: { 119: ['着火'] }, together: [t] }] }), 'f.json');
		expect(() => together({ line: '119', all: [['燃气']] })).toThrow(/f.json: rule 2's "together" 1 needs two groups or more in "all"/);
		expect(() => together({ line: '999', all: [['燃气'], ['漏气']] })).toThrow(/f.json: rule 2's "together" 1 names no line of the rule/);
		expect(() => together({ line: '119', all: ['person', ['漏气']] })).toThrow(/f.json: rule 2's "together" 1 names no group "person"/);
		expect(together({ line: '119', all: [['燃气'], ['漏气']] }).together).toEqual([
			{ rule: 2, line: '119', groups: [['燃气'], ['漏气']], sentence: false, cues: { unless: [], past: [], ongoing: [], after: [], address: [] }, yields: [] }
		]);
	});
});
