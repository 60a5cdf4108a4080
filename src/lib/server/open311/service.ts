// Open311 GeoReport v2 over the case module (DESIGN.md: "Open311 GeoReport v2 under /open311/v2 exactly as that
// standard defines it"). Services are the level-2 categories of the city's taxonomy; a POSTed request becomes a
// ticket on channel open311 that waits, like any other, for an operator to screen it; the public reads show
// tickets without the caller's name or phone and with personal data in the text masked. Domain errors are
// Open311Error (HTTP status and the spec's errors list); http.ts turns them into responses.
import { categoryInUse } from '../categories';
import { directoryRevision } from '../directory';
import { cutChars } from '$pipelines/normalize/text';
import { and, desc, eq, gte, inArray, like, lte, type SQL } from 'drizzle-orm';
import { AWAITING_UNIT, NOT_ACCEPTED_REASONS, OPEN_STATUSES, STATUSES, STATUS_LABELS, type Status, type TicketType } from '$pipelines/lifecycle/model';
import { categoryAncestors, cityShortName, type Reference } from '$pipelines/reference/index';
import { maskPersonal } from '$pipelines/text/redact';
import { utcTime } from '$pipelines/calendar/index';
import { formatDeadline } from '$lib/charts/format';
import { pgErrorCode } from '../db/errors';
import type { App } from '../app';
import { verifyApiKey } from '../auth/tokens';
import { CaseError, callerPhoneRefusal, phoneForms } from '../cases/input';
import { registerTicket, type CaseUser } from '../cases/service';
import { open311Requests, tickets, type TicketRow } from '../db/schema';
import { w3cDate, parseW3cDate, type Discovery, type Fields, type Open311ErrorItem, type Open311Service, type ServiceDefinition } from './format';
import { withoutParameters } from '../log';
import { geocoderFor } from '../geo';
import { OPEN311_PREFIX, open311Source } from '../source-name';

/** GET requests: the span a query may cover and its default (the most recent 90 days), and the most it returns. */
export const WINDOW_DAYS = 90;
export const MAX_REQUESTS = 1000;
/** POST requests: the spec's limit of `description`. */
export const MAX_DESCRIPTION = 4000;
const DAY = 86_400_000;

/** A request's parameters; empty ones are left out (the spec: an empty optional argument is an absent one). */
export interface Open311Params {
	values: Record<string, string>;
	/** attribute[code]=value (attribute[code][]=value for several values of one code) */
	attributes: Record<string, string[]>;
}

export class Open311Error extends Error {
	constructor(
		readonly status: 400 | 403 | 404 | 405,
		readonly errors: Open311ErrorItem[],
		/** extra response headers (Allow on a 405) */
		readonly headers: Record<string, string> = {}
	) {
		super(errors.map((e) => e.description).join('；'));
	}
}

function fail(status: Open311Error['status'], ...descriptions: string[]): never {
	throw new Open311Error(
		status,
		descriptions.map((description) => ({ code: status, description }))
	);
}

/** A value the client sent, shortened for an error message. */
const shown = (s: string) => (cutChars(s, 40) !== s ? `${cutChars(s, 40)}…` : s);
const listOf = (s: string | undefined) => [
	...new Set(
		(s ?? '')
			.split(',')
			.map((x) => x.trim())
			.filter(Boolean)
	)
];

// --- discovery -------------------------------------------------------------------------------------------

/**
 * When this API last changed as its clients see it (a w3c date-time): the discovery document's changeset, and its
 * v2 endpoint's. Bump it with every change to what the API accepts or answers.
 */
export const OPEN311_CHANGESET = '2026-12-02T21:40:00+08:00';
const GEOREPORT_V2_SPEC = 'http://wiki.open311.org/GeoReport_v2';
/** Where the GeoReport v2 API sits under a server's origin. */
const V2_PATH = '/open311/v2';

/**
 * GET /open311/discovery: the spec's service discovery document. The city's configuration has no contact of its
 * own, so the contact is the city's 12345 hotline; the one endpoint is this server's v2 base, at `origin` (the
 * origin the client reached the server at), in both formats.
 */
