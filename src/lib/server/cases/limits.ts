// Time limits of the case module: DESIGN.md's defaults, overridden by an administrator in 设置 (stored in the
// `settings` table under one key). Validated on save, so a deadline is never computed from a bad value.
import { and, asc, eq, gt, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { AT_UNIT, DEFAULT_LIMITS, TICKET_TYPES, visitDeadline, type TicketType, type TimeLimits } from '$pipelines/lifecycle/model';
import type { Db } from '../db';
import { settings, tickets } from '../db/schema';
import { CaseError, objectBody } from './input';
import { audit } from '../audit';
import { FESTIVALS, refusedFileMessage, shanghaiDay, STATUTORY_DAYS, type Festival, type WorkCalendar, type YearCoverage } from '$pipelines/calendar/index';

const KEY = 'case_time_limits';

const days = z.number().int().min(1).max(60);
const perType = z.object(Object.fromEntries(TICKET_TYPES.map((t) => [t, days])) as Record<TicketType, typeof days>);
const limitsSchema = z.object({
	signWorkingDays: days,
	signUrgentHours: z.number().int().min(1).max(48),
	replyWorkingDays: perType,
	replyUrgentWorkingDays: perType,
	yellowAt: z.number().min(0.5).max(0.95),
	visitWorkingDays: z.number().int().min(1).max(30)
});

export async function getLimits(db: Db): Promise<TimeLimits> {
	const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY));
	if (!row) return DEFAULT_LIMITS;
	const r = limitsSchema.safeParse({ ...DEFAULT_LIMITS, ...(row.value as object) });
	// saved before a rule of saveLimits existed (a sign-for limit beyond a reply limit): the defaults, as for a bad value
	const clash = r.success ? limitsClash(r.data) : null;
	if (!r.success || clash) {
		console.error(`[minqing] stored time limits are invalid (${r.success ? clash!.message : r.error.issues[0]?.message}); using the defaults until they are saved again in 设置 › 办理时限`);
		return DEFAULT_LIMITS;
	}
	return r.data;
}

const LIMIT_LABELS: Record<string, string> = {
	signWorkingDays: '签收时限（工作日）',
	signUrgentHours: '紧急工单签收时限（小时）',
	replyWorkingDays: '答复时限（工作日）',
	replyUrgentWorkingDays: '紧急工单答复时限（工作日）',
	yellowAt: '黄灯提醒比例',
	visitWorkingDays: '回访时限（工作日）'
};

/** The first rule between the limits that `l` breaks, as the refusal saying so; null when they agree. */
function limitsClash(l: TimeLimits): CaseError | null {
	// an urgent ticket's limit is the shorter one: a longer urgent limit would make 紧急 the slower lane
	for (const t of TICKET_TYPES)
		if (l.replyUrgentWorkingDays[t] > l.replyWorkingDays[t])
			return new CaseError(
				'invalid_input',
				`${LIMIT_LABELS.replyUrgentWorkingDays}（${t}）为 ${l.replyUrgentWorkingDays[t]} 个工作日，不能长于一般工单的 ${l.replyWorkingDays[t]} 个工作日`,
				`replyUrgentWorkingDays.${t}`
			);
	if (l.signUrgentHours > l.signWorkingDays * 24)
		return new CaseError(
			'invalid_input',
			`${LIMIT_LABELS.signUrgentHours}为 ${l.signUrgentHours} 小时，不能长于一般工单的签收时限（${l.signWorkingDays} 个工作日，按每日 24 小时计 ${l.signWorkingDays * 24} 小时）`,
			'signUrgentHours'
		);
	// signing for a ticket comes before answering it: a sign-for limit beyond a reply limit would keep a ticket
	// waiting for sign-for green (its light follows the sign-for deadline) after its reply deadline had passed
	for (const t of TICKET_TYPES) {
		if (l.signWorkingDays > l.replyWorkingDays[t])
			return new CaseError(
				'invalid_input',
				`${LIMIT_LABELS.signWorkingDays}为 ${l.signWorkingDays} 个工作日，不能长于${t}工单的答复时限（${l.replyWorkingDays[t]} 个工作日）`,
				'signWorkingDays'
			);
		if (l.signUrgentHours > l.replyUrgentWorkingDays[t] * 24)
			return new CaseError(
				'invalid_input',
				`${LIMIT_LABELS.signUrgentHours}为 ${l.signUrgentHours} 小时，不能长于紧急${t}工单的答复时限（${l.replyUrgentWorkingDays[t]} 个工作日，按每日 24 小时计 ${l.replyUrgentWorkingDays[t] * 24} 小时）`,
				'signUrgentHours'
			);
	}
	return null;
}

