// An app for an in-process benchmark: started without demo data in a new temporary directory, and afterwards
// stopped (stopApp lets the sync in flight finish) with its directory removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../src/lib/server/app';

export async function withScratchApp<T>(prefix: string, f: (app: App) => Promise<T>): Promise<T> {
	const { startApp, stopApp } = await import('../../src/lib/server/app');
	const { loadConfig } = await import('../../src/lib/server/config');
	const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
	const app = await startApp({ ...loadConfig({}), dataDir: dir, demo: false }, () => {});
	try {
		return await f(app);
	} finally {
		await stopApp(app);
		rmSync(dir, { recursive: true, force: true });
	}
}
