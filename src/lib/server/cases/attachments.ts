// A ticket's attachments (附件): the photos a caller sent through the app or WeChat, which the operator keeps with the
// ticket, and a unit's photos of the work done before its reply. Described in the relational store with the
// ticket (`ticket_attachments`), the files in the data directory by their SHA-256 (blobs.ts); never changed or removed.
//
// What is accepted is decided by the file's own first bytes, not by its name or the type the browser claims: JPEG,
// PNG, GIF, WebP and PDF. An image must also decode (sharp), which refuses a damaged or truncated photo while the
// person who has it is still there, and gives the ticket page a small WebP of it. Nothing else (SVG, HTML, office
// files) is kept: the file is served back to other people's browsers.
//
// Who sees them: whoever handles the ticket — the hotline's staff and the lead and assisting units (`canView`).
// A leader sees how many there are, not the files: a photo may show the caller, and it cannot be masked as a name or
// a phone number in the text is.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { formatBytes } from '$lib/charts/format';
import type { AttachmentInfo, TicketAttachments } from '$lib/types';
export type { AttachmentInfo, TicketAttachments };
import { OPEN_STATUSES, STATUS_LABELS, type Status } from '$pipelines/lifecycle/model';
import type { App } from '../app';
import type { Db } from '../db';
import { attachmentBlobs } from '../blobs';
import { attachment } from '../http';
import { DEFAULT_BODY_SIZE_LIMIT_MB, parseBodySizeLimit } from '../push-limit.js';
import { ticketAttachments, tickets, type TicketRow } from '../db/schema';
import { CaseError } from './input';
import { canView } from './machine';
import { registerTicket, visibleTicket, type CaseUser } from './service';

/** One file's limit: a phone's photo is 2–8 MB. */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** A ticket's limit: enough for a caller's photos and a unit's, without a ticket becoming an archive. */
export const ATTACHMENTS_PER_TICKET = 20;
/** The longer side of the ticket page's preview, in pixels. */
export const THUMB_PX = 320;
/** An image's limit in pixels (decoding a bigger one would take the server's memory): 100 megapixels. */
const MAX_PIXELS = 100_000_000;
const NAME_MAX_CHARS = 120;

export const ATTACHMENT_TYPES = {
	'image/jpeg': { ext: 'jpg', image: true },
	'image/png': { ext: 'png', image: true },
	'image/gif': { ext: 'gif', image: true },
	'image/webp': { ext: 'webp', image: true },
	'application/pdf': { ext: 'pdf', image: false }
} as const;
export type AttachmentMime = keyof typeof ATTACHMENT_TYPES;
/** For the file chooser's `accept` and the refusal's words. */
export const ATTACHMENT_ACCEPT = '.jpg,.jpeg,.png,.gif,.webp,.pdf,image/jpeg,image/png,image/gif,image/webp,application/pdf';
const TYPES_WORDS = 'JPG、PNG、GIF、WebP 图片或 PDF 文件';

const startsWith = (b: Uint8Array, bytes: number[], at = 0) => b.length >= at + bytes.length && bytes.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The type of a file by its first bytes (its signature), or null for any other kind of file. */
export function sniffType(b: Uint8Array): AttachmentMime | null {
	if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
	if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
	if (startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a'))) return 'image/gif';
	if (startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)) return 'image/webp';
	if (startsWith(b, ascii('%PDF-'))) return 'application/pdf';
	return null;
}

/**
 * The name to keep and show: the last part of a path, without control characters, at most 120 characters (the
 * extension kept); a name left empty becomes 附件 with the type's extension.
 */
export function cleanFileName(name: string, mime: AttachmentMime): string {
	return trimmedName(name) || `附件.${ATTACHMENT_TYPES[mime].ext}`;
}

/** The name without a path, control or direction characters, at most 120 characters; '' when nothing is left. */
function trimmedName(name: string): string {
	// eslint-disable-next-line no-control-regex
	const n = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
	const chars = [...n];
	if (chars.length <= NAME_MAX_CHARS) return n;
	const dot = n.lastIndexOf('.');
	const ext = dot > 0 && n.length - dot <= 10 ? n.slice(dot) : '';
	return chars.slice(0, NAME_MAX_CHARS - [...ext].length).join('') + ext;
}

