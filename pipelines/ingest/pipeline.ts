// The ingest pipeline: raw records → mapping → validation → normalisation and geocoding → segmentation →
// an idempotent merge into the analytics store, batch by batch, each batch one transaction.
//
// Idempotency: the key is (source, external_id). A record whose updated_at is newer than the stored version
// replaces it (keeping its ticket number; in place, with the stored tokens and keywords, when its text, day and
// flags are the stored ones); the same version again is a duplicate; an older one is stale and ignored.
// Quarantine rows are keyed by (source, origin_id, line), the archive by the record version, feed
// ticket numbers come from a per-day counter inside the same transaction, and keywords use the term
// frequencies as they stand in that transaction — so a run killed at any moment and run again leaves exactly
// the tables a clean run leaves (batch boundaries depend only on the input).
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BIGINT, VARCHAR, listValue } from '@duckdb/node-api';
import type { Reference } from '../reference/index';
import { categoryAncestors } from '../reference/index';
import { metDeadline, NO_PREFIX, OPEN_STATUSES, STATUSES, URGENCIES, type Status, type Urgency } from '../lifecycle/model';
import { FactWriter, shanghaiDayHour, type FactRow } from '../warehouse/facts';
import { callerKey } from '../warehouse/privacy';
import { CHANGE_COLUMNS } from '../warehouse/rollups';
import { FACT_COLUMNS, keepRollups } from '../warehouse/schema';
import { openGate, rollbackQuietly, type WriteGate } from '../warehouse/tx';
import { addTermStats, keywordsQuery, removeTermStats, splitTokensSql, termFrequencySql } from '../warehouse/text-index';
import { Geocoder, checkLonLat, cleanText, normalizePhone } from '../normalize/index';
import { ticketText, type TextAnalyzer } from '../text/enrich';
import { ticketTextsForAnalytics } from '../text/redact';
import { applyMapping, missingColumns, type Mapping } from './mapping';
import { ReferenceResolver } from './resolve';
import { FILE_ERROR_CODES, type FileErrorCode, type RawRecord } from './sources';
import type { CanonicalRecord } from './types';
import type { FactFlag } from './flags';
import { validateRecord, type ValidationOk } from './validate';

/** A staged row's token list, from its joined tokens. */
const STAGE_TOKENS = splitTokensSql('s.tokens_joined');

export interface IngestDeps {
	conn: DuckDBConnection;
	ref: Reference;
	geocoder: Geocoder;
	/** segmentation and sentiment (a worker pool in production) */
	analyzer: TextAnalyzer | null;
	/** each batch's transaction goes through it (see WriteGate; default: open) */
	gate?: WriteGate;
}

/**
 * A ticket version of a feed for the relational store (it carries the caller's personal data): an open ticket
 * new here, to be dispatched here, or a newer version of a ticket the store may hold (open or not): the store
 * must take it, or its next sync to the analytics store would bring the older version back.
 */
export interface FeedTicket {
	fact: FactRow;
	callerName: string | null;
	callerPhone: string | null;
	/** still being worked on (an open status and no closing time): a new one enters the relational store */
	open: boolean;
}

export interface IngestRun {
	source: string;
	/** what was read, for people: a file path, or `push` */
	origin: string;
	/** a stable id of the input's content (sha256 prefix), so a re-run finds its own quarantine rows */
	originId: string;
	mapping?: Mapping | null;
	now?: number;
	batchSize?: number;
	/**
	 * DuckDB threads while batches are merged (a database-wide setting), restored for the final checkpoint.
	 * One is best when the segmentation workers have the cores to themselves (the CLI); the default leaves it.
	 */
	mergeThreads?: number;
	onProgress?: (p: { read: number; bytes: number | null }) => void;
	/** the batch's new open tickets and newer versions, after its commit (see FeedTicket) */
	onFeedTickets?: (tickets: FeedTicket[]) => Promise<void>;
	/**
	 * Called between two batches, when none of this run's is being merged (the next one's segmentation may be
	 * under way in the workers): other writes may use the connection then. The server runs there the pushes that
	 * arrived meanwhile, so a partner's push does not wait for the whole of a large file. A run there is `nested`,
	 * so this run's settings hold.
	 */
	betweenBatches?: () => Promise<void>;
	/**
	 * Run inside another run's betweenBatches: that run's settings (threads, checkpoint threshold) hold, and this one
	 * neither sets nor resets them (a reset would checkpoint the other run's batches at this run's commit).
	 */
	nested?: boolean;
}

export interface IngestSummary {
	source: string;
	origin: string;
	read: number;
	accepted: number;
	updated: number;
	duplicates: number;
	stale: number;
	quarantined: number;
	quarantinedByReason: Record<string, number>;
	/** with a mapping: the source columns it renames or joins that the first record lacks (their data is lost) */
	missingColumns?: string[];
	/** kept, with a flag */
	unresolvedPlaces: number;
	unknownCategories: number;
	/**
	 * the versions stored (accepted or updated) with each flag: kept, but not as sent (unknown_district, outside_city,
	 * unknown_urgency, handling_times_out_of_order, control_chars …), so an import says what it had to make of its data
	 */
	flagged: Record<string, number>;
	seconds: number;
	/** seconds spent per phase (phases overlap: segmentation runs in workers while the store merges) */
	timings: Record<string, number>;
}

