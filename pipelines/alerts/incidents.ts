// One alert per incident, not per series: the series that fire about the same thing in the same place at the
// same time are grouped.
//   1. Local firings (district and street series) join when they are in the same district, their episodes
//      overlap in time (allowing `gapMs` between them), and they are about the same thing: the same topic (a
//      level-2 category is inside its level-1 category; a category a watch list names is inside that list), or
//      they share tickets (overlap coefficient |A ∩ B| / min(|A|, |B|) ≥ `overlap`), which ties a watch list's
//      firing to the category it shows up in. Joining is transitive (union–find): a flood seen in 内涝, in
//      防汛抗旱 and in a street's daily count is one incident.
//   2. City-wide firings join each other by the same rule, then each such group goes to the one local incident
//      it matches best (shared tickets first, then strongest evidence). A city-wide firing never merges two
//      districts: a flood in one district and a drought in another at the same time stay two alerts, even
//      though both raise the city's 应急管理 count. A city-wide group that matches no local incident is an
//      incident of its own (spread thin over the city, no district significant alone).
import type { Family, PlaceLevel, SeriesKey } from './series';

export interface Firing {
	id: string;
	key: SeriesKey;
	/** district of the place (null for the city) */
	district: string | null;
	/** start instants of the first and last firing buckets */
	onset: number;
	last: number;
	/** end of the last firing bucket (exclusive): a daily bucket lasts until midnight */
	until: number;
	/** the tickets behind the excess (may be empty when not looked up) */
	tickets: readonly string[];
	/** evidence strength: smaller is stronger (the episode's p-value) */
	p: number;
}

export interface Incident<F extends Firing = Firing> {
	firings: F[];
	/** the firing that names the incident (most specific topic and place, strongest evidence) */
	primary: F;
	topicKey: string;
	level: PlaceLevel;
	place: string;
	district: string | null;
	onset: number;
	last: number;
	until: number;
	tickets: Set<string>;
}

export interface GroupOptions {
	/** allowed time between two firings' episodes (default 12 h) */
	gapMs: number;
	/** ticket overlap coefficient that makes two firings one incident (default 0.5) */
	overlap: number;
	/** the watch lists that name a category code (any level prefix) */
	watchlistsOf: (category: string) => readonly string[];
	cityCode: string;
}

export const GROUP_DEFAULTS = { gapMs: 12 * 3_600_000, overlap: 0.5 };

export function topicKey(k: Pick<SeriesKey, 'family' | 'topic'>): string {
	return `${FAMILY_PREFIX[k.family]}:${k.topic}`;
}
const FAMILY_PREFIX: Record<Family, string> = { category: 'cat', watchlist: 'wl', topic: 'topic' };

/** Whether a and b are about the same thing (see the header). */
export function sameTopic(a: SeriesKey, b: SeriesKey, watchlistsOf: GroupOptions['watchlistsOf']): boolean {
	if (a.family === b.family) {
		if (a.family !== 'category') return a.topic === b.topic;
		return a.topic.startsWith(b.topic) || b.topic.startsWith(a.topic);
	}
	const [c, w] =
		a.family === 'category' && b.family === 'watchlist'
			? [a, b]
			: b.family === 'category' && a.family === 'watchlist'
				? [b, a]
				: [null, null];
	return !!c && !!w && watchlistsOf(c.topic).includes(w.topic);
}

function overlapCoefficient(a: readonly string[], b: readonly string[]): number {
	if (!a.length || !b.length) return 0;
	const [small, big] = a.length <= b.length ? [a, new Set(b)] : [b, new Set(a)];
	let n = 0;
	for (const t of small) if (big.has(t)) n++;
	return n / small.length;
}

const LEVEL_RANK: Record<PlaceLevel, number> = { street: 0, district: 1, city: 2 };
const FAMILY_RANK: Record<Family, number> = { watchlist: 0, category: 1, topic: 2 };

