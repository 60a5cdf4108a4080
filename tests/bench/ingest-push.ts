// Small pushes into a loaded store: what one `POST /api/v1/ingest` or drop-folder file of a few hundred
// records costs once the store holds the bulk feed. Half the records are new versions of tickets spread over
// the whole feed (the oldest day to the newest), half are new tickets of the feed's last day.
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ingestFile } from '../../pipelines/ingest/files';
import { Ingestor } from '../../pipelines/ingest/pipeline';
import { Geocoder } from '../../pipelines/normalize/index';
import { loadReference } from '../../pipelines/reference/index';
import { createAnalyzer } from '../../pipelines/text/analyzer';
import { openAnalytics } from '../../src/lib/server/analytics/duckdb';

/**
 * Writes `count` push files of `size` records into `dir` from the feed of `lines` lines, reading it once, and
 * returns their paths. In push k the changed records are every (lines / half)-th line from offset k + 1, each
 * with a later update time and a new satisfaction; the new ones are copies under new ids on the feed's last day.
 */
export async function writePushes(feed: string, lines: number, size: number, count: number, dir: string): Promise<string[]> {
	const half = Math.max(1, Math.floor(size / 2));
	const step = Math.max(1, Math.floor(lines / half));
	const picked: Record<string, unknown>[][] = Array.from({ length: count }, () => []);
	let last: Record<string, unknown> | null = null;
	let i = 0;
	for await (const line of createInterface({ input: createReadStream(feed, 'utf8'), crlfDelay: Infinity })) {
		i++;
		let r: Record<string, unknown>;
		try {
			r = JSON.parse(line) as Record<string, unknown>;
		} catch {
			continue; // the feed's bad lines
		}
		if (typeof r.received_at !== 'string') continue;
		last = r;
		const k = ((i % step) - 1 + step) % step;
		if (k < count && picked[k].length < half) picked[k].push(r);
	}
	if (!last) throw new Error(`${feed}: no usable record`);
	const lastDay = String(last.received_at).slice(0, 10);
	return picked.map((mine, k) => {
		const later = (t: unknown) => new Date(Date.parse(String(t)) + (k + 1) * 60_000).toISOString();
		const out: Record<string, unknown>[] = mine.map((r) => ({
			...r,
			updated_at: later(r.updated_at),
			closed_at: later(r.updated_at),
			satisfaction: '不满意'
		}));
		for (let j = 0; out.length < size; j++) {
			const r = mine[j % mine.length];
			const at = `${lastDay}T${String(8 + (j % 12)).padStart(2, '0')}:${String(j % 60).padStart(2, '0')}:00+08:00`;
			out.push({ ...r, external_id: `PUSH-${k}-${j}`, received_at: at, updated_at: at, closed_at: at });
		}
		const path = join(dir, `push-${k}.ndjson`);
		writeFileSync(path, out.map((r) => JSON.stringify(r)).join('\n') + '\n');
		return path;
	});
}

/**
 * Ingests `pushes` push files of `size` records one after another into the store at `dataDir`, in one process
 * with the production Ingestor and worker pool, as the server takes pushes; prints each, then the time of a
 * checkpoint of what the pushes left in the write-ahead log (small runs leave the checkpoint to DuckDB).
 */
export async function pushBench(
	feed: string,
	lines: number,
	dataDir: string,
	size: number,
	pushes: number,
	referenceDir: string
): Promise<void> {
	console.log(
		`${pushes} pushes of ${size} records into the loaded store, one process (half new versions spread over the feed's days, half new on its last day):`
	);
	const paths = await writePushes(feed, lines, size, pushes, dataDir);
	const store = await openAnalytics(join(dataDir, 'minqing.duckdb'));
	const analyzer = await createAnalyzer(referenceDir);
	try {
		const ref = loadReference(referenceDir);
		const ingestor = new Ingestor({ conn: store.conn, ref, geocoder: new Geocoder(ref), analyzer });
		const t0 = performance.now();
		for (let k = 0; k < pushes; k++) {
			const s = await ingestFile(ingestor, store.conn, paths[k], { source: 'bench' });
			const phases = Object.entries(s.timings)
				.filter(([, v]) => v >= 0.05)
				.map(([p, v]) => `${p} ${(v * 1000).toFixed(0)}`)
				.join(' · ');
			console.log(
				`  push ${k + 1}: accepted ${s.accepted} · updated ${s.updated} · ${(s.seconds * 1000).toFixed(0)} ms (phases ≥ 50 ms: ${phases})`
			);
		}
		const all = performance.now() - t0;
		const tc = performance.now();
		await store.conn.run('CHECKPOINT');
		console.log(
			`  all ${pushes}: ${(all / 1000).toFixed(2)} s, then a checkpoint of what is left in the log: ${(performance.now() - tc).toFixed(0)} ms`
		);
	} finally {
		await analyzer.close();
		await store.close();
	}
}
