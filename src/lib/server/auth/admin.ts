// User administration for 设置 › 用户 and /api/v1/users: an administrator lists the accounts, adds one, disables or
// enables one, and sets a new password (the command line's `user …` does the same through local-commands.ts).
// And every user's own password (我的账号, `changeMyPassword`).
// Refusals are CaseErrors naming the field in Chinese, as the other settings forms show them; every change is
// logged with the administrator who made it. An administrator does not disable their own account here (another
// administrator does, or the command line): a slip would end their session at once and lock them out.
import type { Reference } from '$pipelines/reference/index';
import { unsavableChar, unsavableMessage } from '$pipelines/normalize/text';
import { ROLE_LABELS, type Role } from '../../types';
import { CaseError, objectBody } from '../cases/input';
import type { App } from '../app';
import type { Db } from '../db';
import { audit } from '../audit';
import { AuthError, changeOwnPassword, createUser, isRole, listUsers, setPassword, setUserActive, type UserListing } from './index';
import { PASSWORD_LENGTH, PASSWORD_RULE, passwordProblem } from './password-policy';

export interface UserAdmin {
	db: Db;
	ref: Reference;
	/** the app runs in demo mode (a demo account may be enabled only then) */
	demoMode: boolean;
	/** who is acting */
	actor: { username: string; role: Role };
	/** where each change is written, with the account it changed (the app's: the 操作日志 and the server's log) */
	log?: (line: string, target: string) => unknown;
}

/** The 操作日志's lines of an account's changes, the same whoever makes them (an administrator here, or the command line). */
const ended = (n: number) => (n ? `（结束会话 ${n} 个）` : '');
export const accountLine = {
	active: (actor: string, username: string, active: boolean, sessionsEnded: number) => `用户：${actor} ${active ? '启用' : '停用'}账号 ${username}${ended(sessionsEnded)}`,
	password: (actor: string, username: string, sessionsEnded: number) => `用户：${actor} 重设账号 ${username} 的密码${ended(sessionsEnded)}`
};

export const USER_LIMITS = { name: 40, password: { ...PASSWORD_LENGTH, rule: PASSWORD_RULE } } as const;

const LABELS = { username: '用户名', name: '姓名', role: '角色', unit: '所属单位', password: '密码', confirm: '确认密码', current: '当前密码' } as const;
type Field = keyof typeof LABELS;

function invalid(field: Field, message: string, detail: string | null = null): never {
	throw new CaseError('invalid_input', message, field, detail);
}

/** A field as typed ('' when absent); a value that is not text is refused. */
function textOf(r: Record<string, unknown>, field: Field): string {
	const v = r[field];
	if (v === undefined || v === null) return '';
	if (typeof v !== 'string') return invalid(field, `${LABELS[field]}的格式不正确`, `${field}: expected a string`);
	return v;
}

/** The AuthError of the accounts' functions as the settings' refusal (exists: 409 conflict on the user name). */
function refusal(e: unknown): never {
	if (!(e instanceof AuthError)) throw e;
	const code = e.code === 'not_found' ? 'not_found' : e.code === 'exists' || e.code === 'conflict' ? 'conflict' : 'invalid_input';
	throw new CaseError(code, e.message, e.field, `${e.code}: ${e.message}`);
}

function mayAdminister(ctx: UserAdmin): void {
	if (ctx.actor.role !== 'admin') throw new CaseError('forbidden', '只有系统管理员可以管理用户');
}

/**
 * A new password of the account `username` as typed (not trimmed: spaces are part of it), by the rule of
 * password-policy.ts, and its confirmation when the form has one.
 */
function passwordOf(r: Record<string, unknown>, username: string): string {
	const password = textOf(r, 'password');
	const problem = passwordProblem(password, username);
	if (problem) invalid('password', problem, `password: ${problem}`);
	if (unsavableChar(password)) invalid('password', unsavableMessage(LABELS.password, password)!, `password: contains ${unsavableChar(password)!.code}`);
	if (r.confirm !== undefined && textOf(r, 'confirm') !== password) invalid('confirm', '两次输入的密码不一致');
	return password;
}

async function listing(db: Db, username: string): Promise<UserListing> {
	const u = (await listUsers(db)).find((x) => x.username === username);
	if (!u) throw new CaseError('not_found', `用户 ${username} 不存在`);
	return u;
}

/** Every account, oldest first (never a password's hash). */
export async function usersForAdmin(ctx: UserAdmin): Promise<UserListing[]> {
	mayAdminister(ctx);
	return listUsers(ctx.db);
}

/** One account (never its password's hash). */
export async function userForAdmin(ctx: UserAdmin, username: string): Promise<UserListing> {
	mayAdminister(ctx);
	return listing(ctx.db, username);
}

