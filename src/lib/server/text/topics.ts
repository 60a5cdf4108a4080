// 话题: reads of the latest topic run (pipelines/text/topics.ts) for the topic list and a topic's detail.
// A topic's tickets are those clustered in the run plus those assigned since; its growth compares the run's
// period with the period before (assigned to the same topics); sentiment is the mean of its tickets' scores.
import type { DuckDBConnection } from '@duckdb/node-api';
import { daysBetween } from '$pipelines/calendar/index';
import type { Reference } from '$pipelines/reference/index';
import { latestRun } from '$pipelines/text/topics';
import { maskPersonal } from '$pipelines/text/redact';
import { LABEL_THRESHOLD } from '$pipelines/text/sentiment';
import { queryRows } from '../analytics/duckdb';

export interface TopicRow {
	id: number;
	label: string[];
	title: string | null;
	size: number;
	prevSize: number;
	/** (size + 1) / (prevSize + 1) − 1: smoothed, so a topic from nothing does not read as infinite growth */
	growth: number;
	share: number;
	sentiment: number | null;
	negativeShare: number | null;
	category: { code: string; name: string } | null;
	categoryShare: number | null;
	/** tickets per day over the period before and the run's period (and since) */
	daily: number[];
}

export interface TopicsOverview {
	run: { id: string; periodFrom: string; periodTo: string; createdAt: string; tickets: number; k: number; outliers: number; assignedSince: number } | null;
	days: string[];
	topics: TopicRow[];
}


export async function topicsOverview(conn: DuckDBConnection, ref: Reference): Promise<TopicsOverview> {
	const run = await latestRun(conn);
	if (!run) return { run: null, days: [], topics: [] };
	const [meta] = await queryRows<{ tickets: number; k: number; outliers: number; assigned: number; last: string | null; first: string }>(
		conn,
		`SELECT r.tickets, r.k, r.outliers,
		        (SELECT count(*)::INTEGER FROM ticket_topics WHERE run_id = r.run_id AND how = 'assigned') AS assigned,
		        (SELECT strftime(max(f.day), '%Y-%m-%d') FROM ticket_topics t JOIN tickets_fact f USING (ticket_no) WHERE t.run_id = r.run_id) AS last,
		        strftime(r.period_from - INTERVAL (r.period_to - r.period_from + 1) DAY, '%Y-%m-%d') AS first
		 FROM topic_runs r WHERE r.run_id = $run`,
		{ run: run.runId }
	);
	const days = daysBetween(meta.first, meta.last && meta.last > run.periodTo ? meta.last : run.periodTo);
	const rows = await queryRows<{
		topic_id: number; label: string[]; rep_title: string | null; size: number; prev_size: number; category_l1: string | null;
		category_share: number | null; current: number; sentiment: number | null; negative: number | null;
	}>(
		conn,
		`SELECT t.topic_id, t.label, t.rep_title, t.size, t.prev_size, t.category_l1, t.category_share,
		        count(*) FILTER (WHERE tt.how <> 'baseline')::INTEGER AS current,
		        avg(f.sentiment) FILTER (WHERE tt.how <> 'baseline') AS sentiment,
		        avg(CASE WHEN f.sentiment <= -${LABEL_THRESHOLD} THEN 1.0 ELSE 0.0 END) FILTER (WHERE tt.how <> 'baseline') AS negative
		 FROM topics t LEFT JOIN ticket_topics tt ON tt.run_id = t.run_id AND tt.topic_id = t.topic_id
		 LEFT JOIN tickets_fact f ON f.ticket_no = tt.ticket_no
		 WHERE t.run_id = $run AND t.topic_id >= 0
		 GROUP BY ALL ORDER BY t.size DESC`,
		{ run: run.runId }
	);
	const daily = await queryRows<{ topic_id: number; day: string; n: number }>(
		conn,
		`SELECT tt.topic_id, strftime(f.day, '%Y-%m-%d') AS day, count(*)::INTEGER AS n
		 FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no) WHERE tt.run_id = $run AND tt.topic_id >= 0 GROUP BY ALL`,
		{ run: run.runId }
	);
	const index = new Map(days.map((d, i) => [d, i]));
	const series = new Map<number, number[]>();
	for (const d of daily) {
		let s = series.get(d.topic_id);
		if (!s) series.set(d.topic_id, (s = new Array(days.length).fill(0)));
		const i = index.get(d.day);
		if (i !== undefined) s[i] += d.n;
	}
	const clustered = rows.reduce((a, r) => a + r.size, 0) + meta.outliers;
	return {
		run: { id: run.runId, periodFrom: run.periodFrom, periodTo: run.periodTo, createdAt: run.createdAt, tickets: meta.tickets, k: meta.k, outliers: meta.outliers, assignedSince: meta.assigned },
		days,
		topics: rows.map((r) => ({
			id: r.topic_id,
			label: r.label,
			title: r.rep_title,
			size: r.size,
			prevSize: r.prev_size,
			growth: (r.size + 1) / (r.prev_size + 1) - 1,
			share: clustered ? r.size / clustered : 0,
			sentiment: r.sentiment,
			negativeShare: r.negative,
			category: r.category_l1 ? { code: r.category_l1, name: ref.categoryByCode.get(r.category_l1)?.name ?? r.category_l1 } : null,
			categoryShare: r.category_share,
			daily: series.get(r.topic_id) ?? new Array(days.length).fill(0)
		}))
	};
}

