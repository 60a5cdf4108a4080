import { describe, expect, it } from 'vitest';
import type { HandlingRates } from '$lib/types';
import { ASSESSMENT_WEIGHTS, assessmentScore, handlingRates, MIN_ASSESSED, rankScores, scoreLosses, type HandlingCounts } from './assessment';

const counts: HandlingCounts = {
	n: 200,
	screened: 180,
	accepted: 150,
	dispatched: 120,
	sign_done: 100,
	sign_ok: 90,
	reply_done: 80,
	reply_ok: 60,
	visited: 50,
	satisfied: 30,
	basic: 10,
	returned: 12,
	extended: 6,
	reopened: 3
};

const zero: HandlingCounts = {
	n: 0,
	screened: 0,
	accepted: 0,
	dispatched: 0,
	sign_done: 0,
	sign_ok: 0,
	reply_done: 0,
	reply_ok: 0,
	visited: 0,
	satisfied: 0,
	basic: 0,
	returned: 0,
	extended: 0,
	reopened: 0
};

/** Rates for the score, the counts not involved set plausibly. */
function rates(r: Partial<HandlingRates>): HandlingRates {
	return {
		received: 200,
		screened: 180,
		accepted: 150,
		acceptanceRate: 150 / 180,
		dispatched: 100,
		measured: 80,
		signRate: null,
		replyRate: null,
		visited: 50,
		satisfactionRate: null,
		returnRate: null,
		extensionRate: null,
		reopenRate: null,
		...r
	};
}

describe('handlingRates', () => {
	it('computes each rate from its counts', () => {
		expect(handlingRates(counts)).toEqual({
			received: 200,
			screened: 180,
			accepted: 150,
			acceptanceRate: 150 / 180,
			dispatched: 120,
			measured: 92, // 80 replied + 12 returned
			signRate: 0.9,
			replyRate: 0.75,
			visited: 50,
			satisfactionRate: 0.8, // (30 满意 + 10 基本满意) / 50
			returnRate: 0.1,
			extensionRate: 0.05,
			reopenRate: 0.025
		});
	});

	it('counts open tickets past their limit against the on-time rates', () => {
		const r = handlingRates(counts, { sign: 10, reply: 20 });
		expect(r.signRate).toBeCloseTo(90 / 110, 12);
		expect(r.replyRate).toBe(0.6); // 60 / (80 + 20)
		// the rounds past the reply limit have a result to assess
		expect(r.measured).toBe(112);
		expect(r.signRate!).toBeLessThan(handlingRates(counts).signRate!);
		// the other rates are not touched
		expect(r.satisfactionRate).toBe(0.8);
		expect(r.returnRate).toBe(0.1);
	});

	it('has a rate when only late steps exist: 0, not null', () => {
		const r = handlingRates(zero, { sign: 3, reply: 0 });
		expect(r.signRate).toBe(0);
		expect(r.replyRate).toBeNull();
	});

	it('gives null rates on zero denominators', () => {
		expect(handlingRates(zero)).toEqual({
			received: 0,
			screened: 0,
			accepted: 0,
			acceptanceRate: null,
			dispatched: 0,
			measured: 0,
			signRate: null,
			replyRate: null,
			visited: 0,
			satisfactionRate: null,
			returnRate: null,
			extensionRate: null,
			reopenRate: null
		});
		// no return visits: only satisfaction is null
		const r = handlingRates({ ...counts, visited: 0, satisfied: 0, basic: 0 });
		expect(r.satisfactionRate).toBeNull();
		expect(r.replyRate).toBe(0.75);
	});
});

