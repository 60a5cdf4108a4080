// Alert notifications over a store without demo data: what each receiver is sent, when, and what the delivery log
// says. Incidents are recorded directly (recordIncident), the receivers are one local HTTP server whose answer
// each test sets per path.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { startRouteApp } from '../support/app';
import { actOnAlert, alertsIdle, announceOwed, endSilence, notify, startSilence } from '../../src/lib/server/alerts/service';
import { deleteWebhook, expireSilence, listWebhooks, saveWebhook, warnUserinfoWebhooks } from '../../src/lib/server/alerts/settings';
import { alertDetail } from '../../src/lib/server/alerts/read';
import { USERINFO_REFUSED } from '../../src/lib/server/alerts/notify';
import { GET as alertApi } from '../../src/routes/api/v1/alerts/[id]/+server';
import { load as settingsLoad } from '../../src/routes/(app)/settings/alerts/+page.server';
import { configureOutbox, resumeOutbox, runOutbox, stopOutbox } from '../../src/lib/server/alerts/outbox';
import { alertTrail, getAlert, recordIncident, type DetectedIncident } from '../../src/lib/server/alerts/store';
import { webhookDeliveries, webhookMessages, webhooks } from '../../src/lib/server/db/schema';
import { asc, eq } from 'drizzle-orm';

let app: App;
let server: Server;
let base = '';

interface Hit {
	path: string;
	key: string;
	body: {
		event: string;
		actor?: string | null;
		note?: string | null;
		alert: { id: number; status: string };
		markdown?: { title?: string; text?: string; content?: string };
	};
	at: number;
}
const hits: Hit[] = [];
/** how a path answers its n-th request (1-based), default 200 {} */
type Answer = { status: number; body?: unknown; delayMs?: number };
const answers = new Map<string, (n: number) => Answer>();
const counts = new Map<string, number>();

beforeAll(async () => {
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (d) => (body += d));
		req.on('end', () => {
			const path = new URL(req.url ?? '/', 'http://x').pathname;
			const n = (counts.get(path) ?? 0) + 1;
			counts.set(path, n);
			hits.push({ path, key: String(req.headers['idempotency-key']), body: JSON.parse(body), at: Date.now() });
			const a = answers.get(path)?.(n) ?? { status: 200, body: {} };
			const send = () => res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body ?? {}));
			if (a.delayMs) setTimeout(send, a.delayMs);
			else send();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	app = await startRouteApp();
}, 120_000);

afterAll(async () => {
	await alertsIdle();
	if (app) await stopApp(app);
	server?.closeAllConnections();
	server?.close();
});

beforeEach(() => {
	answers.clear();
	counts.clear();
});

let n = 0;
/** A live incident in district `code` (each call a distinct one). */
function incident(code: string, over: Partial<DetectedIncident> = {}): DetectedIncident {
	const now = Date.now();
	n++;
	return {
		title: `${code} · 突发水污染来电异常增多 ${n}`,
		severity: 2,
		watchlistSlug: 'water_pollution',
		categoryCode: null,
		topicKey: `wl:water_pollution-${n}`,
		placeLevel: 'district',
		placeCode: code,
		districtCode: code,
		places: [],
		series: [],
		bucket: 'hour',
		onset: new Date(now - 2 * 3600_000),
		lastFiring: new Date(now - 600_000),
		active: true,
		observed: 12,
		expected: 1.5,
		upper: 4,
		score: 0.99,
		tickets: Array.from({ length: 5 }, (_, i) => ({ ticketNo: `D${n}-${i}`, receivedAt: new Date(now - i * 60_000), streetCode: null })),
		unitCode: null,
		silencedBy: null,
		...over
	};
}

async function raise(code: string, over: Partial<DetectedIncident> = {}) {
	return (await recordIncident(app.rel.db, incident(code, over), new Date(), () => [])).alert;
}

/** the alert a body is about: the JSON body's id, the robots' link to the alert page */
const alertOf = (b: Hit['body']) => b.alert?.id ?? Number(/\/alerts\/(\d+)\)/.exec(b.markdown?.text ?? b.markdown?.content ?? '')?.[1]);
const got = (path: string, alertId: number) => hits.filter((h) => h.path === path && alertOf(h.body) === alertId);
const log = (alertId: number) =>
	app.rel.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.alertId, alertId)).orderBy(asc(webhookDeliveries.id));
