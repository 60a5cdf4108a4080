// Personal data inside free text, masked for display and export (analysts see what people complain about,
// not who they are): mobile and landline numbers, ID card numbers (in a row or in groups; 18 or 15 digits), e-mail addresses,
// WeChat/QQ ids, vehicle plates, bank card numbers and numbers named as a card, passport or account — digits also
// when typed full-width, with an input method's dash (—) or in Chinese numerals (一三九…); names a text gives: after
// 我叫 / 本人 / 联系人 / 姓名 / 名字叫 / 老公叫 …, also running on (我叫王小明今年35岁), after a word that marks the
// caller (来电人王小明反映) or before it in brackets (王小明（来电人）反映), and others named with 叫 (房东叫陈德明, 楼上的人叫沈志刚), each masked wherever else the
// text writes it but where it begins a place's name (李明路); and the names given as known (a ticket's caller: 来电人李建国反映 → 李**), wherever they occur.
// Other names in the text (王小明说…, with no word that gives them) cannot be found reliably without a model and stay.
//
// What each mask keeps: a mobile its first 3 and last 4 digits, a landline its area code and last 4 (maskPhone); an
// ID card number (身份证号) its first 3 digits and its check character, its length kept (320**************X): the
// county, the birth date and the sequence (with the sex) are what identify a person, so none of them shows; a bank
// card its last 4; a name its surname (maskName); an e-mail the first character and the domain.
import { areaCodeLength, COMPOUND_SURNAMES, givenName, maskName, maskPhone, normalizePhone, SURNAMES } from '../normalize/phone';
import { toHalfWidth } from '../normalize/text';

