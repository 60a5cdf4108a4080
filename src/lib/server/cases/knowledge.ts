// The knowledge base operators answer consultations from (知识库): stored in kb_articles, seeded from
// data/kb/articles.json on start (only the articles the store does not have, retired or not, so an edited or
// retired article stays as the administrator left it), edited by administrators in 设置 › 知识库 and through the
// API. Articles are retired (停用), never deleted. The 受理 assistant reads the active ones through a per-store
// cache that every write here drops. Routes call these functions; they throw CaseError (cases/http.ts maps it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, ilike, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { shanghaiDay, shanghaiMidnight } from '$pipelines/calendar/index';
import { unsavableChar, unsavableMessage } from '$pipelines/normalize/text';
import { fold, parseKnowledge, searchKnowledge, type Article, type ArticleHit } from '$pipelines/text/knowledge';
import type { Db } from '../db';
import { audit } from '../audit';
import { kbArticles, type KbArticleRow } from '../db/schema';
import { pgErrorCode } from '../db/errors';
import { CaseError, objectBody } from './input';
import type { CaseUser } from './service';

export type { KbArticleRow };

/** How many articles the 受理 assistant suggests for a call. */
export const KB_SUGGESTIONS = 3;

export const KB_LIMITS = { title: 100, answer: 2000, keywords: 30, keyword: 20 } as const;
export const KB_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;

export const KB_FIELD_LABELS: Record<string, string> = {
	id: '标识',
	title: '标题',
	keywords: '关键词',
	answer: '答复内容',
	version: '版本号',
	retired: '停用'
};

/** Who may change the knowledge base. */
const EDITORS: readonly CaseUser['role'][] = ['admin'];
/** who edits (the user name, when known, names them in the 操作日志) */
type Editor = Pick<CaseUser, 'role' | 'displayName'> & { username?: string };

/** A change of an article in the 操作日志: 知识库：admin 修改条目「…」（kb-xxx） */
const recordChange = (db: Db, user: Editor, verb: string, row: KbArticleRow) =>
	audit(db, { actor: user.username ?? user.displayName, area: 'knowledge', target: row.id, message: `知识库：${user.username ?? user.displayName} ${verb}条目「${row.title}」（${row.id}）` });

/** The name the seed writes as the articles' editor. */
export const SEED_EDITOR = '初始数据';

export function knowledgeFile(referenceDir: string): string {
	return join(referenceDir, 'kb', 'articles.json');
}

// --- validation ------------------------------------------------------------------------------------------

export interface KbArticleInput {
	title: string;
	keywords: string[];
	answer: string;
}

function invalid(field: string, message: string, detail: string | null = null): never {
	throw new CaseError('invalid_input', message, field, detail);
}

const chars = (s: string) => [...s].length;

/** Keywords typed as one string: separated by commas (, ，), 、 or whitespace. */
export function splitKeywords(s: string): string[] {
	return s
		.split(/[,，、\s]+/)
		.map((k) => k.trim())
		.filter(Boolean);
}

function text(raw: Record<string, unknown>, field: 'title' | 'answer'): string {
	const label = KB_FIELD_LABELS[field];
	const v = raw[field];
	if (v === undefined || v === null) return invalid(field, `请填写${label}`);
	if (typeof v !== 'string') return invalid(field, `${label}的格式不正确`, `${field}: expected a string`);
	const s = v.trim();
	if (!s) return invalid(field, `请填写${label}`);
	const unsavable = unsavableMessage(label, s);
	if (unsavable) return invalid(field, unsavable, `${field}: contains ${unsavableChar(s)!.code}`);
	const max = KB_LIMITS[field];
	if (chars(s) > max) return invalid(field, `${label}不能超过 ${max} 个字（现有 ${chars(s)} 个）`);
	return s;
}

/** Keywords as a list, or as one string to split; trimmed, without repeats (width and case folded), each checked. */
export function keywordsOf(v: unknown): string[] {
	let words: string[];
	if (v === undefined || v === null) words = [];
	else if (typeof v === 'string') words = splitKeywords(v);
	else if (Array.isArray(v) && v.every((k) => typeof k === 'string')) words = v.map((k: string) => k.trim()).filter(Boolean);
	else return invalid('keywords', '关键词的格式不正确：应为词的列表，或以逗号、顿号、空格分隔的一段文字', 'keywords: expected strings');
	const seen = new Set<string>();
	const out: string[] = [];
	for (const w of words) {
		const unsavable = unsavableMessage('关键词', w);
		if (unsavable) invalid('keywords', unsavable, `keywords: contains ${unsavableChar(w)!.code}`);
		if (chars(w) > KB_LIMITS.keyword) invalid('keywords', `关键词“${w}”超过 ${KB_LIMITS.keyword} 个字`);
		// the assistant matches keywords of two characters or more (one character lies inside too many words)
		if (chars(fold(w)) < 2) invalid('keywords', `关键词“${w}”只有一个字，无法用于匹配来电内容，请写成词语（如“养犬登记”）`);
		const k = fold(w);
		if (seen.has(k)) continue;
		seen.add(k);
		out.push(w);
	}
	if (out.length > KB_LIMITS.keywords) invalid('keywords', `关键词最多 ${KB_LIMITS.keywords} 个（现有 ${out.length} 个）`);
	return out;
}

