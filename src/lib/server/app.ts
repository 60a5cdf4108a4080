// Start-up and ownership of both stores. The server process owns the files under the data directory; the
// CLI uses the same function when no server is running.
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCalendar, refusedFileMessage, type WorkCalendar } from '$pipelines/calendar/index';
import { loadCorpus } from '$pipelines/demo/corpus';
import { markDemoWhole, runDemo, type DemoRunResult } from '$pipelines/demo/run';
import { loadReference, type Reference } from '$pipelines/reference/index';
import { getMeta } from '$pipelines/warehouse/schema';
import { openAnalytics, queryRows, type AnalyticsStore } from './analytics/duckdb';
import { purgeExpiredSessions, syncDemoAccounts } from './auth';
import { StartupError, type Config } from './config';
import { migrationsDir, openRelational, postgresStartupError, type RelationalStore } from './db';
import { demoTicketsHeld, insertDemoTickets, writeDemoComplete } from './demo';
import type { DemoTicket } from '$pipelines/demo/generate';
import { seedReference } from './reference';
import { overlayUnits } from './units';
import { overlayCategories } from './categories';
import { withOwnDirectories } from './directory';
import { overlayLexicon } from './lexicon';
import { overlayRouting } from './routing';
import { claimAnalyticsCity, claimRelationalCity, otherCityError } from './store-city';
import { seedWatchlists, watchlistFile } from './alerts/settings';
import { knowledgeFile, seedKnowledge } from './cases/knowledge';
import { fillVisitDeadlines, fillWorkClocks } from './cases/limits';
import { recountRoundFlags } from './cases/service';
import { followCalendar } from './cases/calendar-change';
import { checkPairing, refuseOtherDatabase, refuseOtherKind } from './pairing';
import { claimDataDir } from './owner';
import { markSynced, repairAfterRestore, resyncAfterUpgrade, syncIdle, syncToAnalytics } from './sync';

export interface App {
	config: Config;
	rel: RelationalStore;
	analytics: AnalyticsStore;
	ref: Reference;
	calendar: WorkCalendar;
}

type Log = (msg: string) => void;

/** The city's holiday file beside chinese-days' calendar (app.calendar; the detection worker builds its own from it). */
export function holidayFile(referenceDir: string): string {
	return join(referenceDir, 'reference', 'holidays-extra.json');
}

export function ensureDataDir(dir: string): void {
	try {
		mkdirSync(dir, { recursive: true });
		accessSync(dir, constants.W_OK);
		const probe = join(dir, `.write-test-${process.pid}`);
		writeFileSync(probe, 'ok');
		rmSync(probe);
	} catch (e) {
		throw new StartupError(
			`数据目录 ${dir} 不可写，请检查路径和权限，或用 MINQING_DATA_DIR 指定其他目录`,
			`data dir ${dir}: ${(e as Error).message}`
		);
	}
}

export interface StartOptions {
	/**
	 * Pair the data directory's analytics store with the relational store configured now, whatever it was paired
	 * with (`npm run cli -- pair`); when that changes the pairing, every ticket is synced again.
	 */
	pair?: boolean;
	/** what claims the data directory (owner.ts), for the refusal another process gets meanwhile (default 服务器) */
	owner?: string;
	/** the start's catch-up of the analytics store (every ticket after `pair`): tickets synced of those waiting */
	onSyncProgress?: (done: number, total: number) => void;
}

/** The claim of each started app on its data directory, released when it stops. */
const claims = new WeakMap<App, () => void>();

/** `dataDir: ':memory:'` runs both stores in memory (tests). */
export async function startApp(config: Config, log: Log = (m) => console.log(m), o: StartOptions = {}): Promise<App> {
	const memory = config.dataDir === ':memory:';
	if (!memory) ensureDataDir(config.dataDir);
	// the data directory is this process's before anything in it is read, generated or deleted (owner.ts)
	const release = claimDataDir(config.dataDir, o.owner ?? '服务器');
	try {
		const app = await openApp(config, log, o, memory);
		claims.set(app, release);
		return app;
	} catch (e) {
		release();
		throw e;
	}
}

