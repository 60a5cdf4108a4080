// Simulates a demo ticket's whole lifecycle (DESIGN.md state machine) with unit-specific behaviour, so that
// time-limit lights, returns, extensions, reopenings and satisfaction have realistic spread across units.
import type { WorkCalendar } from '../calendar/index';
import { dayNumberAt } from '../calendar/index';
import { DEFAULT_LIMITS, deadlines, metDeadline, VISIT_ATTEMPTS, type Satisfaction, type Status, type TicketType, type VisitFailure } from '../lifecycle/model';
import { unitAssists, unitRounds, type RoundEvent, type UnitRound } from '../lifecycle/rounds';
import { hash32, Rng } from './rng';

export interface UnitBehaviour {
	signLateP: number;
	replyLateP: number;
	returnP: number;
	extendP: number;
	/** probabilities of 满意 / 基本满意 / 不满意 at a first visit */
	satisfaction: [number, number, number];
}

export function unitBehaviour(r: Rng): UnitBehaviour {
	// one latent quality per unit drives all its rates, so good units are good at most things
	const q = Math.min(1, Math.max(0, 0.55 + 0.22 * r.normal()));
	const lerp = (bad: number, good: number) => bad + (good - bad) * q;
	const unsat = lerp(0.2, 0.03);
	const basic = lerp(0.25, 0.1);
	return {
		signLateP: lerp(0.22, 0.01),
		replyLateP: lerp(0.3, 0.02),
		returnP: lerp(0.14, 0.01),
		extendP: lerp(0.12, 0.02),
		satisfaction: [1 - unsat - basic, basic, unsat]
	};
}

export interface SimEvent {
	action: string;
	from: Status | null;
	to: Status;
	at: number;
	actor: string;
	unitCode: string | null;
	note: string;
	data?: Record<string, unknown>;
}

export interface SimInput {
	receivedMs: number;
	type: TicketType;
	urgent: boolean;
	channel: string;
	unitCode: string;
	unitName: string;
	/** another unit for a ticket returned as not its duty */
	reroute: () => { code: string; name: string };
	behaviour: (unitCode: string) => UnitBehaviour;
	/** share of tickets that emergency words send to 110/119/120/122 */
	transferP: number;
	/** the units a dispatch to the lead unit `unitCode` names to assist it (协办单位; none: the lead alone) */
	assist?: (unitCode: string) => { code: string; name: string }[];
}

const RETURN_REASONS = ['不属于本单位职责范围', '地址不在本辖区', '诉求不明确，请补充信息', '已由其他部门办理', '涉及多个部门，建议协调'];
const NOT_ACCEPTED_WEIGHTS: [number, number][] = [[1, 30], [8, 20], [7, 15], [5, 10], [4, 10], [3, 4], [6, 3], [9, 8]];
const H = 3_600_000;
const MIN = 60_000;

function operator(r: Rng): string {
	return `话务员${r.int(1001, 1088)}`;
}

/** next instant in office hours (08:30–17:30 on a working day) at or after t */
function nextOfficeTime(cal: WorkCalendar, t: number, r: Rng): number {
	let day = dayNumberAt(t);
	const hour = ((t + 8 * H) % (24 * H)) / H;
	if (cal.isWorkdayNumber(day) && hour >= 8.5 && hour < 17.5) return t;
	if (!cal.isWorkdayNumber(day) || hour >= 17.5) {
		do day++;
		while (!cal.isWorkdayNumber(day));
	}
	return day * 24 * H - 8 * H + 8.5 * H + r.next() * 1.5 * H;
}

