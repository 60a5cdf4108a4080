/**
 * Same-incident grouping (near-duplicate tickets) and merge (并单) candidates at intake.
 *
 * Many callers report one incident: a burst pipe, a night of construction noise, a restaurant's fumes. Their
 * tickets say nearly the same thing in slightly different words, from the same place, within hours or days.
 * This module finds them from the tickets' index tokens (`Segmenter.tokens()`), time and place. Pure: no I/O.
 *
 * Similarity. A ticket is the SET of its word shingles: every token (1-word shingle) and every pair of adjacent
 * tokens (2-word shingle), each hashed to 32 bits (FNV-1a over UTF-16 units, then murmur3's fmix32; a pair
 * mixes its two word hashes in a different domain from single words). Two tickets are similar when the
 * Jaccard index of their shingle sets |A ∩ B| / |A ∪ B| reaches the threshold (default 0.5). Unigrams make
 * paraphrases with the same content words similar; bigrams keep the same words in another order, or two
 * different incidents sharing the vocabulary of a category, apart. Jaccard is computed exactly on the sorted
 * hash sets (a 32-bit collision between two different shingles of two tickets, probability about
 * |A|·|B| / 2³², can add one to the intersection; negligible). A ticket without tokens has no shingles and is
 * never similar to anything (the Jaccard of two empty sets is taken as 0).
 *
 * Candidates: MinHash with LSH banding — chosen over SimHash because the grouping rule is a Jaccard threshold,
 * which MinHash estimates without bias (P[min h(A) = min h(B)] = J(A, B)) and banding turns into a tunable
 * candidate probability, while SimHash approximates a cosine through Hamming distance and needs permuted
 * tables for its candidate search; on short texts (median 25 tokens here) its 64 bits are noisy.
 *   - signature: K = 64 minima; hash i of shingle x is h_i(x) = (a_i·x + b_i) mod 2³² with a_i odd (a random
 *     bijection of 32-bit words, cheap with Math.imul; x is already a well-mixed hash). The constants come
 *     from a fixed seed, so signatures are the same on every run and machine.
 *   - bands: the signature is cut into b bands of r rows (b·r ≤ 64); two tickets become candidates when all r
 *     rows of some band agree, with probability P(J) = 1 − (1 − J^r)^b. r is the largest value for which
 *     P(threshold) ≥ 0.9 (`bandParams`): threshold 0.5 → r = 3, b = 21 → P(0.5) = 0.94, P(0.6) = 0.99,
 *     P(0.3) = 0.44, P(0.1) = 0.02. Every candidate is verified with the exact Jaccard, so the bands only
 *     decide how often a similar pair is found (a pair at the threshold is missed ~6 % of the time; in a
 *     group of three or more, a missed pair is usually bridged by another member).
 *
 * groupIncidents: tickets are processed in time order (received time, then id). A bucket is one band's
 * values plus, with requireSamePlace (default), the district; it remembers its tickets as a chain from the
 * newest. A new ticket walks back each of its buckets' chains while the older ticket is within the window
 * (at most `maxBucketScan` entries per bucket, default 500, which only matters for thousands of identical
 * texts in one place and window), and joins every not yet joined ticket that passes
 *   1. place: same district (both unknown counts as same), and same street when both streets are known —
 *      i.e. same street, or same district when a street is missing, or place unknown for both; a group never
 *      holds two different known streets (a union that would bring two streets together is refused, so a
 *      ticket without a street cannot chain two streets' incidents into one);
 *   2. time: |Δt| ≤ windowHours (default 72) to that ticket (single linkage: a group can last longer than the
 *      window when the reports keep coming);
 *   3. text: exact Jaccard ≥ threshold.
 * Groups are the connected components (union–find). With requireSamePlace false, place is ignored. The result
 * is deterministic: it depends on the tickets, not on their input order.
 *
 * Output: the groups of at least `minSize` (default 2) tickets, each with a stable id (the smallest member id
 * in string order), members in time order, first and last received time, district and street (the street
 * known for one of its members, else null); `groupOf` maps each grouped ticket's id to its group's id
 * (a ticket that is not in `groupOf` is alone).
 *
 * Intake (并单): `buildNearDupIndex(recentTickets)` keeps signatures and LSH buckets (without place, so a
 * query may ask for either rule) and takes more tickets with `add`; `candidatesFor(ticket, index)` returns
 * the indexed tickets that share a bucket with it, pass place and time like the grouping and reach
 * `minSimilarity` (default: the index's threshold), best first (similarity, then the newer, then id).
 *
 * Measured (2 cores, Node 20): 100,000 synthetic tickets of 12–45 tokens over 30 days in 10 districts and
 * 100 streets, a fifth of them near-copies, group in about 2 s (2.5–5 s while other jobs share the cores;
 * signatures ≈ 0.6 s, shingles ≈ 0.4 s of it); over 98 % of the planted pairs with Jaccard ≥ 0.55 end up in
 * one group (near-dup.test.ts). 20,000 demo tickets of 30 days: about 1 s, 430 groups.
 */

