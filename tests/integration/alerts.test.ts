// Emerging incidents end to end over a real demo store: the series equal direct counts, a planted cluster of
// calls raises one alert (not one per series), a second round changes nothing, people's actions follow the
// lifecycle, silences keep notifications back, webhooks get the alert, and quiet series recover and resolve.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/lib/server/analytics/duckdb';
import { generateDemo, setApp, stopApp, type App } from '../../src/lib/server/app';
import { startMemoryApp } from '../support/app';
import { POST as actionsApi } from '../../src/routes/api/v1/alerts/[id]/actions/+server';
import { POST as notesApi } from '../../src/routes/api/v1/alerts/[id]/notes/+server';
import { createUser, login, logout, SESSION_COOKIE } from '../../src/lib/server/auth';
import { alertsIdle, announceOwed, detectionRound, endSilence, notify, onAlertChange, publishChange, startSilence } from '../../src/lib/server/alerts/service';
import { GET as streamApi } from '../../src/routes/api/v1/alerts/stream/+server';
import { alertDetail } from '../../src/lib/server/alerts/read';
import { deleteWebhook, expireSilence, listWatchlists, listWebhooks, saveWatchlist, saveWebhook, seedWatchlists, silenceMatches } from '../../src/lib/server/alerts/settings';
import { AlertError, alertTrail, getAlert, listAlerts, recordIncident, transition } from '../../src/lib/server/alerts/store';
import { readSeries, windowFrom } from '../../pipelines/alerts/series';
import { alerts as alertsTable, alertTickets, silences as silencesTable, webhookDeliveries, users, type AlertRow } from '../../src/lib/server/db/schema';

let a: App;
const H = 3_600_000;
const NOW = Date.parse('2026-07-20T15:40:00+08:00');
const DISTRICT = '320506';
const STREET = '320506001';
let receiver: Server;
let received: { event: string; alert: { id: number; title: string; status: string; watchlist: string | null } }[] = [];

const q = <T extends Record<string, unknown>>(sql: string) => queryRows<T>(a.analytics.conn, sql);

/** Copies `n` demo tickets as a cluster of calls about one flooded underpass, received in the hour before `at`. */
async function plantCluster(n: number, at: number, tag: string): Promise<string[]> {
	const rows = await q<{ ticket_no: string }>(`SELECT ticket_no FROM tickets_fact ORDER BY ticket_no LIMIT ${n}`);
	const nos: string[] = [];
	for (let i = 0; i < rows.length; i++) {
		const no = `${tag}-${String(i).padStart(3, '0')}`;
		const ms = at - Math.floor(((i + 1) / (n + 1)) * 50 * 60_000);
		await a.analytics.conn.run(
			`INSERT INTO tickets_fact SELECT * REPLACE (
				'${no}' AS ticket_no, '${no}' AS external_id, 'test' AS source,
				'120302' AS category_code, '12' AS category_l1, '1203' AS category_l2,
				'反映下穿隧道积水' AS title, '金枫路下穿隧道积水很深，车辆被困，第${i}位来电' AS content,
				'${DISTRICT}' AS district_code, '${STREET}' AS street_code,
				make_timestamptz(${ms * 1000}::BIGINT) AS received_at,
				(make_timestamptz(${ms * 1000}::BIGINT))::DATE AS day, hour(make_timestamptz(${ms * 1000}::BIGINT))::TINYINT AS hour
			) FROM tickets_fact WHERE ticket_no = '${rows[i].ticket_no}'`
		);
		nos.push(no);
	}
	return nos;
}

beforeAll(async () => {
	receiver = createServer((req, res) => {
		let body = '';
		req.on('data', (d) => (body += d));
		req.on('end', () => {
			received.push(JSON.parse(body));
			res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
		});
	});
	await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
	a = await startMemoryApp();
	await a.analytics.conn.run(`SET TimeZone = 'Asia/Shanghai'`);
	await generateDemo(a, { tickets: 20_000, days: 90, seed: 5, now: NOW, relational: false }, () => {});
	await saveWebhook(
		a.rel.db,
		{ name: '测试接收端', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, format: 'json', minSeverity: 4 },
		null
	);
}, 180_000);

afterAll(async () => {
	if (a) await stopApp(a);
	receiver?.close();
});

