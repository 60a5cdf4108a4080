import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../demo/rng';
import { createSegmenter, type Segmenter } from '../segment/index';
import {
	bandParams,
	buildNearDupIndex,
	candidateProbability,
	candidatesFor,
	groupIncidents,
	jaccard,
	minhash,
	samePlace,
	shingles,
	SIGNATURE_SIZE,
	type NearDupTicket
} from './near-dup';

const H = 3_600_000;
const T0 = Date.parse('2026-07-01T08:00:00+08:00');
const D = '320508'; // 姑苏区
const S1 = '320508001';
const S2 = '320508002';

let seg: Segmenter;
beforeAll(() => {
	seg = createSegmenter({});
});

const BBQ = [
	'平江路128号老王烧烤店每天晚上油烟很大，熏得我们家没法开窗，希望城管来处理一下',
	'平江路128号老王烧烤店每天晚上油烟很大，熏得家里没法开窗，请城管处理',
	'您好，平江路128号的老王烧烤店每天晚上油烟很大，熏得我们家都没法开窗了，希望城管尽快来处理一下，谢谢',
	'来电人反映：平江路128号老王烧烤店每天晚上油烟很大，熏得我们家没法开窗，多次反映无果，要求城管处理'
];
const MANHOLE = '平江路上有个窨井盖破损了，晚上看不清很危险，希望尽快修复';
const SITE = '平江路128号旁边的工地夜间施工噪音扰民，希望城管处理';

function t(id: string, text: string, hours: number, street: string | null = S1, district: string | null = D): NearDupTicket {
	return { id, tokens: seg.tokens(text), at: T0 + hours * H, district, street };
}

describe('shingles, Jaccard and MinHash', () => {
	it('builds a sorted set of word and word-pair hashes', () => {
		const a = shingles(['油烟', '扰民', '油烟', '扰民']);
		expect(a.length).toBe(4); // 油烟, 扰民, 油烟|扰民, 扰民|油烟
		const b = shingles(['油烟', '扰民']);
		expect(jaccard(a, b)).toBeCloseTo(3 / 4, 12);
		expect([...a]).toEqual([...a].sort((x, y) => x - y));
		expect(shingles([]).length).toBe(0);
		expect(shingles(['', '']).length).toBe(0);
		expect(jaccard(shingles([]), shingles([]))).toBe(0);
		// order matters through the pairs: same words, other order, lower similarity
		expect(jaccard(shingles(['甲', '乙', '丙']), shingles(['丙', '乙', '甲']))).toBeCloseTo(3 / 7, 12);
	});

	it('estimates Jaccard without bias (the hash family behaves)', () => {
		const rng = new Rng(7);
		let sumErr = 0;
		let sumSq = 0;
		const trials = 300;
		for (let k = 0; k < trials; k++) {
			const common = Array.from({ length: 30 }, (_, i) => `c${k}-${i}`);
			const a = shingles([...common, ...Array.from({ length: 20 }, (_, i) => `a${k}-${i}-${rng.int(0, 1e9)}`)]);
			const b = shingles([...common, ...Array.from({ length: 20 }, (_, i) => `b${k}-${i}-${rng.int(0, 1e9)}`)]);
			const sa = minhash(a);
			const sb = minhash(b);
			let eq = 0;
			for (let i = 0; i < SIGNATURE_SIZE; i++) if (sa[i] === sb[i]) eq++;
			const err = eq / SIGNATURE_SIZE - jaccard(a, b);
			sumErr += err;
			sumSq += err * err;
		}
		expect(Math.abs(sumErr / trials)).toBeLessThan(0.015); // bias
		expect(Math.sqrt(sumSq / trials)).toBeLessThan(0.09); // ≈ √(J(1−J)/64) ≈ 0.06
	});

	it('chooses bands that find pairs at the threshold at least 90 % of the time', () => {
		expect(bandParams(0.5)).toMatchObject({ bands: 21, rows: 3 });
		for (const th of [0.3, 0.5, 0.6, 0.7, 0.8, 0.9]) {
			const { bands, rows, recallAtThreshold } = bandParams(th);
			expect(bands * rows).toBeLessThanOrEqual(SIGNATURE_SIZE);
			expect(recallAtThreshold).toBeGreaterThanOrEqual(0.9);
			expect(candidateProbability(th / 3, bands, rows)).toBeLessThan(0.5);
		}
	});
});

