// The server's emerging-incident work: a detection round right after each ingest batch and each sync of
// case-handling changes, else every IDLE_ROUND_MS; alerts recorded in the relational store; webhooks notified; the
// 预警 page told over server-sent events. One round at a time; requests during a round run one more round.
import { EventEmitter } from 'node:events';
import type { AlertChangeEvent } from '$lib/alerts';
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { groupFirings, watchlistsOfCategory, type Incident } from '$pipelines/alerts/incidents';
import { calendarDayKind, runPassYielding, type Episode } from '$pipelines/alerts/pass';
import { closePassWorker, runPassInWorker } from '$pipelines/alerts/pass-parallel';
import { burstStates } from '$pipelines/alerts/burst';
import { readSeries, seriesTickets, roundWindowFrom, bucketMs, WatchCellCache, type WatchlistSpec } from '$pipelines/alerts/series';
import { placeName } from '$pipelines/reference/index';
import { holidayFile, type App } from '../app';
import type { AlertRow, SilenceRow, WatchlistRow } from '../db/schema';
import { alertEvents, alerts, webhookMessages } from '../db/schema';
import { afterIngest } from '../ingest';
import { CoalescingJob, waitAtMost } from '../jobs';
import { onShutdown } from '../presence';
import { afterSync } from '../sync';
import { deliver, shouldNotify, type AlertEvent, type AlertMessage, type DeliveryRecord } from './notify';
import { enqueueMessages, hooksTold, outboxIdle, requestOutboxPass, resumeOutbox, stopOutbox } from './outbox';
import { activeSilences, alertLabels, createSilence, expireSilence, type SilenceChange, type SilenceInput, FAMILY_LABELS, getWebhook, listWatchlists, listWebhooks, refreshSilenced, saveWatchlist, silenceFor, toWebhook, warnUserinfoWebhooks, type WatchlistInput } from './settings';
import {
	addNote,
	lastTrailEvent,
	markOwed,
	OPEN_STATUSES,
	OWED_MARKS,
	recordIncident,
	transition,
	type Actor,
	type AlertAction,
	settleQuiet,
	SEVERITY_LABELS,
	type DetectedIncident,
	type AlertSeriesInfo,
	type RecordResult,
	type RoundClaims
} from './store';
import type { DuckDBConnection } from '@duckdb/node-api';
import { withoutParameters } from '../log';
import { audit } from '../audit';
import { formatShanghaiTime } from '$lib/charts/format';

/** Episodes that ended longer ago than this are history, not news. */
export const REPORT_DAYS = 7;
/** Ingest and sync ask for a round right away; without them a round runs this long after the last one (the
 * clock alone moves signals to recovering and normal). */
export const IDLE_ROUND_MS = 5 * 60_000;
/** Under a steady stream of tickets, rounds start at most this often (an alert still shows within a minute). */
export const ROUND_GAP_MS = 15_000;
/** Severity of an alert no watch list names. */
export const DEFAULT_SEVERITY = 4;

export interface RoundSummary {
	at: string;
	series: number;
	points: number;
	episodes: number;
	incidents: number;
	fired: number;
	updated: number;
	resolved: number;
	readSeconds: number;
	detectSeconds: number;
	seconds: number;
}

/** A change of an alert, for the live link (every detection event of RecordResult and every action has a label there). */
export type AlertChange = AlertChangeEvent;

const KEY = Symbol.for('minqing.alerts');
interface State {
	job: CoalescingJob | null;
	log: (m: string) => void;
	tick: ReturnType<typeof setInterval> | null;
	conn: DuckDBConnection | null;
	/** the watch lists' cells of earlier rounds (readSeries matches only the hours whose tickets changed since) */
	watchCells: WatchCellCache;
	last: RoundSummary | null;
	lastError: string | null;
	/** rounds run since the server started (/healthz; the intake bench checks that detection ran during its load) */
	rounds: number;
	bus: EventEmitter;
	deliveries: Set<Promise<unknown>>;
}
function state(): State {
	const g = globalThis as { [KEY]?: State };
	if (!g[KEY]) {
		const bus = new EventEmitter();
		bus.setMaxListeners(0);
		g[KEY] = {
			job: null,
			log: (m) => console.log(m),
			tick: null,
			conn: null,
			watchCells: new WatchCellCache(),
			last: null,
			lastError: null,
			rounds: 0,
			bus,
			deliveries: new Set()
		};
	}
	return g[KEY];
}