const duty = { id: null, name: '应急办值班员' };

/** The one receiver from now on (the earlier tests' are deleted). */
async function onlyHook(path: string, format: 'json' | 'dingtalk' | 'wecom' = 'json') {
	for (const h of await listWebhooks(app.rel.db)) await deleteWebhook(app.rel.db, h.id);
	return saveWebhook(app.rel.db, { name: `接收端 ${path}`, url: `${base}${path}`, format, minSeverity: 4 }, null);
}

/** Runs the test on a clock it moves by hand, with passes that start only when it says (runOutbox). */
async function onClock(test: (clock: { t: number }) => Promise<void>) {
	const clock = { t: Date.now() };
	configureOutbox({ auto: false, now: () => clock.t, random: () => 0 });
	try {
		await test(clock);
	} finally {
		configureOutbox({ auto: true, now: () => Date.now(), random: undefined });
	}
}

describe('people’s steps', () => {
	it('announce a dismissal to the receivers that were told of the alert, with who dismissed it and why', async () => {
		const a = await saveWebhook(app.rel.db, { name: '区值班', url: `${base}/told`, format: 'json', minSeverity: 4 }, null);
		const alert = await raise('320505');
		notify(app, alert, 'fired');
		await alertsIdle();
		// a receiver added afterwards never heard of the alert: a false alarm is no news to it
		const b = await saveWebhook(app.rel.db, { name: '市应急局', url: `${base}/later`, format: 'json', minSeverity: 4 }, null);
		const acked = await actOnAlert(app, alert.id, 'acknowledge', duty, alert.version, '');
		await actOnAlert(app, alert.id, 'dismiss', duty, acked.version, '演练来电，非真实事件');
		await alertsIdle();
		expect(got('/told', alert.id).map((h) => h.body.event)).toEqual(['fired', 'dismissed']);
		const dismissed = got('/told', alert.id)[1].body;
		expect(dismissed).toMatchObject({ event: 'dismissed', actor: '应急办值班员', note: '演练来电，非真实事件', alert: { status: 'dismissed' } });
		expect(got('/later', alert.id)).toEqual([]);
		expect((await log(alert.id)).map((d) => [d.webhookId, d.event, d.status])).toEqual([
			[a.id, 'fired', 'ok'],
			[a.id, 'dismissed', 'ok']
		]);
		expect(b.id).not.toBe(a.id);
	});

	it('give an escalation’s and a resolution’s messages the reason and the person', async () => {
		const alert = await raise('320506');
		const up = await actOnAlert(app, alert.id, 'escalate', duty, alert.version, '已波及两个街道，报区应急局');
		await actOnAlert(app, alert.id, 'resolve', { id: null, name: '区应急局 王工' }, up.version, '已关闭排污口');
		await alertsIdle();
		expect(got('/told', alert.id).map((h) => [h.body.event, h.body.actor, h.body.note])).toEqual([
			['escalated', '应急办值班员', '已波及两个街道，报区应急局'],
			['resolved', '区应急局 王工', '已关闭排污口']
		]);
		expect((await getAlert(app.rel.db, alert.id)).status).toBe('resolved');
	});
});

describe('silences', () => {
	it('announce an alert held back by a silence once, however many calls find it owed at the same time', async () => {
		const sil = await startSilence(
			app,
			{ matchers: { district: '320507' }, startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + 3600_000), comment: '演练' },
			null
		);
		const alert = await raise('320507', { silencedBy: sil.id });
		notify(app, alert, 'fired'); // withheld
		await alertsIdle();
		expect(got('/told', alert.id)).toEqual([]);
		await expireSilence(app.rel.db, sil.id);
		// ended by hand (endSilence) while a detection round runs its own announceOwed
		const [x, y] = await Promise.all([announceOwed(app), announceOwed(app)]);
		await alertsIdle();
		expect(x + y).toBe(1);
		expect(got('/told', alert.id).map((h) => h.body.event)).toEqual(['fired']);
		expect((await alertTrail(app.rel.db, alert.id)).filter((e) => e.action === 'notified_late')).toHaveLength(1);
	});
});

