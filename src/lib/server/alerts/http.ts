// Domain errors of the alerts module as HTTP answers (API and form failures) and the actor of a request.
import type { SessionUser } from '$lib/types';
import { apiError } from '../http';
import { AlertError, type Actor } from './store';

/** The HTTP status of each alerts domain error, for the API and for form failures alike. */
export const ALERT_ERROR_STATUS = { not_found: 404, conflict: 409, bad_transition: 409, invalid_input: 400 } as const satisfies Record<
	AlertError['code'],
	number
>;

export function alertErrorResponse(e: unknown): Response {
	if (e instanceof AlertError) return apiError(ALERT_ERROR_STATUS[e.code], e.code, e.message);
	throw e;
}

export function actorOf(user: SessionUser): Actor {
	return { id: user.id, name: user.displayName };
}

/** A positive integer id from a route parameter, or null. */
export function idParam(s: string): number | null {
	return /^\d{1,9}$/.test(s) ? Number(s) : null;
}
