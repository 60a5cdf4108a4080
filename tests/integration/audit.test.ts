// 操作日志 over a real embedded store: each settings change made the app's way (the contexts the routes build) and
// each sign-in, failed sign-in and sign-out leaves one entry with who, what and from where; the list filters by area,
// actor, words and days and pages newest first; the page, the API and the 设置 card; refusals name their field;
// nobody but an administrator reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { callRoute, caseRefusal, refusedStatus, sessionUser, startRouteApp } from '../support/app';
import { auditEntries, auditSummary } from '../../src/lib/server/audit';
import { addUser, resetPassword, userAdmin } from '../../src/lib/server/auth/admin';
import { createUser, login, logout } from '../../src/lib/server/auth';
import { unitAdmin, updateUnit } from '../../src/lib/server/units';
import { addCategory, categoryAdmin } from '../../src/lib/server/categories';
import { addLexiconEntry, lexiconAdmin } from '../../src/lib/server/lexicon';
import { routingAdmin, setRouting } from '../../src/lib/server/routing';
import { saveLimits } from '../../src/lib/server/cases/limits';
import { createArticle, retireArticle } from '../../src/lib/server/cases/knowledge';
import { endSilence, startSilence } from '../../src/lib/server/alerts/service';
import { DEFAULT_LIMITS } from '../../pipelines/lifecycle/model';
import { ingestService } from '../../src/lib/server/ingest';
import { runLocalCommand } from '../../src/lib/server/local-commands';
import * as auditRoute from '../../src/routes/api/v1/audit/+server';
import * as auditPage from '../../src/routes/(app)/settings/audit/+page.server';
import * as auditExport from '../../src/routes/(app)/settings/audit/export/+server';
import { auditEntriesForExport, auditWorkbook } from '../../src/lib/server/audit-xlsx';
import ExcelJS from 'exceljs';
import * as settingsPage from '../../src/routes/(app)/settings/+page.server';

let a: App;
const chief = { username: 'chief', role: 'admin' as const };

beforeAll(async () => {
	a = await startRouteApp();
	await createUser(a.rel.db, { username: 'chief', displayName: '管理员甲', role: 'admin', password: 'desk-head-pw-1' });
}, 120_000);

afterAll(async () => {
	// the unit's new name is marked for analysis again in the ingest queue: after it, the queue is idle
	await ingestService(a)?.forgetTokensContaining([]);
	await ingestService(a)?.close();
	if (a) await stopApp(a);
});

const latest = async (area: string) => (await auditEntries(a.rel.db, { area, size: 1 })).entries[0];

