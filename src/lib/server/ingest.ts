// Feed ingest in the server: one ingest at a time on its own DuckDB connection (dashboards keep reading on
// theirs), a segmentation worker pool, and feed tickets handed to the relational store (new open ones, newer versions).
import type { DuckDBConnection } from '@duckdb/node-api';
import { cutChars, Geocoder } from '$pipelines/normalize/index';
import { Ingestor, type IngestRun, type IngestSummary, type FeedTicket } from '$pipelines/ingest/pipeline';
import { createAnalyzer, type ClosableAnalyzer } from '$pipelines/text/analyzer';
import { createHash } from 'node:crypto';
import { jsonShape, readNdjson, type JsonShape, type RawRecord } from '$pipelines/ingest/sources';
import { enrichPending, forgetTokensContaining } from '$pipelines/text/enrich';
import { maintainTextIndex } from '$pipelines/warehouse/text-index';
import { getMeta, maintainRollups, setMeta, type Clustered } from '$pipelines/warehouse/schema';
import type { WriteGate } from '$pipelines/warehouse/tx';
import { ingestFile, type FileIngestSummary } from '$pipelines/ingest/files';
import { Quarantine } from '$pipelines/ingest/quarantine';
import type { Mapping } from '$pipelines/ingest/mapping';
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { App } from './app';
import { apiError } from './http';
import { withoutSync } from './sync';
import { withoutParameters } from './log';
import { noteStorageFailure, storageFailure, storageMessage } from './storage-failure';
import { MAX_PUSH_LIMIT_MB } from './push-limit.js';
import { ticketRowFromFact } from './db/from-fact';
import { ticketEvents, tickets } from './db/schema';
import type { Db } from './db';
import { getLimits } from './cases/limits';
import { deadlines, visitDeadline, type TicketType } from '$pipelines/lifecycle/model';
import type { FactRow } from '$pipelines/warehouse/facts';
import { formatDeadline, formatShanghaiTime } from '$lib/charts/format';
import { overlayKey, segmenterOverlay } from './lexicon';

/** What a push or an upload can be refused for, with its HTTP status. */
export const INGEST_ERROR_STATUS = {
	bad_request: 400,
	empty_body: 400,
	json_array: 400,
	json_document: 400,
	bad_encoding: 400,
	payload_too_large: 413,
	unsupported_media_type: 415,
	unsupported_encoding: 415,
	storage_full: 507,
	storage_unavailable: 507
} as const;

/**
 * Domain errors of an ingest, mapped to HTTP by the routes. A push over its limit fails in `readPush`, which reads
 * the whole body before any record is read, so nothing of it lands.
 */
export class IngestError extends Error {
	constructor(
		readonly code: keyof typeof INGEST_ERROR_STATUS,
		message: string,
		/** payload_too_large: whether the body was read to its end (the connection can stay open for the answer) */
		readonly drained = true
	) {
		super(message);
	}
}

/**
 * Bodies over the limit up to this size are read to the end before the 413 (larger ones are cut off); no push limit
 * is above it (MAX_PUSH_LIMIT_MB).
 */
export const DRAIN_LIMIT = MAX_PUSH_LIMIT_MB * 1_048_576;

/**
 * A refused push or upload (`what`: 推送, 上传): the API's answer, and a line in the log saying why, with the source
 * once it is known.
 */
export function ingestRefusal(what: string, status: number, code: string, message: string, source: string | null = null): Response {
	console.warn(`[minqing] ${what}被拒绝（${status} ${code}${source ? `，来源 ${source}` : ''}）：${message}`);
	return apiError(status, code, message);
}


/**
 * Passes a byte stream through until `limit` bytes, then fails with payload_too_large — after reading the rest of
 * the body (up to DRAIN_LIMIT) and dropping it: a body sent without a length (chunked) is only known to be too
 * large while it arrives, and answering while the sender still writes resets the connection, so the sender would
 * see a network error instead of the 413.
 */
