// Time limits of the case module: DESIGN.md's defaults, overridden by an administrator in 设置 (stored in the
// `settings` table under one key). Validated on save, so a deadline is never computed from a bad value.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { DEFAULT_LIMITS, TICKET_TYPES, type TicketType, type TimeLimits } from '$pipelines/lifecycle/model';
import type { Db } from '../db';
import { settings } from '../db/schema';
import { CaseError } from './input';

const KEY = 'case_time_limits';

const days = z.number().int().min(1).max(60);
const perType = z.object(Object.fromEntries(TICKET_TYPES.map((t) => [t, days])) as Record<TicketType, typeof days>);
const limitsSchema = z.object({
	signWorkingDays: days,
	signUrgentHours: z.number().int().min(1).max(48),
	replyWorkingDays: perType,
	replyUrgentWorkingDays: perType,
	yellowAt: z.number().min(0.5).max(0.95)
});

export async function getLimits(db: Db): Promise<TimeLimits> {
	const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY));
	if (!row) return DEFAULT_LIMITS;
	const r = limitsSchema.safeParse({ ...DEFAULT_LIMITS, ...(row.value as object) });
	if (!r.success) {
		console.error(`[minqing] stored time limits are invalid (${r.error.issues[0]?.message}); using the defaults`);
		return DEFAULT_LIMITS;
	}
	return r.data;
}

export async function saveLimits(db: Db, value: unknown): Promise<TimeLimits> {
	const r = limitsSchema.safeParse(value);
	if (!r.success) {
		const i = r.error.issues[0];
		throw new CaseError(
			'invalid_input',
			`时限设置不正确：${i.path.join(' › ')} 应为 ${i.path[0] === 'yellowAt' ? '0.5–0.95' : '1–60 之间的整数'}`,
			i.path.join('.'),
			i.message
		);
	}
	await db
		.insert(settings)
		.values({ key: KEY, value: r.data, updatedAt: new Date() })
		.onConflictDoUpdate({ target: settings.key, set: { value: r.data, updatedAt: new Date() } });
	return r.data;
}
