// The alert messages waiting to go out, kept in the store (webhook_messages) with their retry schedule, and the
// sender that works through them. `notify` (service.ts) queues one message per receiver; a pass sends every
// message that is due, one receiver's messages one after another, and schedules itself for the next one due.
// A restart loses nothing: `resumeOutbox` at start sends what is pending (the attempt that was running when the
// process ended is made again). Attempts logged before messages were kept (no message_id) and left at
// 'retry' are marked 'interrupted' (服务重启，未再重试) there: nothing will follow them.
//
// Before every attempt, the first and each retry, the receiver and the alert are read again, and the message is
// dropped — logged, no request made — when it is no longer wanted:
// - 'withheld' (不再发送): the receiver was deleted, disabled, or no longer takes the alert's level; or a silence
//   now matches the alert;
// - 'superseded' (已被后续通知取代): a message already tried (a retry) when a later message of the same alert to the
//   same receiver was queued — that one may have gone out meanwhile, and a 'fired' retry must never arrive after
//   the 'resolved'; a message not tried yet keeps its place in the queue, before the later one. Or, with no later
//   message for the receiver, the alert was closed (resolved, dismissed) and the message announces it as open
//   (fired, refired, escalated): a dismissal goes only to receivers told of the alert, so nothing would correct it.
//
// A robot is paced: a message waits while the robot has had its 20 requests of the rolling minute, or while it
// holds us off after a rate-limit answer (notify.ts nextSlot, ROBOT_LIMITS; read from the delivery log, so a
// restart keeps to them too). Its other messages wait behind: one receiver's queue, in order.
//
// The retry policy and the requests are notify.ts's (nextStep, attemptDelivery); here: storage and timing.
import { and, asc, count, desc, eq, gt, inArray, notInArray, sql } from 'drizzle-orm';
import type { App } from '../app';
import { CoalescingJob } from '../jobs';
import type { Db } from '../db';
import { alerts, webhookDeliveries, webhookMessages, webhooks } from '../db/schema';
import { attemptDelivery, DELIVERY_DEFAULTS, EVENT_LABELS, nextSlot, nextStep, payloadFor, ROBOT_LIMITS, type AlertEvent, type AlertMessage, type DeliveryStatus, type Webhook } from './notify';
import { activeSilences, alertLabels, silenceFor, toWebhook } from './settings';
import { markOwed } from './store';
import { withoutParameters } from '../log';
import { SEVERITY_LABELS, STATUS_LABELS, type AlertStatus } from '$lib/alerts';

export interface OutboxOptions {
	/** the clock (ms since the epoch) */
	now: () => number;
	/** passes start by themselves (after a message is queued, and when the next one is due); off, a test runs them */
	auto: boolean;
	fetch?: typeof fetch;
	random?: () => number;
}

const KEY = Symbol.for('minqing.alerts.outbox');
interface OutboxState {
	opts: OutboxOptions;
	/** the passes, one at a time (a request during one asks for one more); made at the first request */
	job: CoalescingJob | null;
	timer: ReturnType<typeof setTimeout> | null;
	/** when the timer fires (clock ms), or null */
	wakeAt: number | null;
	stopped: boolean;
}

function state(): OutboxState {
	const g = globalThis as { [KEY]?: OutboxState };
	g[KEY] ??= { opts: { now: () => Date.now(), auto: true }, job: null, timer: null, wakeAt: null, stopped: false };
	return g[KEY];
}

/** Sets the clock and whether passes run by themselves (tests); returns the options in force. */
export function configureOutbox(o: Partial<OutboxOptions>): OutboxOptions {
	const s = state();
	s.opts = { ...s.opts, ...o };
	return s.opts;
}

/** Queues the message for each receiver, due now. */
export async function enqueueMessages(db: Db, hooks: readonly Webhook[], msg: AlertMessage): Promise<void> {
	if (!hooks.length) return;
	const now = new Date(state().opts.now());
	await db.insert(webhookMessages).values(
		hooks.map((h) => ({ webhookId: h.id, alertId: msg.id, event: msg.event, message: msg, nextAt: now, createdAt: now }))
	);
}

