/**
 * `npm run cli -- cluster [--k auto|N] [--seed S] < texts.txt > ids.txt`: reads one text per line, clusters
 * the texts into topics (cluster.ts) and writes one cluster id per line — same number of lines, same order;
 * -1 for outliers, including empty and punctuation-only lines. CRLF input is accepted; output lines end with LF.
 *
 *   const summary = await runClusterCli(process.stdin, process.stdout, { k: 'auto' });
 *
 * `input` and `output` are streams or file paths. Texts are segmented with the hotline segmenter
 * (`tokens()`): in this process for small inputs, with a SegmentPool of worker threads for large ones.
 */
import { cutChars } from '../normalize/text';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { LineOutput } from '../cli-output';
import { createSegmenter, type SegmenterOptions } from '../segment/index';
import { SegmentPool } from '../segment/pool';
import { cluster, type ClusterOptions, type TopicModel } from './cluster';

export interface ClusterCliOptions {
	k: 'auto' | number;
	seed?: number;
	/** more clustering options (k and seed above take precedence) */
	cluster?: Omit<ClusterOptions, 'k' | 'seed'>;
	/** segmenter options (dictionary directories) */
	segmenter?: Pick<SegmenterOptions, 'referenceDir' | 'dictDir' | 'cacheDir'>;
	/** from this many lines on, segment with a pool of 2 worker threads (default 50,000; 0: never) */
	poolFrom?: number;
}

export interface ClusterCliSummary {
	lines: number;
	k: number;
	outliers: number;
	seconds: { tokenize: number; cluster: number };
	/** topics (ids 0..k-1) and the outlier cluster -1: size, label words, representative text */
	topics: Array<{ id: number; size: number; label: string[]; representative: string | null }>;
	model: TopicModel;
}

export const CLUSTER_USAGE = `usage: cluster [--k auto|N] [--seed S] < texts.txt > cluster-ids.txt
  reads one text per line, writes one cluster id per line (-1: outlier or empty line)
  --k      number of topics, or auto (default: auto, at most 100)
  --seed   seed of the sampler (default 1)`;

async function readLines(input: NodeJS.ReadableStream | string): Promise<string[]> {
	const stream = typeof input === 'string' ? createReadStream(input, { encoding: 'utf8' }) : input;
	const rl = createInterface({ input: stream, crlfDelay: Infinity });
	const lines: string[] = [];
	for await (const line of rl) lines.push(line);
	return lines;
}

/** Clusters the lines of `input` and writes one cluster id per line to `output`; resolves with a summary. */
export async function runClusterCli(
	input: NodeJS.ReadableStream | string,
	output: NodeJS.WritableStream | string,
	opts: ClusterCliOptions
): Promise<ClusterCliSummary> {
	const k = opts.k === 'auto' ? 'auto' : Number(opts.k);
	if (k !== 'auto' && (!Number.isInteger(k) || k < 1)) throw new Error(`--k must be "auto" or a positive integer (got ${String(opts.k)})`);
	const lines = await readLines(input);

	const t0 = performance.now();
	let tokens: string[][];
	const poolFrom = opts.poolFrom ?? 50_000;
	if (poolFrom > 0 && lines.length >= poolFrom) {
		const pool = await SegmentPool.create(2, opts.segmenter ?? {});
		try {
			tokens = await pool.tokenize(lines);
		} finally {
			await pool.close();
		}
	} else if (lines.some((l) => l.trim() !== '')) {
		const seg = createSegmenter(opts.segmenter ?? {});
		tokens = lines.map((l) => (l.trim() === '' ? [] : seg.tokens(l)));
	} else tokens = lines.map(() => []);
	const t1 = performance.now();

	const docs = lines.map((line, i) => ({ id: i, tokens: tokens[i], title: cutChars(line, 200) !== line ? `${cutChars(line, 200)}…` : line }));
	const { model, assignments } = cluster(docs, { ...opts.cluster, k, seed: opts.seed ?? 1 });
	const t2 = performance.now();

	const stream = typeof output === 'string' ? createWriteStream(output) : output;
	const out = new LineOutput(stream);
	for (const a of assignments) {
		await out.add(`${a.clusterId}\n`);
		if (out.gone) break;
	}
	await out.end();
	if (typeof output === 'string') {
		stream.end();
		await once(stream as unknown as NodeJS.EventEmitter, 'finish');
	}

	return {
		lines: lines.length,
		k: model.k,
		outliers: model.outliers,
		seconds: { tokenize: Math.round(t1 - t0) / 1000, cluster: Math.round(t2 - t1) / 1000 },
		topics: model.clusters.map((c) => ({ id: c.id, size: c.size, label: c.label, representative: c.representative?.title ?? null })),
		model
	};
}
