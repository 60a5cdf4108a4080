// What the reference directories an administrator keeps in 设置 share — the undertaking units (units.ts) and the
// categories (categories.ts): who may change them, how their names and versions are read from a form or a request,
// and the running app's own copy of them.
//
// The reference files seed the relational store's tables at every start; an entry changed in 设置 keeps its change
// (edited_at), and the app's Reference is brought in line with the store at start and after every change, so every
// screen sees it at once. Code that keeps something built from the Reference (the Open311 catalog) asks
// `directoryRevision` whether it changed.
import type { Reference } from '$pipelines/reference/index';
import { unsavableChar, unsavableMessage } from '$pipelines/normalize/text';
import type { Role } from '../types';
import type { App } from './app';
import { CaseError } from './cases/input';
import type { Db } from './db';
import { audit, type AuditArea } from './audit';

export interface DirectoryAdmin {
	db: Db;
	ref: Reference;
	/** who is acting */
	actor: { username: string; role: Role };
	/** where each change is written, with what it changed (the app's: the 操作日志 and the server's log) */
	log?: (line: string, target: string) => unknown;
}

/** The administration as the running app's `actor` does it, each change recorded in the 操作日志 of `area` (audit.ts). */
export function directoryAdmin(a: App, actor: DirectoryAdmin['actor'], area: AuditArea): DirectoryAdmin {
	return { db: a.rel.db, ref: a.ref, actor, log: (message, target) => audit(a.rel.db, { actor: actor.username, area, target, message }) };
}

/** Refuses anyone but an administrator: `what` is what they may not do (维护单位名录). */
export function mayAdminister(ctx: DirectoryAdmin, what: string): void {
	if (ctx.actor.role !== 'admin') throw new CaseError('forbidden', `只有系统管理员可以${what}`);
}

export function invalid(field: string, message: string, detail: string | null = null): never {
	throw new CaseError('invalid_input', message, field, detail);
}

/** A name as typed and tidied (spaces at the ends dropped); '' when absent. `label` names the field in Chinese. */
export function nameField(r: Record<string, unknown>, field: string, label: string, max: number): string {
	const v = r[field];
	if (v === undefined || v === null) return '';
	if (typeof v !== 'string') invalid(field, `${label}的格式不正确`, `${field}: expected a string`);
	const s = v.trim();
	if ([...s].length > max) invalid(field, `${label}不能超过 ${max} 个字`);
	if (unsavableChar(s)) invalid(field, unsavableMessage(label, s)!, `${field}: contains ${unsavableChar(s)!.code}`);
	if (/[\r\n\t]/.test(s)) invalid(field, `${label}不能含有换行或制表符`);
	return s;
}

/** The version a change was made at (a form's hidden field, a request's `version`); null when not given. */
export function versionField(r: Record<string, unknown>): number | null {
	const v = r.version;
	if (v === undefined || v === null || v === '') return null;
	const n = typeof v === 'string' ? Number(v) : v;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) invalid('version', '版本应为正整数', `version: ${String(v)}`);
	return n;
}

/** The refusal of a change another administrator made first (`what`: 单位 M01): 409, refresh and try again. */
export function changedMeanwhile(what: string, detail: string): CaseError {
	return new CaseError('conflict', `${what} 已被他人修改，请刷新后重试`, null, detail);
}

/** Refuses a change made at another version than the stored one (`given` null: the change names none). */
export function sameVersion(what: string, given: number | null, stored: number): void {
	if (given !== null && given !== stored) throw changedMeanwhile(what, `version ${given}, stored ${stored}`);
}

/** `active` of a change: true or false; undefined when not given. */
export function activeField(r: Record<string, unknown>): boolean | undefined {
	if (!('active' in r)) return undefined;
	if (typeof r.active !== 'boolean') invalid('active', 'active 应为 true 或 false', `active: ${String(r.active)}`);
	return r.active;
}

/**
 * The reference data with units, categories and routing rules of its own: loadReference gives one object per data directory to
 * every caller, and an app changes these (设置 › 单位, › 分类, › 派单规则) — two apps in one process (tests, a CLI command) must
 * not see each other's.
 */
export function withOwnDirectories(ref: Reference): Reference {
	const units = ref.units.map((u) => ({ ...u }));
	const categories = ref.categories.map((c) => ({ ...c }));
	return {
		...ref,
		units,
		unitByCode: new Map(units.map((u) => [u.code, u])),
		categories,
		categoryByCode: new Map(categories.map((c) => [c.code, c])),
		routing: ref.routing.map((r) => ({ ...r }))
	};
}

const revisions = new WeakMap<Reference, number>();

/** How many times the directories of this Reference changed since it was made (0: as loaded). */
export function directoryRevision(ref: Reference): number {
	return revisions.get(ref) ?? 0;
}

/** Marks a change of the directories (what is built from them is built again). */
export function directoryChanged(ref: Reference): void {
	revisions.set(ref, directoryRevision(ref) + 1);
}
