// 设置 › 分类 and /api/v1/categories over a real embedded store: an administrator renames a category (the paths
// under it follow at once; refusals name the field in Chinese), stops one (it and the categories under it are no
// longer given to new tickets — 受理 and 派单 forms, the assistant's suggestions, Open311's services and requests —
// while tickets that have it keep it) and starts it again, and adds categories; a change survives a restart; the
// API and the page; nobody but an administrator gets in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { acrossRestart, callRoute, caseRefusal, postForm, refusedStatus, sessionUser, startRouteApp } from '../support/app';
import { addPeople, INTAKE } from '../support/cases';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { ticketDetail } from '../../src/lib/server/cases/read';
import { intakeChoices } from '../../src/lib/server/cases/forms';
import { addCategory, categoriesForAdmin, categoryForAdmin, categoryInUse, updateCategory, type CategoryAdmin } from '../../src/lib/server/categories';
import { createApiToken } from '../../src/lib/server/auth/tokens';
import { listServices } from '../../src/lib/server/open311/service';
import { ReferenceResolver } from '../../pipelines/ingest/resolve';
import type { Role } from '../../src/lib/types';
import * as listRoute from '../../src/routes/api/v1/categories/+server';
import * as oneRoute from '../../src/routes/api/v1/categories/[code]/+server';
import * as categoriesPage from '../../src/routes/(app)/settings/categories/+page.server';
import * as open311Route from '../../src/routes/open311/v2/[file]/+server';

let a: App;
let KEY = '';
const logged: string[] = [];
const people: Record<string, CaseUser> = {};
const ctx = (username = 'chief', role: Role = 'admin'): CategoryAdmin => ({ db: a.rel.db, ref: a.ref, actor: { username, role }, log: (line) => logged.push(line) });

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, { operator: ['operator'], dispatcher: ['dispatcher'] });
	KEY = (await createApiToken(a.rel.db, { name: '城市服务App', sourceName: 'cityapp', scopes: ['open311'] })).token;
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

const offered = () => intakeChoices(a).categoryGroups.flatMap((g) => g.categories.map((c) => c.code));
const register = (category_code: string) => registerTicket(a, people.operator, { ...INTAKE, category_code }, { decision: { action: 'accept' } });

async function open311(service_code: string) {
	const url = new URL('http://localhost/open311/v2/requests.json');
	const body = new URLSearchParams({ api_key: KEY, service_code, address_string: '姑苏区平江路1号', description: '饭店油烟很大，影响居民生活。' });
	const request = new Request(url, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });
	const res = await (open311Route.POST as (e: never) => Promise<Response>)({ request, url, params: { file: 'requests.json' }, locals: { user: null } } as never);
	return { status: res.status, body: (await res.json()) as unknown };
}

describe('the directory', () => {
	it('lists every category in tree order with its children and tickets', async () => {
		const t = await register('020101');
		const all = await categoriesForAdmin(ctx());
		expect(all.length).toBe(a.ref.categories.length);
		expect(all.slice(0, 3).map((c) => c.code)).toEqual(['01', '0101', '010101']);
		const air = all.find((c) => c.code === '0201')!;
		expect(air).toMatchObject({ level: 2, path: '环境保护 › 大气污染', inUse: true, children: 4, activeChildren: 4, tickets: 1, open: 1, version: 1, editedAt: null });
		expect(t.categoryCode).toBe('020101');
	});
});

