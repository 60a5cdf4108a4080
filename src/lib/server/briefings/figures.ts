// The figures of a briefing, generated from the reads the situation screens use: 态势总览 (overviewData), 态势地图's
// hotspots by significance (mapData), 考核 (unitPanel), the 话题 screen's rising and new terms (termsView), the alert
// store, and representative tickets (the most central ticket of each of the period's largest topics) with personal
// data masked. Kept with the briefing as a snapshot (BriefingFigures), so a saved briefing does not change.
import { addDays, dayNumber, shanghaiDay } from '$pipelines/calendar/index';
import { CHANNEL_LABELS, type Channel } from '$pipelines/lifecycle/model';
import { latestRun } from '$pipelines/text/topics';
import { maskPersonal } from '$pipelines/text/redact';
import { CATEGORY_LEVEL_TITLES, type DashboardFilter, type RankedChange, type UnitScore } from '$lib/types';
import type { BriefingFigures, RankRow, UnitRow } from '$lib/briefings';
import { MIN_ASSESSED } from '$lib/units';
import type { App } from '../app';
import { mapData, overviewData, unitPanel } from '../analytics/dashboard';
import { queryRows } from '../analytics/duckdb';
import { periodDays } from '../analytics/filters';
import { dashboardContext } from '../analytics/service';
import { summarize } from '../alerts/read';
import { listAlerts } from '../alerts/store';
import { termsView } from '../text/terms';

/** What a briefing covers: a period of Shanghai days and the dashboards' district and category filters. */
export interface BriefingScope {
	from: string;
	to: string;
	district: string | null;
	/** a level-1 or level-2 category */
	category: string | null;
}

const RANK_ROWS = 8;
const TOPIC_ROWS = 8;
const TERM_ROWS = 10;
const ALERT_ROWS = 10;
const UNIT_ROWS = 5;
const TICKET_ROWS = 5;
const EXCERPT_CHARS = 150;

/** The dashboards' filter for a scope (what overviewData, mapData and unitPanel read). */
export function scopeFilter(app: App, s: BriefingScope): DashboardFilter {
	const level = s.category ? app.ref.categoryByCode.get(s.category)?.level : null;
	return {
		period: 'custom',
		periodLabel: `${s.from} 至 ${s.to}`,
		from: s.from,
		to: s.to,
		district: s.district,
		category: s.category,
		categoryLevel: level === 1 || level === 2 ? level : null,
		channel: null,
		type: null
	};
}

/** 全市, or the district and category of the scope, as the documents name it. */
export function scopeLabel(app: App, s: Pick<BriefingScope, 'district' | 'category'>): string {
	const parts = [
		s.district ? (app.ref.districtByCode.get(s.district)?.name ?? s.district) : app.ref.cityName,
		s.category ? (app.ref.categoryByCode.get(s.category)?.name ?? s.category) : null
	];
	return parts.filter(Boolean).join(' · ');
}

const rank = (rows: RankedChange[]): RankRow[] => rows.slice(0, RANK_ROWS).map((r) => ({ name: r.name, count: r.count, share: r.share, change: r.change }));

function unitRow(u: UnitScore): UnitRow {
	return {
		rank: u.rank,
		name: u.name,
		rounds: u.dispatched,
		score: u.score,
		signRate: u.rates.signRate,
		replyRate: u.rates.replyRate,
		satisfactionRate: u.rates.satisfactionRate
	};
}

