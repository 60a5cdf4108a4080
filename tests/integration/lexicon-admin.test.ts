// 设置 › 词典 and /api/v1/lexicon over a real embedded store: an administrator adds a term callers now use and the
// search finds the tickets by it — the new ones and, after their analysis again in the background, those analysed
// before the change; takes a term of the files out, adds a stop word and makes a stop word of the file a word again;
// a renamed unit's name is segmented whole; refusals name the field in Chinese; a change survives a restart; the
// API's answers and statuses; the page's load, 试一试 and actions; nobody but an administrator gets in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { acrossRestart, callRoute, caseRefusal, postForm, refusedStatus, sessionUser, startMemoryApp, startRouteApp } from '../support/app';
import { addPeople, INTAKE } from '../support/cases';
import { registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { ingestService } from '../../src/lib/server/ingest';
import { syncIdle } from '../../src/lib/server/sync';
import { dictionaryChanged, requestTextRound } from '../../src/lib/server/text/service';
import { liveSegmenters, querySegmenter, querySegmenterReady } from '../../src/lib/server/text/segmenter';

import { dictionaryLoads } from '../../pipelines/segment/index';
import { searchTickets } from '../../src/lib/server/text/search';
import { unitAdmin, updateUnit } from '../../src/lib/server/units';
import {
	addLexiconEntry,
	lexiconAdmin,
	lexiconEntry,
	lexiconForAdmin,
	segmenterOverlay,
	updateLexiconEntry,
	type LexiconAdmin
} from '../../src/lib/server/lexicon';
import type { Role } from '../../src/lib/types';
import * as listRoute from '../../src/routes/api/v1/lexicon/+server';
import * as oneRoute from '../../src/routes/api/v1/lexicon/[kind]/[word]/+server';
import * as page from '../../src/routes/(app)/settings/dictionary/+page.server';

let a: App;
/** the server's segmenter once the dictionary as it is now has loaded (a change loads it in the background) */
const segmenterNow = () => querySegmenterReady(a.ref);
const logged: string[] = [];
const people: Record<string, CaseUser> = {};
const ctx = (username = 'chief', role: Role = 'admin'): LexiconAdmin => ({
	...lexiconAdmin(a, { username, role }, (words) => dictionaryChanged(a, words)),
	log: (line) => logged.push(line)
});

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, { operator: ['operator'] });
}, 120_000);

afterAll(async () => {
	// the marking after the page's last change runs in the ingest queue: after it, the queue is idle
	await ingestService(a)?.forgetTokensContaining([]);
	await ingestService(a)?.close();
	if (a) await stopApp(a);
});

/** Registers a ticket with this content and brings it, analysed, into the analytics store. */
async function analysedTicket(content: string): Promise<string> {
	const t = await registerTicket(a, people.operator, { ...INTAKE, content }, { decision: { action: 'accept' } });
	await syncIdle(a);
	await ingestService(a).enrichText();
	return t.ticketNo;
}

const tokensOf = async (ticketNo: string) =>
	(await a.analytics.conn.runAndReadAll(`SELECT tokens FROM tickets_fact WHERE ticket_no = $no`, { no: ticketNo })).getRowObjectsJS()[0].tokens as string[] | null;
const search = (q: string) => searchTickets(a.analytics.conn, a.ref, { q });

describe('the dictionary', () => {
	it('lists the terms and stop words of the files, each at version 1 and not changed here', async () => {
		const all = await lexiconForAdmin(ctx());
		const terms = all.filter((e) => e.kind === 'term');
		const stops = all.filter((e) => e.kind === 'stop');
		expect(terms.length).toBeGreaterThan(300);
		expect(stops.length).toBeGreaterThan(300);
		expect(terms.find((e) => e.word === '油烟扰民')).toMatchObject({ freq: 3000, weight: '核心', tag: 'l', tagLabel: '习用语', active: true, added: false, editedAt: null, version: 1 });
		expect(stops.find((e) => e.word === '很')).toMatchObject({ freq: null, weight: null, tag: null, active: true, added: false, version: 1 });
		expect(segmenterOverlay(a.ref)).toEqual({});
	});
});