// digits that are not part of a longer number on either side (matched on the text folded by toHalfWidth, which
// keeps its length, so the offsets are the original's: numbers, e-mail and ids typed full-width are found too)
// an ID card number: county, birth date, sequence, check character
const ID_BODY = '[1-9]\\d{5}(?:19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]';
const ID_CARD = new RegExp(`(?<!\\d)${ID_BODY}(?!\\d)`, 'g');
// the same written in groups, a space or dash between them (3205 0219 8503 1234 5X, 320502-19850312-345X): 18
// characters with no digit next to them, even across a space or dash, that are an ID number once the separators go
const ID_CARD_GROUPED = /(?<!\d)(?<!\d[- ])[1-9](?:[- ]?\d){16}[- ]?[\dXx](?!\d)(?![- ]\d)/g;
const ID_CARD_WHOLE = new RegExp(`^${ID_BODY}$`);
// a first-generation ID card number (15 digits, still on older records and cards: 320502 850312 123): county, birth
// date without the century, sequence, no check character. Fifteen digits are also tracking and order numbers, so
// only where the county begins with a province's code (11–15, 21–23, 31–37, 41–46, 50–54, 61–65) and a birth date
// stands where it should
const ID_CARD_15 = /(?<!\d)(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5])\d{4}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d|[Xx])/g;
const DIGITS_15 = /\d{15}/;
const MOBILE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g;
// a mobile number written 4-3-4 (1381 234 5678), as some read it out: the groups separated, no digit next to them
// even across a separator
const GROUPS_434 = /\d{4}[- ]\d{3}[- ]\d{4}/;
const MOBILE_434 = /(?<!\d)(?<!\d[- ])(?:\+?86[- ]?)?1[3-9]\d{2}[- ]\d{3}[- ]\d{4}(?!\d)(?![- ]\d)/g;
// an area code (010, 02x, 0xxx) in brackets and a space or dash inside the local number too: （0512）65231234,
// 0512-6523 1234; a local number starts with 2–8, so groups of digits such as 时间 0900 1200 1300 are no number
const AREA = '0(?:10|2\\d|[3-9]\\d{2})';
const LANDLINE = new RegExp(`(?<!\\d)(?:[(（]${AREA}[)）]|${AREA})[- ]?[2-8]\\d{2,3}[- ]?\\d{4}(?!\\d)`, 'g');
// a local number without its area code (Suzhou's are 8 digits) only after a word that says it is one: 7–8 digits
// alone are as often amounts, order numbers or dates; nor after a letter (护照号码 E12345678 is a passport's)
const LOCAL = /(电话|手机|座机|号码|联系|致电|回电|打|拨)([^\d\n]{0,4}?)(?<![\dA-Za-z])(\d{3,4}[- ]?\d{4})(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// a WeChat or QQ id after the word, a colon, 是 or 为 (微信号是zhang_san88, QQ是 987654321); digits not an amount
const WECHAT = /(微信号?|QQ号?|qq号?)((?:是|为)?[:： ]{0,2})([A-Za-z][-_A-Za-z0-9]{5,19}|\d{5,11}(?!\d|\s*[元块万角分]))(?![-_A-Za-z0-9])/g;
// a vehicle's plate (苏E·E5K9P, 苏A12345, 沪AD12345 for a new-energy one, typed in lower case or full-width too, and
// 苏 E12345, 苏E・12345): it names its owner as a phone number does. Its serial holds at least two digits, so that
// words after a province's character (新iPhone, 新MacBook, 云Server) are no plate
const PLATE = /([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]) ?([A-Za-z])[·•・‧.\s-]?(?=(?:[A-Za-z]*\d){2})[A-Za-z0-9]{5,6}(?![A-Za-z0-9])/g;
// a bank card not named as one: 16–19 digits, in a row or in groups of four (6222 0212 3456 7890), beginning as cards do
// (3–6) and passing the card number's check digit (Luhn); a tracking, invoice or licence number, a time stamp or a
// list of times stays. The last four stay, as a bank prints them
const CARD = /(?<![\dA-Za-z*])(?:[3-6]\d{15,18}|[3-6]\d{3}(?:[- ]\d{4}){3}(?:[- ]\d{1,3})?)(?!\d)/g;
// a number named as a card, passport, pass or account (护照号E12345678, 卡号 6222 0212 3456 7890), not an amount
// (账户：120000元): a card's or account's digits keep their last four (****7890), others their first character and
// last two
const NAMED_NUMBER =
	/(护照|通行证|签证|驾驶证|行驶证|社保卡|医保卡|银行卡|卡号|账号|帐号|账户|帐户)(号码|号)?([:：\s]{0,2}|是|为)(\d{4}(?:[- ]\d{4}){2,4}(?:[- ]\d{1,3})?|[A-Za-z0-9]{6,20})(?![A-Za-z0-9]|[- ]\d|\s*[元块万角分])/g;
// a name given with 叫, 叫做 or 名字是 (我的名字叫刘德华, 我的名字是陈静, 我老公叫张学友, 我女儿叫王思思在…读书:
// GOES_ON or 在), besides 我叫, 本人, 联系人 and 姓名 (SELF_NAME); not 叫 as a verb (孩子叫喊到半夜, 孩子叫声很大, 妈妈叫我回家, 儿子叫救护车, 妈妈叫王阿姨来: four
// characters only with a compound surname)
// the words for a contact detail that follow a name (联系人王芳电话…) or stand in its place (联系人电话：…)
const FIELD_WORDS = '电话|手机|座机|号码|地址|住址|方式|信息|单位|身份|邮箱|电邮|微信|不详';
// what goes on after a name given with 叫 without a mark (我叫王小明今年35岁, 我叫王芳住在…, 我叫李娜是业主): there
// only a name that begins with a surname and is no word for a person (叫房东是想…, 叫管理员住…: NAMED_GOES_ON)
const GOES_ON = '今年|现年|年龄|住在|家住|家在|是|来自|户籍|目前|现在|想|要|反映|投诉|咨询|举报|求助';
const ENDED = new RegExp(`^(?:\\P{Script=Han}|先生|女士|${FIELD_WORDS}|$)`, 'u');
// others a caller names with 叫 (老板叫张大伟, 房东叫陈德明, 楼上的人叫沈志刚, 我姓李，叫李大海): only what begins with a surname, as 叫
// after them is as often a verb (邻居叫物业来看, 房东叫周末再来); people of a place (当地人叫, 苏州人叫) name a place
const OTHER_PEOPLE = '邻居|房东|房客|租户|租客|老板娘|老板|经理|负责人|包工头|工头|对方|同事|朋友|室友|(?<![地州城乡里])人|我姓\\p{Script=Han}{1,2}[，, ]?';
const OTHER_LEAD = new RegExp(`^(?:${OTHER_PEOPLE})叫`, 'u');
// one named as a person is, 有个叫王建的人, 一个叫李娜的女的: the name ends before 的 and a word for a person (a
// place, a shop or a firm is named so too: 有个叫金鸡湖的地方, 一个叫万达的商场)
const ONE_CALLED =
	/((?:个|位)叫)(\p{Script=Han}{2,4}?)(?=的(?:人|男|女|老人|老头|老太|老汉|老师|老板|小孩|小伙|小姑娘|小朋友|孩子|学生|同学|师傅|司机|保安|工人|业主|住户|租客|房东|邻居|朋友|同事|先生|阿姨|大爷|大妈|大姐|大哥|家伙|医生|护士|工作人员|员工|经理|网友|\P{Script=Han}|$))/gu;
// what has a name that is no person's (小区名字是金鸡湖, 店的名字叫黄记, 公司名字是华为)
const THINGS_NAMED =
	'小区|楼盘|店|商场|超市|饭店|餐馆|酒店|宾馆|公司|单位|学校|医院|景区|公园|路|街|村|社区|平台|软件|APP|app|网站|公众号|群|品牌|牌子|产品|车|狗|猫';
const CALLED = new RegExp(
	`((?<!(?:${THINGS_NAMED})的?)名字(?:叫做?|是)|(?:老公|老婆|丈夫|妻子|爱人|儿子|女儿|孩子|父亲|母亲|爸爸|妈妈|爷爷|奶奶)(?:名字)?叫做?|(?:${OTHER_PEOPLE})叫做?)(?![声喊嚷唤醒救来去过了着起出回上下开车人我你他她它们的不外门])(\\p{Script=Han}{2,4}?)(?=\\P{Script=Han}|先生|女士|${FIELD_WORDS}|${GOES_ON}|在|$)`,
	'gu'
);
// the shortest name that ends before a mark, a number, 先生/女士 or a contact detail's word (联系人：王芳电话…), or
// after 我叫 before GOES_ON
const SELF_NAME = new RegExp(`(我叫|我是|本人|联系人[:：]?|姓名[:：]?)(\\p{Script=Han}{2,4}?)(?=\\P{Script=Han}|先生|女士|${FIELD_WORDS}|${GOES_ON}|$)`, 'gu');
// a name after a word that marks the caller, before a mark or a word saying what they said or did (来电人王小明反映,
// 诉求人：李娜，, 投诉人张伟说): only one that begins with a surname, is no role (ROLE_WORDS) and none of the words
// such a sentence goes on with instead (来电人于今日反映, 曾多次, 向我们, 周末来电, 强烈要求: NOT_NAME_WORDS, words
// that begin with a surname's character, not after 我叫 … either). Without
// such a word (王小明说…, 市民普遍反映) a word before 说 or 反映 is as often no name and stays
const CALLER_WORDS = '来电人|来电者|来电市民|诉求人|反映人|投诉人|举报人|求助人|报警人|申请人';
const SAYS = '反映|称|说|表示|来电|投诉|咨询|举报|诉求|求助|要求|请求|希望|询问|致电|申请|报警';
const CALLER_NAME = new RegExp(`(${CALLER_WORDS})([:：]\\s*)?(\\p{Script=Han}{2,4}?)(?=\\P{Script=Han}|先生|女士|${FIELD_WORDS}|${SAYS}|$)`, 'gu');
// a name before the caller's word in brackets (王小明（来电人）反映…, 李娜(诉求人)称): of the Han characters before the
// bracket, the name is their end that begins with a surname: four characters with a compound surname, else three,
// else two (市民王小明 → 王小明, 今天李明 → 李明)
const CALLER_AFTER = new RegExp(`(\\p{Script=Han}{2,4})(?=[（(](?:${CALLER_WORDS})[)）])`, 'gu');
// the end of a caller's word in brackets: a text without one is passed over at once (CALLER_AFTER would look at
// every Han character; the look through a store analysed before this rule reads only such texts: ticket-analysis.ts)
export const CALLER_BRACKET = /[人者民][)）]/;
const NOT_NAME_WORDS = new Set(
	(
		'于今 于昨 于前 于本 于上 于近 于当 于同 于此 于该 曾多 曾经 曾于 曾在 曾向 曾先 曾两 曾三 曾几 曾一 ' +
		'向我 向本 向你 向他 向她 向有 向相 向物 向社 向街 向市 向区 向该 向政 向热 周末 周一 周二 周三 周四 周五 周六 ' +
		'周日 周边 周围 周内 常年 常常 常住 常在 和其 和家 和邻 和他 和她 连续 连日 连夜 连着 时常 时时 明确 明天 明显 ' +
		'白天 平时 平常 平日 普遍 强烈 强调 强行 方面 游客 来电 来信 来访 来人 来我 陆续 齐声 万分 全家 全体 全部 全力 ' +
		'高度 居住 都说 都反 都称 都表 马上 向来 方才'
	).split(' ')
);
// what begins no name: people and places named so, and whom a caller calls with 叫 as a verb (我叫物业，我叫救护车。
// 我叫他们，我叫不出来)
const CALLED_WORDS = '[他她它你我不没过]|物业|保安|邻居|警察|民警|救护|外卖|快递|城管|社区|街道|消防|医生|护士|家人|老公|老婆|孩子|朋友|同事|工人|维修|电工|开锁|出租|网约|领导|经理|老板|中介|客服|记者|律师|老师|银行';
const NOT_NAME_START = new RegExp(`^(?:市民|居民|业主|租户|住户|家长|学生|老人|一名|一个|这里|那里|附近|本地|外地|苏州|该|此|了|${CALLED_WORDS}|${FIELD_WORDS})`);
// after 我是 and 本人 the caller as often says who they are or what they do (我是房东, 我是快递员, 本人已退休) as their
// name: there a name begins with a surname, and is none of the words for people that begin with one's character
// (房东, 司机, 车主 …) nor one of people from a place (安徽人)
const ROLE_WORDS = new Set(
	(
		'房东 房主 房客 司机 车主 商户 商家 党员 农民 农民工 门卫 管理员 公务员 华侨 高中生 初中生 包工头 单亲 军属 军嫂 孤儿 常客 老师 师傅 成年人 明星 石匠 木匠 教练 宁波人 全职 ' +
		// relatives and occupations that begin with a surname's character (来电人母亲反映, 来电人程序员，)
		'母亲 母女 母子 公公 公婆 孙子 孙女 岳父 岳母 程序员 管家 车队'
	).split(' ')
);
// after 我是 and 本人 a name ends the phrase (我是王芳，…; 本人李娜：…), not a place's name going on with its number
// (我是玉兰湾15幢的业主)
const AFTER_SELF = new RegExp(`^(?:[，。,.；;、！!？?：:（(\\s]|${FIELD_WORDS}|$)`);
// after 我是 and 本人 a name also runs on into where they live, their age or what they report (本人王小明反映…, 我是李娜
// 住在…): there too only one that begins with a surname and is no role or word of the sentence (namedGoesOn)
const SELF_GOES_ON = /^(?:今年|现年|年龄|住在|家住|家在|户籍|反映|投诉|举报|咨询|求助)/;
/**
 * Whether what follows 我叫, 我是, 本人 … (`lead`) is a name, `rest` the text after it: four characters only with a
 * compound surname.
 */
