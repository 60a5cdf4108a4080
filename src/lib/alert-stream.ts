// The 预警 pages' live link to GET /api/v1/alerts/stream, shared by every tab of a browser.
//
// One tab — the leader, elected with the Web Locks API (or, where the page is not a secure context and has no
// navigator.locks, a lease in localStorage) — reads the stream and relays its state and messages to the other tabs
// over a BroadcastChannel. The app is served over HTTP/1.1, where a browser opens at most 6 connections per host:
// a stream per tab would take them all with six tabs open, and every further page or request of the app would
// wait. When the leader's tab closes (or leaves the 预警 pages), another tab takes over.
//
// The stream is read with fetch, not EventSource, so that the link can tell why it failed: 401 (the session
// ended: 登录已失效) and 403 (the role lost 预警) from a network error or a server error, which it retries with
// backoff; and it is watched: the server writes a ping every PING_MS, so a link silent for two of them (a hung
// server, a half-open connection) is dropped and opened again.

/** The server's ping interval (the stream's handler writes a comment this often). */
export const PING_MS = 25_000;
/** A link silent this long is taken for dead: two pings missed. */
export const WATCHDOG_MS = 2 * PING_MS;
export const STREAM_URL = '/api/v1/alerts/stream';

export type LiveState = 'connecting' | 'connected' | 'reconnecting' | 'expired' | 'denied';

/** The delay before the n-th retry in a row (0-based): 1 s, 2 s, 4 s … up to 30 s. */
export function retryDelay(attempt: number): number {
	return Math.min(30_000, 1000 * 2 ** Math.max(0, Math.min(attempt, 15)));
}

export interface SseMessage {
	event: string;
	data: string;
}

/** An incremental parser of text/event-stream (comments and `retry`/`id` fields are read and dropped). */
export class SseParser {
	private buffer = '';
	private event = '';
	private data: string[] = [];

	push(chunk: string): SseMessage[] {
		this.buffer += chunk;
		const out: SseMessage[] = [];
		for (;;) {
			const m = /\r\n|\r|\n/.exec(this.buffer);
			// a lone \r at the end may be the first half of \r\n: wait for more
			if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) break;
			const line = this.buffer.slice(0, m.index);
			this.buffer = this.buffer.slice(m.index + m[0].length);
			if (line === '') {
				if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n') });
				this.event = '';
				this.data = [];
				continue;
			}
			if (line.startsWith(':')) continue;
			const colon = line.indexOf(':');
			const field = colon < 0 ? line : line.slice(0, colon);
			let value = colon < 0 ? '' : line.slice(colon + 1);
			if (value.startsWith(' ')) value = value.slice(1);
			if (field === 'event') this.event = value;
			else if (field === 'data') this.data.push(value);
		}
		return out;
	}
}

export interface StreamHandlers {
	state: (s: LiveState) => void;
	/** the data of an `alert` message */
	alert: (data: string) => void;
}

/**
 * Reads the stream in this tab until the returned function is called: reconnects with backoff after a network or
 * server error, after the server ended the stream, and after WATCHDOG_MS without a byte; says `expired` on 401 and
 * `denied` on 403, and keeps asking then (slowly), so that a sign-in in another tab brings the link back.
 */
export function openStream(h: StreamHandlers, url = STREAM_URL): () => void {
	let stopped = false;
	let attempt = 0;
	let ctrl: AbortController | null = null;
	let retryTimer: ReturnType<typeof setTimeout> | undefined;
	let watchdog: ReturnType<typeof setTimeout> | undefined;
	const arm = (c: AbortController) => {
		clearTimeout(watchdog);
		watchdog = setTimeout(() => c.abort(), WATCHDOG_MS);
	};
	const retry = (state: LiveState, delay = retryDelay(attempt++)) => {
		clearTimeout(watchdog);
		if (stopped) return;
		h.state(state);
		retryTimer = setTimeout(run, delay);
	};
	const run = async () => {
		if (stopped) return;
		const c = (ctrl = new AbortController());
		arm(c);
		let res: Response;
		try {
			res = await fetch(url, { signal: c.signal, cache: 'no-store', headers: { accept: 'text/event-stream' } });
		} catch {
			return retry('reconnecting');
		}
		if (res.status === 401 || res.status === 403) {
			void res.body?.cancel().catch(() => {});
			return retry(res.status === 401 ? 'expired' : 'denied', 30_000);
		}
		if (!res.ok || !res.body) {
			void res.body?.cancel().catch(() => {});
			return retry('reconnecting');
		}
		attempt = 0;
		h.state('connected');
		arm(c);
		const parser = new SseParser();
		const decoder = new TextDecoder();
		const reader = res.body.getReader();
		try {
			for (;;) {
				const { value, done } = await reader.read();
				if (done || stopped) break;
				arm(c);
				for (const m of parser.push(decoder.decode(value, { stream: true }))) if (m.event === 'alert') h.alert(m.data);
			}
		} catch {
			// aborted by the watchdog or by stop(), or the connection failed
		}
		c.abort();
		retry('reconnecting');
	};
	void run();
	return () => {
		stopped = true;
		clearTimeout(retryTimer);
		clearTimeout(watchdog);
		ctrl?.abort();
	};
}

