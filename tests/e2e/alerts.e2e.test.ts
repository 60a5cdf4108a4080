// 预警 end to end: a JSON webhook registered on the settings page; a burst of flooding calls from one street pushed
// through the ingest API raises an alert by itself (the ingest triggers a detection round); the queue shows it
// live, the detail page draws its series, linked tickets and map; it is on the situation map while open; it is
// acknowledged and resolved through the page's forms, with the audit trail naming the user; the receiver gets
// `fired` and then `resolved` for it.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SHOTS, launchBrowser, loginAs, startServer, waitForHydration, watchErrors, type TestServer } from './fixture';

let server: TestServer;
let browser: Browser;
let admin: Page;
let duty: Page;
let adminErrors: string[];
let dutyErrors: string[];
let token = '';
let receiver: Server;
let hookUrl = '';
const received: { event: string; alert: { id: number; title: string; placeName: string; observed: number } }[] = [];

/** A TCP relay to the server whose connections can be cut (and refused until allowed again): a dropped live link. */
async function cuttableRelay(target: string): Promise<{ port: number; cut: (on: boolean) => void; close: () => Promise<void> }> {
	const open = new Set<Socket>();
	let refusing = false;
	const relay = createTcpServer((client) => {
		if (refusing) return void client.destroy();
		const upstream = connect(Number(target), '127.0.0.1');
		const end = () => {
			client.destroy();
			upstream.destroy();
			open.delete(client);
		};
		open.add(client);
		client.on('error', end).on('close', end);
		upstream.on('error', end).on('close', end);
		client.pipe(upstream).pipe(client);
	});
	await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
	return {
		port: (relay.address() as AddressInfo).port,
		cut: (on) => {
			refusing = on;
			if (on) for (const c of open) c.destroy();
		},
		close: () => new Promise((r) => relay.close(() => r()))
	};
}

const DISTRICT = '320508'; // 姑苏区
const STREET = '320508018'; // 平江街道
const PUSHED = 40;
const pushedIds: string[] = [];
let alertId = 0;