describe('a new term', () => {
	it('is segmented whole at once, and the tickets analysed before it are analysed again and found by it', async () => {
		const before = await analysedTicket('小区门口的网红店每天排队占道，请管一管');
		// the analysis workers, running before the change
		const analyzerOf = () => (ingestService(a) as unknown as { analyzer: object | null }).analyzer;
		const made = analyzerOf();
		expect(made).not.toBeNull();
		expect(await tokensOf(before)).not.toContain('网红店');
		expect((await search('网红店')).terms).not.toEqual(['网红店']);
		const r = await addLexiconEntry(ctx(), { kind: 'term', word: '网红店', weight: 'core', tag: 'n' });
		expect(r.entry).toMatchObject({ kind: 'term', word: '网红店', freq: 3000, weight: '核心', tagLabel: '名词', added: true, editedBy: 'chief', version: 1 });
		expect(logged).toContain('词典：chief 新增词条「网红店」（核心，名词）');
		// the server's segmenter (search queries, suggestions) loads it in a thread of its own, started by the change:
		// meanwhile the dictionary before it answers at once, and this thread loads none
		const loads = dictionaryLoads();
		expect(querySegmenter(a.ref).cut('网红店排队')).not.toEqual(['网红店', '排队']);
		expect(liveSegmenters()).toBe(2);
		// once the new one has loaded, the old one's thread ends, without waiting for another query
		await expect.poll(liveSegmenters, { timeout: 60_000 }).toBe(1);
		expect((await querySegmenterReady(a.ref)).cut('网红店排队')).toEqual(['网红店', '排队']);
		expect(querySegmenter(a.ref).cut('网红店排队')).toEqual(['网红店', '排队']);
		expect(dictionaryLoads()).toBe(loads);
		// the analysed ticket that contains it loses its tokens; the round analyses it with the new dictionary
		expect(await r.reanalysis).toBeGreaterThanOrEqual(1);
		expect(await tokensOf(before)).toBeNull();
		await requestTextRound(a, () => {});
		expect(await tokensOf(before)).toContain('网红店');
		const s = await search('网红店');
		expect(s.terms).toEqual(['网红店']);
		expect(s.hits.map((h) => h.ticketNo)).toContain(before);
		// a new ticket is analysed by the workers with it too: the same workers, which loaded it in place
		const after = await analysedTicket('又一家网红店开业，门口堵车');
		expect(await tokensOf(after)).toContain('网红店');
		expect(analyzerOf()).toBe(made);
	});

	it('refuses bad words naming the field, a word already there, and changes nothing', async () => {
		const n = (await lexiconForAdmin(ctx())).length;
		const cases: [Record<string, unknown>, string, string][] = [
			[{ kind: 'term', word: '' }, 'word', '请填写词条'],
			[{ kind: 'term', word: '网红 店' }, 'word', '词条不能含有空格：分词后的词中不会有空格'],
			[{ kind: 'term', word: '网红店！' }, 'word', '词条只能由汉字、字母和数字组成（可含 . + - ·）'],
			[{ kind: 'term', word: '店' }, 'word', '词条至少两个字：单字本来就不会被拆开'],
			[{ kind: 'term', word: '12345678' }, 'word', '词条须含有汉字或字母'],
			[{ kind: 'term', word: '网'.repeat(21) }, 'word', '词条不能超过 20 个字'],
			[{ kind: 'term', word: '油烟扰民' }, 'word', '「油烟扰民」已是词条（核心）'],
			[{ kind: 'term', word: '网红店' }, 'word', '「网红店」已是词条（核心）'],
			[{ kind: 'stop', word: '很' }, 'word', '「很」已是停用词'],
			[{ kind: 'word', word: '网红' }, 'kind', '未知词典类别「word」，可选：term（词条）、stop（停用词）'],
			[{ word: '网红' }, 'kind', '请选择词典类别（词条或停用词）'],
			[{ kind: 'term', word: '网红', weight: 'huge' }, 'weight', '权重应为 core（核心）、common（常用）、rare（一般）'],
			[{ kind: 'term', word: '网红', tag: 'xyz' }, 'tag', '词性应为 n（名词）、v（动词）、vn（动名词）、a（形容词）、l（习用语）、j（简称）、nz（专有名词）、nt（机构名）、ns（地名）'],
			[{ kind: 'stop', word: '网红', weight: 'core' }, 'weight', '停用词没有权重和词性']
		];
		for (const [body, field, message] of cases) {
			const [c, f, m] = await caseRefusal(addLexiconEntry(ctx(), body));
			expect([c, f, m], JSON.stringify(body)).toEqual(['invalid_input', field, message]);
		}
		expect((await lexiconForAdmin(ctx())).length).toBe(n);
		expect(await caseRefusal(addLexiconEntry(ctx('boss', 'leader'), { kind: 'term', word: '网红' }))).toEqual(['forbidden', null, '只有系统管理员可以维护分词词典']);
	});
});