/** Subscribes to alert changes (the 预警 page's live stream); returns the unsubscribe function. */
export function onAlertChange(f: (c: AlertChange) => void): () => void {
	const bus = state().bus;
	bus.on('change', f);
	return () => bus.off('change', f);
}

export function publishChange(c: AlertChange): void {
	state().bus.emit('change', c);
}

export function alertStatus(): { last: RoundSummary | null; running: boolean; lastError: string | null; rounds: number } {
	const s = state();
	return { last: s.last, running: !!s.job?.busy, lastError: s.lastError, rounds: s.rounds };
}

/** Starts the schedule and the hooks; safe to call more than once. */
export function startAlertWork(app: App, log: (m: string) => void = (m) => console.log(m)): void {
	const s = state();
	s.log = log;
	afterIngest((a) => void requestRound(a));
	afterSync((a) => void requestRound(a));
	void requestRound(app);
	if (s.tick) return;
	// the messages a previous run left pending go out now (their schedule is in the store)
	resumeOutbox(app).catch((e) => console.error('[minqing] resuming alert messages failed:', e));
	warnUserinfoWebhooks(app.rel.db).catch((e) => console.error('[minqing] reading the webhooks failed:', e));
	// checked every minute, so a round follows the previous one by IDLE_ROUND_MS plus at most a minute
	s.tick = setInterval(() => {
		if (!s.job?.busy && Date.now() - (s.last ? Date.parse(s.last.at) : 0) >= IDLE_ROUND_MS) void requestRound(app);
	}, 60_000);
	s.tick.unref?.();
	onShutdown(async () => {
		stopAlertWork();
		s.job?.close();
		// pending messages stay in the store for the next start; an attempt in flight may finish
		stopOutbox();
		await waitAtMost(alertsIdle(), 5000);
		await closePassWorker();
	});
}

export function stopAlertWork(): void {
	const s = state();
	if (s.tick) clearInterval(s.tick);
	s.tick = null;
}

/** Resolves when no round is running and no notification is being queued or delivered (retries waiting for their time included). */
export async function alertsIdle(): Promise<void> {
	const s = state();
	do {
		while (s.job?.busy || s.deliveries.size) {
			await s.job?.idle();
			if (s.deliveries.size) await Promise.allSettled([...s.deliveries]);
		}
		await outboxIdle();
	} while (s.job?.busy || s.deliveries.size);
}

/** Saves a watch list (new when `id` is null) and starts a detection round: the change counts from it, not from the next idle round minutes away. */
export async function saveWatchlistAndDetect(
	app: App,
	input: Partial<WatchlistInput> & { version?: unknown },
	id: number | null,
	/** who saves it, for the 操作日志 */
	actor?: string
): Promise<WatchlistRow> {
	const row = await saveWatchlist(app.rel.db, app.ref, input, id);
	if (actor)
		await audit(app.rel.db, {
			actor,
			area: 'alerts',
			target: row.slug,
			message: `预警设置：${actor} ${id === null ? '新建' : '修改'}关注词表「${row.name}」（${row.enabled ? '启用' : '停用'}，${row.terms.length} 个词）`
		});
	void requestRound(app);
	return row;
}

/** A detection round soon: now, or right after the one running. */
export function requestRound(app: App): Promise<void> {
	const s = state();
	s.job ??= new CoalescingJob(async () => {
		try {
			s.last = await detectionRound(app);
			s.lastError = null;
			s.rounds++;
			if (s.last.fired) s.log(`[minqing] 预警：新增 ${s.last.fired} 条（${s.last.series} 条序列，用时 ${s.last.seconds.toFixed(1)} 秒）`);
		} catch (e) {
			s.lastError = (e as Error).message;
			console.error('[minqing] alert detection failed (retried on the next batch or within a minute):', withoutParameters(e));
		}
	}, ROUND_GAP_MS);
	return s.job.request();
}

