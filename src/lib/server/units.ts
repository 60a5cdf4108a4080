// The undertaking units' directory (设置 › 单位, /api/v1/units): an administrator renames a unit after an
// institutional reform, stops one that no longer takes tickets (停用) or starts it again, and adds a municipal
// department or a public-service company. District and street units follow the city's gazetteer (the reference
// files), so they are renamed or stopped here, never added.
//
// The reference files seed the relational store's `units` at every start; a unit changed here keeps its change
// (edited_at), and the running app's Reference is brought in line with the store (`overlayUnits`) at start and after
// every change, so every screen, the dispatch checks and the suggestions see it at once.
//
// A stopped unit takes no new tickets: it is not offered in the dispatch form nor suggested, and a dispatch to it is
// refused. What it already holds stays with it (it signs, replies and is assessed as before), and its name shows
// everywhere as it did.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Reference, Unit, UnitKind } from '$pipelines/reference/index';
import { UNIT_KIND_LABELS } from '$lib/units';
import { AT_UNIT } from '$pipelines/lifecycle/model';
import { CaseError, objectBody } from './cases/input';
import type { Db } from './db';
import { tickets, units, users } from './db/schema';
import { activeField, changedMeanwhile, directoryAdmin, directoryChanged, invalid, mayAdminister as mayChange, nameField, sameVersion, versionField, type DirectoryAdmin } from './directory';
import { unitNameEntries } from '$pipelines/segment/index';
import type { App } from './app';

export interface UnitAdmin extends DirectoryAdmin {
	/**
	 * The units' names are dictionary words (lexicon.ts `segmenterOverlay`): after a unit gets a new name, the analysed
	 * tickets containing it are analysed again, so that it is one word in their tokens and the search finds them by it
	 * (the app wires text/service's `dictionaryChanged`). Resolves to how many were marked.
	 */
	namesChanged?: (words: string[]) => Promise<number>;
}

/** The administration of units as the running app's `actor` does it: logged, and new names reanalysed. */
export function unitAdmin(a: App, actor: DirectoryAdmin['actor']): UnitAdmin {
	return { ...directoryAdmin(a, actor, 'units'), namesChanged: (words) => import('./text/service').then((m) => m.dictionaryChanged(a, words)) };
}

/** Hands the dictionary words among a unit's new names to `namesChanged`, in the background (a failure is logged). */
function namesAdded(ctx: UnitAdmin, names: string[]): void {
	const words = unitNameEntries(names).map((e) => e.word);
	if (!ctx.namesChanged || !words.length) return;
	ctx.namesChanged(words).catch((e) => console.error(`[minqing] 单位：含「${words.join('、')}」的工单未能标记为重新分词（下次修改或重启后再试）：`, e));
}

export interface UnitListing {
	code: string;
	name: string;
	shortName: string;
	kind: UnitKind;
	kindLabel: string;
	districtCode: string | null;
	districtName: string | null;
	streetCode: string | null;
	streetName: string | null;
	active: boolean;
	/** tickets it holds now (派至该单位、待签收或办理中) */
	holding: number;
	/** its enabled accounts (承办单位账号) */
	accounts: number;
	/** names and short names it had before a rename here */
	formerNames: string[];
	/** the last change in 设置 › 单位; null: as the reference files give it */
	editedAt: string | null;
	editedBy: string | null;
	version: number;
}

export const UNIT_LIMITS = { name: 60, shortName: 30 } as const;

/** The kinds an administrator adds here; district and street units come with the gazetteer. */
export const ADDABLE_KINDS: readonly UnitKind[] = ['municipal', 'utility'];
const CODE_PREFIX: Partial<Record<UnitKind, string>> = { municipal: 'M', utility: 'P' };
const KIND_ORDER: readonly UnitKind[] = ['municipal', 'utility', 'district', 'street'];

const LABELS = { kind: '单位类型', name: '单位名称', short_name: '简称' } as const;

const mayAdminister = (ctx: UnitAdmin) => mayChange(ctx, '维护单位名录');

