// Opens the relational store: embedded PGlite under the data directory by default, PostgreSQL when
// DATABASE_URL is set. Both go through the same drizzle schema and the same committed migrations.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { StartupError } from '../config';
import { serverRefusal } from './errors';
import { RemotePglite } from './pglite-remote';
import * as schema from './schema';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface RelationalStore {
	db: Db;
	kind: 'pglite' | 'postgres';
	/** where it lives, with any password removed */
	describe: string;
	/**
	 * Resolves when the store answers, rejects saying why not (for /healthz): PostgreSQL answers `select 1` within
	 * `timeoutMs`; the embedded store's worker thread is running (a query would wait behind whatever the single
	 * worker runs, a long import's transaction among them, and the store is no less there for it).
	 */
	ping(timeoutMs: number): Promise<void>;
	close(): Promise<void>;
}

export interface OpenOptions {
	databaseUrl: string | null;
	/** directory for the embedded store; ':memory:' for an in-memory PGlite (tests) */
	dataDir: string;
	migrationsDir: string;
	/**
	 * PostgreSQL: called once connected, before any migration, with the database's store id (`settings` store_id;
	 * null when it has none, or no such table) and its password-free address; a throw refuses the database untouched.
	 */
	beforeMigrate?: (storeId: string | null, describe: string) => Promise<void>;
}

export function migrationsDir(root: string): string {
	return join(root, 'src', 'lib', 'server', 'db', 'migrations');
}

/** postgres://user:secret@host:5432/db → postgres://user:***@host:5432/db */
export function redactUrl(url: string): string {
	try {
		const u = new URL(url);
		if (u.password) u.password = '***';
		return u.toString();
	} catch {
		return '(无法解析的 DATABASE_URL)';
	}
}

export async function openRelational(opts: OpenOptions): Promise<RelationalStore> {
	if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.migrationsDir, opts.beforeMigrate);
	return openPglite(opts.dataDir, opts.migrationsDir);
}

async function openPglite(dataDir: string, migrationsFolder: string): Promise<RelationalStore> {
	// PGlite runs in a thread of its own (pglite-remote.ts): its statements no longer hold up the HTTP handling
	let client: RemotePglite;
	const dir = dataDir === ':memory:' ? undefined : join(dataDir, 'pglite');
	try {
		if (dir) mkdirSync(dir, { recursive: true });
		client = await RemotePglite.open(dir);
	} catch (e) {
		if (!dir) throw e;
		throw new StartupError(
			`无法打开内置数据库（${dir}），请确认数据目录可写且没有其他 Minqing 进程在使用它`,
			`PGlite open ${dir}: ${(e as Error).message}`
		);
	}
	const describe = dir ? `PGlite ${dir}` : 'PGlite (内存)';
	const db = drizzlePglite({ client: client as unknown as PGlite, schema });
	try {
		await migratePglite(db, { migrationsFolder });
	} catch (e) {
		await client.close().catch(() => {});
		throw e;
	}
	const ping = async () => {
		if (client.failure) throw client.failure;
	};
	return { db: db as unknown as Db, kind: 'pglite', describe, ping, close: () => client.close() };
}

/**
 * Whether the database lacks a committed migration, read as drizzle's migrator reads it (the newest applied one's
 * time against each migration's). Up to date, the start runs no migrator at all: the migrator's first statements
 * (CREATE SCHEMA / TABLE IF NOT EXISTS for its bookkeeping) need the CREATE right even when they create nothing, so
 * an account with only the rights to read and write the tables can run a migrated database. Bookkeeping it cannot
 * read counts as pending: the migrator then says what is wrong.
 */
async function migrationsPending(pool: pg.Pool, migrationsFolder: string): Promise<boolean> {
	const newest = Math.max(...readMigrationFiles({ migrationsFolder }).map((m) => m.folderMillis));
	try {
		const { rows } = await pool.query<{ at: string | null }>('SELECT max(created_at)::text AS at FROM drizzle.__drizzle_migrations');
		return !(Number(rows[0]?.at ?? 0) >= newest);
	} catch {
		return true;
	}
}

