// Whether the stores answer, for /healthz: the relational store is asked at most once per HEALTH_CACHE_MS however
// fast monitors poll, and a probe that gets no answer within HEALTH_PROBE_MS counts as down (RelationalStore.ping).
import type { App } from './app';

/** How long an answer of the relational store stands for the next /healthz requests. */
export const HEALTH_CACHE_MS = 2000;
/** How long /healthz waits for the relational store's `select 1` (the command line's presence check waits 2 s for /healthz). */
export const HEALTH_PROBE_MS = 1500;

export interface StoreHealth {
	ok: boolean;
	/** the stores that did not answer */
	down: 'relational'[];
}

interface Probe {
	at: number;
	answer: Promise<StoreHealth>;
}
const probes = new WeakMap<App, Probe>();
/** Whether the last finished probe found the relational store down (its change is logged once). */
const wasDown = new WeakMap<App, boolean>();

async function probe(app: App): Promise<StoreHealth> {
	let down: Error | null = null;
	try {
		await app.rel.ping(HEALTH_PROBE_MS);
	} catch (e) {
		down = e as Error;
	}
	const was = wasDown.get(app) ?? false;
	wasDown.set(app, !!down);
	if (down && !was) console.error(`[minqing] 业务库（${app.rel.describe}）无法访问：${down.message?.split('\n')[0]}；/healthz 答 503，直到它恢复`);
	if (!down && was) console.error(`[minqing] 业务库（${app.rel.describe}）已恢复`);
	return down ? { ok: false, down: ['relational'] } : { ok: true, down: [] };
}

/** The stores' health, asked anew when the last answer is older than HEALTH_CACHE_MS (`now` for tests). */
export function storeHealth(app: App, now = Date.now()): Promise<StoreHealth> {
	const last = probes.get(app);
	if (last && now - last.at < HEALTH_CACHE_MS) return last.answer;
	const p: Probe = { at: now, answer: probe(app) };
	probes.set(app, p);
	return p.answer;
}