function givenAsName(lead: string, name: string, rest: string): boolean {
	if (NOT_NAME_START.test(name) || ROLE_WORDS.has(name) || ([...name].length === 3 && BODY_END.test([...name][2]))) return false;
	const chars = [...name];
	const compound = COMPOUND_SURNAMES.has(chars.slice(0, 2).join(''));
	if (chars.length === 4 && !compound) return false;
	if (!ENDED.test(rest)) return (lead.endsWith('叫') || ((lead === '我是' || lead === '本人') && SELF_GOES_ON.test(rest))) && namedGoesOn(name);
	if (chars.length === 4) return true;
	if (lead !== '我是' && lead !== '本人') return true;
	if (!AFTER_SELF.test(rest) && !/^(?:先生|女士)/.test(rest)) return false;
	return (compound || SURNAMES.has(chars[0])) && !ROLE_WORDS.has(name) && !NOT_NAME_WORDS.has(chars.slice(0, 2).join('')) && !(chars.length === 3 && chars[2] === '人');
}

// a surname's character with one of place after it is a place, not a name (我叫楼下住户…, 楼上住在302的); three
// characters ending as an office, a body or a place does are one (管理处, 车管所, 居委会, 施工队, 高铁站)
const PLACE_AFTER = /^[上下里内外边]$/;
const BODY_END = /^[处所局站队会部厂店校委办室馆场]$/;
// a word of saying at the start (申请人申请，: 申请 is no name), and the words of a sentence going on inside (来电人车被偷，
// 钱被骗了: no given name holds 被, 了, 着, 过, 把 or 给)
const SAYS_START = new RegExp(`^(?:${SAYS})`);
const FUNCTION_WORD = /[被了着过把给]/;
// an occupation ends so (修理工, 钟点工, 花匠, 花农): a given name hardly does
const OCCUPATION_END = /^[工匠农]$/;
/**
 * Whether `name`, given with 叫 and followed by more of the sentence without a mark (GOES_ON), is a name: it begins
 * with a surname and is no word for a person (房东, 司机, 管理员: ROLE_WORDS).
 */
