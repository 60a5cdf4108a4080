// What a failed statement says, whichever driver ran it (PGlite in its worker, pg): drizzle wraps the driver's
// error, which carries PostgreSQL's SQLSTATE as `code`, in `cause`.

/** The SQLSTATE of a failed statement (23505 unique violation, 40P01 deadlock …), or undefined. */
export function pgErrorCode(e: unknown): string | undefined {
	for (let x = e as { code?: unknown; cause?: unknown } | undefined, i = 0; x && typeof x === 'object' && i < 4; x = x.cause as typeof x, i++)
		if (typeof x.code === 'string') return x.code;
	return undefined;
}

/** What PostgreSQL itself said about a failed statement: its message and SQLSTATE, and the statement drizzle ran (if any). */
export interface ServerRefusal {
	code: string;
	message: string;
	/** the statement, when drizzle ran it (its text, never its parameters) */
	query?: string;
}

/** PostgreSQL's own refusal inside `e` (a server error, as pg and PGlite give it: a five-character SQLSTATE and a severity), or null. */
export function serverRefusal(e: unknown): ServerRefusal | null {
	let query: string | undefined;
	for (let x = e as { code?: unknown; cause?: unknown; severity?: unknown; message?: unknown; query?: unknown } | undefined, i = 0; x && typeof x === 'object' && i < 4; x = x.cause as typeof x, i++) {
		if (typeof x.query === 'string') query ??= x.query;
		if (typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code) && typeof x.severity === 'string')
			return { code: x.code, message: String(x.message ?? ''), query };
	}
	return null;
}
