// A ticket's attachments (附件) over a real embedded store and real image files: what is kept (the file as sent, its
// type read from its bytes, a preview of an image), what is refused and that a refused upload keeps nothing, who sees
// them (the ticket's handlers; a leader the count; another unit nothing), the limit per ticket under two uploads at
// once, and the answers the routes give a browser.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { stopApp, type App } from '../../src/lib/server/app';
import { caseRefusal, startRouteApp } from '../support/app';
import { addPeople, INTAKE, sessionOf, HOTLINE_STAFF } from '../support/cases';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { listQueue, ticketDetail } from '../../src/lib/server/cases/read';
import { addAttachments, attachmentFile, ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_TICKET, type UploadedFile } from '../../src/lib/server/cases/attachments';
import * as listRoute from '../../src/routes/api/v1/tickets/[no]/attachments/+server';
import * as fileRoute from '../../src/routes/api/v1/tickets/[no]/attachments/[id]/+server';
import * as ticketPage from '../../src/routes/(app)/tickets/[no]/+page.server';
import * as intakePage from '../../src/routes/(app)/intake/+page.server';
import { count, eq } from 'drizzle-orm';
import { ticketAttachments, tickets } from '../../src/lib/server/db/schema';

let a: App;
const people: Record<string, CaseUser> = {};
const UNIT_A = 'D320508';
const UNIT_B = 'M02';
const UNIT_C = 'D320505';
let ticketNo = '';
let photo: Buffer;
let png: Buffer;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const as = (key: string) => sessionOf(people, key);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...HOTLINE_STAFF,
		leader: ['leader'],
		analyst: ['analyst'],
		unitA: ['unit_handler', UNIT_A],
		unitB: ['unit_handler', UNIT_B],
		unitC: ['unit_handler', UNIT_C]
	});
	// a phone's photo, taken on its side (EXIF orientation 6: shown turned a quarter), and a screenshot
	photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#3a6ea5' } })
		.jpeg({ quality: 80 })
		.withMetadata({ orientation: 6 })
		.toBuffer();
	png = await sharp({ create: { width: 200, height: 100, channels: 4, background: '#ffffff' } }).png().toBuffer();
	const t = await registerTicket(a, people.operator, INTAKE, { decision: { action: 'accept' } });
	await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT_A, assist_units: [UNIT_C] });
	ticketNo = t.ticketNo;
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

/** POST /api/v1/tickets/{no}/attachments with `files`, as `key`. */
async function post(key: string, files: UploadedFile[], no = ticketNo) {
	const form = new FormData();
	for (const f of files) form.append('file', new File([f.bytes as Uint8Array<ArrayBuffer>], f.name));
	const url = new URL(`http://localhost/api/v1/tickets/${no}/attachments`);
	const res = await (listRoute.POST as (e: never) => Promise<Response>)({ request: new Request(url, { method: 'POST', body: form }), url, params: { no }, locals: { user: as(key) } } as never);
	return { status: res.status, body: (await res.json()) as Record<string, never> };
}

async function getFile(key: string, id: number, query = '', headers: Record<string, string> = {}) {
	const url = new URL(`http://localhost/api/v1/tickets/${ticketNo}/attachments/${id}${query}`);
	return (fileRoute.GET as (e: never) => Promise<Response>)({ request: new Request(url, { headers }), url, params: { no: ticketNo, id: String(id) }, locals: { user: as(key) } } as never);
}

const countOf = async (key = 'supervisor') => (await ticketDetail(a, as(key), ticketNo)).attachments.count;

