// The case module (DESIGN.md "Lifecycle"): registering a ticket, every transition with its role and state
// check and optimistic concurrency, and reading a ticket as a given user sees it. Routes call these functions;
// they throw CaseError, which cases/http.ts maps to HTTP.
import { maskPersonal } from '$pipelines/text/redact';
import { pgErrorCode } from '../db/errors';
import { and, asc, desc, eq, gte, inArray, ne, or, sql } from 'drizzle-orm';
import { AT_UNIT, deadlines, NO_PREFIX, OPEN_STATUSES, visitDeadline, STATUS_LABELS, URGENCY_LABELS, type Status, type TicketType, type Urgency } from '$pipelines/lifecycle/model';
import { cutChars, normalizePhone, maskName, maskPhone } from '$pipelines/normalize/index';
import { shanghaiDay } from '$pipelines/calendar/index';
import { STREET_NONE, type SessionUser } from '$lib/types';
import { formatDeadline } from '$lib/charts/format';
import type { App } from '../app';
import type { Db } from '../db';
import { fromDriverRow } from '../db/rows';
import { ticketEvents, ticketLinks, tickets, type TicketRow } from '../db/schema';
import { requestSync } from '../sync';
import { REPEAT_SIMILARITY, repeatScores } from '$pipelines/text/bigrams';
import { geocoderFor } from '../geo';
import { CaseError, actionSchema, callerPhoneRefusal, intakeSchema, parseInput, tidyTicketNo, requireFor, type ActionInput, type IntakeInput } from './input';
import { getLimits, workClocks } from './limits';
import { ACTION_LABELS, CASE_ROLES, SCREEN_ACTIONS, canView, check, isAnnotation, isUnversioned, roleRefusal, targetOf, type CaseAction, type CaseState } from './machine';
import { dispatchableUnit } from '../units';
import { categoryForNew } from '../categories';

/** Who acts: a signed-in user, or a system actor without a user row (id null), such as an Open311 client acting as operator. */
export type CaseUser = Pick<SessionUser, 'role' | 'unitCode' | 'displayName'> & { id: number | null; unitName?: string | null };

/** The letters every ticket number starts with (NO_PREFIX in the lifecycle model): a ticket registered here is SZ20261201-H00001. */
export { NO_PREFIX };

function actorName(app: App, u: CaseUser): string {
	if (u.role !== 'unit_handler' || !u.unitCode) return u.displayName;
	return `${app.ref.unitByCode.get(u.unitCode)?.name ?? u.unitCode}·${u.displayName}`;
}

export function stateOf(t: TicketRow, now = Date.now()): CaseState {
	return {
		replyOverdue: t.replyDeadline !== null && now > t.replyDeadline.getTime(),
		status: t.status as Status,
		unitCode: t.unitCode,
		assistUnits: t.assistUnits,
		extensionPending: t.extensionPending !== null,
		handledByUnit: t.dispatchedAt !== null && t.duplicateOf === null
	};
}

function refuse(r: { code: CaseError['code']; message: string }): never {
	throw new CaseError(r.code, r.message);
}

/**
 * The title a ticket is shown with (lists, its page, 回访话术): its own, or — none written — its content's first 30
 * characters; `hide` masks what the viewer may not see, before the cut (a cut through a name or a number would leave
 * its first part in clear).
 */
export function shownTitle(t: Pick<TicketRow, 'title' | 'content'>, hide: (s: string) => string = (s) => s): string {
	return t.title ? hide(t.title) : cutChars(hide(t.content), 30);
}

/** Checks the codes of an intake against the city's reference data; the refusal names the field. */
function checkPlaces(app: App, i: Pick<IntakeInput, 'district_code' | 'street_code' | 'category_code'>, minCategoryLevel = 3): void {
	const ref = app.ref;
	if (i.district_code && !ref.districtByCode.has(i.district_code))
		throw new CaseError('invalid_input', `所属区“${i.district_code}”不存在`, 'district_code');
	if (i.street_code) {
		const st = ref.streetByCode.get(i.street_code);
		if (!st) throw new CaseError('invalid_input', `所属街道（镇）“${i.street_code}”不存在`, 'street_code');
		if (i.district_code && st.districtCode !== i.district_code)
			throw new CaseError('invalid_input', `街道（镇）“${st.name}”不属于所选的区`, 'street_code');
	}
	if (i.category_code) knownCategory(app, i.category_code, minCategoryLevel);
}

/**
 * Registers a ticket (受理 form, web/app/WeChat, Open311): stored exactly as given, status 待受理, with its
 * `receive` event; `decision` screens it in the same transaction (the operator's 受理 / 不予受理 / 转办 / 直接答复 / 并单).
 */
export async function registerTicket(
	app: App,
	user: CaseUser,
	raw: unknown,
	opts: {
		source?: string;
		externalId?: string;
		decision?: unknown;
		/** an Open311 service is a level-2 category: its reports come with one (the forms and the API take level 3 only) */
		categoryLevel?: 2 | 3;
	} = {}
): Promise<TicketRow> {
	const input = parseInput(intakeSchema, raw);
	// stored as given (an extension too, which the key drops); refused unless it has the key repeat detection uses
	const phoneRefused = input.caller_phone ? callerPhoneRefusal(input.caller_phone, app.ref.city.phoneAreaCode) : null;
	if (phoneRefused) throw new CaseError('invalid_input', phoneRefused, 'caller_phone', `caller_phone: not a phone number normalizePhone reads`);
	checkPlaces(app, input, opts.categoryLevel ?? 3);
	if (input.street_code && !input.district_code) input.district_code = app.ref.streetByCode.get(input.street_code)!.districtCode;
	// the place from the address (or the point) when the form or the client did not give it
	if (!input.district_code) {
		// 苏州工业园区 has no polygon and lies inside 姑苏区's: there the nearer label point decides, and an address
		// that names a district decides before the point
		const byPoint = input.lon != null && input.lat != null ? geocoderFor(app.ref).locateNearest(input.lon, input.lat) : null;
		const g = input.address.trim()
			? geocoderFor(app.ref).geocodeText(input.address, byPoint ? { districtCode: byPoint } : undefined)
			: null;
		input.district_code = g?.districtCode ?? byPoint;
		if (g?.streetCode && g.districtCode === input.district_code) input.street_code = g.streetCode;
	}
	const decision =
		opts.decision === undefined || opts.decision === null ? null : parseInput(actionSchema, { ...(opts.decision as object), version: 1 });
	if (decision) {
		if (!(SCREEN_ACTIONS as readonly string[]).includes(decision.action))
			throw new CaseError(
				'invalid_input',
				`登记时只能选择受理、不予受理、转办、直接答复或并单，不能${ACTION_LABELS[decision.action]}`,
				'decision'
			);
		requireFor(decision);
	}
	if (input.links.length) {
		const found = await app.rel.db.select({ no: tickets.ticketNo }).from(tickets).where(inArray(tickets.ticketNo, input.links));
		const missing = input.links.find((no) => !found.some((f) => f.no === no));
		if (missing) throw new CaseError('invalid_input', `要关联的工单 ${missing} 不存在`, 'links');
		// the role rule of 关联 (the new ticket's state allows it; the linked ones exist)
		const refusal = roleRefusal(user, 'link');
		if (refusal) refuse(refusal);
	}
	return batcherOf(app).add({
		input,
		user,
		source: opts.source ?? 'minqing',
		externalId: opts.externalId ?? null,
		decision,
		at: Date.now()
	});
}