export function discovery(app: App, origin: string): Discovery {
	const hotline = `${cityShortName(app.ref.cityName)}12345政务服务便民热线`;
	return {
		changeset: OPEN311_CHANGESET,
		contact: `${hotline}：拨打 12345 咨询或报告本接口的问题`,
		key_service: `提交诉求（POST requests）须提供 api_key：Open311 令牌（mq_ 开头）请向${hotline}的系统管理员申请；查询无需 api_key`,
		endpoints: [
			{
				specification: GEOREPORT_V2_SPEC,
				url: `${origin.replace(/\/+$/, '')}${V2_PATH}`,
				changeset: OPEN311_CHANGESET,
				type: 'production',
				formats: ['text/xml', 'application/json']
			}
		]
	};
}

// --- jurisdiction and services -----------------------------------------------------------------------------

/** This endpoint serves one jurisdiction, the city (its slug, e.g. `suzhou`); the parameter may be left out. */
export function jurisdictionId(app: App): string {
	return app.ref.city.slug;
}

function checkJurisdiction(app: App, p: Open311Params): void {
	const j = p.values.jurisdiction_id;
	if (j !== undefined && j.trim() !== jurisdictionId(app))
		fail(
			404,
			`jurisdiction_id“${shown(j)}”不存在：本接口只服务${app.ref.cityName}，其 jurisdiction_id 为 ${jurisdictionId(app)}（也可不传）`
		);
}

interface Catalog {
	/** the directories' revision it was built at (设置 › 分类 changes them) */
	revision: number;
	/** the services offered: level-2 categories in use (a stopped one still names its requests: byCode) */
	services: Open311Service[];
	byCode: Map<string, Open311Service>;
	/** a service's code and the codes of its level-3 categories (what tickets of the service carry) */
	categoryCodes: Map<string, string[]>;
}
const catalogs = new WeakMap<Reference, Catalog>();

function catalog(ref: Reference): Catalog {
	let c = catalogs.get(ref);
	const revision = directoryRevision(ref);
	if (c && c.revision === revision) return c;
	c = { revision, services: [], byCode: new Map(), categoryCodes: new Map() };
	for (const l2 of ref.categories) {
		if (l2.level !== 2) continue;
		const group = l2.parent ? (ref.categoryByCode.get(l2.parent)?.name ?? '') : '';
		const children = ref.categories.filter((x) => x.level === 3 && x.parent === l2.code);
		const names = children.map((x) => x.name);
		const s: Open311Service = {
			service_code: l2.code,
			service_name: l2.name,
			description: names.length ? `${l2.path}：${names.join('、')}` : l2.path,
			metadata: false,
			type: 'realtime',
			keywords: names.join(','),
			group
		};
		if (categoryInUse(ref, l2.code)) c.services.push(s);
		c.byCode.set(s.service_code, s);
		c.categoryCodes.set(s.service_code, [l2.code, ...children.map((x) => x.code)]);
	}
	catalogs.set(ref, c);
	return c;
}

/** GET services: the level-2 categories of the city's taxonomy. */
export function listServices(app: App, p: Open311Params): Open311Service[] {
	checkJurisdiction(app, p);
	return catalog(app.ref).services;
}

const unknownService = (code: string) => `service_code“${shown(code)}”不存在：可用的服务代码见 GET services.xml 或 services.json`;

/** The extra fields of a service's definition: none yet (every service has metadata false). */
function definitionAttributes(_code: string): Fields[] {
	return [];
}

/** GET services/{code}: no service has extra fields (metadata false), so the attributes are empty. */
export function serviceDefinition(app: App, code: string, p: Open311Params): ServiceDefinition {
	checkJurisdiction(app, p);
	if (!catalog(app.ref).byCode.has(code)) fail(404, unknownService(code));
	return { service_code: code, attributes: definitionAttributes(code) };
}

/** What a definition says of one attribute code: its label (the spec's description), its order, and its values' names by key. */
export interface AttributeLabel {
	label: string;
	order: number;
	values: Map<string, string>;
}

