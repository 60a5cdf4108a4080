// Resolving what a feed says about category and unit to the reference data: codes, names, or paths such as
// 环境保护 › 水污染 › 河道黑臭 (any of › / > | - as separators). Unknown values are flagged by the caller, not
// dropped.
import type { Reference } from '../reference/index';

const SEP = /\s*(?:›|>|\/|\||－|—|-|·)\s*/;

export class ReferenceResolver {
	private readonly categoryByName = new Map<string, string>();
	private readonly categoryByPath = new Map<string, string>();
	private readonly unitByName = new Map<string, string>();

	constructor(private readonly ref: Reference) {
		const counts = new Map<string, number>();
		for (const c of ref.categories) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
		for (const c of ref.categories) {
			// a name shared by several classes (e.g. 其他) resolves only with its path
			if (counts.get(c.name) === 1) this.categoryByName.set(c.name, c.code);
			this.categoryByPath.set(c.path.split(SEP).join('/'), c.code);
		}
		// a category renamed in 设置 › 分类, by a former name no category has now (and no other had)
		const former = new Map<string, string[]>();
		for (const c of ref.categories) for (const n of c.formerNames ?? []) former.set(n, [...(former.get(n) ?? []), c.code]);
		for (const [n, codes] of former) if (codes.length === 1 && !counts.has(n)) this.categoryByName.set(n, codes[0]);
		for (const u of ref.units) {
			this.unitByName.set(u.name, u.code);
			if (!this.unitByName.has(u.shortName)) this.unitByName.set(u.shortName, u.code);
		}
		// a unit renamed in 设置 › 单位 is still found by its former names, in records written before the change —
		// unless a unit now has that name
		for (const u of ref.units) for (const n of u.formerNames ?? []) if (!this.unitByName.has(n)) this.unitByName.set(n, u.code);
	}

	/** A category code (level 1–3) for a code, a unique name, or a path; null when unknown. */
	category(value: string | null | undefined): string | null {
		const v = value?.trim();
		if (!v) return null;
		if (this.ref.categoryByCode.has(v)) return v;
		const path = v.split(SEP).filter(Boolean).join('/');
		return this.categoryByPath.get(path) ?? this.categoryByName.get(path.split('/').at(-1)!) ?? null;
	}

	/** A unit code for a code, full name, short name or former name; null when unknown. */
	unit(value: string | null | undefined): string | null {
		const v = value?.trim();
		if (!v) return null;
		if (this.ref.unitByCode.has(v)) return v;
		return this.unitByName.get(v) ?? null;
	}
}
