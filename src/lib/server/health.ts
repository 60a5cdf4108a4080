// Whether the stores answer, for /healthz: the relational store is asked at most once per HEALTH_CACHE_MS however
// fast monitors poll, and a probe that gets no answer within HEALTH_PROBE_MS counts as down (RelationalStore.ping).
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from './app';
import { recentStorageFailure } from './storage-failure';

/** How long an answer of the relational store stands for the next /healthz requests. */
export const HEALTH_CACHE_MS = 2000;
/** How long /healthz waits for the relational store's `select 1` (the command line's presence check waits 2 s for /healthz). */
export const HEALTH_PROBE_MS = 1500;

export interface StoreHealth {
	ok: boolean;
	/**
	 * what is down: the relational store (it does not answer), the storage (the data directory may not be written,
	 * or a write met a full disk or a refused file within STORAGE_FAILURE_MS)
	 */
	down: ('relational' | 'storage')[];
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
	// the storage: the data directory takes a file (a store that can read but not write answers select 1), and no
	// write met a storage fault lately
	let storage: string | null = null;
	if (app.config.dataDir !== ':memory:') {
		const file = join(app.config.dataDir, `.healthz-${process.pid}`);
		try {
			await writeFile(file, 'ok');
			await rm(file, { force: true });
		} catch (e) {
			storage = `数据目录 ${app.config.dataDir} 不可写（${(e as Error).message}）`;
		}
	}
	const recent = recentStorageFailure();
	if (!storage && recent) storage = `${recent.code === 'storage_full' ? '存储空间不足' : '写入被拒绝'}（${recent.detail}）`;
	const wasStorage = storageDown.get(app) ?? false;
	storageDown.set(app, !!storage);
	if (storage && !wasStorage) console.error(`[minqing] 存储故障：${storage}；/healthz 答 503，直到它恢复`);
	if (!storage && wasStorage) console.error('[minqing] 存储已恢复');
	const list: StoreHealth['down'] = [];
	if (down) list.push('relational');
	if (storage) list.push('storage');
	return { ok: list.length === 0, down: list };
}
/** Whether the last probe found the storage down (its change is logged once). */
const storageDown = new WeakMap<App, boolean>();

/** The stores' health, asked anew when the last answer is older than HEALTH_CACHE_MS (`now` for tests). */
export function storeHealth(app: App, now = Date.now()): Promise<StoreHealth> {
	const last = probes.get(app);
	if (last && now - last.at < HEALTH_CACHE_MS) return last.answer;
	const p: Probe = { at: now, answer: probe(app) };
	probes.set(app, p);
	return p.answer;
}
