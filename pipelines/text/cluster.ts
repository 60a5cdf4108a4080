/**
 * Topic clustering of short Chinese texts (hotline tickets, headlines) without a neural model: a Dirichlet
 * multinomial mixture (DMM, one topic per document — right for texts of a sentence or two) fitted by collapsed
 * Gibbs sampling (GSDMM, Yin & Wang 2014), over-clustered and then merged by the model's own evidence.
 *
 *   const { model, assignments } = cluster(docs, { k: 'auto', seed: 1 });   // docs: {id, tokens, title?}
 *   assign(model, newDocs)          // → {clusterId, score}[] for new tickets between full runs (-1: outlier)
 *   hierarchy(model, assignments, docCategory)   // dominant category of each topic, at every level
 *
 * Method (figures from `tests/bench/text-cluster.ts` and the experiments behind the defaults; NMI counts the
 * outliers as one more cluster):
 *   1. Vocabulary: the segmenter's index tokens (`tokens(text)`: stop words, punctuation and pure numbers
 *      already gone) that occur in at least `minDocFreq` documents (2) and at most `maxDocFreqRatio` of them
 *      (0.5). A document is its in-vocabulary tokens with counts.
 *   2. Over-clustering: GSDMM on `slots` clusters — k given: `overcluster` × k (3k); k auto: the upper bound
 *      `maxK` (100). Empty slots all score alike, so they are scored once as the "new cluster" (as in a
 *      Dirichlet-process mixture): clusters die and are born as the sampler sees fit. Random initial
 *      assignment, up to `sweeps` (20) sweeps; a stage stops early once two sweeps in a row moved at most
 *      `tolerance` (1%) of the documents (templated hotline text settles in ~4 sweeps; headlines never do).
 *      With more than `sampleSize` (20,000) documents the sampling stages see a random sample; the rest then
 *      join their most probable topic (on the demo tickets NMI against the categories is the same with
 *      samples of 10k, 20k and 40k).
 *   3. Merging: repeatedly merge the two clusters whose union changes the collapsed log joint probability
 *      log p(words | z) + log p(z) the most in its favour (Dirichlet–multinomial evidence with β per word; a
 *      Chinese-restaurant-process prior with concentration `crpAlpha` (1) on the partition):
 *        - k given: until k clusters remain;
 *        - k auto: while some merge still increases the joint — Bayesian model selection: the evidence
 *          already charges for every extra cluster, so there is no penalty to tune. The result hardly depends
 *          on the upper bound (THUCNews, 10 labels: 11–14 topics with bounds of 30, 60 and 100; Toutiao, 13
 *          labels: 14–18 with bounds of 40 and 100); it does depend on β, which sets how finely topics are told
 *          apart (β 0.1: 25–30 on THUCNews). GSDMM's own posterior cluster count (β 0.1: ~40 from a bound of
 *          60–100, NMI 0.49–0.51) was worse. On demo hotline tickets (212 leaf categories) the bound of 100 is
 *          reached (`diagnostics.boundReached`); with maxK 200 the merges stop at 183 topics.
 *      Over-clustering then merging avoids GSDMM's usual local optimum at k (two classes fused, another split):
 *      THUCNews k = 10, seeds 1–3: NMI 0.582–0.592, plain GSDMM with 10 clusters 0.544–0.583.
 *      With k given (and at least `minClusterSize` documents per slot) no sweep may empty a cluster — else
 *      the sampler keeps only as many as the data favour (THUCNews: ~12 whatever k) — so merging chooses k
 *      out of all 3k. Topics whose members all turn out outliers still disappear: THUCNews k = 30 gives
 *      26–28 topics (NMI 0.559–0.578), k = 50 gives 43–45 (NMI 0.569–0.577).
 *   4. Refinement: up to `refineSweeps` (10) Gibbs sweeps on the merged clusters (same early stop); with k
 *      auto, clusters with fewer than `minClusterSize` (3) members are then dissolved; `mapSweeps` (1) sweeps
 *      put each document in its most probable topic, and a last such pass scores it. `assign` on the training
 *      documents agrees with the fit for 99% of headlines and 99.9% of demo tickets (the rest lie near the
 *      outlier threshold: the fit scores leave-one-out, `assign` with the document inside the counts).
 *   5. Outliers (cluster -1), documents that fit no topic well:
 *        - fewer than `minTokens` (1) in-vocabulary tokens: empty, punctuation-only, only words seen once;
 *        - score below `minScore` (0). The score is the average over the document's tokens of
 *          log p(word | topic) − log p(word | corpus), in nats (leave-one-out while fitting, so a document does
 *          not vouch for itself): below 0, the best topic explains the words no better than the corpus at
 *          large. It works as a calibrated confidence: on THUCNews (k = 10) the share of a topic's majority
 *          label among its members rises with the score — 0.37 (−0.5..−0.25), 0.42 (−0.25..0), 0.49 (0..0.25),
 *          0.74 (0.5..1), 0.97 (1.5..2). The rule makes ~7% of headlines outliers (costing ~0.015 NMI) and
 *          under 0.01% of demo tickets.
 *      Outliers are taken out of the topics' counts, so the stored model describes the topics alone.
 *   6. Output: topics by decreasing size (ids 0..k-1), then the outlier cluster -1 (always listed). Each has a
 *      label — top words by class-based TF-IDF, tf(word, topic) × log(1 + A / tf(word, all topics)) with A the
 *      average number of words per topic (BERTopic's c-TF-IDF), words of 2+ characters first — and a
 *      representative: the member closest (cosine) to the topic's c-TF-IDF vector. The model keeps each
 *      topic's sparse word counts and the priors — enough to score new documents as the final sweeps did —
 *      as plain JSON (no typed arrays, no NaN/Infinity).
 *
 * Memory while fitting: two V × slots arrays (Int32 + Uint16), e.g. 50,000 words × 100 slots = 30 MB.
 * Deterministic for a given seed and input order. Traditional characters, Latin and digits are just tokens
 * (the segmenter does not convert them); very long texts are fine (scores are per token, sums of logs).
 */
import { Rng } from '../demo/rng';

// ---------------------------------------------------------------------------------------------------------
// Types

export type DocId = string | number;

export interface ClusterDoc {
	id: DocId;
	/** index tokens of the text (segmenter `tokens()`); order does not matter */
	tokens: readonly string[];
	/** shown as the representative text of a topic (default: the tokens joined) */
	title?: string;
}

