import { describe, expect, it } from 'vitest';
import { retryDelay, SseParser, WATCHDOG_MS, PING_MS } from './alert-stream';

describe('SseParser', () => {
	it('reads events split anywhere, drops comments and the retry field, and joins data lines', () => {
		const p = new SseParser();
		const text = 'retry: 3000\n: connected\n\n: ping\n\nevent: alert\ndata: {"id":1,"event":"note"}\n\nevent: alert\r\ndata: a\r\ndata: b\r\n\r\n';
		const out = [];
		// one character at a time: a message is whole only at its blank line, \r\n split between chunks included
		for (const ch of text) out.push(...p.push(ch));
		expect(out).toEqual([
			{ event: 'alert', data: '{"id":1,"event":"note"}' },
			{ event: 'alert', data: 'a\nb' }
		]);
		expect(p.push('data: x\n')).toEqual([]);
		expect(p.push('\n')).toEqual([{ event: 'message', data: 'x' }]);
	});
});

describe('retryDelay', () => {
	it('backs off from 1 s, doubling, to at most 30 s', () => {
		expect([0, 1, 2, 3, 4, 5, 6, 50].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
	});
	it('takes a link for dead after two missed pings', () => {
		expect(WATCHDOG_MS).toBe(2 * PING_MS);
	});
});
