// POST /api/v1/account/password { current, password, confirm? } → { sessions_ended }: the signed-in user's own new
//   password (any role). A wrong current password → 400 (field current) and counts as a failed sign-in; the user's
//   other sessions end, the one making the call stays.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { SESSION_COOKIE } from '$lib/server/auth';
import { changeMyPassword } from '$lib/server/auth/admin';
import { clientAddress } from '$lib/server/auth/throttle';
import { requireUser } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const user = requireUser(event.locals);
	try {
		const r = await changeMyPassword((await app()).rel.db, user, await jsonBody(event.request), {
			client: clientAddress(event),
			token: event.cookies.get(SESSION_COOKIE) ?? null
		});
		return json({ sessions_ended: r.sessionsEnded });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
