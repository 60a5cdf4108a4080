// What a new password must be, in one place: the accounts' functions (createUser, setPassword, changeOwnPassword),
// 设置 › 用户, 我的账号, the API and the command line all ask passwordProblem. The rule follows the usual reading of
// GB/T 22239-2019 (等级保护 2.0: 口令应有复杂度要求) without making passphrases impossible: a length, two kinds of
// characters, not the account's own name, not one of the passwords tried first by anyone guessing.

export const PASSWORD_LENGTH = { min: 8, max: 128 } as const;

/** The rule as the forms' hints say it. */
export const PASSWORD_RULE = `至少 ${PASSWORD_LENGTH.min} 位，含字母、数字、符号中的至少两种，不能包含用户名`;

/**
 * Passwords of eight characters or more, with two kinds of characters, that lists of leaked passwords put at the top
 * (the Chinese ones included: woaini1314, 5201314a, qq123456, and keyboard walks such as 1qaz2wsx); compared in lower
 * case. A password that only adds to one of them (admin1234!) is not refused: this is no dictionary check.
 */
const COMMON = new Set([
	'password1',
	'password12',
	'password123',
	'password!',
	'passw0rd',
	'p@ssw0rd',
	'p@ssword',
	'qwerty123',
	'qwerty12',
	'qwe123456',
	'1qaz2wsx',
	'1q2w3e4r',
	'1q2w3e4r5t',
	'zaq12wsx',
	'qaz123456',
	'abc12345',
	'abc123456',
	'abcd1234',
	'abcd12345',
	'a1234567',
	'a12345678',
	'a123456789',
	'12345678a',
	'123456789a',
	'aa123456',
	'aa12345678',
	'asd12345',
	'asdf1234',
	'admin123',
	'admin1234',
	'admin@123',
	'admin888',
	'root1234',
	'test1234',
	'welcome1',
	'iloveyou1',
	'qq123456',
	'woaini1314',
	'woaini520',
	'5201314a',
	'a5201314',
	'12345qwert',
	'123qweasd',
	'123456abc',
	'1234abcd'
]);

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
	if (COMMON.has(lower)) return '这个密码过于常见，容易被猜中，请换一个';
	return null;
}