/** A ticket as the grouping sees it. */
export interface NearDupTicket {
	id: string;
	/** index tokens (Segmenter.tokens()), in text order */
	tokens: readonly string[];
	/** received time, epoch milliseconds */
	at: number;
	district?: string | null;
	street?: string | null;
}

export interface NearDupOptions {
	/** a ticket joins when it is within this many hours of a member (default 72) */
	windowHours?: number;
	/** minimum Jaccard similarity of the shingle sets, in (0, 1] (default 0.5) */
	threshold?: number;
	/** same street, or same district when a street is missing, or both unknown (default true) */
	requireSamePlace?: boolean;
}

export interface GroupOptions extends NearDupOptions {
	/** smallest group reported (default 2) */
	minSize?: number;
	/** most entries walked back per bucket for one ticket (default 500) */
	maxBucketScan?: number;
}

export interface IncidentGroup {
	/** the smallest member id (string order): stable while the group keeps that member */
	id: string;
	/** member ids in time order (received time, then id) */
	members: string[];
	/** earliest and latest received time of the members, epoch ms */
	first: number;
	last: number;
	district: string | null;
	street: string | null;
}

export interface Grouping {
	/** groups of at least minSize tickets, ordered by first received time, then id */
	groups: IncidentGroup[];
	/** ticket id → group id, for grouped tickets only */
	groupOf: Map<string, string>;
}

export const DEFAULT_WINDOW_HOURS = 72;
export const DEFAULT_THRESHOLD = 0.5;
/** MinHash signature length */
export const SIGNATURE_SIZE = 64;
/** candidate probability wanted at the threshold when choosing the bands */
const TARGET_RECALL = 0.9;
const HOUR = 3_600_000;

// ---------------------------------------------------------------------------------------------------------
// Hashing

