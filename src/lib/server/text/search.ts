// 检索: search over all tickets by words. The query is segmented like the tickets were; every query term must
// occur (AND), alone or inside a longer indexed word (噪音 finds 噪音扰民). The word index is search_postings
// (term, day, ticket_no), kept in term order, so each term is a zone-map lookup. Pages come from the most
// recent days first (matchPage); column filters and the shown texts come from tickets_fact. Texts shown are
// masked (phone and ID numbers) and cut to a snippet around the first match, with the matched terms marked.
import { cutChars } from '$pipelines/normalize/text';
import type { DuckDBConnection } from '@duckdb/node-api';
import { addDays, dayNumber, shanghaiDay } from '$pipelines/calendar/index';
import type { Reference } from '$pipelines/reference/index';
import { maskPersonal } from '$pipelines/text/redact';
import { normalizeToken } from '$pipelines/segment/index';
import { CHANNEL_LABELS, NO_PREFIX, STATUS_LABELS, type Channel, type Status } from '$pipelines/lifecycle/model';
import { FACT_FLAG_NAMES, type FactFlag } from '$pipelines/ingest/flags';
import { UNPLACED } from '$lib/filter-url';
import { toCsv } from './csv';
import { querySegmenter } from './segmenter';

export interface SearchFilters {
	/** inclusive 'YYYY-MM-DD' */
	from?: string | null;
	to?: string | null;
	/** a district code, or UNPLACED: the tickets placed in no district */
	district?: string | null;
	/** a street (town) code: the tickets placed in that street; UNPLACED (with a district): those in none of its streets */
	street?: string | null;
	/** a category code of any level */
	category?: string | null;
	channel?: string | null;
	type?: string | null;
	/** a data-quality flag of the ingest (pipelines/ingest/flags.ts): the tickets it marked so */
	flag?: string | null;
}

export interface SearchQuery extends SearchFilters {
	q: string;
	/**
	 * each term as a whole word only, not inside longer words (what the topics' rising and new terms count, so
	 * their links find what they counted)
	 */
	exact?: boolean;
	page?: number;
	size?: number;
}

/** A piece of text; `hit` marks a query term. */
export interface Mark {
	text: string;
	hit: boolean;
}

export interface SearchHit {
	ticketNo: string;
	receivedAt: string;
	district: string | null;
	street: string | null;
	category: string | null;
	channel: string;
	type: string;
	status: string;
	title: Mark[];
	snippet: Mark[];
	keywords: string[];
}

export interface SearchResult {
	q: string;
	/** the query's terms as searched (after segmentation, stop words dropped) */
	terms: string[];
	/** query terms that occur in no ticket at all (not even inside a longer word) */
	unknownTerms: string[];
	/** what the query held that was not searched: numbers (the word index has none) and terms after MAX_TERMS */
	ignored: { numbers: string[]; terms: string[] };
	/** terms inside more indexed words than MAX_EXPANSIONS: only the most frequent of those words were searched */
	partialTerms: string[];
	total: number;
	/** the total is an estimate (many matches: counted over the recent days that held the page, scaled) */
	approximate: boolean;
	page: number;
	size: number;
	hits: SearchHit[];
	tookMs: number;
	/**
	 * The query read as a ticket number or the start of one (SZ20261205-000095, SZ20261205, SZ202612): the tickets so
	 * numbered were listed instead of a word search (the word index has no numbers); null otherwise
	 */
	ticketNo: string | null;
	/** `ticketNo` is a whole number (its serial has five digits or more), not the start of one */
	ticketNoWhole: boolean;
}

export class SearchInputError extends Error {}

/**
 * A ticket number, or its start from the year on: registered here (SZ20261205-H00012), a feed's (SZ20261205-F000012),
 * the demo's (SZ20261205-000095).
 */
const TICKET_NO = new RegExp(`^${NO_PREFIX}(\\d{4}|\\d{6}|\\d{8}(?:-[HF]?\\d*)?)$`);