describe('assessmentScore', () => {
	const all = rates({
		signRate: 0.92,
		replyRate: 0.8,
		satisfactionRate: 0.8,
		returnRate: 0.1,
		extensionRate: 0.2,
		reopenRate: 0.05
	});

	it('has weights that sum to 100', () => {
		expect(ASSESSMENT_WEIGHTS.reduce((s, w) => s + w.weight, 0)).toBe(100);
	});

	it('weights every rate, lower-is-better ones as 1 − rate', () => {
		// 15·0.92 + 25·0.8 + 35·0.8 + 10·(1 − 0.1) + 5·(1 − 0.2) + 10·(1 − 0.05)
		// = 13.8 + 20 + 28 + 9 + 4 + 9.5 = 84.3
		expect(assessmentScore(all)).toBe(84.3);
		expect(
			assessmentScore(
				rates({
					signRate: 1,
					replyRate: 1,
					satisfactionRate: 1,
					returnRate: 0,
					extensionRate: 0,
					reopenRate: 0
				})
			)
		).toBe(100);
		expect(
			assessmentScore(
				rates({
					signRate: 0,
					replyRate: 0,
					satisfactionRate: 0,
					returnRate: 1,
					extensionRate: 1,
					reopenRate: 1
				})
			)
		).toBe(0);
	});

	it('scores lower with more returns, extensions or reopenings', () => {
		expect(assessmentScore({ ...all, returnRate: 0.3 })).toBe(82.3); // 10 · 0.2 less
		expect(assessmentScore({ ...all, extensionRate: 0.4 })).toBe(83.3); // 5 · 0.2 less
		expect(assessmentScore({ ...all, reopenRate: 0.25 })).toBe(82.3); // 10 · 0.2 less
		// and higher with better on-time rates
		expect(assessmentScore({ ...all, replyRate: 1 })).toBe(89.3); // 25 · 0.2 more
	});

	it('renormalises the weights when satisfaction is unknown', () => {
		// (84.3 − 28) / 65 · 100 = 86.615… → 86.6
		expect(assessmentScore({ ...all, satisfactionRate: null })).toBe(86.6);
		// only the reply rate known: it is the whole score
		expect(assessmentScore(rates({ replyRate: 0.73 }))).toBe(73);
	});

	it('is null below MIN_ASSESSED rounds with a result', () => {
		expect(MIN_ASSESSED).toBe(10);
		expect(assessmentScore({ ...all, measured: 9 })).toBeNull();
		expect(assessmentScore({ ...all, measured: 10 })).toBe(84.3);
		expect(assessmentScore(rates({ measured: 0 }))).toBeNull();
	});

	it('does not score a unit whose rounds have no result yet, however many were dispatched', () => {
		// ten tickets dispatched this morning: none signed, replied or late yet, so nothing can have gone wrong
		const fresh = handlingRates({ ...zero, n: 10, screened: 10, accepted: 10, dispatched: 10 });
		expect(fresh.returnRate).toBe(0);
		expect(fresh.measured).toBe(0);
		expect(assessmentScore(fresh)).toBeNull();
		// nine replied and one past its reply limit: ten with a result
		const done = handlingRates({ ...zero, n: 10, screened: 10, accepted: 10, dispatched: 10, reply_done: 9, reply_ok: 9 }, { sign: 0, reply: 1 });
		expect(done.measured).toBe(10);
		expect(assessmentScore(done)).toBe(95); // sign and satisfaction unknown: (25 · 0.9 + 10 + 5 + 10) / 50 · 100
	});

	it('scores a unit that returns every ticket, low: its returns have results, and it replied to none', () => {
		// 60 dispatched, 60 returned within the sign-for limit (a return counts as answering the sign-for in time)
		const r = handlingRates({ ...zero, n: 60, screened: 60, accepted: 60, dispatched: 60, sign_done: 60, sign_ok: 60, returned: 60 });
		expect(r.measured).toBe(60);
		expect(r.replyRate).toBeNull();
		// sign 1 (15), reply 0 (25), return 0 (10), extension and reopen 1 (5 + 10), no visits: 30 / 65
		expect(assessmentScore(r)).toBe(46.2);
	});

	it('scores the rates of handlingRates', () => {
		// sign 0.9, reply 0.75, satisfaction 0.8, return 0.1, extension 0.05, reopen 0.025:
		// 13.5 + 18.75 + 28 + 9 + 4.75 + 9.75 = 83.75, given to one decimal (83.7 or 83.8: a floating-point tie)
		const s = assessmentScore(handlingRates(counts))!;
		expect(Math.abs(s - 83.75)).toBeLessThanOrEqual(0.05 + 1e-9);
		expect(s * 10).toBeCloseTo(Math.round(s * 10), 9);
	});
});

describe('scoreLosses', () => {
	const all = rates({ signRate: 0.92, replyRate: 0.8, satisfactionRate: 0.8, returnRate: 0.1, extensionRate: 0.2, reopenRate: 0.05 });

	it('gives each rate its weight × what it fell short, summing to what the score lacks of 100', () => {
		const l = scoreLosses(all);
		// 15·0.08, 25·0.2, 35·0.2, 10·0.1, 5·0.2, 10·0.05
		expect(Object.fromEntries(l)).toEqual({ signRate: 1.2, replyRate: 5, satisfactionRate: 7, returnRate: 1, extensionRate: 1, reopenRate: 0.5 });
		expect([...l.values()].reduce((s, v) => s + v, 0)).toBeCloseTo(100 - assessmentScore(all)!, 5);
	});

	it('renormalises as the score does, counts no reply as all lost, and is empty for an unscored unit', () => {
		const l = scoreLosses({ ...all, satisfactionRate: null });
		expect(l.has('satisfactionRate')).toBe(false);
		expect([...l.values()].reduce((s, v) => s + v, 0)).toBeCloseTo(100 - assessmentScore({ ...all, satisfactionRate: null })!, 0);
		expect(scoreLosses({ ...all, replyRate: null }).get('replyRate')).toBe(25);
		expect(scoreLosses({ ...all, measured: MIN_ASSESSED - 1 }).size).toBe(0);
	});
});

describe('rankScores', () => {
	it('ranks highest first, ties sharing a rank and the next rank skipped', () => {
		expect(rankScores([80, 90, null, 80, 70])).toEqual([2, 1, null, 2, 4]);
		expect(rankScores([50, 50, 50])).toEqual([1, 1, 1]);
	});

	it('keeps nulls null and handles empty input', () => {
		expect(rankScores([null, null])).toEqual([null, null]);
		expect(rankScores([])).toEqual([]);
		expect(rankScores([0, null, 100])).toEqual([2, null, 1]);
	});
});
