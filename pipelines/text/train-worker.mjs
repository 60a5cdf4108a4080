// Worker thread that trains the classifier (classify.ts) off the main thread — training takes tens of
// seconds of CPU, which would otherwise stall the server — and writes the model file. Plain JavaScript,
// loading the TypeScript through tsx's scoped import (like pipelines/segment/worker.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

try {
	const classify = await tsImport(workerData.classifyModule, import.meta.url);
	const segment = await tsImport(workerData.segmentModule, import.meta.url);
	const segmenter = segment.createSegmenter({ referenceDir: workerData.referenceDir });
	const { examples, classCounts, unitHistory } = workerData.set;
	const model = classify.trainClassifier(examples, { segmenter, classCounts, unitHistory, seed: workerData.seed ?? 1 });
	classify.saveModel(workerData.path, model);
	parentPort.postMessage({ ok: true, trainedAt: model.trained_at, examples: model.training.examples, seconds: model.training.seconds });
} catch (e) {
	parentPort.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