describe('a ticket’s attachments', () => {
	it('keeps the file as sent with its type from its bytes, a preview of an image upright, and who added it', async () => {
		const res = await post('operator', [
			{ name: 'C:\\fakepath\\河道现场.JPG', bytes: photo },
			{ name: '情况说明.pdf', bytes: PDF }
		]);
		expect(res.status).toBe(201);
		const [img, doc] = res.body.items as { id: number; name: string; mime: string; size: number; width: number; height: number; hasThumb: boolean; uploader: string; unit: string | null; image: boolean }[];
		expect(img).toMatchObject({ name: '河道现场.JPG', mime: 'image/jpeg', size: photo.length, image: true, hasThumb: true, uploader: '测试operator', unit: null });
		// the size as it is shown: the photo stands upright (its orientation applied), 1200 wide and 1600 high
		expect([img.width, img.height]).toEqual([1200, 1600]);
		expect(doc).toMatchObject({ name: '情况说明.pdf', mime: 'application/pdf', image: false, hasThumb: false, width: null });

		const file = await getFile('operator', img.id);
		expect(file.status).toBe(200);
		const bytes = Buffer.from(await file.arrayBuffer());
		expect(sha(bytes)).toBe(sha(photo));
		expect(file.headers.get('content-type')).toBe('image/jpeg');
		expect(file.headers.get('content-disposition')).toBe(`inline; filename="____.JPG"; filename*=UTF-8''${encodeURIComponent('河道现场.JPG')}`);
		expect(file.headers.get('x-content-type-options')).toBe('nosniff');
		expect(file.headers.get('content-security-policy')).toContain('sandbox');
		// the browser's copy is good: the same file again is not sent
		expect((await getFile('operator', img.id, '', { 'if-none-match': file.headers.get('etag')! })).status).toBe(304);

		const thumb = await getFile('operator', img.id, '?thumb=1');
		expect(thumb.headers.get('content-type')).toBe('image/webp');
		const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
		expect(meta.format).toBe('webp');
		expect([meta.width, meta.height]).toEqual([240, 320]);

		const pdf = await getFile('operator', doc.id);
		expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; /);
		expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);
		expect((await getFile('operator', doc.id, '?thumb=1')).status).toBe(404);
		expect((await getFile('operator', 999_999)).status).toBe(404);
	});

	it('refuses a file it cannot take, naming it, and keeps none of the upload then', async () => {
		const before = await countOf();
		const refused = async (files: UploadedFile[]) => {
			const r = await post('operator', files);
			return [r.status, (r.body.error as { message: string }).message] as const;
		};
		// a good photo beside each bad file: nothing of the upload is kept
		const [s1, m1] = await refused([{ name: 'ok.png', bytes: png }, { name: '说明.docx', bytes: Buffer.from('PK\u0003\u0004 not a picture') }]);
		expect(s1).toBe(415);
		expect(m1).toContain('“说明.docx”不是可接收的类型');
		const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
		expect((await refused([{ name: 'x.svg', bytes: svg }]))[0]).toBe(415);
		// a name that claims a photo does not make one
		expect((await refused([{ name: 'fake.jpg', bytes: Buffer.from('<html><script>alert(1)</script>') }]))[0]).toBe(415);
		const [s2, m2] = await refused([{ name: 'ok.png', bytes: png }, { name: 'empty.jpg', bytes: Buffer.alloc(0) }]);
		expect([s2, m2]).toEqual([400, '文件“empty.jpg”是空文件']);
		// a photo cut off in sending
		const [s3, m3] = await refused([{ name: '半张.jpg', bytes: photo.subarray(0, Math.floor(photo.length / 2)) }]);
		expect(s3).toBe(400);
		expect(m3).toContain('“半张.jpg”已损坏或不完整');
		const big = Buffer.alloc(ATTACHMENT_MAX_BYTES + 1);
		photo.copy(big);
		const [s4, m4] = await refused([{ name: 'big.jpg', bytes: big }]);
		expect(s4).toBe(413);
		expect(m4).toBe('文件“big.jpg”有 10 MB，每个附件不能超过 10 MB');
		expect((await post('operator', [])).status).toBe(400);
		expect(await countOf()).toBe(before);
	});

	it('shows the files to those who handle the ticket, the count to a leader, and nothing to another unit', async () => {
		const n = await countOf();
		expect(n).toBe(2);
		// the lead unit and an assisting unit see the files and add their own (a unit's photo of the work)
		const byUnit = await post('unitA', [{ name: '整改后.png', bytes: png }]);
		expect(byUnit.status).toBe(201);
		const added = (byUnit.body.items as { uploader: string; unit: string; id: number }[]).at(-1)!;
		expect(added).toMatchObject({ uploader: '测试unitA', unit: a.ref.unitByCode.get(UNIT_A)!.name });
		const assist = await ticketDetail(a, as('unitC'), ticketNo);
		expect(assist.attachments.items!.map((f) => f.id)).toContain(added.id);
		expect(assist.attachments.canAdd).toBe(true);
		expect((await getFile('unitC', added.id)).status).toBe(200);

		const leader = await ticketDetail(a, as('leader'), ticketNo);
		expect(leader.attachments).toMatchObject({ count: 3, items: null, canAdd: false });
		expect((await getFile('leader', added.id)).status).toBe(403);
		expect((await post('leader', [{ name: 'x.png', bytes: png }])).status).toBe(403);

		// another unit learns nothing of the ticket; a role without cases is refused as such
		expect((await getFile('unitB', added.id)).status).toBe(404);
		expect((await post('unitB', [{ name: 'x.png', bytes: png }])).status).toBe(404);
		expect((await getFile('analyst', added.id)).status).toBe(403);
		const list = await (listRoute.GET as (e: never) => Promise<Response>)({ params: { no: ticketNo }, locals: { user: as('unitB') } } as never);
		expect(list.status).toBe(404);
		expect(await countOf()).toBe(3);
		// the unit's queue says the ticket has files, and a ticket without says nothing
		const mine = await listQueue(a, as('unitA'), { queue: 'mine', tab: 'all', size: 1000 });
		expect(mine.items.find((t) => t.ticketNo === ticketNo)?.attachmentCount).toBe(3);
		expect(mine.items.filter((t) => t.ticketNo !== ticketNo).map((t) => t.attachmentCount)).toEqual(mine.items.filter((t) => t.ticketNo !== ticketNo).map(() => 0));
	});

	it('holds a ticket to its limit, also against two uploads at once', async () => {
		const t = await registerTicket(a, people.operator, { ...INTAKE, content: '河道漂浮垃圾较多，附照片' }, { decision: { action: 'accept' } });
		const small = (i: number) => ({ name: `照片${i}.png`, bytes: png });
		await addAttachments(a, people.operator, t.ticketNo, Array.from({ length: ATTACHMENTS_PER_TICKET - 1 }, (_, i) => small(i)));
		// one place left, asked for twice at once: one upload wins
		const both = await Promise.allSettled([addAttachments(a, people.operator, t.ticketNo, [small(98)]), addAttachments(a, people.supervisor, t.ticketNo, [small(99)])]);
		expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		const detail = await ticketDetail(a, as('operator'), t.ticketNo);
		expect(detail.attachments).toMatchObject({ count: ATTACHMENTS_PER_TICKET, canAdd: false });
		const [code, field, message] = await caseRefusal(addAttachments(a, people.operator, t.ticketNo, [small(100)]));
		expect([code, field]).toEqual(['invalid_input', 'file']);
		expect(message).toBe(`每张工单最多 ${ATTACHMENTS_PER_TICKET} 个附件：已有 ${ATTACHMENTS_PER_TICKET} 个，本次 1 个`);
	});

	it('says which folder to restore when a row’s file is missing, rather than sending nothing', async () => {
		const [t] = await a.rel.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.ticketNo, ticketNo));
		const [row] = await a.rel.db
			.insert(ticketAttachments)
			.values({ ticketId: t.id, name: '丢失.jpg', mime: 'image/jpeg', size: 10, sha256: 'f'.repeat(64), uploaderName: '测试', at: new Date() })
			.returning({ id: ticketAttachments.id });
		const res = await getFile('operator', row.id);
		expect(res.status).toBe(404);
		expect(((await res.json()) as { error: { message: string } }).error.message).toBe('附件“丢失.jpg”的文件缺失，请联系系统管理员从备份恢复数据目录的 attachments 文件夹');
		await a.rel.db.delete(ticketAttachments).where(eq(ticketAttachments.id, row.id));
	});

	it('takes none on a closed ticket, which keeps the ones it had', async () => {
		const t = await registerTicket(a, people.operator, { ...INTAKE, type: '咨询', content: '请问公积金提取需要什么材料' });
		await addAttachments(a, people.operator, t.ticketNo, [{ name: '截图.png', bytes: png }]);
		const answered = await actOnTicket(a, people.operator, t.ticketNo, { action: 'answer', version: t.version, note: '携带身份证和购房合同到公积金中心办理。' });
		expect(answered.status).toBe('answered_directly');
		const [code, , message] = await caseRefusal(addAttachments(a, people.operator, t.ticketNo, [{ name: 'more.png', bytes: png }]));
		expect([code, message]).toEqual(['invalid_state', `工单 ${t.ticketNo} 已结束办理（直接答复），不能再上传附件`]);
		const d = await ticketDetail(a, as('operator'), t.ticketNo);
		expect(d.attachments).toMatchObject({ count: 1, canAdd: false });
		const f = await attachmentFile(a, as('operator'), t.ticketNo, d.attachments.items![0].id);
		expect(Buffer.from(f.bytes).equals(png)).toBe(true);
	});

	it('adds the files of the ticket page’s form, and answers a refusal for the 附件 panel', async () => {
		const page = async (key: string, files: File[]) => {
			const fd = new FormData();
			for (const f of files) fd.append('file', f);
			// the browser's empty part when nothing was chosen beside them
			fd.append('file', new File([], ''));
			const request = new Request(`http://localhost/tickets/${ticketNo}?/attach`, { method: 'POST', body: fd });
			return (ticketPage.actions.attach as (e: never) => Promise<Record<string, unknown>>)({ request, params: { no: ticketNo }, locals: { user: as(key) } } as never);
		};
		const before = await countOf();
		expect(await page('supervisor', [new File([new Uint8Array(png)], '督办现场.png')])).toEqual({ ok: true, action: 'attach', added: 1, count: before + 1 });
		const refused = (await page('supervisor', [new File(['hello'], 'a.txt')])) as { status: number; data: { action: string; message: string; field: string } };
		expect(refused.status).toBe(415);
		expect(refused.data).toMatchObject({ action: 'attach', field: 'file' });
		expect(refused.data.message).toContain('“a.txt”');
		expect(((await page('supervisor', [])) as { status: number }).status).toBe(400);
	});

	it('keeps the caller’s photos sent with a registration on 受理, also with a call refused; a refused file registers nothing', async () => {
		const register = async (fields: Record<string, string>, files: File[]) => {
			const fd = new FormData();
			for (const [k, v] of Object.entries({ channel: 'wechat', type: '投诉', content: '小区门口积水很深，附照片', district_code: '320508', ...fields })) fd.set(k, v);
			for (const f of files) fd.append('file', f);
			const request = new Request('http://localhost/intake?/register', { method: 'POST', body: fd });
			return (intakePage.actions.register as (e: never) => Promise<Record<string, unknown>>)({ request, locals: { user: as('operator') } } as never);
		};
		const tickets_ = async () => (await a.rel.db.select({ n: count() }).from(tickets))[0].n;
		const made = (await register({}, [new File([new Uint8Array(photo)], '积水.jpg'), new File([new Uint8Array(PDF)], '材料.pdf')])) as { ok: boolean; ticketNo: string; status: string; attached: number };
		expect(made).toMatchObject({ ok: true, status: 'accepted', attached: 2, attachFailed: false });
		const kept = await ticketDetail(a, as('operator'), made.ticketNo);
		expect(kept.attachments.items!.map((f) => [f.name, f.uploader])).toEqual([
			['积水.jpg', '测试operator'],
			['材料.pdf', '测试operator']
		]);
		// refused as outside the hotline's duties: what the caller sent stays on record with it
		const refused = (await register({ decision: 'not_accept', reason: '4', decision_note: '已告知走诉讼程序' }, [new File([new Uint8Array(png)], '判决书.png')])) as { ticketNo: string; status: string; attached: number };
		expect(refused).toMatchObject({ status: 'not_accepted', attached: 1 });
		expect((await ticketDetail(a, as('operator'), refused.ticketNo)).attachments.count).toBe(1);

		const before = await tickets_();
		const bad = (await register({}, [new File([new Uint8Array(png)], 'ok.png'), new File(['<svg/>'], 'x.svg')])) as { status: number; data: { message: string; field: string; values: Record<string, unknown> } };
		expect(bad.status).toBe(415);
		expect(bad.data.field).toBe('file');
		expect(bad.data.message).toMatch(/^未登记：文件“x\.svg”不是可接收的类型/);
		expect(bad.data.values.content).toBe('小区门口积水很深，附照片');
		expect(await tickets_()).toBe(before);
		// without files, as before
		expect(await register({}, [])).toMatchObject({ ok: true, attached: 0 });
	});
});
