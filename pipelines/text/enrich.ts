// Text enrichment of tickets that reached the analytics store without tokens: demo history, and tickets
// written by the case-handling module (the sync leaves tokens empty when a ticket's text changed). Each batch
// gets tokens, keywords and sentiment and enters the text index (term_df, term_daily, search_postings) in one
// transaction, so a crash repeats at most one batch. The ingest pipeline does the same inside its merge.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBDateValue } from '@duckdb/node-api';
import { forEachInSlices, rowsInTurns } from '../event-loop';
import { openGate, rollbackQuietly, type WriteGate } from '../warehouse/tx';
import { addTermStats, keywordsQuery, removeTermStats, splitTokensSql, termFrequencySql } from '../warehouse/text-index';
import { getMeta, setMeta } from '../warehouse/schema';
import { ANALYSIS_VERSION, shownTicketText, ticketText, UPGRADE_TEXTS, type TextAnalysis } from './ticket-analysis';

export type { TextAnalysis } from './ticket-analysis';
export { ticketText } from './ticket-analysis';

export interface TextAnalyzer {
	/** the analysis of each ticketText (ticket-analysis.ts: of the text as the analytics show it), in input order */
	analyze(texts: string[]): Promise<TextAnalysis[]>;
}

export interface EnrichOptions {
	/** tickets per transaction (default 50,000) */
	batch?: number;
	onProgress?: (done: number, pending: number) => void;
	/** each transaction goes through it (see WriteGate; default: open) */
	gate?: WriteGate;
	/** told when a store analysed by another version is looked through (forgetUnmaskedTokens) */
	log?: (message: string) => void;
	/**
	 * Run between two batches and between two pages of the look through an older store, with no transaction open
	 * (the server: the pushes waiting in the ingest queue, so that a long round does not hold them). What it writes
	 * is taken as a sync's writes are: a ticket whose text it changes stays pending for the next round.
	 */
	betweenBatches?: () => Promise<void>;
}

/** Counts the tickets still without tokens. */
export async function pendingEnrichment(conn: DuckDBConnection): Promise<number> {
	return Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE tokens IS NULL`)).getRows()[0][0]);
}

/**
 * Enriches every ticket without tokens; returns how many it enriched. A few pending tickets are updated in
 * place, batch by batch; when most of the store is pending (a demo history, an upgrade), all are analysed
 * first and the table is rewritten once (far faster than updating millions of rows; all or nothing).
 */
export async function enrichPending(conn: DuckDBConnection, analyzer: TextAnalyzer, o: EnrichOptions = {}): Promise<number> {
	const batch = o.batch ?? 50_000;
	const gate = o.gate ?? openGate;
	await forgetUnmaskedTokens(conn, gate, o.log, o.betweenBatches);
	const pending = await pendingEnrichment(conn);
	if (!pending) return 0;
	const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact`)).getRows()[0][0]);
	const bulk = pending > 2 * batch && pending > total / 2;
	let done = 0;
	let after = '';
	// text_hash: what the analysis was made of; a ticket whose text or day changed meanwhile (a sync) is left pending
	await conn.run(
		`CREATE OR REPLACE TEMP TABLE enrich_stage (ticket_no VARCHAR, day DATE, tokens_joined VARCHAR, sentiment DOUBLE, intensity DOUBLE, text_hash UBIGINT)`
	);
	for (;;) {
		// converted chunk by chunk: in the server, registrations are answered between the chunks
		const rows = await rowsInTurns(
			await conn.run(
				`SELECT ticket_no, strftime(day, '%Y-%m-%d'), title, content, ${TEXT_HASH} FROM tickets_fact
				 WHERE tokens IS NULL AND ticket_no > $after ORDER BY ticket_no LIMIT ${batch}`,
				{ after }
			)
		);
		if (!rows.length) break;
		after = String(rows[rows.length - 1][0]);
		await stageAnalyses(conn, rows, await analyzer.analyze(rows.map((r) => ticketText(r[2] as string | null, r[3] as string | null))));
		if (!bulk) {
			await gate(() => applyStage(conn, false));
			await conn.run(`CREATE OR REPLACE TEMP TABLE enrich_stage AS SELECT * FROM enrich_stage LIMIT 0`);
		}
		done += rows.length;
		o.onProgress?.(Math.min(done, pending), Math.max(0, pending - done));
		await o.betweenBatches?.();
	}
	if (bulk && done) await gate(() => applyStage(conn, true));
	return done;
}

