// 设置 › 派单规则 in a real browser: the admin finds the card on 设置 and 餐饮油烟's rule (所在街道（镇）); the
// dispatcher's queue suggests 姑苏区's government for a new 餐饮油烟 ticket whose street is not known; the admin sets the
// category to 市城管局 and the dispatcher's queue suggests it on the next load; 恢复 brings the file's rule back.
// No console errors.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, shooter } from './fixture';

const suite = browserSuite({ tickets: 1_000, days: 14 });
const { as, errors } = suite;
const shot = shooter('routing');

const LEAF = '020101';
let ticketNo = '';

/** What the dispatch queue suggests for the ticket: the unit and why, or the note when there is none. */
async function suggestion(dispatcher: Page): Promise<string> {
	await dispatcher.goto(`${suite.server.url}/dispatch?q=${ticketNo}`);
	const row = dispatcher.locator(`[data-testid=queue-row][data-ticket="${ticketNo}"]`);
	await row.waitFor();
	const quick = row.locator('form.quick > span').first();
	return (await quick.count()) ? ((await quick.textContent()) ?? '') : ((await row.locator('[data-testid=no-suggestion]').textContent()) ?? '');
}

describe('设置 › 派单规则', () => {
	it('the admin finds 餐饮油烟’s rule; the dispatcher is suggested the district government for a ticket without a street', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/settings`);
		const card = admin.locator('[data-testid=settings-routing]');
		expect(await card.textContent()).toMatch(/分类 \d+ 个 · 在此设置 0 个/);
		await card.locator('a.btn').click();
		await admin.waitForURL(/\/settings\/routing$/);
		await admin.locator('[data-testid=routing-filter]').fill(LEAF);
		await admin.locator('[data-testid=routing-filter]').press('Enter');
		await admin.waitForURL(/q=020101/);
		const row = admin.locator(`[data-testid=routing-row][data-code="${LEAF}"]`);
		expect(await row.locator('[data-testid=routing-handler]').textContent()).toContain('所在街道（镇）');

		const operator = await as('operator');
		const made = await operator.request.post(`${suite.server.url}/api/v1/tickets`, {
			data: { channel: 'phone', type: '投诉', title: '饭店油烟', content: '楼下饭店油烟很大', district_code: '320508', category_code: LEAF, decision: { action: 'accept' } }
		});
		expect(made.status()).toBe(201);
		ticketNo = (await made.json()).ticket.ticket_no;
		expect(await suggestion(await as('dispatcher'))).toBe('苏州市姑苏区人民政府（按分派规则）');
	});

	it('sets 餐饮油烟 to 市城管局: the dispatcher’s next load suggests it; 恢复 brings the file’s rule back', async () => {
		const admin = await as('admin');
		const dispatcher = await as('dispatcher');
		await admin.locator(`[data-testid=routing-row][data-code="${LEAF}"] [data-testid=routing-edit]`).click();
		await admin.waitForURL(/edit=020101/);
		await admin.locator('[data-testid=edit-handler]').selectOption('M01');
		await admin.locator('[data-testid=edit-save]').click();
		const saved = admin.locator('[data-testid=edit-saved]');
		await saved.waitFor();
		expect(await saved.textContent()).toMatch(/：建议承办由「所在街道（镇）」改为「苏州市城市管理局」，派单时即按此建议$/);
		const row = admin.locator(`[data-testid=routing-row][data-code="${LEAF}"][data-set="1"]`);
		await row.waitFor();
		expect(await row.locator('[data-testid=routing-handler]').textContent()).toContain('苏州市城市管理局');
		await shot(admin, '1-set', { viewport: true });
		expect(await suggestion(dispatcher)).toBe('苏州市城市管理局（按分派规则）');

		await admin.locator('[data-testid=routing-reset]').click();
		await admin.locator(`[data-testid=routing-row][data-code="${LEAF}"][data-set="0"]`).waitFor();
		expect(await suggestion(dispatcher)).toBe('苏州市姑苏区人民政府（按分派规则）');
	});

	it('no console errors', () => {
		expect(errors.admin).toEqual([]);
		expect(errors.dispatcher).toEqual([]);
	});
});
