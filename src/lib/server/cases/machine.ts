// The ticket lifecycle as rules (DESIGN.md "Lifecycle"): for each action, the states it starts from, the
// roles that may take it, whether the actor must be the ticket's lead unit, and the state it leads to. Pure:
// the case service checks every transition here before it writes, and the pages ask it which buttons to show.
import type { Role, SessionUser } from '$lib/types';
import { AT_UNIT, STATUSES, STATUS_LABELS, type Status } from '$pipelines/lifecycle/model';

export const CASE_ACTIONS = [
	'accept',
	'not_accept',
	'transfer',
	'answer',
	'merge',
	'dispatch',
	'sign',
	'return',
	'recall',
	'extension_request',
	'extension_approve',
	'extension_deny',
	'urge',
	'supervise',
	'reply',
	'visit',
	'visit_failed',
	'reopen',
	'close',
	'note',
	'link',
	'unlink'
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export const ACTION_LABELS: Record<CaseAction, string> = {
	accept: '受理',
	not_accept: '不予受理',
	transfer: '转紧急热线',
	answer: '直接答复',
	merge: '并单',
	dispatch: '派单',
	sign: '签收',
	return: '退单',
	recall: '收回',
	extension_request: '申请延期',
	extension_approve: '批准延期',
	extension_deny: '驳回延期',
	urge: '催办',
	supervise: '督办',
	reply: '答复',
	visit: '回访',
	visit_failed: '回访未接通',
	reopen: '重新交办',
	close: '办结',
	note: '备注',
	link: '关联工单',
	unlink: '取消关联'
};

/** Actions that record something about a ticket without changing it: no version check, no new version. */
export const ANNOTATIONS = ['note', 'link', 'unlink'] as const satisfies readonly CaseAction[];
export const isAnnotation = (a: CaseAction): boolean => (ANNOTATIONS as readonly CaseAction[]).includes(a);

/**
 * Actions beside the handling, besides the annotations: 催办 and 督办 count on the ticket but change neither its state
 * nor what its handlers decide, so they need no version and make none stale — a supervisor's urge must not turn the
 * unit's reply, typed meanwhile, into a conflict. Likewise a return visit that reached nobody: a colleague who
 * reaches the caller meanwhile records the visit without a conflict.
 */
const BESIDE_HANDLING = ['urge', 'supervise', 'visit_failed'] as const satisfies readonly CaseAction[];
/** No version is checked or made: the annotations and the actions beside the handling. */
export const isUnversioned = (a: CaseAction): boolean => isAnnotation(a) || (BESIDE_HANDLING as readonly CaseAction[]).includes(a);

/** Screening actions: the operator's decision on a received ticket. */
export const SCREEN_ACTIONS = ['accept', 'not_accept', 'transfer', 'answer', 'merge'] as const satisfies readonly CaseAction[];


interface Rule {
	from: readonly Status[];
	roles: readonly Role[];
	/** the actor acts for the ticket's lead unit (unit_handler roles only) */
	leadUnit?: true;
	/** the state after the action; `null` keeps the state */
	to: Status | null;
}

const SCREENERS: readonly Role[] = ['admin', 'operator'];
const DISPATCHERS: readonly Role[] = ['admin', 'dispatcher'];
const SUPERVISORS: readonly Role[] = ['admin', 'supervisor'];
const UNIT: readonly Role[] = ['unit_handler'];
const VISITORS: readonly Role[] = ['admin', 'supervisor', 'operator'];

export const RULES: Record<CaseAction, Rule> = {
	accept: { from: ['received'], roles: SCREENERS, to: 'accepted' },
	not_accept: { from: ['received'], roles: SCREENERS, to: 'not_accepted' },
	transfer: { from: ['received'], roles: SCREENERS, to: 'transferred' },
	answer: { from: ['received'], roles: SCREENERS, to: 'answered_directly' },
	// 并单: the ticket joins an earlier one about the same matter and is closed with it as its duplicate
	merge: { from: ['received', 'accepted'], roles: ['admin', 'operator', 'dispatcher'], to: 'closed' },
	dispatch: { from: ['accepted', 'reopened'], roles: DISPATCHERS, to: 'dispatched' },
	sign: { from: ['dispatched'], roles: UNIT, leadUnit: true, to: 'signed' },
	return: { from: ['dispatched'], roles: UNIT, leadUnit: true, to: 'accepted' },
	// 收回: the dispatchers take a ticket back from the unit holding it (sent to the wrong unit, a unit stopped, a duty
	// moved) and dispatch it anew. Not in DESIGN.md's diagram, which has only the unit's own return: without it a
	// ticket stays with a stopped unit until that unit's account gives it back
	recall: { from: AT_UNIT, roles: DISPATCHERS, to: 'accepted' },
	extension_request: { from: ['signed'], roles: UNIT, leadUnit: true, to: null },
	extension_approve: { from: ['signed'], roles: SUPERVISORS, to: null },
	extension_deny: { from: ['signed'], roles: SUPERVISORS, to: null },
	urge: { from: AT_UNIT, roles: ['admin', 'dispatcher', 'supervisor', 'leader'], to: null },
	supervise: { from: AT_UNIT, roles: ['admin', 'supervisor', 'leader'], to: null },
	reply: { from: ['signed'], roles: UNIT, leadUnit: true, to: 'replied' },
	// an unsatisfied visit may send the ticket back (reopened) instead of closing it: see `targetOf`
	visit: { from: ['replied'], roles: VISITORS, to: 'closed' },
	// 回访未接通: an attempt that reached nobody, counted; after VISIT_ATTEMPTS of them, or a refusal or a wrong number,
	// the ticket waits in 回访's 回访未果 tab for a supervisor's 办结
	visit_failed: { from: ['replied'], roles: VISITORS, to: null },
	reopen: { from: ['closed'], roles: SUPERVISORS, to: 'reopened' },
	// closing without a visit (the caller could not be reached after the attempts the rules ask for)
	close: { from: ['replied'], roles: SUPERVISORS, to: 'closed' },
	note: {
		from: STATUSES,
		roles: ['admin', 'operator', 'dispatcher', 'supervisor', 'leader', 'unit_handler'],
		to: null
	},
	// 关联: related tickets, each handled on its own; by the hotline's staff, who see every ticket (a unit does not)
	link: { from: STATUSES, roles: ['admin', 'operator', 'dispatcher', 'supervisor'], to: null },
	unlink: { from: STATUSES, roles: ['admin', 'operator', 'dispatcher', 'supervisor'], to: null }
};

/** What the rules need to know about a ticket. */
export interface CaseState {
	status: Status;
	unitCode: string | null;
	assistUnits: readonly string[];
	/** an extension request waits for a decision */
	extensionPending: boolean;
	/** went to a unit and was not merged into another ticket: only such a closed ticket can be reopened (a merged or screened-out one cannot) */
	handledByUnit: boolean;
	/** the reply limit has passed: an extension can no longer be asked for (it is asked for within the limit) */
	replyOverdue?: boolean;
}

export type Refusal = { code: 'forbidden' | 'not_found' | 'invalid_state'; message: string };

const NOT_VISIBLE: Refusal = { code: 'not_found', message: '工单不存在或无权查看' };

/** Whether a user may see a ticket at all: units see the tickets they lead or assist on; analysts and the emergency office work on analytics, not cases. */
export function canView(user: Pick<SessionUser, 'role' | 'unitCode'>, t: Pick<CaseState, 'unitCode' | 'assistUnits'>): boolean {
	if (user.role === 'unit_handler') return !!user.unitCode && (t.unitCode === user.unitCode || t.assistUnits.includes(user.unitCode));
	return CASE_ROLES.includes(user.role);
}

/** Roles that work on cases (see them in full, subject to `canView`). */
export const CASE_ROLES: readonly Role[] = ['admin', 'operator', 'dispatcher', 'supervisor', 'leader', 'unit_handler'];

/** The first check of `check`, alone: a role that can never take the action (for actions on a ticket not yet written). */
export function roleRefusal(user: Pick<SessionUser, 'role'>, action: CaseAction): Refusal | null {
	return RULES[action].roles.includes(user.role) ? null : { code: 'forbidden', message: `当前角色不能${ACTION_LABELS[action]}` };
}

/**
 * Whether `user` may take `action` on a ticket in state `t`. The order of the checks decides the error:
 * a ticket that a case role cannot see → not_found, whatever the action (units do not learn that other units'
 * tickets exist: a missing ticket answers the same); a role that can never take the action → forbidden; an
 * assisting unit acting as lead → forbidden; a state the action does not start from → invalid_state.
 */
export function check(user: Pick<SessionUser, 'role' | 'unitCode'>, action: CaseAction, t: CaseState): Refusal | null {
	const rule = RULES[action];
	const hidden = !canView(user, t);
	if (hidden && CASE_ROLES.includes(user.role)) return NOT_VISIBLE;
	const byRole = roleRefusal(user, action);
	if (byRole) return byRole;
	if (hidden) return NOT_VISIBLE;
	if (rule.leadUnit && t.unitCode !== user.unitCode) return { code: 'forbidden', message: `只有主办单位可以${ACTION_LABELS[action]}` };
	if (!rule.from.includes(t.status))
		return { code: 'invalid_state', message: `工单当前为“${statusLabel(t.status)}”，不能${ACTION_LABELS[action]}` };
	if (action === 'extension_request' && t.extensionPending) return { code: 'invalid_state', message: '已有延期申请待审批，不能重复申请' };
	if (action === 'extension_request' && t.replyOverdue)
		return { code: 'invalid_state', message: '答复时限已届满，不能再申请延期（延期须在时限届满前申请）' };
	if ((action === 'extension_approve' || action === 'extension_deny') && !t.extensionPending)
		return { code: 'invalid_state', message: '没有待审批的延期申请' };
	if (action === 'reopen' && !t.handledByUnit) return { code: 'invalid_state', message: '该工单未经承办单位办理，不能重新交办' };
	return null;
}

/** The state after an allowed action (`visit` with 不满意 and reopen asked for goes back to the units). */
export function targetOf(action: CaseAction, from: Status, reopen = false): Status {
	if (action === 'visit' && reopen) return 'reopened';
	return RULES[action].to ?? from;
}

/** The actions a user could take on a ticket now (for the buttons of the detail page). */
export function availableActions(user: Pick<SessionUser, 'role' | 'unitCode'>, t: CaseState): CaseAction[] {
	return CASE_ACTIONS.filter((a) => check(user, a, t) === null);
}

function statusLabel(s: Status): string {
	return STATUS_LABELS[s] ?? s;
}
