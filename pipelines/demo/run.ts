// Runs the demo generator into the analytics store: history straight to DuckDB through the appender,
// day by day (bounded memory at any size); recent and open tickets handed to a sink for the relational store;
// the incidents' ground truth written to a JSON file.
import { writeFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { WorkCalendar } from '../calendar/index';
import type { Reference } from '../reference/index';
import { FactWriter } from '../warehouse/facts';
import { refreshRollups, setMeta } from '../warehouse/schema';
import type { Corpus } from './corpus';
import { DemoGenerator, type DemoOptions, type DemoTicket, type PlannedIncident } from './generate';

export interface DemoRunOptions extends DemoOptions {
	/** where the incidents' ground truth goes (JSON); null to skip */
	groundTruthPath: string | null;
	onProgress?: (done: number, total: number) => void;
	/** receives the recent/open tickets of each day, in order; awaited (back-pressure) */
	onRelational?: (tickets: DemoTicket[]) => Promise<void>;
	/**
	 * leave the record that the analytics demo is whole (markDemoWhole) to the caller: for when it is whole only once
	 * the relational tickets handed over are committed too
	 */
	markLater?: boolean;
}

export interface DemoRunResult {
	tickets: number;
	relational: number;
	incidents: PlannedIncident[];
	firstDay: string;
	lastDay: string;
	seconds: number;
}

/** Records, last, that the analytics store's demo is whole (the `demo` meta a start looks for before generating one). */
export async function markDemoWhole(conn: DuckDBConnection, info: { seed: number; tickets: number; days: number }): Promise<void> {
	await setMeta(conn, 'demo', JSON.stringify({ ...info, generatedAt: new Date().toISOString() }));
}

export async function runDemo(
	conn: DuckDBConnection,
	ref: Reference,
	corpus: Corpus,
	cal: WorkCalendar,
	opts: DemoRunOptions
): Promise<DemoRunResult> {
	const t0 = performance.now();
	const gen = new DemoGenerator(ref, corpus, cal, opts);
	const writer = await FactWriter.open(conn);
	let done = 0;
	let relational = 0;
	try {
		for (const batch of gen.days()) {
			for (const f of batch.facts) writer.add(f);
			done += batch.facts.length;
			if (opts.onRelational && batch.relational.length) {
				await opts.onRelational(batch.relational);
				relational += batch.relational.length;
			}
			opts.onProgress?.(done, gen.total);
		}
	} finally {
		writer.close();
	}
	await refreshRollups(conn);
	if (!opts.markLater) await markDemoWhole(conn, { seed: opts.seed, tickets: done, days: opts.days });
	// only the tickets that exist by now count; an incident still in the future of `now` keeps its plan
	const incidents = gen.incidents.map((i) => ({ ...i, tickets: i.ticket_nos.length }));
	if (opts.groundTruthPath) {
		writeFileSync(
			opts.groundTruthPath,
			JSON.stringify({ generated_at: new Date(opts.now).toISOString(), seed: opts.seed, tickets: done, incidents }, null, 1)
		);
	}
	return { tickets: done, relational, incidents, firstDay: gen.firstDay, lastDay: gen.lastDay, seconds: (performance.now() - t0) / 1000 };
}
