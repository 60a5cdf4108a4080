// 设置 › 用户: the accounts (?q= words in the user name, name or unit; ?role=), 新建账号, 停用/启用, and 重设密码
// (?password=<username> opens its form). Administrators only.
import { redirect } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { addUser, resetPassword, setActive, userAdmin, usersForAdmin, USER_LIMITS } from '$lib/server/auth/admin';
import { requireScreen } from '$lib/server/guard';
import { refusedForm } from '$lib/server/cases/http';
import { unitGroups } from '$lib/server/cases/forms';
import { ROLE_LABELS, ROLES, type Role } from '$lib/types';
import type { Actions, PageServerLoad } from './$types';

const SCREEN = '/settings';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireScreen(locals, SCREEN);
	const a = await app();
	const all = await usersForAdmin(userAdmin(a, user));
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const roleParam = url.searchParams.get('role') ?? '';
	const role = (ROLES as readonly string[]).includes(roleParam) ? (roleParam as Role) : null;
	const words = q.toLowerCase();
	const shown = all.filter(
		(u) =>
			(!role || u.role === role) &&
			(!words || [u.username, u.name, u.unit ?? '', u.unitName ?? ''].some((s) => s.toLowerCase().includes(words)))
	);
	const passwordFor = url.searchParams.get('password');
	return {
		me: user.username,
		q,
		role,
		badRole: roleParam && !role ? roleParam : null,
		users: shown,
		counts: { all: all.length, active: all.filter((u) => u.active).length },
		roles: ROLES.map((r) => ({ code: r, label: ROLE_LABELS[r] })),
		unitGroups: unitGroups(a),
		passwordFor: passwordFor && all.some((u) => u.username === passwordFor) ? passwordFor : null,
		passwordMissing: passwordFor && !all.some((u) => u.username === passwordFor) ? passwordFor : null,
		limits: USER_LIMITS
	};
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '');


export const actions: Actions = {
	add: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const values = { username: str(f, 'username'), name: str(f, 'name'), role: str(f, 'role'), unit: str(f, 'unit') };
		try {
			const u = await addUser(userAdmin(await app(), user), { ...values, password: str(f, 'password'), confirm: str(f, 'confirm') });
			return { form: 'add', saved: `已新建账号 ${u.username}（${u.name}，${ROLE_LABELS[u.role as Role]}${u.unitName ? ` · ${u.unitName}` : ''}），可用所设密码登录，首次登录须先修改密码`, username: u.username };
		} catch (e) {
			// the passwords are not sent back to the page
			return refusedForm('add', e, values);
		}
	},

	disable: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const username = str(await request.formData(), 'username');
		try {
			const r = await setActive(userAdmin(await app(), user), username, false);
			return {
				form: 'list',
				saved: r.changed ? `已停用 ${username}${r.sessionsEnded ? `，其 ${r.sessionsEnded} 个登录会话已结束` : ''}：该账号不能再登录，可随时启用` : `${username} 已是停用状态`,
				username
			};
		} catch (e) {
			return refusedForm('list', e);
		}
	},

	enable: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const username = str(await request.formData(), 'username');
		try {
			const r = await setActive(userAdmin(await app(), user), username, true);
			return { form: 'list', saved: r.changed ? `已启用 ${username}，可用原密码登录` : `${username} 已是启用状态`, username };
		} catch (e) {
			return refusedForm('list', e);
		}
	},

	password: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const username = str(f, 'username');
		let self = false;
		try {
			const r = await resetPassword(userAdmin(await app(), user), username, { password: str(f, 'password'), confirm: str(f, 'confirm') });
			self = r.self;
			if (!self)
				return {
					form: 'password',
					saved: `已重设 ${username} 的密码${r.sessionsEnded ? `，其 ${r.sessionsEnded} 个登录会话已结束` : ''}：请把新密码告知本人，其登录后须先修改密码`,
					username
				};
		} catch (e) {
			return refusedForm('password', e, { username });
		}
		// one's own password: this session has ended too
		redirect(303, '/login');
	}
};
