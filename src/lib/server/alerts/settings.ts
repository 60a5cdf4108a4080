// What administrators set for emerging-incident detection (设置 › 预警): watch lists (seeded from
// data/alerts/watchlists.json on first start, then edited here), silences and webhooks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, desc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Reference } from '$pipelines/reference/index';
import type { Db } from '../db';
import { audit } from '../audit';
import { alertEvents, alerts, silences, watchlists, webhookDeliveries, webhooks, type WatchlistRow } from '../db/schema';
import { SEVERITIES, type DeliveryView } from '$lib/alerts';
import { formatShanghaiTime } from '$lib/charts/format';
import { blockedWebhookHost, hasUserinfo, unmaskUrl, withoutSecrets, type Webhook } from './notify';
import { AlertError, OPEN_STATUSES, refuseUnsavable } from './store';

export interface WatchlistInput {
	slug: string;
	name: string;
	terms: string[];
	categories: string[];
	severity: number;
	unit: string | null;
	enabled?: boolean;
}

export function watchlistFile(referenceDir: string): string {
	return join(referenceDir, 'alerts', 'watchlists.json');
}

/** Adds the data file's watch lists that the store does not have yet (an edited list is never overwritten). */
export async function seedWatchlists(db: Db, ref: Reference, file: string): Promise<number> {
	let raw: { watchlists: WatchlistInput[] };
	try {
		raw = JSON.parse(readFileSync(file, 'utf8'));
	} catch (e) {
		throw new Error(`预警关注词表 ${file} 无法读取：${(e as Error).message}`);
	}
	let added = 0;
	for (const w of raw.watchlists) {
		// another city's reference data may lack a unit or category the file names: those are left out
		const v = validateWatchlist(
			{
				...w,
				unit: w.unit && ref.unitByCode.has(w.unit) ? w.unit : null,
				categories: (w.categories ?? []).filter((c) => ref.categoryByCode.has(c))
			},
			ref
		);
		// a list of the file whose name an administrator's list already has would be two lists of one name: left out
		const [named] = await db.select({ slug: watchlists.slug }).from(watchlists).where(eq(watchlists.name, v.name));
		if (named && named.slug !== v.slug) {
			console.warn(`[minqing] 预警关注词表 ${file} 中的「${v.name}」（${v.slug}）未添加：已有同名的关注词表（${named.slug}）`);
			continue;
		}
		const r = await db
			.insert(watchlists)
			.values({
				slug: v.slug,
				name: v.name,
				terms: v.terms,
				categories: v.categories,
				severity: v.severity,
				unitCode: v.unit,
				enabled: v.enabled ?? true
			})
			.onConflictDoNothing()
			.returning({ id: watchlists.id });
		added += r.length;
	}
	return added;
}

/** Checks a watch list as an administrator typed it; Chinese messages name the field. */
export function validateWatchlist(w: Partial<WatchlistInput>, ref: Reference): WatchlistInput {
	// (the identifier's pattern and the reference lookups of categories and unit refuse a NUL already)
	refuseUnsavable('名称', String(w.name ?? ''));
	refuseUnsavable('关注词', ...(w.terms ?? []).map(String));
	const slug = String(w.slug ?? '').trim();
	if (!/^[a-z][a-z0-9_]{1,39}$/.test(slug)) throw new AlertError('invalid_input', '标识须为 2–40 位小写字母、数字或下划线，且以字母开头');
	const name = String(w.name ?? '').trim();
	if (!name || name.length > 40) throw new AlertError('invalid_input', '名称不能为空，且不超过 40 字');
	const terms = [...new Set((w.terms ?? []).map((t) => String(t).trim()).filter(Boolean))];
	if (terms.some((t) => t.length > 20)) throw new AlertError('invalid_input', '每个关注词不超过 20 字');
	const categories = [...new Set((w.categories ?? []).map((c) => String(c).trim()).filter(Boolean))];
	const unknown = categories.filter((c) => !ref.categoryByCode.has(c));
	if (unknown.length) throw new AlertError('invalid_input', `分类编码不存在：${unknown.join('、')}`);
	if (!terms.length && !categories.length) throw new AlertError('invalid_input', '至少填写一个关注词或一个分类');
	const severity = Number(w.severity);
	if (!(SEVERITIES as readonly number[]).includes(severity)) throw new AlertError('invalid_input', '级别须为 1–4（Ⅰ级特别重大 … Ⅳ级一般）');
	const unit = w.unit ? String(w.unit).trim() : null;
	if (unit && !ref.unitByCode.has(unit)) throw new AlertError('invalid_input', `单位编码不存在：${unit}`);
	return { slug, name, terms, categories, severity, unit, enabled: w.enabled !== false };
}

