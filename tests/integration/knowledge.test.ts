// The knowledge base (知识库) over a real embedded store: seeded from data/kb/articles.json; added, edited at a
// version, retired and restored; each refusal with its Chinese message and field; the 受理 assistant suggesting
// an article as soon as it is added and no longer once it is retired; a restart neither overwriting an edited
// article nor bringing back a retired one; the API's answers and its refusal of non-admins.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { migrationsDir, openRelational } from '../../src/lib/server/db/index';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, stopApp, type App } from '../../src/lib/server/app';
import { refusedStatus, startRouteApp } from '../support/app';
import { loadConfig } from '../../src/lib/server/config';
import { CaseError } from '../../src/lib/server/cases/input';
import { intakeAssist, searchKnowledgeBase } from '../../src/lib/server/cases/intake';
import {
	countArticles,
	createArticle,
	getArticle,
	knowledgeFile,
	listArticles,
	restoreArticle,
	retireArticle,
	SEED_EDITOR,
	seedKnowledge,
	suggestArticles,
	updateArticle
} from '../../src/lib/server/cases/knowledge';
import type { CaseUser } from '../../src/lib/server/cases/service';
import { parseKnowledge } from '../../pipelines/text/knowledge';
import type { Role, SessionUser } from '../../src/lib/types';
import * as listRoute from '../../src/routes/api/v1/knowledge/+server';
import * as oneRoute from '../../src/routes/api/v1/knowledge/[id]/+server';
import * as kbPage from '../../src/routes/(app)/settings/knowledge/+page.server';

const ROOT = join(import.meta.dirname, '..', '..');
const FILE_ARTICLES = parseKnowledge(readFileSync(join(ROOT, 'data', 'kb', 'articles.json'), 'utf8'));

let a: App;
const admin: CaseUser = { id: null, role: 'admin', unitCode: null, displayName: '测试管理员' };
const operator: CaseUser = { id: null, role: 'operator', unitCode: null, displayName: '测试话务员' };

beforeAll(async () => {
	a = await startRouteApp();
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

/** The refusal of a promise (it must be refused). */
async function refusal(p: Promise<unknown>): Promise<CaseError> {
	const e = await p.then(
		() => null,
		(x: unknown) => x
	);
	expect(e, 'expected a refusal').toBeInstanceOf(CaseError);
	return e as CaseError;
}

const PET = {
	id: 'pet-dog-license',
	title: '养犬登记怎么办理',
	keywords: ['养狗', '犬证', '狗证'],
	answer: '在本市城区养犬须办理养犬登记证：携带身份证、犬只免疫证明到所在地派出所或通过“苏周到”App 办理，每年年检一次。'
};

describe('the seed', () => {
	it('puts every article of data/kb/articles.json in the store, active, at version 1, dated as the file says', async () => {
		expect(FILE_ARTICLES.length).toBeGreaterThan(5);
		const rows = await listArticles(a.rel.db);
		expect(rows.map((r) => r.id).sort()).toEqual(FILE_ARTICLES.map((f) => f.id).sort());
		for (const f of FILE_ARTICLES) {
			const r = await getArticle(a.rel.db, f.id);
			expect(r).toMatchObject({
				title: f.title,
				keywords: f.keywords,
				answer: f.answer,
				version: 1,
				updatedBy: SEED_EDITOR,
				retiredAt: null
			});
			expect(r.updatedAt.toISOString()).toBe(new Date(`${f.updated}T00:00:00+08:00`).toISOString());
		}
		expect(await countArticles(a.rel.db)).toEqual({ active: FILE_ARTICLES.length, retired: 0 });
		// the assistant answers from the store as it did from the file
		expect((await intakeAssist(a, { content: '请问住房公积金怎么提取' })).knowledge[0].id).toBe('line-housing-fund');
	});

	it('adds only what the store lacks: an edited article is not overwritten, a retired one not brought back', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'minqing-kb-seed-'));
		try {
			const edited = await updateArticle(a.rel.db, admin, 'hotline-visit', {
				...(await getArticle(a.rel.db, 'hotline-visit')),
				title: '回访说明（已修订）',
				version: 1
			});
			await retireArticle(a.rel.db, admin, 'line-consumer');
			const file = join(dir, 'articles.json');
			const articles = [
				...FILE_ARTICLES,
				{ id: 'seed-new-one', title: '新加入文件的条目', keywords: ['新条目'], answer: '文件中新增的答复。', updated: '2026-11-20' }
			];
			writeFileSync(file, JSON.stringify({ articles }));
			expect(await seedKnowledge(a.rel.db, file)).toBe(1);
			expect(await seedKnowledge(a.rel.db, file)).toBe(0);
			expect(await getArticle(a.rel.db, 'hotline-visit')).toMatchObject({
				title: '回访说明（已修订）',
				version: edited.version
			});
			expect((await getArticle(a.rel.db, 'line-consumer')).retiredAt).not.toBeNull();
			expect(await getArticle(a.rel.db, 'seed-new-one')).toMatchObject({ title: '新加入文件的条目', updatedBy: SEED_EDITOR });
			// an article whose title one in use has (an administrator's, or one before it in the file) is left out
			const taken = await createArticle(a.rel.db, admin, { id: 'admin-made', title: '管理员写的条目', keywords: ['条目'], answer: '管理员的答复。' });
			writeFileSync(
				file,
				JSON.stringify({
					articles: [
						{ id: 'seed-same-title', title: taken.title, keywords: ['同名'], answer: '同标题的答复。', updated: '2026-11-21' },
						{ id: 'seed-twin-a', title: '文件内同名', keywords: ['同名'], answer: '第一条。', updated: '2026-11-21' },
						{ id: 'seed-twin-b', title: '文件内同名', keywords: ['同名'], answer: '第二条。', updated: '2026-11-21' }
					]
				})
			);
			expect(await seedKnowledge(a.rel.db, file)).toBe(1);
			await expect(getArticle(a.rel.db, 'seed-same-title')).rejects.toThrow();
			await expect(getArticle(a.rel.db, 'seed-twin-b')).rejects.toThrow();
			expect(await getArticle(a.rel.db, 'seed-twin-a')).toMatchObject({ title: '文件内同名' });
			// a broken file stops the start, naming the article; a missing one adds nothing
			writeFileSync(file, JSON.stringify({ articles: [{ id: 'Bad_Id', title: 't', keywords: [], answer: 'x' }] }));
			await expect(seedKnowledge(a.rel.db, file)).rejects.toThrow(/article Bad_Id: 标识须为/);
			expect(await seedKnowledge(a.rel.db, join(dir, 'none.json'))).toBe(0);
		} finally {
			rmSync(dir, { recursive: true, force: true });
			await restoreArticle(a.rel.db, admin, 'line-consumer');
		}
	});
});

