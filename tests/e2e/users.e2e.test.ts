// 设置 › 用户 in a real browser: the admin finds the card on 设置 and the demo accounts in the list; adds an
// undertaking unit's account (a missing unit and a mistyped confirmation are named next to their fields, what was
// typed stays, the passwords do not); the new user signs in and is sent to 我的账号 to change the password the admin
// set before anything else, then reaches 我的工单; the admin disables the account and the user's open page is sent to
// sign in, enables it, and sets a new password, with which the user is sent to 我的账号 again and changes it there (a
// wrong current password named next to its field); the admin reads all of it in 设置 › 操作日志. No console errors.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { browserSuite, loginAs, shooter, watchErrors } from './fixture';

const suite = browserSuite({ tickets: 1_000, days: 14 });
const { as, errors } = suite;
const shot = shooter('users');

const NEW = { username: 'zhang.handler', name: '张承办', password: 'first-pass-123' };
let handler: Page;
/** console errors of each of the new user's sessions */
const handlerErrors: string[][] = [];

async function newSession(username: string, password: string): Promise<Page> {
	const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	handlerErrors.push(watchErrors(page));
	await loginAs(page, suite.server.url, username, password);
	return page;
}

describe('设置 › 用户', () => {
	it('the admin finds it on 设置 and sees the accounts', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/settings`);
		const card = admin.locator('[data-testid=settings-users]');
		expect(await card.textContent()).toMatch(/账号 \d+ 个（启用 \d+ 个）/);
		await card.locator('a.btn').click();
		await admin.waitForURL(/\/settings\/users$/);
		await admin.locator('[data-testid=user-row][data-username=admin]').waitFor();
		expect(await admin.locator('[data-testid=user-row][data-username=admin]').textContent()).toContain('当前登录');
		// one's own account has no 停用 button
		expect(await admin.locator('[data-testid=user-row][data-username=admin] [data-testid=user-disable]').count()).toBe(0);
	});

	it('names a missing unit and a mistyped confirmation next to their fields, keeps what was typed, then adds the account', async () => {
		const admin = await as('admin');
		const f = admin.locator('[data-testid=add-form]');
		await f.locator('[data-testid=add-username]').fill(NEW.username);
		await f.locator('[data-testid=add-name]').fill(NEW.name);
		await f.locator('[data-testid=add-role]').selectOption('unit_handler');
		await f.locator('[data-testid=add-password]').fill(NEW.password);
		await f.locator('[data-testid=add-confirm]').fill(NEW.password);
		await f.locator('[data-testid=add-save]').click();
		const unitError = admin.locator('[data-testid=field-error][data-field=unit]');
		await unitError.waitFor();
		expect(await unitError.textContent()).toBe('承办单位账号必须选择所属单位');
		expect(await admin.locator('[data-testid=add-username]').inputValue()).toBe(NEW.username);
		expect(await admin.locator('[data-testid=add-role]').inputValue()).toBe('unit_handler');
		expect(await admin.locator('[data-testid=add-password]').inputValue()).toBe('');
		await shot(admin, '1-refused');

		await admin.locator('[data-testid=add-unit]').selectOption('M03');
		await admin.locator('[data-testid=add-password]').fill(NEW.password);
		await admin.locator('[data-testid=add-confirm]').fill(`${NEW.password}x`);
		await admin.locator('[data-testid=add-save]').click();
		await admin.locator('[data-testid=field-error][data-field=confirm]', { hasText: '两次输入的密码不一致' }).waitFor();
		expect(await admin.locator('[data-testid=add-unit]').inputValue()).toBe('M03');

		await admin.locator('[data-testid=add-password]').fill(NEW.password);
		await admin.locator('[data-testid=add-confirm]').fill(NEW.password);
		await admin.locator('[data-testid=add-save]').click();
		await admin.locator('[data-testid=add-saved]').waitFor();
		const row = admin.locator(`[data-testid=user-row][data-username="${NEW.username}"]`);
		await row.waitFor();
		expect(await row.textContent()).toContain('苏州市市场监督管理局');
		expect(await admin.locator('[data-testid=add-username]').inputValue()).toBe('');
		await shot(admin, '2-added');
	});

	it('the new account signs in, must first change the password the admin set on 我的账号, then lands on 我的工单', async () => {
		handler = await newSession(NEW.username, NEW.password);
		await handler.waitForURL(/\/account$/);
		await handler.locator('[data-testid=password-must-change]').waitFor();
		// any other page sends it back
		await handler.goto(`${suite.server.url}/my-tickets`);
		await handler.waitForURL(/\/account$/);
		await shot(handler, '2b-must-change', { viewport: true });
		// a password built on a common one is refused next to its field, saying why and what to do
		await handler.locator('[data-testid=password-current]').fill(NEW.password);
		await handler.locator('[data-testid=password-new]').fill('qwer1234!');
		await handler.locator('[data-testid=password-confirm]').fill('qwer1234!');
		await handler.locator('[data-testid=password-save]').click();
		const refusal = handler.locator('[data-testid=field-error][data-field=password]');
		expect(await refusal.innerText()).toBe('这个密码容易被猜中（与常用密码相近），请换一个：再加几个不常见的词');
		await shot(handler, '2c-easily-guessed', { viewport: true });
		await handler.locator('[data-testid=password-current]').fill(NEW.password);
		await handler.locator('[data-testid=password-new]').fill('own-pass-234');
		await handler.locator('[data-testid=password-confirm]').fill('own-pass-234');
		await handler.locator('[data-testid=password-save]').click();
		await handler.locator('[data-testid=password-continue]').click();
		await handler.waitForURL(/\/my-tickets$/);
		await handler.locator('h1').waitFor();
		expect(await handler.locator('[data-testid=password-must-change]').count()).toBe(0);
	});

	it('disabling the account sends its open page to sign in; it is enabled again and given a new password', async () => {
		const admin = await as('admin');
		await admin.locator(`[data-testid=user-row][data-username="${NEW.username}"] [data-testid=user-disable]`).click();
		await admin.locator('[data-testid=list-ok]', { hasText: `已停用 ${NEW.username}` }).waitFor();
		expect(await admin.locator(`[data-testid=user-row][data-username="${NEW.username}"]`).getAttribute('data-active')).toBe('0');
		await handler.reload();
		await handler.waitForURL(/\/login/);

		await admin.locator(`[data-testid=user-row][data-username="${NEW.username}"] [data-testid=user-enable]`).click();
		await admin.locator('[data-testid=list-ok]', { hasText: `已启用 ${NEW.username}` }).waitFor();
		await admin.locator(`[data-testid=user-row][data-username="${NEW.username}"] [data-testid=user-password]`).click();
		const pf = admin.locator('[data-testid=password-form]');
		await pf.waitFor();
		await pf.locator('[data-testid=password-new]').fill('second-pass-456');
		await pf.locator('[data-testid=password-confirm]').fill('second-pass-456');
		await pf.locator('[data-testid=password-save]').click();
		await admin.locator('[data-testid=password-saved]').waitFor();
		await shot(admin, '3-password');
		await handler.context().close();

		// a password the admin set again: changed first
		handler = await newSession(NEW.username, 'second-pass-456');
		await handler.waitForURL(/\/account$/);
		await handler.locator('[data-testid=password-must-change]').waitFor();
	});

	it('the user changes it on 我的账号, reached from their name in the top bar too', async () => {
		await handler.click('[data-testid=user-name]');
		await handler.waitForURL(/\/account$/);
		expect(await handler.locator('[data-testid=account-info]').textContent()).toContain('苏州市市场监督管理局');
		const f = handler.locator('[data-testid=password-form]');
		await f.locator('[data-testid=password-current]').fill('not-my-password');
		await f.locator('[data-testid=password-new]').fill('third-pass-789');
		await f.locator('[data-testid=password-confirm]').fill('third-pass-789');
		await f.locator('[data-testid=password-save]').click();
		await handler.locator('[data-testid=field-error][data-field=current]', { hasText: '当前密码不正确' }).waitFor();
		await handler.locator('[data-testid=password-current]').fill('second-pass-456');
		await handler.locator('[data-testid=password-new]').fill('third-pass-789');
		await handler.locator('[data-testid=password-confirm]').fill('third-pass-789');
		await handler.locator('[data-testid=password-save]').click();
		await handler.locator('[data-testid=password-saved]').waitFor();
		await shot(handler, '4-account');
		// still signed in here
		await handler.goto(`${suite.server.url}/my-tickets`);
		expect(new URL(handler.url()).pathname).toBe('/my-tickets');
		await handler.context().close();
		handler = await newSession(NEW.username, 'third-pass-789');
		expect(new URL(handler.url()).pathname).toBe('/my-tickets');
		await handler.context().close();
	});

	it('the admin reads it all in 设置 › 操作日志: the account added, its password set, the user’s own changes and sign-ins', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/settings`);
		await admin.locator('[data-testid=settings-audit] a.btn').click();
		await admin.waitForURL(/\/settings\/audit$/);
		await admin.locator('[data-testid=audit-filter]').fill(NEW.username);
		await admin.locator('[data-testid=audit-filter]').press('Enter');
		await admin.waitForURL(/q=zhang.handler/);
		const messages = await admin.locator('[data-testid=audit-message]').allTextContents();
		expect(messages.at(-1)).toBe(`用户：admin 新建账号 ${NEW.username}（${NEW.name}，承办单位 · 苏州市市场监督管理局）`);
		for (const m of [
			`用户：admin 重设账号 ${NEW.username} 的密码`,
			`用户：${NEW.username} 修改了自己的密码`,
			`用户：admin 停用账号 ${NEW.username}（结束会话 1 个）`
		])
			expect(messages.some((x) => x.startsWith(m)), m).toBe(true);
		expect(messages.filter((x) => x.startsWith(`登录：${NEW.username} 登录（来自 `)).length).toBe(3);
		expect(messages.some((x) => x.startsWith('登录：登录失败'))).toBe(false);
		// one click on a name keeps that person's entries
		await admin.locator('[data-testid=audit-actor]', { hasText: NEW.username }).first().click();
		await admin.waitForURL(/actor=zhang.handler/);
		expect(new Set(await admin.locator('[data-testid=audit-actor]').allTextContents())).toEqual(new Set([NEW.username]));
		await shot(admin, '5-audit', { viewport: true });
		// the same entries as an Excel file: the download link carries the filter
		const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('[data-testid=audit-export]')]);
		expect(download.suggestedFilename()).toMatch(/^操作日志-\d{4}-\d{2}-\d{2}\.xlsx$/);
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.readFile(await download.path());
		const ws = wb.getWorksheet('操作日志')!;
		expect(String(ws.getCell('A2').value)).toMatch(new RegExp(`^操作人：${NEW.username}；含“${NEW.username}”；共 \\d+ 条；admin 导出于`));
		const actors = new Set<unknown>();
		ws.eachRow((row, n) => void (n > 3 && actors.add(row.getCell(3).value)));
		expect(actors).toEqual(new Set([NEW.username]));
	});

	it('no console errors', () => {
		expect(errors.admin).toEqual([]);
		expect(handlerErrors.flat()).toEqual([]);
	});
});
