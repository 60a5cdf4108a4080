// npm run bench -- intake: ticket creations per second and latency over HTTP (POST /api/v1/tickets as a signed-in
// operator) at 50 and 200 connections against the built server on the embedded store (PGlite), with autocannon.
// Every request body is a different call; afterwards the created tickets are counted, so none was lost.
// MINQING_BENCH_SERVER_LOG=1 echoes the server's output; MINQING_BENCH_NODE_ARGS passes flags to it (e.g. --cpu-prof).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { procCpuSeconds } from '../../pipelines/segment/worker-start';
import { freePort } from '../support/net';
import { openLoop } from './open-loop';
import { median, quantile } from './stats';
import { withScratchApp } from './scratch-app';

const ROOT = resolve(import.meta.dirname, '..', '..');

const CONTENTS = [
	'小区门口餐馆油烟很大，晚上无法开窗，希望有关部门处理',
	'路灯坏了好几天，晚上出行不安全',
	'工地夜间施工噪音扰民，凌晨还在打桩',
	'请问公积金怎么提取',
	'楼下有人占道经营，堵塞消防通道',
	'小区垃圾清运不及时，气味很大'
];
const PLACES = ['姑苏区平江街道', '吴中区长桥街道', '相城区元和街道', '苏州工业园区娄葑街道', '虎丘区狮山街道', '吴江区松陵街道'];

/** The i-th call of a run: each one different (text, place, caller). */
function call(i: number) {
	return {
		channel: 'phone',
		type: '投诉',
		title: `压测来电 ${i}`,
		content: `${CONTENTS[i % CONTENTS.length]}（第 ${i} 次来电）`,
		address: `${PLACES[i % PLACES.length]}某小区${i % 97}号`,
		caller_name: '测试',
		caller_phone: `139${String(10_000_000 + (i % 89_999_999)).padStart(8, '0')}`
	};
}

/** CPU seconds the process has used so far (Linux /proc), or null elsewhere. */
const cpuSeconds = (pid: number): number | null => procCpuSeconds(`/proc/${pid}/stat`);

/**
 * Starts measuring a process's CPU; the function returned gives the cores it kept busy since (CPU seconds ÷
 * seconds), or '–' where /proc is missing.
 */
function coreMeter(pid: number): () => string {
	const cpu0 = cpuSeconds(pid);
	const t0 = performance.now();
	return () => {
		const cpu1 = cpuSeconds(pid);
		return cpu0 === null || cpu1 === null ? '–' : ((cpu1 - cpu0) / ((performance.now() - t0) / 1000)).toFixed(2);
	};
}

/**
 * Waits until the server's start-up work is over: two seconds in a row in which it used under a tenth of a
 * core (at most 3 minutes; where /proc is missing, a fixed 20 s).
 */
async function settled(pid: number): Promise<void> {
	const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
	const first = cpuSeconds(pid);
	if (first === null) return sleep(20_000);
	let last: number = first;
	let quiet = 0;
	for (const t0 = Date.now(); Date.now() - t0 < 180_000 && quiet < 2;) {
		await sleep(1000);
		const now: number = cpuSeconds(pid) ?? last;
		quiet = now - last < 0.1 ? quiet + 1 : 0;
		last = now;
	}
}

/**
 * `--in-process`: the domain function alone (registerTicket from concurrent callers on a file-backed PGlite in this
 * process, no HTTP, no text or detection rounds; the sync to DuckDB runs), to show how much of the HTTP figure is the store and how much the rest.
 */
async function inProcess(connections: number[], duration: number): Promise<void> {
	const { registerTicket } = await import('../../src/lib/server/cases/service');
	const user = { id: null, role: 'operator' as const, unitCode: null, displayName: '压测' };
	console.log(`intake benchmark, in process: registerTicket from concurrent callers, PGlite on disk, ${duration} s per run`);
	await withScratchApp('minqing-intake', async (app) => {
		let seq = 0;
		for (const c of connections) {
			const lat: number[] = [];
			const t0 = performance.now();
			await Promise.all(
				Array.from({ length: c }, async () => {
					while (performance.now() - t0 < duration * 1000) {
						const a = performance.now();
						await registerTicket(app, user, call(seq++));
						lat.push(performance.now() - a);
					}
				})
			);
			const secs = (performance.now() - t0) / 1000;
			const q = (p: number) => quantile(lat, p).toFixed(1);
			console.log(`${c} callers: ${(lat.length / secs).toFixed(0)} created/s, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (${lat.length} tickets)`);
		}
	});
}

