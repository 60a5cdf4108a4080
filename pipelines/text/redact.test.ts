import { describe, expect, it } from 'vitest';
import { maskEmail, maskKnown, maskNames, maskPersonal, ticketTextsForAnalytics } from './redact';

/** Texts the mask must leave exactly as they are (each named in a failure). */
function staysUnmasked(texts: string[]): void {
	for (const t of texts) expect(maskPersonal(t), t).toBe(t);
}

describe('maskEmail', () => {
	it('keeps the first character and the domain, and hides text that is no address', () => {
		expect(maskEmail('zhangsan@example.com')).toBe('z***@example.com');
		expect(maskEmail('张三@例子.中国')).toBe('张***@例子.中国');
		expect(maskEmail('@example.com')).toBe('***');
		expect(maskEmail('zhangsan')).toBe('***');
	});
});

describe('maskPersonal', () => {
	it('masks mobile and landline numbers, keeping their shape', () => {
		expect(maskPersonal('请回电13912345678，谢谢')).toBe('请回电139****5678，谢谢');
		expect(maskPersonal('电话 0512-65231234 找物业')).toBe('电话 0512****1234 找物业');
		// the area code in brackets, a space or a dash inside the local number
		expect(maskPersonal('联系电话（0512）65231234，座机0512-6523 1234')).toBe('联系电话0512****1234，座机0512****1234');
		expect(maskPersonal('(021) 5555-6666转8，或010 8888 6666')).toBe('021****6666转8，或010****6666');
		// groups of digits that are no telephone number stay
		staysUnmasked(['时间 0900 1200 1300', '订单号 0100 2023 1234', '编号 0512 1234 5678']);
	});
	it('masks ID card numbers keeping only the first three digits and the check character (no county, birth date or sequence)', () => {
		expect(maskPersonal('身份证号320502199001011234')).toBe('身份证号320**************4');
		expect(maskPersonal('身份证32050219850312345X，')).toBe('身份证320**************X，');
	});
	it('masks 15-digit (first-generation) ID card numbers, keeping the first three digits, and no other 15 digits', () => {
		expect(maskPersonal('身份证号320502850312123，')).toBe('身份证号320************，');
		expect(maskPersonal('老身份证 110105491231002 已过期')).toBe('老身份证 110************ 已过期');
		// 15 digits whose county is no province's or whose birth date is none, and longer numbers, stay
		staysUnmasked(['快递单号 773012345678901', '订单 202312011234567', '单号 462012345678901', '编号 3205028503121234']);
	});
	it('masks a mobile number written 4-3-4, not digits that go on', () => {
		expect(maskPersonal('电话1381 234 5678谢谢')).toBe('电话138****5678谢谢');
		expect(maskPersonal('手机：1391-234-5678，')).toBe('手机：139****5678，');
		staysUnmasked(['1381 234 5678 9', '编号 21 1381 234 5678', '1381 234 56789']);
	});
	it('masks ID card numbers written in groups with spaces or dashes, and no other grouped digits', () => {
		expect(maskPersonal('身份证 3205 0219 8503 1234 5X 谢谢')).toBe('身份证 320**************X 谢谢');
		expect(maskPersonal('身份证号320502-19850312-345X')).toBe('身份证号320**************X');
		expect(maskPersonal('证件号 320502 19850312 3451，')).toBe('证件号 320**************1，');
		expect(maskPersonal('身份证：３２０５０２－１９８５０３１２－３４５ｘ')).toBe('身份证：320**************X');
		// grouped digits that are no ID number (no birth date where it stands, or part of a longer number) stay
		staysUnmasked(['订单 3205 0299 8503 1234 5X', '编号 3205 0219 8513 1234 56', '单号 3205 0219 8503 1234 567 8', '时间 0900 1200 1300 1400 18']);
	});
	it('masks a name the caller gives, not ordinary words', () => {
		expect(maskPersonal('我叫张小明，住在平江路')).toBe('我叫张**，住在平江路');
		expect(maskPersonal('我是业主，楼上装修太吵')).toBe('我是业主，楼上装修太吵');
	});
	it('after 我是 and 本人 masks names, not who the caller is or what they do (房东, 司机, 快递员, 已退休)', () => {
		staysUnmasked([
			'我是房东，租客拖欠房租三个月',
			'我是司机，游1路公交站台被占用',
			'我是快递员，小区不让进',
			'我是环卫工，工资拖欠',
			'我是残疾人，申请补贴',
			'我是个体户，营业执照怎么办',
			'我是车主，停车费乱收',
			'我是商户，门前被挖',
			'我是党员，想反映问题',
			'我是农民工，工资没发',
			'我是安徽人，在苏州上班',
			'我是高中生，学校补课',
			'我是孕妇，产检预约不上',
			'本人已退休，养老金怎么调',
			'本人残疾，出行不便',
			'我是志愿者，活动场地'
		]);
		expect(maskPersonal('我是王芳，请回电')).toBe('我是王*，请回电');
		expect(maskPersonal('本人李娜，住在三香路')).toBe('本人李*，住在三香路');
		expect(maskPersonal('我是房建华。')).toBe('我是房**。');
		// a compound surname and a given name of two (four characters in all)
		expect(maskPersonal('我叫欧阳娜娜，电话13812345678')).toBe('我叫欧阳**，电话138****5678');
		expect(maskPersonal('我是司马南，')).toBe('我是司马*，');
	});
	it('after 我是 and 本人 masks a name that runs on into who they are or what they say (本人王小明反映, 我是李娜住在…), not other words there', () => {
		for (const [t, m] of [
			['本人王小明反映小区门口占道经营', '本人王**反映小区门口占道经营'],
			['本人张伟投诉楼下烧烤油烟', '本人张*投诉楼下烧烤油烟'],
			['我是李娜住在平江路', '我是李*住在平江路'],
			['我是陈建国今年65岁', '我是陈**今年65岁'],
			['本人欧阳明辉家住吴中区', '本人欧阳**家住吴中区']
		])
			expect(maskPersonal(t)).toBe(m);
		staysUnmasked([
			'本人多次反映无人处理',
			'本人曾多次投诉',
			'本人于今日反映',
			'本人一直住在这里',
			'我是业主反映物业不作为',
			'我是房东住在楼下',
			'我是外地人住在园区',
			'本人常年住在老小区',
			'我是本小区居民反映',
			'本人现在住在相城区',
			'我是租户想咨询退租',
			'本人强烈要求处理',
			'本人居住在',
			'本人常年。'
		]);
	});
	it('masks a name given before a bracket, a colon, a number, a slash or a mark (联系人：张三（138…）), not a word after 叫 as a verb', () => {
		expect(maskPersonal('联系人：张三（13800000000）')).toBe('联系人：张*（138****0000）');
		expect(maskPersonal('姓名：王小明(男)')).toBe('姓名：王**(男)');
		expect(maskPersonal('我叫王小明！请尽快处理')).toBe('我叫王**！请尽快处理');
		expect(maskPersonal('联系人李四13800000000')).toBe('联系人李*138****0000');
		expect(maskPersonal('联系人：王小明/13800000000')).toBe('联系人：王**/138****0000');
		expect(maskPersonal('本人王小明：反映')).toBe('本人王**：反映');
		expect(maskPersonal('我老公叫张伟（在外地）')).toBe('我老公叫张*（在外地）');
		staysUnmasked(['我叫了车12点到', '我是房东（二房东）', '本人已退休(65岁)', '我是业主：', '我叫了120', '我是玉兰湾15幢的业主']);
	});
	it('leaves the word for a contact detail after 联系人 or 姓名 alone, and finds a name before one (联系人：王芳电话…)', () => {
		staysUnmasked(['联系人电话：138****5678', '联系人手机138****5678', '联系人地址：玉兰湾3幢', '姓名不详，电话未留', '联系人方式：见附件']);
		expect(maskPersonal('联系人：王芳电话13800138000')).toBe('联系人：王*电话138****8000');
		expect(maskPersonal('本人王芳电话13800138000')).toBe('本人王*电话138****8000');
		expect(maskPersonal('我的名字叫刘德华手机13800138000')).toBe('我的名字叫刘**手机138****8000');
		expect(maskPersonal('我叫欧阳娜娜')).toBe('我叫欧阳**');
	});
	it('masks a name given after 我叫 or 老公叫 … that runs on into the sentence (我叫王小明今年35岁), not 叫 as a verb', () => {
		expect(maskPersonal('我叫王小明今年35岁，楼上装修')).toBe('我叫王**今年35岁，楼上装修');
		expect(maskPersonal('我叫王芳住在平江路')).toBe('我叫王*住在平江路');
		expect(maskPersonal('我叫李娜是这里的业主')).toBe('我叫李*是这里的业主');
		expect(maskPersonal('我叫欧阳娜娜家住三香路')).toBe('我叫欧阳**家住三香路');
		expect(maskPersonal('我老公叫张伟现年45岁')).toBe('我老公叫张*现年45岁');
		expect(maskPersonal('我的名字叫刘德华来自安徽')).toBe('我的名字叫刘**来自安徽');
		// 叫 as a verb, or what follows no name (no surname first, a role, more than a name's length)
		staysUnmasked([
			'我叫了救护车',
			'我叫物业来看',
			'我叫保安是因为有人闹事',
			'我叫司机在门口等',
			'我叫房东是想让他修',
			'我叫管理员住在这里的人都出来',
			'我叫施工队在晚上停工',
			'我叫他们今年别再来了',
			'我叫车今年第三次了',
			'我叫师傅是来修水管的',
			'我叫管理处要个说法',
			'我叫车管所是想问',
			'我叫居委会要求调解',
			'我叫施工队要停工',
			'我叫高铁站要',
			'来电人居委会反映',
			'我叫楼下住户小声点',
			'我叫楼上住的人别跺脚'
		]);
	});
	it('masks a name after a word that marks the caller (来电人王小明反映, 诉求人：李娜，), not adverbs or other words there', () => {
		expect(maskPersonal('来电人王小明反映楼上噪音')).toBe('来电人王**反映楼上噪音');
		expect(maskPersonal('来电人：王小明，反映小区停车难')).toBe('来电人：王**，反映小区停车难');
		expect(maskPersonal('诉求人李娜称工资被拖欠')).toBe('诉求人李*称工资被拖欠');
		expect(maskPersonal('投诉人张伟说物业不作为，举报人周小明表示')).toBe('投诉人张*说物业不作为，举报人周**表示');
		expect(maskPersonal('来电人欧阳娜娜来电咨询')).toBe('来电人欧阳**来电咨询');
		expect(maskPersonal('申请人张丽华申请困难补助，求助人刘芳报警称')).toBe('申请人张**申请困难补助，求助人刘*报警称');
		expect(maskPersonal('来电人王先生反映')).toBe('来电人王先生反映');
		staysUnmasked([
			'来电人反映楼上噪音',
			'来电人于今日反映',
			'来电人曾多次反映',
			'来电人向我们反映',
			'来电人周末来电',
			'来电人常年反映',
			'来电人强烈要求',
			'来电人明确表示',
			'来电人陆续反映',
			'来电人再次来电',
			'来电人家属称',
			'来电人所在小区',
			'来电人居住的小区',
			'投诉人方面称',
			'举报人匿名举报',
			'来电人：匿名，',
			'来电人：市民，',
			'来电人：不详',
			// without a word that marks the caller, a word before 说 or 反映 is not taken for a name
			'王小明说楼上很吵',
			'市民普遍反映',
			'居民强烈反映',
			'业主方面称',
			'物业经理说'
		]);
	});
	it('takes four characters after 老公叫, 妈妈叫 … for a name only with a compound surname (妈妈叫王阿姨来 is no name)', () => {
		expect(maskPersonal('女儿叫欧阳娜娜')).toBe('女儿叫欧阳**');
		staysUnmasked(['妈妈叫王阿姨来', '我老公叫楼下邻居', '儿子叫张老师来']);
	});
	it('masks a family member’s name going on with 在 (我老公叫李明在外地打工), not a word for a group there', () => {
		expect(maskPersonal('我老公叫李明在外地打工')).toBe('我老公叫李*在外地打工');
		expect(maskPersonal('我女儿叫王思思在苏州一中读书')).toBe('我女儿叫王**在苏州一中读书');
		expect(maskPersonal('女儿叫欧阳娜娜在上学')).toBe('女儿叫欧阳**在上学');
		staysUnmasked(['我老公叫楼上在家的人小声点', '妈妈叫师傅在门口等', '爸爸叫司机在楼下等', '我叫施工队在晚上停工']);
	});
	it('masks a name after 名字叫做 and 名字是 (我的名字叫做赵丽, 我的名字是陈静), not the 做 of 叫做 or a word that is no name', () => {
		expect(maskPersonal('我的名字叫做赵丽，家住姑苏区')).toBe('我的名字叫做赵*，家住姑苏区');
		expect(maskPersonal('我的名字是陈静，电话13700001111')).toBe('我的名字是陈*，电话137****1111');
		expect(maskPersonal('我女儿叫做王思思今年8岁')).toBe('我女儿叫做王**今年8岁');
		staysUnmasked(['名字是假的，', '我的名字是写错了', '名字是什么不重要']);
	});
	it('masks a WeChat or QQ id after 是 or 为 (我的微信号是zhangwei_1988, QQ是 987654321), not an amount', () => {
		expect(maskPersonal('我的微信号是zhangwei_1988，QQ是 987654321，微信为：wx_abcdef')).toBe('我的微信号是zh****，QQ是 98****，微信为：wx****');
		staysUnmasked(['微信是个好东西', '微信转账为12000元', 'QQ是我的', '微信支付为12000 元']);
	});
	it('masks the name of another person given with 叫 (老板叫张大伟, 房东叫陈德明今年60多岁, 我姓李，叫李大海), not 叫 as a verb', () => {
		expect(maskPersonal('老板叫张大伟，欠我们工资')).toBe('老板叫张**，欠我们工资');
		expect(maskPersonal('房东叫陈德明今年60多岁，租户叫马超，邻居叫刘洋。')).toBe('房东叫陈**今年60多岁，租户叫马*，邻居叫刘*。');
		expect(maskPersonal('包工头叫王大海电话13912345678')).toBe('包工头叫王**电话139****5678');
		expect(maskPersonal('我姓李，叫李大海，今天被骗了')).toBe('我姓李，叫李**，今天被骗了');
		staysUnmasked(['老板叫人把门锁了', '邻居叫物业来看', '房东叫开锁的来', '老板叫王师傅来修', '经理叫保安把我赶出来', '邻居叫了120', '老板叫我们走人', '房东叫周末再来', '邻居叫声很大']);
	});
	it('masks a name before the caller word in brackets (王小明（来电人）反映), and wherever else the text writes it', () => {
		expect(maskPersonal('王小明（来电人）反映楼上漏水')).toBe('王**（来电人）反映楼上漏水');
		expect(maskPersonal('市民王小明（来电人）反映，王小明家住三楼')).toBe('市民王**（来电人）反映，王**家住三楼');
		expect(maskPersonal('今天李明(诉求人)称')).toBe('今天李*(诉求人)称');
		expect(maskPersonal('欧阳娜娜（来电人）说')).toBe('欧阳**（来电人）说');
		// who or where, not a name, before the bracket stays
		staysUnmasked(['母亲（来电人）反映', '市民（来电人）反映', '业主（来电人）反映', '我住和平小区（来电人）', '金鸡湖（来电人）', '李明路（来电人）', '周末（来电人）', '多次（来电人）反映', '王女士（来电人）反映']);
	});
	it('leaves a relative or an occupation after 来电人 alone (来电人母亲反映, 来电人孙子称, 来电人程序员，)', () => {
		staysUnmasked(['来电人母亲反映养老金问题', '来电人孙子称', '来电人孙女说', '来电人岳母反映', '来电人公公称', '来电人程序员，反映加班', '我叫孙子是想让他回家', '本人岳父，']);
	});
	it('leaves whom the caller called (叫 as a verb) before a mark alone: 我叫物业，我叫救护车。我叫他们，', () => {
		staysUnmasked(['我叫物业，他们不来', '我叫居委会，没人管', '我叫保安，保安说不归他管', '我叫邻居。', '我叫救护车。', '我叫外卖，', '我叫他们，', '我叫警察。', '我叫不出来', '我叫老公，', '我叫快递员。', '我叫银行要流水', '我叫银行，', '我叫老师来']);
		// a name, also with a rarer surname or as one is called (小明, 阿强), still is one
		for (const [t, m] of [
			['我叫王芳，', '我叫王*，'],
			['我叫郗红，', '我叫郗*，'],
			['我叫小明，', '我叫小*，'],
			['我叫阿强。', '我叫阿*。']
		])
			expect(maskPersonal(t)).toBe(m);
	});
	it('masks a person named with 人叫 or 个叫…的 (楼上的人叫沈志刚，有个叫王建的人), not 叫 as a verb after 人', () => {
		expect(maskPersonal('楼上的人叫沈志刚，电话不接')).toBe('楼上的人叫沈**，电话不接');
		expect(maskPersonal('有个叫王建的人在发小广告，一个叫李娜的女的')).toBe('有个叫王*的人在发小广告，一个叫李*的女的');
		expect(maskPersonal('那人叫张三今年40岁')).toBe('那人叫张*今年40岁');
		staysUnmasked(['有人叫门，', '有人叫救命', '那个人叫什么名字', '家里人叫我回去', '工人叫苦连天', '老人叫唤了一夜', '有人叫好', '有个叫车的', '有个叫外卖的', '有个叫不出名字的']);
		// a place, shop or firm named so (有个叫金鸡湖的地方) is no person
		staysUnmasked(['旁边有个叫金鸡湖的地方在施工', '一个叫万达的商场门口', '有个叫高新区的地方', '有个叫石湖的景区收费', '一个叫黄天荡的小区', '有个叫华润的公司', '有个叫林业的部门']);
		expect(maskPersonal('有个叫王建的男的，一个叫周丽的老太太，有个叫何平的小伙子')).toBe('有个叫王*的男的，一个叫周*的老太太，有个叫何*的小伙子');
	});
	it('leaves what a caller word goes on with alone: something that befell them (来电人车被偷，), 向来, 方才, and the word said (申请人申请，)', () => {
		staysUnmasked(['来电人车被偷，要求查监控', '来电人钱被骗，要求立案', '来电人门被撬，', '来电人包被抢了，', '来电人向来反映', '来电人方才说', '申请人申请，材料已交']);
		expect(maskPersonal('申请人申丽华申请困难补助')).toBe('申请人申**申请困难补助');
	});
	it('leaves the name of a place, a shop, a firm or an app given with 名字是/名字叫 alone (小区名字是金鸡湖，), a person’s is masked', () => {
		staysUnmasked(['小区名字是金鸡湖，在园区', '那个小区的名字叫金鸡湖花园，', '公司名字是华为，', '店的名字叫黄记，', '那个软件名字是高德，', '这个群名字叫江南，']);
		expect(maskPersonal('我的名字是陈静，他的名字叫王强，我女儿名字叫李娜，')).toBe('我的名字是陈*，他的名字叫王*，我女儿名字叫李*，');
	});
	it('leaves an occupation that begins with a surname’s character alone after 叫 or 来电人 (房东叫修理工，, 来电人钟点工反映)', () => {
		staysUnmasked(['房东叫修理工，', '老板叫钟点工来打扫', '邻居叫花匠，', '对方叫漆工，', '来电人花农反映', '来电人钟点工反映', '老板叫修车工，']);
		expect(maskPersonal('房东叫陈德明，来电人方建华反映')).toBe('房东叫陈**，来电人方**反映');
	});
	it('leaves a surname with a title after 叫 or 来电人 as 王女士 stays (对方叫王律师，, 来电人李医生反映)', () => {
		staysUnmasked(['对方叫王律师，', '老板叫钱律师来谈', '来电人李医生反映', '邻居叫张主任，', '来电人周书记称']);
	});
	it('leaves what people of a place call a place alone (当地人叫黄天荡，, 本地人叫石路，, 苏州人叫…)', () => {
		staysUnmasked(['当地人叫黄天荡，', '本地人叫石路，那里很堵', '老苏州人叫石路，', '外地人叫金鸡湖，', '城里人叫江边，']);
		expect(maskPersonal('楼上的人叫沈志刚，那人叫张三今年40岁')).toBe('楼上的人叫沈**，那人叫张*今年40岁');
	});
	it('masks a name found in the text wherever else the text writes it (我叫王小明…王小明说, 来电人李建国反映…李建国请回拨)', () => {
		expect(maskPersonal('我叫王小明，楼上噪音，王小明说已经报过警，小明的妈妈也打过电话')).toBe('我叫王**，楼上噪音，王**说已经报过警，**的妈妈也打过电话');
		expect(maskPersonal('来电人李建国反映：小区路灯不亮，李建国请回拨')).toBe('来电人李**反映：小区路灯不亮，李**请回拨');
		// a given name that begins a longer word (建国路) stays
		expect(maskPersonal('来电人李建国反映建国路积水')).toBe('来电人李**反映建国路积水');
		// and so does the whole name where it begins a place's or a body's (李明路, 张华桥, 王强小区, 林峰公司)
		expect(maskPersonal('来电人李明反映李明路的路灯坏了，李明说很危险')).toBe('来电人李*反映李明路的路灯坏了，李*说很危险');
		expect(maskPersonal('我叫张华，张华桥下有人钓鱼，张华小区门口积水，张华村的路灯不亮')).toBe('我叫张*，张华桥下有人钓鱼，张华小区门口积水，张华村的路灯不亮');
	});
	it('leaves other numbers alone (dates, amounts, house numbers, the hotline)', () => {
		const t = '2026年3月5日起每天22点后施工，干将东路100号，已打12345三次，罚款5000元';
		expect(maskPersonal(t)).toBe(t);
	});
	it('masks numbers typed full-width, local numbers after a word that names them, e-mail and WeChat ids', () => {
		expect(maskPersonal('联系我：１３８１２３４５６７８，谢谢')).toBe('联系我：138****5678，谢谢');
		expect(maskPersonal('身份证３２０５０２１９９００１０１１２３４')).toBe('身份证320**************4');
		expect(maskPersonal('联系电话 65221234 或 0512－65231234')).toBe('联系电话 65****34 或 0512****1234');
		expect(maskPersonal('请致电６５２２１２３４')).toBe('请致电65****34');
		expect(maskPersonal('邮箱 zs.li@example.com.cn 微信号：zhang_san88')).toBe('邮箱 z***@example.com.cn 微信号：zh****');
		expect(maskPersonal('邮箱ｚｓ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('邮箱z***@example.com');
		// amounts, order numbers and dates of 8 digits without such a word stay
		const t = '订单20261201，共计12345678元，已于20260305付款';
		expect(maskPersonal(t)).toBe(t);
	});
	it('masks numbers written in Chinese numerals (一三九一二三四五六七八, 幺三八…), and leaves short runs of them', () => {
		expect(maskPersonal('我的电话是一三九一二三四五六七八，谢谢')).toBe('我的电话是139****5678，谢谢');
		expect(maskPersonal('手机幺三八〇〇一三八〇〇〇')).toBe('手机138****8000');
		expect(maskPersonal('座机六五一二三四五六')).toBe('座机65****56');
		expect(maskPersonal('身份证三二〇五〇二一九八五〇三一二一二三四')).toBe('身份证320**************4');
		const plain = '三五成群，第一二三期，一二三四五六七八九十，三四十个人，零零星星';
		expect(maskPersonal(plain)).toBe(plain);
	});
	it('masks numbers with a dash from a Chinese input method (—, –) between their groups', () => {
		expect(maskPersonal('电话0512—65231234，手机139–1234–5678')).toBe('电话0512****1234，手机139****5678');
		expect(maskPersonal('身份证320502—19850312—345X')).toBe('身份证320**************X');
		const plain = '2026—2027学年，10–12点，第3—5幢';
		expect(maskPersonal(plain)).toBe(plain);
	});
	it('masks vehicle plates (a new-energy one, lower case and full-width too), keeping province and city letter, and nothing like one', () => {
		expect(maskPersonal('压在苏E·E5K9P那辆车上，另一辆沪AD12345，还有苏e 12345 和 苏Ｅ１２３４５')).toBe(
			'压在苏E·*****那辆车上，另一辆沪A·*****，还有苏E·***** 和 苏E·*****'
		);
		expect(maskPersonal('苏州市姑苏区 苏E 附近，新B1栋，浙江路12345号，苏AB1234567 订单')).toBe('苏州市姑苏区 苏E 附近，新B1栋，浙江路12345号，苏AB1234567 订单');
		// a space after the province's character, and the middle dots other input methods type (・ ‧)
		expect(maskPersonal('车牌苏 E12345，苏E・5K9P2，苏E‧A1234Q')).toBe('车牌苏E·*****，苏E·*****，苏E·*****');
		staysUnmasked(['江苏 E座12楼', '新 A1栋', '云 Server 12']);
	});

	it('masks bank card and other long numbers, numbers named as a card, passport or account, and names given with 叫', () => {
		// a bank card, grouped or not, also typed full-width: the last four digits stay
		expect(maskPersonal('退款打到我的银行卡6222021234567890123里')).toBe('退款打到我的银行卡****0123里');
		expect(maskPersonal('卡号 6222 0212 3456 7890')).toBe('卡号 ****7890');
		expect(maskPersonal('卡号６２２２０２１２３４５６７８９０')).toBe('卡号****7890');
		// a number named as a passport, pass or account
		expect(maskPersonal('护照号E12345678，港澳通行证C87654321，账号：abc123456')).toBe('护照号E******78，港澳通行证C******21，账号：a******56');
		// after 号码 a number that follows a letter is such an id, not a local telephone number
		expect(maskPersonal('护照号码 E12345678，护照号码：G87654321')).toBe('护照号码 E******78，护照号码：G******21');
		// a name given: mine, my family's
		expect(maskPersonal('我的名字叫刘德华。我老公叫张学友，女儿叫欧阳娜娜，')).toBe('我的名字叫刘**。我老公叫张**，女儿叫欧阳**，');
		// a lower-case plate as typed on a phone
		expect(maskPersonal('车牌苏e12345停在门口')).toBe('车牌苏E·*****停在门口');
		// what is no personal data stays: dates, times, amounts, an address with its numbers
		const plain = '2026年11月23日 14:30，共计12,345元，人民路123号3栋502室，工单SZ20261123-000123，订单尾号1234';
		expect(maskPersonal(plain)).toBe(plain);
	});
	it('masks an unnamed bank card only where it is one (16–19 digits passing the check digit), and leaves words, verbs and other numbers', () => {
		expect(maskPersonal('转到6222021234567894，另一张 6228 4800 1234 5678 903')).toBe('转到****7894，另一张 ****8903');
		const plain = [
			'工作时间0830 1130 1400 1730，',
			'快递单号75123456789012',
			'营业执照913205001234567890',
			'发票号码044001900211',
			'时间戳20261123143000',
			'退款金额100000000000元',
			'卡号写错了一位6222021234567895',
			'账户：120000元',
			'买了新iPhone手机，新MacBook坏了，云Server',
			'楼上孩子叫喊到半夜，孩子叫声很大。妈妈叫我回家。儿子叫救护车。这个小区名叫阳光花园。'
		].join('');
		expect(maskPersonal(plain)).toBe(plain);
	});

	it('copes with empty text', () => {
		expect(maskPersonal('')).toBe('');
	});
	it('masks a known name (the caller’s) wherever it occurs, and leaves placeholders and polite forms', () => {
		expect(maskPersonal('来电人李建国反映，李建国说楼道灯坏了', ['李建国'])).toBe('来电人李**反映，李**说楼道灯坏了');
		expect(maskPersonal('欧阳娜娜的电话13812345678', ['欧阳娜娜'])).toBe('欧阳**的电话138****5678');
		expect(maskNames('市民反映路灯坏了', ['市民', '王女士', '李', null, undefined, ' '])).toBe('市民反映路灯坏了');
		expect(maskNames('王女士来电', ['王女士'])).toBe('王女士来电');
		// a caller recorded as a role, not a name, leaves that word in the text alone
		expect(maskNames('网友反映，业主和居民都很着急，王先生也来电', ['网友', '业主', '居民', '先生'])).toBe('网友反映，业主和居民都很着急，王先生也来电');
	});
	it('masks the given name alone where it has two characters or more, after a compound surname too; one character stays', () => {
		expect(maskPersonal('欧阳娜娜来电，娜娜说周末在家', ['欧阳娜娜'])).toBe('欧阳**来电，**说周末在家');
		expect(maskNames('李建国反映，建国说楼道灯坏了', ['李建国'])).toBe('李**反映，**说楼道灯坏了');
		// 三 of 张三 would mask 三楼, 三天
		expect(maskNames('张三说三楼的灯坏了三天', ['张三'])).toBe('张*说三楼的灯坏了三天');
		// a compound surname alone, a polite form and a placeholder have no given name to mask
		expect(maskNames('欧阳来电，阳台漏水', ['欧阳'])).toBe('欧*来电，阳台漏水');
		expect(maskNames('王女士说女士们都很着急', ['王女士'])).toBe('王女士说女士们都很着急');
		expect(maskNames('热心市民说市民都很着急', ['热心市民'])).toBe('热心市民说市民都很着急');
	});
	it('leaves a given name that begins a longer word — a road, a compound, a holiday — and an address alone', () => {
		expect(maskNames('王建国反映建国路88号和平小区积水，建国的电话打不通', ['王建国'])).toBe('王**反映建国路88号和平小区积水，**的电话打不通');
		expect(maskNames('国庆期间装修噪音扰民', ['张国庆'])).toBe('国庆期间装修噪音扰民');
		expect(maskNames('和平路口积水', ['李和平'])).toBe('和平路口积水');
		expect(ticketTextsForAnalytics({ title: '建国路积水', content: '王建国来电：建国路88号积水', address: '建国路88号' }, '王建国')).toEqual({
			title: '建国路积水',
			content: '王**来电：建国路88号积水',
			address: '建国路88号'
		});
	});
});

describe('known phone numbers', () => {
	it('masks the caller’s own number wherever it is written, without a word saying it is one', () => {
		// a local number as stored, as a caller says it and with its area code
		expect(maskPersonal('请回拨65123456，谢谢', [], ['65123456'])).toBe('请回拨****3456，谢谢');
		expect(maskPersonal('请回拨６５１２３４５６', [], ['0512-65123456'])).toBe('请回拨****3456');
		expect(maskPersonal('家里座机0512-6512 3456', [], ['051265123456'])).toBe('家里座机0512****3456');
		expect(maskPersonal('我的号138 1234 1234', [], ['13812341234'])).toBe('我的号138****1234');
		// not a longer number that holds it, and not another number
		expect(maskPersonal('订单号1651234567', [], ['65123456'])).toBe('订单号1651234567');
		expect(maskPersonal('金额65123457元', [], ['65123456'])).toBe('金额65123457元');
	});

	it('masks a number after 拨 too, as after 电话 and 回电', () => {
		expect(maskPersonal('请拨打65123456联系')).toBe('请拨打65****56联系');
	});

	it('keeps the analytics texts free of the caller’s number', () => {
		expect(ticketTextsForAnalytics({ title: '路灯坏了', content: '请回拨65123456', address: null }, null, '65123456')).toEqual({
			title: '路灯坏了',
			content: '请回拨****3456',
			address: null
		});
		expect(ticketTextsForAnalytics({ title: '路灯坏了', content: '请处理', address: null }, null, '65123456')).toBeNull();
	});
});

describe('known phone numbers with a country code', () => {
	it('masks the caller’s mobile written with +86, 0086 or 86 before it', () => {
		for (const written of ['+8613812345678', '86 138 1234 5678', '0086-13812345678'])
			expect(maskKnown(`请回拨${written}`, [], ['13812345678']), written).not.toMatch(/1234/);
		expect(maskKnown('请回拨+8613812345678', [], ['13812345678'])).toBe('请回拨138****5678');
	});
});