describe('changing a word', () => {
	it('takes a term of the files out of the dictionary and back, at the version it was drawn with', async () => {
		expect(querySegmenter(a.ref).cut('楼下有人飞线充电')).toContain('飞线充电');
		const off = await updateLexiconEntry(ctx(), 'term', '飞线充电', { active: false, version: 1 });
		expect(off.changed).toEqual(['停用']);
		expect(off.entry).toMatchObject({ active: false, added: false, editedBy: 'chief', version: 2 });
		expect((await segmenterNow()).cut('楼下有人飞线充电')).not.toContain('飞线充电');
		expect(await caseRefusal(addLexiconEntry(ctx(), { kind: 'term', word: '飞线充电' }))).toEqual(['invalid_input', 'word', '「飞线充电」是已停用的词条，请在列表中启用']);
		// a change at the version it had before is another administrator's, made first
		expect(await caseRefusal(updateLexiconEntry(ctx(), 'term', '飞线充电', { active: true, version: 1 }))).toEqual([
			'conflict',
			null,
			'词条「飞线充电」 已被他人修改，请刷新后重试'
		]);
		const on = await updateLexiconEntry(ctx(), 'term', '飞线充电', { active: true, weight: 'rare', version: 2 });
		expect(on.changed).toEqual(['权重由核心改为一般', '启用']);
		expect(on.entry).toMatchObject({ freq: 800, weight: '一般', active: true, version: 3 });
		expect((await segmenterNow()).cut('楼下有人飞线充电')).toContain('飞线充电');
		// a part of speech alone: no text is cut otherwise, nothing to analyse again
		const tagged = await updateLexiconEntry(ctx(), 'term', '飞线充电', { tag: 'vn' });
		expect([tagged.changed, await tagged.reanalysis]).toEqual([['词性由习用语改为动名词'], 0]);
		expect((await updateLexiconEntry(ctx(), 'term', '飞线充电', { tag: 'vn' })).changed).toEqual([]);
	});

	it('adds a stop word and makes a stop word of the file a word again: the tickets that contain them are analysed again', async () => {
		const t = await analysedTicket('这家店很吵，天天排队到深夜');
		expect(await tokensOf(t)).toContain('排队');
		expect(await tokensOf(t)).not.toContain('很');
		const stop = await addLexiconEntry(ctx(), { kind: 'stop', word: '排队' });
		expect(stop.entry).toMatchObject({ kind: 'stop', kindLabel: '停用词', freq: null, added: true });
		const kept = await updateLexiconEntry(ctx(), 'stop', '很', { active: false });
		// the ticket contains both: the first marking takes it, the second finds it marked already
		expect((await stop.reanalysis) + (await kept.reanalysis)).toBeGreaterThanOrEqual(1);
		expect(await tokensOf(t)).toBeNull();
		await requestTextRound(a, () => {});
		const tokens = await tokensOf(t);
		expect(tokens).not.toContain('排队');
		expect(tokens).toContain('很');
		// the query is cut as the tickets are: a stop word is no search term
		expect((await search('排队')).terms).toEqual([]);
		// a stop word in Latin letters is kept as the tokens are, in lower case
		expect((await addLexiconEntry(ctx(), { kind: 'stop', word: 'ＯＫ' })).entry.word).toBe('ok');
		expect((await segmenterNow()).tokens('说了OK就走')).not.toContain('ok');
		expect(await caseRefusal(updateLexiconEntry(ctx(), 'stop', '排队', { weight: 'core' }))).toEqual(['invalid_input', 'weight', '停用词没有权重和词性，只能停用或启用']);
		expect(await caseRefusal(updateLexiconEntry(ctx(), 'stop', '不存在的词', { active: false }))).toEqual(['not_found', null, '停用词「不存在的词」不在词典中']);
		expect(await caseRefusal(updateLexiconEntry(ctx(), 'term', '网红店', {}))).toEqual(['invalid_input', null, '请提供要修改的内容：weight（权重）、tag（词性）或 active（启用状态）']);
	});

	it('segments a renamed unit’s new name whole, as the shipped names are, also in the tickets analysed before', async () => {
		const name = '苏州市生态环境保护局';
		expect(querySegmenter(a.ref).cut(name)).not.toEqual([name]);
		const before = await analysedTicket(`来电人已向${name}反映过河道黑臭，至今未处理`);
		expect(await tokensOf(before)).not.toContain(name);
		let marked: Promise<number> | null = null;
		const admin = unitAdmin(a, { username: 'chief', role: 'admin' });
		await updateUnit({ ...admin, namesChanged: (words) => (marked = admin.namesChanged!(words)) }, 'M02', { name, short_name: '市生态环保局' });
		expect(segmenterOverlay(a.ref).terms).toEqual(expect.arrayContaining([{ word: name, freq: 1000, tag: 'nt' }]));
		expect((await segmenterNow()).cut(`${name}和市生态环保局`)).toEqual([name, '和', '市生态环保局']);
		// the ticket that names it is analysed again with it, and the search finds it by the new name
		expect(await marked).toBeGreaterThanOrEqual(1);
		await requestTextRound(a, () => {});
		expect(await tokensOf(before)).toContain(name);
		expect((await search(name)).hits.map((h) => h.ticketNo)).toContain(before);
	});
});

