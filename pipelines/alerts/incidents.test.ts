import { describe, expect, it } from 'vitest';
import { groupFirings, sameTopic, watchlistsOfCategory, type Firing } from './incidents';
import type { SeriesKey } from './series';

const H = 3_600_000;
const CITY = '320500';
const watchlistsOf = (c: string) => (c.startsWith('1203') ? ['flood'] : []);

function firing(id: string, key: Partial<SeriesKey>, onsetH: number, lastH: number, tickets: string[] = [], p = 1e-8): Firing {
	const k: SeriesKey = { family: 'category', topic: '02', level: 'district', place: '320506', bucket: 'hour', ...key };
	if (k.level === 'street') k.district = k.place.slice(0, 6);
	const district = k.level === 'district' ? k.place : (k.district ?? null);
	return {
		id,
		key: k,
		district,
		onset: onsetH * H,
		last: lastH * H,
		until: (lastH + (k.bucket === 'day' ? 24 : 1)) * H,
		active: false,
		tickets,
		p
	};
}

describe('sameTopic', () => {
	it('relates a level-2 category to its level-1 category, a watch list to the categories it names, and nothing else', () => {
		const l1: SeriesKey = { family: 'category', topic: '12', level: 'city', place: CITY, bucket: 'hour' };
		const l2 = { ...l1, topic: '1203' };
		const other = { ...l1, topic: '1201' };
		const wl: SeriesKey = { family: 'watchlist', topic: 'flood', level: 'city', place: CITY, bucket: 'hour' };
		expect(sameTopic(l1, l2, watchlistsOf)).toBe(true);
		expect(sameTopic(l2, other, watchlistsOf)).toBe(false);
		expect(sameTopic(l2, wl, watchlistsOf)).toBe(true);
		expect(sameTopic(wl, l2, watchlistsOf)).toBe(true);
		expect(sameTopic(other, wl, watchlistsOf)).toBe(false);
		expect(sameTopic(wl, { ...wl, topic: 'typhoon' }, watchlistsOf)).toBe(false);
	});
});

describe('watchlistsOfCategory', () => {
	it('names the lists that list a category, its ancestor or its descendant', () => {
		const of = watchlistsOfCategory([
			{ slug: 'flood', categories: ['120302', '1204'] },
			{ slug: 'other', categories: [] }
		]);
		expect(of('120302')).toEqual(['flood']);
		expect(of('1203')).toEqual(['flood']);
		expect(of('120401')).toEqual(['flood']);
		expect(of('0404')).toEqual([]);
	});
});

