// 舆情简报: analysts assemble a briefing from live sections, edit the text and export it (DESIGN.md). A briefing
// is kept in the relational store with a snapshot of its figures (figures.ts), so what was written stays true
// to the numbers beside it; 刷新数据 makes the figures again and redrafts the sections whose text was not edited.
// Saved at the version read: of two people editing one briefing, the second gets 409 (conflict).
import { and, desc, eq, sql } from 'drizzle-orm';
import { addDays, shanghaiDay } from '$pipelines/calendar/index';
import { cityShortName } from '$pipelines/reference/index';
import { canSee } from '$lib/nav';
import {
	fmtPeriod,
	KIND_LABELS,
	SECTION_KEYS,
	type BriefingFigures,
	type BriefingKind,
	type BriefingListItem,
	type BriefingSection,
	type BriefingView
} from '$lib/briefings';
import type { Role } from '$lib/types';
import type { App } from '../app';
import { briefings, type BriefingRow } from '../db/schema';
import { draftText } from './draft';
import { generateFigures, scopeLabel } from './figures';
import { BriefingError, parseCreate, parseSave, parseVersion, type SaveInput } from './input';

export const SCREEN = '/briefings';
/** Who may create, edit, refresh and delete briefings; leaders read and export them. */
const EDITORS: readonly Role[] = ['admin', 'analyst'];

export interface Editor {
	role: Role;
	displayName: string;
}

export function mayRead(role: Role): boolean {
	return canSee(role, SCREEN);
}

export function mayEdit(role: Role): boolean {
	return EDITORS.includes(role);
}

function checkRead(user: Editor): void {
	if (!mayRead(user.role)) throw new BriefingError('forbidden', '当前账号无权查看简报');
}

function checkEdit(user: Editor): void {
	if (!mayEdit(user.role)) throw new BriefingError('forbidden', '只有分析员和管理员可以编辑简报');
}

/** The title a briefing gets when none is typed: 苏州12345热线舆情周报（2026年11月23日至2026年11月29日）. */
export function defaultTitle(app: App, kind: BriefingKind, from: string, to: string): string {
	return `${cityShortName(app.ref.cityName)}12345热线舆情${KIND_LABELS[kind]}（${fmtPeriod(from, to)}）`;
}

/** The period a kind of briefing covers by default: the last whole week (Monday–Sunday), the last whole month, the last 7 days. */
export function defaultPeriod(kind: BriefingKind, now: number): { from: string; to: string } {
	const today = shanghaiDay(now);
	if (kind === 'weekly') {
		const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
		const to = addDays(today, -(weekday + 1));
		return { from: addDays(to, -6), to };
	}
	if (kind === 'monthly') {
		const to = addDays(`${today.slice(0, 7)}-01`, -1);
		return { from: `${to.slice(0, 7)}-01`, to };
	}
	return { from: addDays(today, -6), to: today };
}

/** Each section's draft from the figures, in the default order, all included. */
function draftSections(figures: BriefingFigures, kind: BriefingKind): BriefingSection[] {
	return SECTION_KEYS.map((key) => ({ key, included: true, text: draftText(key, figures, kind), edited: false }));
}

export function toView(app: App, r: BriefingRow): BriefingView {
	const kind = r.kind as BriefingKind;
	return {
		id: r.id,
		kind,
		kindLabel: KIND_LABELS[kind] ?? r.kind,
		title: r.title,
		from: r.periodFrom,
		to: r.periodTo,
		district: r.district,
		category: r.category,
		scope: scopeLabel(app, r),
		sections: r.sections as BriefingSection[],
		figures: r.figures as BriefingFigures,
		figuresAt: r.figuresAt.toISOString(),
		createdBy: r.createdBy,
		createdAt: r.createdAt.toISOString(),
		updatedBy: r.updatedBy,
		updatedAt: r.updatedAt.toISOString(),
		version: r.version
	};
}

export async function createBriefing(app: App, user: Editor, raw: unknown, now = Date.now()): Promise<BriefingView> {
	checkEdit(user);
	const input = parseCreate(raw, app.ref, now);
	const figures = await generateFigures(app, input, now);
	const at = new Date(now);
	const [row] = await app.rel.db
		.insert(briefings)
		.values({
			kind: input.kind,
			title: input.title || defaultTitle(app, input.kind, input.from, input.to),
			periodFrom: input.from,
			periodTo: input.to,
			district: input.district,
			category: input.category,
			sections: draftSections(figures, input.kind),
			figures,
			figuresAt: at,
			createdBy: user.displayName,
			createdAt: at,
			updatedBy: user.displayName,
			updatedAt: at,
			version: 1
		})
		.returning();
	return toView(app, row);
}

async function row(app: App, id: number): Promise<BriefingRow> {
	if (!Number.isSafeInteger(id) || id < 1) throw new BriefingError('not_found', `简报 ${id} 不存在`);
	const [r] = await app.rel.db.select().from(briefings).where(eq(briefings.id, id));
	if (!r) throw new BriefingError('not_found', `简报 ${id} 不存在或已删除`);
	return r;
}