/** Adds an account: { username, name, role, unit (an undertaking unit's account only), password, confirm? }. */
export async function addUser(ctx: UserAdmin, raw: unknown): Promise<UserListing> {
	mayAdminister(ctx);
	const r = objectBody(raw);
	const username = textOf(r, 'username').trim();
	if (!username) invalid('username', '请填写用户名');
	const name = textOf(r, 'name').trim();
	if (!name) invalid('name', '请填写姓名');
	const unsavable = unsavableMessage(LABELS.name, name);
	if (unsavable) invalid('name', unsavable, `name: contains ${unsavableChar(name)!.code}`);
	if ([...name].length > USER_LIMITS.name) invalid('name', `姓名不能超过 ${USER_LIMITS.name} 个字`);
	const role = textOf(r, 'role').trim();
	if (!role) invalid('role', '请选择角色');
	if (!isRole(role)) invalid('role', `未知角色「${role}」`, `role: ${role}`);
	let unitCode: string | null = null;
	if (role === 'unit_handler') {
		unitCode = textOf(r, 'unit').trim() || null;
		if (!unitCode) invalid('unit', '承办单位账号必须选择所属单位');
		if (!ctx.ref.unitByCode.has(unitCode)) invalid('unit', `未知单位代码「${unitCode}」`, `unit: ${unitCode}`);
		if (!ctx.ref.unitByCode.get(unitCode)!.active) invalid('unit', `单位「${ctx.ref.unitByCode.get(unitCode)!.name}」已停用，不能新建其账号`, `unit: ${unitCode} is inactive`);
	}
	const password = passwordOf(r, username);
	// the administrator knows the password: its user changes it at the first sign-in
	await createUser(ctx.db, { username, displayName: name, role, password, unitCode, mustChangePassword: true }).catch(refusal);
	const unit = unitCode ? ` · ${ctx.ref.unitByCode.get(unitCode)!.name}` : '';
	await ctx.log?.(`用户：${ctx.actor.username} 新建账号 ${username}（${name}，${ROLE_LABELS[role]}${unit}）`, username);
	return listing(ctx.db, username);
}

/** Disables an account (its sessions end at once) or enables it again. `changed`: false when it already was so. */
export async function setActive(
	ctx: UserAdmin,
	username: string,
	active: boolean
): Promise<{ user: UserListing; changed: boolean; sessionsEnded: number }> {
	mayAdminister(ctx);
	if (!active && username === ctx.actor.username)
		throw new CaseError('conflict', '不能停用自己正在使用的账号：请由另一位系统管理员停用，或使用命令行 user disable');
	const r = await setUserActive(ctx.db, username, active, { demoMode: ctx.demoMode }).catch(refusal);
	if (r.changed)
		await ctx.log?.(accountLine.active(ctx.actor.username, username, active, r.sessionsEnded), username);
	return { user: await listing(ctx.db, username), changed: r.changed, sessionsEnded: r.sessionsEnded };
}

/**
 * Sets an account's password: { password, confirm? }. Every session of the account ends (the administrator's own
 * too, when it is theirs: `self`, and they sign in again). Someone else's account must change it at the next sign-in.
 */
export async function resetPassword(
	ctx: UserAdmin,
	username: string,
	raw: unknown
): Promise<{ user: UserListing; sessionsEnded: number; self: boolean }> {
	mayAdminister(ctx);
	const password = passwordOf(objectBody(raw), username);
	const r = await setPassword(ctx.db, username, password, { mustChange: username !== ctx.actor.username }).catch(refusal);
	await ctx.log?.(accountLine.password(ctx.actor.username, username, r.sessionsEnded), username);
	return { user: await listing(ctx.db, username), sessionsEnded: r.sessionsEnded, self: username === ctx.actor.username };
}

/**
 * A signed-in user's own new password: { current, password, confirm? } (any role). Their other sessions end, the one
 * in use (`token`) stays; a wrong current password counts as a failed sign-in from `client`.
 */
export async function changeMyPassword(
	db: Db,
	user: { id: number; username: string },
	raw: unknown,
	o: { client: string; token: string | null; log?: (line: string, target: string) => unknown }
): Promise<{ sessionsEnded: number }> {
	const r = objectBody(raw);
	const current = textOf(r, 'current');
	if (!current) invalid('current', '请填写当前密码');
	const password = passwordOf(r, user.username);
	const done = await changeOwnPassword(db, user.id, { current, password, client: o.client, keepToken: o.token }).catch(refusal);
	const line = `用户：${user.username} 修改了自己的密码${done.sessionsEnded ? `（结束其他会话 ${done.sessionsEnded} 个）` : ''}`;
	await (o.log ? o.log(line, user.username) : audit(db, { actor: user.username, area: 'users', target: user.username, client: o.client, message: line }));
	return { sessionsEnded: done.sessionsEnded };
}

/** The administration as the running app's `actor` does it, each change recorded in the 操作日志 (audit.ts). */
export function userAdmin(a: App, actor: UserAdmin['actor']): UserAdmin {
	return { db: a.rel.db, ref: a.ref, demoMode: a.config.demo, actor, log: (message, target) => audit(a.rel.db, { actor: actor.username, area: 'users', target, message }) };
}
