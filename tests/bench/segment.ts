// `npm run bench -- segment [--no-ablation] [--pool N] [--repeat R] [--eval-dir DIR] [--tickets N]`
//
// Times the first segmenter of the process (nodejieba loads its dictionaries synchronously on that thread).
// Segments the SIGHAN 2005 PKU test set (../shared/data/eval/icwb2: research/evaluation use only, read in place,
// never copied) and scores it against the gold file as the bakeoff's `score` script does (P/R/F1, OOV recall
// with pku_training_words.utf8). Prints, in one process (the segmenter reloads nodejieba's process-global
// dictionary when the configuration changes):
//   - the ablation: each segmentation change, cumulatively, and what it did to F1;
//   - the final configuration with and without the user dictionary, with characters/s (best of R runs);
//   - characters/s of a SegmentPool with N worker threads;
//   - the domain check: hotline phrases (data/dict/domain-check.tsv) whose domain words must stay whole;
//   - what a segmentation worker does per ticket, on one thread, over the texts of N demo tickets (the ingest
//     bench's feed): the masking (shownTicketText), cut, tokensOf and the sentiment, each timed (best of R).
// The last needs no evaluation set, so it runs also when the PKU files are missing.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createSegmenter, DEFAULT_RULES, loadDomainCheck, type Segmenter, type SegmenterOptions, type SegmentRules } from '../../pipelines/segment/index';
import { SegmentPool } from '../../pipelines/segment/pool';
import { ThreadSegmenter } from '../../pipelines/segment/thread-segmenter';
import { fileLines, sighanScore, toWordSet, type SighanScore } from '../../pipelines/segment/sighan';
import { loadSentimentLexicon, sentimentOf } from '../../pipelines/text/sentiment';
import { shownTicketText } from '../../pipelines/text/ticket-analysis';
import { feedTexts } from '../support/feed';
import { quantile } from './stats';

const ROOT = resolve(import.meta.dirname, '..', '..');
const EVAL_DIR = resolve(ROOT, '..', 'shared', 'data', 'eval', 'icwb2');

const OFF: SegmentRules = { numbers: false, punctRuns: false, numeralClassifier: false, names: false, pruneRare: false, pruneOrgs: false };

/** The ablation: each step adds one change to the previous one. */
const STEPS: Array<{ label: string; opts: SegmenterOptions }> = [
	{ label: 'nodejieba as shipped (HMM on, its dictionary)', opts: { userDict: false, hmm: true, rules: OFF } },
	{ label: 'HMM off', opts: { userDict: false, hmm: false, rules: OFF } },
	{ label: '+ numbers, dates, Latin runs', opts: { userDict: false, rules: { ...OFF, numbers: true } } },
	{ label: '+ runs of ——/……', opts: { userDict: false, rules: { ...OFF, numbers: true, punctRuns: true } } },
	{ label: '+ numeral | classifier', opts: { userDict: false, rules: { ...OFF, numbers: true, punctRuns: true, numeralClassifier: true } } },
	{ label: '+ surname | given name', opts: { userDict: false, rules: { ...DEFAULT_RULES, pruneRare: false, pruneOrgs: false } } },
	{ label: '+ dictionary: drop rare long compounds', opts: { userDict: false, rules: { ...DEFAULT_RULES, pruneOrgs: false } } },
	{ label: '+ dictionary: drop organisation names ≥ 4', opts: { userDict: false } },
	{ label: '+ user dictionary (= default)', opts: { userDict: true } },
	{ label: '(default, but HMM on)', opts: { userDict: true, hmm: true } }
];

interface Row {
	label: string;
	score: SighanScore;
	charsPerSecond: number;
}

