// 操作日志 (设置 › 操作日志, /api/v1/audit): who changed what in the settings — accounts, units, categories, the
// dictionary, the routing rules, the time limits, the alert settings, the knowledge base — and who signed in, signed out
// or failed to sign in, from where. A government system's administrators are asked for this record (who did it, when,
// from which address); the server's log alone rotates away and is not at hand for them.
//
// Each entry is one row of `audit_log`, written after the change it records is done, and the same line in the server's
// log. The table is append-only: nothing here changes or removes a row. A failure to write the row is logged, never
// thrown: the change it records stands.
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db';
import { auditLog } from './db/schema';
import { CaseError } from './cases/input';
import { cutChars } from '$pipelines/normalize/index';
import { shanghaiDay } from '$pipelines/calendar/index';
import { formatShanghaiTime } from '$lib/charts/format';

export const AUDIT_AREAS = {
	users: '用户',
	units: '单位',
	categories: '分类',
	dictionary: '词典',
	routing: '派单规则',
	limits: '办理时限',
	alerts: '预警设置',
	knowledge: '知识库',
	tokens: 'API 令牌',
	login: '登录',
	/** the log itself: who exported it */
	audit: '操作日志',
	/** tickets leaving the system in a file: a case queue's tab exported */
	export: '数据导出'
} as const;
export type AuditArea = keyof typeof AUDIT_AREAS;
export const isAuditArea = (x: string): x is AuditArea => Object.hasOwn(AUDIT_AREAS, x);

export interface AuditEntry {
	/** the user name of who acted (for a failed sign-in, the name typed; CLI_ACTOR for the command line) */
	actor: string;
	area: AuditArea;
	/** what was changed (a user name, a unit code, a word …); '' for the area as a whole */
	target?: string;
	/** the line, in Chinese, as the server's log gets it */
	message: string;
	/** the client's address (sign-ins) */
	client?: string | null;
}

/** How a failed sign-in's entry begins: the outcome first, the name typed (anyone's text, maybe cut) last. */
export const LOGIN_FAILED = '登录：登录失败';

/** The actor of what the command line does (`npm run cli -- user …`, `token …`): the server's operator. */
export const CLI_ACTOR = '命令行';

/**
 * Records an entry: a row of audit_log and a line in the server's log (`say`: the command line's own process, whose
 * stdout is its JSON answer, says it on stderr). Never throws (see the head of the file).
 */
export async function audit(db: Db, e: AuditEntry, say: (line: string) => void = (l) => console.log(l)): Promise<void> {
	// what a sign-in form was sent is anyone's text: cut to a length a log line has, without the NULs PostgreSQL refuses
	const clean = (s: string, max: number) => cutChars(s.replaceAll('\u0000', ''), max);
	say(`[minqing] ${clean(e.message, 2000)}`);
	try {
		await db.insert(auditLog).values({
			actor: clean(e.actor, 200),
			area: e.area,
			target: clean(e.target ?? '', 200),
			message: clean(e.message, 2000),
			client: e.client ? clean(e.client, 200) : null
		});
	} catch (err) {
		console.error(`[minqing] 操作日志未能写入（${AUDIT_AREAS[e.area]}：${e.message}）：`, (err as Error).message?.split('\n')[0]);
	}
}

/** An entry as the page and the API list it. */
export interface AuditListing {
	id: number;
	at: string;
	actor: string;
	area: AuditArea;
	areaLabel: string;
	target: string;
	message: string;
	client: string | null;
}

export interface AuditFilter {
	area?: string | null;
	/** the actor's user name, exactly */
	actor?: string | null;
	/** words in the message or the target */
	q?: string | null;
	/** Asia/Shanghai days, inclusive (YYYY-MM-DD) */
	from?: string | null;
	to?: string | null;
	/** the entries older than this id (the next page) */
	before?: number | null;
	size?: number;
}

export const AUDIT_PAGE = 100;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The start of an Asia/Shanghai day as an instant, or a refusal naming `field`. */
function dayStart(day: string, field: string): Date {
	const t = DAY.test(day) ? Date.parse(`${day}T00:00:00+08:00`) : Number.NaN;
	if (!Number.isFinite(t)) throw new CaseError('invalid_input', `日期应为 年-月-日（如 2026-12-01），收到「${day}」`, field);
	return new Date(t);
}

/**
 * The entries newest first that meet the filter, a page of `size` (at most 500), and the id to ask for the next page
 * with (`before`), or null on the last one. An unknown area or a day that is no date is refused naming its field.
 */
export async function auditEntries(db: Db, f: AuditFilter = {}): Promise<{ entries: AuditListing[]; next: number | null }> {
	const size = Math.min(500, Math.max(1, Math.floor(f.size ?? AUDIT_PAGE)));
	const where: (SQL | undefined)[] = [];
	if (f.area) {
		if (!isAuditArea(f.area)) throw new CaseError('invalid_input', `未知日志类别「${f.area}」，可选：${Object.entries(AUDIT_AREAS).map(([k, v]) => `${k}（${v}）`).join('、')}`, 'area');
		where.push(eq(auditLog.area, f.area));
	}
	if (f.actor) where.push(eq(auditLog.actor, f.actor));
	const q = f.q?.trim();
	if (q) {
		const like = `%${q.replace(/[%_\\]/g, (c) => '\\' + c)}%`;
		where.push(sql`(${auditLog.message} like ${like} or ${auditLog.target} like ${like})`);
	}
	if (f.from) where.push(gte(auditLog.at, dayStart(f.from, 'from')));
	if (f.to) where.push(lt(auditLog.at, new Date(dayStart(f.to, 'to').getTime() + 86_400_000)));
	if (f.before != null) where.push(lt(auditLog.id, f.before));
	const rows = await db
		.select()
		.from(auditLog)
		.where(and(...where))
		.orderBy(desc(auditLog.id))
		.limit(size + 1);
	const page = rows.slice(0, size);
	return {
		entries: page.map((r) => ({
			id: r.id,
			at: r.at.toISOString(),
			actor: r.actor,
			area: r.area as AuditArea,
			areaLabel: isAuditArea(r.area) ? AUDIT_AREAS[r.area] : r.area,
			target: r.target,
			message: r.message,
			client: r.client
		})),
		next: rows.length > size ? page[page.length - 1].id : null
	};
}

/** For the 设置 card: the latest entry (time and message) and today's failed sign-ins (Asia/Shanghai day). */
export async function auditSummary(db: Db, now = Date.now()): Promise<{ latest: string | null; failedToday: number }> {
	const [last] = await db.select({ at: auditLog.at, message: auditLog.message }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
	const today = dayStart(shanghaiDay(now), 'from');
	const [{ n }] = await db
		.select({ n: sql<number>`count(*)::int` })
		.from(auditLog)
		.where(and(eq(auditLog.area, 'login'), gte(auditLog.at, today), sql`${auditLog.message} like ${`${LOGIN_FAILED}%`}`));
	return { latest: last ? `${formatShanghaiTime(last.at.toISOString()).slice(0, 16)} ${last.message}` : null, failedToday: Number(n) };
}
