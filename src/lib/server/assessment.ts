// Unit assessment (考核): the handling rates of a set of tickets and the weighted score. The one place the
// figures are defined: the leaders' unit panel reads them from the analytics rollups, the case-handling
// screens from their own queries — both pass the same counts through `handlingRates` and `assessmentScore`.
import type { HandlingRates, HandlingRound } from '../types';
import type { UnitRound } from '$pipelines/lifecycle/rounds';
import { MIN_ASSESSED } from '../units';

/** Ticket counts behind the rates (the rollup measures of pipelines/warehouse/rollups.ts). */
export interface HandlingCounts {
	n: number;
	screened: number;
	accepted: number;
	dispatched: number;
	sign_done: number;
	sign_ok: number;
	reply_done: number;
	reply_ok: number;
	visited: number;
	satisfied: number;
	basic: number;
	returned: number;
	extended: number;
	reopened: number;
	/** by unit: the dispatches it assisted in (协办), counted in n, screened and accepted too (see `leadCounts`) */
	assisted?: number;
}

/**
 * A unit's own counts, as lead: its rows by unit (UNIT_ROUNDS) less those of the dispatches it only assisted in, which
 * count in n, screened and accepted (an assisted ticket was dispatched) and in nothing else. An assisting unit signs
 * for nothing and replies to nothing (it sees the ticket and adds notes): its 协办 volume is shown beside its rates,
 * and none of the lead's results is charged to it.
 */
export function leadCounts(c: HandlingCounts): HandlingCounts {
	const a = c.assisted ?? 0;
	return { ...c, n: c.n - a, screened: c.screened - a, accepted: c.accepted - a, assisted: 0 };
}

/** Open tickets of the same set that are past a time limit without the step done (counted now). */
export interface PendingLate {
	sign: number;
	reply: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/**
 * 满意率: (满意 + 基本满意) ÷ return visits, over the visits of the handling rounds (UNIT_ROUNDS): each round's reply
 * visited counts, also one visited 不满意 that led to a reopening (a ticket's own row keeps only its latest result,
 * which would hide it). The one definition the overview, the wall, the map and the unit panel show.
 */
export function satisfactionRate(c: Pick<HandlingCounts, 'visited' | 'satisfied' | 'basic'>): number | null {
	return ratio(c.satisfied + c.basic, c.visited);
}

export function handlingRates(c: HandlingCounts, late: PendingLate = { sign: 0, reply: 0 }): HandlingRates {
	return {
		received: c.n,
		screened: c.screened,
		accepted: c.accepted,
		acceptanceRate: ratio(c.accepted, c.screened),
		dispatched: c.dispatched,
		// rounds that ended (replied or returned) or are overdue: each has a result to assess
		measured: c.reply_done + late.reply + c.returned,
		// a step still undone past its limit is already late: it counts against the rate now
		signRate: ratio(c.sign_ok, c.sign_done + late.sign),
		replyRate: ratio(c.reply_ok, c.reply_done + late.reply),
		visited: c.visited,
		satisfactionRate: satisfactionRate(c),
		returnRate: ratio(c.returned, c.dispatched),
		extensionRate: ratio(c.extended, c.dispatched),
		reopenRate: ratio(c.reopened, c.dispatched)
	};
}

/** Weights of the score (sum 100). Rates where lower is better count as 1 − rate. */
export const ASSESSMENT_WEIGHTS: { key: keyof HandlingRates; label: string; weight: number; lowerIsBetter: boolean }[] = [
	{ key: 'signRate', label: '签收及时率', weight: 15, lowerIsBetter: false },
	{ key: 'replyRate', label: '办结及时率', weight: 25, lowerIsBetter: false },
	{ key: 'satisfactionRate', label: '满意率', weight: 35, lowerIsBetter: false },
	{ key: 'returnRate', label: '退单率', weight: 10, lowerIsBetter: true },
	{ key: 'extensionRate', label: '延期率', weight: 5, lowerIsBetter: true },
	{ key: 'reopenRate', label: '重办率', weight: 10, lowerIsBetter: true }
];

export { MIN_ASSESSED, MIN_ASSESSED_RULE } from '../units';

/**
 * Each scored rate's part of the score: how good it is (0–1, the rate or 1 − rate) and its weight among the rates
 * that have a value (a unit that had no return visits is scored on the rest, weights renormalised). Empty below
 * MIN_ASSESSED rounds with a result (`measured`): such a unit is not scored.
 */
function scoreParts(r: HandlingRates): { key: keyof HandlingRates; good: number; weight: number; total: number }[] {
	if (r.measured < MIN_ASSESSED) return [];
	const parts: { key: keyof HandlingRates; good: number; weight: number }[] = [];
	for (const w of ASSESSMENT_WEIGHTS) {
		// rounds with results but none replied (a unit that returns every ticket): nothing on time to reply, 0 — not a
		// rate left out, which scored such a unit on its quick returns alone
		const v = w.key === 'replyRate' && r.replyRate === null ? 0 : (r[w.key] as number | null);
		if (v === null) continue;
		parts.push({ key: w.key, good: w.lowerIsBetter ? 1 - v : v, weight: w.weight });
	}
	const total = parts.reduce((s, p) => s + p.weight, 0);
	return parts.map((p) => ({ ...p, total }));
}

/** Weighted score 0–100 over the rates that have a value (scoreParts); null below MIN_ASSESSED rounds with a result. */
export function assessmentScore(r: HandlingRates): number | null {
	const parts = scoreParts(r);
	return parts.length ? Math.round((1000 * parts.reduce((s, p) => s + p.weight * p.good, 0)) / parts[0].total) / 10 : null;
}

/**
 * The points of 100 lost on each scored rate (its renormalised weight × what it fell short of perfect), to one
 * decimal: together they are what the score lacks of 100, up to rounding. Empty when the unit is not scored.
 */
export function scoreLosses(r: HandlingRates): Map<keyof HandlingRates, number> {
	return new Map(scoreParts(r).map((p) => [p.key, Math.round((1000 * p.weight * (1 - p.good)) / p.total) / 10]));
}

/** An instant of the stores (epoch ms, a number or a BigInt) as ISO text; null stays null. */
export const isoOf = (ms: unknown): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

/** Handling rounds as the ticket pages show them (工单详情 from the events, 工单档案 from the facts). */
export function handlingRounds(rounds: readonly UnitRound[], unitName: (code: string) => string | null): HandlingRound[] {
	return rounds.map((x) => ({
		unit: unitName(x.unit) ?? x.unit,
		dispatchedAt: isoOf(x.dispatched_at),
		signDeadline: isoOf(x.sign_deadline),
		signedAt: isoOf(x.signed_at),
		replyDeadline: isoOf(x.reply_deadline),
		repliedAt: isoOf(x.replied_at),
		satisfaction: x.satisfaction,
		returned: !!x.returned,
		extended: !!x.extended,
		reopened: !!x.reopened
	}));
}

/** Ranks by score, highest first (ties share a rank); unscored units get null. */
export function rankScores(scores: readonly (number | null)[]): (number | null)[] {
	const sorted = scores.filter((s): s is number => s !== null).sort((a, b) => b - a);
	return scores.map((s) => (s === null ? null : sorted.indexOf(s) + 1));
}