describe('editing', () => {
	it('adds, edits at the version read, retires and restores; the list filters by words and by 已停用', async () => {
		const db = a.rel.db;
		const created = await createArticle(db, admin, { ...PET, title: `  ${PET.title}  ` });
		expect(created).toMatchObject({ ...PET, version: 1, updatedBy: '测试管理员', retiredAt: null });
		expect((await listArticles(db, { q: '犬证' })).map((r) => r.id)).toEqual([PET.id]);
		expect((await listArticles(db, { q: '养犬 年检' })).map((r) => r.id)).toEqual([PET.id]);
		expect(await listArticles(db, { q: '养犬 公积金' })).toEqual([]);
		// a LIKE wildcard typed in the search box is a character, not a wildcard
		expect(await listArticles(db, { q: '%' })).toEqual([]);

		const dup = await refusal(createArticle(db, admin, { ...PET, title: '另一篇' }));
		expect(dup).toMatchObject({ code: 'invalid_input', field: 'id', message: `标识 ${PET.id} 已被使用` });

		const v2 = await updateArticle(db, admin, PET.id, { ...PET, keywords: '养狗、犬证，狗证 犬只登记,犬证', version: 1 });
		expect(v2.version).toBe(2);
		expect(v2.keywords).toEqual(['养狗', '犬证', '狗证', '犬只登记']);

		const stale = await refusal(updateArticle(db, admin, PET.id, { ...PET, title: '过时的修改', version: 1 }));
		expect(stale).toMatchObject({ code: 'conflict', field: 'version' });
		expect(stale.message).toBe(`条目「${PET.title}」已被测试管理员修改（您编辑的是第 1 版，现为第 2 版），请刷新后重试`);
		expect((await getArticle(db, PET.id)).title).toBe(PET.title);
		expect(await refusal(updateArticle(db, admin, PET.id, { ...PET }))).toMatchObject({
			code: 'invalid_input',
			field: 'version',
			message: '缺少版本号：请刷新页面后重试'
		});
		expect(await refusal(updateArticle(db, admin, PET.id, { ...PET, id: 'other-id', version: 2 }))).toMatchObject({ field: 'id' });
		expect(await refusal(updateArticle(db, admin, 'no-such-article', { ...PET, id: undefined, version: 1 }))).toMatchObject({ code: 'not_found' });

		expect(await refusal(retireArticle(db, admin, PET.id, 1))).toMatchObject({ code: 'conflict' });
		const retired = await retireArticle(db, admin, PET.id, 2);
		expect(retired.retiredAt).toBeInstanceOf(Date);
		expect(retired.version).toBe(3);
		// retiring again changes nothing
		expect((await retireArticle(db, admin, PET.id)).version).toBe(3);
		expect((await listArticles(db, { q: '犬证' })).map((r) => r.id)).toEqual([]);
		expect((await listArticles(db, { q: '犬证', retired: true })).map((r) => r.id)).toEqual([PET.id]);
		const back = await restoreArticle(db, admin, PET.id, '3');
		expect(back).toMatchObject({ retiredAt: null, version: 4 });
		// update may retire and restore in the same step
		expect((await updateArticle(db, admin, PET.id, { ...PET, version: 4, retired: true })).retiredAt).toBeInstanceOf(Date);
		expect((await updateArticle(db, admin, PET.id, { ...PET, version: 5, retired: false })).retiredAt).toBeNull();
		expect(await refusal(retireArticle(db, admin, 'no-such-article'))).toMatchObject({ code: 'not_found' });
	});

	it('refuses a title an article in use already has, in adding, editing and restoring; a retired article\'s title is free', async () => {
		const db = a.rel.db;
		const first = await createArticle(db, admin, { ...PET, id: 'title-a', title: '居住证办理' });
		const same = await refusal(createArticle(db, admin, { ...PET, id: 'title-b', title: ' 居住证办理 ' }));
		expect(same).toMatchObject({ code: 'invalid_input', field: 'title', message: '已有标题为「居住证办理」的条目（标识 title-a），请换一个标题，或编辑那一条' });
		const b = await createArticle(db, admin, { ...PET, id: 'title-b', title: '居住证续签' });
		expect(await refusal(updateArticle(db, admin, 'title-b', { ...PET, id: undefined, title: '居住证办理', version: b.version }))).toMatchObject({ field: 'title' });
		// an article keeps its own title through an edit
		const a2 = await updateArticle(db, admin, 'title-a', { ...PET, id: undefined, title: '居住证办理', keywords: '居住证', version: first.version });
		// once retired, its title may be used again; restoring it is then refused until one of them is renamed
		const retired = await retireArticle(db, admin, 'title-a', a2.version);
		const b2 = await updateArticle(db, admin, 'title-b', { ...PET, id: undefined, title: '居住证办理', version: b.version });
		expect(await refusal(restoreArticle(db, admin, 'title-a', retired.version))).toMatchObject({ field: 'title' });
		expect(await refusal(updateArticle(db, admin, 'title-a', { ...PET, id: undefined, title: '居住证办理', version: retired.version, retired: false }))).toMatchObject({ field: 'title' });
		// a retired article's text may still be edited under its title
		expect((await updateArticle(db, admin, 'title-a', { ...PET, id: undefined, title: '居住证办理', answer: '改过的答复', version: retired.version })).retiredAt).toBeInstanceOf(Date);
		await retireArticle(db, admin, 'title-b', b2.version);
	});

	it('refuses the same title saved at the same time by two administrators: one is saved, the other told why', async () => {
		const db = a.rel.db;
		const all = await Promise.allSettled([
			createArticle(db, admin, { ...PET, id: 'race-a', title: '电动车上楼充电' }),
			createArticle(db, admin, { ...PET, id: 'race-b', title: '电动车上楼充电' })
		]);
		expect(all.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		const saved = all.find((r) => r.status === 'fulfilled')!.value;
		const why = (all.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
		expect(why).toBeInstanceOf(CaseError);
		expect(why).toMatchObject({ code: 'invalid_input', field: 'title', message: `已有标题为「电动车上楼充电」的条目（标识 ${saved.id}），请换一个标题，或编辑那一条` });
		// an edit and a restore racing a save of that title alike
		const c = await createArticle(db, admin, { ...PET, id: 'race-c', title: '电动车充电' });
		const d = await retireArticle(db, admin, (await createArticle(db, admin, { ...PET, id: 'race-d', title: '电动车充电桩' })).id);
		const [edit, restore] = await Promise.allSettled([
			updateArticle(db, admin, 'race-c', { ...PET, id: undefined, title: '电动车充电桩', version: c.version }),
			restoreArticle(db, admin, 'race-d', d.version)
		]);
		expect([edit.status, restore.status].sort()).toEqual(['fulfilled', 'rejected']);
		expect(((edit.status === 'rejected' ? edit : restore) as PromiseRejectedResult).reason).toMatchObject({ code: 'invalid_input', field: 'title' });
		const titles = (await listArticles(db)).map((x) => x.title);
		expect(new Set(titles).size).toBe(titles.length);
		for (const x of await listArticles(db)) if (x.id.startsWith('race-')) await retireArticle(db, admin, x.id);
	});

	it('keeps text exactly as typed (trimmed): markup is stored as characters', async () => {
		const row = await createArticle(a.rel.db, admin, {
			id: 'markup-kept',
			title: '  <b>油烟</b> & “引号” <script>alert(1)</script>  ',
			keywords: [' <i>词</i> '],
			answer: '第一行\n第二行 <img src=x onerror=alert(1)>'
		});
		expect(row.title).toBe('<b>油烟</b> & “引号” <script>alert(1)</script>');
		expect(row.keywords).toEqual(['<i>词</i>']);
		expect(row.answer).toBe('第一行\n第二行 <img src=x onerror=alert(1)>');
		await retireArticle(a.rel.db, admin, 'markup-kept');
	});

	it('is for administrators only', async () => {
		for (const role of ['operator', 'supervisor', 'leader', 'dispatcher', 'unit_handler'] as Role[]) {
			const who = { ...operator, role };
			expect(await refusal(createArticle(a.rel.db, who, { ...PET, id: 'by-non-admin' }))).toMatchObject({ code: 'forbidden' });
			expect(await refusal(updateArticle(a.rel.db, who, PET.id, { ...PET, version: 6 }))).toMatchObject({ code: 'forbidden' });
			expect(await refusal(retireArticle(a.rel.db, who, PET.id))).toMatchObject({ code: 'forbidden' });
			expect(await refusal(restoreArticle(a.rel.db, who, PET.id))).toMatchObject({ code: 'forbidden' });
		}
		expect((await getArticle(a.rel.db, PET.id)).version).toBe(6);
		await expect(getArticle(a.rel.db, 'by-non-admin')).rejects.toMatchObject({ code: 'not_found' });
	});
});

describe('validation', () => {
	const ok = { id: 'valid-article', title: '标题', keywords: ['词语'], answer: '答复' };
	const CASES: [string, Record<string, unknown>, string, string][] = [
		['no id', { ...ok, id: undefined }, 'id', '请填写标识'],
		['a blank id', { ...ok, id: '  ' }, 'id', '请填写标识'],
		[
			'an id with capitals',
			{ ...ok, id: 'Pet-License' },
			'id',
			'标识须为 2–40 位小写字母、数字或连字符（-），且以小写字母开头，如 line-housing-fund'
		],
		[
			'an id starting with a digit',
			{ ...ok, id: '1abc' },
			'id',
			'标识须为 2–40 位小写字母、数字或连字符（-），且以小写字母开头，如 line-housing-fund'
		],
		['a one-letter id', { ...ok, id: 'a' }, 'id', '标识须为 2–40 位小写字母、数字或连字符（-），且以小写字母开头，如 line-housing-fund'],
		[
			'an id of 41',
			{ ...ok, id: `a${'b'.repeat(40)}` },
			'id',
			'标识须为 2–40 位小写字母、数字或连字符（-），且以小写字母开头，如 line-housing-fund'
		],
		[
			'an id of Chinese',
			{ ...ok, id: '公积金' },
			'id',
			'标识须为 2–40 位小写字母、数字或连字符（-），且以小写字母开头，如 line-housing-fund'
		],
		['a number as id', { ...ok, id: 12 }, 'id', '标识的格式不正确'],
		['no title', { ...ok, title: undefined }, 'title', '请填写标题'],
		['a blank title', { ...ok, title: ' \n ' }, 'title', '请填写标题'],
		['a title of 101', { ...ok, title: '标'.repeat(101) }, 'title', '标题不能超过 100 个字（现有 101 个）'],
		['a number as title', { ...ok, title: 5 }, 'title', '标题的格式不正确'],
		['31 keywords', { ...ok, keywords: Array.from({ length: 31 }, (_, i) => `词${i}`) }, 'keywords', '关键词最多 30 个（现有 31 个）'],
		[
			'31 keywords in one string',
			{ ...ok, keywords: Array.from({ length: 31 }, (_, i) => `词${i}`).join('、') },
			'keywords',
			'关键词最多 30 个（现有 31 个）'
		],
		['a keyword of 21', { ...ok, keywords: ['短句', '长'.repeat(21)] }, 'keywords', `关键词“${'长'.repeat(21)}”超过 20 个字`],
		[
			'keywords as an object',
			{ ...ok, keywords: { a: 1 } },
			'keywords',
			'关键词的格式不正确：应为词的列表，或以逗号、顿号、空格分隔的一段文字'
		],
		[
			'a number among keywords',
			{ ...ok, keywords: ['词', 3] },
			'keywords',
			'关键词的格式不正确：应为词的列表，或以逗号、顿号、空格分隔的一段文字'
		],
		['no answer', { ...ok, answer: undefined }, 'answer', '请填写答复内容'],
		['a blank answer', { ...ok, answer: '   ' }, 'answer', '请填写答复内容'],
		['an answer of 2001', { ...ok, answer: '答'.repeat(2001) }, 'answer', '答复内容不能超过 2000 个字（现有 2001 个）'],
		['a NUL in the answer', { ...ok, answer: '答\u0000复' }, 'answer', '答复内容含有空字符（U+0000），无法保存，请删除后重试'],
		['half a character in the title', { ...ok, title: '公积金\ud800' }, 'title', '标题含有无效字符（不成对的代理码元 U+D800），无法保存，请删除后重试'],
		['half a character in a keyword', { ...ok, keywords: ['公积\udc00金'] }, 'keywords', '关键词含有无效字符（不成对的代理码元 U+DC00），无法保存，请删除后重试'],
		['a keyword of one character', { ...ok, keywords: '狗证、狗' }, 'keywords', '关键词“狗”只有一个字，无法用于匹配来电内容，请写成词语（如“养犬登记”）']
	];
	it.each(CASES)('refuses %s, naming the field', async (_what, input, field, message) => {
		const e = await refusal(createArticle(a.rel.db, admin, input));
		expect(e.code).toBe('invalid_input');
		expect(e.field).toBe(field);
		expect(e.message).toBe(message);
	});

	it('takes the limits themselves, and refuses what is not an object', async () => {
		const row = await createArticle(a.rel.db, admin, {
			id: `z${'9'.repeat(39)}`,
			title: '题'.repeat(100),
			// 30 words of 20 characters, and repeats (width and case folded) that do not count
			keywords: [...Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')}${'词'.repeat(18)}`), '00' + '词'.repeat(18)],
			answer: '答'.repeat(2000)
		});
		expect(row.keywords).toHaveLength(30);
		const folded = await createArticle(a.rel.db, admin, {
			id: 'folded-repeats',
			title: 't',
			keywords: 'ABC abc ＡＢＣ 公积金',
			answer: 'x'
		});
		expect(folded.keywords).toEqual(['ABC', '公积金']);
		await retireArticle(a.rel.db, admin, row.id);
		await retireArticle(a.rel.db, admin, folded.id);
		expect(await refusal(createArticle(a.rel.db, admin, ['not', 'an', 'object']))).toMatchObject({ code: 'invalid_input', field: null });
	});
});

describe('the 受理 assistant', () => {
	const SENTENCE = '我家刚养了一条狗，想问一下宠物疫苗和绝育补贴去哪里申请';
	const VET = {
		id: 'pet-vaccine-subsidy',
		title: '犬只免疫与绝育补贴',
		keywords: ['宠物疫苗', '绝育补贴'],
		answer: '犬只狂犬病免疫可到全市定点动物诊疗机构接种；绝育补贴请向所在街道（镇）办事处申请。'
	};

	it('suggests an article as soon as it is added, follows an edit, and stops once it is retired', async () => {
		const ids = async () => (await intakeAssist(a, { content: SENTENCE })).knowledge.map((k) => k.id);
		// read (and cache) before the article exists
		expect(await ids()).not.toContain(VET.id);
		expect((await searchKnowledgeBase(a, '绝育补贴')).map((k) => k.id)).not.toContain(VET.id);

		const created = await createArticle(a.rel.db, admin, VET);
		expect((await ids())[0]).toBe(VET.id);
		const hit = (await intakeAssist(a, { content: SENTENCE })).knowledge[0];
		expect(hit).toMatchObject({ id: VET.id, title: VET.title, answer: VET.answer, matched: ['宠物疫苗', '绝育补贴'] });
		expect((await searchKnowledgeBase(a, '绝育补贴'))[0].id).toBe(VET.id);
		expect((await suggestArticles(a.rel.db, SENTENCE))[0].id).toBe(VET.id);

		// an edited keyword counts at once
		expect((await searchKnowledgeBase(a, '猫咪驱虫')).map((k) => k.id)).not.toContain(VET.id);
		const edited = await updateArticle(a.rel.db, admin, VET.id, {
			...VET,
			keywords: [...VET.keywords, '猫咪驱虫'],
			version: created.version
		});
		expect((await searchKnowledgeBase(a, '猫咪驱虫'))[0].id).toBe(VET.id);

		await retireArticle(a.rel.db, admin, VET.id, edited.version);
		expect(await ids()).not.toContain(VET.id);
		expect((await searchKnowledgeBase(a, '绝育补贴')).map((k) => k.id)).not.toContain(VET.id);
		expect((await suggestArticles(a.rel.db, SENTENCE)).map((k) => k.id)).not.toContain(VET.id);

		await restoreArticle(a.rel.db, admin, VET.id);
		expect((await ids())[0]).toBe(VET.id);
		await retireArticle(a.rel.db, admin, VET.id);
	});
});

// --- the API through its route handlers, as SvelteKit calls them --------------------------------------------

type Handler = (event: never) => Response | Promise<Response>;
const sessionUser = (role: Role): SessionUser => ({
	id: 1,
	username: `t_${role}`,
	displayName: `接口${role}`,
	role,
	unitCode: null,
	unitName: null
});

async function call(
	handler: Handler,
	role: Role,
	init: { method?: string; id?: string; query?: string; body?: unknown } = {}
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
	const url = new URL(`http://localhost/api/v1/knowledge${init.id ? `/${init.id}` : ''}${init.query ?? ''}`);
	const request = new Request(url, {
		method: init.method ?? 'GET',
		body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
		headers: { 'content-type': 'application/json' }
	});
	const res = await handler({ request, url, params: init.id ? { id: init.id } : {}, locals: { user: sessionUser(role) } } as never);
	return { status: res.status, body: await res.json(), headers: res.headers };
}

describe('the API', () => {
	const API = { id: 'api-article', title: '接口添加的条目', keywords: '接口、测试', answer: '由接口添加。' };

	it('creates (201), reads, updates at a version (409 when stale), refuses bad input with the field, and retires', async () => {
		const created = await call(listRoute.POST as Handler, 'admin', { method: 'POST', body: API });
		expect(created.status).toBe(201);
		expect(created.headers.get('location')).toBe('/api/v1/knowledge/api-article');
		expect(created.body.article).toMatchObject({
			id: 'api-article',
			keywords: ['接口', '测试'],
			version: 1,
			retired_at: null,
			updated_by: '接口admin'
		});

		const one = await call(oneRoute.GET as Handler, 'operator', { id: 'api-article' });
		expect(one.status).toBe(200);
		expect(one.body.article).toMatchObject({ title: API.title, answer: API.answer });
		expect((await call(oneRoute.GET as Handler, 'operator', { id: 'nothing-here' })).status).toBe(404);

		const put = await call(oneRoute.PUT as Handler, 'admin', {
			method: 'PUT',
			id: 'api-article',
			body: { ...API, title: '改过的标题', version: 1 }
		});
		expect(put.status).toBe(200);
		expect(put.body.article).toMatchObject({ title: '改过的标题', version: 2 });
		const stale = await call(oneRoute.PUT as Handler, 'admin', { method: 'PUT', id: 'api-article', body: { ...API, version: 1 } });
		expect(stale.status).toBe(409);
		expect(stale.body.error).toMatchObject({ code: 'conflict', field: 'version' });
		const bad = await call(oneRoute.PUT as Handler, 'admin', {
			method: 'PUT',
			id: 'api-article',
			body: { ...API, answer: '', version: 2 }
		});
		expect(bad.status).toBe(400);
		expect(bad.body.error).toEqual({ code: 'invalid_input', message: '请填写答复内容', field: 'answer' });
		const notJson = await call(listRoute.POST as Handler, 'admin', { method: 'POST', body: '{' });
		expect(notJson.status).toBe(400);
		expect((await call(listRoute.POST as Handler, 'admin', { method: 'POST', body: { ...API, id: 'API' } })).body.error).toMatchObject({
			field: 'id'
		});

		const search = await call(listRoute.GET as Handler, 'operator', { query: '?q=接口测试' });
		expect(search.status).toBe(200);
		expect((search.body.articles as { id: string }[])[0].id).toBe('api-article');

		const stalDel = await call(oneRoute.DELETE as Handler, 'admin', { method: 'DELETE', id: 'api-article', query: '?version=1' });
		expect(stalDel.status).toBe(409);
		const del = await call(oneRoute.DELETE as Handler, 'admin', { method: 'DELETE', id: 'api-article', query: '?version=2' });
		expect(del.status).toBe(200);
		expect(del.body.article).toMatchObject({ version: 3 });
		expect((del.body.article as { retired_at: string | null }).retired_at).not.toBeNull();
		const after = await call(listRoute.GET as Handler, 'operator', { query: '?q=接口测试' });
		expect((after.body.articles as { id: string }[]).map((x) => x.id)).not.toContain('api-article');
		const restored = await call(oneRoute.PUT as Handler, 'admin', {
			method: 'PUT',
			id: 'api-article',
			body: { ...API, version: 3, retired: false }
		});
		expect(restored.body.article).toMatchObject({ retired_at: null, version: 4 });
	});

	it('answers a version beyond what the store can hold as a stale one (409), as DELETE and 恢复 do: the API, the form and the functions', async () => {
		// the version went to PostgreSQL as an integer parameter: out of range for type integer, a 500 (2^31 and up)
		const id = 'line-housing-fund';
		const before = await getArticle(a.rel.db, id);
		const body = { title: 't', keywords: ['公积金'], answer: 'y' };
		const HUGE: unknown[] = [2 ** 31, 99999999999, 1e30, Number.MAX_SAFE_INTEGER, '99999999999', '1' + '0'.repeat(40)];
		for (const version of HUGE) {
			const put = await call(oneRoute.PUT as Handler, 'admin', { method: 'PUT', id, body: { ...body, version } });
			expect([put.status, put.body.error], String(version)).toEqual([409, expect.objectContaining({ code: 'conflict', field: 'version' })]);
			// in the query as digits (1e30 written out)
			const digits = typeof version === 'number' ? BigInt(version).toString() : String(version);
			const del = await call(oneRoute.DELETE as Handler, 'admin', { method: 'DELETE', id, query: `?version=${digits}` });
			expect(del.status, String(version)).toBe(409);
			expect(await refusal(updateArticle(a.rel.db, admin, id, { ...body, version, retired: true }))).toMatchObject({ code: 'conflict', field: 'version' });
		}
		expect((await call(oneRoute.PUT as Handler, 'admin', { method: 'PUT', id, body: { ...body, version: 2 ** 31 - 1 } })).status).toBe(409);
		// an unknown article is still not found, whatever the version
		expect((await call(oneRoute.PUT as Handler, 'admin', { method: 'PUT', id: 'no-such-article', body: { ...body, version: 99999999999 } })).status).toBe(404);
		// the settings page's form (设置 › 知识库): 保存, 停用 and 恢复
		const form = async (action: 'save' | 'retire' | 'restore', fields: Record<string, string>) => {
			const fd = new FormData();
			for (const [k, v] of Object.entries(fields)) fd.set(k, v);
			const request = new Request('http://localhost/settings/knowledge', { method: 'POST', body: fd });
			return (await kbPage.actions[action]({ request, locals: { user: sessionUser('admin') } } as never)) as { status?: number; data?: { field?: string } };
		};
		const saved = await form('save', { id, title: 't', keywords: '公积金', answer: 'y', version: '99999999999' });
		expect([saved.status, saved.data?.field]).toEqual([409, 'version']);
		expect((await form('retire', { id, version: '99999999999' })).status).toBe(409);
		expect(await getArticle(a.rel.db, id)).toEqual(before);
	});

	it('refuses anyone but an administrator the writes, and those who do not answer calls the reads', async () => {
		for (const role of ['operator', 'supervisor', 'dispatcher', 'leader', 'analyst', 'unit_handler'] as Role[]) {
			expect(
				await refusedStatus(call(listRoute.POST as Handler, role, { method: 'POST', body: { ...API, id: 'not-allowed' } })),
				role
			).toBe(403);
			expect(
				await refusedStatus(call(oneRoute.PUT as Handler, role, { method: 'PUT', id: 'api-article', body: { ...API, version: 4 } })),
				role
			).toBe(403);
			expect(await refusedStatus(call(oneRoute.DELETE as Handler, role, { method: 'DELETE', id: 'api-article' })), role).toBe(403);
		}
		for (const role of ['dispatcher', 'leader', 'analyst', 'emergency', 'unit_handler'] as Role[]) {
			expect(await refusedStatus(call(listRoute.GET as Handler, role, { query: '?q=公积金' })), role).toBe(403);
			expect(await refusedStatus(call(oneRoute.GET as Handler, role, { id: 'api-article' })), role).toBe(403);
		}
		expect((await getArticle(a.rel.db, 'api-article')).version).toBe(4);
		await expect(getArticle(a.rel.db, 'not-allowed')).rejects.toMatchObject({ code: 'not_found' });
	});
});

// --- a restart: the same data directory opened again --------------------------------------------------------

describe('a restart', () => {
	it('keeps an edited article as edited and a retired one retired; adds what the file gained', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'minqing-kb-data-'));
		const referenceDir = mkdtempSync(join(tmpdir(), 'minqing-kb-ref-'));
		cpSync(join(ROOT, 'data'), referenceDir, { recursive: true, filter: (src) => !/[/\\]data[/\\](tmp|db)([/\\]|$)/.test(src) });
		const config = { ...loadConfig({}), dataDir, referenceDir, demo: false };
		let first: App | null = null;
		let second: App | null = null;
		try {
			first = await startApp(config, () => {});
			const db = first.rel.db;
			const progress = await getArticle(db, 'hotline-progress');
			await updateArticle(db, admin, 'hotline-progress', {
				...progress,
				answer: '修订后的答复：凭工单编号查询。',
				version: progress.version
			});
			await retireArticle(db, admin, 'hotline-privacy');
			await createArticle(db, admin, PET);
			await stopApp(first);
			first = null;

			// the file gains an article and changes the edited and the retired one's text
			const file = knowledgeFile(referenceDir);
			const raw = JSON.parse(readFileSync(file, 'utf8')) as { articles: { id: string; title: string; answer: string }[] };
			for (const x of raw.articles)
				if (x.id === 'hotline-progress' || x.id === 'hotline-privacy') x.answer = `${x.answer}（文件中的新版本）`;
			raw.articles.push({
				id: 'added-later',
				title: '后来加入的条目',
				keywords: ['后来'],
				answer: '后来加入。',
				updated: '2026-11-28'
			} as never);
			writeFileSync(file, JSON.stringify(raw));

			second = await startApp(config, () => {});
			const db2 = second.rel.db;
			expect(await getArticle(db2, 'hotline-progress')).toMatchObject({
				answer: '修订后的答复：凭工单编号查询。',
				version: 2,
				updatedBy: '测试管理员'
			});
			const privacy = await getArticle(db2, 'hotline-privacy');
			expect(privacy.retiredAt).not.toBeNull();
			expect(privacy.answer).not.toContain('文件中的新版本');
			expect(await getArticle(db2, PET.id)).toMatchObject({ title: PET.title });
			expect(await getArticle(db2, 'added-later')).toMatchObject({ updatedBy: SEED_EDITOR });
			expect(await countArticles(db2)).toEqual({ active: FILE_ARTICLES.length + 1, retired: 1 });
			const suggested = await searchKnowledgeBase(second, '我的个人信息会不会被泄露给商家');
			expect(suggested.map((s) => s.id)).not.toContain('hotline-privacy');
		} finally {
			if (first) await stopApp(first);
			if (second) await stopApp(second);
			rmSync(dataDir, { recursive: true, force: true });
			rmSync(referenceDir, { recursive: true, force: true });
		}
	}, 180_000);
});