describe('what is recorded', () => {
	it('each settings change made the app’s way, with who, the area, what it changed and the line the server log gets', async () => {
		await addUser(userAdmin(a, chief), { username: 'new.clerk', name: '新话务员', role: 'operator', password: 'clerk-password' });
		expect(await latest('users')).toMatchObject({ actor: 'chief', area: 'users', areaLabel: '用户', target: 'new.clerk', message: '用户：chief 新建账号 new.clerk（新话务员，话务员）', client: null });
		await resetPassword(userAdmin(a, chief), 'new.clerk', { password: 'clerk-password-2' });
		expect((await latest('users')).message).toBe('用户：chief 重设账号 new.clerk 的密码');

		await updateUnit(unitAdmin(a, chief), 'M05', { short_name: '市交通局' });
		expect(await latest('units')).toMatchObject({ target: 'M05', message: expect.stringMatching(/^单位：chief 修改单位 M05：简称由「.+」改为「市交通局」$/) });
		const c = await addCategory(categoryAdmin(a, chief), { parent: '0201', name: '汽车尾气' });
		expect(await latest('categories')).toMatchObject({ target: c.code, message: `分类：chief 新建三级分类 ${c.code} ${c.path}` });
		await addLexiconEntry(lexiconAdmin(a, chief), { kind: 'term', word: '共享充电宝', weight: 'core', tag: 'l' });
		expect(await latest('dictionary')).toMatchObject({ target: '共享充电宝', message: '词典：chief 新增词条「共享充电宝」（核心，习用语）' });
		await setRouting(routingAdmin(a, chief), '020101', { handler: 'M01' });
		expect(await latest('routing')).toMatchObject({ target: '020101', message: expect.stringContaining('派单规则：chief 修改 020101') });

		await saveLimits(a.rel.db, { ...DEFAULT_LIMITS, signWorkingDays: 2, replyWorkingDays: { ...DEFAULT_LIMITS.replyWorkingDays, 投诉: 20 } }, 'chief');
		expect(await latest('limits')).toMatchObject({ message: '办理时限：chief 修改签收时限（工作日） 1 → 2；答复时限（工作日）（投诉）15 → 20' });
		// the same limits again: nothing changed, nothing recorded
		const n = (await auditEntries(a.rel.db, { area: 'limits' })).entries.length;
		await saveLimits(a.rel.db, { ...DEFAULT_LIMITS, signWorkingDays: 2, replyWorkingDays: { ...DEFAULT_LIMITS.replyWorkingDays, 投诉: 20 } }, 'chief');
		expect((await auditEntries(a.rel.db, { area: 'limits' })).entries.length).toBe(n);
		await saveLimits(a.rel.db, DEFAULT_LIMITS, 'chief');

		const sil = await startSilence(a, { matchers: { district: '320508' }, startsAt: new Date(), endsAt: new Date(Date.now() + 3_600_000), comment: '演练' }, null, new Date(), 'chief');
		expect((await latest('alerts')).message).toMatch(new RegExp(`^预警设置：chief 新建静默规则 #${sil.id}（district=320508，至 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}）$`));
		await endSilence(a, sil.id, 'chief');
		expect(await latest('alerts')).toMatchObject({ target: `#${sil.id}`, message: `预警设置：chief 结束静默规则 #${sil.id}` });

		const editor = { role: 'admin' as const, displayName: '管理员甲', username: 'chief' };
		const art = await createArticle(a.rel.db, editor, { id: 'audit-kb', title: '审计测试条目', keywords: ['审计'], answer: '答复。' });
		await retireArticle(a.rel.db, editor, art.id);
		const kb = (await auditEntries(a.rel.db, { area: 'knowledge', size: 2 })).entries.map((e) => e.message);
		expect(kb).toEqual(['知识库：chief 停用条目「审计测试条目」（audit-kb）', '知识库：chief 新建条目「审计测试条目」（audit-kb）']);
	});

	it('each sign-in, failed sign-in and sign-out, with the address it came from', async () => {
		const s = await login(a.rel.db, 'chief', 'desk-head-pw-1', '10.1.2.3', 7);
		expect(await latest('login')).toMatchObject({ actor: 'chief', client: '10.1.2.3', message: '登录：chief 登录（来自 10.1.2.3）' });
		await expect(login(a.rel.db, 'chief', 'wrong-password', '10.9.9.9', 7)).rejects.toThrow('用户名或密码错误');
		expect(await latest('login')).toMatchObject({ actor: 'chief', client: '10.9.9.9', message: '登录：登录失败（用户名或密码错误，来自 10.9.9.9）：chief' });
		// a name nobody has is recorded as typed
		await expect(login(a.rel.db, 'nobody', 'whatever-1', '10.9.9.9', 7)).rejects.toThrow();
		expect((await latest('login')).actor).toBe('nobody');
		// whatever was typed as the name: a wrong password (not a 500 from the store, which refuses a NUL), recorded cut and without the NUL
		await expect(login(a.rel.db, `x\u0000${'名'.repeat(5000)}`, 'whatever-1', '10.9.9.8', 7)).rejects.toThrow('用户名或密码错误');
		const long = await latest('login');
		expect([long.actor.length, long.message.length, long.message.includes('\u0000')]).toEqual([200, 2000, false]);
		await logout(a.rel.db, s.token, '10.1.2.3');
		expect((await latest('login')).message).toBe('登录：chief 退出登录（来自 10.1.2.3）');
		// the card on 设置 counts today's failed sign-ins
		expect(await auditSummary(a.rel.db)).toMatchObject({ latest: expect.stringContaining('登录：chief 退出登录'), failedToday: 3 });
	});
});

