// 工单查询: every ticket in whatever state for those who handle tickets — a caller asking how their matter goes is
// found by the ticket's number or their own, whenever it came; a list and a search by words within a period of
// receipt; tabs by state; the route, the API and the Excel export. Over a real embedded store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { stopApp, type App } from '../../src/lib/server/app';
import { startRouteApp } from '../support/app';
import { addPeople, INTAKE, sessionOf, HOTLINE_STAFF } from '../support/cases';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { listQueue } from '../../src/lib/server/cases/read';
import { exportQueue } from '../../src/lib/server/cases/queue-xlsx';
import { canSee } from '../../src/lib/nav';
import * as ticketsRoute from '../../src/routes/api/v1/tickets/+server';
import * as exportRoute from '../../src/routes/(app)/tickets/export/+server';

let a: App;
const people: Record<string, CaseUser> = {};
const UNIT = 'D320508';
const PHONE = '13955501234';
const DAY = 86_400_000;
/** this test's tickets by what became of them */
const no: Record<'atUnit' | 'closed' | 'answered' | 'refused' | 'other', string> = { atUnit: '', closed: '', answered: '', refused: '', other: '' };

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...HOTLINE_STAFF,
		admin: ['admin'],
		leader: ['leader'],
		analyst: ['analyst'],
		unit: ['unit_handler', UNIT]
	});
	const call = (content: string, phone = PHONE) => ({ ...INTAKE, content, caller_name: '赵六', caller_phone: phone });
	// at a unit: signed, its reply running
	let t = await registerTicket(a, people.operator, call('观前街人行道地砖松动，雨天踩上去溅一身泥水'), { decision: { action: 'accept' } });
	let v = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT });
	await actOnTicket(a, people.unit, t.ticketNo, { action: 'sign', version: v.version });
	no.atUnit = t.ticketNo;
	// closed after a satisfied visit
	t = await registerTicket(a, people.operator, call('观前街路灯晚上不亮，行人摔倒'), { decision: { action: 'accept' } });
	v = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT });
	v = await actOnTicket(a, people.unit, t.ticketNo, { action: 'sign', version: v.version });
	v = await actOnTicket(a, people.unit, t.ticketNo, { action: 'reply', version: v.version, note: '已更换灯具' });
	await actOnTicket(a, people.supervisor, t.ticketNo, { action: 'visit', version: v.version, satisfaction: '满意' });
	no.closed = t.ticketNo;
	// answered at intake, and refused (rule 4)
	no.answered = (await registerTicket(a, people.operator, call('请问居住证办理需要哪些材料'), { decision: { action: 'answer', note: '已告知所需材料' } })).ticketNo;
	no.refused = (await registerTicket(a, people.operator, call('我要起诉房东，请告诉我怎么打官司'), { decision: { action: 'not_accept', reason: 4 } })).ticketNo;
	// another caller's
	no.other = (await registerTicket(a, people.operator, call('观前街商铺夜间音响噪音扰民', '13700001111'), { decision: { action: 'accept' } })).ticketNo;
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

const lookup = (who: string, f: { tab?: string; q?: string; days?: number; now?: number } = {}) => listQueue(a, people[who], { queue: 'lookup', ...f });
const numbers = (p: Awaited<ReturnType<typeof lookup>>) => p.items.map((t) => t.ticketNo);

