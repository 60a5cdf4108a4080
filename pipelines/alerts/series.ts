// The count series that emerging-incident detection watches, read from the analytics store (DuckDB):
//   category  level-1 and level-2 category × city and district, hourly and daily; × street, daily
//   watchlist each watch list (tickets whose title or content has one of its terms, or whose category is
//             listed) × city and district, hourly and daily; with the all-ticket totals of the same buckets
//             (the burst detector compares the list's share of all tickets)
//   topic     each topic of the latest topic run, city-wide, daily
// Series are dense over [from, to] (missing buckets are zero counts: a bucket with no ticket is a count of 0,
// not a gap). Buckets are Asia/Shanghai hours and days; a series' timestamps are the buckets' start instants.
import type { DuckDBConnection } from '@duckdb/node-api';
import { addDays, dayNumber, shanghaiDay } from '../calendar/index';

export type Bucket = 'hour' | 'day';
export type Family = 'category' | 'watchlist' | 'topic';
export type PlaceLevel = 'city' | 'district' | 'street';

export interface SeriesKey {
	family: Family;
	/** category code (2 or 4 digits), watch-list slug or topic id */
	topic: string;
	level: PlaceLevel;
	/** the city's code, a district or a street code */
	place: string;
	bucket: Bucket;
	/** street series: the street's district */
	district?: string;
}

export interface CountSeries {
	key: SeriesKey;
	/** `family:topic@place/bucket` */
	id: string;
	/** start instant (epoch ms) of values[0] */
	start: number;
	values: Float64Array;
	/** all tickets of the same place and bucket (watch lists only: the burst detector's denominators) */
	totals?: Float64Array;
}

export interface WatchlistSpec {
	slug: string;
	terms: readonly string[];
	categories: readonly string[];
}

export interface SeriesWindow {
	/** first day read ('YYYY-MM-DD', Asia/Shanghai) */
	fromDay: string;
	/** the instant the window ends at (its bucket is the last, usually still filling) */
	now: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET = 8 * HOUR_MS;

export const seriesId = (k: SeriesKey): string => `${k.family}:${k.topic}@${k.place}/${k.bucket}`;

/** Start instant of the Asia/Shanghai hour or day that holds `ms`. */
export function bucketStart(ms: number, bucket: Bucket): number {
	const size = bucket === 'hour' ? HOUR_MS : DAY_MS;
	return Math.floor((ms + SHANGHAI_OFFSET) / size) * size - SHANGHAI_OFFSET;
}

export function bucketMs(bucket: Bucket): number {
	return bucket === 'hour' ? HOUR_MS : DAY_MS;
}

/** Collects sparse (series, bucket, count) cells into dense series over the window. */
export class SeriesBuilder {
	private readonly series = new Map<string, CountSeries>();
	private readonly starts: Record<Bucket, number>;
	private readonly lengths: Record<Bucket, number>;

	constructor(window: SeriesWindow) {
		const from = dayNumber(window.fromDay) * DAY_MS - SHANGHAI_OFFSET;
		this.starts = { hour: from, day: from };
		this.lengths = {
			hour: Math.max(1, Math.floor((bucketStart(window.now, 'hour') - from) / HOUR_MS) + 1),
			day: Math.max(1, Math.floor((bucketStart(window.now, 'day') - from) / DAY_MS) + 1)
		};
	}

	length(bucket: Bucket): number {
		return this.lengths[bucket];
	}

	/** Adds `n` to the bucket holding the instant `at` (ignored outside the window). */
	add(key: SeriesKey, at: number, n: number, total = false): void {
		const i = Math.floor((at - this.starts[key.bucket]) / bucketMs(key.bucket));
		if (i < 0 || i >= this.lengths[key.bucket]) return;
		const id = seriesId(key);
		let s = this.series.get(id);
		if (!s) {
			s = { key, id, start: this.starts[key.bucket], values: new Float64Array(this.lengths[key.bucket]) };
			this.series.set(id, s);
		}
		if (total) (s.totals ??= new Float64Array(this.lengths[key.bucket]))[i] += n;
		else s.values[i] += n;
	}