/**
 * The most one request may carry in files: the server's body limit (BODY_SIZE_LIMIT, as adapter-node reads it; 64 MB
 * as Minqing sets it) less 1 MB for the form's other fields. A bigger request is cut off by adapter-node before any of
 * this code sees it, so the page says so before sending (upload-check.ts).
 */
export function uploadTotalBytes(env: Record<string, string | undefined> = process.env): number {
	const raw = env.BODY_SIZE_LIMIT?.trim();
	const parsed = raw ? parseBodySizeLimit(raw) : DEFAULT_BODY_SIZE_LIMIT_MB * 1024 * 1024;
	const limit = Number.isNaN(parsed) ? DEFAULT_BODY_SIZE_LIMIT_MB * 1024 * 1024 : Math.min(parsed, ATTACHMENTS_PER_TICKET * ATTACHMENT_MAX_BYTES + 1024 * 1024);
	return Math.max(1024 * 1024, limit - 1024 * 1024);
}

/** Whether the user sees the files of a ticket it can see: everybody who handles it, not a leader. */
export function seesAttachments(user: Pick<CaseUser, 'role' | 'unitCode'>, t: Pick<TicketRow, 'unitCode' | 'assistUnits'>): boolean {
	return user.role !== 'leader' && canView(user, t);
}

const mayAdd = (user: Pick<CaseUser, 'role' | 'unitCode'>, t: Pick<TicketRow, 'unitCode' | 'assistUnits' | 'status'>) =>
	seesAttachments(user, t) && OPEN_STATUSES.includes(t.status as Status);

const INFO_COLUMNS = {
	id: ticketAttachments.id,
	name: ticketAttachments.name,
	mime: ticketAttachments.mime,
	size: ticketAttachments.size,
	width: ticketAttachments.width,
	height: ticketAttachments.height,
	hasThumb: ticketAttachments.hasThumb,
	uploader: ticketAttachments.uploaderName,
	unit: ticketAttachments.uploaderUnit,
	at: ticketAttachments.at
};

function infoOf(app: App, r: { id: number; name: string; mime: string; size: number; width: number | null; height: number | null; hasThumb: boolean; uploader: string; unit: string | null; at: Date }): AttachmentInfo {
	return {
		id: r.id,
		name: r.name,
		mime: r.mime,
		size: r.size,
		image: ATTACHMENT_TYPES[r.mime as AttachmentMime]?.image ?? false,
		width: r.width,
		height: r.height,
		hasThumb: r.hasThumb,
		uploader: r.uploader,
		unit: r.unit ? (app.ref.unitByCode.get(r.unit)?.name ?? r.unit) : null,
		at: r.at.toISOString()
	};
}

/** A ticket's attachments as this user may see them (the ticket already found visible to the user). */
export async function attachmentsOf(app: App, user: CaseUser, t: TicketRow): Promise<TicketAttachments> {
	const db = app.rel.db;
	const sees = seesAttachments(user, t);
	const items = sees
		? (
				await db
					.select(INFO_COLUMNS)
					.from(ticketAttachments)
					.where(eq(ticketAttachments.ticketId, t.id))
					.orderBy(asc(ticketAttachments.id))
			).map((r) => infoOf(app, r))
		: null;
	const n = items ? items.length : (await db.select({ n: count() }).from(ticketAttachments).where(eq(ticketAttachments.ticketId, t.id)))[0].n;
	return {
		count: n,
		items,
		canAdd: mayAdd(user, t) && n < ATTACHMENTS_PER_TICKET,
		max: ATTACHMENTS_PER_TICKET,
		room: Math.max(0, ATTACHMENTS_PER_TICKET - n),
		maxBytes: ATTACHMENT_MAX_BYTES,
		maxTotalBytes: uploadTotalBytes(),
		accept: ATTACHMENT_ACCEPT
	};
}