async function* limitBytes(body: AsyncIterable<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
	let seen = 0;
	let over = false;
	for await (const chunk of body) {
		seen += chunk.byteLength;
		over ||= seen > limit;
		if (over) {
			if (seen > DRAIN_LIMIT) break;
			continue;
		}
		yield chunk;
	}
	if (over) throw new IngestError('payload_too_large', `单次推送不得超过 ${Math.round(limit / 1_048_576)} MB，请分批推送`, seen <= DRAIN_LIMIT);
}

/**
 * Content types of files a push is not: those go to POST /api/v1/ingest/file. Any other is read as NDJSON (senders
 * write application/x-ndjson, application/json, text/plain, application/octet-stream, or curl's form default).
 */
const FILE_TYPES = new Set([
	'text/csv', 'text/tab-separated-values', 'application/csv', 'application/vnd.ms-excel',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.apache.parquet', 'application/x-parquet',
	'application/zip', 'application/x-zip-compressed', 'multipart/form-data'
]);
/** Content encodings a push may come in. */
const ENCODINGS = new Set(['identity', 'gzip', 'deflate']);

/**
 * A push as the HTTP request brings it (POST /api/v1/ingest): its headers checked, its body unpacked (gzip, deflate;
 * the limit applies to what it unpacks to) and read whole (readPush). Refusals are IngestErrors (INGEST_ERROR_STATUS).
 */
export async function readPushRequest(request: Request, limit: number): Promise<{ id: string; records: AsyncIterable<RawRecord> }> {
	const declared = Number(request.headers.get('content-length') ?? NaN);
	const tooLarge = `单次推送不得超过 ${Math.round(limit / 1_048_576)} MB，请分批推送`;
	// a declared length within DRAIN_LIMIT is read to its end by readPush before the refusal; beyond it, not at all
	if (declared > DRAIN_LIMIT) throw new IngestError('payload_too_large', tooLarge, false);
	const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
	// without a content type the adapter hands over no body at all (also a chunked one, whose length is not declared)
	if (!request.body && (declared > 0 || request.headers.has('transfer-encoding')))
		throw new IngestError('bad_request', '请求须带 Content-Type 头（application/x-ndjson）');
	if (FILE_TYPES.has(type))
		throw new IngestError('unsupported_media_type', `推送内容须为 NDJSON（Content-Type: application/x-ndjson），收到的是 ${type}；CSV、Excel、Parquet 等文件请用 POST /api/v1/ingest/file`);
	const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
	if (!ENCODINGS.has(encoding)) throw new IngestError('unsupported_encoding', `不支持 Content-Encoding「${encoding}」：请不压缩，或用 gzip 压缩`);
	if (!request.body || declared === 0) throw new IngestError('empty_body', '推送内容为空');
	const body = encoding === 'identity' ? request.body : request.body.pipeThrough(new DecompressionStream(encoding as CompressionFormat));
	let push;
	try {
		push = await readPush(body, limit, request.headers.get('idempotency-key'));
	} catch (e) {
		if (e instanceof IngestError || encoding === 'identity') throw e;
		throw new IngestError('bad_encoding', `推送内容无法按 ${encoding} 解压：${(e as Error).message}`);
	}
	if (push.blank) throw new IngestError('empty_body', '推送内容为空（只有空白）');
	// as a file of such content is refused whole by the reader (json_array, json_document), before any record
	if (push.shape === 'array')
		throw new IngestError('json_array', '推送内容是一个 JSON 数组（以「[」开头），未接入任何记录。请按 NDJSON 推送：每行一个 JSON 对象（Content-Type: application/x-ndjson）');
	if (push.shape === 'document')
		throw new IngestError(
			'json_document',
			'推送内容是一个分多行排版的 JSON 文档（以只有「{」的一行开头），未接入任何记录。请按 NDJSON 推送：每行一个完整的 JSON 对象，不换行排版（Content-Type: application/x-ndjson）'
		);
	return push;
}

/**
 * A push's body, read whole (up to `limit`: payload_too_large beyond) with its origin id: the sender's
 * Idempotency-Key with a hash of the content, else the hash alone, so that a body sent again (a retry after a
 * timeout) does not quarantine its bad lines a second time. The push is one batch, so its records are all read before it merges.
 */
