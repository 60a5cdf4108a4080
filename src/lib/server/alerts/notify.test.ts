import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatShanghaiTime } from '$lib/charts/format';
import {
	backoffDelay,
	DELIVERY_DEFAULTS,
	MAX_HOLDS,
	nextSlot,
	nextStep,
	ROBOT_LIMITS,
	blockedWebhookHost,
	deliver,
	payloadFor,
	shouldNotify,
	signedUrl,
	type AlertMessage,
	type DeliveryLog,
	type DeliveryRecord,
	type Webhook,
	type WebhookFormat,
	USERINFO_REFUSED,
	withoutUserinfo,
	withoutSecrets,
	unmaskUrl
} from './notify';

interface Received {
	method: string;
	url: URL;
	headers: IncomingMessage['headers'];
	body: string;
	receivedAt: number;
}

type Handler = (req: Received, res: ServerResponse, n: number) => void;

/** A real HTTP receiver on 127.0.0.1, port 0; `handler` answers the n-th request (1-based). */
async function receiver(handler: Handler): Promise<{ url: string; requests: Received[]; server: Server }> {
	const requests: Received[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const r: Received = {
				method: req.method ?? '',
				url: new URL(req.url ?? '/', 'http://127.0.0.1'),
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
				receivedAt: Date.now()
			};
			requests.push(r);
			handler(r, res, requests.length);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	servers.push(server);
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, requests, server };
}

const servers: Server[] = [];
afterEach(async () => {
	for (const s of servers.splice(0)) {
		s.closeAllConnections();
		await new Promise((resolve) => s.close(resolve));
	}
});

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function memoryLog(): DeliveryLog & { records: DeliveryRecord[] } {
	const records: DeliveryRecord[] = [];
	return {
		records,
		async record(r) {
			records.push(r);
		}
	};
}