interface PendingIntake {
	input: IntakeInput;
	user: CaseUser;
	source: string;
	externalId: string | null;
	decision: ActionInput | null;
	at: number;
}

/**
 * Group commit of new tickets: registrations that arrive in the same event-loop turn, or while a batch is being
 * written, go together in one statement (insertRows), so the store's per-statement cost is shared under load;
 * alone, a registration is its own batch. A batch that fails is retried one ticket at a time, so one bad ticket
 * never fails the others.
 */
class IntakeBatcher {
	private queue: { p: PendingIntake; resolve: (t: TicketRow) => void; reject: (e: unknown) => void }[] = [];
	private flushing = false;
	static readonly MAX = 200;

	constructor(private readonly app: App) {}

	add(p: PendingIntake): Promise<TicketRow> {
		return new Promise((resolve, reject) => {
			this.queue.push({ p, resolve, reject });
			// the flush starts after the event loop's I/O phase, so the requests read in the same turn join one batch
			if (!this.flushing) {
				this.flushing = true;
				setImmediate(() => void this.flush());
			}
		});
	}

	private async flush(): Promise<void> {
		try {
			while (this.queue.length) {
				const batch = this.queue.splice(0, IntakeBatcher.MAX);
				try {
					const rows = await insertTickets(
						this.app,
						batch.map((b) => b.p)
					);
					batch.forEach((b, i) => b.resolve(rows[i]));
				} catch (e) {
					if (batch.length === 1) batch[0].reject(e);
					else
						for (const b of batch)
							await insertTickets(this.app, [b.p]).then(
								(r) => b.resolve(r[0]),
								(err: unknown) => b.reject(err)
							);
				}
			}
		} finally {
			this.flushing = false;
		}
		requestSync(this.app);
	}
}

const batchers = new WeakMap<App, IntakeBatcher>();
function batcherOf(app: App): IntakeBatcher {
	let b = batchers.get(app);
	if (!b) batchers.set(app, (b = new IntakeBatcher(app)));
	return b;
}

/**
 * A batch of registrations: the tickets, their numbers and their `receive` events in one statement (atomic by
 * itself, and one round trip to the store); those with a screening decision or links to other tickets take
 * them in one transaction with it.
 */
async function insertTickets(app: App, batch: PendingIntake[]): Promise<TicketRow[]> {
	if (batch.every((p) => !p.decision && !p.input.links.length)) return insertRows(app, app.rel.db, batch);
	return app.rel.db.transaction(async (txx) => {
		const tx = txx as unknown as Db;
		const rows = await insertRows(app, tx, batch);
		const out: TicketRow[] = [];
		for (let i = 0; i < batch.length; i++) {
			const { decision, user, at, input } = batch[i];
			for (const no of input.links) await applyAction(app, tx, user, rows[i], { action: 'link', linked_no: no, note: '' }, at);
			out.push(decision ? await applyAction(app, tx, user, rows[i], decision, at) : rows[i]);
		}
		return out;
	});
}

/**
 * The statement behind insertTickets: the batch goes in as one JSON parameter; each Asia/Shanghai day's counter
 * goes up by that day's count, and the tickets of a day take its numbers in batch order (SZ<day>-H<serial>, the
 * serial at least 5 digits). Rows come back in batch order.
 */
async function insertRows(app: App, db: Db, batch: PendingIntake[]): Promise<TicketRow[]> {
	const input = batch.map(({ input: t, source, externalId, at, user }, i) => ({
		i,
		day: shanghaiDay(at).replaceAll('-', ''),
		source,
		external_id: externalId,
		channel: t.channel,
		type: t.type,
		category_code: t.category_code,
		title: t.title,
		content: t.content,
		address: t.address,
		district_code: t.district_code,
		street_code: t.street_code,
		lon: t.lon ?? null,
		lat: t.lat ?? null,
		urgency: t.urgency,
		caller_name: t.caller_name,
		caller_phone: t.caller_phone,
		caller_phone_key: t.caller_phone ? normalizePhone(t.caller_phone, app.ref.city.phoneAreaCode ?? undefined) : null,
		at: new Date(at).toISOString(),
		actor_user_id: user.id,
		actor_name: actorName(app, user)
	}));
	const r = (await db.execute(sql`
		WITH input AS (
			SELECT * FROM json_to_recordset(${JSON.stringify(input)}::json) AS r(
				i int, day text, source text, external_id text, channel text, type text, category_code text, title text,
				content text, address text, district_code text, street_code text, lon float8, lat float8, urgency text,
				caller_name text, caller_phone text, caller_phone_key text, at timestamptz, actor_user_id int, actor_name text)
		),
		per_day AS (SELECT day, count(*)::int AS k FROM input GROUP BY day),
		counters AS (
			INSERT INTO ticket_counters AS c (day, last) SELECT day, k FROM per_day
			ON CONFLICT (day) DO UPDATE SET last = c.last + excluded.last
			RETURNING day, last
		),
		numbered AS (
			SELECT input.*, ${NO_PREFIX} || input.day || '-H' || lpad(s::text, greatest(5, length(s::text)), '0') AS ticket_no
			FROM (SELECT input.*, counters.last - per_day.k + row_number() OVER (PARTITION BY input.day ORDER BY input.i) AS s
			      FROM input JOIN per_day USING (day) JOIN counters USING (day)) input
		),
		ins AS (
			INSERT INTO tickets (ticket_no, source, external_id, channel, type, category_code, title, content, address, district_code,
			                     street_code, lon, lat, urgency, status, caller_name, caller_phone, caller_phone_key, received_at, updated_at)
			SELECT ticket_no, source, coalesce(external_id, ticket_no), channel, type, category_code, title, content, address, district_code,
			       street_code, lon, lat, urgency, 'received', caller_name, caller_phone, caller_phone_key, at, at
			FROM numbered ORDER BY i
			RETURNING *
		),
		events AS (
			INSERT INTO ticket_events (ticket_id, action, from_status, to_status, actor_user_id, actor_name, note, at)
			SELECT ins.id, 'receive', NULL, 'received', n.actor_user_id, n.actor_name, '', n.at FROM ins JOIN numbered n USING (ticket_no)
		)
		SELECT ins.* FROM ins JOIN numbered n ON n.ticket_no = ins.ticket_no ORDER BY n.i`)) as unknown as {
		rows: Record<string, unknown>[];
	};
	if (r.rows.length !== batch.length) throw new Error(`registered ${r.rows.length} tickets of a batch of ${batch.length}`);
	return r.rows.map((row) => fromDriverRow(tickets, row));
}