beforeAll(async () => {
	mkdirSync(SHOTS, { recursive: true });
	receiver = createServer((req, res) => {
		let body = '';
		req.on('data', (d) => (body += d));
		req.on('end', () => {
			try {
				received.push(JSON.parse(body));
			} catch {
				/* not JSON: ignored, the assertions look for the alert's messages */
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
	hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

	// the ingest token is made with the CLI on the data directory before the server takes it over
	server = await startServer({ tickets: 20_000, days: 60 });
	await server.stop();
	const r = spawnSync(
		process.execPath,
		[
			'--import',
			'tsx',
			'src/lib/server/cli/main.ts',
			'token',
			'create',
			'--name',
			'区热线分中心',
			'--source',
			'gusu-feed',
			'--data-dir',
			server.dataDir
		],
		{
			cwd: ROOT,
			encoding: 'utf8'
		}
	);
	expect(r.status, r.stderr).toBe(0);
	token = JSON.parse(r.stdout).token;
	server = await startServer({ dataDir: server.dataDir, days: 60 });

	browser = await launchBrowser();
	admin = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
	duty = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
	adminErrors = watchErrors(admin);
	dutyErrors = watchErrors(duty);
	await loginAs(admin, server.url, 'admin');
}, 300_000);

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	server?.cleanup();
	await new Promise((r) => receiver?.close(() => r(null)));
});

/** The pushed calls: one flooded underpass, many wordings, all in the last hour's bucket and none in the future. */
function burst(now: number): string {
	const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
	const from = Math.max(hourStart + 1000, now - 50 * 60_000);
	const to = now - 2000;
	const wordings = [
		['干将路下穿隧道积水严重车辆被困', '干将路下穿隧道积水很深，有两辆小车熄火被困，请尽快派人排水。'],
		['干将路隧道内涝', '干将路隧道里内涝了，水已经没过车轮，车辆无法通行。'],
		['隧道积水车辆被困', '我在干将路下穿隧道，积水到膝盖，车被困住了，请求救援。'],
		['雨水倒灌进隧道', '暴雨后雨水倒灌进干将路隧道，积水严重，有车辆被困。'],
		['干将路下穿隧道严重积水', '隧道积水越来越深，泵站好像没有工作，好几辆车被困在里面。'],
		['平江路附近隧道内涝车辆熄火', '平江街道干将路下穿隧道内涝，车辆熄火被困，行人也过不去。'],
		['干将路隧道积水求助', '干将路下穿隧道积水，出租车被困，司机在车顶等待救援。'],
		['隧道口积水倒灌', '干将路隧道口积水倒灌，路面全是水，请相关部门赶紧处理。']
	];
	const lines: string[] = [];
	const stamp = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19) + '+08:00';
	for (let i = 0; i < PUSHED; i++) {
		const [title, content] = wordings[i % wordings.length];
		const at = Math.round(from + ((to - from) * i) / (PUSHED - 1));
		const id = `GS-FLOOD-${i + 1}`;
		pushedIds.push(id);
		lines.push(
			JSON.stringify({
				external_id: id,
				received_at: stamp(at),
				updated_at: stamp(at),
				channel: 'phone',
				type: '求助',
				title,
				content: `${content}（来电${i + 1}）`,
				address: '姑苏区平江街道干将路下穿隧道',
				district_code: DISTRICT,
				street_code: STREET,
				category: i % 2 ? '120302' : '040401',
				status: 'received'
			})
		);
	}
	return lines.join('\n');
}

async function shot(page: Page, name: string) {
	const path = join(SHOTS, name);
	await page.screenshot({ path, fullPage: true });
	return path;
}

describe('预警', () => {
	it('registers a JSON webhook on the settings page', async () => {
		await admin.goto(`${server.url}/settings`);
		await expect(admin.locator('[data-testid=settings-alerts]').textContent()).resolves.toContain('预警');
		// every section of the settings is built (the last one planned, 词典, came with 设置 › 词典)
		expect(await admin.locator('[data-testid=settings-planned]').count()).toBe(0);
		await expect(admin.locator('[data-testid=settings-dictionary]').textContent()).resolves.toContain('词典');
		await admin.click('[data-testid=settings-alerts] a.btn');
		await admin.waitForURL(/\/settings\/alerts$/);
		const f = admin.locator('[data-testid=webhook-new-form]');
		await f.locator('input[name=name]').fill('测试接收端');
		await f.locator('input[name=url]').fill(hookUrl);
		await f.locator('select[name=format]').selectOption('json');
		await f.locator('select[name=minSeverity]').selectOption('4');
		await f.locator('[data-testid=webhook-new-save]').click();
		await admin.locator('[data-testid=webhook-row]').first().waitFor();
		const row = admin.locator('[data-testid=webhook-row]');
		expect(await row.count()).toBe(1);
		expect(await row.textContent()).toContain(hookUrl);
		expect(await row.textContent()).toContain('通用 JSON');
		// 发送测试: one clearly labelled message reaches the receiver
		await row.locator('button', { hasText: '发送测试' }).click();
		await admin.locator('[data-testid=form-ok]', { hasText: '测试消息已送达' }).waitFor();
		expect(received.some((m) => m.alert?.id === 0 && m.alert.title.includes('测试'))).toBe(true);
		// the watch lists seeded from data/alerts/watchlists.json are listed
		expect(await admin.locator('[data-testid=watchlist-row][data-slug=flood_drought]').count()).toBe(1);
		await shot(admin, 'alerts-settings.png');
	});

	it('raises an alert by itself after a burst of flooding calls is pushed, shown live on /alerts', async () => {
		await loginAs(duty, server.url, 'emergency');
		await duty.goto(`${server.url}/alerts`);
		await duty.locator('[data-testid=live][data-state=connected]').waitFor({ timeout: 15_000 });

		// the burst, the detection and the 60 s of waiting below all fall in one hour: not in its first minute (too
		// little of the hour to spread the burst over) nor in its last two (a full run whose wait spanned 08:00
		// Shanghai time found no alert, though the file passes alone and in a rerun; the hour's turn is the
		// suspect, not a proven cause — the failure message gives the push time to check that)
		const now = Date.now();
		const inHour = now % 3_600_000;
		if (inHour < 60_000) await new Promise((r) => setTimeout(r, 60_000 - inHour + 1000));
		else if (inHour > 3_600_000 - 120_000) await new Promise((r) => setTimeout(r, 3_600_000 - inHour + 61_000));
		const pushedAt = new Date();
		const res = await fetch(`${server.url}/api/v1/ingest`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
			body: burst(Date.now())
		});
		const summary = await res.json();
		expect(res.status, JSON.stringify(summary)).toBe(200);
		expect(summary.accepted).toBe(PUSHED);

		// no reload: the page follows the stream. The burst's alert is the open 防汛抗旱 one in 姑苏区 with a bucket of
		// ≥ 20 calls; the detail page then checks it links the pushed tickets.
		const deadline = Date.now() + 60_000;
		let found: { id: string; place: string; observed: number; title: string } | undefined;
		let seen = '';
		while (!found && Date.now() < deadline) {
			const rows = await duty.locator('[data-testid=alert-row]').evaluateAll((els) =>
				els.map((e) => ({
					id: e.getAttribute('data-id')!,
					place: e.getAttribute('data-place') ?? '',
					observed: Number(e.getAttribute('data-observed')),
					title: e.querySelector('[data-testid=alert-link]')?.textContent ?? ''
				}))
			);
			seen = JSON.stringify(rows);
			found = rows.find((r) => r.place.includes('姑苏区') && r.observed >= 20 && r.title.includes('防汛抗旱'));
			if (!found) await duty.waitForTimeout(500);
		}
		if (!found)
			throw new Error(
				`no 防汛抗旱 alert in 姑苏区 with ≥ 20 calls on /alerts 60 s after the push at ${pushedAt.toISOString()} (rows: ${seen}); server log:\n${server.logs().slice(-3000)}`
			);
		alertId = Number(found.id);
		const row = duty.locator(`[data-testid=alert-row][data-id="${alertId}"]`);
		expect(await row.locator('[data-testid=alert-place]').textContent()).toContain('姑苏区');
		expect(found.observed).toBeGreaterThanOrEqual(20);
		expect(await row.locator('[data-testid=alert-observed]').textContent()).toMatch(/\d+\s*\/ 预期 [\d.]+/);
		await shot(duty, 'alerts-queue.png');
	}, 360_000); // up to 3 minutes of waiting for the right part of the hour, then up to 60 s for the alert

	it('shows the alert on the overview and, while open, on the situation map', async () => {
		await duty.goto(`${server.url}/`);
		const item = duty.locator(`[data-testid=overview-alert][data-id="${alertId}"]`);
		await item.waitFor();
		const counts = await duty
			.locator('[data-testid^=alert-count-]')
			.evaluateAll((els) => els.reduce((a, e) => a + Number(e.getAttribute('data-n')), 0));
		expect(counts).toBeGreaterThanOrEqual(1);

		await shot(duty, 'alerts-overview.png');
		// the panel follows the district filter: the alert shows for its district, not for another one
		await duty.goto(`${server.url}/?district=${DISTRICT}`);
		await item.waitFor();
		expect(await duty.locator('[data-testid=overview-alerts] h2').textContent()).toBe('预警（姑苏区）');
		await duty.goto(`${server.url}/?district=320509`);
		await duty.locator('[data-testid=overview-alerts]').waitFor();
		expect(await item.count()).toBe(0);

		// so does the queue, whose district choice goes into the URL
		await duty.goto(`${server.url}/alerts`);
		await duty.locator('[data-testid=alert-district]').selectOption(DISTRICT);
		await duty.waitForURL((u) => u.searchParams.get('district') === DISTRICT);
		await duty.locator(`[data-testid=alert-row][data-id="${alertId}"]`).waitFor();
		await shot(duty, 'alerts-queue-district.png');
		await duty.locator('[data-testid=alert-district]').selectOption('320509');
		await duty.waitForURL((u) => u.searchParams.get('district') === '320509');
		expect(await duty.locator(`[data-testid=alert-row][data-id="${alertId}"]`).count()).toBe(0);

		await duty.goto(`${server.url}/map`);
		const marker = duty.locator(`[data-testid=map-alert][data-id="${alertId}"]`);
		await marker.waitFor();
		expect(await marker.getAttribute('href')).toBe(`/alerts/${alertId}`);
	});

	it('shows the detail: the series chart, linked tickets, the district on the map', async () => {
		await duty.goto(`${server.url}/alerts/${alertId}`);
		await duty.locator('[data-testid=alert-title]').waitFor();
		expect(await duty.locator('[data-testid=alert-place]').textContent()).toContain('姑苏区');
		// the chart draws on a canvas
		await duty.locator('[data-testid=series-chart] canvas').first().waitFor({ timeout: 15_000 });
		// linked tickets include pushed ones (their text, as ticket numbers are the store's own)
		const tickets = await duty.locator('[data-testid=ticket-row]').allTextContents();
		expect(tickets.filter((t) => /干将路|隧道/.test(t)).length).toBeGreaterThanOrEqual(20);
		// the district is coloured on the map
		const gusu = duty.locator(`[data-testid=alert-map] path[data-code="${DISTRICT}"]`);
		expect(Number(await gusu.getAttribute('data-count'))).toBeGreaterThan(0);
		expect(await gusu.getAttribute('class')).toMatch(/l[1-5]/);
		await shot(duty, 'alerts-detail.png');
		// a pushed ticket opens as its 工单档案, which names the alert and leads back to it
		const row = duty.locator('[data-testid=ticket-row]').filter({ hasText: /干将路|隧道/ }).first();
		const no = (await row.getAttribute('data-ticket'))!;
		await row.locator('a').click();
		await duty.waitForSelector(`[data-testid=ticket-record][data-ticket="${no}"]`);
		expect(await duty.locator('[data-testid=record-content]').innerText()).toMatch(/干将路|隧道/);
		expect(await duty.locator(`[data-testid=record-alerts] a[href="/alerts/${alertId}"]`).count()).toBe(1);
		// the navigation marks 预警, where it was opened from, not 检索, where its address starts
		expect(await duty.locator('nav[aria-label=主导航] a[aria-current=page]').getAttribute('href')).toBe('/alerts');
		await duty.click('[data-testid=record-back]');
		await duty.waitForURL(`${server.url}/alerts/${alertId}`);
	});

	it('lets a leader read the alert but not change its status (the emergency office handles it)', async () => {
		const leader = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
		await loginAs(leader, server.url, 'leader');
		await leader.goto(`${server.url}/alerts/${alertId}`);
		await leader.locator('[data-testid=alert-detail][data-status=new]').waitFor();
		expect(await leader.locator('[data-testid=act-acknowledge]').count()).toBe(0);
		expect(await leader.locator('[data-testid=alert-actions]').textContent()).toContain('由应急办处理');
		const r = await leader.request.post(`${server.url}/api/v1/alerts/${alertId}/actions`, { data: { action: 'dismiss', note: '误报' } });
		expect(r.status()).toBe(403);
		const form = await leader.evaluate(async (id) => {
			const body = new FormData();
			body.set('note', '误报');
			return (await fetch(`/alerts/${id}?/dismiss`, { method: 'POST', body, headers: { 'x-sveltekit-action': 'true' } })).json();
		}, alertId);
		expect(JSON.stringify(form)).toContain('无权');
		expect((await (await leader.request.get(`${server.url}/api/v1/alerts/${alertId}`)).json()).alert.status).toBe('new');
		await leader.close();
	});

	it('is acknowledged and resolved through the forms; the trail names the user', async () => {
		// another handler has the same alert open: the page follows the change live and says what happened
		await admin.goto(`${server.url}/alerts/${alertId}`);
		await admin.locator('[data-testid=alert-detail][data-status=new] [data-testid=live][data-state=connected]').waitFor();
		await duty.click('[data-testid=act-acknowledge]');
		await duty.locator('[data-testid=alert-detail][data-status=acknowledged]').waitFor();
		await admin.locator('[data-testid=alert-detail][data-status=acknowledged]').waitFor({ timeout: 10_000 });
		expect(await admin.locator('[data-testid=alert-changed]').textContent()).toContain('此预警已被确认');
		expect(await admin.locator('[data-testid=act-acknowledge]').count()).toBe(0);
		await admin.screenshot({ path: join(SHOTS, 'alerts-detail-changed.png') }); // the top of the page, where the notice is
		// the page whose own form made the change says it is done, not that someone else changed it
		expect(await duty.locator('[data-testid=action-done]').textContent()).toContain('已确认');
		expect(await duty.locator('[data-testid=alert-changed]').count()).toBe(0);
		// a third page of the admin's, through a relay whose connections can be cut: its live link drops, and the
		// resolution made meanwhile shows once the link is back (the stream does not repeat what it said)
		const relay = await cuttableRelay(new URL(server.url).port);
		const watching = await browser.newContext();
		await watching.addCookies(await admin.context().cookies()); // the admin's session (cookies do not name a port)
		const watcher = await watching.newPage();
		await watcher.goto(`http://127.0.0.1:${relay.port}/alerts/${alertId}`);
		await watcher.locator('[data-testid=alert-detail][data-status=acknowledged] [data-testid=live][data-state=connected]').waitFor();
		relay.cut(true);
		await watcher.locator('[data-testid=live][data-state=reconnecting]').waitFor({ timeout: 15_000 });
		await duty.fill('[data-testid=resolve-note]', '已组织排水，隧道恢复通行');
		await duty.click('[data-testid=act-resolve]');
		await duty.locator('[data-testid=alert-detail][data-status=resolved]').waitFor();
		relay.cut(false);
		await watcher.locator('[data-testid=alert-detail][data-status=resolved] [data-testid=live][data-state=connected]').waitFor({ timeout: 20_000 });
		await watching.close();
		await relay.close();
		const trail = await duty
			.locator('[data-testid=trail-row]')
			.evaluateAll((els) => els.map((e) => ({ action: e.getAttribute('data-action'), text: e.textContent ?? '' })));
		const ack = trail.find((t) => t.action === 'acknowledged');
		const res = trail.find((t) => t.action === 'resolved');
		expect(ack?.text).toContain('应急办值班员');
		expect(ack?.text).toContain('确认');
		expect(res?.text).toContain('应急办值班员');
		expect(res?.text).toContain('解除');
		expect(res?.text).toContain('已组织排水');
		// closed: no longer among the open alerts or on the map
		await duty.goto(`${server.url}/map`);
		await duty.locator('[data-testid=hotspot-map]').waitFor();
		expect(await duty.locator(`[data-testid=map-alert][data-id="${alertId}"]`).count()).toBe(0);
	});

	it('a stale version gives the conflict message', async () => {
		// the detail page as another user saw it before the resolution: posting its version is refused
		const r = await admin.evaluate(
			async ([id]) => {
				const body = new FormData();
				body.set('version', '0');
				body.set('note', '重复操作');
				const res = await fetch(`/alerts/${id}?/dismiss`, { method: 'POST', body, headers: { 'x-sveltekit-action': 'true' } });
				return res.json();
			},
			[alertId]
		);
		expect(JSON.stringify(r)).toMatch(/已被他人更新|不能/);
	});

	it('the receiver got fired and resolved for the alert', async () => {
		const deadline = Date.now() + 20_000;
		while (Date.now() < deadline && !received.some((m) => m.alert?.id === alertId && m.event === 'resolved'))
			await new Promise((r) => setTimeout(r, 300));
		const mine = received.filter((m) => m.alert?.id === alertId);
		expect(mine.map((m) => m.event)).toContain('fired');
		expect(mine.map((m) => m.event)).toContain('resolved');
		const fired = mine.find((m) => m.event === 'fired')!;
		expect(fired.alert.placeName).toContain('姑苏区');
		expect(fired.alert.observed).toBeGreaterThanOrEqual(20);
		// the deliveries are listed on the detail page
		await duty.goto(`${server.url}/alerts/${alertId}`);
		const ok = duty.locator('[data-testid=delivery-row][data-status=ok]');
		expect(await ok.count()).toBeGreaterThanOrEqual(2);
		expect(await ok.first().textContent()).toContain('测试接收端'); // the receiver, by its name
		await shot(duty, 'alerts-detail-deliveries.png');
	});

	it('explains a refused filter and answers an unknown alert with a Chinese 404', async () => {
		await duty.goto(`${server.url}/alerts?status=later&severity=9`);
		const problems = await duty.locator('[data-testid=alert-problems]').textContent();
		expect(problems).toContain('状态“later”不存在');
		expect(problems).toContain('级别“9”不存在');
		// through the API client, so the expected 404 is not a console error of the page
		const r = await duty.request.get(`${server.url}/alerts/999999`);
		expect(r.status()).toBe(404);
		expect(await r.text()).toContain('预警 #999999 不存在');
	});

	it('had no console errors', async () => {
		await duty.goto(`${server.url}/alerts?status=all`);
		await duty.locator('[data-testid=alert-table]').waitFor();
		await shot(duty, 'alerts-queue-all.png');
		expect([...adminErrors, ...dutyErrors]).toEqual([]);
	});
});

describe('the live link of the 预警 pages', () => {
	/** An alert of the store (the demo's, or the burst's), and a note on it by the admin: a change every link hears. */
	async function anAlert(): Promise<number> {
		if (alertId) return alertId;
		await admin.goto(`${server.url}/alerts`);
		const r = await admin.request.get(`${server.url}/api/v1/alerts?status=all`);
		let { alerts } = (await r.json()) as { alerts: { id: number }[] };
		if (!alerts.length) {
			// run alone (without the burst's test before): the burst raises one
			const res = await fetch(`${server.url}/api/v1/ingest`, {
				method: 'POST',
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
				body: burst(Date.now())
			});
			expect(res.status).toBe(200);
			const deadline = Date.now() + 120_000;
			while (!alerts.length && Date.now() < deadline) {
				await admin.waitForTimeout(2000);
				try {
					({ alerts } = await (await admin.request.get(`${server.url}/api/v1/alerts?status=all`)).json());
				} catch {
					/* the server busy with the burst's round: asked again */
				}
			}
		}
		expect(alerts.length, 'the store has an alert').toBeGreaterThan(0);
		return (alertId = alerts[0].id);
	}
	const note = (id: number, text: string) =>
		admin.evaluate(
			([id, text]) => fetch(`/api/v1/alerts/${id}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ note: text }) }).then((r) => r.status),
			[id, text] as const
		);
	const received = async (t: Page) => Number(await t.locator('[data-testid=live]').getAttribute('data-received'));

	async function emergencyContext(opts: { locks?: boolean } = {}): Promise<{ ctx: BrowserContext; page: Page }> {
		const ctx = await browser.newContext({ viewport: { width: 1200, height: 800 } });
		// a page over plain HTTP from another machine is no secure context: no Web Locks there
		if (opts.locks === false) await ctx.addInitScript(() => delete (Navigator.prototype as { locks?: unknown }).locks);
		const page = await ctx.newPage();
		await loginAs(page, server.url, 'emergency');
		return { ctx, page };
	}

	it('is one connection for all the tabs of a browser: with seven 预警 tabs the app still loads, every tab follows, and another takes over from a closed one', async () => {
		const id = await anAlert();
		for (const locks of [true, false]) {
			const { ctx, page: first } = await emergencyContext({ locks });
			const errors = watchErrors(first);
			await first.goto(`${server.url}/alerts`);
			const tabs = [first];
			// a browser opens at most 6 connections to a host over HTTP/1.1: a stream per tab took them all
			for (let i = 0; i < 6; i++) {
				const t = await ctx.newPage();
				waitForHydration(t);
				await t.goto(i % 2 ? `${server.url}/alerts` : `${server.url}/alerts/${id}`, { timeout: 30_000 });
				tabs.push(t);
			}
			for (const t of tabs) await t.locator('[data-testid=live][data-state=connected]').waitFor({ timeout: 20_000 });
			const more = await ctx.newPage();
			waitForHydration(more);
			expect((await more.goto(`${server.url}/alerts?status=all`, { timeout: 20_000 }))?.status(), `locks: ${locks}`).toBe(200);
			expect(await first.evaluate(() => fetch('/api/v1/alerts').then((r) => r.status))).toBe(200);
			await more.close();
			expect(await note(id, `多标签页测试 ${locks}`)).toBe(201);
			for (const t of tabs) await expect.poll(() => received(t), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
			// the first tab read the stream; it closes, and the others still hear the next change
			await first.close();
			const before = await Promise.all(tabs.slice(1).map(received));
			// (the next leader connects within a moment: a change made before may not reach it, so one is made until it does)
			const heard = async () => (await Promise.all(tabs.slice(1).map(received))).every((n, i) => n > before[i]);
			for (let i = 0; i < 10 && !(await heard()); i++) {
				expect(await note(id, `接管测试 ${locks} ${i}`)).toBe(201);
				await tabs[1].waitForTimeout(2000);
			}
			expect(await heard(), `locks: ${locks}`).toBe(true);
			expect(errors).toEqual([]);
			await ctx.close();
		}
	}, 300_000);

	it('shows a change made while another tab takes the link over from a closed one (the stream does not repeat it)', async () => {
		const id = await anAlert();
		for (const locks of [true, false]) {
			const { ctx, page: first } = await emergencyContext({ locks });
			await first.goto(`${server.url}/alerts`);
			await first.locator('[data-testid=live][data-state=connected]').waitFor({ timeout: 20_000 });
			const second = await ctx.newPage();
			waitForHydration(second);
			await second.goto(`${server.url}/alerts/${id}`);
			await second.locator('[data-testid=live][data-state=connected]').waitFor({ timeout: 20_000 });
			// the next leader's link is held up until the change is made, as a slow network or a busy server would
			let open!: () => void;
			const gate = new Promise<void>((r) => (open = r));
			await ctx.route('**/api/v1/alerts/stream', async (route) => {
				await gate;
				await route.continue();
			});
			await first.close();
			const text = `接管期间的备注 ${locks}`;
			expect(await note(id, text)).toBe(201);
			open();
			await expect
				.poll(async () => (await second.locator('[data-testid=alert-trail]').innerText()).includes(text), { timeout: 20_000, message: `locks: ${locks}` })
				.toBe(true);
			await second.locator('[data-testid=live][data-state=connected]').waitFor({ timeout: 20_000 });
			await ctx.close();
		}
	}, 120_000);

	it('says when the session has ended, with a link to sign in again', async () => {
		const id = await anAlert();
		const { ctx, page } = await emergencyContext();
		await page.goto(`${server.url}/alerts/${id}`);
		await page.locator('[data-testid=live][data-state=connected]').waitFor({ timeout: 20_000 });
		// signed out (in another tab, or the session ran out): the server ends the stream at its next message, and
		// the link, asking again, is refused with 401
		expect(await page.evaluate(() => fetch('/logout', { method: 'POST' }).then((r) => r.ok))).toBe(true);
		expect(await note(id, '会话结束测试')).toBe(201);
		const live = page.locator('[data-testid=live]');
		await expect.poll(() => live.getAttribute('data-state'), { timeout: 20_000 }).toBe('expired');
		expect(await live.innerText()).toContain('登录已失效，请重新登录');
		expect(await page.locator('[data-testid=live-login]').getAttribute('href')).toBe(`/login?next=${encodeURIComponent(`/alerts/${id}`)}`);
		await shot(page, 'alerts-live-expired.png');
		await ctx.close();
	});

	it('notices a server that stopped answering (no ping for two intervals), says the link is down, and comes back', async () => {
		const { ctx, page } = await emergencyContext();
		await page.clock.install();
		await page.goto(`${server.url}/alerts`);
		const live = page.locator('[data-testid=live]');
		await live.locator('xpath=self::*[@data-state="connected"]').waitFor({ timeout: 20_000 });
		process.kill(server.pid, 'SIGSTOP');
		try {
			// the server pings every 25 s: nothing for 50 s and the link is taken for dead
			await page.clock.fastForward(51_000);
			await expect.poll(() => live.getAttribute('data-state'), { timeout: 10_000 }).toBe('reconnecting');
			expect(await live.innerText()).toContain('连接中断');
		} finally {
			process.kill(server.pid, 'SIGCONT');
		}
		await page.clock.fastForward(31_000);
		await expect.poll(() => live.getAttribute('data-state'), { timeout: 30_000 }).toBe('connected');
		await ctx.close();
	});
});
