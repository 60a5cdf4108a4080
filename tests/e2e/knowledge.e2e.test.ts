// 设置 › 知识库 in a real browser: the admin finds the card on 设置, adds an article (a refused id is named next to
// the field and what was typed stays), checks its keywords with 试一试; an operator on 受理 types a caller's
// sentence, sees the article in the 知识库 block and answers with it; once the admin retires it the operator's
// search no longer finds it. No console errors on either side.
import { describe, expect, it } from 'vitest';
import { browserSuite, shooter } from './fixture';

const suite = browserSuite({ tickets: 2_000, days: 30 });
const { as, errors } = suite;

const ARTICLE = {
	id: 'pet-dog-license',
	title: '养犬登记怎么办理',
	keywords: '养狗、犬证，狗证 养犬登记',
	answer: '在本市城区养犬须办理养犬登记证：携带身份证、犬只免疫证明到所在地派出所办理，每年年检一次。'
};
const SENTENCE = '我家刚养狗了，想问问犬证要到哪里去办';

const shot = shooter('knowledge');

describe('设置 › 知识库', () => {
	it('the admin finds it on 设置 and sees the seeded articles', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/settings`);
		const card = admin.locator('[data-testid=settings-knowledge]');
		expect(await card.textContent()).toMatch(/在用条目 14 条/);
		await shot(admin, '0-settings');
		await card.locator('a.btn').click();
		await admin.waitForURL(/\/settings\/knowledge$/);
		await admin.locator('[data-testid=kb-row]').first().waitFor();
		expect(await admin.locator('[data-testid=kb-row]').count()).toBe(14);
		expect(await admin.locator('[data-testid=kb-row][data-id=line-housing-fund]').textContent()).toContain('初始数据');
	});

	it('a refused id is named next to the field and what was typed stays; then the article is added', async () => {
		const admin = await as('admin');
		const f = admin.locator('[data-testid=kb-form]');
		await f.locator('[data-testid=kb-id]').fill('Pet Dog');
		await f.locator('[data-testid=kb-title]').fill(ARTICLE.title);
		await f.locator('[data-testid=kb-keywords]').fill(ARTICLE.keywords);
		await f.locator('[data-testid=kb-answer]').fill(ARTICLE.answer);
		await f.locator('[data-testid=kb-save]').click();
		const err = admin.locator('[data-testid=field-error][data-field=id]');
		await err.waitFor();
		expect(await err.textContent()).toContain('标识须为 2–40 位小写字母、数字或连字符');
		expect(await admin.locator('[data-testid=kb-title]').inputValue()).toBe(ARTICLE.title);
		expect(await admin.locator('[data-testid=kb-answer]').inputValue()).toBe(ARTICLE.answer);
		expect(await admin.locator('[data-testid=kb-id]').getAttribute('aria-invalid')).toBe('true');
		await shot(admin, '1-refused');

		await admin.locator('[data-testid=kb-id]').fill(ARTICLE.id);
		await admin.locator('[data-testid=kb-save]').click();
		await admin.locator('[data-testid=kb-saved]').waitFor();
		const row = admin.locator(`[data-testid=kb-row][data-id=${ARTICLE.id}]`);
		await row.waitFor();
		expect(await row.locator('.kw li').allTextContents()).toEqual(['养狗', '犬证', '狗证', '养犬登记']);
		expect(await row.textContent()).toContain('系统管理员');
		// the form is ready for the next article
		expect(await admin.locator('[data-testid=kb-id]').inputValue()).toBe('');
	});

	it('试一试 shows that the assistant suggests it for a caller’s sentence', async () => {
		const admin = await as('admin');
		await admin.fill('[data-testid=kb-try-input]', SENTENCE);
		await admin.click('[data-testid=kb-try-go]');
		await admin.waitForURL(/try=/);
		const hit = admin.locator('[data-testid=kb-try-hit]').first();
		await hit.waitFor();
		expect(await hit.getAttribute('data-id')).toBe(ARTICLE.id);
		expect(await hit.textContent()).toContain('犬证');
		await shot(admin, '2-list');
	});

	it('an operator on 受理 sees it in the 知识库 block and answers with it', async () => {
		const op = await as('operator');
		await op.goto(`${suite.server.url}/intake`);
		await op.fill('[data-testid=content]', SENTENCE);
		const article = op.locator(`[data-testid=kb-article][data-id=${ARTICLE.id}]`);
		await article.waitFor({ timeout: 15_000 });
		await article.locator('summary').click();
		expect(await article.textContent()).toContain('派出所办理');
		await article.locator('[data-testid=kb-use]').click();
		expect(await op.locator('[data-testid=decision-answer]').isChecked()).toBe(true);
		expect(await op.locator('[data-testid=decision-note]').inputValue()).toBe(ARTICLE.answer);
		await shot(op, '3-intake');
	});

	it('the admin edits it and then retires it; the operator’s search no longer finds it', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/settings/knowledge?edit=${ARTICLE.id}`);
		const f = admin.locator('[data-testid=kb-form]');
		await f.locator('[data-testid=kb-title]').fill('养犬登记与年检');
		await f.locator('[data-testid=kb-save]').click();
		await admin.locator('[data-testid=kb-saved]', { hasText: '第 2 版' }).waitFor();
		expect(await admin.locator(`[data-testid=kb-row][data-id=${ARTICLE.id}]`).textContent()).toContain('养犬登记与年检');
		await shot(admin, '4-edit');

		await admin.locator(`[data-testid=kb-row][data-id=${ARTICLE.id}] [data-testid=kb-retire]`).click();
		await admin.locator('[data-testid=list-ok]').waitFor();
		expect(await admin.locator(`[data-testid=kb-row][data-id=${ARTICLE.id}]`).count()).toBe(0);
		await admin.goto(`${suite.server.url}/settings/knowledge?retired=1`);
		await admin.locator(`[data-testid=kb-row][data-id=${ARTICLE.id}][data-retired="1"] [data-testid=kb-retired]`).waitFor();
		await shot(admin, '5-retired');

		const op = await as('operator');
		await op.fill('[data-testid=kb-query]', '犬证');
		await op.click('[data-testid=kb-search]');
		await op.locator('[data-testid=knowledge] p.muted', { hasText: '没有找到相关条目' }).waitFor();
		expect(await op.locator(`[data-testid=kb-article][data-id=${ARTICLE.id}]`).count()).toBe(0);
	});

	it('no console errors', () => {
		expect(errors.admin).toEqual([]);
		expect(errors.operator).toEqual([]);
	});
});