export async function readPush(
	body: AsyncIterable<Uint8Array>,
	limit: number,
	key: string | null
): Promise<{ id: string; records: AsyncIterable<RawRecord>; blank: boolean; shape: JsonShape | null }> {
	const chunks: Uint8Array[] = [];
	for await (const c of limitBytes(body, limit)) chunks.push(c);
	const bytes = Buffer.concat(chunks);
	const hash = createHash('sha256').update(bytes).digest('hex');
	// the key names the push, the content tells it apart: a key sent again with other records (a sender's bug, or a
	// long key cut at 80 characters) must not make their bad lines look like the first push's, and so be dropped
	const id = key ? `${cutChars(key, 80)}#${hash.slice(0, 16)}` : `sha256:${hash.slice(0, 32)}`;
	return {
		id,
		/** nothing but white space */
		blank: bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d),
		/** one JSON array (`[` first) or a pretty-printed JSON document (`{` alone on the first line): read as lines, its
		 * records would be one not_object line, or a bad_json line each */
		shape: jsonShape(bytes),
		records: readNdjson(
			(async function* () {
				yield bytes;
			})()
		)
	};
}


export class IngestService {
	private queue: Promise<unknown> = Promise.resolve();
	/** what the queue is doing now (a file ingest, a push …) and since when, to tell a push that waits behind it */
	private busy: { what: string; since: number; batches: boolean } | null = null;
	private conn: DuckDBConnection | null = null;
	private readonly geocoder: Geocoder;
	private analyzer: ClosableAnalyzer | null = null;
	/** the dictionary overlay the analyzer was made with (overlayKey): another one makes a new analyzer */
	private analyzerKey = '';
	/** pushes not yet run: the queue runs them in turn, or a file ingest between two of its batches (see push) */
	private readonly pushesWaiting: ((nested: boolean) => Promise<void>)[] = [];

	constructor(private readonly app: App) {
		this.geocoder = new Geocoder(app.ref);
	}

	private ingested(summary: IngestSummary): void {
		if (summary.accepted + summary.updated > 0) for (const f of afterIngestHooks) f(this.app);
	}

	/**
	 * One HTTP push as a single batch: in the analytics store it lands whole or not at all (an oversized body
	 * leaves nothing behind); a full disk in the relational store after that commit is repaired by pushing again.
	 */
	async push(source: string, pushId: string, records: AsyncIterable<RawRecord>): Promise<IngestSummary & { queuedSeconds?: number }> {
		try {
			// one queue for all ingests: a push that arrives while something else runs there waits, and says so; a
			// file ingest takes the waiting pushes between two of its batches, so a push never waits for a whole file
			const ahead = this.busy;
			if (ahead)
				console.log(
					`[minqing] 推送 ${pushId}（来源 ${source}）排队等待：正在${ahead.what}（已 ${Math.round((Date.now() - ahead.since) / 1000)} 秒），` +
						(ahead.batches ? '将在其两批之间或完成后接入' : '完成后接入')
				);
			const queuedAt = Date.now();
			let startedAt = queuedAt;
			const s = await new Promise<IngestSummary>((resolve, reject) => {
				this.pushesWaiting.push(async (nested) => {
					startedAt = Date.now();
					const run = this.ingestor().run(records, {
						source,
						origin: `push:${pushId}`,
						originId: `push:${pushId}`,
						batchSize: Number.MAX_SAFE_INTEGER,
						onFeedTickets: (t) => handOverFeedTickets(this.app, t),
						nested
					});
					// settled for its caller; the file ingest (or the queue) that runs it goes on either way
					await run.then(resolve, reject);
				});
				// when no file ingest takes it first, its turn in the queue comes
				this.withIngestor(() => this.runWaitingPushes(false), `接入推送 ${pushId}`).catch(reject);
			});
			this.ingested(s);
			const queued = Math.round((startedAt - queuedAt) / 100) / 10;
			console.log(`[minqing] 推送 ${pushId}（来源 ${source}）${summaryCounts(s)}` + (queued >= 1 ? `，排队 ${queued} 秒` : ''));
			// the answer says how long it waited behind other ingests (a second or more)
			return queued >= 1 ? { ...s, queuedSeconds: queued } : s;
		} catch (e) {
			if (e instanceof IngestError) throw e;
			// the analytics store may have committed the push before the relational store failed: a retry of the same
			// records repairs that (repeats are not stored twice), so the message asks for one
			const storage = storageFailure(e);
			if (storage) {
				noteStorageFailure(storage);
				console.error(`[minqing] 推送 ${pushId}（来源 ${source}）因${storage.code === 'storage_full' ? '存储空间不足' : '数据目录不可写'}未能完成：`, withoutParameters(e));
				throw new IngestError(storage.code, storageMessage(storage, '本次推送', '请稍后重新推送（重复推送不会重复入库）'));
			}
			throw e;
		}
	}

