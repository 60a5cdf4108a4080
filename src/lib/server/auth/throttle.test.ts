import { describe, expect, it } from 'vitest';
import {
	ACCOUNT_BACKOFF_MS,
	FAIL_WINDOW_MS,
	LoginThrottle,
	THROTTLED_ACCOUNT,
	THROTTLED_ADDRESS,
	clientAddress,
	proxyAddressWarning
} from './throttle';

const T0 = Date.parse('2026-11-28T10:00:00+08:00');

/** `n` failures on `user` from `client`, one a second from `at`; the time after the last. */
function fail(t: LoginThrottle, user: string, client: string, n: number, at: number): number {
	for (let i = 0; i < n; i++) {
		expect(t.refusal(user, client, at + i * 1000)).toBeNull();
		t.failed(user, client, at + i * 1000);
	}
	return at + n * 1000;
}

describe('login throttling per account and address', () => {
	it('refuses an address after 10 failures on an account, for 15 minutes, and no other address', () => {
		const t = new LoginThrottle();
		const end = fail(t, 'analyst', '10.0.0.9', 10, T0);
		expect(t.refusal('analyst', '10.0.0.9', end)).toBe(THROTTLED_ADDRESS);
		expect(t.refusal('ANALYST', '10.0.0.9', end)).toBe(THROTTLED_ADDRESS);
		expect(t.refusal('analyst', '10.0.0.10', end)).toBeNull();
		expect(t.refusal('leader', '10.0.0.9', end)).toBeNull();
		expect(t.refusal('analyst', '10.0.0.9', T0 + FAIL_WINDOW_MS)).toBeNull(); // the first failure left the window
	});

	it('lets a sign-in start the address’s count again', () => {
		const t = new LoginThrottle();
		const end = fail(t, 'analyst', '10.0.0.9', 9, T0);
		t.succeeded('analyst', '10.0.0.9', end);
		fail(t, 'analyst', '10.0.0.9', 9, end + 1000);
	});
});

describe('login throttling per account across addresses', () => {
	it('past 30 failures from rotating addresses, takes one attempt per 30 s on the account (10 per address without end before)', () => {
		const t = new LoginThrottle();
		let at = T0;
		for (let a = 1; a <= 3; a++) at = fail(t, 'analyst', `10.0.1.${a}`, 10, at);
		expect(t.refusal('analyst', '10.0.1.4', at)).toBe(THROTTLED_ACCOUNT);
		expect(t.refusal('analyst', '10.0.1.5', at + ACCOUNT_BACKOFF_MS - 2000)).toBe(THROTTLED_ACCOUNT);
		// other accounts are not slowed
		expect(t.refusal('leader', '10.0.1.4', at)).toBeNull();
		// one attempt once the wait is over, then the wait again
		const next = at - 1000 + ACCOUNT_BACKOFF_MS;
		expect(t.refusal('analyst', '10.0.1.4', next)).toBeNull();
		t.failed('analyst', '10.0.1.4', next);
		expect(t.refusal('analyst', '10.0.1.5', next + 1000)).toBe(THROTTLED_ACCOUNT);
		// refused attempts add nothing: the wait runs from the last failure
		expect(t.refusal('analyst', '10.0.1.5', next + ACCOUNT_BACKOFF_MS)).toBeNull();
		// once the failures leave the window, the account is as before
		expect(t.refusal('analyst', '10.0.1.6', next + FAIL_WINDOW_MS)).toBeNull();
	});

	it('is not reached from one address (it stops at 10 failures), so one address never slows the real user', () => {
		const t = new LoginThrottle();
		let at = T0;
		// a guesser on one address, keeping at it for an hour: 10 per window
		for (let w = 0; w < 4; w++) at = fail(t, 'analyst', '10.0.2.1', 10, T0 + w * FAIL_WINDOW_MS);
		expect(t.refusal('analyst', '10.0.2.1', at)).toBe(THROTTLED_ADDRESS);
		expect(t.refusal('analyst', '10.0.2.2', at)).toBeNull();
	});

	it('does not slow an address the account signed in from in the last 30 days', () => {
		const t = new LoginThrottle();
		t.succeeded('analyst', '10.0.3.99', T0 - 86_400_000);
		let at = T0;
		for (let a = 1; a <= 3; a++) at = fail(t, 'analyst', `10.0.3.${a}`, 10, at);
		expect(t.refusal('analyst', '10.0.3.4', at)).toBe(THROTTLED_ACCOUNT);
		expect(t.refusal('analyst', '10.0.3.99', at)).toBeNull();
		t.succeeded('analyst', '10.0.3.99', at);
		// a sign-in does not give the guessers a fresh 30
		expect(t.refusal('analyst', '10.0.3.4', at + 1000)).toBe(THROTTLED_ACCOUNT);
		// an address known 30 days ago no longer counts
		const t2 = new LoginThrottle();
		t2.succeeded('analyst', '10.0.3.99', T0 - 31 * 86_400_000);
		let at2 = T0;
		for (let a = 1; a <= 3; a++) at2 = fail(t2, 'analyst', `10.0.3.${a}`, 10, at2);
		expect(t2.refusal('analyst', '10.0.3.99', at2)).toBe(THROTTLED_ACCOUNT);
	});
});