/** What changed between two sets of limits, in words: 答复时限（工作日）（投诉）15 → 10 … */
export function limitChanges(before: TimeLimits, after: TimeLimits): string[] {
	const out: string[] = [];
	const show = (key: keyof TimeLimits, v: number) => (key === 'yellowAt' ? `${Math.round(v * 100)}%` : String(v));
	for (const key of Object.keys(LIMIT_LABELS) as (keyof TimeLimits)[]) {
		const a = before[key];
		const b = after[key];
		if (typeof a === 'number' && typeof b === 'number') {
			if (a !== b) out.push(`${LIMIT_LABELS[key]} ${show(key, a)} → ${show(key, b)}`);
		} else if (typeof a === 'object' && typeof b === 'object')
			for (const t of Object.keys(b) as (keyof typeof b)[]) if (a[t] !== b[t]) out.push(`${LIMIT_LABELS[key]}（${t}）${a[t]} → ${b[t]}`);
	}
	return out;
}

/**
 * Saves the limits (the whole object); with `actor`, what changed is recorded in the 操作日志. The new limits apply to
 * dispatches from now on (the return visit's limit: to replies from now on); those already running keep theirs.
 */
export async function saveLimits(db: Db, value: unknown, actor?: string): Promise<TimeLimits> {
	const body = objectBody(value);
	// the return visit's limit came later: a client that sends the object it knew keeps the limit in force
	const r = limitsSchema.safeParse('visitWorkingDays' in body ? body : { ...body, visitWorkingDays: (await getLimits(db)).visitWorkingDays });
	if (!r.success) {
		const i = r.error.issues[0];
		const [key, type] = i.path.map(String);
		const label = `${LIMIT_LABELS[key] ?? key}${type ? `（${type}）` : ''}`;
		const range = key === 'yellowAt' ? '50%–95%' : key === 'signUrgentHours' ? '1–48 之间的整数' : key === 'visitWorkingDays' ? '1–30 之间的整数' : '1–60 之间的整数';
		throw new CaseError('invalid_input', `${label}应为 ${range}`, i.path.join('.'), i.message);
	}
	const clash = limitsClash(r.data);
	if (clash) throw clash;
	const before = actor ? await getLimits(db) : null;
	await db
		.insert(settings)
		.values({ key: KEY, value: r.data, updatedAt: new Date() })
		.onConflictDoUpdate({ target: settings.key, set: { value: r.data, updatedAt: new Date() } });
	if (actor && before) {
		const changed = limitChanges(before, r.data);
		if (changed.length) await audit(db, { actor, area: 'limits', message: `办理时限：${actor} 修改${changed.join('；')}` });
	}
	return r.data;
}

const COUNTS = ['', '', '两', '三', '四'];
/** How a festival's statutory days are said: 元旦, 春节四天 … (STATUTORY_DAYS). */
const festivalDays = (f: Festival) => (STATUTORY_DAYS[f] > 1 ? `${f === '国庆节' ? '国庆' : f}${COUNTS[STATUTORY_DAYS[f]]}天` : f);

/**
 * Whether the holiday calendar has this year's and next year's complete official schedule: each year complete,
 * partial (the city's extra file has some of its holidays; the festivals it lacks count their statutory days) or
 * missing (weekends and the statutory days only), and whether the extra file was refused.
 */
export function calendarCoverage(
	cal: WorkCalendar,
	now = Date.now()
): { years: (YearCoverage & { covered: boolean })[]; ok: boolean; message: string; fileError: string | null } {
	const year = Number(shanghaiDay(now).slice(0, 4));
	const years = [year, year + 1].map((y) => ({ ...cal.coverage(y), covered: cal.covers(y) }));
	const list = (s: YearCoverage['status']) => years.filter((y) => y.status === s).map((y) => y.year);
	const [complete, partial, missing] = [list('complete'), list('partial'), list('missing')];
	const fileError = cal.refused ? refusedFileMessage(cal.refused, 5) : null;
	const parts: string[] = fileError ? [fileError] : [];
	if (!partial.length && !missing.length) parts.push(`节假日数据已覆盖 ${complete.join('、')} 年。`);
	else {
		if (complete.length) parts.push(`节假日数据已覆盖 ${complete.join('、')} 年。`);
		if (missing.length)
			parts.push(
				`节假日数据缺少 ${missing.join('、')} 年的放假安排：这些年份的时限扣除周末和法定节日当天（${FESTIVALS.map((f) => festivalDays(f)).join('、')}），不含调休。`
			);
		for (const y of years.filter((y) => y.status === 'partial'))
			parts.push(
				`${y.year} 年的放假安排不完整：已录入的日子照录入的算，未录入的节日只扣除法定节日当天（${y.lacking.map((f) => festivalDays(f)).join('、')}），不含调休。`
			);
		parts.push(
			`国务院办公厅公布放假安排后，请更新 chinese-days 或在 data/reference/holidays-extra.json 中${partial.length ? '补全' : '补充'} ${[...partial, ...missing].sort().join('、')} 年的全年安排。`
		);
	}
	return { years, ok: !fileError && !partial.length && !missing.length, message: parts.join(''), fileError };
}

