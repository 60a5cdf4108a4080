// 设置 › 派单规则 and /api/v1/routing over a real embedded store: each category with the handler the 派单 screens
// suggest (its own rules or the nearest above it); an administrator sets a category's handler — the dispatch queue's
// next suggestion follows, for the categories under it without rules of their own too — and brings back the file's
// rules; refusals name the field; a rule naming a unit stopped later is flagged; a change survives a restart; the
// API's answers and statuses; the page's load and actions; nobody but an administrator gets in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { acrossRestart, callRoute, caseRefusal, postForm, refusedStatus, sessionUser, startMemoryApp, startRouteApp } from '../support/app';
import { addPeople, INTAKE } from '../support/cases';
import { registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { listQueue } from '../../src/lib/server/cases/read';
import { updateUnit } from '../../src/lib/server/units';
import { routingAdmin, routingFor, routingForAdmin, setRouting, type RoutingAdmin } from '../../src/lib/server/routing';
import type { Role } from '../../src/lib/types';
import * as listRoute from '../../src/routes/api/v1/routing/+server';
import * as oneRoute from '../../src/routes/api/v1/routing/[code]/+server';
import * as page from '../../src/routes/(app)/settings/routing/+page.server';

let a: App;
const logged: string[] = [];
const people: Record<string, CaseUser> = {};
const ctx = (username = 'chief', role: Role = 'admin'): RoutingAdmin => ({ ...routingAdmin(a, { username, role }), log: (line) => logged.push(line) });

/** 餐饮油烟 (020101): the file's first rule sends its tickets to the street office of the ticket's street, and to the
 * district government (姑苏区's) where the street is not known, as for the tickets registered here */
const LEAF = '020101';
const GUSU = 'D320508';

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, { operator: ['operator'], dispatcher: ['dispatcher'] });
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

/** The unit the dispatch queue suggests for a new 020101 ticket in 姑苏区, or its note when there is none. */
async function suggested(category = LEAF): Promise<string> {
	const t = await registerTicket(a, people.operator, { ...INTAKE, category_code: category, district_code: '320508' }, { decision: { action: 'accept' } });
	const item = (await listQueue(a, people.dispatcher, { queue: 'dispatch', q: t.ticketNo })).items[0];
	return item.suggestedUnit?.code ?? item.suggestionNote ?? '';
}

describe('the rules', () => {
	it('lists every category with the handler suggested, its own or inherited, each at version 1', async () => {
		const all = await routingForAdmin(ctx());
		expect(all.length).toBe(a.ref.categories.length);
		const leaf = all.find((r) => r.code === LEAF)!;
		expect(leaf).toMatchObject({ level: 3, handler: 'street', handlerLabel: '所在街道（镇）', set: false, stopped: false, version: 1, editedAt: null });
		// a category without rules of its own names the one it follows
		const inherited = all.filter((r) => r.inheritedFrom);
		expect(inherited.length).toBeGreaterThan(0);
		for (const r of inherited) expect(r.handler).toBe(all.find((x) => x.path === r.inheritedFrom)!.handler);
		expect(await suggested()).toBe(GUSU);
	});
});

