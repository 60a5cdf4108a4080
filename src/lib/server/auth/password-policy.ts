// What a new password must be, in one place: the accounts' functions (createUser, setPassword, changeOwnPassword),
// 设置 › 用户, 我的账号, the API and the command line all ask passwordProblem. The rule follows the usual reading of
// GB/T 22239-2019 (等级保护 2.0: 口令应有复杂度要求) without making passphrases impossible: a length, two kinds of
// characters, not the account's own name, and not easily guessed (zxcvbn's estimate, below).
import { ZxcvbnFactory, type TranslationKeys } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

export const PASSWORD_LENGTH = { min: 8, max: 128 } as const;

/** The rule as the forms' hints say it. */
export const PASSWORD_RULE = `至少 ${PASSWORD_LENGTH.min} 位，含字母、数字、符号中的至少两种，不能包含用户名，不能是常用或容易猜中的密码`;

/**
 * How hard a password is to guess, by zxcvbn (@zxcvbn-ts/core, Dropbox's estimator): it finds the parts an attacker
 * tries first — leaked passwords (language-common's 49,000 and the Chinese ones below), keyboard walks (1qaz2wsx,
 * qwer1234), sequences and repeats (abcd, aaaa), years and dates, l33t spellings (p@ssw0rd), the account's own name —
 * and estimates the guesses the whole takes. A password an attacker would find within 10^8 guesses (score below 3) is
 * refused; 3 is zxcvbn's "safely unguessable" for an online attack and a slowly hashed store (argon2id here).
 */
const MIN_SCORE = 3;

/**
 * Passwords that lists of leaked Chinese accounts put at the top, which language-common lacks or ranks low
 * (woaini1314 and its kin, 5201314, qq123456), and words of this service that a staff member's password would be
 * built on. Matched as a dictionary of passwords (in lower case, with l33t spellings and reversed).
 */
const CHINESE_COMMON = [
	'woaini1314', 'woaini520', 'woaini', 'woainima', 'aini1314', '5201314', '1314520', '5211314', '520520', '1314',
	'5201314a', 'a5201314', 'qq123456', 'qq5201314', 'wodemima', 'mima123', 'zhang123', 'wang123', 'admin888', 'root1234',
	'suzhou', 'suzhou12345', 'sz12345', 'rexian', 'rexian12345', 'zhengwu', '12345rexian', 'hotline', 'hotline12345'
];

/** Chinese for zxcvbn's feedback keys (the library's own are English). */
const TRANSLATIONS: TranslationKeys = {
	// why, as the refusal says it: 这个密码容易被猜中（…）
	warnings: {
		straightRow: '含键盘上连成一排的按键',
		keyPattern: '含简短的键盘走位',
		simpleRepeat: '含重复的字符',
		extendedRepeat: '含重复的字符组合',
		sequences: '含 abc、123 这样的常见序列',
		recentYears: '含近年的年份',
		dates: '含日期',
		topTen: '是最常用的密码之一',
		topHundred: '是很常用的密码',
		common: '是常用密码',
		similarToCommon: '与常用密码相近',
		wordByItself: '只是一个常见词',
		namesByThemselves: '只是一个姓名',
		commonNames: '含常见姓名',
		userInputs: '含用户名',
		pwned: '已在网上泄露过'
	},
	suggestions: {
		l33t: '不要用 @ 代替 a 之类容易想到的替换',
		reverseWords: '不要把常用词倒着写',
		allUppercase: '只把部分字母大写',
		capitalization: '不只大写首字母',
		dates: '不要使用与自己有关的日期和年份',
		recentYears: '不要使用近年的年份',
		associatedYears: '不要使用与自己有关的年份',
		sequences: '不要使用常见的字符序列',
		repeated: '不要重复词语和字符',
		longerKeyboardPattern: '键盘走位要更长，并多次改变方向',
		anotherWord: '再加几个不常见的词',
		useWords: '用几个词组成，但不要用常见短语',
		noNeed: '不用符号、数字或大写字母，也能设出强密码',
		pwned: '如果在别处用过这个密码，请一并修改'
	},
	timeEstimation: {
		ltSecond: '不到一秒', second: '{base} 秒', seconds: '{base} 秒', minute: '{base} 分钟', minutes: '{base} 分钟', hour: '{base} 小时',
		hours: '{base} 小时', day: '{base} 天', days: '{base} 天', month: '{base} 个月', months: '{base} 个月', year: '{base} 年', years: '{base} 年',
		centuries: '数百年'
	}
};

/** Made on the first check (building the ranked dictionaries takes about 0.1 s), then kept. */
let estimator: ZxcvbnFactory | null = null;
function guessability(password: string, username: string) {
	estimator ??= new ZxcvbnFactory({
		dictionary: { ...common.dictionary, 'passwords-zh': CHINESE_COMMON },
		graphs: common.adjacencyGraphs,
		translations: TRANSLATIONS
	});
	return estimator.check(password, username.length >= 3 ? [username] : []);
}

/** The kinds of characters in `password`: letters (any script), digits, and everything else (symbols, spaces). */
function kinds(password: string): number {
	let letter = 0;
	let digit = 0;
	let other = 0;
	for (const c of password) {
		if (/\p{L}/u.test(c)) letter = 1;
		else if (/\p{Nd}/u.test(c)) digit = 1;
		else other = 1;
	}
	return letter + digit + other;
}

/**
 * Why a new password is refused, in Chinese for the user (the field is the password), or null when it is taken.
 * `username`: the account's name, which the password may not contain (case aside) when it has 3 or more characters.
 */
export function passwordProblem(password: string, username = ''): string | null {
	const n = [...password].length;
	if (!n) return '请填写密码';
	if (n < PASSWORD_LENGTH.min) return `密码至少 ${PASSWORD_LENGTH.min} 位（现有 ${n} 位）`;
	if (n > PASSWORD_LENGTH.max) return `密码不能超过 ${PASSWORD_LENGTH.max} 位`;
	if (kinds(password) < 2) return '密码须含字母、数字、符号中的至少两种';
	const lower = password.toLowerCase();
	if (username.length >= 3 && lower.includes(username.toLowerCase())) return '密码不能包含用户名';
	const g = guessability(password, username);
	if (g.score >= MIN_SCORE) return null;
	const why = g.feedback.warning;
	if (why === TRANSLATIONS.warnings.topTen || why === TRANSLATIONS.warnings.topHundred || why === TRANSLATIONS.warnings.common)
		return '这个密码过于常见，容易被猜中，请换一个';
	const hint = g.feedback.suggestions[0] ?? TRANSLATIONS.suggestions.anotherWord;
	return `这个密码容易被猜中${why ? `（${why}）` : ''}，请换一个：${hint}`;
}
