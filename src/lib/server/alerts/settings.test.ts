// Watch-list settings against an in-memory relational store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadReference } from '$pipelines/reference/index';
import { migrationsDir, openRelational, type RelationalStore } from '../db/index';
import { listWatchlists, saveWatchlist } from './settings';
import { alerts, silences } from '../db/schema';
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

	it('refuses another list\'s identifier when adding and when editing, with the same message', async () => {
		const alpha = await saveWatchlist(store.db, ref, list('alpha', '甲'), null);
		const beta = await saveWatchlist(store.db, ref, list('beta', '乙'), null);
		await expect(saveWatchlist(store.db, ref, list('alpha', '丙'), null)).rejects.toThrow(new AlertError('invalid_input', '标识 alpha 已被使用'));
		// editing beta to alpha's identifier: the same clear message, not the unique index's failed query
		await expect(saveWatchlist(store.db, ref, list('alpha', '乙'), beta.id)).rejects.toThrow(new AlertError('invalid_input', '标识 alpha 已被使用'));
		// a list keeps its own identifier when edited
		expect((await saveWatchlist(store.db, ref, list('alpha', '甲（改）'), alpha.id)).name).toBe('甲（改）');
		const slugs = (await listWatchlists(store.db)).map((w) => [w.slug, w.name]);
		expect(slugs).toEqual(expect.arrayContaining([['alpha', '甲（改）'], ['beta', '乙']]));
	});

	it('takes the alerts and silences of a list along when its identifier changes', async () => {
		const w = await saveWatchlist(store.db, ref, list('gamma', '丙'), null);
		const now = new Date();
		const alert = (topicKey: string, watchlistSlug: string | null): typeof alerts.$inferInsert => ({
			title: '测试预警', status: 'new', signal: 'firing', severity: 3, watchlistSlug, topicKey, placeLevel: 'city', placeCode: '3205',
			places: [], series: [], bucket: 'hour', startedAt: now, lastFiringAt: now, observed: 9, expected: 1, upper: 4, score: 0.9
		});
		const [own, merged, other] = await store.db
			.insert(alerts)
			.values([alert('wl:gamma', 'gamma'), alert('cat:0101', 'gamma'), alert('wl:delta', 'delta')])
			.returning({ id: alerts.id });
		await store.db.insert(silences).values({ matchers: { watchlist: 'gamma', district: '320508' }, startsAt: now, endsAt: now, comment: '测试' });
		await saveWatchlist(store.db, ref, list('gamma_water', '丙'), w.id);
		const rows = await store.db.select({ id: alerts.id, slug: alerts.watchlistSlug, topic: alerts.topicKey }).from(alerts);
		const of = (id: number) => rows.find((r) => r.id === id);
		expect(of(own.id)).toMatchObject({ slug: 'gamma_water', topic: 'wl:gamma_water' });
		expect(of(merged.id)).toMatchObject({ slug: 'gamma_water', topic: 'cat:0101' }); // its topic is a category's
		expect(of(other.id)).toMatchObject({ slug: 'delta', topic: 'wl:delta' });
		const [s] = await store.db.select({ m: silences.matchers }).from(silences);
		expect(s.m).toEqual({ watchlist: 'gamma_water', district: '320508' });
	});
});