describe('renaming', () => {
	it('renames a level 2: its path and those under it follow everywhere at once; imports still know the former name', async () => {
		const child = a.ref.categoryByCode.get('020101')!;
		const r = await updateCategory(ctx(), '0201', { name: '大气环境', version: 1 });
		expect(r.changed).toEqual(['名称由「大气污染」改为「大气环境」（其下 4 个分类的路径随之改变）']);
		expect(r.category).toMatchObject({ path: '环境保护 › 大气环境', formerNames: ['大气污染'], editedBy: 'chief', version: 2 });
		expect(a.ref.categoryByCode.get('020101')).toBe(child);
		expect(child.path).toBe('环境保护 › 大气环境 › 餐饮油烟');
		const t = await register('020101');
		expect((await ticketDetail(a, people.dispatcher, t.ticketNo)).category).toBe('环境保护 › 大气环境 › 餐饮油烟');
		const resolver = new ReferenceResolver(a.ref);
		expect([resolver.category('大气污染'), resolver.category('环境保护/大气环境/餐饮油烟')]).toEqual(['0201', '020101']);
		expect(logged).toContain('分类：chief 修改分类 0201：名称由「大气污染」改为「大气环境」（其下 4 个分类的路径随之改变）');
	});

	it('refuses bad names naming the field, a twin among siblings, a stale version, and anyone but an administrator', async () => {
		const cases: [Record<string, unknown>, string, string | null, RegExp][] = [
			[{ name: ' ' }, 'invalid_input', 'name', /请填写分类名称/],
			[{ name: '类'.repeat(31) }, 'invalid_input', 'name', /不能超过 30 个字/],
			[{ name: '水污染' }, 'invalid_input', 'name', /「环境保护 › 水污染」已存在/],
			[{ name: '大气 › 水' }, 'invalid_input', 'name', /不能含有“›”/],
			[{}, 'invalid_input', null, /请提供要修改的内容/],
			[{ name: '空气质量', version: 1 }, 'conflict', null, /已被他人修改/]
		];
		for (const [body, code, field, message] of cases) {
			const [c, f, m] = await caseRefusal(updateCategory(ctx(), '0201', body));
			expect([c, f], JSON.stringify(body)).toEqual([code, field]);
			expect(m).toMatch(message);
		}
		expect(await caseRefusal(updateCategory(ctx(), '99', { name: '无' }))).toEqual(['not_found', null, '诉求分类 99 不存在']);
		expect((await caseRefusal(updateCategory(ctx('boss', 'leader'), '0201', { active: false })))[0]).toBe('forbidden');
		expect(a.ref.categoryByCode.get('0201')?.name).toBe('大气环境');
	});
});

describe('stopping a category', () => {
	it('stops it and what is under it for new tickets only; started again, they are offered again', async () => {
		const before = await register('020102');
		await updateCategory(ctx(), '0201', { active: false });
		expect(['0201', '020101', '020104'].map((c) => categoryInUse(a.ref, c))).toEqual([false, false, false]);
		expect(offered()).not.toContain('020101');
		expect(offered()).toContain('020201');
		expect(await caseRefusal(register('020101'))).toEqual(['invalid_input', 'category_code', '诉求分类“环境保护 › 大气环境 › 餐饮油烟”其上级分类已停用，请选择其他分类']);
		// a dispatch that would put it on a ticket is refused; the ticket that has it keeps it and is dispatched as it is
		expect((await caseRefusal(actOnTicket(a, people.dispatcher, before.ticketNo, { action: 'dispatch', version: before.version, unit_code: 'M02', category_code: '020104' })))[1]).toBe('category_code');
		expect((await actOnTicket(a, people.dispatcher, before.ticketNo, { action: 'dispatch', version: before.version, unit_code: 'M02' })).categoryCode).toBe('020102');
		// Open311: not a service any more, and a report naming it is refused as the spec's 400
		expect(listServices(a, { values: {} } as never).map((s) => s.service_code)).not.toContain('0201');
		const refused = await open311('0201');
		expect(refused.status).toBe(400);
		expect(JSON.stringify(refused.body)).toContain('已停用，不再受理新的诉求');

		await updateCategory(ctx(), '0201', { active: true });
		expect(offered()).toContain('020101');
		expect(listServices(a, { values: {} } as never).map((s) => s.service_code)).toContain('0201');
		expect((await open311('0201')).status).toBe(201);
	});

	it('a level 3 stopped alone; its own refusal says so', async () => {
		await updateCategory(ctx(), '020103', { active: false });
		try {
			expect(await caseRefusal(register('020103'))).toEqual(['invalid_input', 'category_code', '诉求分类“环境保护 › 大气环境 › 露天焚烧”已停用，请选择其他分类']);
			expect((await categoryForAdmin(ctx(), '0201')).activeChildren).toBe(3);
		} finally {
			await updateCategory(ctx(), '020103', { active: true });
		}
	});
});