describe('an owed announcement', () => {
	it('goes, when the silence ends, only to the receivers that were not told before it began, as the alert was raised', () =>
		onClock(async (clock) => {
			for (const h of await listWebhooks(app.rel.db)) await deleteWebhook(app.rel.db, h.id);
			const ok = await saveWebhook(app.rel.db, { name: '区值班', url: `${base}/owed-ok`, format: 'json', minSeverity: 4 }, null);
			const late = await saveWebhook(app.rel.db, { name: '市应急局', url: `${base}/owed-late`, format: 'json', minSeverity: 4 }, null);
			answers.set('/owed-late', () => ({ status: 503 }));
			const alert = await raise('320585');
			notify(app, alert, 'fired');
			await alertsIdle();
			await runOutbox(app); // told the first; the second's attempt failed
			const sil = await startSilence(
				app,
				{ matchers: { district: '320585' }, startsAt: new Date(clock.t - 1000), endsAt: new Date(clock.t + 3600_000), comment: '现场已处置，暂停通知' },
				null,
				new Date(clock.t - 1000)
			);
			answers.delete('/owed-late');
			clock.t += 60_000;
			await runOutbox(app); // the retry is held back by the silence: owed
			await endSilence(app, sil.id);
			await alertsIdle();
			clock.t += 1000;
			await runOutbox(app);
			const delivered = (await log(alert.id)).filter((d) => d.status === 'ok').map((d) => [d.webhookId, d.event]);
			expect(delivered).toEqual([
				[ok.id, 'fired'],
				[late.id, 'fired']
			]);
		}));
});

describe('an address with a user name and password', () => {
	it('saved before that was refused: said at start, each message fails once without a retry, and no page, log or API shows the password', () =>
		onClock(async (clock) => {
			for (const h of await listWebhooks(app.rel.db)) await deleteWebhook(app.rel.db, h.id);
			const url = `${base.replace('http://', 'http://duty:s3cret@')}/cred`;
			const [hook] = await app.rel.db.insert(webhooks).values({ name: '带密码的地址', url, format: 'json', minSeverity: 4 }).returning();
			const said: string[] = [];
			expect(await warnUserinfoWebhooks(app.rel.db, (m) => said.push(m))).toBe(1);
			expect(said).toEqual([`[minqing] 通知地址「带密码的地址」（#${hook.id}，${base}/cred）含有用户名和密码，无法发送：请在 设置 › 预警 中修改地址`]);
			const alert = await raise('320587');
			// what an earlier version logged: fetch's refusal, quoting the address as given
			await app.rel.db.insert(webhookDeliveries).values({
				webhookId: hook.id, alertId: alert.id, event: 'fired', attempt: 1, status: 'failed', httpStatus: null,
				error: `网络错误：Request cannot be constructed from a URL that includes credentials: ${url}`, durationMs: 1, at: new Date(clock.t - 3600_000)
			});
			notify(app, alert, 'fired');
			await alertsIdle();
			await runOutbox(app);
			clock.t += 3600_000;
			expect(await runOutbox(app)).toBeNull(); // nothing left to retry
			expect(got('/cred', alert.id)).toEqual([]);
			expect((await log(alert.id)).map((d) => [d.attempt, d.status, d.error])).toEqual([
				[1, 'failed', `网络错误：Request cannot be constructed from a URL that includes credentials: ${url}`],
				[1, 'failed', USERINFO_REFUSED]
			]);
			// the alert's page and API (leaders and the emergency office see them) and the settings
			const detail = await alertDetail(app, alert.id);
			expect(detail.deliveries.map((d) => d.error)).toEqual([
				USERINFO_REFUSED,
				`网络错误：Request cannot be constructed from a URL that includes credentials: ${base}/cred`
			]);
			const leader = { id: 1, username: 'leader', displayName: '领导', role: 'leader', unitCode: null, unitName: null };
			const res = await alertApi({ locals: { user: leader }, params: { id: String(alert.id) } } as never);
			expect(res.status).toBe(200);
			const admin = { ...leader, username: 'admin', role: 'admin' };
			const settings = (await settingsLoad({ locals: { user: admin } } as never)) as Exclude<Awaited<ReturnType<typeof settingsLoad>>, void>;
			expect(settings.webhooks).toEqual([expect.objectContaining({ id: hook.id, url: `${base}/cred`, userinfo: true })]);
			for (const shown of [await res.text(), JSON.stringify(settings)]) expect(shown).not.toContain('s3cret');
			// both logs name the receiver, and say so once it is deleted (its attempts stay)
			expect(detail.deliveries.map((d) => d.webhook)).toEqual(['带密码的地址', '带密码的地址']);
			expect(settings.deliveries.filter((d: { alertId: number }) => d.alertId === alert.id).map((d: { webhook: string }) => d.webhook)).toEqual(['带密码的地址', '带密码的地址']);
			await deleteWebhook(app.rel.db, hook.id);
			expect((await alertDetail(app, alert.id)).deliveries.map((d) => d.webhook)).toEqual(['带密码的地址（已删除）', '带密码的地址（已删除）']);
		}));
});

