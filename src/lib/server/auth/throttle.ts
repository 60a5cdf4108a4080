// Login throttling, in memory (one server process): how many wrong passwords an account takes, per client address
// and in all.
//
// Two limits over a sliding window of 15 minutes, counting failed attempts only (an attempt refused here is not tried,
// so it adds nothing):
//
// 1. Per account and client address: after 10 failures that address may not try that account until the oldest of
//    them leaves the window. The address is adapter-node's getClientAddress(): behind a reverse proxy that is the
//    proxy's own address unless ADDRESS_HEADER (and XFF_DEPTH) are set, and then every user of an account shares
//    one count — 10 wrong passwords from anyone shut the real user out too (proxyAddressWarning says so in the log).
//
// 2. Per account across addresses: rotating addresses gave 10 guesses per address without end. Past 30 failures in
//    the window, the account takes one attempt per 30 seconds, whoever makes it: at most about 60 guesses per
//    15 minutes from any number of addresses. The trade-off is between slowing a distributed guesser and shutting
//    the real user out: a hard lock of the account would let anyone lock anyone, so this limit is a short wait, not
//    a lock; it needs more than one address to reach (one address stops at 10 failures); it does not apply to an
//    address the account signed in from successfully in the last 30 days (the real user at a usual desk), which
//    still has limit 1; and it ends 30 seconds after the guessing stops. The price: while a guesser with many
//    addresses keeps it up, the real user on a new address may be told to wait, again and again; and a guesser on
//    an address the account signed in from (a shared office NAT) gets limit 1's 10 per 15 minutes only.
//
// Memory: entries whose failures have all left the window, and addresses not used for 30 days, are swept at most
// once a minute, so what is kept stays proportional to the failures of the last 15 minutes (each costs the guesser
// an argon2 verification) and to the addresses real users signed in from.

export const FAIL_WINDOW_MS = 15 * 60_000;
export const MAX_FAILS_PER_ADDRESS = 10;
export const MAX_FAILS_PER_ACCOUNT = 30;
export const ACCOUNT_BACKOFF_MS = 30_000;
const KNOWN_ADDRESS_MS = 30 * 86_400_000;
const KNOWN_ADDRESSES_PER_ACCOUNT = 10;
const SWEEP_EVERY_MS = 60_000;

export const THROTTLED_ADDRESS = '登录失败次数过多，请15分钟后再试';
export const THROTTLED_ACCOUNT = '该账号近期登录失败次数过多，请30秒后再试';

export class LoginThrottle {
	/** `account|address` → times of its failures in the window */
	private byAddress = new Map<string, number[]>();
	/** account → times of its failures in the window, from every address */
	private byAccount = new Map<string, number[]>();
	/** account → address → when it last signed in from there */
	private known = new Map<string, Map<string, number>>();
	private swept = 0;

	/** Why an attempt on `username` from `client` is refused now (a Chinese message), or null when it may be tried. */
	refusal(username: string, client: string, now: number): string | null {
		this.sweep(now);
		const account = username.toLowerCase();
		if (recent(this.byAddress.get(`${account}|${client}`), now).length >= MAX_FAILS_PER_ADDRESS) return THROTTLED_ADDRESS;
		const all = recent(this.byAccount.get(account), now);
		const knownAt = this.known.get(account)?.get(client);
		const isKnown = knownAt !== undefined && now - knownAt < KNOWN_ADDRESS_MS;
		if (!isKnown && all.length >= MAX_FAILS_PER_ACCOUNT && now - all[all.length - 1] < ACCOUNT_BACKOFF_MS) return THROTTLED_ACCOUNT;
		return null;
	}

	failed(username: string, client: string, now: number): void {
		const account = username.toLowerCase();
		push(this.byAddress, `${account}|${client}`, now);
		push(this.byAccount, account, now);
	}

	/**
	 * A sign-in: the address's own count starts again and the address is known to the account. The account's count
	 * stays: a success of the real user does not give a guesser elsewhere a fresh 30.
	 */
	succeeded(username: string, client: string, now: number): void {
		const account = username.toLowerCase();
		this.byAddress.delete(`${account}|${client}`);
		let addresses = this.known.get(account);
		if (!addresses) this.known.set(account, (addresses = new Map()));
		addresses.delete(client);
		addresses.set(client, now);
		// the oldest first (insertion order, renewed above)
		while (addresses.size > KNOWN_ADDRESSES_PER_ACCOUNT) addresses.delete(addresses.keys().next().value!);
	}

	/** How many entries are kept (for tests). */
	size(): { addresses: number; accounts: number; known: number } {
		let known = 0;
		for (const m of this.known.values()) known += m.size;
		return { addresses: this.byAddress.size, accounts: this.byAccount.size, known };
	}