function unitOf(ref: Reference, code: string): Unit {
	const u = ref.unitByCode.get(code);
	if (!u) throw new CaseError('not_found', `单位 ${code} 不存在`);
	return u;
}

const nameOf = (r: Record<string, unknown>, field: 'name' | 'short_name') =>
	nameField(r, field, LABELS[field], field === 'name' ? UNIT_LIMITS.name : UNIT_LIMITS.shortName);

/**
 * A unit's names must name it alone: ingest and the import mappings find a unit by its name or short name, and the
 * dispatch form and the rankings show them. Refuses a name another unit has as name or short name.
 */
function namesFree(ref: Reference, code: string | null, names: { field: 'name' | 'short_name'; value: string }[]): void {
	for (const { field, value } of names)
		for (const u of ref.units)
			if (u.code !== code && (u.name === value || u.shortName === value))
				invalid(field, `「${value}」已是${u.active ? '' : '已停用的'}单位 ${u.code}（${u.name}）的${u.name === value ? '名称' : '简称'}，请换一个`, `${field}: taken by ${u.code}`);
}

type UnitRow = typeof units.$inferSelect;

/** The store's rows of these units (all when `codes` is absent). */
async function rowsOf(db: Db, codes?: string[]): Promise<UnitRow[]> {
	return codes ? db.select().from(units).where(inArray(units.code, codes)) : db.select().from(units);
}

function toUnit(r: UnitRow): Unit {
	return {
		code: r.code,
		name: r.name,
		shortName: r.shortName,
		kind: r.kind as UnitKind,
		districtCode: r.districtCode,
		streetCode: r.streetCode,
		active: r.active,
		formerNames: r.formerNames
	};
}

/** Puts a unit as stored into the running Reference: the same object when it is there (every holder sees it), else added. */
function applyUnit(ref: Reference, u: Unit): void {
	directoryChanged(ref);
	const held = ref.unitByCode.get(u.code);
	if (held) Object.assign(held, u);
	else {
		ref.units.push(u);
		ref.unitByCode.set(u.code, u);
	}
}

/**
 * Brings the Reference's units in line with the relational store (at start, after seedReference): names and states
 * changed in 设置 › 单位 and the units added there. Returns how many units the store changed or added.
 */
export async function overlayUnits(db: Db, ref: Reference): Promise<number> {
	let n = 0;
	for (const r of await rowsOf(db)) {
		const held = ref.unitByCode.get(r.code);
		const u = toUnit(r);
		if (held && held.name === u.name && held.shortName === u.shortName && held.active === u.active && !u.formerNames?.length) continue;
		applyUnit(ref, u);
		n++;
	}
	if (n) ref.units.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || 0);
	return n;
}

async function counts(db: Db, codes?: string[]): Promise<{ holding: Map<string, number>; accounts: Map<string, number> }> {
	const held = await db
		.select({ code: tickets.unitCode, n: sql<number>`count(*)::int` })
		.from(tickets)
		.where(and(inArray(tickets.status, [...AT_UNIT]), codes ? inArray(tickets.unitCode, codes) : undefined))
		.groupBy(tickets.unitCode);
	const acc = await db
		.select({ code: users.unitCode, n: sql<number>`count(*)::int` })
		.from(users)
		.where(and(eq(users.active, true), codes ? inArray(users.unitCode, codes) : undefined))
		.groupBy(users.unitCode);
	const map = (rows: { code: string | null; n: number }[]) => new Map(rows.filter((r) => r.code).map((r) => [r.code!, Number(r.n)]));
	return { holding: map(held), accounts: map(acc) };
}