describe('a robot’s secrets', () => {
	const TOKEN = '3f2a9c1e7b5d4a6f8e0c2b4d6a8f0e1c3b5d7a9f1e3c5b7d9a1f3e5c7b9d1a3f';
	const KEY = '693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa';

	it('never shows or logs a DingTalk access_token or a WeCom key: not in the delivery log, the alert page and API, the settings, or the log', () =>
		onClock(async (clock) => {
			for (const h of await listWebhooks(app.rel.db)) await deleteWebhook(app.rel.db, h.id);
			// receivers that quote the address in their answers, as a gateway's error page or a robot's hint does
			answers.set('/robot/send', () => ({ status: 404, body: { message: `no route for /robot/send?access_token=${TOKEN}` } }));
			answers.set('/cgi-bin/webhook/send', () => ({
				status: 200,
				body: { errcode: 93000, errmsg: `invalid webhook url, hint: ${base}/cgi-bin/webhook/send?key=${KEY}&debug=1` }
			}));
			const ding = await saveWebhook(app.rel.db, { name: '钉钉群', url: `${base}/robot/send?access_token=${TOKEN}`, format: 'dingtalk', minSeverity: 4 }, null);
			const wecom = await saveWebhook(app.rel.db, { name: '企业微信群', url: `${base}/cgi-bin/webhook/send?key=${KEY}`, format: 'wecom', minSeverity: 4 }, null);
			const alert = await raise('320507');
			// what an earlier version may have logged: an error quoting the whole address
			await app.rel.db.insert(webhookDeliveries).values({
				webhookId: ding.id, alertId: alert.id, event: 'fired', attempt: 1, status: 'failed', httpStatus: null,
				error: `网络错误：Failed to parse URL from ${base}/robot/send?access_token=${TOKEN}&timestamp=1&sign=abcdefghijklmnopqrstuvwxyz%2B0123456789`, durationMs: 1, at: new Date(clock.t - 3600_000)
			});
			notify(app, alert, 'fired');
			await alertsIdle();
			await runOutbox(app);
			// the attempts made now, as stored
			const errors = (await log(alert.id)).slice(1).map((d) => d.error ?? '');
			expect(errors.some((e) => e.startsWith('HTTP 404：') && e.includes('access_token=3f2a…'))).toBe(true);
			expect(errors.some((e) => e.startsWith('企业微信返回 errcode 93000') && e.includes('key=693a…&debug=1'))).toBe(true);
			const leader = { id: 1, username: 'leader', displayName: '领导', role: 'leader', unitCode: null, unitName: null };
			const detail = await alertDetail(app, alert.id);
			expect(detail.deliveries.map((d) => d.error ?? '').find((e) => e.includes('Failed to parse URL'))).toBe(
				`网络错误：Failed to parse URL from ${base}/robot/send?access_token=3f2a…&timestamp=1&sign=abcd…`
			);
			const api = await (await alertApi({ locals: { user: leader }, params: { id: String(alert.id) } } as never)).text();
			const admin = { ...leader, username: 'admin', role: 'admin' };
			const settings = (await settingsLoad({ locals: { user: admin } } as never)) as Exclude<Awaited<ReturnType<typeof settingsLoad>>, void>;
			expect(settings.webhooks.map((h: { url: string }) => h.url)).toEqual([`${base}/robot/send?access_token=3f2a…`, `${base}/cgi-bin/webhook/send?key=693a…`]);
			// the start-up's note of an address with a user name and password
			await app.rel.db.update(webhooks).set({ url: `${base.replace('http://', 'http://duty:pw@')}/robot/send?access_token=${TOKEN}` }).where(eq(webhooks.id, ding.id));
			const said: string[] = [];
			await warnUserinfoWebhooks(app.rel.db, (m) => said.push(m));
			expect(said).toEqual([`[minqing] 通知地址「钉钉群」（#${ding.id}，${base}/robot/send?access_token=3f2a…）含有用户名和密码，无法发送：请在 设置 › 预警 中修改地址`]);
			for (const shown of [JSON.stringify(errors), JSON.stringify(detail), api, JSON.stringify(settings), said.join('\n')]) {
				expect(shown).not.toContain(TOKEN.slice(4));
				expect(shown).not.toContain(KEY.slice(4));
				expect(shown).not.toContain('efghijklmnop');
			}
			for (const h of [ding, wecom]) await deleteWebhook(app.rel.db, h.id);
		}));
});