/**
 * The query as a ticket number or its start, with the days such tickets were received on (the number carries its
 * day: a year's, a month's or a day's tickets), or null when it is none.
 */
export function ticketNoQuery(q: string): { prefix: string; whole: boolean; from: string; to: string } | null {
	const prefix = q.normalize('NFKC').trim().toUpperCase();
	const m = TICKET_NO.exec(prefix);
	if (!m) return null;
	const d = m[1].slice(0, 8);
	const whole = /-[HF]?\d{5,}$/.test(prefix);
	const [y, mo, day] = [d.slice(0, 4), d.slice(4, 6), d.slice(6, 8)];
	if ((mo && (+mo < 1 || +mo > 12)) || (day && (+day < 1 || +day > 31))) return null;
	if (day) return { prefix, whole, from: `${y}-${mo}-${day}`, to: `${y}-${mo}-${day}` };
	if (mo) return { prefix, whole, from: `${y}-${mo}-01`, to: addDays(`${+mo === 12 ? +y + 1 : y}-${String((+mo % 12) + 1).padStart(2, '0')}-01`, -1) };
	return { prefix, whole, from: `${y}-01-01`, to: `${y}-12-31` };
}

/** The condition on tickets_fact `f` of a search by ticket number (ticketNoQuery): on the days it names, numbered so. */
function numberedSql(no: ReturnType<typeof ticketNoQuery>, params: Record<string, string>): string {
	if (!no) return '';
	Object.assign(params, { no: `${no.prefix}%`, noFrom: no.from, noTo: no.to });
	return ` AND f.day BETWEEN $noFrom::DATE AND $noTo::DATE AND f.ticket_no LIKE $no`;
}

export const MAX_TERMS = 8;
const MAX_QUERY = 200;

/** The query's terms: segmented as tickets are; Latin lower-cased; at most MAX_TERMS, distinct. */
export function queryTerms(q: string, ref?: Reference): string[] {
	return queryParts(q, ref).terms;
}

/**
 * The query's terms (queryTerms), and what it held that is not searched: numbers that are no part of a term
 * (segmentation leaves them out of the index: 地铁7号线 searches 地铁, 号, 线) and the terms after MAX_TERMS.
 */
export function queryParts(q: string, ref?: Reference): { terms: string[]; ignored: SearchResult['ignored'] } {
	const text = cutChars(q.trim(), MAX_QUERY);
	if (!text) return { terms: [], ignored: { numbers: [], terms: [] } };
	const all: string[] = [];
	for (const part of text.split(/\s+/)) for (const t of querySegmenter(ref).tokens(part)) if (!all.includes(t)) all.push(t);
	const numbers = [...new Set(text.normalize('NFKC').match(/\d+(?:\.\d+)?/g) ?? [])].filter((n) => !all.some((t) => t.includes(n)));
	return { terms: all.slice(0, MAX_TERMS), ignored: { numbers, terms: all.slice(MAX_TERMS) } };
}

function filterSql(f: SearchFilters, params: Record<string, string>, ref: Reference): string {
	const where: string[] = [];
	if (f.from) {
		where.push(`f.day >= $from::DATE`);
		params.from = f.from;
	}
	if (f.to) {
		where.push(`f.day <= $to::DATE`);
		params.to = f.to;
	}
	// UNPLACED: the tickets placed in no district (or, with a district, in none of its streets)
	if (f.district === UNPLACED) where.push(`f.district_code IS NULL`);
	else if (f.district) {
		where.push(`f.district_code = $district`);
		params.district = f.district;
	}
	if (f.street === UNPLACED) where.push(`f.street_code IS NULL`);
	else if (f.street) {
		where.push(`f.street_code = $street`);
		params.street = f.street;
	}
	if (f.category) {
		const level = ref.categoryByCode.get(f.category)?.level ?? 3;
		where.push(`${level === 1 ? 'f.category_l1' : level === 2 ? 'f.category_l2' : 'f.category_code'} = $category`);
		params.category = f.category;
	}
	if (f.channel) {
		where.push(`f.channel = $channel`);
		params.channel = f.channel;
	}
	if (f.type) {
		where.push(`f.type = $type`);
		params.type = f.type;
	}
	if (f.flag) {
		where.push(`list_contains(f.flags, $flag)`);
		params.flag = f.flag;
	}
	return where.length ? `AND ${where.join(' AND ')}` : '';
}