describe('groupIncidents', () => {
	it('groups near-copies and paraphrases of one incident, not other incidents in the same street', () => {
		const tickets = [t('T0004', BBQ[3], 20), t('T0001', BBQ[0], 0), t('T0002', BBQ[1], 2), t('T0003', BBQ[2], 5), t('T0005', MANHOLE, 3), t('T0006', SITE, 4)];
		const { groups, groupOf } = groupIncidents(tickets);
		expect(groups).toEqual([{ id: 'T0001', members: ['T0001', 'T0002', 'T0003', 'T0004'], first: T0, last: T0 + 20 * H, district: D, street: S1 }]);
		expect(groupOf.get('T0004')).toBe('T0001');
		expect(groupOf.has('T0005')).toBe(false);
		expect(groupOf.has('T0006')).toBe(false);
	});

	it('does not group the same text far apart in time, but chains reports that keep coming', () => {
		expect(groupIncidents([t('A', BBQ[0], 0), t('B', BBQ[0], 73)]).groups).toEqual([]);
		expect(groupIncidents([t('A', BBQ[0], 0), t('B', BBQ[0], 72)]).groups).toHaveLength(1);
		// every report within 72 h of the previous one: one group spanning 120 h
		const chain = groupIncidents([t('A', BBQ[0], 0), t('B', BBQ[1], 60), t('C', BBQ[0], 120)]);
		expect(chain.groups.map((g) => g.members)).toEqual([['A', 'B', 'C']]);
		expect(groupIncidents([t('A', BBQ[0], 0), t('B', BBQ[1], 60), t('C', BBQ[0], 120)], { windowHours: 24 }).groups).toEqual([]);
	});

	it('does not group the same text in another street or district; a missing street falls back to the district', () => {
		const far = groupIncidents([t('A', BBQ[0], 0, S1), t('B', BBQ[0], 1, S2), t('C', BBQ[0], 2, '320505001', '320505')]);
		expect(far.groups).toEqual([]);
		// street unknown on one side: same district is enough
		expect(groupIncidents([t('A', BBQ[0], 0, S1), t('B', BBQ[0], 1, null)]).groups.map((g) => g.members)).toEqual([['A', 'B']]);
		// place unknown on both sides
		const unknown = groupIncidents([t('A', BBQ[0], 0, null, null), t('B', BBQ[0], 1, '', null)]);
		expect(unknown.groups).toEqual([{ id: 'A', members: ['A', 'B'], first: T0, last: T0 + H, district: null, street: null }]);
		// known against unknown district: not the same place
		expect(groupIncidents([t('A', BBQ[0], 0, S1), t('B', BBQ[0], 1, null, null)]).groups).toEqual([]);
		// without the place rule
		expect(groupIncidents([t('A', BBQ[0], 0, S1), t('B', BBQ[0], 1, S2), t('C', BBQ[0], 2, null, null)], { requireSamePlace: false }).groups.map((g) => g.members)).toEqual([['A', 'B', 'C']]);
	});

	it('never lets a ticket without a street chain two streets together', () => {
		const r = groupIncidents([t('A', BBQ[0], 0, S1), t('B', BBQ[0], 1, null), t('C', BBQ[0], 2, S2), t('D', BBQ[0], 3, S2)]);
		expect(r.groups.map((g) => [g.members, g.street])).toEqual([
			[['A', 'B'], S1],
			[['C', 'D'], S2]
		]);
		expect(samePlace({ district: D, street: S1 }, { district: D, street: null })).toBe(true);
		expect(samePlace({ district: D, street: S1 }, { district: D, street: S2 })).toBe(false);
		expect(samePlace({}, { district: null, street: undefined })).toBe(true);
	});

	it('is deterministic and independent of the input order', () => {
		const tickets = [...BBQ.map((x, i) => t(`B${i}`, x, i)), t('M', MANHOLE, 1), t('S', SITE, 2), ...BBQ.map((x, i) => t(`C${i}`, x, 200 + i, S2))];
		const a = groupIncidents(tickets);
		const b = groupIncidents([...tickets].reverse());
		const c = groupIncidents(new Rng(3).shuffle([...tickets]));
		expect(b).toEqual(a);
		expect(c).toEqual(a);
		expect(a.groups.map((g) => g.id)).toEqual(['B0', 'C0']);
	});

	it('handles empty tokens and empty input, and can list singletons', () => {
		expect(groupIncidents([])).toEqual({ groups: [], groupOf: new Map() });
		const empty = [
			{ id: 'E1', tokens: [], at: T0, district: D, street: S1 },
			{ id: 'E2', tokens: [], at: T0, district: D, street: S1 },
			{ id: 'E3', tokens: ['', ''], at: T0, district: D, street: S1 }
		];
		expect(groupIncidents(empty).groups).toEqual([]);
		const all = groupIncidents([...empty, t('A', BBQ[0], 0), t('B', BBQ[0], 1)], { minSize: 1 });
		expect(all.groups.map((g) => g.members)).toEqual([['A', 'B'], ['E1'], ['E2'], ['E3']]);
		expect(all.groupOf.get('E2')).toBe('E2');
		expect(all.groupOf.size).toBe(5);
	});

	it('refuses bad input', () => {
		expect(() => groupIncidents([t('A', BBQ[0], 0), t('A', BBQ[1], 1)])).toThrow(/duplicate ticket id A/);
		expect(() => groupIncidents([{ id: 'A', tokens: ['x'], at: NaN }])).toThrow(/finite received time/);
		expect(() => groupIncidents([], { threshold: 0 })).toThrow(/threshold/);
		expect(() => groupIncidents([], { windowHours: -1 })).toThrow(/windowHours/);
	});

	it('finds the planted near-copies among 30,000 tickets (the time for 100,000 is in npm run bench -- text)', () => {
		const rng = new Rng(2026);
		const V = 20_000;
		const vocab = Array.from({ length: V }, (_, i) => `词${i.toString(36)}`);
		const word = () => vocab[Math.min(V - 1, Math.floor(Math.exp(rng.next() * Math.log(V))) - 1)]; // Zipf-like
		const tickets: NearDupTicket[] = [];
		const planted: [number, number][] = [];
		for (let i = 0; i < 30_000; i++) {
			const id = `SZ${String(i).padStart(7, '0')}`;
			if (i > 100 && rng.chance(0.2)) {
				const srcIndex = i - 1 - rng.int(0, 100);
				const src = tickets[srcIndex];
				const tokens = [...src.tokens];
				for (let k = 0; k < 2; k++) tokens[rng.int(0, tokens.length - 1)] = word();
				tickets.push({ id, tokens, at: src.at + rng.int(0, 48) * H, district: src.district, street: src.street });
				planted.push([srcIndex, i]);
			} else {
				const d = rng.int(0, 9);
				tickets.push({ id, tokens: Array.from({ length: rng.int(12, 45) }, word), at: T0 + rng.next() * 30 * 24 * H, district: `D${d}`, street: `D${d}S${rng.int(0, 9)}` });
			}
		}
		const { groups, groupOf } = groupIncidents(tickets);
		expect(groups.length).toBeGreaterThan(1000);

		// planted pairs at or above the threshold end up together
		let above = 0;
		let together = 0;
		for (const [a, b] of planted) {
			if (jaccard(shingles(tickets[a].tokens), shingles(tickets[b].tokens)) < 0.55) continue;
			above++;
			const ga = groupOf.get(tickets[a].id);
			if (ga !== undefined && ga === groupOf.get(tickets[b].id)) together++;
		}
		expect(above).toBeGreaterThan(3_000);
		expect(together / above).toBeGreaterThan(0.98);

		// every member of a group is linked to another member: similar, same place, within the window
		const byId = new Map(tickets.map((x) => [x.id, x]));
		for (const g of groups.slice(0, 2000)) {
			const ms = g.members.map((id) => byId.get(id)!);
			for (const m of ms) {
				const linked = ms.some((o) => o !== m && samePlace(o, m) && Math.abs(o.at - m.at) <= 72 * H && jaccard(shingles(o.tokens), shingles(m.tokens)) >= 0.5);
				expect(linked).toBe(true);
			}
			expect(new Set(ms.map((m) => m.district)).size).toBe(1);
		}
	});
});

