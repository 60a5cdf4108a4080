// 工单档案: one ticket as the analytics store holds it (tickets_fact), for the screens that read tickets there
// (检索, 话题, 预警, the map's drill-down): what it said, where, its category, who handled it and when, each handling
// round, and what the analysis found (keywords, sentiment, topic, data-quality flags). Every ticket the hotline has
// seen is here, a feed's history too, which the case store never held. Texts are masked as every analytics screen
// masks them; the facts carry no caller.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Reference } from '$pipelines/reference/index';
import { maskPersonal } from '$pipelines/text/redact';
import { isoShanghaiSql } from '$pipelines/warehouse/facts';
import { CHANNEL_LABELS, NOT_ACCEPTED_REASONS, STATUS_LABELS, type Channel, type Status } from '$pipelines/lifecycle/model';
import { FACT_FLAG_LABELS, isFactFlag } from '$pipelines/ingest/flags';
import { shownKeywords, ticketNoQuery } from '../text/search';
import { queryRows } from './duckdb';
import type { App } from '../app';
import type { SessionUser } from '$lib/types';
import { ticketLocator } from '../geo';
import { openableTickets } from '../cases/read';
import { CALLER_TICKETS, PLACE_TICKETS, relatedWhy, REPEAT_DAYS } from '../cases/service';
import { repeatScores } from '$pipelines/text/bigrams';
import { cutChars } from '$pipelines/normalize/text';
import { ticketAlerts, type AlertSummary } from '../alerts/read';
import { canSee } from '$lib/nav';
import type { HandlingRound, TicketLocator } from '$lib/types';
import type { UnitRound } from '$pipelines/lifecycle/rounds';
import { handlingRounds } from '../assessment';

export interface TicketRecord {
	ticketNo: string;
	source: string;
	channel: string;
	type: string;
	/** urgent (紧急) */
	urgent: boolean;
	status: string;
	statusLabel: string;
	title: string;
	content: string;
	address: string | null;
	districtCode: string | null;
	streetCode: string | null;
	/** 区 / 街道 in words */
	place: string;
	lon: number | null;
	lat: number | null;
	category: { code: string; path: string } | null;
	unit: string | null;
	/** 协办 units of its dispatches */
	assists: string[];
	receivedAt: string;
	updatedAt: string;
	dispatchedAt: string | null;
	signedAt: string | null;
	repliedAt: string | null;
	closedAt: string | null;
	signDeadline: string | null;
	replyDeadline: string | null;
	/** whether the sign-for / reply met its limit (null: no limit, or not yet done in time or late) */
	signOnTime: boolean | null;
	replyOnTime: boolean | null;
	satisfaction: string | null;
	notAccepted: { n: number; text: string } | null;
	transferredTo: string | null;
	counts: { returns: number; extensions: number; reopens: number; urges: number };
	/** null: the history is unknown (a feed's ticket); empty: it never went to a unit */
	rounds: HandlingRound[] | null;
	keywords: string[];
	sentiment: number | null;
	/** the latest topic run's topics the ticket belongs to (clustered in it or assigned since) */
	topics: { id: number; label: string[] }[];
	flags: { code: string; label: string }[];
}

type FactRow = {
	ticket_no: string; source: string; channel: string; type: string; urgency: string; status: string;
	title: string | null; content: string; address: string | null; district_code: string | null; street_code: string | null;
	lon: number | null; lat: number | null; category_code: string | null; unit_code: string | null; assists: string[] | null;
	received: string; updated: string; dispatched: string | null; signed: string | null; replied: string | null; closed: string | null;
	sign_deadline: string | null; reply_deadline: string | null; sign_on_time: boolean | null; reply_on_time: boolean | null;
	satisfaction: string | null; not_accepted_reason: number | null; transferred_to: string | null;
	returns: number; extensions: number; reopens: number; urges: number;
	rounds: string | null; keywords: string[] | null; sentiment: number | null; flags: string[] | null;
};

/** A round as the facts store it (instants in epoch ms). */
/** The instants read, each as Shanghai ISO text under its short name. */
const TIMES = [
	['received_at', 'received'], ['updated_at', 'updated'], ['dispatched_at', 'dispatched'], ['signed_at', 'signed'], ['replied_at', 'replied'],
	['closed_at', 'closed'], ['sign_deadline', 'sign_deadline'], ['reply_deadline', 'reply_deadline']
] as const;

/**
 * The ticket so numbered as the analytics store holds it, or null when it holds none. A number carries its day
 * (SZ20261205-…), which lets the read touch that day's rows alone; a number whose day is no longer its receipt's
 * (a feed's later version corrected the receipt time, and the ticket kept its number) is still found, by a look
 * over every day.
 */