/** An injected sleep that records the delays and does not wait. */
function fakeSleep() {
	const delays: number[] = [];
	return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const msg: AlertMessage = {
	id: 4711,
	version: 1,
	event: 'fired',
	title: '东湖街道 自来水 浑浊 异常增多',
	severity: 2,
	severityLabel: '重大',
	status: 'new',
	placeName: '东湖街道',
	categoryName: '供水',
	watchlist: '水污染',
	observed: 23,
	expected: 3.24,
	upper: 7.5,
	startedAt: '2026-11-29T01:05:00Z', // 09:05 in Shanghai
	bucket: 'hour',
	ticketCount: 31,
	unitName: '市水务局',
	url: 'https://minqing.example.cn/alerts/4711',
	actor: null,
	note: null
};

function hook(format: WebhookFormat, url: string, extra: Partial<Webhook> = {}): Webhook {
	return { id: 7, name: '值班群', url, format, secret: null, enabled: true, minSeverity: 4, ...extra };
}

describe('payloadFor', () => {
	it('gives generic receivers a stable versioned shape with every field', () => {
		expect(payloadFor('json', { ...msg, extra: 'not sent' } as AlertMessage)).toEqual({
			version: 1,
			event: 'fired',
			actor: null,
			note: null,
			alert: {
				id: 4711,
				title: msg.title,
				severity: 2,
				severityLabel: '重大',
				status: 'new',
				placeName: '东湖街道',
				categoryName: '供水',
				watchlist: '水污染',
				observed: 23,
				expected: 3.24,
				upper: 7.5,
				startedAt: '2026-11-29T01:05:00Z',
				bucket: 'hour',
				ticketCount: 31,
				unitName: '市水务局',
				url: msg.url
			}
		});
	});

	it('writes Chinese markdown for DingTalk, times in Asia/Shanghai', () => {
		const p = payloadFor('dingtalk', msg) as { msgtype: string; markdown: { title: string; text: string } };
		expect(p.msgtype).toBe('markdown');
		expect(p.markdown.title).toBe('【民情预警】新预警·重大·东湖街道 自来水 浑浊 异常增多');
		const t = p.markdown.text;
		expect(t).toContain('### 【民情预警】新预警：东湖街道 自来水 浑浊 异常增多');
		expect(t).toContain('- 级别：**重大**');
		expect(t).toContain('- 地点：东湖街道');
		expect(t).toContain('- 类别：供水');
		expect(t).toContain('- 关注词表：水污染');
		expect(t).toContain('- 状态：新预警');
		expect(t).toContain('- 峰值：23 件/小时，预期 3.2 件（正常上限 7.5 件）');
		expect(t).toContain('- 开始时间：2026-11-29 09:05（北京时间）');
		expect(t).toContain('- 关联工单：31 件');
		expect(t).toContain('- 责任单位：市水务局');
		expect(t).toContain('[查看预警详情](https://minqing.example.cn/alerts/4711)');
	});

	it('leaves out missing category and watch list, names a missing unit, keeps user text on one line', () => {
		const t = (
			payloadFor('dingtalk', {
				...msg,
				categoryName: null,
				watchlist: null,
				unitName: null,
				title: '第一行\n- 第二行',
				bucket: 'day',
				event: 'resolved'
			}) as {
				markdown: { text: string };
			}
		).markdown.text;
		expect(t).not.toContain('类别');
		expect(t).not.toContain('关注词表');
		expect(t).toContain('- 责任单位：未指定');
		expect(t).toContain('预警解除：第一行 - 第二行');
		expect(t).toContain('件/日');
		expect((payloadFor('dingtalk', { ...msg, status: 'weird' }) as { markdown: { text: string } }).markdown.text).toContain(
			'- 状态：weird'
		);
	});

	it('writes WeCom markdown within 4096 bytes, keeping the link', () => {
		const p = payloadFor('wecom', msg) as { msgtype: string; markdown: { content: string } };
		expect(p.msgtype).toBe('markdown');
		expect(p.markdown.content).toContain('> 级别：<font color="warning">重大</font>');
		expect(p.markdown.content).toContain('> 开始时间：2026-11-29 09:05（北京时间）');
		const long = payloadFor('wecom', { ...msg, placeName: '很长的地名'.repeat(400) }) as { markdown: { content: string } };
		expect(Buffer.byteLength(long.markdown.content)).toBeLessThanOrEqual(4096);
		expect(long.markdown.content.endsWith(`[查看预警详情](${msg.url})`)).toBe(true);
	});

	it('calls the count the peak, says 不足 1 件 for an expected count below 1, and announces a re-fire as such', () => {
		const quiet = { ...msg, observed: 12, expected: 0.04, upper: 0.4 };
		const t = (payloadFor('dingtalk', quiet) as { markdown: { text: string } }).markdown.text;
		expect(t).toContain('- 峰值：12 件/小时，预期不足 1 件');
		expect(t).not.toContain('0.0 件');
		expect(t).not.toContain('观测');
		const w = (payloadFor('wecom', { ...quiet, expected: 0.6, upper: 2.3, bucket: 'day' }) as { markdown: { content: string } }).markdown.content;
		expect(w).toContain('> 峰值：12 件/日，预期不足 1 件（正常上限 2.3 件）');
		const again = payloadFor('dingtalk', { ...msg, event: 'refired' }) as { markdown: { title: string; text: string } };
		expect(again.markdown.title).toBe('【民情预警】预警再次触发·重大·东湖街道 自来水 浑浊 异常增多');
		expect(again.markdown.text).toContain('### 【民情预警】预警再次触发：');
		expect(again.markdown.text).not.toContain('新预警：');
		expect((payloadFor('json', { ...msg, event: 'refired' }) as { event: string }).event).toBe('refired');
	});

	it('names who escalated, resolved or dismissed an alert and why, in every format', () => {
		const acted = { ...msg, event: 'dismissed' as const, status: 'dismissed', actor: '应急办 李明', note: '演练来电，\n非真实事件' };
		expect(payloadFor('json', acted)).toMatchObject({ event: 'dismissed', actor: '应急办 李明', note: '演练来电，\n非真实事件' });
		const d = payloadFor('dingtalk', acted) as { markdown: { title: string; text: string } };
		expect(d.markdown.title).toContain('预警已排除');
		expect(d.markdown.text).toContain('- 处理人：应急办 李明');
		expect(d.markdown.text).toContain('- 说明：演练来电， 非真实事件');
		const w = (payloadFor('wecom', { ...acted, event: 'escalated', status: 'escalated' }) as { markdown: { content: string } }).markdown.content;
		expect(w).toContain('> 处理人：应急办 李明');
		expect(w).toContain('> 说明：演练来电， 非真实事件');
		// a resolution without a note says so; a long note is cut for the group (the alert page has all of it)
		const r = (payloadFor('dingtalk', { ...acted, event: 'resolved', note: null }) as { markdown: { text: string } }).markdown.text;
		expect(r).toContain('- 说明：（无）');
		const long = (payloadFor('dingtalk', { ...acted, note: '长'.repeat(1000) }) as { markdown: { text: string } }).markdown.text;
		expect(long).toContain(`- 说明：${'长'.repeat(300)}…`);
		// the detection's own events have no one to name
		const f = (payloadFor('dingtalk', msg) as { markdown: { text: string } }).markdown.text;
		expect(f).not.toContain('处理人');
		expect(f).not.toContain('说明');
	});

	it('formats Shanghai time across the date line', () => {
		expect(formatShanghaiTime('2026-12-31T16:30:00Z')).toBe('2027-01-01 00:30');
		expect(formatShanghaiTime('2026-06-01T12:00:00+08:00')).toBe('2026-06-01 12:00');
	});
});

describe('shouldNotify', () => {
	it('takes alerts at least as severe as minSeverity (1 = 特别重大) on enabled hooks', () => {
		const h = hook('json', 'http://x', { minSeverity: 2 });
		expect(shouldNotify(h, { severity: 1 })).toBe(true);
		expect(shouldNotify(h, { severity: 2 })).toBe(true);
		expect(shouldNotify(h, { severity: 3 })).toBe(false);
		expect(shouldNotify({ ...h, enabled: false }, { severity: 1 })).toBe(false);
		expect(shouldNotify({ ...h, minSeverity: 4 }, { severity: 4 })).toBe(true);
	});
});

describe('signedUrl', () => {
	it('signs DingTalk URLs with a secret and leaves the others alone', () => {
		const url = 'https://oapi.dingtalk.com/robot/send?access_token=abc';
		const secret = 'SECtest+/=';
		const now = 1_764_400_000_123;
		const expected = encodeURIComponent(createHmac('sha256', secret).update(`${now}\n${secret}`).digest('base64'));
		expect(signedUrl(hook('dingtalk', url, { secret }), now)).toBe(`${url}&timestamp=${now}&sign=${expected}`);
		expect(signedUrl(hook('dingtalk', url), now)).toBe(url);
		expect(signedUrl(hook('json', url, { secret }), now)).toBe(url);
		expect(signedUrl(hook('wecom', url, { secret }), now)).toBe(url);
	});
});

describe('deliver to a real receiver', () => {
	it('posts the generic JSON body', async () => {
		const r = await receiver((_req, res) => send(res, 204, ''));
		const log = memoryLog();
		expect(await deliver(hook('json', `${r.url}/hook`), msg, log)).toBe(true);
		expect(r.requests).toHaveLength(1);
		const req = r.requests[0];
		expect(req.method).toBe('POST');
		expect(req.url.pathname).toBe('/hook');
		expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(req.headers['idempotency-key']).toBe('minqing-alert-4711-1-fired');
		expect(JSON.parse(req.body)).toEqual(payloadFor('json', msg));
		expect(log.records).toHaveLength(1);
		expect(log.records[0]).toMatchObject({
			webhookId: 7,
			alertId: 4711,
			event: 'fired',
			attempt: 1,
			status: 'ok',
			httpStatus: 204,
			error: null
		});
		expect(log.records[0].durationMs).toBeGreaterThanOrEqual(0);
		expect(log.records[0].at).toBeInstanceOf(Date);
		// the same event again after a resolution (a re-fire) is another message, with another key
		expect(await deliver(hook('json', `${r.url}/hook`), { ...msg, version: 3 }, log)).toBe(true);
		expect(r.requests[1].headers['idempotency-key']).toBe('minqing-alert-4711-3-fired');
	});

	it('posts DingTalk markdown with a signature the receiver can verify', async () => {
		const secret = 'SEC0123456789abcdef+/=';
		let verified = false;
		const r = await receiver((req, res) => {
			const timestamp = req.url.searchParams.get('timestamp') ?? '';
			const sign = req.url.searchParams.get('sign') ?? '';
			const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
			verified =
				sign === expected && Math.abs(Date.now() - Number(timestamp)) < 60_000 && req.url.searchParams.get('access_token') === 'tok';
			send(res, 200, verified ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' });
		});
		const log = memoryLog();
		expect(await deliver(hook('dingtalk', `${r.url}/robot/send?access_token=tok`, { secret }), msg, log)).toBe(true);
		expect(verified).toBe(true);
		const body = JSON.parse(r.requests[0].body);
		expect(body).toEqual(payloadFor('dingtalk', msg));
		expect(body.markdown.text).toContain('预警');
		expect(log.records.map((x) => x.status)).toEqual(['ok']);
	});

	it('posts WeCom markdown', async () => {
		const r = await receiver((_req, res) => send(res, 200, { errcode: 0, errmsg: 'ok' }));
		const log = memoryLog();
		expect(await deliver(hook('wecom', `${r.url}/cgi-bin/webhook/send?key=k1`), msg, log)).toBe(true);
		expect(r.requests[0].url.searchParams.get('key')).toBe('k1');
		const body = JSON.parse(r.requests[0].body);
		expect(body.msgtype).toBe('markdown');
		expect(body.markdown.content).toContain('【民情预警】新预警');
		expect(body).toEqual(payloadFor('wecom', msg));
	});

	it('retries a receiver that fails twice, with growing delays, and logs every attempt', async () => {
		const r = await receiver((_req, res, n) => (n <= 2 ? send(res, 500, 'upstream exploded') : send(res, 200, 'ok')));
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('json', r.url), msg, log, { sleep: s.sleep })).toBe(true);
		expect(r.requests).toHaveLength(3);
		expect(log.records.map((x) => [x.attempt, x.status, x.httpStatus])).toEqual([
			[1, 'retry', 500],
			[2, 'retry', 500],
			[3, 'ok', 200]
		]);
		expect(log.records[0].error).toBe('HTTP 500：upstream exploded');
		expect(log.records[2].error).toBeNull();
		expect(s.delays).toHaveLength(2);
		expect(s.delays[0]).toBeGreaterThanOrEqual(750);
		expect(s.delays[0]).toBeLessThanOrEqual(1000);
		expect(s.delays[1]).toBeGreaterThan(s.delays[0]);
		expect(s.delays[1]).toBeGreaterThanOrEqual(1500);
	});

	it('gives up after the last attempt of a receiver that always fails', async () => {
		const r = await receiver((_req, res) => send(res, 503, { error: 'maintenance' }));
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('json', r.url), msg, log, { sleep: s.sleep, attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 })).toBe(false);
		expect(r.requests).toHaveLength(4);
		expect(log.records.map((x) => x.status)).toEqual(['retry', 'retry', 'retry', 'failed']);
		expect(log.records.at(-1)?.error).toBe('HTTP 503：{"error":"maintenance"}');
		expect(s.delays).toHaveLength(3);
		for (let i = 1; i < s.delays.length; i++) expect(s.delays[i]).toBeGreaterThan(s.delays[i - 1]);
	});

	it('does not retry a 400', async () => {
		const r = await receiver((_req, res) => send(res, 400, 'bad request: missing field'));
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('json', r.url), msg, log, { sleep: s.sleep })).toBe(false);
		expect(r.requests).toHaveLength(1);
		expect(log.records).toHaveLength(1);
		expect(log.records[0]).toMatchObject({ status: 'failed', httpStatus: 400, error: 'HTTP 400：bad request: missing field' });
		expect(s.delays).toEqual([]);
	});

	it('honours Retry-After on a 429, within the cap', async () => {
		const r = await receiver((_req, res, n) => {
			if (n === 1) {
				res.writeHead(429, { 'retry-after': '7' });
				res.end('slow down');
			} else send(res, 200, '');
		});
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('json', r.url), msg, log, { sleep: s.sleep })).toBe(true);
		expect(s.delays).toEqual([7000]);
		expect(log.records.map((x) => x.status)).toEqual(['retry', 'ok']);
	});

	it('retries a receiver that never answers, as a timeout', async () => {
		const r = await receiver((_req, res, n) => {
			if (n >= 2) send(res, 200, '');
			// the first request is left hanging
		});
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('json', r.url), msg, log, { sleep: s.sleep, timeoutMs: 200 })).toBe(true);
		expect(r.requests).toHaveLength(2);
		expect(log.records[0]).toMatchObject({ status: 'timeout_retry', httpStatus: null, error: '超时：200 毫秒内没有完整回应（请求可能已送达）' });
		expect(log.records[0].durationMs).toBeGreaterThanOrEqual(190);
		expect(log.records[1].status).toBe('ok');
	});

	it('sends a message that timed out at most once more (it may have arrived), and logs it as possibly delivered', async () => {
		// a slow robot: every request reaches the group, each answer comes too late
		const r = await receiver(() => {});
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('dingtalk', `${r.url}/robot/send?access_token=t`), msg, log, { sleep: s.sleep, timeoutMs: 100 })).toBe(false);
		expect(r.requests).toHaveLength(2);
		expect(log.records.map((x) => x.status)).toEqual(['timeout_retry', 'timeout']);
		expect(log.records[1].error).toContain('可能已送达');
		// a timeout then a plain failure: still retried as a failure, within the timeout allowance
		const flaky = await receiver((_req, res, n) => (n === 1 ? undefined : send(res, 503, 'busy')));
		const log2 = memoryLog();
		await deliver(hook('json', flaky.url), msg, log2, { sleep: s.sleep, timeoutMs: 100, attempts: 3 });
		expect(log2.records.map((x) => x.status)).toEqual(['timeout_retry', 'retry', 'failed']);
	});

	it('waits 20 s for a robot’s answer before calling it a timeout, 5 s for a JSON receiver', async () => {
		vi.useFakeTimers();
		try {
			const started: number[] = [];
			// a receiver that never answers: the request ends only when the timeout aborts it
			const hanging = (async (_url: string, init: RequestInit) => {
				started.push(Date.now());
				return new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
			}) as unknown as typeof fetch;
			for (const [format, ms] of [['dingtalk', 20_000], ['wecom', 20_000], ['json', 5000]] as const) {
				const log = memoryLog();
				started.length = 0;
				const done = deliver(hook(format, 'https://robot.example.cn/send'), msg, log, { fetch: hanging, attempts: 1 });
				await vi.advanceTimersByTimeAsync(ms - 1000);
				expect(log.records, format).toEqual([]);
				await vi.advanceTimersByTimeAsync(1000);
				expect(await done).toBe(false);
				expect(log.records.map((x) => [x.status, x.error]), format).toEqual([['timeout', `超时：${ms} 毫秒内没有完整回应（请求可能已送达）`]]);
				expect(started).toHaveLength(1);
			}
		} finally {
			vi.useRealTimers();
		}
	});

	it('reports a network error precisely and retries it', async () => {
		const r = await receiver((_req, res) => send(res, 200, ''));
		const url = r.url;
		r.server.closeAllConnections();
		await new Promise((resolve) => r.server.close(resolve));
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('json', url), msg, log, { sleep: s.sleep, attempts: 2 })).toBe(false);
		expect(log.records.map((x) => x.status)).toEqual(['retry', 'failed']);
		expect(log.records[1].httpStatus).toBeNull();
		expect(log.records[1].error).toMatch(/^网络错误：.*ECONNREFUSED/);
	});

	it('does not retry a port fetch never connects to, and says so in Chinese', async () => {
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('json', 'http://127.0.0.1:9/hook'), msg, log, { sleep: s.sleep, attempts: 5 })).toBe(false);
		expect(log.records.map((x) => x.status)).toEqual(['failed']);
		expect(log.records[0].error).toBe('端口 9 不能用于 HTTP 请求（在 fetch 禁用的端口之列），请改用其他端口');
	});

	it('does not send to an address with a user name and password, nor retry it, and logs no password', async () => {
		const r = await receiver((_req, res) => send(res, 200, {}));
		const url = r.url.replace('http://', 'http://user:s3cret@') + '/cred';
		for (const format of ['json', 'dingtalk'] as const) {
			const log = memoryLog();
			const s = fakeSleep();
			expect(await deliver(hook(format, url, { secret: format === 'dingtalk' ? 'SECx' : null }), msg, log, { sleep: s.sleep }), format).toBe(false);
			expect(log.records.map((x) => [x.status, x.httpStatus, x.error]), format).toEqual([['failed', null, USERINFO_REFUSED]]);
			expect(s.delays).toEqual([]);
		}
		expect(r.requests).toEqual([]);
		// fetch's own refusal, should a request get that far, is final too, and quoted without the credentials
		const refusing = (async (u: string) => {
			throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${u.replace('//', '//u:pw@')}`);
		}) as unknown as typeof fetch;
		const log = memoryLog();
		expect(await deliver(hook('json', 'http://127.0.0.1:4399/cred'), msg, log, { fetch: refusing, sleep: fakeSleep().sleep })).toBe(false);
		expect(log.records.map((x) => [x.status, x.error])).toEqual([['failed', USERINFO_REFUSED]]);
	});

	it('quotes a failing request’s URL without its user name and password', async () => {
		const failing = (async (u: string) => {
			throw new TypeError('fetch failed', { cause: new Error(`getaddrinfo ENOTFOUND for http://u:pw@${new URL(u).host}/x and https://a@b.example/`) });
		}) as unknown as typeof fetch;
		const log = memoryLog();
		await deliver(hook('json', 'http://hooks.example.invalid/x'), msg, log, { fetch: failing, attempts: 1 });
		expect(log.records[0].error).toBe('网络错误：getaddrinfo ENOTFOUND for http://hooks.example.invalid/x and https://b.example/');
		expect(withoutUserinfo('见 http://user:pass@127.0.0.1:4399/cred?x=a@b 与 http://h/p@q')).toBe('见 http://127.0.0.1:4399/cred?x=a@b 与 http://h/p@q');
	});

	it('masks a robot’s access_token, key and sign wherever a text quotes them, and an answer quoting the URL is logged so', async () => {
		const token = 'c0ffee00aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00ee11ff22aa33bb44';
		expect(withoutSecrets(`POST https://oapi.dingtalk.com/robot/send?access_token=${token}&timestamp=1700000000000&sign=Ab%2Bcd%3D%3Defghijkl 失败`)).toBe(
			'POST https://oapi.dingtalk.com/robot/send?access_token=c0ff…&timestamp=1700000000000&sign=Ab%2… 失败'
		);
		expect(withoutSecrets('（https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa）')).toBe(
			'（https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…）'
		);
		// with the user name and password out too; a short secret shows nothing of itself; masking again changes nothing
		const once = withoutSecrets('http://u:p@h/x?Token=abc&id=7&api_key=0123456789abcdef');
		expect(once).toBe('http://h/x?Token=…&id=7&api_key=0123…');
		expect(withoutSecrets(once)).toBe(once);
		// other parameters and words stay
		expect(withoutSecrets('http://h/x?monkey=1&keyword=2 key=3')).toBe('http://h/x?monkey=1&keyword=2 key=3');

		const echo = await receiver((req, res) => send(res, 302, { where: req.url }, { location: `https://elsewhere.example/robot/send${new URL(req.url ?? '', 'http://x').search}` }));
		const log = memoryLog();
		await deliver(hook('dingtalk', `${echo.url}/robot/send?access_token=${token}`, { secret: 'SEC0123456789' }), msg, log, { attempts: 1 });
		expect(log.records[0].error).toMatch(/^HTTP 302（不跟随重定向：https:\/\/elsewhere\.example\/robot\/send\?access_token=c0ff…&timestamp=\d+&sign=.{4}…）：/);
		expect(log.records[0].error).not.toContain(token.slice(4));
		const failing = (async (u: string) => {
			throw new TypeError(`Failed to parse URL from ${u}`);
		}) as unknown as typeof fetch;
		const log2 = memoryLog();
		await deliver(hook('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa'), msg, log2, { fetch: failing, attempts: 1 });
		expect(log2.records[0].error).toBe('网络错误：Failed to parse URL from https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a…');
	});

	it('gives a masked secret of an edited address back from the stored address, and refuses one it cannot', () => {
		const stored = 'https://oapi.dingtalk.com/robot/send?access_token=c0ffee00aa11bb22cc33';
		expect(unmaskUrl('https://oapi.dingtalk.com/robot/send?access_token=c0ff…', stored)).toBe(stored);
		// another host or path with the masked token: refused (the stored secret would go to where it was not meant
		// for, and the mask would be a way to read it)
		expect(unmaskUrl('https://oapi2.dingtalk.com/robot/send?access_token=c0ff…', stored)).toBeNull();
		expect(unmaskUrl('https://oapi.dingtalk.com/robot/other?access_token=c0ff…', stored)).toBeNull();
		// a new token as typed
		expect(unmaskUrl('https://oapi.dingtalk.com/robot/send?access_token=beef', stored)).toBe('https://oapi.dingtalk.com/robot/send?access_token=beef');
		// a masked value that is not the stored one's, or nothing stored
		expect(unmaskUrl('https://oapi.dingtalk.com/robot/send?access_token=beef…', stored)).toBeNull();
		expect(unmaskUrl('https://oapi.dingtalk.com/robot/send?access_token=c0ff…', null)).toBeNull();
	});

	it('masks a secret that is a segment of the path (a Feishu robot’s hook id, a Slack token), and gives it back on an edit only in its place', () => {
		const feishu = 'https://open.feishu.cn/open-apis/bot/v2/hook/8d3c51a2-77be-4f0e-9a1c-2b6f0c9e4d71';
		expect(withoutSecrets(`POST ${feishu} 失败（${feishu}?x=1）`)).toBe(
			'POST https://open.feishu.cn/open-apis/bot/v2/hook/8d3c… 失败（https://open.feishu.cn/open-apis/bot/v2/hook/8d3c…?x=1）'
		);
		const slack = 'https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx1';
		expect(withoutSecrets(slack)).toBe('https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcd…');
		// words, dates and numeric ids of a path stay; masking again changes nothing
		expect(withoutSecrets('http://h/api/v2/webhooks/123456789012345678/2026-12-02/receive-alerts-now')).toBe('http://h/api/v2/webhooks/123456789012345678/2026-12-02/receive-alerts-now');
		expect(withoutSecrets(withoutSecrets(feishu))).toBe(withoutSecrets(feishu));
		// the form shows the masked address: saved unchanged, the stored one is kept; with the query's secret too
		expect(unmaskUrl(withoutSecrets(feishu), feishu)).toBe(feishu);
		const both = `${feishu}?token=0123456789abcdef`;
		expect(unmaskUrl(withoutSecrets(both), both)).toBe(both);
		// the masked hook id elsewhere (another host, another place in the path, another path) is refused
		expect(unmaskUrl('https://evil.example/open-apis/bot/v2/hook/8d3c…', feishu)).toBeNull();
		expect(unmaskUrl('https://open.feishu.cn/open-apis/bot/v2/8d3c…/hook', feishu)).toBeNull();
		expect(unmaskUrl('https://open.feishu.cn/open-apis/bot/v3/hook/8d3c…', feishu)).toBeNull();
		expect(unmaskUrl('https://open.feishu.cn/open-apis/bot/v2/hook/beef…', feishu)).toBeNull();
		expect(unmaskUrl('https://open.feishu.cn/open-apis/bot/v2/hook/8d3c…', null)).toBeNull();
		// a message going on in Chinese right after the address; a Telegram bot's token after its id and a colon
		expect(withoutSecrets(`${feishu}发送失败`)).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/8d3c…发送失败');
		const telegram = 'https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage';
		expect(withoutSecrets(telegram)).toBe('https://api.telegram.org/bot123456789:AAHd…/sendMessage');
		expect(unmaskUrl(withoutSecrets(telegram), telegram)).toBe(telegram);
		// a new hook id as typed
		const other = 'https://open.feishu.cn/open-apis/bot/v2/hook/0f0f0f0f-1111-2222-3333-444444444444';
		expect(unmaskUrl(other, feishu)).toBe(other);
	});

	it('treats a DingTalk errcode ≠ 0 as failure: 310000 is final, 130101 (too fast) waits out the robot’s 10-minute hold', async () => {
		const bad = await receiver((_req, res) => send(res, 200, { errcode: 310000, errmsg: 'keywords not in content' }));
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('dingtalk', `${bad.url}/robot/send?access_token=t`), msg, log, { sleep: s.sleep })).toBe(false);
		expect(bad.requests).toHaveLength(1);
		expect(log.records).toEqual([
			expect.objectContaining({ status: 'failed', httpStatus: 200, error: '钉钉返回 errcode 310000：keywords not in content' })
		]);

		const busy = await receiver((_req, res, n) =>
			send(res, 200, n === 1 ? { errcode: 130101, errmsg: 'send too fast' } : { errcode: 0, errmsg: 'ok' })
		);
		const log2 = memoryLog();
		const s2 = fakeSleep();
		expect(await deliver(hook('dingtalk', `${busy.url}/robot/send?access_token=t`), msg, log2, { sleep: s2.sleep })).toBe(true);
		expect(log2.records.map((x) => [x.status, x.error])).toEqual([
			['held', '钉钉返回 errcode 130101：send too fast'],
			['ok', null]
		]);
		expect(s2.delays).toEqual([ROBOT_LIMITS.dingtalk.holdMs]);
		expect(ROBOT_LIMITS.dingtalk.holdMs).toBeGreaterThanOrEqual(10 * 60_000);
	});

	it('waits out a robot’s rate limit without using up the attempts, up to MAX_HOLDS times; not at all when told so', async () => {
		const limited = { ok: false, retriable: true, httpStatus: 200, error: 'x', holdMs: 61_000 };
		const o = { ...DELIVERY_DEFAULTS };
		expect(nextStep(limited, { attempt: 9, timeouts: 0, holds: 5 }, o)).toEqual({ status: 'held', waitMs: 61_000 });
		expect(nextStep(limited, { attempt: 20, timeouts: 0, holds: MAX_HOLDS + 1 }, o)).toEqual({ status: 'failed', waitMs: null });
		expect(nextStep(limited, { attempt: 1, timeouts: 0, holds: 1 }, { ...o, maxHolds: 0 })).toEqual({ status: 'failed', waitMs: null });
		// after 4 holds, a 503 still has its 5 attempts: this is the first
		const busy = { ok: false, retriable: true, httpStatus: 503, error: 'HTTP 503' };
		expect(nextStep(busy, { attempt: 5, timeouts: 0, holds: 4 }, o, () => 0)).toEqual({ status: 'retry', waitMs: 1000 });
		expect(nextStep(busy, { attempt: 9, timeouts: 0, holds: 4 }, o)).toEqual({ status: 'failed', waitMs: null });
	});

	it('treats a WeCom errcode ≠ 0 as failure: 45009 waits for the next minute, 93000 is final, non-JSON is final', async () => {
		const r = await receiver((_req, res, n) =>
			send(res, 200, n === 1 ? { errcode: 45009, errmsg: 'api freq out of limit' } : { errcode: 93000, errmsg: 'invalid webhook url' })
		);
		const log = memoryLog();
		const s = fakeSleep();
		expect(await deliver(hook('wecom', `${r.url}/send?key=k`), msg, log, { sleep: s.sleep })).toBe(false);
		expect(log.records.map((x) => [x.status, x.error])).toEqual([
			['held', '企业微信返回 errcode 45009：api freq out of limit'],
			['failed', '企业微信返回 errcode 93000：invalid webhook url']
		]);
		expect(s.delays).toEqual([ROBOT_LIMITS.wecom.holdMs]);

		const html = await receiver((_req, res) => {
			res.writeHead(200, { 'content-type': 'text/html' });
			res.end('<html><body>portal login</body></html>');
		});
		const log2 = memoryLog();
		expect(await deliver(hook('wecom', html.url), msg, log2, { sleep: s.sleep })).toBe(false);
		expect(log2.records).toEqual([
			expect.objectContaining({ status: 'failed', error: '企业微信的回应不是 JSON：<html><body>portal login</body></html>' })
		]);
	});

	it('does not follow redirects', async () => {
		const r = await receiver((_req, res) => {
			res.writeHead(302, { location: 'http://elsewhere.invalid/' });
			res.end();
		});
		const log = memoryLog();
		expect(await deliver(hook('json', r.url), msg, log, { sleep: fakeSleep().sleep })).toBe(false);
		expect(log.records[0]).toMatchObject({
			status: 'failed',
			httpStatus: 302,
			error: 'HTTP 302（不跟随重定向：http://elsewhere.invalid/）：（空）'
		});
	});
});