describe('setting a handler', () => {
	it('changes the next suggestion at once, for the categories under it without rules of their own too, and brings the file back', async () => {
		const r = await setRouting(ctx(), LEAF, { handler: 'M01', version: 1 });
		expect(r.changed).toEqual(['建议承办由「所在街道（镇）」改为「苏州市城市管理局」']);
		expect(r.routing).toMatchObject({ handler: 'M01', handlerLabel: '苏州市城市管理局', set: true, editedBy: 'chief', version: 2, fileHandlerLabel: '所在街道（镇）' });
		expect(logged.at(-1)).toMatch(/^派单规则：chief 修改 020101 .+ › 餐饮油烟：建议承办由「所在街道（镇）」改为「苏州市城市管理局」$/);
		expect(await suggested()).toBe('M01');
		// a stale version is another administrator's change, made first
		expect(await caseRefusal(setRouting(ctx(), r.routing.code, { handler: 'street', version: 1 }))).toEqual(['conflict', null, `分类 ${r.routing.code} 的派单规则 已被他人修改，请刷新后重试`]);
		// the same handler again: nothing changes
		expect((await setRouting(ctx(), r.routing.code, { handler: 'M01' })).changed).toEqual([]);
		const back = await setRouting(ctx(), r.routing.code, { handler: '', version: 2 });
		expect(back.changed).toEqual(['恢复为规则文件：建议承办「所在街道（镇）」']);
		expect(back.routing).toMatchObject({ handler: 'street', set: false, version: 3 });
		expect(await suggested()).toBe(GUSU);
	});

	it('sets a category for every category under it that has no rules of its own', async () => {
		const all = await routingForAdmin(ctx());
		const leaf = all.find((r) => r.level === 3 && r.inheritedFrom)!;
		const source = all.find((r) => r.path === leaf.inheritedFrom)!;
		const under = all.filter((r) => r.inheritedFrom === source.path);
		expect(under.length).toBeGreaterThan(0);
		await setRouting(ctx(), source.code, { handler: 'P01' });
		try {
			const now = await routingForAdmin(ctx());
			for (const u of under) expect(now.find((r) => r.code === u.code)!.handler, u.code).toBe('P01');
			expect(await suggested(leaf.code)).toBe('P01');
		} finally {
			await setRouting(ctx(), source.code, { handler: '' });
		}
	});

	it('refuses unknown, stopped, district and street units naming the field; flags a rule whose unit is stopped later', async () => {
		const cases: [unknown, string][] = [
			['M99', '单位“M99”不存在'],
			[GUSU, '区县与街道（镇）单位请选择「所在区县政府」或「所在街道（镇）」：按工单所在地派给当地'],
			[12, '承办单位的格式不正确']
		];
		for (const [handler, message] of cases) expect(await caseRefusal(setRouting(ctx(), LEAF, { handler })), String(handler)).toEqual(['invalid_input', 'handler', message]);
		expect(await caseRefusal(setRouting(ctx(), LEAF, {}))).toEqual(['invalid_input', 'handler', '请提供 handler（承办单位：street、district 或单位编码；空为恢复规则文件）']);
		expect(await caseRefusal(setRouting(ctx(), '99', { handler: 'M01' }))).toEqual(['not_found', null, '诉求分类 99 不存在']);
		expect(await caseRefusal(setRouting(ctx('boss', 'leader'), LEAF, { handler: 'M01' }))).toEqual(['forbidden', null, '只有系统管理员可以维护派单规则']);

		const unitCtx = { db: a.rel.db, ref: a.ref, actor: { username: 'chief', role: 'admin' as Role } };
		await setRouting(ctx(), LEAF, { handler: 'M03' });
		await updateUnit(unitCtx, 'M03', { active: false });
		try {
			expect(await routingFor(ctx(), LEAF)).toMatchObject({ handler: 'M03', stopped: true });
			expect(await suggested()).toMatch(/^分派规则所指单位（.+）已停用，请另选单位$/);
			expect(await caseRefusal(setRouting(ctx(), LEAF, { handler: 'M03' }))).toEqual(['invalid_input', 'handler', `单位“${a.ref.unitByCode.get('M03')!.name}”已停用，不能作为派单规则的承办单位`]);
			expect((await setRouting(ctx(), LEAF, { handler: 'street' })).routing.stopped).toBe(false);
		} finally {
			await updateUnit(unitCtx, 'M03', { active: true });
			await setRouting(ctx(), LEAF, { handler: '' });
		}
	});
});

describe('across a restart', () => {
	it('keeps a rule set here although the file is read at every start; another app in the process is not touched', async () => {
		await acrossRestart(
			'routing',
			async (b) => {
				await setRouting(routingAdmin(b, { username: 'chief', role: 'admin' }), LEAF, { handler: 'M02' });
			},
			async (b) => {
				expect(await routingFor(routingAdmin(b, { username: 'chief', role: 'admin' }), LEAF)).toMatchObject({ handler: 'M02', set: true, version: 2 });
				expect((await routingFor(ctx(), LEAF)).handler).toBe('street');
				const c = await startMemoryApp();
				expect((await routingFor(routingAdmin(c, { username: 'chief', role: 'admin' }), LEAF)).handler).toBe('street');
				await stopApp(c);
			}
		);
	}, 120_000);
});

const call = (handler: unknown, init: { method?: string; body?: unknown; code?: string; role?: Role }) =>
	callRoute(handler, `/api/v1/routing${init.code ? `/${init.code}` : ''}`, { ...init, params: init.code ? { code: init.code } : {}, as: 'api.admin' });