/**
 * Several runs' summaries as one (a replay of rows of several sources or mappings is a run per group): counts and
 * seconds added up, reasons and timings added per key, the sources and origins named once each.
 */
export function mergeSummaries(list: IngestSummary[]): IngestSummary | null {
	if (list.length <= 1) return list[0] ?? null;
	const names = (k: 'source' | 'origin') => [...new Set(list.map((s) => s[k]))].sort().join('、');
	const add = (a: Record<string, number>, b: Record<string, number>) => {
		for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
		return a;
	};
	const out: IngestSummary = { ...list[0], source: names('source'), origin: names('origin'), quarantinedByReason: {}, flagged: {}, timings: {} };
	const counts = ['read', 'accepted', 'updated', 'duplicates', 'stale', 'quarantined', 'unresolvedPlaces', 'unknownCategories', 'seconds'] as const;
	for (const k of counts) out[k] = list.reduce((n, s) => n + s[k], 0);
	for (const s of list) {
		add(out.quarantinedByReason, s.quarantinedByReason);
		add(out.flagged, s.flagged);
		add(out.timings, s.timings);
	}
	const missing = [...new Set(list.flatMap((s) => s.missingColumns ?? []))];
	if (missing.length) out.missingColumns = missing;
	else delete out.missingColumns;
	return out;
}

/**
 * The file-level errors of a run that read nothing but them (a 0-byte file, an unknown encoding, a broken
 * Parquet …): the file could not be read at all. null when anything else was read.
 */
export function unreadableFile(summary: Pick<IngestSummary, 'read' | 'quarantinedByReason'>): FileErrorCode[] | null {
	const codes = FILE_ERROR_CODES.filter((code) => summary.quarantinedByReason[code]);
	const n = codes.reduce((k, code) => k + summary.quarantinedByReason[code], 0);
	return summary.read > 0 && n === summary.read ? codes : null;
}

type Verdict = 'new' | 'update' | 'duplicate' | 'stale';
/** A batch's keys that it has more than once: each version's update time and flags, in input order. */
type Versions = Map<string, { at: number; flags: readonly string[] }[]>;

interface Prepared {
	fact: FactRow;
	/** the tokens joined by U+0001, once analysed */
	tokens: string | null;
	line: number;
	raw: string;
	callerName: string | null;
	callerPhone: string | null;
	/** the texts as given, where the fact's have the caller's name masked (the relational store keeps them as given) */
	given: Pick<FactRow, 'title' | 'content' | 'address'> | null;
}

export interface QuarantineRow {
	line: number;
	byteOffset: number | null;
	reason: string;
	field: string | null;
	message: string;
	raw: string;
	/** the fields as read, when reading succeeded (for replay after a mapping fix) */
	fields: Record<string, unknown> | null;
}

const STAGE_EXTRA = [VARCHAR, BIGINT, VARCHAR, VARCHAR, VARCHAR]; // origin_id, line, raw, tokens_joined, caller_name

/**
 * The fact columns every feed record has the same value in (a feed carries no handling history), and tokens
 * and keywords, which the merge fills in. prepare() takes them from here, and the stage leaves them out:
 * the merge writes them as constants, which spares the appender a third of its columns.
 */
const FEED_FIXED = {
	ticket_no: '', dispatched_at: null,
	not_accepted_reason: null, transferred_to: null, returns: 0, extensions: 0, reopens: 0, urges: 0,
	tokens: null, keywords: null, rounds: null, assists: null
} as const satisfies Partial<FactRow>;
const STAGED_COLUMNS = FACT_COLUMNS.map((c) => c.name).filter((c) => !(c in FEED_FIXED));
/**
 * The columns a new version must share with the stored one to be updated in place (keeping its tokens, keywords
 * and text index entries): its text and day, and its other list columns (flags), since DuckDB updates a list
 * column by deleting and inserting whole rows (reading every column of the table, the token lists too).
 */
const KEPT_SAME = ['title', 'content', 'day', ...FACT_COLUMNS.filter((c) => c.sql.endsWith('[]') && !(c.name in FEED_FIXED)).map((c) => c.name)];
const fixedSql = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

/**
 * Names the caller of a prepared version (null: the name is not known): the analytics carry no personal data, so the
 * caller's own name and number are masked in its texts there (来电人李建国 → 李**), and the texts as given are kept
 * for the relational store. Returns whether the texts changed.
 */
function nameCaller(p: Prepared, callerName: string | null): boolean {
	if (callerName) p.callerName = callerName;
	const given = p.given ?? { title: p.fact.title, content: p.fact.content, address: p.fact.address };
	const masked = ticketTextsForAnalytics(given, p.callerName, p.callerPhone);
	if (!masked) return false;
	p.given = given;
	Object.assign(p.fact, masked);
	return true;
}

export class Ingestor {
	private readonly resolver: ReferenceResolver;
	/** tickets_fact's columns in table order (a store made by an older version may order them differently) */
	private factColumns: string[] = [];
	private timings: Record<string, number> = {};