describe('groupFirings', () => {
	it('makes one incident of a category, its level-1 parent, a watch list sharing its tickets and a street of the district', () => {
		const t = ['A', 'B', 'C', 'D'];
		const inc = groupFirings(
			[
				firing('l2', { topic: '0202' }, 10, 14, t),
				firing('l1', { topic: '02' }, 11, 13, t),
				firing('wl', { family: 'watchlist', topic: 'water' }, 10, 12, ['A', 'B', 'X']),
				firing('st', { topic: '02', level: 'street', place: '320506001', bucket: 'day' }, 0, 24, ['A'])
			],
			{ watchlistsOf, cityCode: CITY }
		);
		expect(inc).toHaveLength(1);
		expect(inc[0].firings.map((f) => f.id).sort()).toEqual(['l1', 'l2', 'st', 'wl']);
		// the watch list names it; the place is the district (not every firing is in the one street)
		expect(inc[0].topicKey).toBe('wl:water');
		expect([inc[0].level, inc[0].place, inc[0].district]).toEqual(['district', '320506', '320506']);
		// time and tickets from the specific firings: the street's daily count does not move the start back
		expect(inc[0].tickets.size).toBe(5);
		expect([inc[0].onset, inc[0].last]).toEqual([10 * H, 14 * H]);
	});

	it('keeps a gas leak and a flooded underpass of one district apart although both raise its level-1 count', () => {
		const inc = groupFirings(
			[
				firing('gas', { topic: '0403' }, 0, 30, ['G1', 'G2', 'G3']),
				firing('broad', { topic: '04', bucket: 'day' }, 0, 96, ['G1', 'G2', 'G3', 'F1', 'F2', 'F3', 'F4']),
				firing('flood', { topic: '0404' }, 90, 92, ['F1', 'F2', 'F3', 'F4']),
				firing('wl', { family: 'watchlist', topic: 'flood' }, 90, 92, ['F1', 'F2', 'F3'])
			],
			{ watchlistsOf, cityCode: CITY }
		);
		expect(inc).toHaveLength(2);
		const of = (id: string) => inc.findIndex((i) => i.firings.some((f) => f.id === id));
		expect(of('gas')).not.toBe(of('flood'));
		expect(of('wl')).toBe(of('flood'));
		const flood = inc.find((i) => i.firings.some((f) => f.id === 'flood'))!;
		expect(flood.onset).toBe(90 * H);
		expect(flood.topicKey).toBe('wl:flood');
	});

	it('keeps apart different districts, unrelated topics and firings far apart in time', () => {
		const inc = groupFirings(
			[
				firing('a', { topic: '0202' }, 10, 12, ['A']),
				firing('b', { topic: '0202', place: '320507' }, 10, 12, ['B']),
				firing('c', { topic: '0301' }, 10, 12, ['C']),
				firing('d', { topic: '0202' }, 40, 41, ['D'])
			],
			{ watchlistsOf, cityCode: CITY }
		);
		expect(inc.map((i) => i.firings.map((f) => f.id).join('+')).sort()).toEqual(['a', 'b', 'c', 'd']);
	});

	it('joins unrelated topics that share most of their tickets, and allows the gap between episodes', () => {
		const inc = groupFirings(
			[firing('a', { topic: '0202' }, 10, 12, ['A', 'B', 'C']), firing('b', { family: 'watchlist', topic: 'water' }, 20, 22, ['A', 'B'])],
			{ watchlistsOf, cityCode: CITY, gapMs: 12 * H }
		);
		expect(inc).toHaveLength(1);
		const apart = groupFirings([firing('a', { topic: '0202' }, 10, 12, ['A']), firing('b', { topic: '0202' }, 30, 32, ['B'])], {
			watchlistsOf,
			cityCode: CITY,
			gapMs: 12 * H
		});
		expect(apart).toHaveLength(2);
	});

	it('gives a city-wide firing to the district incident it matches best, never merging two districts', () => {
		const inc = groupFirings(
			[
				firing('city', { topic: '12', level: 'city', place: CITY }, 5, 9, ['A', 'B', 'C']),
				firing('d1', { topic: '1203' }, 5, 8, ['X']),
				firing('d2', { topic: '1204', place: '320507' }, 6, 9, ['A', 'B'])
			],
			{ watchlistsOf, cityCode: CITY }
		);
		expect(inc.map((i) => i.firings.map((f) => f.id).join('+')).sort()).toEqual(['d1', 'd2+city']);
		expect(inc.find((i) => i.firings.length === 2)!.place).toBe('320507');
	});

	it('keeps a city-wide firing that matches no district as a city incident', () => {
		const inc = groupFirings(
			[firing('city', { family: 'watchlist', topic: 'flood', level: 'city', place: CITY }, 5, 9), firing('d', { topic: '0301' }, 5, 9)],
			{
				watchlistsOf,
				cityCode: CITY
			}
		);
		expect(inc).toHaveLength(2);
		expect(inc.find((i) => i.firings[0].id === 'city')!.level).toBe('city');
	});

	it('compares a daily firing by its whole day', () => {
		const inc = groupFirings([firing('day', { topic: '1203', bucket: 'day' }, 0, 0), firing('hour', { topic: '1203' }, 20, 21)], {
			watchlistsOf,
			cityCode: CITY,
			gapMs: 0
		});
		expect(inc).toHaveLength(1);
	});

	it('names a street when every local firing is in that street', () => {
		const inc = groupFirings([firing('s', { topic: '02', level: 'street', place: '320506001', bucket: 'day' }, 0, 24)], {
			watchlistsOf,
			cityCode: CITY
		});
		expect([inc[0].level, inc[0].place, inc[0].district]).toEqual(['street', '320506001', '320506']);
	});

	it('is active while a firing that names it is, not while only a broader count still is', () => {
		const over = firing('flood', { topic: '0404' }, 10, 12, ['F1', 'F2']);
		const broad = { ...firing('broad', { topic: '04', bucket: 'day' }, 0, 48, ['F1', 'F2', 'G1']), active: true };
		const [inc] = groupFirings([over, broad], { watchlistsOf, cityCode: CITY });
		expect(inc.firings).toHaveLength(2);
		expect(inc.active).toBe(false);
		const [live] = groupFirings([{ ...over, active: true }, broad], { watchlistsOf, cityCode: CITY });
		expect(live.active).toBe(true);
	});

	it('returns nothing for no firings', () => {
		expect(groupFirings([], { watchlistsOf, cityCode: CITY })).toEqual([]);
	});
});