/**
 * Each query term with the indexed terms that contain it (噪音 → 噪音, 噪音扰民, 施工噪音 …): segmentation
 * keeps set phrases whole, so a search for a part of one must find it too. The most frequent expansions
 * first, at most MAX_EXPANSIONS per term (`partial` names a term that had more); a term no ticket contains in any
 * form has none.
 */
async function expandTerms(conn: DuckDBConnection, terms: string[], exact = false): Promise<{ groups: string[][]; partial: string[] }> {
	const params = Object.fromEntries(terms.map((t, i) => [`e${i}`, t]));
	const rows = (
		await conn.runAndReadAll(
			`SELECT i, term, n FROM (
				SELECT i, term, row_number() OVER (PARTITION BY i ORDER BY (term = q) DESC, df DESC, term) AS r, count(*) OVER (PARTITION BY i) AS n
				FROM term_df JOIN (VALUES ${terms.map((_, i) => `(${i}, $e${i})`).join(', ')}) v(i, q) ON ${exact ? 'term = q' : 'contains(term, q)'})
			 WHERE r <= ${MAX_EXPANSIONS} ORDER BY i, r`,
			params
		)
	).getRows();
	const groups: string[][] = terms.map(() => []);
	const partial = new Set<string>();
	for (const [i, term, n] of rows) {
		groups[Number(i)].push(String(term));
		if (Number(n) > MAX_EXPANSIONS) partial.add(terms[Number(i)]);
	}
	return { groups, partial: [...partial] };
}

/**
 * Indexed words searched per query term. A single common character lies in a hundred words and more of a year of
 * calls; the 40 this was before left part of the matching tickets out without a word (the test of a character in
 * more than 40 words checks the total against a direct count). Search's latency: `npm run bench -- text --only search`.
 */
export const MAX_EXPANSIONS = 2000;

/** Whether the query filters on a ticket column (place, category, channel, type, flag): one list for every use. */
function hasColumnFilters(q: SearchQuery): boolean {
	return !!(q.district || q.street || q.category || q.channel || q.type || q.flag);
}

/** Filters without words: list the tickets they select (newest first) instead of nothing. */
export function isBrowse(q: SearchQuery): boolean {
	return !!(q.from || q.to) || hasColumnFilters(q);
}

/** The tickets (ticket_no, day) that contain every term group (any term of each group), over search_postings. */
function matchSql(groups: string[][], f: SearchFilters, params: Record<string, string>, sizes?: readonly number[]): string {
	const dayBounds = `${f.from ? ' AND day >= $from::DATE' : ''}${f.to ? ' AND day <= $to::DATE' : ''}`;
	const cond = (i: number) => {
		groups[i].forEach((t, j) => (params[`t${i}_${j}`] = t));
		return groups[i].length === 1 ? `term = $t${i}_0` : `term IN (${groups[i].map((_, j) => `$t${i}_${j}`).join(', ')})`;
	};
	// the rarest group first: its tickets are the candidates, each other group only has to contain them (a
	// semi join, not a grouping of every posting of every group)
	const order = groups.map((_, i) => i);
	if (sizes) order.sort((a, b) => sizes[a] - sizes[b] || a - b);
	// a ticket has each term once in the postings; one with several terms of a group is counted once
	const first = order[0];
	const base = `SELECT ${groups[first].length === 1 ? '' : 'DISTINCT '}ticket_no, day FROM search_postings WHERE ${cond(first)}${dayBounds}`;
	if (order.length === 1) return base;
	const semis = order
		.slice(1)
		.map((i, k) => `SEMI JOIN (SELECT ticket_no FROM search_postings WHERE ${cond(i)}${dayBounds}) s${k} ON m0.ticket_no = s${k}.ticket_no`);
	return `SELECT m0.ticket_no, m0.day FROM (${base}) m0 ${semis.join(' ')}`;
}

