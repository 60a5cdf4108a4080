// The categories' directory (设置 › 分类, /api/v1/categories): an administrator renames a category (the paths of the
// categories under it follow), stops one (停用: it and the categories under it are no longer offered for new
// tickets — not in the 受理 and 派单 forms, not suggested, not an Open311 service, refused when a form or a request
// names it; tickets that have it keep it, and the dashboards, alerts and search count them as before) or starts it
// again, and adds one under a level-1 or level-2 category, or a new level 1.
//
// Like the units (units.ts, directory.ts): the reference file seeds the categories at every start, a category
// changed here keeps its change, and the app's Reference follows the store at start and after each change.
import { and, eq, inArray, like, or, sql } from 'drizzle-orm';
import type { Category, Reference } from '$pipelines/reference/index';
import { OPEN_STATUSES } from '$pipelines/lifecycle/model';
import { CaseError, objectBody } from './cases/input';
import type { Db } from './db';
import { categories, tickets } from './db/schema';
import type { App } from './app';
import { activeField, changedMeanwhile, directoryAdmin, directoryChanged, invalid, mayAdminister as mayChange, nameField, sameVersion, versionField, type DirectoryAdmin } from './directory';

export type CategoryAdmin = DirectoryAdmin;
/** The administration of categories as the running app's `actor` does it, recorded in the 操作日志. */
export const categoryAdmin = (a: App, actor: DirectoryAdmin['actor']): DirectoryAdmin => directoryAdmin(a, actor, 'categories');

export interface CategoryListing {
	code: string;
	level: 1 | 2 | 3;
	parent: string | null;
	name: string;
	path: string;
	active: boolean;
	/** offered for new tickets: it and every category above it active */
	inUse: boolean;
	/** categories directly under it, and how many of them are active */
	children: number;
	activeChildren: number;
	/** tickets registered in this system with it or a category under it, and how many of them are still open */
	tickets: number;
	open: number;
	formerNames: string[];
	editedAt: string | null;
	editedBy: string | null;
	version: number;
}

export const CATEGORY_LIMITS = { name: 30 } as const;
const SEP = ' › ';
const LEVEL_LABELS = { 1: '一级', 2: '二级', 3: '三级' } as const;

const mayAdminister = (ctx: CategoryAdmin) => mayChange(ctx, '维护诉求分类');
const nameOf = (r: Record<string, unknown>) => nameField(r, 'name', '分类名称', CATEGORY_LIMITS.name);

/** Offered for new tickets: it and every category above it active. */
export function categoryInUse(ref: Reference, code: string): boolean {
	for (let c = ref.categoryByCode.get(code); c; c = c.parent ? ref.categoryByCode.get(c.parent) : undefined) if (!c.active) return false;
	return ref.categoryByCode.has(code);
}

/** The category a new ticket may have, else a refusal naming `field` (a stopped one, or one under a stopped one). */
export function categoryForNew(ref: Reference, code: string, field: string): Category {
	const c = ref.categoryByCode.get(code);
	if (!c) throw new CaseError('invalid_input', `诉求分类“${code}”不存在`, field);
	if (!categoryInUse(ref, code)) {
		const stopped = c.active ? `其上级分类已停用` : '已停用';
		throw new CaseError('invalid_input', `诉求分类“${c.path}”${stopped}，请选择其他分类`, field, `${field}: ${code} is not in use`);
	}
	return c;
}

type CategoryRow = typeof categories.$inferSelect;

function toCategory(r: CategoryRow): Category {
	return { code: r.code, level: r.level as 1 | 2 | 3, parent: r.parentCode, name: r.name, path: r.path, active: r.active, formerNames: r.formerNames };
}

/** Every category's path again from the names (a renamed category's, and those under it); tree order by code. */
function repath(ref: Reference): void {
	ref.categories.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
	for (const c of ref.categories) {
		const parent = c.parent ? ref.categoryByCode.get(c.parent) : undefined;
		c.path = parent ? `${parent.path}${SEP}${c.name}` : c.name;
	}
}

/** Puts a category as stored into the running Reference: the same object when it is there (every holder sees it), else added. */
function putCategory(ref: Reference, c: Category): void {
	const held = ref.categoryByCode.get(c.code);
	if (held) Object.assign(held, c);
	else {
		ref.categories.push(c);
		ref.categoryByCode.set(c.code, c);
	}
}

/** putCategory, then the paths in line and the change marked. */
function applyCategory(ref: Reference, c: Category): void {
	putCategory(ref, c);
	repath(ref);
	directoryChanged(ref);
}

