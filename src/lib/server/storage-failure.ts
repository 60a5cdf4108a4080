// Faults of the storage under the stores — a full disk, a data directory that may not be written (permissions, a
// read-only mount) — told apart from other faults: they are the administrator's to fix, not a bug, and the client is
// told so in plain Chinese with 507 (as a push on a full disk always was), and /healthz reports them (health.ts).

export interface StorageFailure {
	/** storage_full: no space (or quota) left; storage_unavailable: the data directory may not be written */
	code: 'storage_full' | 'storage_unavailable';
	/** the store's own words, for the log */
	detail: string;
}

/**
 * The messages of an error and its causes (drizzle wraps the driver's error as `cause`), with their codes. A query
 * error's own message quotes the statement's parameters — people's text, which may say anything (手机显示 Permission
 * denied) — so of such an error only the code counts; and an error about reading `input` (a file being ingested that
 * the server may not read) is the file's fault, not the storage's.
 */
function texts(e: unknown, input?: string): string[] {
	const out: string[] = [];
	for (let x = e, depth = 0; x && depth < 6; x = (x as { cause?: unknown }).cause, depth++) {
		const err = x as { code?: unknown; message?: unknown; params?: unknown; query?: unknown; path?: unknown };
		if (input !== undefined && err.path === input) return [];
		const quotesParameters = 'params' in err || 'query' in err;
		const message = quotesParameters ? '' : typeof err.message === 'string' ? err.message : String(x);
		out.push(`${typeof err.code === 'string' ? err.code : ''} ${message}`);
	}
	return out;
}

// the operating system's words (strerror: "Permission denied", "Read-only file system", "No space left on device") as
// PostgreSQL, PGlite and DuckDB pass them on, and Node's codes; PostgreSQL's own "permission denied for table …" (an
// account's rights, lower case) is not one
const DENIED = /\b(EACCES|EROFS)\b|Permission denied|Read-only file system|read-only file system/;
const FULL = /\b(ENOSPC|EDQUOT)\b|No space left|Disk quota exceeded|disk (is )?full|not enough space|could not write/i;

/** The storage fault an error is, or null; `input`: the path of a file being read, whose own faults are none. */
export function storageFailure(e: unknown, input?: string): StorageFailure | null {
	const all = texts(e, input);
	const denied = all.find((t) => DENIED.test(t));
	if (denied) return { code: 'storage_unavailable', detail: denied.trim().slice(0, 300) };
	const full = all.find((t) => FULL.test(t));
	if (full) return { code: 'storage_full', detail: full.trim().slice(0, 300) };
	return null;
}

/** What a client is told of a storage fault (`what`: 本次操作, 本次推送 …; `retry`: what to say about trying again). */
export function storageMessage(f: StorageFailure, what = '本次操作', retry = '请稍后重试'): string {
	return f.code === 'storage_full'
		? `服务器存储空间不足，${what}未能完成，${retry}并通知管理员`
		: `服务器无法写入数据目录（没有写权限或为只读），${what}未能保存，请通知管理员；修复后${retry.replace(/^请(稍后)?/, '')}`;
}

// --- the latest one, for /healthz -----------------------------------------------------------------------------

let last: (StorageFailure & { at: number }) | null = null;

/** Notes a storage fault met by a request or a background write (/healthz reports it for STORAGE_FAILURE_MS). */
export function noteStorageFailure(f: StorageFailure, at = Date.now()): void {
	last = { ...f, at };
}

/** How long a storage fault met by a write keeps /healthz reporting the storage down. */
export const STORAGE_FAILURE_MS = 60_000;

/** The storage fault met within STORAGE_FAILURE_MS before `now`, or null. */
export function recentStorageFailure(now = Date.now()): (StorageFailure & { at: number }) | null {
	return last && now - last.at < STORAGE_FAILURE_MS && now >= last.at ? last : null;
}