function listingOf(ref: Reference, r: UnitRow, c: Awaited<ReturnType<typeof counts>>): UnitListing {
	return {
		code: r.code,
		name: r.name,
		shortName: r.shortName,
		kind: r.kind as UnitKind,
		kindLabel: UNIT_KIND_LABELS[r.kind] ?? r.kind,
		districtCode: r.districtCode,
		districtName: r.districtCode ? (ref.districtByCode.get(r.districtCode)?.name ?? r.districtCode) : null,
		streetCode: r.streetCode,
		streetName: r.streetCode ? (ref.streetByCode.get(r.streetCode)?.name ?? r.streetCode) : null,
		active: r.active,
		holding: c.holding.get(r.code) ?? 0,
		accounts: c.accounts.get(r.code) ?? 0,
		formerNames: r.formerNames,
		editedAt: r.editedAt ? r.editedAt.toISOString() : null,
		editedBy: r.editedBy,
		version: r.version
	};
}

/** Every unit: municipal departments, public-service companies, districts, streets (each by code). */
export async function unitsForAdmin(ctx: UnitAdmin): Promise<UnitListing[]> {
	mayAdminister(ctx);
	const rows = await rowsOf(ctx.db);
	const c = await counts(ctx.db);
	return rows
		.sort((a, b) => KIND_ORDER.indexOf(a.kind as UnitKind) - KIND_ORDER.indexOf(b.kind as UnitKind) || a.code.localeCompare(b.code))
		.map((r) => listingOf(ctx.ref, r, c));
}

/** One unit. */
export async function unitForAdmin(ctx: UnitAdmin, code: string): Promise<UnitListing> {
	mayAdminister(ctx);
	const [r] = await rowsOf(ctx.db, [code]);
	if (!r) throw new CaseError('not_found', `单位 ${code} 不存在`);
	return listingOf(ctx.ref, r, await counts(ctx.db, [code]));
}

/** The next free code of a kind: M + two or more digits, one above the highest in use. */
function nextCode(ref: Reference, kind: UnitKind): string {
	const prefix = CODE_PREFIX[kind]!;
	let max = 0;
	for (const u of ref.units) if (u.code.startsWith(prefix) && /^\d+$/.test(u.code.slice(1))) max = Math.max(max, Number(u.code.slice(1)));
	return `${prefix}${String(max + 1).padStart(2, '0')}`;
}

/** Adds a municipal department or a public-service company: { kind, name, short_name? }; the code is the next free one. */
export async function addUnit(ctx: UnitAdmin, raw: unknown): Promise<UnitListing> {
	mayAdminister(ctx);
	const r = objectBody(raw);
	const kind = typeof r.kind === 'string' ? r.kind.trim() : '';
	if (!kind) invalid('kind', '请选择单位类型');
	if (!ADDABLE_KINDS.includes(kind as UnitKind)) {
		const known = kind in UNIT_KIND_LABELS && kind !== 'unknown';
		invalid(
			'kind',
			known
				? `${UNIT_KIND_LABELS[kind]}单位随区划（地名库）设立，不能在此新建；可在此改名或停用`
				: `未知单位类型「${kind}」，可选：${ADDABLE_KINDS.map((k) => UNIT_KIND_LABELS[k]).join('、')}`,
			`kind: ${kind}`
		);
	}
	const name = nameOf(r, 'name');
	if (!name) invalid('name', '请填写单位名称');
	const shortName = nameOf(r, 'short_name') || name;
	namesFree(ctx.ref, null, shortName === name ? [{ field: 'name', value: name }] : [{ field: 'name', value: name }, { field: 'short_name', value: shortName }]);
	// two administrators adding at once may both pick the next code: the second takes the one after
	for (let attempt = 0; attempt < 5; attempt++) {
		const code = nextCode(ctx.ref, kind as UnitKind);
		const [row] = await ctx.db
			.insert(units)
			.values({ code, name, shortName, kind, districtCode: null, streetCode: null, active: true, editedAt: new Date(), editedBy: ctx.actor.username })
			.onConflictDoNothing()
			.returning();
		if (!row) {
			await overlayUnits(ctx.db, ctx.ref);
			continue;
		}
		applyUnit(ctx.ref, toUnit(row));
		namesAdded(ctx, [name, shortName]);
		await ctx.log?.(`单位：${ctx.actor.username} 新建单位 ${code} ${name}（${UNIT_KIND_LABELS[kind]}${shortName !== name ? `，简称 ${shortName}` : ''}）`, code);
		return unitForAdmin(ctx, code);
	}
	throw new CaseError('conflict', '单位编码分配冲突，请重试');
}

