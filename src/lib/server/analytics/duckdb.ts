// The one module that owns the DuckDB instance of the analytics store.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ensureWarehouse } from '$pipelines/warehouse/schema';
import { StartupError } from '../config';

export interface AnalyticsStore {
	instance: DuckDBInstance;
	/** the connection for reads and pipeline writes; DuckDB serialises work on one connection */
	conn: DuckDBConnection;
	path: string;
	/** Another connection to the same store (for reads side by side, background work), closed with the store. */
	connect(): Promise<DuckDBConnection>;
	/**
	 * Interrupts the queries still running, waits for them to stop (bounded), then closes every connection and the
	 * store. A connection must not be closed under its running query: DuckDB then destroys the connection's context
	 * on the query's own thread while that thread holds the context's lock, and the thread (and any process.exit,
	 * which joins it) waits forever. A query that does not stop in time leaves the store open; committed work is
	 * in the write-ahead log either way.
	 */
	close(): Promise<void>;
	/**
	 * Interrupts the running queries and waits (bounded) for them to stop, without closing anything: for the
	 * server's shutdown, where background work or a request may still start a query after the wait, and closing a
	 * connection under it would hang the process (see close). Committed work is in the write-ahead log.
	 */
	quiesce(): Promise<boolean>;
}

/** How long closing waits for interrupted queries to stop. */
const CLOSE_DRAIN_MS = 5_000;

/** Runs `f`, ignoring the error of a connection its user closed already. */
function quietly(f: () => void): void {
	try {
		f();
	} catch {
		/* closed already */
	}
}

/** Interrupts each connection's running query and waits until each has stopped (a connection runs one query at a time, so a trivial one returns once the running one has); false if one did not stop within CLOSE_DRAIN_MS. */
async function stopQueries(all: DuckDBConnection[]): Promise<boolean> {
	for (const c of all) quietly(() => c.interrupt());
	const stopped = await Promise.all(
		all.map((c) =>
			Promise.race([
				c.run('SELECT 1').then(
					() => true,
					() => true
				),
				new Promise<boolean>((r) => setTimeout(() => r(false), CLOSE_DRAIN_MS).unref())
			])
		)
	);
	return !stopped.includes(false);
}

export async function openAnalytics(path: string, memoryLimit = '2GB'): Promise<AnalyticsStore> {
	let instance: DuckDBInstance;
	try {
		instance = await DuckDBInstance.create(path, { threads: '2', memory_limit: memoryLimit });
	} catch (e) {
		const msg = (e as Error).message;
		const locked = /lock/i.test(msg);
		throw new StartupError(
			locked
				? `分析库文件 ${path} 正被另一个进程使用（可能已有 Minqing 服务在运行），请先停止它或改用其他数据目录`
				: `无法打开分析库文件 ${path}，请检查数据目录是否可写、文件是否损坏`,
			`DuckDB open ${path}: ${msg}`
		);
	}
	const conn = await instance.connect();
	await ensureWarehouse(conn);
	const others: DuckDBConnection[] = [];
	return {
		instance,
		conn,
		path,
		async connect() {
			const c = await instance.connect();
			await c.run(`SET TimeZone = 'Asia/Shanghai'`);
			others.push(c);
			return c;
		},
		async quiesce() {
			return stopQueries([...others, conn]);
		},
		async close() {
			const all = [...others.splice(0), conn];
			if (!(await stopQueries(all))) {
				console.error(
					`[minqing] analytics store ${path}: a query did not stop within ${CLOSE_DRAIN_MS / 1000} s of being interrupted; left open`
				);
				return;
			}
			for (const c of all) quietly(() => c.closeSync());
			instance.closeSync();
		}
	};
}

/** Rows of a query as plain objects (BigInt counts become numbers). */
export async function queryRows<T extends Record<string, unknown>>(
	conn: DuckDBConnection,
	sql: string,
	params?: Record<string, string | number | boolean | null>
): Promise<T[]> {
	const reader = await conn.runAndReadAll(sql, params);
	return reader.getRowObjectsJS() as T[];
}