/** Takes an action on a ticket as `user`; the input carries the version the user saw (not for notes). */
export async function actOnTicket(app: App, user: CaseUser, typedNo: string, raw: unknown): Promise<TicketRow> {
	const ticketNo = tidyTicketNo(typedNo);
	const input = parseInput(actionSchema, raw);
	requireFor(input);
	const row = await app.rel.db
		.transaction(async (txx) => {
			const tx = txx as unknown as Db;
			const [t] = await tx.select().from(tickets).where(eq(tickets.ticketNo, ticketNo)).for('update');
			if (!t) throw notFound(ticketNo);
			return applyAction(app, tx, user, t, input, Date.now());
		})
		.catch((e: unknown) => {
			// two merges of two tickets into each other at once lock them in opposite order: PostgreSQL ends one
			if (pgErrorCode(e) === '40P01') throw new CaseError('conflict', `工单 ${ticketNo} 已被他人同时处理，请刷新后重试`);
			throw e;
		});
	if (!isAnnotation(input.action)) requestSync(app);
	return row;
}

/** What `recallFromUnit` did: the tickets recalled, and those left because someone changed them meanwhile. */
/** The most tickets one batch acts on: a queue's page is 50, a dispatcher's selection over pages no more. */
export const BATCH_MAX = 100;

/** One ticket's outcome in a batch: its new status and version, or why it was refused. */
export type BatchOutcome =
	| { ticketNo: string; ok: true; status: string; version: number }
	| { ticketNo: string; ok: false; code: CaseError['code']; message: string };

/**
 * The same kind of step on many tickets (派单 to the suggested units, 催办 of the overdue ones), each ticket on its
 * own as `actOnTicket` takes it — its own checks, version and transaction — so one refused (taken meanwhile, a stale
 * version) neither stops nor undoes the others; the outcome of each is returned in the order given. `raw` is a list
 * of action inputs, each with its `ticket_no`; a ticket named twice is refused as a whole, before any step.
 */
export async function actOnTickets(app: App, user: CaseUser, raw: unknown): Promise<BatchOutcome[]> {
	if (!Array.isArray(raw) || raw.length === 0) throw new CaseError('invalid_input', '请至少选择一件工单', 'items');
	if (raw.length > BATCH_MAX) throw new CaseError('invalid_input', `一次最多处理 ${BATCH_MAX} 件工单，本次 ${raw.length} 件`, 'items');
	const items = raw.map((item: unknown, i) => {
		if (!item || typeof item !== 'object' || typeof (item as { ticket_no?: unknown }).ticket_no !== 'string')
			throw new CaseError('invalid_input', `第 ${i + 1} 项缺少工单编号（ticket_no）`, 'items', `item ${i}: ${JSON.stringify(item)?.slice(0, 200)}`);
		const { ticket_no, ...input } = item as { ticket_no: string } & Record<string, unknown>;
		return { no: tidyTicketNo(ticket_no), input };
	});
	const seen = new Set<string>();
	for (const { no } of items) {
		if (seen.has(no)) throw new CaseError('invalid_input', `工单 ${no} 在本次选择中出现了两次`, 'items');
		seen.add(no);
	}
	const out: BatchOutcome[] = [];
	for (const { no, input } of items) {
		try {
			const row = await actOnTicket(app, user, no, input);
			out.push({ ticketNo: row.ticketNo, ok: true, status: row.status, version: row.version });
		} catch (e) {
			if (!(e instanceof CaseError)) throw e;
			if (e.detail) console.warn(`[minqing] batch step refused: ${no} ${e.code} ${e.field ?? ''} ${e.detail}`);
			out.push({ ticketNo: no, ok: false, code: e.code, message: e.message });
		}
	}
	return out;
}

export interface RecallOutcome {
	recalled: string[];
	/** changed meanwhile (the unit signed, replied or returned at that moment): each is left as it is now */
	left: { ticketNo: string; message: string }[];
}

/**
 * 收回 of every ticket a stopped unit leads (设置 › 单位), for the dispatchers to dispatch anew: each ticket its own
 * recall, with its event and its version, as on its page; one changed meanwhile is left and said. Only for a stopped
 * unit: an active unit's tickets are recalled one by one, each for its own reason.
 */