	constructor(private readonly deps: IngestDeps) {
		this.resolver = new ReferenceResolver(deps.ref);
	}

	async run(records: AsyncIterable<RawRecord>, run: IngestRun): Promise<IngestSummary> {
		const { conn } = this.deps;
		const threads = Number((await conn.runAndReadAll(`SELECT current_setting('threads')`)).getRows()[0][0]);
		const restore = async () => {
			await conn.run(`RESET checkpoint_threshold`);
			await conn.run(`SET threads = ${threads}`);
		};
		if (run.nested) return this.runBatches(records, run, async () => {});
		try {
			if (run.mergeThreads) await conn.run(`SET threads = ${Math.max(1, Math.floor(run.mergeThreads))}`);
			return await this.runBatches(records, run, restore);
		} finally {
			await restore();
		}
	}

	/** The run itself; `restore` puts the settings of the batches back before the final checkpoint. */
	private async runBatches(records: AsyncIterable<RawRecord>, run: IngestRun, restore: () => Promise<void>): Promise<IngestSummary> {
		const t0 = performance.now();
		const { conn } = this.deps;
		const now = run.now ?? Date.now();
		const batchSize = run.batchSize ?? 20_000;
		const summary: IngestSummary = {
			source: run.source, origin: run.origin, read: 0, accepted: 0, updated: 0, duplicates: 0, stale: 0,
			quarantined: 0, quarantinedByReason: {}, unresolvedPlaces: 0, unknownCategories: 0, flagged: {}, seconds: 0, timings: {}
		};
		this.timings = summary.timings;
		await this.prepareStage();
		// one checkpoint at the end instead of one per batch (each would rewrite the touched row groups);
		// the write-ahead log still makes every committed batch durable. A run that fits in one batch (a push,
		// a small file) leaves it to DuckDB's threshold, reached at a later commit, so that a stream of pushes
		// shares one checkpoint (npm run bench -- ingest times ten pushes and the checkpoint they leave)
		const batchSettings = () => conn.run(`SET checkpoint_threshold = '4GB'`);
		if (!run.nested) await batchSettings();
		let batches = 1;
		const runId = randomUUID();
		await conn.run(
			`INSERT INTO ingest_runs VALUES ($id, $source, $origin, $oid, make_timestamptz($now::BIGINT * 1000), NULL, NULL)`,
			{ id: runId, source: run.source, origin: run.origin, oid: run.originId, now }
		);
		let batch: Prepared[] = [];
		let quarantine: QuarantineRow[] = [];
		let merging: Promise<void> = Promise.resolve();
		let bytes: number | null = null;
		let prepareMs = 0;
		let columnsChecked = false;
		const quarantineRecord = (q: QuarantineRow) => {
			quarantine.push(q);
			summary.quarantined++;
			summary.quarantinedByReason[q.reason] = (summary.quarantinedByReason[q.reason] ?? 0) + 1;
		};

		for await (const raw of records) {
			summary.read++;
			const line = raw.line ?? summary.read;
			if (raw.byteOffset !== null) bytes = raw.byteOffset; // where this record starts: progress, not an exact count
			if (raw.error || !raw.fields) {
				quarantineRecord({ line, byteOffset: raw.byteOffset, reason: raw.error?.code ?? 'unreadable', field: null, message: raw.error?.message ?? '无法读取该记录', raw: raw.raw, fields: null });
			} else {
				let fields: Record<string, unknown> | null;
				if (run.mapping && !columnsChecked) {
					columnsChecked = true;
					const missing = missingColumns(run.mapping, raw.fields);
					if (missing.length) summary.missingColumns = missing;
				}
				try {
					fields = run.mapping ? applyMapping(run.mapping, raw.fields) : raw.fields;
				} catch (e) {
					quarantineRecord({ line, byteOffset: raw.byteOffset, reason: 'mapping_failed', field: null, message: (e as Error).message, raw: raw.raw, fields: raw.fields });
					fields = null;
				}
				// a record without fields ({}) is validated like any other: quarantined for what it lacks
				if (fields) {
					const tp = performance.now();
					const v = validateRecord(fields, { now });
					if (!v.ok) {
						quarantineRecord({ line, byteOffset: raw.byteOffset, reason: v.code, field: v.field ?? null, message: v.message, raw: raw.raw, fields: raw.fields });
					} else {
						const p = this.prepare(v.record, v.times, run.source, line, raw.raw, now);
						batch.push(p);
					}
					prepareMs += performance.now() - tp;
				}
			}
			if (batch.length + quarantine.length >= batchSize) {
				// segmentation of this batch (worker threads) overlaps the merge of the one before (DuckDB
				// threads) and the reading of the next (this thread); merges stay in input order
				const { rows, versions } = this.dedupe(batch);
				const tokens = this.analyzeBatch(rows);
				await this.time('main_waits_for_merge', () => merging);
				await run.betweenBatches?.();
				const q = quarantine;
				merging = tokens.then(({ rows }) => this.merge(rows, q, run, summary, versions)).then(() => run.onProgress?.({ read: summary.read, bytes }));
				merging.catch(() => {}); // surfaced by the next await
				batch = [];
				quarantine = [];
				batches++;
			}
		}
		const { rows, versions } = this.dedupe(batch);
		const last = this.analyzeBatch(rows);
		await merging;
		await this.merge((await last).rows, quarantine, run, summary, versions);
		run.onProgress?.({ read: summary.read, bytes });
		await restore();
		if (batches > 1) await this.time('checkpoint', () => conn.run('CHECKPOINT'));
		summary.seconds = (performance.now() - t0) / 1000;
		summary.timings.validate_prepare = prepareMs / 1000;
		for (const k of Object.keys(summary.timings)) summary.timings[k] = Math.round(summary.timings[k] * 100) / 100;
		await conn.run(`UPDATE ingest_runs SET finished_at = now(), summary = $s WHERE run_id = $id`, { id: runId, s: JSON.stringify(summary) });
		return summary;
	}

