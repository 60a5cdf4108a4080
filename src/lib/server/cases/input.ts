// What people send to the case module (intake form, actions, the JSON API, Open311), validated with zod. A
// refusal names the field in Chinese for the user and keeps zod's precise issue for the log.
import { z } from 'zod';
import { CHANNEL_LABELS, CHANNELS, SATISFACTION, TICKET_TYPES, URGENCIES, URGENCY_LABELS, VISIT_FAILURES } from '$pipelines/lifecycle/model';
import { CONTENT_MAX_CHARS, contentLength, toHalfWidth, unreadableMessage, unsavableChar, unsavableMessage } from '$pipelines/normalize/text';
import { normalizePhone } from '$pipelines/normalize/index';
import { ACTION_LABELS, CASE_ACTIONS, isUnversioned } from './machine';

/** DESIGN.md: content 1 to 10,000 characters after trimming, counted as the feeds count them (code points). */
export const MAX_CONTENT = CONTENT_MAX_CHARS;
/** The content limit, for registration and for the 受理 assistant alike: characters after trimming. */
export const contentWithinLimit = z
	.string()
	.refine((s) => contentLength(s.trim()) <= MAX_CONTENT, { error: `诉求内容不能超过 ${MAX_CONTENT} 个字` });
export const EMERGENCY_LINES = ['110', '119', '120', '122'] as const;

export type CaseErrorCode = 'not_found' | 'forbidden' | 'invalid_state' | 'conflict' | 'invalid_input' | 'too_large' | 'unsupported_type';

export class CaseError extends Error {
	constructor(
		readonly code: CaseErrorCode,
		message: string,
		/** the input field at fault (invalid_input) */
		readonly field: string | null = null,
		/** precise detail for the log */
		readonly detail: string | null = null
	) {
		super(message);
	}
}

export const FIELD_LABELS: Record<string, string> = {
	channel: '来源渠道',
	type: '诉求类型',
	title: '标题',
	content: '诉求内容',
	address: '地址',
	district_code: '所属区',
	street_code: '所属街道（镇）',
	category_code: '诉求分类',
	urgency: '紧急程度',
	caller_name: '来电人姓名',
	caller_phone: '联系电话',
	lon: '经度',
	lat: '纬度',
	decision: '受理意见',
	action: '操作',
	version: '版本号',
	note: '说明',
	reason: '不予受理情形',
	transferred_to: '转办热线',
	duplicate_of: '并入工单',
	unit_code: '主办单位',
	assist_units: '协办单位',
	days: '延期工作日数',
	satisfaction: '满意度',
	outcome: '未接通情况',
	reopen: '重新交办',
	links: '关联工单',
	linked_no: '关联工单编号'
};

/**
 * A ticket number as a person types it, tidied: full-width characters read as half-width, white space around it
 * dropped, letters upper-cased (` sz20261202-h00009 ` → `SZ20261202-H00009`), so 并单, 关联 and the ticket's
 * address find the ticket.
 */
export function tidyTicketNo(no: string): string {
	return toHalfWidth(no).trim().toUpperCase();
}

// optional texts may also come as null (JSON clients send that for an empty field)
const optText = (max: number) =>
	z
		.string()
		.max(max)
		.optional()
		.nullable()
		.transform((s) => s ?? '');
const optCode = z
	.string()
	.regex(/^[A-Za-z0-9]{1,16}$/)
	.optional()
	.nullable()
	.transform((s) => (s ? s : null));
const trimmedNote = (max = 2000) =>
	z
		.string()
		.max(max)
		.optional()
		.nullable()
		.transform((s) => (s ?? '').trim());

/** An optional field that may also come as null, read as absent. */
const nullAsAbsent = <T extends z.ZodType>(t: T) => z.preprocess((v) => (v === null ? undefined : v), t.optional());