describe('工单查询', () => {
	it('finds a caller’s tickets by their number, in every state, the latest first, with their state and unit', async () => {
		const p = await lookup('operator', { q: PHONE });
		expect(numbers(p)).toEqual([no.refused, no.answered, no.closed, no.atUnit]);
		expect(p.items.map((t) => t.statusLabel)).toEqual(['不予受理', '直接答复', '已办结', '办理中']);
		const atUnit = p.items.find((t) => t.ticketNo === no.atUnit)!;
		expect(atUnit.unit).toBe(a.ref.unitByCode.get(UNIT)!.name);
		expect(atUnit.deadlineKind).toBe('reply');
		// the list masks the caller, as every queue does
		expect(atUnit.caller).toEqual({ name: '赵*', phone: '139****1234' });
		// the tabs count the search's tickets by state
		expect(p.counts).toMatchObject({ all: 4, open: 1, closed: 1, answered: 1, not_accepted: 1, transferred: 0 });
		expect(numbers(await lookup('operator', { q: PHONE, tab: 'closed' }))).toEqual([no.closed]);
		// the operator's own queue (受理) holds none of them: only the lookup finds the ticket at the unit
		expect(numbers(await listQueue(a, people.operator, { queue: 'intake', q: PHONE }))).toEqual([]);
	});

	it('finds a number whenever the ticket came; a list and words only within the period', async () => {
		const later = Date.now() + 40 * DAY; // every ticket is older than the default 30 days
		const byPhone = await lookup('dispatcher', { q: PHONE, now: later, days: 7 });
		expect(byPhone.total).toBe(4);
		expect(byPhone.period).toEqual({ days: 7, applied: false });
		expect(numbers(await lookup('dispatcher', { q: no.atUnit, now: later }))).toEqual([no.atUnit]);
		// the list and a search by words: within the default 30 days, none of them; within 90 days or any time, all
		const list = await lookup('dispatcher', { now: later });
		expect(list.period).toEqual({ days: 30, applied: true });
		expect(numbers(list)).not.toContain(no.atUnit);
		expect((await lookup('dispatcher', { q: '观前街', now: later })).total).toBe(0);
		expect(numbers(await lookup('dispatcher', { q: '观前街', now: later, days: 90 }))).toEqual([no.other, no.closed, no.atUnit]);
		expect(numbers(await lookup('dispatcher', { q: '观前街', now: later, days: 0 }))).toEqual([no.other, no.closed, no.atUnit]);
		// today, the default period holds them, and the list is in the order of receipt, latest first
		const today = await lookup('supervisor');
		expect(numbers(today).slice(0, 5)).toEqual([no.other, no.refused, no.answered, no.closed, no.atUnit]);
		const times = today.items.map((t) => Date.parse(t.receivedAt));
		expect(times).toEqual([...times].sort((x, y) => y - x));
	});

	it('pages on by cursor through every ticket', async () => {
		const all = await lookup('admin', { days: 0 });
		const seen: string[] = [];
		let after: string | undefined;
		for (;;) {
			const p = await listQueue(a, people.admin, { queue: 'lookup', days: 0, after, size: 2 });
			seen.push(...numbers(p));
			if (!p.next) break;
			after = p.next;
		}
		expect(seen).toEqual(numbers(all));
		expect(seen.length).toBe(all.total);
	});

	it('refuses a period it does not offer, naming the field', async () => {
		await expect(lookup('operator', { days: 5 })).rejects.toMatchObject({ code: 'invalid_input', field: 'days', message: expect.stringContaining('30（近 30 天）') });
	});

	it('is for those who handle tickets: a unit, a leader and an analyst are refused', async () => {
		for (const who of ['operator', 'dispatcher', 'supervisor', 'admin']) expect(canSee(people[who].role, '/tickets')).toBe(true);
		for (const who of ['unit', 'leader', 'analyst']) {
			expect(canSee(people[who].role, '/tickets')).toBe(false);
			await expect(lookup(who, { q: no.atUnit })).rejects.toMatchObject({ code: 'forbidden' });
		}
	});

	it('answers through the API with the period, and refuses a unit (403) and a bad period (400)', async () => {
		const get = (query: string, who: string) =>
			(ticketsRoute.GET as (e: never) => Promise<Response>)({ url: new URL(`http://localhost/api/v1/tickets?${query}`), locals: { user: sessionOf(people, who) } } as never);
		const res = await get(`queue=lookup&q=${PHONE}&tab=open`, 'operator');
		expect(res.status).toBe(200);
		const body = await res.json();
		expect(body.items.map((t: { ticketNo: string }) => t.ticketNo)).toEqual([no.atUnit]);
		expect(body.period).toEqual({ days: 30, applied: false });
		expect((await get('queue=lookup&days=90', 'operator')).status).toBe(200);
		expect((await (await get('queue=lookup&days=90', 'operator')).json()).period).toEqual({ days: 90, applied: true });
		expect((await get('queue=lookup', 'unit')).status).toBe(403);
		const bad = await get('queue=lookup&days=abc', 'operator');
		expect(bad.status).toBe(400);
		expect(await bad.json()).toMatchObject({ error: { code: 'invalid_input', field: 'days' } });
	});

	it('exports a tab with its period and search as the screen lists it', async () => {
		const { body, name } = await exportQueue(a, sessionOf(people, 'supervisor'), { queue: 'lookup', tab: 'all', q: '观前街', days: 90 }, null);
		expect(name).toMatch(/^工单查询-全部-\d{4}-\d{2}-\d{2}\.xlsx$/);
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(body as never);
		const ws = wb.worksheets[0];
		expect(String(ws.getCell('A1').value)).toBe('工单查询 · 全部');
		expect(String(ws.getCell('A2').value)).toMatch(/^近 90 天受理；查找“观前街”；共 3 件/);
		const rows: string[] = [];
		ws.eachRow((r, i) => i > 3 && rows.push(String(r.getCell(1).value)));
		expect(rows).toEqual([no.other, no.closed, no.atUnit]);
		// through the route, a number's search says no period
		const res = await (exportRoute.GET as (e: never) => Promise<Response>)({
			url: new URL(`http://localhost/tickets/export?queue=lookup&q=${PHONE}`),
			locals: { user: sessionOf(people, 'operator') },
			getClientAddress: () => '10.8.8.8'
		} as never);
		expect(res.status).toBe(200);
		const wb2 = new ExcelJS.Workbook();
		await wb2.xlsx.load((await res.arrayBuffer()) as never);
		expect(String(wb2.worksheets[0].getCell('A2').value)).toMatch(/^查找“13955501234”；共 4 件/);
	});
});
