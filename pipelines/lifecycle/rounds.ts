// A ticket's handling rounds (承办轮次): one per dispatch to a unit, from the ticket's events. The unit assessment
// (考核) charges each round to the unit that held the ticket in it: a unit that signed late, returned the ticket or
// had it reopened is charged for that even when the ticket went on to another unit, or to itself again.

/** One event of a ticket, as much of it as the rounds need (the relational store's events, the demo's). */
export interface RoundEvent {
	action: string;
	/** the status the event moved the ticket to */
	to: string;
	/** the event's unit: for a dispatch the unit dispatched to, otherwise the unit holding the ticket */
	unit: string | null;
	/** epoch ms */
	at: number;
	/**
	 * a dispatch's deadlines (epoch ms, rounded: the store keeps whole ms), an approved extension's new reply deadline,
	 * a recount's new deadlines, a visit's (or a feed version's) satisfaction
	 */
	signDeadline?: number | null;
	replyDeadline?: number | null;
	satisfaction?: string | null;
	/** a feed version's sign-for and reply as the sender's system recorded them (epoch ms), with its limits above */
	signedAt?: number | null;
	repliedAt?: number | null;
	/** a dispatch's assisting units (协办单位) */
	assistUnits?: readonly string[] | null;
}

/**
 * A round, as the facts store it (`tickets_fact.rounds`; instants in epoch ms). The names of the instants and of
 * `satisfaction` are those of the fact's own columns, so the assessment's measures read a round as they read a
 * ticket (pipelines/warehouse/rollups.ts, UNIT_ROUNDS).
 */
export interface UnitRound {
	unit: string;
	/**
	 * The dispatch that began the round; null for a round a feed's version began (the ticket came to the unit
	 * elsewhere, without the dispatch here): such a round is assessed on its volume, its visit and the sign-for and
	 * reply times and limits the feed reports, not in the denominators of the return, extension and reopen rates
	 * (UNIT_ROUNDS), which a feed does not report.
	 */
	dispatched_at: number | null;
	sign_deadline: number | null;
	/**
	 * When the unit answered the dispatch: it signed for the ticket, or returned it unsigned. A return is the
	 * other answer to a dispatch, due within the same limit: one made after the sign-for limit is late.
	 */
	signed_at: number | null;
	/** the reply deadline as it stood at the round's end (an approved extension moves it) */
	reply_deadline: number | null;
	replied_at: number | null;
	/** the last return visit of the round's reply */
	satisfaction: string | null;
	returned: boolean;
	extended: boolean;
	/** the ticket was reopened after the round's reply (a visit 不满意, or a supervisor's reopening of the closed ticket) */
	reopened: boolean;
}

const ms = (v: number | null | undefined) => (v == null ? null : Math.round(v));

/** The events of a feed's version of a ticket handed over to the relational store (server/ingest.ts handOverFeedTickets). */
export const FEED_ACTIONS: ReadonlySet<string> = new Set(['receive', 'feed_update']);

/** The events `unitRounds` reads; the others change no round. */
export const ROUND_ACTIONS: readonly string[] = ['dispatch', 'sign', 'return', 'recall', 'extension_approve', 'recount', 'reply', 'visit', ...FEED_ACTIONS];

/**
 * The assisting units (协办单位) of a ticket's dispatches, one entry for each dispatch that named the unit to assist (the
 * lead left out). An assisting unit sees the ticket and adds notes (cases/machine.ts): it signs for nothing, replies
 * to nothing and has no time limit, so it has no round of its own to assess. The assessment shows how often each unit
 * assisted (its 协办 volume) and charges the rounds' results to the lead alone.
 */
export function unitAssists(events: readonly RoundEvent[]): string[] {
	const assists: string[] = [];
	for (const e of events) {
		if (e.action !== 'dispatch' || !e.assistUnits) continue;
		for (const u of new Set(e.assistUnits)) if (u !== e.unit) assists.push(u);
	}
	return assists;
}

/**
 * The limits a ticket's feed versions reported (`FEED_ACTIONS` events; a version without a limit keeps the one before,
 * as the store does): what a ticket never dispatched here is judged by. The store may hold others for 督办 — counted
 * from the receipt where the feed reported none (server/ingest.ts) — which are not the sender's and count in no rate.
 */
