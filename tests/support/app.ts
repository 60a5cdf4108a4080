import { startApp, type App } from '../../src/lib/server/app';
import { loadConfig } from '../../src/lib/server/config';

/** The app on in-memory stores without demo data, its log silenced: how the integration tests start it. */
export function startMemoryApp(): Promise<App> {
	return startApp({ ...loadConfig({}), dataDir: ':memory:', demo: false }, () => {});
}