/** The labels of a definition's attributes (the spec's attribute: code, description, order, values of key and name), by code. */
export function attributeLabelsOf(attributes: readonly Fields[]): Map<string, AttributeLabel> {
	const out = new Map<string, AttributeLabel>();
	attributes.forEach((a, i) => {
		if (typeof a.code !== 'string' || !a.code) return;
		const values = new Map<string, string>();
		if (Array.isArray(a.values))
			for (const v of a.values as Fields[]) if (v.key !== undefined && v.key !== null && typeof v.name === 'string') values.set(String(v.key), v.name);
		out.set(a.code, {
			label: typeof a.description === 'string' && a.description.trim() ? a.description : a.code,
			order: typeof a.order === 'number' ? a.order : i,
			values
		});
	});
	return out;
}

/** The labels of the attributes a request of this service was sent with; none for a service the catalogue no longer has. */
export function attributeLabels(app: App, serviceCode: string): Map<string, AttributeLabel> {
	return catalog(app.ref).byCode.has(serviceCode) ? attributeLabelsOf(definitionAttributes(serviceCode)) : new Map();
}

// --- POST requests -----------------------------------------------------------------------------------------

/** The ticket type of a service: consultations and suggestions by the service's name, requests for help otherwise. */
export function ticketTypeOf(serviceName: string): TicketType {
	if (serviceName.includes('咨询')) return '咨询';
	if (serviceName.includes('建议')) return '建议';
	return '求助';
}

/** The reporter's name: family name first for Chinese names (张 + 三 → 张三), "first last" otherwise. */
export function reporterName(first: string | undefined, last: string | undefined): string | null {
	const f = first?.trim() ?? '';
	const l = last?.trim() ?? '';
	if (!f && !l) return null;
	return /\p{Script=Han}/u.test(f + l) ? l + f : [f, l].filter(Boolean).join(' ');
}

function coordinate(text: string, max: number): number | null {
	if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text.trim())) return null;
	const n = Number(text);
	return Number.isFinite(n) && Math.abs(n) <= max ? n : null;
}

const chars = (s: string) => [...s].length;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Intake fields the case module refused, as the Open311 parameter behind them. */
const PARAM_OF_FIELD: Record<string, string> = {
	content: 'description',
	title: 'service_code',
	address: 'address_string',
	caller_name: 'first_name / last_name',
	caller_phone: 'phone',
	lon: 'long',
	lat: 'lat',
	category_code: 'service_code',
	district_code: 'address_id',
	street_code: 'address_id'
};

export interface CreatedRequest {
	/** the POST response's one request: service_request_id, service_notice, account_id */
	request: Fields;
	ticket: TicketRow;
	/** an Idempotency-Key seen before: the ticket registered then, nothing new */
	replayed: boolean;
}

