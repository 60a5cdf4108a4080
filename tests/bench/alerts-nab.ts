// Spike/anomaly detector benchmark (pipelines/alerts/detector.ts): `npm run bench -- alerts [--series 600] [--seed 1]`
// (or `npx tsx -e "import('./tests/bench/alerts-nab.ts').then(m=>m.nabBench([]))"`).
//
// Prints:
//   1. NAB realKnownCause (7 files, 19 windows, read in place from ../shared/data/eval/nab): the normalised NAB score
//      for the standard, reward-low-FP and reward-low-FN profiles, where a row is a detection iff the `alert` column of
//      `detect-series` (product defaults, default threshold) is 1; per-file raw scores; then, FOR INFORMATION ONLY, the
//      score with a per-profile corpus-optimised threshold on `score` (what NAB does for the published detectors).
//      References on these 7 files with their own optimised thresholds: Numenta HTM 55.5, ARTime 63.9 (standard).
//   2. Synthetic hotline-like count series (hourly, a year, Poisson or negative binomial with hour-of-day and
//      workday/rest-day/holiday profile, sparse to busy, injected incidents of varied size and duration): recall, median
//      delay from incident start to alert in buckets, false alerts per series-year; the same with the Sat/Sun default
//      day kind instead of the holiday calendar.
//   3. Throughput of detectSeries on those count series (points/s, single thread) and the time it implies for the
//      goal's pass: a year of hourly series of every level-1 and level-2 category × the city and each district,
//      counted from the city's reference data (Suzhou: 88 × 11 = 968 series). The demo part of the bench times the
//      real pass over a demo year (tests/bench/alerts-demo.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { defaultCalendar, dayNumberAt, shanghaiDay, type WorkCalendar } from '../../pipelines/calendar/index';
import { Rng } from '../../pipelines/demo/rng';
import { DEFAULT_THRESHOLD, detectSeries, scoreColumns, type DayKindFn, type SeriesPoint } from '../../pipelines/alerts/detector';
import {
	nabFile,
	nabNormalise,
	optimiseThreshold,
	parseProfiles,
	scoreFile,
	type NabFile,
	type NabProfile
} from '../../pipelines/alerts/nab';
import { detectSeriesCli, parseTimestamp } from '../../pipelines/alerts/series-cli';
import { median } from './stats';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NAB_DIR = resolve(ROOT, '..', 'shared', 'data', 'eval', 'nab');
const HOUR = 3_600_000;

function table(rows: string[][]): string {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
	return rows.map((r) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ')).join('\n');
}

class Collect extends Writable {
	chunks: string[] = [];
	override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void) {
		this.chunks.push(chunk.toString());
		cb();
	}
}

interface NabRun {
	name: string;
	file: NabFile;
	alerts: Uint8Array;
	scores: Float64Array;
}

/** Runs `detect-series` on each realKnownCause file and maps its output rows back onto the file's rows. */
export async function runNab(dir = NAB_DIR): Promise<NabRun[] | null> {
	const dataDir = join(dir, 'data', 'realKnownCause');
	const labelsPath = join(dir, 'labels', 'combined_windows_realKnownCause_only.json');
	if (!existsSync(dataDir) || !existsSync(labelsPath)) return null;
	const windows = JSON.parse(readFileSync(labelsPath, 'utf8')) as Record<string, Array<[string, string]>>;
	const runs: NabRun[] = [];
	for (const f of readdirSync(dataDir)
		.filter((x) => x.endsWith('.csv'))
		.sort()) {
		const path = join(dataDir, f);
		const rows = readFileSync(path, 'utf8')
			.split('\n')
			.slice(1)
			.filter((l) => l.trim())
			.map((l) => parseTimestamp(l.split(',')[0].trim()));
		const out = new Collect();
		const code = await detectSeriesCli(path, out);
		if (code !== 0) throw new Error(`detect-series ${f} failed (${code})`);
		const byT = new Map<number, { score: number; alert: boolean }>();
		for (const line of out.chunks.join('').split('\n').slice(1)) {
			if (!line) continue;
			const [ts, , score, alert] = line.split(',');
			byT.set(parseTimestamp(ts), { score: Number(score), alert: alert === '1' });
		}
		const alerts = new Uint8Array(rows.length);
		const scores = new Float64Array(rows.length);
		rows.forEach((t, i) => {
			const r = byT.get(t);
			alerts[i] = r?.alert ? 1 : 0;
			scores[i] = r ? r.score : 0;
		});
		const win = (windows[`realKnownCause/${f}`] ?? []).map(
			([a, b]) => [parseTimestamp(a.slice(0, 19)), parseTimestamp(b.slice(0, 19))] as [number, number]
		);
		runs.push({ name: f.replace(/\.csv$/, ''), file: nabFile(rows, win), alerts, scores });
	}
	return runs;
}

