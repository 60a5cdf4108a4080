// 设置 › 单位 and /api/v1/units over a real embedded store: an administrator renames a unit (every screen's name
// follows at once; refusals name the field in Chinese), stops one (no dispatch to it, no suggestion of it, no new
// account for it — what it holds stays with it and is handled as before) and starts it again, and adds a municipal
// department; a change survives a restart although the reference files seed the units at every start; the API's
// answers and statuses; the page's load and actions; nobody but an administrator gets in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { acrossRestart, callRoute, caseRefusal, postForm, refusedStatus, sessionUser, startMemoryApp, startRouteApp } from '../support/app';
import { addPeople, INTAKE, HOTLINE_STAFF } from '../support/cases';
import { ingestService } from '../../src/lib/server/ingest';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { listQueue, ticketDetail } from '../../src/lib/server/cases/read';
import { unitGroups } from '../../src/lib/server/cases/forms';
import { addUser } from '../../src/lib/server/auth/admin';
import { addUnit, unitForAdmin, unitsForAdmin, updateUnit, type UnitAdmin } from '../../src/lib/server/units';
import type { Role } from '../../src/lib/types';
import { ReferenceResolver } from '../../pipelines/ingest/resolve';
import * as listRoute from '../../src/routes/api/v1/units/+server';
import * as oneRoute from '../../src/routes/api/v1/units/[code]/+server';
import * as unitsPage from '../../src/routes/(app)/settings/units/+page.server';

let a: App;
const logged: string[] = [];
const people: Record<string, CaseUser> = {};
const ctx = (username = 'chief', role: Role = 'admin'): UnitAdmin => ({ db: a.rel.db, ref: a.ref, actor: { username, role }, log: (line) => logged.push(line) });

/** 姑苏区's government: the routing rules send 餐饮油烟 (020101) in 姑苏区 to it */
const DISTRICT_UNIT = 'D320508';
const MUNICIPAL = 'M02';

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...HOTLINE_STAFF,
		district: ['unit_handler', DISTRICT_UNIT],
		municipal: ['unit_handler', MUNICIPAL]
	});
}, 120_000);

afterAll(async () => {
	// a rename or an addition through the routes marks the tickets naming the new name in the ingest queue: after it, the queue is idle
	await ingestService(a)?.forgetTokensContaining([]);
	await ingestService(a)?.close();
	if (a) await stopApp(a);
});

const accepted = (content = '楼下饭店油烟扰民，请处理') =>
	registerTicket(a, people.operator, { ...INTAKE, category_code: '020101', district_code: '320508', content }, { decision: { action: 'accept' } });

describe('the directory', () => {
	it('lists every unit of the reference files with what it holds and its enabled accounts', async () => {
		const all = await unitsForAdmin(ctx());
		expect(all.length).toBe(a.ref.units.length);
		expect(all.map((u) => u.kind).filter((k, i, xs) => xs.indexOf(k) === i)).toEqual(['municipal', 'utility', 'district', 'street']);
		const t = await accepted();
		await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: DISTRICT_UNIT });
		const d = await unitForAdmin(ctx(), DISTRICT_UNIT);
		expect(d).toMatchObject({ kind: 'district', kindLabel: '区县', districtName: '姑苏区', active: true, holding: 1, accounts: 1, editedAt: null, version: 1 });
	});
});

