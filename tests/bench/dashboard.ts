// Dashboard latency, DuckDB against PostgreSQL: `npm run bench -- dashboard [--tickets N] [--data-dir DIR] [--keep] [--runs K]`.
//
// Opens (or first generates) a demo analytics store with the server's DuckDB settings, times the rollup
// maintenance that puts rows in clusterOrder again (the last month, every month), loads a PostgreSQL 15
// server with the same rows (the rollups and the open tickets in full, the ticket facts' columns the reads use), then
// times every read of DASHBOARD_READS under a fixed set of filters on both engines with the same `now`:
// one warm-up, then K timed runs each. Prints p50/p95 per read × filter and per read, the PostgreSQL/DuckDB
// ratios and the goals (p95 ≤ 100 ms on DuckDB; DuckDB ≥ 10× faster). It also checks that both engines give
// the same answers (numbers to 6 significant digits) and exits non-zero when they do not.
//
// PostgreSQL: a throwaway server from tests/support/postgres.sh (stopped at the end, also on failure or ^C),
// or the server at MINQING_BENCH_PG_URL (a superuser on this machine: the load is a server-side COPY of CSV
// files; the tables go to a scratch schema that is dropped at the end).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { defaultCalendar } from '../../pipelines/calendar/index';
import { loadReference, type Reference } from '../../pipelines/reference/index';
import { CLUSTER_ORDER, CLUSTERED_TABLES, OPEN_STATUS_SQL, OPEN_TICKETS, ROLLUPS, UNIT_ROUNDS } from '../../pipelines/warehouse/rollups';
import { clusterRollups, maintainRollups, markUnclustered } from '../../pipelines/warehouse/schema';
import { DASHBOARD_READS, type DashboardContext } from '../../src/lib/server/analytics/dashboard';
import { openAnalytics, type AnalyticsStore } from '../../src/lib/server/analytics/duckdb';
import { parseDashboardFilter } from '../../src/lib/server/analytics/filters';
import { duckRunner, pgRunner, positional, type SqlParams, type SqlRunner } from '../../src/lib/server/analytics/sql';

const ROOT = resolve(import.meta.dirname, '..', '..');
const GOAL_P95_MS = 100;
const GOAL_RATIO = 10;

/** The ticket-fact columns the dashboard reads touch (dashboard.ts, filters.ts, rollups.ts' measures). */
const FACT_COLUMNS_USED = [
	'ticket_no', 'day', 'hour', 'district_code', 'street_code', 'category_l1', 'category_l2', 'category_code', 'type', 'channel', 'unit_code',
	'status', 'received_at', 'dispatched_at', 'signed_at', 'replied_at', 'sign_deadline', 'reply_deadline', 'satisfaction',
	'returns', 'extensions', 'reopens', 'lon', 'lat'
];

/** PostgreSQL server options of the throwaway server: a fair analytical setup for this machine. */
const PG_SERVER_OPTS = [
	'shared_buffers=2GB', // as much as DuckDB's memory limit
	'work_mem=64MB',
	'maintenance_work_mem=1GB',
	'effective_cache_size=8GB',
	'random_page_cost=1.1',
	'max_parallel_workers_per_gather=2',
	'max_parallel_maintenance_workers=2',
	'jit=off', // JIT compiles for 100+ ms on queries this size: off is PostgreSQL's better setting here
	'wal_level=minimal', // with CREATE TABLE + COPY in one transaction the load skips the WAL
	'max_wal_senders=0',
	'max_wal_size=8GB',
	'synchronous_commit=off'
];
/** Session settings, also applied on a server given by MINQING_BENCH_PG_URL. */
const PG_SESSION: [string, string][] = [
	['TimeZone', 'Asia/Shanghai'],
	['work_mem', '64MB'],
	['max_parallel_workers_per_gather', '2'],
	['jit', 'off']
];

/**
 * The session settings (and the scratch schema as search_path) as the connection's start-up options: in effect
 * before its first statement, with nothing sent on a client that may already be running one.
 */
function pgSessionOptions(schema: string | null): string {
	return [...PG_SESSION, ...(schema ? [['search_path', schema] as [string, string]] : [])].map(([k, v]) => `-c ${k}=${v}`).join(' ');
}