export function nabFigures(runs: NabRun[], profiles: Record<string, NabProfile>) {
	const windows = runs.reduce((s, r) => s + r.file.windows.length, 0);
	const out: Record<
		string,
		{
			score: number;
			raw: number;
			perFile: Array<{ name: string; raw: number; tp: number; fn: number; fp: number }>;
			opt: { score: number; threshold: number };
		}
	> = {};
	for (const [name, prof] of Object.entries(profiles)) {
		const perFile = runs.map((r) => ({ name: r.name, ...scoreFile(r.file, (i) => r.alerts[i] === 1, prof) }));
		const raw = perFile.reduce((s, f) => s + f.raw, 0);
		const o = optimiseThreshold(
			runs.map((r) => ({ file: r.file, scores: r.scores })),
			prof
		);
		out[name] = {
			score: nabNormalise(raw, windows, prof),
			raw,
			perFile,
			opt: { score: nabNormalise(o.raw, windows, prof), threshold: o.threshold }
		};
	}
	return { windows, profiles: out };
}

// ---------------------------------------------------------------- synthetic hotline-like count series

/** Share of a day's tickets by hour (Asia/Shanghai): quiet nights, morning and afternoon peaks. */
const HOUR_PROFILE = (() => {
	const w = [0.15, 0.1, 0.08, 0.07, 0.08, 0.15, 0.4, 0.9, 1.6, 2.0, 2.1, 1.9, 1.3, 1.5, 1.9, 2.0, 1.8, 1.5, 1.1, 1.0, 0.9, 0.7, 0.45, 0.25];
	const s = w.reduce((a, b) => a + b, 0);
	return w.map((x) => (x * 24) / s);
})();

export interface Incident {
	/** size class: extra counts per hour = m × max(1, √mean) */
	m: number;
	start: number;
	/** index of the first bucket after the incident */
	end: number;
	excess: number;
	hours: number;
}

export interface SyntheticSeries {
	points: SeriesPoint[];
	incidents: Incident[];
	kind: string;
}

/**
 * One hourly series over `days` days from 2025-01-01 (Asia/Shanghai): daily rate by class, hour-of-day profile, rest
 * days and holidays lower (the calendar's), Poisson or gamma-Poisson (negative binomial) noise, slow drift, and 0–3
 * incidents: extra counts per hour of m × max(1, √mean) for m ∈ {2, 4, 8}, lasting 1, 3, 12 or 48 hours.
 */
export function syntheticSeries(rng: Rng, cal: WorkCalendar, days = 365): SyntheticSeries {
	const cls = rng.pick(['sparse', 'sparse', 'low', 'medium', 'high'] as const);
	const perDay =
		cls === 'sparse'
			? rng.lognormal(1.5, 0.6)
			: cls === 'low'
				? rng.lognormal(10, 0.4)
				: cls === 'medium'
					? rng.lognormal(60, 0.4)
					: rng.lognormal(400, 0.4);
	const nb = rng.chance(0.5);
	const shape = nb ? rng.pick([3, 8, 20]) : 0;
	const restFactor = 0.5 + 0.3 * rng.next();
	const holidayFactor = 0.35 + 0.2 * rng.next();
	const start = Date.parse('2025-01-01T00:00:00+08:00');
	const n = days * 24;
	const mean = new Float64Array(n);
	const drift = 0.2 * rng.normal();
	for (let i = 0; i < n; i++) {
		const t = start + i * HOUR;
		const day = shanghaiDay(t);
		const hour = Math.floor(((t + 8 * HOUR) % 86_400_000) / HOUR);
		const kindF = cal.isHoliday(day) ? holidayFactor : cal.isWorkday(day) ? 1 : restFactor;
		mean[i] = (perDay / 24) * HOUR_PROFILE[hour] * kindF * Math.exp((drift * i) / n);
	}
	const incidents: Incident[] = [];
	const k = rng.int(0, 3);
	for (let j = 0; j < k; j++) {
		const hours = rng.pick([1, 3, 12, 48]);
		const s = rng.int(24 * 21, n - hours - 48);
		if (incidents.some((x) => s < x.end + 72 && x.start < s + hours + 72)) continue;
		const m = rng.pick([2, 4, 8]);
		const localMean = mean[s];
		incidents.push({ m, start: s, end: s + hours, hours, excess: m * Math.max(1, Math.sqrt(localMean)) });
	}
	const points: SeriesPoint[] = new Array(n);
	for (let i = 0; i < n; i++) {
		let mu = mean[i];
		for (const inc of incidents) if (i >= inc.start && i < inc.end) mu += inc.excess;
		const lambda = nb ? (mu * rng.gamma(shape)) / shape : mu;
		points[i] = { t: start + i * HOUR, value: rng.poisson(lambda) };
	}
	return { points, incidents, kind: `${cls}${nb ? `/NB${shape}` : '/Poisson'}` };
}