export async function recallFromUnit(app: App, user: CaseUser, unitCode: string, note: unknown): Promise<RecallOutcome> {
	const refusal = roleRefusal(user, 'recall');
	if (refusal) throw new CaseError('forbidden', refusal.message);
	const unit = app.ref.unitByCode.get(unitCode);
	if (!unit) throw new CaseError('invalid_input', `单位 ${unitCode} 不存在`, 'code');
	if (unit.active) throw new CaseError('invalid_input', `${unit.name}仍在启用中：一并收回只用于已停用的单位，其工单请在工单详情中逐件收回`, 'code');
	const reason = typeof note === 'string' ? note.trim() : '';
	if (!reason) throw new CaseError('invalid_input', '收回须说明理由', 'note');
	const held = await app.rel.db
		.select({ no: tickets.ticketNo, version: tickets.version })
		.from(tickets)
		.where(and(eq(tickets.unitCode, unitCode), inArray(tickets.status, [...AT_UNIT])))
		.orderBy(asc(tickets.id));
	const out: RecallOutcome = { recalled: [], left: [] };
	for (const t of held) {
		try {
			await actOnTicket(app, user, t.no, { action: 'recall', version: t.version, note: reason });
			out.recalled.push(t.no);
		} catch (e) {
			if (!(e instanceof CaseError) || !['conflict', 'invalid_state'].includes(e.code)) throw e;
			out.left.push({ ticketNo: t.no, message: e.message });
		}
	}
	return out;
}

/**
 * A correction of the category, type, urgency, title or place made while screening or dispatching: each field from → to
 * (a street is null when the corrected district's street is not known).
 */
type Reclassified = Partial<
	Record<'category' | 'type' | 'urgency' | 'title', [string | null, string]> &
		Record<'district' | 'street', [string | null, string | null]> & { point: [[number, number], null] }
>;

/**
 * Puts the corrected category, type, urgency, title and place of `a` into `set` (the type and urgency decide the time
 * limits the dispatch counts: an Open311 report or a mistyped call is put right here; the place decides the
 * suggested unit, the map and every figure by district: a web submission's wrong district is put right here);
 * returns the event's record of what changed, or null when nothing did. The place as `placeAfter` makes it.
 */
function reclassify(app: App, t: TicketRow, a: ActionInput, set: Partial<TicketRow>): { changed: Reclassified } | null {
	const changed: Reclassified = {};
	if (a.category_code) {
		const code = knownCategory(app, a.category_code);
		if (code !== t.categoryCode) [set.categoryCode, changed.category] = [code, [t.categoryCode, code]];
	}
	if (a.type && a.type !== t.type) [set.type, changed.type] = [a.type, [t.type, a.type]];
	if (a.urgency && a.urgency !== t.urgency) [set.urgency, changed.urgency] = [a.urgency, [t.urgency, a.urgency]];
	// the title an operator or a submitter wrote, put as the matter; the caller's content is never changed. A ticket
	// without one shows its content's start: sent back as it was shown, that is no change
	const title = a.title?.trim();
	if (title && title !== shownTitle(t)) [set.title, changed.title] = [title, [t.title, title]];
	const { districtCode: district, streetCode: street } = placeAfter(app, t, a);
	if (district !== t.districtCode) [set.districtCode, changed.district] = [district, [t.districtCode, district]];
	if (street !== t.streetCode) [set.streetCode, changed.street] = [street, [t.streetCode, street]];
	// a submitter's map point that the corrected district cannot hold (the phone's position, say, not the matter's)
	// would pin the ticket where it is not: it is taken off the ticket, and kept in this change's record
	if (changed.district && district && t.lon != null && t.lat != null && !geocoderFor(app.ref).pointMayBeIn(district, t.lon, t.lat))
		[set.lon, set.lat, changed.point] = [null, null, [[t.lon, t.lat], null]];
	return Object.keys(changed).length ? { changed } : null;
}

/**
 * The place of ticket `t` after the correction `a` (checked; the refusal names the field): a street brings its
 * district, a district alone keeps the street only if it is the ticket's own district, STREET_NONE takes the street off;
 * nothing given, the place as it is.
 */
export function placeAfter(
	app: App,
	t: Pick<TicketRow, 'districtCode' | 'streetCode'>,
	a: { district_code?: string; street_code?: string }
): { districtCode: string | null; streetCode: string | null } {
	if (!a.district_code && !a.street_code) return { districtCode: t.districtCode, streetCode: t.streetCode };
	// a street found wrong, the right one not known: back to 未定, in the district given or the ticket's own
	if (a.street_code === STREET_NONE) {
		checkPlaces(app, { district_code: a.district_code ?? null, street_code: null, category_code: null });
		return { districtCode: a.district_code || t.districtCode, streetCode: null };
	}
	checkPlaces(app, { district_code: a.district_code ?? null, street_code: a.street_code ?? null, category_code: null });
	const districtCode = a.district_code || app.ref.streetByCode.get(a.street_code!)!.districtCode;
	return { districtCode, streetCode: a.street_code || (districtCode === t.districtCode ? t.streetCode : null) };
}

/** The timeline's words for a correction: 诉求类型由“求助”改为“投诉”… */
function changeNote(app: App, c: Reclassified): string {
	const category = (code: string | null) => (code ? (app.ref.categoryByCode.get(code)?.name ?? code) : '未分类');
	const parts: string[] = [];
	if (c.category) parts.push(`诉求分类由“${category(c.category[0])}”改为“${category(c.category[1])}”`);
	if (c.type) parts.push(`诉求类型由“${c.type[0]}”改为“${c.type[1]}”`);
	if (c.urgency) parts.push(`紧急程度由“${URGENCY_LABELS[c.urgency[0] as Urgency] ?? c.urgency[0]}”改为“${URGENCY_LABELS[c.urgency[1] as Urgency]}”`);
	const district = (code: string | null) => (code ? (app.ref.districtByCode.get(code)?.name ?? code) : '未定');
	const street = (code: string | null) => (code ? (app.ref.streetByCode.get(code)?.name ?? code) : '未定');
	if (c.title) parts.push(c.title[0] ? `标题由“${c.title[0]}”改为“${c.title[1]}”` : `标题定为“${c.title[1]}”（原无标题）`);
	if (c.district) parts.push(`所属区由“${district(c.district[0])}”改为“${district(c.district[1])}”`);
	if (c.street) parts.push(`所属街道（镇）由“${street(c.street[0])}”改为“${street(c.street[1])}”`);
	if (c.point && c.district)
		parts.push(`原地图位置（东经 ${c.point[0][0].toFixed(5)}，北纬 ${c.point[0][1].toFixed(5)}）不在${district(c.district[1])}，已从工单上去掉`);
	return parts.join('，');
}