/** The account and database a URL names (PostgreSQL's default database is the account's name). */
function accountOf(url: string): { user: string; database: string } {
	try {
		const u = new URL(url);
		const user = decodeURIComponent(u.username) || '(默认账号)';
		return { user, database: decodeURIComponent(u.pathname.replace(/^\//, '')) || user };
	} catch {
		return { user: '(未知)', database: '(未知)' };
	}
}

/**
 * What a PostgreSQL start-up step that failed says to the person starting the app, as a StartupError: PostgreSQL's
 * own message and SQLSTATE (and the statement, never its parameters) in the detail, the password never. `migrate`:
 * applying the migrations, which create the tables; `start`: the start-up's reads and writes after them. Null for
 * a failure at `start` that PostgreSQL did not refuse on the account's rights (a fault of Minqing's, with its stack).
 */
export function postgresStartupError(e: unknown, url: string, step: 'migrate'): StartupError;
export function postgresStartupError(e: unknown, url: string, step: 'start'): StartupError | null;
export function postgresStartupError(e: unknown, url: string, step: 'migrate' | 'start'): StartupError | null {
	const describe = redactUrl(url);
	const { user, database } = accountOf(url);
	const refusal = serverRefusal(e);
	const said = refusal
		? `${refusal.message} (SQLSTATE ${refusal.code})${refusal.query ? ` in: ${refusal.query.replace(/\s+/g, ' ').trim().slice(0, 200)}` : ''}`
		: ((e as Error)?.message ?? String(e)).split('\n')[0];
	const detail = `${step === 'migrate' ? 'migrate' : 'start'} ${describe}: ${said}`;
	if (refusal?.code === '42501') {
		return new StartupError(
			step === 'migrate'
				? `数据库账号 ${user} 没有建表权限（${describe}）：数据库有尚未执行的迁移，需要建表。请使用数据库 ${database} 的所有者账号启动一次（迁移执行后，只有读写权限的账号也能运行），或由管理员授予该账号在此库及其 public 模式上的 CREATE 权限`
				: `数据库账号 ${user} 没有读写 Minqing 数据表的权限（${describe}）：请使用建表的账号（数据库 ${database} 的所有者），或由管理员授予该账号这些表的读写权限`,
			detail
		);
	}
	if (step === 'start') return null;
	return new StartupError(
		refusal ? `执行数据库迁移时 PostgreSQL 报错（${describe}）：${refusal.message}` : `执行数据库迁移时出错（${describe}）：${said}`,
		detail
	);
}

/**
 * A database's store id (pairing.ts) as read before its migrations: null when it has none or no table for it (an
 * empty database); any other failure (rights, a timeout) is thrown, not taken for a database Minqing never used.
 */
async function storeIdBeforeMigrations(pool: pg.Pool): Promise<string | null> {
	try {
		const { rows } = await pool.query<{ id: string | null }>(`SELECT value->>'id' AS id FROM settings WHERE key = 'store_id'`);
		return rows[0]?.id ?? null;
	} catch (e) {
		if ((e as { code?: string }).code === '42P01') return null; // undefined_table
		throw e;
	}
}

async function openPostgres(url: string, migrationsFolder: string, beforeMigrate?: OpenOptions['beforeMigrate']): Promise<RelationalStore> {
	const describe = redactUrl(url);
	const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
	// A pool error on an idle client must not crash the server; the next query reports it.
	pool.on('error', (e) => console.error('[db] PostgreSQL pool error:', e.message));
	try {
		const c = await pool.connect();
		c.release();
	} catch (e) {
		await pool.end().catch(() => {});
		throw new StartupError(
			`无法连接 PostgreSQL 数据库（${describe}），请检查 DATABASE_URL、网络和账号密码`,
			`connect ${describe}: ${(e as Error).message}`
		);
	}
	const db = drizzlePg({ client: pool, schema });
	try {
		await beforeMigrate?.(await storeIdBeforeMigrations(pool), describe);
	} catch (e) {
		await pool.end().catch(() => {});
		throw e;
	}
	try {
		if (await migrationsPending(pool, migrationsFolder)) await migratePg(db, { migrationsFolder });
	} catch (e) {
		await pool.end().catch(() => {});
		throw postgresStartupError(e, url, 'migrate');
	}
	// one `select 1` at a time: a probe that timed out while the server does not answer is still the one asked
	let asking: Promise<unknown> | null = null;
	const ping = async (timeoutMs: number) => {
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`no answer to select 1 within ${timeoutMs} ms`)), timeoutMs);
		});
		asking ??= pool.query('select 1').finally(() => (asking = null));
		try {
			await Promise.race([asking, late]);
		} finally {
			clearTimeout(timer);
		}
	};
	return { db: db as unknown as Db, kind: 'postgres', describe, ping, close: () => pool.end() };
}
