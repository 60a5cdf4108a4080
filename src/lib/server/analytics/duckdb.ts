// The one module that owns the DuckDB instance of the analytics store.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ensureWarehouse } from '$pipelines/warehouse/schema';
import { StartupError } from '../config';

export interface AnalyticsStore {
	instance: DuckDBInstance;
	/** the connection for reads and pipeline writes; DuckDB serialises work on one connection */
	conn: DuckDBConnection;
	path: string;
	/** Another connection to the same store (for reads side by side), closed with the store. */
	connect(): Promise<DuckDBConnection>;
	close(): void;
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
		close() {
			for (const c of others.splice(0)) c.closeSync();
			conn.closeSync();
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