describe('merge candidates at intake', () => {
	it('returns the best similar recent tickets of the same place, with their similarity', () => {
		const recent = [t('R1', BBQ[0], 0), t('R2', BBQ[1], 1), t('R3', MANHOLE, 2), t('R4', SITE, 3), t('R5', BBQ[0], 4, S2), t('R6', BBQ[0], -100)];
		const index = buildNearDupIndex(recent);
		expect(index.size).toBe(6);
		const probe = t('NEW', BBQ[2], 10);
		const c = candidatesFor(probe, index);
		expect(c.map((x) => x.id)).toEqual(['R1', 'R2']); // R5 other street, R6 too old, R3/R4 other incidents
		expect(c[0].similarity).toBeCloseTo(1, 12);
		expect(c[1].similarity).toBeGreaterThan(0.5);
		expect(c[0]).toMatchObject({ at: T0, district: D, street: S1 });
		expect(candidatesFor(probe, index, { limit: 1 }).map((x) => x.id)).toEqual(['R1']);
		expect(candidatesFor(probe, index, { requireSamePlace: false, windowHours: 1000 }).map((x) => x.id).sort()).toEqual(['R1', 'R2', 'R5', 'R6']);
		expect(candidatesFor(t('X', MANHOLE, 10), index).map((x) => x.id)).toEqual(['R3']);
		expect(candidatesFor(t('Y', '咨询社保卡补办需要什么材料', 10), index)).toEqual([]);
		expect(candidatesFor({ id: 'Z', tokens: [], at: T0 }, index)).toEqual([]);
	});

	it('never proposes a ticket as its own candidate, and takes new tickets', () => {
		const index = buildNearDupIndex([t('R1', BBQ[0], 0)]);
		expect(candidatesFor(t('R1', BBQ[0], 0), index)).toEqual([]);
		expect(index.add(t('R2', BBQ[1], 1))).toBe(true);
		expect(index.add(t('R2', BBQ[1], 1))).toBe(false);
		expect(index.has('R2')).toBe(true);
		expect(candidatesFor(t('R1', BBQ[0], 0), index).map((x) => x.id)).toEqual(['R2']);
	});

	it('orders equal similarities by recency, then id', () => {
		const index = buildNearDupIndex([t('B', BBQ[0], 1), t('A', BBQ[0], 1), t('C', BBQ[0], 2)]);
		expect(candidatesFor(t('N', BBQ[0], 3), index).map((x) => x.id)).toEqual(['C', 'A', 'B']);
	});
});
