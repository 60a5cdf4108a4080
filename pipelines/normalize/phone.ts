// Chinese phone numbers → one canonical digits-only form (for the caller key, repeat detection and display
// masking), and display masks for phone numbers and personal names. Pure functions.
import { toHalfWidth } from './text';

/** Suzhou's long-distance area code, for `normalizePhone(s, SUZHOU_AREA_CODE)`. */
export const SUZHOU_AREA_CODE = '0512';

/** 11-digit mobile numbers: 13x–19x. */
const MOBILE = /^1[3-9]\d{9}$/;
/** Area code 010 or 02x (then 8 local digits), or 0[3-9]xx (then 7 or 8 local digits); local part not 0/1. */
const LANDLINE = /^(?:0(?:10|2\d)[2-9]\d{7}|0[3-9]\d{2}[2-9]\d{6,7})$/;
const LOCAL = /^[2-9]\d{6,7}$/;
const AREA_CODE = /^(?:0(?:10|2\d)|0[3-9]\d{2})$/;

/** An extension after the number: 转801, 分机 801, ext. 801, x801, #801 (any case). */
const EXTENSION = /\s*(?:转|分机|ext\.?|x|#)\s*\d{1,6}$/i;

/**
 * A phone number as written by a caller or a legacy export → its canonical digits, or null when it is not a
 * usable Chinese phone number.
 *
 * - Mobile: 11 digits `1[3-9]xxxxxxxxx` → `13812341234`. A country prefix `+86`, `0086`, `86` (only when 11 digits
 *   follow) and a leading trunk `0` (`013812341234`) are dropped.
 * - Landline with area code: `0512-65123456`, `(0512)65123456`, `0512 6512 3456`, `+86 512 65123456` →
 *   `051265123456` (area code kept, with its leading 0). Area codes: 010, 02x, 0[3-9]xx.
 * - A local landline number without area code (7 or 8 digits, not starting with 0 or 1): `65123456` →
 *   `051265123456` when `localAreaCode` is given (`'0512'` for Suzhou); null without it.
 * - Extensions after `-`, `转`, `ext`, `x`, `#` (`0512-65123456-801`, `0512-65123456转801`) are dropped: the
 *   canonical form names the line.
 * - Separators allowed anywhere: spaces, `-`, `.`, `/`, brackets `()（）[]`; full-width digits are read as digits;
 *   a `tel:` prefix is ignored.
 *
 * Null: anything with other letters or characters, more than one number, service numbers (110, 12345, 95xxx,
 * 400/800 numbers), wrong lengths, mobile prefixes 10–12, a bad `localAreaCode`.
 */
export function normalizePhone(input: unknown, localAreaCode?: string): string | null {
	if (typeof input === 'number') input = Number.isSafeInteger(input) && input > 0 ? String(input) : '';
	if (typeof input !== 'string') return null;
	let s = toHalfWidth(input).trim().toLowerCase();
	if (s === '' || s.length > 40) return null;
	s = s.replace(/^tel:/, '').replace(/^[(（]\s*(\+|00)(\d{1,3})\s*[)）]/, '$1$2 ');
	// An extension after 转 / 分机 / ext / x / #.
	s = s.replace(EXTENSION, '');
	const whole = canonical(s, localAreaCode);
	if (whole !== null) return whole;
	// An extension as a last dash-separated group (0512-65123456-801): only when the rest is a landline.
	const ext = /^(.*\d)\s*-\s*\d{1,5}$/.exec(s);
	if (ext) {
		const line = canonical(ext[1], localAreaCode);
		if (line !== null && !MOBILE.test(line)) return line;
	}
	return null;
}

function canonical(s: string, localAreaCode: string | undefined): string | null {
	if (!/^\+?[\d\s\-./()（）[\]\u2013\u2014]+$/.test(s)) return null;
	const plus = s.startsWith('+');
	let d = s.replace(/\D/g, '');

	// Country prefix.
	let international = false;
	if (plus) {
		if (!d.startsWith('86')) return null; // another country
		d = d.slice(2);
		international = true;
	} else if (d.startsWith('0086')) {
		d = d.slice(4);
		international = true;
	} else if (d.length === 13 && d.startsWith('86') && MOBILE.test(d.slice(2))) {
		d = d.slice(2);
	}
	if (international) {
		if (MOBILE.test(d)) return d;
		d = d.startsWith('0') ? d : `0${d}`;
		return LANDLINE.test(d) ? d : null;
	}

	if (MOBILE.test(d)) return d;
	if (d.length === 12 && d.startsWith('0') && MOBILE.test(d.slice(1))) return d.slice(1);
	if (LANDLINE.test(d)) return d;
	if (LOCAL.test(d) && localAreaCode !== undefined && AREA_CODE.test(localAreaCode)) {
		const full = localAreaCode + d;
		return LANDLINE.test(full) ? full : null;
	}
	return null;
}

/**
 * The number to dial back (a `tel:` link on a handling screen: a softphone or the seat's telephone system dials
 * it): the canonical number (a local landline with `localAreaCode`), or, for a number registration keeps without a
 * key (another country's, a 400/800 line), its digits with a leading `+` kept; null when nothing dialable is left.
 * An extension (转801, -801) is not dialed: the page shows the number as written beside it.
 */
export function dialNumber(input: string | null | undefined, localAreaCode?: string): string | null {
	if (input == null) return null;
	const c = normalizePhone(input, localAreaCode);
	if (c !== null) return c;
	const s = toHalfWidth(String(input)).trim().replace(/^tel:/i, '').replace(EXTENSION, '');
	if (!/^\+?[\d\s\-./()（）]+$/.test(s)) return null;
	const digits = s.replace(/\D/g, '');
	if (s.startsWith('+') || digits.startsWith('00')) return digits.length >= 9 && digits.length <= 17 ? `+${digits.replace(/^00/, '')}` : null;
	return /^[48]00\d{7}$/.test(digits) ? digits : null;
}

/** Whether a canonical number (from `normalizePhone`) is a mobile number. */
export function isMobile(canonical: string): boolean {
	return MOBILE.test(canonical);
}

/** Digits of the area code of a canonical landline: 3 for 010 and 02x, else 4. */
export function areaCodeLength(canonical: string): number {
	return /^0(?:10|2\d)/.test(canonical) ? 3 : 4;
}

/**
 * A phone number for display with its middle hidden:
 * - mobile → `138****1234`;
 * - landline → area code, `****`, last 4: `0512****3456`;
 * - a local number without its area code (8 characters or fewer, 65123456) → `****` and its last 4: the first 3 and
 *   the last 4 would leave 7 of its 8 digits;
 * - anything longer → first 3, `****`, last 4 (of the text as given, white space removed); text of 4 characters or
 *   fewer → `****`; empty → ''.
 * The input may be raw or canonical; it is normalised first (without a local area code).
 */
export function maskPhone(input: string | null | undefined): string {
	if (input == null) return '';
	const raw = toHalfWidth(String(input)).replace(/\s+/g, '');
	if (raw === '') return '';
	const c = normalizePhone(raw);
	if (c !== null && MOBILE.test(c)) return `${c.slice(0, 3)}****${c.slice(7)}`;
	if (c !== null) return `${c.slice(0, areaCodeLength(c))}****${c.slice(-4)}`;
	const chars = [...raw];
	if (chars.length <= 4) return '****';
	if (chars.length <= 8) return `****${chars.slice(-4).join('')}`;
	return `${chars.slice(0, 3).join('')}****${chars.slice(-4).join('')}`;
}

/** Common single-character surnames (百家姓, most frequent first) and compound surnames. */
export const SURNAMES = new Set([
	...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由'
]);
/** Two-character surnames (复姓), so that 欧阳娜娜 masks as 欧阳** and not 欧***. */
export const COMPOUND_SURNAMES = new Set(
	(
		'欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 闾丘 端木 西门 南宫 独孤 申屠 ' +
		'万俟 澹台 公冶 太史 赫连 呼延 完颜 拓跋 百里 东郭 濮阳 淳于 单于 左丘 谷梁 梁丘 羊舌 微生 公羊 公良 乐正 漆雕 ' +
		'壤驷 仲孙 叔孙 巫马 颛孙 段干 司空 司寇 亓官 鲜于 宗政 公西 东门 第五'
	).split(' ')
);
/** Polite forms and titles after a surname that already hide the person: 张先生, 王女士, 李医生. */
const TITLES = /^(?:先生|女士|小姐|老师|师傅|师父|阿姨|大爷|大妈|同志|老板|经理|总|律师|医生|护士|主任|书记|科长|所长|站长|局长|院长|校长|队长|警官)$/;
/** Placeholders that are not names. */
const NOT_NAMES = new Set([
	'匿名', '无名', '未知', '不详', '无', '未提供', '市民', '群众', '来电人', '网友', '业主', '居民', '住户', '租户', '村民', '用户', '客户',
	'顾客', '患者', '家长', '学生', '职工', '员工', '先生', '女士', '小姐', '老师', '师傅', '同志', '老人', '热心市民'
]);

/**
 * A personal name for display: the surname stays, every other character becomes `*`:
 * 张三 → 张*, 张小明 → 张**, 欧阳娜娜 → 欧阳** (two-character surnames are recognised from a list),
 * 欧阳 (a compound surname alone) → 欧*. A surname followed by a polite form stays as it is (张先生, 王女士);
 * placeholders (匿名, 未知 …) stay as they are. Other scripts keep the first character: John Smith → J*** *****
 * (spaces kept). Empty or null → ''.
 */
/**
 * The given name of a Chinese personal name (欧阳娜娜 → 娜娜, 张小明 → 小明, 张三 → 三), as maskName tells the surname
 * from it; null for a placeholder, a surname with a polite form (王女士), a name of one character or in another script.
 */
export function givenName(input: string | null | undefined): string | null {
	const name = String(input ?? '').trim();
	if (!name || NOT_NAMES.has(name) || !/^\p{Script=Han}+$/u.test(name)) return null;
	const chars = [...name];
	if (chars.length < 2) return null;
	const keep = chars.length >= 3 && COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) ? 2 : 1;
	const given = chars.slice(keep).join('');
	return TITLES.test(given) ? null : given;
}

export function maskName(input: string | null | undefined): string {
	if (input == null) return '';
	const name = String(input).trim();
	if (name === '') return '';
	if (NOT_NAMES.has(name)) return name;
	const chars = [...name];
	const han = /^\p{Script=Han}+$/u.test(name);
	if (han) {
		if (chars.length === 1) return '*';
		const keep = chars.length >= 3 && COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) ? 2 : 1;
		if (TITLES.test(chars.slice(keep).join(''))) return name;
		return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
	}
	return chars[0] + chars.slice(1).map((c) => (/\s/.test(c) ? c : '*')).join('');
}