// ---------------------------------------------------------------------------------------------------------
// Shared by the tabs

type Relay = { t: 'state'; s: LiveState } | { t: 'alert'; d: string } | { t: 'hello' };

export interface StreamListener {
	state: (s: LiveState) => void;
	alert: (data: string) => void;
}

const CHANNEL = 'minqing-alert-stream';
const listeners = new Set<StreamListener>();
let current: LiveState = 'connecting';
let stopShared: (() => void) | null = null;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

function emitState(s: LiveState) {
	current = s;
	for (const l of listeners) l.state(s);
}
function emitAlert(d: string) {
	for (const l of listeners) l.alert(d);
}

/**
 * Follows the stream (its state at once, then every change and `alert` message) until the returned function is
 * called. The tabs of a browser share one connection.
 */
export function subscribeAlertStream(l: StreamListener): () => void {
	listeners.add(l);
	clearTimeout(idleTimer);
	if (!stopShared) stopShared = startShared();
	l.state(current);
	return () => {
		listeners.delete(l);
		// a page that follows the stream too may come next (a navigation between 预警 pages): keep the link a moment
		if (!listeners.size)
			idleTimer = setTimeout(() => {
				if (listeners.size || !stopShared) return;
				stopShared();
				stopShared = null;
				current = 'connecting';
			}, 1000);
	};
}

function startShared(): () => void {
	if (typeof BroadcastChannel === 'undefined') return openStream({ state: emitState, alert: emitAlert });
	const channel = new BroadcastChannel(CHANNEL);
	let leading = false;
	let closeStream: (() => void) | null = null;
	channel.onmessage = (e: MessageEvent<Relay>) => {
		const m = e.data;
		if (m.t === 'hello') {
			if (leading) channel.postMessage({ t: 'state', s: current } satisfies Relay);
		} else if (!leading) {
			if (m.t === 'state') emitState(m.s);
			else emitAlert(m.d);
		}
	};
	const lead = () => {
		leading = true;
		// Taking over from a leader that left: its link is gone and this one is not up yet, so changes made meanwhile
		// reach no tab (the stream does not repeat them). Say the link is down, so that every tab reloads once it
		// is back, as after any break.
		if (current !== 'connecting') {
			emitState('reconnecting');
			channel.postMessage({ t: 'state', s: 'reconnecting' } satisfies Relay);
		}
		closeStream = openStream({
			state: (s) => {
				emitState(s);
				channel.postMessage({ t: 'state', s } satisfies Relay);
			},
			alert: (d) => {
				emitAlert(d);
				channel.postMessage({ t: 'alert', d } satisfies Relay);
			}
		});
	};
	const resign = elect(lead);
	// the leader, if there is one, says how its link is
	channel.postMessage({ t: 'hello' } satisfies Relay);
	return () => {
		closeStream?.();
		resign();
		channel.close();
	};
}

/** Calls `lead` once this tab is the leader; the returned function gives up leading, or waiting to. */
function elect(lead: () => void): () => void {
	const locks = typeof navigator !== 'undefined' ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
	if (!locks) return leaseElect(lead);
	const waiting = new AbortController();
	let release = () => {};
	locks
		.request(CHANNEL, { signal: waiting.signal }, () => {
			lead();
			// held until resigned (or the tab closes: the browser releases it then)
			return new Promise<void>((r) => (release = r));
		})
		.catch(() => {
			/* aborted while waiting */
		});
	return () => {
		waiting.abort();
		release();
	};
}

/**
 * Without Web Locks (a page over plain HTTP is not a secure context): a lease in localStorage, renewed by the
 * leader, released when it leaves; a tab takes it when it is free or has run out. (Timers of a hidden tab may run
 * once a minute, hence the long lease; a leader that leaves properly frees it at once.)
 */
function leaseElect(lead: () => void): () => void {
	const KEY = 'minqing-alert-stream-leader';
	const LEASE_MS = 150_000;
	const me = `${Date.now()}-${Math.random()}`;
	let leading = false;
	let stopped = false;
	const read = (): { id: string; until: number } | null => {
		try {
			return JSON.parse(localStorage.getItem(KEY) ?? 'null');
		} catch {
			return null;
		}
	};
	const write = () => localStorage.setItem(KEY, JSON.stringify({ id: me, until: Date.now() + LEASE_MS }));
	const attempt = () => {
		if (stopped) return;
		if (leading) return write();
		const held = read();
		if (held && held.id !== me && held.until > Date.now()) return;
		write();
		// another tab may have written at the same time: the last writer leads
		setTimeout(() => {
			if (!stopped && !leading && read()?.id === me) {
				leading = true;
				lead();
			}
		}, 50 + Math.random() * 100);
	};
	const onStorage = (e: StorageEvent) => {
		if (e.key === KEY && e.newValue === null) attempt();
	};
	const leave = () => {
		if (leading && read()?.id === me) localStorage.removeItem(KEY);
	};
	addEventListener('storage', onStorage);
	addEventListener('pagehide', leave);
	const timer = setInterval(attempt, 20_000);
	attempt();
	return () => {
		stopped = true;
		clearInterval(timer);
		removeEventListener('storage', onStorage);
		removeEventListener('pagehide', leave);
		leave();
		leading = false;
	};
}