export async function listWatchlists(db: Db, onlyEnabled = false): Promise<WatchlistRow[]> {
	const rows = await db.select().from(watchlists).orderBy(watchlists.id);
	return onlyEnabled ? rows.filter((w) => w.enabled) : rows;
}

/**
 * The version an editor saw, which every edit carries (设置 › 预警 sends it with the form): of two administrators
 * editing one list or receiver, the second save is refused (409) instead of silently undoing the first.
 */
function versionSeen(v: unknown): number {
	if (v === undefined || v === null || v === '') throw new AlertError('invalid_input', '缺少版本号：请刷新页面后重试');
	const n = typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v) : v;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new AlertError('invalid_input', '版本号的格式不正确');
	return n;
}

/** What a save at a version another save has passed is told (409). */
function changedMeanwhile(what: string, name: string): AlertError {
	return new AlertError('conflict', `${what}「${name}」已被他人修改，请刷新后重试`);
}

/**
 * Adds a list (id null) or saves one at the version the editor saw (`input.version`, required then): a stale
 * version is a conflict, and the update itself is conditional on it, so of two saves at once one is refused.
 */
export async function saveWatchlist(
	db: Db,
	ref: Reference,
	input: Partial<WatchlistInput> & { version?: unknown },
	id: number | null
): Promise<WatchlistRow> {
	const v = validateWatchlist(input, ref);
	const values = {
		slug: v.slug,
		name: v.name,
		terms: v.terms,
		categories: v.categories,
		severity: v.severity,
		unitCode: v.unit,
		enabled: v.enabled ?? true,
		updatedAt: new Date()
	};
	// another list of that name could not be told apart where lists are chosen (silences) or named (alerts)
	const version = id === null ? null : versionSeen(input.version);
	const [named] = await db.select({ id: watchlists.id }).from(watchlists).where(eq(watchlists.name, v.name));
	if (named && named.id !== id) throw new AlertError('invalid_input', `名称「${v.name}」已被另一个关注词表使用`);
	if (id === null || version === null) {
		// another list's identifier (the unique index would make it a failed query)
		const [dup] = await db.select({ id: watchlists.id }).from(watchlists).where(eq(watchlists.slug, v.slug));
		if (dup) throw new AlertError('invalid_input', `标识 ${v.slug} 已被使用`);
		const [row] = await db.insert(watchlists).values(values).returning();
		return row;
	}
	// the identifier is fixed once made: alerts, their series, silences and the seeding of the data file refer to a list by it
	const [was] = await db
		.select({ slug: watchlists.slug, name: watchlists.name, version: watchlists.version })
		.from(watchlists)
		.where(eq(watchlists.id, id));
	if (!was) throw new AlertError('not_found', `关注词表 #${id} 不存在`);
	if (was.version !== version) throw changedMeanwhile('关注词表', was.name);
	if (was.slug !== v.slug)
		throw new AlertError('invalid_input', `关注词表的标识创建后不能修改（预警、静默规则按标识 ${was.slug} 引用它）；如需改名，请修改名称`);
	const [row] = await db
		.update(watchlists)
		.set({ ...values, version: sql`${watchlists.version} + 1` })
		.where(and(eq(watchlists.id, id), eq(watchlists.version, version)))
		.returning();
	// another save passed this version since it was read
	if (!row) throw changedMeanwhile('关注词表', was.name);
	return row;
}

// --- silences ---------------------------------------------------------------------------------------------

/** The series families a silence can name (the family label), for people. */
export const FAMILY_LABELS: Record<string, string> = { watchlist: '关注词表', category: '分类', topic: '话题' };

