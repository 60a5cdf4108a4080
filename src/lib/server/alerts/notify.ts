// Webhook notifications for alerts: the message bodies for three kinds of receivers, DingTalk signing, and
// delivery with retries. Self-contained: no database access — the caller passes the webhook, the message and a
// `DeliveryLog` that stores one record per attempt.
//
// Receivers (`Webhook.format`)
// - 'json': any HTTP endpoint. Body (stable, versioned; new fields may be added to `alert`, none removed or
//   renamed without bumping `version`):
//     { "version": 1, "event": "fired", "actor": null, "note": null, "alert": { id, title, severity, severityLabel,
//       status, placeName, categoryName, watchlist, observed, expected, upper, startedAt, bucket, ticketCount,
//       unitName, url } }
//   `event` is fired, refired (an alert closed fires again: after an automatic recovery, or after a person
//   closed it and its incident then doubled or became graver), severity_raised (the detection found it graver),
//   escalated, resolved or dismissed (排除: a false alert, sent only to receivers that were told of the alert).
//   `actor` and `note`: who acted and the reason they gave (escalated, resolved, dismissed; 系统 for an automatic
//   resolution or a raised level), else null.
//   Any 2xx answer is success; the answer's body is ignored.
// - 'dingtalk': a DingTalk group custom robot (https://oapi.dingtalk.com/robot/send?access_token=…). Body
//   { msgtype: 'markdown', markdown: { title, text } }. With 加签 (`secret` set, the `SEC…` string) the URL gets
//   `&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(key = secret, `${timestamp}\n${secret}`)))>`, computed
//   afresh for every attempt (DingTalk rejects timestamps more than an hour off). Both the title and the text
//   contain 「预警」, so a robot secured by 自定义关键词 works with the keyword 预警.
// - 'wecom': a WeCom (企业微信) group robot (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…). Body
//   { msgtype: 'markdown', markdown: { content } }, content cut to WeCom's 4096-byte limit. WeCom's markdown has
//   no lists, so lines are quotes (`>`); the severity is coloured with its `<font color>` tag.
// Both robots answer HTTP 200 with { errcode, errmsg }: errcode 0 is success, anything else a failure.
//
// Severity: 1 = 特别重大 (Ⅰ级), 2 = 重大 (Ⅱ级), 3 = 较大 (Ⅲ级), 4 = 一般 (Ⅳ级), the national emergency scale — a
// smaller number is more severe. `Webhook.minSeverity` is the least severe level a hook still receives: a hook
// with minSeverity 2 gets levels 1 and 2 only, one with 4 gets everything (see `shouldNotify`).
//
// Delivery: the alerts' messages are queued in the store and sent by outbox.ts, attempt by attempt with
// `attemptDelivery` and `nextStep` (so a restart resumes them); `deliver` runs the same policy in memory, for a
// one-off message (the settings' 发送测试). One POST per attempt, up to `attempts` (default 5) attempts; every attempt is recorded
// (status 'ok', 'retry' when another attempt follows, 'failed' for the last; a timeout 'timeout_retry' or
// 'timeout', below). Retried: network errors, timeouts (`timeoutMs`, per attempt, covering the answer's body too:
// by default 5 s for JSON receivers and 20 s for the robots, which answer slowly under load), HTTP 408, 429 and 5xx,
// and errcode −1 (系统繁忙, both robots). Not retried, since the same request would fail the same way: other HTTP statuses (4xx:
// wrong URL or token; 3xx: redirects are not followed, a webhook URL should not move), other errcodes (e.g.
// DingTalk 310000 — bad signature, missing keyword or IP not allowed; 300001 token missing; WeCom 93000 bad
// key), a robot answer that is not JSON, and an address with a user name or password (stored before saving refused
// it: fetch never sends such a request; the log says so without them). No logged or shown text carries a URL's user
// name or password or the value of its secret parameters (a robot's access_token or key): see withoutSecrets. Backoff before attempt k+1: baseDelayMs · 2^(k−1) (default 1 s,
// 2 s, 4 s, 8 s), times a jitter factor in [0.75, 1] so hooks failing together do not retry in lockstep while
// the delays still grow, capped at maxDelayMs (default 30 s); a 429/503's Retry-After (seconds) lengthens the
// wait up to the cap.
// Robots' rate limits (ROBOT_LIMITS): a DingTalk or WeCom robot takes at most 20 messages a minute, and refuses
// everything for a while after that — DingTalk for 10 minutes (errcode 130101, 发送太快), WeCom until its minute is
// over (errcode 45009, 接口调用超过限制). Such an answer is 'held' (对方限流，稍后重发): the message is sent again when
// the hold is over (holdMs), without using up its attempts, up to MAX_HOLDS times. The sender keeps a robot's
// messages within its limit (`nextSlot`: at most 20 requests in any rolling window of 61 s) and sends nothing
// to it during a hold, so a burst of alerts waits its turn instead of being refused and lost.
// A request that timed out may still have been delivered (a slow robot posts it to the group all the same), so a
// timeout is logged as 可能已送达 and a message is sent at most MAX_TIMEOUTS (2) times that timed out: one retry after
// a timeout, none after the second. A receiver can still see the same message twice: every
// request carries `Idempotency-Key: minqing-alert-<alertId>-<version>-<event>` to deduplicate on: the same for the
// retries of one message, another for the next message of the alert (a re-fire after a resolution is news).
// Errors from `DeliveryLog.record` are not caught: they end the delivery and reach the caller.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { createHmac } from 'node:crypto';
import { STATUS_LABELS } from '$lib/alerts';
import { formatShanghaiTime } from '$lib/charts/format';