	/**
	 * Analyses the tickets that have no tokens yet (demo history, tickets written here whose text changed), in
	 * the ingest queue so it never overlaps an ingest; the pushes that arrive meanwhile run between two of its
	 * batches (a demo history or an older store's look-through takes minutes). Returns how many it analysed.
	 */
	enrichText(onProgress?: (done: number, pending: number) => void, log?: (message: string) => void): Promise<number> {
		return this.withIngestor(
			async (_ingestor, conn) => {
				const n = await enrichPending(conn, this.analyzer!, { onProgress, gate: this.gate, log, betweenBatches: () => this.runWaitingPushes(false) });
				if (n) await this.gate(() => maintainTextIndex(conn));
				return n;
			},
			'分析工单文本',
			true
		);
	}

	/**
	 * The analysed tickets whose text contains one of `words` lose their tokens (forgetTokensContaining), in the ingest
	 * queue: the next text round analyses them with the dictionary as it is then. Returns how many.
	 */
	forgetTokensContaining(words: string[]): Promise<number> {
		return this.inQueue((conn) => forgetTokensContaining(conn, words, this.gate), '标记需按新词典重新分析的工单');
	}

	/** A value of the analytics store's own records (warehouse_meta), read in the ingest queue; null when none. */
	readMeta(key: string): Promise<string | null> {
		return this.inQueue((conn) => getMeta(conn, key), '读取分析库记录');
	}

	/** Sets a value of the analytics store's own records, in the ingest queue (not while the sync writes). */
	writeMeta(key: string, value: string): Promise<void> {
		return this.inQueue((conn) => this.gate(() => setMeta(conn, key, value)), '写入分析库记录');
	}

	/** Names a read's input anew in its quarantine rows (a drop-folder file moved on; see Inbox's `moved`), in the ingest queue. */
	relabelQuarantine(source: string, originId: string, origin: string): Promise<void> {
		return this.withIngestor((_ingestor, conn) => this.gate(() => new Quarantine(conn).relabel(source, originId, origin)));
	}

	/** Takes back the open quarantine rows of one read of a source (see Inbox's `supersede`), in the ingest queue. */
	supersedeQuarantine(source: string, originId: string): Promise<void> {
		return this.withIngestor((_ingestor, conn) => this.gate(() => new Quarantine(conn).dropOpen(source, originId)));
	}

	/** Runs the pushes waiting, in the order they came (in the queue's turn: the connection is free). */
	private async runWaitingPushes(nested: boolean): Promise<void> {
		for (let job = this.pushesWaiting.shift(); job; job = this.pushesWaiting.shift()) await job(nested);
	}

	/** A file ingest's betweenBatches: the pushes waiting, within its settings. */
	private readonly pushesBetweenBatches = () => this.runWaitingPushes(true);

	/** What the ingest queue is doing now (for tests and logs), or null when it is idle. */
	busyWith(): string | null {
		return this.busy?.what ?? null;
	}

	/**
	 * Puts the rollups' rows written out of order back in order once they have been so for `afterMs` (see
	 * clusterRollups), in the ingest queue.
	 */
	maintainRollups(afterMs: number): Promise<Clustered | null> {
		return this.withIngestor((_ingestor, conn) => maintainRollups(conn, { afterMs, gate: this.gate }));
	}