export function calendarDayKind(cal: WorkCalendar): DayKindFn {
	const memo = new Map<number, 'work' | 'rest'>();
	return (t) => {
		const d = dayNumberAt(t);
		let k = memo.get(d);
		if (!k) memo.set(d, (k = cal.isWorkdayNumber(d) ? 'work' : 'rest'));
		return k;
	};
}

export interface CountFigures {
	series: number;
	incidents: number;
	detected: number;
	delays: number[];
	falseAlerts: number;
	seriesYears: number;
	bySize: Map<string, { n: number; hit: number }>;
	points: number;
	seconds: number;
}

export function countFigures(all: SyntheticSeries[], dayKind: DayKindFn | undefined): CountFigures {
	const f: CountFigures = {
		series: all.length,
		incidents: 0,
		detected: 0,
		delays: [],
		falseAlerts: 0,
		seriesYears: 0,
		bySize: new Map(),
		points: 0,
		seconds: 0
	};
	for (const s of all) {
		const t0 = performance.now();
		const scored = detectSeries(s.points, { dayKind });
		f.seconds += (performance.now() - t0) / 1000;
		f.points += s.points.length;
		f.seriesYears += s.points.length / 8760;
		const used = new Uint8Array(scored.length);
		for (const inc of s.incidents) {
			f.incidents++;
			const sizeKey = `${String(inc.hours).padStart(2)} h, m = ${inc.m}`;
			const b = f.bySize.get(sizeKey) ?? { n: 0, hit: 0 };
			b.n++;
			let hit = -1;
			// an alert from the incident's start to 2 buckets after its end counts; alerts until 24 h after it are not false
			for (let i = inc.start; i < Math.min(scored.length, inc.end + 24); i++) {
				if (scored[i].alert && i <= inc.end + 1 && hit < 0) hit = i;
				if (scored[i].alert) used[i] = 1;
			}
			if (hit >= 0) {
				f.detected++;
				b.hit++;
				f.delays.push(hit - inc.start);
			}
			f.bySize.set(sizeKey, b);
		}
		for (let i = 0; i < scored.length; i++) if (scored[i].alert && !used[i]) f.falseAlerts++;
	}
	return f;
}

/** Points per second of detectSeries and scoreColumns over these series. */
function throughput(pts: SeriesPoint[][]): { objects: number; columns: number } {
	detectSeries(pts[0]);
	let t0 = performance.now();
	let n = 0;
	for (const p of pts) n += detectSeries(p).length;
	const objects = n / ((performance.now() - t0) / 1000);
	const cols = pts.map((p) => ({ t: Float64Array.from(p, (x) => x.t), v: Float64Array.from(p, (x) => x.value) }));
	scoreColumns(cols[0].t, cols[0].v);
	t0 = performance.now();
	n = 0;
	for (const c of cols) n += scoreColumns(c.t, c.v).score.length;
	return { objects, columns: n / ((performance.now() - t0) / 1000) };
}