export interface ClusterOptions {
	/** number of topics, or 'auto' (default) to choose it (see the header) */
	k?: number | 'auto';
	/** seed of the sampler (default 1) */
	seed?: number;
	/** upper bound on topics for k 'auto' (default 100) */
	maxK?: number;
	/** clusters sampled before merging down to a given k, as a multiple of k (default 3) */
	overcluster?: number;
	/** symmetric Dirichlet prior on cluster weights in the sampler (default 0.1) */
	alpha?: number;
	/** symmetric Dirichlet prior on each topic's word distribution (default 0.2) */
	beta?: number;
	/** concentration of the partition prior used when merging (default 1) */
	crpAlpha?: number;
	/** Gibbs sweeps before merging (default 20) */
	sweeps?: number;
	/** Gibbs sweeps after merging (default 10) */
	refineSweeps?: number;
	/** a sampling stage ends early after two sweeps in a row that moved at most this share of the
	 * documents — the sampler has settled (default 0.01) */
	tolerance?: number;
	/** final sweeps that put each document in its most probable topic, before the scoring pass (which
	 * does the same) (default 1, at least 1) */
	mapSweeps?: number;
	/** a word must occur in this many documents to count (default 2) */
	minDocFreq?: number;
	/** a word in more than this share of the documents is ignored (default 0.5) */
	maxDocFreqRatio?: number;
	/** documents with fewer in-vocabulary tokens are outliers (default 1) */
	minTokens?: number;
	/** documents scoring below this (nats per token over the corpus) are outliers (default 0) */
	minScore?: number;
	/** with k auto, topics with fewer members are dissolved (default 3) */
	minClusterSize?: number;
	/** words in each label (default 8) */
	labelWords?: number;
	/** the sampling stages (over-clustering, merging, refinement) use a random sample of at most this many
	 * documents; the others then join their most probable topic before the final sweeps (default 20000) */
	sampleSize?: number;
}

export interface Representative {
	id: DocId;
	title: string;
	score: number;
}

export interface TopicCluster {
	/** 0..k-1 by decreasing size; -1 is the outlier cluster */
	id: number;
	/** member documents */
	size: number;
	/** top words by c-TF-IDF, best first */
	label: string[];
	/** their c-TF-IDF weights */
	labelWeights: number[];
	/** the member most similar (cosine) to the topic's c-TF-IDF word weights (null when empty) */
	representative: Representative | null;
	/** true for the outlier cluster -1 */
	outlier: boolean;
	/** in-vocabulary tokens of the members */
	tokens: number;
	/** the topic's word counts, sparse: vocabulary indices (ascending) and counts (empty for -1) */
	words: number[];
	counts: number[];
}

export interface TopicModel {
	format: 'minqing-topic-dmm';
	version: 1;
	/** number of topics (the outlier cluster not counted) */
	k: number;
	/** what was asked for */
	kRequested: number | 'auto';
	params: {
		alpha: number;
		beta: number;
		crpAlpha: number;
		seed: number;
		minTokens: number;
		minScore: number;
		minDocFreq: number;
		maxDocFreqRatio: number;
		slots: number;
	};
	/** words of the model, in order of first appearance */
	vocab: string[];
	/** corpus count of each vocabulary word (all documents with tokens, outliers included) */
	background: number[];
	backgroundTotal: number;
	/** documents clustered and outliers among them */
	docs: number;
	outliers: number;
	/** topics 0..k-1, then the outlier cluster -1 */
	clusters: TopicCluster[];
	diagnostics: {
		/** non-empty clusters after the first sampling stage */
		sampled: number;
		/** clusters after merging */
		merged: number;
		/** k auto: dissolved for being smaller than minClusterSize */
		dissolved: number;
		/** collapsed log joint probability of the final partition (outliers excluded) */
		logJoint: number;
		/** documents in the sampling stages */
		sampleSize: number;
		/** Gibbs sweeps run (over-clustering + refinement), fewer than asked when the sampler settled */
		sweeps: number;
		/** true when k 'auto' used every slot (maxK): the data may hold more topics than the bound allows */
		boundReached: boolean;
		seconds: number;
		/** seconds per stage: corpus, sampling, merging, refinement, final (joining, sweeps, scores), output */
		stages: Record<string, number>;
	};
}

export interface DocAssignment {
	id: DocId;
	/** topic id, -1 for outliers */
	clusterId: number;
	/** average log-likelihood ratio per token of the doc under its best topic vs. the corpus (0 without tokens) */
	score: number;
}

export interface ClusterResult {
	model: TopicModel;
	/** one per input document, in input order */
	assignments: DocAssignment[];
}

const DEFAULTS = {
	seed: 1,
	maxK: 100,
	overcluster: 3,
	alpha: 0.1,
	beta: 0.2,
	crpAlpha: 1,
	sweeps: 20,
	refineSweeps: 10,
	tolerance: 0.01,
	mapSweeps: 1,
	minDocFreq: 2,
	maxDocFreqRatio: 0.5,
	minTokens: 1,
	minScore: 0,
	minClusterSize: 3,
	labelWords: 8,
	sampleSize: 20000
};

// ---------------------------------------------------------------------------------------------------------
// Small numeric helpers

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LANCZOS = [
	0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
	-0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
];