function validate(app: App, p: Open311Params): string[] {
	const v = p.values;
	const errors: string[] = [];
	if (!v.service_code) errors.push('缺少 service_code（服务代码）：可用的代码见 GET services.xml 或 services.json');
	const hasLat = v.lat !== undefined;
	const hasLong = v.long !== undefined;
	if (!hasLat && !hasLong && v.address_string === undefined && v.address_id === undefined)
		errors.push('缺少位置：须提供 lat 和 long（WGS84 坐标）、address_string（地址）或 address_id（区、街道代码）之一');
	if (hasLat !== hasLong) errors.push(`lat 和 long 须同时提供：缺少 ${hasLat ? 'long（经度）' : 'lat（纬度）'}`);
	if (hasLat && coordinate(v.lat, 90) === null) errors.push(`lat（纬度）应为 -90 到 90 之间的十进制数，收到“${shown(v.lat)}”`);
	if (hasLong && coordinate(v.long, 180) === null) errors.push(`long（经度）应为 -180 到 180 之间的十进制数，收到“${shown(v.long)}”`);
	const lat = hasLat ? coordinate(v.lat, 90) : null;
	const lon = hasLong ? coordinate(v.long, 180) : null;
	// the spec's lat/long is where the issue is: one far from the city (0,0 of an app without a fix, a reporter's own
	// place elsewhere) places no ticket here
	if (lat !== null && lon !== null && !geocoderFor(app.ref).nearCity(lon, lat))
		errors.push(`lat/long（${shown(v.lat)}, ${shown(v.long)}）不在${app.ref.cityName}及其附近：请提供诉求发生地点的 WGS84 坐标，或只提供 address_string（地址）`);
	if (v.address_string !== undefined && chars(v.address_string) > 500)
		errors.push(`address_string（地址）不能超过 500 个字，收到 ${chars(v.address_string)} 个字`);
	if (v.address_id !== undefined && !app.ref.districtByCode.has(v.address_id) && !app.ref.streetByCode.has(v.address_id))
		errors.push(`address_id“${shown(v.address_id)}”不是${app.ref.cityName}的区（6 位）或街道、镇（9 位）行政区划代码`);
	if (v.description !== undefined && chars(v.description) > MAX_DESCRIPTION)
		errors.push(`description（诉求描述）不能超过 ${MAX_DESCRIPTION} 个字，收到 ${chars(v.description)} 个字`);
	if (v.email !== undefined && (v.email.length > 254 || !EMAIL.test(v.email.trim())))
		errors.push(`email“${shown(v.email)}”不是有效的电子邮件地址`);
	// the rule of the 受理 form: a number with the key repeat detection finds the caller by
	const area = app.ref.city.phoneAreaCode;
	if (v.phone !== undefined && (chars(v.phone.trim()) > 30 || callerPhoneRefusal(v.phone.trim(), area) !== null))
		errors.push(`phone（联系电话）“${shown(v.phone)}”格式不正确：${phoneForms(area)}，不超过 30 个字`);
	const name = reporterName(v.first_name, v.last_name);
	if (name && chars(name) > 50) errors.push(`first_name 和 last_name（姓名）合起来不能超过 50 个字，收到 ${chars(name)} 个字`);
	if (v.media_url !== undefined && (v.media_url.length > 2000 || !/^https?:\/\/\S+$/i.test(v.media_url.trim())))
		errors.push(`media_url 应为 http:// 或 https:// 开头、不含空格、不超过 2000 个字符的网址，收到“${shown(v.media_url)}”`);
	for (const k of ['device_id', 'account_id'] as const)
		if (v[k] !== undefined && v[k].length > 200) errors.push(`${k} 不能超过 200 个字符，收到 ${v[k].length} 个字符`);
	const codes = Object.keys(p.attributes);
	if (codes.length > 50) errors.push(`attribute 最多 50 项，收到 ${codes.length} 项`);
	for (const code of codes) {
		if (code.length > 100) errors.push(`attribute[${shown(code)}] 的代码不能超过 100 个字符`);
		else if (p.attributes[code].some((x) => x.length > 2000)) errors.push(`attribute[${code}] 的值不能超过 2000 个字符`);
	}
	return errors;
}

/** A district/street code given as address_id; without one, registerTicket places the ticket by its address text and point. */
function placeOf(app: App, v: Record<string, string>) {
	const street = v.address_id ? app.ref.streetByCode.get(v.address_id) : undefined;
	if (street) return { district_code: street.districtCode, street_code: street.code };
	return { district_code: v.address_id ?? null, street_code: null };
}


/**
 * POST requests: checks the api_key (an API token with scope open311), validates, and registers a ticket on
 * channel open311 as the token's client acting as an operator (`Open311（name）`). The ticket stays 待受理 for
 * an operator to screen. With an Idempotency-Key, a repeated submission returns the ticket of the first.
 */