describe('login throttling memory', () => {
	it('forgets failures that left the window and addresses unused for 30 days (the map only grew before)', () => {
		const t = new LoginThrottle();
		for (let u = 0; u < 50; u++) for (let a = 0; a < 4; a++) t.failed(`user${u}`, `10.1.${u}.${a}`, T0);
		t.succeeded('analyst', '10.0.0.1', T0);
		expect(t.size()).toEqual({ addresses: 200, accounts: 50, known: 1 });
		// a check a minute later sweeps; failures still in the window stay
		t.refusal('x', 'y', T0 + 60_000);
		expect(t.size()).toEqual({ addresses: 200, accounts: 50, known: 1 });
		t.refusal('x', 'y', T0 + FAIL_WINDOW_MS);
		expect(t.size()).toEqual({ addresses: 0, accounts: 0, known: 1 });
		t.refusal('x', 'y', T0 + 30 * 86_400_000);
		expect(t.size()).toEqual({ addresses: 0, accounts: 0, known: 0 });
	});

	it('keeps the last 10 addresses an account signed in from', () => {
		const t = new LoginThrottle();
		for (let a = 0; a < 15; a++) t.succeeded('analyst', `10.2.0.${a}`, T0 + a);
		expect(t.size().known).toBe(10);
	});
});

describe('the proxy note', () => {
	it('is logged when a login came through a proxy and ADDRESS_HEADER is not set', () => {
		const via = new Headers({ 'x-forwarded-for': '203.0.113.7' });
		expect(proxyAddressWarning(via, {})).toContain('未设置 ADDRESS_HEADER');
		expect(proxyAddressWarning(new Headers({ forwarded: 'for=203.0.113.7' }), {})).toContain('forwarded');
		expect(proxyAddressWarning(via, { ADDRESS_HEADER: 'x-forwarded-for' })).toBeNull();
		expect(proxyAddressWarning(new Headers(), {})).toBeNull();
	});
});

describe('the client address with ADDRESS_HEADER set', () => {
	const env = { ADDRESS_HEADER: 'X-Forwarded-For', XFF_DEPTH: '1' };
	/** a request event as adapter-node makes it: its getClientAddress throws without the header */
	const event = (header: string | null, socket = '192.0.2.5') => ({
		getClientAddress: () => {
			if (header === null) throw new Error('Address header was specified with ADDRESS_HEADER=x-forwarded-for but is absent from request');
			return header;
		},
		platform: { req: { socket: { remoteAddress: socket } } }
	});

	it('is the header’s address when the request has it, and the connection’s (with one note in the log) when it has not', () => {
		const warned: string[] = [];
		const warn = (m: string) => void warned.push(m);
		expect(clientAddress(event('203.0.113.7'), env, warn)).toBe('203.0.113.7');
		expect(warned).toEqual([]);
		// a request that bypassed the proxy: not an error, counted by the address that connected
		expect(clientAddress(event(null), env, warn)).toBe('192.0.2.5');
		expect(clientAddress(event(null, '192.0.2.6'), env, warn)).toBe('192.0.2.6');
		expect(warned).toHaveLength(1);
		expect(warned[0]).toContain('ADDRESS_HEADER=x-forwarded-for');
		expect(warned[0]).toContain('没有带 x-forwarded-for 请求头');
		expect(warned[0]).toContain('192.0.2.5');
		expect(warned[0]).toContain('is absent from request');
		// without a socket to read (no adapter-node platform): one address for all such requests, still no error
		expect(clientAddress({ getClientAddress: () => { throw new Error('x'); } }, env, warn)).toBe('unknown');
	});
});
