// Rising and new terms, and sentiment by district and unit (话题 screen): document counts per term and day from term_daily, the last `days` days
// against the `baselineDays` before them, tested with pipelines/text/rising.ts (G² with Benjamini–Hochberg,
// overdispersion from the daily baseline). A new term is one never seen before the window that now repeats.
import type { DuckDBConnection } from '@duckdb/node-api';
import { risingTerms, type NewTerm, type RisingTerm } from '$pipelines/text/rising';
import { LABEL_THRESHOLD } from '$pipelines/text/sentiment';
import { queryRows } from '../analytics/duckdb';

export interface TermsView {
	from: string;
	to: string;
	baselineFrom: string;
	currentDocs: number;
	baselineDocs: number;
	tested: number;
	rising: RisingTerm[];
	newTerms: (NewTerm & { firstSeen: string })[];
}

export async function termsView(conn: DuckDBConnection, o: { to: string; days?: number; baselineDays?: number; limit?: number }): Promise<TermsView> {
	const days = o.days ?? 7;
	const baselineDays = o.baselineDays ?? 28;
	const params = { to: o.to, days, bdays: baselineDays };
	const [w] = await queryRows<{ from: string; bfrom: string }>(
		conn,
		`SELECT strftime($to::DATE - ($days - 1)::INTEGER, '%Y-%m-%d') AS "from", strftime($to::DATE - ($days + $bdays - 1)::INTEGER, '%Y-%m-%d') AS bfrom`,
		params
	);
	// documents per day (the rollup counts tickets; tickets without text still count, as they did for the terms)
	const totals = await queryRows<{ day: string; n: number }>(
		conn,
		`SELECT strftime(day, '%Y-%m-%d') AS day, sum(n)::INTEGER AS n FROM rollup_daily WHERE day BETWEEN $bfrom::DATE AND $to::DATE GROUP BY day`,
		{ bfrom: w.bfrom, to: o.to }
	);
	const baseDays: string[] = [];
	for (let t = Date.parse(`${w.bfrom}T00:00:00Z`); t < Date.parse(`${w.from}T00:00:00Z`); t += 86_400_000) baseDays.push(new Date(t).toISOString().slice(0, 10));
	const dayIndex = new Map(baseDays.map((d, i) => [d, i]));
	const totalOf = new Map(totals.map((t) => [t.day, t.n]));
	const currentDocs = totals.filter((t) => t.day >= w.from).reduce((a, t) => a + t.n, 0);
	const baselineDocs = totals.filter((t) => t.day < w.from).reduce((a, t) => a + t.n, 0);
	// no tickets in the weeks before (a period at the start of the data, or before it): nothing to compare with, and
	// every term would be new
	if (baselineDocs <= 0) return { from: w.from, to: o.to, baselineFrom: w.bfrom, currentDocs, baselineDocs, tested: 0, rising: [], newTerms: [] };
	const rows = await queryRows<{ term: string; current: number; baseline: number; daily: { day: string; docs: number }[] | null; first_seen: string }>(
		conn,
		`WITH cur AS (SELECT term, sum(docs)::INTEGER AS current FROM term_daily WHERE day BETWEEN $from::DATE AND $to::DATE GROUP BY term HAVING sum(docs) >= 3)
		 SELECT c.term, c.current, coalesce(sum(b.docs), 0)::INTEGER AS baseline,
		        list({'day': strftime(b.day, '%Y-%m-%d'), 'docs': b.docs}) FILTER (WHERE b.day IS NOT NULL) AS daily,
		        (SELECT strftime(min(day), '%Y-%m-%d') FROM term_daily f WHERE f.term = c.term) AS first_seen
		 FROM cur c LEFT JOIN term_daily b ON b.term = c.term AND b.day BETWEEN $bfrom::DATE AND $from::DATE - 1
		 GROUP BY c.term, c.current`,
		{ from: w.from, to: o.to, bfrom: w.bfrom }
	);
	const firstSeen = new Map(rows.map((r) => [r.term, r.first_seen]));
	const result = risingTerms({
		terms: rows.map((r) => {
			const daily = new Array(baseDays.length).fill(0);
			for (const d of r.daily ?? []) {
				const i = dayIndex.get(d.day);
				if (i !== undefined) daily[i] += d.docs;
			}
			return { term: r.term, current: r.current, baseline: r.baseline, baselineDaily: daily };
		}),
		currentTotal: Math.max(1, currentDocs),
		baselineTotal: Math.max(1, baselineDocs),
		baselineDailyTotals: baseDays.map((d) => totalOf.get(d) ?? 0)
	});
	const limit = o.limit ?? 20;
	return {
		from: w.from,
		to: o.to,
		baselineFrom: w.bfrom,
		currentDocs,
		baselineDocs,
		tested: result.tested,
		rising: result.rising.filter((r) => r.term.length >= 2).slice(0, limit),
		// never seen before the window (not merely absent from the baseline weeks)
		newTerms: result.newTerms
			.filter((t) => (firstSeen.get(t.term) ?? '') >= w.from && t.term.length >= 2)
			.slice(0, limit)
			.map((t) => ({ ...t, firstSeen: firstSeen.get(t.term)! }))
	};
}

export interface SentimentRow {
	code: string;
	name: string;
	n: number;
	mean: number;
	negativeShare: number;
}

/**
 * Sentiment of the tickets received in [from, to] per district and per undertaking unit (units with at least
 * `minTickets`, the most negative first), from the per-ticket scores.
 */
export async function sentimentBreakdown(
	conn: DuckDBConnection,
	ref: { districtByCode: Map<string, { name: string }>; unitByCode: Map<string, { name: string }> },
	o: { from: string; to: string; minTickets?: number; limit?: number }
): Promise<{ districts: SentimentRow[]; units: SentimentRow[] }> {
	const q = (col: string, having: string) =>
		queryRows<{ code: string; n: number; mean: number; neg: number }>(
			conn,
			`SELECT ${col} AS code, count(*)::INTEGER AS n, avg(sentiment) AS mean,
			        avg(CASE WHEN sentiment <= -${LABEL_THRESHOLD} THEN 1.0 ELSE 0.0 END) AS neg
			 FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE AND sentiment IS NOT NULL AND ${col} IS NOT NULL
			 GROUP BY 1 ${having} ORDER BY neg DESC, n DESC`,
			{ from: o.from, to: o.to }
		);
	const districts = (await q('district_code', '')).map((r) => ({ code: r.code, name: ref.districtByCode.get(r.code)?.name ?? r.code, n: r.n, mean: r.mean, negativeShare: r.neg }));
	const units = (await q('unit_code', `HAVING count(*) >= ${Math.max(1, o.minTickets ?? 20)}`))
		.slice(0, o.limit ?? 10)
		.map((r) => ({ code: r.code, name: ref.unitByCode.get(r.code)?.name ?? r.code, n: r.n, mean: r.mean, negativeShare: r.neg }));
	return { districts, units };
}
