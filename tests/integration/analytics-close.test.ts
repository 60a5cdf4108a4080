// Closing the analytics store while a query runs (a shutdown during a detection or text round) ends the
// process promptly: the query is interrupted and waited for before its connection is closed.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('closing the analytics store under a running query', () => {
	it('interrupts the query, closes, and lets the process exit', () => {
		const r = spawnSync(process.execPath, ['--import', 'tsx', 'tests/support/close-under-query.ts'], { encoding: 'utf8', timeout: 60_000 });
		// before the fix the child never exited (killed by the timeout: status null)
		expect(r.status, r.stderr).toBe(0);
		const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { closed: boolean; query: string };
		expect(out.closed).toBe(true);
		expect(out.query).toMatch(/interrupt/i);
	}, 90_000);
});
