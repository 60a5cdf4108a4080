// Accessibility in a real browser: the operator's, dispatcher's and supervisor's forms worked from the keyboard (the
// focus stays on the form after a submission, goes to the field a refusal names, and that field reads the message),
// the row actions of the queues named with their ticket; on a phone (375×812) and a tablet (768×1024) no page
// scrolls sideways, the queues show each ticket as a card with its action within reach, and wide tables scroll
// inside their frame. No console errors.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, loginAs, shooter } from './fixture';

const suite = browserSuite({ tickets: 2_000, days: 30 });
const { as, errors } = suite;
const shot = shooter('a11y');

/** the focused element: its tag, name or test id, and what describes it */
/** Registers an accepted complaint as the page's user (through the API) and opens its 工单详情; its number. */
async function openNewTicket(page: Page, title: string, content: string): Promise<string> {
	const made = await page.request.post(`${suite.server.url}/api/v1/tickets`, {
		data: { channel: 'phone', type: '投诉', title, content, district_code: '320508', decision: { action: 'accept' } }
	});
	expect(made.status()).toBe(201);
	const no: string = (await made.json()).ticket.ticket_no;
	await page.goto(`${suite.server.url}/tickets/${no}`);
	return no;
}

const focused = (page: Page) =>
	page.evaluate(() => {
		const e = document.activeElement as HTMLElement;
		const ids = (e.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
		return {
			tag: e.tagName,
			testid: e.getAttribute('data-testid'),
			name: e.getAttribute('name'),
			invalid: e.getAttribute('aria-invalid'),
			description: ids.map((id) => document.getElementById(id)?.textContent?.trim() ?? `(missing #${id})`).join(' ')
		};
	});

describe('forms by keyboard', () => {
	it('受理: a refused registration sends the keyboard to the refused field, which reads the message; a registered one keeps it on the form', async () => {
		const op = await as('operator');
		await op.goto(`${suite.server.url}/intake`);
		await op.fill('[data-testid=content]', '请问公积金怎么提取');
		await op.click('[data-testid=decision-answer]');
		await op.locator('[data-testid=register]').focus();
		await op.keyboard.press('Enter');
		await op.locator('[data-testid=intake-error]').waitFor({ timeout: 15_000 });
		await expect.poll(() => focused(op)).toEqual({ tag: 'TEXTAREA', testid: 'decision-note', name: 'decision_note', invalid: 'true', description: '请填写直接答复的内容' });
		await op.keyboard.type('可登录公积金中心网站办理提取');
		await op.locator('[data-testid=register]').focus();
		await op.keyboard.press('Enter');
		await op.locator('[data-testid=intake-done]').waitFor({ timeout: 15_000 });
		// not lost to the page's body (SvelteKit's reset after a success, or a button disabled while the form is on its
		// way): on the result, from which the next Tab reaches the new ticket's number and then the form's first field
		await expect.poll(async () => (await focused(op)).testid).toBe('intake-done');
		await op.keyboard.press('Tab');
		expect((await focused(op)).testid).toBe('intake-ticket');
		await op.keyboard.press('Tab');
		expect((await focused(op)).name).toBe('channel');
	});

	it('受理: the assistant’s panel is not read out whole at each suggestion round; a one-line count is', async () => {
		const op = await as('operator');
		await op.goto(`${suite.server.url}/intake`);
		await op.fill('[data-testid=content]', '楼下有人持刀打架，已经有人受伤流血了');
		await op.locator('[data-testid=screening]').waitFor({ timeout: 15_000 });
		const assist = op.locator('[data-testid=assist]');
		expect(await assist.getAttribute('aria-live')).toBeNull();
		expect(await op.locator('[data-testid=assist] [aria-live], [data-testid=assist] [role=status]').count()).toBe(1);
		expect(await op.locator('[data-testid=assist-summary]').textContent()).toMatch(/^甄别提示 \d+ 条/);
	});

	it('工单详情: a refused action focuses its field, described by the form’s message', async () => {
		const op = await as('operator');
		const no = await openNewTicket(op, '路灯不亮', '小区门口路灯不亮');
		const note = op.locator('[data-testid=form-note]');
		await note.locator('[data-testid=act-note]').focus();
		await op.keyboard.press('Enter');
		await note.locator('[data-testid=action-error]').waitFor({ timeout: 15_000 });
		await expect.poll(() => focused(op)).toEqual({ tag: 'TEXTAREA', testid: 'note-note', name: 'note', invalid: 'true', description: '备注不能为空' });
	});

	it('a double press sends a form once (the busy button is aria-disabled, not disabled, so the second press must be dropped)', async () => {
		const op = await as('operator');
		const no = await openNewTicket(op, '井盖缺失', '路口井盖缺失很危险');
		const posts: string[] = [];
		op.on('request', (r) => {
			if (r.method() === 'POST') posts.push(r.url());
		});
		const note = op.locator('[data-testid=form-note]');
		await note.locator('[data-testid=note-note]').fill('双击测试备注');
		await note.locator('[data-testid=act-note]').dblclick();
		const detailText = async () => JSON.stringify(await op.request.get(`${suite.server.url}/api/v1/tickets/${no}`).then((r) => r.json()));
		await expect.poll(async () => (await detailText()).includes('双击测试备注'), { timeout: 15_000 }).toBe(true);
		await op.waitForTimeout(1500);
		expect(posts.filter((u) => u.includes(`/tickets/${no}`))).toHaveLength(1);
		expect((await detailText()).split('双击测试备注').length - 1).toBe(1);
	});

	it('督办: the row’s controls name their ticket; an urge without a note focuses that row’s note; a sent urge keeps the focus', async () => {
		const sv = await as('supervisor');
		await sv.goto(`${suite.server.url}/supervise?tab=all`);
		const row = sv.locator('[data-testid=queue-row]').first();
		const no = await row.getAttribute('data-ticket');
		expect(await sv.getByRole('button', { name: `催办 ${no}`, exact: true }).count()).toBe(1);
		expect(await sv.getByRole('textbox', { name: `催办意见：${no}`, exact: true }).count()).toBe(1);
		await row.locator('[data-testid=quick-urge]').focus();
		await sv.keyboard.press('Enter');
		await sv.locator('[data-testid=action-error]').waitFor({ timeout: 15_000 });
		await expect.poll(() => focused(sv)).toEqual({ tag: 'INPUT', testid: null, name: 'note', invalid: 'true', description: `${no}：催办须填写意见` });
		await sv.keyboard.type('请尽快处理');
		await sv.keyboard.press('Enter');
		await sv.locator('[data-testid=action-done]').waitFor({ timeout: 15_000 });
		// back on the field Enter was pressed in, emptied for the next row
		await expect.poll(() => focused(sv)).toMatchObject({ tag: 'INPUT', name: 'note', invalid: null });
	});

	it('派单: a ticket dispatched from its row leaves the queue; the keyboard goes to the message saying so', async () => {
		// a ticket of its own with a suggested unit (the routing's for its category and district): the demo's queue
		// may hold none at the hour the test runs
		const made = await (await as('operator')).request.post(`${suite.server.url}/api/v1/tickets`, {
			data: { channel: 'phone', type: '投诉', content: '派单键盘测试：平江路夜间施工噪音扰民', district_code: '320508', category_code: '020101', decision: { action: 'accept' } }
		});
		expect(made.status()).toBe(201);
		const no: string = (await made.json()).ticket.ticket_no;
		const dp = await as('dispatcher');
		await dp.goto(`${suite.server.url}/dispatch?q=${no}`);
		const row = dp.locator(`[data-testid=queue-row][data-ticket="${no}"]`);
		const button = row.locator('[data-testid=quick-dispatch]');
		expect(await button.getAttribute('aria-label')).toMatch(new RegExp(`^派至该单位：${no} 派往`));
		await button.focus();
		await dp.keyboard.press('Enter');
		await dp.locator('[data-testid=action-done]').waitFor({ timeout: 15_000 });
		await expect.poll(async () => (await focused(dp)).testid).toBe('action-done');
		expect(await dp.locator(`[data-testid=queue-row][data-ticket="${no}"]`).count()).toBe(0);
		await shot(dp, 'dispatched');
	});

});

describe('small screens', () => {
	/** a page at a viewport size, signed in as the user; what sticks out to the right: the page, and each table's frame */
	async function open(user: string, path: string, width: number, height: number) {
		const ctx = await suite.browser.newContext({ viewport: { width, height } });
		const page = await ctx.newPage();
		await loginAs(page, suite.server.url, user);
		await page.goto(`${suite.server.url}${path}`);
		const overflow = () =>
			page.evaluate(() => ({
				page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
				frames: Math.max(0, ...[...document.querySelectorAll('[data-testid=queue-table]')].map((t) => t.scrollWidth - t.parentElement!.clientWidth))
			}));
		return { page, overflow, close: () => ctx.close() };
	}

	for (const [user, path] of [
		['supervisor', '/supervise?tab=all'],
		['dispatcher', '/dispatch'],
		['unit_gusu', '/my-tickets?tab=all'],
		['operator', '/tickets']
	] as const) {
		it(`${path} on a phone: each ticket a card that fits the screen, its action within reach`, async () => {
			// a ticket awaiting dispatch of its own: the demo's queue may hold none at the hour the test runs
			if (path === '/dispatch')
				expect(
					(
						await (await as('operator')).request.post(`${suite.server.url}/api/v1/tickets`, {
							data: { channel: 'phone', type: '投诉', content: '小屏派单测试：平江路夜间施工噪音扰民', district_code: '320508', category_code: '020101', decision: { action: 'accept' } }
						})
					).status()
				).toBe(201);
			const { page, overflow, close } = await open(user, path, 375, 812);
			try {
				await page.locator('[data-testid=queue-row]').first().waitFor();
				expect(await overflow()).toEqual({ page: 0, frames: 0 });
				const row = page.locator('[data-testid=queue-row]').first();
				// no column squeezed to a character's width, which made each row as tall as a screen
				expect((await row.boundingBox())!.height).toBeLessThan(500);
				const action = row.locator('[data-testid=quick-urge], [data-testid=quick-dispatch]');
				if (await action.count()) {
					const box = (await action.first().boundingBox())!;
					expect(box.x + box.width).toBeLessThanOrEqual(375);
					expect(box.height).toBeGreaterThanOrEqual(24);
				}
				// each cell says which column it is
				expect(await row.locator('td[data-label="时限"]').evaluate((td) => getComputedStyle(td, '::before').content)).toBe('"时限"');
				await shot(page, `phone${path.replace(/[/?=]/g, '-')}`);
			} finally {
				await close();
			}
		});
	}

	for (const [path, width, height] of [
		['/topics', 375, 812],
		['/topics', 768, 1024],
		['/map', 375, 812],
		['/settings/knowledge', 375, 812],
		['/settings/users', 375, 812],
		['/settings/units', 375, 812],
		['/settings/categories', 375, 812],
		['/settings/dictionary', 375, 812],
		['/settings/routing', 375, 812],
		['/settings/audit', 375, 812],
		['/account', 375, 812],
		['/assessment/D320508?period=90d', 375, 812]
	] as const) {
		it(`${path} at ${width}×${height}: the page does not scroll sideways, its wide tables scroll in their frame`, async () => {
			const { page, overflow, close } = await open('admin', path, width, height);
			try {
				// the topics' table is there once the first text analysis has run
				if (path === '/topics')
					await expect
						.poll(async () => (await page.locator('[data-testid=topics-table]').count()) || (await page.reload(), 0), { timeout: 120_000, interval: 3_000 })
						.toBe(1);
				expect((await overflow()).page).toBe(0);
			} finally {
				await close();
			}
		});
	}

	it('工单详情 opened from 我的工单 on a phone does not scroll sideways', async () => {
		const { page, overflow, close } = await open('unit_gusu', '/my-tickets?tab=all', 375, 812);
		try {
			const first = page.locator('[data-testid=queue-row] a[href^="/tickets/"]').first();
			await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/tickets/')), first.click()]);
			await page.locator('[data-testid=ticket-title]').waitFor();
			// the page's one column was as wide as its widest content (19 px too wide at 375)
			expect((await overflow()).page).toBe(0);
			await shot(page, 'phone-ticket');
		} finally {
			await close();
		}
	});
});

describe('charts', () => {
	it('态势总览: each chart is named, and its numbers are in a table a screen reader reads (the canvas says nothing)', async () => {
		const leader = await as('leader');
		await leader.goto(`${suite.server.url}/`);
		await leader.waitForSelector('[data-testid=trend] canvas');
		// named as the page names it, not by ECharts' generated text (empty for this chart)
		expect(await leader.locator('[data-testid=trend]').getByRole('img').getAttribute('aria-label')).toBe('每日工单量与常态基线');
		const trend = leader.locator('[data-testid=trend] [data-testid=chart-table]');
		expect(await trend.locator('caption').innerText()).toBe('每日工单量与常态基线');
		expect(await trend.locator('thead th').allInnerTexts()).toEqual(expect.arrayContaining(['日期', '工单量', '常态', '正常范围']));
		expect(await trend.locator('tbody tr').count()).toBeGreaterThanOrEqual(28);
		const channels = leader.locator('[data-testid=channels] [data-testid=chart-table]');
		expect(await channels.locator('tbody th').allInnerTexts()).toContain('电话');
		// the rankings have the page's own table beside them: no second one
		expect(await leader.locator('[data-testid=top-categories] [data-testid=chart-table]').count()).toBe(0);
	});
});

describe('charts by keyboard', () => {
	it('态势总览: a chart’s drill-down is reached from the keyboard: Tab into its table (shown while in it), arrows to a row, Enter opens its tickets', async () => {
		const leader = await as('leader');
		await leader.goto(`${suite.server.url}/`);
		await leader.waitForSelector('[data-testid=trend] canvas');
		const days = await leader.locator('[data-testid=trend] [data-testid=chart-table] tbody th').allInnerTexts();
		// from the link before the chart (the trend panel has none of its own), Tab reaches the chart's table: one stop
		await leader.locator('[data-testid=overview-alerts-all]').focus();
		const before = await leader.locator('[data-testid=trend] [data-testid=chart-drill]').boundingBox();
		expect(before!.width).toBeLessThanOrEqual(1);
		let tabs = 0;
		while (!(await leader.evaluate(() => !!document.activeElement?.closest('[data-testid=trend]'))) && tabs++ < 20) await leader.keyboard.press('Tab');
		const at = () => leader.evaluate(() => document.activeElement?.textContent ?? '');
		expect(await at()).toBe(days[0]);
		// the table is seen while the keyboard is in it, over the chart
		const shown = (await leader.locator('[data-testid=trend] [data-testid=chart-drill]').boundingBox())!;
		expect(shown.width).toBeGreaterThan(150);
		expect(shown.height).toBeGreaterThan(100);
		await shot(leader, 'trend-keyboard');
		await leader.keyboard.press('ArrowDown');
		await leader.keyboard.press('ArrowDown');
		expect(await at()).toBe(days[2]);
		await leader.keyboard.press('End');
		expect(await at()).toBe(days[days.length - 1]);
		await leader.keyboard.press('ArrowUp');
		expect(await at()).toBe(days[days.length - 2]);
		// one stop of the Tab key: the next Tab leaves the chart
		await leader.keyboard.press('Tab');
		expect(await leader.evaluate(() => !!document.activeElement?.closest('[data-testid=trend]'))).toBe(false);
		await leader.keyboard.press('Shift+Tab');
		expect(await at()).toBe(days[days.length - 2]);
		const day = days[days.length - 2];
		await leader.keyboard.press('Enter');
		await leader.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('from') === day && u.searchParams.get('to') === day, { timeout: 30_000 });
	});

	it('态势总览: the channels’ chart drills by keyboard to the channel’s tickets, as a click on its bar does', async () => {
		const leader = await as('leader');
		await leader.goto(`${suite.server.url}/`);
		await leader.waitForSelector('[data-testid=channels] canvas');
		const link = leader.locator('[data-testid=channels] [data-testid=chart-table] tbody a').first();
		const href = await link.getAttribute('href');
		expect(href).toMatch(/^\/search\?.*channel=/);
		await link.focus();
		await leader.keyboard.press('Enter');
		await leader.waitForURL((u) => u.pathname === '/search' && !!u.searchParams.get('channel'), { timeout: 30_000 });
		expect(new URL(leader.url()).search).toBe(href!.slice('/search'.length));
	});
});