function namedGoesOn(name: string): boolean {
	const chars = [...name];
	return (
		(COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) || SURNAMES.has(chars[0])) &&
		!ROLE_WORDS.has(name) &&
		!NOT_NAME_WORDS.has(chars.slice(0, 2).join('')) &&
		!SAYS_START.test(name) &&
		!FUNCTION_WORD.test(chars.slice(1).join('')) &&
		!OCCUPATION_END.test(chars[chars.length - 1]) &&
		!PLACE_AFTER.test(chars[1]) &&
		!(chars.length === 3 && BODY_END.test(chars[2]))
	);
}

/**
 * The name that ends `run` (Han characters before a word marking the caller), or null: four characters with a
 * compound surname, else three, else two, each beginning with a surname and passing namedGoesOn.
 */
function nameAtEnd(run: string): string | null {
	const chars = [...run];
	for (const k of [4, 3, 2]) {
		if (chars.length < k) continue;
		const name = chars.slice(-k).join('');
		const compound = COMPOUND_SURNAMES.has(chars.slice(-k, 2 - k || undefined).join(''));
		if (k === 4 && !compound) continue;
		if (!NOT_NAME_START.test(name) && !PLACE_END.test(name) && (compound || SURNAMES.has(chars[chars.length - k])) && namedGoesOn(name)) return name;
	}
	return null;
}