function watchSpecs(lists: WatchlistRow[]): WatchlistSpec[] {
	return lists.map((w) => ({ slug: w.slug, terms: w.terms, categories: w.categories }));
}

/** One detection round at `now`: read, detect, group, record, notify. */
export async function detectionRound(app: App, now = Date.now()): Promise<RoundSummary> {
	const s = state();
	const t0 = performance.now();
	s.conn ??= await app.analytics.connect();
	const conn = s.conn;
	await conn.run(`SET TimeZone = 'Asia/Shanghai'`);
	const db = app.rel.db;
	const lists = await listWatchlists(db, true);
	const specs = watchSpecs(lists);
	const series = await readSeries(conn, { fromDay: await roundWindowFrom(conn, now), now }, {
		cityCode: app.ref.cityCode,
		watchlists: specs,
		cache: s.watchCells
	});
	const t1 = performance.now();
	// on the detection worker, so that this thread answers requests meanwhile; in slices here if it fails
	const pass = await runPassInWorker(series, holidayFile(app.config.referenceDir)).catch((e: Error) => {
		console.error(`[minqing] detection worker failed (${e.message}); scoring this round on the server's thread`);
		return runPassYielding(series, { dayKind: calendarDayKind(app.calendar) });
	});
	const t2 = performance.now();
	const recent = pass.episodes.filter((e) => e.last >= now - REPORT_DAYS * 86_400_000);
	for (const e of recent) {
		const rows = await seriesTickets(conn, e.key, e.onset, e.last + bucketMs(e.key.bucket), specs, 1000);
		e.tickets = rows.map((r) => r.ticketNo);
		(e as EpisodeWithTickets).ticketRows = rows;
	}
	const watchlistsOf = watchlistsOfCategory(lists);
	const incidents = groupFirings(recent, { watchlistsOf, cityCode: app.ref.cityCode });
	const silences = await activeSilences(db, new Date(now));
	const summary: RoundSummary = {
		at: new Date(now).toISOString(),
		series: pass.series,
		points: pass.points,
		episodes: recent.length,
		incidents: incidents.length,
		fired: 0,
		updated: 0,
		resolved: 0,
		readSeconds: (t1 - t0) / 1000,
		detectSeconds: (t2 - t1) / 1000,
		seconds: 0
	};
	const seen = new Set<number>();
	const claims: RoundClaims = new Map();
	const results: RecordResult[] = [];
	for (const inc of incidents) {
		const detected = describeIncident(app, inc, lists, now);
		detected.silencedBy = silenceFor(silences, alertLabels(detected));
		const r = await recordIncident(db, detected, new Date(now), watchlistsOf, claims);
		seen.add(r.alert.id);
		results.push(r);
	}
	results.push(...(await settleQuiet(db, seen, new Date(now))));
	// every open alert's silencedBy to the silences active now (one may have begun or ended since the last round)
	publishSilenceChanges(await refreshSilenced(db, new Date(now)));
	await announceOwed(app, new Date(now));
	for (const r of results) {
		if (!r.event) continue;
		if (r.event === 'fired' || r.event === 'refired') summary.fired++;
		else if (r.event === 'auto_resolved') summary.resolved++;
		else summary.updated++;
		publishChange({ id: r.alert.id, event: r.event });
		// an incident found already over (a first round's backfill) is recorded, not announced
		const live = r.alert.signal !== 'normal';
		if ((r.event === 'fired' || r.event === 'refired') && live) notify(app, r.alert, r.event, new Date(now));
		// hooks that take only graver alerts hear of it now; those that heard it learn its new level
		if (r.event === 'severity_raised') notify(app, r.alert, 'severity_raised', new Date(now), { actor: '系统', note: '检测到事件扩大，级别提高' });
		if (r.event === 'auto_resolved' && r.alert.createdAt.getTime() < now - 1000)
			notify(app, r.alert, 'resolved', new Date(now), { actor: '系统', note: '序列已回到正常范围，自动解除' });
	}
	summary.seconds = (performance.now() - t0) / 1000;
	return summary;
}