/**
 * Indexes PostgreSQL gets: `day` on every table, composites (district or category, then day) on the tables
 * that have those columns, and the open tickets of the facts (partial).
 */
function pgIndexes(schema: string, tables: { table: string; columns: { name: string }[] }[]): string[] {
	const out: string[] = [];
	for (const t of tables) {
		const has = (c: string) => t.columns.some((x) => x.name === c);
		out.push(`CREATE INDEX ON ${schema}.${t.table} (day)`);
		for (const c of ['district_code', 'category_l1', 'category_l2']) if (has(c)) out.push(`CREATE INDEX ON ${schema}.${t.table} (${c}, day)`);
		if (t.table === 'tickets_fact') out.push(`CREATE INDEX ON ${schema}.tickets_fact (day) WHERE status IN ${OPEN_STATUS_SQL}`);
	}
	return out;
}

interface Column {
	name: string;
	duck: string;
	pg: string;
	notNull: boolean;
}

function pgType(duck: string): string {
	const t = duck.toUpperCase();
	if (t === 'VARCHAR') return 'text';
	if (t === 'DATE') return 'date';
	if (t === 'TIMESTAMP WITH TIME ZONE' || t === 'TIMESTAMPTZ') return 'timestamptz';
	if (t === 'TINYINT' || t === 'SMALLINT') return 'smallint';
	if (t === 'INTEGER') return 'integer';
	if (t === 'BIGINT') return 'bigint';
	if (t === 'DOUBLE') return 'double precision';
	if (t === 'BOOLEAN') return 'boolean';
	throw new Error(`no PostgreSQL type for DuckDB type ${duck}`);
}

async function duckColumns(conn: DuckDBConnection, table: string): Promise<Omit<Column, 'pg'>[]> {
	const rows = (
		await conn.runAndReadAll(`SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position`, { t: table })
	).getRows();
	return rows.map(([name, type, nullable]) => ({ name: String(name), duck: String(type), notNull: nullable === 'NO' }));
}

function pct(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmtN = (n: number) => n.toLocaleString('en');
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;

/** Width on a terminal: CJK characters take two columns. */
const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
const padEnd = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - width(s))) + s;

function table(rows: string[][], indent = '  '): string {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => width(r[i]))));
	return rows.map((r) => indent + r.map((c, i) => (i === 0 || i === 1 ? padEnd(c, widths[i]) : padStart(c, widths[i]))).join('  ').trimEnd()).join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Comparing the two engines' answers

/** Numbers to 6 significant digits, object keys sorted. */
function normalise(v: unknown): unknown {
	if (typeof v === 'number') return Number.isFinite(v) ? Number(v.toPrecision(6)) : String(v);
	if (Array.isArray(v)) return v.map(normalise);
	if (v && typeof v === 'object') {
		const o = v as Record<string, unknown>;
		return Object.fromEntries(Object.keys(o).sort().map((k) => [k, normalise(o[k])]));
	}
	return v;
}

function comparable(read: string, result: unknown): unknown {
	const r = { ...(result as Record<string, unknown>) };
	if (read === 'overview') {
		// topics live in the analytics store only: PostgreSQL's overview has none
		delete r.topics;
		delete r.topicsAsOf;
		delete r.topicsWindow;
	}
	if (read === 'map' && Array.isArray(r.points)) {
		// an unordered GROUP BY: compared as bins "lon,lat" → count
		const bins: Record<string, number> = {};
		for (const p of r.points as { lon: number; lat: number; n: number }[]) bins[`${p.lon},${p.lat}`] = p.n;
		r.points = bins;
	}
	return normalise(r);
}