/** Groups firings into incidents (see the header). Deterministic for a given input order. */
export function groupFirings<F extends Firing>(
	firings: readonly F[],
	options: Partial<GroupOptions> & Pick<GroupOptions, 'watchlistsOf' | 'cityCode'>
): Incident<F>[] {
	const o = { ...GROUP_DEFAULTS, ...options };
	const related = (a: Firing, b: Firing) =>
		a.onset <= b.until + o.gapMs &&
		b.onset <= a.until + o.gapMs &&
		(sameTopic(a.key, b.key, o.watchlistsOf) || overlapCoefficient(a.tickets, b.tickets) >= o.overlap);
	const local = firings.filter((f) => f.key.level !== 'city');
	const city = firings.filter((f) => f.key.level === 'city');
	const localGroups = unite(local, (a, b) => a.district === b.district && related(a, b));
	const cityGroups = unite(city, related);
	const out = localGroups.map((g) => [...g]);
	for (const cg of cityGroups) {
		let best = -1;
		let bestShare = -1;
		let bestP = Infinity;
		out.forEach((g, i) => {
			if (i >= localGroups.length) return;
			if (!cg.some((c) => g.some((l) => related(c, l)))) return;
			const share = Math.max(
				...cg.map((c) =>
					overlapCoefficient(
						c.tickets,
						g.flatMap((l) => l.tickets)
					)
				)
			);
			const p = Math.min(...g.map((l) => l.p));
			if (share > bestShare || (share === bestShare && p < bestP)) [best, bestShare, bestP] = [i, share, p];
		});
		if (best >= 0) out[best].push(...cg);
		else out.push(cg);
	}
	return out.map((g) => incidentOf(g, o.cityCode));
}

/** Connected components of `items` under `join` (union–find), in input order. */
function unite<F>(items: readonly F[], join: (a: F, b: F) => boolean): F[][] {
	const parent = items.map((_, i) => i);
	const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
	for (let i = 0; i < items.length; i++)
		for (let j = i + 1; j < items.length; j++) if (find(i) !== find(j) && join(items[i], items[j])) parent[find(j)] = find(i);
	const groups = new Map<number, F[]>();
	items.forEach((f, i) => {
		const r = find(i);
		let g = groups.get(r);
		if (!g) groups.set(r, (g = []));
		g.push(f);
	});
	return [...groups.values()];
}

function incidentOf<F extends Firing>(g: F[], cityCode: string): Incident<F> {
	const districts = new Set(g.filter((f) => f.key.level !== 'city').map((f) => f.district));
	const streets = new Set(g.filter((f) => f.key.level === 'street').map((f) => f.key.place));
	// the place: one street when every local firing is in it, one district, else the city
	const local = g.filter((f) => f.key.level !== 'city');
	let level: PlaceLevel = 'city';
	let place = cityCode;
	let district: string | null = null;
	if (local.length && districts.size === 1) {
		district = [...districts][0];
		const onlyStreet = streets.size === 1 && local.every((f) => f.key.level === 'street');
		[level, place] = onlyStreet ? ['street', [...streets][0]] : ['district', district!];
	}
	const primary = [...g].sort(
		(a, b) =>
			FAMILY_RANK[a.key.family] - FAMILY_RANK[b.key.family] ||
			b.key.topic.length - a.key.topic.length ||
			LEVEL_RANK[a.key.level] - LEVEL_RANK[b.key.level] ||
			a.p - b.p ||
			(a.id < b.id ? -1 : 1)
	)[0];
	const tickets = new Set<string>();
	for (const f of g) for (const t of f.tickets) tickets.add(t);
	return {
		firings: g,
		primary,
		topicKey: topicKey(primary.key),
		level,
		place,
		district,
		onset: Math.min(...g.map((f) => f.onset)),
		last: Math.max(...g.map((f) => f.last)),
		until: Math.max(...g.map((f) => f.until)),
		tickets
	};
}