describe('a restart', () => {
	it('resumes a message whose retry was pending, and marks attempts left at 失败，将重试 by an earlier run', () =>
		onClock(async (clock) => {
			const hook = await onlyHook('/restart');
			answers.set('/restart', () => ({ status: 503, body: { error: 'maintenance' } }));
			const alert = await raise('320508');
			notify(app, alert, 'fired');
			await alertsIdle();
			await runOutbox(app);
			expect((await log(alert.id)).map((d) => d.status)).toEqual(['retry']);
			// the server stops before the retry is due: its timers and memory are gone, the store stays
			stopOutbox();
			answers.delete('/restart');
			// an attempt logged by a version that kept retries in memory, left at 'retry' when it stopped
			const old = await raise('320509');
			await app.rel.db.insert(webhookDeliveries).values({
				webhookId: hook.id, alertId: old.id, event: 'fired', attempt: 2, status: 'retry', httpStatus: 502,
				error: 'HTTP 502：（空）', durationMs: 12, at: new Date(clock.t - 3600_000)
			});
			clock.t += 60_000;
			expect(await resumeOutbox(app)).toBe(1);
			await runOutbox(app);
			expect((await log(alert.id)).map((d) => [d.attempt, d.status])).toEqual([[1, 'retry'], [2, 'ok']]);
			expect(got('/restart', alert.id)).toHaveLength(2);
			expect((await log(old.id)).map((d) => d.status)).toEqual(['interrupted']);
			const [m] = await app.rel.db.select().from(webhookMessages).where(eq(webhookMessages.alertId, alert.id));
			expect([m.state, m.attempts]).toEqual(['done', 2]);
		}));
});

