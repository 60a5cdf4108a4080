// Where the login page sends a user afterwards (?next=): a path of this site only.

const HERE = 'http://minqing.invalid';

/**
 * The path, query and fragment `next` names on this site, as a browser would resolve it; null when it would leave
 * the site or is not a path. The check is the browser's own reading, not the text's look: `/\evil.example` and
 * `/\t/evil` resolve to another host (a backslash counts as a slash, tabs and line breaks are dropped), which a test
 * of the first characters let through.
 */
export function safeNext(next: string | null | undefined): string | null {
	if (!next || !next.startsWith('/')) return null;
	let url: URL;
	try {
		url = new URL(next, HERE);
	} catch {
		return null;
	}
	if (url.origin !== HERE) return null;
	const path = url.pathname + url.search + url.hash;
	// what the browser will read the Location as: it must resolve to the same place again
	return new URL(path, HERE).origin === HERE && !path.startsWith('//') ? path : null;
}