async function openApp(config: Config, log: Log, o: StartOptions, memory: boolean): Promise<App> {
	let ref: Reference;
	try {
		ref = withOwnDirectories(loadReference(config.referenceDir));
	} catch (e) {
		throw new StartupError(`参考数据有误：${(e as Error).message}`, `reference data: ${(e as Error).message}`);
	}
	const calendar = defaultCalendar(holidayFile(config.referenceDir));
	// a bad holiday file is not used (deadlines count chinese-days and the statutory days): said here and in 设置
	if (calendar.refused) log(`[minqing] ${refusedFileMessage(calendar.refused)}`);
	// the analytics store first: it says which relational store it belongs with (pairing.ts), before an embedded
	// store is made or a database touched
	const analytics = await openAnalytics(memory ? ':memory:' : join(config.dataDir, 'minqing.duckdb'), config.duckdbMemory);
	let rel: RelationalStore | null = null;
	try {
		if (!memory && !o.pair) await refuseOtherKind(analytics.conn, config, analytics.path);
		rel = await openRelational({
			databaseUrl: config.databaseUrl,
			dataDir: config.dataDir,
			migrationsDir: migrationsDir(config.root),
			// another PostgreSQL database than the paired one is refused before its migrations make tables in it
			beforeMigrate: memory ? undefined : (storeId, describe) => refuseOtherDatabase(analytics.conn, config, storeId, describe, o)
		});
		log(`[minqing] 业务库：${rel.describe}`);
		log(`[minqing] 分析库：${analytics.path}`);
		// the pairing first: a start refused for another relational store writes nothing to either (not even a city)
		if (!memory) {
			const paired = await checkPairing(rel, analytics.conn, config, o);
			if (paired.recorded === 'changed')
				log(`[minqing] 分析库改为与本业务库配对（原为 ${paired.was!.kind === 'postgres' ? paired.was!.describe : `内置数据库 ${paired.was!.describe}`}）：全部工单重新同步到分析库`);
			else if (o.pair) log(`[minqing] 分析库与本业务库配对${paired.recorded === 'kept' ? '（原已配对）' : '：全部工单重新同步到分析库'}`);
		}
		// one city per store: before its reference data, which would add this city's next to another's
		const relCity = await claimRelationalCity(rel.db, ref, config.referenceDir);
		if (relCity) throw otherCityError('relational', relCity, ref, config);
		const analyticsCity = await claimAnalyticsCity(analytics.conn, ref, config.referenceDir);
		if (analyticsCity) throw otherCityError('analytics', analyticsCity, ref, config, analytics.path);
		await seedReference(rel.db, ref);
		await overlayUnits(rel.db, ref);
		await overlayCategories(rel.db, ref);
		await overlayRouting(rel.db, ref, config.referenceDir);
		await overlayLexicon(rel.db, ref, config.referenceDir);
		await seedWatchlists(rel.db, ref, watchlistFile(config.referenceDir));
		const kbFile = knowledgeFile(config.referenceDir);
		const kbAdded = await seedKnowledge(rel.db, kbFile);
		if (kbAdded) log(`[minqing] 知识库：从 ${kbFile} 添加 ${kbAdded} 条`);
		await syncDemoAccounts(rel.db, config.demo, ref, log);
		await purgeExpiredSessions(rel.db);
		const app: App = { config, rel, analytics, ref, calendar };
		// a changed holiday calendar moves the open deadlines with it (before a demo made on the new calendar)
		const moved = await followCalendar(rel.db, calendar);
		if (moved.days.length)
			log(`[minqing] 节假日数据有变（${moved.days.length} 天的工作日安排不同）：已按新安排重算 ${moved.tickets} 张在办工单的时限`);
		if (config.demo) await ensureDemoData(app, log);
		await fillWorkClocks(rel.db, calendar);
		await fillVisitDeadlines(rel.db, calendar);
		const recounted = await recountRoundFlags(rel.db);
		if (recounted) log(`[minqing] ${recounted} 张改派过的工单的催办次数和督办标记已改为按本轮承办计`);
		// catch up with relational changes the analytics store has not seen (e.g. after a crash), or with every
		// ticket when the sync now derives more of them than the store's facts were made with
		await resyncAfterUpgrade(app);
		const restored = await repairAfterRestore(app);
		if (restored.resync)
			log(`[minqing] 业务库的事务编号落后于上次同步的位置（数据库可能经过转储恢复或迁移）：已重新标记 ${restored.restamped} 条工单，全部重新同步到分析库`);
		const synced = await syncToAnalytics(app, Date.now(), undefined, o.onSyncProgress);
		if (synced) log(`[minqing] 已同步 ${synced} 条业务库工单到分析库`);
		return app;
	} catch (e) {
		await analytics.close();
		await rel?.close().catch(() => {});
		// an account that may not read or write the tables is a configuration to fix, not a fault with a stack
		throw (config.databaseUrl && postgresStartupError(e, config.databaseUrl, 'start')) || e;
	}
}