/** The slug of a new article. */
export function articleId(v: unknown): string {
	if (v === undefined || v === null || (typeof v === 'string' && !v.trim())) return invalid('id', '请填写标识');
	if (typeof v !== 'string') return invalid('id', '标识的格式不正确', 'id: expected a string');
	const id = v.trim();
	if (!KB_ID_PATTERN.test(id)) return invalid('id', '标识须为 2–40 位小写字母、数字或连字符（-），且以小写字母开头，如 line-housing-fund');
	return id;
}

/** Checks an article as an administrator typed it; the refusal names the field in Chinese. Text is kept as given (trimmed). */
export function validateArticle(raw: unknown): KbArticleInput {
	const r = objectBody(raw);
	return { title: text(r, 'title'), keywords: keywordsOf(r.keywords), answer: text(r, 'answer') };
}

function versionOf(v: unknown, required: boolean): number | null {
	if (v === undefined || v === null || v === '') return required ? invalid('version', '缺少版本号：请刷新页面后重试') : null;
	const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) return invalid('version', '版本号的格式不正确', `version: ${String(v)}`);
	return n;
}

function mayEdit(user: Editor): void {
	if (!EDITORS.includes(user.role)) throw new CaseError('forbidden', '只有管理员可以修改知识库');
}

// --- the assistant's view: active articles, cached per store ---------------------------------------------

const activeCache = new WeakMap<Db, Promise<Article[]>>();

/** An article as the search takes it. */
export function toArticle(r: KbArticleRow): Article {
	return { id: r.id, title: r.title, keywords: r.keywords, answer: r.answer, updated: shanghaiDay(r.updatedAt.getTime()) };
}

/** The articles the assistant suggests from (not retired). Cached until the next write through this module. */
export function activeArticles(db: Db): Promise<Article[]> {
	let p = activeCache.get(db);
	if (!p) {
		p = db
			.select()
			.from(kbArticles)
			.where(isNull(kbArticles.retiredAt))
			.orderBy(asc(kbArticles.id))
			.then((rows) => rows.map(toArticle));
		activeCache.set(db, p);
		// a failed read is not kept
		p.catch(() => {
			if (activeCache.get(db) === p) activeCache.delete(db);
		});
	}
	return p;
}

/** Drops the cached active articles (after every committed write, so the next read sees it). */
function changed(db: Db): void {
	activeCache.delete(db);
}

/** What the assistant would suggest for a caller's sentence (the 试一试 box of 设置 › 知识库). */
export async function suggestArticles(db: Db, sentence: string, limit = KB_SUGGESTIONS): Promise<ArticleHit[]> {
	return searchKnowledge(await activeArticles(db), sentence.slice(0, 500), limit);
}

// --- reads -----------------------------------------------------------------------------------------------

const likePattern = (w: string) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The articles, by id (retired ones after the others); `q`: words that each must be in the id, title, keywords or answer; retired ones only when asked. */
export async function listArticles(db: Db, opts: { q?: string; retired?: boolean } = {}): Promise<KbArticleRow[]> {
	const conds: (SQL | undefined)[] = [];
	if (!opts.retired) conds.push(isNull(kbArticles.retiredAt));
	for (const w of (opts.q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 10)) {
		const p = likePattern(w.slice(0, 100));
		conds.push(
			or(
				ilike(kbArticles.id, p),
				ilike(kbArticles.title, p),
				ilike(kbArticles.answer, p),
				sql`array_to_string(${kbArticles.keywords}, ' ') ILIKE ${p}`
			)
		);
	}
	return db
		.select()
		.from(kbArticles)
		.where(and(...conds))
		.orderBy(sql`${kbArticles.retiredAt} IS NOT NULL`, asc(kbArticles.id));
}

export async function getArticle(db: Db, id: string): Promise<KbArticleRow> {
	const [row] = await db.select().from(kbArticles).where(eq(kbArticles.id, id));
	if (!row) throw new CaseError('not_found', `知识库条目 ${id} 不存在`);
	return row;
}

export async function countArticles(db: Db): Promise<{ active: number; retired: number }> {
	const [r] = await db
		.select({
			active: sql<number>`count(*) FILTER (WHERE ${kbArticles.retiredAt} IS NULL)::int`,
			retired: sql<number>`count(*) FILTER (WHERE ${kbArticles.retiredAt} IS NOT NULL)::int`
		})
		.from(kbArticles);
	return { active: Number(r?.active ?? 0), retired: Number(r?.retired ?? 0) };
}