/** A pass now, or one more after the pass running; nothing when passes do not run by themselves. */
export function requestOutboxPass(app: App): Promise<void> {
	const s = state();
	if (!s.opts.auto || s.stopped) return Promise.resolve();
	if (!s.job || s.job.closed)
		s.job = new CoalescingJob(async () => {
			clearWake(s);
			let wake: number | null;
			try {
				wake = await runOutbox(app);
			} catch (e) {
				console.error('[minqing] sending alert messages failed (tried again in a minute):', withoutParameters(e));
				wake = s.opts.now() + 60_000;
			}
			if (wake !== null && !s.stopped) setWake(app, s, wake);
		});
	return s.job.request();
}

function clearWake(s: OutboxState): void {
	if (s.timer) clearTimeout(s.timer);
	s.timer = null;
	s.wakeAt = null;
}

function setWake(app: App, s: OutboxState, at: number): void {
	clearWake(s);
	s.wakeAt = at;
	s.timer = setTimeout(
		() => {
			s.timer = null;
			s.wakeAt = null;
			void requestOutboxPass(app);
		},
		Math.max(0, at - s.opts.now())
	);
	s.timer.unref?.();
}

/**
 * One pass: every due message, each receiver's in order of due time. Returns when the next message is due (clock
 * ms), or null when none is pending.
 */
export async function runOutbox(app: App): Promise<number | null> {
	const db = app.rel.db;
	const hooks = await db.selectDistinct({ id: webhookMessages.webhookId }).from(webhookMessages).where(eq(webhookMessages.state, 'pending'));
	// every receiver's drain has ended before the pass does (a failed one must not leave others running into the next pass)
	const done = await Promise.allSettled(hooks.map((h) => drainHook(app, h.id)));
	const failed = done.find((d): d is PromiseRejectedResult => d.status === 'rejected');
	if (failed) throw failed.reason;
	const next = done.map((d) => (d as PromiseFulfilledResult<number | null>).value).filter((w): w is number => w !== null);
	return next.length ? Math.min(...next) : null;
}

type MessageRow = typeof webhookMessages.$inferSelect;

/** Sends one receiver's due messages, one after another; returns when its next one is due, or null. */
async function drainHook(app: App, hookId: number): Promise<number | null> {
	const s = state();
	const db = app.rel.db;
	for (;;) {
		if (s.stopped) return null;
		const now = s.opts.now();
		const [m] = await db
			.select()
			.from(webhookMessages)
			.where(and(eq(webhookMessages.state, 'pending'), eq(webhookMessages.webhookId, hookId)))
			.orderBy(asc(webhookMessages.nextAt), asc(webhookMessages.id))
			.limit(1);
		if (!m) return null;
		if (m.nextAt.getTime() > now) return m.nextAt.getTime();
		const [row] = await db.select().from(webhooks).where(eq(webhooks.id, hookId));
		const dropped = await unwanted(db, row, m, now);
		if (dropped) {
			await drop(db, m, dropped, now);
			continue;
		}
		const hook = toWebhook(row);
		const slot = await hookSlot(db, hook, now);
		if (slot > now) return slot;
		await attempt(db, hook, m);
	}
}

/** Delivery outcomes after which a receiver counts as told of an alert (a timeout may have got through). */
const TOLD_STATUSES = ['ok', 'timeout', 'timeout_retry'];

/** The receivers a message about the alert has (or may have: a timeout) reached. */
export async function hooksTold(db: Db, alertId: number): Promise<Set<number>> {
	const rows = await db
		.selectDistinct({ id: webhookDeliveries.webhookId })
		.from(webhookDeliveries)
		.where(and(eq(webhookDeliveries.alertId, alertId), inArray(webhookDeliveries.status, TOLD_STATUSES)));
	return new Set(rows.map((r) => r.id));
}


/** Events that announce an alert as open: not to be sent once it is closed. */
const OPEN_EVENTS: ReadonlySet<string> = new Set<AlertEvent>(['fired', 'refired', 'severity_raised', 'escalated']);