describe('renaming', () => {
	it('renames a unit everywhere at once, logs it, and keeps it apart from the unchanged ones', async () => {
		const before = a.ref.unitByCode.get(MUNICIPAL)!;
		const r = await updateUnit(ctx(), MUNICIPAL, { name: '苏州市生态环境保护局', short_name: '市生态环保局', version: 1 });
		expect(r.changed).toEqual(['名称由「苏州市生态环境局」改为「苏州市生态环境保护局」', '简称由「市生态环境局」改为「市生态环保局」']);
		expect(r.unit).toMatchObject({ name: '苏州市生态环境保护局', shortName: '市生态环保局', editedBy: 'chief', version: 2 });
		// the running app's reference is the same object, changed: every holder of it sees the new name
		expect(a.ref.unitByCode.get(MUNICIPAL)).toBe(before);
		expect(before.name).toBe('苏州市生态环境保护局');
		expect(unitGroups(a).flatMap((g) => g.units).find((u) => u.code === MUNICIPAL)?.name).toBe('苏州市生态环境保护局');
		expect(logged).toContain('单位：chief 修改单位 M02：名称由「苏州市生态环境局」改为「苏州市生态环境保护局」；简称由「市生态环境局」改为「市生态环保局」');
		// a ticket dispatched to it shows the new name
		const t = await accepted('河道发黑发臭');
		await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: MUNICIPAL });
		expect((await ticketDetail(a, people.dispatcher, t.ticketNo)).unit).toBe('苏州市生态环境保护局');
		// records written before the change still name it as it was: an import finds it by its former names
		expect(r.unit.formerNames).toEqual(['苏州市生态环境局', '市生态环境局']);
		const resolver = new ReferenceResolver(a.ref);
		expect(['苏州市生态环境局', '市生态环境局', '市生态环保局'].map((n) => resolver.unit(n))).toEqual([MUNICIPAL, MUNICIPAL, MUNICIPAL]);
		// an empty short name is the name itself; the same values again change nothing
		const shortGone = (await updateUnit(ctx(), MUNICIPAL, { short_name: '' })).unit;
		expect([shortGone.shortName, shortGone.formerNames]).toEqual(['苏州市生态环境保护局', ['苏州市生态环境局', '市生态环境局', '市生态环保局']]);
		expect((await updateUnit(ctx(), MUNICIPAL, { name: '苏州市生态环境保护局' })).changed).toEqual([]);
	});

	it('refuses bad names naming the field, a stale version with 409, and changes nothing', async () => {
		const v = (await unitForAdmin(ctx(), 'M03')).version;
		const cases: [Record<string, unknown>, string, string | null, RegExp][] = [
			[{ name: '  ' }, 'invalid_input', 'name', /请填写单位名称/],
			[{ name: '局'.repeat(61) }, 'invalid_input', 'name', /不能超过 60 个字/],
			[{ name: '坏\u0000名' }, 'invalid_input', 'name', /空字符/],
			[{ name: '苏州市\n市场局' }, 'invalid_input', 'name', /换行/],
			[{ name: '苏州市城市管理局' }, 'invalid_input', 'name', /已是单位 M01（苏州市城市管理局）的名称/],
			[{ short_name: '市城管局' }, 'invalid_input', 'short_name', /已是单位 M01（苏州市城市管理局）的简称/],
			[{ name: 42 }, 'invalid_input', 'name', /格式不正确/],
			[{ active: 'no' }, 'invalid_input', 'active', /true 或 false/],
			[{ version: 'x', name: '新名' }, 'invalid_input', 'version', /正整数/],
			[{}, 'invalid_input', null, /请提供要修改的内容/],
			[{ name: '苏州市市场监管局', version: v + 5 }, 'conflict', null, /已被他人修改，请刷新后重试/]
		];
		for (const [body, code, field, message] of cases) {
			const [c, f, m] = await caseRefusal(updateUnit(ctx(), 'M03', body));
			expect([c, f], JSON.stringify(body)).toEqual([code, field]);
			expect(m).toMatch(message);
		}
		expect(await caseRefusal(updateUnit(ctx(), 'M99', { name: '不存在' }))).toEqual(['not_found', null, '单位 M99 不存在']);
		expect(await caseRefusal(updateUnit(ctx('boss', 'leader'), 'M03', { name: '别的名' }))).toEqual(['forbidden', null, '只有系统管理员可以维护单位名录']);
		expect(await unitForAdmin(ctx(), 'M03')).toMatchObject({ name: '苏州市市场监督管理局', version: v, editedAt: null });
	});
});