// --- writes ----------------------------------------------------------------------------------------------

/**
 * Refuses a title another article in use already has: the assistant offers operators articles by their titles, and
 * two alike could not be told apart. A retired article's title is free again (restoring it is checked too).
 */
async function titleFree(db: Db, title: string, id: string): Promise<void> {
	const [other] = await db
		.select({ id: kbArticles.id })
		.from(kbArticles)
		.where(and(eq(kbArticles.title, title), isNull(kbArticles.retiredAt), ne(kbArticles.id, id)))
		.limit(1);
	if (other) invalid('title', `已有标题为「${title}」的条目（标识 ${other.id}），请换一个标题，或编辑那一条`);
}

/** Whether a failed write is the store's refusal of a second article in use with one title (kb_articles_active_title_idx). */
function titleTaken(e: unknown): boolean {
	if (pgErrorCode(e) !== '23505') return false;
	for (let x = e as { message?: unknown; constraint?: unknown; cause?: unknown } | undefined, i = 0; x && typeof x === 'object' && i < 4; x = x.cause as typeof x, i++)
		if (`${String(x.constraint ?? '')} ${String(x.message ?? '')}`.includes('kb_articles_active_title_idx')) return true;
	return false;
}

/**
 * A write that may give an article in use the title `title`: titleFree checked it before, and the store's unique index
 * refuses it when another save of that title came in between (two administrators at the same moment), said the same.
 */
async function withTitle<T>(db: Db, title: string, id: string, write: () => Promise<T>): Promise<T> {
	try {
		return await write();
	} catch (e) {
		if (!titleTaken(e)) throw e;
		await titleFree(db, title, id);
		// (the other one retired or renamed again meanwhile)
		return invalid('title', `已有标题为「${title}」的条目，请换一个标题，或编辑那一条`, `title: ${(e as Error).message}`);
	}
}

/** A new article; its id must not be used by any article, retired or not, nor its title by one in use. */
export async function createArticle(db: Db, user: Editor, raw: unknown): Promise<KbArticleRow> {
	mayEdit(user);
	const r = objectBody(raw);
	const id = articleId(r.id);
	const v = validateArticle(r);
	await titleFree(db, v.title, id);
	const [row] = await withTitle(db, v.title, id, () =>
		db
			.insert(kbArticles)
			.values({ id, ...v, updatedAt: new Date(), updatedBy: user.displayName, version: 1 })
			.onConflictDoNothing({ target: kbArticles.id })
			.returning()
	);
	if (!row) {
		const [had] = await db.select({ retiredAt: kbArticles.retiredAt }).from(kbArticles).where(eq(kbArticles.id, id));
		invalid('id', `标识 ${id} 已被使用${had?.retiredAt ? '（一篇已停用的条目，可在列表中显示已停用后恢复）' : ''}`);
	}
	changed(db);
	await recordChange(db, user, '新建', row);
	return row;
}

async function conflict(db: Db, id: string, version: number): Promise<never> {
	const cur = await getArticle(db, id);
	throw new CaseError(
		'conflict',
		`条目「${cur.title}」已被${cur.updatedBy}修改（您编辑的是第 ${version} 版，现为第 ${cur.version} 版），请刷新后重试`,
		'version'
	);
}

/**
 * Replaces an article's title, keywords and answer, at the version the editor saw. `retired` (optional, true or
 * false) retires or restores it in the same step. The id cannot change.
 */
export async function updateArticle(db: Db, user: Editor, id: string, raw: unknown): Promise<KbArticleRow> {
	mayEdit(user);
	const r = objectBody(raw);
	if (r.id !== undefined && r.id !== id) invalid('id', '标识不能修改；如需新标识，请新建条目并停用本条');
	const version = versionOf(r.version, true)!;
	const v = validateArticle(r);
	if (r.retired !== undefined && typeof r.retired !== 'boolean') invalid('retired', '停用须为 true 或 false');
	const retired = r.retired as boolean | undefined;
	// the version the editor saw is compared here, as DELETE and 恢复 compare it: a version beyond any the store holds
	// is stale like any other (as a parameter of the update PostgreSQL refused it: out of range for type integer)
	const cur = await getArticle(db, id);
	if (version !== cur.version) return conflict(db, id, version);
	// in use after the save: restored, or not retired and left so
	if (retired === undefined ? cur.retiredAt === null : !retired) await titleFree(db, v.title, id);
	const [row] = await withTitle(db, v.title, id, () =>
		db
			.update(kbArticles)
			.set({
				...v,
				...(retired === undefined ? {} : { retiredAt: retired ? sql`coalesce(${kbArticles.retiredAt}, now())` : null }),
				updatedAt: new Date(),
				updatedBy: user.displayName,
				version: sql`${kbArticles.version} + 1`
			})
			.where(and(eq(kbArticles.id, id), eq(kbArticles.version, version)))
			.returning()
	);
	if (!row) return conflict(db, id, version);
	changed(db);
	const retiredNow = retired === undefined || (cur.retiredAt !== null) === retired ? '' : retired ? '并停用' : '并恢复';
	await recordChange(db, user, `修改${retiredNow}`, row);
	return row;
}