/** A page of (ticket_no, day, total) rows of a match source, newest first (day, then ticket number). */
async function pageOf(conn: DuckDBConnection, source: string, params: Record<string, string>, size: number, page: number): Promise<unknown[][]> {
	return (
		await conn.runAndReadAll(
			`SELECT ticket_no, strftime(day, '%Y-%m-%d'), count(*) OVER () AS total FROM ${source} m
			 ORDER BY day DESC, ticket_no DESC LIMIT ${size} OFFSET ${(page - 1) * size}`,
			params
		)
	).getRows();
}

async function countOf(conn: DuckDBConnection, source: string, params: Record<string, string>): Promise<number> {
	return Number((await conn.runAndReadAll(`SELECT count(*) FROM ${source} m`, params)).getRows()[0][0]);
}

/** What a hit shows (not the token lists: reading them for a page costs more than the rest together). */
const PAGE_COLUMNS = 'ticket_no, day, received_at, district_code, street_code, category_code, channel, type, status, title, content, keywords';

/** Windows of recent days a page is looked for in, widest last (∞: the whole range). */
const WINDOWS = [7, 30, 120, 365, Infinity];
/** Up to this many postings in the rarest term group, totals are counted exactly. */
const EXACT_LIMIT = 200_000;

/**
 * The page and the total of a word search. Matches are looked for in the most recent days first — 7, then
 * 30, 120, 365 days, then all — and the first window that holds the page gives it (every match newer than the
 * window's start is in it, so the page is exactly the page over all days). The total is exact when the
 * window covers the whole range, when one word with no other filter is counted from the index statistics,
 * or when the rarest word group has at most EXACT_LIMIT postings; otherwise it is estimated from the window
 * (matches in the window × the rarest group's postings over the range ÷ its postings in the window) and
 * marked approximate.
 */
