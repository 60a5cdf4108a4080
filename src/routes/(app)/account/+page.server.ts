// 我的账号: who is signed in (name, user name, role, unit) and a form to change one's own password (every role). A user
// whose password an administrator set (a new account, a reset) is sent here first and changes it before anything else.
import { app } from '$lib/server/app';
import { SESSION_COOKIE } from '$lib/server/auth';
import { changeMyPassword, USER_LIMITS } from '$lib/server/auth/admin';
import { clientAddress } from '$lib/server/auth/throttle';
import { requireUser } from '$lib/server/guard';
import { refusedForm } from '$lib/server/cases/http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requireUser(locals);
	return {
		account: { username: user.username, name: user.displayName, role: user.role, unitName: user.unitName },
		/** the password an administrator set: changed here before anything else (hooks.server.ts) */
		mustChange: !!user.mustChangePassword,
		limits: USER_LIMITS
	};
};

export const actions: Actions = {
	password: async (event) => {
		const user = requireUser(event.locals);
		const f = await event.request.formData();
		const field = (k: string) => String(f.get(k) ?? '');
		try {
			const r = await changeMyPassword(
				(await app()).rel.db,
				user,
				{ current: field('current'), password: field('password'), confirm: field('confirm') },
				{ client: clientAddress(event), token: event.cookies.get(SESSION_COOKIE) ?? null }
			);
			return {
				saved: `密码已修改${r.sessionsEnded ? `；您在其他地方的 ${r.sessionsEnded} 个登录已退出` : ''}。下次登录请使用新密码。`,
				/** it was the password an administrator set: the rest of the system is open now */
				firstChange: !!user.mustChangePassword
			};
		} catch (e) {
			return refusedForm('password', e);
		}
	}
};
