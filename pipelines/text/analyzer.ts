// The text analysis the pipelines use: segmentation into index tokens plus sentiment, on a pool of worker
// threads (both cores) when worker threads are available, in-process otherwise.
import { createSegmenter, type DictionaryOverlay } from '../segment/index';
import type { TextAnalyzer } from './enrich';
import { ticketAnalysis } from './ticket-analysis';

export interface ClosableAnalyzer extends TextAnalyzer {
	close(): Promise<void>;
	/** CPU seconds its worker threads have used so far (null: in-process, or the system cannot tell) */
	cpuSeconds(): number | null;
	/**
	 * Analyses with another dictionary overlay from now on, in place (no new threads; see SegmentPool.reload). Only
	 * between analyses. Rejects when the dictionary does not load: close the analyzer then.
	 */
	reload(overlay: DictionaryOverlay | undefined): Promise<void>;
}

/** Worker threads of the pool createAnalyzer starts by default (one per core of the 2-core machines it is sized for). */
export const ANALYZER_WORKERS = 2;

/** `overlay`: the dictionary as the running app keeps it (设置 › 词典, renamed units), over the files of `referenceDir`. */
export async function createAnalyzer(referenceDir: string, workers = ANALYZER_WORKERS, overlay?: DictionaryOverlay): Promise<ClosableAnalyzer> {
	try {
		const { SegmentPool } = await import('../segment/pool');
		const pool = await SegmentPool.create(workers, { referenceDir, sentimentDataDir: referenceDir, overlay });
		return {
			analyze: (texts) => pool.analyze(texts),
			close: async () => void (await pool.close()),
			cpuSeconds: () => pool.cpuSeconds(),
			reload: (o) => pool.reload(o)
		};
	} catch (e) {
		console.error(`[minqing] segmentation workers unavailable (${(e as Error).message}); analysing in-process`);
		return inProcessAnalyzer(referenceDir, overlay);
	}
}

/** The same analysis on this thread (tests, and where worker threads are unavailable). */
export function inProcessAnalyzer(referenceDir?: string, overlay?: DictionaryOverlay): ClosableAnalyzer {
	let analyse = ticketAnalysis(createSegmenter({ referenceDir, overlay }), referenceDir);
	return {
		analyze: async (texts) => texts.map(analyse),
		close: async () => {},
		cpuSeconds: () => null,
		reload: async (o) => void (analyse = ticketAnalysis(createSegmenter({ referenceDir, overlay: o }), referenceDir))
	};
}