/** Whether a unit was ever given the ticket, to lead or to assist: an event in its name (a dispatch to it, a feed's version naming it, its own actions) or a dispatch naming it to assist. */
export async function heldBy(db: Db, ticketId: number, unitCode: string): Promise<boolean> {
	const [e] = await db
		.select({ id: ticketEvents.id })
		.from(ticketEvents)
		.where(
			and(
				eq(ticketEvents.ticketId, ticketId),
				or(
					eq(ticketEvents.unitCode, unitCode),
					and(eq(ticketEvents.action, 'dispatch'), sql`${ticketEvents.data} -> 'assistUnits' @> ${JSON.stringify([unitCode])}::jsonb`)
				)
			)
		)
		.limit(1);
	return !!e;
}

/** A ticket given back to the dispatchers (退单 by its unit, 收回 by them): no unit, no limits running, not signed. */
const GIVEN_BACK = {
	unitCode: null,
	assistUnits: [],
	signDeadline: null,
	replyDeadline: null,
	signDeadlineWork: null,
	replyDeadlineWork: null,
	signedAt: null
} satisfies Partial<TicketRow>;

/** A reply's return visits not tried yet. */
const NO_VISIT_ATTEMPTS = { visitAttempts: 0, visitAttemptedAt: null, visitFailure: null } satisfies Partial<TicketRow>;