describe('across a restart', () => {
	it('keeps the changes made here; another app in the process is not touched', async () => {
		const admin = (b: App) => lexiconAdmin(b, { username: 'chief', role: 'admin' });
		await acrossRestart(
			'lexicon',
			async (b) => {
				await addLexiconEntry(admin(b), { kind: 'term', word: '共享电单车', weight: 'common' });
				await updateLexiconEntry(admin(b), 'stop', '很', { active: false });
			},
			async (b) => {
				expect(await lexiconEntry(admin(b), 'term', '共享电单车')).toMatchObject({ freq: 1500, added: true, version: 1 });
				expect(segmenterOverlay(b.ref)).toEqual({ terms: [{ word: '共享电单车', freq: 1500, tag: 'n' }], removedTerms: [], stopWords: [], keptWords: ['很'] });
				expect(querySegmenter(b.ref).cut('共享电单车乱停')).toContain('共享电单车');
				const c = await startMemoryApp();
				expect(segmenterOverlay(c.ref)).toEqual({});
				expect(querySegmenter(c.ref).cut('共享电单车乱停')).not.toContain('共享电单车');
				await stopApp(c);
			}
		);
	}, 120_000);
});

const call = (handler: unknown, init: { method?: string; body?: unknown; kind?: string; word?: string; role?: Role; query?: string }) =>
	callRoute(handler, `/api/v1/lexicon${init.kind ? `/${init.kind}/${encodeURIComponent(init.word!)}` : ''}${init.query ?? ''}`, {
		...init,
		params: init.kind ? { kind: init.kind, word: init.word! } : {},
		as: 'api.admin'
	});

