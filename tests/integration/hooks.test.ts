// The server hook's guards that answer before any store is reached.
import { describe, expect, it } from 'vitest';
import { handle } from '../../src/hooks.server';

const eventFor = (url: string) =>
	({
		url: new URL(url),
		request: new Request(url),
		cookies: { get: () => undefined, delete: () => {} },
		locals: {}
	}) as never;
const resolve = () => {
	throw new Error('resolved: the guard let the request through');
};

describe('a NUL in the address', () => {
	it('is refused with 400 and a Chinese message, in the API shape on the API (a 500 from the store before)', async () => {
		const api = await handle({ event: eventFor('http://x/api/v1/tickets/%00'), resolve });
		expect(api.status).toBe(400);
		expect(await api.json()).toEqual({ error: { code: 'invalid_input', message: '请求地址含有空字符（%00），无法处理' } });
		const page = await handle({ event: eventFor('http://x/search?q=%00'), resolve });
		expect(page.status).toBe(400);
		expect(await page.text()).toBe('请求地址含有空字符（%00），无法处理');
	});
});