async function applyAction(app: App, tx: Db, user: CaseUser, t: TicketRow, a: ActionInput, now: number): Promise<TicketRow> {
	const action: CaseAction = a.action;
	// a passed reply limit is refused below, with its date (the state's flag hides 申请延期 from the buttons)
	const refusal = check(user, action, { ...stateOf(t, now), replyOverdue: false });
	if (refusal?.code === 'not_found') {
		// a unit that held the ticket (led or assisted) and acts on it after another change took it away (a
		// colleague's return, a dispatch elsewhere) is told of the change, as any loser of a race is, whatever version
		// it sends (answers that differ by version would tell it how the ticket went on); it learns nothing it did not know
		if (user.unitCode && (await heldBy(tx, t.id, user.unitCode))) throw new CaseError('conflict', `工单 ${t.ticketNo} 已被他人更新，请刷新后重试`);
		throw notFound(t.ticketNo);
	}
	if (refusal && refusal.code !== 'invalid_state') refuse(refusal);
	// someone acted since the user loaded the ticket: say that, rather than what the new state no longer allows
	if (!isUnversioned(action) && a.version !== t.version) throw new CaseError('conflict', `工单 ${t.ticketNo} 已被他人更新，请刷新后重试`);
	if (refusal) refuse(refusal);
	const from = t.status as Status;
	const to = targetOf(action, from, a.reopen);
	const at = new Date(now);
	const set: Partial<TicketRow> = {};
	let data: Record<string, unknown> | null = null;
	let unitCode: string | null = user.role === 'unit_handler' ? user.unitCode : t.unitCode;
	let note = a.note;

	switch (action) {
		case 'accept':
			data = reclassify(app, t, a, set);
			break;
		case 'not_accept':
			set.notAcceptedReason = a.reason!;
			set.closedAt = at;
			data = { reason: a.reason };
			break;
		case 'transfer':
			set.transferredTo = a.transferred_to!;
			set.closedAt = at;
			data = { transferredTo: a.transferred_to };
			note ||= `属紧急事项，已转${a.transferred_to}并告知来电人`;
			break;
		case 'answer':
			set.closedAt = at;
			break;
		case 'merge': {
			// locked, so that a concurrent merge of the target elsewhere (a chain) or its closing waits for this one
			const [target] = await tx.select().from(tickets).where(eq(tickets.ticketNo, a.duplicate_of!)).for('update');
			if (!target) throw new CaseError('invalid_input', `要并入的工单 ${a.duplicate_of} 不存在`, 'duplicate_of');
			if (target.id === t.id) throw new CaseError('invalid_input', '不能并入工单本身', 'duplicate_of');
			if (target.duplicateOf !== null)
				throw new CaseError('invalid_input', `工单 ${target.ticketNo} 本身已并入其他工单，请并入主工单`, 'duplicate_of');
			// the call is handled with the earlier ticket: one still being handled (not one refused, transferred,
			// answered or closed, which would close this call unhandled)
			if (!OPEN_STATUSES.includes(target.status as Status))
				throw new CaseError(
					'invalid_input',
					`工单 ${target.ticketNo} 的状态为“${STATUS_LABELS[target.status as Status] ?? target.status}”，只能并入仍在办理中的工单；可关联该工单后另行受理`,
					'duplicate_of'
				);
			// no chains: tickets merged into this one would point at a ticket that is itself merged
			const [child] = await tx.select({ no: tickets.ticketNo }).from(tickets).where(eq(tickets.duplicateOf, t.id)).limit(1);
			if (child)
				throw new CaseError('invalid_input', `已有工单（如 ${child.no}）并入工单 ${t.ticketNo}，它不能再并入其他工单`, 'duplicate_of');
			set.duplicateOf = target.id;
			set.closedAt = at;
			data = { duplicateOf: target.ticketNo };
			note ||= `并入工单 ${target.ticketNo}`;
			break;
		}
		case 'dispatch': {
			const unit = dispatchableUnit(app.ref, a.unit_code!, 'unit_code').code;
			const assist = [...new Set(a.assist_units ?? [])].filter((c) => c !== unit);
			for (const c of assist) dispatchableUnit(app.ref, c, 'assist_units');
			const changes = reclassify(app, t, a, set);
			const limits = await getLimits(tx);
			// the limits of the type and urgency as corrected by this dispatch
			const type = (set.type ?? t.type) as TicketType;
			const d = deadlines(app.calendar, limits, type, (set.urgency ?? t.urgency) === 'urgent', now);
			Object.assign(set, {
				unitCode: unit,
				assistUnits: assist,
				dispatchedAt: at,
				signedAt: null,
				repliedAt: null,
				closedAt: null,
				signDeadline: new Date(d.signDeadline),
				replyDeadline: new Date(d.replyDeadline),
				...workClocks(app.calendar, { dispatchedAt: now, signDeadline: d.signDeadline, replyDeadline: d.replyDeadline }),
				extensionPending: null,
				// 催办 and 督办 are counted per handling round: what the unit now holding the ticket got (the timeline keeps all)
				urgeCount: 0,
				supervisedAt: null
			});
			unitCode = unit;
			data = { unit, assistUnits: assist, signDeadline: d.signDeadline, replyDeadline: d.replyDeadline, ...changes };
			note ||= `派至${app.ref.unitByCode.get(unit)!.name}${assist.length ? `，协办：${assist.map((c) => app.ref.unitByCode.get(c)!.name).join('、')}` : ''}`;
			break;
		}
		case 'sign':
			set.signedAt = at;
			break;
		case 'return':
			Object.assign(set, GIVEN_BACK);
			break;
		case 'recall':
			// the unit's pending request for more time lapses with the ticket; its late steps stay its own (rounds.ts)
			Object.assign(set, GIVEN_BACK, { extensionPending: null });
			data = { ...(t.assistUnits.length ? { assistUnits: t.assistUnits } : {}), ...(t.extensionPending ? { extensionLapsed: (t.extensionPending as { days: number }).days } : {}) };
			break;
		case 'extension_request':
			// an extension is asked for within the limit: one granted afterwards would turn a late reply into an
			// on-time one and take an overdue ticket off the 督办 red list
			if (t.replyDeadline && now > t.replyDeadline.getTime())
				throw new CaseError(
					'invalid_state',
					`工单 ${t.ticketNo} 的办理时限已于 ${formatDeadline(t.replyDeadline.toISOString())} 届满，不能再申请延期（延期须在时限届满前申请）`
				);
			set.extensionPending = { days: a.days, reason: note, at: now, by: actorName(app, user) };
			data = { days: a.days };
			break;
		case 'extension_approve': {
			const pending = t.extensionPending as { days: number };
			const n = a.days ?? pending.days;
			// counted from the limit it extends (asked for within it), also when approved after it
			const base = t.replyDeadline ? t.replyDeadline.getTime() : now;
			const replyDeadline = app.calendar.addWorkingDays(base - 1, n);
			set.replyDeadline = new Date(replyDeadline);
			set.replyDeadlineWork = app.calendar.workingClock(replyDeadline);
			set.extensionPending = null;
			data = { days: n, replyDeadline };
			note ||= `同意延期 ${n} 个工作日`;
			break;
		}
		case 'extension_deny':
			set.extensionPending = null;
			break;
		case 'urge':
			set.urgeCount = t.urgeCount + 1;
			break;
		case 'supervise':
			set.supervisedAt = t.supervisedAt ?? at;
			break;
		case 'reply':
			set.repliedAt = at;
			// the visits of an earlier reply (before a reopening) were about that reply
			Object.assign(set, NO_VISIT_ATTEMPTS);
			set.visitDeadline = new Date(visitDeadline(app.calendar, await getLimits(tx), at.getTime()));
			// a request for more time still pending lapses with the reply: the work it asked time for is done
			if (t.extensionPending) {
				set.extensionPending = null;
				data = { extensionLapsed: (t.extensionPending as { days: number }).days };
			}
			break;
		case 'visit':
			set.satisfaction = a.satisfaction!;
			data = { satisfaction: a.satisfaction };
			if (to === 'closed') set.closedAt = at;
			// 不满意 sent back to dispatch: the next reply has a visit deadline of its own
			else set.visitDeadline = null;
			note ||= `回访：${a.satisfaction}`;
			break;
		case 'visit_failed': {
			const n = t.visitAttempts + 1;
			Object.assign(set, { visitAttempts: n, visitAttemptedAt: at, visitFailure: a.outcome! });
			data = { outcome: a.outcome, attempt: n };
			note = [`第 ${n} 次回访未接通（${a.outcome}）`, note].filter(Boolean).join('：');
			break;
		}
		case 'reopen':
			set.closedAt = null;
			// the visit of the reply it reopens is done; the next reply has its own
			set.visitDeadline = null;
			break;
		case 'close':
			set.closedAt = at;
			break;
		case 'note':
			break;
		case 'link':
		case 'unlink':
			note = await setLink(app, tx, user, t, a.linked_no!, action === 'link', note, at);
			data = { linked: a.linked_no };
			break;
	}

	const changed = data?.changed as Reclassified | undefined;
	if (changed) note = [note, changeNote(app, changed)].filter(Boolean).join('；');

	let row = t;
	if (!isAnnotation(action)) {
		const [updated] = await tx
			.update(tickets)
			.set({ ...set, status: to, version: isUnversioned(action) ? t.version : t.version + 1, updatedAt: at })
			.where(and(eq(tickets.id, t.id), eq(tickets.version, t.version)))
			.returning();
		if (!updated) throw new CaseError('conflict', `工单 ${t.ticketNo} 已被他人更新，请刷新后重试`);
		row = updated;
	}
	await tx.insert(ticketEvents).values({
		ticketId: t.id,
		action,
		fromStatus: from,
		toStatus: to,
		actorUserId: user.id,
		actorName: actorName(app, user),
		unitCode,
		note,
		data,
		at
	});
	return row;
}

/**
 * 关联 / 取消关联 between `t` and the ticket numbered `otherNo` (one row per pair); the other ticket's timeline
 * records it too. Returns the note of `t`'s event.
 */
