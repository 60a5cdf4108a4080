import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { moduleFile, procCpuSeconds, threadCpuSeconds } from './worker-start';

describe('moduleFile', () => {
	it('takes the file beside the module when it is there', () => {
		expect(moduleFile(import.meta.url, 'pipelines/segment/worker.mjs')).toBe(join(import.meta.dirname, 'worker.mjs'));
	});

	it('finds it under the repository when the module was bundled elsewhere (as in the server build)', () => {
		const bundled = mkdtempSync(join(tmpdir(), 'minqing-bundle-'));
		try {
			const url = pathToFileURL(join(bundled, 'chunk.js')).href;
			// the tests run with the repository as working directory
			expect(moduleFile(url, 'src/lib/server/db/pglite-worker.mjs')).toBe(resolve('src/lib/server/db/pglite-worker.mjs'));
			// nowhere to be found: the path beside the module, so that the error names it
			expect(moduleFile(url, 'pipelines/nowhere.mjs')).toBe(join(bundled, 'nowhere.mjs'));
		} finally {
			rmSync(bundled, { recursive: true, force: true });
		}
	});
});

describe.runIf(process.platform === 'linux')('threadCpuSeconds', () => {
	it("grows with the calling thread's work and is null for a thread that does not exist", () => {
		const before = threadCpuSeconds()!;
		// busy until the thread has used 50 ms more, or 5 s have passed (a machine under load gives it less of each second)
		let x = 0;
		const until = performance.now() + 5000;
		while (performance.now() < until && threadCpuSeconds()! - before < 0.05) for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + 1);
		expect(x).toBeGreaterThan(0);
		expect(threadCpuSeconds()! - before).toBeGreaterThanOrEqual(0.05);
		expect(threadCpuSeconds(2 ** 31 - 1)).toBeNull();
		// the process's time (all its threads) is at least the calling thread's
		expect(procCpuSeconds(`/proc/${process.pid}/stat`)).toBeGreaterThanOrEqual(threadCpuSeconds()!);
	});
});