describe('series', () => {
	it('count what a direct query counts, by category, district, street and watch list', async () => {
		const lists = (await listWatchlists(a.rel.db)).map((w) => ({ slug: w.slug, terms: w.terms, categories: w.categories }));
		const from = windowFrom(NOW, 30);
		const series = await readSeries(
			a.analytics.conn,
			{ fromDay: from, now: NOW },
			{ cityCode: a.ref.cityCode, watchlists: lists, topics: false }
		);
		const sum = (id: string) => {
			const s = series.find((x) => x.id === id);
			return s ? s.values.reduce((x, y) => x + y, 0) : 0;
		};
		const where = `day >= '${from}'::DATE AND received_at <= make_timestamptz(${NOW * 1000}::BIGINT)`;
		const [l1] = await q<{ c: string; n: number }>(
			`SELECT category_l1 AS c, count(*)::INTEGER AS n FROM tickets_fact WHERE ${where} GROUP BY 1 ORDER BY 2 DESC LIMIT 1`
		);
		expect(sum(`category:${l1.c}@${a.ref.cityCode}/hour`)).toBe(l1.n);
		expect(sum(`category:${l1.c}@${a.ref.cityCode}/day`)).toBe(l1.n);
		const [d] = await q<{ n: number }>(
			`SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE ${where} AND category_l1 = '${l1.c}' AND district_code = '${DISTRICT}'`
		);
		expect(sum(`category:${l1.c}@${DISTRICT}/hour`)).toBe(d.n);
		const [st] = await q<{ s: string; n: number }>(
			`SELECT street_code AS s, count(*)::INTEGER AS n FROM tickets_fact WHERE ${where} AND category_l1 = '${l1.c}' AND street_code IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1`
		);
		expect(sum(`category:${l1.c}@${st.s}/day`)).toBe(st.n);
		const [w] = await q<{ n: number }>(
			`SELECT count(*)::INTEGER AS n FROM tickets_fact WHERE ${where} AND (coalesce(title, '') || content LIKE '%积水%' OR content LIKE '%内涝%' OR category_code LIKE '120302%')`
		);
		expect(sum(`watchlist:flood_drought@${a.ref.cityCode}/day`)).toBeGreaterThanOrEqual(w.n);
		const hourly = series.find((x) => x.id === `category:${l1.c}@${a.ref.cityCode}/hour`)!;
		// dense from the window's first midnight to the hour holding NOW (15:40): 29 days and 16 hours
		expect(hourly.values.length).toBe(29 * 24 + 16);
	});
});

