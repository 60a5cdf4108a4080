// One alert per incident, not per series: the series that fire about the same thing in the same place at the
// same time are grouped. Firings come in three tiers:
//   core   a specific topic (level-2 category, watch list, topic) in a district
//   broad  a level-1 category in a district or a street (it mixes many topics: 市政公用 holds gas and drainage)
//   city   any series of the whole city
// 1. Core firings join when they are in the same district, their episodes overlap in time (allowing `gapMs`
//    between them), and they are about the same thing: the same topic (or a level-2 category a watch list
//    names), or they share tickets (overlap coefficient |A ∩ B| / min(|A|, |B|) ≥ `overlap`), which ties a
//    watch list's firing to the category it shows up in. Joining is transitive (union–find): a flood seen in
//    内涝 and in 防汛抗旱 is one incident.
// 2. A broad or city firing never joins two incidents: it goes to the one incident it matches best (same
//    district, or any for a city firing; overlapping in time; its topic contains the incident's, or it holds
//    the incident's tickets; best = most shared tickets, then strongest evidence). So a flood in one district
//    and a drought in another stay two alerts even though both raise the city's 应急管理 count, and a gas leak
//    and a flooded underpass in one district stay two alerts even though both raise its 市政公用 count.
// 3. Broad firings that match no incident group among themselves by district, time and topic; city firings
//    that match nothing group among themselves: an incident spread thin over a district or the city.
// An incident's time, tickets and name come from its highest tier (core, else broad, else city): a long daily
// 市政公用 episode attached to a flood does not move the flood's start back by days.
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
	/** still in its episode at the series' last bucket */
	active: boolean;
	/** the tickets behind the excess (may be empty when not looked up) */
	tickets: readonly string[];
	/** evidence strength: smaller is stronger (the episode's p-value) */
	p: number;
}

export interface Incident<F extends Firing = Firing> {
	firings: F[];
	/** the firing that names the incident (highest tier, most specific topic and place, strongest evidence) */
	primary: F;
	topicKey: string;
	level: PlaceLevel;
	place: string;
	district: string | null;
	onset: number;
	last: number;
	until: number;
	/** one of the firings that name it is still in its episode */
	active: boolean;
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

/** GroupOptions.watchlistsOf from the watch lists: those naming a category (any level prefix of the code). */
export function watchlistsOfCategory(lists: readonly { slug: string; categories: readonly string[] }[]): (category: string) => string[] {
	return (category) => lists.filter((w) => w.categories.some((c) => category.startsWith(c) || c.startsWith(category))).map((w) => w.slug);
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

type Tier = 0 | 1 | 2;
function tierOf(f: Firing): Tier {
	if (f.key.level === 'city') return 2;
	return f.key.family === 'category' && f.key.topic.length <= 2 ? 1 : 0;
}

/** Groups firings into incidents (see the header). Deterministic for a given input order. */
export function groupFirings<F extends Firing>(
	firings: readonly F[],
	options: Partial<GroupOptions> & Pick<GroupOptions, 'watchlistsOf' | 'cityCode'>
): Incident<F>[] {
	const o = { ...GROUP_DEFAULTS, ...options };
	const inTime = (a: Firing, b: Firing) => a.onset <= b.until + o.gapMs && b.onset <= a.until + o.gapMs;
	const related = (a: Firing, b: Firing) =>
		inTime(a, b) && (sameTopic(a.key, b.key, o.watchlistsOf) || overlapCoefficient(a.tickets, b.tickets) >= o.overlap);
	const byTier: F[][] = [[], [], []];
	for (const f of firings) byTier[tierOf(f)].push(f);
	const groups = unite(byTier[0], (a, b) => a.district === b.district && related(a, b));
	const attach = (members: F[], candidates: F[][], local: boolean): boolean => {
		let best = -1;
		let bestShare = -1;
		let bestP = Infinity;
		candidates.forEach((g, i) => {
			if (local && g[0].district !== members[0].district) return;
			if (!members.some((m) => g.some((x) => related(m, x)))) return;
			const tickets = g.flatMap((x) => x.tickets);
			const share = Math.max(...members.map((m) => overlapCoefficient(m.tickets, tickets)));
			const p = Math.min(...g.map((x) => x.p));
			if (share > bestShare || (share === bestShare && p < bestP)) [best, bestShare, bestP] = [i, share, p];
		});
		if (best < 0) return false;
		candidates[best].push(...members);
		return true;
	};
	const leftBroad = byTier[1].filter((f) => !attach([f], groups, true));
	groups.push(...unite(leftBroad, (a, b) => a.district === b.district && related(a, b)));
	for (const cg of unite(byTier[2], related)) if (!attach(cg, groups, false)) groups.push(cg);
	return groups.map((g) => incidentOf(g, o.cityCode));
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
	const top = Math.min(...g.map(tierOf));
	const anchors = g.filter((f) => tierOf(f) === top);
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
	const primary = [...anchors].sort(
		(a, b) =>
			FAMILY_RANK[a.key.family] - FAMILY_RANK[b.key.family] ||
			b.key.topic.length - a.key.topic.length ||
			LEVEL_RANK[a.key.level] - LEVEL_RANK[b.key.level] ||
			a.p - b.p ||
			(a.id < b.id ? -1 : 1)
	)[0];
	const tickets = new Set<string>();
	for (const f of anchors) for (const t of f.tickets) tickets.add(t);
	return {
		firings: g,
		primary,
		topicKey: topicKey(primary.key),
		level,
		place,
		district,
		// a daily bucket starts at midnight: the start comes from hourly firings when there are any
		onset: Math.min(
			...(anchors.some((f) => f.key.bucket === 'hour') ? anchors.filter((f) => f.key.bucket === 'hour') : anchors).map((f) => f.onset)
		),
		last: Math.max(...anchors.map((f) => f.last)),
		until: Math.max(...anchors.map((f) => f.until)),
		active: anchors.some((f) => f.active),
		tickets
	};
}
