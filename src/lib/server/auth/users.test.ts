// Cutting off a user or a token against an in-memory relational store: disabling, enabling, a new password, the
// last active administrator, and revoking an API token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { migrationsDir, openRelational, type RelationalStore } from '../db/index';
import { AuthError, createUser, listUsers, login, setPassword, setUserActive, validateSession } from './index';
import { createApiToken, listApiTokens, revokeApiToken, verifyApiKey } from './tokens';

let store: RelationalStore;

beforeAll(async () => {
	store = await openRelational({ databaseUrl: null, dataDir: ':memory:', migrationsDir: migrationsDir(resolve(import.meta.dirname, '../../../..')) });
});
afterAll(async () => {
	await store?.close();
});

const PASSWORD = 'first-password';
let client = 0;
/** A sign-in from a client of its own (the throttle counts failures per user name and client). */
const signIn = (username: string, password = PASSWORD) => login(store.db, username, password, `client-${++client}`, 7);
/** [code, message] of the AuthError the promise is refused with; null when it is not refused. */
const refusal = (p: Promise<unknown>): Promise<string[] | null> =>
	p.then(
		() => null,
		(e: unknown) => {
			if (e instanceof AuthError) return [e.code, e.message];
			throw e;
		}
	);

describe('disabling a user', () => {
	it('ends their sessions at once, even one just checked, and login refuses them as it refuses a wrong password', async () => {
		await createUser(store.db, { username: 'clerk', displayName: '话务员甲', role: 'operator', password: PASSWORD });
		const a = await signIn('clerk');
		const b = await signIn('clerk');
		expect((await validateSession(store.db, a.token, 7))?.username).toBe('clerk'); // now trusted for a few seconds
		expect(await setUserActive(store.db, 'clerk', false)).toEqual({ username: 'clerk', active: false, changed: true, sessionsEnded: 2 });
		expect(await validateSession(store.db, a.token, 7)).toBeNull();
		expect(await validateSession(store.db, b.token, 7)).toBeNull();
		const wrong = await refusal(signIn('clerk', 'not-the-password'));
		expect(wrong).toEqual(['bad_credentials', '用户名或密码错误']);
		// the right password of a disabled account: the same answer, nothing says the account exists
		expect(await refusal(signIn('clerk'))).toEqual(wrong);
		expect(await refusal(signIn('nobody_here'))).toEqual(wrong);
		// again: nothing to change
		expect(await setUserActive(store.db, 'clerk', false)).toEqual({ username: 'clerk', active: false, changed: false, sessionsEnded: 0 });
		expect(await setUserActive(store.db, 'clerk', true)).toEqual({ username: 'clerk', active: true, changed: true, sessionsEnded: 0 });
		expect((await signIn('clerk')).user.username).toBe('clerk');
		expect(await refusal(setUserActive(store.db, 'nobody_here', false))).toEqual(['not_found', '用户 nobody_here 不存在']);
	});

	it('refuses to disable the last active administrator, also when two are disabled at once', async () => {
		await createUser(store.db, { username: 'root1', displayName: '管理员一', role: 'admin', password: PASSWORD });
		await createUser(store.db, { username: 'root2', displayName: '管理员二', role: 'admin', password: PASSWORD });
		const both = await Promise.allSettled([setUserActive(store.db, 'root1', false), setUserActive(store.db, 'root2', false)]);
		expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		const left = (await listUsers(store.db)).filter((u) => u.role === 'admin' && u.active).map((u) => u.username);
		expect(left).toHaveLength(1);
		expect(await refusal(setUserActive(store.db, left[0], false))).toEqual([
			'conflict',
			`${left[0]} 是最后一个启用的系统管理员，不能停用：请先新建或启用另一个系统管理员`
		]);
		// another one enabled: now either may go
		const other = left[0] === 'root1' ? 'root2' : 'root1';
		await setUserActive(store.db, other, true);
		expect((await setUserActive(store.db, left[0], false)).changed).toBe(true);
	});

	it('enables a demo account only in demo mode (outside it, its password is published)', async () => {
		await createUser(store.db, { username: 'demo_x', displayName: '演示', role: 'leader', password: PASSWORD, demo: true });
		await setUserActive(store.db, 'demo_x', false);
		expect((await refusal(setUserActive(store.db, 'demo_x', true)))?.[0]).toBe('conflict');
		expect((await setUserActive(store.db, 'demo_x', true, { demoMode: true })).active).toBe(true);
	});

	it('lists users without their password hashes', async () => {
		const list = await listUsers(store.db);
		expect(list.find((u) => u.username === 'clerk')).toEqual({
			username: 'clerk',
			name: '话务员甲',
			role: 'operator',
			unit: null,
			unitName: null,
			active: true,
			demo: false,
			mustChangePassword: false,
			createdAt: expect.any(String)
		});
		expect(JSON.stringify(list)).not.toMatch(/argon2/);
	});
});

describe('a new password', () => {
	it('replaces the old one and ends every session of the user', async () => {
		await createUser(store.db, { username: 'lead', displayName: '领导', role: 'leader', password: PASSWORD });
		const s = await signIn('lead');
		expect(await refusal(setPassword(store.db, 'lead', 'short'))).toEqual(['invalid_input', '密码至少 8 位（现有 5 位）']);
		expect(await setPassword(store.db, 'lead', 'second-password')).toEqual({ username: 'lead', sessionsEnded: 1 });
		expect(await validateSession(store.db, s.token, 7)).toBeNull();
		expect(await refusal(signIn('lead'))).toEqual(['bad_credentials', '用户名或密码错误']);
		expect((await signIn('lead', 'second-password')).user.username).toBe('lead');
		expect(await refusal(setPassword(store.db, 'nobody_here', 'second-password'))).toEqual(['not_found', '用户 nobody_here 不存在']);
	});
});

describe('revoking an API token', () => {
	it('refuses the token from then on; the list shows it revoked, never the token', async () => {
		const t = await createApiToken(store.db, { name: '区分中心', sourceName: 'district-feed', scopes: ['ingest'] });
		expect(await verifyApiKey(store.db, t.token, 'ingest')).toMatchObject({ id: t.id });
		const [listed] = (await listApiTokens(store.db)).filter((x) => x.id === t.id);
		expect(listed).toEqual({
			id: t.id,
			name: '区分中心',
			source: 'district-feed',
			scopes: ['ingest'],
			createdAt: expect.any(String),
			lastUsedAt: expect.any(String),
			revoked: false,
			revokedAt: null
		});
		const r = await revokeApiToken(store.db, t.id);
		expect(r).toMatchObject({ changed: true, token: { id: t.id, revoked: true, revokedAt: expect.any(String) } });
		expect(await verifyApiKey(store.db, t.token, 'ingest')).toBeNull();
		expect(await revokeApiToken(store.db, t.id)).toEqual({ changed: false, token: r!.token });
		expect(await revokeApiToken(store.db, 99_999)).toBeNull();
		const all = JSON.stringify(await listApiTokens(store.db));
		expect(all).not.toContain(t.token);
		expect(all).not.toMatch(/[0-9a-f]{64}/); // nor its hash
	});
});
