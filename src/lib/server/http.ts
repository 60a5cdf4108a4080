// Shapes of API responses (DESIGN.md: errors as { error: { code, message } }).
import { json } from '@sveltejs/kit';

export function apiError(status: number, code: string, message: string): Response {
	return json({ error: { code, message } }, { status });
}

/**
 * Content-Disposition of a download named in Chinese (RFC 6266): `filename` an ASCII name for clients that read only
 * that, `filename*` the real name in UTF-8, percent-encoded as RFC 5987 wants (encodeURIComponent leaves ' ( ) * as
 * they are, which are no attr-char). `inline`: shown in the browser (an image), still saved under that name.
 */
export function attachment(name: string, asciiFallback: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
	const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	const ascii = asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_');
	return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
