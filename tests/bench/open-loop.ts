// An open-loop load generator (the way wrk2 measures): requests are due at a fixed rate whatever the server
// does, spread over a pool of keep-alive connections, and each latency is counted from the moment its request
// was due, not from when a free connection sent it. A slow server therefore shows its whole queue in the
// latencies instead of slowing the senders down (which is what a closed loop such as autocannon's connections,
// each waiting for its answer before the next request, does: there the latency is connections ÷ throughput).
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface OpenLoopOptions {
	url: string;
	/** requests per second that fall due */
	rate: number;
	/** keep-alive connections the requests go over (a due request waits for a free one) */
	connections: number;
	/** seconds of load */
	duration: number;
	method?: string;
	headers?: Record<string, string>;
	/** the body of the i-th request */
	body(i: number): string;
}

export interface OpenLoopResult {
	/** requests that fell due */
	sent: number;
	/** 2xx answers */
	ok: number;
	non2xx: number;
	errors: number;
	/** seconds from the first request falling due to the last answer */
	seconds: number;
	/** latency percentiles from the due time, ms, over the 2xx answers */
	p50: number;
	p99: number;
	max: number;
	/** the slowest answer of each half second, by due time (to see when the slow ones came) */
	slowest: number[];
	/**
	 * how late this process's own event loop ran during the load, ms (p99 and max): a late loop sends late and
	 * reads answers late, and that delay counts in the latencies too (the generator shares the machine)
	 */
	ownDelay: { p99: number; max: number };
}

function percentile(sorted: number[], p: number): number {
	if (!sorted.length) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
	const target = new URL(o.url);
	const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
	const total = Math.round(o.rate * o.duration);
	const interval = 1000 / o.rate;
	const latencies: number[] = [];
	const slowest: number[] = new Array(Math.ceil(o.duration * 2)).fill(0);
	let ok = 0;
	let non2xx = 0;
	let errors = 0;
	let last = 0;
	const pending: Promise<void>[] = [];
	const send = (i: number, due: number) =>
		new Promise<void>((resolve) => {
			const body = Buffer.from(o.body(i));
			const req = request(
				{
					agent,
					host: target.hostname,
					port: target.port,
					path: target.pathname + target.search,
					method: o.method ?? 'POST',
					headers: { ...o.headers, 'content-length': String(body.length) }
				},
				(res) => {
					res.resume();
					res.on('end', () => {
						const at = performance.now();
						last = Math.max(last, at);
						if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) {
							ok++;
							latencies.push(at - due);
							const k = Math.floor((due - start) / 500);
							slowest[k] = Math.max(slowest[k] ?? 0, at - due);
						} else non2xx++;
						resolve();
					});
					res.on('error', () => {
						errors++;
						resolve();
					});
				}
			);
			req.on('error', () => {
				errors++;
				resolve();
			});
			req.end(body);
		});
	// the histogram records each whole interval between its timer's firings: lateness is that less the resolution
	const resolution = 5;
	const delay = monitorEventLoopDelay({ resolution });
	delay.enable();
	const start = performance.now();
	let next = 0;
	await new Promise<void>((done) => {
		const tick = () => {
			const now = performance.now();
			// every request due by now goes out (a late timer sends the missed ones at once, still timed from their due time)
			while (next < total && start + next * interval <= now) {
				pending.push(send(next, start + next * interval));
				next++;
			}
			if (next < total) setTimeout(tick, Math.max(0, Math.min(5, start + next * interval - performance.now())));
			else done();
		};
		tick();
	});
	await Promise.all(pending);
	delay.disable();
	agent.destroy();
	latencies.sort((a, b) => a - b);
	return {
		sent: total,
		ok,
		non2xx,
		errors,
		seconds: (last - start) / 1000,
		p50: percentile(latencies, 0.5),
		p99: percentile(latencies, 0.99),
		max: latencies.length ? latencies[latencies.length - 1] : NaN,
		slowest,
		ownDelay: { p99: Math.max(0, delay.percentile(99) / 1e6 - resolution), max: Math.max(0, delay.max / 1e6 - resolution) }
	};
}