describe('a planted cluster of calls', () => {
	let planted: string[] = [];
	let alertId = 0;

	it('raises one alert for the incident, with its place, tickets and series', async () => {
		const before = await listAlerts(a.rel.db, { status: 'all' });
		planted = await plantCluster(40, NOW - 60_000, 'FLOOD');
		const r = await detectionRound(a, NOW);
		await alertsIdle();
		expect(r.series).toBeGreaterThan(100);
		const after = await listAlerts(a.rel.db, { status: 'all' });
		const fresh = after.filter((x) => !before.some((b) => b.id === x.id));
		const mine = fresh.filter((x) => x.districtCode === DISTRICT || x.placeLevel === 'city');
		const flood = mine.filter((x) => x.watchlistSlug === 'flood_drought' || x.categoryCode?.startsWith('12'));
		expect(flood).toHaveLength(1);
		const al = flood[0];
		alertId = al.id;
		expect(al.status).toBe('new');
		expect(al.signal).toBe('firing');
		expect(al.watchlistSlug).toBe('flood_drought');
		expect(al.severity).toBeLessThanOrEqual(2);
		const d = await alertDetail(a, al.id);
		const linked = new Set(d.tickets.map((t) => t.ticketNo));
		expect(planted.filter((t) => linked.has(t)).length).toBeGreaterThanOrEqual(35);
		// the category series and the watch list's are one alert, with several series behind it
		expect(d.series.length).toBeGreaterThanOrEqual(2);
		expect(d.series.some((s) => s.key.family === 'watchlist')).toBe(true);
		expect(d.series.some((s) => s.key.family === 'category')).toBe(true);
		expect(d.places.some((p) => p.code === STREET)).toBe(true);
		expect(d.alert.observed).toBeGreaterThan(d.alert.upper);
		expect(d.trail.map((e) => e.action)).toEqual(['fired']);
		// the webhook got it
		const fired = received.find((m) => m.event === 'fired' && m.alert.id === al.id);
		// the JSON payload carries the status code and the watch list's name
		expect(fired?.alert).toMatchObject({ status: 'new', watchlist: '防汛抗旱' });
		const deliveries = await a.rel.db.select().from(webhookDeliveries);
		expect(deliveries.some((x) => x.alertId === al.id && x.status === 'ok')).toBe(true);
	});

	it('changes nothing when the same round runs again: it does not even write the alerts', async () => {
		const byId = (rows: AlertRow[]) => [...rows].sort((x, y) => x.id - y.id);
		// xmin: the transaction that wrote a row's current version (an update writes a new one)
		const versions = () =>
			a.rel.db
				.select({ id: alertsTable.id, xmin: sql<string>`xmin::text` })
				.from(alertsTable)
				.orderBy(alertsTable.id);
		const before = byId(await a.rel.db.select().from(alertsTable));
		const written = await versions();
		const trail = await alertTrail(a.rel.db, alertId);
		const links = await a.rel.db.select().from(alertTickets);
		await detectionRound(a, NOW);
		expect(byId(await a.rel.db.select().from(alertsTable))).toEqual(before);
		expect(await versions()).toEqual(written);
		expect((await alertTrail(a.rel.db, alertId)).length).toBe(trail.length);
		expect((await a.rel.db.select().from(alertTickets)).length).toBe(links.length);
	});

	it('links a late call of the incident, and keeps the tickets linked before', async () => {
		const linkedNow = async () =>
			(await a.rel.db.select().from(alertTickets).where(eq(alertTickets.alertId, alertId))).map((l) => l.ticketNo);
		const before = await getAlert(a.rel.db, alertId);
		const linkedBefore = await linkedNow();
		const trail = await alertTrail(a.rel.db, alertId);
		const [late] = await plantCluster(1, NOW - 30_000, 'FLOOD-LATE');
		await detectionRound(a, NOW);
		const after = await getAlert(a.rel.db, alertId);
		const linkedAfter = await linkedNow();
		expect(after.ticketCount).toBe(before.ticketCount + 1);
		expect(linkedAfter).toHaveLength(linkedBefore.length + 1);
		expect(linkedAfter).toContain(late);
		expect(linkedAfter).toEqual(expect.arrayContaining(linkedBefore));
		expect(after.version).toBe(before.version);
		expect((await alertTrail(a.rel.db, alertId)).length).toBe(trail.length);
	});

	it('follows the lifecycle: acknowledge, escalate with a reason; refuses stale versions and impossible steps', async () => {
		const al = await getAlert(a.rel.db, alertId);
		const actor = { id: null, name: '应急办值班员' };
		await expect(transition(a.rel.db, alertId, 'acknowledge', actor, al.version + 5)).rejects.toMatchObject({ code: 'conflict' });
		const acked = await transition(a.rel.db, alertId, 'acknowledge', actor, al.version);
		expect(acked.status).toBe('acknowledged');
		await expect(transition(a.rel.db, alertId, 'acknowledge', actor, acked.version)).rejects.toBeInstanceOf(AlertError);
		await expect(transition(a.rel.db, alertId, 'escalate', actor, acked.version, '')).rejects.toMatchObject({ code: 'invalid_input' });
		const esc = await transition(a.rel.db, alertId, 'escalate', actor, acked.version, '已通报市水务局');
		expect(esc.status).toBe('escalated');
		const trail = await alertTrail(a.rel.db, alertId);
		expect(trail.map((e) => [e.action, e.actorName])).toEqual([
			['fired', '系统'],
			['acknowledged', '应急办值班员'],
			['escalated', '应急办值班员']
		]);
	});

	it('recovers when the series are quiet again: the escalated alert stays open with a normal signal', async () => {
		const later = NOW + 3 * 24 * H;
		await detectionRound(a, later);
		const al = await getAlert(a.rel.db, alertId);
		expect(al.signal).toBe('normal');
		expect(al.status).toBe('escalated');
		const done = await transition(a.rel.db, alertId, 'resolve', { id: null, name: '应急办值班员' }, al.version, '积水已排除');
		expect(done.status).toBe('resolved');
		expect(done.closedAt).not.toBeNull();
	});
});