	build(): CountSeries[] {
		return [...this.series.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	}
}

/** The instant an Asia/Shanghai (day, hour) starts at. */
function hourInstant(day: string, hour: number): number {
	return dayNumber(day) * DAY_MS - SHANGHAI_OFFSET + hour * HOUR_MS;
}

/** A term as a literal inside an RE2 regular expression. */
function regexLiteral(term: string): string {
	return term.replace(/[\\.^$|?*+()[\]{}]/g, (c) => `\\${c}`);
}

function sqlString(s: string): string {
	return `'${s.replaceAll("'", "''")}'`;
}

/** The SQL condition "this ticket belongs to the watch list" over tickets_fact. */
export function watchlistCondition(w: WatchlistSpec): string {
	const parts: string[] = [];
	const terms = w.terms.map((t) => t.trim()).filter(Boolean);
	// one alternation per list: RE2 matches all terms in one pass (17× faster than a LIKE per term)
	if (terms.length) parts.push(`regexp_matches(coalesce(title, '') || content, ${sqlString(terms.map(regexLiteral).join('|'))})`);
	for (const c of w.categories) if (/^\d{2,6}$/.test(c)) parts.push(`starts_with(coalesce(category_code, ''), ${sqlString(c)})`);
	return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

export interface ReadSeriesOptions {
	cityCode: string;
	watchlists: readonly WatchlistSpec[];
	/** category series by street (daily); default true */
	streets?: boolean;
	/** topic series from the latest topic run; default true */
	topics?: boolean;
}

/** Reads every watched series over the window from the analytics store. */
export async function readSeries(conn: DuckDBConnection, window: SeriesWindow, opts: ReadSeriesOptions): Promise<CountSeries[]> {
	const b = new SeriesBuilder(window);
	const toDay = shanghaiDay(window.now);
	const params = { from: window.fromDay, to: toDay };
	const city = opts.cityCode;
	const cells = await conn.runAndReadAll(
		`SELECT day::VARCHAR, hour, district_code, category_l1, category_l2, count(*)::INTEGER
		 FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE AND category_l1 IS NOT NULL
		 GROUP BY ALL`,
		params
	);
	for (const [day, hour, district, l1, l2, n] of cells.getRows() as [string, number, string | null, string, string | null, number][]) {
		const at = hourInstant(day, Number(hour));
		for (const bucket of ['hour', 'day'] as const) {
			for (const topic of l2 ? [l1, l2] : [l1]) {
				b.add({ family: 'category', topic, level: 'city', place: city, bucket }, at, n);
				if (district) b.add({ family: 'category', topic, level: 'district', place: district, bucket }, at, n);
			}
		}
	}
	if (opts.streets !== false) {
		const st = await conn.runAndReadAll(
			`SELECT day::VARCHAR, street_code, any_value(district_code), category_l1, count(*)::INTEGER FROM tickets_fact
			 WHERE day BETWEEN $from::DATE AND $to::DATE AND street_code IS NOT NULL AND category_l1 IS NOT NULL GROUP BY ALL`,
			params
		);
		for (const [day, street, district, l1, n] of st.getRows() as [string, string, string, string, number][]) {
			b.add({ family: 'category', topic: l1, level: 'street', place: street, bucket: 'day', district }, hourInstant(day, 0), n);
		}
	}
	if (opts.watchlists.length) {
		const cols = opts.watchlists.map((w, i) => `count(*) FILTER (WHERE ${watchlistCondition(w)})::INTEGER AS w${i}`);
		const wl = await conn.runAndReadAll(
			`SELECT day::VARCHAR, hour, district_code, count(*)::INTEGER AS total, ${cols.join(', ')}
			 FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE GROUP BY ALL`,
			params
		);
		for (const row of wl.getRows() as (string | number | null)[][]) {
			const [day, hour, district, total] = row as [string, number, string | null, number];
			const at = hourInstant(day, Number(hour));
			opts.watchlists.forEach((w, i) => {
				const n = Number(row[4 + i]);
				for (const bucket of ['hour', 'day'] as const) {
					const places: [PlaceLevel, string][] = [['city', city]];
					if (district) places.push(['district', district]);
					for (const [level, place] of places) {
						const key: SeriesKey = { family: 'watchlist', topic: w.slug, level, place, bucket };
						b.add(key, at, n);
						b.add(key, at, total, true);
					}
				}
			});
		}
	}
	const out = b.build();
	if (opts.topics !== false) out.push(...(await readTopicSeries(conn, window, city)));
	return out;
}

/**
 * Daily series of the latest topic run's topics. A topic exists only from its run's first day on, so its
 * series starts there (zeros before it would read as a jump).
 */
async function readTopicSeries(conn: DuckDBConnection, window: SeriesWindow, city: string): Promise<CountSeries[]> {
	const run = (
		await conn.runAndReadAll(`SELECT run_id, period_from::VARCHAR FROM topic_runs ORDER BY created_at DESC LIMIT 1`)
	).getRows()[0] as [string, string] | undefined;
	if (!run) return [];
	const fromDay = run[1] > window.fromDay ? run[1] : window.fromDay;
	const tb = new SeriesBuilder({ fromDay, now: window.now });
	const tp = await conn.runAndReadAll(
		`SELECT f.day::VARCHAR, tt.topic_id, count(*)::INTEGER FROM ticket_topics tt JOIN tickets_fact f USING (ticket_no)
		 WHERE tt.run_id = $run AND tt.topic_id >= 0 AND f.day BETWEEN $from::DATE AND $to::DATE GROUP BY ALL`,
		{ run: run[0], from: fromDay, to: shanghaiDay(window.now) }
	);
	for (const [day, topic, n] of tp.getRows() as [string, number, number][]) {
		tb.add({ family: 'topic', topic: String(topic), level: 'city', place: city, bucket: 'day' }, hourInstant(day, 0), n);
	}
	return tb.build();
}

/** The first day of a window reaching `days` back from `now`'s day (that day included). */
export function windowFrom(now: number, days: number): string {
	return addDays(shanghaiDay(now), -(days - 1));
}

/**
 * The tickets a series counted in [from, to) (epoch ms; newest first, at most `limit`): what an alert links to.
 */
export async function seriesTickets(
	conn: DuckDBConnection,
	key: SeriesKey,
	from: number,
	to: number,
	watchlists: readonly WatchlistSpec[],
	limit = 2000
): Promise<{ ticketNo: string; receivedAt: number; streetCode: string | null }[]> {
	const conds = [
		`received_at >= make_timestamptz(${Math.floor(from) * 1000}::BIGINT)`,
		`received_at < make_timestamptz(${Math.floor(to) * 1000}::BIGINT)`
	];
	conds.push(`day BETWEEN ${sqlString(shanghaiDay(from))}::DATE AND ${sqlString(shanghaiDay(to))}::DATE`);
	if (key.family === 'category') conds.push(`${key.topic.length <= 2 ? 'category_l1' : 'category_l2'} = ${sqlString(key.topic)}`);
	else if (key.family === 'watchlist') {
		const w = watchlists.find((x) => x.slug === key.topic);
		conds.push(w ? watchlistCondition(w) : 'false');
	} else {
		conds.push(`ticket_no IN (SELECT ticket_no FROM ticket_topics WHERE topic_id = ${Number(key.topic)}
			AND run_id = (SELECT run_id FROM topic_runs ORDER BY created_at DESC LIMIT 1))`);
	}
	if (key.level === 'district') conds.push(`district_code = ${sqlString(key.place)}`);
	if (key.level === 'street') conds.push(`street_code = ${sqlString(key.place)}`);
	const r = await conn.runAndReadAll(
		`SELECT ticket_no, epoch_ms(received_at)::DOUBLE, street_code FROM tickets_fact WHERE ${conds.join(' AND ')} ORDER BY received_at DESC LIMIT ${Math.floor(limit)}`
	);
	return (r.getRows() as [string, number, string | null][]).map(([ticketNo, at, streetCode]) => ({
		ticketNo,
		receivedAt: Number(at),
		streetCode
	}));
}