type EpisodeWithTickets = Episode & { ticketRows?: { ticketNo: string; receivedAt: number; streetCode: string | null }[] };

function topicName(app: App, key: Episode['key'], lists: WatchlistRow[]): string {
	if (key.family === 'watchlist') return lists.find((w) => w.slug === key.topic)?.name ?? key.topic;
	if (key.family === 'category') return app.ref.categoryByCode.get(key.topic)?.name ?? key.topic;
	return `话题 ${key.topic}`;
}

function seriesLabel(app: App, e: Episode, lists: WatchlistRow[]): string {
	// a topic's name already says 话题
	const fam = e.key.family === 'topic' ? '' : FAMILY_LABELS[e.key.family];
	return `${placeName(app.ref, e.key.level, e.key.place)} · ${fam}${topicName(app, e.key, lists)} · ${e.key.bucket === 'hour' ? '每小时' : '每日'}`;
}

/** What the store needs to know about an incident: title, severity, places, series, tickets. */
function describeIncident(app: App, inc: Incident<Episode>, lists: WatchlistRow[], now: number): DetectedIncident {
	const p = inc.primary;
	// the watch list that names the incident: the primary's, else the strongest watch-list firing's
	const watchFirings = inc.firings.filter((f) => f.key.family === 'watchlist').sort((a, b) => a.p - b.p);
	const watch = p.key.family === 'watchlist' ? p.key.topic : (watchFirings[0]?.key.topic ?? null);
	const wl = lists.find((w) => w.slug === watch) ?? null;
	const category =
		[...inc.firings].filter((f) => f.key.family === 'category').sort((a, b) => b.key.topic.length - a.key.topic.length)[0]?.key.topic ??
		null;
	const topic = wl ? wl.name : topicName(app, p.key, lists);
	const name = placeName(app.ref, inc.level, inc.place);
	// severity: the watch list's; one level higher for a very large excess (≥ 50 tickets and ≥ 5× expected)
	let severity = wl ? wl.severity : DEFAULT_SEVERITY;
	if (p.observed >= 50 && p.observed >= 5 * Math.max(p.expected, 1)) severity = Math.max(1, severity - 1);
	const places = new Map<string, DetectedIncident['places'][number]>();
	for (const f of inc.firings) {
		const k = `${f.key.level}:${f.key.place}`;
		const prev = places.get(k);
		if (!prev || prev.observed < f.observed)
			places.set(k, {
				level: f.key.level,
				code: f.key.place,
				name: placeName(app.ref, f.key.level, f.key.place),
				observed: f.observed,
				expected: Math.round(f.expected * 10) / 10
			});
	}
	// streets named by the linked tickets, so a district alert still shows where the calls come from
	const byStreet = new Map<string, number>();
	const tickets = new Map<string, { ticketNo: string; receivedAt: Date; streetCode: string | null }>();
	for (const f of inc.firings as EpisodeWithTickets[]) {
		for (const t of f.ticketRows ?? []) {
			// the incident's own tickets (its most specific series'), not a whole level-1 category's
			if (tickets.has(t.ticketNo) || !inc.tickets.has(t.ticketNo)) continue;
			tickets.set(t.ticketNo, { ticketNo: t.ticketNo, receivedAt: new Date(t.receivedAt), streetCode: t.streetCode });
			if (t.streetCode) byStreet.set(t.streetCode, (byStreet.get(t.streetCode) ?? 0) + 1);
		}
	}
	for (const [code, n] of [...byStreet].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
		const k = `street:${code}`;
		if (!places.has(k) && n >= 2)
			places.set(k, { level: 'street', code, name: placeName(app.ref, 'street', code), observed: n, expected: 0 });
	}
	const series: AlertSeriesInfo[] = inc.firings
		.slice()
		.sort((a, b) => a.p - b.p)
		.slice(0, 12)
		.map((f) => ({
			id: f.id,
			key: f.key,
			label: seriesLabel(app, f, lists),
			onset: new Date(f.onset).toISOString(),
			last: new Date(f.last).toISOString(),
			observed: f.observed,
			expected: Math.round(f.expected * 100) / 100,
			p: f.p,
			score: Math.round(f.score * 1000) / 1000,
			burst: f.key.family === 'watchlist' && f.series.totals ? episodeBurst(f) : undefined,
			points: f.points.map((x) => ({
				t: new Date(x.t).toISOString(),
				observed: x.value,
				expected: Math.round(x.expected * 100) / 100,
				lower: Math.round(x.lower * 100) / 100,
				upper: Math.round(x.upper * 100) / 100,
				score: Math.round(x.score * 1000) / 1000
			}))
		}));
	return {
		title: `${name} · ${topic}来电异常增多`,
		severity,
		watchlistSlug: watch,
		categoryCode: category,
		topicKey: inc.topicKey,
		placeLevel: inc.level,
		placeCode: inc.place,
		districtCode: inc.district,
		places: [...places.values()],
		series,
		bucket: p.key.bucket,
		onset: new Date(inc.onset),
		lastFiring: new Date(Math.min(inc.last, now)),
		active: inc.active,
		observed: p.peak.value,
		expected: Math.round(p.peak.expected * 100) / 100,
		upper: Math.round(p.peak.upper * 100) / 100,
		// one score: the detector's, or a watch list's burst score (its share of all tickets) when that is higher
		score: Math.max(...inc.firings.map((f) => f.score), ...series.map((x) => x.burst ?? 0)),
		tickets: [...tickets.values()],
		unitCode: wl?.unitCode ?? null,
		silencedBy: null
	};
}

