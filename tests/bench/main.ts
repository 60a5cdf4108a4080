// Benchmarks: `npm run bench -- <name> [options]`. Each prints its figures; none is a pass/fail test.
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './stats';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface DemoFigures {
	tickets: number;
	relational: number;
	seconds: number;
	ticketsPerSecond: number;
	peakRssMB: number;
}

/** Runs the CLI's demo generator in a child process on a scratch data directory. */
function runDemo(tickets: number, analyticsOnly: boolean): DemoFigures & { wall: number } {
	const dir = mkdtempSync(join(tmpdir(), 'minqing-bench-'));
	try {
		const args = ['tsx', 'src/lib/server/cli/main.ts', 'demo', '--tickets', String(tickets), '--data-dir', dir];
		if (analyticsOnly) args.push('--analytics-only');
		const t0 = performance.now();
		const r = spawnSync('npx', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
		const wall = (performance.now() - t0) / 1000;
		if (r.status !== 0) throw new Error(`demo --tickets ${tickets} failed (exit ${r.status})`);
		const line = r.stdout.trim().split('\n').at(-1)!;
		return { ...(JSON.parse(line) as DemoFigures), wall };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

function demo(argv: string[]) {
	const { values } = parseArgs({ args: argv, options: { tickets: { type: 'string', default: '200000,10000000' } } });
	const sizes = values.tickets.split(',').map((s) => Number(s.replaceAll('_', '')));
	console.log('demo generator (2 cores here; goals: default 200,000 ≤ 60 s, 10,000,000 ≤ 10 min)');
	const rows: string[][] = [['tickets', 'stores', 'generate s', 'process s', 'tickets/s', 'peak RSS MB', 'goal']];
	for (const n of sizes) {
		// the default demo is what a first start does (both stores); large runs stream to DuckDB only
		const analyticsOnly = n > 1_000_000;
		console.error(`… ${n.toLocaleString('en')} tickets${analyticsOnly ? ' (DuckDB only)' : ' (DuckDB + relational)'}`);
		const f = runDemo(n, analyticsOnly);
		const goal =
			n <= 200_000
				? f.seconds <= 60
					? 'met (≤ 60 s)'
					: 'missed (≤ 60 s)'
				: n >= 10_000_000
					? f.seconds <= 600
						? 'met (≤ 600 s)'
						: 'missed (≤ 600 s)'
					: '';
		rows.push([
			n.toLocaleString('en'),
			analyticsOnly ? 'DuckDB' : `DuckDB + ${f.relational.toLocaleString('en')} relational`,
			f.seconds.toFixed(1),
			f.wall.toFixed(1),
			f.ticketsPerSecond.toLocaleString('en'),
			String(f.peakRssMB),
			goal
		]);
	}
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
	for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

async function ingest(argv: string[]) {
	const { values } = parseArgs({
		args: argv,
		options: {
			tickets: { type: 'string', default: '1000000' },
			'merge-only': { type: 'boolean', default: false },
			'merge-threads': { type: 'string' },
			runs: { type: 'string', default: '1' },
			push: { type: 'string', default: '200' }
		}
	});
	const n = Number(values.tickets.replaceAll('_', ''));
	const runs = Math.max(1, Math.floor(Number(values.runs)) || 1);
	const dir = mkdtempSync(join(tmpdir(), 'minqing-bench-ingest-'));
	try {
		const feed = join(dir, 'feed.ndjson');
		console.error(`… writing a feed of ${n.toLocaleString('en')} canonical records (demo text, 1 in 1000 lines bad)`);
		const { writeFeed } = await import('../support/feed');
		const { lines, bad } = await writeFeed(feed, { records: n, badEvery: 1000 });
		// on disk before the clock starts: otherwise the kernel writes the feed back while the run reads it, and
		// the figure swings by 10 % from run to run
		const fd = openSync(feed, 'r+');
		fsyncSync(fd);
		closeSync(fd);
		const size = statSync(feed).size;
		if (values['merge-only']) {
			const r = spawnSync('npx', ['tsx', 'tests/bench/ingest-merge.ts', feed, dir, join(ROOT, 'data')], {
				cwd: ROOT,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'inherit']
			});
			if (r.status !== 0) throw new Error(`merge-only run failed (exit ${r.status})`);
			const m = JSON.parse(r.stdout) as { seconds: number; cpuSeconds: number; timings: Record<string, number> };
			console.log('ingest, merge only: the same run with the text analysis done beforehand (no segmentation workers competing)');
			console.log(`records ${lines.toLocaleString('en')} (${bad} bad) · ${(size / 1e6).toFixed(0)} MB`);
			console.log(`pipeline ${m.seconds.toFixed(1)} s · ${Math.round(lines / m.seconds).toLocaleString('en')} records/s · ${m.cpuSeconds.toFixed(1)} CPU-s`);
			console.log(`phases (s, overlapping): ${Object.entries(m.timings).map(([k, v]) => `${k} ${v}`).join(' · ')}`);
			return;
		}
		const threads = values['merge-threads'] ? ['--merge-threads', values['merge-threads']] : [];
		console.log('ingest: NDJSON on disk → DuckDB rows with tokens, keywords and geocodes (goal: 1M ≤ 60 s on 2 cores)');
		console.log(`records ${lines.toLocaleString('en')} (${bad} bad) · ${(size / 1e6).toFixed(0)} MB${runs > 1 ? ` · ${runs} runs, each into a new store` : ''}`);
		const seconds: number[] = [];
		for (let k = 1; k <= runs; k++) {
			console.error(`… ingesting ${(size / 1e6).toFixed(0)} MB${runs > 1 ? ` (run ${k} of ${runs})` : ''}`);
			const db = join(dir, `db${k}`);
			const t0 = performance.now();
			const r = spawnSync('npx', ['tsx', 'src/lib/server/cli/main.ts', 'ingest', feed, '--source', 'bench', '--data-dir', db, ...threads], {
				cwd: ROOT,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'inherit'],
				maxBuffer: 1 << 24
			});
			const wall = (performance.now() - t0) / 1000;
			if (r.status !== 0) throw new Error(`ingest failed (exit ${r.status})`);
			const s = JSON.parse(r.stdout);
			if (k === 1) console.log(`accepted ${s.accepted.toLocaleString('en')} · quarantined ${s.quarantined} · unresolved places ${s.unresolvedPlaces}`);
			console.log(
				`${runs > 1 ? `run ${k}: ` : ''}pipeline ${s.seconds.toFixed(1)} s · process ${wall.toFixed(1)} s · ${Math.round(lines / s.seconds).toLocaleString('en')} records/s · CPU ${s.cpuSeconds} s · peak RSS ${s.peakRssMB} MB`
			);
			if (s.cpuByThread)
				console.log(
					`CPU by thread: segmentation workers ${s.cpuByThread.segmentation} s · main thread ${s.cpuByThread.main} s · other threads (DuckDB, runtime) ${s.cpuByThread.other} s`
				);
			if (s.timings)
				console.log(
					`phases (s, overlapping): ${Object.entries(s.timings)
						.map(([k, v]) => `${k} ${v}`)
						.join(' · ')}`
				);
			seconds.push(s.seconds);
			const push = Math.floor(Number(values.push));
			if (k === 1 && push > 0) await (await import('./ingest-push')).pushBench(feed, lines, db, push, 10, join(ROOT, 'data'));
			rmSync(db, { recursive: true, force: true });
		}
		const mid = median(seconds);
		if (runs > 1) console.log(`pipeline over ${runs} runs: median ${mid.toFixed(1)} s (${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)} s)`);
		if (n >= 1_000_000) console.log(`goal (1M ≤ 60 s): ${mid <= 60 ? 'met' : 'missed'}`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

async function segment(argv: string[]) {
	const { segmentBench } = await import('./segment');
	await segmentBench(argv);
}

async function text(argv: string[]) {
	const { values } = parseArgs({
		args: argv,
		options: {
			tickets: { type: 'string', default: '10000000' },
			'data-dir': { type: 'string' },
			only: { type: 'string' },
			ablation: { type: 'boolean', default: false }
		}
	});
	const only = values.only ? values.only.split(',') : ['classify', 'cluster', 'search'];
	if (only.includes('classify')) {
		const { classifyBench } = await import('./text-classify');
		await classifyBench(values.ablation ? ['--ablation'] : []);
	}
	if (only.includes('cluster')) {
		const { clusterBench } = await import('./text-cluster');
		await clusterBench();
	}
	if (only.includes('search')) {
		const { searchBench } = await import('./text-search');
		await searchBench({ tickets: Number(values.tickets.replaceAll('_', '')), dataDir: values['data-dir'] });
	}
}

async function dashboard(argv: string[]) {
	const { dashboardBench } = await import('./dashboard');
	await dashboardBench(argv);
}

async function alerts(argv: string[]) {
	const { values } = parseArgs({
		args: argv,
		options: {
			only: { type: 'string', default: 'nab,demo' },
			tickets: { type: 'string', default: '1000000' },
			'data-dir': { type: 'string' }
		},
		strict: false
	});
	const only = String(values.only).split(',');
	if (only.includes('nab')) {
		const { nabBench } = await import('./alerts-nab');
		await nabBench(
			argv.filter(
				(a, i) => !['--only', '--tickets', '--data-dir'].includes(a) && !['--only', '--tickets', '--data-dir'].includes(argv[i - 1])
			)
		);
	}
	if (only.includes('demo')) {
		const { demoBench } = await import('./alerts-demo');
		await demoBench({ dataDir: values['data-dir'] as string | undefined, tickets: Number(String(values.tickets).replaceAll('_', '')) });
	}
}

const [name, ...rest] = process.argv.slice(2);
async function intake(argv: string[]) {
	const { intakeBench } = await import('./intake');
	await intakeBench(argv);
}

async function sync(argv: string[]) {
	const { syncBench } = await import('./sync');
	await syncBench(argv);
}

async function attachments(argv: string[]) {
	const { attachmentsBench } = await import('./attachments');
	await attachmentsBench(argv);
}

async function queues(argv: string[]) {
	const { queuesBench } = await import('./queues');
	await queuesBench(argv);
}

const BENCHES: Record<string, (argv: string[]) => void | Promise<void>> = { demo, ingest, segment, text, dashboard, alerts, intake, sync, attachments, queues };
if (!name || !BENCHES[name]) {
	console.error(
		`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n  demo [--tickets 200000,10000000]\n  ingest [--tickets 1000000] [--runs 1] [--merge-only] [--merge-threads N] [--push 200 (0: none)]\n  segment [--no-ablation] [--pool 2] [--repeat 3] [--tickets 100000 (0: none)] [--pool-cycles 3]\n  text [--tickets 10000000] [--data-dir DIR (kept and reused)] [--only classify,cluster,search] [--ablation]\n  dashboard [--tickets 1000000] [--data-dir DIR (reused; generated there when empty)] [--keep] [--runs 10]  (PostgreSQL: MINQING_BENCH_PG_URL or a throwaway server)\n  alerts [--only nab,demo] [--tickets 1000000] [--data-dir DIR (a demo store with demo-incidents.json; generated when empty)]\n  intake [--connections 50,200] [--duration 20] [--rate 1000] [--loads closed,open,dictionary] [--runs 1] [--in-process]  (HTTP: needs npm run build)\n  sync [--today 5000,40000,100000,170000]\n  attachments [--runs 10] [--width 4000] [--height 3000]\n  queues [--tickets 1000000] [--runs 10]`
	);
	process.exit(name ? 1 : 0);
}
await BENCHES[name](rest);