/** Brings the Reference's categories in line with the relational store (at start, after seedReference). */
export async function overlayCategories(db: Db, ref: Reference): Promise<number> {
	let n = 0;
	for (const r of await db.select().from(categories)) {
		const held = ref.categoryByCode.get(r.code);
		if (held && held.name === r.name && held.active === r.active && !r.formerNames.length) continue;
		putCategory(ref, toCategory(r));
		n++;
	}
	if (n) {
		repath(ref);
		directoryChanged(ref);
	}
	return n;
}

async function rowsOf(db: Db, codes?: string[]): Promise<CategoryRow[]> {
	return codes ? db.select().from(categories).where(inArray(categories.code, codes)) : db.select().from(categories);
}

/** Tickets of the relational store by category code: all and open. */
async function ticketCounts(db: Db, prefixes?: string[]): Promise<Map<string, { all: number; open: number }>> {
	const rows = await db
		.select({
			code: tickets.categoryCode,
			all: sql<number>`count(*)::int`,
			open: sql<number>`count(*) filter (where ${inArray(tickets.status, [...OPEN_STATUSES])})::int`
		})
		.from(tickets)
		.where(prefixes ? or(...prefixes.map((p) => like(tickets.categoryCode, `${p}%`))) : undefined)
		.groupBy(tickets.categoryCode);
	return new Map(rows.filter((r) => r.code).map((r) => [r.code!, { all: Number(r.all), open: Number(r.open) }]));
}

function listingOf(ref: Reference, r: CategoryRow, counts: Map<string, { all: number; open: number }>): CategoryListing {
	let all = 0;
	let open = 0;
	for (const [code, n] of counts)
		if (code.startsWith(r.code)) {
			all += n.all;
			open += n.open;
		}
	const children = ref.categories.filter((c) => c.parent === r.code);
	return {
		code: r.code,
		level: r.level as 1 | 2 | 3,
		parent: r.parentCode,
		name: r.name,
		path: ref.categoryByCode.get(r.code)?.path ?? r.path,
		active: r.active,
		inUse: categoryInUse(ref, r.code),
		children: children.length,
		activeChildren: children.filter((c) => c.active).length,
		tickets: all,
		open,
		formerNames: r.formerNames,
		editedAt: r.editedAt ? r.editedAt.toISOString() : null,
		editedBy: r.editedBy,
		version: r.version
	};
}

/** Every category in tree order (a level 1, its level 2s, each with its level 3s). */
export async function categoriesForAdmin(ctx: CategoryAdmin): Promise<CategoryListing[]> {
	mayAdminister(ctx);
	const rows = await rowsOf(ctx.db);
	const counts = await ticketCounts(ctx.db);
	return rows.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)).map((r) => listingOf(ctx.ref, r, counts));
}

/** One category. */
export async function categoryForAdmin(ctx: CategoryAdmin, code: string): Promise<CategoryListing> {
	mayAdminister(ctx);
	const [r] = await rowsOf(ctx.db, [code]);
	if (!r) throw new CaseError('not_found', `诉求分类 ${code} 不存在`);
	return listingOf(ctx.ref, r, await ticketCounts(ctx.db, [code]));
}

/** A name is the only one of that name among its siblings (the paths, by which imports find a category, stay unique). */
function nameFree(ref: Reference, parent: string | null, code: string | null, name: string): void {
	const twin = ref.categories.find((c) => c.parent === parent && c.code !== code && c.name === name);
	if (twin) invalid('name', `「${twin.path}」已存在${twin.active ? '' : '（已停用，可将其启用）'}，请换一个名称`, `name: taken by ${twin.code}`);
}