async function setLink(
	app: App,
	tx: Db,
	user: CaseUser,
	t: TicketRow,
	otherNo: string,
	on: boolean,
	note: string,
	at: Date
): Promise<string> {
	const verb = on ? '关联' : '取消关联';
	const [other] = await tx.select().from(tickets).where(eq(tickets.ticketNo, otherNo));
	if (!other) throw new CaseError('invalid_input', `要${verb}的工单 ${otherNo} 不存在`, 'linked_no');
	if (other.id === t.id) throw new CaseError('invalid_input', '不能关联工单本身', 'linked_no');
	const pair = { ticketId: Math.min(t.id, other.id), linkedId: Math.max(t.id, other.id) };
	const changed = on
		? await tx
				.insert(ticketLinks)
				.values({ ...pair, createdBy: actorName(app, user), createdAt: at })
				.onConflictDoNothing()
				.returning({ id: ticketLinks.ticketId })
		: await tx
				.delete(ticketLinks)
				.where(and(eq(ticketLinks.ticketId, pair.ticketId), eq(ticketLinks.linkedId, pair.linkedId)))
				.returning({ id: ticketLinks.ticketId });
	if (!changed.length)
		throw new CaseError('invalid_input', on ? `已与工单 ${other.ticketNo} 关联` : `未与工单 ${other.ticketNo} 关联`, 'linked_no');
	await tx.insert(ticketEvents).values({
		ticketId: other.id,
		action: on ? 'link' : 'unlink',
		fromStatus: other.status,
		toStatus: other.status,
		actorUserId: user.id,
		actorName: actorName(app, user),
		unitCode: other.unitCode,
		note: `${verb}工单 ${t.ticketNo}${note ? `：${note}` : ''}`,
		data: { linked: t.ticketNo },
		at
	});
	return `${verb}工单 ${other.ticketNo}${note ? `：${note}` : ''}`;
}

/** A category code of the taxonomy in use, at `minLevel` or below (the forms offer level 3, 城市管理 › 市容环境 › 占道经营). */
export function knownCategory(app: App, code: string, minLevel = 3): string {
	// a category stopped in 设置 › 分类 (or under a stopped one) is given to no ticket any more
	const c = categoryForNew(app.ref, code, 'category_code');
	if (c.level < minLevel)
		throw new CaseError('invalid_input', `诉求分类“${code}”（${c.path}）是第 ${c.level} 级分类，请选择第三级分类（具体事项）`, 'category_code');
	return code;
}

/**
 * 催办 and 督办 of a ticket dispatched again, counted before this version as if the new unit had got them (the
 * count and the flag went on to the next unit): recounted from the events since the last dispatch. At each start;
 * only tickets with either set are read, and only the wrong ones written. Returns how many were put right.
 */
export async function recountRoundFlags(db: Db): Promise<number> {
	const r = (await db.execute(sql`
		UPDATE tickets t SET urge_count = c.n, supervised_at = c.sup
		FROM (
			SELECT s.id,
				(SELECT count(*) FROM ticket_events e WHERE e.ticket_id = s.id AND e.action = 'urge' AND e.at >= s.dispatched_at)::int AS n,
				(SELECT min(e.at) FROM ticket_events e WHERE e.ticket_id = s.id AND e.action = 'supervise' AND e.at >= s.dispatched_at) AS sup
			FROM tickets s
			WHERE (s.urge_count > 0 OR s.supervised_at IS NOT NULL) AND s.dispatched_at IS NOT NULL
				AND EXISTS (SELECT 1 FROM ticket_events d WHERE d.ticket_id = s.id AND d.action = 'dispatch' AND d.at < s.dispatched_at)
		) c
		WHERE t.id = c.id AND (t.urge_count <> c.n OR t.supervised_at IS DISTINCT FROM c.sup)
		RETURNING t.id`)) as unknown as { rows: unknown[] };
	return r.rows.length;
}

// --- reading ----------------------------------------------------------------------------------------------

/** Whether the user works this ticket on a handling screen and so sees the caller unmasked. */
export function handles(user: Pick<CaseUser, 'role' | 'unitCode'>, t: Pick<TicketRow, 'unitCode'>): boolean {
	if (user.role === 'unit_handler') return !!user.unitCode && t.unitCode === user.unitCode;
	return user.role === 'admin' || user.role === 'operator' || user.role === 'dispatcher' || user.role === 'supervisor';
}

export function callerFor(
	user: Pick<CaseUser, 'role' | 'unitCode'>,
	t: Pick<TicketRow, 'unitCode' | 'callerName' | 'callerPhone'>,
	onHandlingScreen: boolean
) {
	if (onHandlingScreen && handles(user, t)) return { name: t.callerName, phone: t.callerPhone, masked: false, hide: (text: string) => text };
	return {
		name: t.callerName ? maskName(t.callerName) : null,
		phone: t.callerPhone ? maskPhone(t.callerPhone) : null,
		masked: true,
		/** the ticket's texts (content, notes, reasons) as this user sees them: phone and ID numbers, self-given names and the caller's own name and number masked */
		hide: (text: string) => maskPersonal(text, [t.callerName], [t.callerPhone])
	};
}

/**
 * The ticket if the user may see it; not_found otherwise (units do not learn about other units' tickets). A role that
 * sees no cases at all (analysts, the emergency office) is refused as such, whatever the ticket, as the ticket page
 * refuses it: that tells nothing about any ticket.
 */
export async function visibleTicket(app: App, user: CaseUser, typedNo: string): Promise<TicketRow> {
	if (!CASE_ROLES.includes(user.role)) throw new CaseError('forbidden', '当前角色不能查看工单');
	const ticketNo = tidyTicketNo(typedNo);
	const [t] = await app.rel.db.select().from(tickets).where(eq(tickets.ticketNo, ticketNo));
	if (!t || !canView(user, { unitCode: t.unitCode, assistUnits: t.assistUnits })) {
		// a unit that held it (a return, a dispatch elsewhere since) is told why it is gone: it learns nothing it did not know
		if (t && user.unitCode && (await heldBy(app.rel.db, t.id, user.unitCode)))
			throw new CaseError('not_found', `工单 ${ticketNo} 已不由本单位办理（已退回、收回或改派），不能再查看`);
		throw notFound(ticketNo);
	}
	return t;
}

/** A ticket that is missing and one the user may not see answer alike. */
const notFound = (ticketNo: string) => new CaseError('not_found', `工单 ${ticketNo} 不存在或无权查看`);

export async function ticketEventsOf(db: Db, id: number) {
	return db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, id)).orderBy(asc(ticketEvents.at), asc(ticketEvents.id));
}

export const REPEAT_DAYS = 30;

export interface RelatedTicket {
	ticketNo: string;
	status: Status;
	receivedAt: Date;
	title: string;
	why: string;
	similarity: number;
	/** likely the same matter (rule 7 when handled, 并单 when still open) */
	repeat: boolean;
	/** linked to this ticket (关联) */
	linked: boolean;
}

