// The routing rules (设置 › 派单规则, /api/v1/routing): which unit the 派单 screens suggest for a category's tickets —
// the street office of the ticket's street, its district government, or one unit (a municipal department, a public-
// service company). A category has rules of its own or follows those of the nearest category above it.
//
// data/reference/routing.tsv stays the rules as shipped. An administrator sets a category's handler here, after a
// reform moved a duty from one department to another or when the rule names a stopped unit; the store keeps one row
// per category set here (`routing_rules`), and the app's Reference follows it at start and after each change, so the
// next suggestion is the new one. 恢复 brings back the file's rules of that category.
import { and, eq, sql } from 'drizzle-orm';
import { loadReference, routingChanged, type Reference, type RoutingRule } from '$pipelines/reference/index';
import { CaseError, objectBody } from './cases/input';
import { categoryInUse } from './categories';
import type { Db } from './db';
import { routingRules, type RoutingRuleRow } from './db/schema';
import { changedMeanwhile, directoryAdmin, invalid, mayAdminister as mayChange, sameVersion, versionField, type DirectoryAdmin } from './directory';
import type { App } from './app';

export interface RoutingAdmin extends DirectoryAdmin {
	/** the reference data directory: the file's rules come back from it */
	referenceDir: string;
}

export function routingAdmin(a: App, actor: DirectoryAdmin['actor']): RoutingAdmin {
	return { ...directoryAdmin(a, actor, 'routing'), referenceDir: a.config.referenceDir };
}

/** The handlers that name no unit: where the ticket is. */
export const PLACE_HANDLERS: Record<string, string> = { street: '所在街道（镇）', district: '所在区县政府' };
/** The kinds of unit a rule may name (district and street units are reached through the place handlers). */
const NAMED_KINDS = ['municipal', 'utility'];

export interface RoutingListing {
	code: string;
	level: number;
	path: string;
	/** the category is offered for new tickets (it and every category above it active) */
	inUse: boolean;
	/** the handler suggested: street, district or a unit code */
	handler: string;
	handlerLabel: string;
	/** the handler is a stopped unit: nothing is suggested */
	stopped: boolean;
	/** the category whose rules apply when it has none of its own (its path); null: its own */
	inheritedFrom: string | null;
	/** set here (not the file's) */
	set: boolean;
	/** what the file suggests for it (its own rules or inherited), to compare */
	fileHandlerLabel: string;
	editedAt: string | null;
	editedBy: string | null;
	version: number;
}

const mayAdminister = (ctx: RoutingAdmin) => mayChange(ctx, '维护派单规则');

export function handlerLabel(ref: Reference, handler: string): string {
	return PLACE_HANDLERS[handler] ?? ref.unitByCode.get(handler)?.name ?? handler;
}

/** The rules that apply to a category: its own, else those of the nearest category above it. */
function rulesFor(routing: readonly RoutingRule[], code: string): { rules: RoutingRule[]; from: string } | null {
	for (let len = code.length; len >= 2; len -= 2) {
		const rules = routing.filter((r) => r.category === code.slice(0, len));
		if (rules.length) return { rules, from: code.slice(0, len) };
	}
	return null;
}

/** Puts a category's rules into the running Reference: one rule for `handler`, or the file's again (null). */
function applyRouting(ref: Reference, referenceDir: string, code: string, handler: string | null): void {
	const rules: RoutingRule[] = handler ? [{ category: code, handler, weight: 1 }] : loadReference(referenceDir).routing.filter((r) => r.category === code).map((r) => ({ ...r }));
	const kept = ref.routing.filter((r) => r.category !== code);
	ref.routing.splice(0, ref.routing.length, ...kept, ...rules);
	routingChanged(ref);
}

/** Brings the Reference's routing in line with the store (at start). Returns how many categories the store sets. */
export async function overlayRouting(db: Db, ref: Reference, referenceDir: string): Promise<number> {
	let n = 0;
	for (const r of await db.select().from(routingRules))
		if (r.handler && ref.categoryByCode.has(r.categoryCode)) {
			applyRouting(ref, referenceDir, r.categoryCode, r.handler);
			n++;
		}
	return n;
}