describe('the actions API', () => {
	it('needs the version the user saw: without it 400, with a stale one 409, so one of two people acting at once wins', async () => {
		setApp(Promise.resolve(a));
		const { alert } = await recordIncident(
			a.rel.db,
			{
				title: '虎丘区 · 食品安全来电异常增多', severity: 3, watchlistSlug: null, categoryCode: null, topicKey: 'wl:api', placeLevel: 'district',
				placeCode: '320505', districtCode: '320505', places: [], series: [], bucket: 'hour', onset: new Date(Date.now() - H), lastFiring: new Date(),
				active: true, observed: 9, expected: 2, upper: 5, score: 0.9, tickets: [], unitCode: null, silencedBy: null
			},
			new Date(),
			() => []
		);
		const id = await createUser(a.rel.db, { username: 'duty_api', displayName: '应急办值班员', role: 'emergency', password: 'minqing-test-2026' });
		const user = { id, username: 'duty_api', displayName: '应急办值班员', role: 'emergency', unitCode: null, unitName: null };
		const post = (body: unknown) =>
			actionsApi({
				locals: { user },
				params: { id: String(alert.id) },
				request: new Request('http://x', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
			} as never);
		const none = await post({ action: 'acknowledge' });
		expect(none.status).toBe(400);
		expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/^缺少 version/);
		const [first, second] = await Promise.all([post({ action: 'acknowledge', version: alert.version }), post({ action: 'dismiss', version: alert.version, note: '误报' })]);
		expect([first.status, second.status].sort()).toEqual([200, 409]);
		expect((await post({ action: 'constructor', version: alert.version })).status).toBe(400);
	});

	it('refuses a NUL or half a character in a note or in the note of an action, naming the field, and writes nothing', async () => {
		setApp(Promise.resolve(a));
		const { alert } = await recordIncident(
			a.rel.db,
			{
				title: '吴中区 · 噪音来电异常增多', severity: 4, watchlistSlug: null, categoryCode: null, topicKey: 'wl:nul', placeLevel: 'district',
				placeCode: '320506', districtCode: '320506', places: [], series: [], bucket: 'hour', onset: new Date(Date.now() - H), lastFiring: new Date(),
				active: true, observed: 9, expected: 2, upper: 5, score: 0.9, tickets: [], unitCode: null, silencedBy: null
			},
			new Date(),
			() => []
		);
		const id = await createUser(a.rel.db, { username: 'duty_nul', displayName: '应急办值班员', role: 'emergency', password: 'minqing-test-2026' });
		const user = { id, username: 'duty_nul', displayName: '应急办值班员', role: 'emergency', unitCode: null, unitName: null };
		const call = (api: typeof actionsApi, body: unknown) =>
			api({
				locals: { user },
				params: { id: String(alert.id) },
				request: new Request('http://x', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
			} as never);
		const refusal = async (r: Response) => {
			expect(r.status).toBe(400);
			return ((await r.json()) as { error: { message: string } }).error.message;
		};
		expect(await refusal(await call(notesApi as never, { note: '领导批示\u0000' }))).toBe('备注含有空字符（U+0000），无法保存，请删除后重试');
		expect(await refusal(await call(actionsApi, { action: 'acknowledge', version: alert.version, note: '收到\u0000' }))).toMatch(/^说明含有空字符（U\+0000）/);
		expect(await refusal(await call(actionsApi, { action: 'dismiss', version: alert.version, note: '误\u0000报' }))).toMatch(/^排除理由含有空字符/);
		expect(await refusal(await call(actionsApi, { action: 'escalate', version: alert.version, note: '\u0000' }))).toMatch(/^升级原因含有空字符/);
		// half a character (a lone surrogate) too: it was stored as U+FFFD, a silent change
		expect(await refusal(await call(notesApi as never, { note: '领导批示\ud800' }))).toBe('备注含有无效字符（不成对的代理码元 U+D800），无法保存，请删除后重试');
		expect(await refusal(await call(actionsApi, { action: 'resolve', version: alert.version, note: '\udc00已处理' }))).toMatch(/^处置结果含有无效字符（不成对的代理码元 U\+DC00）/);
		expect((await getAlert(a.rel.db, alert.id)).version).toBe(alert.version);
		expect((await alertTrail(a.rel.db, alert.id)).map((e) => e.action)).toEqual(['fired']);
		// the same texts without the NUL are taken
		expect((await call(notesApi as never, { note: '领导批示' })).status).toBe(201);
		expect((await call(actionsApi, { action: 'acknowledge', version: alert.version, note: '收到' })).status).toBe(200);
	});
});

describe('the live stream', () => {
	/** A new emergency-office user's session and its stream: `next` reads the stream's next message (null: ended). */
	async function streamOf(username: string) {
		setApp(Promise.resolve(a));
		await createUser(a.rel.db, { username, displayName: '应急办值班员', role: 'emergency', password: 'minqing-test-2026' });
		const { token, user } = await login(a.rel.db, username, 'minqing-test-2026', 'test', 7);
		const res = await streamApi({
			locals: { user },
			request: new Request('http://x/api/v1/alerts/stream'),
			cookies: { get: (k: string) => (k === SESSION_COOKIE ? token : undefined) }
		} as never);
		const reader = res.body!.getReader();
		const next = async () => {
			const r = await reader.read();
			return r.done ? null : new TextDecoder().decode(r.value);
		};
		return { token, next };
	}

	it('sends each change while the session lasts and ends at the logout', async () => {
		const { token, next } = await streamOf('duty_sse');
		expect(await next()).toContain(': connected');
		publishChange({ id: 4242, event: 'note' });
		expect(await next()).toContain('"id":4242');
		await logout(a.rel.db, token);
		publishChange({ id: 4243, event: 'note' });
		expect(await next()).toBeNull(); // the stream ended instead of sending it
	});

	it('ends when the account loses 预警 (a role change), once the session is checked again', async () => {
		const { next } = await streamOf('duty_role');
		expect(await next()).toContain(': connected');
		await a.rel.db.update(users).set({ role: 'operator' }).where(eq(users.username, 'duty_role'));
		vi.useFakeTimers({ toFake: ['Date'] });
		try {
			vi.setSystemTime(Date.now() + 60_000); // past the sessions' recheck interval
			publishChange({ id: 4244, event: 'note' });
			expect(await next()).toBeNull();
		} finally {
			vi.useRealTimers();
		}
	});
});

describe('silences and automatic resolution', () => {
	it('records a silenced incident without notifying, and resolves it by itself when it is over', async () => {
		const at = NOW + 5 * 24 * H;
		await startSilence(a, {
				matchers: { watchlist: 'flood_drought', district: '320507' },
				startsAt: new Date(at - 2 * H),
				endsAt: new Date(at + 2 * H),
				comment: '演练'
			},
			null,
			new Date(at - 3 * H) // made before the detection rounds of this test, which run on its clock
		);
		const before = received.length;
		// a cluster in another district, where the silence applies
		const rows = await q<{ ticket_no: string }>(`SELECT ticket_no FROM tickets_fact ORDER BY ticket_no DESC LIMIT 30`);
		for (let i = 0; i < rows.length; i++) {
			const ms = at - (i + 1) * 90_000;
			await a.analytics.conn.run(
				`INSERT INTO tickets_fact SELECT * REPLACE ('SIL-${i}' AS ticket_no, 'SIL-${i}' AS external_id, 'test' AS source, '120302' AS category_code,
				 '12' AS category_l1, '1203' AS category_l2, '小区积水倒灌' AS title, '小区地库积水倒灌，请求排水' AS content, '320507' AS district_code, NULL AS street_code,
				 make_timestamptz(${ms * 1000}::BIGINT) AS received_at, (make_timestamptz(${ms * 1000}::BIGINT))::DATE AS day,
				 hour(make_timestamptz(${ms * 1000}::BIGINT))::TINYINT AS hour) FROM tickets_fact WHERE ticket_no = '${rows[i].ticket_no}'`
			);
		}
		await detectionRound(a, at);
		await alertsIdle();
		const silenced = (await listAlerts(a.rel.db, { status: 'open' })).filter(
			(x) => x.districtCode === '320507' && x.watchlistSlug === 'flood_drought'
		);
		expect(silenced).toHaveLength(1);
		expect(silenced[0].silencedBy).not.toBeNull();
		expect(received.slice(before).filter((m) => m.alert.id === silenced[0].id)).toEqual([]);
		// three days on, nothing fires: the new alert is resolved by the system
		await detectionRound(a, at + 3 * 24 * H);
		const al = await getAlert(a.rel.db, silenced[0].id);
		expect([al.status, al.signal]).toEqual(['resolved', 'normal']);
		expect((await alertTrail(a.rel.db, al.id)).map((e) => e.action)).toEqual(['fired', 'notify_withheld', 'recovered', 'auto_resolved']);
	});

	it('applies a silence while it is active, to an alert raised before it too, and no longer once it ended', async () => {
		const at = Date.now();
		const { alert } = await recordIncident(
			a.rel.db,
			{
				title: '相城区 · 防汛抗旱来电异常增多',
				severity: 3,
				watchlistSlug: 'flood_drought',
				categoryCode: null,
				topicKey: 'wl:flood_drought',
				placeLevel: 'district',
				placeCode: '320507',
				districtCode: '320507',
				places: [],
				series: [],
				bucket: 'hour',
				onset: new Date(at - 2 * H),
				lastFiring: new Date(at),
				active: true,
				observed: 12,
				expected: 2,
				upper: 5,
				score: 0.7,
				tickets: [],
				unitCode: null,
				silencedBy: null
			},
			new Date(at),
			() => []
		);
		expect(alert.silencedBy).toBeNull();
		const live: string[] = [];
		const off = onAlertChange((c) => c.id === alert.id && live.push(c.event));
		const sil = await startSilence(a, { matchers: { district: '320507' }, startsAt: new Date(at - H), endsAt: new Date(at + 2 * H), comment: '已知施工停水' },
			null
		);
		expect((await getAlert(a.rel.db, alert.id)).silencedBy).toBe(sil.id);
		expect(live).toEqual(['silenced']); // the live pages hear of it
		const before = received.length;
		notify(a, await getAlert(a.rel.db, alert.id), 'escalated');
		await alertsIdle();
		expect(received.slice(before).filter((m) => m.alert.id === alert.id)).toEqual([]);
		// ended by hand: the alert is no longer silenced, and the next message goes out
		await endSilence(a, sil.id);
		off();
		expect(live).toEqual(['silenced', 'unsilenced']);
		expect((await getAlert(a.rel.db, alert.id)).silencedBy).toBeNull();
		notify(a, await getAlert(a.rel.db, alert.id), 'escalated');
		await alertsIdle();
		expect(received.slice(before).filter((m) => m.alert.id === alert.id).map((m) => m.event)).toEqual(['escalated']);
	});

	it('announces an alert raised during a silence once the silence ends while it still fires, and only once', async () => {
		const at = Date.now();
		const sil = await startSilence(a, { matchers: { district: '320509' }, startsAt: new Date(at - H), endsAt: new Date(at + 2 * H), comment: '演练期间' },
			null
		);
		const { alert } = await recordIncident(
			a.rel.db,
			{
				title: '吴江区 · 安全生产来电异常增多', severity: 3, watchlistSlug: null, categoryCode: null, topicKey: 'wl:x', placeLevel: 'district',
				placeCode: '320509', districtCode: '320509', places: [], series: [], bucket: 'hour', onset: new Date(at - H), lastFiring: new Date(at),
				active: true, observed: 14, expected: 2, upper: 5, score: 0.9, tickets: [], unitCode: null, silencedBy: sil.id
			},
			new Date(at),
			() => []
		);
		const before = received.length;
		const mine = () => received.slice(before).filter((m) => m.alert.id === alert.id).map((m) => m.event);
		notify(a, alert, 'fired'); // as the detection round does for a new alert
		await alertsIdle();
		expect(mine()).toEqual([]);
		expect((await alertTrail(a.rel.db, alert.id)).map((e) => e.action)).toContain('notify_withheld');
		// ended by hand while the alert fires: the raising goes out now
		await expireSilence(a.rel.db, sil.id);
		expect(await announceOwed(a)).toBe(1);
		await alertsIdle();
		expect(mine()).toEqual(['fired']);
		// silenced and released again without a new raising: nothing more
		const again = await startSilence(a, { matchers: { district: '320509' }, startsAt: new Date(at - H), endsAt: new Date(at + H), comment: '复查' }, null);
		await expireSilence(a.rel.db, again.id);
		expect(await announceOwed(a)).toBe(0);
		await alertsIdle();
		expect(mine()).toEqual(['fired']);
		expect((await alertTrail(a.rel.db, alert.id)).map((e) => e.action)).toEqual(['fired', 'notify_withheld', 'unsilenced', 'notified_late', 'unsilenced']);
	});

	it('refuses a NUL character, a name already taken and an overlong text in the settings, naming the field', async () => {
		const at = new Date();
		const silence = (matchers: Record<string, string>, comment: string) =>
			startSilence(a, { matchers, startsAt: at, endsAt: new Date(at.getTime() + H), comment }, null);
		await expect(silence({ district: '320508' }, '演练\u0000')).rejects.toThrow('静默原因含有空字符（U+0000），无法保存');
		await expect(silence({ watchlist: 'flood\u0000' }, '演练')).rejects.toThrow('关注词表含有空字符（U+0000），无法保存');
		await expect(silence({ district: '320508' }, '长'.repeat(501))).rejects.toThrow('静默原因不超过 500 字');
		const list = { slug: 'nul_check', name: '检查', terms: ['积水'], categories: [], severity: 3, unit: null };
		await expect(saveWatchlist(a.rel.db, a.ref, { ...list, name: '检\u0000查' }, null)).rejects.toThrow('名称含有空字符（U+0000），无法保存');
		await expect(saveWatchlist(a.rel.db, a.ref, { ...list, terms: ['积\u0000水'] }, null)).rejects.toThrow('关注词含有空字符（U+0000），无法保存');
		const taken = (await listWatchlists(a.rel.db))[0];
		await expect(saveWatchlist(a.rel.db, a.ref, { ...list, name: taken.name }, null)).rejects.toThrow(`名称「${taken.name}」已被另一个关注词表使用`);
		// nor does the data file's seeding add a second list of a name in use
		const file = join(mkdtempSync(join(tmpdir(), 'minqing-wl-')), 'watchlists.json');
		writeFileSync(file, JSON.stringify({ watchlists: [{ ...list, slug: 'seeded_twin', name: taken.name }] }));
		expect(await seedWatchlists(a.rel.db, a.ref, file)).toBe(0);
		expect((await listWatchlists(a.rel.db)).filter((w) => w.name === taken.name)).toHaveLength(1);
		// a list keeps its own name when edited
		expect((await saveWatchlist(a.rel.db, a.ref, { slug: taken.slug, name: taken.name, terms: taken.terms, categories: taken.categories, severity: taken.severity, unit: taken.unitCode, version: taken.version }, taken.id)).name).toBe(taken.name);
		const hook = { url: 'http://127.0.0.1:9/hook', format: 'json', minSeverity: 4 };
		await expect(saveWebhook(a.rel.db, { ...hook, name: '值班\u0000群' }, null)).rejects.toThrow('名称含有空字符（U+0000），无法保存');
		await expect(saveWebhook(a.rel.db, { ...hook, name: '值班\ud800群' }, null)).rejects.toThrow('名称含有无效字符（不成对的代理码元 U+D800），无法保存');
		await expect(silence({ district: '320508' }, '演练\udfff')).rejects.toThrow('静默原因含有无效字符（不成对的代理码元 U+DFFF）');
		await expect(saveWebhook(a.rel.db, { ...hook, name: '长'.repeat(41) }, null)).rejects.toThrow('不超过 40 字');
		await expect(saveWebhook(a.rel.db, { ...hook, name: '元数据', url: 'http://169.254.169.254/latest/meta-data/' }, null)).rejects.toThrow('链路本地地址');
		const first = await saveWebhook(a.rel.db, { ...hook, name: '重名检查' }, null);
		await expect(saveWebhook(a.rel.db, { ...hook, name: '重名检查' }, null)).rejects.toThrow('名称「重名检查」已被另一个通知地址使用');
		await saveWebhook(a.rel.db, { ...hook, name: '重名检查', minSeverity: 3, version: first.version }, first.id);
		await deleteWebhook(a.rel.db, first.id);
		expect((await saveWebhook(a.rel.db, { ...hook, name: '重名检查' }, null)).name).toBe('重名检查'); // a deleted one's name is free
	});

	it('refuses a silence whose code can match no alert, naming the field', async () => {
		const at = new Date();
		const make = (matchers: Record<string, string>) =>
			startSilence(a, { matchers, startsAt: at, endsAt: new Date(at.getTime() + H), comment: '测试' }, null);
		await expect(make({ street: '320508001001' })).rejects.toThrow('街道（镇）「320508001001」不存在');
		await expect(make({ district: '320599' })).rejects.toThrow('区县「320599」不存在');
		await expect(make({ category: '99' })).rejects.toThrow('分类「99」不存在');
		await expect(make({ watchlist: 'no_such_list' })).rejects.toThrow('关注词表「no_such_list」不存在');
		await expect(make({ severity: '5' })).rejects.toThrow('级别须为 1–4');
		const street = [...a.ref.streetByCode.keys()][0];
		expect((await make({ street, category: '12' })).matchers).toEqual({ street, category: '12' });
	});

	it('refuses a silence already over, keeps the end of one that ended, and ends one not yet begun at its start', async () => {
		const now = Date.now();
		const make = (from: number, to: number) =>
			startSilence(a, { matchers: { severity: '4' }, startsAt: new Date(from), endsAt: new Date(to), comment: '测试' }, null);
		await expect(make(now - 3 * H, now - H)).rejects.toThrow('结束时间已过');
		const pending = await make(now + H, now + 2 * H);
		await expireSilence(a.rel.db, pending.id);
		// ended before it began: ending it again is refused, not reported as done
		await expect(expireSilence(a.rel.db, pending.id)).rejects.toMatchObject({ code: 'bad_transition', message: expect.stringContaining('已在开始前撤销') });
		const [p] = await a.rel.db.select().from(silencesTable).where(eq(silencesTable.id, pending.id));
		expect(p.endsAt.getTime()).toBe(p.startsAt.getTime()); // it never applies, and its start is as made
		const over = await make(now - H, now + 500);
		await new Promise((r) => setTimeout(r, 600));
		await expect(expireSilence(a.rel.db, over.id)).rejects.toMatchObject({ code: 'bad_transition', message: expect.stringContaining('已于') });
		const [o] = await a.rel.db.select().from(silencesTable).where(eq(silencesTable.id, over.id));
		expect(o.endsAt.getTime()).toBe(now + 500);
	});

	it('matches silences on every label, categories by prefix', () => {
		expect(silenceMatches({ category: '12', district: '320506' }, { category: '1203', district: '320506', severity: '2' })).toBe(true);
		expect(silenceMatches({ category: '12', district: '320506' }, { category: '1203', district: '320507' })).toBe(false);
		expect(silenceMatches({ watchlist: 'flood_drought' }, { category: '1203' })).toBe(false);
		expect(silenceMatches({}, { category: '1203' })).toBe(false);
	});
});

describe('webhooks', () => {
	it('deleting a receiver stops its messages and keeps its delivery log', async () => {
		const [hook] = await listWebhooks(a.rel.db);
		const logged = (await a.rel.db.select().from(webhookDeliveries)).filter((d) => d.webhookId === hook.id);
		expect(logged.length).toBeGreaterThan(0);
		await deleteWebhook(a.rel.db, hook.id);
		expect((await listWebhooks(a.rel.db)).map((h) => h.id)).not.toContain(hook.id);
		expect((await a.rel.db.select().from(webhookDeliveries)).filter((d) => d.webhookId === hook.id)).toHaveLength(logged.length);
		expect((await listWebhooks(a.rel.db, true)).find((h) => h.id === hook.id)).toMatchObject({ name: '测试接收端', enabled: false });
		// nothing more goes to it
		const before = received.length;
		const [open] = await listAlerts(a.rel.db, { status: 'all' });
		notify(a, open, 'escalated');
		await alertsIdle();
		expect(received.length).toBe(before);
		await expect(deleteWebhook(a.rel.db, hook.id)).rejects.toThrow(`通知地址 #${hook.id} 不存在`);
	});
});
