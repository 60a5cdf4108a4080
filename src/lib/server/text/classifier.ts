// Category and unit suggestion in the server: the model file under the data directory, loaded once (and
// again when a retraining replaced it), retrained on schedule in a worker thread. Used by intake through
// POST /api/v1/suggest.
import { categoryInUse } from '../categories';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, suggest, type ClassifierModel, type Suggestion, type SuggestInput } from '$pipelines/text/classify';
import { trainToFile, type TrainResult } from '$pipelines/text/train';
import type { App } from '../app';
import { ingestService } from '../ingest';
import { currentTokens, querySegmenter } from './segmenter';

/** Days after which the model is retrained. */
export const RETRAIN_DAYS = 7;

export function modelPath(app: App): string | null {
	return app.config.dataDir === ':memory:' ? null : join(app.config.dataDir, 'models', 'classifier.json');
}

let cached: { path: string; mtimeMs: number; model: ClassifierModel } | null = null;

/** The current model, or null before the first training. */
export function currentModel(app: App): ClassifierModel | null {
	const path = modelPath(app);
	if (!path || !existsSync(path)) return null;
	const mtimeMs = statSync(path).mtimeMs;
	if (cached?.path !== path || cached.mtimeMs !== mtimeMs) cached = { path, mtimeMs, model: loadModel(path) };
	return cached.model;
}

export function modelIsStale(app: App, now = Date.now()): boolean {
	const m = currentModel(app);
	return !m || now - Date.parse(m.trained_at) > RETRAIN_DAYS * 86_400_000;
}

/** Trains a model from the store (the sample is read in the ingest queue; the training runs in a worker). */
export async function retrain(app: App): Promise<TrainResult> {
	const path = modelPath(app);
	if (!path) throw new Error('no data directory to keep the model in (memory mode)');
	return ingestService(app).withIngestor((_ingestor, conn) =>
		trainToFile(conn, path, { referenceDir: app.config.referenceDir, segmenter: currentTokens(app.ref) })
	);
}

/** Tickets with a category needed before a model is trained. */
export const MIN_TRAINING_TICKETS = 500;

/** Whether the store has enough categorised tickets to learn from. */
export async function canTrain(app: App): Promise<boolean> {
	const r = await app.analytics.conn.runAndReadAll(`SELECT count(*) FROM tickets_fact WHERE category_code IS NOT NULL`);
	return Number(r.getRows()[0][0]) >= MIN_TRAINING_TICKETS;
}

export class NoModelError extends Error {}

export function suggestFor(app: App, input: SuggestInput): Suggestion {
	const model = currentModel(app);
	if (!model) throw new NoModelError('分类模型尚未训练完成，请稍后再试');
	const s = suggest(model, input, querySegmenter(app.ref));
	// a unit or a category stopped in 设置 takes no new tickets: the model, trained on history, still knows it
	return {
		...s,
		categories: s.categories.filter((c) => categoryInUse(app.ref, c.code)),
		level1: s.level1.filter((c) => categoryInUse(app.ref, c.code)),
		units: s.units.filter((u) => app.ref.unitByCode.get(u.code)?.active !== false)
	};
}