export function feedLimits(events: readonly RoundEvent[]): { signDeadline: number | null; replyDeadline: number | null } {
	let signDeadline: number | null = null;
	let replyDeadline: number | null = null;
	for (const e of events) {
		if (!FEED_ACTIONS.has(e.action)) continue;
		if (e.signDeadline != null) signDeadline = ms(e.signDeadline);
		if (e.replyDeadline != null) replyDeadline = ms(e.replyDeadline);
	}
	return { signDeadline, replyDeadline };
}

/** The actions that move a ticket back to the undertaking stage without being a reopening (the sync's count). */
const NOT_REOPENING = new Set(['return', 'extension_approve']);

/**
 * The rounds of a ticket from its events in the order they were written. Events before the first dispatch and
 * between a return and the next dispatch belong to no round. A feed's ticket (`FEED_ACTIONS`) comes with the unit
 * the feed names: a round of that unit, without the dispatch (`dispatched_at` null, as the feed's own fact has it),
 * with the sign-for, the reply and their limits the version reports (a later version's replace them).
 */
export function unitRounds(events: readonly RoundEvent[]): UnitRound[] {
	const rounds: UnitRound[] = [];
	let cur: UnitRound | null = null;
	const start = (unit: string, at: number | null, signDeadline: number | null, replyDeadline: number | null): UnitRound => {
		const r: UnitRound = {
			unit, dispatched_at: at, sign_deadline: signDeadline, signed_at: null,
			reply_deadline: replyDeadline, replied_at: null, satisfaction: null, returned: false, extended: false, reopened: false
		};
		rounds.push(r);
		return r;
	};
	for (const e of events) {
		if (e.action === 'dispatch') {
			if (e.unit) cur = start(e.unit, e.at, ms(e.signDeadline), ms(e.replyDeadline));
			continue;
		}
		if (FEED_ACTIONS.has(e.action)) {
			// the feed's version: its unit holds the ticket (a round of its own when it is another unit), or none does
			if (!e.unit) cur = null;
			else if (cur?.unit !== e.unit) cur = start(e.unit, null, null, null); // not dispatched here: no dispatch instant
			if (cur) {
				if (e.satisfaction != null) cur.satisfaction = e.satisfaction;
				if (e.signDeadline != null) cur.sign_deadline = ms(e.signDeadline);
				if (e.signedAt != null) cur.signed_at = ms(e.signedAt);
				if (e.replyDeadline != null) cur.reply_deadline = ms(e.replyDeadline);
				if (e.repliedAt != null) cur.replied_at = ms(e.repliedAt);
			}
			continue;
		}
		if (!cur) continue;
		switch (e.action) {
			case 'sign':
				cur.signed_at ??= e.at;
				break;
			case 'return':
				cur.signed_at ??= e.at;
				cur.returned = true;
				cur = null; // the ticket is back with the dispatchers
				continue;
			case 'recall':
				// the dispatchers took the ticket back (cases/machine.ts): not the unit's return, and no step of the unit's
				// is due any more. A limit already passed without the step stays late — the step counts as done late at the
				// recall, as a return after the sign-for limit does — so a recall never clears a unit's overdue ticket;
				// a limit not yet reached leaves no result
				if (cur.signed_at === null) {
					if (cur.sign_deadline !== null && e.at > cur.sign_deadline) cur.signed_at = e.at;
				} else if (cur.replied_at === null && cur.reply_deadline !== null && e.at > cur.reply_deadline) cur.replied_at = e.at;
				cur = null;
				continue;
			case 'extension_approve':
				cur.extended = true;
				if (e.replyDeadline != null) cur.reply_deadline = ms(e.replyDeadline);
				break;
			case 'recount':
				// the holiday calendar changed: the limits not yet met, counted anew (cases/calendar-change.ts)
				if (e.signDeadline != null) cur.sign_deadline = ms(e.signDeadline);
				if (e.replyDeadline != null) cur.reply_deadline = ms(e.replyDeadline);
				break;
			case 'reply':
				cur.replied_at ??= e.at;
				break;
			case 'visit':
				cur.satisfaction = e.satisfaction ?? null;
				break;
		}
		if (e.to === 'reopened' && !NOT_REOPENING.has(e.action)) cur.reopened = true;
	}
	return rounds;
}
