// A case queue's tab as an Excel file (/tickets/export): the tab's rows as its screen lists them for the user, every
// page, no caller's name or phone, and an entry in the 操作日志. Over a real embedded store, read back with exceljs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { stopApp, type App } from '../../src/lib/server/app';
import { startRouteApp } from '../support/app';
import { addPeople, INTAKE, sessionOf, HOTLINE_STAFF } from '../support/cases';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { addAttachments } from '../../src/lib/server/cases/attachments';
import { listQueue } from '../../src/lib/server/cases/read';
import { exportQueue } from '../../src/lib/server/cases/queue-xlsx';
import { auditEntries } from '../../src/lib/server/audit';
import { formatDeadline, formatTimeLeft } from '../../src/lib/charts/format';
import * as exportRoute from '../../src/routes/(app)/tickets/export/+server';
import * as printedRoute from '../../src/routes/api/v1/tickets/[no]/printed/+server';
import { recordTicketPrint } from '../../src/lib/server/cases/print';

let a: App;
const people: Record<string, CaseUser> = {};
const UNIT_A = 'D320508';
const UNIT_B = 'M02';
const as = (key: string) => sessionOf(people, key);

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...HOTLINE_STAFF,
		unitA: ['unit_handler', UNIT_A],
		unitB: ['unit_handler', UNIT_B]
	});
	// tickets at the two units: signed (a reply limit running) and one only dispatched at B
	for (const [unit, content] of [
		[UNIT_A, '平江路餐馆油烟扰民，晚上无法开窗'],
		[UNIT_A, '平江路夜间施工噪音扰民'],
		[UNIT_B, '河道发黑发臭，疑似有人偷排']
	]) {
		const t = await registerTicket(a, people.operator, { ...INTAKE, content, caller_name: '王小明', caller_phone: '13812345678' }, { decision: { action: 'accept' } });
		const d = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: unit });
		if (unit === UNIT_A) await actOnTicket(a, people.unitA, t.ticketNo, { action: 'sign', version: d.version });
		// the river's ticket came with two photos
		if (unit === UNIT_B) {
			const photo = (n: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: n ? '#2f4f4f' : '#556b2f' } }).jpeg().toBuffer();
			await addAttachments(a, people.operator, t.ticketNo, [{ name: '河道1.jpg', bytes: await photo(0) }, { name: '河道2.jpg', bytes: await photo(1) }]);
		}
	}
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

/** The sheet's cells as text, row by row. */
async function sheetOf(body: Buffer): Promise<string[][]> {
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(body as never);
	const ws = wb.worksheets[0];
	const rows: string[][] = [];
	ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
	return rows;
}

const get = (query: string, user: ReturnType<typeof as>) =>
	(exportRoute.GET as (e: never) => Promise<Response>)({
		url: new URL(`http://localhost/tickets/export?${query}`),
		locals: { user },
		getClientAddress: () => '10.8.8.8'
	} as never);

