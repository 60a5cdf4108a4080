// Emerging-incident detection on the demo's injected incidents (`npm run bench -- alerts`): the product's own
// pass (series from the analytics store, detector, false-alert budget, grouping into incidents) over a whole demo
// year, scored against the generator's ground truth (data dir's demo-incidents.json), which the method never
// reads. Also the time of a full pass over a year of hourly series of all categories × districts.
//
// An injected incident counts as found when an alert links at least one of its tickets. Its delay: an accepted
// bucket's count is complete only at the bucket's end, so the alert is counted at the end of the first accepted
// bucket of any of the alert's series (a daily series' alert at midnight — a live round sees a partial day
// earlier, but this replay does not); the delay is the number of hours from the incident's start hour to the
// hour of that alert time (0: the hour it started). Median delay in hourly buckets.
// A false alert is an alert that links none of any incident's tickets. Days before the detector's warm-up ends
// count neither way.
// Also what a live detection round reads: its window of the last ROUND_WINDOW_DAYS days, without and with the
// watch lists' cell cache the server keeps between rounds (on a copy of the store, which gets one new ticket).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { defaultCalendar, shanghaiDay } from '../../pipelines/calendar/index';
import { groupFirings, watchlistsOfCategory } from '../../pipelines/alerts/incidents';
import { calendarDayKind, PASS_DEFAULTS, runPass, type Episode } from '../../pipelines/alerts/pass';
import { closePassWorker, runPassParallel, warmPassWorker } from '../../pipelines/alerts/pass-parallel';
import {
	bucketMs,
	readSeries,
	ROUND_WINDOW_DAYS,
	seriesTickets,
	WatchCellCache,
	windowFrom,
	type CountSeries,
	type WatchlistSpec
} from '../../pipelines/alerts/series';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Truth {
	id: string;
	name: string;
	domain: string;
	district_code: string;
	start: string;
	end: string;
	ticket_nos: string[];
}

export interface DemoFigures {
	incidents: number;
	found: number;
	recall: number;
	medianDelay: number | null;
	falseAlerts: number;
	days: number;
	falsePerDay: number;
	alerts: number;
}

/** A live detection round's read of its window (as the alert service calls readSeries), on a copy of the store. */
async function roundRead(dir: string, o: { cityCode: string; watchlists: WatchlistSpec[]; now: number }): Promise<string> {
	const scratch = mkdtempSync(join(tmpdir(), 'minqing-bench-round-'));
	try {
		const copy = join(scratch, 'copy.duckdb');
		copyFileSync(join(dir, 'minqing.duckdb'), copy);
		if (existsSync(join(dir, 'minqing.duckdb.wal'))) copyFileSync(join(dir, 'minqing.duckdb.wal'), `${copy}.wal`);
		const inst = await DuckDBInstance.create(copy);
		const conn = await inst.connect();
		try {
			await conn.run(`SET TimeZone = 'Asia/Shanghai'`);
			const window = { fromDay: windowFrom(o.now, ROUND_WINDOW_DAYS), now: o.now };
			const seconds = async (cache?: WatchCellCache) => {
				const t = performance.now();
				await readSeries(conn, window, { cityCode: o.cityCode, watchlists: o.watchlists, cache });
				return ((performance.now() - t) / 1000).toFixed(2);
			};
			const [[tickets]] = (
				await conn.runAndReadAll(`SELECT count(*)::INTEGER FROM tickets_fact WHERE day >= $from::DATE`, { from: window.fromDay })
			).getRows() as number[][];
			const direct = await seconds();
			const cache = new WatchCellCache();
			const first = await seconds(cache);
			const same = await seconds(cache);
			// a ticket more on the last day, as between two rounds of a working day
			await conn.run(`INSERT INTO tickets_fact SELECT * REPLACE (ticket_no || '-R' AS ticket_no, external_id || '-R' AS external_id)
				FROM tickets_fact WHERE day = (SELECT max(day) FROM tickets_fact) LIMIT 1`);
			const next = await seconds(cache);
			return (
				`a detection round's read of its ${ROUND_WINDOW_DAYS}-day window (${tickets.toLocaleString('en')} tickets, ${o.watchlists.length} watch lists): ` +
				`without the watch lists' cell cache ${direct} s; with it, the first round ${first} s, a round with nothing new ${same} s, ` +
				`a round after one new ticket ${next} s (${cache.lastComputed.length} hour read again)`
			);
		} finally {
			conn.closeSync();
			inst.closeSync();
		}
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
}

function ensureStore(dataDir: string | undefined, tickets: number): string {
	const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'minqing-bench-alerts-'));
	if (existsSync(join(dir, 'minqing.duckdb')) && existsSync(join(dir, 'demo-incidents.json'))) return dir;
	console.error(`… generating ${tickets.toLocaleString('en')} demo tickets (one year) in ${dir}`);
	const r = spawnSync(
		'npx',
		['tsx', 'src/lib/server/cli/main.ts', 'demo', '--tickets', String(tickets), '--data-dir', dir, '--analytics-only'],
		{
			cwd: ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit']
		}
	);
	if (r.status !== 0) throw new Error(`demo generation failed (exit ${r.status})`);
	return dir;
}