	/** Drops failures that left the window, and known addresses unused for 30 days; at most once a minute. */
	sweep(now: number, force = false): void {
		if (!force && now - this.swept < SWEEP_EVERY_MS) return;
		this.swept = now;
		for (const map of [this.byAddress, this.byAccount]) {
			for (const [key, times] of map) {
				const kept = recent(times, now);
				if (kept.length) map.set(key, kept);
				else map.delete(key);
			}
		}
		for (const [account, addresses] of this.known) {
			for (const [client, at] of addresses) if (now - at >= KNOWN_ADDRESS_MS) addresses.delete(client);
			if (!addresses.size) this.known.delete(account);
		}
	}
}

const recent = (times: number[] | undefined, now: number) => (times ?? []).filter((t) => now - t < FAIL_WINDOW_MS);

function push(map: Map<string, number[]>, key: string, now: number): void {
	const kept = recent(map.get(key), now);
	kept.push(now);
	map.set(key, kept);
}

/** Whether the log has had proxyAddressWarning (once per process). */
let proxyNoted = false;

/** Logs proxyAddressWarning once per process, when a login request first shows it (the login action calls it). */
export function noteProxyAddress(headers: Headers, env: Record<string, string | undefined> = process.env): void {
	if (proxyNoted) return;
	const warning = proxyAddressWarning(headers, env);
	if (warning) console.warn(warning);
	proxyNoted = !!warning;
}

/**
 * The log's note when a login came through a reverse proxy (it carries X-Forwarded-For, X-Real-IP or Forwarded)
 * while adapter-node was not told which header names the client (ADDRESS_HEADER): the throttle then counts the
 * proxy's address for everyone. Null when there is nothing to say.
 */
export function proxyAddressWarning(headers: Headers, env: Record<string, string | undefined>): string | null {
	if (env.ADDRESS_HEADER) return null;
	const via = ['x-forwarded-for', 'x-real-ip', 'forwarded'].find((h) => headers.has(h));
	return via
		? `[minqing] 登录请求带有 ${via} 请求头，但未设置 ADDRESS_HEADER：登录失败次数按代理的地址计算，所有用户共用一个计数（一个账号被猜错 10 次，真实用户也要等 15 分钟）。请设置 ADDRESS_HEADER（及 XFF_DEPTH），见 README 的配置说明`
		: null;
}

/** What clientAddress needs of a request event (SvelteKit's RequestEvent has it). */
export interface AddressSource {
	getClientAddress(): string;
	/** adapter-node's: the incoming request, whose socket has the connection's address */
	platform?: unknown;
}

/** Whether the log has had the note of a request without ADDRESS_HEADER's header (once per process). */
let headerMissingNoted = false;

/**
 * The client's address for the login throttle: adapter-node's getClientAddress(), which with ADDRESS_HEADER set reads
 * that header. A request without it (one that reached the server directly, bypassing the proxy), or with fewer
 * X-Forwarded-For addresses than XFF_DEPTH, makes getClientAddress throw, and the login was a 500; it is counted by
 * the connection's own address instead (which such a client cannot choose), and the log says so once per process,
 * naming the header. A client that reaches the server directly can name any address in the header all the same:
 * set ADDRESS_HEADER only when the proxy is the only way in (README, Configuration).
 */
export function clientAddress(
	event: AddressSource,
	env: Record<string, string | undefined> = process.env,
	warn: (message: string) => void = (m) => console.warn(m)
): string {
	try {
		return event.getClientAddress();
	} catch (e) {
		const socket = socketAddress(event.platform);
		if (!headerMissingNoted) {
			headerMissingNoted = true;
			warn(addressHeaderMissingWarning(env, socket, e));
		}
		return socket ?? 'unknown';
	}
}

/** The connection's address of adapter-node's platform (`{ req }`), or null. */
function socketAddress(platform: unknown): string | null {
	const req = (platform as { req?: { socket?: { remoteAddress?: unknown } } } | undefined)?.req;
	const a = req?.socket?.remoteAddress;
	return typeof a === 'string' && a ? a : null;
}

/** The note of clientAddress's fallback: the header, where the request was counted instead, and adapter-node's own words. */
export function addressHeaderMissingWarning(env: Record<string, string | undefined>, socket: string | null, error: unknown): string {
	const header = (env.ADDRESS_HEADER ?? '').toLowerCase() || '（未设置）';
	const xff = header === 'x-forwarded-for' ? `（或其中的地址少于 XFF_DEPTH=${env.XFF_DEPTH ?? '1'} 个）` : '';
	const counted = socket ? `按连接的地址 ${socket} 计算` : '连接的地址也无法读取，按同一个未知地址计算';
	return (
		`[minqing] 已设置 ADDRESS_HEADER=${header}，但有请求没有带 ${header} 请求头${xff}，可能绕过代理直接访问了本服务：` +
		`这类请求的登录失败次数${counted}（本进程只提示一次）。若服务只应经代理访问，请只让代理能连到本服务的端口` +
		`（detail: ${error instanceof Error ? error.message : String(error)}）`
	);
}
