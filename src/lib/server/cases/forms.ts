// What the case pages need besides the tickets: the choices of their forms, and one form action that runs a
// case action from a posted form (used by the detail page and the queue pages' quick forms).
import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { NOT_ACCEPTED_REASONS, SATISFACTION, TICKET_TYPES, CHANNEL_LABELS, URGENCIES, URGENCY_LABELS, VISIT_FAILURES } from '$pipelines/lifecycle/model';
import type { SessionUser } from '$lib/types';
import { UNIT_KIND_LABELS } from '$lib/units';
import { UNIT_FILTER_QUEUES } from '$lib/queues';
import { categoryInUse } from '../categories';
import { app, type App } from '../app';
import { requireScreen } from '../guard';
import { CASE_ERROR_STATUS, formNumber, formToInput, queueFilter } from './http';
import { CaseError, EMERGENCY_LINES, tidyTicketNo } from './input';
import { INTAKE_CHANNELS } from './screen-pop';
import { ACTION_LABELS, canView, type CaseAction } from './machine';
import { and, desc, eq } from 'drizzle-orm';
import { ticketEvents, tickets } from '../db/schema';
import { actOnTicket, actOnTickets, heldBy, stateOf, visibleTicket } from './service';
import { listQueue, type Queue } from './read';

/** The city's undertaking units that take tickets, by kind (市级部门, 区县 …), as the forms' unit choices group them. */
export function unitGroups(app: App, o: { stopped?: boolean } = {}): { label: string; units: { code: string; name: string }[] }[] {
	const groups = new Map<string, { code: string; name: string }[]>();
	for (const u of app.ref.units) {
		if (!u.active && !o.stopped) continue;
		const g = UNIT_KIND_LABELS[u.kind] ?? u.kind;
		groups.set(g, [...(groups.get(g) ?? []), { code: u.code, name: u.active ? u.name : `${u.name}（已停用）` }]);
	}
	return [...groups].map(([label, units]) => ({ label, units }));
}

export function caseChoices(app: App) {
	return {
		unitGroups: unitGroups(app),
		reasons: Object.entries(NOT_ACCEPTED_REASONS).map(([n, text]) => ({ n: Number(n), text })),
		lines: [...EMERGENCY_LINES],
		satisfaction: [...SATISFACTION],
		visitFailures: [...VISIT_FAILURES],
		types: [...TICKET_TYPES],
		urgencies: URGENCIES.map((code) => ({ code, label: URGENCY_LABELS[code] })),
		categoryGroups: categoryGroups(app),
		channels: INTAKE_CHANNELS.map((c) => ({ code: c, label: CHANNEL_LABELS[c] }))
	};
}

/** The city's districts with their streets, for a place choice (受理, and the corrections of 受理 and 派单). */
export function placeChoices(app: App) {
	const ref = app.ref;
	return ref.districts.map((d) => ({
		code: d.code,
		name: d.name,
		streets: ref.streets.filter((s) => s.districtCode === d.code).map((s) => ({ code: s.code, name: s.name }))
	}));
}

/** The 受理 form's place and category choices: districts with their streets, level-3 categories under their level 1. */
export function intakeChoices(app: App) {
	return { districts: placeChoices(app), categoryGroups: categoryGroups(app) };
}

/** The level-3 categories in use under their level 1, for a category choice. */
function categoryGroups(app: App) {
	const ref = app.ref;
	return ref.categories
		.filter((c) => c.level === 1)
		.map((l1) => ({
			label: l1.name,
			categories: ref.categories
				.filter((c) => c.level === 3 && c.code.startsWith(l1.code) && categoryInUse(ref, c.code))
				.map((c) => ({ code: c.code, name: c.path.split(' › ').slice(1).join(' › ') || c.name }))
		}))
		.filter((g) => g.categories.length);
}

/** Runs the posted case action on the ticket `ticketNo` (a hidden `ticket` field names it on queue pages). */
export async function runCaseForm(app: App, user: SessionUser, request: Request, ticketNo?: string) {
	const input = formToInput(await request.formData());
	const no = ticketNo ?? String(input.ticket ?? '');
	delete input.ticket;
	try {
		const row = await actOnTicket(app, user, no, input);
		// a unit that returned a ticket no longer sees it (the page then leaves it for the unit's queue)
		return { ok: true as const, action: String(input.action), ticket: no, status: row.status, visible: canView(user, stateOf(row)) };
	} catch (e) {
		if (!(e instanceof CaseError)) throw e;
		const action = String(input.action ?? '');
		// a unit that lost the ticket meanwhile (a colleague returned it, it went to another unit): the page must not
		// reload into a 404 that drops what was typed; it says what happened and keeps the text
		const gone = e.code === 'conflict' && user.role === 'unit_handler' && !(await stillVisible(app, user, no));
		return fail(CASE_ERROR_STATUS[e.code], {
			ok: false as const,
			action,
			ticket: no,
			message: gone ? goneMessage(no, action) : e.message,
			field: e.field,
			note: String(input.note ?? ''),
			gone,
			/** someone else changed the ticket meanwhile (a version conflict), not a refusal of the state the user saw */
			conflict: e.code === 'conflict'
		});
	}
}

