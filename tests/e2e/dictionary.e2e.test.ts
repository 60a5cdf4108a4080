// 设置 › 词典 in a real browser: the admin finds the card on 设置; 试一试 shows 网红店 cut into pieces; a term with a
// space is refused next to its field (what was typed stays), then 网红店 is added and 试一试 shows it whole; the
// analyst's search now takes 网红店 as one term; a stop word added shows struck out in 试一试; the term stopped again
// is marked 已停用. No console errors.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, shooter } from './fixture';

const suite = browserSuite({ tickets: 1_000, days: 14 });
const { as, errors } = suite;
const shot = shooter('dictionary');

const TEXT = '小区门口的网红店天天排队到深夜';

/** The words 试一试 shows, each with its kind (term, word, stop, mark). */
async function tried(admin: Page): Promise<[string, string][]> {
	const words = admin.locator('[data-testid=try-words]');
	await words.waitFor();
	return words.locator('.w').evaluateAll((ws) => ws.map((w) => [w.textContent ?? '', [...w.classList].find((c) => c !== 'w' && !c.startsWith('svelte-')) ?? ''] as [string, string]));
}

/** The search terms the search page says it found no ticket with, or '' when it found some. */
async function searchedAs(analyst: Page, q: string): Promise<string> {
	await analyst.goto(`${suite.server.url}/search?q=${encodeURIComponent(q)}`);
	await analyst.locator('[data-testid=search-summary]').waitFor();
	const none = analyst.locator('[data-testid=search-unknown], [data-testid=search-none]');
	return (await none.count()) ? ((await none.first().textContent()) ?? '') : '';
}

describe('设置 › 词典', () => {
	it('the admin finds it on 设置 and tries a text: 网红店 is cut into pieces', async () => {
		const admin = await as('admin');
		await admin.goto(`${suite.server.url}/settings`);
		const card = admin.locator('[data-testid=settings-dictionary]');
		expect(await card.textContent()).toMatch(/词条 \d+ 个 · 停用词 \d+ 个/);
		await card.locator('a.btn').click();
		await admin.waitForURL(/\/settings\/dictionary$/);
		await admin.locator('[data-testid=lexicon-row][data-word=油烟扰民]').waitFor();
		await admin.locator('[data-testid=try-text]').fill(TEXT);
		await admin.locator('[data-testid=try-go]').click();
		await admin.waitForURL(/try=/);
		const words = await tried(admin);
		expect(words.map(([w]) => w).join('')).toBe(TEXT);
		expect(words.map(([w]) => w)).not.toContain('网红店');
	});

	it('names a term with a space next to its field, keeps it, then adds 网红店: 试一试 and the search take it whole', async () => {
		const admin = await as('admin');
		const analyst = await as('analyst');
		expect(await searchedAs(analyst, '网红店')).not.toContain('「网红店」');
		const f = admin.locator('[data-testid=add-form]');
		await f.locator('[data-testid=add-word]').fill('网红 店');
		await f.locator('[data-testid=add-save]').click();
		const wordError = admin.locator('[data-testid=field-error][data-field=word]');
		await wordError.waitFor();
		expect(await wordError.textContent()).toBe('词条不能含有空格：分词后的词中不会有空格');
		expect(await admin.locator('[data-testid=add-word]').inputValue()).toBe('网红 店');
		await admin.locator('[data-testid=add-word]').fill('网红店');
		await admin.locator('[data-testid=add-weight]').selectOption('core');
		await admin.locator('[data-testid=add-save]').click();
		const saved = admin.locator('[data-testid=add-saved]');
		await saved.waitFor();
		expect(await saved.textContent()).toMatch(/^已新增词条「网红店」（核心，名词）/);
		// the page is drawn again with the new dictionary: 试一试 keeps its text and shows the word whole
		expect(await tried(admin)).toContainEqual(['网红店', 'term']);
		await admin.locator('[data-testid=lexicon-row][data-word=网红店]').waitFor();
		expect(await searchedAs(analyst, '网红店')).toContain('「网红店」');
	});

	it('adds a stop word (no weight nor part of speech), struck out in 试一试; stops 网红店 again', async () => {
		const admin = await as('admin');
		await admin.locator('[data-testid=add-kind]').selectOption('stop');
		expect(await admin.locator('[data-testid=add-weight]').count()).toBe(0);
		await admin.locator('[data-testid=add-word]').fill('排队');
		await admin.locator('[data-testid=add-save]').click();
		await admin.locator('[data-testid=add-saved]').getByText('已新增停用词「排队」', { exact: false }).waitFor();
		expect(await tried(admin)).toContainEqual(['排队', 'stop']);
		await admin.evaluate(() => window.scrollTo(0, 0));
		await shot(admin, '1-added', { viewport: true });

		const row = admin.locator('[data-testid=lexicon-row][data-word=网红店]');
		await row.locator('[data-testid=lexicon-disable]').click();
		await admin.locator('[data-testid=list-ok]').waitFor();
		expect(await admin.locator('[data-testid=list-ok]').textContent()).toMatch(/^已停用词条「网红店」/);
		await admin.locator('[data-testid=lexicon-row][data-word=网红店][data-active="0"]').waitFor();
		expect(await tried(admin)).not.toContainEqual(['网红店', 'term']);
	});

	it('no console errors', () => {
		expect(errors.admin).toEqual([]);
		expect(errors.analyst).toEqual([]);
	});
});
