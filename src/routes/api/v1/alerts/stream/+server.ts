import { onAlertChange } from '$lib/server/alerts/service';
import { requireScreen } from '$lib/server/guard';
import type { RequestHandler } from './$types';

/** Server-sent events: `event: alert` with { id, event } on every change; a comment every 25 s keeps proxies open. */
export const GET: RequestHandler = async ({ locals, request }) => {
	requireScreen(locals, '/alerts');
	const enc = new TextEncoder();
	let stop = () => {};
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			const send = (s: string) => {
				try {
					controller.enqueue(enc.encode(s));
				} catch {
					stop();
				}
			};
			send(`retry: 3000\n: connected\n\n`);
			const off = onAlertChange((c) => send(`event: alert\ndata: ${JSON.stringify(c)}\n\n`));
			const ping = setInterval(() => send(`: ping\n\n`), 25_000);
			stop = () => {
				off();
				clearInterval(ping);
			};
			request.signal.addEventListener('abort', () => {
				stop();
				try {
					controller.close();
				} catch {
					/* already closed */
				}
			});
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
