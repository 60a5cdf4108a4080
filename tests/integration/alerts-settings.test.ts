// 设置 › 预警 through its page's actions, over a store without demo data: two administrators at once. A watch list
// or a receiver is saved at the version its form was drawn with; a save after another's is refused (409) with what
// was typed kept, never silently undoing the first; of two endings of one silence, one is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { startRouteApp } from '../support/app';
import { startSilence } from '../../src/lib/server/alerts/service';
import { listWatchlists, listWebhooks } from '../../src/lib/server/alerts/settings';
import { actions, load } from '../../src/routes/(app)/settings/alerts/+page.server';

let app: App;

beforeAll(async () => {
	app = await startRouteApp();
}, 120_000);

afterAll(async () => {
	// (the detection rounds the saves asked for are not waited for: stopping ends them)
	if (app) await stopApp(app);
});

const admin = { id: 1, username: 'admin', displayName: '管理员', role: 'admin', unitCode: null, unitName: null };

interface Outcome {
	status: number;
	form?: string;
	saved?: string;
	message?: string;
	values?: Record<string, unknown>;
}

/** Posts the form to the page's action as the browser does; its answer, with 200 for a success. */
async function post(action: keyof typeof actions, fields: Record<string, string | number | boolean>): Promise<Outcome> {
	const body = new FormData();
	for (const [k, v] of Object.entries(fields)) if (v !== false) body.set(k, v === true ? 'on' : String(v));
	const request = new Request(`http://localhost/settings/alerts?/${action}`, { method: 'POST', body });
	const r = (await actions[action]({ locals: { user: admin }, request } as never)) as
		| { status: number; data: Omit<Outcome, 'status'> }
		| Omit<Outcome, 'status'>;
	return 'status' in r && 'data' in r ? { status: r.status, ...r.data } : { status: 200, ...r };
}

/** What the page is drawn with (the parts these tests read). */
interface Page {
	watchlists: { id: number; slug: string; name: string; terms: string[]; categories: { code: string }[]; severity: number; unit: string | null; enabled: boolean; version: number }[];
	webhooks: { id: number; name: string; url: string; format: string; minSeverity: number; enabled: boolean; version: number }[];
}
const page = async () => (await load({ locals: { user: admin } } as never)) as unknown as Page;

describe('two administrators editing one watch list', () => {
	it('keep both changes apart: the second save, at the version both saw, is refused with 409 and its terms kept', async () => {
		const w = (await page()).watchlists.find((x) => x.slug === 'flood_drought')!;
		expect(w.version).toBe(1);
		const form = (terms: string[]) => ({
			id: w.id,
			version: w.version,
			slug: w.slug,
			name: w.name,
			terms: terms.join('、'),
			categories: w.categories.map((c) => c.code).join(' '),
			severity: w.severity,
			unit: w.unit ?? '',
			enabled: w.enabled
		});
		const first = await post('watchlist', form([...w.terms, '管涌']));
		expect(first).toMatchObject({ status: 200, saved: expect.stringContaining('已保存') });
		const second = await post('watchlist', form([...w.terms, '溃堤']));
		expect(second).toMatchObject({
			status: 409,
			form: `watchlist-${w.id}`,
			message: `关注词表「${w.name}」已被他人修改，请刷新后重试`,
			values: expect.objectContaining({ terms: [...w.terms, '溃堤'].join('、') })
		});
		const stored = (await listWatchlists(app.rel.db)).find((x) => x.id === w.id)!;
		expect(stored.terms).toContain('管涌');
		expect(stored.terms).not.toContain('溃堤');
		expect(stored.version).toBe(2);
		// drawn afresh, the form carries the new version and saves
		const fresh = (await page()).watchlists.find((x) => x.id === w.id)!;
		expect(fresh.version).toBe(2);
		expect(await post('watchlist', { ...form([...fresh.terms, '溃堤']), version: fresh.version })).toMatchObject({ status: 200 });
		expect((await listWatchlists(app.rel.db)).find((x) => x.id === w.id)!.terms).toEqual(expect.arrayContaining(['管涌', '溃堤']));
	});

	it('saving at once: one save wins, the other is refused, whichever comes first', async () => {
		const w = (await page()).watchlists.find((x) => x.slug === 'typhoon')!;
		const form = (term: string) => ({ id: w.id, version: w.version, slug: w.slug, name: w.name, terms: [...w.terms, term].join('、'), categories: '', severity: w.severity, unit: w.unit ?? '', enabled: true });
		const both = await Promise.all([post('watchlist', form('甲词')), post('watchlist', form('乙词'))]);
		expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
		const terms = (await listWatchlists(app.rel.db)).find((x) => x.id === w.id)!.terms;
		expect(terms.filter((t) => t === '甲词' || t === '乙词')).toHaveLength(1);
	});

	it('refuses an edit without the version (a page drawn before versions), asking for a refresh', async () => {
		const w = (await page()).watchlists[0];
		const r = await post('watchlist', { id: w.id, slug: w.slug, name: w.name, terms: w.terms.join('、'), severity: w.severity, enabled: true });
		expect(r).toMatchObject({ status: 400, message: '缺少版本号：请刷新页面后重试' });
	});
});