export function simulateLifecycle(cal: WorkCalendar, r: Rng, t: SimInput): SimEvent[] {
	const ev: SimEvent[] = [];
	const push = (e: SimEvent) => ev.push(e);
	const t0 = t.receivedMs;
	push({ action: 'receive', from: null, to: 'received', at: t0, actor: t.channel === 'phone' ? operator(r) : '系统', unitCode: null, note: '' });
	const screenAt = t0 + (t.channel === 'phone' ? r.int(2, 8) * MIN : r.lognormal(40 * MIN, 0.8));

	// screening: the operator decides
	if (r.chance(t.transferP)) {
		const to = r.pick(['110', '119', '120', '122']);
		push({ action: 'transfer', from: 'received', to: 'transferred', at: screenAt, actor: operator(r), unitCode: null, note: `属紧急事项，已转${to}并告知来电人`, data: { transferredTo: to } });
		return ev;
	}
	if (r.chance(0.03)) {
		const total = NOT_ACCEPTED_WEIGHTS.reduce((s, [, w]) => s + w, 0);
		let x = r.next() * total;
		let reason = 9;
		for (const [k, w] of NOT_ACCEPTED_WEIGHTS) if ((x -= w) < 0) { reason = k; break; }
		push({ action: 'not_accept', from: 'received', to: 'not_accepted', at: screenAt, actor: operator(r), unitCode: null, note: '不予受理，已向来电人解释', data: { reason } });
		return ev;
	}
	const direct = t.type === '咨询' ? 0.45 : t.type === '表扬' ? 0.5 : 0.02;
	if (r.chance(direct)) {
		push({ action: 'answer', from: 'received', to: 'answered_directly', at: screenAt, actor: operator(r), unitCode: null, note: t.type === '表扬' ? '已记录并转达表扬' : '依据知识库直接答复' });
		return ev;
	}
	push({ action: 'accept', from: 'received', to: 'accepted', at: screenAt, actor: operator(r), unitCode: null, note: '' });

	let unit = { code: t.unitCode, name: t.unitName };
	let at = screenAt;
	let status: Status = 'accepted';
	let reopened = false;
	let returns = 0;

	for (;;) {
		// dispatch (an urgent ticket at once; otherwise within office hours)
		const dispatchBase = at + (t.urgent ? r.lognormal(6 * MIN, 0.5) : r.lognormal(25 * MIN, 0.9));
		const dispatchAt = t.urgent ? dispatchBase : nextOfficeTime(cal, dispatchBase, r);
		const lim = deadlines(cal, DEFAULT_LIMITS, t.type, t.urgent, dispatchAt);
		const assist = t.assist?.(unit.code) ?? [];
		// as the case action writes a dispatch that names assisting units (its data's assistUnits, its note)
		push({
			action: 'dispatch', from: status, to: 'dispatched', at: dispatchAt, actor: '派单员', unitCode: unit.code,
			note: `派至${unit.name}${assist.length ? `，协办：${assist.map((u) => u.name).join('、')}` : ''}`,
			data: { signDeadline: lim.signDeadline, replyDeadline: lim.replyDeadline, ...(assist.length ? { assistUnits: assist.map((u) => u.code) } : {}) }
		});
		status = 'dispatched';
		const b = t.behaviour(unit.code);
		const signSpan = lim.signDeadline - dispatchAt;

		if (returns < 2 && !reopened && r.chance(b.returnP)) {
			const retAt = dispatchAt + signSpan * r.next() * 0.8;
			push({ action: 'return', from: 'dispatched', to: 'accepted', at: retAt, actor: unit.name, unitCode: unit.code, note: r.pick(RETURN_REASONS) });
			returns++;
			status = 'accepted';
			at = retAt;
			if (r.chance(0.7)) unit = t.reroute();
			continue;
		}
		const signAt = r.chance(b.signLateP) ? lim.signDeadline + r.lognormal(3 * H, 1) : dispatchAt + signSpan * Math.pow(r.next(), 1.8) * 0.95;
		push({ action: 'sign', from: 'dispatched', to: 'signed', at: signAt, actor: unit.name, unitCode: unit.code, note: '' });
		status = 'signed';

		let replyDeadline = lim.replyDeadline;
		/** when an extension asked for was decided: the reply comes after it (a replied ticket can no longer ask) */
		let decidedAt: number | null = null;
		if (t.type !== '咨询' && r.chance(b.extendP)) {
			const reqAt = signAt + (replyDeadline - signAt) * (0.4 + 0.3 * r.next());
			push({ action: 'extension_request', from: 'signed', to: 'signed', at: reqAt, actor: unit.name, unitCode: unit.code, note: r.pick(['需现场勘查并协调多部门', '涉及施工整改，周期较长', '需等待检测结果']) });
			const decided = reqAt + r.lognormal(5 * H, 0.7);
			decidedAt = decided;
			if (r.chance(0.85)) {
				replyDeadline = cal.addWorkingDays(replyDeadline - 1, 5);
				push({ action: 'extension_approve', from: 'signed', to: 'signed', at: decided, actor: '督办员', unitCode: unit.code, note: '同意延期5个工作日', data: { replyDeadline } });
			} else {
				push({ action: 'extension_deny', from: 'signed', to: 'signed', at: decided, actor: '督办员', unitCode: unit.code, note: '延期理由不充分，请按期办结' });
			}
		}
		const late = r.chance(b.replyLateP);
		const drawn = late ? replyDeadline + r.lognormal(30 * H, 0.9) : signAt + (replyDeadline - signAt) * Math.pow(r.next(), 1.3) * 0.95;
		// (no draw of its own: the other tickets of the day keep theirs)
		const replyAt = decidedAt === null ? drawn : Math.max(drawn, decidedAt + 2 * H);
		if (late || replyAt > replyDeadline - 24 * H) {
			if (r.chance(0.6)) {
				const urgeAt = Math.min(replyAt - H, replyDeadline - r.next() * 12 * H);
				if (urgeAt > signAt) push({ action: 'urge', from: 'signed', to: 'signed', at: urgeAt, actor: '督办员', unitCode: unit.code, note: '即将超期，请抓紧办理' });
			}
			if (late && replyAt - replyDeadline > 48 * H && r.chance(0.5)) {
				push({ action: 'supervise', from: 'signed', to: 'signed', at: replyDeadline + 36 * H, actor: '督办员', unitCode: unit.code, note: '已超期，列入督办' });
			}
		}
		push({ action: 'reply', from: 'signed', to: 'replied', at: replyAt, actor: unit.name, unitCode: unit.code, note: '已办理并答复来电人' });
		status = 'replied';

		let visitAt = nextOfficeTime(cal, replyAt + r.lognormal(18 * H, 0.7), r);
		const s = b.satisfaction;
		const p = reopened ? [s[0] + s[2] * 0.5, s[1] + s[2] * 0.3, s[2] * 0.2] : s;
		const x = r.next();
		const sat: Satisfaction = x < p[0] ? '满意' : x < p[0] + p[1] ? '基本满意' : '不满意';
		// drawn before the attempts below, as before them, so a ticket closed unvisited leaves the day's stream as it was
		const reopen = sat === '不满意' && !reopened && r.chance(0.65);
		// calls that reach nobody first (回访未接通), tried again a few hours later; after VISIT_ATTEMPTS of them a
		// supervisor closes the ticket unvisited. Drawn from a stream of their own, so that the draws of every other
		// step and ticket are those of a demo made without them
		const v = new Rng(hash32(`visits:${t.receivedMs}:${t.unitCode}:${replyAt}`));
		let tries = 0;
		while (tries < VISIT_ATTEMPTS && v.chance(tries ? 0.35 : 0.2)) {
			tries++;
			const outcome: VisitFailure = v.chance(0.8) ? '无人接听' : '关机或停机';
			push({ action: 'visit_failed', from: 'replied', to: 'replied', at: visitAt, actor: '回访员', unitCode: unit.code, note: `第 ${tries} 次回访未接通（${outcome}）`, data: { outcome, attempt: tries } });
			visitAt = nextOfficeTime(cal, visitAt + v.lognormal(4 * H, 0.5), v);
		}
		if (tries === VISIT_ATTEMPTS) {
			push({ action: 'close', from: 'replied', to: 'closed', at: visitAt, actor: '督办员', unitCode: unit.code, note: `${VISIT_ATTEMPTS} 次回访均未接通，按规定办结` });
			return ev;
		}
		if (reopen) {
			push({ action: 'visit', from: 'replied', to: 'reopened', at: visitAt, actor: '回访员', unitCode: unit.code, note: '来电人对办理结果不满意，重新交办', data: { satisfaction: sat } });
			status = 'reopened';
			reopened = true;
			at = visitAt;
			continue;
		}
		push({ action: 'visit', from: 'replied', to: 'closed', at: visitAt, actor: '回访员', unitCode: unit.code, note: `回访：${sat}`, data: { satisfaction: sat } });
		return ev;
	}
}

