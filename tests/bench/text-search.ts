// Search latency over a large demo store: `npm run bench -- text --tickets 10000000`.
// Generates the demo history (DuckDB only) in a scratch or given data directory, analyses it (tokens,
// sentiment, text index) and times searches of one and two terms, with and without filters, printing
// p50/p95, and 工单档案's reads (a ticket by its number, its 相关工单). Also times same-incident grouping of 100,000 tickets and the one-time look through a store analysed
// by an older version (enrich.ts unmaskedTickets: from before version 2, and from 2). A kept --data-dir is reused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadReference } from '../../pipelines/reference/index';
import { createAnalyzer } from '../../pipelines/text/analyzer';
import { enrichPending, pendingEnrichment, unmaskedTickets } from '../../pipelines/text/enrich';
import { groupIncidents } from '../../pipelines/text/near-dup';
import { ensureWarehouse } from '../../pipelines/warehouse/schema';
import { compactPostings } from '../../pipelines/warehouse/text-index';
import { searchTickets, type SearchQuery } from '../../src/lib/server/text/search';
import { relatedRecords, ticketRecord } from '../../src/lib/server/analytics/ticket-record';

const ROOT = resolve(import.meta.dirname, '..', '..');

function pct(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function searchBench(o: { tickets: number; dataDir?: string }): Promise<void> {
	const dir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'minqing-bench-search-'));
	const db = join(dir, 'minqing.duckdb');
	try {
		if (!existsSync(db)) {
			console.error(`… generating ${o.tickets.toLocaleString('en')} demo tickets (DuckDB only) in ${dir}`);
			const t0 = performance.now();
			const r = spawnSync('npx', ['tsx', 'src/lib/server/cli/main.ts', 'demo', '--tickets', String(o.tickets), '--analytics-only', '--data-dir', dir], {
				cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit']
			});
			if (r.status !== 0) throw new Error(`demo generation failed (exit ${r.status})`);
			console.log(`generate ${o.tickets.toLocaleString('en')} tickets: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
		}
		const inst = await DuckDBInstance.create(db, { threads: '2', memory_limit: process.env.MINQING_DUCKDB_MEMORY ?? '8GB' });
		const conn = await inst.connect();
		await ensureWarehouse(conn);
		const pending = await pendingEnrichment(conn);
		if (pending) {
			const analyzer = await createAnalyzer(join(ROOT, 'data'));
			const t0 = performance.now();
			let last = 0;
			await enrichPending(conn, analyzer, {
				batch: 200_000,
				onProgress: (done, left) => {
					if (done - last >= 1_000_000 || left === 0) {
						last = done;
						console.error(`  analysed ${done.toLocaleString('en')} (${Math.round(done / ((performance.now() - t0) / 1000)).toLocaleString('en')}/s)`);
					}
				}
			});
			await analyzer.close();
			const t1 = performance.now();
			await compactPostings(conn);
			console.log(`text analysis of ${pending.toLocaleString('en')} tickets: ${((t1 - t0) / 1000).toFixed(0)} s; postings sorted in ${((performance.now() - t1) / 1000).toFixed(0)} s`);
		}
		const [n, postings] = (await conn.runAndReadAll(`SELECT (SELECT count(*) FROM tickets_fact), (SELECT count(*) FROM search_postings)`)).getRows()[0].map(Number);
		// query terms drawn across the frequency range (rare, middling, common), deterministic
		const terms = (
			await conn.runAndReadAll(`SELECT term FROM (SELECT term, df, ntile(10) OVER (ORDER BY df) AS decile FROM term_df WHERE length(term) >= 2 AND df >= 5)
				QUALIFY row_number() OVER (PARTITION BY decile ORDER BY hash(term)) <= 12 ORDER BY decile, hash(term)`)
		).getRows().map((r) => String(r[0]));
		const ref = loadReference();
		const districts = [...ref.districtByCode.keys()];
		const queries: { name: string; q: SearchQuery }[] = [];
		terms.forEach((t, i) => {
			queries.push({ name: 'one term', q: { q: t } });
			queries.push({ name: 'two terms', q: { q: `${t} ${terms[(i * 7 + 3) % terms.length]}` } });
			queries.push({ name: 'term + district + 90 days', q: { q: t, district: districts[i % districts.length], from: '2026-09-01' } });
		});
		await searchTickets(conn, ref, { q: '预热' }); // loads the query segmenter
		const times = new Map<string, number[]>();
		for (const { name, q } of queries) {
			const t0 = performance.now();
			await searchTickets(conn, ref, q);
			const ms = performance.now() - t0;
			times.set(name, [...(times.get(name) ?? []), ms]);
			times.set('all', [...(times.get('all') ?? []), ms]);
		}
		console.log(`\nsearch over ${n.toLocaleString('en')} tickets (${postings.toLocaleString('en')} postings), ${queries.length} queries (goal p95 ≤ 200 ms)`);
		for (const [name, list] of times) {
			const s = [...list].sort((a, b) => a - b);
			console.log(`  ${name.padEnd(28)} n=${String(s.length).padStart(3)}  p50 ${pct(s, 50).toFixed(0).padStart(4)} ms  p95 ${pct(s, 95).toFixed(0).padStart(4)} ms  max ${s.at(-1)!.toFixed(0)} ms`);
		}
		// 工单档案: a ticket read by its number, and its 相关工单 (the caller's and the place's within 30 days either way)
		const sample = (await conn.runAndReadAll(`SELECT ticket_no FROM tickets_fact ORDER BY hash(ticket_no) LIMIT 50`)).getRows().map((r) => String(r[0]));
		const recordTimes: number[] = [];
		const relatedTimes: number[] = [];
		for (const no of sample) {
			const t0 = performance.now();
			const r = await ticketRecord(conn, ref, no);
			const t1 = performance.now();
			await relatedRecords(conn, r!);
			recordTimes.push(t1 - t0);
			relatedTimes.push(performance.now() - t1);
		}
		console.log(`
工单档案 of ${sample.length} tickets`);
		for (const [name, list] of [['record by number', recordTimes], ['related (相关工单)', relatedTimes]] as const) {
			const s = [...list].sort((a, b) => a - b);
			console.log(`  ${name.padEnd(28)} n=${String(s.length).padStart(3)}  p50 ${pct(s, 50).toFixed(0).padStart(4)} ms  p95 ${pct(s, 95).toFixed(0).padStart(4)} ms  max ${s.at(-1)!.toFixed(0)} ms`);
		}
		// same-incident grouping: 100,000 recent tickets
		const rows = (
			await conn.runAndReadAll(`SELECT ticket_no, tokens, epoch_ms(received_at) AS at, district_code, street_code FROM tickets_fact
				WHERE tokens IS NOT NULL ORDER BY received_at DESC LIMIT 100000`)
		).getRowObjectsJS() as { ticket_no: string; tokens: string[]; at: number | bigint; district_code: string | null; street_code: string | null }[];
		const t0 = performance.now();
		const g = groupIncidents(rows.map((r) => ({ id: r.ticket_no, tokens: r.tokens, at: Number(r.at), district: r.district_code, street: r.street_code })));
		console.log(`\nsame-incident grouping of ${rows.length.toLocaleString('en')} tickets: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${g.groups.length.toLocaleString('en')} groups`);
		// the one-time look through a store analysed by an older version (reads only; enrich.ts unmaskedTickets)
		for (const from of [null, '2']) {
			const t1 = performance.now();
			const u = await unmaskedTickets(conn, from);
			console.log(
				`look through a store analysed by ${from === null ? 'a version before 2 (every text)' : `version ${from}`}: ${u.looked.toLocaleString('en')} texts compared, ` +
					`${u.tickets.length.toLocaleString('en')} to analyse again, ${((performance.now() - t1) / 1000).toFixed(1)} s`
			);
		}
		conn.closeSync();
		inst.closeSync();
	} finally {
		if (!o.dataDir) rmSync(dir, { recursive: true, force: true });
	}
}