/** Tickets read per statement when a store analysed by another version is looked through. */
const UPGRADE_PAGE = 50_000;
/** Texts compared between two turns of the event loop (a few milliseconds). */
const UPGRADE_SLICE = 250;

/**
 * The analysed tickets whose text as shown differs from the text as stored, of a store whose tokens were made by
 * analysis version `from` (null: before versions were kept): only the texts the step to ANALYSIS_VERSION can change
 * (UPGRADE_TEXTS) are compared, all of them for a step not listed. Reads only. `onCount` is told how many texts
 * will be compared before the look; `betweenPages` runs after each page read.
 */
export async function unmaskedTickets(
	conn: DuckDBConnection,
	from: string | null,
	o: { onCount?: (n: number) => void; betweenPages?: () => Promise<void> } = {}
): Promise<{ looked: number; tickets: string[] }> {
	const which = `tokens IS NOT NULL AND (${UPGRADE_TEXTS[`${from}>${ANALYSIS_VERSION}`] ?? 'true'})`;
	const looked = Number((await conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE ${which}`)).getRows()[0][0]);
	o.onCount?.(looked);
	const tickets: string[] = [];
	// by ranges of row ids, each read by its zone maps (pages ordered by ticket number would sort the whole table
	// each time); a version a sync writes meanwhile lands after the last range and is read there
	for (let lo = 0; ; lo += UPGRADE_PAGE) {
		const end = Number((await conn.runAndReadAll(`SELECT coalesce(max(rowid), -1) FROM tickets_fact`)).getRows()[0][0]);
		if (lo > end) break;
		const rows = await rowsInTurns(
			await conn.run(`SELECT ticket_no, title, content FROM tickets_fact WHERE rowid >= ${lo} AND rowid < ${lo + UPGRADE_PAGE} AND ${which}`)
		);
		await forEachInSlices(rows, UPGRADE_SLICE, (r) => {
			const text = ticketText(r[1] as string | null, r[2] as string | null);
			if (shownTicketText(text) !== text) tickets.push(String(r[0]));
		});
		await o.betweenPages?.();
	}
	return { looked, tickets };
}

/**
 * A store whose tokens were made by another ANALYSIS_VERSION (before 2: of the texts as stored, where a name the
 * screens show masked, 我叫王**, was a word the search found): the tickets whose text as shown differs from the
 * text as stored leave the text index and get their tokens cleared, so this round analyses them again; the others
 * keep theirs, which the new analysis would make alike. Once per store (meta analysis_version); returns how many
 * tickets it cleared. `betweenPages` runs after each page read (EnrichOptions.betweenBatches).
 */
export async function forgetUnmaskedTokens(
	conn: DuckDBConnection,
	gate: WriteGate = openGate,
	log: (message: string) => void = () => {},
	betweenPages?: () => Promise<void>
): Promise<number> {
	const from = await getMeta(conn, 'analysis_version');
	if (from === ANALYSIS_VERSION) return 0;
	const t0 = performance.now();
	const { looked: analysed, tickets: unmasked } = await unmaskedTickets(conn, from, {
		onCount: (n) => {
			if (n) log(`[minqing] 文本分析升级：检查 ${n.toLocaleString('zh-CN')} 条已分析工单的文本中是否有需遮盖的个人信息（一次性）`);
		},
		betweenPages
	});
	await gate(async () => {
		await conn.run('BEGIN TRANSACTION');
		try {
			if (unmasked.length) {
				await conn.run(`CREATE OR REPLACE TEMP TABLE unmasked_tokens AS SELECT unnest(from_json($nos::JSON, '["VARCHAR"]')) AS ticket_no`, { nos: JSON.stringify(unmasked) });
				await clearTokens(conn, 'unmasked_tokens');
			}
			await setMeta(conn, 'analysis_version', ANALYSIS_VERSION);
			await conn.run('COMMIT');
		} catch (e) {
			await rollbackQuietly(conn);
			throw e;
		}
	});
	if (analysed)
		log(
			`[minqing] 文本分析升级完成：${unmasked.length.toLocaleString('zh-CN')} 条工单将按遮盖个人信息后的文本重新分析，检查用时 ${((performance.now() - t0) / 1000).toFixed(1)} 秒`
		);
	return unmasked.length;
}

/** The tickets of a temp table (ticket_no) leave the text index and lose their tokens: the next round analyses them. Drops the table. */
async function clearTokens(conn: DuckDBConnection, table: string): Promise<number> {
	await removeTermStats(conn, table);
	const n = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0][0]);
	await conn.run(`UPDATE tickets_fact SET tokens = NULL, keywords = NULL WHERE ticket_no IN (SELECT ticket_no FROM ${table})`);
	await conn.run(`DROP TABLE ${table}`);
	return n;
}

/**
 * The analysed tickets whose title or content contains one of `words` leave the text index and lose their tokens, so
 * the next round analyses them again (a word the segmentation dictionary gained or lost, a stop word added or taken
 * back: 设置 › 词典). One transaction; returns how many tickets it cleared.
 */
export async function forgetTokensContaining(conn: DuckDBConnection, words: readonly string[], gate: WriteGate = openGate): Promise<number> {
	const list = [...new Set(words.filter((w) => w !== ''))];
	if (!list.length) return 0;
	return gate(async () => {
		await conn.run('BEGIN TRANSACTION');
		try {
			await conn.run(
				`CREATE OR REPLACE TEMP TABLE lexicon_tokens AS
				 SELECT ticket_no FROM tickets_fact, (SELECT lower(unnest(from_json($words::JSON, '["VARCHAR"]'))) AS w) words
				 WHERE tokens IS NOT NULL AND (contains(lower(coalesce(title, '')), w) OR contains(lower(coalesce(content, '')), w))
				 GROUP BY ticket_no`,
				{ words: JSON.stringify(list) }
			);
			const n = await clearTokens(conn, 'lexicon_tokens');
			await conn.run('COMMIT');
			return n;
		} catch (e) {
			await rollbackQuietly(conn);
			throw e;
		}
	});
}

/** A ticket's text and day as analysed, over tickets_fact's columns (optionally qualified). */
const textHash = (t = '') => `hash(${t}title, ${t}content, ${t}day)`;
const TEXT_HASH = textHash();

/** Analyses appended between two turns of the event loop (the appender is synchronous). */
const STAGE_SLICE = 1000;

async function stageAnalyses(conn: DuckDBConnection, rows: unknown[][], analyses: TextAnalysis[]): Promise<void> {
	const app = await conn.createAppender('enrich_stage', 'main', 'temp');
	const append = (row: unknown[], i: number) => {
		const a = analyses[i];
		app.appendVarchar(String(row[0]));
		app.appendDate(new DuckDBDateValue(Math.round(Date.parse(`${row[1]}T00:00:00Z`) / 86_400_000)));
		app.appendVarchar(a.tokens);
		if (a.sentiment === null) app.appendNull();
		else app.appendDouble(a.sentiment);
		if (a.intensity === null) app.appendNull();
		else app.appendDouble(a.intensity);
		app.appendUBigInt(row[4] as bigint);
		app.endRow();
	};
	await forEachInSlices(rows, STAGE_SLICE, append, () => app.flushSync());
	app.closeSync();
}

/** Tickets per chunk of the statistics when a bulk is applied (bounds the memory of the term tables). */
const BULK_CHUNK = 1_000_000;

/** The staged analyses into the text index and tickets_fact, in one transaction. */
async function applyStage(conn: DuckDBConnection, rewrite: boolean): Promise<void> {
	await conn.run('BEGIN TRANSACTION');
	try {
		// analyses of a text that is no longer the ticket's (a sync wrote another version after it was read) go:
		// the ticket stays pending and its new text is analysed in the next round
		await conn.run(`DELETE FROM enrich_stage s WHERE NOT EXISTS (SELECT 1 FROM tickets_fact f
			WHERE f.ticket_no = s.ticket_no AND f.tokens IS NULL AND ${textHash('f.')} = s.text_hash)`);
		await conn.run(`CREATE OR REPLACE TEMP TABLE enrich_kw (ticket_no VARCHAR, keywords VARCHAR[])`);
		// the statistics chunk by chunk (each chunk's keywords see the corpus as it stands with that chunk)
		const [lo, hi] = (await conn.runAndReadAll(`SELECT coalesce(min(rowid), 0), coalesce(max(rowid), -1) FROM enrich_stage`)).getRows()[0].map(Number);
		for (let start = lo; start <= hi; start += BULK_CHUNK) {
			await conn.run(`CREATE OR REPLACE TEMP TABLE enrich_tf AS ${termFrequencySql(`SELECT ticket_no, day, tokens_joined AS joined FROM enrich_stage
				WHERE rowid >= ${start} AND rowid < ${start + BULK_CHUNK}`)}`);
			const docs = Number((await conn.runAndReadAll(`SELECT count(*) FROM enrich_stage WHERE rowid >= ${start} AND rowid < ${start + BULK_CHUNK}`)).getRows()[0][0]);
			await addTermStats(conn, 'enrich_tf', docs);
			await conn.run(`INSERT INTO enrich_kw ${keywordsQuery('enrich_tf', 'ticket_no')}`);
		}
		await conn.run(`DROP TABLE enrich_tf`);
		const analysed = `SELECT s.ticket_no, ${splitTokensSql('s.tokens_joined')} AS tokens, coalesce(k.keywords, []::VARCHAR[]) AS keywords,
		                         s.sentiment, s.intensity
		                  FROM enrich_stage s LEFT JOIN enrich_kw k USING (ticket_no)`;
		if (rewrite) {
			const cols = (await conn.runAndReadAll(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'tickets_fact' AND schema_name = 'main' ORDER BY column_index`))
				.getRows()
				.map((r) => String(r[0]));
			const pick = (c: string) => (['tokens', 'keywords', 'sentiment', 'intensity'].includes(c) ? `CASE WHEN f.tokens IS NULL THEN u.${c} ELSE f.${c} END AS ${c}` : `f.${c}`);
			await conn.run(`CREATE OR REPLACE TABLE tickets_fact_enriched AS
				SELECT ${cols.map(pick).join(', ')} FROM tickets_fact f LEFT JOIN (${analysed}) u USING (ticket_no) ORDER BY f.day, f.ticket_no`);
			await conn.run(`DROP TABLE tickets_fact`);
			await conn.run(`ALTER TABLE tickets_fact_enriched RENAME TO tickets_fact`);
		} else {
			await conn.run(`UPDATE tickets_fact f SET tokens = u.tokens, keywords = u.keywords, sentiment = u.sentiment, intensity = u.intensity
				FROM (${analysed}) u WHERE f.ticket_no = u.ticket_no AND f.tokens IS NULL`);
		}
		await conn.run('COMMIT');
	} catch (e) {
		await rollbackQuietly(conn);
		throw e;
	}
}
