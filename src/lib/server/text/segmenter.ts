// The segmenter of the server's own thread, for search queries and single suggestions (the pipelines
// segment in worker threads). nodejieba loads its dictionaries on the first use (about 2 s).
import { createSegmenter, type Segmenter } from '$pipelines/segment/index';

let seg: Segmenter | null = null;

export function querySegmenter(): Segmenter {
	return (seg ??= createSegmenter({}));
}