async function setRetired(db: Db, user: Editor, id: string, retire: boolean, rawVersion: unknown): Promise<KbArticleRow> {
	mayEdit(user);
	const version = versionOf(rawVersion, false);
	const cur = await getArticle(db, id);
	// already so: nothing to do (a repeated 停用 or DELETE is not an error)
	if ((cur.retiredAt !== null) === retire) return cur;
	if (version !== null && version !== cur.version) return conflict(db, id, version);
	if (!retire) await titleFree(db, cur.title, id);
	const [row] = await withTitle(db, cur.title, id, () =>
		db
			.update(kbArticles)
			.set({
				retiredAt: retire ? new Date() : null,
				updatedAt: new Date(),
				updatedBy: user.displayName,
				version: sql`${kbArticles.version} + 1`
			})
			.where(and(eq(kbArticles.id, id), eq(kbArticles.version, cur.version)))
			.returning()
	);
	if (!row) return conflict(db, id, version ?? cur.version);
	changed(db);
	await recordChange(db, user, retire ? '停用' : '恢复', row);
	return row;
}

/** 停用: the assistant stops suggesting it; it stays in the store (and the seed does not bring it back). */
export function retireArticle(db: Db, user: Editor, id: string, version?: unknown): Promise<KbArticleRow> {
	return setRetired(db, user, id, true, version);
}

/** 恢复 a retired article. */
export function restoreArticle(db: Db, user: Editor, id: string, version?: unknown): Promise<KbArticleRow> {
	return setRetired(db, user, id, false, version);
}

// --- the seed --------------------------------------------------------------------------------------------

/**
 * Adds the data file's articles the store does not have (by id, retired or not): an edited or retired article is
 * never overwritten or brought back, and an article whose title one in use has is left out (a warning names both).
 * A missing file adds nothing; a broken one stops the start, naming the article.
 */
export async function seedKnowledge(db: Db, file: string): Promise<number> {
	let json: string;
	try {
		json = readFileSync(file, 'utf8');
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
		throw new Error(`知识库 ${file} 无法读取：${(e as Error).message}`);
	}
	let rows: (typeof kbArticles.$inferInsert)[];
	try {
		rows = parseKnowledge(json, file).map((a) => {
			try {
				const day = /^\d{4}-\d{2}-\d{2}$/.test(a.updated) ? shanghaiMidnight(a.updated) : Number.NaN;
				return {
					id: articleId(a.id),
					...validateArticle(a),
					updatedAt: Number.isFinite(day) ? new Date(day) : new Date(),
					updatedBy: SEED_EDITOR,
					version: 1
				};
			} catch (e) {
				throw new Error(`${file}: article ${a.id}: ${(e as Error).message}`);
			}
		});
	} catch (e) {
		throw new Error(`知识库 ${file} 有误：${(e as Error).message}`);
	}
	// an article of the file whose title an article in use already has (an administrator's, or one before it in the
	// file) would be two of one title, which the assistant could not tell apart (titleFree): left out, with a warning
	const stored = await db.select({ id: kbArticles.id, title: kbArticles.title, retiredAt: kbArticles.retiredAt }).from(kbArticles);
	const ids = new Set(stored.map((r) => r.id));
	const titles = new Map(stored.filter((r) => r.retiredAt === null).map((r) => [r.title, r.id]));
	rows = rows.filter((r) => {
		if (ids.has(r.id)) return false;
		const holder = titles.get(r.title);
		if (holder !== undefined) {
			console.warn(`[minqing] 知识库 ${file} 中的「${r.title}」（${r.id}）未添加：已有同标题的条目（${holder}）`);
			return false;
		}
		ids.add(r.id);
		titles.set(r.title, r.id);
		return true;
	});
	if (!rows.length) return 0;
	const added = await db.insert(kbArticles).values(rows).onConflictDoNothing().returning({ id: kbArticles.id });
	if (added.length) changed(db);
	return added.length;
}

/** An article as the API answers it. */
export function articleJson(r: KbArticleRow) {
	return {
		id: r.id,
		title: r.title,
		keywords: r.keywords,
		answer: r.answer,
		updated_at: r.updatedAt.toISOString(),
		updated_by: r.updatedBy,
		retired_at: r.retiredAt?.toISOString() ?? null,
		version: r.version
	};
}
