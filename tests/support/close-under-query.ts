// A process that closes the analytics store while a long query runs on one of its connections, then exits.
// Used by tests/integration/analytics-close.test.ts: closing a DuckDB connection under its running query
// deadlocks the query's thread, and process.exit then waits for that thread forever.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAnalytics } from '../../src/lib/server/analytics/duckdb';

const dir = mkdtempSync(join(tmpdir(), 'minqing-close-'));
const store = await openAnalytics(join(dir, 'minqing.duckdb'));
const other = await store.connect();
const running = other.run('SELECT sum(i) FROM range(50000000000) t(i)').then(
	() => 'finished',
	(e: Error) => e.message
);
await new Promise((r) => setTimeout(r, 300));
await store.close();
console.log(JSON.stringify({ closed: true, query: await running }));
rmSync(dir, { recursive: true, force: true });
process.exit(0);