/** An ID card number for display: its first 3 digits and its check character, the rest `*` (320**************X). */
function maskIdCard(id: string): string {
	return `${id.slice(0, 3)}${'*'.repeat(id.length - 4)}${id.slice(-1).toUpperCase()}`;
}

/** A 15-digit ID card number for display: its first 3 digits, the rest `*` (its last digit is the sequence's, with the sex). */
function maskIdCard15(id: string): string {
	return `${id.slice(0, 3)}${'*'.repeat(id.length - 3)}`;
}

// the dashes a Chinese input method types (—, –, ‐, −) read as '-' between a number's groups (0512—65231234)
const DASHES = /[\u2010-\u2015\u2212]/g;
const HAS_NUMBER_OR_LATIN = /[0-9A-Za-z]/;
// numbers written in Chinese numerals (一三九一二三四五六七八, 幺 for 1 as a number is read out): a run of seven or more
// is read as digits (one character for one, so the offsets stay); shorter runs are words (三五成群, 第一二三期), and
// so is one next to digits (李四13800000000 is a name and a number)
const HAN_DIGITS = '〇一二三四五六七八九';
const HAN_DIGIT_RUN = /(?<!\d)[〇零一二三四五六七八九幺]{7,}(?!\d)/g;
const HAN_DIGITS_7 = /[〇零一二三四五六七八九幺]{7}/;
function foldHanDigits(s: string): string {
	// most texts have no such run: a plain look first (the lookbehind costs at every character)
	if (!HAN_DIGITS_7.test(s)) return s;
	return s.replace(HAN_DIGIT_RUN, (run) =>
		run.replace(/[〇零一二三四五六七八九幺]/g, (c) => (c === '零' ? '0' : c === '幺' ? '1' : String(HAN_DIGITS.indexOf(c))))
	);
}

