// One way to run the dashboard queries on either engine: the analytics store (DuckDB) in the app, and a
// PostgreSQL server loaded with the same rows in the dashboard benchmark. The SQL is written once in the
// subset both engines share (FILTER clauses, `::FLOAT8`, `CAST(day AS VARCHAR)`, `to_timestamp(seconds)`),
// with named parameters `$name`; PostgreSQL gets them rewritten to positional `$1…`.
import { createHash } from 'node:crypto';
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';

export type SqlValue = string | number | boolean | null;
export type SqlParams = Record<string, SqlValue>;

export interface SqlRunner {
	readonly engine: 'duckdb' | 'postgres';
	all<T extends Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]>;
}

/**
 * Prepared statements kept per connection. A dashboard read runs a handful of statements whose text depends
 * on the filter's dimensions only (values are parameters), so a few hundred texts cover every screen; parsing
 * and planning a small statement again is a large share of its time (npm run bench -- dashboard times the reads
 * with it). DuckDB binds a kept statement anew when a table it reads has been replaced.
 */
const PREPARED_PER_CONNECTION = 512;

/**
 * A runner over one DuckDB connection, or over several: then each statement takes a free connection (waiting
 * for one when all are busy), so the independent reads of one page run side by side in DuckDB's threads.
 * Statements are prepared once per connection and text (up to PREPARED_PER_CONNECTION; later texts run
 * unprepared).
 */
export function duckRunner(conns: DuckDBConnection | readonly DuckDBConnection[]): SqlRunner {
	const free = Array.isArray(conns) ? [...conns] : [conns as DuckDBConnection];
	const prepared = new Map<DuckDBConnection, Map<string, DuckDBPreparedStatement>>(free.map((c) => [c, new Map()]));
	const waiting: ((c: DuckDBConnection) => void)[] = [];
	const acquire = (): Promise<DuckDBConnection> => (free.length ? Promise.resolve(free.pop()!) : new Promise((res) => waiting.push(res)));
	const release = (c: DuckDBConnection) => {
		const next = waiting.shift();
		if (next) next(c);
		else free.push(c);
	};
	return {
		engine: 'duckdb',
		async all<T extends Record<string, unknown>>(sql: string, params?: SqlParams) {
			// DuckDB refuses named parameters the statement does not use
			const used = params ? pick(sql, params) : undefined;
			const conn = await acquire();
			try {
				const kept = prepared.get(conn)!;
				let stmt = kept.get(sql);
				if (!stmt && kept.size < PREPARED_PER_CONNECTION) {
					stmt = await conn.prepare(sql);
					kept.set(sql, stmt);
				}
				if (!stmt) return (await conn.runAndReadAll(sql, used)).getRowObjectsJS() as T[];
				stmt.clearBindings();
				if (used) stmt.bind(used);
				return (await stmt.runAndReadAll()).getRowObjectsJS() as T[];
			} finally {
				release(conn);
			}
		}
	};
}

/** Anything with pg's `query(config)`: a Pool or a Client. */
export interface PgQueryable {
	query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * The PostgreSQL side, with its statements prepared as DuckDB's are: each text runs as a named statement, which
 * node-postgres parses once per connection. The name comes from the text, so any runner on a pool gives one
 * text one name.
 */
export function pgRunner(db: PgQueryable): SqlRunner {
	const cache = new Map<string, { name: string; text: string; names: string[] }>();
	return {
		engine: 'postgres',
		async all<T extends Record<string, unknown>>(sql: string, params: SqlParams = {}) {
			let c = cache.get(sql);
			if (!c) {
				const p = positional(sql);
				c = { ...p, name: `minqing_${createHash('sha256').update(p.text).digest('hex').slice(0, 32)}` };
				cache.set(sql, c);
			}
			const values = c.names.map((n) => {
				if (!(n in params)) throw new Error(`SQL parameter $${n} has no value`);
				return params[n];
			});
			const r = await db.query({ name: c.name, text: c.text, values });
			return r.rows as T[];
		}
	};
}

/** The named parameters a statement uses (outside quoted strings), each once. */
function pick(sql: string, params: SqlParams): SqlParams {
	const out: SqlParams = {};
	for (const n of positional(sql).names) {
		if (!(n in params)) throw new Error(`SQL parameter $${n} has no value`);
		out[n] = params[n];
	}
	return out;
}

/** `$from … $to … $from` → `$1 … $2 … $1` with the names in order. Quoted strings are left alone. */
export function positional(sql: string): { text: string; names: string[] } {
	const names: string[] = [];
	let text = '';
	let i = 0;
	while (i < sql.length) {
		const ch = sql[i];
		if (ch === "'") {
			const end = sql.indexOf("'", i + 1);
			const stop = end < 0 ? sql.length : end + 1;
			text += sql.slice(i, stop);
			i = stop;
			continue;
		}
		// a sticky expression of its own per call: no state shared between calls
		const named = /\$([A-Za-z_][A-Za-z0-9_]*)/y;
		named.lastIndex = i;
		const m = ch === '$' ? named.exec(sql) : null;
		if (m) {
			let k = names.indexOf(m[1]);
			if (k < 0) k = names.push(m[1]) - 1;
			text += `$${k + 1}`;
			i += m[0].length;
			continue;
		}
		text += ch;
		i++;
	}
	return { text, names };
}

/** Values for an `IN (…)` list as named parameters: `inList('c', ['a','b'])` → sql `$c0, $c1` and params. */
export function inList(prefix: string, values: readonly string[]): { sql: string; params: SqlParams } {
	const params: SqlParams = {};
	const names = values.map((v, i) => {
		params[`${prefix}${i}`] = v;
		return `$${prefix}${i}`;
	});
	return { sql: names.join(', '), params };
}