/** A new ticket as an operator registers it (or a web/app/WeChat submission). Text is kept exactly as given. */
export const intakeSchema = z.object({
	channel: z.enum(CHANNELS.filter((c) => c !== 'feed') as [string, ...string[]]),
	type: z.enum(TICKET_TYPES),
	title: optText(200),
	content: contentWithinLimit.refine((s) => s.trim().length > 0, { error: '请填写诉求内容' }),
	address: optText(500),
	district_code: optCode,
	street_code: optCode,
	category_code: optCode,
	urgency: z.enum(URGENCIES).default('normal'),
	caller_name: z
		.string()
		.max(50)
		.optional()
		.nullable()
		.transform((s) => (s?.trim() ? s.trim() : null)),
	caller_phone: z
		.string()
		.max(30)
		.optional()
		.nullable()
		.transform((s) => (s?.trim() ? s.trim() : null)),
	lon: z.number().min(-180).max(180).optional().nullable(),
	lat: z.number().min(-90).max(90).optional().nullable(),
	/** earlier tickets about related matters to link the new one to (关联; each is handled on its own) */
	links: z
		.array(z.string().max(40).transform(tidyTicketNo))
		.max(10)
		.optional()
		.nullable()
		.transform((l) => [...new Set((l ?? []).filter(Boolean))])
});
export type IntakeInput = z.output<typeof intakeSchema>;

/**
 * The forms a caller's phone is taken in, as normalizePhone reads them (with the city's area code, null when the
 * city has none configured): the refusal of a number it cannot read lists them.
 */
export function phoneForms(areaCode: string | null): string {
	const local = areaCode ? `，本地固话可不带区号` : '';
	return `应为 11 位手机号（如 13812345678）或带区号的固定电话（如 ${areaCode ?? '010'}-65123456${local}），可带 +86、空格、短横线和分机号（如 转801）；境外号码请带国际区号（如 +852 6123 4567）`;
}

/**
 * A number repeat detection has no key for but a caller may well give: another country's or region's (+852, 00 1 …:
 * a country code other than 86 and 7–15 digits in all, E.164's longest) or a company's 400/800 line (10 digits).
 * Taken as given, without a key.
 */