/** murmur3's 32-bit finaliser: a bijection that mixes every input bit into every output bit. */
function fmix32(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

/** 32-bit hash of a word: FNV-1a over its UTF-16 code units, finalised with fmix32. */
export function wordHash(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return fmix32(h);
}

function pairHash(a: number, b: number): number {
	return fmix32((Math.imul(a, 0x9e3779b1) ^ ((b << 15) | (b >>> 17)) ^ 0x5bd1e995) >>> 0);
}

/**
 * The shingle set of a token list: hashes of every token and of every pair of adjacent tokens, sorted
 * ascending, without repeats. Empty tokens are skipped.
 */
export function shingles(tokens: readonly string[]): Uint32Array {
	let n = 0;
	if (scratch.length < 2 * tokens.length) scratch = new Uint32Array(Math.max(2 * tokens.length, 2 * scratch.length));
	const s = scratch;
	let prev = 0;
	for (const t of tokens) {
		if (t === '') continue;
		const h = wordHash(t);
		if (n > 0) s[tokens.length + n - 1] = pairHash(prev, h);
		s[n++] = h;
		prev = h;
	}
	if (n === 0) return new Uint32Array(0);
	// words at [0, n), pairs at [tokens.length, tokens.length + n - 1): close the gap, sort, drop repeats
	if (n < tokens.length) s.copyWithin(n, tokens.length, tokens.length + n - 1);
	const total = 2 * n - 1;
	if (total <= 48) insertionSort(s, total);
	else s.subarray(0, total).sort();
	let m = 1;
	for (let i = 1; i < total; i++) if (s[i] !== s[m - 1]) s[m++] = s[i];
	return s.slice(0, m);
}
let scratch = new Uint32Array(512);

function insertionSort(a: Uint32Array, n: number): void {
	for (let i = 1; i < n; i++) {
		const x = a[i];
		let j = i - 1;
		while (j >= 0 && a[j] > x) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = x;
	}
}

/** Exact Jaccard index of two sorted shingle sets; 0 when either is empty. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
	const na = a.length;
	const nb = b.length;
	if (na === 0 || nb === 0) return 0;
	let i = 0;
	let j = 0;
	let inter = 0;
	while (i < na && j < nb) {
		const x = a[i];
		const y = b[j];
		if (x === y) {
			inter++;
			i++;
			j++;
		} else if (x < y) i++;
		else j++;
	}
	return inter / (na + nb - inter);
}

// The K hash functions h_i(x) = a_i·x + b_i mod 2^32, constants from a fixed seed (splitmix32).
const HASH_A = new Int32Array(SIGNATURE_SIZE);
const HASH_B = new Int32Array(SIGNATURE_SIZE);
{
	let s = 0x2545f491;
	const next = () => {
		s = (s + 0x9e3779b9) | 0;
		return fmix32(s);
	};
	for (let i = 0; i < SIGNATURE_SIZE; i++) {
		HASH_A[i] = next() | 1;
		HASH_B[i] = next() | 0;
	}
}

/**
 * MinHash signature of a shingle set: for each of the K hash functions, the smallest value over the set
 * (0xffffffff for an empty set). Writes into `out` at `offset` when given.
 */
export function minhash(sh: Uint32Array, out: Uint32Array = new Uint32Array(SIGNATURE_SIZE), offset = 0): Uint32Array {
	const n = sh.length;
	for (let i = 0; i < SIGNATURE_SIZE; i++) {
		const a = HASH_A[i];
		const b = HASH_B[i];
		let m = 0xffffffff;
		for (let j = 0; j < n; j++) {
			const v = (Math.imul(sh[j], a) + b) >>> 0;
			if (v < m) m = v;
		}
		out[offset + i] = m;
	}
	return out;
}

/**
 * Bands for a threshold: the largest r (rows per band) with 1 − (1 − t^r)^b ≥ 0.9, b = ⌊64 / r⌋.
 * Also returns the candidate probability at the threshold.
 */
export function bandParams(threshold: number): { bands: number; rows: number; recallAtThreshold: number } {
	let best = { bands: SIGNATURE_SIZE, rows: 1, recallAtThreshold: candidateProbability(threshold, SIGNATURE_SIZE, 1) };
	for (let r = 2; r <= SIGNATURE_SIZE; r++) {
		const b = Math.floor(SIGNATURE_SIZE / r);
		const p = candidateProbability(threshold, b, r);
		if (p < TARGET_RECALL) break;
		best = { bands: b, rows: r, recallAtThreshold: p };
	}
	return best;
}

/** Probability that two sets of Jaccard `j` share at least one of `bands` bands of `rows` rows. */
export function candidateProbability(j: number, bands: number, rows: number): number {
	return 1 - Math.pow(1 - Math.pow(j, rows), bands);
}

function bandKey(sig: Uint32Array, offset: number, band: number, rows: number, salt: number): number {
	let h = Math.imul(band + 1, 0x9e3779b1) ^ salt;
	const start = offset + band * rows;
	for (let i = 0; i < rows; i++) h = fmix32((h ^ sig[start + i]) + 0x7f4a7c15);
	return h | 0;
}

// ---------------------------------------------------------------------------------------------------------
// Options and place

interface Resolved {
	windowMs: number;
	threshold: number;
	samePlace: boolean;
	bands: number;
	rows: number;
}

function resolve(opts: NearDupOptions = {}): Resolved {
	const windowHours = opts.windowHours ?? DEFAULT_WINDOW_HOURS;
	const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
	if (!(windowHours >= 0) || !Number.isFinite(windowHours)) throw new Error(`near-dup: windowHours must be a finite number ≥ 0, not ${windowHours}`);
	if (!(threshold > 0 && threshold <= 1)) throw new Error(`near-dup: threshold must be in (0, 1], not ${threshold}`);
	const { bands, rows } = bandParams(threshold);
	return { windowMs: windowHours * HOUR, threshold, samePlace: opts.requireSamePlace ?? true, bands, rows };
}

const norm = (s: string | null | undefined): string | null => (s === undefined || s === null || s === '' ? null : s);

/** Same district (both unknown counts as same) and, when both streets are known, same street. */
export function samePlace(a: { district?: string | null; street?: string | null }, b: { district?: string | null; street?: string | null }): boolean {
	if (norm(a.district) !== norm(b.district)) return false;
	const sa = norm(a.street);
	const sb = norm(b.street);
	return sa === null || sb === null || sa === sb;
}

function checkTicket(t: NearDupTicket, where: string): void {
	if (typeof t.id !== 'string' || t.id === '') throw new Error(`${where}: ticket without an id`);
	if (!Number.isFinite(t.at)) throw new Error(`${where}: ticket ${t.id} has no finite received time (at)`);
	if (!Array.isArray(t.tokens)) throw new Error(`${where}: ticket ${t.id} has no token array`);
}

// ---------------------------------------------------------------------------------------------------------
// Grouping

/** Groups tickets about the same incident (see the module comment). */
export function groupIncidents(tickets: readonly NearDupTicket[], opts: GroupOptions = {}): Grouping {
	const o = resolve(opts);
	const minSize = Math.max(1, opts.minSize ?? 2);
	const maxScan = Math.max(1, opts.maxBucketScan ?? 500);
	const n = tickets.length;
	const seen = new Set<string>();
	for (const t of tickets) {
		checkTicket(t, 'groupIncidents');
		if (seen.has(t.id)) throw new Error(`groupIncidents: duplicate ticket id ${t.id}`);
		seen.add(t.id);
	}

	// time order (then id), so the result does not depend on the input order
	const order = Array.from({ length: n }, (_, i) => i);
	order.sort((a, b) => tickets[a].at - tickets[b].at || (tickets[a].id < tickets[b].id ? -1 : tickets[a].id > tickets[b].id ? 1 : 0));
	const at = new Float64Array(n);
	const district: (string | null)[] = new Array(n);
	const street: (string | null)[] = new Array(n);
	const sets: Uint32Array[] = new Array(n);
	const salt = new Int32Array(n);
	const sig = new Uint32Array(SIGNATURE_SIZE);
	for (let k = 0; k < n; k++) {
		const t = tickets[order[k]];
		at[k] = t.at;
		district[k] = norm(t.district);
		street[k] = norm(t.street);
		sets[k] = shingles(t.tokens);
		salt[k] = o.samePlace && district[k] !== null ? wordHash(district[k]!) | 0 : 0;
	}

	// union–find over positions in time order; a root keeps its component's known street
	const parent = new Int32Array(n);
	for (let k = 0; k < n; k++) parent[k] = k;
	const compStreet: (string | null)[] = street.slice();
	const find = (x: number): number => {
		while (parent[x] !== x) {
			parent[x] = parent[parent[x]];
			x = parent[x];
		}
		return x;
	};
	const union = (a: number, b: number): void => {
		const ra = find(a);
		const rb = find(b);
		if (ra === rb) return;
		const sa = compStreet[ra];
		const sb = compStreet[rb];
		if (o.samePlace && sa !== null && sb !== null && sa !== sb) return;
		const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
		parent[child] = root;
		if (compStreet[root] === null) compStreet[root] = compStreet[child];
	};

	const { bands, rows } = o;
	let withText = 0;
	for (let k = 0; k < n; k++) if (sets[k].length > 0) withText++;
	const heads = Array.from({ length: bands }, () => new HeadTable(withText));
	const prev = new Int32Array(n * bands).fill(-1);
	const checked = new Int32Array(n).fill(-1);
	for (let k = 0; k < n; k++) {
		const set = sets[k];
		if (set.length === 0) continue;
		minhash(set, sig);
		for (let band = 0; band < bands; band++) {
			const key = bandKey(sig, 0, band, rows, salt[k]);
			const p0 = heads[band].swap(key, k);
			if (p0 === -1) continue;
			prev[k * bands + band] = p0;
			let scanned = 0;
			for (let p = p0; p !== -1 && at[k] - at[p] <= o.windowMs && scanned < maxScan; p = prev[p * bands + band], scanned++) {
				if (checked[p] === k) continue;
				checked[p] = k;
				if (o.samePlace && !(district[p] === district[k] && (street[p] === null || street[k] === null || street[p] === street[k]))) continue;
				if (find(p) === find(k)) continue;
				if (jaccard(set, sets[p]) >= o.threshold) union(k, p);
			}
		}
	}

	// components → groups
	const members = new Map<number, number[]>();
	for (let k = 0; k < n; k++) {
		const r = find(k);
		const list = members.get(r);
		if (list) list.push(k);
		else members.set(r, [k]);
	}
	const groups: IncidentGroup[] = [];
	const groupOf = new Map<string, string>();
	for (const [root, ks] of members) {
		if (ks.length < minSize || ks.length < 2) continue;
		const ids = ks.map((k) => tickets[order[k]].id);
		let id = ids[0];
		for (const x of ids) if (x < id) id = x;
		for (const x of ids) groupOf.set(x, id);
		groups.push({ id, members: ids, first: at[ks[0]], last: at[ks[ks.length - 1]], district: district[root], street: compStreet[root] });
	}
	if (minSize <= 1) {
		for (const [root, ks] of members) {
			if (ks.length !== 1) continue;
			const id = tickets[order[ks[0]]].id;
			groupOf.set(id, id);
			groups.push({ id, members: [id], first: at[ks[0]], last: at[ks[0]], district: district[root], street: compStreet[root] });
		}
	}
	groups.sort((a, b) => a.first - b.first || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return { groups, groupOf };
}

/** Open-addressing map from a 32-bit bucket key to the newest ticket position in the bucket. */
class HeadTable {
	private readonly keys: Int32Array;
	private readonly heads: Int32Array;
	private readonly mask: number;

	constructor(entries: number) {
		let cap = 16;
		while (cap < 2 * entries) cap *= 2;
		this.keys = new Int32Array(cap);
		this.heads = new Int32Array(cap).fill(-1);
		this.mask = cap - 1;
	}

	/** Sets the bucket's head to `value` and returns the previous head (-1 for a new bucket). */
	swap(key: number, value: number): number {
		const keys = this.keys;
		const heads = this.heads;
		let i = key & this.mask;
		for (;;) {
			const h = heads[i];
			if (h === -1) {
				keys[i] = key;
				heads[i] = value;
				return -1;
			}
			if (keys[i] === key) {
				heads[i] = value;
				return h;
			}
			i = (i + 1) & this.mask;
		}
	}
}

// ---------------------------------------------------------------------------------------------------------
// Intake index

export interface MergeCandidate {
	id: string;
	/** exact Jaccard similarity of the shingle sets */
	similarity: number;
	at: number;
	district: string | null;
	street: string | null;
}

export interface CandidateOptions {
	/** most candidates returned (default 5) */
	limit?: number;
	/** lowest similarity returned (default: the index's threshold) */
	minSimilarity?: number;
	/** default: the index's */
	windowHours?: number;
	/** default: the index's */
	requireSamePlace?: boolean;
}

/** Signatures and LSH buckets of recent tickets, for merge candidates at intake. */
export class NearDupIndex {
	readonly threshold: number;
	readonly windowHours: number;
	readonly requireSamePlace: boolean;
	readonly bands: number;
	readonly rows: number;
	private readonly ids: string[] = [];
	private readonly at: number[] = [];
	private readonly district: (string | null)[] = [];
	private readonly street: (string | null)[] = [];
	private readonly sets: Uint32Array[] = [];
	private readonly byId = new Map<string, number>();
	private readonly buckets = new Map<number, number[]>();
	private readonly sig = new Uint32Array(SIGNATURE_SIZE);

	constructor(opts: NearDupOptions = {}) {
		const o = resolve(opts);
		this.threshold = o.threshold;
		this.windowHours = o.windowMs / HOUR;
		this.requireSamePlace = o.samePlace;
		this.bands = o.bands;
		this.rows = o.rows;
	}

	get size(): number {
		return this.ids.length;
	}

	has(id: string): boolean {
		return this.byId.has(id);
	}

	/** Adds a ticket; a ticket whose id is already indexed is ignored (returns false). */
	add(t: NearDupTicket): boolean {
		checkTicket(t, 'NearDupIndex.add');
		if (this.byId.has(t.id)) return false;
		const k = this.ids.length;
		const set = shingles(t.tokens);
		this.byId.set(t.id, k);
		this.ids.push(t.id);
		this.at.push(t.at);
		this.district.push(norm(t.district));
		this.street.push(norm(t.street));
		this.sets.push(set);
		if (set.length === 0) return true;
		minhash(set, this.sig);
		for (let band = 0; band < this.bands; band++) {
			const key = bandKey(this.sig, 0, band, this.rows, 0);
			const list = this.buckets.get(key);
			if (list) list.push(k);
			else this.buckets.set(key, [k]);
		}
		return true;
	}

	/** Candidates for a ticket (see `candidatesFor`). */
	query(t: NearDupTicket, opts: CandidateOptions = {}): MergeCandidate[] {
		checkTicket(t, 'candidatesFor');
		const limit = opts.limit ?? 5;
		const minSim = opts.minSimilarity ?? this.threshold;
		const windowMs = (opts.windowHours ?? this.windowHours) * HOUR;
		const place = opts.requireSamePlace ?? this.requireSamePlace;
		const set = shingles(t.tokens);
		if (set.length === 0 || limit <= 0) return [];
		minhash(set, this.sig);
		const probe = { district: norm(t.district), street: norm(t.street) };
		const seen = new Set<number>();
		const out: MergeCandidate[] = [];
		for (let band = 0; band < this.bands; band++) {
			const list = this.buckets.get(bandKey(this.sig, 0, band, this.rows, 0));
			if (!list) continue;
			for (const k of list) {
				if (seen.has(k)) continue;
				seen.add(k);
				if (this.ids[k] === t.id) continue;
				if (Math.abs(this.at[k] - t.at) > windowMs) continue;
				const cand = { district: this.district[k], street: this.street[k] };
				if (place && !samePlace(probe, cand)) continue;
				const similarity = jaccard(set, this.sets[k]);
				if (similarity < minSim) continue;
				out.push({ id: this.ids[k], similarity, at: this.at[k], ...cand });
			}
		}
		out.sort((a, b) => b.similarity - a.similarity || b.at - a.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
		return out.slice(0, limit);
	}
}

/** An intake index over recent tickets (the options fix threshold, window and place rule for queries). */
export function buildNearDupIndex(tickets: Iterable<NearDupTicket>, opts: NearDupOptions = {}): NearDupIndex {
	const index = new NearDupIndex(opts);
	for (const t of tickets) index.add(t);
	return index;
}

/**
 * The best merge (并单) candidates for a ticket among the indexed ones: sharing an LSH bucket, same place
 * and within the window (as the grouping), similarity ≥ minSimilarity; best first. The ticket itself (same
 * id) is never its own candidate.
 */
export function candidatesFor(ticket: NearDupTicket, index: NearDupIndex, opts: CandidateOptions = {}): MergeCandidate[] {
	return index.query(ticket, opts);
}
