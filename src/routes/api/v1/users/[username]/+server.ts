// GET /api/v1/users/{username} (admin) → { user }.
// PATCH /api/v1/users/{username} (admin), one change at a time:
//   { active: false | true } → { user, changed, sessions_ended }: disables the account (its sessions end at once; not
//     the last active administrator, nor the caller's own) or enables it;
//   { password, confirm? } → { user, sessions_ended }: a new password (every session of the account ends).
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { resetPassword, setActive, userAdmin, userForAdmin } from '$lib/server/auth/admin';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import { CaseError, objectBody } from '$lib/server/cases/input';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const user = requireRole(locals, ['admin']);
	try {
		return json({ user: await userForAdmin(userAdmin(await app(), user), params.username) });
	} catch (e) {
		return caseErrorResponse(e);
	}
};

export const PATCH: RequestHandler = async ({ locals, params, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const body = objectBody(await jsonBody(request));
		const ctx = userAdmin(await app(), user);
		const hasActive = 'active' in body;
		if (hasActive === 'password' in body)
			throw new CaseError('invalid_input', hasActive ? '一次只能修改一项：启用状态（active）或密码（password）' : '请提供 active（启用或停用）或 password（新密码）');
		if (hasActive) {
			if (typeof body.active !== 'boolean') throw new CaseError('invalid_input', 'active 应为 true 或 false', 'active');
			const r = await setActive(ctx, params.username, body.active);
			return json({ user: r.user, changed: r.changed, sessions_ended: r.sessionsEnded });
		}
		const r = await resetPassword(ctx, params.username, body);
		return json({ user: r.user, sessions_ended: r.sessionsEnded });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