/** The Shanghai day and minute of an instant. */
function shanghaiMinute(ms: number): string {
	return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export async function generateFigures(app: App, scope: BriefingScope, now = Date.now()): Promise<BriefingFigures> {
	const ctx = { ...(await dashboardContext(app, now)), now };
	const filter = scopeFilter(app, scope);
	const days = periodDays(filter);
	const conn = app.analytics.conn;
	// the rising terms over the period (at most 31 days: the test compares days with the weeks before them)
	const termDays = Math.min(days, 31);
	const [overview, map, units, terms, alertRows] = await Promise.all([
		overviewData(ctx, filter),
		mapData(ctx, filter),
		unitPanel(ctx, filter),
		termsView(conn, { to: scope.to, days: termDays, baselineDays: Math.max(28, termDays * 2), limit: TERM_ROWS }),
		listAlerts(app.rel.db, {
			status: 'all',
			district: scope.district,
			category: scope.category,
			firingFrom: new Date(`${scope.from}T00:00:00+08:00`),
			startedBefore: new Date(`${addDays(scope.to, 1)}T00:00:00+08:00`),
			limit: 1000
		})
	]);

	// 较上期: the period before of the same length, its count scaled to this one's progress (as the overview does)
	const cmp = overview.comparison;
	const prevCount = overview.channels.reduce((s, c) => s + c.previous, 0);
	const prevBase = prevCount * cmp.scale;
	const received = overview.rates.received;
	// the days of the period the store holds: a period reaching before its first day is averaged over the days after it
	const dataFrom = cmp.dataFrom;
	const dataDays = dataFrom === null || dataFrom > scope.to ? 0 : dataFrom > scope.from ? dayNumber(scope.to) - dayNumber(dataFrom) + 1 : days;
	// the seasonal normal of the period's whole days (the trend holds each day's baseline; today is not whole yet)
	const inPeriod = overview.trend.filter((p) => p.day >= scope.from && p.day <= scope.to && p.expected !== null);
	const normalObserved = inPeriod.reduce((s, p) => s + p.count, 0);
	const normalExpected = inPeriod.length ? inPeriod.reduce((s, p) => s + (p.expected ?? 0), 0) : null;

	const places = map.streets ?? map.districts;
	const hot = places.filter((p) => p.hotspot).sort((a, b) => (b.z ?? 0) - (a.z ?? 0) || b.count - a.count);

	// an alert dismissed (已排除为误报) was no incident: counted apart, not listed
	const dismissed = alertRows.filter((r) => r.status === 'dismissed').length;
	const alerts = await summarize(app, alertRows.filter((r) => r.status !== 'dismissed'));
	alerts.sort((a, b) => a.severity - b.severity || b.ticketCount - a.ticketCount || a.id - b.id);

	const ranked = units.units.filter((u) => u.rank !== null);
	const bottom = ranked.length > UNIT_ROWS ? ranked.slice(Math.max(UNIT_ROWS, ranked.length - UNIT_ROWS)).reverse() : [];

	return {
		generatedAt: new Date(now).toISOString(),
		asOf: shanghaiDay(now),
		from: scope.from,
		to: scope.to,
		days,
		scope: scopeLabel(app, scope),
		overview: {
			received,
			dailyMean: dataDays ? received / dataDays : 0,
			dataFrom,
			dataDays,
			previous: {
				from: cmp.from,
				to: cmp.to,
				count: cmp.covered ? prevCount : null,
				change: cmp.covered && prevBase > 0 ? (received - prevBase) / prevBase : null
			},
			normal: {
				days: inPeriod.length,
				observed: normalObserved,
				expected: normalExpected,
				change: normalExpected ? (normalObserved - normalExpected) / normalExpected : null
			},
			acceptanceRate: overview.rates.acceptanceRate,
			signRate: overview.rates.signRate,
			replyRate: overview.rates.replyRate,
			satisfactionRate: overview.rates.satisfactionRate,
			open: overview.open.open,
			overdue: overview.open.overdue,
			categoryTitle: CATEGORY_LEVEL_TITLES[overview.categoryLevel],
			categories: rank(overview.categories),
			placeTitle: overview.placeLevel === 'street' ? '街道（镇）' : '区县',
			places: rank(overview.places),
			channels: rank(overview.channels).map((c) => ({ ...c, name: CHANNEL_LABELS[c.name as Channel] ?? c.name }))
		},
		topics: {
			asOf: overview.topicsAsOf,
			window: overview.topicsWindow,
			rows: overview.topics.slice(0, TOPIC_ROWS).map((t) => ({ label: t.label, size: t.size, growth: t.growth, isNew: t.isNew }))
		},
		rising: {
			from: terms.from,
			to: terms.to,
			baselineFrom: terms.baselineFrom,
			cityWide: !!(scope.district || scope.category),
			compared: terms.baselineDocs > 0,
			rows: terms.rising.map((r) => ({ term: r.term, current: r.current, baseline: r.baseline, ratio: r.ratio })),
			newTerms: terms.newTerms.map((t) => ({ term: t.term, current: t.current, firstSeen: t.firstSeen }))
		},
		hotspots: {
			level: map.streets ? 'street' : 'district',
			method: map.method,
			places: places.length,
			tested: places.filter((p) => p.q !== null).length,
			rows: hot.map((p) => ({ name: p.name, count: p.count, expected: p.expected, change: p.change, q: p.q }))
		},
		alerts: {
			total: alerts.length,
			dismissed,
			rows: alerts.slice(0, ALERT_ROWS).map((a) => ({
				id: a.id,
				title: a.title,
				severity: a.severityLabel,
				status: a.statusLabel,
				place: a.placeName,
				startedAt: shanghaiMinute(Date.parse(a.startedAt)),
				tickets: a.ticketCount
			}))
		},
		units: {
			scored: ranked.length,
			total: units.units.length,
			minRounds: MIN_ASSESSED,
			top: ranked.slice(0, UNIT_ROWS).map(unitRow),
			bottom: bottom.map(unitRow)
		},
		tickets: { rows: await representativeTickets(app, filter, overview.topics.map((t) => ({ id: t.id, label: t.label }))) }
	};
}

type TicketRow = BriefingFigures['tickets']['rows'][number];


/**
 * Representative tickets: of each of the period's largest topics (within the scope), its most central ticket of the
 * period; without topics, the newest ticket of each of the largest categories. No report (举报) and no ticket refused
 * as secret or private (rule 6). Texts masked (maskPersonal: phone,
 * ID and other numbers, e-mail, a name the caller gives, vehicle plates; the caller's own name is masked as it enters
 * the analytics store).
 */
export async function representativeTickets(app: App, filter: DashboardFilter, topics: { id: number; label: string }[]): Promise<TicketRow[]> {
	const conn = app.analytics.conn;
	const params: Record<string, string | number> = { from: filter.from, to: filter.to };
	// never a report (举报: its reporter is protected) or a ticket refused as secret or private (rule 6), as Open311
	// keeps their text back: a briefing is printed and handed on
	const where: string[] = ['f.day BETWEEN $from::DATE AND $to::DATE', `length(trim(f.content)) >= 10`, `f.type <> '举报'`, 'coalesce(f.not_accepted_reason, 0) <> 6'];
	if (filter.district) {
		where.push('f.district_code = $district');
		params.district = filter.district;
	}
	if (filter.category) {
		where.push(`${filter.categoryLevel === 1 ? 'f.category_l1' : 'f.category_l2'} = $category`);
		params.category = filter.category;
	}
	const cols = `f.ticket_no, strftime(f.received_at, '%Y-%m-%d %H:%M') AS received, f.district_code, f.street_code, f.category_code, f.title, f.content`;
	type Row = { ticket_no: string; received: string; district_code: string | null; street_code: string | null; category_code: string | null; title: string | null; content: string; topic_id?: number };
	let rows: Row[] = [];
	const run = topics.length ? await latestRun(conn) : null;
	if (run) {
		const ids = topics.slice(0, TICKET_ROWS);
		ids.forEach((t, i) => (params[`t${i}`] = t.id));
		rows = await queryRows<Row>(
			conn,
			`SELECT * EXCLUDE (rn) FROM (
			   SELECT ${cols}, tt.topic_id, row_number() OVER (PARTITION BY tt.topic_id ORDER BY tt.score DESC, f.ticket_no) AS rn
			   FROM ticket_topics tt JOIN tickets_fact f ON f.ticket_no = tt.ticket_no
			   WHERE tt.run_id = $run AND tt.how <> 'baseline' AND tt.topic_id IN (${ids.map((_, i) => `$t${i}`).join(', ')}) AND ${where.join(' AND ')}
			 ) WHERE rn = 1`,
			{ ...params, run: run.runId }
		);
		const order = new Map(ids.map((t, i) => [t.id, i]));
		rows.sort((a, b) => (order.get(Number(a.topic_id)) ?? 0) - (order.get(Number(b.topic_id)) ?? 0));
	}
	if (!rows.length) {
		// the newest ticket of each of the largest categories of the period
		rows = await queryRows<Row>(
			conn,
			`SELECT * EXCLUDE (rn, c) FROM (
			   SELECT ${cols}, count(*) OVER (PARTITION BY f.category_l2) AS c,
			          row_number() OVER (PARTITION BY f.category_l2 ORDER BY f.received_at DESC, f.ticket_no DESC) AS rn
			   FROM tickets_fact f WHERE ${where.join(' AND ')} AND f.category_l2 IS NOT NULL
			 ) WHERE rn = 1 ORDER BY c DESC, ticket_no LIMIT ${TICKET_ROWS}`,
			params
		);
	}
	const label = new Map(topics.map((t) => [t.id, t.label]));
	const ref = app.ref;
	return rows.map((r) => {
		const content = maskPersonal(r.content ?? '').replace(/\s+/g, ' ').trim();
		const chars = [...content];
		return {
			ticketNo: r.ticket_no,
			receivedAt: r.received,
			place: [r.district_code && ref.districtByCode.get(r.district_code)?.name, r.street_code && ref.streetByCode.get(r.street_code)?.name].filter(Boolean).join(' ') || '未知',
			category: r.category_code ? (ref.categoryByCode.get(r.category_code)?.path ?? r.category_code) : '未分类',
			title: maskPersonal(r.title ?? '').trim(),
			excerpt: chars.length > EXCERPT_CHARS ? `${chars.slice(0, EXCERPT_CHARS).join('')}…` : content,
			topic: r.topic_id !== undefined && r.topic_id !== null ? (label.get(Number(r.topic_id)) ?? null) : null
		};
	});
}
