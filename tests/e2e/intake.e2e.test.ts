// 受理 in a real browser, the form itself: an address in another city fills in no place and the assistant says
// it seems outside the city (the operator may still choose one); the next call starts without the last call's
// knowledge-base search; a missing or too long field is refused with the app's Chinese message naming it, not the
// browser's own words or a silent cut, here and in the ticket's and the login's forms. No console errors.
import { describe, expect, it } from 'vitest';
import { browserSuite, shooter } from './fixture';

const suite = browserSuite({ tickets: 1_000, days: 30 });
const { as, errors } = suite;
const shot = shooter('intake');
let ticketNo = '';

describe('受理', () => {
	it('an address in another city fills in no place; the assistant says it seems outside the city', async () => {
		const op = await as('operator');
		await op.goto(`${suite.server.url}/intake`);
		await op.fill('[data-testid=content]', '路灯不亮，晚上出行不便');
		// first a place of the city: filled in
		await op.fill('[data-testid=address]', '吴中区东山镇');
		await expect.poll(() => op.locator('[data-testid=street]').inputValue(), { timeout: 15_000 }).toBe('320506107');
		// then Nanjing's 东山街道: not 吴中区 东山镇, and said so
		await op.fill('[data-testid=address]', '南京市江宁区东山街道上元大街');
		const warning = op.locator('[data-testid=place-outside]');
		await warning.waitFor({ timeout: 15_000 });
		expect(await warning.innerText()).toContain('地址似乎在苏州市以外（南京市）');
		expect(await op.locator('[data-testid=district]').inputValue()).toBe('');
		expect(await op.locator('[data-testid=street]').inputValue()).toBe('');
		await shot(op, '1-outside');
		// the operator decides: registered with the place chosen by hand
		await op.selectOption('[data-testid=district]', '320506');
		await op.click('[data-testid=register]');
		await op.locator('[data-testid=intake-done]').waitFor();
		ticketNo = (await op.locator('[data-testid=intake-ticket]').innerText()).trim();
	});

	it('the next call after a knowledge-base search starts with an empty search and the assistant’s own articles', async () => {
		const op = await as('operator');
		await op.goto(`${suite.server.url}/intake`);
		await op.fill('[data-testid=content]', '想问问开发票的事情');
		await op.fill('[data-testid=kb-query]', '发票');
		await op.click('[data-testid=kb-search]');
		const tax = op.locator('[data-testid=kb-article][data-id=line-tax]');
		await tax.waitFor({ timeout: 15_000 });
		await tax.locator('summary').click();
		await tax.locator('[data-testid=kb-use]').click();
		await op.click('[data-testid=register]');
		await op.locator('[data-testid=intake-done]').waitFor();
		expect(await op.locator('[data-testid=intake-done]').innerText()).toContain('已直接答复');
		// the next call: the search box and its results are gone, the assistant suggests for the new words
		expect(await op.locator('[data-testid=kb-query]').inputValue()).toBe('');
		await op.fill('[data-testid=content]', '想问问公积金怎么提取');
		await op.locator('[data-testid=kb-article][data-id=line-housing-fund]').waitFor({ timeout: 15_000 });
		expect(await op.locator('[data-testid=kb-article][data-id=line-tax]').count()).toBe(0);
		await shot(op, '2-next-call');
	});

	it('a missing or too long field gets the app’s Chinese message naming it, and nothing typed is cut', async () => {
		const op = await as('operator');
		await op.goto(`${suite.server.url}/intake`);
		const error = op.locator('[data-testid=intake-error]');
		// no 诉求内容: the server's words, not the browser's “Please fill out this field.”
		await op.click('[data-testid=register]');
		await error.waitFor({ timeout: 15_000 });
		expect(await error.innerText()).toBe('请填写诉求内容');
		expect(await op.locator('[data-testid=content]').getAttribute('aria-invalid')).toBe('true');
		// 不予受理 without a 情形
		await op.fill('[data-testid=content]', '来电反映小区噪音问题');
		await op.click('[data-testid=decision-not_accept]');
		await op.click('[data-testid=register]');
		await expect.poll(() => error.innerText(), { timeout: 15_000 }).toBe('请选择不予受理的情形（1–9）');
		expect(await op.locator('[data-testid=reason]').getAttribute('aria-invalid')).toBe('true');
		// 10,001 characters pasted: all kept, counted, and refused with the limit named
		await op.click('[data-testid=decision-accept]');
		await op.locator('[data-testid=content]').fill('');
		await op.locator('[data-testid=content]').focus();
		await op.keyboard.insertText('噪'.repeat(10_001));
		expect((await op.locator('[data-testid=content]').inputValue()).length).toBe(10_001);
		expect(await op.locator('[data-testid=content-count]').innerText()).toBe('10001 / 10000');
		expect(await op.locator('[data-testid=content-too-long]').innerText()).toContain('诉求内容不能超过 10000 个字，现有 10001 个');
		await op.click('[data-testid=register]');
		await expect.poll(() => error.innerText(), { timeout: 15_000 }).toBe('诉求内容不能超过 10000 个字');
		await shot(op, '3-too-long');
	});

	it('the ticket’s forms and the login form say it the same way', async () => {
		const op = await as('operator');
		await op.goto(`${suite.server.url}/tickets/${ticketNo}`);
		const note = op.locator('[data-testid=form-note]');
		await note.locator('[data-testid=act-note]').click();
		await expect.poll(() => note.locator('[data-testid=action-error]').innerText(), { timeout: 15_000 }).toBe('备注不能为空');
		const fresh = await suite.browser.newPage();
		try {
			await fresh.goto(`${suite.server.url}/login`);
			await fresh.click('button[type=submit]');
			await fresh.locator('[data-testid=login-error]').waitFor({ timeout: 15_000 });
			expect(await fresh.locator('[data-testid=login-error]').innerText()).toBe('请输入用户名和密码');
		} finally {
			await fresh.close();
		}
	});

	it('no console errors', () => {
		expect(errors.operator).toEqual([]);
	});
});