describe('a message still being retried', () => {
	/** a receiver that fails the first request of each message and takes the later ones */
	const failsFirst = (path: string) => {
		const seen = new Set<string>();
		answers.set(path, () => {
			const h = hits.filter((x) => x.path === path).at(-1)!;
			if (seen.has(h.key)) return { status: 200 };
			seen.add(h.key);
			return { status: 503 };
		});
	};

	it('is not sent once the alert was resolved: the fired retry never arrives after the resolved', () =>
		onClock(async (clock) => {
			await onlyHook('/closing');
			failsFirst('/closing');
			const alert = await raise('320571');
			notify(app, alert, 'fired');
			await alertsIdle();
			await runOutbox(app); // 503: retried in a second
			await actOnAlert(app, alert.id, 'resolve', duty, alert.version, '已处置');
			await alertsIdle();
			clock.t += 60_000;
			await runOutbox(app);
			await runOutbox(app);
			const events = got('/closing', alert.id).map((h) => h.body.event);
			expect(events.slice(events.indexOf('resolved'))).toEqual(['resolved']);
			expect(events.filter((e) => e === 'fired')).toHaveLength(1);
			const rows = await log(alert.id);
			expect(rows.find((d) => d.event === 'fired' && d.status === 'superseded')?.error).toContain('已有更新的通知（预警解除）');
		}));

	it('is not sent once the alert was dismissed, even to a receiver the dismissal does not go to', () =>
		onClock(async (clock) => {
			await onlyHook('/dismissed');
			answers.set('/dismissed', () => ({ status: 503 }));
			const alert = await raise('320581');
			notify(app, alert, 'fired');
			await alertsIdle();
			await runOutbox(app);
			answers.delete('/dismissed');
			// never told (its only attempt failed): the fired retry stops, and the dismissal queued for it (it was being
			// told) is not sent either
			await actOnAlert(app, alert.id, 'dismiss', duty, alert.version, '误报：同一来电人重复拨打');
			await alertsIdle();
			clock.t += 60_000;
			await runOutbox(app);
			expect(got('/dismissed', alert.id)).toHaveLength(1);
			// (the dismissal fell due before the retry)
			expect((await log(alert.id)).map((d) => [d.event, d.status, d.error])).toEqual([
				['fired', 'retry', 'HTTP 503：{}'],
				['dismissed', 'withheld', '该地址未收到过此预警，不发送排除通知'],
				['fired', 'superseded', '该预警已有更新的通知（预警已排除），不再重发此条']
			]);
		}));

	it('reaches a receiver with a dismissal made while the raising was still on its way to it, after the raising', () =>
		onClock(async () => {
			await onlyHook('/inflight');
			const alert = await raise('320584');
			notify(app, alert, 'fired');
			await alertsIdle(); // queued, not sent yet (passes run only when the test says)
			await actOnAlert(app, alert.id, 'dismiss', duty, alert.version, '误报');
			await alertsIdle();
			await runOutbox(app);
			expect(got('/inflight', alert.id).map((h) => h.body.event)).toEqual(['fired', 'dismissed']);
		}));

	it('is not sent once a silence matches the alert, or its receiver was deleted or disabled', () =>
		onClock(async (clock) => {
			const hook = await onlyHook('/stopped');
			answers.set('/stopped', () => ({ status: 503 }));
			const silenced = await raise('320582');
			const deleted = await raise('320583');
			notify(app, silenced, 'fired');
			notify(app, deleted, 'fired');
			await alertsIdle();
			await runOutbox(app);
			answers.delete('/stopped');
			await startSilence(
				app,
				{ matchers: { district: '320582' }, startsAt: new Date(clock.t - 60_000), endsAt: new Date(clock.t + 3600_000), comment: '已知施工，暂停通知' },
				null,
				new Date(clock.t - 60_000)
			);
			clock.t += 60_000;
			await runOutbox(app);
			expect(got('/stopped', silenced.id)).toHaveLength(1);
			expect((await log(silenced.id)).map((d) => d.status)).toEqual(['retry', 'withheld']);
			expect((await log(silenced.id))[1].error).toMatch(/^静默规则 #\d+ 生效，未再发送$/);
			// a raising held back so is owed: the trail says so, for the announcement when the silence ends
			expect((await alertTrail(app.rel.db, silenced.id)).filter((e) => e.action === 'notify_withheld')).toHaveLength(1);
			// the other one was delivered on this pass; a new message for it while the receiver fails, then deleted
			answers.set('/stopped', () => ({ status: 503 }));
			notify(app, { ...(await getAlert(app.rel.db, deleted.id)) }, 'escalated');
			await alertsIdle();
			clock.t += 60_000;
			await runOutbox(app);
			await deleteWebhook(app.rel.db, hook.id);
			answers.delete('/stopped');
			clock.t += 60_000;
			await runOutbox(app);
			const rows = (await log(deleted.id)).filter((d) => d.event === 'escalated');
			expect(rows.map((d) => [d.status, d.error])).toEqual([
				['retry', 'HTTP 503：{}'],
				['withheld', '通知地址已删除，未再发送']
			]);
			// disabled (not deleted): the same
			const off = await onlyHook('/off');
			answers.set('/off', () => ({ status: 503 }));
			notify(app, await getAlert(app.rel.db, deleted.id), 'escalated');
			await alertsIdle();
			clock.t += 60_000;
			await runOutbox(app);
			await saveWebhook(app.rel.db, { name: off.name, url: off.url, format: 'json', minSeverity: 4, enabled: false, version: off.version }, off.id);
			answers.delete('/off');
			clock.t += 60_000;
			await runOutbox(app);
			expect(got('/off', deleted.id)).toHaveLength(1);
			expect((await log(deleted.id)).filter((d) => d.webhookId === off.id).map((d) => [d.status, d.error])).toEqual([
				['retry', 'HTTP 503：{}'],
				['withheld', '通知地址已停用，未再发送']
			]);
		}));
});

describe('a robot', () => {
	/** A DingTalk robot on the test's clock: 20 messages a minute, then errcode 130101 for 10 minutes. */
	function dingtalkRobot(path: string, clock: { t: number }, throttledUntil = 0) {
		const accepted: number[] = [];
		const refused: number[] = [];
		let until = throttledUntil;
		answers.set(path, () => {
			const t = clock.t;
			if (t < until || accepted.filter((x) => x > t - 60_000).length >= 20) {
				if (t >= until) until = t + 10 * 60_000;
				refused.push(t);
				return { status: 200, body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } };
			}
			accepted.push(t);
			return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
		});
		return { accepted, refused };
	}

	/** Passes on the clock, each at the time the previous one asked for, until nothing is pending. */
	async function runUntilDone(clock: { t: number }, limit = 200) {
		for (let i = 0; i < limit; i++) {
			const next = await runOutbox(app);
			if (next === null) return;
			clock.t = Math.max(clock.t, next);
		}
		throw new Error('messages still pending');
	}

	it('gets a burst of alerts paced at 20 a minute: none is refused, none is lost', () =>
		onClock(async (clock) => {
			await onlyHook('/ding', 'dingtalk');
			const robot = dingtalkRobot('/ding', clock);
			const raised = [];
			for (let i = 0; i < 45; i++) raised.push(await raise('320585', { watchlistSlug: 'flood_drought', severity: 3 }));
			for (const a of raised) notify(app, a, 'fired');
			await alertsIdle();
			const start = clock.t;
			await runUntilDone(clock);
			for (const a of raised) expect(got('/ding', a.id), `alert ${a.id}`).toHaveLength(1);
			expect(robot.refused).toEqual([]);
			expect(robot.accepted).toHaveLength(45);
			// three minutes' worth, not ten: 20 now, 20 a minute later, 5 after that
			expect(clock.t - start).toBeLessThan(3 * 61_000);
			for (const a of raised) expect((await log(a.id)).map((d) => d.status)).toEqual(['ok']);
		}));

	it('that throttles us (someone else used it up) is held off as a whole, and every message goes out after the hold', () =>
		onClock(async (clock) => {
			await onlyHook('/ding-busy', 'dingtalk');
			const robot = dingtalkRobot('/ding-busy', clock, clock.t + 10 * 60_000);
			const raised = [];
			for (let i = 0; i < 5; i++) raised.push(await raise('320586'));
			for (const a of raised) notify(app, a, 'fired');
			await alertsIdle();
			const start = clock.t;
			await runUntilDone(clock);
			// one refused request, not five messages retried into the hold and given up
			expect(robot.refused).toEqual([start]);
			expect(robot.accepted).toHaveLength(5);
			expect(clock.t - start).toBeGreaterThanOrEqual(10 * 60_000);
			expect((await log(raised[0].id)).map((d) => [d.status, d.error])).toEqual([
				['held', '钉钉返回 errcode 130101：send too fast, exceed 20 times per minute'],
				['ok', null]
			]);
			for (const a of raised.slice(1)) expect((await log(a.id)).map((d) => d.status)).toEqual(['ok']);
		}));
});