/** The watch list's burst score (Kleinberg automaton on its share of all tickets): the highest of the episode. */
function episodeBurst(e: Episode): number {
	const v = e.series.values;
	const d = e.series.totals!;
	const end = Math.min(v.length, e.lastIndex + 1);
	const r = burstStates(Array.from(v.subarray(0, end)), Array.from(d.subarray(0, end)));
	// the strongest of the episode: at its last bucket the calls may already have stopped (0.00 on a typhoon's burst)
	let best = 0;
	for (let i = Math.max(0, e.onsetIndex); i < r.length; i++) best = Math.max(best, r[i].score);
	return Math.round(best * 1000) / 1000;
}

// --- notifications ----------------------------------------------------------------------------------------

/** Who took a step and why, for the message of an escalation, a resolution or a dismissal. */
export interface ActedBy {
	actor: string | null;
	note: string | null;
}

export function alertMessage(app: App, a: AlertRow, event: AlertEvent, watchlistName: string | null, by?: ActedBy): AlertMessage {
	return {
		id: a.id,
		version: a.version,
		event,
		title: a.title,
		severity: a.severity,
		severityLabel: SEVERITY_LABELS[a.severity] ?? String(a.severity),
		status: a.status,
		placeName: placeName(app.ref, a.placeLevel, a.placeCode),
		categoryName: a.categoryCode ? (app.ref.categoryByCode.get(a.categoryCode)?.path ?? a.categoryCode) : null,
		watchlist: watchlistName,
		observed: a.observed,
		expected: a.expected,
		upper: a.upper,
		startedAt: a.startedAt.toISOString(),
		bucket: a.bucket === 'day' ? 'day' : 'hour',
		ticketCount: a.ticketCount,
		unitName: a.unitCode ? (app.ref.unitByCode.get(a.unitCode)?.name ?? a.unitCode) : null,
		url: `${app.config.publicUrl}/alerts/${a.id}`,
		actor: by?.actor ?? null,
		note: by?.note?.trim() || null
	};
}

/**
 * The webhooks that were, or are being, told of an alert: a delivery, or a message queued (one in flight is logged only
 * once answered). A dismissal is queued to them all; the sender drops it for one that in the end never got the alert.
 */
