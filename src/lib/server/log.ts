// What the server's log may keep of an error.

/**
 * A failed statement's error as the log may keep it: drizzle puts the statement's parameters (a caller's name and
 * phone, a ticket's text) into its message and its `params`; the log gets the statement and the database's own error.
 */
export function withoutParameters(error: unknown): unknown {
	if (!(error instanceof Error) || !('params' in error) || !('query' in error)) return error;
	const cause = error.cause instanceof Error ? error.cause : null;
	const e = new Error(`Failed query (parameters withheld from the log): ${String(error.query).slice(0, 500)}${cause ? `\ncause: ${cause.message}` : ''}`);
	e.name = error.name;
	e.stack = `${e.name}: ${e.message}\n${(cause?.stack ?? error.stack ?? '').split('\n').slice(1).join('\n')}`;
	return e;
}