describe('stopping a unit', () => {
	it('refuses new tickets and accounts for it, leaves what it holds with it, and takes them again once started', async () => {
		const held = await accepted('饭店油烟大');
		const d = await actOnTicket(a, people.dispatcher, held.ticketNo, { action: 'dispatch', version: held.version, unit_code: DISTRICT_UNIT });
		const v = (await unitForAdmin(ctx(), DISTRICT_UNIT)).version;
		const r = await updateUnit(ctx(), DISTRICT_UNIT, { active: false, version: v });
		expect(r.unit.active).toBe(false);
		expect(r.changed[0]).toMatch(/^停用（在办工单 \d+ 件仍由其办理）$/);
		expect(a.ref.unitByCode.get(DISTRICT_UNIT)!.active).toBe(false);

		// nothing new: not offered, not suggested, a dispatch or an assist to it refused naming the field
		expect(unitGroups(a).flatMap((g) => g.units).some((u) => u.code === DISTRICT_UNIT)).toBe(false);
		const fresh = await accepted('又有一家饭店油烟扰民');
		const item = (await listQueue(a, people.dispatcher, { queue: 'dispatch', q: fresh.ticketNo })).items[0];
		expect([item.suggestedUnit, item.suggestionNote]).toEqual([null, '分派规则所指单位（苏州市姑苏区人民政府）已停用，请另选单位']);
		expect(await caseRefusal(actOnTicket(a, people.dispatcher, fresh.ticketNo, { action: 'dispatch', version: fresh.version, unit_code: DISTRICT_UNIT }))).toEqual([
			'invalid_input',
			'unit_code',
			'单位“苏州市姑苏区人民政府”已停用，不再接收派单，请另选单位'
		]);
		expect(
			(await caseRefusal(actOnTicket(a, people.dispatcher, fresh.ticketNo, { action: 'dispatch', version: fresh.version, unit_code: 'M01', assist_units: [DISTRICT_UNIT] })))[1]
		).toBe('assist_units');
		expect(
			(await caseRefusal(addUser({ db: a.rel.db, ref: a.ref, demoMode: false, actor: { username: 'chief', role: 'admin' } }, { username: 'late.one', name: '晚来', role: 'unit_handler', unit: DISTRICT_UNIT, password: 'late-ledger-8' })))[1]
		).toBe('unit');

		// what it holds: signed and replied by its own account as before
		const s = await actOnTicket(a, people.district, held.ticketNo, { action: 'sign', version: d.version });
		expect((await actOnTicket(a, people.district, held.ticketNo, { action: 'reply', version: s.version, note: '已处理' })).status).toBe('replied');

		// started again: dispatched to and suggested
		await updateUnit(ctx(), DISTRICT_UNIT, { active: true });
		expect((await listQueue(a, people.dispatcher, { queue: 'dispatch', q: fresh.ticketNo })).items[0].suggestedUnit?.code).toBe(DISTRICT_UNIT);
		expect((await actOnTicket(a, people.dispatcher, fresh.ticketNo, { action: 'dispatch', version: fresh.version, unit_code: DISTRICT_UNIT })).unitCode).toBe(DISTRICT_UNIT);
		expect(logged).toContain('单位：chief 修改单位 D320508：启用');
	});

	it('a reopened ticket of a stopped unit is not sent back to it with one click', async () => {
		const t = await accepted('油烟问题没有解决');
		let v = (await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: DISTRICT_UNIT })).version;
		v = (await actOnTicket(a, people.district, t.ticketNo, { action: 'sign', version: v })).version;
		v = (await actOnTicket(a, people.district, t.ticketNo, { action: 'reply', version: v, note: '已处理' })).version;
		await actOnTicket(a, people.supervisor, t.ticketNo, { action: 'visit', version: v, satisfaction: '不满意', reopen: true });
		await updateUnit(ctx(), DISTRICT_UNIT, { active: false });
		try {
			const item = (await listQueue(a, people.dispatcher, { queue: 'dispatch', tab: 'reopened', q: t.ticketNo })).items[0];
			expect([item.suggestedUnit, item.suggestionNote]).toEqual([null, '原承办单位（苏州市姑苏区人民政府）已停用，请另选单位']);
		} finally {
			await updateUnit(ctx(), DISTRICT_UNIT, { active: true });
		}
	});
});

