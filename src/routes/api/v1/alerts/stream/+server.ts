import { PING_MS } from '$lib/alert-stream';
import { onAlertChange } from '$lib/server/alerts/service';
import { app } from '$lib/server/app';
import { SESSION_COOKIE, validateSession } from '$lib/server/auth';
import { requireScreen } from '$lib/server/guard';
import { canSee } from '$lib/nav';
import type { RequestHandler } from './$types';

/**
 * Server-sent events: `event: alert` with { id, event } on every change; a comment every PING_MS (25 s) keeps proxies open
 * and tells the client the link is alive (it reconnects after two missed).
 * The session is checked again before each message: a stream outlives no logout, deactivation or change to a role
 * without 预警 (it ends then).
 */
export const GET: RequestHandler = async ({ locals, request, cookies }) => {
	requireScreen(locals, '/alerts');
	const { rel, config } = await app();
	const token = cookies.get(SESSION_COOKIE) ?? '';
	const enc = new TextEncoder();
	let stop = () => {};
	let end = () => {};
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			const write = (s: string) => {
				try {
					controller.enqueue(enc.encode(s));
				} catch {
					stop();
				}
			};
			end = () => {
				stop();
				try {
					controller.close();
				} catch {
					/* already closed */
				}
			};
			// one check after another, so that the messages keep their order (the check is cached, mostly answered at once)
			let queue: Promise<void> = Promise.resolve();
			const send = (s: string) => {
				queue = queue.then(() =>
					// (never extending the session: the stream cannot send the renewed cookie, so the browser would
					// drop it at the old expiry; the page's own requests extend it)
					validateSession(rel.db, token, config.sessionDays, { extend: false }).then(
						(user) => (user && canSee(user.role, '/alerts') ? write(s) : end()),
						() => end()
					)
				);
			};
			write(`retry: 3000\n: connected\n\n`);
			const off = onAlertChange((c) => send(`event: alert\ndata: ${JSON.stringify(c)}\n\n`));
			const ping = setInterval(() => send(`: ping\n\n`), PING_MS);
			stop = () => {
				off();
				clearInterval(ping);
			};
			request.signal.addEventListener('abort', () => end());
		},
		cancel() {
			stop();
		}
	});
	return new Response(stream, {
		headers: {
			'content-type': 'text/event-stream; charset=utf-8',
			'cache-control': 'no-store',
			connection: 'keep-alive',
			'x-accel-buffering': 'no'
		}
	});
};