async function matchPage(
	conn: DuckDBConnection,
	ref: Reference,
	query: SearchQuery,
	groups: string[][],
	columnFilters: boolean,
	size: number,
	page: number,
	tuning: SearchTuning
): Promise<{ pageRows: unknown[][]; total: number; approximate: boolean }> {
	const windows = tuning.windows ?? WINDOWS;
	const exactLimit = tuning.exactLimit ?? EXACT_LIMIT;
	// the range of days: the query's, within the days the postings cover
	const [minDay, maxDay] = (await conn.runAndReadAll(`SELECT strftime(min(day), '%Y-%m-%d'), strftime(max(day), '%Y-%m-%d') FROM rollup_daily_l1`)).getRows()[0].map((v) =>
		v === null ? null : String(v)
	);
	if (!minDay || !maxDay) return { pageRows: [], total: 0, approximate: false };
	const start = query.from && query.from > minDay ? query.from : minDay;
	const end = query.to && query.to < maxDay ? query.to : maxDay;
	if (start > end) return { pageRows: [], total: 0, approximate: false };

	// the rarest group drives the estimate; its postings over the range and per window
	const sizes = await Promise.all(groups.map((g) => groupPostings(conn, g, start, end)));
	const rarest = sizes.indexOf(Math.min(...sizes));
	const single = groups.length === 1 && groups[0].length === 1 && !columnFilters;
	const need = page * size;

	const source = (from: string) => {
		const params: Record<string, string> = {};
		const range = { ...query, from, to: end };
		const match = matchSql(groups, range, params, sizes);
		params.from = from;
		params.to = end;
		if (!columnFilters) return { sql: `(${match})`, params };
		const filterParams: Record<string, string> = {};
		const filters = filterSql(range, filterParams, ref);
		return { sql: `(SELECT f.ticket_no, f.day FROM tickets_fact f SEMI JOIN (${match}) m ON f.ticket_no = m.ticket_no WHERE true ${filters})`, params: { ...params, ...filterParams } };
	};

	// a window whose share of the range's days could not hold the page even if every posting of the rarest
	// group matched is skipped (a rare word goes straight to the whole range)
	const rangeDays = dayNumber(end) - dayNumber(start) + 1;
	let atLeast = 0; // days the next window must span, judged from the last one's matches
	for (const w of windows) {
		if (w < atLeast) continue;
		const from = w === Infinity || addDays(end, -(w - 1)) <= start ? start : addDays(end, -(w - 1));
		if (from > start && (sizes[rarest] * Math.min(w, rangeDays)) / rangeDays < need * 2) continue;
		const { sql, params } = source(from);
		const rows = await pageOf(conn, sql, params, size, page);
		const inWindow = rows.length ? Number(rows[0][2]) : page === 1 ? 0 : await countOf(conn, sql, params);
		if (inWindow < need && from > start) {
			// the page reaches further back: at the rate seen, a window this long would hold it twice over (no
			// match in a month or more: straight to all days)
			const days = dayNumber(end) - dayNumber(from) + 1;
			atLeast = inWindow === 0 ? (days >= 30 ? Infinity : days * 4) : (days * need * 2) / inWindow;
			continue;
		}
		if (from === start) return { pageRows: rows, total: inWindow, approximate: false };
		if (single) return { pageRows: rows, total: sizes[0], approximate: false };
		if (sizes[rarest] <= exactLimit) {
			const all = source(start);
			return { pageRows: rows, total: await countOf(conn, all.sql, all.params), approximate: false };
		}
		const inWindowRare = await groupPostings(conn, groups[rarest], from, end);
		const total = inWindowRare > 0 ? Math.round((inWindow * sizes[rarest]) / inWindowRare) : inWindow;
		return { pageRows: rows, total: Math.max(total, inWindow), approximate: true };
	}
	return { pageRows: [], total: 0, approximate: false };
}

/** Postings of a term group between two days (a term's postings are contiguous: a zone-map read). */
async function groupPostings(conn: DuckDBConnection, group: string[], from: string, to: string): Promise<number> {
	const params: Record<string, string> = { from, to };
	group.forEach((t, i) => (params[`g${i}`] = t));
	return Number(
		(
			await conn.runAndReadAll(
				`SELECT count(*) FROM search_postings WHERE term IN (${group.map((_, i) => `$g${i}`).join(', ')}) AND day BETWEEN $from::DATE AND $to::DATE`,
				params
			)
		).getRows()[0][0]
	);
}


/** How a word search pages and counts (tests set them to force each path). */
export interface SearchTuning {
	windows?: readonly number[];
	exactLimit?: number;
}