function listingOf(ctx: RoutingAdmin, code: string, row: RoutingRuleRow | undefined, file: readonly RoutingRule[]): RoutingListing {
	const c = ctx.ref.categoryByCode.get(code)!;
	const now = rulesFor(ctx.ref.routing, code);
	const handler = now?.rules[0].handler ?? '';
	const unit = ctx.ref.unitByCode.get(handler);
	const shipped = rulesFor(file, code);
	return {
		code,
		level: c.level,
		path: c.path,
		inUse: categoryInUse(ctx.ref, code),
		handler,
		handlerLabel: handlerLabel(ctx.ref, handler),
		stopped: unit?.active === false,
		inheritedFrom: now && now.from !== code ? (ctx.ref.categoryByCode.get(now.from)?.path ?? now.from) : null,
		set: !!row?.handler,
		fileHandlerLabel: shipped ? handlerLabel(ctx.ref, shipped.rules[0].handler) : '',
		editedAt: row ? row.editedAt.toISOString() : null,
		editedBy: row?.editedBy ?? null,
		version: row?.version ?? 1
	};
}

/** Every category in tree order with the handler suggested for its tickets. */
export async function routingForAdmin(ctx: RoutingAdmin): Promise<RoutingListing[]> {
	mayAdminister(ctx);
	const rows = new Map((await ctx.db.select().from(routingRules)).map((r) => [r.categoryCode, r]));
	const file = loadReference(ctx.referenceDir).routing;
	return [...ctx.ref.categories].sort((a, b) => a.code.localeCompare(b.code)).map((c) => listingOf(ctx, c.code, rows.get(c.code), file));
}

/** One category's routing. */
export async function routingFor(ctx: RoutingAdmin, code: string): Promise<RoutingListing> {
	mayAdminister(ctx);
	if (!ctx.ref.categoryByCode.has(code)) throw new CaseError('not_found', `诉求分类 ${code} 不存在`);
	const [row] = await ctx.db.select().from(routingRules).where(eq(routingRules.categoryCode, code));
	return listingOf(ctx, code, row, loadReference(ctx.referenceDir).routing);
}

/** The handler of a change: street, district, or an active municipal department or public-service company; '' or null: the file's. */
function handlerField(ref: Reference, v: unknown): string | null {
	if (v === null || v === '') return null;
	if (typeof v !== 'string') invalid('handler', '承办单位的格式不正确', `handler: ${String(v)}`);
	const h = v.trim();
	if (h in PLACE_HANDLERS) return h;
	const u = ref.unitByCode.get(h);
	if (!u) invalid('handler', `单位“${h}”不存在`, `handler: ${h}`);
	if (!NAMED_KINDS.includes(u.kind))
		invalid('handler', `区县与街道（镇）单位请选择「${PLACE_HANDLERS.district}」或「${PLACE_HANDLERS.street}」：按工单所在地派给当地`, `handler: ${h} is a ${u.kind} unit`);
	if (!u.active) invalid('handler', `单位“${u.name}”已停用，不能作为派单规则的承办单位`, `handler: ${h} is inactive`);
	return h;
}

/**
 * Sets the handler of a category's tickets: { handler: street | district | a unit code, version? }, or handler '' /
 * null for the file's rules again. With `version` a change made meanwhile by another administrator is refused (409).
 */
export async function setRouting(ctx: RoutingAdmin, code: string, raw: unknown): Promise<{ routing: RoutingListing; changed: string[] }> {
	mayAdminister(ctx);
	const r = objectBody(raw);
	if (!('handler' in r)) throw new CaseError('invalid_input', '请提供 handler（承办单位：street、district 或单位编码；空为恢复规则文件）', 'handler');
	const current = await routingFor(ctx, code);
	const handler = handlerField(ctx.ref, r.handler);
	sameVersion(`分类 ${code} 的派单规则`, versionField(r), current.version);
	if (handler === null ? !current.set : current.set && handler === current.handler) return { routing: current, changed: [] };
	const values = { handler, editedAt: new Date(), editedBy: ctx.actor.username };
	const [row] =
		current.version === 1
			? await ctx.db
					.insert(routingRules)
					.values({ categoryCode: code, ...values })
					.onConflictDoNothing()
					.returning()
			: await ctx.db
					.update(routingRules)
					.set({ ...values, version: sql`${routingRules.version} + 1` })
					.where(and(eq(routingRules.categoryCode, code), eq(routingRules.version, current.version)))
					.returning();
	if (!row) throw changedMeanwhile(`分类 ${code} 的派单规则`, `version ${current.version} changed during the update`);
	applyRouting(ctx.ref, ctx.referenceDir, code, handler);
	const routing = await routingFor(ctx, code);
	const changed = [handler ? `建议承办由「${current.handlerLabel}」改为「${routing.handlerLabel}」` : `恢复为规则文件：建议承办「${routing.handlerLabel}」`];
	await ctx.log?.(`派单规则：${ctx.actor.username} 修改 ${code} ${routing.path}：${changed[0]}`, code);
	return { routing, changed };
}
