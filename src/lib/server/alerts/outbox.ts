// The alert messages waiting to go out, kept in the store (webhook_messages) with their retry schedule, and the
// sender that works through them. `notify` (service.ts) queues one message per receiver; a pass sends every
// message that is due, one receiver's messages one after another, and schedules itself for the next one due.
// A restart loses nothing: `resumeOutbox` at start sends what is pending (the attempt that was running when the
// process ended is made again). Attempts logged before messages were kept (no message_id) and left at
// 'retry' are marked 'interrupted' (服务重启，未再重试) there: nothing will follow them.
//
// The retry policy and the requests are notify.ts's (nextStep, attemptDelivery); here: storage and timing.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { App } from '../app';
import type { Db } from '../db';
import { webhookDeliveries, webhookMessages, webhooks } from '../db/schema';
import { attemptDelivery, DELIVERY_DEFAULTS, nextStep, payloadFor, type AlertMessage, type DeliveryStatus, type Webhook } from './notify';
import { toWebhook } from './settings';

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
	running: Promise<void> | null;
	again: boolean;
	timer: ReturnType<typeof setTimeout> | null;
	/** when the timer fires (clock ms), or null */
	wakeAt: number | null;
	stopped: boolean;
}

function state(): OutboxState {
	const g = globalThis as { [KEY]?: OutboxState };
	g[KEY] ??= { opts: { now: () => Date.now(), auto: true }, running: null, again: false, timer: null, wakeAt: null, stopped: false };
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
	if (s.running) {
		s.again = true;
		return s.running;
	}
	s.running = (async () => {
		do {
			s.again = false;
			clearWake(s);
			let wake: number | null;
			try {
				wake = await runOutbox(app);
			} catch (e) {
				console.error('[minqing] sending alert messages failed (tried again in a minute):', e);
				wake = s.opts.now() + 60_000;
			}
			if (wake !== null && !s.stopped) setWake(app, s, wake);
		} while (s.again && !s.stopped);
		s.running = null;
	})();
	return s.running;
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
	const wakes = await Promise.all(hooks.map((h) => drainHook(app, h.id)));
	const next = wakes.filter((w): w is number => w !== null);
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
		await attempt(db, toWebhook(row), m);
	}
}

/** One request of the message, logged; the message rescheduled or done as nextStep says. */
async function attempt(db: Db, hook: Webhook, m: MessageRow): Promise<void> {
	const s = state();
	const msg = m.message as AlertMessage;
	const at = new Date(s.opts.now());
	const started = performance.now();
	const out = await attemptDelivery(hook, JSON.stringify(payloadFor(hook.format, msg)), msg, { fetch: s.opts.fetch });
	const durationMs = Math.round(performance.now() - started);
	const tally = { attempt: m.attempts + 1, timeouts: m.timeouts + (out.timedOut ? 1 : 0) };
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
	r: { attempt: number; status: DeliveryStatus; httpStatus: number | null; error: string | null; durationMs: number; at: Date }
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
	return rowCount(marked);
}

function rowCount(r: unknown): number {
	const x = r as { rows?: unknown[]; rowCount?: number | null; affectedRows?: number };
	return x.rows?.length ?? x.affectedRows ?? x.rowCount ?? 0;
}

/** No pass starts any more and the timer is cleared (shutdown); a pass running ends after its attempt in flight. */
export function stopOutbox(): void {
	const s = state();
	s.stopped = true;
	clearWake(s);
}

/** Resolves when no pass runs and none is scheduled (a retry waiting for its time counts as work to do). */
export async function outboxIdle(): Promise<void> {
	const s = state();
	while (s.running || s.wakeAt !== null) {
		if (s.running) await s.running;
		else if (s.wakeAt !== null) await new Promise((r) => setTimeout(r, Math.min(250, Math.max(5, s.wakeAt! - s.opts.now()))));
	}
}