/** Why the message is no longer to be sent (read now, before the attempt), or null. */
async function unwanted(
	db: Db,
	hook: typeof webhooks.$inferSelect,
	m: MessageRow,
	now: number
): Promise<Unwanted | null> {
	const msg = m.message as AlertMessage;
	if (hook.deletedAt) return { status: 'withheld', reason: '通知地址已删除，未再发送' };
	if (!hook.enabled) return { status: 'withheld', reason: '通知地址已停用，未再发送' };
	if (msg.severity > hook.minSeverity)
		return { status: 'withheld', reason: `通知地址已改为只接收${SEVERITY_LABELS[hook.minSeverity] ?? hook.minSeverity}及以上，未再发送` };
	const [later] = await db
		.select({ event: webhookMessages.event })
		.from(webhookMessages)
		.where(and(eq(webhookMessages.webhookId, m.webhookId), eq(webhookMessages.alertId, m.alertId), gt(webhookMessages.id, m.id)))
		.orderBy(desc(webhookMessages.id))
		.limit(1);
	if (later && m.attempts > 0)
		return { status: 'superseded', reason: `该预警已有更新的通知（${EVENT_LABELS[later.event as AlertEvent] ?? later.event}），不再重发此条` };
	const [a] = await db.select().from(alerts).where(eq(alerts.id, m.alertId));
	if (!a) return { status: 'withheld', reason: '预警不存在' };
	// a dismissal was queued to every receiver being told of the alert: one whose messages of it all failed or were
	// dropped never heard of it, and a false alert withdrawn is no news to it
	if (m.event === 'dismissed' && !(await hooksTold(db, m.alertId)).has(m.webhookId))
		return { status: 'withheld', reason: '该地址未收到过此预警，不发送排除通知' };
	if (!later && OPEN_EVENTS.has(m.event) && (a.status === 'resolved' || a.status === 'dismissed'))
		return { status: 'superseded', reason: `预警已${STATUS_LABELS[a.status as AlertStatus].replace(/^已/, '')}，不再发送此条` };
	const silence = silenceFor(await activeSilences(db, new Date(now)), alertLabels(a));
	if (silence !== null) return { status: 'withheld', reason: `静默规则 #${silence} 生效，未再发送`, silence };
	return null;
}

/** Why a message is not sent; `silence`: the silence that holds its alert now. */
interface Unwanted {
	status: 'withheld' | 'superseded';
	reason: string;
	silence?: number;
}

async function heldCount(db: Db, messageId: number): Promise<number> {
	const [r] = await db
		.select({ n: count() })
		.from(webhookDeliveries)
		.where(and(eq(webhookDeliveries.messageId, messageId), eq(webhookDeliveries.status, 'held')));
	return r.n;
}

/** Statuses of log rows that made no request. */
const NO_REQUEST = ['withheld', 'superseded'];

/** When the hook may be sent to next (notify.ts nextSlot), from its requests and rate-limit answers in the log. */
async function hookSlot(db: Db, hook: Webhook, now: number): Promise<number> {
	if (hook.format === 'json') return now;
	const limits = ROBOT_LIMITS[hook.format];
	const recent = await db
		.select({ at: webhookDeliveries.at })
		.from(webhookDeliveries)
		.where(
			and(
				eq(webhookDeliveries.webhookId, hook.id),
				gt(webhookDeliveries.at, new Date(now - limits.windowMs)),
				notInArray(webhookDeliveries.status, NO_REQUEST)
			)
		)
		.orderBy(desc(webhookDeliveries.at))
		.limit(limits.perWindow);
	const [held] = await db
		.select({ at: webhookDeliveries.at })
		.from(webhookDeliveries)
		.where(
			and(
				eq(webhookDeliveries.webhookId, hook.id),
				eq(webhookDeliveries.status, 'held'),
				gt(webhookDeliveries.at, new Date(now - limits.holdMs))
			)
		)
		.orderBy(desc(webhookDeliveries.at))
		.limit(1);
	return nextSlot(
		hook.format,
		recent.map((r) => r.at.getTime()),
		held ? held.at.getTime() : null,
		now
	);
}