describe('status messages', () => {
	/**
	 * A screen reader reads a live region's new content, not reliably a region added with its content: the region
	 * must be on the page before the message, and the message put into that same element. Marks the region, then
	 * returns a function telling whether the marked region now holds the text.
	 */
	async function markRegion(page: Page, selector: string) {
		const region = page.locator(selector);
		expect(await region.getAttribute('role')).toMatch(/^(status|alert)$/);
		expect((await region.innerText()).trim()).toBe('');
		await region.evaluate((e) => ((e as HTMLElement & { marked?: boolean }).marked = true));
		return () => region.evaluate((e) => ((e as HTMLElement & { marked?: boolean }).marked ? (e.textContent ?? '').trim() : '(region replaced)'));
	}

	it('工单详情: the message of a done action comes into a live region already on the page', async () => {
		const op = await as('operator');
		const no = await openNewTicket(op, '垃圾未清运', '小区垃圾三天未清运');
		const said = await markRegion(op, '[data-testid=action-status]');
		const note = op.locator('[data-testid=form-note]');
		await note.locator('[data-testid=note-note]').fill('已电话联系物业');
		await note.locator('[data-testid=act-note]').click();
		await op.locator('[data-testid=action-done]').waitFor({ timeout: 15_000 });
		expect(await said()).toBe(await op.locator('[data-testid=action-done]').innerText());
	});

	it('受理: the registered ticket’s message comes into a live region already on the page', async () => {
		const op = await as('operator');
		await op.goto(`${suite.server.url}/intake`);
		const said = await markRegion(op, '[data-testid=intake-status]');
		await op.fill('[data-testid=content]', '请问社保卡丢了怎么补办');
		await op.click('[data-testid=decision-answer]');
		await op.fill('[data-testid=decision-note]', '可到社保中心窗口补办');
		await op.click('[data-testid=register]');
		await op.locator('[data-testid=intake-done]').waitFor({ timeout: 15_000 });
		expect(await said()).toMatch(/^工单 \S+ /);
	});

	it('预警: a change arriving on the live link is said in a live region (the list changes silently otherwise), once', async () => {
		const duty = await as('emergency');
		// all of them: the demo's month of calls has its incidents over by now, and none fires from the data's first days
		await duty.goto(`${suite.server.url}/alerts?status=all`);
		await duty.locator('[data-testid=live][data-state=connected]').waitFor({ timeout: 30_000 });
		const said = await markRegion(duty, '[data-testid=live-news]');
		const id = await duty.locator('[data-testid=alert-row]').first().getAttribute('data-id');
		const admin = await as('admin');
		expect((await admin.request.post(`${suite.server.url}/api/v1/alerts/${id}/notes`, { data: { note: '值班长已电话核实' } })).status()).toBe(201);
		await expect.poll(said, { timeout: 15_000 }).toMatch(/^\d{2}:\d{2}:\d{2} 1 条预警有变化，列表已更新$/);
	});
});