describe('two administrators editing one receiver', () => {
	it('keep both changes apart as well: 409 for the second, the typed values kept', async () => {
		expect(await post('webhook', { name: '值班系统', url: 'http://127.0.0.1:4399/duty', format: 'json', minSeverity: 4, enabled: true })).toMatchObject({ status: 200 });
		const h = (await page()).webhooks.find((x) => x.name === '值班系统')!;
		expect(h.version).toBe(1);
		const form = (over: Record<string, string | number | boolean>) => ({ id: h.id, version: h.version, name: h.name, url: h.url, format: h.format, minSeverity: h.minSeverity, enabled: h.enabled, ...over });
		expect(await post('webhook', form({ minSeverity: 2 }))).toMatchObject({ status: 200, saved: '通知地址「值班系统」已保存' });
		const second = await post('webhook', form({ url: 'http://127.0.0.1:4399/duty2' }));
		expect(second).toMatchObject({
			status: 409,
			form: `webhook-${h.id}`,
			message: '通知地址「值班系统」已被他人修改，请刷新后重试',
			values: expect.objectContaining({ url: 'http://127.0.0.1:4399/duty2' })
		});
		const [stored] = (await listWebhooks(app.rel.db)).filter((x) => x.id === h.id);
		expect([stored.url, stored.minSeverity, stored.version]).toEqual(['http://127.0.0.1:4399/duty', 2, 2]);
		const both = await Promise.all([post('webhook', form({ version: 2, minSeverity: 3 })), post('webhook', form({ version: 2, minSeverity: 1 }))]);
		expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
		// a receiver deleted meanwhile is not found
		expect(await post('deleteWebhook', { id: h.id })).toMatchObject({ status: 200 });
		expect(await post('webhook', form({ version: 3 }))).toMatchObject({ status: 404 });
	});
});

describe('two administrators ending one silence', () => {
	it('one ends it, the other is told it has ended (409), however close together', async () => {
		const now = Date.now();
		for (const startsAt of [new Date(now - 60_000), new Date(now + 3_600_000)]) {
			const s = await startSilence(app, { matchers: { severity: '4' }, startsAt, endsAt: new Date(now + 7_200_000), comment: '演练' }, null);
			const both = await Promise.all([post('expireSilence', { id: s.id }), post('expireSilence', { id: s.id })]);
			expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
			expect(both.find((r) => r.status === 409)!.message).toMatch(new RegExp(`^静默规则 #${s.id} (已被他人结束|已于 .* 结束|已在开始前撤销)$`));
			expect(await post('expireSilence', { id: s.id })).toMatchObject({ status: 409 });
		}
	});
});