describe('/api/v1/lexicon', () => {
	it('lists, adds (201 with Location), reads one, changes, and answers errors in the API shape', async () => {
		const list = await call(listRoute.GET, { query: '?kind=stop' });
		expect(list.status).toBe(200);
		expect((list.body.entries as { kind: string }[]).every((e) => e.kind === 'stop')).toBe(true);
		expect((await call(listRoute.GET, { query: '?kind=words' })).status).toBe(400);
		const added = await call(listRoute.POST, { method: 'POST', body: { kind: 'term', word: '楼道飞线', tag: 'n' } });
		expect([added.status, added.location, added.body.reanalysed]).toEqual([201, `/api/v1/lexicon/term/${encodeURIComponent('楼道飞线')}`, 0]);
		expect((await call(oneRoute.GET, { kind: 'term', word: '楼道飞线' })).body.entry).toMatchObject({ word: '楼道飞线', weight: '常用', version: 1 });
		const changed = await call(oneRoute.PATCH, { method: 'PATCH', kind: 'term', word: '楼道飞线', body: { weight: 'core', version: 1 } });
		expect([changed.status, changed.body.changed]).toEqual([200, ['权重由常用改为核心']]);
		const stale = await call(oneRoute.PATCH, { method: 'PATCH', kind: 'term', word: '楼道飞线', body: { active: false, version: 1 } });
		expect([stale.status, (stale.body.error as { code: string }).code]).toEqual([409, 'conflict']);
		const bad = await call(listRoute.POST, { method: 'POST', body: { kind: 'term', word: '楼道 飞线' } });
		expect([bad.status, bad.body.error]).toMatchObject([400, { code: 'invalid_input', field: 'word' }]);
		expect((await call(oneRoute.GET, { kind: 'term', word: '没有这个词' })).status).toBe(404);
	});

	it('refuses every other role with 403', async () => {
		for (const role of ['operator', 'dispatcher', 'supervisor', 'leader', 'analyst', 'emergency', 'unit_handler'] as Role[]) {
			expect(await refusedStatus(call(listRoute.GET, { role })), role).toBe(403);
			expect(await refusedStatus(call(oneRoute.PATCH, { method: 'PATCH', kind: 'term', word: '油烟扰民', body: { active: false }, role })), role).toBe(403);
		}
		expect((await lexiconEntry(ctx(), 'term', '油烟扰民')).active).toBe(true);
	});
});

