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
import { TimeSlices } from '../event-loop';

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

/** Days of history a detection round reads (the detector learns each series' seasonal profile from them). */
export const ROUND_WINDOW_DAYS = 56;

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

/** A series to add to, by key, resolved on its first addition inside the window (SeriesBuilder.ref). */
export interface SeriesRef {
	key: SeriesKey;
	series: CountSeries | null;
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

	/** A handle on `key`'s series for addTo; the series itself exists once something falls in its window. */
	ref(key: SeriesKey): SeriesRef {
		return { key, series: null };
	}

	/** Adds `n` to the bucket of the series that holds the instant `at` (ignored outside the window); to its totals with `total`. */
	addTo(ref: SeriesRef, at: number, n: number, total = false): void {
		const bucket = ref.key.bucket;
		const i = Math.floor((at - this.starts[bucket]) / bucketMs(bucket));
		if (i < 0 || i >= this.lengths[bucket]) return;
		let s = ref.series;
		if (!s) {
			const id = seriesId(ref.key);
			s = this.series.get(id) ?? null;
			if (!s) {
				s = { key: ref.key, id, start: this.starts[bucket], values: new Float64Array(this.lengths[bucket]) };
				this.series.set(id, s);
			}
			ref.series = s;
		}
		if (total) (s.totals ??= new Float64Array(this.lengths[bucket]))[i] += n;
		else s.values[i] += n;
	}

	/** Adds `n` to the bucket of `key`'s series that holds the instant `at`. */
	add(key: SeriesKey, at: number, n: number, total = false): void {
		this.addTo(this.ref(key), at, n, total);
	}

	build(): CountSeries[] {
		return [...this.series.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	}
}

/** The instant an Asia/Shanghai (day, hour) starts at. */
function hourInstant(day: string, hour: number): number {
	return dayNumber(day) * DAY_MS - SHANGHAI_OFFSET + hour * HOUR_MS;
}

/**
 * A per-read memo: the value of `make(k)` for each key, computed once. A read adds each of hundreds of
 * thousands of cells to several series; resolving those series (and a day's start) once per distinct key
 * instead of once per addition is most of the read's JavaScript time.
 */
function memo<V>(make: (k: string) => V): (k: string) => V {
	const m = new Map<string, V>();
	return (k) => {
		let v = m.get(k);
		if (v === undefined) m.set(k, (v = make(k)));
		return v;
	};
}

const BUCKETS = ['hour', 'day'] as const;

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
	/** the watch lists' cells of earlier reads, so that only hours whose tickets changed are matched again */
	cache?: WatchCellCache;
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
	// hundreds of thousands of cells at a big city's volume, read by column: an hour number, the number of the
	// cell's (district, level-1, level-2) key, and the key's text only on the first cell that has it (decoding a
	// string for every cell took longer than the query)
	const [hours, keyNos, firstKeys, counts] = (
		await conn.runAndReadAll(
			`SELECT h, dense_rank() OVER (ORDER BY k)::INTEGER, CASE WHEN row_number() OVER (PARTITION BY k) = 1 THEN k END, n
			 FROM (SELECT (day - $from::DATE) * 24 + hour AS h, coalesce(district_code, '') || '|' || category_l1 || '|' || coalesce(category_l2, '') AS k,
			              count(*)::INTEGER AS n
			       FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE AND category_l1 IS NOT NULL GROUP BY ALL)`,
			params
		)
	).getColumns() as [number[], number[], (string | null)[], number[]];
	const keys: string[] = [];
	for (let r = 0; r < (keyNos?.length ?? 0); r++) if (firstKeys[r] !== null) keys[keyNos[r]] = firstKeys[r]!;
	const windowStart = hourInstant(window.fromDay, 0);
	// the series one (district, level-1, level-2) cell counts in: each topic × place × bucket
	const categorySeries = memo((k) => {
		const [district, l1, l2] = k.split('|');
		const out: SeriesRef[] = [];
		for (const bucket of BUCKETS) {
			for (const topic of l2 ? [l1, l2] : [l1]) {
				out.push(b.ref({ family: 'category', topic, level: 'city', place: city, bucket }));
				if (district) out.push(b.ref({ family: 'category', topic, level: 'district', place: district, bucket }));
			}
		}
		return out;
	});
	// the cells are many while tickets stream in: the loops give the server's thread back now and then
	const slices = new TimeSlices(10);
	for (let r = 0; r < (keyNos?.length ?? 0); r++) {
		const at = windowStart + Number(hours[r]) * HOUR_MS;
		for (const s of categorySeries(keys[keyNos[r]])) b.addTo(s, at, counts[r]);
		if (slices.due()) await slices.turn();
	}
	if (opts.streets !== false) {
		const st = await conn.runAndReadAll(
			`SELECT day::VARCHAR, street_code, any_value(district_code), category_l1, count(*)::INTEGER FROM tickets_fact
			 WHERE day BETWEEN $from::DATE AND $to::DATE AND street_code IS NOT NULL AND category_l1 IS NOT NULL GROUP BY ALL`,
			params
		);
		for (const [day, street, district, l1, n] of st.getRows() as [string, string, string, string, number][]) {
			b.add({ family: 'category', topic: l1, level: 'street', place: street, bucket: 'day', district }, hourInstant(day, 0), n);
			if (slices.due()) await slices.turn();
		}
	}
	if (opts.watchlists.length) {
		const rows = opts.cache
			? await opts.cache.cells(conn, params, opts.watchlists)
			: await watchCells(conn, `day BETWEEN $from::DATE AND $to::DATE`, params, opts.watchlists);
		// the series one district's cells count in: each list × place × bucket, in list order
		const watchSeries = memo((district) =>
			opts.watchlists.map((w) => {
				const out: SeriesRef[] = [];
				for (const bucket of BUCKETS) {
					out.push(b.ref({ family: 'watchlist', topic: w.slug, level: 'city', place: city, bucket }));
					if (district) out.push(b.ref({ family: 'watchlist', topic: w.slug, level: 'district', place: district, bucket }));
				}
				return out;
			})
		);
		const dayStart = memo((day) => hourInstant(day, 0));
		for (const [day, hour, district, total, counts] of rows) {
			const at = dayStart(day) + hour * HOUR_MS;
			watchSeries(district ?? '').forEach((series, i) => {
				for (const s of series) {
					b.addTo(s, at, counts[i]);
					b.addTo(s, at, total, true);
				}
			});
			if (slices.due()) await slices.turn();
		}
	}
	const out = b.build();
	if (opts.topics !== false) out.push(...(await readTopicSeries(conn, window, city)));
	return out;
}