describe('what the command line does', () => {
	it('is recorded as 命令行: accounts and API tokens', async () => {
		await runLocalCommand(a, 'user-add', { username: 'cli.user', role: 'analyst', password: 'cli-password-1' });
		await runLocalCommand(a, 'user-passwd', { username: 'cli.user', password: 'cli-password-2' });
		await runLocalCommand(a, 'user-disable', { username: 'cli.user' });
		await runLocalCommand(a, 'user-disable', { username: 'cli.user' }); // already so: nothing to record
		const t = (await runLocalCommand(a, 'token-create', { name: '区分中心', source: 'district-a' })) as { id: number };
		await runLocalCommand(a, 'token-revoke', { id: t.id });
		const mine = (await auditEntries(a.rel.db, { actor: '命令行' })).entries.map((e) => [e.area, e.message]);
		expect(mine).toEqual([
			['tokens', `API 令牌：命令行 吊销令牌 #${t.id}（区分中心）`],
			['tokens', `API 令牌：命令行 新建令牌 #${t.id}（区分中心，来源 district-a，权限 ingest）`],
			['users', '用户：命令行 停用账号 cli.user'],
			['users', '用户：命令行 重设账号 cli.user 的密码'],
			['users', '用户：命令行 新建账号 cli.user（分析员）']
		]);
	});
});

describe('reading it', () => {
	it('filters by area, actor, words and days, newest first, a page at a time', async () => {
		const all = (await auditEntries(a.rel.db)).entries;
		expect(all.length).toBeGreaterThanOrEqual(15);
		expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((x, y) => y - x));
		expect((await auditEntries(a.rel.db, { actor: 'nobody' })).entries.map((e) => e.area)).toEqual(['login']);
		expect((await auditEntries(a.rel.db, { q: 'new.clerk' })).entries.map((e) => e.target)).toEqual(['new.clerk', 'new.clerk']);
		expect((await auditEntries(a.rel.db, { q: '100%_' })).entries).toEqual([]); // LIKE's signs are text
		const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
		expect((await auditEntries(a.rel.db, { from: today, to: today })).entries.length).toBe(all.length);
		expect((await auditEntries(a.rel.db, { to: '2020-01-01' })).entries).toEqual([]);
		// pages: `next` is where the next one starts, null on the last
		const first = await auditEntries(a.rel.db, { size: 4 });
		const second = await auditEntries(a.rel.db, { size: 4, before: first.next });
		expect([...first.entries, ...second.entries].map((e) => e.id)).toEqual(all.slice(0, 8).map((e) => e.id));
		expect((await auditEntries(a.rel.db, { size: 500 })).next).toBeNull();
	});

	it('refuses an unknown area and a day that is no date, naming the field', async () => {
		expect((await caseRefusal(auditEntries(a.rel.db, { area: 'tickets' })))[1]).toBe('area');
		expect(await caseRefusal(auditEntries(a.rel.db, { from: '2026-13-45x' }))).toEqual(['invalid_input', 'from', '日期应为 年-月-日（如 2026-12-01），收到「2026-13-45x」']);
	});

	it('the page, the API and the 设置 card; administrators only', async () => {
		const load = (q: string) => auditPage.load({ locals: { user: sessionUser('admin') }, url: new URL(`http://localhost/settings/audit${q}`) } as never) as Promise<Record<string, unknown>>;
		const page = await load('?area=users&q=new.clerk');
		expect(page).toMatchObject({ area: 'users', q: 'new.clerk', bad: [] });
		expect((page.entries as { target: string }[]).map((e) => e.target)).toEqual(['new.clerk', 'new.clerk']);
		expect(await load('?area=army')).toMatchObject({ area: null, bad: ['类别「army」'] });
		expect(await refusedStatus(load('?from=yesterday'))).toBe(400);
		for (const role of ['operator', 'dispatcher', 'supervisor', 'leader', 'analyst', 'unit_handler'] as const)
			expect(await refusedStatus(auditPage.load({ locals: { user: sessionUser(role) }, url: new URL('http://localhost/settings/audit') } as never) as Promise<unknown>), role).toBe(403);

		const api = await callRoute(auditRoute.GET, '/api/v1/audit?area=login&size=2');
		expect(api.status).toBe(200);
		expect((api.body.entries as { area: string }[]).map((e) => e.area)).toEqual(['login', 'login']);
		expect(typeof api.body.next).toBe('number');
		expect(await callRoute(auditRoute.GET, '/api/v1/audit?size=x')).toMatchObject({ status: 400, body: { error: { field: 'size' } } });
		expect(await callRoute(auditRoute.GET, '/api/v1/audit?area=x')).toMatchObject({ status: 400, body: { error: { field: 'area' } } });
		expect(await refusedStatus(callRoute(auditRoute.GET, '/api/v1/audit', { role: 'supervisor' }))).toBe(403);

		const card = (await settingsPage.load({ locals: { user: sessionUser('admin') } } as never)) as { audit: { latest: string | null; failedToday: number } };
		expect(card.audit.failedToday).toBe(3);
	});
});

