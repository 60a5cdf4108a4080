// The admin page of the data-intake quarantine: refused records with their Chinese reasons, the raw text shown
// literally, replay after a mapping fix, and no access for other roles.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SHOTS, launchBrowser, loginAs, startServer, watchErrors, type TestServer } from './fixture';

let server: TestServer;
let browser: Browser;

/** A time a day ago in Asia/Shanghai, as the feed writes it. */
const received = new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 19) + '+08:00';
const record = (id: string, channel: string, content: string) =>
	JSON.stringify({ external_id: id, received_at: received, channel, type: '投诉', content, address: '姑苏区平江街道' });
/** A malformed line with markup in it: the page must show it as text, never run it. */
const MALFORMED = '{"external_id": "Q-3", "content": "<script>window.__pwned = 1</script><b>粗体</b>", ';
const FIX = '{"version":1,"name":"fix","values":{"channel":{"电话":"phone"}}}';

beforeAll(async () => {
	browser = await launchBrowser();
	server = await startServer({ tickets: 2_000, days: 30 });
	// before anything was refused: the empty state
	const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
	await loginAs(page, server.url, 'admin');
	await page.goto(`${server.url}/admin/quarantine`);
	expect(await page.locator('[data-testid=quarantine-empty]').innerText()).toContain('隔离区为空');
	expect(await page.locator('[data-testid=replay-form]').count()).toBe(0);
	await page.screenshot({ path: join(SHOTS, 'quarantine-empty.png') });
	await page.close();
	await server.stop();
	const file = join(server.dataDir, 'legacy-feed.ndjson');
	writeFileSync(
		file,
		[record('Q-1', 'web', '小区门口垃圾堆了三天没人清运'), record('Q-2', '电话', '楼下饭店油烟扰民，晚上十点还在营业'), MALFORMED].join('\n') + '\n'
	);
	const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/lib/server/cli/main.ts', 'ingest', file, '--source', 'legacy', '--data-dir', server.dataDir], {
		cwd: ROOT,
		encoding: 'utf8'
	});
	expect(r.status, r.stderr).toBe(0);
	const summary = JSON.parse(r.stdout);
	expect(summary).toMatchObject({ read: 3, accepted: 1, quarantined: 2, quarantinedByReason: { unknown_channel: 1, bad_json: 1 } });
	// the direct mode reports what the process used (the benchmark reads these)
	expect(summary.peakRssMB).toBeGreaterThan(0);
	expect(summary.cpuSeconds).toBeGreaterThan(0);
	if (process.platform === 'linux') {
		// and where the CPU time went: the segmentation workers load their dictionaries even for three records
		expect(summary.cpuByThread.segmentation).toBeGreaterThan(0);
		expect(summary.cpuByThread.main).toBeGreaterThan(0);
		expect(summary.cpuByThread.other).toBeGreaterThanOrEqual(0);
	}
	server = await startServer({ dataDir: server.dataDir });
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
	server?.cleanup();
});

