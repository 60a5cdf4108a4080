// Watch-list settings against an in-memory relational store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadReference } from '$pipelines/reference/index';
import { migrationsDir, openRelational, type RelationalStore } from '../db/index';
import { listWatchlists, listWebhooks, saveWatchlist, saveWebhook } from './settings';
import { AlertError } from './store';

const ref = loadReference();
let store: RelationalStore;

beforeAll(async () => {
	store = await openRelational({ databaseUrl: null, dataDir: ':memory:', migrationsDir: migrationsDir(resolve(import.meta.dirname, '../../../..')) });
});
afterAll(async () => {
	await store?.close();
});

describe('saveWatchlist', () => {
	const list = (slug: string, name: string) => ({ slug, name, terms: ['积水', '内涝'], categories: [], severity: 3, unit: null });

	it('refuses another list\'s identifier when adding, and any other identifier when editing, with a clear message', async () => {
		const alpha = await saveWatchlist(store.db, ref, list('alpha', '甲'), null);
		const beta = await saveWatchlist(store.db, ref, list('beta', '乙'), null);
		await expect(saveWatchlist(store.db, ref, list('alpha', '丙'), null)).rejects.toThrow(new AlertError('invalid_input', '标识 alpha 已被使用'));
		// editing beta to alpha's identifier: a clear message (the identifier is fixed), not the unique index's failed query
		await expect(saveWatchlist(store.db, ref, { ...list('alpha', '乙'), version: beta.version }, beta.id)).rejects.toThrow(
			new AlertError('invalid_input', '关注词表的标识创建后不能修改（预警、静默规则按标识 beta 引用它）；如需改名，请修改名称')
		);
		// nor to a free one: alerts and silences refer to a list by its identifier
		await expect(saveWatchlist(store.db, ref, { ...list('beta_two', '乙'), version: beta.version }, beta.id)).rejects.toThrow(
			new AlertError('invalid_input', '关注词表的标识创建后不能修改（预警、静默规则按标识 beta 引用它）；如需改名，请修改名称')
		);
		// a list keeps its own identifier when edited
		expect((await saveWatchlist(store.db, ref, { ...list('alpha', '甲（改）'), version: alpha.version }, alpha.id)).name).toBe('甲（改）');
		const slugs = (await listWatchlists(store.db)).map((w) => [w.slug, w.name]);
		expect(slugs).toEqual(expect.arrayContaining([['alpha', '甲（改）'], ['beta', '乙']]));
	});
});

describe('saveWebhook', () => {
	it('refuses an address with a user name or password, naming the field, when adding and when editing', async () => {
		const hook = (url: string) => ({ name: '值班系统', url, format: 'json', minSeverity: 4 });
		for (const url of ['http://user:pass@127.0.0.1:4399/cred', 'https://token@hooks.example.cn/x', 'http://:pw@127.0.0.1/'])
			await expect(saveWebhook(store.db, hook(url), null), url).rejects.toThrow(new AlertError('invalid_input', '地址不能包含用户名和密码'));
		const saved = await saveWebhook(store.db, hook('http://127.0.0.1:4399/cred'), null);
		await expect(saveWebhook(store.db, { ...hook('http://user:pass@127.0.0.1:4399/cred'), version: saved.version }, saved.id)).rejects.toThrow(
			new AlertError('invalid_input', '地址不能包含用户名和密码')
		);
		expect((await listWebhooks(store.db)).map((h) => h.url)).toEqual(['http://127.0.0.1:4399/cred']);
	});
	it('keeps a robot’s secret when the address is saved as the form shows it (masked), and refuses a masked value it does not know', async () => {
		const token = 'c0ffee00aa11bb22cc33dd44';
		const saved = await saveWebhook(store.db, { name: '钉钉值班群', url: `https://oapi.dingtalk.com/robot/send?access_token=${token}`, format: 'dingtalk', minSeverity: 4 }, null);
		const shown = 'https://oapi.dingtalk.com/robot/send?access_token=c0ff…';
		const edited = await saveWebhook(store.db, { name: '钉钉值班群', url: shown, format: 'dingtalk', minSeverity: 2, version: saved.version }, saved.id);
		expect([edited.url, edited.minSeverity]).toEqual([`https://oapi.dingtalk.com/robot/send?access_token=${token}`, 2]);
		await expect(
			saveWebhook(store.db, { name: '钉钉值班群', url: 'https://oapi.dingtalk.com/robot/send?access_token=dead…', format: 'dingtalk', minSeverity: 2, version: edited.version }, saved.id)
		).rejects.toThrow(new AlertError('invalid_input', '地址中的密钥（如 access_token、key）显示时已隐藏，请粘贴完整的地址'));
		await expect(saveWebhook(store.db, { name: '新群', url: shown, format: 'dingtalk', minSeverity: 4 }, null)).rejects.toThrow(
			new AlertError('invalid_input', '地址中的密钥（如 access_token、key）显示时已隐藏，请粘贴完整的地址')
		);
	});
});