/** An id as a route gets it ('12'): anything else is no briefing. */
export function briefingId(s: string): number {
	return /^\d{1,9}$/.test(s) ? Number(s) : 0;
}

export async function getBriefing(app: App, user: Editor, id: number): Promise<BriefingView> {
	checkRead(user);
	return toView(app, await row(app, id));
}

export async function listBriefings(app: App, user: Editor, limit = 200): Promise<BriefingListItem[]> {
	checkRead(user);
	const rows = await app.rel.db
		.select({
			id: briefings.id,
			kind: briefings.kind,
			title: briefings.title,
			from: briefings.periodFrom,
			to: briefings.periodTo,
			district: briefings.district,
			category: briefings.category,
			updatedBy: briefings.updatedBy,
			updatedAt: briefings.updatedAt,
			version: briefings.version
		})
		.from(briefings)
		.orderBy(desc(briefings.updatedAt), desc(briefings.id))
		.limit(limit);
	return rows.map((r) => ({
		id: r.id,
		kind: r.kind as BriefingKind,
		kindLabel: KIND_LABELS[r.kind as BriefingKind] ?? r.kind,
		title: r.title,
		from: r.from,
		to: r.to,
		scope: scopeLabel(app, r),
		updatedBy: r.updatedBy,
		updatedAt: r.updatedAt.toISOString(),
		version: r.version
	}));
}

async function conflict(app: App, id: number, version: number): Promise<never> {
	const cur = await row(app, id);
	throw new BriefingError(
		'conflict',
		`简报「${cur.title}」已被${cur.updatedBy}修改（您编辑的是第 ${version} 版，现为第 ${cur.version} 版），请刷新后重试`,
		'version'
	);
}

/**
 * The sections after an edit: the new order, flags and texts. A text sent as it is kept keeps its `edited` (a draft
 * worded by an earlier version of draftText is still a draft, and 刷新数据 replaces it); a changed one is `edited`
 * unless it is the figures' draft.
 */
function editedSections(current: BriefingSection[], input: SaveInput, figures: BriefingFigures, kind: BriefingKind): BriefingSection[] {
	if (!input.sections) return current;
	const kept = new Map(current.map((s) => [s.key, s]));
	return input.sections.map((s) => {
		const was = kept.get(s.key);
		return { ...s, edited: was && s.text === was.text.trim() ? was.edited : s.text !== draftText(s.key, figures, kind).trim() };
	});
}

/** Writes the row at the version read; a stale version (or one changed meanwhile) is a conflict. */
async function write(app: App, id: number, version: number, values: Partial<typeof briefings.$inferInsert>): Promise<BriefingView> {
	const [r] = await app.rel.db
		.update(briefings)
		.set({ ...values, version: sql`${briefings.version} + 1` })
		.where(and(eq(briefings.id, id), eq(briefings.version, version)))
		.returning();
	if (!r) return conflict(app, id, version);
	return toView(app, r);
}

/** Saves the title and the sections (order, included, text) at the version read. */
export async function saveBriefing(app: App, user: Editor, id: number, raw: unknown, now = Date.now()): Promise<BriefingView> {
	checkEdit(user);
	const input = parseSave(raw);
	const cur = await row(app, id);
	if (input.version !== cur.version) return conflict(app, id, input.version);
	const kind = cur.kind as BriefingKind;
	return write(app, id, input.version, {
		title: input.title ?? cur.title,
		sections: editedSections(cur.sections as BriefingSection[], input, cur.figures as BriefingFigures, kind),
		updatedBy: user.displayName,
		updatedAt: new Date(now)
	});
}

/**
 * 刷新数据: the figures made again for the briefing's period and scope, with the edits sent along (the page sends what
 * is on it); the sections not edited get the new figures' draft, the edited keep their text.
 */
export async function refreshBriefing(app: App, user: Editor, id: number, raw: unknown, now = Date.now()): Promise<BriefingView> {
	checkEdit(user);
	const input = parseSave(raw);
	const cur = await row(app, id);
	if (input.version !== cur.version) return conflict(app, id, input.version);
	const kind = cur.kind as BriefingKind;
	const edited = editedSections(cur.sections as BriefingSection[], input, cur.figures as BriefingFigures, kind);
	const figures = await generateFigures(app, { from: cur.periodFrom, to: cur.periodTo, district: cur.district, category: cur.category }, now);
	const sections = edited.map((s) => (s.edited ? s : { ...s, text: draftText(s.key, figures, kind) }));
	return write(app, id, input.version, {
		title: input.title ?? cur.title,
		sections,
		figures,
		figuresAt: new Date(now),
		updatedBy: user.displayName,
		updatedAt: new Date(now)
	});
}

export async function deleteBriefing(app: App, user: Editor, id: number, rawVersion: unknown): Promise<void> {
	checkEdit(user);
	const version = parseVersion(rawVersion);
	const cur = await row(app, id);
	if (version !== cur.version) return conflict(app, id, version);
	const gone = await app.rel.db
		.delete(briefings)
		.where(and(eq(briefings.id, id), eq(briefings.version, version)))
		.returning({ id: briefings.id });
	if (!gone.length) return conflict(app, id, version);
}