export async function demoBench(opts: { dataDir?: string; tickets: number }): Promise<DemoFigures> {
	const dir = ensureStore(opts.dataDir, opts.tickets);
	const inst = await DuckDBInstance.create(join(dir, 'minqing.duckdb'), { access_mode: 'READ_ONLY' });
	const conn = await inst.connect();
	await conn.run(`SET TimeZone = 'Asia/Shanghai'`);
	const truth = (JSON.parse(readFileSync(join(dir, 'demo-incidents.json'), 'utf8')) as { incidents: Truth[] }).incidents;
	const watchlists = (
		JSON.parse(readFileSync(join(ROOT, 'data', 'alerts', 'watchlists.json'), 'utf8')) as {
			watchlists: (WatchlistSpec & { name: string })[];
		}
	).watchlists;
	const city = (JSON.parse(readFileSync(join(ROOT, 'data', 'cities', 'suzhou.json'), 'utf8')) as { code: string }).code;
	const cal = defaultCalendar(join(ROOT, 'data', 'reference', 'holidays-extra.json'));
	const [[firstDay, lastMs, n]] = (
		await conn.runAndReadAll(`SELECT min(day)::VARCHAR, epoch_ms(max(received_at))::DOUBLE, count(*)::INTEGER FROM tickets_fact`)
	).getRows() as [string, number, number][];
	const now = Number(lastMs);
	console.log(
		`demo store: ${Number(n).toLocaleString('en')} tickets, ${firstDay} to ${shanghaiDay(now)}, ${truth.length} injected incidents (${dir})`
	);
	let t0 = performance.now();
	const series = await readSeries(conn, { fromDay: firstDay, now }, { cityCode: city, watchlists, topics: false });
	const readS = (performance.now() - t0) / 1000;
	const dayKind = calendarDayKind(cal);

	// the goal's figure: one year of hourly series, all categories × city and districts
	const hourlyCat = series.filter((s) => s.key.bucket === 'hour' && s.key.family === 'category');
	const calendarFile = join(ROOT, 'data', 'reference', 'holidays-extra.json');
	const hourly1 = runPass(hourlyCat, { dayKind });
	const tw = performance.now();
	await warmPassWorker();
	const warmS = (performance.now() - tw) / 1000;
	const hourly = await runPassParallel(hourlyCat, calendarFile);
	const again = await runPassParallel(hourlyCat, calendarFile);
	const pass = await runPassParallel(series, calendarFile);
	if (hourly.episodes.length !== hourly1.episodes.length)
		throw new Error('the two-thread pass found other episodes than the one-thread pass');
	console.log(
		`full pass: hourly categories × districts: ${hourlyCat.length} series, ${(hourly.points / 1e6).toFixed(2)} M points in ${hourly.seconds.toFixed(2)} s ` +
			`(2 threads, the worker started beforehand in ${warmS.toFixed(1)} s, its first pass; ${(hourly.points / hourly.seconds / 1e6).toFixed(1)} M points/s; goal ≤ 2 s; ` +
			`the next pass, as a server's scheduled rounds run, ${again.seconds.toFixed(2)} s; on one thread ${hourly1.seconds.toFixed(2)} s); every series (${series.length}: + daily, streets, watch lists): ` +
			`${(pass.points / 1e6).toFixed(2)} M points in ${pass.seconds.toFixed(2)} s; reading them from DuckDB ${readS.toFixed(1)} s`
	);
	console.log(await roundRead(dir, { cityCode: city, watchlists, now }));
	t0 = performance.now();
	for (const e of pass.episodes) e.tickets = (await seriesTickets(conn, e.key, e.onset, e.until, watchlists, 2000)).map((t) => t.ticketNo);
	const incidents = groupFirings(pass.episodes, { watchlistsOf: watchlistsOfCategory(watchlists), cityCode: city });
	console.log(
		`${pass.episodes.length} accepted episodes → ${incidents.length} alerts (α = ${pass.alpha.toExponential(2)}, ${pass.perDay} series-buckets a day; linking tickets ${((performance.now() - t0) / 1000).toFixed(1)} s)`
	);

	const warm = Date.parse(`${firstDay}T00:00:00+08:00`) + PASS_DEFAULTS.warmupDays.day * 86_400_000;
	/** when the accepted bucket's count was complete */
	const accepted = (e: Episode) => e.series.start + (e.acceptIndex + 1) * bucketMs(e.key.bucket);
	const H = 3_600_000;
	const scored = truth.filter((t) => Date.parse(t.start) >= warm && t.ticket_nos.length);
	const used = new Set<number>();
	const delays: number[] = [];
	const rows: string[][] = [['incident', 'kind', 'district', 'start', 'tickets', 'found by', 'delay']];
	for (const t of scored) {
		const mine = new Set(t.ticket_nos);
		const start = Date.parse(t.start);
		let best: { delay: number; label: string } | null = null;
		incidents.forEach((inc, i) => {
			if (![...inc.tickets].some((x) => mine.has(x))) return;
			used.add(i);
			const first = inc.firings.reduce((a, b) => (accepted(a as Episode) <= accepted(b as Episode) ? a : b)) as Episode;
			const delay = Math.max(0, Math.floor((accepted(first) - 1) / H) - Math.floor(start / H));
			if (!best || delay < best.delay) best = { delay, label: `${first.id} (${first.key.bucket})` };
		});
		const b = best as { delay: number; label: string } | null;
		if (b) delays.push(b.delay);
		rows.push([
			t.id,
			t.name,
			t.district_code,
			t.start.slice(0, 16),
			String(t.ticket_nos.length),
			b ? b.label : 'MISSED',
			b ? String(b.delay) : ''
		]);
	}
	const falseAlerts = incidents.filter((inc, i) => !used.has(i) && inc.onset >= warm);
	const days = (now - warm) / 86_400_000;
	delays.sort((a, b) => a - b);
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
	for (const r of rows) console.log('  ' + r.map((c, i) => c.padEnd(widths[i])).join('  '));
	const fig: DemoFigures = {
		incidents: scored.length,
		found: delays.length,
		recall: scored.length ? delays.length / scored.length : 0,
		medianDelay: delays.length ? delays[Math.floor((delays.length - 1) / 2)] : null,
		falseAlerts: falseAlerts.length,
		days,
		falsePerDay: falseAlerts.length / days,
		alerts: incidents.length
	};
	console.log(
		`demo incidents: recall ${fig.found}/${fig.incidents} = ${(fig.recall * 100).toFixed(1)} % (goal ≥ 90 %), median delay ${fig.medianDelay} hourly buckets (goal ≤ 2), ` +
			`false alerts ${fig.falseAlerts} over ${days.toFixed(0)} days = ${fig.falsePerDay.toFixed(2)} a day city-wide (goal ≤ 1)`
	);
	const kinds = new Map<string, number>();
	for (const f of falseAlerts) kinds.set(kindOf(f.primary as Episode), (kinds.get(kindOf(f.primary as Episode)) ?? 0) + 1);
	console.log(
		`false alerts by series kind: ${[...kinds]
			.sort((a, b) => b[1] - a[1])
			.map(([k, v]) => `${k} ${v}`)
			.join(', ')}`
	);
	await closePassWorker();
	conn.closeSync();
	inst.closeSync();
	return fig;
}

function kindOf(e: { key: CountSeries['key'] }): string {
	return `${e.key.family}/${e.key.level}/${e.key.bucket}`;
}