describe('adding categories', () => {
	it('adds a level 3 under a level 2 with the next free code, offered at once; and a level 1 and a level 2', async () => {
		const c = await addCategory(ctx(), { parent: '0201', name: '汽车尾气' });
		expect(c).toMatchObject({ code: '020105', level: 3, path: '环境保护 › 大气环境 › 汽车尾气', inUse: true });
		expect(offered()).toContain('020105');
		expect((await register('020105')).categoryCode).toBe('020105');
		const top = await addCategory(ctx(), { parent: '', name: '数字政府' });
		expect([top.code, top.level]).toEqual(['18', 1]);
		const mid = await addCategory(ctx(), { parent: '18', name: '政务数据' });
		expect([mid.code, mid.path]).toEqual(['1801', '数字政府 › 政务数据']);
		expect(logged).toContain('分类：chief 新建三级分类 020105 环境保护 › 大气环境 › 汽车尾气');
	});

	it('refuses an unknown parent, a level-3 parent, a missing name and a sibling twin', async () => {
		const n = a.ref.categories.length;
		const cases: [Record<string, unknown>, string, RegExp][] = [
			[{ parent: '77', name: '某类' }, 'parent', /上级分类“77”不存在/],
			[{ parent: '020101', name: '某类' }, 'parent', /是第三级分类，其下不能再设分类/],
			[{ parent: '0201', name: '' }, 'name', /请填写分类名称/],
			[{ parent: '0201', name: '工业废气' }, 'name', /已存在/],
			[{ parent: '', name: '城市管理' }, 'name', /「城市管理」已存在/]
		];
		for (const [body, field, message] of cases) {
			const [c, f, m] = await caseRefusal(addCategory(ctx(), body));
			expect([c, f], JSON.stringify(body)).toEqual(['invalid_input', field]);
			expect(m).toMatch(message);
		}
		expect(a.ref.categories.length).toBe(n);
	});
});

describe('across a restart', () => {
	it('keeps the changes made here over the reference file, paths included', async () => {
		await acrossRestart(
			'categories',
			async (b) => {
				const admin = { db: b.rel.db, ref: b.ref, actor: { username: 'chief', role: 'admin' as Role } };
				await updateCategory(admin, '01', { name: '城市综合管理' });
				await updateCategory(admin, '0202', { active: false });
				await addCategory(admin, { parent: '0101', name: '共享单车乱停放' });
			},
			async (b) => {
				expect(b.ref.categoryByCode.get('010101')?.path).toBe('城市综合管理 › 市容环境 › 占道经营');
				expect(b.ref.categoryByCode.get('01')?.formerNames).toEqual(['城市管理']);
				expect(categoryInUse(b.ref, '020201')).toBe(false);
				expect(b.ref.categoryByCode.get(b.ref.categories.filter((c) => c.parent === '0101').at(-1)!.code)?.name).toBe('共享单车乱停放');
				// this file's app keeps its own
				expect(a.ref.categoryByCode.get('01')?.name).toBe('城市管理');
			}
		);
	}, 120_000);
});

const call = (handler: unknown, init: { method?: string; body?: unknown; code?: string; role?: Role }) =>
	callRoute(handler, `/api/v1/categories${init.code ? `/${init.code}` : ''}`, { ...init, params: init.code ? { code: init.code } : {}, as: 'api.admin' });

