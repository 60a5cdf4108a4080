// 设置 › 用户 and /api/v1/users over a real embedded store: an administrator adds accounts (each refusal naming its
// field in Chinese), disables and enables them (sessions end; not their own account, not the last administrator),
// and sets a new password (the old one stops working, sessions end); every change is logged with who made it; the
// API's answers and statuses; the page's actions; and nobody but an administrator gets in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { callRoute, caseRefusal, postForm, refusedStatus, sessionUser, startRouteApp } from '../support/app';
import { createUser, listUsers, login, validateSession } from '../../src/lib/server/auth';
import { addUser, changeMyPassword, resetPassword, setActive, usersForAdmin, type UserAdmin } from '../../src/lib/server/auth/admin';
import type { Role } from '../../src/lib/types';
import * as listRoute from '../../src/routes/api/v1/users/+server';
import * as oneRoute from '../../src/routes/api/v1/users/[username]/+server';
import * as usersPage from '../../src/routes/(app)/settings/users/+page.server';
import * as accountPage from '../../src/routes/(app)/account/+page.server';
import * as accountRoute from '../../src/routes/api/v1/account/+server';
import * as accountPasswordRoute from '../../src/routes/api/v1/account/password/+server';
import { handle } from '../../src/hooks.server';

let a: App;
const logged: string[] = [];
const ctx = (username = 'chief', role: Role = 'admin'): UserAdmin => ({
	db: a.rel.db,
	ref: a.ref,
	demoMode: false,
	actor: { username, role },
	log: (line) => logged.push(line)
});
let client = 0;
const signIn = (username: string, password: string) => login(a.rel.db, username, password, `users-admin-${++client}`, 7);