export async function createRequest(app: App, p: Open311Params, opts: { idempotencyKey?: string | null } = {}): Promise<CreatedRequest> {
	checkJurisdiction(app, p);
	const v = p.values;
	if (!v.api_key) fail(403, '缺少 api_key：提交诉求须提供 Open311 令牌（mq_ 开头），请向热线管理员申请');
	const token = await verifyApiKey(app.rel.db, v.api_key, 'open311');
	if (!token) fail(403, 'api_key 无效、已吊销或没有 Open311 权限，无法提交诉求');

	const errors = validate(app, p);
	const service = v.service_code ? catalog(app.ref).byCode.get(v.service_code) : undefined;
	if (errors.length) {
		if (v.service_code && !service) errors.push(unknownService(v.service_code));
		fail(400, ...errors);
	}
	if (!service) fail(404, unknownService(v.service_code));
	if (!categoryInUse(app.ref, service.service_code))
		fail(400, `service_code“${shown(service.service_code)}”（${service.service_name}）已停用，不再受理新的诉求：可用的服务代码见 GET services.xml 或 services.json`);

	const source = open311Source(token.sourceName);
	const key = opts.idempotencyKey?.trim().slice(0, 200);
	const externalId = key ? `idempotency:${key}` : undefined;
	// the ticket needs a text: without a description, the service says what the report is about
	const content = v.description ?? `${service.group} › ${service.service_name}（提交时未填写描述）`;
	if (externalId) {
		const earlier = await replay(app, source, externalId);
		if (earlier) return sameReport(earlier, key!, service.service_code, content);
	}

	const lat = v.lat !== undefined ? coordinate(v.lat, 90) : null;
	const lon = v.long !== undefined ? coordinate(v.long, 180) : null;
	const actor: CaseUser = { id: null, role: 'operator', unitCode: null, displayName: `Open311（${token.name}）` };
	const input = {
		channel: 'open311',
		type: ticketTypeOf(service.service_name),
		title: service.service_name,
		content,
		address: v.address_string ?? '',
		...placeOf(app, v),
		category_code: service.service_code,
		urgency: 'normal',
		caller_name: reporterName(v.first_name, v.last_name),
		caller_phone: v.phone?.trim() ?? null,
		lon,
		lat
	};
	let ticket: TicketRow;
	try {
		ticket = await registerTicket(app, actor, input, { source, externalId, categoryLevel: 2 });
	} catch (e) {
		if (e instanceof CaseError && e.code === 'invalid_input') {
			const param = e.field ? (PARAM_OF_FIELD[e.field] ?? e.field) : null;
			fail(400, param ? `${param}：${e.message}` : e.message);
		}
		// the same Idempotency-Key sent twice at once: the other submission registered the ticket
		if (externalId && pgErrorCode(e) === '23505') {
			const earlier = await replay(app, source, externalId);
			if (earlier) return sameReport(earlier, key!, service.service_code, content);
		}
		throw e;
	}
	try {
		await app.rel.db.insert(open311Requests).values({
			ticketId: ticket.id,
			tokenId: token.id,
			serviceCode: service.service_code,
			email: v.email?.trim() ?? null,
			deviceId: v.device_id ?? null,
			accountId: v.account_id ?? null,
			mediaUrl: v.media_url?.trim() ?? null,
			attributes: Object.fromEntries(Object.entries(p.attributes))
		});
	} catch (e) {
		// the ticket is registered: answer with it, or the client would send the request again
		console.error(`[minqing] open311: ticket ${ticket.ticketNo} registered, its Open311 details not stored:`, withoutParameters(e));
	}
	return { request: createdFields(app, ticket, v.account_id ?? null), ticket, replayed: false };
}

function createdFields(app: App, t: TicketRow, accountId: string | null): Fields {
	return {
		service_request_id: t.ticketNo,
		service_notice: `已登记为${app.ref.cityName}12345热线工单 ${t.ticketNo}，待话务员受理后交承办单位办理；办理进度可通过 GET requests/${t.ticketNo}.json 查询`,
		account_id: accountId
	};
}

/**
 * The ticket an Idempotency-Key registered before, when this request is that report again (its service and its
 * text, blanks around it aside); a key reused for another report is a 400 — answering with the earlier ticket would
 * tell the client this report was registered when it was not.
 */
function sameReport(earlier: Replayed, key: string, serviceCode: string, content: string): CreatedRequest {
	// the service the first request named (a dispatcher may have given the ticket a finer category since)
	if (earlier.serviceCode === serviceCode && earlier.created.ticket.content.trim() === content.trim()) return earlier.created;
	fail(
		400,
		`Idempotency-Key“${shown(key)}”已用于另一份诉求（工单 ${earlier.created.ticket.ticketNo}），本次诉求未登记：每份新诉求请使用新的 Idempotency-Key，重试同一诉求时 service_code 和 description 须与首次相同`
	);
}

/** The request an Idempotency-Key registered before, with the service it named. */
interface Replayed {
	created: CreatedRequest;
	serviceCode: string | null;
}