export const SILENCE_LABELS = ['watchlist', 'category', 'district', 'street', 'family', 'severity'] as const;
export type SilenceLabel = (typeof SILENCE_LABELS)[number];
export const SILENCE_LABEL_NAMES: Record<SilenceLabel, string> = {
	watchlist: '关注词表',
	category: '分类',
	district: '区县',
	street: '街道（镇）',
	family: '序列类型',
	severity: '级别'
};

/** Labels of an alert that silences match on. */
export type AlertLabels = Partial<Record<SilenceLabel, string>>;

/** A silence matches when every one of its matchers equals the alert's label (a category matcher is a prefix). */
export function silenceMatches(matchers: AlertLabels, labels: AlertLabels): boolean {
	const entries = Object.entries(matchers) as [SilenceLabel, string][];
	if (!entries.length) return false;
	return entries.every(([k, v]) => {
		const have = labels[k];
		if (have === undefined) return false;
		return k === 'category' ? have.startsWith(v) : have === v;
	});
}

/** The labels silences match on, of a detected incident or a stored alert. */
export function alertLabels(a: {
	watchlistSlug: string | null;
	categoryCode: string | null;
	districtCode: string | null;
	placeLevel: string;
	placeCode: string;
	severity: number;
}): AlertLabels {
	const l: AlertLabels = { family: a.watchlistSlug ? 'watchlist' : a.categoryCode ? 'category' : 'topic', severity: String(a.severity) };
	if (a.watchlistSlug) l.watchlist = a.watchlistSlug;
	if (a.categoryCode) l.category = a.categoryCode;
	if (a.districtCode) l.district = a.districtCode;
	if (a.placeLevel === 'street') l.street = a.placeCode;
	return l;
}

/** The first of `active` that silences an alert with these labels, or null. */
export function silenceFor(active: readonly { id: number; matchers: unknown }[], labels: AlertLabels): number | null {
	return active.find((x) => silenceMatches(x.matchers as AlertLabels, labels))?.id ?? null;
}

/**
 * Keeps the open alerts' `silencedBy` to the silences active at `now` (Alertmanager's way: a silence applies
 * while it is active, to every alert it matches, whenever the alert was raised): after a silence is created or
 * ended, and every detection round (silences also end by their time). An alert no silence holds any longer gets
 * 静默结束 in its trail (what it may be owed is `announceOwed`'s, which reads the trail).
 */
export async function refreshSilenced(db: Db, now: Date): Promise<SilenceChange[]> {
	const active = await activeSilences(db, now);
	const open = await db.select().from(alerts).where(inArray(alerts.status, [...OPEN_STATUSES]));
	const changed: SilenceChange[] = [];
	for (const a of open) {
		const by = silenceFor(active, alertLabels(a));
		if (by === a.silencedBy) continue;
		await db.update(alerts).set({ silencedBy: by }).where(eq(alerts.id, a.id));
		if (by === null) await db.insert(alertEvents).values({ alertId: a.id, action: 'unsilenced', actorName: '系统', note: '静默已结束', at: now });
		changed.push({ id: a.id, silenced: by !== null });
	}
	return changed;
}

/** An open alert a silence began or stopped to hold (for the live pages). */
export interface SilenceChange {
	id: number;
	silenced: boolean;
}

export async function activeSilences(db: Db, now: Date) {
	return db
		.select()
		.from(silences)
		.where(and(lte(silences.startsAt, now), gt(silences.endsAt, now)));
}

export async function listSilences(db: Db) {
	return db.select().from(silences).orderBy(desc(silences.endsAt)).limit(200);
}

