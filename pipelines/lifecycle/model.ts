// Ticket vocabulary and time limits shared by the pipelines, the demo generator and the case-handling
// module (DESIGN.md: "The ticket", "Lifecycle").
import type { WorkCalendar } from '../calendar/index';

export const CHANNELS = ['phone', 'web', 'app', 'wechat', 'open311', 'feed'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = {
	phone: '电话',
	web: '网站',
	app: 'App',
	wechat: '微信',
	open311: 'Open311',
	feed: '数据接入'
};

export const TICKET_TYPES = ['咨询', '求助', '投诉', '举报', '建议', '表扬'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const URGENCY_LABELS: Record<Urgency, string> = { normal: '一般', urgent: '紧急' };

/**
 * The letters every ticket number starts with, then the Shanghai day (SZ20261201-…): a ticket registered here
 * continues with H and a daily serial (SZ20261201-H00001), a feed's with F (SZ20261201-F000001), the demo's with a
 * serial alone (SZ20261201-000001).
 */
export const NO_PREFIX = 'SZ';

export const STATUSES = [
	'received',
	'not_accepted',
	'transferred',
	'answered_directly',
	'accepted',
	'dispatched',
	'signed',
	'replied',
	'closed',
	'reopened'
] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_LABELS: Record<Status, string> = {
	received: '待受理',
	not_accepted: '不予受理',
	transferred: '已转办',
	answered_directly: '直接答复',
	accepted: '待派单',
	dispatched: '待签收',
	signed: '办理中',
	replied: '待回访',
	closed: '已办结',
	reopened: '重新办理'
};
/** statuses in which a ticket still needs work */
export const OPEN_STATUSES: readonly Status[] = ['received', 'accepted', 'dispatched', 'signed', 'replied', 'reopened'];
/**
 * open statuses in which no unit holds the ticket: not yet screened, or waiting for (re)dispatch — after a return
 * (back to accepted) or an unsatisfied visit (reopened, which keeps the previous round's unit and deadlines)
 */
export const AWAITING_UNIT: readonly Status[] = ['received', 'accepted', 'reopened'];
/** statuses in which the ticket's unit holds it: dispatched to it, and signed for by it */
export const AT_UNIT: readonly Status[] = ['dispatched', 'signed'];

export const SATISFACTION = ['满意', '基本满意', '不满意'] as const;
export type Satisfaction = (typeof SATISFACTION)[number];

/**
 * What a return visit that reached nobody met (回访未接通). The last two are final: calling again is no use, so the
 * ticket waits for a supervisor's 办结 at once; after the first two it is called again, up to VISIT_ATTEMPTS in all.
 */
export const VISIT_FAILURES = ['无人接听', '关机或停机', '拒绝回访', '号码有误'] as const;
export type VisitFailure = (typeof VISIT_FAILURES)[number];
export const FINAL_VISIT_FAILURES: readonly VisitFailure[] = ['拒绝回访', '号码有误'];
/** Attempts at a return visit (at different times of day) after which the caller counts as not reachable. */
export const VISIT_ATTEMPTS = 3;

/** Non-acceptance reasons 1–9 (DESIGN.md, from the hotline's published rules). */
export const NOT_ACCEPTED_REASONS: Record<number, string> = {
	1: '不属于政府职责或承办单位服务范围',
	2: '应通过110、119、120、122等紧急热线处理',
	3: '属于党委、人大、政协、法院、检察院、军队、武警职责范围',
	4: '应通过诉讼、仲裁、行政复议解决',
	5: '已进入或已经过诉讼、仲裁、复议、信访、信息公开等法定程序',
	6: '涉及国家秘密、商业秘密、个人隐私',
	7: '已依法处理且无新情况、新理由重复反映',
	8: '违法违规、违背公序良俗、恶意攻击骚扰或无实质诉求',
	9: '其他不予受理的事项'
};

export interface TimeLimits {
	/** sign for within this many working days … */
	signWorkingDays: number;
	/** … or within this many clock hours when urgent */
	signUrgentHours: number;
	/** reply within this many working days after dispatch, per ticket type … */
	replyWorkingDays: Record<TicketType, number>;
	/** … and per ticket type when urgent */
	replyUrgentWorkingDays: Record<TicketType, number>;
	/** share of the time used at which the light turns yellow */
	yellowAt: number;
	/** the hotline visits the caller back within this many working days after the unit's reply (回访时限) */
	visitWorkingDays: number;
}

export const DEFAULT_LIMITS: TimeLimits = {
	signWorkingDays: 1,
	signUrgentHours: 2,
	replyWorkingDays: { 咨询: 2, 求助: 5, 投诉: 15, 举报: 15, 建议: 15, 表扬: 5 },
	// DESIGN.md gives no shorter reply limit for urgent tickets; an administrator can set one per type
	replyUrgentWorkingDays: { 咨询: 2, 求助: 5, 投诉: 15, 举报: 15, 建议: 15, 表扬: 5 },
	yellowAt: 0.75,
	// DESIGN.md gives no limit for the return visit; three working days lets an unreached caller be tried on
	// different days (VISIT_ATTEMPTS) before the supervisor closes the ticket
	visitWorkingDays: 3
};

export function deadlines(
	cal: WorkCalendar,
	limits: TimeLimits,
	type: TicketType,
	urgent: boolean,
	dispatchedMs: number
): { signDeadline: number; replyDeadline: number } {
	const signDeadline = urgent
		? dispatchedMs + limits.signUrgentHours * 3_600_000
		: cal.addWorkingDays(dispatchedMs, limits.signWorkingDays);
	const replyDays = (urgent ? limits.replyUrgentWorkingDays : limits.replyWorkingDays)[type];
	return { signDeadline, replyDeadline: cal.addWorkingDays(dispatchedMs, replyDays) };
}

/** The return visit's deadline (回访时限): the end of the `visitWorkingDays`-th working day after the reply. */
export function visitDeadline(cal: WorkCalendar, limits: TimeLimits, repliedMs: number): number {
	return cal.addWorkingDays(repliedMs, limits.visitWorkingDays);
}

/**
 * Whether a step met its time limit: true/false once done, false once overdue while not done, null while it
 * is still in time (or has no limit). The one rule assessment figures use.
 */
export function metDeadline(doneMs: number | null, deadlineMs: number | null, nowMs: number): boolean | null {
	if (deadlineMs === null) return null;
	if (doneMs !== null) return doneMs <= deadlineMs;
	return nowMs > deadlineMs ? false : null;
}

export type Light = 'green' | 'yellow' | 'red';

/** Traffic light of a time limit: yellow from `yellowAt` of the time used, red when overdue. */
export function light(startMs: number, deadlineMs: number, nowMs: number, yellowAt = DEFAULT_LIMITS.yellowAt): Light {
	if (nowMs > deadlineMs) return 'red';
	const span = deadlineMs - startMs;
	if (span <= 0) return 'red';
	return (nowMs - startMs) / span >= yellowAt ? 'yellow' : 'green';
}