	private async prepareStage(): Promise<void> {
		const { conn } = this.deps;
		await conn.run(`CREATE OR REPLACE TEMP TABLE ingest_stage AS
			SELECT ${STAGED_COLUMNS.join(', ')}, ''::VARCHAR AS origin_id, 0::BIGINT AS line, ''::VARCHAR AS raw, ''::VARCHAR AS tokens_joined,
			       ''::VARCHAR AS caller_name
			FROM tickets_fact LIMIT 0`);
		const cols = (await conn.runAndReadAll(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'tickets_fact' ORDER BY column_index`)).getRows();
		this.factColumns = cols.map((r) => String(r[0]));
	}

	/**
	 * Canonical record → fact row: cleaning, place resolution, category and unit resolution, flags; the handling
	 * times as sent, and whether they met their limits as of `now`.
	 */
	private prepare(r: CanonicalRecord, times: ValidationOk['times'], source: string, line: number, raw: string, now: number): Prepared {
		const { ref, geocoder } = this.deps;
		const flags = new Set<FactFlag>();
		const clean = (s: string | null | undefined) => {
			const c = cleanText(s ?? '');
			for (const f of c.flags) flags.add(f);
			return c.text;
		};
		const title = clean(r.title);
		const content = clean(r.content);
		const address = clean(r.address);
		// the caller's name too (control characters out, flagged): the relational store refuses a NUL
		const callerName = r.caller_name ? clean(String(r.caller_name)) || null : null;
		const { received, updated, closed: closedAt, signDeadline, signed, replyDeadline, replied } = times; // parsed once, by validation
		// steps in another order than they happen (a reply before the sign-for, a closing before the reply): kept as sent
		if ((signed !== null && replied !== null && replied < signed) || (replied !== null && closedAt !== null && closedAt < replied)) flags.add('handling_times_out_of_order');

		let district = r.district_code ? String(r.district_code) : null;
		let street = r.street_code ? String(r.street_code) : null;
		if (district && !ref.districtByCode.has(district)) {
			flags.add('unknown_district');
			district = null;
		}
		if (street && !ref.streetByCode.has(street)) {
			flags.add('unknown_street');
			street = null;
		}
		if (street) {
			const sd = ref.streetByCode.get(street)!.districtCode;
			if (district && district !== sd) flags.add('street_district_mismatch');
			district = sd;
		}
		let lon: number | null = null;
		let lat: number | null = null;
		if (r.lon !== undefined || r.lat !== undefined) {
			const ll = checkLonLat(r.lon, r.lat);
			if (!ll) flags.add('bad_coordinates');
			else {
				({ lon, lat } = ll);
				if (ll.swapped) flags.add('lonlat_swapped');
			}
		}
		if (!street) {
			for (const text of [address, content]) {
				if (!text) continue;
				// the content is free text: another city it names is a mention, not where the matter is (freeText)
				const g = geocoder.geocodeText(text, { ...(district ? { districtCode: district } : {}), freeText: text !== address });
				// an address naming another city first (南京市江宁区…): not placed here, flagged; the content is not read either
				if (g.confidence === 'outside') {
					flags.add('outside_city');
					break;
				}
				if (g.streetCode && (!district || g.districtCode === district)) {
					street = g.streetCode;
					district = g.districtCode;
					break;
				}
				if (!district && g.districtCode) district = g.districtCode;
			}
		}
		// a district without a polygon of its own (苏州工业园区) lies inside another's: there the nearer label point
		// decides, an approximation the flag keeps visible
		if (!district && lon !== null && lat !== null) {
			const candidates = geocoder.locateCandidates(lon, lat);
			district = geocoder.locateNearest(lon, lat, candidates);
			if (candidates.length > 1) flags.add('district_by_nearest_label');
		}
		if (!district) {
			flags.add('unresolved_place');
		}

		let category: string | null = null;
		if (r.category) {
			category = this.resolver.category(r.category);
			if (!category) {
				flags.add('unknown_category');
			}
		}
		const ancestors = category ? categoryAncestors(ref, category) : [];
		let unit: string | null = null;
		if (r.unit) {
			unit = this.resolver.unit(r.unit);
			if (!unit) flags.add('unknown_unit');
		}
		let urgency: Urgency = 'normal';
		if (r.urgency) {
			const u = r.urgency.trim().toLowerCase();
			if ((URGENCIES as readonly string[]).includes(u)) urgency = u as Urgency;
			else flags.add('unknown_urgency');
		}
		let status: Status = closedAt ? 'closed' : 'received';
		if (r.status) {
			if ((STATUSES as readonly string[]).includes(r.status)) status = r.status as Status;
			else flags.add('unknown_status');
		}
		const phone = r.caller_phone ? normalizePhone(String(r.caller_phone), ref.city.phoneAreaCode ?? undefined) : null;
		const { day, hour } = shanghaiDayHour(received);
		const satisfaction = r.satisfaction && ['满意', '基本满意', '不满意'].includes(r.satisfaction) ? r.satisfaction : null;
		const F = FEED_FIXED; // listed field by field: a spread made these objects slow (dictionary mode) to build and read
		const fact: FactRow = {
			ticket_no: F.ticket_no, source, external_id: String(r.external_id), channel: r.channel, type: r.type,
			category_code: category, category_l1: ancestors[0]?.code ?? null, category_l2: ancestors[1]?.code ?? null,
			title, content, address, district_code: district, street_code: street, lon, lat,
			urgency, status, unit_code: unit, received_at: received, day, hour, updated_at: updated,
			dispatched_at: F.dispatched_at, signed_at: signed, replied_at: replied, closed_at: closedAt,
			sign_deadline: signDeadline, reply_deadline: replyDeadline, satisfaction, not_accepted_reason: F.not_accepted_reason,
			transferred_to: F.transferred_to, returns: F.returns, extensions: F.extensions, reopens: F.reopens, urges: F.urges,
			sign_on_time: metDeadline(signed, signDeadline, now), reply_on_time: metDeadline(replied, replyDeadline, now), caller_key: phone ? callerKey(phone) : null,
			tokens: F.tokens, keywords: F.keywords, flags: flags.size ? [...flags].sort() : null
		};
		const p: Prepared = { fact, tokens: null, line, raw, callerName: null, callerPhone: phone, given: null };
		if (callerName || phone) nameCaller(p, callerName);
		return p;
	}

	/**
	 * Within one batch the same key counts once: the latest version wins, the first of equal versions. A winner
	 * that names no caller takes the name another version of the batch gave (see nameCaller).
	 */
	private dedupe(batch: Prepared[]): { rows: Prepared[]; versions: Versions } {
		const byKey = new Map<string, Prepared>();
		const versions: Versions = new Map();
		const version = (p: Prepared) => ({ at: p.fact.updated_at, flags: p.fact.flags ?? [] });
		for (const p of batch) {
			const id = p.fact.external_id;
			const have = byKey.get(id);
			if (!have) byKey.set(id, p);
			else {
				const [kept, other] = p.fact.updated_at > have.fact.updated_at ? [p, have] : [have, p];
				if (kept === p) byKey.set(id, p);
				if (!versions.has(id)) versions.set(id, [version(have)]);
				versions.get(id)!.push(version(p));
				if (!kept.callerName && other.callerName) nameCaller(kept, other.callerName);
			}
		}
		return { rows: [...byKey.values()], versions };
	}

	/**
	 * A version that names no caller takes the name its ticket's last archived version gave, so that the name stays
	 * masked in its texts (a sub-centre's update often leaves the caller out). Runs on the staged batch: the rows
	 * whose texts change are analysed again and staged anew. Costs one join of the batch's nameless rows with the
	 * archive, and nothing when every row names its caller.
	 */
	private async nameFromArchive(rows: Prepared[], run: IngestRun): Promise<void> {
		const { conn, analyzer } = this.deps;
		if (rows.every((p) => p.callerName)) return;
		// read first (an UPDATE of the stage in every batch doubled the final checkpoint of a 1M-row ingest)
		const found = (
			await conn.runAndReadAll(
				`SELECT a.external_id, arg_max(a.caller_name, a.updated_at) FROM feed_archive a
				 WHERE a.source = $source AND a.caller_name IS NOT NULL
				   AND a.external_id IN (SELECT external_id FROM ingest_stage WHERE caller_name IS NULL) GROUP BY a.external_id`,
				{ source: run.source }
			)
		).getRows();
		if (!found.length) return;
		// the staged rows take the name (so their archived version keeps it, as a name from the batch is kept) …
		await conn.run(
			`UPDATE ingest_stage SET caller_name = m.name FROM (SELECT unnest($ids::VARCHAR[]) AS id, unnest($names::VARCHAR[]) AS name) m WHERE external_id = m.id`,
			{ ids: listValue(found.map((r) => String(r[0]))), names: listValue(found.map((r) => String(r[1]))) }
		);
		const byId = new Map(rows.map((p) => [p.fact.external_id, p]));
		const changed: Prepared[] = [];
		for (const [id, name] of found) {
			const p = byId.get(String(id))!;
			if (nameCaller(p, String(name))) changed.push(p);
		}
		// … and those whose texts the name was in are analysed again and staged anew
		if (!changed.length) return;
		if (analyzer) await this.analyzeBatch(changed);
		await conn.run(`DELETE FROM ingest_stage WHERE external_id IN (SELECT unnest($ids::VARCHAR[]))`, {
			ids: listValue(changed.map((p) => p.fact.external_id))
		});
		await this.stage(changed, run);
	}

	private async analyzeBatch(rows: Prepared[]): Promise<{ rows: Prepared[] }> {
		const { analyzer } = this.deps;
		if (analyzer && rows.length) {
			const out = await this.time('segment', () => analyzer.analyze(rows.map((p) => ticketText(p.fact.title, p.fact.content))));
			rows.forEach((p, i) => {
				p.tokens = out[i].tokens;
				p.fact.sentiment = out[i].sentiment;
				p.fact.intensity = out[i].intensity;
			});
		}
		return { rows };
	}

	private async time<T>(name: string, f: () => Promise<T>): Promise<T> {
		const t = performance.now();
		try {
			return await f();
		} finally {
			this.timings[name] = (this.timings[name] ?? 0) + (performance.now() - t) / 1000;
		}
	}

	/** Appends rows to the stage. */
	private async stage(rows: Prepared[], run: IngestRun): Promise<void> {
		const w = await FactWriter.open(this.deps.conn, 'ingest_stage', STAGE_EXTRA, 'temp', STAGED_COLUMNS);
		for (const p of rows) w.add(p.fact, [run.originId, BigInt(p.line), p.raw, p.tokens, p.callerName]);
		w.close();
	}

	/** One batch into the store, in one transaction. */
	private async merge(rows: Prepared[], quarantine: QuarantineRow[], run: IngestRun, summary: IngestSummary, versions: Versions): Promise<void> {
		const { conn } = this.deps;
		if (!rows.length && !quarantine.length) return;

		await this.time('stage', () => conn.run('DELETE FROM ingest_stage'));
		await this.time('stage', () => this.stage(rows, run));
		await this.time('caller_names', () => this.nameFromArchive(rows, run));

		await (this.deps.gate ?? openGate)(() => this.mergeStaged(quarantine, run, summary, versions));
		if (run.onFeedTickets) await this.handOver(rows, run);
	}

	/** The staged batch into the facts, the archive, the text index and the rollups, in one transaction. */
	private async mergeStaged(quarantine: QuarantineRow[], run: IngestRun, summary: IngestSummary, versions: Versions): Promise<void> {
		const { conn } = this.deps;
		const cols = this.factColumns.join(', ');
		await this.time('commit', () => conn.run('BEGIN TRANSACTION'));
		try {
			await this.time('classify', () => conn.run(`CREATE OR REPLACE TEMP TABLE stage_class AS
				SELECT s.source, s.external_id, f.ticket_no AS old_no, epoch_ms(f.updated_at) AS stored_ms,
				       CASE WHEN f.ticket_no IS NULL THEN 'new' WHEN s.updated_at > f.updated_at THEN 'update'
				            WHEN s.updated_at = f.updated_at THEN 'duplicate' ELSE 'stale' END AS verdict
				FROM ingest_stage s LEFT JOIN tickets_fact f ON f.source = s.source AND f.external_id = s.external_id`));
			const counts = (await this.time('classify', () => conn.runAndReadAll(`SELECT verdict, count(*)::INTEGER FROM stage_class GROUP BY verdict`))).getRows();
			const updates = counts.some(([v, n]) => v === 'update' && Number(n) > 0);
			const tally = await this.time('classify', () => this.tally(counts, versions));
			// ticket numbers: a replaced version keeps its number, a new one takes the next of its day
			await this.time('classify', () => conn.run(`CREATE OR REPLACE TEMP TABLE stage_no AS
				SELECT s.external_id, coalesce(c.old_no, '${NO_PREFIX}' || strftime(s.day, '%Y%m%d') || '-F' || lpad((coalesce(q.last, 0) +
				       row_number() OVER (PARTITION BY s.day, c.old_no IS NULL ORDER BY s.received_at, s.external_id))::VARCHAR, 6, '0')) AS ticket_no
				FROM ingest_stage s JOIN stage_class c USING (source, external_id) LEFT JOIN feed_seq q ON q.day = s.day
				WHERE c.verdict IN ('new', 'update')`));
			// the change set of the rollups: the versions leaving the facts (-1) now, those entering them (+1) below
			await this.time('rollups', () => conn.run(`CREATE OR REPLACE TEMP TABLE stage_changes AS
				SELECT ${CHANGE_COLUMNS.join(', ')}, -1 AS sign FROM tickets_fact
				${updates ? `WHERE ticket_no IN (SELECT old_no FROM stage_class WHERE verdict = 'update')` : 'WHERE false'}`));
			// a new version with the stored version's title, content, day and flags (KEPT_SAME: a status or place
			// update, the usual push of a sub-centre) keeps its tokens, keywords and text index entries: it is updated
			// in place, which spares reading the stored token lists and the postings' ticket numbers (whole columns,
			// so the cost of a replacement grows with the store; the `replace` phase of npm run bench -- ingest's pushes)
			await this.time('replace', () => conn.run(`CREATE OR REPLACE TEMP TABLE stage_kept AS
				SELECT f.ticket_no FROM tickets_fact f JOIN stage_class c ON c.verdict = 'update' AND f.ticket_no = c.old_no
				JOIN ingest_stage s ON s.source = c.source AND s.external_id = c.external_id
				WHERE ${updates ? KEPT_SAME.map((c) => `f.${c} IS NOT DISTINCT FROM s.${c}`).join(' AND ') : 'false'}`));
			/** the rows of the stage that enter the facts as new rows (new tickets, and new versions with another text) */
			const inserted = `ingest_stage s JOIN stage_no n USING (external_id) ANTI JOIN stage_kept USING (ticket_no)`;
			// the other replaced versions leave the store and the text index
			if (updates) {
				await this.time('replace', async () => {
					await conn.run(`CREATE OR REPLACE TEMP VIEW stage_replaced AS
						SELECT old_no AS ticket_no FROM stage_class WHERE verdict = 'update' AND old_no NOT IN (SELECT ticket_no FROM stage_kept)`);
					await removeTermStats(conn, 'stage_replaced');
					await conn.run(`DELETE FROM tickets_fact WHERE ticket_no IN (SELECT ticket_no FROM stage_replaced)`);
				});
			}
			// term frequencies of the new rows: document frequencies, daily terms, postings, then keywords against
			// the corpus as it stands with this batch
			await this.time('text_index', async () => {
				await conn.run(`CREATE OR REPLACE TEMP TABLE stage_tf AS ${termFrequencySql(`SELECT n.ticket_no, s.day, s.tokens_joined AS joined
					FROM ${inserted} WHERE s.tokens_joined IS NOT NULL`)}`);
				const docs = (await conn.runAndReadAll(`SELECT count(*)::INTEGER FROM ${inserted} WHERE s.tokens_joined IS NOT NULL`)).getRows()[0][0];
				await addTermStats(conn, 'stage_tf', Number(docs));
			});
			await this.time('keywords', () => conn.run(`CREATE OR REPLACE TEMP TABLE stage_kw AS ${keywordsQuery('stage_tf', 'ticket_no')}`));
			/** a fact column of the new versions, from the stage, the new numbers, the keywords and the fixed values */
			const fromStage = (c: string) =>
				c === 'ticket_no'
					? 'n.ticket_no'
					: c === 'keywords'
						? 'k.keywords'
						: c === 'tokens'
							? STAGE_TOKENS
							: c in FEED_FIXED
								? fixedSql(FEED_FIXED[c as keyof typeof FEED_FIXED])
								: `s.${c}`;
			await this.time('insert_fact', () => conn.run(`INSERT INTO tickets_fact (${cols})
				SELECT ${this.factColumns.map(fromStage).join(', ')} FROM ${inserted} LEFT JOIN stage_kw k ON k.ticket_no = n.ticket_no`));
			if (updates) {
				// the kept rows' other columns, in place (all scalar: see KEPT_SAME)
				const set = this.factColumns.filter((c) => !['ticket_no', 'tokens', 'keywords', ...KEPT_SAME].includes(c));
				await this.time('insert_fact', () => conn.run(`UPDATE tickets_fact f SET ${set.map((c) => `${c} = ${fromStage(c)}`).join(', ')}
					FROM ingest_stage s JOIN stage_no n USING (external_id) SEMI JOIN stage_kept USING (ticket_no) WHERE f.ticket_no = n.ticket_no`));
			}
			await this.time('feed_seq', () => conn.run(`INSERT OR REPLACE INTO feed_seq
				SELECT s.day, (coalesce(max(q.last), 0) + count(*))::INTEGER FROM ingest_stage s
				JOIN stage_class c USING (source, external_id) LEFT JOIN feed_seq q ON q.day = s.day
				WHERE c.verdict = 'new' GROUP BY s.day`));
			await this.time('archive', () => conn.run(`INSERT INTO feed_archive
				SELECT s.source, s.external_id, s.updated_at, s.origin_id, s.line, s.raw, s.caller_name FROM ingest_stage s
				JOIN stage_class c USING (source, external_id) WHERE c.verdict IN ('new', 'update')`));
			await this.insertQuarantine(quarantine, run);
			// the rollups follow the change set: a push of a few records costs what they cost, however many days
			// (and tickets on them) lie between the oldest and the newest
			await this.time('rollups', async () => {
				// from the stage, not the facts: a join against the facts would read the whole table, a cost that grows with the store
				await conn.run(`INSERT INTO stage_changes SELECT ${CHANGE_COLUMNS.map(fromStage).join(', ')}, 1
					FROM ingest_stage s JOIN stage_no n USING (external_id)`);
				await keepRollups(conn, 'stage_changes');
			});
			await this.time('commit', () => conn.run('COMMIT'));
			summary.accepted += tally.new;
			summary.updated += tally.update;
			summary.duplicates += tally.duplicate;
			summary.stale += tally.stale;
			for (const [flag, n] of Object.entries(tally.flagged)) if (n) summary.flagged[flag] = (summary.flagged[flag] ?? 0) + n;
			summary.unresolvedPlaces = summary.flagged.unresolved_place ?? 0;
			summary.unknownCategories = summary.flagged.unknown_category ?? 0;
		} catch (e) {
			await rollbackQuietly(conn);
			throw e;
		}
	}

	/**
	 * What the batch's versions were, as if they had come one at a time in input order (so the summary does not
	 * depend on where batches end): each staged row's verdict against the store, except for a key the batch has
	 * more than once, whose versions are judged in turn — against the stored version, then the latest before them
	 * (newer: an update, or new when nothing came before; the same: a duplicate; older: stale). The places and
	 * categories left unresolved count among the versions stored.
	 */
	private async tally(counts: unknown[][], versions: Versions) {
		const { conn } = this.deps;
		const t = { new: 0, update: 0, duplicate: 0, stale: 0, flagged: {} as Record<string, number> };
		const flagged = (flags: readonly string[], k: number) => {
			for (const f of flags) t.flagged[f] = (t.flagged[f] ?? 0) + k;
		};
		for (const [verdict, n] of counts) t[verdict as Verdict] += Number(n);
		const byFlag = (
			await conn.runAndReadAll(`SELECT flag, count(*)::INTEGER FROM (SELECT unnest(s.flags) AS flag
				FROM ingest_stage s JOIN stage_class c USING (source, external_id) WHERE c.verdict IN ('new', 'update')) GROUP BY flag`)
		).getRows();
		for (const [flag, n] of byFlag) t.flagged[String(flag)] = Number(n);
		if (!versions.size) return t;
		const staged = (
			await conn.runAndReadAll(
				`SELECT c.external_id, c.verdict, c.stored_ms, s.flags FROM stage_class c JOIN ingest_stage s USING (source, external_id)
				 WHERE c.external_id IN (SELECT unnest($ids::VARCHAR[]))`,
				{ ids: listValue([...versions.keys()]) }
			)
		).getRowObjectsJS() as { external_id: string; verdict: Verdict; stored_ms: bigint | null; flags: string[] | null }[];
		for (const r of staged) {
			// the staged (latest) version's own verdict and flags out, every version's in
			t[r.verdict]--;
			if (r.verdict === 'new' || r.verdict === 'update') flagged(r.flags ?? [], -1);
			let current = r.stored_ms === null ? null : Number(r.stored_ms);
			for (const v of versions.get(r.external_id)!) {
				const verdict: Verdict = current === null ? 'new' : v.at > current ? 'update' : v.at === current ? 'duplicate' : 'stale';
				t[verdict]++;
				if (verdict === 'new' || verdict === 'update') {
					flagged(v.flags, 1);
					current = v.at;
				}
			}
		}
		return t;
	}

	private async insertQuarantine(rows: QuarantineRow[], run: IngestRun): Promise<void> {
		for (let i = 0; i < rows.length; i += 200) {
			const part = rows.slice(i, i + 200);
			const values: DuckDBValue[] = [];
			const tuples = part.map((q, k) => {
				values.push(run.source, run.origin, run.originId, BigInt(q.line), q.byteOffset === null ? null : BigInt(q.byteOffset), q.reason, q.field, q.message, q.raw, q.fields ? JSON.stringify(q.fields) : null, q.fields ? (run.mapping?.json ?? null) : null);
				const p = Array.from({ length: 11 }, (_, j) => `$${k * 11 + j + 1}`);
				return `(${p.slice(0, 9).join(', ')}, now(), 'open', NULL, ${p[9]}, ${p[10]})`;
			});
			await this.deps.conn.run(
				`INSERT OR IGNORE INTO quarantine (source, origin, origin_id, line, byte_offset, reason, field, message, raw, quarantined_at, status, resolved_at, fields, mapping)
				 VALUES ${tuples.join(', ')}`,
				values
			);
		}
	}

	/**
	 * The relational store hears of the batch's versions that are now the stored ones: new open tickets (with the
	 * ticket numbers the merge gave them), newer versions of known tickets, and repeated ones (a no-op there
	 * unless an earlier hand-over failed after its batch committed, e.g. a full disk or a kill: the re-run repairs
	 * it). Stale versions are not handed over: they would replace a newer ticket there, and the sync would carry it
	 * back into the facts.
	 */
	private async handOver(rows: Prepared[], run: IngestRun): Promise<void> {
		const kept = new Map<string, { no: string; verdict: string }>();
		const r = await this.deps.conn.runAndReadAll(
			`SELECT s.external_id, f.ticket_no, c.verdict FROM ingest_stage s JOIN stage_class c USING (source, external_id)
			 JOIN tickets_fact f USING (source, external_id) WHERE c.verdict IN ('new', 'update', 'duplicate')`
		);
		for (const [ext, no, verdict] of r.getRows()) kept.set(String(ext), { no: String(no), verdict: String(verdict) });
		const tickets: FeedTicket[] = [];
		for (const p of rows) {
			const k = kept.get(p.fact.external_id);
			if (!k) continue;
			const open = !p.fact.closed_at && OPEN_STATUSES.includes(p.fact.status as Status);
			if (open || k.verdict !== 'new') tickets.push({ fact: { ...p.fact, ...p.given, ticket_no: k.no }, callerName: p.callerName, callerPhone: p.callerPhone, open });
		}
		if (tickets.length) await run.onFeedTickets!(tickets);
	}
}
