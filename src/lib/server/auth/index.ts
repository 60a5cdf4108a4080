// Users, password hashes (argon2id), sessions (HttpOnly cookie holding a random token; the table keeps its
// sha256 only) and the demo accounts that exist only in demo mode.
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { and, eq, gt, lt, ne } from 'drizzle-orm';
import { ROLES, type Role, type SessionUser } from '../../types';
import type { Reference, Unit } from '$pipelines/reference/index';
import type { Db } from '../db';
import { audit, LOGIN_FAILED } from '../audit';
import { sessions, units, users } from '../db/schema';
import { LoginThrottle } from './throttle';
import { passwordProblem } from './password-policy';

export const SESSION_COOKIE = 'mq_session';

/**
 * The session cookie's attributes, at login and at each renewal: HttpOnly, SameSite=Lax, Secure when the app is
 * reached over HTTPS (as SvelteKit sees the address, ORIGIN or PROTOCOL_HEADER behind a proxy), and the session's
 * expiry.
 */
export function sessionCookie(url: URL, expires: Date) {
	return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: url.protocol === 'https:', expires };
}

export class AuthError extends Error {
	constructor(
		/** conflict: a change the accounts' state forbids (the last active administrator) */
		readonly code: 'bad_credentials' | 'throttled' | 'invalid_input' | 'exists' | 'not_found' | 'conflict',
		message: string,
		/** the input at fault (username, password, unit), for a form to show the message under it */
		readonly field: string | null = null
	) {
		super(message);
	}
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function hashPassword(password: string): Promise<string> {
	// @node-rs/argon2 defaults to argon2id with OWASP-recommended cost
	return hash(password);
}

export function isRole(x: string): x is Role {
	return (ROLES as readonly string[]).includes(x);
}

/** A new password of the account `username`, by the rule of password-policy.ts. */
function checkPassword(password: string, username: string): void {
	const problem = passwordProblem(password, username);
	if (problem) throw new AuthError('invalid_input', problem, 'password');
}

/** What a user name is made of. */
const USERNAME = /^[a-zA-Z0-9_.-]{2,40}$/;

export async function createUser(
	db: Db,
	u: { username: string; displayName: string; role: Role; password: string; unitCode?: string | null; demo?: boolean; mustChangePassword?: boolean }
): Promise<number> {
	if (!USERNAME.test(u.username)) throw new AuthError('invalid_input', '用户名须为2–40位字母、数字或 _ . -', 'username');
	checkPassword(u.password, u.username);
	if (u.role === 'unit_handler' && !u.unitCode) throw new AuthError('invalid_input', '承办单位账号必须指定所属单位', 'unit');
	const existing = await db.select({ id: users.id }).from(users).where(eq(users.username, u.username));
	if (existing.length) throw new AuthError('exists', `用户名 ${u.username} 已存在`, 'username');
	const [row] = await db
		.insert(users)
		.values({
			username: u.username,
			displayName: u.displayName,
			role: u.role,
			unitCode: u.role === 'unit_handler' ? (u.unitCode ?? null) : null,
			passwordHash: await hashPassword(u.password),
			demo: u.demo ?? false,
			mustChangePassword: u.mustChangePassword ?? false
		})
		.returning({ id: users.id });
	return row.id;
}

/** Wrong passwords per account and address, and per account (throttle.ts: the limits and their trade-off). */
const throttle = new LoginThrottle();

export async function login(
	db: Db,
	username: string,
	password: string,
	client: string,
	sessionDays: number,
	now = Date.now()
): Promise<{ token: string; expiresAt: Date; user: SessionUser }> {
	const refused = throttle.refusal(username, client, now);
	if (refused) throw new AuthError('throttled', refused);
	// a name no account can have (a NUL, which PostgreSQL refuses in a query, or a page of text) is looked up nowhere
	const [row] = USERNAME.test(username)
		? await db
				.select()
				.from(users)
				.where(and(eq(users.username, username), eq(users.active, true)))
		: [];
	// verify against a dummy hash when the user does not exist, so timing does not reveal usernames
	const ok = row ? await verify(row.passwordHash, password) : (await verify(await dummyHash(), password), false);
	if (!row || !ok) {
		throttle.failed(username, client, now);
		// a failed attempt is recorded (the throttle bounds how many one address makes); a refused one (above) is not
		await audit(db, { actor: username, area: 'login', target: username, client, message: `${LOGIN_FAILED}（用户名或密码错误，来自 ${client}）：${username}` });
		throw new AuthError('bad_credentials', '用户名或密码错误');
	}
	throttle.succeeded(username, client, now);
	const token = randomBytes(32).toString('base64url');
	const expiresAt = new Date(now + sessionDays * 86_400_000);
	await db.insert(sessions).values({ id: sha256(token), userId: row.id, expiresAt });
	await audit(db, { actor: row.username, area: 'login', target: row.username, client, message: `登录：${row.username} 登录（来自 ${client}）` });
	return { token, expiresAt, user: await toSessionUser(db, row) };
}

let dummy: Promise<string> | null = null;
const dummyHash = () => (dummy ??= hash(randomBytes(16).toString('hex')));

async function toSessionUser(db: Db, row: typeof users.$inferSelect): Promise<SessionUser> {
	let unitName: string | null = null;
	if (row.unitCode) {
		const [u] = await db.select({ name: units.name }).from(units).where(eq(units.code, row.unitCode));
		unitName = u?.name ?? null;
	}
	return {
		id: row.id,
		username: row.username,
		displayName: row.displayName,
		role: isRole(row.role) ? row.role : 'operator',
		unitCode: row.unitCode,
		unitName,
		...(row.mustChangePassword ? { mustChangePassword: true } : {})
	};
}

/**
 * Recently checked sessions: a busy client (an operator's screen, an API client under load) does not cost two
 * queries per request. An entry is trusted for SESSION_RECHECK_MS; logging out, disabling the user and a new password
 * remove it at once (the server runs the command line's user commands itself), so the only delay is for an account
 * changed by another process (a command line on a PostgreSQL store whose server runs elsewhere; at most that long).
 */
const SESSION_RECHECK_MS = 15_000;
const SESSION_CACHE_MAX = 10_000;
const checked = new Map<string, { user: SessionUser; at: number; expiresAt: number }>();

/** A valid session: its user, and the new expiry when this check extended it (null when it did not). */
export interface SessionCheck {
	user: SessionUser;
	renewedUntil: Date | null;
}

/**
 * The session behind a token, extended to the full lifetime when less than half its life is left — so at most once
 * per half lifetime, which is when the caller must send the cookie again with `renewedUntil` as its expiry (the
 * browser drops it at the expiry it was last given, whatever the table says). A caller that cannot set a cookie (a
 * stream whose headers are sent) passes `extend: false`, leaving the extension to a request that can.
 */
export async function checkSessionToken(
	db: Db,
	token: string,
	sessionDays: number,
	{ now = Date.now(), extend = true }: { now?: number; extend?: boolean } = {}
): Promise<SessionCheck | null> {
	if (!token) return null;
	const id = sha256(token);
	const hit = checked.get(id);
	if (hit && now - hit.at < SESSION_RECHECK_MS && now < hit.expiresAt) return { user: hit.user, renewedUntil: null };
	const s = await checkSession(db, id, sessionDays, now, extend);
	if (s) {
		if (checked.size >= SESSION_CACHE_MAX) checked.clear();
		checked.set(id, { user: s.user, at: now, expiresAt: s.expiresAt });
	} else checked.delete(id);
	return s && { user: s.user, renewedUntil: s.renewed ? new Date(s.expiresAt) : null };
}

/** The user behind a session token (checkSessionToken without the renewal). */
export async function validateSession(
	db: Db,
	token: string,
	sessionDays: number,
	opts: { now?: number; extend?: boolean } = {}
): Promise<SessionUser | null> {
	return (await checkSessionToken(db, token, sessionDays, opts))?.user ?? null;
}

async function checkSession(
	db: Db,
	id: string,
	sessionDays: number,
	now: number,
	extend: boolean
): Promise<{ user: SessionUser; expiresAt: number; renewed: boolean } | null> {
	const [s] = await db
		.select({ session: sessions, user: users })
		.from(sessions)
		.innerJoin(users, eq(sessions.userId, users.id))
		.where(and(eq(sessions.id, id), gt(sessions.expiresAt, new Date(now)), eq(users.active, true)));
	if (!s) return null;
	const life = sessionDays * 86_400_000;
	let expiresAt = s.session.expiresAt.getTime();
	const renewed = extend && expiresAt - now < life / 2;
	if (renewed) {
		expiresAt = now + life;
		await db
			.update(sessions)
			.set({ expiresAt: new Date(expiresAt) })
			.where(eq(sessions.id, id));
	}
	return { user: await toSessionUser(db, s.user), expiresAt, renewed };
}

export async function logout(db: Db, token: string, client: string | null = null): Promise<void> {
	if (!token) return;
	checked.delete(sha256(token));
	const [ended] = await db
		.delete(sessions)
		.where(eq(sessions.id, sha256(token)))
		.returning({ userId: sessions.userId });
	if (!ended) return;
	const [u] = await db.select({ username: users.username }).from(users).where(eq(users.id, ended.userId));
	if (u) await audit(db, { actor: u.username, area: 'login', target: u.username, client, message: `登录：${u.username} 退出登录${client ? `（来自 ${client}）` : ''}` });
}

/**
 * Ends every session of a user now: removed from the store, and from this process's recently checked sessions
 * (the server runs the command line's user commands itself, so its cookies stop working at once). Returns how many
 * sessions there were.
 */
async function endSessions(db: Db, userId: number): Promise<number> {
	const ended = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
	forgetSessionsOf(userId);
	return ended.length;
}

function forgetSessionsOf(userId: number): void {
	for (const [id, c] of checked) if (c.user.id === userId) checked.delete(id);
}

// --- user administration (npm run cli -- user …) ---------------------------------------------------------------

/** A user as `user list` shows one: never the password's hash. */
export interface UserListing {
	username: string;
	name: string;
	role: string;
	/** the unit of an undertaking unit's account (code and name), else null */
	unit: string | null;
	unitName: string | null;
	active: boolean;
	/** a demo account (exists while the app runs in demo mode) */
	demo: boolean;
	/** the password an administrator set has not been changed by its user yet */
	mustChangePassword: boolean;
	createdAt: string;
}

export async function listUsers(db: Db): Promise<UserListing[]> {
	const rows = await db
		.select({ user: users, unitName: units.name })
		.from(users)
		.leftJoin(units, eq(users.unitCode, units.code))
		.orderBy(users.id);
	return rows.map(({ user: u, unitName }) => ({
		username: u.username,
		name: u.displayName,
		role: u.role,
		unit: u.unitCode,
		unitName,
		active: u.active,
		demo: u.demo,
		mustChangePassword: u.mustChangePassword,
		createdAt: u.createdAt.toISOString()
	}));
}

async function userNamed(db: Db, username: string) {
	const [u] = await db.select().from(users).where(eq(users.username, username));
	if (!u) throw new AuthError('not_found', `用户 ${username} 不存在`);
	return u;
}

/**
 * Disables a user (their sessions end at once, and they can no longer sign in: login answers them as a wrong
 * password) or enables one again. The last active administrator is not disabled: nobody could administer the system
 * then. A demo account is enabled only in demo mode (`demoMode`), where the start enables it anyway: outside it, it
 * would be an account with a published password. `changed`: false when the user already was so.
 */
export async function setUserActive(
	db: Db,
	username: string,
	active: boolean,
	opts: { demoMode?: boolean } = {}
): Promise<{ username: string; active: boolean; changed: boolean; sessionsEnded: number }> {
	const r = await db.transaction(async (tx) => {
		const t = tx as unknown as Db;
		const u = await userNamed(t, username);
		if (active && u.demo && !opts.demoMode)
			throw new AuthError('conflict', `${username} 是演示账号，只在演示模式（MINQING_DEMO=1）下启用：在其他模式下启用，就是一个密码已公开的账号`);
		if (!active && u.role === 'admin' && u.active) {
			// the active administrators, locked in one order: of two disabling the last two at once, the second waits and is refused
			const admins = await t
				.select({ id: users.id })
				.from(users)
				.where(and(eq(users.role, 'admin'), eq(users.active, true)))
				.orderBy(users.id)
				.for('update');
			if (admins.some((a) => a.id === u.id) && !admins.some((a) => a.id !== u.id))
				throw new AuthError('conflict', `${username} 是最后一个启用的系统管理员，不能停用：请先新建或启用另一个系统管理员`);
		}
		const changed = await t
			.update(users)
			.set({ active })
			.where(and(eq(users.id, u.id), eq(users.active, !active)))
			.returning({ id: users.id });
		const ended = active ? 0 : (await t.delete(sessions).where(eq(sessions.userId, u.id)).returning({ id: sessions.id })).length;
		return { id: u.id, changed: changed.length > 0, ended };
	});
	// a session checked just before is not trusted for the rest of its recheck interval
	if (!active) forgetSessionsOf(r.id);
	return { username, active, changed: r.changed, sessionsEnded: r.ended };
}

/**
 * Sets a user's password (password-policy.ts); every session of theirs ends, so a stolen one is cut off. With
 * `mustChange` (an administrator set it for someone else) the user changes it at the next sign-in before anything else.
 */
export async function setPassword(
	db: Db,
	username: string,
	password: string,
	{ mustChange = false }: { mustChange?: boolean } = {}
): Promise<{ username: string; sessionsEnded: number }> {
	checkPassword(password, username);
	const u = await userNamed(db, username);
	await db.update(users).set({ passwordHash: await hashPassword(password), mustChangePassword: mustChange }).where(eq(users.id, u.id));
	return { username, sessionsEnded: await endSessions(db, u.id) };
}

/**
 * A user's own new password (我的账号): the current one must be given and right — a wrong one counts against the
 * login throttle as a failed sign-in does, so a session left open does not let anyone try passwords — and the new
 * one must differ from it. The user's other sessions end; the one in use (`keepToken`, the cookie's) stays.
 */
export async function changeOwnPassword(
	db: Db,
	userId: number,
	o: { current: string; password: string; client: string; keepToken: string | null },
	now = Date.now()
): Promise<{ username: string; sessionsEnded: number }> {
	const [row] = await db
		.select()
		.from(users)
		.where(and(eq(users.id, userId), eq(users.active, true)));
	if (!row) throw new AuthError('not_found', '账号不存在或已停用');
	const refused = throttle.refusal(row.username, o.client, now);
	if (refused) throw new AuthError('throttled', refused, 'current');
	if (!o.current) throw new AuthError('invalid_input', '请填写当前密码', 'current');
	if (!(await verify(row.passwordHash, o.current))) {
		throttle.failed(row.username, o.client, now);
		throw new AuthError('bad_credentials', '当前密码不正确', 'current');
	}
	checkPassword(o.password, row.username);
	if (o.password === o.current) throw new AuthError('invalid_input', '新密码不能与当前密码相同', 'password');
	await db.update(users).set({ passwordHash: await hashPassword(o.password), mustChangePassword: false }).where(eq(users.id, row.id));
	const keep = o.keepToken ? sha256(o.keepToken) : '';
	const ended = await db
		.delete(sessions)
		.where(and(eq(sessions.userId, row.id), ne(sessions.id, keep)))
		.returning({ id: sessions.id });
	forgetSessionsOf(row.id);
	return { username: row.username, sessionsEnded: ended.length };
}

export async function purgeExpiredSessions(db: Db, now = Date.now()): Promise<void> {
	await db.delete(sessions).where(lt(sessions.expiresAt, new Date(now)));
}

// --- demo accounts -----------------------------------------------------------------------------------------
export const DEMO_PASSWORD = 'minqing2026';
export interface DemoAccount {
	username: string;
	displayName: string;
	role: Role;
	unitCode?: string;
}
const DEMO_STAFF: DemoAccount[] = [
	{ username: 'admin', displayName: '系统管理员', role: 'admin' },
	{ username: 'leader', displayName: '陈局长', role: 'leader' },
	{ username: 'analyst', displayName: '林分析员', role: 'analyst' },
	{ username: 'emergency', displayName: '应急办值班员', role: 'emergency' },
	{ username: 'operator', displayName: '话务员王芳', role: 'operator' },
	{ username: 'dispatcher', displayName: '派单员周杰', role: 'dispatcher' },
	{ username: 'supervisor', displayName: '督办员吴敏', role: 'supervisor' }
];
/**
 * The demo accounts of undertaking units work for units of the configured city's register, chosen by kind
 * and name (a city's register has other codes than Suzhou's): a district government — 姑苏区's where the
 * city has it (Suzhou), else the city's first — and the city's environment bureau, if the register has one.
 */
const DEMO_UNIT_ACCOUNTS: { username: string; unit: string; pick: (ref: Reference) => Unit | undefined; displayName: (u: Unit, ref: Reference) => string }[] = [
	{
		username: 'unit_gusu',
		unit: '区县政府（kind 为 district 的单位）',
		pick: (ref) => ref.unitByCode.get('D320508') ?? ref.units.find((u) => u.kind === 'district'),
		displayName: (u, ref) => `${(u.districtCode && ref.districtByCode.get(u.districtCode)?.name) || u.shortName}承办员`
	},
	{
		username: 'unit_env',
		unit: '生态环境局（名称含“生态环境”的市级单位）',
		pick: (ref) => ref.units.find((u) => u.kind === 'municipal' && u.name.includes('生态环境')),
		displayName: (u) => `${u.shortName}承办员`
	}
];

/**
 * The demo accounts of the city `ref`: the staff, and the unit accounts whose unit the city's register has;
 * `missing` says which unit account is left out, and why.
 */
export function demoAccounts(ref: Reference): { accounts: DemoAccount[]; missing: string[] } {
	const accounts = [...DEMO_STAFF];
	const missing: string[] = [];
	for (const a of DEMO_UNIT_ACCOUNTS) {
		const u = a.pick(ref);
		if (u) accounts.push({ username: a.username, displayName: a.displayName(u, ref), role: 'unit_handler', unitCode: u.code });
		else missing.push(`演示账号 ${a.username} 未创建：${ref.cityName}的单位名录（${ref.city.files.units}）中没有${a.unit}`);
	}
	return { accounts, missing };
}

/**
 * Demo accounts exist only in demo mode: created (or re-activated) when demo is on, removed with their
 * sessions when it is off, so a production start never keeps a known password. A unit account follows the
 * unit `demoAccounts` chooses in the city's register; one whose unit the register lacks is not created (or
 * is deactivated), said through `log`.
 */
export async function syncDemoAccounts(db: Db, demo: boolean, ref: Reference, log: (msg: string) => void = () => {}): Promise<void> {
	const existing = await db.select().from(users).where(eq(users.demo, true));
	const { accounts, missing } = demo ? demoAccounts(ref) : { accounts: [], missing: [] };
	for (const m of missing) log(`[minqing] ${m}`);
	for (const u of existing) {
		if (!u.active || accounts.some((a) => a.username === u.username)) continue;
		await db.delete(sessions).where(eq(sessions.userId, u.id));
		await db.update(users).set({ active: false }).where(eq(users.id, u.id));
		checked.clear(); // their sessions end now, not after the recheck interval
	}
	for (const a of accounts) {
		const have = existing.find((u) => u.username === a.username);
		if (!have) {
			await createUser(db, { ...a, password: DEMO_PASSWORD, demo: true });
			continue;
		}
		const unitCode = a.unitCode ?? null;
		if (!have.active || have.unitCode !== unitCode || have.displayName !== a.displayName)
			await db.update(users).set({ active: true, unitCode, displayName: a.displayName }).where(eq(users.id, have.id));
	}
}