describe('the page', () => {
	type Loaded = {
		entries: { kind: string; word: string; active: boolean; added: boolean; editedAt: string | null }[];
		matching: number;
		counts: { terms: number; stops: number; changed: number };
		bad: string[];
		edit: { word: string } | null;
		editMissing: string | null;
		tried: { word: string; kind: string }[] | null;
	};
	const load = (query: string) =>
		page.load({ locals: { user: sessionUser('admin', 'chief') }, url: new URL(`http://localhost/settings/dictionary${query}`) } as never) as Promise<Loaded>;
	const post = (action: 'add' | 'edit' | 'disable' | 'enable', fields: Record<string, string>) => postForm(page.actions[action], '/settings/dictionary', fields);

	it('filters by words, kind, state and source, shows at most 300 rows, opens a term to edit and cuts a text in 试一试', async () => {
		const all = await load('');
		expect(all.matching).toBeGreaterThan(600);
		expect(all.entries.length).toBe(300);
		// the words changed here come first, the latest first, whatever their kind
		const changed = all.entries.slice(0, all.counts.changed);
		expect(all.counts.changed).toBeGreaterThan(5);
		expect(changed.every((e, i) => e.editedAt !== null && (i === 0 || e.editedAt <= changed[i - 1].editedAt!))).toBe(true);
		expect(new Set(changed.map((e) => e.kind))).toEqual(new Set(['term', 'stop']));
		expect(all.entries[all.counts.changed].editedAt).toBeNull();
		expect((await load('?q=油烟&kind=term')).entries.map((e) => e.word)).toContain('油烟扰民');
		expect((await load('?source=added')).entries.every((e) => e.added)).toBe(true);
		expect((await load('?state=inactive&kind=stop')).entries.map((e) => e.word)).toEqual(['很']);
		const odd = await load('?kind=army&state=gone&source=x&edit=term:没有这个词');
		expect([odd.bad, odd.edit, odd.editMissing]).toEqual([['类别「army」', '状态「gone」', '来源「x」'], null, 'term:没有这个词']);
		expect((await load('?edit=term:油烟扰民')).edit?.word).toBe('油烟扰民');
		const tried = (await load(`?try=${encodeURIComponent('网红店门口排队，很吵')}`)).tried!;
		expect(tried).toEqual([
			{ word: '网红店', kind: 'term' },
			{ word: '门口', kind: 'word' },
			{ word: '排队', kind: 'stop' },
			{ word: '，', kind: 'mark' },
			{ word: '很', kind: 'word' },
			{ word: '吵', kind: 'word' }
		]);
		expect((await load('?try=%20')).tried).toBeNull();
	});

	it('adds, edits, stops and starts a word through its forms, keeping what was typed on a refusal', async () => {
		const refused = await post('add', { kind: 'term', word: '网红 奶茶', weight: 'common', tag: 'n' });
		expect([refused.status, refused.data?.field, refused.data?.values?.word]).toEqual([400, 'word', '网红 奶茶']);
		const added = await post('add', { kind: 'term', word: '网红奶茶', weight: 'common', tag: 'n' });
		expect(added.saved).toBe('已新增词条「网红奶茶」（常用，名词）：新的工单即按此分词，已分析的含该词工单将在后台按新词典重新分词');
		// a stop word's form sends no weight nor part of speech, whatever the hidden fields held
		expect((await post('add', { kind: 'stop', word: '反正', weight: 'common', tag: 'n' })).saved ?? '').toMatch(/^已新增停用词「反正」：/);
		const edited = await post('edit', { word: '网红奶茶', weight: 'rare', tag: 'nz', version: '1' });
		expect(edited.saved).toBe('已保存「网红奶茶」：权重由常用改为一般；词性由名词改为专有名词');
		const stale = await post('edit', { word: '网红奶茶', weight: 'core', tag: 'n', version: '1' });
		expect([stale.status, stale.data?.message, stale.data?.values?.weight]).toEqual([409, '词条「网红奶茶」 已被他人修改，请刷新后重试', 'core']);
		expect((await post('disable', { kind: 'term', word: '网红奶茶', version: '2' })).saved).toBe(
			'已停用词条「网红奶茶」：分词时不再作为一个词（按通用词典切分）。已分析的含该词工单将在后台按新词典重新分词'
		);
		expect((await post('disable', { kind: 'term', word: '网红奶茶', version: '3' })).saved).toBe('词条「网红奶茶」已是停用状态');
		expect((await post('enable', { kind: 'term', word: '网红奶茶', version: '3' })).saved).toBe(
			'已启用词条「网红奶茶」：分词时保持完整。已分析的含该词工单将在后台按新词典重新分词'
		);
		expect((await load('')).counts.changed).toBeGreaterThanOrEqual(6);
	});

	it('is refused to anyone but an administrator', async () => {
		for (const role of ['dispatcher', 'leader', 'analyst'] as Role[]) {
			const status = await refusedStatus(
				page.load({ locals: { user: sessionUser(role) }, url: new URL('http://localhost/settings/dictionary') } as never) as Promise<unknown>
			);
			expect(status, role).toBe(403);
		}
	});
});