export async function searchTickets(conn: DuckDBConnection, ref: Reference, query: SearchQuery, tuning: SearchTuning = {}): Promise<SearchResult> {
	const t0 = performance.now();
	const size = Math.min(100, Math.max(1, query.size ?? 20));
	const page = Math.max(1, Math.floor(query.page ?? 1));
	const no = ticketNoQuery(query.q);
	const { terms, ignored } = no ? { terms: [], ignored: { numbers: [], terms: [] } } : queryParts(query.q, ref);
	const empty: SearchResult = { q: query.q, terms, unknownTerms: [], ignored, partialTerms: [], total: 0, approximate: false, page, size, hits: [], tookMs: 0, ticketNo: no?.prefix ?? null, ticketNoWhole: no?.whole ?? false };
	// no words but filters (a drill-down from a chart): the tickets the filters select
	if (!no && !terms.length && !isBrowse(query)) return { ...empty, tookMs: performance.now() - t0 };

	// a term no ticket has in any form: nothing can match (and the user should be told which)
	const { groups, partial: partialTerms } = terms.length ? await expandTerms(conn, terms, query.exact) : { groups: [], partial: [] };
	const unknownTerms = terms.filter((_, i) => !groups[i].length);
	if (unknownTerms.length) return { ...empty, unknownTerms, tookMs: performance.now() - t0 };

	const columnFilters = hasColumnFilters(query);
	let pageRows: unknown[][];
	let total: number;
	let approximate = false;
	if (!terms.length) {
		// filters only, or a ticket number: the tickets they select, newest first (a number's on the days it names)
		const filterParams: Record<string, string> = {};
		const filters = filterSql(query, filterParams, ref);
		const source = `(SELECT f.ticket_no, f.day FROM tickets_fact f WHERE true ${filters}${numberedSql(no, filterParams)})`;
		pageRows = await pageOf(conn, source, filterParams, size, page);
		total = pageRows.length ? Number(pageRows[0][2]) : await countOf(conn, source, filterParams);
	} else {
		({ pageRows, total, approximate } = await matchPage(conn, ref, query, groups, columnFilters, size, page, tuning));
	}
	// the page's tickets, one branch per day: `day = …` lets each branch read only that day's row group
	// (an IN list of days is not used to skip row groups, and a year of rare hits would scan everything)
	const pageParams: Record<string, string> = {};
	const byDay = new Map<string, string[]>();
	pageRows.forEach(([no, day], i) => {
		pageParams[`n${i}`] = String(no);
		byDay.set(String(day), [...(byDay.get(String(day)) ?? []), `$n${i}`]);
	});
	const branches = [...byDay].map(([day, nos], j) => {
		pageParams[`d${j}`] = day;
		return `SELECT ${PAGE_COLUMNS} FROM tickets_fact WHERE day = $d${j}::DATE AND ticket_no IN (${nos.join(', ')})`;
	});
	const rows = pageRows.length
		? ((
				await conn.runAndReadAll(
					`SELECT f.ticket_no, strftime(f.received_at, '%Y-%m-%d %H:%M') AS received, f.district_code, f.street_code, f.category_code,
					        f.channel, f.type, f.status, f.title, f.content, f.keywords
					 FROM (${branches.join(' UNION ALL ')}) f
					 ORDER BY f.day DESC, f.ticket_no DESC`,
					pageParams
				)
			).getRowObjectsJS() as {
				ticket_no: string; received: string; district_code: string | null; street_code: string | null; category_code: string | null;
				channel: string; type: string; status: string; title: string | null; content: string; keywords: string[] | null;
			}[])
		: [];
	const hits = rows.map((r) => {
		const title = maskPersonal(r.title ?? '');
		const content = maskPersonal(r.content);
		return {
			ticketNo: r.ticket_no,
			receivedAt: r.received,
			district: r.district_code ? (ref.districtByCode.get(r.district_code)?.name ?? r.district_code) : null,
			street: r.street_code ? (ref.streetByCode.get(r.street_code)?.name ?? r.street_code) : null,
			category: r.category_code ? (ref.categoryByCode.get(r.category_code)?.path ?? r.category_code) : null,
			channel: r.channel,
			type: r.type,
			status: r.status,
			title: markTerms(title, terms),
			snippet: markTerms(snippet(content, terms), terms),
			keywords: shownKeywords(title, content, r.keywords ?? [])
		};
	});
	return { ...empty, partialTerms, total, approximate, hits, tookMs: performance.now() - t0 };
}

/**
 * The keywords shown beside a ticket's masked title and content: a keyword is a word of the text as stored, and
 * one that the mask hides there (a given name, a plate's serial) is not shown beside it either.
 */