export type WebhookFormat = 'json' | 'dingtalk' | 'wecom';

export interface Webhook {
	id: number;
	name: string;
	url: string;
	format: WebhookFormat;
	/** DingTalk 加签 secret (`SEC…`); null: no signing. Ignored by the other formats. */
	secret: string | null;
	enabled: boolean;
	/** the least severe level this hook receives: 1 = 特别重大 only … 4 = every alert */
	minSeverity: 1 | 2 | 3 | 4;
}

/** 'refired': a closed alert fires again (再次触发), announced as such, not as a new one; 'severity_raised': the detection found it graver. */
export type AlertEvent = 'fired' | 'refired' | 'severity_raised' | 'escalated' | 'resolved' | 'acknowledged' | 'dismissed' | 'recovered';

/** The key a receiver deduplicates one message on (its retries share it). */
export function idempotencyKey(msg: AlertMessage): string {
	return `minqing-alert-${msg.id}-${msg.version}-${msg.event}`;
}

export interface AlertMessage {
	id: number;
	/** the alert's version at this event: every change of status gives a new one */
	version: number;
	event: AlertEvent;
	title: string;
	/** 1 = 特别重大 … 4 = 一般 */
	severity: number;
	severityLabel: string;
	/** the status code (new, acknowledged, …): the JSON payload carries it, the robots show its Chinese name */
	status: string;
	placeName: string;
	categoryName: string | null;
	watchlist: string | null;
	/** the episode's peak: tickets in its strongest bucket, against the expected count and the upper end of the normal band there */
	observed: number;
	expected: number;
	upper: number;
	/** ISO 8601 */
	startedAt: string;
	bucket: 'hour' | 'day';
	ticketCount: number;
	/** the responsible emergency unit */
	unitName: string | null;
	/** absolute link to the alert page */
	url: string;
	/** who acted (escalated, resolved, dismissed: the person's name, 系统 for an automatic resolution); null for the detection's events */
	actor: string | null;
	/** the reason given with the action (说明), or null */
	note: string | null;
}

/** Chinese names of the events, as shown in the messages. */
export const EVENT_LABELS: Record<AlertEvent, string> = {
	fired: '新预警',
	refired: '预警再次触发',
	severity_raised: '预警级别提高',
	escalated: '预警升级',
	resolved: '预警解除',
	acknowledged: '预警已确认',
	dismissed: '预警已排除',
	recovered: '指标已回落'
};

/** Whether a hook takes this message: enabled, and the alert at least as severe as its `minSeverity`. */
export function shouldNotify(hook: Webhook, msg: Pick<AlertMessage, 'severity'>): boolean {
	return hook.enabled && msg.severity <= hook.minSeverity;
}

/** One line: newlines and runs of spaces in user data would break the markdown structure. */
function inline(s: string): string {
	return s.replace(/\s+/g, ' ').trim();
}

