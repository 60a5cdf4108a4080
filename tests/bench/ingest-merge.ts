// `npm run bench -- ingest --merge-only`: the ingest pipeline with the text analysis done beforehand, so that the
// figures show what reading, validating and merging into DuckDB cost without the segmentation workers competing for
// the two cores. The analyses come from the same worker pool the CLI uses (not timed); the run itself is the
// production Ingestor on an analytics store opened as the server opens it (openAnalytics). Run as a process of
// its own (`npx tsx tests/bench/ingest-merge.ts <feed> <dir> <data dir>`, JSON on stdout), like the CLI in the
// full bench, so that the feed writer's garbage does not weigh on it.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ingestFile } from '../../pipelines/ingest/files';
import { Ingestor } from '../../pipelines/ingest/pipeline';
import { Geocoder } from '../../pipelines/normalize/index';
import { loadReference } from '../../pipelines/reference/index';
import { createAnalyzer } from '../../pipelines/text/analyzer';
import { ticketText, type TextAnalysis } from '../../pipelines/text/enrich';
import { openAnalytics } from '../../src/lib/server/analytics/duckdb';

export async function mergeOnly(
	feed: string,
	dir: string,
	dataDir: string
): Promise<{ seconds: number; cpuSeconds: number; timings: Record<string, number> }> {
	const texts: string[] = [];
	// line by line: a 1M-record feed (655 MB) is longer than the longest string V8 makes (512 MB)
	for await (const line of createInterface({ input: createReadStream(feed), crlfDelay: Infinity })) {
		try {
			const r = JSON.parse(line) as { title?: string; content?: string };
			texts.push(ticketText(r.title ?? '', r.content ?? ''));
		} catch {
			// the feed's bad lines: quarantined by the run, nothing to analyse
		}
	}
	console.error(`… analysing ${texts.length.toLocaleString('en')} texts beforehand (not timed)`);
	const pool = await createAnalyzer(dataDir);
	const done = new Map<string, TextAnalysis>();
	try {
		const out = await pool.analyze(texts);
		texts.forEach((t, i) => done.set(t, out[i]));
	} finally {
		await pool.close();
	}
	const analyzer = {
		analyze: async (batch: readonly string[]) =>
			batch.map((t) => {
				const a = done.get(t);
				if (!a) throw new Error(`bench: no analysis for a text of the feed (${t.slice(0, 20)}…)`);
				return a;
			})
	};
	const store = await openAnalytics(join(dir, 'merge-only.duckdb'));
	try {
		const ref = loadReference(dataDir);
		const ingestor = new Ingestor({ conn: store.conn, ref, geocoder: new Geocoder(ref), analyzer });
		const c0 = process.cpuUsage();
		const s = await ingestFile(ingestor, store.conn, feed, { source: 'bench' });
		const c = process.cpuUsage(c0);
		return { seconds: s.seconds, cpuSeconds: (c.user + c.system) / 1e6, timings: s.timings };
	} finally {
		await store.close();
	}
}

if (process.argv[1]?.endsWith('ingest-merge.ts')) {
	const [feed, dir, dataDir] = process.argv.slice(2);
	console.log(JSON.stringify(await mergeOnly(feed, dir, dataDir)));
}