/** Why a matcher's value can match no alert, or null when it can. */
async function unknownMatcher(db: Db, ref: Reference, label: SilenceLabel, v: string): Promise<string | null> {
	const name = SILENCE_LABEL_NAMES[label];
	switch (label) {
		case 'watchlist': {
			const [w] = await db.select({ id: watchlists.id }).from(watchlists).where(eq(watchlists.slug, v));
			return w ? null : `${name}「${v}」不存在`;
		}
		case 'category':
			return ref.categoryByCode.has(v) ? null : `${name}「${v}」不存在（分类编码如 12、1203、120302）`;
		case 'district':
			return ref.districtByCode.has(v) ? null : `${name}「${v}」不存在`;
		case 'street':
			return ref.streetByCode.has(v) ? null : `${name}「${v}」不存在（9 位街道（镇）编码）`;
		case 'family':
			return Object.hasOwn(FAMILY_LABELS, v) ? null : `${name}须为 ${Object.keys(FAMILY_LABELS).join('、')} 之一`;
		case 'severity':
			return SEVERITIES.map(String).includes(v) ? null : `${name}须为 ${SEVERITIES[0]}–${SEVERITIES.at(-1)}`;
	}
}

/** The longest reason a silence takes. */
export const SILENCE_COMMENT_MAX = 500;

export interface SilenceInput {
	matchers: AlertLabels;
	startsAt: Date;
	endsAt: Date;
	comment: string;
}

export async function createSilence(
	db: Db,
	ref: Reference,
	input: SilenceInput,
	userId: number | null,
	now = new Date()
) {
	const matchers = Object.fromEntries(
		Object.entries(input.matchers)
			.map(([k, v]) => [k, String(v ?? '').trim()])
			.filter(([k, v]) => (SILENCE_LABELS as readonly string[]).includes(k) && v)
	) as AlertLabels;
	if (!Object.keys(matchers).length)
		throw new AlertError('invalid_input', '至少指定一个匹配条件（关注词表、分类、区县、街道、序列类型或级别）');
	// the watch list is looked up in the store; the other conditions in the reference, which refuses a NUL already
	refuseUnsavable(SILENCE_LABEL_NAMES.watchlist, matchers.watchlist);
	refuseUnsavable('静默原因', input.comment);
	// a mistyped code would make a silence that matches nothing, and nobody would know
	for (const [k, v] of Object.entries(matchers) as [SilenceLabel, string][]) {
		const why = await unknownMatcher(db, ref, k, v);
		if (why) throw new AlertError('invalid_input', why);
	}
	if (!(input.startsAt instanceof Date) || Number.isNaN(input.startsAt.getTime()) || Number.isNaN(input.endsAt.getTime())) {
		throw new AlertError('invalid_input', '开始和结束时间格式不正确');
	}
	if (input.endsAt <= input.startsAt) throw new AlertError('invalid_input', '结束时间须晚于开始时间');
	if (input.endsAt <= now) throw new AlertError('invalid_input', '结束时间已过：静默规则只对今后的预警起作用');
	if (input.endsAt.getTime() - input.startsAt.getTime() > 30 * 86_400_000) throw new AlertError('invalid_input', '静默最长 30 天');
	const comment = input.comment.trim();
	if (!comment) throw new AlertError('invalid_input', '请说明静默原因');
	if (comment.length > SILENCE_COMMENT_MAX) throw new AlertError('invalid_input', `静默原因不超过 ${SILENCE_COMMENT_MAX} 字`);
	const [row] = await db
		.insert(silences)
		.values({ matchers, startsAt: input.startsAt, endsAt: input.endsAt, comment, createdBy: userId })
		.returning();
	return { silence: row, changed: await refreshSilenced(db, now) };
}

/**
 * Ends a silence now; returns the alerts it stopped holding (`endSilence` in service.ts also tells the live pages and
 * announces what those alerts are owed).
 */
export async function expireSilence(db: Db, id: number): Promise<SilenceChange[]> {
	const [s] = await db.select().from(silences).where(eq(silences.id, id));
	if (!s) throw new AlertError('not_found', `静默规则 #${id} 不存在`);
	const now = new Date();
	// one already over keeps the end it had; one not yet begun ends at its start (it never applies)
	if (s.endsAt <= s.startsAt) throw new AlertError('bad_transition', `静默规则 #${id} 已在开始前撤销`);
	if (s.endsAt <= now) throw new AlertError('bad_transition', `静默规则 #${id} 已于 ${formatShanghaiTime(s.endsAt.toISOString())} 结束`);
	// only the end that was read is replaced: of two people ending it at once, the second is told it has ended
	const ended = await db
		.update(silences)
		.set({ endsAt: s.startsAt > now ? s.startsAt : now })
		.where(and(eq(silences.id, id), sql`date_trunc('milliseconds', ${silences.endsAt}) = ${s.endsAt.toISOString()}::timestamptz`))
		.returning({ id: silences.id });
	if (!ended.length) throw new AlertError('bad_transition', `静默规则 #${id} 已被他人结束`);
	return refreshSilenced(db, now);
}

