// The tokenizer the ingest pipeline uses: a pool of segmentation workers (both cores) when worker threads are
// available, the in-process segmenter otherwise.
import { createSegmenter } from '../segment/index';
import { TOKEN_SEP, type Tokenizer } from './pipeline';

export interface ClosableTokenizer extends Tokenizer {
	close(): Promise<void>;
}

export async function createTokenizer(referenceDir: string, workers = 2): Promise<ClosableTokenizer> {
	try {
		const { SegmentPool } = await import('../segment/pool');
		const pool = await SegmentPool.create(workers, { referenceDir });
		return { tokenizeJoined: (texts) => pool.tokenizeJoined(texts), close: () => pool.close() };
	} catch (e) {
		console.error(`[minqing] segmentation workers unavailable (${(e as Error).message}); segmenting in-process`);
		const seg = createSegmenter({ referenceDir });
		return { tokenizeJoined: async (texts) => texts.map((t) => seg.tokens(t).join(TOKEN_SEP)), close: async () => {} };
	}
}
