// 考核明细: one unit's assessment for a period, and the handling rounds behind each rate it lost points on, so that a
// unit can see (and a supervisor can show it) which tickets were late, returned, extended, reopened or visited
// 不满意. The rounds are those the unit panel counts (UNIT_ROUNDS, and the open tickets past a limit now), read
// with the same filter, so each list's total is the count its rate was computed from.
import { ALL_MEASURES, OPEN_TICKETS, UNIT_ROUNDS } from '$pipelines/warehouse/rollups';
import type { AssessmentCase, AssessmentCaseKey, AssessmentItem, DashboardFilter, HandlingRates, UnitAssessment, UnitScore } from '../../types';
import { ASSESSMENT_WEIGHTS, handlingRates, isoOf, leadCounts, rankScores, scoreLosses, type HandlingCounts } from '../assessment';
import { aggregate, countsOf, type DashboardContext, openCounts, REPLY_LATE, SIGN_LATE, unitPanel } from './dashboard';
import { filterWhere } from './filters';

/** The newest rounds the page lists for each kind of result; the total is always given. */
export const ASSESSMENT_ITEMS = 100;
/** The rounds its workbook lists for each kind (a year of a busy unit is a few hundred). */
export const ASSESSMENT_EXPORT_ITEMS = 20_000;

interface CaseSpec {
	key: AssessmentCaseKey;
	label: string;
	description: string;
	rate: keyof HandlingRates;
	/** the rounds (UNIT_ROUNDS) with this result */
	done: string;
	/** the open tickets (OPEN_TICKETS) that count against the same rate now, past the limit with the step undone */
	pending?: string;
	/** the rate's denominator, from the counts */
	of(c: HandlingCounts, late: { sign: number; reply: number }): number;
	/** the limit and the time the step was done, as columns of either table */
	deadline?: string;
	doneAt?: string;
}

const CASES: CaseSpec[] = [
	{
		key: 'sign', label: '签收超时', rate: 'signRate',
		description: '派单后超过签收时限才签收或退单的，以及至今已过时限仍未签收的（未办结的工单，按现在计）',
		done: 'signed_at > sign_deadline', pending: SIGN_LATE, deadline: 'sign_deadline', doneAt: 'signed_at',
		of: (c, late) => c.sign_done + late.sign
	},
	{
		key: 'reply', label: '办结超时', rate: 'replyRate',
		description: '超过办结时限（含获准延期）才答复的，以及至今已过时限仍未答复的（未办结的工单，按现在计）',
		done: 'replied_at > reply_deadline', pending: REPLY_LATE, deadline: 'reply_deadline', doneAt: 'replied_at',
		of: (c, late) => c.reply_done + late.reply
	},
	{ key: 'unsatisfied', label: '回访不满意', description: '本单位的答复回访结果为不满意的', rate: 'satisfactionRate', done: `satisfaction = '不满意'`, of: (c) => c.visited },
	{ key: 'returned', label: '退单', description: '本单位退回、未予办理的派单', rate: 'returnRate', done: 'returns > 0', of: (c) => c.dispatched },
	{ key: 'extended', label: '延期', description: '本单位申请并获准延期的派单', rate: 'extensionRate', done: 'extensions > 0', of: (c) => c.dispatched },
	{ key: 'reopened', label: '重办', description: '本单位答复后因回访不满意等被重新交办的派单', rate: 'reopenRate', done: 'reopens > 0', of: (c) => c.dispatched }
];

/**
 * The rounds of `code` received in the period that count against a rate, per kind: the newest `limit` (open ones
 * past a limit first) and how many there are.
 */
async function caseRounds(ctx: DashboardContext, filter: DashboardFilter, code: string, limit: number): Promise<Map<AssessmentCaseKey, { total: number; items: AssessmentItem[] }>> {
	const fw = filterWhere(filter);
	const where = `unit_code = $code AND day BETWEEN $from::DATE AND $to::DATE${fw.sql}`;
	const times = (c: CaseSpec) =>
		c.deadline ? `epoch_ms(${c.deadline}) AS deadline, epoch_ms(${c.doneAt}) AS done_at` : 'NULL::BIGINT AS deadline, NULL::BIGINT AS done_at';
	const parts = CASES.flatMap((c) => [
		`SELECT '${c.key}' AS k, false AS pending, ticket_no, day, epoch_ms(dispatched_at) AS dispatched, ${times(c)}
		 FROM ${UNIT_ROUNDS.table} WHERE NOT assist AND ${where} AND ${c.done}`,
		...(c.pending
			? [
					`SELECT '${c.key}', true, ticket_no, day, NULL::BIGINT, ${times(c)}
					 FROM ${OPEN_TICKETS.table} WHERE ${where} AND ${c.pending}`
				]
			: [])
	]);
	const rows = await ctx.db.all(
		`SELECT c.k, c.pending, c.ticket_no, f.title, CAST(c.day AS VARCHAR) AS day, c.dispatched, c.deadline, c.done_at,
		        count(*) OVER (PARTITION BY c.k)::INTEGER AS total
		 FROM (${parts.join(' UNION ALL ')}) c LEFT JOIN tickets_fact f ON f.ticket_no = c.ticket_no
		 QUALIFY row_number() OVER (PARTITION BY c.k ORDER BY c.pending DESC, c.day DESC, c.ticket_no DESC) <= ${Math.floor(limit)}
		 ORDER BY c.k, c.pending DESC, c.day DESC, c.ticket_no DESC`,
		{ code, from: filter.from, to: filter.to, now: ctx.now / 1000, ...fw.params }
	);
	const out = new Map<AssessmentCaseKey, { total: number; items: AssessmentItem[] }>();
	for (const r of rows) {
		const k = String(r.k) as AssessmentCaseKey;
		const entry = out.get(k) ?? { total: Number(r.total), items: [] };
		entry.items.push({
			ticketNo: String(r.ticket_no),
			title: r.title === null || r.title === undefined ? null : String(r.title),
			day: String(r.day),
			dispatchedAt: isoOf(r.dispatched),
			deadline: isoOf(r.deadline),
			doneAt: isoOf(r.done_at),
			pending: r.pending === true
		});
		out.set(k, entry);
	}
	return out;
}

