// 态势总览: volume today / 7 days / 30 days against the equal period before, daily trend, top categories
// and districts. Reads DuckDB only.
import type { DuckDBConnection } from '@duckdb/node-api';
import { addDays, shanghaiDay, shanghaiMidnight } from '$pipelines/calendar/index';
import type { Reference } from '$pipelines/reference/index';
import type { DailyPoint, OverviewData, PeriodCompare, RankedItem } from '../../types';
import { queryRows } from './duckdb';

const DAY = 86_400_000;


/**
 * Each period runs from the start of its first day to `now`; the period before has the same length and
 * ends exactly `days` days before now, so a half-finished today is compared with yesterday up to the same
 * time, not with a whole day.
 */
export function periodRanges(now: number, days: number) {
	const today = shanghaiDay(now);
	const start = shanghaiMidnight(addDays(today, -(days - 1)));
	return {
		current: { from: start, to: now },
		previous: { from: start - days * DAY, to: now - days * DAY },
		firstDay: shanghaiDay(start),
		lastDay: today
	};
}

export function change(current: number, previous: number): number | null {
	return previous > 0 ? (current - previous) / previous : null;
}

async function countBetween(conn: DuckDBConnection, from: number, to: number): Promise<number> {
	// received_at is in insertion order, so DuckDB's min/max zone maps skip all but the period's row groups
	const [r] = await queryRows<{ n: number }>(
		conn,
		`SELECT count(*)::BIGINT::DOUBLE AS n FROM tickets_fact
		 WHERE received_at >= make_timestamptz($from::BIGINT * 1000) AND received_at <= make_timestamptz($to::BIGINT * 1000)`,
		{ from, to }
	);
	return r.n;
}

export async function overview(conn: DuckDBConnection, ref: Reference, now = Date.now()): Promise<OverviewData> {
	const asOf = shanghaiDay(now);
	const periods: PeriodCompare[] = [];
	for (const [label, days] of [['今日', 1], ['近7天', 7], ['近30天', 30]] as const) {
		const r = periodRanges(now, days);
		const current = await countBetween(conn, r.current.from, r.current.to);
		const previous = await countBetween(conn, r.previous.from, r.previous.to);
		periods.push({
			label,
			current,
			previous,
			change: change(current, previous),
			range: days === 1 ? r.lastDay : `${r.firstDay} – ${r.lastDay}`
		});
	}

	// the trend shows whole days only: a half-finished today would look like a collapse
	const trendTo = addDays(asOf, -1);
	const trendFrom = addDays(trendTo, -89);
	const trendRows = await queryRows<{ day: string; n: number }>(
		conn,
		`SELECT strftime(day, '%Y-%m-%d') AS day, sum(n)::DOUBLE AS n FROM rollup_daily
		 WHERE day BETWEEN $from::DATE AND $to::DATE GROUP BY day`,
		{ from: trendFrom, to: trendTo }
	);
	const byDay = new Map(trendRows.map((r) => [r.day, r.n]));
	const trend: DailyPoint[] = [];
	for (let d = trendFrom; d <= trendTo; d = addDays(d, 1)) trend.push({ day: d, count: byDay.get(d) ?? 0 });

	const from30 = addDays(asOf, -29);
	const ranked = async (column: 'category_l1' | 'district_code', name: (code: string) => string | undefined): Promise<RankedItem[]> => {
		const rows = await queryRows<{ code: string | null; n: number }>(
			conn,
			`SELECT ${column} AS code, sum(n)::DOUBLE AS n FROM rollup_daily
			 WHERE day BETWEEN $from::DATE AND $to::DATE GROUP BY ALL ORDER BY n DESC, code`,
			{ from: from30, to: asOf }
		);
		const total = rows.reduce((s, r) => s + r.n, 0);
		return rows
			.filter((r) => r.code !== null)
			.slice(0, 10)
			.map((r) => ({ code: r.code!, name: name(r.code!) ?? `未知（${r.code}）`, count: r.n, share: total ? r.n / total : 0 }));
	};
	const topCategories = await ranked('category_l1', (c) => ref.categoryByCode.get(c)?.name);
	const topDistricts = await ranked('district_code', (c) => ref.districtByCode.get(c)?.name);
	const [{ n: totalTickets }] = await queryRows<{ n: number }>(conn, 'SELECT coalesce(sum(n), 0)::DOUBLE AS n FROM rollup_daily');

	return { asOf, now: new Date(now).toISOString(), periods, trend, topCategories, topDistricts, totalTickets };
}