describe('the migration to one article in use per title', () => {
	const pgUrl = process.env.MINQING_TEST_PG_URL;
	/** The migrations before 0018 (kb_articles_active_title_idx), as a store made before it was migrated. */
	function migrationsBefore18(): string {
		const dir = mkdtempSync(join(tmpdir(), 'minqing-mig-'));
		cpSync(migrationsDir(ROOT), dir, { recursive: true });
		const journal = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
		for (const e of journal.entries.filter((x) => x.idx >= 18)) rmSync(join(dir, `${e.tag}.sql`));
		journal.entries = journal.entries.filter((e) => e.idx < 18);
		writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
		return dir;
	}

	async function check(open: (migrations: string) => ReturnType<typeof openRelational>) {
		const old = migrationsBefore18();
		try {
			const before = await open(old);
			const at = (day: string) => new Date(`${day}T08:00:00+08:00`);
			await before.db.execute(sql`
				INSERT INTO kb_articles (id, title, answer, updated_at, updated_by, retired_at) VALUES
				('dup-seed', '居住证办理', '种子里的答复', ${at('2026-01-01')}, '初始数据', NULL),
				('dup-admin', '居住证办理', '管理员改过的答复', ${at('2026-06-01')}, '管理员', NULL),
				('dup-retired', '居住证办理', '早已停用', ${at('2025-01-01')}, '管理员', ${at('2025-02-01')}),
				('tie-b', '同时保存', 'b', ${at('2026-03-01')}, '管理员', NULL),
				('tie-a', '同时保存', 'a', ${at('2026-03-01')}, '管理员', NULL),
				('single', '独一无二', 'x', ${at('2026-03-01')}, '管理员', NULL)`);
			await before.close();
			const after = await open(migrationsDir(ROOT));
			try {
				const rows = (await after.db.execute(sql`SELECT id, retired_at IS NOT NULL AS retired, updated_by, version FROM kb_articles ORDER BY id`)) as unknown as {
					rows: { id: string; retired: boolean; updated_by: string; version: number }[];
				};
				expect(rows.rows.map((r) => [r.id, r.retired, r.updated_by, r.version])).toEqual([
					['dup-admin', false, '管理员', 1],
					['dup-retired', true, '管理员', 1],
					['dup-seed', true, '系统（标题重复，已停用）', 2],
					['single', false, '管理员', 1],
					['tie-a', false, '管理员', 1],
					['tie-b', true, '系统（标题重复，已停用）', 2]
				]);
				// and from now on the store itself refuses a second one
				await expect(after.db.execute(sql`UPDATE kb_articles SET retired_at = NULL WHERE id = 'dup-seed'`)).rejects.toThrow();
				// two saves of one title at once: one saved, the other refused naming the field (a pool's two connections on PostgreSQL)
				for (let i = 0; i < 3; i++) {
					const both = await Promise.allSettled(['x', 'y'].map((k) => createArticle(after.db, admin, { ...PET, id: `race${i}-${k}`, title: `同一时刻${i}` })));
					expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
					expect((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'invalid_input', field: 'title' });
				}
			} finally {
				await after.close();
			}
		} finally {
			rmSync(old, { recursive: true, force: true });
		}
	}

	it('retires all but the last changed of each title in use on the embedded store, then refuses another', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'minqing-kbmig-'));
		try {
			await check((m) => openRelational({ databaseUrl: null, dataDir: dir, migrationsDir: m }));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it.skipIf(!pgUrl)('does the same on PostgreSQL', async () => {
		const name = `minqing_kbmig_${process.pid}_${Date.now()}`;
		const admin = new pg.Client({ connectionString: pgUrl });
		await admin.connect();
		await admin.query(`CREATE DATABASE ${name}`);
		try {
			const u = new URL(pgUrl!);
			u.pathname = `/${name}`;
			await check((m) => openRelational({ databaseUrl: u.toString(), dataDir: ':memory:', migrationsDir: m }));
		} finally {
			await admin.query(`DROP DATABASE IF EXISTS ${name}`);
			await admin.end();
		}
	});
});
