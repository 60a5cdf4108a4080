// What the 预警 screens and the alerts API show: the queue, an alert's detail (series against the expected
// band, linked tickets with personal data masked, same-incident groups, audit trail, deliveries, actions), and
// the open alerts as map markers.
import { groupIncidents } from '$pipelines/text/near-dup';
import { maskPersonal } from '$pipelines/text/redact';
import { cutChars } from '$pipelines/normalize/index';
import { placeName, type Reference } from '$pipelines/reference/index';
import { STATUS_LABELS as TICKET_STATUS_LABELS, type Status } from '$pipelines/lifecycle/model';
import type { App } from '../app';
import { queryRows } from '../analytics/duckdb';
import { parsePlaceCategory } from '../analytics/filters';
import { inList } from '../analytics/sql';
import { shanghaiDay } from '$pipelines/calendar/index';
import type { AlertRow } from '../db/schema';
import { districtLabels } from '../geo';
import { listWatchlists, recentDeliveries } from './settings';
import {
	ACTION_LABELS,
	alertsOfTicket,
	alertTicketList,
	alertTrail,
	allowedActions,
	getAlert,
	listAlerts,
	openCounts,
	SEVERITY_LABELS,
	SIGNAL_LABELS,
	STATUS_LABELS,
	type AlertPlace,
	type AlertQuery,
	type AlertSeriesInfo,
	type AlertSignal,
	type AlertStatus
} from './store';
import type { MapAlertMarker } from '$lib/ui/map-scale';
import type { DeliveryView } from '$lib/alerts';

export interface AlertSummary {
	id: number;
	title: string;
	status: AlertStatus;
	statusLabel: string;
	signal: AlertSignal;
	signalLabel: string;
	severity: number;
	severityLabel: string;
	placeLevel: string;
	placeCode: string;
	placeName: string;
	districtCode: string | null;
	categoryCode: string | null;
	categoryName: string | null;
	watchlist: string | null;
	watchlistName: string | null;
	unitName: string | null;
	bucket: string;
	startedAt: string;
	lastFiringAt: string;
	observed: number;
	expected: number;
	upper: number;
	score: number;
	ticketCount: number;
	silenced: boolean;
	version: number;
}

export async function summarize(app: App, rows: AlertRow[]): Promise<AlertSummary[]> {
	const lists = new Map((await listWatchlists(app.rel.db)).map((w) => [w.slug, w.name]));
	return rows.map((a) => ({
		id: a.id,
		title: a.title,
		status: a.status as AlertStatus,
		statusLabel: STATUS_LABELS[a.status as AlertStatus] ?? a.status,
		signal: a.signal as AlertSignal,
		signalLabel: SIGNAL_LABELS[a.signal as AlertSignal] ?? a.signal,
		severity: a.severity,
		severityLabel: SEVERITY_LABELS[a.severity] ?? String(a.severity),
		placeLevel: a.placeLevel,
		placeCode: a.placeCode,
		placeName: placeName(app.ref, a.placeLevel, a.placeCode),
		districtCode: a.districtCode,
		categoryCode: a.categoryCode,
		categoryName: a.categoryCode ? (app.ref.categoryByCode.get(a.categoryCode)?.path ?? a.categoryCode) : null,
		watchlist: a.watchlistSlug,
		watchlistName: a.watchlistSlug ? (lists.get(a.watchlistSlug) ?? a.watchlistSlug) : null,
		unitName: a.unitCode ? (app.ref.unitByCode.get(a.unitCode)?.name ?? a.unitCode) : null,
		bucket: a.bucket,
		startedAt: a.startedAt.toISOString(),
		lastFiringAt: a.lastFiringAt.toISOString(),
		observed: a.observed,
		expected: a.expected,
		upper: a.upper,
		score: a.score,
		ticketCount: a.ticketCount,
		silenced: a.silencedBy !== null,
		version: a.version
	}));
}

/** The alerts a ticket is linked to, the latest first (工单档案's 关联预警). */
export async function ticketAlerts(app: App, ticketNo: string): Promise<AlertSummary[]> {
	return summarize(app, await alertsOfTicket(app.rel.db, ticketNo));
}

const QUEUE_STATUSES = ['open', 'closed', 'all', 'new', 'acknowledged', 'escalated', 'resolved', 'dismissed'] as const;

/** The district and category a screen shows alerts of (codes as in the URL), or none. */
export type AlertPlaceCategory = { district: string | null; category: string | null };

/** 全市, a district, a category or both, as a screen names what its alerts are of. */
function alertScopeLabel(ref: Reference, f: AlertPlaceCategory): string {
	const district = f.district ? (ref.districtByCode.get(f.district)?.name ?? f.district) : null;
	const category = f.category ? (ref.categoryByCode.get(f.category)?.name ?? f.category) : null;
	return [district ?? '全市', category].filter(Boolean).join(' · ');
}

/**
 * The overview's 预警 panel: the open, unsilenced alerts of the filter's district and category, counted by severity,
 * and the most urgent five (alerts have no channel or type, and are those open now whatever the period); the place
 * and category shown, and the queue's URL parameters for them.
 */