export function shownKeywords(title: string, content: string, keywords: readonly string[]): string[] {
	const shown = normalizeToken(`${title}\u0001${content}`);
	return keywords.filter((k) => shown.includes(k));
}

/** Up to `width` characters of the text around the first occurrence of a term. */
export function snippet(text: string, terms: string[], width = 120): string {
	if (text.length <= width) return text;
	let first = -1;
	const lower = text.toLowerCase();
	for (const t of terms) {
		const i = lower.indexOf(t);
		if (i >= 0 && (first < 0 || i < first)) first = i;
	}
	const start = Math.max(0, Math.min(first < 0 ? 0 : first - Math.floor(width / 3), text.length - width));
	return `${start > 0 ? '…' : ''}${text.slice(start, start + width)}${start + width < text.length ? '…' : ''}`;
}

/** The text in pieces, the occurrences of the terms (case-insensitive; longest first) marked. */
export function markTerms(text: string, terms: string[]): Mark[] {
	if (!text) return [];
	const sorted = [...terms].filter(Boolean).sort((a, b) => b.length - a.length);
	const lower = text.toLowerCase();
	const out: Mark[] = [];
	let plain = '';
	for (let i = 0; i < text.length; ) {
		const t = sorted.find((x) => lower.startsWith(x, i));
		if (t) {
			if (plain) out.push({ text: plain, hit: false });
			plain = '';
			out.push({ text: text.slice(i, i + t.length), hit: true });
			i += t.length;
		} else {
			plain += text[i];
			i++;
		}
	}
	if (plain) out.push({ text: plain, hit: false });
	return out;
}

/** The columns of the search export, in order (also the header of an export without rows). */
export const SEARCH_EXPORT_COLUMNS = ['工单编号', '受理时间', '区县', '街道', '分类', '渠道', '性质', '状态', '承办单位', '标题', '内容'] as const;

/**
 * The most hits an export holds: the newest. A file cut there says so (searchExportFile), and so does the page beside
 * its button. All of them would be one query's minutes and gigabytes on a store of 10 million tickets, more rows than
 * a spreadsheet opens (1,048,576), read on the store's own connection while ingest waits.
 */
export const SEARCH_EXPORT_LIMIT = 50_000;

export interface SearchExportRows {
	/** up to the limit, newest first, texts masked */
	rows: Record<string, string>[];
	/** how many tickets match: more than rows.length when the export stopped at its limit */
	total: number;
}

/**
 * The hits for export, newest first, texts masked: up to `limit`, and how many there are in all. Every list the page
 * shows exports: the tickets holding the words, those so numbered (a ticket number or its start), or those the
 * filters alone select (a drill-down from a chart or the map).
 */