async function hooksAsked(app: App, alertId: number): Promise<Set<number>> {
	const queued = await app.rel.db.selectDistinct({ id: webhookMessages.webhookId }).from(webhookMessages).where(eq(webhookMessages.alertId, alertId));
	return new Set([...(await hooksTold(app.rel.db, alertId)), ...queued.map((r) => r.id)]);
}

/**
 * Sends an alert event to every enabled webhook that takes its severity, in the background: queued in the store
 * (outbox.ts), each attempt logged. A dismissal (排除) goes only to those that were told of the alert — to the
 * others a false alert is no news. `acted`: who acted and why.
 */
export function notify(app: App, a: AlertRow, event: AlertEvent, at = new Date(), acted?: ActedBy, opts: { untoldOnly?: boolean } = {}): void {
	const s = state();
	const p = (async () => {
		// the silences active at the event decide, not those of when the alert was raised
		const by = silenceFor(await activeSilences(app.rel.db, at), alertLabels(a));
		if (by !== null) {
			// kept in the trail, so that the raising is announced when the silence ends while the alert still fires
			if (event === 'fired' || event === 'refired')
				await markOwed(app.rel.db, a.id, by, at);
			return;
		}
		const [hooks, lists] = await Promise.all([listWebhooks(app.rel.db), listWatchlists(app.rel.db)]);
		const msg = alertMessage(app, a, event, lists.find((w) => w.slug === a.watchlistSlug)?.name ?? a.watchlistSlug, acted);
		// a dismissal to those told (or being told) of the alert; an owed announcement to those not told yet
		const asked = event === 'dismissed' ? await hooksAsked(app, a.id) : null;
		const told = opts.untoldOnly ? await hooksTold(app.rel.db, a.id) : null;
		await enqueueMessages(
			app.rel.db,
			hooks.map(toWebhook).filter((h) => shouldNotify(h, msg) && (!asked || asked.has(h.id)) && !told?.has(h.id)),
			msg
		);
		void requestOutboxPass(app);
	})().catch((e) => console.error('[minqing] alert notification failed:', withoutParameters(e)));
	s.deliveries.add(p);
	void p.finally(() => s.deliveries.delete(p));
}

/**
 * Open alerts no silence holds that still fire while their raising was kept back by one (the trail's last word on it
 * is 静默中，未通知): announced now, once (as Alertmanager does when a silence expires), however the silence ended —
 * at its time, by hand, or replaced by another that does not match. Run by each detection round and when a silence is
 * ended by hand.
 */
export async function announceOwed(app: App, at = new Date()): Promise<number> {
	const owed = await app.rel.db
		.select({ id: alerts.id })
		.from(alerts)
		.where(
			and(
				inArray(alerts.status, [...OPEN_STATUSES]),
				isNull(alerts.silencedBy),
				ne(alerts.signal, 'normal'),
				sql`(SELECT e.action FROM ${alertEvents} e WHERE e.alert_id = ${alerts.id} AND e.action IN (${sql.raw(OWED_MARKS.map((m) => `'${m}'`).join(', '))})
				     ORDER BY e.id DESC LIMIT 1) = 'notify_withheld'`
			)
		);
	let announced = 0;
	for (const { id } of owed) {
		// claimed under the alert's row lock, the test made again there: of two calls at once (a silence ended by hand
		// during a detection round), the second finds the first's notified_late and announces nothing
		const claimed = await app.rel.db.transaction(async (tx) => {
			const t = tx as unknown as typeof app.rel.db;
			const [a] = await t.select().from(alerts).where(eq(alerts.id, id)).for('update');
			const last = await lastTrailEvent(t, id, OWED_MARKS);
			const still = a && (OPEN_STATUSES as readonly string[]).includes(a.status) && a.silencedBy === null && a.signal !== 'normal';
			if (!still || last?.action !== 'notify_withheld') return null;
			await t.insert(alertEvents).values({ alertId: id, action: 'notified_late', actorName: '系统', note: '静默结束后补发预警通知', at });
			// announced as it was raised: a re-firing as such
			const raised = await lastTrailEvent(t, id, ['fired', 'refired']);
			return { alert: a, event: (raised?.action === 'refired' ? 'refired' : 'fired') as AlertEvent };
		});
		if (!claimed) continue;
		announced++;
		publishChange({ id, event: 'unsilenced' });
		// to the receivers not told of it yet: those the silence caught after they got it are not told again
		notify(app, claimed.alert, claimed.event, at, undefined, { untoldOnly: true });
	}
	return announced;
}