/** Whether a card number's check digit is right (Luhn). */
function luhn(digits: string): boolean {
	let sum = 0;
	for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
		let d = digits.charCodeAt(i) - 48;
		if (double && (d *= 2) > 9) d -= 9;
		sum += d;
	}
	return sum % 10 === 0;
}

/** Replaces each match of `re` in `folded` (the same length as `text`) by `mask(match)`, in `text`. */
function maskMatches(text: string, folded: string, re: RegExp, mask: (m: RegExpExecArray) => string): [string, string] {
	let out = '';
	let outFolded = '';
	let last = 0;
	for (const m of folded.matchAll(re)) {
		const masked = mask(m);
		out += text.slice(last, m.index) + masked;
		outFolded += folded.slice(last, m.index) + masked;
		last = m.index + m[0].length;
	}
	return [out + text.slice(last), outFolded + folded.slice(last)];
}

/**
 * An e-mail address for display: the first character of the local part and the domain stay
 * (zhangsan@example.com → z***@example.com); text without a local part and an @ → `***`.
 */
export function maskEmail(email: string): string {
	const at = email.lastIndexOf('@');
	return at > 0 ? `${[...email][0]}***${email.slice(at)}` : '***';
}

/**
 * The known personal names in a text masked wherever they occur (maskName: 李建国 → 李**). Names of one character,
 * placeholders (匿名, 市民 …) and a surname with a polite form (王女士), which maskName keeps, are left as they are.
 * The given name alone is masked too where it has two characters or more and stands as a name (欧阳娜娜 → 欧阳**, and
 * 娜娜说… → **说…: family and neighbours call people so; not 建国路, 国庆期间: givenAlone); one of one character (张三's
 * 三) would mask ordinary words and stays. `given: false` masks the full name only (an address); `full: false` the
 * given name only.
 */
export function maskNames(text: string, names: readonly (string | null | undefined)[], opts: { given?: boolean; full?: boolean } = {}): string {
	if (!text) return text;
	let t = text;
	for (const raw of names) {
		const name = raw?.trim();
		if (!name || [...name].length < 2) continue;
		const masked = maskName(name);
		if (masked === name) continue;
		if (opts.full !== false && t.includes(name)) t = t.split(name).join(masked);
		const given = opts.given === false ? null : givenName(name);
		if (given && [...given].length >= 2 && t.includes(given)) t = t.replace(givenAlone(given), '*'.repeat([...given].length));
	}
	return t;
}

/**
 * Where a given name stands alone as a name: followed by no Han character, or by one that goes on as a person does
 * (娜娜说, 娜娜的, 娜娜她, 娜娜家, 娜娜在 …) — not where it begins a longer word, as many given names are words and
 * places too (建国路, 国庆期间, 和平小区).
 */
const AFTER_NAME = '说讲的她他家在是打跟和称也还又都就要让叫给对被把向告来去问们';
const givenAlone = (given: string) => new RegExp(`${given.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[^\\p{Script=Han}]|[${AFTER_NAME}])`, 'gu');

export interface TicketTexts<T extends string | null = string> {
	title: T;
	content: T;
	address: T;
}

/**
 * A ticket's texts as the analytics store keeps them: the caller's own name and number masked (no personal data
 * there: 请回拨65123456 → 请回拨****3456); a text that is null stays null. null when nothing changes.
 */
export function ticketTextsForAnalytics<T extends string | null>(
	t: TicketTexts<T>,
	callerName: string | null | undefined,
	callerPhone: string | null | undefined = null
): TicketTexts<T> | null {
	if (!callerName && !callerPhone) return null;
	const phone = knownPhoneMasker([callerPhone]);
	// an address names a place, not the caller: a given name there is a road's or a compound's (建国路, 和平小区)
	const mask = (v: T, given = true): T => (v === null ? v : (phone(callerName ? maskNames(v, [callerName], { given }) : v) as T));
	const masked = { title: mask(t.title), content: mask(t.content), address: mask(t.address, false) };
	return masked.title === t.title && masked.content === t.content && masked.address === t.address ? null : masked;
}

/**
 * The digit strings a known phone number may be written as in a text: as given, canonical (normalizePhone), and a
 * landline's local number without its area code (0512-65123456 → 65123456, as a caller says it); 7 digits at least.
 */
