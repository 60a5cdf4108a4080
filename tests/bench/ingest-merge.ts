// `npm run bench -- ingest --merge-only`: the ingest pipeline with the text analysis done beforehand, so that the
// figures show what reading, validating and merging into DuckDB cost without the segmentation workers competing for
// the two cores. The analyses come from the same worker pool the CLI uses (not timed); the run itself is the
// production Ingestor on a DuckDB file with the server's settings, one DuckDB thread per core. Run as a process of
// its own (`npx tsx tests/bench/ingest-merge.ts <feed> <dir> <data dir>`, JSON on stdout), like the CLI in the
// full bench, so that the feed writer's garbage does not weigh on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingestFile } from '../../pipelines/ingest/files';
import { Ingestor } from '../../pipelines/ingest/pipeline';
import { Geocoder } from '../../pipelines/normalize/index';
import { loadReference } from '../../pipelines/reference/index';
import { createAnalyzer } from '../../pipelines/text/analyzer';
import { ticketText, type TextAnalysis } from '../../pipelines/text/enrich';
import { ensureWarehouse } from '../../pipelines/warehouse/schema';

export async function mergeOnly(
	feed: string,
	dir: string,
	dataDir: string
): Promise<{ seconds: number; cpuSeconds: number; timings: Record<string, number> }> {
	const texts: string[] = [];
	for (const line of readFileSync(feed, 'utf8').split('\n')) {
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
	const inst = await DuckDBInstance.create(join(dir, 'merge-only.duckdb'), { threads: '2', memory_limit: '2GB' });
	const conn = await inst.connect();
	try {
		await ensureWarehouse(conn);
		const ref = loadReference(dataDir);
		const ingestor = new Ingestor({ conn, ref, geocoder: new Geocoder(ref), analyzer });
		const c0 = process.cpuUsage();
		const s = await ingestFile(ingestor, conn, feed, { source: 'bench' });
		const c = process.cpuUsage(c0);
		return { seconds: s.seconds, cpuSeconds: (c.user + c.system) / 1e6, timings: s.timings };
	} finally {
		conn.closeSync();
		inst.closeSync();
	}
}

if (process.argv[1]?.endsWith('ingest-merge.ts')) {
	const [feed, dir, dataDir] = process.argv.slice(2);
	console.log(JSON.stringify(await mergeOnly(feed, dir, dataDir)));
}