	/**
	 * The server's analytics store has two writers: this queue and the sync. This queue's write transactions
	 * wait for a running sync and hold the next back until they end (see WriteGate).
	 */
	private readonly gate: WriteGate = (fn) => withoutSync(this.app, fn);

	async close(): Promise<void> {
		await this.analyzer?.close();
		this.analyzer = null;
		this.conn?.closeSync();
		this.conn = null;
	}

	/**
	 * Runs `fn` with an ingestor on this service's connection, in the same queue as the ingests (a quarantine
	 * replay never overlaps a file ingest or a push).
	 */
	withIngestor<T>(fn: (ingestor: Ingestor, conn: DuckDBConnection) => Promise<T>, what = '处理后台任务', batches = false): Promise<T> {
		return this.inQueue(
			async (conn) => {
				// the app's dictionary changed (设置 › 词典, a unit's name): the workers load the new one in place (no
				// task is on them in the queue's turn); where that fails, the analyzer is made anew (and says why, if
				// it cannot be: createAnalyzer)
				const overlay = segmenterOverlay(this.app.ref);
				const key = overlayKey(overlay);
				if (this.analyzer && this.analyzerKey !== key) {
					const reloaded = await this.analyzer.reload(overlay).then(
						() => true,
						(e: Error) => (console.error(`[minqing] 分词线程未能换用新词典，将重新启动：${e.message.split('\n')[0]}`), false)
					);
					if (!reloaded) {
						await this.analyzer.close();
						this.analyzer = null;
					}
				}
				this.analyzer ??= await createAnalyzer(this.app.config.referenceDir, undefined, overlay);
				this.analyzerKey = key;
				return fn(this.ingestor(), conn);
			},
			what,
			batches
		);
	}

	/** Runs `fn` on this service's connection in the ingest queue, without the text analysis (it needs none). */
	private inQueue<T>(fn: (conn: DuckDBConnection) => Promise<T>, what: string, batches = false): Promise<T> {
		const next = this.queue.then(async () => {
			this.busy = { what, since: Date.now(), batches };
			try {
				this.conn ??= await this.app.analytics.connect();
				await this.conn.run(`SET TimeZone = 'Asia/Shanghai'`);
				return await fn(this.conn);
			} finally {
				this.busy = null;
			}
		});
		this.queue = next.catch(() => {});
		return next;
	}

	/** An ingestor on this service's connection (in the queue's turn: withIngestor has opened both). */
	private ingestor(): Ingestor {
		return new Ingestor({ conn: this.conn!, ref: this.app.ref, geocoder: this.geocoder, analyzer: this.analyzer, gate: this.gate });
	}

	/**
	 * Ingests one file on the server's disk (a drop-folder file, an upload) after the ingests before it, as the
	 * CLI does (format from the extension or the mapping's input hints). A full disk is a storage_full error.
	 */
	async ingestPath(
		path: string,
		o: { source: string; origin?: string; shownAs?: string; bytes?: number; mapping?: Mapping | null; readFrom?: string }
	): Promise<FileIngestSummary> {
		const next = this.withIngestor(async (ingestor, conn) => {
			const summary = await ingestFile(ingestor, conn, path, {
				source: o.source,
				origin: o.origin,
				shownAs: o.shownAs,
				bytes: o.bytes,
				readFrom: o.readFrom,
				mapping: o.mapping ?? null,
				onFeedTickets: (t) => handOverFeedTickets(this.app, t),
				betweenBatches: this.pushesBetweenBatches
			});
			await this.gate(() => maintainTextIndex(conn));
			return summary;
		}, `接入文件 ${o.shownAs ?? o.origin ?? path}`, true);
		try {
			const summary = await next;
			this.ingested(summary);
			return summary;
		} catch (e) {
			const storage = e instanceof IngestError ? null : storageFailure(e, path);
			if (storage) {
				noteStorageFailure(storage);
				console.error(`[minqing] 接入 ${o.origin ?? path}（来源 ${o.source}）因${storage.code === 'storage_full' ? '存储空间不足' : '数据目录不可写'}未能完成：`, withoutParameters(e));
				throw new IngestError(storage.code, storageMessage(storage, '本次接入'));
			}
			throw e;
		}
	}
}