export async function alertPanel(app: App, f: AlertPlaceCategory) {
	const [counts, top] = await Promise.all([openCounts(app.rel.db, f), alertQueue(app, { status: 'open', limit: 5, unsilenced: true, district: f.district, category: f.category })]);
	const query = new URLSearchParams();
	if (f.district) query.set('district', f.district);
	if (f.category) query.set('category', f.category);
	return { counts, top, label: alertScopeLabel(app.ref, f), query: query.toString() };
}

/** The queue's query as the URL gives it, every field set (the screen shows each), and what was refused. */
export type QueueQuery = Required<Pick<AlertQuery, 'status' | 'severity' | 'district' | 'category' | 'unsilenced'>>;

/**
 * Parses the queue's URL filters: an unknown value gets a Chinese problem and falls back to the default (the page
 * says so); `refusals` say the same for the JSON API's 400, naming the parameter, without what the page shows instead.
 */
export function parseQueueQuery(url: URL, ref: Reference): { query: QueueQuery; problems: string[]; refusals: string[] } {
	const problems: string[] = [];
	const refusals: string[] = [];
	const st = url.searchParams.get('status') ?? 'open';
	const status = (QUEUE_STATUSES as readonly string[]).includes(st) ? (st as QueueQuery['status']) : 'open';
	if (status !== st) {
		problems.push(`状态“${st}”不存在，已显示处理中的预警`);
		refusals.push(`状态“${st}”不存在（参数 status），可选：${QUEUE_STATUSES.join('、')}`);
	}
	const sv = url.searchParams.get('severity');
	let severity: number | null = null;
	if (sv) {
		if (['1', '2', '3', '4'].includes(sv)) severity = Number(sv);
		else {
			problems.push(`级别“${sv}”不存在（应为 1–4），已显示全部级别`);
			refusals.push(`级别“${sv}”不存在（参数 severity），应为 1–4`);
		}
	}
	const { district, category, problems: scopeProblems, refusals: scopeRefusals } = parsePlaceCategory(url.searchParams, ref, '预警');
	problems.push(...scopeProblems);
	refusals.push(...scopeRefusals);
	// silenced=hide: without the silenced alerts, as the overview counts them
	const sil = url.searchParams.get('silenced');
	if (sil && sil !== 'hide') {
		problems.push(`参数 silenced 只能是 hide（不含静默的预警），收到“${sil}”`);
		refusals.push(`参数 silenced 只能是 hide（不含静默的预警），收到“${sil}”`);
	}
	const unsilenced = sil === 'hide';
	return { query: { status, severity, district, category, unsilenced }, problems, refusals };
}

export async function alertQueue(app: App, query: AlertQuery): Promise<AlertSummary[]> {
	return summarize(app, await listAlerts(app.rel.db, query));
}

export interface LinkedTicket {
	ticketNo: string;
	receivedAt: string;
	title: string;
	snippet: string;
	placeName: string;
	categoryName: string;
	status: string;
	statusLabel: string;
	group: string | null;
}

export interface SameIncidentGroup {
	id: string;
	size: number;
	first: string;
	last: string;
	title: string;
	placeName: string;
}

export interface AlertDetail {
	alert: AlertSummary;
	places: AlertPlace[];
	/** districts the alert touches (its district places, the districts of its streets, its own) with a count each */
	affected: { code: string; name: string; n: number }[];
	series: AlertSeriesInfo[];
	tickets: LinkedTicket[];
	groups: SameIncidentGroup[];
	trail: {
		id: number;
		action: string;
		actionLabel: string;
		fromStatus: string | null;
		toStatus: string | null;
		actorName: string;
		note: string;
		at: string;
	}[];
	deliveries: DeliveryView[];
	actions: { action: string; label: string }[];
}

const TRAIL_LABELS: Record<string, string> = {
	fired: '触发预警',
	refired: '再次触发',
	severity_raised: '级别提高',
	recovered: '序列恢复正常',
	auto_resolved: '自动解除',
	acknowledged: '确认',
	escalated: '升级',
	resolved: '解除',
	dismissed: '排除（误报）',
	note: '备注',
	notify_withheld: '静默中，未通知',
	unsilenced: '静默结束',
	notified_late: '静默结束后补发通知'
};

/** Linked tickets shown on the detail page (newest first). */
const TICKETS_SHOWN = 200;

