// Training the classifier from the analytics store, in a worker thread, into a model file.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DuckDBConnection } from '@duckdb/node-api';
import { pipelinesFile } from '../segment/pool';
import { loadTrainingExamples, type TokenSource } from './classify';

export interface TrainResult {
	trainedAt: string;
	examples: number;
	seconds: number;
}

/**
 * Reads a stratified sample of the store's tickets (on this thread: the connection cannot move) and trains
 * on it in a worker thread, which writes the model to `path` atomically.
 */
export async function trainToFile(conn: DuckDBConnection, path: string, o: { referenceDir: string; segmenter: TokenSource; perClass?: number; seed?: number }): Promise<TrainResult> {
	const set = await loadTrainingExamples(conn, { perClass: o.perClass, seed: o.seed, segmenter: o.segmenter });
	if (!set.examples.length) throw new Error('no tickets with a category to learn from');
	const worker = new Worker(pathToFileURL(pipelinesFile('text/train-worker.mjs')), {
		workerData: {
			set,
			path,
			seed: o.seed ?? 1,
			referenceDir: o.referenceDir,
			classifyModule: pathToFileURL(pipelinesFile('text/classify.ts')).href,
			segmentModule: pathToFileURL(pipelinesFile('segment/index.ts')).href
		}
	});
	try {
		return await new Promise<TrainResult>((resolve, reject) => {
			worker.once('message', (m: { ok: boolean; error?: string } & Partial<TrainResult>) =>
				m.ok ? resolve({ trainedAt: m.trainedAt!, examples: m.examples!, seconds: m.seconds! }) : reject(new Error(`classifier training failed: ${m.error}`))
			);
			worker.once('error', (e) => reject(new Error(`classifier training failed: ${e.message}`)));
			worker.once('exit', (code) => reject(new Error(`classifier training stopped (exit ${code})`)));
		});
	} finally {
		await worker.terminate();
	}
}
