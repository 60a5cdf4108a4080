// 设置 › 分类 in a real browser: the admin finds the card on 设置; renames 大气污染 (the paths under it follow and the
// former name shows), refuses a sibling's name next to the field, adds a level 3 under it and stops 工业废气; the
// operator's 受理 form then offers the new one under the new path and not the stopped one. No console errors.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, shooter } from './fixture';

const suite = browserSuite({ tickets: 1_000, days: 14 });
const { as, errors } = suite;
const shot = shooter('categories');

/** The names the 受理 form offers as 诉求分类. */
async function intakeChoices(operator: Page): Promise<string[]> {
	await operator.goto(`${suite.server.url}/intake`);
	const select = operator.locator('[data-testid=category]');
	await select.waitFor();
	return select.locator('option').allTextContents();
}

describe('设置 › 分类', () => {
	it('the admin finds it on 设置 and sees the tree', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/settings`);
		const card = admin.locator('[data-testid=settings-categories]');
		expect(await card.textContent()).toMatch(/分类 \d+ 个（在用 \d+ 个）/);
		await card.locator('a.btn').click();
		await admin.waitForURL(/\/settings\/categories$/);
		const rows = await admin.locator('[data-testid=category-row]').evaluateAll((rs) => rs.slice(0, 3).map((r) => r.getAttribute('data-code') ?? ''));
		expect(rows).toEqual(['01', '0101', '010101']);
	});

	it('renames 大气污染 after refusing a sibling’s name; the paths under it follow', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/settings/categories?q=大气`);
		await admin.locator('[data-testid=category-row][data-code="0201"] [data-testid=category-edit]').click();
		await admin.waitForURL(/edit=0201/);
		const name = admin.locator('[data-testid=edit-name]');
		await name.fill('水污染');
		await admin.locator('[data-testid=edit-save]').click();
		const refused = admin.locator('[data-testid=field-error][data-field=name]');
		await refused.waitFor();
		expect(await refused.textContent()).toContain('「环境保护 › 水污染」已存在');
		expect(await name.inputValue()).toBe('水污染');
		await name.fill('大气环境');
		await admin.locator('[data-testid=edit-save]').click();
		await admin.locator('[data-testid=edit-saved]').waitFor();
		expect(await admin.locator('[data-testid=edit-saved]').textContent()).toContain('名称由「大气污染」改为「大气环境」（其下 4 个分类的路径随之改变）');
		const row = admin.locator('[data-testid=category-row][data-code="0201"]');
		expect(await row.locator('[data-testid=category-former]').textContent()).toBe('曾用名：大气污染');
		// the filter 大气 still finds the level 3s under it by their new path
		expect(await admin.locator('[data-testid=category-row][data-code="020101"]').textContent()).toContain('环境保护 › 大气环境 › 餐饮油烟');
	});

	it('adds a level 3 under it and stops 工业废气; the 受理 form follows', async () => {
		const admin = await as('admin');
		await admin.locator('[data-testid=category-row][data-code="0201"] [data-testid=category-add-under]').click();
		await admin.waitForURL(/parent=0201/);
		expect(await admin.locator('[data-testid=add-parent]').inputValue()).toBe('0201');
		await admin.locator('[data-testid=add-name]').fill('汽车尾气');
		await admin.locator('[data-testid=add-save]').click();
		await admin.locator('[data-testid=add-saved]').waitFor();
		expect(await admin.locator('[data-testid=add-saved]').textContent()).toContain('已新建分类 020105 环境保护 › 大气环境 › 汽车尾气');

		await admin.locator('[data-testid=category-row][data-code="020102"] [data-testid=category-disable]').click();
		await admin.locator('[data-testid=category-row][data-code="020102"][data-in-use="0"]').waitFor();
		expect(await admin.locator('[data-testid=list-ok]').textContent()).toContain('工业废气：已停用');
		await shot(admin, '1-stopped', { viewport: true });

		const operator = await as('operator');
		const choices = await intakeChoices(operator);
		expect(choices).toContain('大气环境 › 汽车尾气');
		expect(choices).toContain('大气环境 › 餐饮油烟');
		expect(choices).not.toContain('大气环境 › 工业废气');
		expect(choices.filter((c) => c.includes('大气污染'))).toEqual([]);
	});

	it('no console errors', () => {
		expect(errors.admin).toEqual([]);
		expect(errors.operator).toEqual([]);
	});
});