export async function alertDetail(app: App, id: number): Promise<AlertDetail> {
	const a = await getAlert(app.rel.db, id);
	const [summary] = await summarize(app, [a]);
	const links = await alertTicketList(app.rel.db, id, 2000);
	const facts = links.length ? await factsOf(app, links) : [];
	const grouping = groupIncidents(
		facts
			.filter((f) => f.tokens?.length)
			.map((f) => ({ id: f.ticket_no, tokens: f.tokens ?? [], at: Number(f.at), district: f.district_code, street: f.street_code }))
	);
	const byNo = new Map(facts.map((f) => [f.ticket_no, f]));
	const tickets: LinkedTicket[] = facts
		.slice()
		.sort((x, y) => Number(y.at) - Number(x.at))
		.slice(0, TICKETS_SHOWN)
		.map((f) => ({
			ticketNo: f.ticket_no,
			receivedAt: new Date(Number(f.at)).toISOString(),
			title: maskPersonal(f.title ?? ''),
			snippet: cutChars(maskPersonal(f.content), 120),
			placeName: f.street_code
				? placeName(app.ref, 'street', f.street_code)
				: f.district_code
					? placeName(app.ref, 'district', f.district_code)
					: '地点未识别',
			categoryName: f.category_code ? (app.ref.categoryByCode.get(f.category_code)?.path ?? f.category_code) : '未分类',
			status: f.status,
			statusLabel: TICKET_STATUS_LABELS[f.status as Status] ?? f.status,
			group: grouping.groupOf.get(f.ticket_no) ?? null
		}));
	const groups: SameIncidentGroup[] = grouping.groups
		.map((g) => {
			const first = byNo.get(g.members[0]);
			return {
				id: g.id,
				size: g.members.length,
				first: new Date(g.first).toISOString(),
				last: new Date(g.last).toISOString(),
				// masked before it is cut (a cut through a number would leave its start in clear), by characters
				title: (first?.title ? maskPersonal(first.title) : first ? cutChars(maskPersonal(first.content), 40) : '') || g.id,
				placeName: g.street
					? placeName(app.ref, 'street', g.street)
					: g.district
						? placeName(app.ref, 'district', g.district)
						: '地点未识别'
			};
		})
		.sort((x, y) => y.size - x.size)
		.slice(0, 30);
	const trail = (await alertTrail(app.rel.db, id)).map((e) => ({
		id: e.id,
		action: e.action,
		actionLabel: TRAIL_LABELS[e.action] ?? e.action,
		fromStatus: e.fromStatus,
		toStatus: e.toStatus,
		actorName: e.actorName,
		note: e.note,
		at: e.at.toISOString()
	}));
	const deliveries = await recentDeliveries(app.rel.db, { alertId: id, limit: 50 });
	return {
		alert: summary,
		affected: affectedDistricts(app, a.places as AlertPlace[], a.districtCode, a.observed),
		places: a.places as AlertPlace[],
		series: a.series as AlertSeriesInfo[],
		tickets,
		groups,
		trail,
		deliveries,
		actions: allowedActions(a.status).map((x) => ({ action: x, label: ACTION_LABELS[x] }))
	};
}

function affectedDistricts(app: App, places: AlertPlace[], own: string | null, observed: number): AlertDetail['affected'] {
	const districts = new Map<string, number>();
	const add = (code: string | null | undefined, n: number) => {
		if (code && app.ref.districtByCode.has(code)) districts.set(code, Math.max(districts.get(code) ?? 0, n, 1));
	};
	for (const p of places)
		add(p.level === 'district' ? p.code : p.level === 'street' ? app.ref.streetByCode.get(p.code)?.districtCode : null, p.observed);
	add(own, observed);
	return [...districts].map(([code, n]) => ({ code, name: placeName(app.ref, 'district', code), n }));
}

/** The linked tickets' facts; their days bound the scan (the facts are kept in day order, so zone maps skip the rest). */
async function factsOf(app: App, links: { ticketNo: string; receivedAt: Date }[]) {
	const list = inList(
		't',
		links.map((l) => l.ticketNo)
	);
	const times = links.map((l) => l.receivedAt.getTime());
	const params = { ...list.params, from: shanghaiDay(Math.min(...times)), to: shanghaiDay(Math.max(...times)) };
	return queryRows<{
		ticket_no: string;
		title: string | null;
		content: string;
		street_code: string | null;
		district_code: string | null;
		category_code: string | null;
		status: string;
		at: number;
		tokens: string[] | null;
	}>(
		app.analytics.conn,
		`SELECT ticket_no, title, content, street_code, district_code, category_code, status, epoch_ms(received_at)::DOUBLE AS at, tokens
		 FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE AND ticket_no IN (${list.sql})`,
		params
	);
}

/** Open, unsilenced alerts (of a district or category when given) as markers on the situation map: at their district's label, the city's at the box's corner. */
export async function alertMarkers(app: App, width: number, height: number, f: AlertPlaceCategory = { district: null, category: null }): Promise<MapAlertMarker[]> {
	const open = await alertQueue(app, { status: 'open', limit: 100, unsilenced: true, district: f.district, category: f.category });
	const labels = new Map(districtLabels(app.ref, width, height).map((l) => [l.code, l]));
	const perPlace = new Map<string, number>();
	return open.map((a) => {
		const l = a.districtCode ? labels.get(a.districtCode) : null;
		const k = a.districtCode ?? 'city';
		const n = perPlace.get(k) ?? 0;
		perPlace.set(k, n + 1);
		const x = (l ? l.x : width - 28) + n * 14;
		const y = l ? l.y - 26 : 28;
		return { id: String(a.id), x, y, title: `${a.severityLabel} ${a.title}（${a.statusLabel}）`, href: `/alerts/${a.id}`, district: l ? a.districtCode : null };
	});
}

