// The address of a page whose state lives in its URL (filters, the row open to edit …) with some parameters changed:
// the current ones, then the changes; an empty or null value drops the parameter. Relative (`?q=…`), or the page's
// path when no parameter is left.

export type Params = Record<string, string | null | undefined>;

export function pageHref(path: string, current: Params, change: Params = {}): string {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries({ ...current, ...change })) if (v) p.set(k, v);
	const s = p.toString();
	return s ? `?${s}` : path;
}