/** Adds a category: { parent: '' for a level 1, else a level-1 or level-2 code; name }; its code is the parent's and the next free two digits. */
export async function addCategory(ctx: CategoryAdmin, raw: unknown): Promise<CategoryListing> {
	mayAdminister(ctx);
	const r = objectBody(raw);
	const parentCode = typeof r.parent === 'string' ? r.parent.trim() : r.parent === undefined || r.parent === null ? '' : invalid('parent', '上级分类的格式不正确');
	const parent = parentCode ? ctx.ref.categoryByCode.get(parentCode) : undefined;
	if (parentCode && !parent) invalid('parent', `上级分类“${parentCode}”不存在`, `parent: ${parentCode}`);
	if (parent && parent.level === 3) invalid('parent', `“${parent.path}”是第三级分类，其下不能再设分类`, `parent: ${parentCode} is level 3`);
	const name = nameOf(r);
	if (!name) invalid('name', '请填写分类名称');
	if (name.includes('›')) invalid('name', '分类名称不能含有“›”（它分隔分类路径的各级）');
	nameFree(ctx.ref, parent?.code ?? null, null, name);
	const level = ((parent?.level ?? 0) + 1) as 1 | 2 | 3;
	for (let attempt = 0; attempt < 5; attempt++) {
		const taken = new Set(ctx.ref.categories.filter((c) => c.parent === (parent?.code ?? null)).map((c) => c.code.slice(-2)));
		let next = 1;
		while (taken.has(String(next).padStart(2, '0'))) next++;
		if (next > 99) invalid('parent', `“${parent?.path ?? '一级分类'}”下的分类编码已用尽（01–99）`);
		const code = `${parent?.code ?? ''}${String(next).padStart(2, '0')}`;
		const path = parent ? `${parent.path}${SEP}${name}` : name;
		const [row] = await ctx.db
			.insert(categories)
			.values({ code, level, parentCode: parent?.code ?? null, name, path, active: true, editedAt: new Date(), editedBy: ctx.actor.username })
			.onConflictDoNothing()
			.returning();
		if (!row) {
			await overlayCategories(ctx.db, ctx.ref);
			continue;
		}
		applyCategory(ctx.ref, toCategory(row));
		await ctx.log?.(`分类：${ctx.actor.username} 新建${LEVEL_LABELS[level]}分类 ${code} ${path}`, code);
		return categoryForAdmin(ctx, code);
	}
	throw new CaseError('conflict', '分类编码分配冲突，请重试');
}

/** A change of a category: { name?, active?, version? }; with `version`, a change made meanwhile is refused (409). */
export async function updateCategory(ctx: CategoryAdmin, code: string, raw: unknown): Promise<{ category: CategoryListing; changed: string[] }> {
	mayAdminister(ctx);
	const r = objectBody(raw);
	const c = ctx.ref.categoryByCode.get(code);
	if (!c) throw new CaseError('not_found', `诉求分类 ${code} 不存在`);
	const version = versionField(r);
	const set: Partial<CategoryRow> = {};
	if ('name' in r) {
		const name = nameOf(r);
		if (!name) invalid('name', '请填写分类名称');
		if (name.includes('›')) invalid('name', '分类名称不能含有“›”（它分隔分类路径的各级）');
		if (name !== c.name) {
			nameFree(ctx.ref, c.parent, code, name);
			set.name = name;
		}
	}
	const active = activeField(r);
	if (active !== undefined && active !== c.active) set.active = active;
	if (!('name' in r) && active === undefined) throw new CaseError('invalid_input', '请提供要修改的内容：name（名称）或 active（启用状态）');
	const [current] = await rowsOf(ctx.db, [code]);
	if (!current) throw new CaseError('not_found', `诉求分类 ${code} 不存在`);
	sameVersion(`诉求分类 ${code}`, version, current.version);
	const changed: string[] = [];
	if (!Object.keys(set).length) return { category: await categoryForAdmin(ctx, code), changed };
	if (set.name) {
		set.formerNames = [...new Set([...current.formerNames, current.name])].filter((n) => n !== set.name);
		const parent = c.parent ? ctx.ref.categoryByCode.get(c.parent) : undefined;
		set.path = parent ? `${parent.path}${SEP}${set.name}` : set.name;
	}
	const [row] = await ctx.db
		.update(categories)
		.set({ ...set, editedAt: new Date(), editedBy: ctx.actor.username, version: sql`${categories.version} + 1` })
		.where(and(eq(categories.code, code), eq(categories.version, current.version)))
		.returning();
	if (!row) throw changedMeanwhile(`诉求分类 ${code}`, `version ${current.version} changed during the update`);
	applyCategory(ctx.ref, toCategory(row));
	const category = await categoryForAdmin(ctx, code);
	const below = ctx.ref.categories.filter((x) => x.code !== code && x.code.startsWith(code)).length;
	if (set.name) changed.push(`名称由「${current.name}」改为「${row.name}」${below ? `（其下 ${below} 个分类的路径随之改变）` : ''}`);
	if (set.active === false) changed.push(`停用${below ? `（其下 ${below} 个分类一并不再使用）` : ''}${category.open ? `，在办工单 ${category.open} 件保留原分类` : ''}`);
	if (set.active === true) changed.push(`启用${category.inUse ? '' : '（其上级分类仍停用，暂不使用）'}`);
	await ctx.log?.(`分类：${ctx.actor.username} 修改分类 ${code}：${changed.join('；')}`, code);
	return { category, changed };
}
