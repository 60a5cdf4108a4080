// Role checks for loads and endpoints.
import { error } from '@sveltejs/kit';
import type { Role, SessionUser } from '../types';
import { canSee } from '../nav';

export function requireUser(locals: App.Locals): SessionUser {
	if (!locals.user) error(401, { message: '未登录或登录已过期', code: 'unauthenticated' });
	return locals.user;
}

export function requireRole(locals: App.Locals, roles: readonly Role[]): SessionUser {
	const user = requireUser(locals);
	if (!roles.includes(user.role)) error(403, { message: '当前账号无权访问此功能', code: 'forbidden' });
	return user;
}

/** For pages listed in the navigation: the same rule that decides whether the link is shown. */
export function requireScreen(locals: App.Locals, href: string): SessionUser {
	const user = requireUser(locals);
	if (!canSee(user.role, href)) error(403, { message: '当前账号无权访问此页面', code: 'forbidden' });
	return user;
}