export async function ticketRecord(conn: DuckDBConnection, ref: Reference, no: string): Promise<TicketRecord | null> {
	const n = ticketNoQuery(no);
	const select = (where: string) =>
		`SELECT ticket_no, source, channel, type, urgency, status, title, content, address, district_code, street_code, lon, lat,
		        category_code, unit_code, assists, ${TIMES.map(([c, name]) => `${isoShanghaiSql(c)} AS ${name}`).join(', ')},
		        sign_on_time, reply_on_time, satisfaction, not_accepted_reason, transferred_to, returns, extensions, reopens, urges,
		        to_json(rounds)::VARCHAR AS rounds, keywords, sentiment, flags
		 FROM tickets_fact WHERE ${where} LIMIT 1`;
	let rows: FactRow[] = [];
	if (n?.whole) rows = await queryRows<FactRow>(conn, select(`day = $day::DATE AND ticket_no = $no`), { day: n.from, no: n.prefix });
	if (!rows.length) rows = await queryRows<FactRow>(conn, select(`ticket_no = $no`), { no: n?.prefix ?? no });
	if (!rows.length) return null;
	const r = rows[0];
	const topics = await queryRows<{ topic_id: number; label: string[] }>(
		conn,
		`SELECT tt.topic_id, t.label FROM ticket_topics tt JOIN topics t USING (run_id, topic_id)
		 WHERE tt.run_id = (SELECT run_id FROM topic_runs ORDER BY created_at DESC LIMIT 1)
		   AND tt.ticket_no = $no AND tt.topic_id >= 0 AND tt.how <> 'baseline'
		 ORDER BY tt.score DESC`,
		{ no: r.ticket_no }
	);
	const unitName = (code: string | null) => (code ? (ref.unitByCode.get(code)?.name ?? code) : null);
	const title = maskPersonal(r.title ?? '');
	const content = maskPersonal(r.content);
	const district = r.district_code ? (ref.districtByCode.get(r.district_code)?.name ?? r.district_code) : null;
	const street = r.street_code ? (ref.streetByCode.get(r.street_code)?.name ?? r.street_code) : null;
	// the facts' STRUCT list, as JSON: a UnitRound each
	const stored = r.rounds === null ? null : (JSON.parse(r.rounds) as UnitRound[] | null);
	return {
		ticketNo: r.ticket_no,
		source: r.source,
		channel: CHANNEL_LABELS[r.channel as Channel] ?? r.channel,
		type: r.type,
		urgent: r.urgency === 'urgent',
		status: r.status,
		statusLabel: STATUS_LABELS[r.status as Status] ?? r.status,
		title,
		content,
		address: r.address ? maskPersonal(r.address) : null,
		districtCode: r.district_code,
		streetCode: r.street_code,
		place: district ? `${district}${street ? ` · ${street}` : ''}` : '未定位到区县',
		lon: r.lon,
		lat: r.lat,
		category: r.category_code ? { code: r.category_code, path: ref.categoryByCode.get(r.category_code)?.path ?? r.category_code } : null,
		unit: unitName(r.unit_code),
		assists: (r.assists ?? []).map((u) => unitName(u)!),
		receivedAt: r.received,
		updatedAt: r.updated,
		dispatchedAt: r.dispatched,
		signedAt: r.signed,
		repliedAt: r.replied,
		closedAt: r.closed,
		signDeadline: r.sign_deadline,
		replyDeadline: r.reply_deadline,
		signOnTime: r.sign_on_time,
		replyOnTime: r.reply_on_time,
		satisfaction: r.satisfaction,
		notAccepted: r.not_accepted_reason === null ? null : { n: r.not_accepted_reason, text: NOT_ACCEPTED_REASONS[r.not_accepted_reason] ?? '' },
		transferredTo: r.transferred_to,
		counts: { returns: r.returns, extensions: r.extensions, reopens: r.reopens, urges: r.urges },
		rounds: stored ? handlingRounds(stored, unitName) : null,
		keywords: shownKeywords(title, content, r.keywords ?? []),
		sentiment: r.sentiment,
		topics: topics.map((t) => ({ id: t.topic_id, label: t.label })),
		flags: (r.flags ?? []).map((f) => ({ code: f, label: isFactFlag(f) ? FACT_FLAG_LABELS[f] : f }))
	};
}

/** A ticket related to the record (相关工单), as 工单详情 names them. */
export interface RelatedRecord {
	ticketNo: string;
	receivedAt: string;
	title: string;
	statusLabel: string;
	/** 同一来电人, 同一来电人，内容相似, 同一地点，内容相似, 同一区县，内容相似 */
	why: string;
	/** likely the same matter */
	repeat: boolean;
}

export interface RelatedRecords {
	/** the newest RELATED_SHOWN */
	items: RelatedRecord[];
	total: number;
	/** looked for within this many days before or after the ticket's receipt */
	days: number;
}

/** At most this many related tickets are listed (the newest); the count says how many there are. */
export const RELATED_SHOWN = 20;

/**
 * 相关工单 of a record, by the rule of 工单详情 (relatedTickets, relatedWhy) over the analytics store and both ways in
 * time, since a record is read after the fact: within REPEAT_DAYS before or after its receipt, every ticket of the
 * same caller (the facts' keyed hash of the phone: the caller stays unnamed) and the tickets of its street — its
 * district when it has no street — whose text is similar. Up to CALLER_TICKETS of the caller's and PLACE_TICKETS of
 * the place's are read, those nearest in time first. The newest RELATED_SHOWN, and how many in all.
 */