/**
 * All units' rates together, as lead: the rounds of every unit, and the open tickets past a limit of every unit
 * (`open`: openCounts by unit), as the panel counts them.
 */
async function allUnitsRates(ctx: DashboardContext, filter: DashboardFilter, open: Awaited<ReturnType<typeof openCounts>>): Promise<HandlingRates> {
	const rows = await aggregate(ctx, { filter, from: filter.from, to: filter.to, rounds: true, measures: ALL_MEASURES });
	const late = { sign: 0, reply: 0 };
	for (const [unit, o] of open) {
		if (unit === 'null') continue; // not dispatched: no unit is late with it
		late.sign += o.lateSign;
		late.reply += o.lateReply;
	}
	return handlingRates(leadCounts(countsOf(rows[0])), late);
}

/**
 * A unit's assessment for the filter's period: its row of the unit panel (score, rank, trend), how many units are
 * ranked, and for each rate the rounds that counted against it (the newest `items` of each kind). Null when the
 * reference knows no such unit and it had no rounds either.
 */
export async function unitAssessment(ctx: DashboardContext, filter: DashboardFilter, code: string, items = ASSESSMENT_ITEMS): Promise<UnitAssessment | null> {
	const open = await openCounts(ctx, filter, 'unit_code');
	const [panel, all, rounds, mine] = await Promise.all([
		unitPanel(ctx, filter),
		allUnitsRates(ctx, filter, open),
		caseRounds(ctx, filter, code, items),
		aggregate(ctx, { filter, from: filter.from, to: filter.to, rounds: true, measures: ALL_MEASURES, where: { sql: ' AND unit_code = $unit', params: { unit: code } } })
	]);
	const known = ctx.ref.unitByCode.get(code);
	let unit: UnitScore | undefined = panel.units.find((u) => u.code === code);
	if (!unit) {
		if (!known) return null;
		// no rounds in the period: the unit is there, with nothing to assess
		unit = { code, name: known.name, kind: known.kind, dispatched: 0, assisted: 0, rates: handlingRates(leadCounts(countsOf(undefined))), score: null, rank: null, trend: panel.months.map(() => null) };
	}
	const counts = leadCounts(countsOf(mine[0]));
	const o = open.get(code);
	const late = { sign: o?.lateSign ?? 0, reply: o?.lateReply ?? 0 };
	const losses = scoreLosses(unit.rates);
	const cases: AssessmentCase[] = CASES.map((c) => {
		const r = rounds.get(c.key);
		const w = ASSESSMENT_WEIGHTS.find((x) => x.key === c.rate)!;
		const value = unit.rates[c.rate] as number | null;
		const of = all[c.rate] as number | null;
		return {
			key: c.key,
			label: c.label,
			description: c.description,
			rate: c.rate,
			rateLabel: w.label,
			count: r?.total ?? 0,
			of: c.of(counts, late),
			value,
			all: of,
			worse: value !== null && of !== null && (w.lowerIsBetter ? value > of : value < of),
			lost: losses.get(c.rate) ?? null,
			items: r?.items ?? []
		};
	});
	// like with like: its rank among the units of its kind, as 考核 ranks them by 单位类别
	const kin = panel.units.filter((x) => x.kind === unit.kind && x.code !== code).concat(unit);
	const kindRanks = rankScores(kin.map((x) => x.score));
	return {
		filter,
		unit,
		ranked: panel.units.filter((u) => u.rank !== null).length,
		kindRank: kindRanks[kindRanks.length - 1],
		kindRanked: kindRanks.filter((r) => r !== null).length,
		readAt: new Date(ctx.now).toISOString(),
		months: panel.months,
		cases
	};
}