describe('radio groups', () => {
	it('every group of radio buttons is a fieldset named by its legend (受理意见 was a div)', async () => {
		for (const [user, path] of [
			['operator', '/intake'],
			['admin', '/briefings']
		] as const) {
			const page = await as(user);
			await page.goto(`${suite.server.url}${path}`);
			const radios = await page.$$eval('main input[type=radio]', (rs) =>
				rs.map((r) => ({ name: r.getAttribute('name'), legend: r.closest('fieldset')?.querySelector(':scope > legend')?.textContent?.trim() ?? null }))
			);
			expect(radios.length, path).toBeGreaterThan(0);
			for (const r of radios) expect(r.legend, `${path} ${r.name}`).toBeTruthy();
		}
		const op = await as('operator');
		await op.goto(`${suite.server.url}/intake`);
		expect(await op.getByRole('group', { name: '受理意见', exact: true }).getByRole('radio').count()).toBeGreaterThanOrEqual(3);
	});
});

describe('maps by keyboard', () => {
	it('态势地图: Tab reaches the districts, each read with its figure, the focused one ringed above the outlines and its tooltip shown; Enter drills to its streets', async () => {
		const leader = await as('leader');
		await leader.goto(`${suite.server.url}/map`);
		await leader.locator('[data-testid=map-district]').first().waitFor();
		await leader.locator('[data-testid=metric-switch] a').last().focus();
		let tabs = 0;
		while (!(await leader.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'map-district')) && tabs++ < 30) await leader.keyboard.press('Tab');
		const district = await leader.evaluate(() => {
			const a = document.activeElement!;
			const fill = a.querySelector('.fill')!;
			return { code: a.getAttribute('data-code')!, label: a.getAttribute('aria-label')!, stroke: getComputedStyle(fill).strokeWidth };
		});
		expect(district.label).toMatch(/^\S+：[\d,]+/);
		expect(district.stroke).toBe('2px');
		// ringed on top of the outlines (its own edge lay under a hotspot's dashed outline)
		expect(await leader.locator('[data-testid=map-focus]').getAttribute('data-code')).toBe(district.code);
		await leader.locator('[data-testid=map-tooltip]').waitFor();
		await leader.keyboard.press('Enter');
		await leader.waitForURL((u) => u.pathname === '/map' && u.searchParams.get('district') === district.code, { timeout: 30_000 });
		await leader.locator('[data-testid=street-panel]').waitFor();
	});
});