export async function intakeBench(argv: string[]): Promise<void> {
	const { values } = parseArgs({
		args: argv,
		options: {
			connections: { type: 'string', default: '50,200' },
			duration: { type: 'string', default: '20' },
			rate: { type: 'string', default: '1000' },
			loads: { type: 'string', default: 'closed,open' },
			runs: { type: 'string', default: '1' },
			'in-process': { type: 'boolean', default: false }
		},
		strict: false
	});
	if (values['in-process']) return inProcess(String(values.connections).split(',').map(Number), Number(values.duration));
	if (!existsSync(join(ROOT, 'build', 'index.js'))) {
		console.error('intake benchmark: the built app is missing — run `npm run build` first');
		process.exitCode = 1;
		return;
	}
	const connections = String(values.connections).split(',').map(Number);
	const duration = Number(values.duration);
	const rate = Number(values.rate);
	const loads = String(values.loads).split(',');
	const runs = Math.max(1, Math.floor(Number(values.runs)) || 1);
	const dir = mkdtempSync(join(tmpdir(), 'minqing-intake-'));
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	let logs = '';
	const child = spawn(
		process.execPath,
		[...(process.env.MINQING_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), join(ROOT, 'src', 'start.cjs')],
		{
			cwd: ROOT,
			env: {
				...process.env,
				PORT: String(port),
				HOST: '127.0.0.1',
				MINQING_DATA_DIR: dir,
				MINQING_DEMO: '1',
				MINQING_DEMO_TICKETS: '2000',
				MINQING_DEMO_DAYS: '30'
			}
		}
	);
	const echo = process.env.MINQING_BENCH_SERVER_LOG === '1';
	child.stdout.on('data', (d) => {
		logs += d;
		if (echo) process.stdout.write(d);
	});
	child.stderr.on('data', (d) => (logs += d));
	try {
		for (let t = Date.now(); ;) {
			if (child.exitCode !== null) throw new Error(`server exited:\n${logs}`);
			if (
				await fetch(`${url}/healthz`).then(
					(r) => r.ok,
					() => false
				)
			)
				break;
			if (Date.now() - t > 240_000) throw new Error(`server did not start:\n${logs}`);
			await new Promise((r) => setTimeout(r, 300));
		}
		// wait for the start-up work (text analysis, topics, the classifier, the first detection round) to finish
		await settled(child.pid!);
		const cookie = await sessionCookie(url, 'operator');
		const count = async () => {
			const r = await fetch(`${url}/api/v1/tickets?queue=intake`, { headers: { cookie } });
			const body = (await r.json()) as { total: number };
			return body.total;
		};
		/** background rounds finished so far (/healthz): the figures count only with the analyses running during the load */
		type Rounds = { text: number; detection: number };
		const rounds = async () => ((await (await fetch(`${url}/healthz`)).json()) as { rounds: Rounds }).rounds;
		const during = (a: Rounds, b: Rounds) => `${b.text - a.text} / ${b.detection - a.detection}`;
		let seq = 0;
		const body = () => JSON.stringify(call(seq++));
		// warm-up, not reported: the first calls start what the server starts lazily (the segmentation workers of the
		// text analysis that follows new tickets, the sync's statements); then wait for that to settle
		await openLoop({
			url: `${url}/api/v1/tickets`,
			rate: rate > 0 ? rate : 500,
			connections: 50,
			duration: 10,
			headers: { 'content-type': 'application/json', cookie },
			body: () => body()
		});
		await settled(child.pid!);
		if (loads.includes('closed') || loads.includes('open')) {
			console.log(`intake benchmark: POST /api/v1/tickets as an operator, embedded store (PGlite), ${duration} s per run, 2 cores here`);
			console.log('goal: ≥ 1,000 creations/s, p99 ≤ 50 ms, 0 errors');
		}
		const rows: string[][] = [
			['load', 'connections', 'created/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'non-2xx', 'created', 'counted', 'rounds', 'server cores', 'goal']
		];
		// closed loop: each connection sends its next call when the last is answered — the most the server creates
		for (const c of loads.includes('closed') ? connections : []) {
			await settled(child.pid!); // each run from an idle server, not in the wake of the one before
			const before = await count();
			const roundsBefore = await rounds();
			const cores = coreMeter(child.pid!);
			const r = await autocannon({
				url: `${url}/api/v1/tickets`,
				connections: c,
				duration,
				requests: [
					{
						method: 'POST',
						headers: { 'content-type': 'application/json', cookie },
						setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() })
					}
				]
			});
			const busy = cores();
			const roundsAfter = await rounds();
			await new Promise((res) => setTimeout(res, 1000));
			const after = await count();
			const ok = r['2xx'];
			const errors = r.errors + r.timeouts;
			// calls still out when autocannon stops are answered after it (and created): they count in `counted`
			const inFlight = Math.max(0, r.requests.sent - ok - r.non2xx - errors);
			const perSecond = ok / duration;
			const met = perSecond >= 1000 && errors === 0 && r.non2xx === 0;
			rows.push([
				'closed loop',
				String(c),
				perSecond.toFixed(0),
				String(r.latency.p50),
				String(r.latency.p99),
				String(r.latency.max),
				String(errors),
				String(r.non2xx),
				inFlight ? `${ok} + ${inFlight}` : String(ok),
				String(after - before),
				during(roundsBefore, roundsAfter),
				busy,
				`≥ 1,000/s ${met ? 'met' : 'missed'}`
			]);
		}
		// open loop: calls fall due at the goal rate whatever the server does; latency from the due time. With
		// --runs N, N rounds over the connection counts (so that a slow spell of the machine falls on each of them),
		// and in how many the goal was met
		const ownDelays: string[] = [];
		const p99s = new Map<number, { p99: number; met: boolean }[]>();
		const openRuns = Array.from({ length: runs }, (_, run) => connections.map((c) => ({ run, c }))).flat();
		if (rate > 0 && loads.includes('open'))
			for (const { run, c } of openRuns) {
				await settled(child.pid!);
				const before = await count();
				const roundsBefore = await rounds();
				const cores = coreMeter(child.pid!);
				const r = await openLoop({
					url: `${url}/api/v1/tickets`,
					rate,
					connections: c,
					duration,
					headers: { 'content-type': 'application/json', cookie },
					body: () => body()
				});
				const busy = cores();
				ownDelays.push(`${c} connections${runs > 1 ? ` (run ${run + 1})` : ''}: p99 ${r.ownDelay.p99.toFixed(1)} ms, max ${r.ownDelay.max.toFixed(1)} ms`);
				if (process.env.MINQING_BENCH_TIMELINE === '1')
					console.log(`slowest answer per half second (${c} connections):`, r.slowest.map((x) => x.toFixed(0)).join(' '));
				const roundsAfter = await rounds();
				await new Promise((res) => setTimeout(res, 1000));
				const after = await count();
				const perSecond = r.ok / r.seconds;
				const met = r.ok === r.sent && r.p99 <= 50 && r.errors === 0 && r.non2xx === 0;
				p99s.set(c, [...(p99s.get(c) ?? []), { p99: r.p99, met }]);
				rows.push([
					`${rate.toLocaleString('en')}/s due${runs > 1 ? ` (run ${run + 1})` : ''}`,
					String(c),
					perSecond.toFixed(0),
					r.p50.toFixed(1),
					r.p99.toFixed(1),
					r.max.toFixed(1),
					String(r.errors),
					String(r.non2xx),
					String(r.ok),
					String(after - before),
					during(roundsBefore, roundsAfter),
					busy,
					`p99 ≤ 50 ms ${met ? 'met' : 'missed'}`
				]);
			}
		if (loads.includes('dictionary')) await dictionaryChange(url, runs, child.pid!, () => settled(child.pid!));
		const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
		if (rows.length > 1) for (const r of rows) console.log(r.map((x, i) => (i === 0 || i === r.length - 1 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  '));
		if (rows.length > 1)
			console.log(
				'closed loop (autocannon): every connection sends its next call as soon as the last is answered — the throughput the server reaches;\n' +
					'  its latency is connections ÷ throughput (the queue the clients themselves keep full), not a property of the server alone\n' +
					`open loop (tests/bench/open-loop.ts, as wrk2 measures): ${rate.toLocaleString('en')} calls a second fall due at even intervals over that many keep-alive\n` +
					'  connections; latency counts from when a call was due, so waiting for a free connection or behind a slow answer is included'
			);
		if (runs > 1)
			for (const [c, runsOf] of p99s) {
				const ps = runsOf.map((x) => x.p99);
				console.log(
					`open loop, ${c} connections, ${ps.length} runs: p99 median ${median(ps).toFixed(1)} ms, best ${Math.min(...ps).toFixed(1)}, ` +
						`worst ${Math.max(...ps).toFixed(1)}; goal met (p99 ≤ 50 ms, no errors, every call answered 2xx) in ${runsOf.filter((x) => x.met).length} of ${ps.length}`
				);
			}
		if (ownDelays.length)
			console.log(
				`the load generator's own event loop ran late by (open loop; such a delay is in the latencies above too): ${ownDelays.join(' · ')}`
			);
		if (rows.length > 1)
			console.log(
				'created = 2xx answers (+ the calls a closed loop still had out when it stopped: answered after the clock, so not in\n' +
					'  created/s, but created); counted = tickets the intake queue gained (equal: nothing lost or doubled)\n' +
					'rounds = text analysis / detection rounds the server finished during the run (/healthz): the latency is measured with them running\n' +
					'server cores = CPU seconds of the server process during the run ÷ its seconds, all its threads: the requests, the store, the sync and\n' +
					'  the rounds. The rounds take what the requests leave of the machine (at lower priority), so this is not a cost per ticket'
			);
	} finally {
		if (child.exitCode === null) {
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
			await exited;
			clearTimeout(timer);
		}
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * `--loads dictionary`: what an administrator's change of the dictionary (设置 › 词典, a new term) costs everyone
 * else. /healthz is asked every 5 ms (one at a time) from a second before the change to 3 s after it was answered;
 * the slowest of those answers is how long the server's thread stood still (the change makes the server's segmenter
 * load the new dictionary, and marks the tickets containing the word for the text round). Also the server's resident
 * memory and threads before the change and once it has settled after it (one segmenter thread stays, not two; the
 * memory a finished thread freed need not go back to the system at once).
 */
async function dictionaryChange(url: string, runs: number, pid: number, settle: () => Promise<void>): Promise<void> {
	const cookie = await sessionCookie(url, 'admin');
	console.log('dictionary change: an administrator adds a term (POST /api/v1/lexicon) while /healthz is asked every 5 ms');
	for (let run = 0; run < runs; run++) {
		await settle();
		const rssBefore = residentMB(pid);
		const threadsBefore = threadCount(pid);
		const pings: { at: number; ms: number }[] = [];
		let stop = false;
		const pinger = (async () => {
			while (!stop) {
				const t = performance.now();
				await (await fetch(`${url}/healthz`)).arrayBuffer();
				pings.push({ at: t, ms: performance.now() - t });
				await new Promise((r) => setTimeout(r, 5));
			}
		})();
		await new Promise((r) => setTimeout(r, 1000));
		const t0 = performance.now();
		const word = `基准新词${'甲乙丙丁戊己庚辛壬癸'[run % 10]}${run >= 10 ? run : ''}`;
		const r = await fetch(`${url}/api/v1/lexicon`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie, origin: url },
			body: JSON.stringify({ kind: 'term', word, weight: 'core', tag: 'n' })
		});
		const answered = performance.now() - t0;
		await new Promise((res) => setTimeout(res, 3000));
		stop = true;
		await pinger;
		await settle();
		const rssAfter = residentMB(pid);
		const threadsAfter = threadCount(pid);
		const before = pings.filter((p) => p.at < t0).map((p) => p.ms);
		const after = pings.filter((p) => p.at >= t0).map((p) => p.ms);
		console.log(
			`  run ${run + 1}: the change answered ${r.status} in ${answered.toFixed(0)} ms; /healthz before it: max ${Math.max(...before).toFixed(0)} ms; ` +
				`from it to 3 s after: ${after.length} answers, p50 ${quantile(after, 0.5).toFixed(1)} ms, max ${Math.max(...after).toFixed(0)} ms; ` +
				`server RSS ${rssBefore} MB and ${threadsBefore} threads before, ${rssAfter} MB and ${threadsAfter} threads settled after`
		);
	}
}

/** The session cookie of a demo account (its password is the demo's) after a sign-in on the server at `url`. */
async function sessionCookie(url: string, username: string): Promise<string> {
	const login = await fetch(`${url}/login`, {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
		body: new URLSearchParams({ username, password: 'minqing2026' }).toString()
	});
	const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	if (!cookie.includes('=')) throw new Error(`${username}: login failed (${login.status})`);
	return cookie;
}

/** A process's resident memory in MB (VmRSS, Linux), or '?' where /proc cannot tell. */
function residentMB(pid: number): string {
	try {
		const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
		return kb ? Math.round(Number(kb) / 1024).toLocaleString('en') : '?';
	} catch {
		return '?';
	}
}

/** How many threads a process has (Linux), or '?' where /proc cannot tell. */
function threadCount(pid: number): string {
	try {
		return String(readdirSync(`/proc/${pid}/task`).length);
	} catch {
		return '?';
	}
}