function phoneForms(phone: string): string[] {
	const out: string[] = [];
	const add = (d: string) => d.length >= 7 && !out.includes(d) && out.push(d);
	add((/[\uFF10-\uFF19]/.test(phone) ? toHalfWidth(phone) : phone).replace(/\D/g, ''));
	const c = normalizePhone(phone);
	if (c) {
		add(c);
		if (c.startsWith('0')) add(c.slice(areaCodeLength(c)));
	}
	return out;
}

/**
 * A pattern for a known number's digits, a dash or space allowed between any two, not inside a longer number; with
 * the country code before it (+86, 0086, 86) when it is written so.
 */
function knownNumber(digits: string): RegExp {
	return new RegExp(`(?<!\\d)(?:(?:\\+|00)?86[- ]?)?${[...digits].join('[- ]?')}(?!\\d)`, 'g');
}

const FULL_WIDTH_DIGITS = '０１２３４５６７８９';

/**
 * Masks the known phone numbers (phoneForms, also full-width, with dashes or a country code) wherever a text writes
 * them; the forms are worked out once, for all the texts of a record. Identity when no number is known.
 */
export function knownPhoneMasker(phones: readonly (string | null | undefined)[]): (text: string) => string {
	const forms: string[] = [];
	for (const p of phones) if (p) for (const d of phoneForms(p)) if (!forms.includes(d)) forms.push(d);
	if (!forms.length) return (text) => text;
	// a number is written with its last four digits together (138 1234 5678, 6512-3456): a text without them, in
	// either width, is left at once
	const tails: string[] = [];
	for (const d of forms) tails.push(d.slice(-4), d.slice(-4).replace(/\d/g, (x) => FULL_WIDTH_DIGITS[+x]));
	return (text) => {
		if (!text || !tails.some((x) => text.includes(x))) return text;
		let t = text;
		let f = toHalfWidth(t);
		// most texts do not hold the number: looked for without its separators before a pattern is built (the feeds
		// call this for every record)
		const compact = f.replace(/[- ]/g, '');
		for (const digits of forms) if (compact.includes(digits)) [t, f] = maskMatches(t, f, knownNumber(digits), (m) => maskPhone(m[0]));
		return t;
	};
}

/** The known names (maskNames) and phone numbers (knownPhoneMasker) masked wherever they occur. */
export function maskKnown(text: string, names: readonly (string | null | undefined)[], phones: readonly (string | null | undefined)[] = []): string {
	if (!text) return text;
	const t = names.length ? maskNames(text, names) : text;
	return phones.some(Boolean) ? knownPhoneMasker(phones)(t) : t;
}

/**
 * Personal data in a text masked for display; `names`: personal names known to belong in it (the caller's);
 * `phones`: phone numbers known to (the caller's), masked wherever they occur, with or without a word saying what
 * they are (请回拨65123456).
 */