/** log Γ(x) for x > 0 (Stirling's series above 10, Lanczos below). */
export function lgamma(x: number): number {
	if (x >= 10) {
		const x2 = x * x;
		return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + 1 / (12 * x) - 1 / (360 * x * x2) + 1 / (1260 * x2 * x2 * x) - 1 / (1680 * x2 * x2 * x2 * x);
	}
	if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
	x -= 1;
	let a = LANCZOS[0];
	const t = x + 7.5;
	for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
	return LN_SQRT_2PI + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log of the rising factorial a (a+1) … (a+n-1) = lgamma(a+n) − lgamma(a). */
function logRising(a: number, n: number): number {
	if (n <= 0) return 0;
	if (a >= 10 || n > 24) return lgamma(a + n) - lgamma(a);
	let p = 1;
	for (let i = 0; i < n; i++) p *= a + i;
	return Math.log(p);
}

const FOLD = 1e200;

// ---------------------------------------------------------------------------------------------------------
// Corpus: vocabulary and documents as compressed rows of (word, count)

interface Corpus {
	vocab: string[];
	/** per document: start in w/c (length n+1) */
	ptr: Int32Array;
	w: Int32Array;
	c: Int32Array;
	/** in-vocabulary tokens per document */
	len: Int32Array;
	/** corpus count per word */
	freq: Float64Array;
	total: number;
}

function cleanTokens(tokens: readonly string[] | undefined | null): string[] {
	if (!Array.isArray(tokens)) return [];
	const out: string[] = [];
	for (const t of tokens) {
		if (typeof t !== 'string') continue;
		const s = t.trim();
		if (s) out.push(s);
	}
	return out;
}

function buildCorpus(docs: readonly ClusterDoc[], minDf: number, maxDfRatio: number): Corpus {
	const n = docs.length;
	// pass 1: provisional ids in order of first appearance, document frequencies, documents as id runs
	const tmp = new Map<string, number>();
	const names: string[] = [];
	let df = new Int32Array(1024);
	let last = new Int32Array(1024).fill(-1);
	let flat = new Int32Array(1 << 16);
	let nflat = 0;
	const start = new Int32Array(n + 1);
	for (let d = 0; d < n; d++) {
		const tokens = docs[d]?.tokens;
		if (Array.isArray(tokens))
			for (const raw of tokens) {
				if (typeof raw !== 'string') continue;
				let t = raw;
				if (t.length === 0) continue;
				let id = tmp.get(t);
				if (id === undefined) {
					t = t.trim();
					if (!t) continue;
					id = tmp.get(t);
					if (id === undefined) {
						id = names.length;
						names.push(t);
						tmp.set(t, id);
						if (id >= df.length) {
							const df2 = new Int32Array(df.length * 2);
							df2.set(df);
							df = df2;
							const l2 = new Int32Array(last.length * 2).fill(-1);
							l2.set(last);
							last = l2;
						}
					}
					if (raw !== t) tmp.set(raw, id);
				}
				if (last[id] !== d) {
					last[id] = d;
					df[id]++;
				}
				if (nflat === flat.length) {
					const f2 = new Int32Array(flat.length * 2);
					f2.set(flat);
					flat = f2;
				}
				flat[nflat++] = id;
			}
		start[d + 1] = nflat;
	}
	// pass 2: the vocabulary (provisional order = first appearance)
	const maxDf = Math.max(minDf, Math.floor(maxDfRatio * n));
	const final = new Int32Array(names.length).fill(-1);
	const vocab: string[] = [];
	for (let id = 0; id < names.length; id++)
		if (df[id] >= minDf && df[id] <= maxDf) {
			final[id] = vocab.length;
			vocab.push(names[id]);
		}
	// pass 3: each document's words (ascending) with counts
	const ptr = new Int32Array(n + 1);
	const len = new Int32Array(n);
	const freq = new Float64Array(vocab.length);
	const count = new Int32Array(vocab.length);
	let w = new Int32Array(Math.max(16, nflat));
	let c = new Int32Array(w.length);
	let nnz = 0;
	let total = 0;
	const seen: number[] = [];
	for (let d = 0; d < n; d++) {
		seen.length = 0;
		for (let i = start[d]; i < start[d + 1]; i++) {
			const j = final[flat[i]];
			if (j < 0) continue;
			if (count[j]++ === 0) seen.push(j);
		}
		seen.sort((x, y) => x - y);
		let l = 0;
		for (const j of seen) {
			w[nnz] = j;
			c[nnz] = count[j];
			nnz++;
			l += count[j];
			freq[j] += count[j];
			count[j] = 0;
		}
		len[d] = l;
		total += l;
		ptr[d + 1] = nnz;
	}
	w = w.slice(0, nnz);
	c = c.slice(0, nnz);
	return { vocab, ptr, w, c, len, freq, total };
}

// ---------------------------------------------------------------------------------------------------------
// The sampler state. Counts per cluster slot are word-major (nkw[w * K + k]); for each word, the slots where
// it occurs are listed (wl[w * K + i], i < wn[w]) so that scoring a document touches only the clusters that
// share a word with it. A document's score under slot k, up to a constant common to all slots:
//   log(m_k + α) − Σ_{i<L} log(n_k + Vβ + i) + Σ_w Σ_{r<c_w} log(1 + n_kw / (β + r))
// (the Pólya-urn predictive of the DMM; empty slots all score alike and stand in as one "new cluster").

/** Σ_{i<L} log(a + i), by a series in 1/a when L is small against a (cached log a, 1/a), else exactly. */
function logDenominator(a: number, logA: number, invA: number, L: number, s1: number, s2: number, s3: number): number {
	if (L * 8 < a) return L * logA + s1 * invA - 0.5 * s2 * invA * invA + (s3 * invA * invA * invA) / 3;
	return logRising(a, L);
}

class Mixture {
	readonly K: number;
	readonly V: number;
	readonly m: Float64Array;
	readonly nk: Float64Array;
	readonly nkw: Int32Array;
	readonly z: Int32Array;
	/** slots that may not be used (dissolved) */
	readonly banned: Uint8Array;
	private readonly wl: Uint16Array | Int32Array;
	private readonly wn: Int32Array;
	private readonly logPrior: Float64Array;
	private readonly logA: Float64Array;
	private readonly invA: Float64Array;
	private readonly alive: Int32Array;
	private nAlive = 0;
	private firstEmpty = -1;
	private nEmpty = 0;
	private aliveDirty = true;
	private readonly lp: Float64Array;
	private readonly acc: Float64Array;
	/** log(1 + x / β) for small counts x */
	private readonly logOne: Float64Array;
	private readonly Vb: number;

	constructor(
		readonly corpus: Corpus,
		K: number,
		readonly alpha: number,
		readonly beta: number
	) {
		this.K = K;
		this.V = corpus.vocab.length;
		this.m = new Float64Array(K);
		this.nk = new Float64Array(K);
		this.nkw = new Int32Array(this.V * K);
		this.wl = K < 65536 ? new Uint16Array(this.V * K) : new Int32Array(this.V * K);
		this.wn = new Int32Array(this.V);
		this.z = new Int32Array(corpus.len.length).fill(-1);
		this.banned = new Uint8Array(K);
		this.logPrior = new Float64Array(K);
		this.logA = new Float64Array(K);
		this.invA = new Float64Array(K);
		this.alive = new Int32Array(K + 1);
		this.lp = new Float64Array(K + 1);
		this.acc = new Float64Array(K);
		this.logOne = Float64Array.from({ length: 4096 }, (_, x) => Math.log1p(x / beta));
		this.Vb = this.V * beta;
		for (let k = 0; k < K; k++) this.refresh(k);
	}

	private refresh(k: number): void {
		const a = this.nk[k] + this.Vb;
		this.logPrior[k] = Math.log(this.m[k] + this.alpha);
		this.logA[k] = Math.log(a);
		this.invA[k] = 1 / a;
	}

	private listAdd(w: number, k: number): void {
		this.wl[w * this.K + this.wn[w]++] = k;
	}

	private listRemove(w: number, k: number): void {
		const base = w * this.K;
		const n = --this.wn[w];
		for (let i = 0; i <= n; i++)
			if (this.wl[base + i] === k) {
				this.wl[base + i] = this.wl[base + n];
				return;
			}
	}

	add(d: number, k: number, sign: 1 | -1): void {
		const { ptr, w, c, len } = this.corpus;
		const K = this.K;
		const nkw = this.nkw;
		const before = this.m[k];
		this.m[k] += sign;
		this.nk[k] += sign * len[d];
		for (let q = ptr[d]; q < ptr[d + 1]; q++) {
			const i = w[q] * K + k;
			const old = nkw[i];
			const now = (nkw[i] = old + sign * c[q]);
			if (old === 0 && now > 0) this.listAdd(w[q], k);
			else if (old > 0 && now === 0) this.listRemove(w[q], k);
		}
		this.z[d] = sign > 0 ? k : -1;
		this.refresh(k);
		if ((before === 0) !== (this.m[k] === 0)) this.aliveDirty = true;
	}

	private updateAlive(): void {
		this.nAlive = 0;
		this.firstEmpty = -1;
		this.nEmpty = 0;
		for (let k = 0; k < this.K; k++) {
			if (this.banned[k]) continue;
			if (this.m[k] > 0) this.alive[this.nAlive++] = k;
			else {
				this.nEmpty++;
				if (this.firstEmpty < 0) this.firstEmpty = k;
			}
		}
		this.aliveDirty = false;
	}

	/**
	 * Scores of document d (not in the counts) under the candidate clusters — non-empty slots plus, when
	 * `allowNew`, one empty slot standing for all of them. Returns the number of candidates; candidates in
	 * `this.alive[0..n)`, log scores (up to a constant) in `this.lp`.
	 */
	private score(d: number, allowNew: boolean): number {
		if (this.aliveDirty) this.updateAlive();
		let n = this.nAlive;
		const alive = this.alive;
		if (allowNew && this.firstEmpty >= 0) alive[n++] = this.firstEmpty;
		const { ptr, w, c, len } = this.corpus;
		const K = this.K;
		const beta = this.beta;
		const acc = this.acc;
		acc.fill(0);
		const nkw = this.nkw;
		const wl = this.wl;
		const wn = this.wn;
		const tbl = this.logOne;
		const T = tbl.length;
		for (let q = ptr[d]; q < ptr[d + 1]; q++) {
			const wq = w[q];
			const base = wq * K;
			const cnt = c[q];
			const end = base + wn[wq];
			if (cnt === 1) {
				for (let i = base; i < end; i++) {
					const k = wl[i];
					const x = nkw[base + k];
					acc[k] += x < T ? tbl[x] : Math.log1p(x / beta);
				}
			} else {
				for (let i = base; i < end; i++) {
					const k = wl[i];
					const x = nkw[base + k];
					let f = 0;
					for (let r = 0; r < cnt; r++) f += Math.log1p(x / (beta + r));
					acc[k] += f;
				}
			}
		}
		const L = len[d];
		const s1 = (L * (L - 1)) / 2;
		const s2 = ((L - 1) * L * (2 * L - 1)) / 6;
		const s3 = s1 * s1;
		const lp = this.lp;
		for (let a = 0; a < n; a++) {
			const k = alive[a];
			const prior = this.m[k] > 0 ? this.logPrior[k] : Math.log(this.alpha * this.nEmpty);
			lp[a] = prior - logDenominator(this.nk[k] + this.Vb, this.logA[k], this.invA[k], L, s1, s2, s3) + acc[k];
		}
		return n;
	}

	/**
	 * One Gibbs sweep over `docs` (map: the most probable cluster instead of a draw; allowNew: an empty slot
	 * may be opened). Returns how many documents moved.
	 */
	sweep(docs: readonly number[], rng: Rng, allowNew: boolean, map: boolean, keepAlive = false): number {
		let moved = 0;
		const lp = this.lp;
		for (const d of docs) {
			const old = this.z[d];
			// keepAlive: the last member of a (not dissolved) cluster stays, so the number of clusters holds
			if (keepAlive && old >= 0 && this.m[old] <= 1 && !this.banned[old]) continue;
			if (old >= 0) this.add(d, old, -1);
			const n = this.score(d, allowNew);
			if (n === 0) {
				// nothing to join (every slot banned): keep it where it was
				if (old >= 0) this.add(d, old, 1);
				continue;
			}
			let best = 0;
			for (let a = 1; a < n; a++) if (lp[a] > lp[best]) best = a;
			let pick = best;
			if (!map) {
				const mx = lp[best];
				let tot = 0;
				for (let a = 0; a < n; a++) {
					const v = lp[a] - mx;
					tot += lp[a] = v > -40 ? Math.exp(v) : 0;
				}
				let u = rng.next() * tot;
				for (let a = 0; a < n; a++) {
					u -= lp[a];
					if (u <= 0 && lp[a] > 0) {
						pick = a;
						break;
					}
				}
			}
			const k = this.alive[pick];
			if (k !== old) moved++;
			this.add(d, k, 1);
		}
		return moved;
	}

	/** Best cluster of d (not in the counts) among non-empty slots, or -1. */
	best(d: number): number {
		const n = this.score(d, false);
		if (n === 0) return -1;
		let best = 0;
		for (let a = 1; a < n; a++) if (this.lp[a] > this.lp[best]) best = a;
		return this.alive[best];
	}

	/** Average log-likelihood ratio per token of d under cluster k (d not in the counts) vs. the corpus. */
	lift(d: number, k: number): number {
		const { ptr, w, c, len, freq, total } = this.corpus;
		const L = len[d];
		if (L === 0) return 0;
		const K = this.K;
		const beta = this.beta;
		const denK = this.nk[k] + this.Vb;
		const denB = total + this.Vb;
		let s = 0;
		for (let q = ptr[d]; q < ptr[d + 1]; q++) {
			const x = this.nkw[w[q] * K + k];
			s += c[q] * Math.log(((x + beta) / denK) * (denB / (freq[w[q]] + beta)));
		}
		return s / L;
	}

	/** Excludes slot k from now on (its documents move at their next sweep). */
	ban(k: number): void {
		this.banned[k] = 1;
		this.aliveDirty = true;
	}

	/** The first empty slot that is not banned, or -1. */
	emptySlot(): number {
		for (let k = 0; k < this.K; k++) if (this.m[k] === 0 && !this.banned[k]) return k;
		return -1;
	}

	aliveSlots(): number[] {
		const out: number[] = [];
		for (let k = 0; k < this.K; k++) if (this.m[k] > 0) out.push(k);
		return out;
	}

	/** Collapsed log joint log p(W | z) + log p(z) with a CRP(crpAlpha) partition prior. */
	logJoint(crpAlpha: number): number {
		const { K, V, beta } = this;
		const lb = lgamma(beta);
		const lvb = lgamma(this.Vb);
		let s = 0;
		let D = 0;
		let Ka = 0;
		for (let k = 0; k < K; k++) {
			if (this.m[k] === 0) continue;
			Ka++;
			D += this.m[k];
			s += lgamma(this.m[k]) + lvb - lgamma(this.nk[k] + this.Vb);
		}
		for (let i = 0; i < V * K; i++) {
			const x = this.nkw[i];
			if (x > 0) s += lgamma(x + beta) - lb;
		}
		s += Ka * Math.log(crpAlpha) + lgamma(crpAlpha) - lgamma(D + crpAlpha);
		return s;
	}

	/** Moves every document of slot `from` into slot `into`. */
	mergeSlots(into: number, from: number): void {
		const { K, V } = this;
		this.m[into] += this.m[from];
		this.nk[into] += this.nk[from];
		this.m[from] = 0;
		this.nk[from] = 0;
		for (let w = 0; w < V; w++) {
			const i = w * K;
			const x = this.nkw[i + from];
			if (x === 0) continue;
			if (this.nkw[i + into] === 0) this.listAdd(w, into);
			this.listRemove(w, from);
			this.nkw[i + into] += x;
			this.nkw[i + from] = 0;
		}
		for (let d = 0; d < this.z.length; d++) if (this.z[d] === from) this.z[d] = into;
		this.refresh(into);
		this.refresh(from);
		this.aliveDirty = true;
	}
}

// ---------------------------------------------------------------------------------------------------------
// Merging by collapsed log joint

function mergeClusters(mix: Mixture, crpAlpha: number, target: number | null): number {
	const { K, V, beta } = mix;
	const Vb = V * beta;
	const lb = lgamma(beta);
	const lvb = lgamma(Vb);
	// sparse word lists per slot
	const words: Map<number, number>[] = Array.from({ length: K }, () => new Map<number, number>());
	for (let w = 0; w < V; w++) {
		const base = w * K;
		for (let k = 0; k < K; k++) {
			const x = mix.nkw[base + k];
			if (x > 0) words[k].set(w, x);
		}
	}
	const alive = new Set(mix.aliveSlots());
	const delta = (a: number, b: number): number => {
		let d = -lvb - lgamma(mix.nk[a] + mix.nk[b] + Vb) + lgamma(mix.nk[a] + Vb) + lgamma(mix.nk[b] + Vb);
		const [s, t] = words[a].size <= words[b].size ? [words[a], words[b]] : [words[b], words[a]];
		for (const [w, x] of s) {
			const y = t.get(w);
			if (y !== undefined) d += lgamma(x + y + beta) - lgamma(x + beta) - lgamma(y + beta) + lb;
		}
		d += lgamma(mix.m[a] + mix.m[b]) - lgamma(mix.m[a]) - lgamma(mix.m[b]) - Math.log(crpAlpha);
		return d;
	};
	// pair scores in a K×K table (upper triangle)
	const gain = new Float64Array(K * K).fill(-Infinity);
	const list = [...alive].sort((a, b) => a - b);
	for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) gain[list[i] * K + list[j]] = delta(list[i], list[j]);
	while (alive.size > Math.max(1, target ?? 1)) {
		let best = -Infinity;
		let ba = -1;
		let bb = -1;
		for (const a of alive)
			for (const b of alive) {
				if (b <= a) continue;
				const g = gain[a * K + b];
				if (g > best) {
					best = g;
					ba = a;
					bb = b;
				}
			}
		if (ba < 0 || (target === null && !(best > 0))) break;
		// merge the smaller into the larger (ties: lower slot keeps)
		const [into, from] = mix.m[bb] > mix.m[ba] ? [bb, ba] : [ba, bb];
		mix.mergeSlots(into, from);
		for (const [w, x] of words[from]) words[into].set(w, (words[into].get(w) ?? 0) + x);
		words[from].clear();
		alive.delete(from);
		for (const c of alive) {
			if (c === into) continue;
			const [a, b] = c < into ? [c, into] : [into, c];
			gain[a * K + b] = delta(a, b);
		}
	}
	return alive.size;
}