describe('nextSlot', () => {
	it('lets a robot have 20 requests in any rolling minute and nothing during its hold; JSON receivers are not paced', () => {
		const t = 1_000_000;
		const burst = Array.from({ length: 20 }, (_, i) => t - 30_000 + i * 1000); // 20 in the last 30 s
		for (const format of ['dingtalk', 'wecom'] as const) {
			expect(nextSlot(format, burst.slice(0, 19), null, t)).toBe(t);
			// the 20th latest must leave the window: the first of the burst, 61 s after it
			expect(nextSlot(format, burst, null, t)).toBe(t - 30_000 + ROBOT_LIMITS[format].windowMs);
			expect(nextSlot(format, [...burst].reverse(), null, t)).toBe(t - 30_000 + ROBOT_LIMITS[format].windowMs);
		}
		expect(nextSlot('dingtalk', [], t - 60_000, t)).toBe(t - 60_000 + ROBOT_LIMITS.dingtalk.holdMs);
		expect(nextSlot('wecom', [], t - 60_000, t)).toBe(t - 60_000 + ROBOT_LIMITS.wecom.holdMs);
		expect(nextSlot('json', burst.concat(burst), t, t)).toBe(t);
	});
});

describe('backoffDelay', () => {
	it('doubles from the base with jitter in [0.75, 1] and stops at the cap', () => {
		const o = { baseDelayMs: 1000, maxDelayMs: 5000 };
		expect([1, 2, 3, 4].map((a) => backoffDelay(a, o, () => 0))).toEqual([1000, 2000, 4000, 5000]);
		expect([1, 2, 3].map((a) => backoffDelay(a, o, () => 0.999999))).toEqual([750, 1500, 3000]);
	});
});

