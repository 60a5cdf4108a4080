// The server segmenter's choice of dictionary when a changed one cannot be loaded: the one before it goes on
// answering, the failed one is not tried on every query, and is tried again after a while. The segmenter threads are
// stand-ins here (a dictionary that fails to load needs a broken dictionary file, and nodejieba may abort the
// process on one); the real ThreadSegmenter's own failure is tested in thread-segmenter.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Reference } from '$pipelines/reference/index';

interface Overlay {
	terms?: { word: string }[];
}

/** A segmenter thread whose load the test settles: its words name its dictionary. */
class FakeThread {
	static made: FakeThread[] = [];
	readonly startedAt = Date.now();
	readonly ready: Promise<void>;
	readonly userWords = new Set<string>();
	readonly stopWords = new Set<string>();
	state: 'loading' | 'loaded' | 'failed' = 'loading';
	closed = false;
	settle!: (ok: boolean) => void;
	constructor(readonly o: { overlay: Overlay }) {
		this.ready = new Promise<void>((resolve, reject) => {
			this.settle = (ok) => {
				this.state = ok ? 'loaded' : 'failed';
				if (ok) resolve();
				else reject(new Error('nodejieba: dictionary file missing: user.dict'));
			};
		});
		this.ready.catch(() => {});
		FakeThread.made.push(this);
	}
	get name(): string {
		return (this.o.overlay.terms ?? []).map((t) => t.word).join('+') || '原词典';
	}
	isLoaded() {
		return this.state === 'loaded';
	}
	isFailed() {
		return this.state === 'failed';
	}
	cut() {
		if (this.closed) throw new Error('closed');
		return [this.name];
	}
	tokens() {
		return this.cut();
	}
	tokensOf(words: string[]) {
		return words;
	}
	async close() {
		this.closed = true;
	}
}

vi.mock('$pipelines/segment/thread-segmenter', () => ({ ThreadSegmenter: FakeThread }));
vi.mock('../threads', () => ({ markForeground: () => {} }));
vi.mock('../lexicon', () => ({
	segmenterOverlay: (ref: { overlay: Overlay }) => ref.overlay,
	overlayKey: (o: Overlay) => JSON.stringify(o)
}));

const { querySegmenter, querySegmenterReady, liveSegmenters } = await import('./segmenter');

/** Lets the segmenter's reactions to a load (then/catch) run. */
const settled = () => new Promise((r) => setTimeout(r, 0));

describe('server segmenter, a changed dictionary that cannot be loaded', () => {
	let errors: ReturnType<typeof vi.spyOn>;
	beforeEach(() => {
		FakeThread.made = [];
		errors = vi.spyOn(console, 'error').mockImplementation(() => {});
	});
	afterEach(() => {
		errors.mockRestore();
		vi.useRealTimers();
	});

	it('keeps answering with the dictionary before it, and tries the changed one again only after 5 minutes', async () => {
		vi.useFakeTimers({ toFake: ['Date'] });
		const ref = { overlay: {} as Overlay } as unknown as Reference & { overlay: Overlay };
		querySegmenter(ref);
		FakeThread.made[0].settle(true);
		await settled();
		expect(querySegmenter(ref).cut('x')).toEqual(['原词典']);

		// an administrator adds a term; its dictionary fails to load
		ref.overlay = { terms: [{ word: '新词' }] };
		expect(querySegmenter(ref).cut('x')).toEqual(['原词典']); // still loading: the one before answers
		expect(FakeThread.made).toHaveLength(2);
		const ready = querySegmenterReady(ref);
		FakeThread.made[1].settle(false);
		expect((await ready).cut('x')).toEqual(['原词典']);
		await settled();
		expect(errors).toHaveBeenCalledWith(expect.stringContaining('分词词典加载失败，查询与建议仍用修改前的词典：nodejieba: dictionary file missing'));
		expect(FakeThread.made[0].closed).toBe(false);
		expect(liveSegmenters()).toBe(1);

		// queries within 5 minutes start no thread for it again
		vi.setSystemTime(Date.now() + 4 * 60_000);
		for (let i = 0; i < 20; i++) expect(querySegmenter(ref).cut('x')).toEqual(['原词典']);
		expect(FakeThread.made).toHaveLength(2);

		// after 5 minutes it is tried again; once loaded it answers and the one before ends
		vi.setSystemTime(Date.now() + 2 * 60_000);
		expect(querySegmenter(ref).cut('x')).toEqual(['原词典']);
		expect(FakeThread.made).toHaveLength(3);
		FakeThread.made[2].settle(true);
		await settled();
		expect(querySegmenter(ref).cut('x')).toEqual(['新词']);
		expect(FakeThread.made[0].closed).toBe(true);
		expect(liveSegmenters()).toBe(1);
	});
});