describe('a queue tab as an Excel file', () => {
	it('holds every row of the tab as the screen lists it, in its order, with the lights at the export, and no caller', async () => {
		const at = new Date(Date.now() + 30 * 86_400_000); // a month on: every limit has passed
		const screen = await listQueue(a, as('supervisor'), { queue: 'supervise', tab: 'red', now: at.getTime(), size: 1000 });
		expect(screen.total).toBeGreaterThanOrEqual(3);
		// two rows a page: the export reads on over the pages
		const { body, name } = await exportQueue(a, as('supervisor'), { queue: 'supervise', tab: 'red' }, '10.8.8.8', { at, pageSize: 2 });
		expect(name).toMatch(/^督办-超期-\d{4}-\d{2}-\d{2}\.xlsx$/);
		const rows = await sheetOf(body);
		expect(rows[0][0]).toBe('督办 · 超期');
		expect(rows[1][0]).toContain(`共 ${screen.total} 件`);
		expect(rows[1][0]).toContain('t_supervisor 导出于');
		const head = rows[2];
		expect(head.slice(0, 3)).toEqual(['工单编号', '状态', '类型']);
		const col = (n: string) => head.indexOf(n);
		const data = rows.slice(3);
		expect(data.map((r) => r[col('工单编号')])).toEqual(screen.items.map((t) => t.ticketNo));
		for (const [i, t] of screen.items.entries()) {
			expect(data[i][col('截止时间')]).toBe(formatDeadline(t.deadline!));
			expect(data[i][col('亮灯')]).toBe('超期');
			expect(data[i][col('剩余/超期')]).toBe(formatTimeLeft(t.deadline!, at.getTime()));
			expect(data[i][col('时限')]).toBe(t.deadlineKind === 'sign' ? '签收' : '答复');
			expect(data[i][col('承办单位')]).toBe(t.unit);
			expect(data[i][col('附件')]).toBe(String(t.attachmentCount));
		}
		// the river's two photos are counted on its row, the other rows have none
		expect(data.map((r) => r[col('附件')]).sort()).toEqual([...Array(data.length - 1).fill('0'), '2'].sort());
		const all = rows.flat().join('\n');
		expect(all).not.toContain('13812345678');
		expect(all).not.toContain('王小明');
		expect(head).not.toContain('来电人');

		const [entry] = (await auditEntries(a.rel.db, { area: 'export' })).entries;
		expect(entry).toMatchObject({ actor: 't_supervisor', target: 'supervise/red', message: `数据导出：t_supervisor 导出督办 · 超期（${screen.total} 件）`, client: '10.8.8.8' });
	});

	it('cuts a tab longer than the limit and says so', async () => {
		const rows = await sheetOf((await exportQueue(a, as('supervisor'), { queue: 'supervise', tab: 'all' }, null, { limit: 2, pageSize: 1 })).body);
		expect(rows.length).toBe(3 + 2);
		expect(rows[1][0]).toContain('只含前 2 件');
	});

	it("gives a unit its own tickets only, with the search, through the route", async () => {
		const res = await get('queue=mine&tab=all&q=平江路', as('unitA'));
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="mine\.xlsx"; filename\*=UTF-8''/);
		const rows = await sheetOf(Buffer.from(await res.arrayBuffer()));
		expect(rows[0][0]).toBe('我的工单 · 全部');
		expect(rows[1][0]).toContain('查找“平江路”');
		const mine = await listQueue(a, as('unitA'), { queue: 'mine', tab: 'all', q: '平江路' });
		expect(rows.slice(3).map((r) => r[0])).toEqual(mine.items.map((t) => t.ticketNo));
		expect(mine.items.length).toBe(2);
		const b = await sheetOf(Buffer.from(await (await get('queue=mine&tab=all', as('unitB'))).arrayBuffer()));
		expect(b.slice(3).map((r) => r[0])).not.toEqual(expect.arrayContaining(mine.items.map((t) => t.ticketNo)));
	});

	it('narrows 督办, 回访 and 工单查询 to one unit’s tickets: the list, its tabs’ counts and the file', async () => {
		const all = await listQueue(a, as('supervisor'), { queue: 'supervise', tab: 'all' });
		const atA = await listQueue(a, as('supervisor'), { queue: 'supervise', tab: 'all', unit: UNIT_A });
		expect(atA.unit).toEqual({ code: UNIT_A, name: '苏州市姑苏区人民政府' });
		expect(atA.items.length).toBeGreaterThanOrEqual(2);
		expect(atA.items.every((t) => t.unit === '苏州市姑苏区人民政府')).toBe(true);
		expect(atA.items.map((t) => t.ticketNo)).toEqual(all.items.filter((t) => t.unit === '苏州市姑苏区人民政府').map((t) => t.ticketNo));
		// every tab counts the unit's tickets only
		const atB = await listQueue(a, as('supervisor'), { queue: 'supervise', tab: 'all', unit: UNIT_B });
		for (const tab of Object.keys(all.counts)) expect(atA.counts[tab] + atB.counts[tab]).toBeLessThanOrEqual(all.counts[tab]);
		expect(atA.counts.all + atB.counts.all).toBe(all.counts.all);
		const lookup = await listQueue(a, as('operator'), { queue: 'lookup', tab: 'all', unit: UNIT_B });
		expect(lookup.items.map((t) => t.unit)).toEqual(['苏州市生态环境局']);
		// the file of the narrowed tab names the unit, and holds its rows
		const res = await get(`queue=supervise&tab=all&unit=${UNIT_B}`, as('supervisor'));
		expect(res.status).toBe(200);
		const rows = await sheetOf(Buffer.from(await res.arrayBuffer()));
		expect(rows[1][0]).toMatch(/^承办单位：苏州市生态环境局；/);
		expect(rows.slice(3).map((r) => r[0])).toEqual(atB.items.map((t) => t.ticketNo));
		expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('督办-全部在办-苏州市生态环境局-');
	});

	it('refuses a unit filter on a queue that has none, and a unit the city does not have', async () => {
		await expect(listQueue(a, as('unitA'), { queue: 'mine', unit: UNIT_B })).rejects.toMatchObject({ code: 'invalid_input', field: 'unit', message: '我的工单不能按承办单位筛选' });
		await expect(listQueue(a, as('dispatcher'), { queue: 'dispatch', unit: UNIT_B })).rejects.toMatchObject({ message: '派单不能按承办单位筛选' });
		await expect(listQueue(a, as('supervisor'), { queue: 'supervise', unit: 'X9' })).rejects.toMatchObject({ field: 'unit', message: '没有编码为“X9”的承办单位' });
		const res = await get('queue=visits&unit=X9', as('supervisor'));
		expect(res.status).toBe(400);
		expect((await res.json()).error).toMatchObject({ code: 'invalid_input', field: 'unit' });
	});

	it('refuses a queue the user may not read (403) and an unknown queue (400), and records nothing', async () => {
		const before = (await auditEntries(a.rel.db, { area: 'export' })).entries.length;
		const forbidden = await get('queue=supervise&tab=red', as('unitA'));
		expect(forbidden.status).toBe(403);
		expect((await forbidden.json()).error.code).toBe('forbidden');
		const unknown = await get('queue=everything', as('supervisor'));
		expect(unknown.status).toBe(400);
		expect(await unknown.json()).toMatchObject({ error: { code: 'invalid_input', field: 'queue', message: expect.stringContaining('督办（supervise）') } });
		expect((await auditEntries(a.rel.db, { area: 'export' })).entries.length).toBe(before);
	});
});

