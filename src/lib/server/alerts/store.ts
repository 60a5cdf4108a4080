// Alerts in the relational store: one row per incident, its lifecycle, linked tickets, notes and an
// append-only audit trail (alert_events).
//
// Two sides change an alert:
//   - the detection pass (`recordIncident`, `settleQuiet`): raises alerts, keeps their numbers and linked
//     tickets current, and sets the signal (Grafana-like): firing while a series is in an anomalous episode,
//     recovering for RECOVERY_HOLD buckets after it ends, then normal. At normal, an alert still new or
//     acknowledged is resolved by the system (自动恢复); an escalated one stays open for the people handling it.
//     A system-resolved alert whose incident fires again within the grouping gap is reopened (refired).
//   - people (`transition`, `addNote`): new → acknowledged → escalated → resolved, or dismissed from any open
//     state. Each change checks the version the user saw (a concurrent change gives a conflict).
import { isDeepStrictEqual } from 'node:util';
import { and, desc, eq, gte, inArray, isNull, like, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { alertEvents, alerts, alertTickets, type AlertRow } from '../db/schema';
import { sameTopic } from '$pipelines/alerts/incidents';
import { unsavableMessage } from '$pipelines/normalize/text';
import type { Bucket, PlaceLevel, SeriesKey } from '$pipelines/alerts/series';

import { SEVERITY_LABELS, STATUS_LABELS, type AlertSignal, type AlertStatus } from '$lib/alerts';
export { ALERT_STATUSES, SEVERITY_LABELS, SIGNAL_LABELS, STATUS_LABELS, type AlertSignal, type AlertStatus } from '$lib/alerts';

export const OPEN_STATUSES: readonly AlertStatus[] = ['new', 'acknowledged', 'escalated'];

/** Buckets an ended episode stays `recovering` before the signal is normal. */
export const RECOVERY_HOLD = 2;
/** How long after a system resolution a new firing of the same incident reopens the alert. */
export const REOPEN_GAP_MS = 12 * 3_600_000;

export class AlertError extends Error {
	constructor(
		readonly code: 'not_found' | 'conflict' | 'bad_transition' | 'invalid_input',
		message: string
	) {
		super(message);
	}
}

export interface AlertPlace {
	level: PlaceLevel;
	code: string;
	name: string;
	observed: number;
	expected: number;
}

export interface AlertSeriesPoint {
	t: string;
	observed: number;
	expected: number;
	lower: number;
	upper: number;
	score: number;
}

export interface AlertSeriesInfo {
	id: string;
	key: SeriesKey;
	label: string;
	onset: string;
	last: string;
	observed: number;
	expected: number;
	p: number;
	score: number;
	/** watch lists: the burst automaton's score at the episode's last bucket */
	burst?: number;
	/** recent buckets, for the chart of observed against the expected band */
	points: AlertSeriesPoint[];
}

/** What the detection pass hands over for one incident. */
export interface DetectedIncident {
	title: string;
	severity: number;
	watchlistSlug: string | null;
	categoryCode: string | null;
	topicKey: string;
	placeLevel: PlaceLevel;
	placeCode: string;
	districtCode: string | null;
	places: AlertPlace[];
	series: AlertSeriesInfo[];
	bucket: Bucket;
	onset: Date;
	lastFiring: Date;
	/** a series is still in its episode at the pass's last bucket */
	active: boolean;
	observed: number;
	expected: number;
	upper: number;
	score: number;
	tickets: { ticketNo: string; receivedAt: Date; streetCode: string | null }[];
	unitCode: string | null;
	silencedBy: number | null;
}

export interface RecordResult {
	alert: AlertRow;
	/** what changed for notifications and the live page */
	event: 'fired' | 'refired' | 'severity_raised' | 'updated' | 'recovered' | 'auto_resolved' | null;
}

const SYSTEM = '系统';

const FAMILIES: Record<string, SeriesKey['family']> = { wl: 'watchlist', cat: 'category', topic: 'topic' };

/** 'wl:flood_drought' → the family and topic it names */
function topicOf(key: string): Pick<SeriesKey, 'family' | 'topic'> {
	const i = key.indexOf(':');
	return { family: FAMILIES[key.slice(0, i)] ?? 'topic', topic: key.slice(i + 1) };
}

function placeCompatible(
	a: { placeLevel: string; districtCode: string | null },
	b: { placeLevel: string; districtCode: string | null }
): boolean {
	return a.placeLevel === 'city' || b.placeLevel === 'city' || a.districtCode === b.districtCode;
}

/**
 * The stored alert an incident continues, if any: compatible place and topic (the incidents' names, or ≥ 50 %
 * shared tickets), and in time: the incident's span [onset, last firing] within REOPEN_GAP_MS of the alert's
 * [start, last firing], and then an open alert, a system-resolved one whose incident fires again within the gap
 * after it recovered, or a closed one whose known episode the incident recomputes (same or earlier onset).
 * Of several, the one at the incident's own place comes first (a district's alert before a city-wide one that
 * took in another district), then the one whose time span overlaps the incident's, then the latest firing: a
 * round finds its older, finished incidents again, and each must keep to its own alert, not to the newest of
 * its topic.
 */
export async function findAlertFor(
	db: Db,
	inc: DetectedIncident,
	watchlistsOf: (category: string) => readonly string[]
): Promise<AlertRow | null> {
	const onset = inc.onset.getTime();
	const last = inc.lastFiring.getTime();
	const rows = await db
		.select()
		.from(alerts)
		.where(and(gte(alerts.lastFiringAt, new Date(onset - REOPEN_GAP_MS)), lte(alerts.startedAt, new Date(last + REOPEN_GAP_MS))))
		.orderBy(desc(alerts.lastFiringAt));
	const incTopic = topicOf(inc.topicKey);
	const incTickets = new Set(inc.tickets.map((t) => t.ticketNo));
	let best: { a: AlertRow; rank: number } | null = null;
	for (const a of rows) {
		if (!placeCompatible(a, inc)) continue;
		const open = (OPEN_STATUSES as readonly string[]).includes(a.status);
		const sameEpisode = onset <= a.lastFiringAt.getTime();
		if (!open && !sameEpisode) {
			const systemClosed = a.status === 'resolved' && a.closedAt && (await closedBySystem(db, a.id));
			if (!(systemClosed && onset <= (a.recoveredAt ?? a.lastFiringAt).getTime() + REOPEN_GAP_MS)) continue;
		}
		const place = a.placeLevel === inc.placeLevel && a.placeCode === inc.placeCode ? 0 : a.districtCode && a.districtCode === inc.districtCode ? 1 : 2;
		const overlaps = onset <= a.lastFiringAt.getTime() && last >= a.startedAt.getTime() ? 0 : 1;
		const rank = place * 2 + overlaps;
		if (best && best.rank <= rank) continue; // rows come latest first: an equal rank keeps the later alert
		// the incidents' names decide, not every series behind them: a district's 市政公用 count belongs to many
		const topical = sameTopic(topicOf(a.topicKey) as SeriesKey, incTopic as SeriesKey, watchlistsOf);
		if (topical || (await ticketOverlap(db, a.id, incTickets)) >= 0.5) best = { a, rank };
		if (best?.rank === 0) break;
	}
	return best?.a ?? null;
}

/** The alert's latest trail entry among `actions` (its action, time and data), or null. */
export async function lastTrailEvent(
	db: Db,
	alertId: number,
	actions: readonly string[]
): Promise<{ action: string; at: Date; data: unknown; actor: string } | null> {
	const [e] = await db
		.select({ action: alertEvents.action, at: alertEvents.at, data: alertEvents.data, actor: alertEvents.actorName })
		.from(alertEvents)
		.where(and(eq(alertEvents.alertId, alertId), inArray(alertEvents.action, [...actions])))
		.orderBy(desc(alertEvents.id))
		.limit(1);
	return e ?? null;
}

/** The trail's marks of an owed raising: 静默中，未通知 (owed) and 静默结束后补发通知 (paid). */
export const OWED_MARKS = ['notify_withheld', 'notified_late'] as const;

/**
 * Marks the raising of an alert as owed because silence #`silence` held its message back (announceOwed sends it
 * when the silence ends while the alert still fires), once: in a transaction of its own, or in the caller's (`db` a
 * transaction), the alert's row locked first, so that two messages held back at once write it once.
 */
export async function markOwed(db: Db, alertId: number, silence: number, at: Date): Promise<void> {
	await db.transaction(async (tx) => {
		const t = tx as unknown as Db;
		await t.select({ id: alerts.id }).from(alerts).where(eq(alerts.id, alertId)).for('update');
		if ((await lastTrailEvent(t, alertId, OWED_MARKS))?.action !== 'notify_withheld')
			await t.insert(alertEvents).values({ alertId, action: 'notify_withheld', actorName: SYSTEM, note: `静默规则 #${silence} 生效，未发送通知`, at });
	});
}

async function closedBySystem(db: Db, id: number): Promise<boolean> {
	return (await lastTrailEvent(db, id, ['resolved', 'auto_resolved', 'dismissed']))?.action === 'auto_resolved';
}

/** What an incident was when a person closed its alert (the closing event keeps it). */
interface ClosedAs {
	ticketCount: number;
	severity: number;
}

/** Tickets an incident must gain after a person closed its alert, besides doubling, for the alert to open again. */
export const REOPEN_MIN_GROWTH = 5;

/**
 * The incident at its alert's closing by a person: from the closing event; for an alert closed before the event kept
 * it, its tickets received by the closing (the rounds since have raised its count) and its level as it is.
 */
async function closedAs(db: Db, a: AlertRow): Promise<ClosedAs> {
	const e = await lastTrailEvent(db, a.id, ['resolved', 'dismissed']);
	const d = e?.data as Partial<ClosedAs> | null | undefined;
	if (typeof d?.ticketCount === 'number' && typeof d.severity === 'number') return { ticketCount: d.ticketCount, severity: d.severity };
	const closed = e?.at ?? a.closedAt ?? a.updatedAt;
	const [{ n }] = await db
		.select({ n: sql<number>`count(*)::int` })
		.from(alertTickets)
		.where(and(eq(alertTickets.alertId, a.id), lte(alertTickets.receivedAt, closed)));
	return { ticketCount: Number(n), severity: a.severity };
}

/**
 * Why an alert a person closed (resolved, or dismissed as a false alarm) opens again while its incident still fires:
 * the incident became graver (a more severe level) or at least doubled its tickets (by REOPEN_MIN_GROWTH at least)
 * since — a closing must not hide that growth. null: it did not.
 */
function outgrown(at: ClosedAs, patch: Partial<AlertRow>, count: number): string | null {
	if (patch.severity! < at.severity)
		return `关闭后事件扩大，级别由${SEVERITY_LABELS[at.severity] ?? at.severity}升至${SEVERITY_LABELS[patch.severity!] ?? patch.severity}，预警重新打开`;
	if (count >= 2 * at.ticketCount && count - at.ticketCount >= REOPEN_MIN_GROWTH)
		return `关闭后事件继续扩大，关联工单由 ${at.ticketCount} 件增至 ${count} 件，预警重新打开`;
	return null;
}

async function ticketOverlap(db: Db, id: number, tickets: Set<string>): Promise<number> {
	if (!tickets.size) return 0;
	const total = await linkedCount(db, id);
	if (!total) return 0;
	return (await linkedAmong(db, id, [...tickets])).size / Math.min(total, tickets.size);
}

/** Ticket numbers one look-up among an alert's links names (a few milliseconds in the embedded store). */
const LOOKUPS_PER_STATEMENT = 1000;

/** Alerts whose links a process keeps in mind (the most recently used): a round's incidents, many times over. */
const CACHED_ALERTS = 256;

/**
 * Per store, per alert: ticket numbers known to be linked, as this process has found or made the links. Links are
 * never removed, so what it holds is linked; one another process made is not in it, and is looked up.
 */
const knownLinks = new WeakMap<Db, Map<number, Set<string>>>();

function linksKnown(db: Db, id: number): Set<string> {
	let byAlert = knownLinks.get(db);
	if (!byAlert) knownLinks.set(db, (byAlert = new Map()));
	const known = byAlert.get(id) ?? new Set<string>();
	byAlert.delete(id);
	byAlert.set(id, known);
	if (byAlert.size > CACHED_ALERTS) byAlert.delete(byAlert.keys().next().value!);
	return known;
}

/** A PostgreSQL array literal of `values`: one parameter however many (a list of parameters costs the store more to parse than the look-ups). */
function textArray(values: readonly string[]): string {
	return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * The numbers among `ticketNos` already linked to alert `id`. Every round finds a big incident again with its
 * thousands of calls, and a read of all an alert's links (5,000 rows took 20–36 ms in the intake benchmark, every
 * registration waiting behind it) each time would cost the store more than anything else the round does: the
 * numbers known to be linked are answered from memory, only the rest looked up over the (alert, ticket) index,
 * LOOKUPS_PER_STATEMENT at a time, each batch counted first and read only where some are linked and some not
 * (a round's new calls are mostly not).
 */
async function linkedAmong(db: Db, id: number, ticketNos: readonly string[]): Promise<Set<string>> {
	const known = linksKnown(db, id);
	const out = new Set<string>();
	const ask: string[] = [];
	for (const t of new Set(ticketNos)) {
		if (known.has(t)) out.add(t);
		else ask.push(t);
	}
	for (let i = 0; i < ask.length; i += LOOKUPS_PER_STATEMENT) {
		const part = ask.slice(i, i + LOOKUPS_PER_STATEMENT);
		const among = and(eq(alertTickets.alertId, id), sql`${alertTickets.ticketNo} = any(${textArray(part)}::text[])`);
		const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(alertTickets).where(among);
		const found =
			Number(n) === part.length ? part : Number(n) > 0 ? (await db.select({ t: alertTickets.ticketNo }).from(alertTickets).where(among)).map((r) => r.t) : [];
		for (const t of found) {
			out.add(t);
			known.add(t);
		}
	}
	return out;
}

function signalOf(inc: DetectedIncident, now: number, bucketMs: number): AlertSignal {
	if (inc.active) return 'firing';
	return now - inc.lastFiring.getTime() < (RECOVERY_HOLD + 1) * bucketMs ? 'recovering' : 'normal';
}

/**
 * Raises or updates the alert of one detected incident. Every round finds the incidents of the last days again,
 * and a big one keeps gaining calls, so its tickets are linked outside the alert's transaction, only those not
 * linked yet, in small statements of their own (a link is kept once made; a round stopped halfway leaves the
 * rest to the next one): the embedded store runs one statement at a time, and the registrations arriving
 * meanwhile wait behind each statement, never behind all of an incident's calls. An alert the round leaves as
 * it was is not written at all.
 */
export async function recordIncident(
	db: Db,
	inc: DetectedIncident,
	now: Date,
	watchlistsOf: (category: string) => readonly string[],
	round: RoundClaims = new Map()
): Promise<RecordResult> {
	const bucketMs = inc.bucket === 'hour' ? 3_600_000 : 86_400_000;
	const existing = await findAlertFor(db, inc, watchlistsOf);
	// two incidents of one round that continue the same alert: the later never quietens what the earlier set
	const signal = strongerSignal(signalOf(inc, now.getTime(), bucketMs), existing ? round.get(existing.id) : undefined);
	const linked = existing ? await linkedAmong(db, existing.id, inc.tickets.map((x) => x.ticketNo)) : new Set<string>();
	const fresh = inc.tickets.filter((x) => !linked.has(x.ticketNo));
	if (!existing) {
		const a = await db.transaction(async (tx) => {
			const t = tx as unknown as Db;
			const [a] = await t
				.insert(alerts)
				.values({
					title: inc.title,
					status: 'new',
					signal,
					severity: inc.severity,
					watchlistSlug: inc.watchlistSlug,
					categoryCode: inc.categoryCode,
					topicKey: inc.topicKey,
					placeLevel: inc.placeLevel,
					placeCode: inc.placeCode,
					districtCode: inc.districtCode,
					// in the order and number an update keeps, so that the next round finds them as it leaves them
					places: mergePlaces([], inc.places),
					series: mergeSeries([], inc.series),
					bucket: inc.bucket,
					startedAt: inc.onset,
					lastFiringAt: inc.lastFiring,
					recoveredAt: signal === 'firing' ? null : inc.lastFiring,
					observed: inc.observed,
					expected: inc.expected,
					upper: inc.upper,
					score: inc.score,
					ticketCount: 0,
					silencedBy: inc.silencedBy,
					unitCode: inc.unitCode,
					createdAt: now,
					updatedAt: now
				})
				.returning();
			await t.insert(alertEvents).values({
				alertId: a.id,
				action: 'fired',
				toStatus: 'new',
				actorName: SYSTEM,
				note: inc.silencedBy ? `静默规则 #${inc.silencedBy} 生效，不发送通知` : '',
				data: { observed: inc.observed, expected: inc.expected, upper: inc.upper, score: inc.score, series: inc.series.map((s) => s.id) },
				at: now
			});
			return a;
		});
		await linkTickets(db, a.id, fresh);
		const count = await linkedCount(db, a.id);
		await db.update(alerts).set({ ticketCount: count }).where(eq(alerts.id, a.id));
		const row = { ...a, ticketCount: count };
		round.set(a.id, signal);
		// an incident found already over (a first round's backfill) is recorded and resolved at once
		return { alert: signal === 'normal' ? await db.transaction((tx) => autoResolve(tx as unknown as Db, row, now)) : row, event: 'fired' };
	}
	round.set(existing.id, signal);
	// all the alert's links (those of the incident's earlier rounds too), after this round's
	let count = fresh.length ? 0 : await linkedCount(db, existing.id);
	if (!fresh.length && unchangedBy(existing, updatePatch(existing, inc, signal, count, now))) return { alert: existing, event: null };
	if (fresh.length) {
		await linkTickets(db, existing.id, fresh);
		count = await linkedCount(db, existing.id);
	}
	return db.transaction(async (tx) => {
		const t = tx as unknown as Db;
		// the row as it is now, locked: a person may have acted on it since it was found
		const [cur] = await t.select().from(alerts).where(eq(alerts.id, existing.id)).for('update');
		const grew = inc.lastFiring.getTime() > cur.lastFiringAt.getTime();
		const patch = updatePatch(cur, inc, signal, count, now);
		let event: RecordResult['event'] = cur.signal !== signal || grew || count !== cur.ticketCount ? 'updated' : null;
		const systemResolved = cur.status === 'resolved' && (await closedBySystem(t, cur.id));
		const open = (OPEN_STATUSES as readonly string[]).includes(cur.status);
		const outgrew = !open && !systemResolved && signal === 'firing' && grew ? outgrown(await closedAs(t, cur), patch, count) : null;
		if ((systemResolved && signal === 'firing' && grew) || outgrew) {
			Object.assign(patch, { status: 'new', closedAt: null, version: cur.version + 1 });
			await t.insert(alertEvents).values({
				alertId: cur.id,
				action: 'refired',
				fromStatus: cur.status,
				toStatus: 'new',
				actorName: SYSTEM,
				note: outgrew ?? '',
				at: now
			});
			event = 'refired';
		} else if (open && patch.severity! < cur.severity) {
			// the detection found the incident graver: a new version (the handlers' pages reload to it) and a message
			patch.version = cur.version + 1;
			await t.insert(alertEvents).values({
				alertId: cur.id,
				action: 'severity_raised',
				actorName: SYSTEM,
				note: `检测到事件扩大，级别由${SEVERITY_LABELS[cur.severity] ?? cur.severity}升至${SEVERITY_LABELS[patch.severity!] ?? patch.severity}`,
				data: { from: cur.severity, to: patch.severity },
				at: now
			});
			event = 'severity_raised';
		} else if (cur.signal !== 'normal' && signal === 'normal') {
			await t
				.insert(alertEvents)
				.values({ alertId: cur.id, action: 'recovered', actorName: SYSTEM, note: '相关序列已回到正常范围', at: now });
			event = 'recovered';
		}
		await t.update(alerts).set(patch).where(eq(alerts.id, cur.id));
		let row = { ...cur, ...patch } as AlertRow;
		if (signal === 'normal' && (row.status === 'new' || row.status === 'acknowledged')) {
			row = await autoResolve(t, row, now);
			event = 'auto_resolved';
		}
		return { alert: row, event };
	});
}

/** The alerts a detection round has recorded so far, with the signal it gave each. */
export type RoundClaims = Map<number, AlertSignal>;

const SIGNAL_STRENGTH: Record<AlertSignal, number> = { normal: 0, recovering: 1, firing: 2 };

function strongerSignal(a: AlertSignal, b: AlertSignal | undefined): AlertSignal {
	return b && SIGNAL_STRENGTH[b] > SIGNAL_STRENGTH[a] ? b : a;
}

/** Open alerts the pass did not see at all (their episode left the window): their signal is normal. */
export async function settleQuiet(db: Db, seen: Set<number>, now: Date): Promise<RecordResult[]> {
	const open = await db
		.select()
		.from(alerts)
		.where(or(inArray(alerts.status, [...OPEN_STATUSES]), sql`${alerts.signal} <> 'normal'`));
	const out: RecordResult[] = [];
	for (const a of open) {
		if (seen.has(a.id)) continue;
		const r = await db.transaction(async (tx) => {
			const t = tx as unknown as Db;
			// the row as it is now, locked: a person may have escalated or closed it since the read above
			const [cur] = await t.select().from(alerts).where(eq(alerts.id, a.id)).for('update');
			let row = cur;
			if (cur.signal !== 'normal') {
				await t
					.update(alerts)
					.set({ signal: 'normal', recoveredAt: cur.recoveredAt ?? cur.lastFiringAt, updatedAt: now })
					.where(eq(alerts.id, cur.id));
				await t
					.insert(alertEvents)
					.values({ alertId: cur.id, action: 'recovered', actorName: SYSTEM, note: '相关序列已回到正常范围', at: now });
				row = { ...cur, signal: 'normal' };
			}
			if (row.status === 'new' || row.status === 'acknowledged')
				return { alert: await autoResolve(t, row, now), event: 'auto_resolved' as const };
			return { alert: row, event: cur.signal !== 'normal' ? ('recovered' as const) : null };
		});
		if (r.event) out.push(r);
	}
	return out;
}

async function autoResolve(t: Db, a: AlertRow, now: Date): Promise<AlertRow> {
	const version = a.version + 1;
	await t.update(alerts).set({ status: 'resolved', closedAt: now, version, updatedAt: now }).where(eq(alerts.id, a.id));
	await t.insert(alertEvents).values({
		alertId: a.id,
		action: 'auto_resolved',
		fromStatus: a.status,
		toStatus: 'resolved',
		actorName: SYSTEM,
		note: '序列已回到正常范围，自动解除',
		at: now
	});
	return { ...a, status: 'resolved', closedAt: now, version };
}

/** Rows of links one statement inserts: a few milliseconds in the embedded store. */
const LINKS_PER_STATEMENT = 100;

/** Links the tickets to the alert (one linked already is left as it is), a statement for each few. */
async function linkTickets(db: Db, alertId: number, tickets: DetectedIncident['tickets']): Promise<void> {
	const known = linksKnown(db, alertId);
	for (let i = 0; i < tickets.length; i += LINKS_PER_STATEMENT) {
		const part = tickets
			.slice(i, i + LINKS_PER_STATEMENT)
			.map((x) => ({ alertId, ticketNo: x.ticketNo, receivedAt: x.receivedAt, streetCode: x.streetCode }));
		await db.insert(alertTickets).values(part).onConflictDoNothing();
		for (const x of part) known.add(x.ticketNo);
	}
}

async function linkedCount(db: Db, alertId: number): Promise<number> {
	const [{ n }] = await db
		.select({ n: sql<number>`count(*)::int` })
		.from(alertTickets)
		.where(eq(alertTickets.alertId, alertId));
	return Number(n);
}

/** What a detection round sets on an alert it continues, given the number of tickets linked to it then. */
function updatePatch(existing: AlertRow, inc: DetectedIncident, signal: AlertSignal, ticketCount: number, now: Date): Partial<AlertRow> {
	const grew = inc.lastFiring.getTime() > existing.lastFiringAt.getTime();
	const patch: Partial<AlertRow> = {
		signal,
		places: mergePlaces(existing.places as AlertPlace[], inc.places),
		series: mergeSeries(existing.series as AlertSeriesInfo[], inc.series),
		lastFiringAt: grew ? inc.lastFiring : existing.lastFiringAt,
		startedAt: inc.onset < existing.startedAt ? inc.onset : existing.startedAt,
		recoveredAt: signal === 'firing' ? null : (existing.recoveredAt ?? inc.lastFiring),
		observed: Math.max(existing.observed, inc.observed),
		expected: inc.observed >= existing.observed ? inc.expected : existing.expected,
		upper: inc.observed >= existing.observed ? inc.upper : existing.upper,
		score: Math.max(existing.score, inc.score),
		severity: Math.min(existing.severity, inc.severity),
		ticketCount,
		updatedAt: now
	};
	// a watch list that joins the incident names the alert (its title, and silences on the list hold it) and gives
	// it the list's unit; the unit set in 设置 now, should it have changed since
	const watch = existing.watchlistSlug ?? inc.watchlistSlug;
	if (!existing.watchlistSlug && inc.watchlistSlug) Object.assign(patch, { watchlistSlug: inc.watchlistSlug, title: inc.title });
	if (watch && inc.watchlistSlug === watch && inc.unitCode && inc.unitCode !== existing.unitCode) patch.unitCode = inc.unitCode;
	// a wider incident (several districts) moves the alert up to the city
	if (existing.placeLevel !== 'city' && inc.placeLevel === 'city')
		Object.assign(patch, { placeLevel: 'city', placeCode: inc.placeCode, districtCode: null, title: inc.title });
	return patch;
}

/**
 * Whether a round's patch leaves the alert as it is (its time of update aside), with nothing else to do: an
 * alert whose signal is normal while it is still new or acknowledged is resolved by the round, so it counts
 * as changed. JSON columns are compared by value, as stored (jsonb does not keep the order of keys).
 */
function unchangedBy(existing: AlertRow, patch: Partial<AlertRow>): boolean {
	if (patch.signal === 'normal' && (existing.status === 'new' || existing.status === 'acknowledged')) return false;
	return Object.entries(patch).every(([k, v]) => k === 'updatedAt' || isDeepStrictEqual(existing[k as keyof AlertRow], asStored(v)));
}

/** A value as the store gives it back: JSON values without their undefined members. */
function asStored(v: unknown): unknown {
	return v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.parse(JSON.stringify(v)) : v;
}

function mergeSeries(old: AlertSeriesInfo[], fresh: AlertSeriesInfo[]): AlertSeriesInfo[] {
	const m = new Map(old.map((s) => [s.id, s]));
	for (const s of fresh) m.set(s.id, s);
	return [...m.values()].sort((a, b) => a.p - b.p).slice(0, 12);
}

function mergePlaces(old: AlertPlace[], fresh: AlertPlace[]): AlertPlace[] {
	const m = new Map(old.map((p) => [`${p.level}:${p.code}`, p]));
	for (const p of fresh) m.set(`${p.level}:${p.code}`, p);
	return [...m.values()].sort((a, b) => b.observed - a.observed);
}

// --- people's actions ------------------------------------------------------------------------------------

export type AlertAction = 'acknowledge' | 'escalate' | 'resolve' | 'dismiss';
const ACTION_TARGET: Record<AlertAction, AlertStatus> = {
	acknowledge: 'acknowledged',
	escalate: 'escalated',
	resolve: 'resolved',
	dismiss: 'dismissed'
};
/** The statuses an action may start from. */
const ACTION_FROM: Record<AlertAction, readonly AlertStatus[]> = {
	acknowledge: ['new'],
	escalate: ['new', 'acknowledged'],
	resolve: ['new', 'acknowledged', 'escalated'],
	dismiss: ['new', 'acknowledged', 'escalated']
};
export const ACTION_LABELS: Record<AlertAction, string> = {
	acknowledge: '确认',
	escalate: '升级',
	resolve: '解除',
	dismiss: '排除（误报）'
};

export function isAlertAction(x: string): x is AlertAction {
	return Object.hasOwn(ACTION_TARGET, x);
}

export function allowedActions(status: string): AlertAction[] {
	return (Object.keys(ACTION_FROM) as AlertAction[]).filter((a) => (ACTION_FROM[a] as readonly string[]).includes(status));
}

export interface Actor {
	id: number | null;
	name: string;
}

/** A text no store can keep (a NUL, see `unsavableChar`) refused, naming the field. */
export function refuseUnsavable(label: string, ...values: (string | null | undefined)[]): void {
	const why = unsavableMessage(label, ...values);
	if (why) throw new AlertError('invalid_input', why);
}

/** What the note of each action is called on the alert's page. */
const NOTE_LABELS: Record<AlertAction, string> = { acknowledge: '说明', escalate: '升级原因', resolve: '处置结果', dismiss: '排除理由' };

export async function transition(
	db: Db,
	id: number,
	action: AlertAction,
	actor: Actor,
	expectedVersion: number,
	note = ''
): Promise<AlertRow> {
	refuseUnsavable(NOTE_LABELS[action], note);
	const trimmed = note.trim();
	if (trimmed.length > 2000) throw new AlertError('invalid_input', '说明不能超过 2000 字');
	if ((action === 'dismiss' || action === 'escalate') && !trimmed)
		throw new AlertError('invalid_input', action === 'dismiss' ? '排除预警须说明理由' : '升级预警须说明原因');
	return db.transaction(async (tx) => {
		const t = tx as unknown as Db;
		const [a] = await t.select().from(alerts).where(eq(alerts.id, id)).for('update');
		if (!a) throw new AlertError('not_found', `预警 #${id} 不存在`);
		if (a.version !== expectedVersion) throw new AlertError('conflict', '该预警已被他人更新，请刷新后重试');
		if (!(ACTION_FROM[action] as readonly string[]).includes(a.status)) {
			throw new AlertError(
				'bad_transition',
				`预警当前为“${STATUS_LABELS[a.status as AlertStatus] ?? a.status}”，不能${ACTION_LABELS[action]}`
			);
		}
		const to = ACTION_TARGET[action];
		const now = new Date();
		const closed = to === 'resolved' || to === 'dismissed';
		const [row] = await t
			.update(alerts)
			.set({ status: to, version: a.version + 1, updatedAt: now, closedAt: closed ? now : null })
			.where(and(eq(alerts.id, id), eq(alerts.version, a.version)))
			.returning();
		await t.insert(alertEvents).values({
			alertId: id,
			action: to,
			fromStatus: a.status,
			toStatus: to,
			actorUserId: actor.id,
			actorName: actor.name,
			note: trimmed,
			// what the incident was when a person closed it: a growth beyond it reopens the alert (recordIncident)
			data: closed ? ({ ticketCount: a.ticketCount, severity: a.severity } satisfies ClosedAs) : null,
			at: now
		});
		return row;
	});
}

export async function addNote(db: Db, id: number, actor: Actor, note: string): Promise<void> {
	refuseUnsavable('备注', note);
	const text = note.trim();
	if (!text) throw new AlertError('invalid_input', '备注不能为空');
	if (text.length > 2000) throw new AlertError('invalid_input', '备注不能超过 2000 字');
	const [a] = await db.select({ id: alerts.id }).from(alerts).where(eq(alerts.id, id));
	if (!a) throw new AlertError('not_found', `预警 #${id} 不存在`);
	await db
		.insert(alertEvents)
		.values({ alertId: id, action: 'note', actorUserId: actor.id, actorName: actor.name, note: text, at: new Date() });
}

// --- reads ------------------------------------------------------------------------------------------------

/** Which alerts a screen shows of a place or a category (the situation screens' filters). */
export interface AlertScope {
	/** a district: its own and its streets' alerts, and the city's alerts that name it among their places */
	district?: string | null;
	/** a category: alerts of it and of the categories under it (a code starts with its parent's, as silences match
	 * them); alerts without a category go */
	category?: string | null;
	/** leave out the silenced ones (they are recorded and shown in the queue, not announced) */
	unsilenced?: boolean;
}

export interface AlertQuery extends AlertScope {
	status?: 'open' | 'closed' | 'all' | AlertStatus;
	severity?: number | null;
	/** alerts still firing on or after this instant (a briefing's period: firing at some time within it) */
	firingFrom?: Date;
	/** alerts started before this instant */
	startedBefore?: Date;
	limit?: number;
}

function scopeConditions(q: AlertScope) {
	const conds = [];
	if (q.district)
		conds.push(
			or(
				eq(alerts.districtCode, q.district),
				sql`${alerts.places} @> jsonb_build_array(jsonb_build_object('level', 'district', 'code', ${q.district}::text))`
			)!
		);
	if (q.category) conds.push(like(alerts.categoryCode, `${q.category}%`));
	if (q.unsilenced) conds.push(isNull(alerts.silencedBy));
	return conds;
}

export async function listAlerts(db: Db, q: AlertQuery = {}): Promise<AlertRow[]> {
	const st = q.status ?? 'open';
	const conds = scopeConditions(q);
	if (st === 'open') conds.push(inArray(alerts.status, [...OPEN_STATUSES]));
	else if (st === 'closed') conds.push(inArray(alerts.status, ['resolved', 'dismissed']));
	else if (st !== 'all') conds.push(eq(alerts.status, st));
	if (q.severity) conds.push(eq(alerts.severity, q.severity));
	if (q.firingFrom) conds.push(gte(alerts.lastFiringAt, q.firingFrom));
	if (q.startedBefore) conds.push(lt(alerts.startedAt, q.startedBefore));
	return db
		.select()
		.from(alerts)
		.where(conds.length ? and(...conds) : undefined)
		.orderBy(
			sql`CASE ${alerts.status} WHEN 'new' THEN 0 WHEN 'escalated' THEN 1 WHEN 'acknowledged' THEN 2 ELSE 3 END`,
			alerts.severity,
			desc(alerts.lastFiringAt)
		)
		.limit(Math.min(q.limit ?? 200, 1000));
}

/** The alerts a ticket is linked to, the latest first. */
export async function alertsOfTicket(db: Db, ticketNo: string): Promise<AlertRow[]> {
	const ids = db.select({ id: alertTickets.alertId }).from(alertTickets).where(eq(alertTickets.ticketNo, ticketNo));
	return db.select().from(alerts).where(inArray(alerts.id, ids)).orderBy(desc(alerts.startedAt), desc(alerts.id));
}

export async function getAlert(db: Db, id: number): Promise<AlertRow> {
	const [a] = await db.select().from(alerts).where(eq(alerts.id, id));
	if (!a) throw new AlertError('not_found', `预警 #${id} 不存在`);
	return a;
}

export async function alertTrail(db: Db, id: number) {
	return db.select().from(alertEvents).where(eq(alertEvents.alertId, id)).orderBy(alertEvents.id);
}

export async function alertTicketList(db: Db, id: number, limit = 500) {
	return db.select().from(alertTickets).where(eq(alertTickets.alertId, id)).orderBy(desc(alertTickets.receivedAt)).limit(limit);
}

/** Counts of open, unsilenced alerts by severity (overview panel), of a place or category when scoped. */
export async function openCounts(db: Db, scope: Omit<AlertScope, 'unsilenced'> = {}): Promise<{ severity: number; n: number }[]> {
	const rows = await db
		.select({ severity: alerts.severity, n: sql<number>`count(*)::int` })
		.from(alerts)
		.where(and(inArray(alerts.status, [...OPEN_STATUSES]), ...scopeConditions({ ...scope, unsilenced: true })))
		.groupBy(alerts.severity);
	return rows.map((r) => ({ severity: r.severity, n: Number(r.n) }));
}