function unkeyedPhone(phone: string): boolean {
	const s = toHalfWidth(phone).trim().replace(/\s*(?:转|分机|ext\.?|x|#)\s*\d{1,6}$/i, '');
	if (!/^\+?[\d\s\-()（）.]+$/.test(s)) return false;
	const d = s.replace(/\D/g, '');
	if (s.startsWith('+') || d.startsWith('00')) {
		const intl = s.startsWith('+') ? d : d.slice(2);
		return !intl.startsWith('86') && intl.length >= 7 && intl.length <= 15;
	}
	return /^[48]00\d{7}$/.test(d);
}

/**
 * Why registration refuses a caller's phone, or null when it takes it: a number normalizePhone reads (with the
 * city's area code), so that every phone stored has the canonical key (tickets.caller_phone_key) repeat detection
 * finds the caller by. Full-width digits, +86, dashes, spaces, brackets and an extension are read; service numbers
 * (12345), a 10-digit or a 15-digit "mobile" are not. Another country's number and a 400/800 line are taken without
 * a key (unkeyedPhone): the call-back number matters more than finding the caller's earlier calls.
 */
export function callerPhoneRefusal(phone: string, areaCode: string | null): string | null {
	return normalizePhone(phone, areaCode ?? undefined) === null && !unkeyedPhone(phone) ? `联系电话格式不正确：${phoneForms(areaCode)}` : null;
}

/** The fields every action may carry; which ones it needs is checked per action (`requireFor`). */
export const actionSchema = z.object({
	action: z.enum(CASE_ACTIONS),
	version: z.number().int().min(1).optional(),
	note: trimmedNote(),
	// fields an action does not use may also come as null (requireFor names the ones it needs)
	reason: nullAsAbsent(z.number().int().min(1).max(9)),
	transferred_to: nullAsAbsent(z.enum(EMERGENCY_LINES)),
	duplicate_of: nullAsAbsent(z.string().max(40).transform(tidyTicketNo)),
	unit_code: nullAsAbsent(z.string().max(16)),
	assist_units: nullAsAbsent(z.array(z.string().max(16)).max(10)),
	category_code: nullAsAbsent(z.string().max(16)),
	/** a corrected type or urgency (受理 and 派单 only): the time limits follow them */
	type: nullAsAbsent(z.enum(TICKET_TYPES)),
	urgency: nullAsAbsent(z.enum(URGENCIES)),
	/** a corrected title (受理 and 派单 only): a vague one (“投诉”, “你好”) rewritten as the matter; blank: unchanged */
	title: nullAsAbsent(z.string().max(200)),
	/** a corrected place (受理 and 派单 only): the district, or the street (its district follows) */
	district_code: nullAsAbsent(z.string().max(16)),
	street_code: nullAsAbsent(z.string().max(16)),
	days: nullAsAbsent(z.number().int().min(1).max(30)),
	satisfaction: nullAsAbsent(z.enum(SATISFACTION)),
	/** what a return visit that reached nobody met (回访未接通) */
	outcome: nullAsAbsent(z.enum(VISIT_FAILURES)),
	reopen: nullAsAbsent(z.boolean()),
	linked_no: nullAsAbsent(z.string().max(40).transform(tidyTicketNo))
});
export type ActionInput = z.output<typeof actionSchema>;

/** The actions that may correct a ticket's category, type, urgency and place. */
const RECLASSIFYING: readonly string[] = ['accept', 'dispatch'];

/** What each action needs besides the version: the missing one is named in the refusal. */
export function requireFor(a: ActionInput): void {
	const need = (ok: boolean, field: string, message: string) => {
		if (!ok) throw new CaseError('invalid_input', message, field);
	};
	// the type and urgency set the time limits: they are corrected while screening or dispatching, not afterwards
	// (a unit's limits do not change under it), and so is the place (a unit holding the ticket is not moved under it:
	// 收回 and 派单 again); elsewhere they would be dropped without a word
	for (const field of ['type', 'urgency', 'category_code', 'district_code', 'street_code', 'title'] as const)
		need(a[field] === undefined || RECLASSIFYING.includes(a.action), field, `只有受理或派单时可以更改${FIELD_LABELS[field]}`);
	if (!isUnversioned(a.action)) need(a.version !== undefined, 'version', '缺少版本号：请刷新页面后重试');
	switch (a.action) {
		case 'not_accept':
			need(a.reason !== undefined, 'reason', '请选择不予受理的情形（1–9）');
			break;
		case 'transfer':
			need(a.transferred_to !== undefined, 'transferred_to', '请选择转办的紧急热线（110/119/120/122）');
			break;
		case 'answer':
			need(!!a.note, 'note', '请填写直接答复的内容');
			break;
		case 'merge':
			need(!!a.duplicate_of, 'duplicate_of', '请填写要并入的工单编号');
			break;
		case 'dispatch':
			need(!!a.unit_code, 'unit_code', '请选择主办单位');
			break;
		case 'return':
			need(!!a.note, 'note', '退单须说明理由');
			break;
		case 'recall':
			need(!!a.note, 'note', '收回须说明理由');
			break;
		case 'extension_request':
			need(a.days !== undefined, 'days', '请填写延期的工作日数（1–30）');
			need(!!a.note, 'note', '申请延期须说明理由');
			break;
		case 'extension_deny':
			need(!!a.note, 'note', '驳回延期须说明理由');
			break;
		case 'urge':
		case 'supervise':
			need(!!a.note, 'note', `${a.action === 'urge' ? '催办' : '督办'}须填写意见`);
			break;
		case 'reply':
			need(!!a.note, 'note', '请填写答复内容');
			break;
		case 'visit':
			need(a.satisfaction !== undefined, 'satisfaction', '请选择回访满意度');
			need(!a.reopen || a.satisfaction === '不满意', 'reopen', '只有不满意的回访可以重新交办');
			break;
		case 'visit_failed':
			need(a.outcome !== undefined, 'outcome', `请选择未接通的情况（${VISIT_FAILURES.join('、')}）`);
			break;
		case 'reopen':
		case 'close':
			need(!!a.note, 'note', a.action === 'reopen' ? '重新交办须说明理由' : '未经回访办结须说明理由');
			break;
		case 'note':
			need(!!a.note, 'note', '备注不能为空');
			break;
		case 'link':
		case 'unlink':
			need(!!a.linked_no, 'linked_no', a.action === 'link' ? '请填写要关联的工单编号' : '请填写要取消关联的工单编号');
			break;
	}
}

/** A field's Chinese label, or its name as sent: any name may come in a body, constructor and __proto__ too. */
const fieldLabel = (field: string): string => (Object.hasOwn(FIELD_LABELS, field) ? FIELD_LABELS[field] : field);

/** The body as an object, or a refusal: a body that is no JSON object ([], "x", null) has no field to name. */
export function objectBody(value: unknown): Record<string, unknown> {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CaseError('invalid_input', '请求内容应为 JSON 对象');
	return value as Record<string, unknown>;
}

/**
 * Parses with a schema; a refusal names the first field at fault in Chinese. `purpose`: 'save' for what is stored
 * (a ticket, an action), 'read' for what is only read (the 受理 assistant): a text no store keeps is refused in either
 * case, said as 无法保存 only when something is saved.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, purpose: 'save' | 'read' = 'save'): z.output<S> {
	objectBody(value);
	// what no store keeps (a NUL: PostgreSQL refuses it) is refused here, by field, rather than failing the write
	const bad = unsavablePath(value);
	if (bad) {
		const field = String(bad.path[0]);
		const message = (purpose === 'save' ? unsavableMessage : unreadableMessage)(fieldLabel(field), bad.text)!;
		throw new CaseError('invalid_input', message, field, `${bad.path.join('.')}: contains ${unsavableChar(bad.text)!.code}`);
	}
	const r = schema.safeParse(value, { reportInput: true });
	if (r.success) return r.data;
	const issue = r.error.issues[0];
	const field = String(issue.path[0] ?? '');
	throw new CaseError(
		'invalid_input',
		issueMessage(issue, fieldLabel(field), field),
		field || null,
		`${issue.path.join('.')}: ${issue.message}`
	);
}

/** The first string in a JSON value that holds what no store keeps (`unsavableChar`), and its path, or null. */
function unsavablePath(v: unknown, path: (string | number)[] = [], depth = 0): { path: (string | number)[]; text: string } | null {
	if (typeof v === 'string') return unsavableChar(v) ? { path, text: v } : null;
	if (depth > 4 || v === null || typeof v !== 'object') return null;
	for (const [k, x] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
		const p = unsavablePath(x, [...path, k], depth + 1);
		if (p) return p;
	}
	return null;
}

/** The Chinese names of the coded values a field takes, shown beside the codes in a refusal. */
const VALUE_LABELS: Record<string, Record<string, string>> = {
	action: ACTION_LABELS,
	channel: CHANNEL_LABELS,
	urgency: URGENCY_LABELS
};

function issueMessage(issue: z.core.$ZodIssue, label: string, field = ''): string {
	switch (issue.code) {
		case 'invalid_type':
			return issue.input === undefined || issue.input === null ? `请填写${label}` : `${label}的格式不正确`;
		case 'too_big':
			return issue.origin === 'string'
				? `${label}不能超过 ${issue.maximum} 个字`
				: issue.origin === 'array'
					? `${label}最多 ${issue.maximum} 个`
					: `${label}不能大于 ${issue.maximum}`;
		case 'too_small':
			return issue.origin === 'string' ? `请填写${label}` : `${label}不能小于 ${issue.minimum}`;
		case 'invalid_value':
			if (issue.input === undefined || issue.input === null || issue.input === '') return `请填写${label}`;
			return `${label}只能是：${issue.values.map((v) => (VALUE_LABELS[field]?.[String(v)] ? `${VALUE_LABELS[field][String(v)]}（${String(v)}）` : String(v))).join('、')}`;
		case 'invalid_format':
			return `${label}的格式不正确`;
		case 'custom':
			return issue.message;
		default:
			return `${label}不符合要求`;
	}
}