// --- webhooks ---------------------------------------------------------------------------------------------

export const WEBHOOK_FORMATS = ['json', 'dingtalk', 'wecom'] as const;
export const WEBHOOK_FORMAT_LABELS: Record<(typeof WEBHOOK_FORMATS)[number], string> = {
	json: '通用 JSON',
	dingtalk: '钉钉机器人',
	wecom: '企业微信机器人'
};

/** The receivers, without the deleted ones unless asked (the delivery logs name those too). */
export async function listWebhooks(db: Db, withDeleted = false) {
	return db
		.select()
		.from(webhooks)
		.where(withDeleted ? undefined : isNull(webhooks.deletedAt))
		.orderBy(webhooks.id);
}

/** Adds a receiver (id null) or saves one at the version the editor saw (`input.version`, required then), as saveWatchlist. */
export async function saveWebhook(
	db: Db,
	/** secret: a DingTalk 加签 secret, null for none; left out (undefined) when editing, the stored one stays */
	input: { name: string; url: string; format: string; secret?: string | null; minSeverity: number; enabled?: boolean; version?: unknown },
	id: number | null,
	/** who saves it, for the 操作日志 (which names the receiver, never its address: it holds secrets) */
	actor?: string
) {
	const row = await storeWebhook(db, input, id);
	if (actor) await audit(db, { actor, area: 'alerts', target: `#${row.id}`, message: `预警设置：${actor} ${id === null ? '新建' : '修改'}通知地址「${row.name}」（${row.enabled ? '启用' : '停用'}）` });
	return row;
}