async function replay(app: App, source: string, externalId: string): Promise<Replayed | null> {
	const [row] = await app.rel.db
		.select({ ticket: tickets, accountId: open311Requests.accountId, serviceCode: open311Requests.serviceCode })
		.from(tickets)
		.leftJoin(open311Requests, eq(open311Requests.ticketId, tickets.id))
		.where(and(eq(tickets.source, source), eq(tickets.externalId, externalId)));
	if (!row) return null;
	return {
		created: { request: createdFields(app, row.ticket, row.accountId), ticket: row.ticket, replayed: true },
		// without its Open311 details (not stored, see below), the ticket's category is the service it was given
		serviceCode: row.serviceCode ?? row.ticket.categoryCode
	};
}

// --- GET requests ------------------------------------------------------------------------------------------

const CLOSED_STATUSES: readonly Status[] = STATUSES.filter((s) => !OPEN_STATUSES.includes(s));

/** open while the ticket still needs work (待受理 … 待回访, 重新办理); closed once screened out, transferred, answered, merged or finished. */
export function open311Status(status: Status): 'open' | 'closed' {
	return OPEN_STATUSES.includes(status) ? 'open' : 'closed';
}

/**
 * The text is kept back for reports (举报, their reporters are protected) and for tickets refused as secret or private
 * (rule 6); so are the address, the street and the point, which tell where the reporter is as well as the text does.
 */
function textWithheld(t: Pick<TicketRow, 'type' | 'notAcceptedReason'>): boolean {
	return t.type === '举报' || t.notAcceptedReason === 6;
}

function serviceOf(app: App, code: string | null): { code: string | null; name: string } | null {
	if (!code || !app.ref.categoryByCode.has(code)) return null;
	const [l1, l2] = categoryAncestors(app.ref, code);
	return l2 ? { code: l2.code, name: l2.name } : { code: null, name: l1.name };
}

/** A deadline in a notice as the screens show it: one that ends at midnight is the end of its last day (2026-10-08 24:00). */
const deadlineText = (d: Date) => formatDeadline(d.toISOString());

function statusNotes(t: TicketRow, duplicateNo: string | null): string {
	const status = t.status as Status;
	if (status === 'not_accepted') return `不予受理：${NOT_ACCEPTED_REASONS[t.notAcceptedReason ?? 9] ?? NOT_ACCEPTED_REASONS[9]}`;
	if (status === 'transferred') return `属紧急事项，已转 ${t.transferredTo ?? '紧急热线'} 处理`;
	if (status === 'closed' && t.duplicateOf !== null) return duplicateNo ? `已并入工单 ${duplicateNo}，随该工单办理` : '已并入其他工单办理';
	return STATUS_LABELS[status] ?? status;
}

function serviceNotice(t: TicketRow, unit: string | null): string | null {
	const by = unit ?? '承办单位';
	switch (t.status as Status) {
		case 'received':
			return '等待话务员受理';
		case 'accepted':
			return '已受理，等待派至承办单位';
		case 'reopened':
			return '回访不满意，等待重新派单办理';
		case 'dispatched':
			return t.signDeadline ? `已派至${by}，应于 ${deadlineText(t.signDeadline)} 前签收` : `已派至${by}，等待签收`;
		case 'signed':
			return t.replyDeadline ? `${by}办理中，应于 ${deadlineText(t.replyDeadline)} 前答复` : `${by}办理中`;
		case 'replied':
			return `${by}已答复，等待回访`;
		default:
			return null;
	}
}