export async function relatedRecords(conn: DuckDBConnection, r: TicketRecord): Promise<RelatedRecords> {
	const day = r.receivedAt.slice(0, 10);
	const columns = `ticket_no, ${isoShanghaiSql('received_at')} AS received, title, content, address, status`;
	const window = `day BETWEEN $day::DATE - ${REPEAT_DAYS} AND $day::DATE + ${REPEAT_DAYS} AND ticket_no <> $no`;
	const near = `ORDER BY abs(epoch(received_at) - epoch($at::TIMESTAMPTZ))`;
	const placeColumn = r.streetCode ? 'street_code' : r.districtCode ? 'district_code' : null;
	const [me] = await queryRows<{ caller_key: string | null; title: string | null; content: string; address: string | null }>(
		conn,
		`SELECT caller_key, title, content, address FROM tickets_fact WHERE day = $day::DATE AND ticket_no = $no`,
		{ day, no: r.ticketNo }
	);
	if (!me) return { items: [], total: 0, days: REPEAT_DAYS };
	type Row = { ticket_no: string; received: string; title: string | null; content: string; address: string | null; status: string; same_caller: boolean };
	const reads: string[] = [];
	const params: Record<string, string> = { day, no: r.ticketNo, at: r.receivedAt };
	if (me.caller_key) {
		reads.push(`SELECT ${columns}, true AS same_caller FROM tickets_fact WHERE ${window} AND caller_key = $caller ${near} LIMIT ${CALLER_TICKETS}`);
		params.caller = me.caller_key;
	}
	if (placeColumn) {
		reads.push(
			`SELECT ${columns}, false AS same_caller FROM tickets_fact
			 WHERE ${window} AND ${placeColumn} = $place AND caller_key IS DISTINCT FROM ${me.caller_key ? '$caller' : 'NULL'} ${near} LIMIT ${PLACE_TICKETS}`
		);
		params.place = (r.streetCode ?? r.districtCode)!;
	}
	if (!reads.length) return { items: [], total: 0, days: REPEAT_DAYS };
	const rows = await queryRows<Row>(conn, reads.map((q) => `SELECT * FROM (${q})`).join(' UNION ALL '), params);
	const sims = repeatScores(
		{ text: `${me.title ?? ''}${me.content}`, context: [me.address] },
		rows.map((x) => ({ text: `${x.title ?? ''}${x.content}`, context: [x.address] }))
	);
	const related = rows
		.map((x, i) => ({ x, why: relatedWhy(x.same_caller, sims[i], !!r.streetCode) }))
		.filter((y): y is { x: Row; why: NonNullable<ReturnType<typeof relatedWhy>> } => y.why !== null)
		.sort((a, b) => b.x.received.localeCompare(a.x.received) || b.x.ticket_no.localeCompare(a.x.ticket_no));
	return {
		days: REPEAT_DAYS,
		total: related.length,
		items: related.slice(0, RELATED_SHOWN).map(({ x, why }) => ({
			ticketNo: x.ticket_no,
			receivedAt: x.received,
			title: x.title ? maskPersonal(x.title) : cutChars(maskPersonal(x.content), 30),
			statusLabel: STATUS_LABELS[x.status as Status] ?? x.status,
			why: why.why,
			repeat: why.repeat
		}))
	};
}

/** The locator map's box on 工单档案 (as on 工单详情). */
const MAP_W = 480;
const MAP_H = 300;

export interface TicketArchive {
	record: TicketRecord;
	/** the district outline and pin (null: the ticket has no district) */
	map: TicketLocator | null;
	/** the user may open the ticket's 工单详情 (the case store holds it, and the user may see it there) */
	openable: boolean;
	/** the alerts it is linked to, for a user who sees 预警 */
	alerts: AlertSummary[];
	related: RelatedRecords;
	/** when it was read (ISO): a limit its open round still owes is overdue against it */
	generatedAt: string;
}

export class RecordNotFound extends Error {}

/** 工单档案 for this user: the record, its map, its 相关工单, whether 工单详情 opens for them, and its alerts when they see 预警. */
export async function ticketArchive(app: App, user: SessionUser, no: string): Promise<TicketArchive> {
	const record = await ticketRecord(app.analytics.conn, app.ref, no);
	if (!record) throw new RecordNotFound(`没有编号为 ${no} 的工单。刚登记的工单稍后才同步到分析库，请过一会儿再试`);
	const [openable, alerts, related] = await Promise.all([
		openableTickets(app, user, [record.ticketNo]),
		canSee(user.role, '/alerts') ? ticketAlerts(app, record.ticketNo) : [],
		relatedRecords(app.analytics.conn, record)
	]);
	return { record, map: ticketLocator(app.ref, MAP_W, MAP_H, record), openable: openable.length > 0, alerts, related, generatedAt: new Date().toISOString() };
}