export interface TopicDetail {
	topic: TopicRow;
	run: NonNullable<TopicsOverview['run']>;
	days: string[];
	/** label words with their c-TF-IDF weights */
	words: { word: string; weight: number }[];
	tickets: { ticketNo: string; receivedAt: string; title: string; content: string; district: string | null; sentiment: number | null }[];
	districts: { code: string; name: string; n: number }[];
	categories: { code: string; path: string; n: number }[];
	/** tickets that arrived after the run and were assigned to the topic (in the districts, categories and trend, not in its size) */
	assignedSince: number;
}

export class TopicNotFound extends Error {}

export async function topicDetail(conn: DuckDBConnection, ref: Reference, id: number): Promise<TopicDetail> {
	const o = await topicsOverview(conn, ref);
	const topic = o.topics.find((t) => t.id === id);
	if (!o.run || !topic) throw new TopicNotFound(`话题 ${id} 不存在（话题会在每次重新聚类后编号）`);
	const run = (await latestRun(conn))!;
	const cluster = run.model.clusters.find((c) => c.id === id);
	const words = (cluster?.label ?? []).map((w, i) => ({ word: w, weight: cluster!.labelWeights[i] ?? 0 }));
	const tickets = await queryRows<{ ticket_no: string; received: string; title: string | null; content: string; district_code: string | null; sentiment: number | null }>(
		conn,
		`SELECT f.ticket_no, strftime(f.received_at, '%Y-%m-%d %H:%M') AS received, f.title, f.content, f.district_code, f.sentiment
		 FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no)
		 WHERE tt.run_id = $run AND tt.topic_id = $id AND tt.how <> 'baseline' ORDER BY tt.score DESC, f.ticket_no LIMIT 8`,
		{ run: o.run.id, id }
	);
	const districts = await queryRows<{ code: string; n: number }>(
		conn,
		`SELECT f.district_code AS code, count(*)::INTEGER AS n FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no)
		 WHERE tt.run_id = $run AND tt.topic_id = $id AND tt.how <> 'baseline' AND f.district_code IS NOT NULL GROUP BY 1 ORDER BY n DESC`,
		{ run: o.run.id, id }
	);
	const [{ n: assignedSince }] = await queryRows<{ n: number }>(
		conn,
		`SELECT count(*)::INTEGER AS n FROM ticket_topics WHERE run_id = $run AND topic_id = $id AND how = 'assigned'`,
		{ run: o.run.id, id }
	);
	const categories = await queryRows<{ code: string; n: number }>(
		conn,
		`SELECT f.category_code AS code, count(*)::INTEGER AS n FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no)
		 WHERE tt.run_id = $run AND tt.topic_id = $id AND tt.how <> 'baseline' AND f.category_code IS NOT NULL GROUP BY 1 ORDER BY n DESC LIMIT 5`,
		{ run: o.run.id, id }
	);
	return {
		topic,
		run: o.run,
		days: o.days,
		words,
		tickets: tickets.map((t) => ({
			ticketNo: t.ticket_no,
			receivedAt: t.received,
			title: maskPersonal(t.title ?? ''),
			content: maskPersonal(t.content),
			district: t.district_code ? (ref.districtByCode.get(t.district_code)?.name ?? t.district_code) : null,
			sentiment: t.sentiment
		})),
		districts: districts.map((d) => ({ ...d, name: ref.districtByCode.get(d.code)?.name ?? d.code })),
		categories: categories.map((c) => ({ ...c, path: ref.categoryByCode.get(c.code)?.path ?? c.code })),
		assignedSince
	};
}
