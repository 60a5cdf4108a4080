// The server's background text work: analysing tickets that arrived without tokens (after the demo
// generation, after case-handling changes), then keeping topics and the classifier current. It is also the
// server's hourly round, so it runs the analytics store's upkeep too (the rollups' row order). One job at a
// time; failures are logged and retried on the next trigger, never fatal to the server.
import type { App } from '../app';
import { afterIngest, clusteredMessage, ingestService } from '../ingest';
import { afterSync } from '../sync';
import { onShutdown } from '../presence';
import { CoalescingJob, waitAtMost } from '../jobs';
import { pendingEnrichment } from '$pipelines/text/enrich';
import { canTrain, modelIsStale, modelPath, retrain } from './classifier';
import { querySegmenterReady } from './segmenter';
import { assignNewTickets, latestRun, runTopics } from '$pipelines/text/topics';
import { shanghaiDayHour } from '$pipelines/warehouse/facts';
import { withoutParameters } from '../log';
import { join } from 'node:path';
import { fileTerms, loadStopWords } from '$pipelines/segment/index';

export interface TextStatus {
	/** tickets still waiting for their text analysis */
	pending: number;
	running: boolean;
	lastError: string | null;
}

const KEY = Symbol.for('minqing.text');
interface State {
	job: CoalescingJob | null;
	log: (m: string) => void;
	lastError: string | null;
	scheduled: ((app: App) => Promise<void>)[];
	/** rounds finished since the server started (/healthz; the intake bench checks that the analysis ran during its load) */
	rounds: number;
}
function state(): State {
	const g = globalThis as { [KEY]?: State };
	return (g[KEY] ??= { job: null, log: (m) => console.log(m), lastError: null, scheduled: [], rounds: 0 });
}

/** Work that runs after each text analysis round (topic assignment, scheduled retraining). */
export function onTextRound(f: (app: App) => Promise<void>): void {
	const s = state();
	if (!s.scheduled.includes(f)) s.scheduled.push(f);
}

/**
 * A round after new or changed tickets: a sync's (changes made here) and an ingest's (a drop-folder file, a push,
 * an upload), whose tickets come analysed but not yet assigned to the topics. Requests coalesce (see
 * requestTextRound): a stream of pushes gives one round per TEXT_ROUND_GAP_MS, not one per push.
 */
function roundAfterChanges(app: App): void {
	void requestTextRound(app, state().log);
}

/** Starts the background work; safe to call more than once. */
export function startTextWork(app: App, log: (m: string) => void = (m) => console.log(m)): void {
	const s = state();
	afterSync(roundAfterChanges);
	afterIngest(roundAfterChanges);
	void requestTextRound(app, log);
	// a new version's dictionary files: the tickets their changed words concern are analysed again
	shippedDictionaryCheck(app).catch((e) => log(`[minqing] 词典文件核对失败：${(e as Error).message}`));
	const job = s.job!;
	if (job.scheduled) return;
	// the schedule (topic runs, retraining) is checked every hour
	job.every(3_600_000);
	onShutdown(async () => {
		// no round starts any more (nor one a sync or an ingest asks for); a batch in flight commits or not at
		// all: wait a little for it, not for the whole round
		job.close();
		await waitAtMost(textIdle(), 5000);
	});
}

/**
 * Rollup rows written out of order (by syncs and pushes, one small batch after another) are put back in order
 * once they have been so this long: a month's rows are rewritten about once an hour, not after every write.
 */
const ROLLUP_ORDER_AFTER_MS = 3_600_000;

/** Under a steady stream of new tickets, text rounds start at most this often. */
const TEXT_ROUND_GAP_MS = 5_000;

/** One round: analyse pending tickets, then the scheduled work. Coalesces requests while running. */
export function requestTextRound(app: App, log: (m: string) => void = (m) => console.log(m)): Promise<void> {
	const s = state();
	s.log = log;
	s.job ??= new CoalescingJob(async () => {
		try {
			await textRound(app, s.log);
			s.lastError = null;
			s.rounds++;
		} catch (e) {
			s.lastError = (e as Error).message;
			console.error('[minqing] text analysis failed (retried on the next change or within the hour):', withoutParameters(e));
		}
	}, TEXT_ROUND_GAP_MS);
	return s.job.request();
}

async function textRound(app: App, log: (m: string) => void): Promise<void> {
	let lastPct = -1;
	const t0 = performance.now();
	const n = await ingestService(app).enrichText((done, pending) => {
		const pct = Math.floor((done / (done + pending)) * 10) * 10;
		if (pct !== lastPct && done + pending > 20_000) {
			lastPct = pct;
			log(`[minqing] 文本分析 ${pct}%（${done.toLocaleString('zh-CN')} / ${(done + pending).toLocaleString('zh-CN')}）`);
		}
	}, log);
	if (n > 1000) log(`[minqing] 文本分析完成：${n.toLocaleString('zh-CN')} 条工单，用时 ${((performance.now() - t0) / 1000).toFixed(1)} 秒`);
	const clustered = await ingestService(app).maintainRollups(ROLLUP_ORDER_AFTER_MS);
	if (clustered && clustered.seconds > 1) log(clusteredMessage(clustered));
	await topicsRound(app, log);
	if (modelPath(app) && modelIsStale(app) && (await canTrain(app))) {
		const r = await retrain(app);
		log(`[minqing] 分类模型已训练：${r.examples.toLocaleString('zh-CN')} 条样本，用时 ${r.seconds.toFixed(1)} 秒`);
	}
	for (const f of state().scheduled) await f(app);
}