/** Generates the demo data on first start in demo mode (when the analytics store has no tickets yet). */
export async function ensureDemoData(app: App, log: Log): Promise<DemoRunResult | null> {
	const conn = app.analytics.conn;
	const [{ n, demo }] = await queryRows<{ n: number; demo: number }>(
		conn,
		`SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE source = 'demo')::INTEGER AS demo FROM tickets_fact`
	);
	if (await getMeta(conn, 'demo')) return null;
	if (n > demo) return null; // tickets of other sources: not a first start
	if (n > 0) {
		// demo tickets without the record runDemo writes last: a generation interrupted (killed) part-way
		log(`[minqing] 分析库中的演示数据不完整（上次生成在 ${n.toLocaleString('zh-CN')} 条时中断）：已删除，重新生成`);
		await conn.run(`DELETE FROM tickets_fact WHERE source = 'demo'`);
	}
	const { config } = app;
	log(`[minqing] 首次以演示模式启动：正在生成 ${config.demoTickets.toLocaleString('zh-CN')} 条演示工单（${config.demoDays} 天）…`);
	return generateDemo(app, { tickets: config.demoTickets, days: config.demoDays, seed: config.demoSeed }, log);
}

export async function generateDemo(
	app: App,
	o: { tickets: number; days: number; seed: number; now?: number; relational?: boolean },
	log: Log,
	onProgress?: (done: number, total: number) => void
): Promise<DemoRunResult> {
	const corpus = loadCorpus(app.config.referenceDir, app.ref);
	const held = o.relational !== false ? await demoTicketsHeld(app.rel.db) : null;
	const loadRelational = held !== null && held.n === 0;
	if (held?.n && held.complete) log('[minqing] 业务库中已有演示工单，本次只生成分析库数据');
	else if (held?.n)
		log(
			`[minqing] 业务库中已有 ${held.n.toLocaleString('zh-CN')} 条演示工单，但没有完成记录（由旧版本逐批写入，可能是一次被中断的生成留下的一部分）：` +
				'本次只生成分析库数据；如演示工单不全，请停止服务器后运行 npm run cli -- demo --reset 重新生成'
		);
	let lastPct = -1;
	const run = (onRelational: ((batch: DemoTicket[]) => Promise<void>) | undefined) =>
		runDemo(app.analytics.conn, app.ref, corpus, app.calendar, {
		tickets: o.tickets,
		days: o.days,
		seed: o.seed,
		now: o.now ?? Date.now(),
		recentDays: 14,
		groundTruthPath: app.config.dataDir === ':memory:' ? null : join(app.config.dataDir, 'demo-incidents.json'),
		onRelational,
		markLater: !!onRelational,
		onProgress:
			onProgress ??
			((done, total) => {
				const pct = Math.floor((done / total) * 10) * 10;
				if (pct !== lastPct) {
					lastPct = pct;
					log(`[minqing] 演示数据 ${pct}%（${done.toLocaleString('zh-CN')} / ${total.toLocaleString('zh-CN')}）`);
				}
			})
	});
	// the relational demo in one transaction, its completion record last: a start killed while it generates leaves no
	// demo ticket there (not a part that a later start would take for the whole), and the next start generates it anew;
	// the analytics demo is recorded whole only after that commit, so a start killed before it is taken for an
	// interrupted one (ensureDemoData), not for a demo without its cases
	const result = loadRelational
		? await app.rel.db.transaction(async (tx) => {
				const r = await run((batch) => insertDemoTickets(tx, batch));
				await writeDemoComplete(tx, { tickets: r.relational, seed: o.seed, days: o.days });
				return r;
			})
		: await run(undefined);
	if (loadRelational) {
		await markDemoWhole(app.analytics.conn, { seed: o.seed, tickets: result.tickets, days: o.days });
		await markSynced(app);
	}
	log(
		`[minqing] 演示数据完成：${result.tickets.toLocaleString('zh-CN')} 条工单（${result.firstDay} 至 ${result.lastDay}），` +
			`业务库 ${result.relational.toLocaleString('zh-CN')} 条，注入事件 ${result.incidents.length} 起，用时 ${result.seconds.toFixed(1)} 秒`
	);
	return result;
}

/**
 * Closes the stores. A sync in flight finishes first (it carries committed case-handling changes to DuckDB;
 * closing under it would interrupt it, to be caught up at the next start); other background work is interrupted.
 */
export async function stopApp(app: App): Promise<void> {
	await syncIdle(app);
	try {
		await app.analytics.close();
		await app.rel.close();
	} finally {
		claims.get(app)?.();
		claims.delete(app);
	}
}

// --- the running server's instance (kept on globalThis so dev-server module reloads reuse it) -----------
const KEY = Symbol.for('minqing.app');
type Holder = { [KEY]?: Promise<App> };

export function setApp(p: Promise<App>): void {
	(globalThis as Holder)[KEY] = p;
}

export function hasApp(): boolean {
	return !!(globalThis as Holder)[KEY];
}

export function app(): Promise<App> {
	const p = (globalThis as Holder)[KEY];
	if (!p) throw new Error('Minqing has not been started (startApp was not called)');
	return p;
}
