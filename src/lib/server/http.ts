// Shapes of API responses (DESIGN.md: errors as { error: { code, message } }).
import { json } from '@sveltejs/kit';

export function apiError(status: number, code: string, message: string): Response {
	return json({ error: { code, message } }, { status });
}