/** The working clocks a ticket at a unit stores (migration 0010): at its dispatch and at its deadlines. */
export function workClocks(
	cal: WorkCalendar,
	t: { dispatchedAt: Date | number | null; signDeadline: Date | number | null; replyDeadline: Date | number | null }
): { dispatchedWork: number | null; signDeadlineWork: number | null; replyDeadlineWork: number | null } {
	const clock = (v: Date | number | null) => (v === null ? null : cal.workingClock(typeof v === 'number' ? v : v.getTime()));
	return { dispatchedWork: clock(t.dispatchedAt), signDeadlineWork: clock(t.signDeadline), replyDeadlineWork: clock(t.replyDeadline) };
}

/**
 * The working clocks (WorkCalendar.workingClock) of the tickets at a unit that have none: dispatched before the
 * clocks were stored (migration 0010), or written by the demo generator, which knows no calendar. At start, after
 * the demo, so that every yellow light counts working time; in statements of 1,000. Returns how many it filled.
 */
export async function fillWorkClocks(db: Db, cal: WorkCalendar): Promise<number> {
	let n = 0;
	for (let after = 0; ; ) {
		const rows = await db
			.select({ id: tickets.id, dispatchedAt: tickets.dispatchedAt, signDeadline: tickets.signDeadline, replyDeadline: tickets.replyDeadline })
			.from(tickets)
			.where(and(gt(tickets.id, after), inArray(tickets.status, [...AT_UNIT]), isNotNull(tickets.dispatchedAt), isNull(tickets.dispatchedWork)))
			.orderBy(asc(tickets.id))
			.limit(1000);
		if (!rows.length) return n;
		after = rows[rows.length - 1].id;
		const values = rows.map((r) => ({ id: r.id, ...workClocks(cal, r) }));
		await db.execute(sql`UPDATE tickets t SET dispatched_work = v."dispatchedWork", sign_deadline_work = v."signDeadlineWork", reply_deadline_work = v."replyDeadlineWork"
			FROM json_to_recordset(${JSON.stringify(values)}::json) AS v(id int, "dispatchedWork" float8, "signDeadlineWork" float8, "replyDeadlineWork" float8) WHERE t.id = v.id`);
		n += rows.length;
	}
}

/**
 * The return visits' deadlines (回访时限) of the replied tickets that have none: replied before the limit existed
 * (migration 0025), or written by the demo generator, which knows no calendar. (A feed's ticket in that state gets
 * it from its reply time when handed over, handOverFeedTickets; one without a reply time gets none.) At start, with the limit in
 * force; in statements of 1,000. Returns how many it filled.
 */
export async function fillVisitDeadlines(db: Db, cal: WorkCalendar): Promise<number> {
	const limits = await getLimits(db);
	let n = 0;
	for (let after = 0; ; ) {
		const rows = await db
			.select({ id: tickets.id, repliedAt: tickets.repliedAt })
			.from(tickets)
			.where(and(gt(tickets.id, after), eq(tickets.status, 'replied'), isNotNull(tickets.repliedAt), isNull(tickets.visitDeadline)))
			.orderBy(asc(tickets.id))
			.limit(1000);
		if (!rows.length) return n;
		after = rows[rows.length - 1].id;
		const values = rows.map((r) => ({ id: r.id, deadline: new Date(visitDeadline(cal, limits, r.repliedAt!.getTime())).toISOString() }));
		await db.execute(sql`UPDATE tickets t SET visit_deadline = v.deadline
			FROM json_to_recordset(${JSON.stringify(values)}::json) AS v(id int, deadline timestamptz) WHERE t.id = v.id`);
		n += rows.length;
	}
}