async function stillVisible(app: App, user: SessionUser, no: string): Promise<boolean> {
	return visibleTicket(app, user, no).then(
		() => true,
		(e: unknown) => {
			if (e instanceof CaseError && e.code === 'not_found') return false;
			throw e;
		}
	);
}

/** What a unit is told when the ticket left it while its page was open. */
export function goneMessage(no: string, action: string): string {
	const label = ACTION_LABELS[action as CaseAction];
	return `工单 ${no} 已被退回、收回或改派，本单位已不再办理该工单${label ? `，本次${label}未提交` : ''}。`;
}

/**
 * 我的工单's notice for a ticket that just left the unit (`?left=<number>`, where the ticket page sends a unit that
 * returned it): written here from the ticket, for a ticket this unit held and no longer sees; null for anything else,
 * so the address cannot put words of its own on the page.
 */
export async function leftNotice(app: App, user: SessionUser, raw: string | null): Promise<string | null> {
	if (!raw || user.role !== 'unit_handler' || !user.unitCode || raw.length > 40) return null;
	const no = tidyTicketNo(raw);
	const [t] = await app.rel.db.select().from(tickets).where(eq(tickets.ticketNo, no));
	if (!t || canView(user, stateOf(t)) || !(await heldBy(app.rel.db, t.id, user.unitCode))) return null;
	const [last] = await app.rel.db
		.select({ action: ticketEvents.action })
		.from(ticketEvents)
		.where(and(eq(ticketEvents.ticketId, t.id), eq(ticketEvents.unitCode, user.unitCode)))
		.orderBy(desc(ticketEvents.at), desc(ticketEvents.id))
		.limit(1);
	if (last?.action === 'return' && t.status === 'accepted') return `工单 ${t.ticketNo} 已退回，由派单员重新派单，本单位不再办理。`;
	if (last?.action === 'recall') return `工单 ${t.ticketNo} 已由派单员收回，本单位不再办理。`;
	return `工单 ${t.ticketNo} 已不再由本单位办理。`;
}

/** A queue page's load: the screen's role check, then the queue with the tab and page of the URL. */
export async function loadQueue(a: App, user: SessionUser, url: URL, queue: Queue) {
	try {
		return await listQueue(a, user, queueFilter(url, queue));
	} catch (e) {
		// a cursor cut off or typed by hand: said on the page's error screen (400), not an internal error
		if (e instanceof CaseError && e.code === 'invalid_input') error(400, e.message);
		throw e;
	}
}

/** The units a queue can be narrowed to (UNIT_FILTER_QUEUES), stopped ones too (they may still lead tickets); null for the others. */
export function queueUnitChoices(a: App, queue: Queue) {
	return (UNIT_FILTER_QUEUES as readonly string[]).includes(queue) ? unitGroups(a, { stopped: true }) : null;
}

/** The load and the form action of a queue screen (派单, 我的工单, 督办, 回访): each route is these two lines. */
export function queueRoute(screen: string, queue: Queue) {
	return {
		load: async ({ locals, url }: RequestEvent) => {
			const a = await app();
			return { queue: await loadQueue(a, requireScreen(locals, screen), url, queue), units: queueUnitChoices(a, queue) };
		},
		actions: {
			act: async ({ locals, request }: RequestEvent) => runCaseForm(await app(), requireScreen(locals, screen), request),
			batch: async ({ locals, request }: RequestEvent) => runBatchForm(await app(), requireScreen(locals, screen), request)
		}
	};
}

/** The steps a queue's selection takes at once: 派单 to each ticket's suggested unit, 催办 with one note. */
const BATCH_ACTIONS = ['dispatch', 'urge'] as const;

/**
 * A queue page's batch form: the rows picked (`pick`, one per row: for a dispatch the ticket, the version shown and
 * the units shown, `no|version|unit|assist,assist`; for an urge the ticket) and what they share (`note`). Each ticket
 * is taken on its own (`actOnTickets`); the answer lists those done and those refused with why.
 */
export async function runBatchForm(app: App, user: SessionUser, request: Request) {
	const form = await request.formData();
	const action = String(form.get('action') ?? '');
	const note = String(form.get('note') ?? '');
	const picks = form.getAll('pick').map(String).filter(Boolean);
	try {
		if (!(BATCH_ACTIONS as readonly string[]).includes(action)) throw new CaseError('invalid_input', `不能批量${ACTION_LABELS[action as CaseAction] ?? action}`, 'action');
		if (action === 'urge' && !note.trim()) throw new CaseError('invalid_input', '请填写催办意见', 'note');
		const items = picks.map((p) => {
			const [no, version, unit, assist] = p.split('|');
			return action === 'dispatch'
				? { ticket_no: no, action, version: formNumber(version), unit_code: unit, assist_units: assist ? assist.split(',') : [] }
				: { ticket_no: no, action, note };
		});
		const outcomes = await actOnTickets(app, user, items);
		return {
			ok: true as const,
			batch: action,
			done: outcomes.filter((o) => o.ok).map((o) => o.ticketNo),
			refused: outcomes.flatMap((o) => (o.ok ? [] : [{ ticket: o.ticketNo, message: o.message }]))
		};
	} catch (e) {
		if (!(e instanceof CaseError)) throw e;
		return fail(CASE_ERROR_STATUS[e.code], { ok: false as const, batch: action, message: e.message, field: e.field, note });
	}
}