/** The message is done without a request: logged with its reason. */
async function drop(db: Db, m: MessageRow, why: Unwanted, now: number): Promise<void> {
	await db.transaction(async (tx) => {
		const t = tx as unknown as Db;
		await logAttempt(t, m, { attempt: m.attempts + 1, status: why.status, httpStatus: null, error: why.reason, durationMs: 0, at: new Date(now) });
		await t.update(webhookMessages).set({ state: 'done', doneAt: new Date(now) }).where(eq(webhookMessages.id, m.id));
	});
	// a raising held back by a silence that began after it was queued is owed, as one held back at once
	if (why.silence !== undefined && (m.event === 'fired' || m.event === 'refired')) await markOwed(db, m.alertId, why.silence, new Date(now));
}

/** One request of the message, logged; the message rescheduled or done as nextStep says. */
async function attempt(db: Db, hook: Webhook, m: MessageRow): Promise<void> {
	const s = state();
	const msg = m.message as AlertMessage;
	const at = new Date(s.opts.now());
	const started = performance.now();
	const out = await attemptDelivery(hook, JSON.stringify(payloadFor(hook.format, msg)), msg, { fetch: s.opts.fetch });
	const durationMs = Math.round(performance.now() - started);
	// rate-limit answers do not use up the message's attempts (counted from the log after a failure: they are rare)
	const holds = out.ok ? 0 : (await heldCount(db, m.id)) + (out.holdMs !== undefined ? 1 : 0);
	const tally = { attempt: m.attempts + 1, timeouts: m.timeouts + (out.timedOut ? 1 : 0), holds };
	const step = nextStep(out, tally, DELIVERY_DEFAULTS, s.opts.random);
	const after = s.opts.now();
	await db.transaction(async (tx) => {
		const t = tx as unknown as Db;
		await logAttempt(t, m, { attempt: tally.attempt, status: step.status, httpStatus: out.httpStatus, error: out.error, durationMs, at });
		await t
			.update(webhookMessages)
			.set({
				attempts: tally.attempt,
				timeouts: tally.timeouts,
				...(step.waitMs === null ? { state: 'done', doneAt: new Date(after) } : { nextAt: new Date(after + step.waitMs) })
			})
			.where(eq(webhookMessages.id, m.id));
	});
}

async function logAttempt(
	db: Db,
	m: MessageRow,
	r: { attempt: number; status: DeliveryStatus | 'withheld' | 'superseded'; httpStatus: number | null; error: string | null; durationMs: number; at: Date }
): Promise<void> {
	await db.insert(webhookDeliveries).values({ webhookId: m.webhookId, alertId: m.alertId, event: m.event, messageId: m.id, ...r });
}

/**
 * At start: attempts logged before messages were kept that were left at 'retry' (or 'timeout_retry') — their
 * process ended before the next one — are marked 'interrupted'; then the pending messages are sent (a pass now
 * when passes run by themselves). Returns how many attempts were marked.
 */
export async function resumeOutbox(app: App): Promise<number> {
	const s = state();
	s.stopped = false;
	const marked = await app.rel.db.execute(sql`
		UPDATE ${webhookDeliveries} d SET status = 'interrupted'
		WHERE d.status IN ('retry', 'timeout_retry') AND d.message_id IS NULL
		  AND NOT EXISTS (
		    SELECT 1 FROM ${webhookDeliveries} l
		    WHERE l.alert_id = d.alert_id AND l.webhook_id = d.webhook_id AND l.event = d.event AND l.id > d.id
		      AND l.message_id IS NULL AND l.at <= d.at + interval '5 minutes')
		RETURNING d.id`);
	void requestOutboxPass(app);
	return (marked as unknown as { rows: unknown[] }).rows.length;
}

/** No pass starts any more and the timer is cleared (shutdown); a pass running ends after its attempt in flight. */
export function stopOutbox(): void {
	const s = state();
	s.stopped = true;
	s.job?.close();
	clearWake(s);
}

/** Resolves when no pass runs and none is scheduled (a retry waiting for its time counts as work to do). */
export async function outboxIdle(): Promise<void> {
	const s = state();
	while (s.job?.busy || s.wakeAt !== null) {
		if (s.job?.busy) await s.job.idle();
		else if (s.wakeAt !== null) await new Promise((r) => setTimeout(r, Math.min(250, Math.max(5, s.wakeAt! - s.opts.now()))));
	}
}
