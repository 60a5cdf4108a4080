// The one rule for a feed's source name, for every way one comes in: `ingest --source`, a drop-folder subfolder
// `inbox/<source>/`, `POST /api/v1/ingest/file?source=`, and an API token's source (`token create --source`), which
// names what its pushes and Open311 requests (`open311:<source>`) store. The source is half of the key
// (source, external id) of stored records, so a name loaded from files must be one a token can have too, for pushes
// to go on with the same keys; the rule is the one file ingest has applied since stores hold such keys (Chinese
// names such as 旧系统 among them), so no stored source becomes one that cannot be named.

/** Open311 requests are stored under `open311:<the token's source>` (open311Source): no source name of its own takes that form. */
export const OPEN311_PREFIX = 'open311:';

/** The source of the requests an Open311 client sends with a token of this source. */
export const open311Source = (tokenSource: string) => `${OPEN311_PREFIX}${tokenSource}`;

/**
 * A source name: 1–64 characters (Chinese characters, letters, digits, blanks and punctuation), no slash or
 * backslash, no control characters, no blank at either end, not starting with a dot.
 */
export function isSourceName(s: string): boolean {
	return /^[^\s./\\\p{Cc}][^/\\\p{Cc}]{0,63}$/u.test(s) && s.trim() === s && !s.toLowerCase().startsWith(OPEN311_PREFIX);
}

/** What a name that is no source name is told, after what it is (文件夹名「…」, --source「…」, 来源「…」). */
export const SOURCE_NAME_RULE =
	'不能用作来源名称：来源名称为 1–64 个字符，可用汉字、字母、数字、空格和标点符号，但不能含斜杠（/ 或 \\）和控制字符，首尾不能是空白，也不能以“.”或“open311:”开头（例如 旧系统、cityapp、district-feed）';