export interface LifecycleState {
	status: Status;
	unitCode: string | null;
	updatedAt: number;
	dispatchedAt: number | null;
	signedAt: number | null;
	repliedAt: number | null;
	closedAt: number | null;
	signDeadline: number | null;
	replyDeadline: number | null;
	satisfaction: Satisfaction | null;
	notAcceptedReason: number | null;
	transferredTo: string | null;
	returns: number;
	/** its handling rounds, as the sync reads them from the events */
	rounds: UnitRound[];
	/** the units assisting its current dispatch (the relational ticket's assist_units: a return clears them) */
	assistUnits: string[];
	/** the assisting units of its dispatches, as the sync reads them from the events (unitAssists) */
	assists: string[];
	extensions: number;
	reopens: number;
	urges: number;
	/** return visits of the last reply that reached nobody: how many, the last one's time and outcome */
	visitAttempts: number;
	visitAttemptedAt: number | null;
	visitFailure: string | null;
	signOnTime: boolean | null;
	replyOnTime: boolean | null;
	/** events that have happened by `now` */
	seen: number;
}

function roundEvent(e: SimEvent): RoundEvent {
	const num = (v: unknown) => (v === undefined || v === null ? null : Number(v));
	return {
		// whole milliseconds, as the relational store holds the event (a Date drops the fraction)
		action: e.action, to: e.to, unit: e.unitCode, at: Math.trunc(e.at), signDeadline: num(e.data?.signDeadline),
		replyDeadline: num(e.data?.replyDeadline), satisfaction: (e.data?.satisfaction as string | undefined) ?? null,
		assistUnits: (e.data?.assistUnits as string[] | undefined) ?? null
	};
}

