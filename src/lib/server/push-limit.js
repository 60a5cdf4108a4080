// The two limits a feed push meets: adapter-node's BODY_SIZE_LIMIT, which it enforces on the raw body of every
// request before a route sees it, and the push limit (MINQING_PUSH_LIMIT_MB), which POST /api/v1/ingest applies to
// the unpacked body. A push limit above BODY_SIZE_LIMIT would not be reached by a push sent uncompressed, so
// BODY_SIZE_LIMIT follows the push limit unless it is set (src/launch.js) and config.ts refuses one set below it.
// Plain JavaScript: src/launch.js uses it before the server (and without any build tooling).

/** MINQING_PUSH_LIMIT_MB when it is not set */
export const DEFAULT_PUSH_LIMIT_MB = 32;
/** The largest push limit: a push is held in memory whole, and a body above this is refused unread (DRAIN_LIMIT). */
export const MAX_PUSH_LIMIT_MB = 256;
/** BODY_SIZE_LIMIT's floor when Minqing sets it: the other endpoints' bodies (an upload's pieces are 16 MB) */
export const DEFAULT_BODY_SIZE_LIMIT_MB = 64;

/**
 * MINQING_PUSH_LIMIT_MB's value in MB: DEFAULT_PUSH_LIMIT_MB when unset or empty; null when it is not a number
 * greater than 0 (decimals allowed: 0.5).
 * @param {string | undefined} raw
 * @returns {number | null}
 */
export function parsePushLimitMb(raw) {
	const s = (raw ?? '').trim();
	if (s === '') return DEFAULT_PUSH_LIMIT_MB;
	if (!/^\d+(\.\d+)?$/.test(s)) return null;
	const mb = Number(s);
	return mb > 0 ? mb : null;
}

/**
 * BODY_SIZE_LIMIT in bytes, read as adapter-node reads it (a number, or with K, M or G: 1024-based; Infinity for
 * none); NaN when adapter-node would refuse it.
 * @param {string} value
 * @returns {number}
 */
export function parseBodySizeLimit(value) {
	const unit = /** @type {Record<string, number>} */ ({ K: 1024, M: 1024 ** 2, G: 1024 ** 3 })[value.at(-1)?.toUpperCase() ?? ''];
	return Number(unit ? value.slice(0, -1) : value) * (unit ?? 1);
}

/**
 * What is wrong with a BODY_SIZE_LIMIT adapter-node would refuse (it throws while loading), for the person starting
 * the app (in Chinese) and for the log; null when it is a size.
 * @param {string} value
 * @returns {{ message: string; detail: string } | null}
 */
export function badBodySizeLimit(value) {
	if (!Number.isNaN(parseBodySizeLimit(value))) return null;
	return { message: `配置项 BODY_SIZE_LIMIT 应为字节数或带单位 K、M、G 的大小，例如 64M，当前为“${value}”`, detail: `BODY_SIZE_LIMIT=${value} is not a size` };
}

/**
 * The BODY_SIZE_LIMIT Minqing sets when it is not set: DEFAULT_BODY_SIZE_LIMIT_MB, or the push limit (whole MB)
 * when that is larger, so that a push up to its limit reaches the endpoint. A malformed push limit is left to
 * loadConfig to refuse.
 * @param {string | undefined} pushLimitRaw MINQING_PUSH_LIMIT_MB
 * @returns {string}
 */
export function defaultBodySizeLimit(pushLimitRaw) {
	const mb = parsePushLimitMb(pushLimitRaw) ?? 0;
	return `${Math.max(DEFAULT_BODY_SIZE_LIMIT_MB, Math.ceil(mb))}M`;
}