function table(rows: string[][]): string {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
	return rows.map((r) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ')).join('\n');
}

const f3 = (x: number | null) => (x === null ? '—' : x.toFixed(3));
const f4 = (x: number) => x.toFixed(4);

export async function segmentBench(argv: string[]): Promise<void> {
	const { values } = parseArgs({
		args: argv,
		options: {
			'no-ablation': { type: 'boolean', default: false },
			pool: { type: 'string', default: '2' },
			repeat: { type: 'string', default: '3' },
			'eval-dir': { type: 'string', default: EVAL_DIR },
			tickets: { type: 'string', default: '100000' },
			'pool-cycles': { type: 'string', default: '3' }
		}
	});
	const evalDir = resolve(values['eval-dir']);
	const testFile = join(evalDir, 'pku_test.utf8');
	const goldFile = join(evalDir, 'pku_test_gold.utf8');
	const trainFile = join(evalDir, 'pku_training_words.utf8');
	// what a thread pays, synchronously, the first time it segments (the server loads its own at start, hooks.server.ts)
	const tLoad = performance.now();
	const local = createSegmenter({});
	console.log(`first segmenter in this process (default configuration, dictionaries loaded): ${Math.round(performance.now() - tLoad)} ms`);
	await threadSegmenterFigures(local);
	await poolMemory(Math.max(0, Math.floor(Number(values['pool-cycles'])) || 0));

	const missing = [testFile, goldFile].filter((f) => !existsSync(f));
	if (missing.length > 0) {
		console.log(`segment benchmark: the PKU evaluation set is missing — looked for:\n${missing.map((f) => `  ${f}`).join('\n')}`);
		console.log('(SIGHAN 2005 icwb2-data, research use only: it is not part of this repository.) No F1 or characters/s.');
		ticketAnalysis(Number(values.tickets), Math.max(1, Number(values.repeat) || 1));
		return;
	}
	const test = fileLines(readFileSync(testFile, 'utf8'));
	const gold = fileLines(readFileSync(goldFile, 'utf8'));
	const training = existsSync(trainFile) ? toWordSet(readFileSync(trainFile, 'utf8')) : undefined;
	const chars = test.reduce((n, l) => n + l.length, 0);
	const repeat = Math.max(1, Number(values.repeat) || 1);
	console.log(
		`segment: PKU test set, ${test.length.toLocaleString('en')} lines, ${chars.toLocaleString('en')} characters; scored as SIGHAN's score does` +
			(training ? ` (OOV = not in pku_training_words, ${training.size.toLocaleString('en')} words)` : ' (no training word list: no OOV recall)')
	);

	const run = (label: string, opts: SegmenterOptions, times: number): Row => {
		const t0 = performance.now();
		const seg = createSegmenter(opts);
		const loadMs = performance.now() - t0;
		let best = Infinity;
		let out: string[] = [];
		for (let r = 0; r < times; r++) {
			const t1 = performance.now();
			out = test.map((l) => seg.cut(l).join(' '));
			best = Math.min(best, performance.now() - t1);
		}
		if (loadMs > 500) console.error(`  … ${label}: dictionaries loaded in ${(loadMs / 1000).toFixed(1)} s`);
		return { label, score: sighanScore(gold, out, training), charsPerSecond: chars / (best / 1000) };
	};

	// 1. Ablation (cumulative changes, without and then with the user dictionary).
	if (!values['no-ablation']) {
		console.log('\nEach change, cumulatively (F1 goal ≥ 0.90):');
		const rows: string[][] = [['change', 'P', 'R', 'F1', 'ΔF1', 'OOV R', 'IV R']];
		let prev: number | null = null;
		for (const step of STEPS) {
			const r = run(step.label, step.opts, 1);
			const d = prev === null ? '' : `${r.score.f1 - prev >= 0 ? '+' : ''}${(r.score.f1 - prev).toFixed(4)}`;
			if (!step.label.startsWith('(')) prev = r.score.f1;
			rows.push([step.label, f4(r.score.precision), f4(r.score.recall), f4(r.score.f1), d, f3(r.score.oovRecall), f3(r.score.ivRecall)]);
		}
		console.log(table(rows));
	}

	// 2. The default configuration with and without the user dictionary, with speed.
	console.log(`\nDefault configuration (best of ${repeat} runs for characters/s, one thread):`);
	const finals = [run('with user dictionary', { userDict: true }, repeat), run('without user dictionary', { userDict: false }, repeat)];
	const rows: string[][] = [['configuration', 'P', 'R', 'F1', 'OOV R', 'IV R', 'chars/s', 'goal F1 ≥ 0.90']];
	for (const r of finals)
		rows.push([r.label, f4(r.score.precision), f4(r.score.recall), f4(r.score.f1), f3(r.score.oovRecall), f3(r.score.ivRecall), Math.round(r.charsPerSecond).toLocaleString('en'), r.score.f1 >= 0.9 ? 'met' : 'missed']);
	console.log(table(rows));

	// 3. Worker pool throughput.
	const poolSize = Math.max(0, Math.floor(Number(values.pool) || 0));
	if (poolSize > 0) {
		const t0 = performance.now();
		const pool = await SegmentPool.create(poolSize, { userDict: true });
		const startMs = performance.now() - t0;
		try {
			const texts = [...test, ...test, ...test];
			let best = Infinity;
			for (let r = 0; r < repeat; r++) {
				const t1 = performance.now();
				await pool.tokenize(texts);
				best = Math.min(best, performance.now() - t1);
			}
			console.log(
				`\nSegmentPool, ${poolSize} worker thread(s), tokenize(): ${Math.round((3 * chars) / (best / 1000)).toLocaleString('en')} chars/s` +
					` (start-up ${(startMs / 1000).toFixed(1)} s: each worker loads the dictionaries)`
			);
		} finally {
			await pool.close();
		}
	}

	// 4. Domain check.
	const checks = loadDomainCheck(join(ROOT, 'data', 'dict'));
	const whole = (opts: SegmenterOptions) => {
		const seg = createSegmenter(opts);
		let ok = 0;
		const failed: string[] = [];
		for (const c of checks) {
			const words = new Set(seg.cut(c.phrase));
			for (const w of c.words) {
				if (words.has(w)) ok++;
				else failed.push(`${w} (${seg.cut(c.phrase).join(' ')})`);
			}
		}
		return { ok, failed };
	};
	const total = checks.reduce((n, c) => n + c.words.length, 0);
	const withDict = whole({ userDict: true });
	const withoutDict = whole({ userDict: false });
	console.log(`\nDomain check: ${checks.length} hotline phrases, ${total} domain words that must stay whole`);
	console.log(`  with user dictionary:    ${withDict.ok}/${total} whole`);
	console.log(`  without user dictionary: ${withoutDict.ok}/${total} whole`);
	for (const f of withDict.failed) console.log(`  split with the dictionary: ${f}`);

	// 5. What a segmentation worker does per ticket.
	ticketAnalysis(Number(values.tickets), repeat);
}

/**
 * What a segmentation worker does per ticket (pipelines/segment/worker.mjs, 'analyze': ticketAnalysis), here on this
 * thread: mask the text as the screens show it (shownTicketText), cut it, then tokensOf and the sentiment of the
 * words, over the texts of `n` demo tickets (the tickets of the ingest bench's feed of that size); each step timed,
 * best of `repeat`.
 */
function ticketAnalysis(n: number, repeat: number): void {
	if (!(n > 0)) return;
	const texts = feedTexts({ records: Math.floor(n) });
	const chars = texts.reduce((k, t) => k + t.length, 0);
	const seg = createSegmenter({});
	const lexicon = loadSentimentLexicon();
	const best = { mask: Infinity, cut: Infinity, tokens: Infinity, sentiment: Infinity };
	for (let r = 0; r < repeat; r++) {
		let t = performance.now();
		const shown = texts.map(shownTicketText);
		best.mask = Math.min(best.mask, performance.now() - t);
		t = performance.now();
		const words = shown.map((x) => seg.cut(x));
		best.cut = Math.min(best.cut, performance.now() - t);
		t = performance.now();
		for (const w of words) seg.tokensOf(w);
		best.tokens = Math.min(best.tokens, performance.now() - t);
		t = performance.now();
		for (let i = 0; i < shown.length; i++) sentimentOf(words[i], shown[i], lexicon);
		best.sentiment = Math.min(best.sentiment, performance.now() - t);
	}
	const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
	console.log(
		`
A segmentation worker's analysis of ${texts.length.toLocaleString('en')} demo ticket texts (${chars.toLocaleString('en')} characters), one thread, best of ${repeat}:` +
			`
  mask ${s(best.mask)} (${((best.mask * 1000) / texts.length).toFixed(1)} µs a ticket) · cut ${s(best.cut)} (${Math.round(chars / (best.cut / 1000)).toLocaleString('en')} chars/s) · tokensOf ${s(best.tokens)} · sentiment ${s(best.sentiment)}` +
			` · together ${s(best.mask + best.cut + best.tokens + best.sentiment)}`
	);
}

/**
 * The server's segmenter (a thread of its own, asked synchronously: thread-segmenter.ts): how long its creation holds
 * up the creating thread, how long its dictionaries take to load meanwhile, and what one cut costs the asking
 * thread, against a cut on that thread itself, over hotline-like texts one at a time (as queries and suggestions come).
 */
async function threadSegmenterFigures(local: Segmenter): Promise<void> {
	const t0 = performance.now();
	const threaded = new ThreadSegmenter({});
	const blockMs = performance.now() - t0;
	await threaded.ready;
	const readyMs = performance.now() - t0;
	const texts = feedTexts({ records: 2000 }).map((t) => t.slice(0, 200));
	const time = (seg: Segmenter) =>
		texts.map((t) => {
			const t1 = performance.now();
			seg.cut(t);
			return (performance.now() - t1) * 1000;
		});
	time(threaded); // warm both
	time(local);
	const [own, other] = [time(local), time(threaded)];
	const fmt = (xs: number[]) => `p50 ${Math.round(quantile(xs, 0.5))} µs, p99 ${Math.round(quantile(xs, 0.99))} µs`;
	console.log(
		`server's segmenter in a thread of its own (ThreadSegmenter): holds up the creating thread ${blockMs.toFixed(0)} ms, ` +
			`dictionaries loaded ${Math.round(readyMs)} ms after; one cut of ${texts.length} texts of ≤ 200 characters: ` +
			`${fmt(other)} asked of the thread, ${fmt(own)} on this thread`
	);
	await threaded.close();
}

/**
 * The process's resident memory as a 2-worker SegmentPool is created and closed `cycles` times (the server makes its
 * analysis pool anew after each dictionary change): it must not grow by the dictionaries each time.
 */
async function poolMemory(cycles: number): Promise<void> {
	if (!cycles) return;
	const mb = () => Math.round(process.memoryUsage.rss() / 1e6);
	const rss = [mb()];
	for (let i = 0; i < cycles; i++) {
		const pool = await SegmentPool.create(2, { userDict: true });
		await pool.tokenize(['油烟扰民']);
		const codes = await pool.close();
		if (codes.some((c) => c !== 0)) console.log(`  a pool worker did not end itself (exit codes ${codes.join(', ')})`);
		await new Promise((r) => setTimeout(r, 500));
		rss.push(mb());
	}
	console.log(`RSS as a 2-worker pool is created and closed ${cycles} times: ${rss.join(' → ')} MB`);
	// what the server does on a dictionary change instead (SegmentPool.reload): the same threads load another overlay
	const pool = await SegmentPool.create(2, { userDict: true });
	try {
		const kept = [mb()];
		for (let i = 0; i < cycles; i++) {
			await pool.reload({ terms: [{ word: `民情测试词${i}`, freq: 100, tag: 'nz' }] });
			await pool.tokenize(['油烟扰民']);
			await new Promise((r) => setTimeout(r, 500));
			kept.push(mb());
		}
		console.log(`RSS as one 2-worker pool reloads another dictionary ${cycles} times: ${kept.join(' → ')} MB`);
	} finally {
		await pool.close();
	}
}