describe('/api/v1/categories', () => {
	it('lists, adds (201 with Location), reads one, changes one, and answers errors in the API shape', async () => {
		const list = await call(listRoute.GET, {});
		expect([list.status, (list.body.categories as unknown[]).length]).toEqual([200, a.ref.categories.length]);
		const added = await call(listRoute.POST, { method: 'POST', body: { parent: '0202', name: '地下水污染' } });
		expect(added.status).toBe(201);
		const code = (added.body.category as { code: string }).code;
		expect(added.location).toBe(`/api/v1/categories/${code}`);
		expect((await call(oneRoute.GET, { code })).body.category).toMatchObject({ code, level: 3, version: 1 });
		const stopped = await call(oneRoute.PATCH, { method: 'PATCH', code, body: { active: false, version: 1 } });
		expect([stopped.status, stopped.body.changed]).toEqual([200, ['停用']]);
		const stale = await call(oneRoute.PATCH, { method: 'PATCH', code, body: { active: true, version: 1 } });
		expect([stale.status, (stale.body.error as { code: string }).code]).toEqual([409, 'conflict']);
		const bad = await call(listRoute.POST, { method: 'POST', body: { parent: '0202' } });
		expect([bad.status, bad.body.error]).toMatchObject([400, { code: 'invalid_input', field: 'name' }]);
		expect((await call(oneRoute.GET, { code: '9999' })).status).toBe(404);
	});

	it('refuses every other role with 403', async () => {
		for (const role of ['operator', 'dispatcher', 'supervisor', 'leader', 'analyst', 'emergency', 'unit_handler'] as Role[]) {
			expect(await refusedStatus(call(listRoute.GET, { role })), role).toBe(403);
			expect(await refusedStatus(call(oneRoute.PATCH, { method: 'PATCH', code: '01', body: { active: false }, role })), role).toBe(403);
		}
		expect(a.ref.categoryByCode.get('01')!.active).toBe(true);
	});
});

describe('the page', () => {
	const load = (query: string) =>
		categoriesPage.load({ locals: { user: sessionUser('admin', 'chief') }, url: new URL(`http://localhost/settings/categories${query}`) } as never) as Promise<{
			categories: { code: string; inUse: boolean }[];
			counts: { all: number; inUse: number };
			bad: string[];
			edit: { code: string } | null;
			parent: string;
		}>;
	const post = (action: 'add' | 'edit' | 'disable' | 'enable', fields: Record<string, string>) => postForm(categoriesPage.actions[action], '/settings/categories', fields);

	it('filters by words (a former name too), level and state, and chooses a parent for a new one', async () => {
		expect((await load('')).counts.all).toBe(a.ref.categories.length);
		expect((await load('?q=大气污染&level=2')).categories.map((c) => c.code)).toEqual(['0201']);
		expect((await load('?level=1')).categories.every((c) => c.code.length === 2)).toBe(true);
		const odd = await load('?level=9&state=x&parent=010101');
		expect([odd.bad, odd.parent]).toEqual([['分类级别「9」', '状态「x」'], '']);
		expect((await load('?parent=0101&edit=0101')).parent).toBe('0101');
	});

	it('adds, renames, stops and starts through its forms, keeping what was typed on a refusal', async () => {
		const refused = await post('add', { parent: '0103', name: '' });
		expect([refused.status, refused.data?.field]).toEqual([400, 'name']);
		const added = await post('add', { parent: '0103', name: '电动车飞线充电' });
		expect(added.saved).toMatch(/^已新建分类 0103\d{2} 城市管理 › .+ › 电动车飞线充电，受理与派单时即可选择$/);
		const code = added.saved!.split(' ')[1];
		expect((await post('edit', { code, name: '飞线充电', version: '1' })).saved).toBe(`已保存 ${code}：名称由「电动车飞线充电」改为「飞线充电」`);
		const stale = await post('edit', { code, name: '充电', version: '1' });
		expect([stale.status, stale.data?.values?.name]).toEqual([409, '充电']);
		expect((await post('disable', { code, version: '2' })).saved).toMatch(/飞线充电：已停用。受理与派单时不再可选，已有工单保留原分类$/);
		expect((await load('?state=inactive')).categories.map((c) => c.code)).toContain(code);
		expect((await post('enable', { code, version: '3' })).saved).toMatch(/飞线充电：已启用。受理与派单时可再选择$/);
	});

	it('is refused to anyone but an administrator', async () => {
		for (const role of ['dispatcher', 'leader', 'analyst'] as Role[])
			expect(await refusedStatus(categoriesPage.load({ locals: { user: sessionUser(role) }, url: new URL('http://localhost/settings/categories') } as never) as Promise<unknown>), role).toBe(
				403
			);
	});
});
