// Keeps the relational store's reference tables (districts, streets, categories, units) in step with the
// committed reference data, by upsert, so a data edit reaches the database at the next start — except a unit or a
// category an administrator changed in 设置 (units.ts and categories.ts then give the store's to the app).
import { sql } from 'drizzle-orm';
import type { Reference } from '$pipelines/reference/index';
import type { Db } from './db';
import { categories, districts, streets, units } from './db/schema';

async function chunks<T>(rows: T[], size: number, fn: (part: T[]) => Promise<unknown>) {
	for (let i = 0; i < rows.length; i += size) await fn(rows.slice(i, i + size));
}

export async function seedReference(db: Db, ref: Reference): Promise<void> {
	await chunks(
		ref.districts.map((d) => ({ code: d.code, name: d.name, hasPolygon: d.hasPolygon })),
		500,
		(rows) => db.insert(districts).values(rows).onConflictDoUpdate({ target: districts.code, set: { name: sql`excluded.name`, hasPolygon: sql`excluded.has_polygon` } })
	);
	await chunks(
		ref.streets.map((s) => ({ code: s.code, name: s.name, districtCode: s.districtCode })),
		500,
		(rows) => db.insert(streets).values(rows).onConflictDoUpdate({ target: streets.code, set: { name: sql`excluded.name`, districtCode: sql`excluded.district_code` } })
	);
	await chunks(
		ref.categories.map((c) => ({ code: c.code, level: c.level, parentCode: c.parent, name: c.name, path: c.path })),
		500,
		(rows) =>
			db.insert(categories).values(rows).onConflictDoUpdate({
				target: categories.code,
				set: { level: sql`excluded.level`, parentCode: sql`excluded.parent_code`, name: sql`excluded.name`, path: sql`excluded.path` },
				// a category an administrator changed in 设置 › 分类 keeps the change (overlayCategories)
				setWhere: sql`${categories.editedAt} IS NULL`
			})
	);
	await chunks(
		ref.units.map((u) => ({ code: u.code, name: u.name, shortName: u.shortName, kind: u.kind, districtCode: u.districtCode, streetCode: u.streetCode })),
		500,
		(rows) =>
			db.insert(units).values(rows).onConflictDoUpdate({
				target: units.code,
				set: { name: sql`excluded.name`, shortName: sql`excluded.short_name`, kind: sql`excluded.kind`, districtCode: sql`excluded.district_code`, streetCode: sql`excluded.street_code` },
				// a unit an administrator changed in 设置 › 单位 keeps the change (overlayUnits then gives it to the app)
				setWhere: sql`${units.editedAt} IS NULL`
			})
	);
}