/** A ticket as the public sees it: never the caller's name or phone; phone numbers, ID numbers and self-given names in the text masked. */
function publicFields(app: App, t: TicketRow, extra: { mediaUrl: string | null; duplicateNo: string | null }): Fields {
	const status = t.status as Status;
	const open = open311Status(status) === 'open';
	const service = serviceOf(app, t.categoryCode);
	// while it waits for (re)dispatch no unit holds it: a reopened ticket keeps the previous round's unit and
	// deadlines, which are no one's responsibility and no date to expect now
	const held = !AWAITING_UNIT.includes(status);
	// a report's place points at its reporter as much as its text: only the district is given, and no unit is named
	// (a street office names the street)
	const withheld = textWithheld(t);
	const unit = held && t.unitCode && !withheld ? (app.ref.unitByCode.get(t.unitCode)?.name ?? t.unitCode) : null;
	return {
		service_request_id: t.ticketNo,
		status: open ? 'open' : 'closed',
		status_notes: statusNotes(t, extra.duplicateNo),
		service_name: service?.name ?? '未分类',
		service_code: service?.code ?? null,
		description: withheld ? null : maskPersonal(t.content, [t.callerName], [t.callerPhone]),
		agency_responsible: status === 'transferred' && t.transferredTo ? `${t.transferredTo} 紧急热线` : unit,
		service_notice: serviceNotice(t, unit),
		requested_datetime: w3cDate(t.receivedAt),
		// the spec: for a closed request, the date it was closed
		updated_datetime: w3cDate(open ? t.updatedAt : (t.closedAt ?? t.updatedAt)),
		expected_datetime: held ? w3cDate(t.replyDeadline ?? t.signDeadline) : null,
		address: t.address && !withheld ? maskPersonal(t.address, [t.callerName], [t.callerPhone]) : null,
		address_id: (withheld ? null : t.streetCode) ?? t.districtCode ?? null,
		zipcode: null,
		lat: withheld ? null : t.lat,
		long: withheld ? null : t.lon,
		media_url: extra.mediaUrl
	};
}

async function publicRequests(app: App, rows: TicketRow[]): Promise<Fields[]> {
	if (!rows.length) return [];
	const db = app.rel.db;
	const media = await db
		.select({ ticketId: open311Requests.ticketId, mediaUrl: open311Requests.mediaUrl })
		.from(open311Requests)
		.where(
			inArray(
				open311Requests.ticketId,
				rows.map((r) => r.id)
			)
		);
	const mediaOf = new Map(media.map((m) => [m.ticketId, m.mediaUrl]));
	const dupIds = [...new Set(rows.map((r) => r.duplicateOf).filter((x): x is number => x !== null))];
	const dups = dupIds.length
		? await db.select({ id: tickets.id, no: tickets.ticketNo }).from(tickets).where(inArray(tickets.id, dupIds))
		: [];
	const noOf = new Map(dups.map((d) => [d.id, d.no]));
	return rows.map((t) =>
		publicFields(app, t, {
			mediaUrl: mediaOf.get(t.id) ?? null,
			duplicateNo: t.duplicateOf === null ? null : (noOf.get(t.duplicateOf) ?? null)
		})
	);
}

/** The first and last instants of the years 0001–9999, which timestamps are written in. */
const FIRST_INSTANT = utcTime(1, 0, 1);
const LAST_INSTANT = utcTime(9999, 11, 31, 23, 59, 59, 999);

/** The time window of a GET requests query: [from, to] in epoch ms, both inclusive. */
export function requestWindow(
	start: { first: number; last: number } | null,
	end: { first: number; last: number } | null,
	now: number
): { from: number; to: number } {
	const span = WINDOW_DAYS * DAY;
	const w = start && end ? { from: start.first, to: end.last } : start ? { from: start.first, to: start.first + span - 1 } : end ? { from: end.last - span + 1, to: end.last } : { from: now - span + 1, to: now };
	// inside the years a timestamp can be written in (0001–9999): 90 days after 9999-12-01, or 9999-12-31T23:59-14:00,
	// are no time PostgreSQL reads; a window wholly beyond them shrinks to their last (or first) instant, which holds no ticket
	const clamp = (t: number) => Math.min(LAST_INSTANT, Math.max(FIRST_INSTANT, t));
	return { from: clamp(w.from), to: clamp(w.to) };
}


/**
 * GET requests. `service_request_id` (comma list) overrides every other argument; otherwise the requests
 * received in [start_date, end_date] (default: the most recent 90 days; a span of at most 90 days), of the
 * given services and statuses, newest first, at most 1,000.
 */