/**
 * A feed's tickets into the relational store (see FeedTicket), idempotent by (source, external_id):
 * - a new open ticket is inserted, with a receive event, so it can be dispatched here (with the urgency the feed
 *   gives, which its sign-for limit follows; a later version leaves a held ticket's urgency as it is);
 * - a newer version (a later updated_at than the stored one; an older or equal one changes nothing) takes what the
 *   feed describes: text, place, category, channel, type, status, unit, closing time and satisfaction (and the
 *   caller, the sign-for and the reply times and their limits, when the version names them), with a 数据接入更新
 *   event from the old status to the new. Both stores then hold the same version, so the next sync does not carry
 *   the older one back into the analytics store;
 * - a closed version of a ticket the store does not hold stays in the analytics store only.
 * A version awaiting its return visit (replied) with its reply time gets the visit's limit (回访时限) from it, on the
 * holiday calendar and the limit in force, as a reply here does; its events carry the handling times the version
 * reports, for the unit's handling round (pipelines/lifecycle/rounds.ts).
 */
export async function handOverFeedTickets(app: Pick<App, 'rel' | 'calendar'>, list: FeedTicket[]): Promise<void> {
	const db = app.rel.db;
	const key = (source: string, externalId: string | null) => `${source}\u0001${externalId}`;
	for (let i = 0; i < list.length; i += 400) {
		const part = list.slice(i, i + 400);
		await db.transaction(async (tx) => {
			// what the store holds of these (locked, so a handling action meanwhile waits for this transaction)
			const held = new Map<string, { status: string }>();
			for (const source of new Set(part.map((t) => t.fact.source))) {
				const ids = part.filter((t) => t.fact.source === source).map((t) => t.fact.external_id);
				const rows = await tx
					.select({ externalId: tickets.externalId, status: tickets.status })
					.from(tickets)
					.where(and(eq(tickets.source, source), inArray(tickets.externalId, ids)))
					.for('update');
				for (const r of rows) held.set(key(source, r.externalId), { status: r.status });
			}
			const write = part.filter((t) => t.open || held.has(key(t.fact.source, t.fact.external_id)));
			if (!write.length) return;
			const limits = write.some(awaitsVisit) ? await getLimits(tx) : null;
			const written = await tx
				.insert(tickets)
				.values(
					write.map((t) => ({
						...ticketRowFromFact(t.fact, { name: t.callerName, phone: t.callerPhone }),
						visitDeadline: limits && awaitsVisit(t) ? new Date(visitDeadline(app.calendar, limits, t.fact.replied_at!)) : null
					}))
				)
				.onConflictDoUpdate({
					target: [tickets.source, tickets.externalId],
					set: {
						title: sql`excluded.title`,
						content: sql`excluded.content`,
						address: sql`excluded.address`,
						categoryCode: sql`excluded.category_code`,
						districtCode: sql`excluded.district_code`,
						streetCode: sql`excluded.street_code`,
						lon: sql`excluded.lon`,
						lat: sql`excluded.lat`,
						channel: sql`excluded.channel`,
						type: sql`excluded.type`,
						status: sql`excluded.status`,
						unitCode: sql`excluded.unit_code`,
						closedAt: sql`excluded.closed_at`,
						satisfaction: sql`excluded.satisfaction`,
						// the handling times a version reports; one without them leaves those the store has (steps taken here)
						signDeadline: sql`coalesce(excluded.sign_deadline, ${tickets.signDeadline})`,
						signedAt: sql`coalesce(excluded.signed_at, ${tickets.signedAt})`,
						replyDeadline: sql`coalesce(excluded.reply_deadline, ${tickets.replyDeadline})`,
						repliedAt: sql`coalesce(excluded.replied_at, ${tickets.repliedAt})`,
						// awaiting a visit: from the version's reply, else as it was; otherwise none runs
						visitDeadline: sql`CASE WHEN excluded.status = 'replied' THEN coalesce(excluded.visit_deadline, ${tickets.visitDeadline}) END`,
						callerName: sql`coalesce(excluded.caller_name, ${tickets.callerName})`,
						callerPhone: sql`coalesce(excluded.caller_phone, ${tickets.callerPhone})`,
						callerPhoneKey: sql`coalesce(excluded.caller_phone_key, ${tickets.callerPhoneKey})`,
						updatedAt: sql`excluded.updated_at`,
						version: sql`${tickets.version} + 1`
					},
					setWhere: sql`excluded.updated_at > ${tickets.updatedAt}`
				})
				.returning({ id: tickets.id, source: tickets.source, externalId: tickets.externalId, status: tickets.status });
			if (!written.length) return;
			const inferred = await inferLimits(app, tx, written.map((r) => r.id));
			const byKey = new Map(write.map((t) => [key(t.fact.source, t.fact.external_id), t.fact]));
			await tx.insert(ticketEvents).values(
				written.map((r) => {
					const k = key(r.source, r.externalId);
					const fact = byKey.get(k)!;
					const before = held.get(k);
					// the unit the feed names, its visit and the handling times reported: the version's handling round (pipelines/lifecycle/rounds.ts)
					const round = { unitCode: fact.unit_code, data: roundData(fact) };
					const limits = inferred.get(r.id) ?? '';
					return before
						? { ticketId: r.id, action: 'feed_update', fromStatus: before.status, toStatus: r.status, actorName: `数据接入（${r.source}）`, note: `数据接入收到更新的版本${stepsReported(fact)}${limits}`, at: new Date(fact.updated_at), ...round }
						: { ticketId: r.id, action: 'receive', fromStatus: null, toStatus: r.status, actorName: `数据接入（${r.source}）`, note: `由数据接入导入${stepsReported(fact)}${limits}`, at: new Date(fact.received_at), ...round };
				})
			);
		});
	}
}

