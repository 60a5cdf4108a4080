// Which relational store the analytics store of a data directory belongs with. The analytics store keeps a sync
// watermark in the relational store's transaction ids, and the relational store is the source of truth its facts
// are synced from: started with another relational store (DATABASE_URL missing on a data directory made with
// PostgreSQL, which made an empty embedded store and dropped the watermark as "ahead" of it), the app answered from
// the wrong cases and the next start on the right store synced every ticket again.
//
// The relational store carries an id Minqing writes once (`settings` store_id): it moves with the data (a dump
// restored on another host, a new address or password keep it), where the server's address or PostgreSQL's
// system identifier would not. The analytics store records the id, kind and (password-free) address it was paired
// with (`warehouse_meta` relational_store), and the app refuses to start on another one until `npm run cli -- pair`
// pairs them anew.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { DuckDBConnection } from '@duckdb/node-api';
import { getMeta, setMeta } from '$pipelines/warehouse/schema';
import { StartupError, type Config } from './config';
import { redactUrl, type Db, type RelationalStore } from './db';
import { settings } from './db/schema';
import { forgetWatermark, readWatermark } from './sync';

const META_KEY = 'relational_store';
const STORE_ID_KEY = 'store_id';

export interface Pairing {
	kind: RelationalStore['kind'];
	/** the relational store's own id (`settings` store_id) */
	id: string;
	/** where it was when last started with: PostgreSQL's URL without its password, or the embedded store's directory */
	describe: string;
}

export async function readPairing(conn: DuckDBConnection): Promise<Pairing | null> {
	const v = await getMeta(conn, META_KEY);
	return v ? (JSON.parse(v) as Pairing) : null;
}

/** The relational store's id, made on its first start with this version (two starts at once read the same one). */
export async function relationalStoreId(db: Db): Promise<string> {
	await db
		.insert(settings)
		.values({ key: STORE_ID_KEY, value: { id: randomUUID(), createdAt: new Date().toISOString() } })
		.onConflictDoNothing({ target: settings.key });
	const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, STORE_ID_KEY));
	return (row.value as { id: string }).id;
}

const pgliteDir = (dataDir: string) => join(dataDir, 'pglite');
const embeddedName = (dataDir: string) => `内置数据库（${pgliteDir(dataDir)}）`;
/** spaced from the Chinese around it, as the messages set Latin words */
const postgresName = (describe: string) => ` PostgreSQL 数据库 ${describe} `;
const nameOf = (p: Pairing, dataDir: string) => (p.kind === 'postgres' ? postgresName(p.describe) : embeddedName(dataDir));
const pairHint = (dataDir: string) =>
	`如确要让分析库改与现在的业务库配对，先停止服务器，再以同样的设置运行 npm run cli -- pair --data-dir ${dataDir}（分析库的数据保留，全部工单重新同步）`;

/**
 * Before the relational store is opened: refuses a start whose configuration names a relational store of the other
 * kind than the analytics store's (DATABASE_URL missing or set), or an embedded one whose directory is gone, so no
 * empty embedded store is made and no database of the wrong kind is touched. Without a recorded pairing (a store made
 * before pairings were recorded) one case is refused too: an analytics store that has synced from a relational
 * store, started without DATABASE_URL on a data directory with no embedded store — it was PostgreSQL's.
 */
