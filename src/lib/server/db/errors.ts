// What a failed statement says, whichever driver ran it (PGlite in its worker, pg): drizzle wraps the driver's
// error, which carries PostgreSQL's SQLSTATE as `code`, in `cause`.

/** The SQLSTATE of a failed statement (23505 unique violation, 40P01 deadlock …), or undefined. */
export function pgErrorCode(e: unknown): string | undefined {
	for (let x = e as { code?: unknown; cause?: unknown } | undefined, i = 0; x && typeof x === 'object' && i < 4; x = x.cause as typeof x, i++)
		if (typeof x.code === 'string') return x.code;
	return undefined;
}