function num(x: number): string {
	if (!Number.isFinite(x)) return String(x);
	return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/**
 * The peak against the expected count, e.g. 「12 件/小时，预期 3.2 件（正常上限 7.5 件）」. An expected count below 1
 * is 「预期不足 1 件」 (「预期 0.0 件」 of a quiet series read as "none expected"), and a band's upper end below 1 says
 * nothing more, so it is left out.
 */
function peakLine(msg: AlertMessage): string {
	const per = msg.bucket === 'hour' ? '小时' : '日';
	const expected = msg.expected < 1 ? '预期不足 1 件' : `预期 ${num(msg.expected)} 件`;
	const band = msg.upper >= 1 ? `（正常上限 ${num(msg.upper)} 件）` : '';
	return `${num(msg.observed)} 件/${per}，${expected}${band}`;
}

/** The lines both robots show, as [label, value] pairs. */
function facts(msg: AlertMessage): [string, string][] {
	const rows: [string, string][] = [
		['级别', inline(msg.severityLabel)],
		['地点', inline(msg.placeName)]
	];
	if (msg.categoryName) rows.push(['类别', inline(msg.categoryName)]);
	if (msg.watchlist) rows.push(['关注词表', inline(msg.watchlist)]);
	rows.push(
		['状态', STATUS_LABELS[msg.status as keyof typeof STATUS_LABELS] ?? inline(msg.status)],
		// the alert's observed count is the episode's peak bucket, not what the series shows now
		['峰值', peakLine(msg)],
		['开始时间', `${formatShanghaiTime(msg.startedAt)}（北京时间）`],
		['关联工单', `${msg.ticketCount} 件`],
		['责任单位', msg.unitName ? inline(msg.unitName) : '未指定']
	);
	// a person's step: who took it and why (the reason of an escalation or a dismissal is what the group needs)
	if (ACTED.has(msg.event)) {
		if (msg.actor) rows.push(['处理人', inline(msg.actor)]);
		rows.push(['说明', msg.note?.trim() ? excerpt(msg.note, NOTE_MAX) : '（无）']);
	}
	return rows;
}

/** The events that are a step someone took (or the system's resolution): their messages name who and why. */
const ACTED: ReadonlySet<AlertEvent> = new Set(['escalated', 'resolved', 'dismissed']);
/** characters of a note the robots show (the alert page has all of it) */
const NOTE_MAX = 300;


function heading(msg: AlertMessage): string {
	return `【民情预警】${EVENT_LABELS[msg.event] ?? msg.event}：${inline(msg.title)}`;
}

/** Cut a string to at most `max` UTF-8 bytes, on a character boundary. */
function cutBytes(s: string, max: number): string {
	if (Buffer.byteLength(s) <= max) return s;
	let out = '';
	let bytes = 0;
	for (const ch of s) {
		const b = Buffer.byteLength(ch);
		if (bytes + b > max - 3) break;
		out += ch;
		bytes += b;
	}
	return out + '…';
}

/** The JSON body posted to a hook of this format. */
export function payloadFor(format: WebhookFormat, msg: AlertMessage): unknown {
	switch (format) {
		case 'json':
			return {
				version: 1,
				event: msg.event,
				actor: msg.actor ?? null,
				note: msg.note ?? null,
				alert: {
					id: msg.id,
					title: msg.title,
					severity: msg.severity,
					severityLabel: msg.severityLabel,
					status: msg.status,
					placeName: msg.placeName,
					categoryName: msg.categoryName,
					watchlist: msg.watchlist,
					observed: msg.observed,
					expected: msg.expected,
					upper: msg.upper,
					startedAt: msg.startedAt,
					bucket: msg.bucket,
					ticketCount: msg.ticketCount,
					unitName: msg.unitName,
					url: msg.url
				}
			};
		case 'dingtalk': {
			const lines = [
				`### ${heading(msg)}`,
				'',
				...facts(msg).map(([k, v]) => `- ${k}：${k === '级别' ? `**${v}**` : v}`),
				'',
				`[查看预警详情](${msg.url})`
			];
			return {
				msgtype: 'markdown',
				markdown: {
					title: `【民情预警】${EVENT_LABELS[msg.event] ?? msg.event}·${inline(msg.severityLabel)}·${inline(msg.title)}`,
					text: lines.join('\n')
				}
			};
		}
		case 'wecom': {
			const ended = msg.event === 'resolved' || msg.event === 'recovered' || msg.event === 'dismissed';
			const colour = ended ? 'info' : msg.severity <= 2 ? 'warning' : 'comment';
			const link = `\n[查看预警详情](${msg.url})`;
			const body = [
				`### ${heading(msg)}`,
				...facts(msg).map(([k, v]) => `> ${k}：${k === '级别' ? `<font color="${colour}">${v}</font>` : v}`)
			].join('\n');
			// the link survives the cut: it is what the reader needs most
			return { msgtype: 'markdown', markdown: { content: cutBytes(body, 4096 - Buffer.byteLength(link)) + link } };
		}
		default:
			throw new Error(`unknown webhook format: ${String(format)}`);
	}
}

/** The URL to post to: for a DingTalk hook with a secret, with `timestamp` (ms) and `sign` appended; otherwise the hook's URL. */
export function signedUrl(hook: Webhook, now: number): string {
	if (hook.format !== 'dingtalk' || !hook.secret) return hook.url;
	const timestamp = String(Math.floor(now));
	const sign = createHmac('sha256', hook.secret).update(`${timestamp}\n${hook.secret}`).digest('base64');
	const sep = hook.url.includes('?') ? '&' : '?';
	return `${hook.url}${sep}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
}

/**
 * What became of an attempt: 'ok'; 'retry' (failed, another attempt follows); 'failed' (the last); 'timeout_retry'
 * and 'timeout': no answer in time — possibly delivered — with or without another attempt; 'held': refused by the
 * robot's rate limit, sent again after the hold. Labels: DELIVERY_STATUS_LABELS.
 */
export type DeliveryStatus = 'ok' | 'retry' | 'failed' | 'timeout_retry' | 'timeout' | 'held';

export interface DeliveryRecord {
	webhookId: number;
	alertId: number;
	event: string;
	/** 1-based */
	attempt: number;
	status: DeliveryStatus;
	/** null when no answer came (network error, timeout) */
	httpStatus: number | null;
	/** what went wrong, in Chinese with the receiver's own words (status, body excerpt, errcode, network error); null on success */
	error: string | null;
	durationMs: number;
	at: Date;
}

export interface DeliveryLog {
	record(r: DeliveryRecord): Promise<void>;
}

export interface DeliveryOptions {
	/** attempts in all, default 5 */
	attempts: number;
	/** wait before the second attempt, default 1000 ms; doubled for each later one, with jitter */
	baseDelayMs: number;
	/** longest wait between attempts, default 30 000 ms */
	maxDelayMs: number;
	/** per attempt, until the whole answer is read; default by format: TIMEOUT_MS */
	timeoutMs?: number;
	/** answers refused by a robot's rate limit that are waited out (default MAX_HOLDS); 0: such an answer is a failure */
	maxHolds?: number;
	fetch?: typeof fetch;
	sleep?: (ms: number) => Promise<void>;
}

export const DELIVERY_DEFAULTS: Readonly<Omit<DeliveryOptions, 'fetch' | 'sleep' | 'timeoutMs'>> = {
	attempts: 5,
	baseDelayMs: 1000,
	maxDelayMs: 30_000
};

/** How long an attempt waits for the whole answer, by format. The robots' servers take seconds under load, and a
 * request they answer late was posted to the group all the same: a short timeout only sent the message again. */
const TIMEOUT_MS: Readonly<Record<WebhookFormat, number>> = { json: 5000, dingtalk: 20_000, wecom: 20_000 };

/** Requests of one message that may time out: one retry after a timeout, since the first may have arrived. */
const MAX_TIMEOUTS = 2;

/**
 * The robots' limits: `perWindow` messages in any `windowMs` (20 a minute for both; a second more for the clocks'
 * and the network's sake), and how long a robot refuses everything once it was exceeded — DingTalk 10 minutes, WeCom
 * until its minute is over (each with a margin).
 */
export const ROBOT_LIMITS: Readonly<Record<'dingtalk' | 'wecom', { perWindow: number; windowMs: number; holdMs: number }>> = {
	dingtalk: { perWindow: 20, windowMs: 61_000, holdMs: 10 * 60_000 + 30_000 },
	wecom: { perWindow: 20, windowMs: 61_000, holdMs: 61_000 }
};

/** Rate-limit answers a message waits out before it counts as failed: about two hours of DingTalk's holds. */
export const MAX_HOLDS = 12;

/**
 * When a hook may be sent its next request (ms): `now` for JSON receivers; for a robot not before its hold is
 * over (`lastHeldAt`: its latest rate-limit answer) and not while `perWindow` requests fall in the rolling window.
 * `recent`: the times of its latest requests (at least `perWindow` of them when there are that many).
 */
export function nextSlot(format: WebhookFormat, recent: readonly number[], lastHeldAt: number | null, now: number): number {
	if (format === 'json') return now;
	const r = ROBOT_LIMITS[format];
	let t = now;
	if (lastHeldAt !== null) t = Math.max(t, lastHeldAt + r.holdMs);
	const latest = [...recent].sort((a, b) => b - a);
	// the perWindow-th latest request must have left the window
	if (latest.length >= r.perWindow) t = Math.max(t, latest[r.perWindow - 1] + r.windowMs);
	return t;
}

/** errcodes that mean "try again soon": 系统繁忙 */
const RETRIABLE_ERRCODES: Record<'dingtalk' | 'wecom', ReadonlySet<number>> = {
	dingtalk: new Set([-1]),
	wecom: new Set([-1])
};
/** errcodes of the rate limit: the robot refuses everything for a while (ROBOT_LIMITS.holdMs) */
const RATE_LIMIT_ERRCODES: Record<'dingtalk' | 'wecom', number> = { dingtalk: 130101, wecom: 45009 };

const ROBOT_NAMES = { dingtalk: '钉钉', wecom: '企业微信' } as const;

export interface Outcome {
	ok: boolean;
	retriable: boolean;
	/** no whole answer within the timeout: the request may have been delivered */
	timedOut?: boolean;
	/** refused by the robot's rate limit: everything sent to it within `holdMs` is refused too */
	holdMs?: number;
	httpStatus: number | null;
	error: string | null;
	/** from Retry-After, ms */
	retryAfterMs?: number;
}

function excerpt(body: string, max = 200): string {
	const s = body.replace(/\s+/g, ' ').trim();
	if (!s) return '（空）';
	const chars = [...s];
	return chars.length > max ? chars.slice(0, max).join('') + '…' : s;
}

/** The error behind undici's "fetch failed": the socket's, or fetch's own refusal (`bad port`). */
function rootCause(e: unknown): { message?: string; code?: string } | null {
	let err = e as { message?: string; code?: string; cause?: unknown } | null;
	// undici wraps the socket error in `cause`, sometimes in an AggregateError (several addresses tried)
	while (err && err.cause && typeof err.cause === 'object') err = err.cause as typeof err;
	if (err && Array.isArray((err as { errors?: unknown[] }).errors)) err = ((err as { errors: unknown[] }).errors[0] ?? err) as typeof err;
	return err;
}

/** The network error behind undici's "fetch failed", e.g. `connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)`. */
function networkError(e: unknown): string {
	const err = rootCause(e);
	const message = err?.message || String(e);
	const code = err?.code && !message.includes(err.code) ? ` (${err.code})` : '';
	return withoutUserinfo(`网络错误：${message}${code}`);
}

/**
 * The text with the user name and password taken out of every URL in it (`http://user:pass@host/` → `http://host/`):
 * for whatever enters the delivery log or the console (fetch's own messages quote the URL as given).
 */
export function withoutUserinfo(text: string): string {
	return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1');
}

/**
 * Query parameters that hold a receiver's secret: a DingTalk robot's `access_token` (and the `sign` of 加签, good
 * for an hour), a WeCom robot's `key`, and the usual names of other receivers' tokens. Whoever has the value can
 * post to the group.
 */
const SECRET_PARAMS = ['access_token', 'key', 'token', 'sign', 'signature', 'sig', 'secret', 'password', 'passwd', 'pwd', 'apikey', 'api_key', 'auth'];
const SECRET_PARAM = new RegExp(`([?&](?:${SECRET_PARAMS.join('|')})=)([^&#\\s"'<>()（）\\[\\]{}，。；、]+)`, 'gi');

/** A secret as it may be shown: its first 4 characters and …, only … when it is short; one already masked stays. */
function maskSecret(value: string): string {
	if (value.endsWith('…')) return value;
	const chars = [...value];
	return chars.length >= 12 ? `${chars.slice(0, 4).join('')}…` : '…';
}

/**
 * The text with every URL's user name and password taken out and the values of its secret query parameters masked
 * (`…/robot/send?access_token=3f2a…`, `…/webhook/send?key=693a…`): for every text that shows or logs a receiver's
 * address or a message about it — the delivery log, the settings page, the server's log.
 */
export function withoutSecrets(text: string): string {
	return withoutUserinfo(text)
		.replace(SECRET_PARAM, (_, name: string, value: string) => name + maskSecret(value))
		.replace(URL_PATH, (_, origin: string, path: string) => origin + path.split('/').map(maskSegment).join('/'));
}

/** The origin and path of each URL in a text (up to its query, fragment, or a character that ends it in prose). */
// (a URL ends at a character outside printable ASCII, as where a message goes on in Chinese: …/hook/8d3c…发送失败)
const URL_PATH = /\b([a-z][a-z0-9+.-]*:\/\/[!$%&*+,\-.0-9:;=@A-Z\\^_`a-z|~]*)(\/[!$%&*+,\-./0-9:;=@A-Z\\^_`a-z|~]*)/gi;

/**
 * A path segment that is a receiver's secret: a Feishu/Lark robot's hook id (…/bot/v2/hook/8d3c…-…), a Slack or
 * Discord webhook's token — a run of 16 or more letters, digits, - and _ with letters and digits both in it. Words,
 * dates and numeric ids of a path are none.
 */
/** A path segment with its secrets masked; a segment may hold a secret after a colon (a Telegram bot's …/bot123456:AAH…/). */
function maskSegment(seg: string): string {
	return seg
		.split(':')
		.map((part) => (isPathSecret(part) ? maskSecret(part) : part))
		.join(':');
}

function isPathSecret(seg: string): boolean {
	return seg.length >= 16 && /^[A-Za-z0-9_-]+$/.test(seg) && /\d/.test(seg) && /[A-Za-z]/.test(seg);
}

/** Whether a query value or path segment is a masked secret (as withoutSecrets shows it), not one typed. */
const isMasked = (value: string) => value.endsWith('…');
/** A path segment as typed (the URL parser percent-encodes the … of a masked one). */
const decodeSegment = (seg: string) => {
	try {
		return decodeURIComponent(seg);
	} catch {
		return seg;
	}
};

/**
 * A receiver's address as typed in the settings form, with the secrets it shows masked (the form shows the stored
 * address through withoutSecrets) given back from the stored address: a masked value is taken to be the stored
 * value it was made from. Null when a masked value matches none of the stored address's (typed by hand, or the
 * stored address changed meanwhile): the whole address must be typed again.
 */
export function unmaskUrl(typed: string, stored: string | null): string | null {
	let url: URL;
	try {
		url = new URL(typed);
	} catch {
		return typed; // refused as it is by the caller
	}
	const masked = [...url.searchParams].filter(([k, v]) => SECRET_PARAMS.includes(k.toLowerCase()) && isMasked(v));
	const segments = url.pathname.split('/').map(decodeSegment);
	const maskedSegment = (seg: string) => seg.includes('…');
	if (!masked.length && !segments.some(maskedSegment)) return typed;
	// the stored secret goes back only to where it was stored for: another host or path typed with a masked value
	// would carry the real token there. A masked segment of the path is the stored one in its place, whose mask it is.
	let from: URLSearchParams | null = null;
	try {
		const s = stored ? new URL(stored) : null;
		const storedSegments = s ? s.pathname.split('/').map(decodeSegment) : [];
		const same =
			!!s &&
			s.origin === url.origin &&
			storedSegments.length === segments.length &&
			segments.every((seg, i) => seg === storedSegments[i] || (maskedSegment(seg) && maskSegment(storedSegments[i]) === seg));
		if (!same) return null;
		url.pathname = s.pathname;
		from = s.searchParams;
	} catch {
		from = null;
	}
	for (const [k, v] of masked) {
		const real = from?.getAll(k).find((x) => maskSecret(x) === v);
		if (real === undefined) return null;
		url.searchParams.set(k, real);
	}
	return url.toString();
}

/** Whether the URL carries a user name or password, which fetch refuses to send (and which would end up in logs). */
export function hasUserinfo(url: string): boolean {
	try {
		const u = new URL(url);
		return u.username !== '' || u.password !== '';
	} catch {
		return false;
	}
}

/** What an attempt to an address with a user name or password is logged as: it can never be sent. */
export const USERINFO_REFUSED = '地址含有用户名和密码，无法发送（fetch 不发送这样的请求）：请在 设置 › 预警 中改为不含用户名和密码的地址';

function portOf(url: string): string {
	try {
		const u = new URL(url);
		return u.port || (u.protocol === 'https:' ? '443' : '80');
	} catch {
		return '?';
	}
}

function retryAfter(res: Response): number | undefined {
	const h = res.headers.get('retry-after');
	if (!h) return undefined;
	const secs = Number(h);
	if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
	const at = Date.parse(h);
	return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Why a webhook's host may not be sent to, or null: an address no receiver has — link-local (169.254.0.0/16 with
 * the cloud's metadata service at 169.254.169.254, fe80::/10), unspecified (0.0.0.0, ::) or multicast. Receivers
 * in the city's own network (10.x, 172.16–31.x, 192.168.x) and on this machine stay allowed: the hotline's duty
 * systems sit there. A name is resolved, and every address it has is checked (at saving and at each attempt, so a
 * name that comes to point elsewhere later is caught too).
 */
export async function blockedWebhookHost(url: string): Promise<string | null> {
	let host: string;
	try {
		host = new URL(url).hostname.replace(/^\[|\]$/g, '');
	} catch {
		return '地址不是有效的 URL';
	}
	let addresses: string[];
	if (isIP(host)) addresses = [host];
	else {
		try {
			addresses = (await lookup(host, { all: true })).map((a) => a.address);
		} catch {
			return null; // not resolvable now: the attempt will fail and say so, and a later one may succeed
		}
	}
	for (const a of addresses) {
		const v4 = mappedV4(a) ?? a;
		if (isIP(v4) === 4) {
			const [x, y] = v4.split('.').map(Number);
			if (x === 169 && y === 254) return `${host} 指向链路本地地址 ${a}（云主机元数据等内部服务），不能作为通知地址`;
			if (x === 0) return `${host} 指向无效地址 ${a}，不能作为通知地址`;
			if (x >= 224) return `${host} 指向组播或保留地址 ${a}，不能作为通知地址`;
		} else {
			const l = v4.toLowerCase();
			if (l === '::' || l.startsWith('fe8') || l.startsWith('fe9') || l.startsWith('fea') || l.startsWith('feb'))
				return `${host} 指向链路本地或无效地址 ${a}，不能作为通知地址`;
			if (l.startsWith('ff')) return `${host} 指向组播地址 ${a}，不能作为通知地址`;
		}
	}
	return null;
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (::ffff:169.254.169.254, or as URL writes it ::ffff:a9fe:a9fe). */
function mappedV4(a: string): string | null {
	const m = /^::ffff:(.+)$/i.exec(a);
	if (!m) return null;
	if (isIP(m[1]) === 4) return m[1];
	const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(m[1]);
	if (!hex) return null;
	const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
	return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * One POST of the message to the hook, with the hook's timeout (or `opts.timeoutMs`); never throws. Its error text
 * never holds the address's secrets (withoutSecrets): a network error or a receiver's answer may quote the URL.
 */
export async function attemptDelivery(
	hook: Webhook,
	body: string,
	msg: AlertMessage,
	opts: Pick<DeliveryOptions, 'timeoutMs' | 'fetch'> = {}
): Promise<Outcome> {
	const out = await attempt(hook, body, msg, opts);
	return out.error === null ? out : { ...out, error: withoutSecrets(out.error) };
}

async function attempt(hook: Webhook, body: string, msg: AlertMessage, opts: Pick<DeliveryOptions, 'timeoutMs' | 'fetch'>): Promise<Outcome> {
	// (stored before saving refused it): the same request would fail the same way at every attempt
	if (hasUserinfo(hook.url)) return { ok: false, retriable: false, httpStatus: null, error: USERINFO_REFUSED };
	const blocked = opts.fetch ? null : await blockedWebhookHost(hook.url);
	if (blocked) return { ok: false, retriable: false, httpStatus: null, error: blocked };
	const doFetch = opts.fetch ?? globalThis.fetch;
	const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS[hook.format];
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), timeoutMs);
	try {
		const res = await doFetch(signedUrl(hook, Date.now()), {
			method: 'POST',
			headers: {
				'content-type': 'application/json; charset=utf-8',
				'user-agent': 'Minqing-Alerts/1',
				'idempotency-key': idempotencyKey(msg)
			},
			body,
			redirect: 'manual',
			signal: controller.signal
		});
		const text = await res.text();
		const status = res.status;
		if (status < 200 || status >= 300) {
			const retriable = status === 408 || status === 429 || status >= 500;
			const where = status >= 300 && status < 400 ? `（不跟随重定向：${res.headers.get('location') ?? '无 Location'}）` : '';
			return { ok: false, retriable, httpStatus: status, error: withoutUserinfo(`HTTP ${status}${where}：${excerpt(text)}`), retryAfterMs: retryAfter(res) };
		}
		if (hook.format === 'json') return { ok: true, retriable: false, httpStatus: status, error: null };
		const robot = ROBOT_NAMES[hook.format];
		let answer: { errcode?: unknown; errmsg?: unknown };
		try {
			answer = JSON.parse(text);
		} catch {
			return { ok: false, retriable: false, httpStatus: status, error: `${robot}的回应不是 JSON：${excerpt(text)}` };
		}
		const errcode = Number(answer?.errcode ?? NaN);
		if (errcode === 0) return { ok: true, retriable: false, httpStatus: status, error: null };
		const errmsg = typeof answer?.errmsg === 'string' ? answer.errmsg : excerpt(text);
		const limited = errcode === RATE_LIMIT_ERRCODES[hook.format];
		return {
			ok: false,
			retriable: limited || RETRIABLE_ERRCODES[hook.format].has(errcode),
			...(limited ? { holdMs: ROBOT_LIMITS[hook.format].holdMs } : {}),
			httpStatus: status,
			error: Number.isNaN(errcode) ? `${robot}的回应没有 errcode：${excerpt(text)}` : `${robot}返回 errcode ${errcode}：${errmsg}`
		};
	} catch (e) {
		if (controller.signal.aborted)
			return { ok: false, retriable: true, timedOut: true, httpStatus: null, error: `超时：${timeoutMs} 毫秒内没有完整回应（请求可能已送达）` };
		// a port that fetch never connects to (its list of blocked ports, e.g. 9 or 25) fails every attempt alike
		if (rootCause(e)?.message === 'bad port')
			return { ok: false, retriable: false, httpStatus: null, error: `端口 ${portOf(hook.url)} 不能用于 HTTP 请求（在 fetch 禁用的端口之列），请改用其他端口` };
		// fetch refuses to make a request of a URL with credentials: no retry makes it (hasUserinfo catches it first)
		if (/includes credentials/.test(rootCause(e)?.message ?? ''))
			return { ok: false, retriable: false, httpStatus: null, error: USERINFO_REFUSED };
		return { ok: false, retriable: true, httpStatus: null, error: networkError(e) };
	} finally {
		clearTimeout(timer);
	}
}

/** The wait before attempt `attempt + 1`: base · 2^(attempt−1) × jitter in [0.75, 1], capped. */
export function backoffDelay(
	attempt: number,
	opts: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs'>,
	random: () => number = Math.random
): number {
	const exp = opts.baseDelayMs * 2 ** (attempt - 1);
	return Math.round(Math.min(opts.maxDelayMs, exp * (1 - 0.25 * random())));
}

/**
 * What follows an attempt: its status in the log and the wait before the next attempt (null: no more). `tally`
 * counts this attempt: `attempt` 1-based (every request), `timeouts` and `holds` the message's timed-out and
 * rate-limited requests so far. A rate-limited request does not use up an attempt: the message waits out the hold.
 */
export function nextStep(
	out: Outcome,
	tally: { attempt: number; timeouts: number; holds?: number },
	opts: Pick<DeliveryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxHolds'>,
	random: () => number = Math.random
): { status: DeliveryStatus; waitMs: number | null } {
	if (out.ok) return { status: 'ok', waitMs: null };
	const holds = tally.holds ?? 0;
	if (out.holdMs !== undefined) {
		const wait = holds <= (opts.maxHolds ?? MAX_HOLDS);
		return { status: wait ? 'held' : 'failed', waitMs: wait ? out.holdMs : null };
	}
	const tries = tally.attempt - holds;
	const again = out.retriable && tries < opts.attempts && tally.timeouts < MAX_TIMEOUTS;
	let wait = backoffDelay(tries, opts, random);
	if (out.retryAfterMs !== undefined) wait = Math.min(opts.maxDelayMs, Math.max(wait, out.retryAfterMs));
	if (out.timedOut) return { status: again ? 'timeout_retry' : 'timeout', waitMs: again ? wait : null };
	return { status: again ? 'retry' : 'failed', waitMs: again ? wait : null };
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts the message to the hook, retrying as the header says; true once the receiver accepted it, false when
 * every attempt failed or the failure is not worth retrying. Does not look at `enabled` / `minSeverity`
 * (`shouldNotify` does), so a 「发送测试」 button can use it on any hook.
 */
export async function deliver(hook: Webhook, msg: AlertMessage, log: DeliveryLog, opts: Partial<DeliveryOptions> = {}): Promise<boolean> {
	const o: DeliveryOptions = { ...DELIVERY_DEFAULTS, ...stripUndefined(opts) };
	if (!(Number.isInteger(o.attempts) && o.attempts >= 1)) throw new Error(`attempts must be an integer ≥ 1, got ${o.attempts}`);
	if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) throw new Error(`timeoutMs must be > 0, got ${o.timeoutMs}`);
	if (!(o.baseDelayMs >= 0 && o.maxDelayMs >= 0)) throw new Error('baseDelayMs and maxDelayMs must be ≥ 0');
	const sleep = o.sleep ?? realSleep;
	const body = JSON.stringify(payloadFor(hook.format, msg));
	let timeouts = 0;
	let holds = 0;
	for (let attempt = 1; attempt - holds <= o.attempts; attempt++) {
		const at = new Date();
		const started = performance.now();
		const out = await attemptDelivery(hook, body, msg, o);
		const durationMs = Math.round(performance.now() - started);
		if (out.timedOut) timeouts++;
		if (out.holdMs !== undefined) holds++;
		const step = nextStep(out, { attempt, timeouts, holds }, o);
		await log.record({
			webhookId: hook.id,
			alertId: msg.id,
			event: msg.event,
			attempt,
			status: step.status,
			httpStatus: out.httpStatus,
			error: out.error,
			durationMs,
			at
		});
		if (out.ok) return true;
		if (step.waitMs === null) return false;
		await sleep(step.waitMs);
	}
	return false;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