describe('/api/v1/routing', () => {
	it('lists, reads one, sets, and answers errors in the API shape', async () => {
		const list = await call(listRoute.GET, {});
		expect([list.status, (list.body.routing as unknown[]).length]).toEqual([200, a.ref.categories.length]);
		const one = (await call(oneRoute.GET, { code: LEAF })).body.routing as { handler: string; version: number };
		expect(one.handler).toBe('street');
		const set = await call(oneRoute.PUT, { method: 'PUT', code: LEAF, body: { handler: 'district', version: one.version } });
		expect([set.status, set.body.changed]).toEqual([200, ['建议承办由「所在街道（镇）」改为「所在区县政府」']]);
		const stale = await call(oneRoute.PUT, { method: 'PUT', code: LEAF, body: { handler: 'M01', version: one.version } });
		expect([stale.status, (stale.body.error as { code: string }).code]).toEqual([409, 'conflict']);
		const bad = await call(oneRoute.PUT, { method: 'PUT', code: LEAF, body: { handler: 'X1' } });
		expect([bad.status, bad.body.error]).toMatchObject([400, { code: 'invalid_input', field: 'handler' }]);
		expect((await call(oneRoute.GET, { code: '98' })).status).toBe(404);
		await call(oneRoute.PUT, { method: 'PUT', code: LEAF, body: { handler: '' } });
	});

	it('refuses every other role with 403', async () => {
		for (const role of ['operator', 'dispatcher', 'supervisor', 'leader', 'analyst', 'emergency', 'unit_handler'] as Role[]) {
			expect(await refusedStatus(call(listRoute.GET, { role })), role).toBe(403);
			expect(await refusedStatus(call(oneRoute.PUT, { method: 'PUT', code: LEAF, body: { handler: 'M01' }, role })), role).toBe(403);
		}
		expect((await routingFor(ctx(), LEAF)).set).toBe(false);
	});
});

describe('the page', () => {
	type Loaded = {
		rules: { code: string; set: boolean; stopped: boolean; level: number }[];
		counts: { all: number; set: number; stopped: number };
		bad: string[];
		edit: { code: string } | null;
		editMissing: string | null;
		handlers: { label: string; options: { value: string }[] }[];
	};
	const load = (query: string) =>
		page.load({ locals: { user: sessionUser('admin', 'chief') }, url: new URL(`http://localhost/settings/routing${query}`) } as never) as Promise<Loaded>;
	const post = (action: 'set' | 'reset', fields: Record<string, string>) => postForm(page.actions[action], '/settings/routing', fields);

	it('filters by words, level and state, offers the place handlers and the active units, and opens a category', async () => {
		const all = await load('');
		expect(all.counts.all).toBe(a.ref.categories.length);
		expect((await load('?level=1')).rules.every((r) => r.level === 1)).toBe(true);
		expect((await load(`?q=${LEAF}`)).rules.map((r) => r.code)).toEqual([LEAF]);
		expect(all.handlers[0].options.map((o) => o.value)).toEqual(['street', 'district']);
		expect(all.handlers.flatMap((g) => g.options.map((o) => o.value))).toContain('M01');
		expect(all.handlers.flatMap((g) => g.options.map((o) => o.value))).not.toContain(GUSU);
		const odd = await load('?level=9&state=gone&edit=77');
		expect([odd.bad, odd.edit, odd.editMissing]).toEqual([['级别「9」', '状态「gone」'], null, '77']);
		expect((await load(`?edit=${LEAF}`)).edit?.code).toBe(LEAF);
	});

	it('sets and resets a category through its forms, keeping what was chosen on a refusal', async () => {
		const refused = await post('set', { code: LEAF, handler: GUSU, version: '' });
		expect([refused.status, refused.data?.field, refused.data?.values?.handler]).toEqual([400, 'handler', GUSU]);
		const v = String((await routingFor(ctx(), LEAF)).version);
		const set = await post('set', { code: LEAF, handler: 'M02', version: v });
		expect(set.saved).toMatch(/^已保存 .+：建议承办由「所在街道（镇）」改为「苏州市生态环境局」，派单时即按此建议$/);
		expect((await load('?state=set')).rules.map((r) => r.code)).toEqual([LEAF]);
		const stale = await post('reset', { code: LEAF, version: v });
		expect(stale.status).toBe(409);
		expect((await post('reset', { code: LEAF, version: String(Number(v) + 1) })).saved).toMatch(/：恢复为规则文件：建议承办「所在街道（镇）」，派单时即按此建议$/);
	});

	it('is refused to anyone but an administrator', async () => {
		for (const role of ['dispatcher', 'leader', 'unit_handler'] as Role[]) {
			const status = await refusedStatus(page.load({ locals: { user: sessionUser(role) }, url: new URL('http://localhost/settings/routing') } as never) as Promise<unknown>);
			expect(status, role).toBe(403);
		}
	});
});