// ---------------------------------------------------------------------------------------------------------
// c-TF-IDF labels

function ctfidf(
	classCounts: Map<number, number>[],
	labelWords: number,
	vocab: readonly string[]
): { words: string[]; weights: number[]; all: Map<number, number> }[] {
	const across = new Map<number, number>();
	let totalWords = 0;
	let nonEmpty = 0;
	for (const cc of classCounts) {
		let t = 0;
		for (const [w, x] of cc) {
			across.set(w, (across.get(w) ?? 0) + x);
			t += x;
		}
		totalWords += t;
		if (t > 0) nonEmpty++;
	}
	const A = nonEmpty > 0 ? totalWords / nonEmpty : 0;
	return classCounts.map((cc) => {
		const scored: Array<[number, number]> = [];
		const all = new Map<number, number>();
		for (const [w, x] of cc) {
			const v = x * Math.log(1 + A / across.get(w)!);
			scored.push([w, v]);
			all.set(w, v);
		}
		scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
		// words of two or more characters first (single characters — 图, 张, 停 — read poorly on their own)
		const long = scored.filter(([w]) => [...vocab[w]].length > 1);
		const top = long.slice(0, labelWords);
		if (top.length < labelWords) top.push(...scored.filter(([w]) => [...vocab[w]].length <= 1).slice(0, labelWords - top.length));
		return { words: top.map(([w]) => vocab[w]), weights: top.map(([, s]) => round(s, 4)), all };
	});
}

