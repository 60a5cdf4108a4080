// 简报 in a real browser: the analyst opens it from the navigation, is told which field of the new-briefing form
// is wrong, creates a weekly briefing, edits a section's text, leaves one out and moves one up, saves, reloads and
// finds it all kept, then exports Word and PDF and the files are real (the .docx unzipped: the edited text, the
// sections in the saved order, the left-out one absent; the PDF: its header, the embedded CJK font, its pages). A
// leader reads and exports but cannot edit; an operator has no 简报. No console errors.
import { readFileSync } from 'node:fs';
import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { browserSuite, shooter, SHOTS } from './fixture';

const suite = browserSuite({ tickets: 4_000, days: 60 });
const { as, errors } = suite;
const shot = shooter('briefings');

const EDITED = '本周诉求总体平稳。分析员补充：老旧小区供暖问题开始增多，建议住建部门提前部署。';
let briefingUrl = '';

async function download(page: Page, testid: string): Promise<{ name: string; body: Buffer }> {
	const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator(`[data-testid=${testid}]`).click()]);
	const path = await d.path();
	return { name: d.suggestedFilename(), body: readFileSync(path!) };
}

describe('简报', () => {
	it('the analyst finds it in the navigation; a wrong date is named next to the field', async () => {
		const page = await as('analyst');
		await page.goto(`${suite.server.url}/`);
		await page.getByRole('link', { name: '简报', exact: true }).click();
		await page.waitForURL(/\/briefings$/);
		await page.locator('[data-testid=briefing-create]').waitFor();
		expect(await page.locator('[data-testid=briefing-list]').textContent()).toContain('还没有简报');
		await page.locator('[data-testid=bf-from]').fill('2026-11-30');
		await page.locator('[data-testid=bf-to]').fill('2026-11-01');
		await page.locator('[data-testid=bf-create]').click();
		const err = page.locator('[data-testid=field-error][data-field=from]');
		await err.waitFor();
		expect(await err.textContent()).toBe('起始日期 2026-11-30 晚于结束日期 2026-11-01');
		expect(await page.locator('[data-testid=bf-from]').getAttribute('aria-invalid')).toBe('true');
		// what was typed stays
		expect(await page.locator('[data-testid=bf-from]').inputValue()).toBe('2026-11-30');
		await shot(page, '1-create-refused');
	});

	it('creates a weekly briefing with its figures and drafts', async () => {
		const page = await as('analyst');
		// the demo's topics come from the server's first text round: waited for, so the topic sections have figures
		for (const deadline = Date.now() + 180_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
			const h = (await (await fetch(`${suite.server.url}/healthz`)).json()) as { rounds: { text: number } };
			if (h.rounds.text > 0) break;
		}
		// 周报: the last whole week, as the form suggests it
		await page.goto(`${suite.server.url}/briefings`);
		await page.locator('[data-testid=bf-create]').waitFor();
		const from = await page.locator('[data-testid=bf-from]').inputValue();
		const to = await page.locator('[data-testid=bf-to]').inputValue();
		expect(new Date(`${from}T00:00:00Z`).getUTCDay()).toBe(1); // a Monday
		expect(new Date(`${to}T00:00:00Z`).getUTCDay()).toBe(0); // to Sunday
		await page.locator('[data-testid=bf-create]').click();
		await page.waitForURL(/\/briefings\/\d+$/, { timeout: 90_000 });
		briefingUrl = page.url();
		await page.locator('[data-testid=section]').first().waitFor();
		expect(await page.locator('[data-testid=section]').count()).toBe(7);
		const overview = page.locator('[data-testid=section][data-key=overview]');
		expect(await overview.locator('h2').textContent()).toBe('一、总体情况');
		expect(await overview.locator('[data-testid=section-text]').inputValue()).toMatch(/^本周（\d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2}）苏州市共受理群众诉求 [\d,]+ 件/);
		expect(await overview.locator('table').count()).toBeGreaterThan(0);
		expect(await page.locator('[data-testid=section][data-key=tickets] table').count()).toBe(1);
		expect(await page.locator('[data-testid=section][data-key=topics] table tbody tr').count()).toBeGreaterThan(0);
		await shot(page, '2-created');
		// the sections one by one, readable at full size
		for (const key of ['overview', 'hotspots', 'units', 'tickets'])
			await page.locator(`[data-testid=section][data-key=${key}]`).screenshot({ path: join(SHOTS, `briefings-2-section-${key}.png`) });
		await page.setViewportSize({ width: 1440, height: 1000 });
		await page.evaluate(() => window.scrollTo(0, 0));
		await page.screenshot({ path: join(SHOTS, 'briefings-2-top.png') });
		// a listed ticket's number opens its 工单档案, whose 返回 leads back to the briefing
		const first = page.locator('[data-testid=section][data-key=tickets] tbody tr').first().locator('td a');
		const no = (await first.textContent())!.trim();
		await first.click();
		await page.waitForSelector(`[data-testid=ticket-record][data-ticket="${no}"]`);
		await page.click('[data-testid=record-back]');
		await page.waitForURL(briefingUrl);
	});

	it('edits, leaves out and reorders sections; saved, they survive a reload', async () => {
		const page = await as('analyst');
		await page.locator('[data-testid=section][data-key=overview] [data-testid=section-text]').fill(EDITED);
		expect(await page.locator('[data-testid=unsaved]').isVisible()).toBe(true);
		await page.locator('[data-testid=section][data-key=rising] [data-testid=section-included]').uncheck();
		// 典型诉求 from last to sixth
		await page.locator('[data-testid=section][data-key=tickets] [data-testid=section-up]').click();
		await page.locator('[data-testid=briefing-save]').click();
		await page.locator('[data-testid=saved]').waitFor();
		expect(await page.locator('[data-testid=saved]').textContent()).toBe('已保存（第 2 版）');
		await page.goto(briefingUrl);
		await page.locator('[data-testid=section]').first().waitFor();
		expect(await page.locator('[data-testid=section][data-key=overview] [data-testid=section-text]').inputValue()).toBe(EDITED);
		expect(await page.locator('[data-testid=section][data-key=overview] .label').textContent()).toContain('已修改');
		expect(await page.locator('[data-testid=section][data-key=rising] [data-testid=section-included]').isChecked()).toBe(false);
		const keys = await page.locator('[data-testid=section]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
		expect(keys).toEqual(['overview', 'topics', 'rising', 'hotspots', 'alerts', 'tickets', 'units']);
		expect(await page.locator('[data-testid=section][data-key=tickets] h2').textContent()).toBe('五、典型诉求');
		await shot(page, '3-saved');

		// 刷新数据: the figures made again; the edited text stays, the order and the left-out section too
		await page.locator('[data-testid=briefing-refresh]').click();
		await expect.poll(() => page.locator('[data-testid=saved]').textContent(), { timeout: 60_000 }).toMatch(/^已刷新数据并保存（第 3 版）；已修改的 1 个栏目保留了您的文字$/);
		expect(await page.locator('[data-testid=section][data-key=overview] [data-testid=section-text]').inputValue()).toBe(EDITED);
		expect(await page.locator('[data-testid=section][data-key=topics] [data-testid=section-text]').inputValue()).not.toBe('');
		expect(await page.locator('[data-testid=section]').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')))).toEqual(keys);
		expect(await page.locator('[data-testid=briefing-meta]').textContent()).toContain('第 3 版');
	});

	it('exports a real Word document and a real PDF, named in Chinese', async () => {
		const page = await as('analyst');
		const title = await page.locator('[data-testid=briefing-title]').inputValue();
		const docx = await download(page, 'export-docx');
		expect(docx.name).toMatch(/^舆情简报-.+-\d{4}-\d{2}-\d{2}\.docx$/);
		expect(docx.name).toContain(title.slice(0, 10));
		const zip = await JSZip.loadAsync(docx.body);
		const xml = await zip.file('word/document.xml')!.async('string');
		expect(xml).toContain(EDITED);
		expect(xml).toContain(title);
		expect(xml).not.toContain('三、上升词语');
		const headings = [...xml.matchAll(/[一二三四五六七]、(总体情况|热点话题|上升词语|热点区域|预警事件|典型诉求|承办单位办理情况)/g)].map((m) => m[0]);
		expect(headings).toEqual(['一、总体情况', '二、热点话题', '三、热点区域', '四、预警事件', '五、典型诉求', '六、承办单位办理情况']);
		expect(xml).toContain('<w:tbl>');
		expect(xml).toContain('数据来源');

		const pdf = await download(page, 'export-pdf');
		expect(pdf.name).toMatch(/^舆情简报-.+\.pdf$/);
		expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
		const s = pdf.body.toString('latin1');
		expect(s).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Regular/);
		const pages = (s.match(/\/Type \/Page\b/g) ?? []).length;
		expect(pages).toBeGreaterThanOrEqual(2);
		expect(s).toMatch(new RegExp(`/Count ${pages}\\b`));
		expect(pdf.body.length).toBeLessThan(2_000_000);
	});

	it('a leader reads and exports but cannot edit; an operator has no 简报', async () => {
		const leader = await as('leader');
		await leader.goto(briefingUrl);
		await leader.locator('[data-testid=section]').first().waitFor();
		expect(await leader.locator('[data-testid=briefing-save]').count()).toBe(0);
		expect(await leader.locator('textarea').count()).toBe(0);
		expect(await leader.locator('.briefing').textContent()).toContain(EDITED);
		expect(await leader.locator('[data-testid=export-docx]').count()).toBe(1);
		await shot(leader, '4-leader');
		const operator = await as('operator');
		expect(await operator.getByRole('link', { name: '简报', exact: true }).count()).toBe(0);
		expect((await operator.request.get(`${suite.server.url}/briefings`)).status()).toBe(403);
		expect((await operator.request.get(`${suite.server.url}/api/v1/briefings`)).status()).toBe(403);
	});

	it('no console errors', () => {
		for (const [user, list] of Object.entries(errors)) expect(list, user).toEqual([]);
	});
});