describe('adding a unit', () => {
	it('adds a municipal department with the next free code, dispatchable at once', async () => {
		const u = await addUnit(ctx(), { kind: 'municipal', name: '苏州市数据局', short_name: '市数据局' });
		expect(u).toMatchObject({ code: 'M31', name: '苏州市数据局', shortName: '市数据局', kind: 'municipal', active: true, holding: 0, editedBy: 'chief' });
		expect((await addUnit(ctx(), { kind: 'utility', name: '苏州城市燃气有限公司' })).code).toBe('P08');
		expect(a.ref.unitByCode.get('M31')?.name).toBe('苏州市数据局');
		const t = await accepted('政务数据开放问题');
		expect((await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: 'M31' })).unitCode).toBe('M31');
		expect(logged).toContain('单位：chief 新建单位 M31 苏州市数据局（市级部门，简称 市数据局）');
	});

	it('refuses district and street units (they come with the gazetteer), unknown kinds and names in use', async () => {
		const n = a.ref.units.length;
		const cases: [Record<string, unknown>, string, RegExp][] = [
			[{ kind: '', name: '某单位' }, 'kind', /请选择单位类型/],
			[{ kind: 'district', name: '某区政府' }, 'kind', /区县单位随区划（地名库）设立，不能在此新建/],
			[{ kind: 'street', name: '某街道' }, 'kind', /街道（镇）单位随区划/],
			[{ kind: 'army', name: '某部队' }, 'kind', /未知单位类型「army」，可选：市级部门、公共服务企业/],
			[{ kind: 'municipal', name: '' }, 'name', /请填写单位名称/],
			[{ kind: 'municipal', name: '苏州市数据局' }, 'name', /已是单位 M31/],
			[{ kind: 'municipal', name: '苏州市大数据中心', short_name: '市城管局' }, 'short_name', /已是单位 M01/]
		];
		for (const [body, field, message] of cases) {
			const [c, f, m] = await caseRefusal(addUnit(ctx(), body));
			expect([c, f], JSON.stringify(body)).toEqual(['invalid_input', field]);
			expect(m).toMatch(message);
		}
		expect(a.ref.units.length).toBe(n);
	});
});

describe('across a restart', () => {
	it('keeps a change made here although the reference files seed the units at every start; another app in the process is not touched', async () => {
		await acrossRestart(
			'units',
			async (b) => {
				await updateUnit({ db: b.rel.db, ref: b.ref, actor: { username: 'chief', role: 'admin' } }, 'M04', { name: '苏州市住房和城乡建设委员会', active: false });
				await addUnit({ db: b.rel.db, ref: b.ref, actor: { username: 'chief', role: 'admin' } }, { kind: 'municipal', name: '苏州市低空经济办公室' });
			},
			async (b) => {
				expect(b.ref.unitByCode.get('M04')).toMatchObject({ name: '苏州市住房和城乡建设委员会', active: false, formerNames: ['苏州市住房和城乡建设局'] });
				expect(b.ref.unitByCode.get('M31')?.name).toBe('苏州市低空经济办公室');
				expect(b.ref.unitByCode.get('M05')?.name).toBe(a.ref.unitByCode.get('M05')?.name);
				// this file's app (and a new one) keep the reference files' M04
				expect(a.ref.unitByCode.get('M04')).toMatchObject({ name: '苏州市住房和城乡建设局', active: true });
				const c = await startMemoryApp();
				expect(c.ref.unitByCode.get('M04')?.name).toBe('苏州市住房和城乡建设局');
				expect(c.ref.unitByCode.has('M31')).toBe(false);
				await stopApp(c);
			}
		);
	}, 120_000);
});

const call = (handler: unknown, init: { method?: string; body?: unknown; code?: string; role?: Role }) =>
	callRoute(handler, `/api/v1/units${init.code ? `/${init.code}` : ''}`, { ...init, params: init.code ? { code: init.code } : {}, as: 'api.admin' });

describe('/api/v1/units', () => {
	it('lists, adds (201 with Location), reads one, renames, and answers errors in the API shape', async () => {
		const list = await call(listRoute.GET, {});
		expect([list.status, (list.body.units as unknown[]).length]).toEqual([200, a.ref.units.length]);
		const added = await call(listRoute.POST, { method: 'POST', body: { kind: 'municipal', name: '苏州市政务服务管理办公室', short_name: '市政务办' } });
		expect(added.status).toBe(201);
		const code = (added.body.unit as { code: string }).code;
		expect(added.location).toBe(`/api/v1/units/${code}`);
		expect((await call(oneRoute.GET, { code })).body.unit).toMatchObject({ code, shortName: '市政务办', version: 1 });
		const renamed = await call(oneRoute.PATCH, { method: 'PATCH', code, body: { name: '苏州市政务服务办公室', version: 1 } });
		expect([renamed.status, renamed.body.changed]).toEqual([200, ['名称由「苏州市政务服务管理办公室」改为「苏州市政务服务办公室」']]);
		const stale = await call(oneRoute.PATCH, { method: 'PATCH', code, body: { active: false, version: 1 } });
		expect([stale.status, (stale.body.error as { code: string }).code]).toEqual([409, 'conflict']);
		const bad = await call(oneRoute.PATCH, { method: 'PATCH', code, body: { name: '' } });
		expect([bad.status, bad.body.error]).toMatchObject([400, { code: 'invalid_input', field: 'name' }]);
		expect((await call(oneRoute.GET, { code: 'M98' })).status).toBe(404);
	});

	it('refuses every other role with 403', async () => {
		for (const role of ['operator', 'dispatcher', 'supervisor', 'leader', 'analyst', 'emergency', 'unit_handler'] as Role[]) {
			expect(await refusedStatus(call(listRoute.GET, { role })), role).toBe(403);
			expect(await refusedStatus(call(oneRoute.PATCH, { method: 'PATCH', code: 'M01', body: { active: false }, role })), role).toBe(403);
		}
		expect(a.ref.unitByCode.get('M01')!.active).toBe(true);
	});
});