/** How many files each of these tickets keeps (the ones without any are left out), for a queue's rows. */
export async function attachmentCounts(db: Db, ticketIds: number[]): Promise<Map<number, number>> {
	if (ticketIds.length === 0) return new Map();
	const rows = await db
		.select({ id: ticketAttachments.ticketId, n: count() })
		.from(ticketAttachments)
		.where(inArray(ticketAttachments.ticketId, ticketIds))
		.groupBy(ticketAttachments.ticketId);
	return new Map(rows.map((r) => [r.id, r.n]));
}

export interface UploadedFile {
	name: string;
	bytes: Uint8Array;
}

interface Checked {
	name: string;
	mime: AttachmentMime;
	bytes: Uint8Array;
	width: number | null;
	height: number | null;
	thumb: Uint8Array | null;
}

/** One file, checked and measured; a CaseError naming the file otherwise. */
async function checkFile(f: UploadedFile): Promise<Checked> {
	const shown = `“${trimmedName(f.name) || '（无名）'}”`;
	if (f.bytes.length === 0) throw new CaseError('invalid_input', `文件${shown}是空文件`, 'file', `empty file ${JSON.stringify(f.name)}`);
	if (f.bytes.length > ATTACHMENT_MAX_BYTES)
		throw new CaseError('too_large', `文件${shown}有 ${formatBytes(f.bytes.length)}，每个附件不能超过 ${formatBytes(ATTACHMENT_MAX_BYTES)}`, 'file', `${f.bytes.length} bytes > ${ATTACHMENT_MAX_BYTES}`);
	const mime = sniffType(f.bytes);
	if (!mime) {
		const head = Buffer.from(f.bytes.subarray(0, 8)).toString('hex');
		throw new CaseError('unsupported_type', `文件${shown}不是可接收的类型：附件只收 ${TYPES_WORDS}（手机的 HEIC 照片请先转为 JPG）`, 'file', `unrecognised signature ${head} of ${JSON.stringify(f.name)}`);
	}
	const name = cleanFileName(f.name, mime);
	if (!ATTACHMENT_TYPES[mime].image) return { name, mime, bytes: f.bytes, width: null, height: null, thumb: null };
	try {
		const meta = await sharp(f.bytes, { limitInputPixels: MAX_PIXELS }).metadata();
		// the preview decodes the whole image: a damaged or truncated photo is refused here, not found later
		const thumb = await sharp(f.bytes, { limitInputPixels: MAX_PIXELS, failOn: 'truncated' })
			.rotate()
			.resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true })
			.webp({ quality: 70 })
			.toBuffer();
		const upright = meta.autoOrient ?? meta;
		return { name, mime, bytes: f.bytes, width: upright.width ?? null, height: upright.height ?? null, thumb: new Uint8Array(thumb) };
	} catch (e) {
		const msg = (e as Error).message;
		if (/pixel limit/i.test(msg))
			throw new CaseError('too_large', `图片${shown}像素过多（超过 1 亿像素），请缩小后再上传`, 'file', `${JSON.stringify(f.name)}: ${msg}`);
		throw new CaseError('invalid_input', `图片${shown}已损坏或不完整，无法打开，请重新导出后上传`, 'file', `${mime} ${JSON.stringify(f.name)} does not decode: ${msg}`);
	}
}

/** Files checked one by one, before anything is written: the first refused names its file; none refuses too. */
export async function checkFiles(files: UploadedFile[]): Promise<CheckedFiles> {
	if (files.length === 0) throw new CaseError('invalid_input', '请选择要上传的文件', 'file');
	if (files.length > ATTACHMENTS_PER_TICKET)
		throw new CaseError('invalid_input', `每张工单最多 ${ATTACHMENTS_PER_TICKET} 个附件，本次选了 ${files.length} 个`, 'file', `${files.length} files`);
	const checked: Checked[] = [];
	for (const f of files) checked.push(await checkFile(f));
	return { checked };
}

/** Files `checkFiles` took, to be kept (opaque outside this module). */
export interface CheckedFiles {
	readonly checked: readonly Checked[];
}