/**
 * The time limits of the handed-over tickets at a unit that neither their version reported nor the store holds (the
 * sender's export has no 签收时限 / 答复时限): this hotline's limits for the ticket's type and urgency, counted from its
 * receipt — the dispatch a feed does not report came at or after it, so such a limit falls no later than the real
 * one, and 督办 lights the ticket and lists it when overdue instead of never. A 待签收 ticket gets both limits, a
 * 办理中 one its reply limit. Only the store's columns change: the unit's handling round keeps what the feed reported,
 * and the sync carries such a limit only while its step is due (toFact): no on-time rate judges by a limit the sender
 * never set. A limit a later version reports replaces it.
 * Returns, per ticket it set, the words its event's note ends with.
 */
async function inferLimits(app: Pick<App, 'calendar'>, tx: Db, ids: number[]): Promise<Map<number, string>> {
	const out = new Map<number, string>();
	const rows = await tx
		.select({ id: tickets.id, status: tickets.status, type: tickets.type, urgency: tickets.urgency, receivedAt: tickets.receivedAt, signDeadline: tickets.signDeadline, replyDeadline: tickets.replyDeadline })
		.from(tickets)
		.where(
			and(
				inArray(tickets.id, ids),
				or(and(eq(tickets.status, 'dispatched'), or(isNull(tickets.signDeadline), isNull(tickets.replyDeadline))), and(eq(tickets.status, 'signed'), isNull(tickets.replyDeadline)))
			)
		);
	if (!rows.length) return out;
	const limits = await getLimits(tx);
	const values = rows.map((r) => {
		const d = deadlines(app.calendar, limits, r.type as TicketType, r.urgency === 'urgent', r.receivedAt.getTime());
		const sign = r.status === 'dispatched' ? (r.signDeadline?.getTime() ?? d.signDeadline) : (r.signDeadline?.getTime() ?? null);
		const reply = r.replyDeadline?.getTime() ?? d.replyDeadline;
		const set = [
			sign !== null && !r.signDeadline ? `签收 ${formatDeadline(new Date(sign).toISOString())}` : null,
			!r.replyDeadline ? `答复 ${formatDeadline(new Date(reply).toISOString())}` : null
		].filter(Boolean);
		out.set(r.id, `（来源系统未报时限，按本平台时限自登记时间起算：${set.join('，')}）`);
		return { id: r.id, sign: sign === null ? null : new Date(sign).toISOString(), reply: new Date(reply).toISOString() };
	});
	await tx.execute(sql`UPDATE tickets t SET sign_deadline = v.sign, reply_deadline = v.reply
		FROM json_to_recordset(${JSON.stringify(values)}::json) AS v(id int, sign timestamptz, reply timestamptz) WHERE t.id = v.id`);
	return out;
}