describe('blockedWebhookHost', () => {
	it('refuses link-local (the metadata service), unspecified and multicast addresses, by address or by name', async () => {
		for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://0.0.0.0:8080/', 'http://[fe80::1]/', 'http://[::]/', 'http://224.0.0.1/', 'http://[::ffff:169.254.169.254]/'])
			expect(await blockedWebhookHost(url), url).toMatch(/不能作为通知地址/);
		// the city's own network and this machine stay allowed (duty systems sit there), as do names that do not resolve
		for (const url of ['http://127.0.0.1:9000/hook', 'http://localhost/hook', 'http://10.0.0.1/', 'http://192.168.1.20/', 'https://oapi.dingtalk.com.invalid/robot/send'])
			expect(await blockedWebhookHost(url), url).toBeNull();
	});

	it('stops a delivery to such an address without retrying', async () => {
		const log: DeliveryRecord[] = [];
		const hook = { id: 1, name: 'x', url: 'http://169.254.169.254/hook', format: 'json' as WebhookFormat, secret: null, minSeverity: 4, enabled: true };
		const msg = { event: 'fired', alert: { id: 1 } } as unknown as AlertMessage;
		expect(await deliver(hook as Webhook, msg, { record: async (r) => void log.push(r) }, { attempts: 3, baseDelayMs: 1 })).toBe(false);
		expect(log.length).toBe(1);
		expect(log[0].error).toContain('链路本地地址');
	});
});