/**
 * Adds files to a ticket the user handles, while it is open: all of them or none (one refused file refuses the
 * upload, so the person sees which one and nothing is half-kept). Returns the ticket's attachments after it.
 */
export async function addAttachments(app: App, user: CaseUser, ticketNo: string, files: UploadedFile[], now = new Date()): Promise<TicketAttachments> {
	const t = await visibleTicket(app, user, ticketNo);
	if (!seesAttachments(user, t)) throw new CaseError('forbidden', '当前角色不能查看或上传工单附件');
	if (!OPEN_STATUSES.includes(t.status as Status)) throw ended(t.ticketNo, t.status);
	await keepFiles(app, user, t, await checkFiles(files), now, true);
	return attachmentsOf(app, user, t);
}

/** A registration on 受理 with the caller's files: the ticket, how many files it keeps, and whether keeping them failed. */
export interface IntakeWithFiles {
	ticket: TicketRow;
	attached: number;
	/** the call is registered but its files were not kept: the operator adds them on the ticket's page */
	attachFailed: boolean;
}

/**
 * Registers a call with the files the caller sent (受理). The files are checked first: a refused file refuses the
 * registration (a CaseError with field `file`), so nothing is registered half. They are kept whatever the operator
 * decided, so the photos of a call refused or answered directly stay on record with it. Were they not kept after the
 * call was registered, the call stays registered and the answer says so.
 */
export async function registerWithFiles(app: App, user: CaseUser, intake: unknown, decision: unknown, files: UploadedFile[], now = new Date()): Promise<IntakeWithFiles> {
	const checked = files.length ? await checkFiles(files) : null;
	const ticket = await registerTicket(app, user, intake, { decision });
	if (!checked) return { ticket, attached: 0, attachFailed: false };
	try {
		await keepFiles(app, user, ticket, checked, now, false);
		return { ticket, attached: checked.checked.length, attachFailed: false };
	} catch (e) {
		console.error(`[minqing] attachments of ${ticket.ticketNo} not kept at registration:`, e);
		return { ticket, attached: 0, attachFailed: true };
	}
}

/** The file name of an image's preview beside the file (blobs.ts). */
const thumbKey = (sha256: string) => `${sha256}.thumb.webp`;

async function keepFiles(app: App, user: CaseUser, t: Pick<TicketRow, 'id' | 'ticketNo'>, { checked }: CheckedFiles, now: Date, onlyOpen: boolean): Promise<void> {
	// the files first, whole and flushed: a row committed names only a file that is there
	const blobs = attachmentBlobs(app);
	const hashes = checked.map((c) => createHash('sha256').update(c.bytes).digest('hex'));
	for (const [i, c] of checked.entries()) {
		await blobs.put(hashes[i], c.bytes);
		if (c.thumb) await blobs.put(thumbKey(hashes[i]), c.thumb);
	}
	await app.rel.db.transaction(async (txx) => {
		const tx = txx as unknown as Db;
		// the ticket's row locked: two uploads at once do not both pass the count, nor one a closing meanwhile
		const [cur] = await tx.select({ status: tickets.status }).from(tickets).where(eq(tickets.id, t.id)).for('update');
		if (onlyOpen && !OPEN_STATUSES.includes(cur.status as Status)) throw ended(t.ticketNo, cur.status);
		const [{ n }] = await tx.select({ n: count() }).from(ticketAttachments).where(eq(ticketAttachments.ticketId, t.id));
		if (n + checked.length > ATTACHMENTS_PER_TICKET)
			throw new CaseError(
				'invalid_input',
				`每张工单最多 ${ATTACHMENTS_PER_TICKET} 个附件：已有 ${n} 个，本次 ${checked.length} 个${n < ATTACHMENTS_PER_TICKET ? `，最多还能上传 ${ATTACHMENTS_PER_TICKET - n} 个` : ''}`,
				'file',
				`${n} + ${checked.length} > ${ATTACHMENTS_PER_TICKET}`
			);
		await tx.insert(ticketAttachments).values(
			checked.map((c, i) => ({
				ticketId: t.id,
				name: c.name,
				mime: c.mime,
				size: c.bytes.length,
				sha256: hashes[i],
				width: c.width,
				height: c.height,
				hasThumb: c.thumb !== null,
				uploaderUserId: user.id,
				uploaderName: user.displayName,
				uploaderUnit: user.role === 'unit_handler' ? user.unitCode : null,
				at: now
			}))
		);
	});
}