describe('数据隔离区', () => {
	it('lists the refused records, shows the raw text literally, and replays after a mapping fix', async () => {
		const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
		const errors = watchErrors(page);
		await loginAs(page, server.url, 'admin');
		await page.click('nav[aria-label=主导航] a:has-text("数据隔离区")');
		await page.waitForURL((u) => u.pathname === '/admin/quarantine');
		await expect.poll(() => page.locator('h1').innerText()).toBe('数据隔离区');

		// counts by source × reason, and both rows with their Chinese reasons
		const counts = page.locator('[data-testid=count-row]');
		expect(await counts.count()).toBe(2);
		expect(await page.locator('[data-testid=total-open]').innerText()).toBe('2');
		const rows = page.locator('[data-testid=quarantine-row]');
		expect(await rows.count()).toBe(2);
		const channelRow = rows.and(page.locator('[data-reason=unknown_channel]'));
		const badRow = rows.and(page.locator('[data-reason=bad_json]'));
		expect(await channelRow.innerText()).toContain('来源渠道不在 phone、web、app、wechat、open311、feed 之中');
		expect(await channelRow.innerText()).toContain('legacy');
		expect(await channelRow.innerText()).toContain('来源渠道');
		expect(await badRow.innerText()).toContain('该行不是有效的 JSON');
		expect(await badRow.getAttribute('data-line')).toBe('3');
		await page.screenshot({ path: join(SHOTS, 'quarantine-list.png'), fullPage: true });

		// filters live in the URL
		await page.selectOption('#f-reason', 'bad_json');
		await Promise.all([page.waitForURL((u) => u.searchParams.get('reason') === 'bad_json'), page.click('[data-testid=filters] button[type=submit]')]);
		expect(await rows.count()).toBe(1);
		await page.goto(`${server.url}/admin/quarantine`);

		// the malformed line, shown as text: the markup is visible and nothing of it ran
		await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/admin/quarantine/legacy/')), badRow.locator('[data-testid=show-row]').click()]);
		expect(await page.locator('[data-testid=raw]').innerText()).toBe(MALFORMED);
		expect(await page.locator('[data-testid=raw] script, [data-testid=raw] b').count()).toBe(0);
		expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
		expect(await page.locator('[data-testid=entry-reason]').innerText()).toBe('该行不是有效的 JSON');
		expect(await page.locator('[data-testid=entry-fields]').innerText()).toContain('无法通过重放修正');
		await page.screenshot({ path: join(SHOTS, 'quarantine-detail.png'), fullPage: true });
		await Promise.all([page.waitForURL((u) => u.pathname === '/admin/quarantine'), page.click('[data-testid=back]')]);

		// a mapping with a mistake is refused with the place named
		await page.fill('#replay-text', '{"version":1,"values":{"chanel":{"电话":"phone"}}}');
		await page.click('[data-testid=replay-form] button[type=submit]');
		await expect.poll(() => page.locator('[data-testid=replay-error]').innerText()).toContain('是否应为「channel」');
		expect(await page.locator('[data-testid=replay-error]').innerText()).toContain('/values/chanel');
		expect(await page.locator('[data-testid=total-open]').innerText()).toBe('2');

		// the corrected mapping, uploaded: the 电话 record comes in, the malformed line stays
		const before = await (await page.request.get(`${server.url}/api/v1/overview`)).json();
		await page.fill('#replay-text', '');
		await page.setInputFiles('#replay-file', { name: 'fix.json', mimeType: 'application/json', buffer: Buffer.from(FIX) });
		await page.click('[data-testid=replay-form] button[type=submit]');
		const result = page.locator('[data-testid=replay-result]');
		// the first replay starts the segmentation workers: allow it time
		await expect.poll(() => result.isVisible(), { timeout: 60_000 }).toBe(true);
		expect(await result.innerText()).toContain('使用映射「fix」');
		expect(await page.locator('[data-testid=replay-replayed]').innerText()).toBe('1');
		expect(await page.locator('[data-testid=replay-remaining]').innerText()).toBe('1');
		expect(await page.locator('[data-testid=replay-still-failing]').innerText()).toBe('0');
		expect(await page.locator('[data-testid=replay-not-replayable]').innerText()).toBe('1');
		// the page's figures follow: one left open, one replayed
		await expect.poll(() => page.locator('[data-testid=total-open]').innerText()).toBe('1');
		expect(await page.locator('[data-testid=total-replayed]').innerText()).toBe('1');
		expect(await rows.count()).toBe(1);
		expect(await rows.first().getAttribute('data-reason')).toBe('bad_json');
		const after = await (await page.request.get(`${server.url}/api/v1/overview`)).json();
		expect(after.totalTickets).toBe(before.totalTickets + 1);
		await page.screenshot({ path: join(SHOTS, 'quarantine-replayed.png'), fullPage: true });

		await page.goto(`${server.url}/admin/quarantine?status=replayed`);
		expect(await rows.count()).toBe(1);
		expect(await rows.first().getAttribute('data-reason')).toBe('unknown_channel');
		expect(await rows.first().getAttribute('data-status')).toBe('replayed');

		// a source, reason or status the quarantine does not know is named, not applied in silence
		await page.goto(`${server.url}/admin/quarantine?source=nosuch&reason=bad_json&status=gone`);
		const problems = await page.locator('[data-testid=filter-problem]').allInnerTexts();
		expect(problems).toEqual(['未知的状态「gone」，已显示待处理的记录', '隔离区中没有来源「nosuch」的记录，已显示全部来源']);
		expect(await rows.count()).toBeGreaterThan(0);

		expect(errors).toEqual([]);
		await page.close();
	});

	it('is for administrators only', async () => {
		const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
		await loginAs(page, server.url, 'analyst');
		const nav = await page.locator('nav[aria-label=主导航] a').allInnerTexts();
		expect(nav.join(' ')).not.toContain('数据隔离区');
		const r = await page.goto(`${server.url}/admin/quarantine`);
		expect(r?.status()).toBe(403);
		await expect.poll(() => page.locator('[data-testid=error]').innerText()).toContain('无权访问');
		const detail = await page.request.get(`${server.url}/admin/quarantine/legacy/x/1`);
		expect(detail.status()).toBe(403);
		const post = await page.request.post(`${server.url}/admin/quarantine?/replay`, {
			headers: { origin: server.url },
			multipart: { mappingText: FIX }
		});
		expect(post.status()).toBe(403);
		await page.screenshot({ path: join(SHOTS, 'quarantine-analyst-403.png') });
		await page.close();
	});
});