/** The ticket as it stands at `now`: only events up to then have happened. */
export function stateAt(events: SimEvent[], now: number): LifecycleState {
	const s: LifecycleState = {
		status: 'received', unitCode: null, updatedAt: events[0].at, dispatchedAt: null, signedAt: null, repliedAt: null,
		closedAt: null, signDeadline: null, replyDeadline: null, satisfaction: null, notAcceptedReason: null,
		transferredTo: null, returns: 0, rounds: [], assistUnits: [], assists: [], extensions: 0, reopens: 0, urges: 0,
		visitAttempts: 0, visitAttemptedAt: null, visitFailure: null, signOnTime: null, replyOnTime: null, seen: 0
	};
	for (const e of events) {
		if (e.at > now) break;
		s.seen++;
		s.status = e.to;
		s.updatedAt = e.at;
		switch (e.action) {
			case 'transfer': s.transferredTo = String(e.data?.transferredTo); s.closedAt = e.at; break;
			case 'not_accept': s.notAcceptedReason = Number(e.data?.reason); s.closedAt = e.at; break;
			case 'answer': s.closedAt = e.at; break;
			case 'dispatch':
				// as the case action does: a new round at the unit, its limits, nothing signed or replied yet
				s.unitCode = e.unitCode;
				s.dispatchedAt = e.at;
				s.signedAt = null;
				s.repliedAt = null;
				s.closedAt = null;
				s.signDeadline = Number(e.data?.signDeadline);
				s.replyDeadline = Number(e.data?.replyDeadline);
				s.assistUnits = [...((e.data?.assistUnits as string[] | undefined) ?? [])];
				break;
			case 'return':
				// back with the dispatchers, as the case action leaves it
				s.returns++;
				s.unitCode = null;
				s.signedAt = null;
				s.signDeadline = null;
				s.replyDeadline = null;
				s.assistUnits = [];
				break;
			case 'sign': s.signedAt = e.at; break;
			case 'extension_approve': s.extensions++; s.replyDeadline = Number(e.data?.replyDeadline); break;
			case 'urge': case 'supervise': s.urges++; break;
			case 'reply': s.repliedAt = e.at; s.visitAttempts = 0; s.visitAttemptedAt = null; s.visitFailure = null; break;
			case 'visit_failed':
				s.visitAttempts++;
				s.visitAttemptedAt = e.at;
				s.visitFailure = String(e.data?.outcome);
				break;
			case 'close': s.closedAt = e.at; break;
			case 'visit':
				s.satisfaction = e.data?.satisfaction as Satisfaction;
				if (e.to === 'reopened') s.reopens++;
				else s.closedAt = e.at;
				break;
		}
	}
	const happened = events.slice(0, s.seen).map(roundEvent);
	s.rounds = unitRounds(happened);
	s.assists = unitAssists(happened);
	s.signOnTime = metDeadline(s.signedAt, s.signDeadline, now);
	s.replyOnTime = metDeadline(s.repliedAt, s.replyDeadline, now);
	return s;
}