function differences(a: unknown, b: unknown, path: string, out: { path: string; duck: unknown; pg: unknown }[]): void {
	if (out.length >= 1000) return;
	if (Array.isArray(a) && Array.isArray(b)) {
		if (a.length !== b.length) out.push({ path: `${path}.length`, duck: a.length, pg: b.length });
		for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${path}[${i}]`, out);
		return;
	}
	if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
		const ka = a as Record<string, unknown>;
		const kb = b as Record<string, unknown>;
		for (const k of new Set([...Object.keys(ka), ...Object.keys(kb)])) differences(ka[k], kb[k], `${path}.${k}`, out);
		return;
	}
	if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, duck: a, pg: b });
}

// ---------------------------------------------------------------------------------------------------------
// PostgreSQL: a throwaway server, or the one at MINQING_BENCH_PG_URL

interface PgServer {
	url: string;
	/** the throwaway server's directory while it runs; null once stopped */
	dir: string | null;
	/** MINQING_BENCH_PG_URL: not ours to stop */
	external: boolean;
}

function startPg(): PgServer {
	const given = process.env.MINQING_BENCH_PG_URL;
	if (given) return { url: given, dir: null, external: true };
	console.error('… starting a throwaway PostgreSQL server (tests/support/postgres.sh)');
	const r = spawnSync('bash', [join(ROOT, 'tests', 'support', 'postgres.sh'), 'start'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, MINQING_PG_OPTS: PG_SERVER_OPTS.map((o) => `-c ${o}`).join(' ') }
	});
	const url = /MINQING_TEST_PG_URL=(\S+)/.exec(r.stdout ?? '')?.[1];
	const dir = /MINQING_PG_DIR=(\S+)/.exec(r.stdout ?? '')?.[1];
	if (r.status !== 0 || !url || !dir) throw new Error(`tests/support/postgres.sh start failed (exit ${r.status}): ${r.stdout}`);
	return { url, dir, external: false };
}

function stopPg(s: PgServer): void {
	if (!s.dir) return;
	spawnSync('bash', [join(ROOT, 'tests', 'support', 'postgres.sh'), 'stop', s.dir], { stdio: ['ignore', 'ignore', 'inherit'] });
	console.error('… PostgreSQL stopped');
	s.dir = null;
}

/** Connections per engine for the reads (the server's read runner has as many). */
const READERS = 3;

async function pgClient(url: string, schema: string | null): Promise<pg.Client> {
	const c = new pg.Client({ connectionString: url, options: pgSessionOptions(schema) });
	c.on('error', (e) => console.error(`PostgreSQL connection: ${e.message}`));
	await c.connect();
	return c;
}

/** Runs tasks with at most `n` at a time. */
async function limited<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
	const out: T[] = new Array(tasks.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(n, tasks.length) }, async () => {
			while (next < tasks.length) {
				const i = next++;
				out[i] = await tasks[i]();
			}
		})
	);
	return out;
}

interface Loaded {
	table: string;
	columns: Column[];
	/** rows COPY reported */
	rows: number;
	/** seconds of the COPY */
	seconds: number;
}

/** Exports the tables from DuckDB as CSV (in DuckDB's row order: clusterOrder, else by day) and COPYs them into PostgreSQL, with indexes and statistics. */
async function loadPostgres(conn: DuckDBConnection, url: string, schema: string, tables: { table: string; only?: string[] }[]): Promise<Loaded[]> {
	const csvDir = mkdtempSync(join(tmpdir(), 'minqing-bench-csv-'));
	chmodSync(csvDir, 0o755); // the server runs as the postgres user
	const clients = await Promise.all([pgClient(url, null), pgClient(url, null)]);
	try {
		await clients[0].query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
		await clients[0].query(`CREATE SCHEMA ${schema}`);
		const plans: Loaded[] = [];
		for (const t of tables) {
			let cols = await duckColumns(conn, t.table);
			if (t.only) {
				const missing = t.only.filter((c) => !cols.some((x) => x.name === c));
				if (missing.length) throw new Error(`${t.table} has no column ${missing.join(', ')}`);
				cols = cols.filter((c) => t.only!.includes(c.name));
			}
			plans.push({ table: t.table, columns: cols.map((c) => ({ ...c, pg: pgType(c.duck) })), rows: 0, seconds: 0 });
		}
		// DuckDB writes every CSV first (its two threads), then PostgreSQL loads two tables at a time
		const t0 = performance.now();
		for (const p of plans) {
			const file = join(csvDir, `${p.table}.csv`);
			// in the order DuckDB keeps the table in: PostgreSQL's heap then holds one district's rows together too
			const order = CLUSTERED_TABLES.includes(p.table) ? CLUSTER_ORDER : 'day';
			await conn.run(
				`COPY (SELECT ${p.columns.map((c) => c.name).join(', ')} FROM ${p.table} ORDER BY ${order}) TO '${file}' (HEADER, DELIMITER ',')`
			);
			chmodSync(file, 0o644);
		}
		const csvBytes = plans.reduce((s, p) => s + statSync(join(csvDir, `${p.table}.csv`)).size, 0);
		const t1 = performance.now();
		console.error(`  CSV export from DuckDB: ${((t1 - t0) / 1000).toFixed(1)} s, ${(csvBytes / 1e6).toFixed(0)} MB`);
		const free = [...clients];
		const take = () => free.pop()!;
		const give = (c: pg.Client) => free.push(c);
		await limited(
			2,
			plans.map((p) => async () => {
				const c = take();
				try {
					const ts = performance.now();
					const ddl = p.columns.map((col) => `${col.name} ${col.pg}${col.notNull ? ' NOT NULL' : ''}`).join(', ');
					await c.query('BEGIN');
					await c.query(`CREATE TABLE ${schema}.${p.table} (${ddl})`);
					const r = await c.query(`COPY ${schema}.${p.table} (${p.columns.map((col) => col.name).join(', ')}) FROM '${join(csvDir, `${p.table}.csv`)}' WITH (FORMAT csv, HEADER true)`);
					await c.query('COMMIT');
					p.rows = r.rowCount ?? 0;
					p.seconds = (performance.now() - ts) / 1000;
					console.error(`  COPY ${p.table}: ${fmtN(p.rows)} rows in ${p.seconds.toFixed(1)} s`);
				} finally {
					give(c);
				}
			})
		);
		rmSync(csvDir, { recursive: true, force: true });
		const t2 = performance.now();
		const indexes = pgIndexes(schema, plans);
		await limited(
			2,
			indexes.map((sql) => async () => {
				const c = take();
				try {
					await c.query(sql);
				} finally {
					give(c);
				}
			})
		);
		const t3 = performance.now();
		await limited(
			2,
			plans.map((p) => async () => {
				const c = take();
				try {
					await c.query(`VACUUM (ANALYZE) ${schema}.${p.table}`);
				} finally {
					give(c);
				}
			})
		);
		// written out before timing starts, so no checkpoint of the load runs under the timed reads
		await clients[0].query('CHECKPOINT');
		const t4 = performance.now();
		console.log(
			`PostgreSQL load: CSV export ${((t1 - t0) / 1000).toFixed(1)} s (${(csvBytes / 1e6).toFixed(0)} MB) · COPY ${((t2 - t1) / 1000).toFixed(1)} s · ` +
				`${indexes.length} indexes ${((t3 - t2) / 1000).toFixed(1)} s · VACUUM ANALYZE ${((t4 - t3) / 1000).toFixed(1)} s · total ${((t4 - t0) / 1000).toFixed(1)} s`
		);
		return plans;
	} finally {
		rmSync(csvDir, { recursive: true, force: true });
		await Promise.all(clients.map((c) => c.end().catch(() => {})));
	}
}

/**
 * Per-column fingerprints of a table, in SQL both engines run: non-null count, and a sum that changes with
 * every value (numbers, days since 2000, epoch seconds, text lengths).
 */
function fingerprintSql(table: string, cols: Column[]): string {
	const parts = [`count(*)::FLOAT8 AS n`];
	cols.forEach((c, i) => {
		parts.push(`count(${c.name})::FLOAT8 AS c${i}`);
		const v =
			c.pg === 'text'
				? `length(${c.name})`
				: c.pg === 'date'
					? `(${c.name} - DATE '2000-01-01')`
					: c.pg === 'timestamptz'
						? `extract(epoch FROM ${c.name})`
						: c.pg === 'boolean'
							? `CASE WHEN ${c.name} THEN 1 ELSE 0 END`
							: c.name;
		parts.push(`sum(${v})::FLOAT8 AS s${i}`);
	});
	return `SELECT ${parts.join(', ')} FROM ${table}`;
}

// ---------------------------------------------------------------------------------------------------------

interface Cell {
	read: string;
	filter: string;
	duck: number[];
	pg: number[];
}

export async function dashboardBench(argv: string[]): Promise<void> {
	const { values } = parseArgs({
		args: argv,
		options: {
			tickets: { type: 'string', default: '1000000' },
			'data-dir': { type: 'string' },
			keep: { type: 'boolean', default: false },
			runs: { type: 'string', default: '10' }
		}
	});
	const tickets = Number(values.tickets.replaceAll('_', ''));
	const runs = Number(values.runs);
	if (!Number.isInteger(tickets) || tickets < 1) throw new Error(`--tickets ${values.tickets}: a positive integer`);
	if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: a positive integer`);
	const dir = values['data-dir'] ? resolve(values['data-dir']) : mkdtempSync(join(tmpdir(), 'minqing-bench-dashboard-'));
	const scratch = !values['data-dir'];
	const schema = `minqing_bench_${process.pid}`;

	let server: PgServer | null = null;
	let store: AnalyticsStore | null = null;
	const cleanup = () => {
		if (server) stopPg(server);
		if (scratch && !values.keep) rmSync(dir, { recursive: true, force: true });
	};
	const onSignal = (sig: NodeJS.Signals) => {
		console.error(`\n${sig}: stopping`);
		try {
			cleanup();
		} finally {
			process.exit(130);
		}
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);

	let failed = false;
	try {
		// 1. the DuckDB store, as the server opens it
		const dbPath = join(dir, 'minqing.duckdb');
		if (!existsSync(dbPath)) {
			mkdirSync(dir, { recursive: true });
			console.error(`… generating ${fmtN(tickets)} demo tickets (analytics only, no text analysis) in ${dir}`);
			const t0 = performance.now();
			const r = spawnSync('npx', ['tsx', 'src/lib/server/cli/main.ts', 'demo', '--tickets', String(tickets), '--analytics-only', '--data-dir', dir], {
				cwd: ROOT,
				stdio: ['ignore', 'ignore', 'inherit']
			});
			if (r.status !== 0) throw new Error(`demo generation failed (exit ${r.status})`);
			console.log(`generated ${fmtN(tickets)} demo tickets in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
		} else console.error(`… reusing ${dbPath}`);
		const memory = process.env.MINQING_DUCKDB_MEMORY ?? '2GB';
		const tOpen = performance.now();
		store = await openAnalytics(dbPath, memory); // threads 2, the memory limit, ensureWarehouse
		const conn = store.conn;
		console.error(`… DuckDB store open (ensureWarehouse) in ${((performance.now() - tOpen) / 1000).toFixed(1)} s`);
		// rows written out of clusterOrder (or a store from before it) are put in order, as the server's maintenance does
		const clustered = await maintainRollups(conn);
		if (clustered)
			console.log(`rollup rows put in order from ${clustered.fromDay}: ${fmtN(clustered.rows)} rows in ${clustered.seconds.toFixed(1)} s`);
		const q1 = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS()[0] as Record<string, unknown>;
		// what the server's maintenance costs on this store: the last month's rows, then every row, put in order again
		const { month } = await q1(`SELECT strftime(max(day), '%Y-%m-01') AS month FROM tickets_fact`);
		for (const [what, from] of [
			['the last month', String(month)],
			['every month', '0001-01-01']
		]) {
			await markUnclustered(conn, from);
			const r = (await clusterRollups(conn))!;
			console.log(`rollup maintenance (clusterRollups), ${what}: ${fmtN(r.rows)} rows put in order again in ${r.seconds.toFixed(1)} s`);
		}

		// the instant the figures are computed for: now, or the store's last ticket when the store is older
		const { last } = await q1(`SELECT epoch_ms(max(received_at))::DOUBLE AS last FROM tickets_fact`);
		if (last === null) throw new Error(`${dbPath} has no tickets`);
		const wall = Date.now();
		const now = Number(last) < wall - 3_600_000 ? Number(last) + 1000 : wall;

		// 2. PostgreSQL with the same rows
		server = startPg();
		// every table the reads use: the rollups and the open tickets in full, the facts' columns the reads touch
		const tables = [...ROLLUPS.map((r) => ({ table: r.table })), { table: OPEN_TICKETS.table }, { table: UNIT_ROUNDS.table }, { table: 'tickets_fact', only: FACT_COLUMNS_USED }];
		const loaded = await loadPostgres(conn, server.url, schema, tables);
		const client = await pgClient(server.url, schema);
		const pools: pg.Pool[] = [];
		try {
			const [{ version: pgVersion }] = (await client.query(`SELECT current_setting('server_version') AS version`)).rows as { version: string }[];
			const pgSettings = Object.fromEntries(
				(await client.query(`SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit', 'effective_cache_size', 'random_page_cost')`)).rows.map(
					(r) => [r.name as string, r.unit === '8kB' ? `${Math.round((Number(r.setting) * 8) / 1024)}MB` : r.unit === 'kB' ? `${Math.round(Number(r.setting) / 1024)}MB` : String(r.setting)]
				)
			);
			const { version: duckVersion } = await q1(`SELECT version() AS version`);

			// the copies must hold the same rows: counts and per-column fingerprints
			const sizes: string[][] = [['table', 'columns', 'DuckDB rows', 'PostgreSQL rows', 'COPY s', 'PostgreSQL size']];
			const mismatches: string[] = [];
			for (const l of loaded) {
				const sql = fingerprintSql(l.table, l.columns);
				const d = (await conn.runAndReadAll(sql)).getRowObjectsJS()[0] as Record<string, unknown>;
				const p = (await client.query(sql)).rows[0] as Record<string, unknown>;
				const pgBytes = Number((await client.query(`SELECT pg_total_relation_size($1) AS b`, [`${schema}.${l.table}`])).rows[0].b);
				sizes.push([l.table, String(l.columns.length), fmtN(Number(d.n)), fmtN(Number(p.n)), l.seconds.toFixed(1), `${(pgBytes / 1e6).toFixed(0)} MB`]);
				if (Number(d.n) !== Number(p.n) || l.rows !== Number(d.n)) mismatches.push(`${l.table}: DuckDB ${d.n} rows, PostgreSQL ${p.n} (COPY said ${l.rows})`);
				for (const k of Object.keys(d)) {
					const a = Number(d[k]);
					const b = Number(p[k]);
					if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) {
						const i = Number(k.slice(1));
						mismatches.push(`${l.table}.${l.columns[i]?.name ?? k}: ${k[0] === 'c' ? 'non-null count' : 'sum'} DuckDB ${a}, PostgreSQL ${b}`);
					}
				}
			}
			if (mismatches.length) throw new Error(`PostgreSQL does not hold the same rows as DuckDB:\n  ${mismatches.join('\n  ')}`);
			const factCols = loaded.find((l) => l.table === 'tickets_fact')!.columns.map((c) => c.name);
			const leftOut = (await duckColumns(conn, 'tickets_fact')).map((c) => c.name).filter((c) => !factCols.includes(c));

			// 3. the filters, with codes from the data: the busiest district, level-1 category and its busiest level-2
			const ref: Reference = loadReference();
			const cal = defaultCalendar(join(ROOT, 'data', 'reference', 'holidays-extra.json'));
			const top = async (col: string, where = '') =>
				String((await q1(`SELECT ${col} AS k FROM rollup_daily WHERE ${col} IS NOT NULL${where} GROUP BY 1 ORDER BY sum(n) DESC, 1 LIMIT 1`)).k);
			const district = await top('district_code');
			const cat1 = await top('category_l1');
			const cat2 = await top('category_l2', ` AND category_l1 = '${cat1.replaceAll("'", "''")}'`);
			const filters = [
				'period=today',
				'period=7d',
				'period=30d',
				'period=90d',
				'period=365d',
				`period=30d&district=${district}`,
				`period=30d&category=${cat1}`,
				`period=30d&category=${cat2}`,
				`period=7d&district=${district}&category=${cat1}`,
				`period=30d&channel=phone&type=投诉`,
				`period=365d&district=${district}&type=投诉`
			];
			for (const q of filters) {
				const { problems } = parseDashboardFilter(new URLSearchParams(q), ref, now);
				if (problems.length) throw new Error(`filter ${q}: ${problems.join('; ')}`);
			}
			const [{ runs: topicRuns }] = (await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS runs FROM topic_runs`)).getRowObjectsJS() as { runs: number }[];

			// 4. time every read × filter on both engines, and compare their answers
			// one runner per engine for the whole run, as the server keeps one per app: the same number of
			// connections on each side, so both engines get to run a page's independent reads side by side
			const duckConns = [];
			for (let i = 0; i < READERS; i++) duckConns.push(await store.connect());
			const duckDbRunner = duckRunner(duckConns);
			const pool = new pg.Pool({ connectionString: server.url, max: READERS, options: pgSessionOptions(schema) });
			pools.push(pool);
			const pgDbRunner = pgRunner(pool);
			const duckCtx = (): DashboardContext => ({ db: duckDbRunner, ref, cal, now });
			const pgCtx = (): DashboardContext => ({ db: pgDbRunner, ref, cal, now });
			const cells: Cell[] = [];
			const diffs: string[] = [];
			let compared = 0;
			for (const read of DASHBOARD_READS) {
				for (const q of filters) {
					const { filter } = parseDashboardFilter(new URLSearchParams(q), ref, now);
					const cell: Cell = { read: read.name, filter: q, duck: [], pg: [] };
					const duckResult = await read.run(duckCtx(), filter);
					const pgResult = await read.run(pgCtx(), filter);
					// the engines take turns, so a busy moment of the machine falls on both alike
					for (let i = 0; i < runs; i++) {
						let t = performance.now();
						await read.run(duckCtx(), filter);
						cell.duck.push(performance.now() - t);
						t = performance.now();
						await read.run(pgCtx(), filter);
						cell.pg.push(performance.now() - t);
					}
					cells.push(cell);
					compared++;
					const out: { path: string; duck: unknown; pg: unknown }[] = [];
					differences(comparable(read.name, duckResult), comparable(read.name, pgResult), read.name, out);
					if (out.length) {
						const shown = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
						const byField = new Map<string, number>();
						for (const d of out) {
							const f = d.path.split(/[.[]/)[1] ?? d.path;
							byField.set(f, (byField.get(f) ?? 0) + 1);
						}
						diffs.push(
							`${read.name} ?${q}: ${out.length >= 1000 ? '1000+' : out.length} difference(s) (${[...byField].map(([f, n]) => `${f} ${n}`).join(', ')})\n` +
								out
									.slice(0, 8)
									.map((d) => `    ${d.path}: DuckDB ${shown(d.duck)} · PostgreSQL ${shown(d.pg)}`)
									.join('\n')
						);
					}
					const ds = [...cell.duck].sort((a, b) => a - b);
					const ps = [...cell.pg].sort((a, b) => a - b);
					console.error(`  ${padEnd(read.name, 8)} ${padEnd(q, 44)} DuckDB p95 ${padStart(ms(pct(ds, 95)), 6)} ms · PostgreSQL p95 ${padStart(ms(pct(ps, 95)), 7)} ms${out.length ? ' · DIFFERENT' : ''}`);
				}
			}

			// 5. the report
			const [{ n: nTickets }] = (await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM tickets_fact`)).getRowObjectsJS() as { n: number }[];
			const cpu = cpus();
			console.log(`\ndashboard reads: DuckDB against PostgreSQL, the same SQL (src/lib/server/analytics/dashboard.ts) on the same rows`);
			console.log(`machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM`);
			console.log(`DuckDB ${duckVersion}: threads 2, memory_limit ${memory} (the server's settings); store ${(statSync(dbPath).size / 1e9).toFixed(2)} GB`);
			console.log(
				`PostgreSQL ${pgVersion}${server.external ? ' (MINQING_BENCH_PG_URL)' : ' (throwaway server)'}: ` +
					Object.entries(pgSettings).map(([k, v]) => `${k} ${v}`).join(', ') +
					`; ${pgIndexes(schema, loaded).length} indexes (day on every table; (district_code, day), (category_l1, day), (category_l2, day) where the columns exist; tickets_fact (day) WHERE status is open), rows loaded in DuckDB's order (by month, district, day where there is a district; else by day), VACUUM ANALYZE`
			);
			console.log(`data: ${fmtN(nTickets)} tickets`);
			console.log(table(sizes));
			console.log(`tickets_fact in PostgreSQL: ${factCols.join(', ')}`);
			console.log(`  left out (no dashboard read touches them: text, tokens and other columns): ${leftOut.join(', ')}`);
			console.log(
				`overview: on PostgreSQL the topics panel is skipped (topic tables live in the analytics store only); ` +
					`DuckDB's timings include it (${topicRuns} topic run${topicRuns === 1 ? '' : 's'} in this store${topicRuns ? '' : ': an empty read'})`
			);
			console.log(`now: ${new Date(now).toISOString()}${now !== wall ? ' (the store’s last ticket: it is older than an hour)' : ''}; each read × filter: 1 warm-up per engine, then ${runs} timed runs per engine, the engines taking turns; one runner per engine for the whole run, as service.ts keeps one per app, each preparing a statement text once per connection`);

			const stats = (xs: number[]) => {
				const s = [...xs].sort((a, b) => a - b);
				return { p50: pct(s, 50), p95: pct(s, 95) };
			};
			console.log(`\nper read × filter (ms; ratio = PostgreSQL / DuckDB)`);
			const detail: string[][] = [['read', 'filter', 'DuckDB p50', 'p95', 'PostgreSQL p50', 'p95', 'ratio p95', 'ratio p50']];
			for (const c of cells) {
				const d = stats(c.duck);
				const p = stats(c.pg);
				detail.push([c.read, c.filter, ms(d.p50), ms(d.p95), ms(p.p50), ms(p.p95), ratio(p.p95, d.p95), ratio(p.p50, d.p50)]);
			}
			console.log(table(detail));

			console.log(`\nper read, all ${filters.length} filters pooled (n = ${filters.length * runs} per engine); worst filter = highest DuckDB p95`);
			const summary: string[][] = [['read', 'worst filter', 'DuckDB p50', 'p95', 'PostgreSQL p50', 'p95', 'ratio p95', 'ratio p50', 'worst: DuckDB p95', 'PG p95', 'ratio']];
			const goals: { read: string; p95: number; worst: number; ratio95: number }[] = [];
			for (const read of DASHBOARD_READS) {
				const mine = cells.filter((c) => c.read === read.name);
				const d = stats(mine.flatMap((c) => c.duck));
				const p = stats(mine.flatMap((c) => c.pg));
				const worst = mine.reduce((w, c) => (stats(c.duck).p95 > stats(w.duck).p95 ? c : w));
				const wd = stats(worst.duck);
				const wp = stats(worst.pg);
				summary.push([read.name, worst.filter, ms(d.p50), ms(d.p95), ms(p.p50), ms(p.p95), ratio(p.p95, d.p95), ratio(p.p50, d.p50), ms(wd.p95), ms(wp.p95), ratio(wp.p95, wd.p95)]);
				goals.push({ read: read.name, p95: d.p95, worst: wd.p95, ratio95: p.p95 / d.p95 });
			}
			console.log(table(summary));

			console.log(`\ngoals over ${fmtN(nTickets)} tickets (the issue's goals are for 10,000,000)`);
			for (const g of goals) {
				console.log(
					`  ${g.read.padEnd(8)} DuckDB p95 ≤ ${GOAL_P95_MS} ms: ${g.p95 <= GOAL_P95_MS ? 'met' : 'MISSED'} (${ms(g.p95)} ms; worst filter ${ms(g.worst)} ms${g.worst <= GOAL_P95_MS ? '' : ', over'})` +
						` · ≥ ${GOAL_RATIO}× faster than PostgreSQL (p95): ${g.ratio95 >= GOAL_RATIO ? 'met' : 'MISSED'} (${g.ratio95.toFixed(1)}×)`
				);
			}

			console.log(`\nsame answers on both engines (numbers to 6 significant digits; overview topics excluded; map points compared as a set of bins):`);
			if (diffs.length) {
				failed = true;
				console.log(`  ${diffs.length} of ${compared} read × filter results DIFFER:`);
				for (const d of diffs) console.log(`  ${d}`);
			} else console.log(`  all ${compared} read × filter results agree`);
		} finally {
			for (const p of pools) await p.end().catch(() => {});
			await client.end().catch(() => {});
		}
	} finally {
		if (server?.external) {
			// an existing server: drop the scratch schema unless asked to keep it
			if (!values.keep) {
				const c = await pgClient(server.url, null).catch(() => null);
				await c?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
				await c?.end().catch(() => {});
			} else console.error(`… kept schema ${schema} on MINQING_BENCH_PG_URL`);
		}
		store?.close();
		cleanup();
		if (scratch && values.keep) console.error(`… kept the store in ${dir} (reuse it with --data-dir ${dir})`);
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
	}
	if (failed) {
		console.error('dashboard bench: the engines disagree (see above)');
		process.exitCode = 1;
	}
}