async function storeWebhook(db: Db, input: Parameters<typeof saveWebhook>[1], id: number | null) {
	refuseUnsavable('名称', input.name);
	refuseUnsavable('地址', input.url);
	refuseUnsavable('加签密钥', input.secret);
	const name = input.name.trim();
	if (!name || name.length > 40) throw new AlertError('invalid_input', '名称不能为空，且不超过 40 字');
	if (input.url.trim().length > 2000) throw new AlertError('invalid_input', '地址不超过 2000 个字符');
	const version = id === null ? null : versionSeen(input.version);
	const [named] = await db
		.select({ id: webhooks.id })
		.from(webhooks)
		.where(and(eq(webhooks.name, name), isNull(webhooks.deletedAt)));
	if (named && named.id !== id) throw new AlertError('invalid_input', `名称「${name}」已被另一个通知地址使用`);
	// the form shows a stored address with its secrets masked (withoutSecrets): a masked value stands for the stored one
	const was = id === null ? null : await getWebhook(db, id);
	const typed = unmaskUrl(input.url.trim(), was?.url ?? null);
	if (typed === null) throw new AlertError('invalid_input', '地址中的密钥（如 access_token、key）显示时已隐藏，请粘贴完整的地址');
	let url: URL;
	try {
		url = new URL(typed);
	} catch {
		throw new AlertError('invalid_input', '地址不是有效的 URL');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AlertError('invalid_input', '地址须以 http:// 或 https:// 开头');
	// fetch never sends them, and the address shows in logs and pages: a receiver's key belongs in its path or query
	if (url.username || url.password) throw new AlertError('invalid_input', '地址不能包含用户名和密码');
	const blocked = await blockedWebhookHost(url.toString());
	if (blocked) throw new AlertError('invalid_input', blocked);
	if (!(WEBHOOK_FORMATS as readonly string[]).includes(input.format))
		throw new AlertError('invalid_input', '格式须为 通用 JSON、钉钉机器人 或 企业微信机器人');
	const minSeverity = Number(input.minSeverity);
	if (!(SEVERITIES as readonly number[]).includes(minSeverity)) throw new AlertError('invalid_input', '通知级别须为 1–4');
	const values = {
		name,
		url: url.toString(),
		format: input.format,
		...(input.secret === undefined && id !== null ? {} : { secret: input.secret?.trim() || null }),
		minSeverity,
		enabled: input.enabled !== false
	};
	if (id === null || version === null || was === null) return (await db.insert(webhooks).values(values).returning())[0];
	if (was.version !== version) throw changedMeanwhile('通知地址', was.name);
	const [row] = await db
		.update(webhooks)
		.set({ ...values, version: sql`${webhooks.version} + 1` })
		.where(and(eq(webhooks.id, id), isNull(webhooks.deletedAt), eq(webhooks.version, version)))
		.returning();
	if (row) return row;
	await getWebhook(db, id); // deleted meanwhile: not found
	throw changedMeanwhile('通知地址', was.name);
}

export async function getWebhook(db: Db, id: number) {
	const [row] = await db
		.select()
		.from(webhooks)
		.where(and(eq(webhooks.id, id), isNull(webhooks.deletedAt)));
	if (!row) throw new AlertError('not_found', `通知地址 #${id} 不存在`);
	return row;
}

/** A stored webhook as the notifier takes it. */
export function toWebhook(row: typeof webhooks.$inferSelect): Webhook {
	return { ...row, format: row.format as Webhook['format'], minSeverity: row.minSeverity as Webhook['minSeverity'] };
}

/** Deletes a receiver: it gets no more messages and leaves the settings, while its delivery log stays. */
export async function deleteWebhook(db: Db, id: number, actor?: string): Promise<void> {
	const r = await db
		.update(webhooks)
		.set({ enabled: false, deletedAt: new Date() })
		.where(and(eq(webhooks.id, id), isNull(webhooks.deletedAt)))
		.returning({ id: webhooks.id, name: webhooks.name });
	if (!r.length) throw new AlertError('not_found', `通知地址 #${id} 不存在`);
	if (actor) await audit(db, { actor, area: 'alerts', target: `#${id}`, message: `预警设置：${actor} 删除通知地址「${r[0].name}」（#${id}）` });
}

/**
 * The latest attempts, newest first (of one alert with `alertId`), each with its receiver's name. Their texts are
 * read without a URL's user name and password and with its secrets masked (withoutSecrets): attempts logged before
 * those were kept out (fetch's refusal quoted the address as given) show on the alert's page too.
 */
export async function recentDeliveries(db: Db, opts: { alertId?: number; limit?: number } = {}): Promise<DeliveryView[]> {
	const rows = await db
		.select({ d: webhookDeliveries, name: webhooks.name, deletedAt: webhooks.deletedAt })
		.from(webhookDeliveries)
		.leftJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
		.where(opts.alertId ? eq(webhookDeliveries.alertId, opts.alertId) : undefined)
		.orderBy(desc(webhookDeliveries.id))
		.limit(opts.limit ?? 100);
	return rows.map(({ d, name, deletedAt }) => ({
		id: d.id,
		webhookId: d.webhookId,
		webhook: name === null ? `#${d.webhookId}` : deletedAt ? `${name}（已删除）` : name,
		alertId: d.alertId,
		event: d.event,
		attempt: d.attempt,
		status: d.status,
		httpStatus: d.httpStatus,
		error: d.error === null ? null : withoutSecrets(d.error),
		durationMs: d.durationMs,
		at: d.at.toISOString()
	}));
}

/**
 * At start: says in the log which receivers have an address with a user name or password (saved before that was
 * refused), without them. Their messages are not sent: each attempt is logged as a failure that is not retried
 * (notify.ts USERINFO_REFUSED) until an administrator corrects the address.
 */
export async function warnUserinfoWebhooks(db: Db, log: (m: string) => void = (m) => console.warn(m)): Promise<number> {
	const bad = (await listWebhooks(db)).filter((h) => hasUserinfo(h.url));
	for (const h of bad)
		log(`[minqing] 通知地址「${h.name}」（#${h.id}，${withoutSecrets(h.url)}）含有用户名和密码，无法发送：请在 设置 › 预警 中修改地址`);
	return bad.length;
}