export function maskPersonal(text: string, names: readonly (string | null | undefined)[] = [], phones: readonly (string | null | undefined)[] = []): string {
	if (!text) return text;
	let t = maskKnown(text, names, phones);
	let f = foldHanDigits(toHalfWidth(t).replace(DASHES, '-'));
	// every number, address, id and plate below holds a digit or a Latin letter (in f, full-width and Chinese numerals
	// read as such): a text without one is passed over at once (most texts of the analysis, which masks every ticket)
	if (HAS_NUMBER_OR_LATIN.test(f)) {
		[t, f] = maskMatches(t, f, EMAIL, (m) => maskEmail(m[0]));
		[t, f] = maskMatches(t, f, ID_CARD, (m) => maskIdCard(m[0]));
		[t, f] = maskMatches(t, f, ID_CARD_GROUPED, (m) => {
			const id = m[0].replace(/[- ]/g, '');
			return ID_CARD_WHOLE.test(id) ? maskIdCard(id) : m[0];
		});
		// (a plain look first: a pattern that begins with a lookbehind is tried at every character)
		if (DIGITS_15.test(f)) [t, f] = maskMatches(t, f, ID_CARD_15, (m) => maskIdCard15(m[0]));
		[t, f] = maskMatches(t, f, MOBILE, (m) => maskPhone(m[0]));
		if (GROUPS_434.test(f)) [t, f] = maskMatches(t, f, MOBILE_434, (m) => maskPhone(m[0]));
		[t, f] = maskMatches(t, f, LANDLINE, (m) => maskPhone(m[0]));
		[t, f] = maskMatches(t, f, LOCAL, (m) => `${m[1]}${m[2]}${m[3].replace(/[- ]/g, '').slice(0, 2)}****${m[3].slice(-2)}`);
		[t, f] = maskMatches(t, f, WECHAT, (m) => `${m[1]}${m[2]}${m[3].slice(0, 2)}****`);
		[t, f] = maskMatches(t, f, PLATE, (m) => `${m[1]}${m[2].toUpperCase()}·*****`);
		[t, f] = maskMatches(t, f, CARD, (m) => (luhn(m[0].replace(/\D/g, '')) ? `****${m[0].replace(/\D/g, '').slice(-4)}` : m[0]));
		[t, f] = maskMatches(t, f, NAMED_NUMBER, (m) => {
			const digits = m[4].replace(/[- ]/g, '');
			const masked = /^\d{12,}$/.test(digits) ? `****${digits.slice(-4)}` : `${m[4][0]}${'*'.repeat(m[4].length - 3)}${m[4].slice(-2)}`;
			return `${m[1]}${m[2] ?? ''}${m[3]}${masked}`;
		});
	}
	// a name found so is masked wherever else the text writes it (我叫王小明，…王小明说, 小明的妈妈): maskNames
	const found: string[] = [];
	const named = (name: string) => (found.push(name), maskName(name));
	t = t
		.replace(SELF_NAME, (m, lead: string, name: string, at: number, all: string) =>
			givenAsName(lead, name, all.slice(at + m.length)) ? lead + named(name) : m
		)
		.replace(CALLER_NAME, (m, lead: string, colon: string | undefined, name: string) =>
			!NOT_NAME_START.test(name) && ([...name].length < 4 || COMPOUND_SURNAMES.has(name.slice(0, 2))) && namedGoesOn(name)
				? lead + (colon ?? '') + named(name)
				: m
		)
		.replace(ONE_CALLED, (m, lead: string, name: string) =>
			([...name].length < 4 || COMPOUND_SURNAMES.has(name.slice(0, 2))) && namedGoesOn(name) ? lead + named(name) : m
		)
		.replace(CALLED, (m, lead: string, name: string, at: number, all: string) =>
			([...name].length < 4 || COMPOUND_SURNAMES.has(name.slice(0, 2))) &&
			// after 名字是 as after 我是, only what begins with a surname (名字是假的 is none)
			((ENDED.test(all.slice(at + m.length)) && !lead.endsWith('是') && !OTHER_LEAD.test(lead)) || namedGoesOn(name))
				? lead + named(name)
				: m
		);
	if (CALLER_BRACKET.test(t))
		t = t.replace(CALLER_AFTER, (m: string) => {
			const name = nameAtEnd(m);
			return name ? m.slice(0, m.length - name.length) + named(name) : m;
		});
	return found.length ? maskFoundNames(t, found) : t;
}

// what follows a name where it begins a place's or a body's name (李明路, 张华桥, 王强小区, 林峰公司)
const PLACE_NAME_END = '[路街道巷弄桥村镇区湾苑园庄湖山河江塘浜泾港楼厦场店厂司局所站院校]|小区|新村|花园|广场|大厦|公寓|社区|集团|公司';

/** A place's or a body's name ends so (和平小区, 金鸡湖): no name. */
const PLACE_END = new RegExp(`(?:${PLACE_NAME_END})$`, 'u');

/**
 * The names the text gives (found by maskPersonal) masked wherever else it writes them, as maskNames does, but not
 * where one begins a place's or a body's name (来电人李明反映李明路… keeps the road's name): a name found in the
 * text is less sure than a ticket's caller, and a road is often named after a person.
 */
function maskFoundNames(text: string, names: readonly string[]): string {
	let t = text;
	for (const name of names) {
		const masked = maskName(name);
		if (masked === name) continue;
		if (t.includes(name)) t = t.replace(new RegExp(`${name}(?!${PLACE_NAME_END})`, 'gu'), masked);
		t = maskNames(t, [name], { full: false });
	}
	return t;
}