/** The refusal on a ticket no longer handled (办结, 直接答复, 不予受理, 已转办, 并单). */
const ended = (no: string, status: string) =>
	new CaseError('invalid_state', status === 'closed' ? `工单 ${no} 已办结，不能再上传附件` : `工单 ${no} 已结束办理（${STATUS_LABELS[status as Status]}），不能再上传附件`);

export interface AttachmentFile {
	name: string;
	mime: string;
	bytes: Uint8Array;
	sha256: string;
}

/** One attachment's file (or its preview, `thumb`) for a user who sees the ticket's files; not_found otherwise. */
export async function attachmentFile(app: App, user: CaseUser, ticketNo: string, id: number, thumb = false): Promise<AttachmentFile> {
	const t = await visibleTicket(app, user, ticketNo);
	if (!seesAttachments(user, t)) throw new CaseError('forbidden', '当前角色不能查看工单附件');
	if (!Number.isSafeInteger(id) || id <= 0) throw new CaseError('not_found', '附件不存在');
	const [r] = await app.rel.db
		.select({ name: ticketAttachments.name, mime: ticketAttachments.mime, sha256: ticketAttachments.sha256, hasThumb: ticketAttachments.hasThumb })
		.from(ticketAttachments)
		.where(and(eq(ticketAttachments.id, id), eq(ticketAttachments.ticketId, t.id)));
	if (!r) throw new CaseError('not_found', `工单 ${t.ticketNo} 没有附件 ${id}`);
	if (thumb && !r.hasThumb) throw new CaseError('not_found', `附件 ${id} 没有预览图`);
	const key = thumb ? thumbKey(r.sha256) : r.sha256;
	const bytes = await attachmentBlobs(app).get(key);
	if (!bytes) {
		// the row is there and its file is not: the data directory was restored without its attachments/, or moved
		console.error(`[minqing] attachment ${id} of ${t.ticketNo}: file ${key} missing from ${attachmentBlobs(app).describe}`);
		throw new CaseError('not_found', `附件“${r.name}”的文件缺失，请联系系统管理员从备份恢复数据目录的 attachments 文件夹`);
	}
	return thumb ? { name: r.name, mime: 'image/webp', bytes, sha256: `${r.sha256}-thumb` } : { name: r.name, mime: r.mime, bytes, sha256: r.sha256 };
}

/** The files of a posted form's `file` fields (a browser sends an empty, nameless one when none was chosen). */
export async function filesOfForm(form: FormData): Promise<UploadedFile[]> {
	const files = form.getAll('file').filter((v): v is File => typeof v !== 'string' && !(v.size === 0 && v.name === ''));
	return Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
}

/** The ticket's attachments for GET /api/v1/tickets/{no}/attachments. */
export async function ticketAttachmentList(app: App, user: CaseUser, ticketNo: string): Promise<TicketAttachments> {
	return attachmentsOf(app, user, await visibleTicket(app, user, ticketNo));
}

/**
 * The answer's headers for a file sent back to a browser: its own type, never sniffed; an image shown in the page,
 * a PDF downloaded (a browser's PDF viewer runs the file's scripts); no script of any kind; kept privately, as the
 * file never changes.
 */
export function attachmentHeaders(f: AttachmentFile, download: boolean): Record<string, string> {
	const inline = !download && f.mime.startsWith('image/');
	return {
		'content-type': f.mime,
		'content-length': String(f.bytes.length),
		'content-disposition': attachment(f.name, f.name, inline ? 'inline' : 'attachment'),
		'x-content-type-options': 'nosniff',
		'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
		'cache-control': 'private, max-age=31536000, immutable',
		etag: `"${f.sha256}"`
	};
}