/** A feed's version awaiting its return visit, with the reply to count the visit's limit from. */
const awaitsVisit = (t: FeedTicket) => t.fact.status === 'replied' && t.fact.replied_at !== null;

/** What a feed version's event keeps for the unit's handling round: the visit and the handling times it reports (epoch ms). */
function roundData(f: FactRow): Record<string, string | number> | null {
	const data: Record<string, string | number> = {};
	if (f.satisfaction) data.satisfaction = f.satisfaction;
	if (f.sign_deadline !== null) data.signDeadline = f.sign_deadline;
	if (f.signed_at !== null) data.signedAt = f.signed_at;
	if (f.reply_deadline !== null) data.replyDeadline = f.reply_deadline;
	if (f.replied_at !== null) data.repliedAt = f.replied_at;
	return Object.keys(data).length ? data : null;
}

/**
 * The unit's steps a feed's version reports, for its event's note (the timeline has no sign or reply event of them):
 * （来源系统记录：签收 2026-12-01 10:00，答复 2026-12-04 10:00）, or '' when it reports none.
 */
function stepsReported(f: FactRow): string {
	const steps = [
		f.signed_at !== null ? `签收 ${formatShanghaiTime(new Date(f.signed_at).toISOString())}` : null,
		f.replied_at !== null ? `答复 ${formatShanghaiTime(new Date(f.replied_at).toISOString())}` : null
	].filter(Boolean);
	return steps.length ? `（来源系统记录：${steps.join('，')}）` : '';
}

/**
 * An ingest's counts for the server's log (a push, an upload, a drop-folder file): 读取 3 条，新增 2，更新 0，重复 0，过时 0，
 * 隔离 1（bad_json 1），标记 1（unknown_urgency 1） — the reasons of what was refused, the flags of what was kept not as sent.
 */
export function summaryCounts(s: IngestSummary): string {
	const list = (o: Record<string, number>) => Object.entries(o).map(([k, n]) => `${k} ${n}`).join('，');
	const flagged = Object.values(s.flagged).reduce((a, n) => a + n, 0);
	return (
		`读取 ${s.read} 条，新增 ${s.accepted}，更新 ${s.updated}，重复 ${s.duplicates}，过时 ${s.stale}，隔离 ${s.quarantined}` +
		(s.quarantined ? `（${list(s.quarantinedByReason)}）` : '') +
		(flagged ? `，标记 ${flagged}（${list(s.flagged)}）` : '')
	);
}

const afterIngestHooks: ((app: App) => void)[] = [];

/** Runs `f` after each ingest that accepted or updated tickets (emerging-incident detection). */
export function afterIngest(f: (app: App) => void): void {
	if (!afterIngestHooks.includes(f)) afterIngestHooks.push(f);
}

const KEY = Symbol.for('minqing.ingest');
type Holder = { [KEY]?: IngestService };

/** The server's ingest service, created on first use. */
export function ingestService(app: App): IngestService {
	const g = globalThis as Holder;
	return (g[KEY] ??= new IngestService(app));
}

/** The log line of a rollup rewrite (clusterRollups), for the CLI and the server alike. */
export function clusteredMessage(c: Clustered): string {
	return `[minqing] 汇总表已整理：${c.fromDay} 起 ${c.rows.toLocaleString('zh-CN')} 行，用时 ${c.seconds.toFixed(1)} 秒`;
}