describe('the page', () => {
	const load = (query: string) =>
		unitsPage.load({ locals: { user: sessionUser('admin', 'chief') }, url: new URL(`http://localhost/settings/units${query}`) } as never) as Promise<{
			units: { code: string; active: boolean }[];
			counts: { all: number; active: number };
			bad: string[];
			edit: { code: string } | null;
			editMissing: string | null;
		}>;
	const post = (action: 'add' | 'edit' | 'disable' | 'enable', fields: Record<string, string>) => postForm(unitsPage.actions[action], '/settings/units', fields);

	it('filters by words, kind and state, and opens a unit to edit', async () => {
		const all = await load('');
		expect(all.counts.all).toBe(a.ref.units.length);
		expect((await load('?q=市城管局')).units.map((u) => u.code)).toEqual(['M01']);
		expect((await load('?q=姑苏区&kind=district')).units.map((u) => u.code)).toEqual([DISTRICT_UNIT]);
		expect((await load('?kind=utility')).units.every((u) => u.code.startsWith('P'))).toBe(true);
		const odd = await load('?kind=army&state=gone&edit=M97');
		expect([odd.bad, odd.units.length, odd.edit, odd.editMissing]).toEqual([['单位类型「army」', '状态「gone」'], all.units.length, null, 'M97']);
		expect((await load('?edit=M01')).edit?.code).toBe('M01');
	});

	it('adds, renames, stops and starts a unit through its forms, keeping what was typed on a refusal', async () => {
		const refused = await post('add', { kind: 'district', name: '新区政府', short_name: '' });
		expect([refused.status, refused.data?.field, refused.data?.values?.name]).toEqual([400, 'kind', '新区政府']);
		const added = await post('add', { kind: 'utility', name: '苏州市自来水有限公司东区分公司', short_name: '东区水司' });
		expect(added.saved).toMatch(/^已新建单位 P\d{2} 苏州市自来水有限公司东区分公司（公共服务企业），派单时即可选择$/);
		const code = added.saved!.split(' ')[1];
		const edited = await post('edit', { code, name: '苏州市自来水东区分公司', short_name: '东区水司', version: '1' });
		expect(edited.saved).toBe(`已保存 ${code}：名称由「苏州市自来水有限公司东区分公司」改为「苏州市自来水东区分公司」`);
		const stale = await post('edit', { code, name: '又一个名字', short_name: '', version: '1' });
		expect([stale.status, stale.data?.message, stale.data?.values?.name]).toEqual([409, `单位 ${code} 已被他人修改，请刷新后重试`, '又一个名字']);
		expect((await post('disable', { code, version: '2' })).saved).toBe('已停用 苏州市自来水东区分公司：不再接收派单、不再被推荐');
		expect((await load('?state=inactive')).units.map((u) => u.code)).toContain(code);
		expect((await post('disable', { code, version: '3' })).saved).toBe('苏州市自来水东区分公司已是停用状态');
		expect((await post('enable', { code, version: '3' })).saved).toBe('已启用 苏州市自来水东区分公司：派单时可再选择该单位');
	});

	it('is refused to anyone but an administrator', async () => {
		for (const role of ['dispatcher', 'leader', 'unit_handler'] as Role[]) {
			const status = await refusedStatus(
				unitsPage.load({ locals: { user: sessionUser(role) }, url: new URL('http://localhost/settings/units') } as never) as Promise<unknown>
			);
			expect(status, role).toBe(403);
		}
	});
});