describe('headings', () => {
	/** the page's headings as levels with their text, those hidden from screen readers left out */
	const headings = (page: Page) =>
		page.$$eval('h1, h2, h3, h4, h5, h6', (hs) =>
			hs.filter((h) => !h.closest('[aria-hidden=true]')).map((h) => ({ level: Number(h.tagName[1]), text: (h.textContent ?? '').trim().slice(0, 20) }))
		);

	it('every screen has one h1, first, and no level skipped (the navigation’s group names were h2s before it)', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/`);
		const paths = new Set(await admin.$$eval('nav[aria-label=主导航] a', (as) => as.map((a) => a.getAttribute('href')!)));
		// and a page of each kind the navigation leads to: a ticket, an alert, a topic, a ticket's record, a briefing, the settings' own pages
		for (const [list, pattern] of [
			['/supervise?tab=all', '/tickets/'],
			['/alerts?status=all', '/alerts/'],
			['/topics', '/topics/'],
			[`/search?q=${encodeURIComponent('噪音')}`, '/search/'],
			['/briefings', '/briefings/'],
			['/settings', '/settings/']
		] as const) {
			await admin.goto(`${suite.server.url}${list}`);
			const found = (await admin.$$eval(`main a[href^="${pattern}"]`, (as) => as.map((a) => a.getAttribute('href')!.split('?')[0]))).filter((p) => p.length > pattern.length && !p.endsWith('/export')); // a list's download is no page
			// the first of each list, and each of the settings' pages
			for (const path of pattern === '/settings/' ? found : found.slice(0, 1)) paths.add(path);
		}
		for (const pattern of ['/tickets/', '/alerts/', '/topics/', '/search/']) expect([...paths].some((p) => p.startsWith(pattern))).toBe(true);
		const wrong: string[] = [];
		for (const path of paths) {
			await admin.goto(`${suite.server.url}${path}`);
			const hs = await headings(admin);
			const skipped = hs.findIndex((h, i) => i > 0 && h.level > hs[i - 1].level + 1);
			if (hs[0]?.level !== 1 || hs.filter((h) => h.level === 1).length !== 1 || skipped >= 0) wrong.push(`${path}: ${hs.map((h) => `h${h.level} ${h.text}`).join(' · ')}`);
		}
		expect(wrong).toEqual([]);
	});
});

describe('console', () => {
	it('no console errors', () => {
		for (const [user, list] of Object.entries(errors)) expect(list, user).toEqual([]);
	});
});