export async function nabBench(argv: string[]): Promise<void> {
	const { values } = parseArgs({
		args: argv,
		options: { series: { type: 'string', default: '600' }, seed: { type: 'string', default: '1' } },
		strict: false
	});
	console.log(`alerts: one detector, product defaults (DEFAULT_THRESHOLD ${DEFAULT_THRESHOLD})`);
	// synthetic count series first: the throughput is measured before any real-valued series runs in this process
	const nSeries = Number(values.series ?? 600);
	const seed = Number(values.seed ?? 1);
	const cal = defaultCalendar();
	const rng = Rng.derive(seed, 'alerts-bench');
	const all: SyntheticSeries[] = [];
	for (let i = 0; i < nSeries; i++) all.push(syntheticSeries(rng, cal));
	const speed = throughput(all.slice(0, 200).map((s) => s.points));
	const loadAtSpeed = loadavg()[0];
	// ---- NAB
	const runs = await runNab();
	if (!runs) console.log(`NAB: data absent at ${NAB_DIR} — skipped`);
	else {
		const profilesPath = join(NAB_DIR, 'config', 'profiles.json');
		const profiles = parseProfiles(JSON.parse(readFileSync(profilesPath, 'utf8')));
		const fig = nabFigures(runs, profiles);
		console.log(
			`\nNAB realKnownCause: ${runs.length} files, ${fig.windows} windows; detection = alert column of detect-series (default threshold)`
		);
		const rows = [['profile', 'NAB score', 'raw', 'TP', 'FN', 'FP']];
		for (const [name, p] of Object.entries(fig.profiles)) {
			const tp = p.perFile.reduce((s, f) => s + f.tp, 0);
			const fn = p.perFile.reduce((s, f) => s + f.fn, 0);
			const fp = p.perFile.reduce((s, f) => s + f.fp, 0);
			rows.push([name, p.score.toFixed(1), p.raw.toFixed(2), String(tp), String(fn), String(fp)]);
		}
		console.log(table(rows));
		console.log('reference (own optimised thresholds, standard): Numenta HTM 55.5, ARTime 63.9');
		console.log('\nper file (standard profile, default threshold): raw score, windows detected, false positives');
		const st = fig.profiles.standard ?? Object.values(fig.profiles)[0];
		console.log(
			table([
				['file', 'raw', 'TP/windows', 'FP'],
				...st.perFile.map((f) => [f.name, f.raw.toFixed(3), `${f.tp}/${f.tp + f.fn}`, String(f.fp)])
			])
		);
		console.log(
			'\nFOR INFORMATION ONLY — per-profile corpus-optimised threshold on `score` (as NAB does for published detectors; not the product setting):'
		);
		console.log(
			table([
				['profile', 'NAB score', 'threshold'],
				...Object.entries(fig.profiles).map(([n, p]) => [n, p.opt.score.toFixed(1), p.opt.threshold.toFixed(4)])
			])
		);
	}
	// ---- synthetic counts
	console.log(
		`\nsynthetic hotline-like counts: ${nSeries} hourly series × 365 days (seed ${seed}); incidents: extra m × max(1, √mean) per hour, m ∈ {2,4,8}, 1–48 h`
	);
	const classes = new Map<string, number>();
	for (const s of all) classes.set(s.kind.split('/')[0], (classes.get(s.kind.split('/')[0]) ?? 0) + 1);
	console.log(`series by class: ${[...classes].map(([k, v]) => `${k} ${v}`).join(' · ')} (half Poisson, half negative binomial)`);
	const rows = [['day kinds', 'incidents', 'recall', 'median delay (buckets)', 'false alerts / series-year', 'points/s']];
	for (const [label, dk] of [
		['holiday calendar', calendarDayKind(cal)],
		['Sat/Sun default', undefined]
	] as const) {
		const f = countFigures(all, dk);
		rows.push([
			label,
			String(f.incidents),
			`${((100 * f.detected) / f.incidents).toFixed(1)} %`,
			String(median(f.delays)),
			(f.falseAlerts / f.seriesYears).toFixed(3),
			Math.round(f.points / f.seconds).toLocaleString('en')
		]);
		if (label === 'holiday calendar') {
			const r2 = [['duration, size', 'incidents', 'recall']];
			for (const [k, b] of [...f.bySize].sort()) r2.push([k, String(b.n), `${((100 * b.hit) / b.n).toFixed(1)} %`]);
			console.log(table(r2));
		}
	}
	console.log(table(rows));
	// the goal's pass: ≤ 2 s on the 2 threads of the product's pass (pipelines/alerts/pass-parallel.ts)
	const passPoints = productHourlySeries() * 8760;
	const perThread = passPoints / 2 / 2;
	console.log(
		`\nthroughput on ${Math.min(200, all.length)} of these count series (single thread, Sat/Sun day kinds, measured first in the process; the goal's pass needs ≥ ${Math.round(perThread).toLocaleString('en')} points/s a thread):`
	);
	console.log(`  detectSeries (ScoredPoint objects)   ${Math.round(speed.objects).toLocaleString('en')} points/s`);
	console.log(`  scoreColumns (typed arrays)          ${Math.round(speed.columns).toLocaleString('en')} points/s`);
	console.log(
		`  the goal's pass, ${(passPoints / 8760).toLocaleString('en')} series × 8,760 h = ${passPoints.toLocaleString('en')} points: ${(passPoints / speed.columns).toFixed(2)} s on one thread with scoreColumns, ≈ ${(passPoints / speed.columns / 2).toFixed(2)} s split over 2 worker threads (goal ≤ 2 s)`
	);
	console.log(
		`  (load average while measuring: ${loadAtSpeed.toFixed(2)} on ${availableParallelism()} cores; other processes slow it down)`
	);
}

/**
 * The series of the goal's pass: every level-1 and level-2 category × the city and each of its districts, from the
 * city's reference data (data/cities/suzhou.json names the files).
 */
function productHourlySeries(): number {
	const city = JSON.parse(readFileSync(join(ROOT, 'data', 'cities', 'suzhou.json'), 'utf8')) as {
		files: { categories: string; areas: string };
	};
	const lines = (f: string) => readFileSync(join(ROOT, 'data', f), 'utf8').split('\n').slice(1).filter((l) => l.trim());
	const categories = lines(city.files.categories).filter((l) => ['1', '2'].includes(l.split('\t')[1])).length;
	const districts = lines(city.files.areas).length;
	return categories * (districts + 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await nabBench(process.argv.slice(2));
