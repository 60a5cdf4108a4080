// Small pushes into a loaded store: what one `POST /api/v1/ingest` or drop-folder file of a few hundred
// records costs once the store holds the bulk feed. Half the records are new versions of tickets spread over
// the whole feed (the oldest day to the newest), half are new tickets of the feed's last day.
import { spawnSync } from 'node:child_process';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Writes push file `k` (0, 1, …) of `size` records taken from the feed of `lines` lines: the changed ones are
 * every (lines / half)-th line from offset k + 1, each with a later update time and a new satisfaction.
 */
export async function writePush(feed: string, lines: number, size: number, k: number, path: string): Promise<void> {
	const half = Math.max(1, Math.floor(size / 2));
	const step = Math.max(1, Math.floor(lines / half));
	const picked: Record<string, unknown>[] = [];
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
		if (i % step === (k + 1) % step && picked.length < half) picked.push(r);
	}
	if (!last) throw new Error(`${feed}: no usable record`);
	const lastDay = String(last.received_at).slice(0, 10);
	const later = (t: unknown) => new Date(Date.parse(String(t)) + (k + 1) * 60_000).toISOString();
	const out: Record<string, unknown>[] = picked.map((r) => ({
		...r,
		updated_at: later(r.updated_at),
		closed_at: later(r.updated_at),
		satisfaction: '不满意'
	}));
	for (let j = 0; out.length < size; j++) {
		const r = picked[j % picked.length];
		const at = `${lastDay}T${String(8 + (j % 12)).padStart(2, '0')}:${String(j % 60).padStart(2, '0')}:00+08:00`;
		out.push({ ...r, external_id: `PUSH-${k}-${j}`, received_at: at, updated_at: at, closed_at: at });
	}
	writeFileSync(path, out.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

/** Ingests `pushes` push files of `size` records one after another into the store at `dataDir`; prints each. */
export async function pushBench(root: string, feed: string, lines: number, dataDir: string, size: number, pushes: number): Promise<void> {
	console.log(`pushes of ${size} records into the loaded store (half new versions spread over the feed's days, half new on its last day):`);
	for (let k = 0; k < pushes; k++) {
		const path = join(dataDir, `push-${k}.ndjson`);
		await writePush(feed, lines, size, k, path);
		const r = spawnSync('npx', ['tsx', 'src/lib/server/cli/main.ts', 'ingest', path, '--source', 'bench', '--data-dir', dataDir], {
			cwd: root,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe']
		});
		if (r.status !== 0) throw new Error(`push ${k} failed (exit ${r.status}): ${r.stderr}`);
		const s = JSON.parse(r.stdout) as { seconds: number; accepted: number; updated: number; timings: Record<string, number> };
		const phases = Object.entries(s.timings)
			.filter(([, v]) => v >= 0.05)
			.map(([p, v]) => `${p} ${(v * 1000).toFixed(0)}`)
			.join(' · ');
		console.log(
			`  push ${k + 1}: accepted ${s.accepted} · updated ${s.updated} · pipeline ${(s.seconds * 1000).toFixed(0)} ms (phases ≥ 50 ms: ${phases})`
		);
	}
}