const RELATED_COLUMNS = {
	id: tickets.id,
	ticketNo: tickets.ticketNo,
	status: tickets.status,
	receivedAt: tickets.receivedAt,
	title: tickets.title,
	content: tickets.content,
	address: tickets.address,
	callerName: tickets.callerName,
	callerPhone: tickets.callerPhone
};

function relatedOf(
	r: { ticketNo: string; status: string; receivedAt: Date; title: string; content: string; callerName: string | null; callerPhone: string | null },
	why: string,
	o: Partial<Pick<RelatedTicket, 'similarity' | 'repeat' | 'linked'>> = {}
): RelatedTicket {
	return {
		ticketNo: r.ticketNo,
		status: r.status as Status,
		receivedAt: r.receivedAt,
		// another ticket's caller is not this one's: named (or their number written) in its own title, masked for whoever reads this list
		title: r.title ? maskPersonal(r.title, [r.callerName], [r.callerPhone]) : cutChars(maskPersonal(r.content, [r.callerName], [r.callerPhone]), 30),
		why,
		similarity: 1,
		repeat: false,
		linked: false,
		...o
	};
}

/** Repeat detection reads at most this many of a caller's tickets in the window, newest first. */
export const CALLER_TICKETS = 200;
/**
 * … and of the place's (the street when known, else the district), newest first: in a busy district the window is
 * then shorter than 30 days for other callers' tickets (text similarity cannot be asked of the store).
 */
export const PLACE_TICKETS = 1000;

/**
 * Whether another ticket read for a ticket (of its caller, or of its place: the street when `street`, else the
 * district) is related, why (in the words of 相关工单) and whether it is likely the same matter; null: not related.
 * The caller's own always is. A district is no place: its tickets saying much the same are listed, but only the
 * caller or the street makes an earlier ticket the same matter (并单, rule 7); a short call says what a district's
 * many tickets say.
 */
export function relatedWhy(sameCaller: boolean, similarity: number, street: boolean): { why: string; repeat: boolean } | null {
	if (!sameCaller && similarity < (street ? REPEAT_SIMILARITY.street : REPEAT_SIMILARITY.district)) return null;
	const repeat = sameCaller ? similarity >= REPEAT_SIMILARITY.caller : street;
	return { why: sameCaller ? (repeat ? '同一来电人，内容相似' : '同一来电人') : street ? '同一地点，内容相似' : '同一区县，内容相似', repeat };
}

/**
 * Earlier tickets of the same caller, or of the same place with similar text, in the 30 days before `at`,
 * plus tickets merged or linked with this one: what an operator checks before accepting (repeat detection, rule 7).
 */

export async function relatedTickets(
	app: App,
	q: {
		id?: number;
		phoneKey: string | null;
		streetCode: string | null;
		districtCode: string | null;
		text: string;
		/** the address of the call: left out of the similarity, with each earlier ticket's */
		address?: string | null;
		at: number;
		duplicateOf?: number | null;
	}
): Promise<RelatedTicket[]> {
	const db = app.rel.db;
	const since = new Date(q.at - REPEAT_DAYS * 86_400_000);
	const inWindow = and(gte(tickets.receivedAt, since), sql`${tickets.receivedAt} <= ${new Date(q.at)}`, q.id ? ne(tickets.id, q.id) : undefined);
	const columns = { ...RELATED_COLUMNS, phoneKey: tickets.callerPhoneKey };
	const out = new Map<string, RelatedTicket>();
	const place = q.streetCode ? eq(tickets.streetCode, q.streetCode) : q.districtCode ? eq(tickets.districtCode, q.districtCode) : null;
	// the caller's own tickets and the place's, read apart: in one capped read a busy district's newest tickets
	// pushed the caller's earlier one out as soon as an address was typed
	const [byCaller, byPlace] = await Promise.all([
		q.phoneKey
			? db.select(columns).from(tickets).where(and(eq(tickets.callerPhoneKey, q.phoneKey), inWindow)).orderBy(desc(tickets.receivedAt)).limit(CALLER_TICKETS)
			: [],
		place ? db.select(columns).from(tickets).where(and(place, inWindow)).orderBy(desc(tickets.receivedAt)).limit(PLACE_TICKETS) : []
	]);
	// a ticket in both reads is one text among those whose bigrams are weighed
	const read = [...new Map([...byCaller, ...byPlace].map((r) => [r.ticketNo, r])).values()];
	const sims = repeatScores(
		{ text: q.text, context: [q.address] },
		read.map((r) => ({ text: `${r.title}${r.content}`, context: [r.address] }))
	);
	read.forEach((r, i) => {
		const related = relatedWhy(!!q.phoneKey && r.phoneKey === q.phoneKey, sims[i], !!q.streetCode);
		if (related) out.set(r.ticketNo, relatedOf(r, related.why, { similarity: Math.round(sims[i] * 100) / 100, repeat: related.repeat }));
	});
	const merged = await db
		.select(RELATED_COLUMNS)
		.from(tickets)
		.where(or(q.id ? eq(tickets.duplicateOf, q.id) : sql`false`, q.duplicateOf ? eq(tickets.id, q.duplicateOf) : sql`false`));
	for (const r of merged) out.set(r.ticketNo, relatedOf(r, r.id === q.duplicateOf ? '本单已并入该工单' : '已并入本单'));
	if (q.id) {
		const linked = await db
			.select(RELATED_COLUMNS)
			.from(ticketLinks)
			.innerJoin(
				tickets,
				sql`${tickets.id} = CASE WHEN ${ticketLinks.ticketId} = ${q.id} THEN ${ticketLinks.linkedId} ELSE ${ticketLinks.ticketId} END`
			)
			.where(or(eq(ticketLinks.ticketId, q.id), eq(ticketLinks.linkedId, q.id)));
		for (const r of linked) {
			const seen = out.get(r.ticketNo);
			out.set(
				r.ticketNo,
				relatedOf(r, seen ? `已关联；${seen.why}` : '已关联', {
					similarity: seen?.similarity ?? 1,
					repeat: seen?.repeat ?? false,
					linked: true
				})
			);
		}
	}
	// linked tickets first, then the most recent
	return [...out.values()]
		.sort((a, b) => Number(b.linked) - Number(a.linked) || b.receivedAt.getTime() - a.receivedAt.getTime())
		.slice(0, 20);
}