export async function refuseOtherKind(conn: DuckDBConnection, config: Config, analyticsPath: string): Promise<void> {
	const paired = await readPairing(conn);
	const dir = config.dataDir;
	if (!paired) {
		if (config.databaseUrl || existsSync(pgliteDir(dir)) || !(await readWatermark(conn))) return;
		throw new StartupError(
			`数据目录 ${dir} 的分析库已从业务库同步过工单，但目录中没有内置数据库：它应是与 PostgreSQL 一起使用的，请设置 DATABASE_URL 指向该数据库后重试（命令行同样需要）。` +
				`如确要改用一个新的内置数据库，${pairHint(dir)}`,
			`analytics store ${analyticsPath} has a sync watermark and records no relational store; DATABASE_URL is not set and ${pgliteDir(dir)} does not exist`
		);
	}
	const detail = (why: string) => `analytics store ${analyticsPath} is paired with ${paired.kind} ${paired.describe} (store id ${paired.id}); ${why}`;
	if (paired.kind === 'postgres' && !config.databaseUrl)
		throw new StartupError(
			`数据目录 ${dir} 的分析库与${postgresName(paired.describe)}配对，但没有设置 DATABASE_URL：请设置 DATABASE_URL 指向该数据库后重试（命令行同样需要）。${pairHint(dir)}`,
			detail('DATABASE_URL is not set')
		);
	if (paired.kind === 'pglite' && config.databaseUrl)
		throw new StartupError(
			`数据目录 ${dir} 的分析库与${embeddedName(dir)}配对，但设置了 DATABASE_URL（${redactUrl(config.databaseUrl)}）：请去掉 DATABASE_URL 后重试。${pairHint(dir)}`,
			detail(`DATABASE_URL is ${redactUrl(config.databaseUrl)}`)
		);
	if (paired.kind === 'pglite' && !existsSync(pgliteDir(dir)))
		throw new StartupError(
			`数据目录 ${dir} 的分析库与${embeddedName(dir)}配对，但该目录已不存在：请恢复它（或设置原来使用的 DATABASE_URL）后重试。${pairHint(dir)}`,
			detail(`${pgliteDir(dir)} does not exist`)
		);
}

/** The refusal of a relational store other than the one the analytics store is paired with (`now.id` null: one Minqing never started on). */
function pairedElsewhere(was: Pairing, now: Omit<Pairing, 'id'> & { id: string | null }, dir: string): StartupError {
	const nowId = now.id ? `编号 ${now.id}` : '一个尚未用于民情的数据库';
	return new StartupError(
		`数据目录 ${dir} 的分析库与另一个业务库配对：记录的是${nameOf(was, dir).trimEnd()}（编号 ${was.id}），现在打开的是${nameOf(now as Pairing, dir).trimEnd()}（${nowId}）。` +
			`请把 DATABASE_URL 改回原来的数据库后重试；数据库经转储恢复到另一台服务器的，编号随数据一起迁移，不会出现此提示。${pairHint(dir)}`,
		`analytics store is paired with ${was.kind} ${was.describe} (store id ${was.id}); opened ${now.kind} ${now.describe} (store id ${now.id ?? 'none'})`
	);
}

/**
 * A PostgreSQL database just connected to, before its migrations run: refused when the analytics store is paired
 * with another one (`storeId`: its `settings` store_id, null when it has none — an empty database), so a wrong
 * DATABASE_URL gets no tables made in it, nor anything written. (A start with `pair` takes it.)
 */
export async function refuseOtherDatabase(conn: DuckDBConnection, config: Config, storeId: string | null, describe: string, o: { pair?: boolean } = {}): Promise<void> {
	const was = await readPairing(conn);
	if (!was || o.pair || was.kind !== 'postgres' || was.id === storeId) return;
	throw pairedElsewhere(was, { kind: 'postgres', id: storeId, describe }, config.dataDir);
}

/**
 * After the relational store is opened and migrated, before anything is written to either: the analytics store's
 * pairing must be this relational store, else the start is refused; one with none records this one. With `pair`
 * (`npm run cli -- pair`), this one is recorded whatever was, and when that changes the pairing the watermark goes
 * (its transaction ids are the other store's): every ticket is synced again.
 */
export async function checkPairing(
	rel: RelationalStore,
	conn: DuckDBConnection,
	config: Config,
	o: { pair?: boolean } = {}
): Promise<{ recorded: 'kept' | 'new' | 'changed'; was: Pairing | null }> {
	const id = await relationalStoreId(rel.db);
	const now: Pairing = { kind: rel.kind, id, describe: rel.kind === 'postgres' ? rel.describe : pgliteDir(config.dataDir) };
	const was = await readPairing(conn);
	if (was?.id === id) {
		// the same store at another address (a new host, account or data directory): kept up to date for the messages
		if (was.describe !== now.describe || was.kind !== now.kind) await setMeta(conn, META_KEY, JSON.stringify(now));
		return { recorded: 'kept', was };
	}
	if (was && !o.pair) throw pairedElsewhere(was, now, config.dataDir);
	// paired anew on purpose: the watermark may be another store's, whose transaction ids say nothing of this one
	if (o.pair) await forgetWatermark(conn);
	await setMeta(conn, META_KEY, JSON.stringify(now));
	return { recorded: was ? 'changed' : 'new', was };
}
