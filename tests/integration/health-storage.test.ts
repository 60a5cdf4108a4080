// /healthz and the storage: a data directory that takes no file, or a write that met a storage fault, is reported
// (503, down: storage), not ok while every write fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { HEALTH_CACHE_MS, storeHealth } from '../../src/lib/server/health';
import { noteStorageFailure } from '../../src/lib/server/storage-failure';
import { startMemoryApp } from '../support/app';

let a: App;
const tmp = mkdtempSync(join(tmpdir(), 'minqing-health-'));
beforeAll(async () => {
	a = await startMemoryApp();
});
afterAll(async () => {
	if (a) await stopApp(a);
	rmSync(tmp, { recursive: true, force: true });
});

describe('/healthz and the storage', () => {
	it('reports a data directory that takes no file, and a storage fault a write met, saying so once in the log', async () => {
		const error = vi.spyOn(console, 'error').mockImplementation(() => {});
		try {
			expect(await storeHealth(a)).toEqual({ ok: true, down: [] });
			// a data directory the server cannot write to (as root ignores permission bits, a path under a file stands for it)
			writeFileSync(join(tmp, 'file'), '');
			const unwritable = { ...a, config: { ...a.config, dataDir: join(tmp, 'file') } };
			expect(await storeHealth(unwritable)).toEqual({ ok: false, down: ['storage'] });
			expect(error).toHaveBeenCalledWith(expect.stringContaining(`存储故障：数据目录 ${join(tmp, 'file')} 不可写`));
			// a write that met a read-only store: reported for a while, though the store still answers select 1
			const t = Date.now();
			noteStorageFailure({ code: 'storage_unavailable', detail: 'could not open file "base/5/16808": Permission denied' });
			expect(await storeHealth(a, t + HEALTH_CACHE_MS)).toEqual({ ok: false, down: ['storage'] });
			expect(error).toHaveBeenCalledWith(expect.stringContaining('存储故障：写入被拒绝（could not open file "base/5/16808": Permission denied）'));
		} finally {
			error.mockRestore();
		}
	});
});