/**
 * A change of a unit: { name?, short_name?, active?, version? }. With `version` (the page's forms send the one they
 * were drawn with) a change made meanwhile by another administrator is refused (409), not overwritten.
 */
export async function updateUnit(ctx: UnitAdmin, code: string, raw: unknown): Promise<{ unit: UnitListing; changed: string[] }> {
	mayAdminister(ctx);
	const r = objectBody(raw);
	const u = unitOf(ctx.ref, code);
	const version = versionField(r);
	const set: Partial<UnitRow> = {};
	const changed: string[] = [];
	if ('name' in r) {
		const name = nameOf(r, 'name');
		if (!name) invalid('name', '请填写单位名称');
		if (name !== u.name) set.name = name;
	}
	if ('short_name' in r) {
		// an empty short name is the name itself
		const shortName = nameOf(r, 'short_name') || (set.name ?? u.name);
		if (shortName !== u.shortName) set.shortName = shortName;
	}
	const active = activeField(r);
	if (active !== undefined && active !== u.active) set.active = active;
	if (!('name' in r) && !('short_name' in r) && !('active' in r)) throw new CaseError('invalid_input', '请提供要修改的内容：name（名称）、short_name（简称）或 active（启用状态）');
	const names = [set.name && { field: 'name' as const, value: set.name }, set.shortName && set.shortName !== set.name && { field: 'short_name' as const, value: set.shortName }];
	namesFree(ctx.ref, code, names.filter((x): x is { field: 'name' | 'short_name'; value: string } => !!x));
	const [current] = await rowsOf(ctx.db, [code]);
	if (!current) throw new CaseError('not_found', `单位 ${code} 不存在`);
	sameVersion(`单位 ${code}`, version, current.version);
	if (!Object.keys(set).length) return { unit: await unitForAdmin(ctx, code), changed };
	if (set.name || set.shortName) {
		// the names it leaves stay known to imports of older records (ReferenceResolver), the new ones excepted
		const now = [set.name ?? current.name, set.shortName ?? current.shortName];
		set.formerNames = [...new Set([...current.formerNames, current.name, current.shortName])].filter((n) => !now.includes(n));
	}
	const [row] = await ctx.db
		.update(units)
		.set({ ...set, editedAt: new Date(), editedBy: ctx.actor.username, version: sql`${units.version} + 1` })
		.where(and(eq(units.code, code), eq(units.version, current.version)))
		.returning();
	if (!row) throw changedMeanwhile(`单位 ${code}`, `version ${current.version} changed during the update`);
	applyUnit(ctx.ref, toUnit(row));
	namesAdded(ctx, [set.name, set.shortName].filter((n): n is string => !!n));
	const unit = await unitForAdmin(ctx, code);
	if (set.name) changed.push(`名称由「${current.name}」改为「${row.name}」`);
	if (set.shortName) changed.push(`简称由「${current.shortName}」改为「${row.shortName}」`);
	if (set.active === false) changed.push(`停用${unit.holding ? `（在办工单 ${unit.holding} 件仍由其办理）` : ''}`);
	if (set.active === true) changed.push('启用');
	await ctx.log?.(`单位：${ctx.actor.username} 修改单位 ${code}：${changed.join('；')}`, code);
	return { unit, changed };
}

/** A dispatch's unit: known and taking tickets (a stopped unit keeps what it holds but gets nothing new). */
export function dispatchableUnit(ref: Reference, code: string, field: string): Unit {
	const u = ref.unitByCode.get(code);
	if (!u) throw new CaseError('invalid_input', `单位“${code}”不存在`, field);
	if (!u.active) throw new CaseError('invalid_input', `单位“${u.name}”已停用，不再接收派单，请另选单位`, field, `${field}: ${code} is inactive`);
	return u;
}
