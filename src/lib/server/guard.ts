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

/**
 * A unit's 考核明细: whoever sees 考核 sees every unit's; a unit's handler sees its own unit's (and no other's:
 * 403, as for another unit's ticket).
 */
export function requireUnitAssessment(locals: App.Locals, unitCode: string): SessionUser {
	const user = requireUser(locals);
	if (canSee(user.role, '/assessment')) return user;
	if (user.role === 'unit_handler' && user.unitCode === unitCode) return user;
	error(403, { message: user.role === 'unit_handler' ? '只能查看本单位的考核' : '当前账号无权访问此页面', code: 'forbidden' });
}