/**
 * After a change of the dictionary (设置 › 词典): the server's segmenter loads it at once, in its own thread (a second
 * or two, on the administrator's request rather than on an operator's next suggestion, which meanwhile gets the
 * dictionary before the change), and this waits for it; the analysed tickets whose text contains
 * one of `words` are marked in the ingest queue and analysed again by a text round, with the dictionary as it is then.
 * Resolves to how many were marked, once they are (the round runs in the background).
 */
export async function dictionaryChanged(app: App, words: string[]): Promise<number> {
	await querySegmenterReady(app.ref);
	const n = await ingestService(app).forgetTokensContaining(words);
	if (n) {
		const named = words.length > 10 ? `${words.slice(0, 10).join('、')} 等 ${words.length} 个词` : words.join('、');
		state().log(`[minqing] 词典有变（${named}）：${n.toLocaleString('zh-CN')} 条含该词的工单将按新词典重新分析`);
		void requestTextRound(app, state().log);
	}
	return n;
}

/** The analytics store's record of the dictionary files its tickets were analysed with (shippedDictionaryCheck). */
const SHIPPED_DICTIONARY = 'shipped_dictionary';

/** The dictionary files' entries by word: a stop word as `stop`, a term as `term <weight> <tag>`. */
export function shippedDictionary(dictDir: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const w of loadStopWords(dictDir)) out[w] = 'stop';
	for (const t of fileTerms(dictDir)) out[t.word] = `term ${t.freq} ${t.tag}`;
	return out;
}

/** The words whose entry two records of the files do not share: added, taken out, or changed (a stop word made a term, a weight). */
export function dictionaryDiff(before: Record<string, string>, after: Record<string, string>): string[] {
	const words = new Set([...Object.keys(before), ...Object.keys(after)]);
	return [...words].filter((w) => before[w] !== after[w]).sort();
}

/**
 * A new version's dictionary files reach the tickets analysed before it: at start, the words whose entry differs
 * from the files the store last recorded are handled as a change in 设置 › 词典 (dictionaryChanged: the analysed
 * tickets containing one are analysed again in the background), and the files are recorded. A store with no record
 * (a new one, or one from a version before the record was kept) records the files as they are. Resolves to how
 * many tickets were marked.
 */
export async function shippedDictionaryCheck(app: App): Promise<number> {
	const now = shippedDictionary(join(app.config.referenceDir, 'dict'));
	const stored = await ingestService(app).readMeta(SHIPPED_DICTIONARY);
	let before: Record<string, string> | null = null;
	try {
		before = stored ? (JSON.parse(stored) as Record<string, string>) : null;
	} catch {
		before = null; // an unreadable record: recorded anew
	}
	const changed = before ? dictionaryDiff(before, now) : [];
	if (before && !changed.length) return 0;
	const n = changed.length ? await dictionaryChanged(app, changed) : 0;
	await ingestService(app).writeMeta(SHIPPED_DICTIONARY, JSON.stringify(now));
	return n;
}

/** Topics: a full run when there is none or the latest is from another day; otherwise new tickets are assigned. */
async function topicsRound(app: App, log: (m: string) => void): Promise<void> {
	await ingestService(app).withIngestor(async (_ingestor, conn) => {
		const run = await latestRun(conn);
		const today = shanghaiDayHour(Date.now()).day;
		if (!run || run.createdAt.slice(0, 10) < today || run.periodTo < today) {
			const r = await runTopics(conn, app.ref, { days: TOPIC_DAYS });
			if (r)
				log(
					`[minqing] 话题聚类完成：${r.periodFrom} 至 ${r.periodTo} 共 ${r.tickets.toLocaleString('zh-CN')} 条工单，${r.k} 个话题，用时 ${r.seconds.toFixed(1)} 秒`
				);
		} else await assignNewTickets(conn);
	});
}

/** Days in a topic run's period. */
export const TOPIC_DAYS = 30;

/** Text rounds finished since the server started. */
export function textRounds(): number {
	return state().rounds;
}

export async function textStatus(app: App): Promise<TextStatus> {
	const s = state();
	return { pending: await pendingEnrichment(app.analytics.conn), running: !!s.job?.busy, lastError: s.lastError };
}

/** Resolves when the current round (if any) has finished (tests, shutdown). */
export async function textIdle(): Promise<void> {
	await state().job?.idle();
}