const round = (x: number, digits: number) => {
	const f = 10 ** digits;
	return Math.round(x * f) / f;
};

// ---------------------------------------------------------------------------------------------------------
// cluster()

function positiveInt(x: unknown, name: string, min = 1): number {
	if (typeof x !== 'number' || !Number.isFinite(x) || Math.floor(x) < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${String(x)})`);
	return Math.floor(x);
}

/** Clusters documents into topics; see the module header for the method. */
export function cluster(docs: readonly ClusterDoc[], options: ClusterOptions = {}): ClusterResult {
	const t0 = performance.now();
	const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & { k?: number | 'auto' };
	const kReq: number | 'auto' = o.k === undefined || o.k === 'auto' ? 'auto' : positiveInt(o.k, 'k');
	const maxK = positiveInt(o.maxK, 'maxK', 2);
	if (!(o.alpha > 0) || !(o.beta > 0) || !(o.crpAlpha > 0)) throw new Error('alpha, beta and crpAlpha must be positive');
	if (Number.isNaN(o.minScore)) throw new Error('minScore must be a number');
	// stored in the model as JSON: -Infinity (no score rule) becomes the lowest finite number
	const minScore = Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, o.minScore));
	const seed = Math.floor(Number(o.seed)) >>> 0;
	const rng = new Rng(seed);

	const stages: Record<string, number> = {};
	let tStage = performance.now();
	const stage = (name: string) => {
		const now = performance.now();
		stages[name] = round((now - tStage) / 1000, 3);
		tStage = now;
	};
	const corpus = buildCorpus(docs, Math.max(1, Math.floor(o.minDocFreq)), o.maxDocFreqRatio);
	const n = docs.length;
	const minTokens = Math.max(1, Math.floor(o.minTokens));
	stage('corpus');
	const active: number[] = [];
	for (let d = 0; d < n; d++) if (corpus.len[d] >= minTokens) active.push(d);

	const slots = Math.max(1, Math.min(active.length, kReq === 'auto' ? maxK : Math.max(kReq, Math.ceil(kReq * Math.max(1, o.overcluster)))));
	const mix = new Mixture(corpus, slots, o.alpha, o.beta);
	let sampled = 0;
	let merged = 0;
	let dissolved = 0;
	let sampleN = 0;
	let sweepsDone = 0;
	const assignments: DocAssignment[] = docs.map((d, i) => ({ id: d?.id ?? i, clusterId: -1, score: 0 }));
	const scores = new Float64Array(n);
	const isOutlier = new Uint8Array(n).fill(1);

	if (active.length > 0) {
		// the sampling stages run on a random sample of at most sampleSize documents (in input order)
		let sample = active;
		const sampleSize = Math.max(1, Math.floor(o.sampleSize));
		if (active.length > sampleSize) {
			const idx = active.slice();
			for (let i = 0; i < sampleSize; i++) {
				const j = i + Math.floor(rng.next() * (idx.length - i));
				[idx[i], idx[j]] = [idx[j], idx[i]];
			}
			sample = idx.slice(0, sampleSize).sort((a, b) => a - b);
		}
		// 1. over-clustering. With k given (and documents enough to fill every slot) no cluster may empty, so
		// that merging has all 3k to choose from: the sampler alone keeps only as many as the data favour.
		const fixedK = kReq !== 'auto';
		const keepSlots = fixedK && sample.length >= slots * Math.max(1, o.minClusterSize);
		for (const d of sample) mix.add(d, Math.floor(rng.next() * slots), 1);
		const still = Math.max(0, o.tolerance) * sample.length;
		let quiet = 0;
		for (let s = 0; s < o.sweeps && quiet < 2; s++) {
			quiet = mix.sweep(sample, rng, true, false, keepSlots) <= still ? quiet + 1 : 0;
			sweepsDone++;
		}
		sampled = mix.aliveSlots().length;
		sampleN = sample.length;
		stage('sampling');
		// 2. merging
		merged = mergeClusters(mix, o.crpAlpha, kReq === 'auto' ? null : kReq);
		stage('merging');
		// 3. refinement without new clusters (with k given, none may empty: the sampler would fold them back)
		quiet = 0;
		for (let s = 0; s < o.refineSweeps && quiet < 2; s++) {
			quiet = mix.sweep(sample, rng, false, false, keepSlots) <= still ? quiet + 1 : 0;
			sweepsDone++;
		}
		stage('refinement');
		// the documents outside the sample join their most probable topic
		if (sample !== active) for (const d of active) if (mix.z[d] < 0) mix.add(d, mix.best(d), 1);
		// k auto: dissolve clusters that are too small (never all of them); then most-probable-topic sweeps
		if (!fixedK) {
			const slotsNow = mix.aliveSlots();
			const small = slotsNow.filter((k) => mix.m[k] < o.minClusterSize);
			if (small.length < slotsNow.length)
				for (const k of small) {
					mix.ban(k);
					dissolved++;
				}
		}
		const mapSweeps = Math.max(1, Math.floor(o.mapSweeps));
		for (let s = 0; s < mapSweeps; s++) mix.sweep(active, rng, false, true, keepSlots);
		// 4. scores (leave-one-out) and outliers
		for (const d of active) {
			const k = mix.z[d];
			const last = keepSlots && mix.m[k] <= 1;
			mix.add(d, k, -1);
			const best = last ? k : mix.best(d);
			const kk = best >= 0 ? best : k;
			scores[d] = mix.lift(d, kk);
			mix.add(d, kk, 1);
			isOutlier[d] = scores[d] < minScore ? 1 : 0;
		}
		for (const d of active) if (isOutlier[d]) mix.add(d, mix.z[d], -1);
	}

	stage('final');

	// 5. topics by size, then first member
	const slotFirst = new Map<number, number>();
	for (const d of active) if (!isOutlier[d] && !slotFirst.has(mix.z[d])) slotFirst.set(mix.z[d], d);
	const order = [...slotFirst.keys()].sort((a, b) => mix.m[b] - mix.m[a] || slotFirst.get(a)! - slotFirst.get(b)!);
	const topicOf = new Map<number, number>(order.map((s, i) => [s, i]));
	const k = order.length;
	const members: number[][] = Array.from({ length: k + 1 }, () => []);
	for (let d = 0; d < n; d++) {
		let t = -1;
		if (corpus.len[d] >= minTokens && !isOutlier[d]) t = topicOf.get(mix.z[d])!;
		assignments[d].clusterId = t;
		assignments[d].score = round(scores[d], 6);
		members[t < 0 ? k : t].push(d);
	}

	// word counts per topic (and of the outliers, for their label)
	const classCounts: Map<number, number>[] = members.map((ds) => {
		const cc = new Map<number, number>();
		for (const d of ds) for (let q = corpus.ptr[d]; q < corpus.ptr[d + 1]; q++) cc.set(corpus.w[q], (cc.get(corpus.w[q]) ?? 0) + corpus.c[q]);
		return cc;
	});
	const labels = ctfidf(classCounts, Math.max(0, Math.floor(o.labelWords)), corpus.vocab);
	const titleOf = (d: number) => {
		const t = docs[d]?.title;
		return typeof t === 'string' && t.trim() ? t : cleanTokens(docs[d]?.tokens).join(' ');
	};
	const clusters: TopicCluster[] = members.map((ds, t) => {
		const outlier = t === k;
		// representative: the member closest (cosine) to the topic's c-TF-IDF vector — its most typical text
		let rep = -1;
		let repSim = -1;
		const weights = labels[t].all;
		for (const d of ds) {
			if (corpus.len[d] === 0) continue;
			let dot = 0;
			let nn = 0;
			for (let q = corpus.ptr[d]; q < corpus.ptr[d + 1]; q++) {
				dot += corpus.c[q] * (weights.get(corpus.w[q]) ?? 0);
				nn += corpus.c[q] * corpus.c[q];
			}
			const sim = dot / Math.sqrt(nn);
			if (sim > repSim || (sim === repSim && scores[d] > scores[rep])) {
				rep = d;
				repSim = sim;
			}
		}
		if (rep < 0 && ds.length > 0) rep = ds[0];
		const entries = outlier ? [] : [...classCounts[t].entries()].sort((a, b) => a[0] - b[0]);
		let tokens = 0;
		for (const x of classCounts[t].values()) tokens += x;
		return {
			id: outlier ? -1 : t,
			size: ds.length,
			label: labels[t].words,
			labelWeights: labels[t].weights,
			representative: rep < 0 ? null : { id: assignments[rep].id, title: titleOf(rep), score: round(scores[rep], 6) },
			outlier,
			tokens,
			words: entries.map(([w]) => w),
			counts: entries.map(([, x]) => x)
		};
	});

	stage('output');
	const model: TopicModel = {
		format: 'minqing-topic-dmm',
		version: 1,
		k,
		kRequested: kReq,
		params: {
			alpha: o.alpha,
			beta: o.beta,
			crpAlpha: o.crpAlpha,
			seed,
			minTokens,
			minScore,
			minDocFreq: o.minDocFreq,
			maxDocFreqRatio: o.maxDocFreqRatio,
			slots
		},
		vocab: corpus.vocab,
		background: Array.from(corpus.freq),
		backgroundTotal: corpus.total,
		docs: n,
		outliers: members[k].length,
		clusters,
		diagnostics: {
			sampled,
			merged,
			dissolved,
			logJoint: active.length > 0 ? round(mix.logJoint(o.crpAlpha), 3) : 0,
			sampleSize: sampleN,
			sweeps: sweepsDone,
			boundReached: kReq === 'auto' && sampled >= slots,
			seconds: round((performance.now() - t0) / 1000, 3),
			stages
		}
	};
	return { model, assignments };
}

// ---------------------------------------------------------------------------------------------------------
// assign(): new documents against a stored model

interface Compiled {
	vocab: Map<string, number>;
	/** inverted index: for word w, topics postStart[w]..postStart[w+1] in postTopic with counts postCount */
	postStart: Int32Array;
	postTopic: Int32Array;
	postCount: Float64Array;
	logPrior: Float64Array;
	nk: Float64Array;
	/** topic id of each compiled topic */
	ids: Int32Array;
	k: number;
	V: number;
}

const compiledCache = new WeakMap<TopicModel, Compiled>();

function compile(model: TopicModel): Compiled {
	const hit = compiledCache.get(model);
	if (hit) return hit;
	if (model?.format !== 'minqing-topic-dmm') throw new Error('not a topic model (format minqing-topic-dmm expected)');
	const V = model.vocab.length;
	const topics = model.clusters.filter((c) => !c.outlier && c.id >= 0).sort((a, b) => a.id - b.id);
	const k = topics.length;
	const vocab = new Map<string, number>();
	model.vocab.forEach((w, i) => vocab.set(w, i));
	const deg = new Int32Array(V + 1);
	for (const t of topics) for (const w of t.words) deg[w + 1]++;
	for (let w = 0; w < V; w++) deg[w + 1] += deg[w];
	const postStart = Int32Array.from(deg);
	const fill = Int32Array.from(deg.subarray(0, V));
	const postTopic = new Int32Array(deg[V]);
	const postCount = new Float64Array(deg[V]);
	const logPrior = new Float64Array(k);
	const nk = new Float64Array(k);
	topics.forEach((t, i) => {
		logPrior[i] = Math.log(t.size + model.params.alpha);
		nk[i] = t.tokens;
		t.words.forEach((w, j) => {
			const p = fill[w]++;
			postTopic[p] = i;
			postCount[p] = t.counts[j];
		});
	});
	const ids = Int32Array.from(topics, (t) => t.id);
	const c: Compiled = { vocab, postStart, postTopic, postCount, logPrior, nk, ids, k, V };
	compiledCache.set(model, c);
	return c;
}

/**
 * Puts new documents into the model's topics: the most probable topic under the DMM's predictive
 * distribution, -1 when the document has fewer than `minTokens` known words or scores below `minScore`
 * (the rule of `cluster`). The model is not changed. Words not in the model's vocabulary are ignored.
 */
export function assign(model: TopicModel, docs: readonly { tokens: readonly string[] }[]): Array<{ clusterId: number; score: number }> {
	const cm = compile(model);
	const { beta, minTokens, minScore } = model.params;
	const Vb = cm.V * beta;
	const denB = model.backgroundTotal + Vb;
	const lp = new Float64Array(cm.k);
	const acc = new Float64Array(cm.k);
	const local = new Map<number, number>();
	return docs.map((doc) => {
		local.clear();
		for (const t of cleanTokens(doc?.tokens)) {
			const j = cm.vocab.get(t);
			if (j !== undefined) local.set(j, (local.get(j) ?? 0) + 1);
		}
		let L = 0;
		for (const x of local.values()) L += x;
		if (L < minTokens || cm.k === 0) return { clusterId: -1, score: 0 };
		for (let t = 0; t < cm.k; t++) {
			lp[t] = cm.logPrior[t] - logRising(cm.nk[t] + Vb, L);
			acc[t] = 1;
		}
		for (const [w, cnt] of local) {
			for (let p = cm.postStart[w]; p < cm.postStart[w + 1]; p++) {
				const t = cm.postTopic[p];
				const x = cm.postCount[p];
				let f = 1 + x / beta;
				for (let r = 1; r < cnt; r++) f *= 1 + x / (beta + r);
				const v = acc[t] * f;
				if (v > FOLD) {
					lp[t] += Math.log(v);
					acc[t] = 1;
				} else acc[t] = v;
			}
		}
		let best = 0;
		for (let t = 0; t < cm.k; t++) {
			if (acc[t] !== 1) lp[t] += Math.log(acc[t]);
			if (lp[t] > lp[best]) best = t;
		}
		// lift of the best topic over the background
		const denK = cm.nk[best] + Vb;
		let s = 0;
		for (const [w, cnt] of local) {
			let x = 0;
			for (let p = cm.postStart[w]; p < cm.postStart[w + 1]; p++)
				if (cm.postTopic[p] === best) {
					x = cm.postCount[p];
					break;
				}
			s += cnt * Math.log(((x + beta) / denK) * (denB / (model.background[w] + beta)));
		}
		const score = round(s / L, 6);
		return { clusterId: score < minScore ? -1 : cm.ids[best], score };
	});
}

// ---------------------------------------------------------------------------------------------------------
// hierarchy(): topics rolled up to the category tree

export interface CategoryShare {
	code: string;
	count: number;
	/** share of the topic's members with a known category */
	share: number;
}

export interface TopicCategory {
	clusterId: number;
	size: number;
	/** members with a category in `docCategory` */
	known: number;
	/** dominant category at each level of the tree, root first (e.g. 05 → 0501 → 050104) */
	levels: CategoryShare[];
	/** the dominant leaf category (the last of `levels`), or null when no member has one */
	dominant: CategoryShare | null;
	/** the most frequent leaf categories, at most 3 */
	top: CategoryShare[];
}

/** Ancestors of a category code, root first: two digits per level for digit codes ('050104' → 05, 0501, 050104). */
export function defaultAncestors(code: string): string[] {
	if (/^\d+$/.test(code) && code.length % 2 === 0 && code.length > 2) {
		const out: string[] = [];
		for (let i = 2; i <= code.length; i += 2) out.push(code.slice(0, i));
		return out;
	}
	return [code];
}

/**
 * For each topic (and the outlier cluster -1), the dominant category of its members at every level of the
 * category tree, so topics roll up to the tree: level 1 is the plurality root among all members, level 2 the
 * plurality child of that root, and so on. `ancestors(code)` gives a code's path, root first (default:
 * two-digit levels; pass `c => categoryAncestors(ref, c).map(x => x.code)` for the reference tree).
 */
export function hierarchy(
	model: TopicModel,
	assignments: readonly { id: DocId; clusterId: number }[],
	docCategory: ReadonlyMap<DocId, string>,
	ancestors: (code: string) => string[] = defaultAncestors
): TopicCategory[] {
	const byTopic = new Map<number, string[][]>();
	const sizes = new Map<number, number>();
	for (const c of model.clusters) {
		byTopic.set(c.id, []);
		sizes.set(c.id, 0);
	}
	const pathCache = new Map<string, string[]>();
	for (const a of assignments) {
		if (!byTopic.has(a.clusterId)) {
			byTopic.set(a.clusterId, []);
			sizes.set(a.clusterId, 0);
		}
		sizes.set(a.clusterId, sizes.get(a.clusterId)! + 1);
		const code = docCategory.get(a.id);
		if (code === undefined || code === null || code === '') continue;
		let path = pathCache.get(code);
		if (!path) {
			path = ancestors(code);
			if (path.length === 0) path = [code];
			pathCache.set(code, path);
		}
		byTopic.get(a.clusterId)!.push(path);
	}
	const out: TopicCategory[] = [];
	for (const [clusterId, paths] of byTopic) {
		const known = paths.length;
		const levels: CategoryShare[] = [];
		let pool = paths;
		for (let depth = 0; pool.length > 0; depth++) {
			const counts = new Map<string, number>();
			for (const p of pool) if (p.length > depth) counts.set(p[depth], (counts.get(p[depth]) ?? 0) + 1);
			if (counts.size === 0) break;
			const [code, count] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
			levels.push({ code, count, share: round(count / known, 4) });
			pool = pool.filter((p) => p[depth] === code);
		}
		const leaves = new Map<string, number>();
		for (const p of paths) leaves.set(p[p.length - 1], (leaves.get(p[p.length - 1]) ?? 0) + 1);
		const top = [...leaves]
			.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
			.slice(0, 3)
			.map(([code, count]) => ({ code, count, share: round(count / known, 4) }));
		out.push({ clusterId, size: sizes.get(clusterId)!, known, levels, dominant: levels.at(-1) ?? null, top });
	}
	return out.sort((a, b) => (a.clusterId < 0 ? 1 : b.clusterId < 0 ? -1 : a.clusterId - b.clusterId));
}

/** A model as JSON text (it is plain data; this only fixes the formatting). */
export function serializeModel(model: TopicModel): string {
	return JSON.stringify(model);
}

/** Reads a model written by `serializeModel` (or any JSON.stringify of it), with a format check. */
export function parseModel(json: string): TopicModel {
	const m = JSON.parse(json) as TopicModel;
	if (m?.format !== 'minqing-topic-dmm' || m.version !== 1) throw new Error('not a topic model (format minqing-topic-dmm, version 1)');
	return m;
}
