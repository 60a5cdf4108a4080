// Reading cases for the screens and the API: the queues (派单, 我的工单, 督办, 回访, 待受理, and 工单查询 over every
// ticket) and one ticket's
// detail with its timeline, time-limit lights, related tickets and the actions the viewer may take.
import { attachmentCounts, attachmentsOf, type TicketAttachments } from './attachments';
import { and, asc, desc, eq, gte, inArray, not, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { placeName, routeUnit } from '$pipelines/reference/index';
import { feedLimits, unitRounds, type RoundEvent } from '$pipelines/lifecycle/rounds';
import { handlingRounds } from '../assessment';
import { cutChars, dialNumber, normalizePhone } from '$pipelines/normalize/index';
import { maskEmail } from '$pipelines/text/redact';
import {
	AT_UNIT,
	OPEN_STATUSES,
	STATUS_LABELS,
	CHANNEL_LABELS,
	FINAL_VISIT_FAILURES,
	VISIT_ATTEMPTS,
	light,
	type Channel,
	type Light,
	type Status,
	type TimeLimits
} from '$pipelines/lifecycle/model';
import type { App } from '../app';
import type { Db } from '../db';
import type { HandlingRound, TicketSummary } from '$lib/types';
import { canSee } from '$lib/nav';
import { DEFAULT_LOOKUP_DAYS, isQueueView, LOOKUP_PERIODS, QUEUE_VIEWS, UNIT_FILTER_QUEUES } from '$lib/queues';
import { open311Requests, ticketEvents, tickets, type TicketRow } from '../db/schema';
import { attributeLabels } from '../open311/service';
import { CaseError, tidyTicketNo } from './input';
import { getLimits } from './limits';
import { ACTION_LABELS, availableActions, canView, CASE_ROLES, type CaseAction } from './machine';
import { callerFor, handles, knownCategory, NO_PREFIX, placeAfter, relatedTickets, shownTitle, stateOf, ticketEventsOf, visibleTicket, type CaseUser, type RelatedTicket } from './service';

export const QUEUES = ['intake', 'dispatch', 'mine', 'supervise', 'visits', 'lookup'] as const;
export type Queue = (typeof QUEUES)[number];
export const PAGE_SIZE = 50;
export type { TicketSummary };

function placeOf(app: App, t: Pick<TicketRow, 'districtCode' | 'streetCode'>): string {
	if (t.streetCode) return placeName(app.ref, 'street', t.streetCode);
	return t.districtCode ? placeName(app.ref, 'district', t.districtCode) : '地点未知';
}

/** A category as its path (城市管理 › 市容环境 › 占道经营), the code when unknown, null when none. */
export function categoryPath(app: App, code: string | null): string | null {
	return code ? (app.ref.categoryByCode.get(code)?.path ?? code) : null;
}

/**
 * The light of a limit not yet met: red when overdue; yellow from `yellowAt` of the time allowed, counted as the
 * limit counts it — the working time of the calendar (the working clocks stored with the dispatch and the
 * deadline) for a limit in working days, so a weekend or a holiday uses none of it; clock time for the urgent
 * sign-for in hours, and for a ticket without stored clocks. The queues' yellow tab is the same test in SQL
 * (`yellowSql`). A ticket whose dispatch this store does not know (a feed's, which reports its limits but not its
 * dispatch) counts its time from its receipt, in clock time: the yellow light comes no later than it should.
 */
function limitLight(app: App, t: TicketRow, kind: 'sign' | 'reply', deadline: Date, now: number, yellowAt: number): Light {
	const start = (t.dispatchedAt ?? t.receivedAt).getTime();
	const deadlineWork = kind === 'sign' ? t.signDeadlineWork : t.replyDeadlineWork;
	if (now > deadline.getTime() || (kind === 'sign' && t.urgency === 'urgent') || t.dispatchedWork === null || deadlineWork === null)
		return light(start, deadline.getTime(), now, yellowAt);
	const allowed = deadlineWork - t.dispatchedWork;
	return allowed > 0 && (app.calendar.workingClock(now) - t.dispatchedWork) / allowed >= yellowAt ? 'yellow' : 'green';
}

/**
 * The light of a return visit's deadline (回访时限): as `limitLight` counts a limit in working days, on the working
 * time from the reply (the clocks are read here: the 回访 queue has no yellow tab to count them in SQL).
 */
function visitLight(app: App, repliedAt: Date, deadline: Date, now: number, yellowAt: number): Light {
	if (now > deadline.getTime()) return 'red';
	const start = app.calendar.workingClock(repliedAt.getTime());
	const allowed = app.calendar.workingClock(deadline.getTime()) - start;
	return allowed > 0 && (app.calendar.workingClock(now) - start) / allowed >= yellowAt ? 'yellow' : 'green';
}

/**
 * The running time limit of a ticket and its light (green → yellow at `yellowAt` of the time → red when overdue):
 * the unit's sign-for while 待签收 and reply while 办理中, the hotline's return visit while 待回访.
 */
export function runningLimit(
	app: App,
	t: TicketRow,
	limits: TimeLimits,
	now: number
): { deadline: Date | null; kind: 'sign' | 'reply' | 'visit' | null; light: Light | null } {
	if (t.status === 'replied' && t.visitDeadline && t.repliedAt)
		return { deadline: t.visitDeadline, kind: 'visit', light: visitLight(app, t.repliedAt, t.visitDeadline, now, limits.yellowAt) };
	const kind = t.status === 'dispatched' ? 'sign' : t.status === 'signed' ? 'reply' : null;
	const deadline = kind === 'sign' ? t.signDeadline : kind === 'reply' ? t.replyDeadline : null;
	if (!kind || !deadline) return { deadline: null, kind: null, light: null };
	return { deadline, kind, light: limitLight(app, t, kind, deadline, now, limits.yellowAt) };
}

type Suggestion = Pick<TicketSummary, 'suggestedUnit' | 'suggestionNote'>;

/** The actions that give a ticket back to the dispatchers from its unit. */
const GIVE_BACK_ACTIONS = ['return', 'recall'] as const;
/** A unit a ticket was given back from, and how: it returned it (退单), or the dispatchers recalled it (收回). */
interface GivenBack {
	unit: string;
	action: (typeof GIVE_BACK_ACTIONS)[number];
}

/** The unit to dispatch to with one click — never one the ticket was given back from (`returnedBy`) — or why there is none. */
function suggestUnit(app: App, t: TicketRow, returnedBy: readonly GivenBack[]): Suggestion {
	// a reopened ticket goes back to the units that handled it: the lead and its assisting units
	const name = (c: string) => app.ref.unitByCode.get(c)?.name ?? c;
	// a stopped unit (设置 › 单位) gets nothing new
	const stopped = (c: string) => app.ref.unitByCode.get(c)?.active === false;
	if (t.status === 'reopened' && t.unitCode) {
		if (stopped(t.unitCode)) return { suggestedUnit: null, suggestionNote: `原承办单位（${name(t.unitCode)}）已停用，请另选单位` };
		const assist = t.assistUnits.filter((c) => c !== t.unitCode && !stopped(c)).map((c) => ({ code: c, name: name(c) }));
		return { suggestedUnit: { code: t.unitCode, name: name(t.unitCode), why: '原承办单位', assist }, suggestionNote: null };
	}
	if (!t.categoryCode || !t.districtCode) return { suggestedUnit: null, suggestionNote: '缺少分类或区，无法建议' };
	try {
		const u = routeUnit(app.ref, t.categoryCode, t.districtCode, t.streetCode, () => 0);
		const back = returnedBy.find((r) => r.unit === u.code);
		if (back)
			return { suggestedUnit: null, suggestionNote: back.action === 'recall' ? `工单已从建议单位（${u.name}）收回，请另选单位` : `建议单位（${u.name}）已退回，请另选单位` };
		if (!u.active) return { suggestedUnit: null, suggestionNote: `分派规则所指单位（${u.name}）已停用，请另选单位` };
		return { suggestedUnit: { code: u.code, name: u.name, why: '按分派规则', assist: [] }, suggestionNote: null };
	} catch {
		return { suggestedUnit: null, suggestionNote: '分派规则未覆盖该分类和区，请选择单位' };
	}
}

/**
 * The unit to suggest for a ticket waiting for 派单 (待派单, 重新办理) with the place and category the dispatch form
 * now corrects it to (`fix`; each absent: the ticket's own), as its page would suggest once corrected — the routing
 * rules, never a unit it was given back from or a stopped one. The dispatch form asks again when its place or
 * category changes. Codes are checked as the dispatch checks them; another state: no suggestion.
 */
export async function suggestionFor(
	app: App,
	user: CaseUser,
	ticketNo: string,
	fix: { category_code?: string; district_code?: string; street_code?: string }
): Promise<Suggestion> {
	const t = await visibleTicket(app, user, ticketNo);
	if (t.status !== 'accepted' && t.status !== 'reopened') return { suggestedUnit: null, suggestionNote: null };
	const place = placeAfter(app, t, fix);
	const categoryCode = fix.category_code ? knownCategory(app, fix.category_code) : t.categoryCode;
	const returned = (await returnedUnits(app.rel.db, [t])).get(t.id) ?? [];
	return suggestUnit(app, { ...t, ...place, categoryCode }, returned);
}

/** The units each of these tickets was given back from (its unit's 退单, the dispatchers' 收回), for the ones given back. */
async function returnedUnits(db: Db, rows: readonly TicketRow[]): Promise<Map<number, GivenBack[]>> {
	const ids = rows.filter((t) => t.status === 'accepted' && t.dispatchedAt).map((t) => t.id);
	const out = new Map<number, GivenBack[]>();
	if (!ids.length) return out;
	const found = await db
		.select({ id: ticketEvents.ticketId, unit: ticketEvents.unitCode, action: ticketEvents.action })
		.from(ticketEvents)
		.where(and(inArray(ticketEvents.ticketId, ids), inArray(ticketEvents.action, GIVE_BACK_ACTIONS)));
	for (const r of found) if (r.unit) out.set(r.id, [...(out.get(r.id) ?? []), { unit: r.unit, action: r.action as GivenBack['action'] }]);
	return out;
}

/** The return visits of a replied ticket that reached nobody, or null (TicketSummary.visitAttempts). */
export function visitAttemptsOf(t: Pick<TicketRow, 'status' | 'visitAttempts' | 'visitAttemptedAt' | 'visitFailure'>): TicketSummary['visitAttempts'] {
	if (t.status !== 'replied' || !t.visitAttempts || !t.visitAttemptedAt) return null;
	const lastFailure = t.visitFailure ?? '';
	return {
		count: t.visitAttempts,
		lastAt: t.visitAttemptedAt.toISOString(),
		lastFailure,
		final: t.visitAttempts >= VISIT_ATTEMPTS || (FINAL_VISIT_FAILURES as readonly string[]).includes(lastFailure)
	};
}

export function summarize(
	app: App,
	user: CaseUser,
	t: TicketRow,
	limits: TimeLimits,
	now: number,
	onHandlingScreen: boolean,
	returnedBy: readonly GivenBack[],
	attachmentCount: number
): TicketSummary {
	const running = runningLimit(app, t, limits, now);
	// the return visit is the hotline's step, not the unit's: a unit's list shows its own limits only
	const lim = running.kind === 'visit' && user.role === 'unit_handler' ? { deadline: null, kind: null, light: null } : running;
	const caller = callerFor(user, t, onHandlingScreen);
	const hide = caller.hide;
	return {
		ticketNo: t.ticketNo,
		status: t.status as Status,
		statusLabel: STATUS_LABELS[t.status as Status] ?? t.status,
		type: t.type,
		channel: CHANNEL_LABELS[t.channel as Channel] ?? t.channel,
		urgency: t.urgency === 'urgent' ? 'urgent' : 'normal',
		// where the caller is masked, so are phone numbers, ID numbers and self-given names in the text
		// masked before it is cut: a cut through a name or a number would leave its first part in clear
		// and cut by characters (code points): a cut inside an emoji or 𠀀 would show half of it as �
		title: shownTitle(t, hide),
		preview: cutChars(hide(t.content), 120),
		category: categoryPath(app, t.categoryCode),
		place: placeOf(app, t),
		unit: t.unitCode ? (app.ref.unitByCode.get(t.unitCode)?.name ?? t.unitCode) : null,
		role: user.role === 'unit_handler' ? (t.unitCode === user.unitCode ? 'lead' : 'assist') : null,
		caller: { name: caller.name, phone: caller.phone },
		receivedAt: t.receivedAt.toISOString(),
		repliedAt: t.repliedAt?.toISOString() ?? null,
		deadline: lim.deadline?.toISOString() ?? null,
		deadlineKind: lim.kind,
		light: lim.light,
		extensionPending: t.extensionPending !== null,
		supervised: t.supervisedAt !== null,
		urgeCount: t.urgeCount,
		visitAttempts: visitAttemptsOf(t),
		attachmentCount,
		version: t.version,
		...(t.status === 'accepted' || t.status === 'reopened' ? suggestUnit(app, t, returnedBy) : { suggestedUnit: null, suggestionNote: null })
	};
}

export interface QueueFilter {
	queue: Queue;
	/** mine: todo (待签收 + 办理中) | replied | all; supervise: red | yellow | extension | all */
	tab?: string;
	/** a page by its number (a link typed or kept; the last page): counted from the start of the tab as it is now */
	page?: number;
	/**
	 * the page after (or before) the ticket whose sort key this is (`next` / `prev` of a page): keyset paging, so a
	 * queue that moves between two clicks (tickets dispatched meanwhile) skips and repeats none; wins over `page`
	 */
	after?: string;
	before?: string;
	/** a ticket number (or its start), a caller's phone, or words of the title or content */
	q?: string;
	/**
	 * 工单查询 only: the tickets received in the last this many days (LOOKUP_PERIODS; 0: any time; default 30). A
	 * search by ticket number or phone number is not limited by it: a number names its tickets whenever they came.
	 */
	days?: number;
	/** the instant the lights and the red and yellow tabs are taken at (default: now; tests set it) */
	now?: number;
	/** the tickets one unit leads only (UNIT_FILTER_QUEUES), its code */
	unit?: string;
	/** rows a page (default PAGE_SIZE, at most 1,000): the export reads a tab in larger pages than the screens show */
	size?: number;
}

export interface QueuePage {
	queue: Queue;
	/** the time the lights were computed at */
	generatedAt: string;
	/** the share of a limit's time after which its light is yellow (设置 › 办理时限), as the lights were computed */
	yellowAt: number;
	/** the return visit's limit in working days (设置 › 办理时限), as the 回访 queue says it */
	visitWorkingDays: number;
	tab: string;
	q: string;
	total: number;
	page: number;
	/** the number of pages of the tab (at least 1): a page beyond it is empty although `total` is not */
	pages: number;
	/** how many rows of the tab come before this page's first one, as the tab is now */
	start: number;
	/** the cursor of the page after this one (`after=`), null when none follows */
	next: string | null;
	/** the cursor of the page before this one (`before=`), null when this one starts the tab */
	prev: string | null;
	pageSize: number;
	items: TicketSummary[];
	counts: Record<string, number>;
	/** 工单查询: the period asked for (days, 0: any time) and whether it limited this list (not for a number's search) */
	period?: { days: number; applied: boolean };
	/** the unit the list is narrowed to (its lead unit), null for all */
	unit: { code: string; name: string } | null;
}

/** The screen of each queue: who may read a queue is who may see its screen (the navigation's rule). */
const QUEUE_SCREENS: Record<Queue, string> = {
	intake: '/intake',
	dispatch: '/dispatch',
	mine: '/my-tickets',
	supervise: '/supervise',
	visits: '/visits',
	lookup: '/tickets'
};

/** SQL of the running deadline (sign-for while dispatched, reply while signed) as epoch seconds. */
const deadlineSql = sql`extract(epoch from case when ${tickets.status} = 'dispatched' then ${tickets.signDeadline} else ${tickets.replyDeadline} end)`;

/** `limitLight`'s yellow test in SQL (that the deadline has not passed is the caller's condition). */
function yellowSql(app: App, yellowAt: number, now: number): SQL {
	// from the receipt when the dispatch is not known here (a feed's ticket), as limitLight counts it
	const start = sql`extract(epoch from coalesce(${tickets.dispatchedAt}, ${tickets.receivedAt}))`;
	const deadlineWork = sql`case when ${tickets.status} = 'dispatched' then ${tickets.signDeadlineWork} else ${tickets.replyDeadlineWork} end`;
	return sql`case when (${tickets.status} = 'dispatched' and ${tickets.urgency} = 'urgent') or ${tickets.dispatchedWork} is null or ${deadlineWork} is null
		then ${now / 1000} >= ${start} + ${yellowAt} * (${deadlineSql} - ${start})
		else ${deadlineWork} > ${tickets.dispatchedWork} and ${app.calendar.workingClock(now)} - ${tickets.dispatchedWork} >= ${yellowAt} * (${deadlineWork} - ${tickets.dispatchedWork}) end`;
}

/**
 * A queue's search: a ticket number or its start, a day as ticket numbers carry it (20261201), a phone number (for the people who handle tickets: a leader
 * never sees callers, so may not find which tickets a number made either), or text in the title or content.
 */
const TICKET_NO_START = new RegExp(`^${NO_PREFIX}(?:19|20)\\d{2}`, 'i');

function searchCondition(q: string, app: App, user: CaseUser): { cond: SQL; text: boolean } {
	// the numbers' own letters and a year: other letters and digits (GB3096, a standard a complaint cites) are text
	const no = tidyTicketNo(q); // typed in lower case or full width too
	if (TICKET_NO_START.test(no)) return { cond: sql`${tickets.ticketNo} like ${no.replace(/[%_]/g, '') + '%'}`, text: false };
	// a day as ticket numbers carry it (SZ20261201-H00001), not a local phone number of eight digits
	if (/^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/.test(q)) return { cond: sql`${tickets.ticketNo} like ${`%${q}-%`}`, text: false };
	const phone = normalizePhone(q, app.ref.city.phoneAreaCode ?? undefined);
	if (phone && !handles(user, { unitCode: user.unitCode })) throw new CaseError('forbidden', '按来电号码查找仅限经办人员（受理、派单、督办和承办单位）', 'q');
	// a unit finds callers by number among the tickets it leads only: an assisting unit sees them masked
	if (phone) return { cond: and(eq(tickets.callerPhoneKey, phone), user.role === 'unit_handler' ? eq(tickets.unitCode, user.unitCode ?? '') : undefined)!, text: false };
	return { cond: textMatch(q), text: true };
}

function textMatch(q: string): SQL {
	const like = `%${q.replace(/[%_\\]/g, (c) => '\\' + c)}%`;
	return or(sql`${tickets.title} like ${like}`, sql`${tickets.content} like ${like}`)!;
}

/**
 * The tickets of `scope` a text search finds only in what this user sees masked (a caller's name, an ID or phone
 * number in the text): a leader, or a unit for the tickets it assists, must not learn from the hits what the mask
 * hides (q=王小明 found the ticket whose caller shows as 王**). Empty for a text search by those who handle the tickets.
 */
async function maskedOnlyMatches(app: App, user: CaseUser, scope: SQL, q: string): Promise<number[]> {
	if (user.role !== 'unit_handler' && handles(user, { unitCode: null })) return [];
	// a unit sees masked only the tickets it assists, not those it leads
	const masked = user.role === 'unit_handler' ? sql`${tickets.unitCode} is distinct from ${user.unitCode}` : undefined;
	const rows = await app.rel.db
		.select({ id: tickets.id, title: tickets.title, content: tickets.content, unitCode: tickets.unitCode, callerName: tickets.callerName, callerPhone: tickets.callerPhone })
		.from(tickets)
		.where(and(scope, masked, textMatch(q)));
	return rows
		.filter((r) => {
			if (handles(user, r)) return false;
			const hide = callerFor(user, r, false).hide;
			return !hide(r.title ?? '').includes(q) && !hide(r.content).includes(q);
		})
		.map((r) => r.id);
}

/** One key of a queue's order: an expression that is never null, and its direction. */
type SortKey = {
	expr: SQL;
	desc?: true;
	/**
	 * a time column, never null, whose epoch `expr` is: the order and a cursor's bound are read on the column itself, so
	 * that its index gives them (a cursor's seconds to the microsecond come back exactly through float8)
	 */
	time?: SQLWrapper;
};

/** A key's value as the order compares it: the time column, or the expression as a number. */
const sortValue = (k: SortKey) => k.time ?? k.expr;
const cursorValue = (k: SortKey, v: string) => (k.time ? sql`to_timestamp(${v}::float8)` : sql`${v}::numeric`);

/** A cursor: the sort key of a row as text, its values joined by `~` (numbers as PostgreSQL writes them). */
const CURSOR_VALUE = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;
function parseCursor(c: string | undefined, keys: readonly SortKey[]): string[] | null {
	if (!c) return null;
	const v = c.split('~');
	if (v.length !== keys.length || !v.every((x) => CURSOR_VALUE.test(x))) throw new CaseError('invalid_input', '分页位置（after、before）无效，请从第一页重新翻页', 'after');
	return v;
}

/** Rows after (`dir` 1) or before (-1) the key `v` in the order of `keys`: (k1 > v1) or (k1 = v1 and k2 > v2) … */
function beyond(keys: readonly SortKey[], v: readonly string[], dir: 1 | -1): SQL {
	return or(
		...keys.map((k, i) =>
			and(
				...keys.slice(0, i).map((e, j) => sql`${sortValue(e)} = ${cursorValue(e, v[j])}`),
				(k.desc ? -dir : dir) > 0 ? sql`${sortValue(k)} > ${cursorValue(k, v[i])}` : sql`${sortValue(k)} < ${cursorValue(k, v[i])}`
			)
		)
	)!;
}

/** 工单查询's tabs as the states each holds (null: every state). */
const LOOKUP_TABS: Record<string, readonly Status[] | null> = {
	all: null,
	open: OPEN_STATUSES,
	closed: ['closed'],
	answered: ['answered_directly'],
	not_accepted: ['not_accepted'],
	transferred: ['transferred']
};

/**
 * 工单查询's tab counts: the tickets `within` holds for counted by state once and summed per tab, by the index of the
 * states (each tab's own filtered count read every row of the period: a year's million took seconds).
 */
async function lookupCounts(db: Db, within: SQL | undefined): Promise<Record<string, number>> {
	const rows = await db
		.select({ status: tickets.status, n: sql<number>`count(*)::int` })
		.from(tickets)
		.where(within)
		.groupBy(tickets.status);
	const by = new Map(rows.map((r) => [r.status, r.n]));
	const sum = (states: readonly Status[]) => states.reduce((t, st) => t + (by.get(st) ?? 0), 0);
	return Object.fromEntries(Object.entries(LOOKUP_TABS).map(([k, states]) => [k, states ? sum(states) : rows.reduce((t, r) => t + r.n, 0)]));
}

/** Each queue's tabs as conditions on `tickets` for this user, with the lights taken at `now`. */
export function queueTabs(app: App, user: Pick<CaseUser, 'unitCode'>, limits: TimeLimits, now: number): Record<Queue, Record<string, SQL>> {
	const nowS = now / 1000;
	const atUnit = inArray(tickets.status, [...AT_UNIT]);
	const red = and(atUnit, sql`${deadlineSql} < ${nowS}`)!;
	const yellow = and(atUnit, sql`${deadlineSql} >= ${nowS}`, yellowSql(app, limits.yellowAt, now))!;
	const replied = eq(tickets.status, 'replied');
	// calling again is no use: VISIT_ATTEMPTS reached, or a refusal or a wrong number
	const visitFinal = or(
		sql`${tickets.visitAttempts} >= ${VISIT_ATTEMPTS}`,
		inArray(tickets.visitFailure, [...FINAL_VISIT_FAILURES])
	)!;
	const mineCond = user.unitCode
		? // containment, not `= any(…)`: the assisting units' GIN index answers it, where `= any` read every ticket
			or(eq(tickets.unitCode, user.unitCode), sql`${tickets.assistUnits} @> array[${user.unitCode}]::text[]`)!
		: sql`false`;
	return {
		intake: { all: eq(tickets.status, 'received') },
		dispatch: {
			all: inArray(tickets.status, ['accepted', 'reopened']),
			returned: and(eq(tickets.status, 'accepted'), sql`${tickets.dispatchedAt} is not null`)!,
			reopened: eq(tickets.status, 'reopened')
		},
		mine: {
			todo: and(mineCond, atUnit)!,
			replied: and(mineCond, eq(tickets.status, 'replied'))!,
			all: mineCond
		},
		supervise: { red, yellow, extension: and(eq(tickets.status, 'signed'), sql`${tickets.extensionPending} is not null`)!, all: atUnit },
		visits: {
			all: replied,
			todo: and(replied, eq(tickets.visitAttempts, 0))!,
			retry: and(replied, sql`${tickets.visitAttempts} > 0`, not(visitFinal))!,
			unreached: and(replied, visitFinal)!,
			overdue: and(replied, sql`extract(epoch from ${tickets.visitDeadline}) < ${nowS}`)!
		},
		// 工单查询: every ticket, in whatever state (the period and the search narrow it)
		lookup: Object.fromEntries(Object.entries(LOOKUP_TABS).map(([k, states]) => [k, states ? inArray(tickets.status, [...states]) : sql`true`]))
	};
}

/**
 * The tickets each of `conds` holds for (a queue's tabs, the navigation's numbers), of those `within` also holds for,
 * in one statement that reads only the tickets some condition holds for — by the status and unit indexes — not
 * every ticket the store holds: a year's million took 150–400 ms each time a queue was opened or the navigation
 * drawn, the store busy meanwhile.
 */
export async function countTickets<K extends string>(db: Db, conds: Record<K, SQL>, within?: SQL): Promise<Record<K, number>> {
	const cols = Object.fromEntries(Object.entries<SQL>(conds).map(([k, cond]) => [k, sql<number>`count(*) filter (where ${cond})::int`]));
	const scope = or(...Object.values<SQL>(conds))!;
	const [row] = await db
		.select(cols)
		.from(tickets)
		.where(within ? and(scope, within) : scope);
	return row as Record<K, number>;
}

export async function listQueue(app: App, user: CaseUser, f: QueueFilter): Promise<QueuePage> {
	if (!canSee(user.role, QUEUE_SCREENS[f.queue])) throw new CaseError('forbidden', '当前角色不能查看该工单队列');
	const db = app.rel.db;
	const limits = await getLimits(db);
	const now = f.now ?? Date.now();
	const atUnit = inArray(tickets.status, [...AT_UNIT]);
	const tabs = queueTabs(app, user, limits, now);
	const defaults: Record<Queue, string> = { intake: 'all', dispatch: 'all', mine: 'todo', supervise: 'red', visits: 'all', lookup: 'all' };
	// the queue's own tabs only: `in` also found what every object inherits (tab=constructor reached the SQL as a function)
	const tab = f.tab && Object.hasOwn(tabs[f.queue], f.tab) ? f.tab : defaults[f.queue];
	const q = cutChars((f.q ?? '').trim(), 100);
	const found = q ? searchCondition(q, app, user) : null;
	let search = found?.cond;
	const period = f.queue === 'lookup' ? lookupPeriod(f.days, found, now) : null;
	if (period?.cond) search = and(search, period.cond);
	const unit = queueUnit(app, f);
	if (unit) search = and(search, eq(tickets.unitCode, unit.code));
	const inQueue = or(...Object.values(tabs[f.queue]))!;
	const hidden = found?.text ? await maskedOnlyMatches(app, user, inQueue, q) : [];
	// one parameter however many (a bind parameter each would pass PostgreSQL's limit, repeated per tab)
	if (hidden.length) search = and(search, sql`not (${tickets.id} = any(string_to_array(${hidden.join(',')}, ',')::int[]))`);
	const where = and(tabs[f.queue][tab], search)!;
	// each queue's order as keys that are never null (a missing time sorts last), the id last: one total order, on
	// which a page's cursor is its last row's key
	const LAST = sql`1e12`;
	const epoch = (col: SQLWrapper) => sql`coalesce(extract(epoch from ${col}), ${LAST})`;
	const order: Record<Queue, SortKey[]> = {
		intake: [{ expr: epoch(tickets.receivedAt) }],
		dispatch: [{ expr: sql`(case when ${tickets.urgency} = 'urgent' then 1 else 0 end)`, desc: true }, { expr: epoch(tickets.receivedAt) }],
		// the unit's open work first by its running deadline (overdue on top), then the rest, most recent first
		mine: [
			{ expr: sql`(case when ${atUnit} then 0 else 1 end)` },
			{ expr: sql`coalesce(case when ${atUnit} then ${deadlineSql} end, ${LAST})` },
			{ expr: epoch(tickets.updatedAt), desc: true }
		],
		supervise: [{ expr: sql`coalesce(${deadlineSql}, ${LAST})` }],
		// tickets not tried yet and the longest untried first: by the last attempt (or the reply, before any)
		visits: [{ expr: epoch(sql`coalesce(${tickets.visitAttemptedAt}, ${tickets.repliedAt})`) }],
		// the latest first, read backwards along the index of the time (never null: the expression orders as the column)
		lookup: [{ expr: epoch(tickets.receivedAt), desc: true, time: tickets.receivedAt }]
	};
	const keys: SortKey[] = [...order[f.queue], { expr: sql`${tickets.id}` }];
	const after = parseCursor(f.after, keys);
	const before = after ? null : parseCursor(f.before, keys);
	const keyText = sql<string>`concat_ws('~', ${sql.join(
		keys.map((k) => sql`(${k.expr})::text`),
		sql`, `
	)})`;
	// a page before a cursor is read backwards and turned round
	const backwards = !!before;
	const orderBy = keys.map((k) => (!!k.desc !== backwards ? sql`${sortValue(k)} desc` : sql`${sortValue(k)} asc`));
	const cursorCond = after ? beyond(keys, after, 1) : before ? beyond(keys, before, -1) : undefined;
	const size = Math.max(1, Math.min(f.size ?? PAGE_SIZE, 1000));
	const byNumber = Math.max(1, Math.min(f.page ?? 1, 10_000));
	const [c, read] = await Promise.all([
		f.queue === 'lookup' ? lookupCounts(db, search) : countTickets(db, tabs[f.queue], search),
		db
			.select({ row: tickets, key: keyText })
			.from(tickets)
			.where(and(where, cursorCond))
			.orderBy(...orderBy)
			.limit(size + 1)
			.offset(after || before ? 0 : (byNumber - 1) * size)
	]);
	const total = c[tab] ?? 0;
	const pages = Math.max(1, Math.ceil(total / size));
	const more = read.length > size;
	const shown = read.slice(0, size);
	if (backwards) shown.reverse();
	const rows = shown.map((r) => r.row);
	const first = shown[0]?.key ?? null;
	const last = shown.at(-1)?.key ?? null;
	// where the page stands: how many rows of the tab come before its first one, now (a page by cursor has no fixed number)
	let start = (byNumber - 1) * size;
	let page = byNumber;
	if (after || before) {
		start = first
			? (await db.select({ n: sql<number>`count(*)::int` }).from(tickets).where(and(where, beyond(keys, first.split('~'), -1))))[0].n
			: after
				? total
				: 0;
		page = first ? Math.floor(start / size) + 1 : after ? pages + 1 : 1;
	}
	const [returned, files] = await Promise.all([returnedUnits(db, rows), attachmentCounts(db, rows.map((t) => t.id))]);
	return {
		queue: f.queue,
		generatedAt: new Date(now).toISOString(),
		yellowAt: limits.yellowAt,
		visitWorkingDays: limits.visitWorkingDays,
		tab,
		q,
		total,
		page,
		pages,
		start,
		next: last && (backwards || more) ? last : null,
		prev: first && start > 0 ? first : null,
		pageSize: size,
		items: rows.map((t) => summarize(app, user, t, limits, now, false, returned.get(t.id) ?? [], files.get(t.id) ?? 0)),
		counts: c,
		unit,
		...(period && { period: { days: period.days, applied: !!period.cond } })
	};
}

/** The unit a queue is narrowed to (`unit`): only on UNIT_FILTER_QUEUES, and a unit the city has (stopped ones too). */
function queueUnit(app: App, f: QueueFilter): { code: string; name: string } | null {
	if (!f.unit) return null;
	if (!(UNIT_FILTER_QUEUES as readonly string[]).includes(f.queue))
		throw new CaseError('invalid_input', `${isQueueView(f.queue) ? QUEUE_VIEWS[f.queue].title : '该工单队列'}不能按承办单位筛选`, 'unit');
	const u = app.ref.unitByCode.get(f.unit);
	if (!u) throw new CaseError('invalid_input', `没有编码为“${cutChars(f.unit, 40)}”的承办单位`, 'unit');
	return { code: u.code, name: u.name };
}

/**
 * 工单查询's period: the tickets received within `days` before `now` (default 30; 0: any time), unless the search is by a
 * ticket's or a caller's number, which finds its tickets whenever they came. Another number of days is refused.
 */
function lookupPeriod(days: number | undefined, found: { text: boolean } | null, now: number): { days: number; cond: SQL | null } {
	const d = days ?? DEFAULT_LOOKUP_DAYS;
	if (!LOOKUP_PERIODS.some(([x]) => x === d))
		throw new CaseError('invalid_input', `受理时间范围（days）应为 ${LOOKUP_PERIODS.map(([x, label]) => `${x}（${label}）`).join('、')} 之一`, 'days');
	const cond = d > 0 && (!found || found.text) ? gte(tickets.receivedAt, new Date(now - d * 86_400_000)) : null;
	return { days: d, cond };
}

export interface TimelineEntry {
	action: string;
	label: string;
	fromStatus: string | null;
	toStatus: string;
	toLabel: string;
	actor: string;
	unit: string | null;
	note: string;
	data: unknown;
	at: string;
}

export interface TicketDetail extends TicketSummary {
	/** still needs work (an open status of the lifecycle model) */
	open: boolean;
	/**
	 * its handling rounds from its events (each dispatch to a unit, what the unit did with it: what 考核 charges to
	 * the unit); null for a feed's ticket whose events name no dispatch (its history is the feed's)
	 */
	rounds: HandlingRound[] | null;
	/** when the page was read (ISO): the lights and an overdue round's step are as of then */
	readAt: string;
	content: string;
	address: string;
	categoryCode: string | null;
	districtCode: string | null;
	streetCode: string | null;
	unitCode: string | null;
	assistUnits: { code: string; name: string }[];
	lon: number | null;
	lat: number | null;
	callerMasked: boolean;
	/** the caller's number to dial back (a tel: link), only where the screen shows it in clear; null otherwise */
	callerDial: string | null;
	signDeadline: string | null;
	replyDeadline: string | null;
	/** a limit is this hotline's counted from the receipt: a feed's ticket whose sender reported none (limitsFromReceipt) */
	limitsFromReceipt: boolean;
	signLight: Light | null;
	replyLight: Light | null;
	signedAt: string | null;
	repliedAt: string | null;
	/** the queue this user came from, for the back link */
	backHref: string;
	satisfaction: string | null;
	notAcceptedReason: number | null;
	transferredTo: string | null;
	duplicateOf: string | null;
	extension: { days: number; reason: string; at: number; by: string } | null;
	/** what an Open311 reporter sent besides the ticket's own fields; null for a ticket not submitted through Open311 */
	open311: Open311Extras | null;
	/** the photos and documents kept with the ticket: the files for those who handle it, the count for a leader */
	attachments: TicketAttachments;
	timeline: TimelineEntry[];
	related: (Omit<RelatedTicket, 'receivedAt'> & { receivedAt: string; statusLabel: string })[];
	actions: { action: CaseAction; label: string }[];
}

export interface Open311Extras {
	/** the reporter's link to a photo or other media (http or https only): shown as a link, never loaded by the app */
	mediaUrl: string | null;
	/** the reporter's e-mail: personal data, masked wherever the caller's phone is (z***@example.com) */
	email: string | null;
	/** attribute[code] values, with the service definition's label (and value names) where it has one */
	attributes: { code: string; label: string | null; values: string[] }[];
}

/** A link that can only navigate (http or https), or null: anything else (javascript:, data:) never reaches an href. */
function webLink(url: string | null): string | null {
	if (!url) return null;
	try {
		const u = new URL(url.trim());
		return u.protocol === 'http:' || u.protocol === 'https:' ? url.trim() : null;
	} catch {
		return null;
	}
}

type Open311Row = Pick<typeof open311Requests.$inferSelect, 'serviceCode' | 'email' | 'mediaUrl' | 'attributes'>;

/** An Open311 request's extras as this user sees them: e-mail as the phone, attribute values as the ticket's text. */
function open311Extras(app: App, row: Open311Row | undefined, caller: ReturnType<typeof callerFor>): Open311Extras | null {
	if (!row) return null;
	const labels = attributeLabels(app, row.serviceCode);
	const stored = row.attributes && typeof row.attributes === 'object' && !Array.isArray(row.attributes) ? (row.attributes as Record<string, unknown>) : {};
	const attributes = Object.entries(stored)
		.map(([code, v]) => {
			const def = labels.get(code);
			const values = (Array.isArray(v) ? v : [v]).filter((x) => x !== null && x !== undefined).map(String);
			return { code, label: def?.label ?? null, order: def?.order ?? Infinity, values: values.map((x) => def?.values.get(x) ?? caller.hide(x)) };
		})
		.sort((x, y) => x.order - y.order || (x.code < y.code ? -1 : x.code > y.code ? 1 : 0))
		.map(({ code, label, values }) => ({ code, label, values }));
	return {
		mediaUrl: webLink(row.mediaUrl),
		email: row.email ? (caller.masked ? maskEmail(row.email) : row.email) : null,
		attributes
	};
}

const BACK: Partial<Record<CaseUser['role'], string>> = {
	operator: '/intake',
	dispatcher: '/dispatch',
	supervisor: '/supervise',
	leader: '/supervise',
	unit_handler: '/my-tickets',
	admin: '/dispatch'
};

const EVENT_LABELS: Record<string, string> = { ...ACTION_LABELS, receive: '登记', visit: '回访', feed_update: '数据接入更新', recount: '时限重算' };

/**
 * What an action answers: the ticket as the user now sees it, or — when the action took it out of their sight (a
 * unit returned it) — its number, state and version only.
 */
export async function ticketAfterAction(
	app: App,
	user: CaseUser,
	row: TicketRow
): Promise<TicketDetail | { ticket_no: string; status: string; version: number; visible: false }> {
	if (!canView(user, stateOf(row))) return { ticket_no: row.ticketNo, status: row.status, version: row.version, visible: false };
	return ticketDetail(app, user, row.ticketNo);
}

function satisfactionOfEvent(data: unknown): string | null {
	return data && typeof data === 'object' && 'satisfaction' in data && typeof data.satisfaction === 'string' ? data.satisfaction : null;
}

/** An event's or an extension request's data with its free-text reason as the user sees it. */
function hideReason<T extends { reason?: unknown } | null>(data: T, hide: (text: string) => string): T {
	return data && typeof data.reason === 'string' ? { ...data, reason: hide(data.reason) } : data;
}

/** A ticket's events as the lifecycle's round rules read them (pipelines/lifecycle/rounds.ts): limits and times in their data. */
function roundEventsOf(events: readonly { action: string; toStatus: string; unitCode: string | null; at: Date; data: unknown }[]): RoundEvent[] {
	return events.map((e) => {
		const d = (e.data ?? {}) as Partial<Record<'signDeadline' | 'replyDeadline' | 'signedAt' | 'repliedAt', number | null>> & { satisfaction?: string | null; assistUnits?: string[] | null };
		return {
			action: e.action, to: e.toStatus, unit: e.unitCode, at: e.at.getTime(), signDeadline: d.signDeadline ?? null, replyDeadline: d.replyDeadline ?? null,
			satisfaction: d.satisfaction ?? null, assistUnits: d.assistUnits ?? null, signedAt: d.signedAt ?? null, repliedAt: d.repliedAt ?? null
		};
	});
}

/**
 * A ticket's handling rounds from its events, as the sync gives them to its fact (unitRounds; none for a ticket
 * never dispatched, null for one at a unit whose events name no dispatch: a feed's).
 */
function roundsOfEvents(t: TicketRow, steps: readonly RoundEvent[], unitName: (code: string) => string | null): HandlingRound[] | null {
	const rounds = unitRounds(steps);
	return rounds.length === 0 && t.unitCode ? null : handlingRounds(rounds, unitName);
}

export async function ticketDetail(app: App, user: CaseUser, ticketNo: string): Promise<TicketDetail> {
	const t = await visibleTicket(app, user, ticketNo);
	const db = app.rel.db;
	const now = Date.now();
	const [limits, events, related, dup, reporter, attachments] = await Promise.all([
		getLimits(db),
		ticketEventsOf(db, t.id),
		relatedTickets(app, {
			id: t.id,
			phoneKey: t.callerPhoneKey,
			streetCode: t.streetCode,
			districtCode: t.districtCode,
			text: `${t.title}${t.content}`,
			address: t.address,
			at: t.receivedAt.getTime(),
			duplicateOf: t.duplicateOf
		}),
		t.duplicateOf ? db.select({ no: tickets.ticketNo }).from(tickets).where(eq(tickets.id, t.duplicateOf)) : Promise.resolve([]),
		db
			.select({
				serviceCode: open311Requests.serviceCode,
				email: open311Requests.email,
				mediaUrl: open311Requests.mediaUrl,
				attributes: open311Requests.attributes
			})
			.from(open311Requests)
			.where(eq(open311Requests.ticketId, t.id)),
		attachmentsOf(app, user, t)
	]);
	const caller = callerFor(user, t, true);
	const steps = roundEventsOf(events);
	const unitName = (c: string | null) => (c ? (app.ref.unitByCode.get(c)?.name ?? c) : null);
	const lightOf = (done: Date | null, deadline: Date | null, kind: 'sign' | 'reply') =>
		!deadline ? null : done ? (done <= deadline ? 'green' : 'red') : limitLight(app, t, kind, deadline, now, limits.yellowAt);
	const visibleRelated = user.role === 'unit_handler' ? [] : related;
	// the satisfaction of this round's visit: one of an earlier round (不满意, reopened) stays in the timeline only
	let lastDispatch = -1;
	let lastVisit = -1;
	events.forEach((e, i) => {
		if (e.action === 'dispatch') lastDispatch = i;
		if (e.action === 'visit') lastVisit = i;
	});
	const satisfaction = lastDispatch < 0 ? t.satisfaction : lastVisit > lastDispatch ? satisfactionOfEvent(events[lastVisit].data) ?? t.satisfaction : null;
	return {
		...summarize(
			app,
			user,
			t,
			limits,
			now,
			true,
			events.flatMap((e) => ((GIVE_BACK_ACTIONS as readonly string[]).includes(e.action) && e.unitCode ? [{ unit: e.unitCode, action: e.action as GivenBack['action'] }] : [])),
			attachments.count
		),
		open: OPEN_STATUSES.includes(t.status as Status),
		rounds: roundsOfEvents(t, steps, (c) => unitName(c)),
		readAt: new Date(now).toISOString(),
		content: caller.hide(t.content),
		address: caller.hide(t.address),
		categoryCode: t.categoryCode,
		districtCode: t.districtCode,
		streetCode: t.streetCode,
		unitCode: t.unitCode,
		assistUnits: t.assistUnits.map((c) => ({ code: c, name: unitName(c)! })),
		lon: t.lon,
		lat: t.lat,
		callerMasked: caller.masked,
		callerDial: caller.masked ? null : dialNumber(t.callerPhone, app.ref.city.phoneAreaCode ?? undefined),
		signDeadline: t.signDeadline?.toISOString() ?? null,
		replyDeadline: t.replyDeadline?.toISOString() ?? null,
		limitsFromReceipt: limitsFromReceipt(t, steps),
		signLight: t.status === 'accepted' || t.status === 'reopened' ? null : lightOf(t.signedAt, t.signDeadline, 'sign'),
		replyLight: t.status === 'accepted' || t.status === 'reopened' ? null : lightOf(t.repliedAt, t.replyDeadline, 'reply'),
		signedAt: t.signedAt?.toISOString() ?? null,
		repliedAt: t.repliedAt?.toISOString() ?? null,
		backHref: BACK[user.role] ?? '/',
		satisfaction,
		notAcceptedReason: t.notAcceptedReason,
		transferredTo: t.transferredTo,
		duplicateOf: dup[0]?.no ?? null,
		extension: hideReason(t.extensionPending as TicketDetail['extension'], caller.hide),
		open311: open311Extras(app, reporter[0], caller),
		attachments,
		timeline: events.map((e) => ({
			action: e.action,
			label: EVENT_LABELS[e.action] ?? e.action,
			fromStatus: e.fromStatus,
			toStatus: e.toStatus,
			toLabel: STATUS_LABELS[e.toStatus as Status] ?? e.toStatus,
			actor: e.actorName,
			unit: unitName(e.unitCode),
			note: caller.hide(e.note),
			data: hideReason(e.data as Record<string, unknown> | null, caller.hide),
			at: e.at.toISOString()
		})),
		related: visibleRelated.map((r) => ({
			...r,
			title: caller.hide(r.title),
			receivedAt: r.receivedAt.toISOString(),
			statusLabel: STATUS_LABELS[r.status] ?? r.status
		})),
		// 取消关联 only where there is a link to undo
		actions: availableActions(user, stateOf(t))
			.filter((a) => a !== 'unlink' || related.some((r) => r.linked))
			.map((a) => ({ action: a, label: ACTION_LABELS[a] }))
	};
}

/**
 * Of the ticket numbers given (a 检索 page's hits), those the user may open as 工单详情: held in the relational store
 * (the analytics-only history of a feed, its closed tickets, has no page) and visible to them (`canView`). None for a
 * role that works on no cases (analysts, the emergency office).
 */
export async function openableTickets(app: App, user: CaseUser, nos: readonly string[]): Promise<string[]> {
	if (!nos.length || !CASE_ROLES.includes(user.role)) return [];
	const rows = await app.rel.db
		.select({ no: tickets.ticketNo, unitCode: tickets.unitCode, assistUnits: tickets.assistUnits })
		.from(tickets)
		.where(inArray(tickets.ticketNo, [...nos]));
	return rows.filter((r) => canView(user, r)).map((r) => r.no);
}

/**
 * Whether a ticket holds a limit that a feed hand-over counted from its receipt (its sender reported none:
 * inferLimits in server/ingest.ts): never dispatched here, with a limit that no version of the feed reported.
 */
function limitsFromReceipt(t: TicketRow, steps: readonly RoundEvent[]): boolean {
	if (t.dispatchedAt) return false;
	const reported = feedLimits(steps);
	return (t.signDeadline !== null && reported.signDeadline === null) || (t.replyDeadline !== null && reported.replyDeadline === null);
}