/** Tickets of one (day, hour, district): all of them, and those of each watch list in the order given. */
type WatchCell = [day: string, hour: number, district: string | null, total: number, counts: number[]];

/** The watch lists' cells of the tickets that meet `where` (over tickets_fact, with `params`). */
async function watchCells(
	conn: DuckDBConnection,
	where: string,
	params: Record<string, string>,
	watchlists: readonly WatchlistSpec[]
): Promise<WatchCell[]> {
	const cols = watchlists.map((w, i) => `count(*) FILTER (WHERE ${watchlistCondition(w)})::INTEGER AS w${i}`);
	const r = await conn.runAndReadAll(
		`SELECT day::VARCHAR, hour, district_code, count(*)::INTEGER AS total, ${cols.join(', ')} FROM tickets_fact WHERE ${where} GROUP BY ALL`,
		params
	);
	return (r.getRows() as (string | number | null)[][]).map((row) => [
		row[0] as string,
		Number(row[1]),
		row[2] as string | null,
		Number(row[3]),
		row.slice(4).map(Number)
	]);
}

/**
 * The watch lists' cells by hour, kept between reads (one per detection service). Matching the lists' terms
 * against every title and content of the window is nearly all the cost of a read (npm run bench -- alerts prints
 * a round's read without and with this cache: 0.74 s against 0.32 s for the 147,000 tickets of 56 days at 1M
 * demo tickets, 4.17 s against 0.77 s at 10M), and almost every hour of the window is the same at the next read.
 * An hour (Asia/Shanghai day and hour) is read again when its fingerprint changed: its ticket count and an XOR of
 * the hashes of each ticket's number, version time (updated_at), category and district, so a ticket added, removed or written as a new version (every ingest and
 * sync write of new text carries a newer updated_at) changes it, and so does a place or category corrected in
 * place; the fingerprints read no text.
 * While tickets arrive, a read matches about the current hour's tickets. New lists, or changed terms or
 * categories, start the cache afresh.
 */
export class WatchCellCache {
	private key = '';
	/** by 'YYYY-MM-DD HH' */
	private readonly hours = new Map<string, { print: string; cells: WatchCell[] }>();
	/** the hours ('YYYY-MM-DD HH') whose cells the last read computed (tests, diagnostics) */
	lastComputed: string[] = [];

	async cells(conn: DuckDBConnection, window: { from: string; to: string }, watchlists: readonly WatchlistSpec[]): Promise<WatchCell[]> {
		const key = JSON.stringify(watchlists.map((w) => [w.terms, w.categories]));
		if (key !== this.key) {
			this.hours.clear();
			this.key = key;
		}
		const HOUR_KEY = `day::VARCHAR || ' ' || lpad(hour::VARCHAR, 2, '0')`;
		const prints = new Map(
			(
				await conn.runAndReadAll(
					`SELECT ${HOUR_KEY}, count(*)::VARCHAR || '-' || bit_xor(hash(ticket_no, updated_at, category_code, district_code))::VARCHAR
					 FROM tickets_fact WHERE day BETWEEN $from::DATE AND $to::DATE GROUP BY 1`,
					window
				)
			).getRows() as [string, string][]
		);
		for (const h of this.hours.keys()) if (!prints.has(h)) this.hours.delete(h);
		const stale = [...prints].filter(([h, print]) => this.hours.get(h)?.print !== print).map(([h]) => h).sort();
		this.lastComputed = stale;
		if (stale.length) {
			const fresh = await watchCells(
				conn,
				`day BETWEEN $lo::DATE AND $hi::DATE AND ${HOUR_KEY} IN (${stale.map(sqlString).join(', ')})`,
				{ lo: stale[0].slice(0, 10), hi: stale[stale.length - 1].slice(0, 10) },
				watchlists
			);
			for (const h of stale) this.hours.set(h, { print: prints.get(h)!, cells: [] });
			for (const cell of fresh) this.hours.get(`${cell[0]} ${String(cell[1]).padStart(2, '0')}`)?.cells.push(cell);
		}
		return [...this.hours.values()].flatMap((h) => h.cells);
	}
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
 * The first day a detection round reads: `days` back from `now`'s day, or the first day the analytics store has
 * tickets of, if that is later. Before its data begins the store knows of no calls, which is not a count of 0: a
 * window reaching back past it read the first days as a jump from nothing, and a deployment started a few weeks
 * ago (or a short demo) fired on every busy category as 持续异常 from its first day. From the data's first day
 * on, each series' warm-up holds detection back until it has history.
 */
export async function roundWindowFrom(conn: DuckDBConnection, now: number, days = ROUND_WINDOW_DAYS): Promise<string> {
	const from = windowFrom(now, days);
	const [first] = (await conn.runAndReadAll(`SELECT min(day)::VARCHAR FROM tickets_fact`)).getRows()[0] as [string | null];
	return first && first > from ? first : from;
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