export async function listRequests(app: App, p: Open311Params, now = Date.now()): Promise<Fields[]> {
	checkJurisdiction(app, p);
	const v = p.values;
	const db = app.rel.db;
	if (v.service_request_id !== undefined) {
		const ids = listOf(v.service_request_id);
		if (ids.length > MAX_REQUESTS) fail(400, `service_request_id 一次最多 ${MAX_REQUESTS} 个，收到 ${ids.length} 个`);
		const rows = ids.length
			? await db.select().from(tickets).where(inArray(tickets.ticketNo, ids)).orderBy(desc(tickets.receivedAt), desc(tickets.id))
			: [];
		return publicRequests(app, rows);
	}
	const errors: string[] = [];
	const cat = catalog(app.ref);
	const codes = listOf(v.service_code);
	const unknown = codes.filter((c) => !cat.byCode.has(c));
	if (unknown.length)
		errors.push(`service_code 中的“${unknown.map(shown).join('”“')}”不存在：可用的服务代码见 GET services.xml 或 services.json`);
	const statuses = listOf(v.status);
	const badStatus = statuses.filter((s) => s !== 'open' && s !== 'closed');
	if (badStatus.length) errors.push(`status 只能是 open 或 closed（多个用逗号分隔），收到“${badStatus.map(shown).join('”“')}”`);
	const dateOf = (name: 'start_date' | 'end_date') => {
		const text = v[name];
		if (text === undefined) return null;
		const d = parseW3cDate(text);
		if (!d)
			errors.push(`${name}“${shown(text)}”不是 w3c 格式的日期时间，应如 2026-11-01T08:00:00+08:00、2026-11-01T00:00:00Z 或 2026-11-01`);
		return d;
	};
	const start = dateOf('start_date');
	const end = dateOf('end_date');
	if (start && end) {
		if (end.last < start.first) errors.push(`end_date（${shown(v.end_date)}）早于 start_date（${shown(v.start_date)}）`);
		else if (end.last - start.first + 1 > WINDOW_DAYS * DAY)
			errors.push(`start_date 到 end_date 的跨度不能超过 ${WINDOW_DAYS} 天，收到约 ${Math.ceil((end.last - start.first + 1) / DAY)} 天`);
	}
	if (errors.length) fail(400, ...errors);

	const { from, to } = requestWindow(start, end, now);
	const where: (SQL | undefined)[] = [gte(tickets.receivedAt, new Date(from)), lte(tickets.receivedAt, new Date(to))];
	if (statuses.length === 1) where.push(inArray(tickets.status, statuses[0] === 'open' ? [...OPEN_STATUSES] : [...CLOSED_STATUSES]));
	if (codes.length)
		where.push(
			inArray(
				tickets.categoryCode,
				codes.flatMap((c) => cat.categoryCodes.get(c)!)
			)
		);
	const rows = await db
		.select()
		.from(tickets)
		.where(and(...where))
		.orderBy(desc(tickets.receivedAt), desc(tickets.id))
		.limit(MAX_REQUESTS);
	return publicRequests(app, rows);
}

/** GET requests/{id}: the one request, as a list of one. */
export async function getRequest(app: App, id: string, p: Open311Params): Promise<Fields[]> {
	checkJurisdiction(app, p);
	const [row] = await app.rel.db.select().from(tickets).where(eq(tickets.ticketNo, id));
	if (!row) fail(404, `service_request_id“${shown(id)}”不存在`);
	return publicRequests(app, [row]);
}

/**
 * GET tokens/{token}. Requests are registered at once (services are `realtime`), so POST requests returns the
 * service_request_id itself; a token is that ticket number, and only tickets submitted through Open311 have one.
 */
export async function requestIdFromToken(app: App, token: string, p: Open311Params): Promise<Fields[]> {
	checkJurisdiction(app, p);
	const [row] = await app.rel.db
		.select({ no: tickets.ticketNo })
		.from(tickets)
		.where(and(eq(tickets.ticketNo, token), like(tickets.source, `${OPEN311_PREFIX}%`)));
	if (!row)
		fail(
			404,
			`token“${shown(token)}”不存在：本接口即时登记诉求，POST requests 直接返回 service_request_id，token 即经 Open311 提交的工单编号`
		);
	return [{ service_request_id: row.no, token }];
}