describe('the export (.xlsx)', () => {
	const exportLog = (q: string, role: 'admin' | 'supervisor' = 'admin') =>
		(auditExport.GET as (e: never) => Promise<Response>)({
			url: new URL(`http://localhost/settings/audit/export${q}`),
			locals: { user: sessionUser(role, 'chief') },
			getClientAddress: () => '10.7.7.7'
		} as never);

	it('is the entries of the filter, newest first, as a real Excel file that says what it holds and who made it; the export is itself recorded', async () => {
		const expected = (await auditEntries(a.rel.db, { area: 'users', size: 500 })).entries;
		expect(expected.length).toBeGreaterThan(2);
		const res = await exportLog('?area=users');
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log\.xlsx"; filename\*=UTF-8''%E6%93%8D%E4%BD%9C%E6%97%A5%E5%BF%97-\d{4}-\d{2}-\d{2}\.xlsx$/);
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
		const ws = wb.getWorksheet('操作日志')!;
		expect(String(ws.getCell('A2').value)).toMatch(new RegExp(`^类别：用户；共 ${expected.length} 条；chief 导出于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}（北京时间）$`));
		expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(['时间', '类别', '操作人', '对象', '内容', '来源地址']);
		const rows: unknown[][] = [];
		ws.eachRow((row, n) => void (n > 3 && rows.push((row.values as unknown[]).slice(1))));
		expect(rows.map((r) => r[4])).toEqual(expected.map((e) => e.message));
		expect(rows.map((r) => r[2])).toEqual(expected.map((e) => e.actor));
		// the time to the second, in Beijing time
		expect(rows[0][0]).toBe(new Date(Date.parse(expected[0].at) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '));
		expect(await latest('audit')).toMatchObject({ actor: 'chief', area: 'audit', client: '10.7.7.7', message: `操作日志：chief 导出操作日志（类别：用户，${expected.length} 条）` });
	});

	it('cuts a longer log at the newest entries and says so', async () => {
		const all = (await auditEntries(a.rel.db, { size: 500 })).entries;
		const cut = await auditEntriesForExport(a.rel.db, {}, 3);
		expect(cut).toEqual({ entries: all.slice(0, 3), more: true });
		expect(await auditEntriesForExport(a.rel.db, {}, all.length)).toEqual({ entries: all, more: false });
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load((await auditWorkbook(cut, { filter: '全部记录', exportedBy: 'chief' })) as never);
		expect(String(wb.getWorksheet('操作日志')!.getCell('A2').value)).toContain('共 3 条；只含最新的 3 条，更早的未导出');
	});

	it('refuses a filter the page refuses, and anyone but an administrator', async () => {
		const bad = await exportLog('?from=yesterday');
		expect(bad.status).toBe(400);
		expect(await bad.json()).toMatchObject({ error: { code: 'invalid_input', field: 'from' } });
		expect((await exportLog('?area=army')).status).toBe(400);
		expect(await refusedStatus(exportLog('', 'supervisor'))).toBe(403);
	});
});