export async function searchExportRows(conn: DuckDBConnection, ref: Reference, query: SearchQuery, limit = SEARCH_EXPORT_LIMIT): Promise<SearchExportRows> {
	const no = ticketNoQuery(query.q);
	const terms = no ? [] : queryTerms(query.q, ref);
	if (!no && !terms.length && !isBrowse(query)) return { rows: [], total: 0 };
	const params: Record<string, string> = {};
	let from = 'tickets_fact f';
	if (terms.length) {
		const { groups } = await expandTerms(conn, terms, query.exact);
		if (groups.some((g) => !g.length)) return { rows: [], total: 0 };
		from = `tickets_fact f SEMI JOIN (${matchSql(groups, query, params)}) m ON f.ticket_no = m.ticket_no`;
	}
	const filters = filterSql(query, params, ref) + numberedSql(no, params);
	const source = `(SELECT f.ticket_no FROM ${from} WHERE true ${filters})`;
	// one row past the limit tells whether there are more; only then are they counted
	const rows = (
		await conn.runAndReadAll(
			`SELECT f.ticket_no, strftime(f.received_at, '%Y-%m-%d %H:%M:%S') AS received, f.district_code, f.street_code, f.category_code,
			        f.channel, f.type, f.status, f.unit_code, f.title, f.content
			 FROM ${from} WHERE true ${filters}
			 ORDER BY f.received_at DESC, f.ticket_no DESC LIMIT ${limit + 1}`,
			params
		)
	).getRowObjectsJS() as Record<string, string | null>[];
	const total = rows.length > limit ? await countOf(conn, source, params) : rows.length;
	return {
		total,
		rows: rows.slice(0, limit).map((r) => ({
			工单编号: r.ticket_no ?? '',
			受理时间: r.received ?? '',
			区县: r.district_code ? (ref.districtByCode.get(r.district_code)?.name ?? r.district_code) : '',
			街道: r.street_code ? (ref.streetByCode.get(r.street_code)?.name ?? r.street_code) : '',
			分类: r.category_code ? (ref.categoryByCode.get(r.category_code)?.path ?? r.category_code) : '',
			渠道: r.channel ? (CHANNEL_LABELS[r.channel as Channel] ?? r.channel) : '',
			性质: r.type ?? '',
			状态: r.status ? (STATUS_LABELS[r.status as Status] ?? r.status) : '',
			承办单位: r.unit_code ? (ref.unitByCode.get(r.unit_code)?.name ?? r.unit_code) : '',
			标题: maskPersonal(r.title ?? ''),
			内容: maskPersonal(r.content ?? '')
		}))
	};
}

/** What a file cut at the export's limit says in its last line. */
export function exportCutNote(kept: number, total: number): string {
	return `（此文件只含最新的 ${kept.toLocaleString('zh-CN')} 条：符合条件的工单共 ${total.toLocaleString('zh-CN')} 条，其余未导出；请缩小起止日期、区县等条件后分批导出）`;
}

/** What a list without words selects, for a file's name: 姑苏区-投诉-2026-11-01至2026-11-30 (全部 when nothing). */
function filterLabel(f: SearchFilters, ref: Reference): string {
	const districtName = f.district === UNPLACED ? '未定位到区县' : f.district ? (ref.districtByCode.get(f.district)?.name ?? f.district) : null;
	const place = f.street === UNPLACED ? `${districtName}未定位到街道` : f.street ? (ref.streetByCode.get(f.street)?.name ?? f.street) : districtName;
	const category = f.category ? (ref.categoryByCode.get(f.category)?.name ?? f.category) : null;
	const channel = f.channel ? (CHANNEL_LABELS[f.channel as Channel] ?? f.channel) : null;
	const days = f.from || f.to ? (f.from === f.to ? f.from : `${f.from ?? ''}至${f.to ?? ''}`) : null;
	const flag = f.flag ? (FACT_FLAG_NAMES[f.flag as FactFlag] ?? f.flag) : null;
	return [place, category, channel, f.type, flag, days].filter(Boolean).join('-') || '全部';
}

/**
 * The search's hits as a CSV file and its name: the query's first 20 characters (or what the filters select) (code points: a cut inside a
 * surrogate pair is no text encodeURIComponent takes) and the day in Shanghai; a file cut at the limit says so in
 * its name (…-最新50000条.csv) and in a last line after the rows.
 */
export async function searchExportFile(
	conn: DuckDBConnection,
	ref: Reference,
	query: SearchQuery,
	now = Date.now(),
	limit = SEARCH_EXPORT_LIMIT
): Promise<{ name: string; body: string }> {
	const { rows, total } = await searchExportRows(conn, ref, query, limit);
	const cut = total > rows.length;
	const name = `检索-${[...query.q.trim()].slice(0, 20).join('') || filterLabel(query, ref)}-${shanghaiDay(now)}${cut ? `-最新${rows.length}条` : ''}.csv`;
	return { name, body: toCsv(rows, [...SEARCH_EXPORT_COLUMNS], cut ? exportCutNote(rows.length, total) : undefined) };
}