/** Makes a silence (createSilence); the open alerts it holds from now are told to the live pages. */
export async function startSilence(app: App, input: SilenceInput, userId: number | null, now = new Date(), actor?: string): Promise<SilenceRow> {
	const { silence, changed } = await createSilence(app.rel.db, app.ref, input, userId, now);
	if (actor) {
		const labels = Object.entries(input.matchers).map(([k, v]) => `${k}=${v}`).join('，');
		await audit(app.rel.db, {
			actor,
			area: 'alerts',
			target: `#${silence.id}`,
			message: `预警设置：${actor} 新建静默规则 #${silence.id}（${labels || '全部预警'}，至 ${formatShanghaiTime(input.endsAt.toISOString())}）`
		});
	}
	publishSilenceChanges(changed);
	return silence;
}

/** Ends a silence by hand: the live pages hear of the alerts it held; those that still fire and were not announced are announced now. */
export async function endSilence(app: App, id: number, actor?: string): Promise<void> {
	publishSilenceChanges(await expireSilence(app.rel.db, id));
	if (actor) await audit(app.rel.db, { actor, area: 'alerts', target: `#${id}`, message: `预警设置：${actor} 结束静默规则 #${id}` });
	await announceOwed(app);
}

function publishSilenceChanges(changed: SilenceChange[]): void {
	for (const c of changed) publishChange({ id: c.id, event: c.silenced ? 'silenced' : 'unsilenced' });
}

// --- people's actions: the change, then the live page and the webhooks ---------------------------------------

/** acknowledge | escalate | resolve | dismiss, told to open pages; escalations, resolutions and dismissals are notified, with who and why. */
export async function actOnAlert(
	app: App,
	id: number,
	action: AlertAction,
	actor: Actor,
	/** the version the user saw (a concurrent change gives a conflict) */
	version: number,
	note: string
): Promise<AlertRow> {
	const row = await transition(app.rel.db, id, action, actor, version, note);
	publishChange({ id, event: row.status as AlertChange['event'], by: actor.id ?? undefined });
	if (row.status === 'escalated' || row.status === 'resolved' || row.status === 'dismissed')
		notify(app, row, row.status, new Date(), { actor: actor.name, note });
	return row;
}

export async function noteOnAlert(app: App, id: number, actor: Actor, note: string): Promise<void> {
	await addNote(app.rel.db, id, actor, note);
	publishChange({ id, event: 'note', by: actor.id ?? undefined });
}

/** One clearly labelled test message to a webhook, one attempt, not kept with the alerts' deliveries. */
export async function sendTestMessage(app: App, webhookId: number): Promise<{ ok: boolean; last: DeliveryRecord | null }> {
	const hook = { ...toWebhook(await getWebhook(app.rel.db, webhookId)), enabled: true };
	const msg: AlertMessage = {
		id: 0,
		version: Date.now(), // every test message is news to a receiver that deduplicates
		event: 'fired',
		title: '【测试】民情预警通知测试，请忽略',
		severity: 4,
		severityLabel: SEVERITY_LABELS[4],
		status: 'new',
		placeName: app.ref.cityName,
		categoryName: null,
		watchlist: null,
		observed: 0,
		expected: 0,
		upper: 0,
		startedAt: new Date().toISOString(),
		bucket: 'hour',
		ticketCount: 0,
		unitName: null,
		url: `${app.config.publicUrl}/settings/alerts`,
		actor: null,
		note: null
	};
	let last: DeliveryRecord | null = null;
	const ok = await deliver(hook, msg, { record: async (r) => void (last = r) }, { attempts: 1, maxHolds: 0 });
	return { ok, last };
}