describe('a ticket printed', () => {
	const post = (no: string, user: ReturnType<typeof as>) =>
		(printedRoute.POST as (e: never) => Promise<Response>)({ params: { no }, locals: { user }, getClientAddress: () => '10.8.8.9' } as never);

	it('is an entry of the 操作日志 saying whether the sheet showed the caller in clear, for those who may read the ticket only', async () => {
		const [mine] = (await listQueue(a, as('unitA'), { queue: 'mine', tab: 'all', q: '油烟' })).items;
		// the lead unit handles it: the caller in clear on its sheet
		const res = await post(mine.ticketNo, as('unitA'));
		expect(res.status).toBe(204);
		let [entry] = (await auditEntries(a.rel.db, { area: 'export' })).entries;
		expect(entry).toMatchObject({
			actor: 't_unitA',
			target: `ticket/${mine.ticketNo}`,
			client: '10.8.8.9',
			message: `数据导出：t_unitA 打印工单 ${mine.ticketNo}（含来电人姓名和电话）`
		});
		// another unit may not read it: 404, nothing recorded
		const before = (await auditEntries(a.rel.db, { area: 'export' })).entries.length;
		const refused = await post(mine.ticketNo, as('unitB'));
		expect(refused.status).toBe(404);
		expect((await refused.json()).error.code).toBe('not_found');
		expect((await post('SZ20990101-000001', as('supervisor'))).status).toBe(404);
		expect((await auditEntries(a.rel.db, { area: 'export' })).entries.length).toBe(before);
		// an assisting unit reads it with the caller masked: said so
		const t = await registerTicket(a, people.operator, { ...INTAKE, content: '小区门口积水严重', caller_name: '李四', caller_phone: '13912345678' }, { decision: { action: 'accept' } });
		await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT_A, assist_units: [UNIT_B] });
		expect(await recordTicketPrint(a, as('unitB'), t.ticketNo, null)).toEqual({ callerInClear: false });
		[entry] = (await auditEntries(a.rel.db, { area: 'export' })).entries;
		expect(entry.message).toBe(`数据导出：t_unitB 打印工单 ${t.ticketNo}（来电人已遮盖）`);
	});
});
