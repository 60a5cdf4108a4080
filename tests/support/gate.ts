// A write gate that records its use, and a connection that records where each transaction statement ran:
// tests check that a writer's transactions all run through its gate (pipelines/warehouse/tx.ts WriteGate).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { WriteGate } from '../../pipelines/warehouse/tx';

export interface GateRecord {
	gate: WriteGate;
	/** the connection to give the writer: its statements run on `conn` */
	conn: DuckDBConnection;
	/** how many times the gate was passed */
	passes: () => number;
	/** BEGIN, COMMIT and ROLLBACK statements, each with whether it ran inside the gate */
	statements: { sql: string; inside: boolean }[];
}

export function recordGate(conn: DuckDBConnection): GateRecord {
	let inside = 0;
	let passes = 0;
	const statements: { sql: string; inside: boolean }[] = [];
	const gate: WriteGate = async (fn) => {
		passes++;
		inside++;
		try {
			return await fn();
		} finally {
			inside--;
		}
	};
	const proxied = new Proxy(conn, {
		get(target, prop) {
			const v = Reflect.get(target, prop, target);
			if (typeof v !== 'function') return v;
			if (prop !== 'run') return v.bind(target);
			return (sql: string, ...rest: unknown[]) => {
				const head = sql.trim().split(/\s+/)[0].toUpperCase();
				if (['BEGIN', 'COMMIT', 'ROLLBACK'].includes(head)) statements.push({ sql: head, inside: inside > 0 });
				return (v as (...a: unknown[]) => unknown).call(target, sql, ...rest);
			};
		}
	});
	return { gate, conn: proxied, passes: () => passes, statements };
}