beforeAll(async () => {
	a = await startRouteApp();
	await createUser(a.rel.db, { username: 'chief', displayName: '管理员甲', role: 'admin', password: 'desk-head-pw-1' });
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

const UNIT = 'M03';
const GOOD = { username: 'clerk.li', name: '李话务员', role: 'operator', password: 'clerk-password', confirm: 'clerk-password' };

describe('adding an account', () => {
	it('adds an operator and an undertaking unit handler, lists them without a hash, and logs who added them', async () => {
		const u = await addUser(ctx(), GOOD);
		expect(u).toMatchObject({ username: 'clerk.li', name: '李话务员', role: 'operator', unit: null, active: true, demo: false });
		expect((await signIn('clerk.li', 'clerk-password')).user.role).toBe('operator');
		const h = await addUser(ctx(), { username: 'handler1', name: ' 王承办 ', role: 'unit_handler', unit: UNIT, password: 'handler-password' });
		expect(h).toMatchObject({ name: '王承办', unit: UNIT, unitName: a.ref.unitByCode.get(UNIT)!.name });
		// a unit given with another role is not kept
		expect((await addUser(ctx(), { ...GOOD, username: 'leader1', role: 'leader', unit: UNIT })).unit).toBeNull();
		expect(logged).toContain(`用户：chief 新建账号 handler1（王承办，承办单位 · ${a.ref.unitByCode.get(UNIT)!.name}）`);
		expect(JSON.stringify(await usersForAdmin(ctx()))).not.toMatch(/argon2|hash/i);
	});

	it('refuses bad input naming the field in Chinese, and stores nothing', async () => {
		const before = (await listUsers(a.rel.db)).length;
		const cases: [Record<string, unknown>, string, string, RegExp][] = [
			[{ ...GOOD, username: '' }, 'invalid_input', 'username', /请填写用户名/],
			[{ ...GOOD, username: '李四' }, 'invalid_input', 'username', /用户名须为2–40位/],
			[{ ...GOOD, username: 'clerk.li' }, 'conflict', 'username', /clerk\.li 已存在/],
			[{ ...GOOD, username: 'n1', name: '  ' }, 'invalid_input', 'name', /请填写姓名/],
			[{ ...GOOD, username: 'n2', name: '名'.repeat(41) }, 'invalid_input', 'name', /不能超过 40 个字/],
			[{ ...GOOD, username: 'n3', name: '坏\u0000名' }, 'invalid_input', 'name', /空字符/],
			[{ ...GOOD, username: 'n4', role: '' }, 'invalid_input', 'role', /请选择角色/],
			[{ ...GOOD, username: 'n5', role: 'root' }, 'invalid_input', 'role', /未知角色「root」/],
			[{ ...GOOD, username: 'n6', role: 'unit_handler' }, 'invalid_input', 'unit', /必须选择所属单位/],
			[{ ...GOOD, username: 'n7', role: 'unit_handler', unit: 'X99' }, 'invalid_input', 'unit', /未知单位代码「X99」/],
			[{ ...GOOD, username: 'n8', password: 'short', confirm: 'short' }, 'invalid_input', 'password', /至少 8 位（现有 5 位）/],
			[{ ...GOOD, username: 'n9', password: 'x'.repeat(129), confirm: undefined }, 'invalid_input', 'password', /不能超过 128 位/],
			[{ ...GOOD, username: 'n10', confirm: 'clerk-passw0rd' }, 'invalid_input', 'confirm', /两次输入的密码不一致/],
			[{ ...GOOD, username: 'n11', name: 42 }, 'invalid_input', 'name', /姓名的格式不正确/],
			// the password rule (password-policy.ts): two kinds of characters, not the account's name, not a common one
			[{ ...GOOD, username: 'n12', password: 'onlyletters', confirm: 'onlyletters' }, 'invalid_input', 'password', /至少两种/],
			[{ ...GOOD, username: 'wang.wu', password: 'Wang.Wu-2026', confirm: 'Wang.Wu-2026' }, 'invalid_input', 'password', /不能包含用户名/],
			[{ ...GOOD, username: 'n13', password: 'Admin@123', confirm: 'Admin@123' }, 'invalid_input', 'password', /容易被猜中（与常用密码相近）/],
			[{ ...GOOD, username: 'n14', password: 'qwerty123', confirm: 'qwerty123' }, 'invalid_input', 'password', /过于常见/]
		];
		for (const [input, code, field, message] of cases) {
			const [c, f, m] = await caseRefusal(addUser(ctx(), input));
			expect([c, f], JSON.stringify(input)).toEqual([code, field]);
			expect(m).toMatch(message);
		}
		expect((await listUsers(a.rel.db)).length).toBe(before);
	});

	it('is for administrators only', async () => {
		expect(await caseRefusal(addUser(ctx('li', 'supervisor'), { ...GOOD, username: 'sneaky' }))).toEqual(['forbidden', null, '只有系统管理员可以管理用户']);
		expect((await caseRefusal(usersForAdmin(ctx('li', 'leader'))))[0]).toBe('forbidden');
	});
});

describe('disabling, enabling and a new password', () => {
	it('disables an account, ending its sessions, and enables it again', async () => {
		await addUser(ctx(), { ...GOOD, username: 'temp1', password: 'temp-password-1', confirm: 'temp-password-1' });
		const s = await signIn('temp1', 'temp-password-1');
		const off = await setActive(ctx(), 'temp1', false);
		expect([off.user.active, off.changed, off.sessionsEnded]).toEqual([false, true, 1]);
		expect(await validateSession(a.rel.db, s.token, 7)).toBeNull();
		await expect(signIn('temp1', 'temp-password-1')).rejects.toThrow();
		expect((await setActive(ctx(), 'temp1', false)).changed).toBe(false);
		expect(logged).toContain('用户：chief 停用账号 temp1（结束会话 1 个）');
		const on = await setActive(ctx(), 'temp1', true);
		expect([on.user.active, on.changed]).toEqual([true, true]);
		expect((await signIn('temp1', 'temp-password-1')).user.username).toBe('temp1');
	});

	it('does not disable the administrator’s own account, nor the last active administrator, nor an unknown one', async () => {
		expect((await caseRefusal(setActive(ctx(), 'chief', false))).slice(0, 2)).toEqual(['conflict', null]);
		await addUser(ctx(), { ...GOOD, username: 'chief2', role: 'admin' });
		// chief2 may disable chief, and then nobody may disable chief2, the last one
		expect((await setActive(ctx('chief2'), 'chief', false)).changed).toBe(true);
		const [code, , message] = await caseRefusal(setActive(ctx('someone'), 'chief2', false));
		expect([code, message]).toEqual(['conflict', 'chief2 是最后一个启用的系统管理员，不能停用：请先新建或启用另一个系统管理员']);
		expect((await setActive(ctx('chief2'), 'chief', true)).changed).toBe(true);
		expect((await caseRefusal(setActive(ctx(), 'nobody', false))).slice(0, 1)).toEqual(['not_found']);
	});

	it('sets a new password: the old one stops working and every session ends; a short or mismatched one is refused', async () => {
		const s = await signIn('temp1', 'temp-password-1');
		expect(await caseRefusal(resetPassword(ctx(), 'temp1', { password: 'new-one-2', confirm: 'new-one-3' }))).toEqual([
			'invalid_input',
			'confirm',
			'两次输入的密码不一致'
		]);
		expect((await caseRefusal(resetPassword(ctx(), 'temp1', { password: '1234567' })))[1]).toBe('password');
		expect((await caseRefusal(resetPassword(ctx(), 'nobody', { password: 'pw-ledger-9' })))[0]).toBe('not_found');
		expect(await validateSession(a.rel.db, s.token, 7)).not.toBeNull(); // refusals changed nothing
		const r = await resetPassword(ctx(), 'temp1', { password: 'new-one-2', confirm: 'new-one-2' });
		// this sign-in's and the one of the test before, after it enabled the account
		expect([r.sessionsEnded, r.self]).toEqual([2, false]);
		expect(await validateSession(a.rel.db, s.token, 7)).toBeNull();
		await expect(signIn('temp1', 'temp-password-1')).rejects.toThrow();
		expect((await signIn('temp1', 'new-one-2')).user.username).toBe('temp1');
		expect(logged).toContain('用户：chief 重设账号 temp1 的密码（结束会话 2 个）');
		expect(logged.join('\n')).not.toContain('new-one-2');
	});
});

// --- the API and the page through their handlers, as SvelteKit calls them ------------------------------------

type Handler = (event: never) => Response | Promise<Response>;

const call = (handler: Handler, role: Role, init: { method?: string; username?: string; body?: unknown; as?: string } = {}) =>
	callRoute(handler, `/api/v1/users${init.username ? `/${init.username}` : ''}`, { ...init, role, params: init.username ? { username: init.username } : {} });

describe('the API', () => {
	it('adds (201 with Location), reads, disables, enables and sets a password, with the right statuses', async () => {
		const created = await call(listRoute.POST as Handler, 'admin', { method: 'POST', body: { username: 'api.user', name: '接口用户', role: 'analyst', password: 'api-ledger-77' } });
		expect(created.status).toBe(201);
		expect(created.headers.get('location')).toBe('/api/v1/users/api.user');
		expect(created.body.user).toMatchObject({ username: 'api.user', role: 'analyst', active: true });
		expect((await call(listRoute.POST as Handler, 'admin', { method: 'POST', body: { username: 'api.user', name: 'x', role: 'analyst', password: 'api-ledger-77' } })).status).toBe(409);
		const bad = await call(listRoute.POST as Handler, 'admin', { method: 'POST', body: { username: 'api2', name: 'x', role: 'analyst', password: 'short' } });
		expect([bad.status, (bad.body.error as { field: string }).field]).toEqual([400, 'password']);
		expect((await call(listRoute.POST as Handler, 'admin', { method: 'POST', body: '{' })).status).toBe(400);

		const list = await call(listRoute.GET as Handler, 'admin');
		expect((list.body.users as { username: string }[]).map((u) => u.username)).toContain('api.user');
		// no hash of a password (the flag mustChangePassword is no secret)
		expect(JSON.stringify(list.body).replaceAll('mustChangePassword', '')).not.toMatch(/password|argon2/i);
		expect((await call(oneRoute.GET as Handler, 'admin', { username: 'api.user' })).body.user).toMatchObject({ name: '接口用户' });
		expect((await call(oneRoute.GET as Handler, 'admin', { username: 'nobody' })).status).toBe(404);

		const off = await call(oneRoute.PATCH as Handler, 'admin', { method: 'PATCH', username: 'api.user', body: { active: false } });
		expect([off.status, off.body.changed, (off.body.user as { active: boolean }).active]).toEqual([200, true, false]);
		expect((await call(oneRoute.PATCH as Handler, 'admin', { method: 'PATCH', username: 'api.user', body: { active: 'no' } })).status).toBe(400);
		expect((await call(oneRoute.PATCH as Handler, 'admin', { method: 'PATCH', username: 'api.user', body: {} })).status).toBe(400);
		expect((await call(oneRoute.PATCH as Handler, 'admin', { method: 'PATCH', username: 'api.user', body: { active: true, password: 'another-ledger-5' } })).status).toBe(400);
		// one's own account
		expect((await call(oneRoute.PATCH as Handler, 'admin', { method: 'PATCH', username: 'chief', as: 'chief', body: { active: false } })).status).toBe(409);
		const on = await call(oneRoute.PATCH as Handler, 'admin', { method: 'PATCH', username: 'api.user', body: { active: true } });
		expect((on.body.user as { active: boolean }).active).toBe(true);
		const pw = await call(oneRoute.PATCH as Handler, 'admin', { method: 'PATCH', username: 'api.user', body: { password: 'api-password-2' } });
		expect([pw.status, pw.body.sessions_ended]).toEqual([200, 0]);
		expect((await signIn('api.user', 'api-password-2')).user.username).toBe('api.user');
	});

	it('refuses everyone but an administrator', async () => {
		for (const role of ['leader', 'analyst', 'emergency', 'operator', 'dispatcher', 'supervisor', 'unit_handler'] as Role[]) {
			expect(await refusedStatus(call(listRoute.GET as Handler, role)), role).toBe(403);
			expect(await refusedStatus(call(listRoute.POST as Handler, role, { method: 'POST', body: { ...GOOD, username: 'nope' } })), role).toBe(403);
			expect(await refusedStatus(call(oneRoute.GET as Handler, role, { username: 'api.user' })), role).toBe(403);
			expect(await refusedStatus(call(oneRoute.PATCH as Handler, role, { method: 'PATCH', username: 'api.user', body: { active: false } })), role).toBe(403);
		}
		expect((await listUsers(a.rel.db)).find((u) => u.username === 'api.user')?.active).toBe(true);
	});
});

describe('the page (设置 › 用户)', () => {
	const form = (action: 'add' | 'disable' | 'enable' | 'password', fields: Record<string, string>, as = 'chief') =>
		postForm(usersPage.actions[action], '/settings/users', fields, as);

	it('adds an account, and on a refusal keeps what was typed but not the passwords', async () => {
		const refused = await form('add', { username: 'page.user', name: '页面用户', role: 'dispatcher', unit: '', password: 'page-ledger-31', confirm: 'page-ledger-31X' });
		expect([refused.status, refused.data?.field]).toEqual([400, 'confirm']);
		expect(refused.data?.values).toEqual({ username: 'page.user', name: '页面用户', role: 'dispatcher', unit: '' });
		const saved = await form('add', { username: 'page.user', name: '页面用户', role: 'dispatcher', unit: '', password: 'page-ledger-31', confirm: 'page-ledger-31' });
		expect(saved.saved).toBe('已新建账号 page.user（页面用户，派单员），可用所设密码登录，首次登录须先修改密码');
		expect((await form('disable', { username: 'page.user' })).saved).toBe('已停用 page.user：该账号不能再登录，可随时启用');
		expect((await form('disable', { username: 'chief' })).status).toBe(409);
		expect((await form('enable', { username: 'page.user' })).saved).toBe('已启用 page.user，可用原密码登录');
	});

	it('sends an administrator who set their own password to sign in again', async () => {
		const r = await form('password', { username: 'chief2', password: 'second-head-pw-2', confirm: 'second-head-pw-2' }, 'chief2').then(
			() => null,
			(e: unknown) => e as { status: number; location: string }
		);
		expect([r?.status, r?.location]).toEqual([303, '/login']);
		expect((await signIn('chief2', 'second-head-pw-2')).user.username).toBe('chief2');
	});

	it('lists the accounts filtered by words and role, and counts them all', async () => {
		const load = (query: string) =>
			usersPage.load({ locals: { user: sessionUser('admin', 'chief') }, url: new URL(`http://localhost/settings/users${query}`) } as never) as Promise<{
				users: { username: string }[];
				counts: { all: number; active: number };
				badRole: string | null;
				passwordFor: string | null;
			}>;
		const all = await load('');
		expect(all.counts.all).toBe((await listUsers(a.rel.db)).length);
		expect((await load('?q=王承办')).users.map((u) => u.username)).toEqual(['handler1']);
		expect((await load('?q=' + encodeURIComponent(a.ref.unitByCode.get(UNIT)!.name))).users.map((u) => u.username)).toEqual(['handler1']);
		expect((await load('?role=admin')).users.map((u) => u.username).sort()).toEqual(['chief', 'chief2']);
		const odd = await load('?role=root&password=nobody');
		expect([odd.badRole, odd.users.length, odd.passwordFor]).toEqual(['root', all.users.length, null]);
		expect((await load('?password=temp1')).passwordFor).toBe('temp1');
	});
});

describe('one’s own password (我的账号)', () => {
	it('needs the right current password, differs from it, ends the other sessions and keeps the one in use', async () => {
		await addUser(ctx(), { username: 'own.pw', name: '自己改密码', role: 'dispatcher', password: 'own-password-1' });
		const here = await signIn('own.pw', 'own-password-1');
		const there = await signIn('own.pw', 'own-password-1');
		const me = { id: here.user.id, username: 'own.pw' };
		const change = (raw: Record<string, unknown>, client = 'own-client') => changeMyPassword(a.rel.db, me, raw, { client, token: here.token, log: (l) => logged.push(l) });
		expect(await caseRefusal(change({ current: '', password: 'own-password-2' }))).toEqual(['invalid_input', 'current', '请填写当前密码']);
		expect(await caseRefusal(change({ current: 'wrong-password', password: 'own-password-2' }))).toEqual(['invalid_input', 'current', '当前密码不正确']);
		expect(await caseRefusal(change({ current: 'own-password-1', password: 'own-password-1' }))).toEqual(['invalid_input', 'password', '新密码不能与当前密码相同']);
		expect((await caseRefusal(change({ current: 'own-password-1', password: 'own-password-2', confirm: 'own-password-3' })))[1]).toBe('confirm');
		expect((await caseRefusal(change({ current: 'own-password-1', password: 'short' })))[1]).toBe('password');
		expect(await caseRefusal(change({ current: 'own-password-1', password: 'my-own.pw-2' }))).toEqual(['invalid_input', 'password', '密码不能包含用户名']);
		expect(await validateSession(a.rel.db, there.token, 7)).not.toBeNull(); // nothing changed yet

		expect(await change({ current: 'own-password-1', password: 'own-password-2', confirm: 'own-password-2' })).toEqual({ sessionsEnded: 1 });
		expect(await validateSession(a.rel.db, there.token, 7)).toBeNull();
		expect((await validateSession(a.rel.db, here.token, 7))?.username).toBe('own.pw');
		await expect(signIn('own.pw', 'own-password-1')).rejects.toThrow();
		expect((await signIn('own.pw', 'own-password-2')).user.username).toBe('own.pw');
		expect(logged).toContain('用户：own.pw 修改了自己的密码（结束其他会话 1 个）');
		expect(logged.join('\n')).not.toMatch(/own-password/);
	});

	it('counts a wrong current password as a failed sign-in: after 10 from one address that address waits', async () => {
		await addUser(ctx(), { username: 'guessed', name: '被猜密码', role: 'analyst', password: 'pw-to-guess-1' });
		const s = await signIn('guessed', 'pw-to-guess-1');
		const me = { id: s.user.id, username: 'guessed' };
		const guess = (current: string) => changeMyPassword(a.rel.db, me, { current, password: 'taken-over-1' }, { client: 'thief', token: s.token });
		for (let i = 0; i < 10; i++) expect((await caseRefusal(guess(`guess-${i}`)))[2]).toBe('当前密码不正确');
		// the right one is refused too now, from that address; a sign-in from it as well
		expect((await caseRefusal(guess('pw-to-guess-1')))[2]).toMatch(/登录失败次数过多/);
		await expect(login(a.rel.db, 'guessed', 'pw-to-guess-1', 'thief', 7)).rejects.toThrow(/登录失败次数过多/);
		await expect(login(a.rel.db, 'guessed', 'taken-over-1', 'elsewhere', 7)).rejects.toThrow('用户名或密码错误');
	});

	it('the page changes it for whoever is signed in, and names the field it refuses', async () => {
		await addUser(ctx(), { username: 'unit.pw', name: '承办改密码', role: 'unit_handler', unit: UNIT, password: 'unit-password-1' });
		const s = await signIn('unit.pw', 'unit-password-1');
		const post = async (fields: Record<string, string>) => {
			const fd = new FormData();
			for (const [k, v] of Object.entries(fields)) fd.set(k, v);
			const request = new Request('http://localhost/account', { method: 'POST', body: fd });
			return accountPage.actions.password({
				request,
				locals: { user: s.user },
				cookies: { get: (name: string) => (name === 'mq_session' ? s.token : undefined) },
				getClientAddress: () => '10.0.0.9'
			} as never) as Promise<{ status?: number; data?: { field?: string; message?: string }; saved?: string }>;
		};
		const wrong = await post({ current: 'nope-nope', password: 'unit-password-2', confirm: 'unit-password-2' });
		expect([wrong.status, wrong.data?.field, wrong.data?.message]).toEqual([400, 'current', '当前密码不正确']);
		const ok = await post({ current: 'unit-password-1', password: 'unit-password-2', confirm: 'unit-password-2' });
		expect(ok.saved).toBe('密码已修改。下次登录请使用新密码。');
		expect((await validateSession(a.rel.db, s.token, 7))?.username).toBe('unit.pw');
		expect((await signIn('unit.pw', 'unit-password-2')).user.role).toBe('unit_handler');
	});

	it('the API says who is signed in and changes their password (400 naming the field on a wrong current one)', async () => {
		await addUser(ctx(), { username: 'api.pw', name: '接口改密码', role: 'supervisor', password: 'api-pw-password-1' });
		const s = await signIn('api.pw', 'api-pw-password-1');
		const other = await signIn('api.pw', 'api-pw-password-1');
		const event = (body?: unknown) => ({
			request: new Request('http://localhost/api/v1/account/password', {
				method: 'POST',
				body: body === undefined ? undefined : JSON.stringify(body),
				headers: { 'content-type': 'application/json' }
			}),
			locals: { user: s.user },
			cookies: { get: (name: string) => (name === 'mq_session' ? s.token : undefined) },
			getClientAddress: () => '10.0.0.10'
		});
		const me = await (accountRoute.GET as Handler)(event() as never);
		expect(await me.json()).toEqual({ user: { username: 'api.pw', name: '接口改密码', role: 'supervisor', unit: null, unitName: null } });
		const wrong = await (accountPasswordRoute.POST as Handler)(event({ current: 'wrong-one', password: 'api-pw-password-2' }) as never);
		expect([wrong.status, ((await wrong.json()) as { error: { field: string } }).error.field]).toEqual([400, 'current']);
		const ok = await (accountPasswordRoute.POST as Handler)(event({ current: 'api-pw-password-1', password: 'api-pw-password-2' }) as never);
		expect([ok.status, await ok.json()]).toEqual([200, { sessions_ended: 1 }]);
		expect(await validateSession(a.rel.db, other.token, 7)).toBeNull();
		expect((await validateSession(a.rel.db, s.token, 7))?.username).toBe('api.pw');
	});
});

describe('the password an administrator set', () => {
	/** A request through the server's hook with this session, answered 'through' when the hook lets it pass. */
	const through = async (token: string, path: string, method = 'GET') => {
		const url = new URL(`http://localhost${path}`);
		const event = {
			url,
			request: new Request(url, { method, headers: method === 'GET' ? {} : { origin: 'http://localhost', 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' }),
			cookies: { get: (name: string) => (name === 'mq_session' ? token : undefined), set: () => {}, delete: () => {} },
			locals: {} as { user?: unknown }
		};
		try {
			return await handle({ event: event as never, resolve: (async () => new Response('through')) as never });
		} catch (e) {
			// SvelteKit's redirect(…) is thrown
			const r = e as { status?: number; location?: string };
			if (r.status && r.location) return new Response(null, { status: r.status, headers: { location: r.location } });
			throw e;
		}
	};

	it('is changed at the first sign-in before anything else: pages go to 我的账号, the API answers 403 until then', async () => {
		await addUser(ctx(), { username: 'first.time', name: '新同事', role: 'dispatcher', password: 'first-pass-123' });
		expect((await usersForAdmin(ctx())).find((u) => u.username === 'first.time')).toMatchObject({ mustChangePassword: true });
		const s = await signIn('first.time', 'first-pass-123');
		expect(s.user.mustChangePassword).toBe(true);

		const page = await through(s.token, '/dispatch');
		expect([page.status, page.headers.get('location')]).toEqual([303, '/account']);
		const api = await through(s.token, '/api/v1/tickets');
		expect(api.status).toBe(403);
		expect(await api.json()).toEqual({ error: { code: 'password_change_required', message: '管理员为您设置了初始密码：请先在「我的账号」中修改密码，再使用系统' } });
		const form = await through(s.token, '/dispatch?/act', 'POST');
		expect(form.status).toBe(403);
		// what it may reach: 我的账号 (page and API), signing out, the public pages
		for (const path of ['/account', '/api/v1/account', '/logout', '/login', '/healthz']) expect(await (await through(s.token, path)).text(), path).toBe('through');
		expect(await (await through(s.token, '/api/v1/account/password', 'POST')).text()).toBe('through');
		const load = (await accountPage.load({ locals: { user: s.user } } as never)) as { mustChange: boolean };
		expect(load.mustChange).toBe(true);

		// changed: the same session goes on everywhere, and the mark is gone from the list
		await changeMyPassword(a.rel.db, { id: s.user.id, username: 'first.time' }, { current: 'first-pass-123', password: 'second-pass-456' }, { client: 'first', token: s.token });
		expect(await (await through(s.token, '/dispatch')).text()).toBe('through');
		expect((await validateSession(a.rel.db, s.token, 7))?.mustChangePassword).toBeUndefined();
		expect((await usersForAdmin(ctx())).find((u) => u.username === 'first.time')).toMatchObject({ mustChangePassword: false });
	});

	it('is set again by a reset of someone else’s password, not of the administrator’s own', async () => {
		await resetPassword(ctx(), 'first.time', { password: 'reset-by-admin-1' });
		expect((await signIn('first.time', 'reset-by-admin-1')).user.mustChangePassword).toBe(true);
		await createUser(a.rel.db, { username: 'chief3', displayName: '管理员丙', role: 'admin', password: 'third-head-pw-3' });
		await resetPassword(ctx('chief3'), 'chief3', { password: 'third-head-new-pw' });
		expect((await signIn('chief3', 'third-head-new-pw')).user.mustChangePassword).toBeUndefined();
		// an account made without an administrator setting its password for someone (the command line, the demo) is not marked
		expect((await usersForAdmin(ctx())).find((u) => u.username === 'chief')).toMatchObject({ mustChangePassword: false });
	});
});
