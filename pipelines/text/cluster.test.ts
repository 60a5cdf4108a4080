import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClosedPipe } from '../../tests/support/pipes';
import { createSegmenter, type Segmenter } from '../segment/index';
import { runClusterCli } from './cluster-cli';
import { assign, cluster, defaultAncestors, hierarchy, lgamma, parseModel, serializeModel, type ClusterDoc, type TopicModel } from './cluster';
import { nmi } from './metrics';

// ---------------------------------------------------------------------------------------------------------
// Synthetic hotline-like topics: each has its own words; all share some filler words.

const TOPICS: Record<string, { category: string; words: string[] }> = {
	noise: { category: '020301', words: ['噪音', '扰民', '施工', '夜间', '工地', '轰鸣', '休息', '打桩', '机器', '吵'] },
	water: { category: '040101', words: ['停水', '水压', '自来水', '供水', '水管', '爆裂', '抢修', '水龙头', '漏水', '管网'] },
	wages: { category: '070101', words: ['工资', '拖欠', '老板', '劳动', '仲裁', '工钱', '结算', '公司', '辞职', '欠薪'] },
	parking: { category: '050402', words: ['停车', '占用', '消防通道', '车位', '违停', '堵路', '车辆', '挪车', '出入口', '交警'] }
};
const FILLER = ['希望', '尽快', '处理', '反映', '小区', '市民', '问题', '谢谢'];

/** Deterministic pseudo-random integers for the fixtures. */
function lcg(seed: number) {
	let s = seed >>> 0;
	return (n: number) => {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		return s % n;
	};
}

function synthetic(perTopic: number, seed = 7): { docs: ClusterDoc[]; truth: string[] } {
	const r = lcg(seed);
	const docs: ClusterDoc[] = [];
	const truth: string[] = [];
	const names = Object.keys(TOPICS);
	for (let i = 0; i < perTopic * names.length; i++) {
		const t = names[i % names.length];
		const w = TOPICS[t].words;
		const tokens: string[] = [];
		for (let j = 0; j < 5; j++) tokens.push(w[r(w.length)]);
		for (let j = 0; j < 3; j++) tokens.push(FILLER[r(FILLER.length)]);
		docs.push({ id: `t${i}`, tokens, title: tokens.slice(0, 3).join('') });
		truth.push(t);
	}
	return { docs, truth };
}

/** true when the value holds only plain JSON data (no typed arrays, maps, NaN or Infinity) */
function plainJson(x: unknown): boolean {
	if (x === null || typeof x === 'string' || typeof x === 'boolean') return true;
	if (typeof x === 'number') return Number.isFinite(x);
	if (Array.isArray(x)) return x.every(plainJson);
	if (typeof x === 'object') return Object.getPrototypeOf(x) === Object.prototype && Object.values(x as object).every(plainJson);
	return false;
}

describe('cluster: recovering synthetic topics', () => {
	const { docs, truth } = synthetic(60);

	it('finds well-separated topics with k given', () => {
		const { model, assignments } = cluster(docs, { k: 4, seed: 3 });
		expect(model.k).toBe(4);
		expect(assignments).toHaveLength(docs.length);
		expect(assignments.map((a) => a.id)).toEqual(docs.map((d) => d.id));
		const z = assignments.map((a) => a.clusterId);
		expect(nmi(truth, z)).toBeGreaterThan(0.95);
		expect(model.outliers).toBeLessThan(docs.length * 0.05);
	});

	it('copes with a k larger than the data support', () => {
		// 4 topics, 8 asked for: the extra topics are kept alive but stay small (or end as outliers)
		const { model, assignments } = cluster(docs, { k: 8, seed: 3 });
		expect(model.k).toBeGreaterThanOrEqual(4);
		expect(model.k).toBeLessThanOrEqual(8);
		expect(nmi(truth, assignments.map((a) => a.clusterId))).toBeGreaterThan(0.9);
	});

	it('chooses k itself', () => {
		const { model, assignments } = cluster(docs, { k: 'auto', seed: 3 });
		expect(model.k).toBe(4);
		expect(model.kRequested).toBe('auto');
		expect(nmi(truth, assignments.map((a) => a.clusterId))).toBeGreaterThan(0.95);
	});

	it('labels topics with their words and picks a member as representative', () => {
		const { model, assignments } = cluster(docs, { k: 4, seed: 3 });
		for (const c of model.clusters.filter((x) => !x.outlier)) {
			const members = assignments.filter((a) => a.clusterId === c.id);
			expect(members).toHaveLength(c.size);
			// the topic of most members
			const counts = new Map<string, number>();
			for (const a of members) {
				const t = truth[docs.findIndex((d) => d.id === a.id)];
				counts.set(t, (counts.get(t) ?? 0) + 1);
			}
			const topic = [...counts].sort((a, b) => b[1] - a[1])[0][0];
			expect(c.label.length).toBeGreaterThan(0);
			expect(c.label.slice(0, 3).every((w) => TOPICS[topic].words.includes(w))).toBe(true);
			expect(c.labelWeights).toHaveLength(c.label.length);
			expect(members.map((a) => a.id)).toContain(c.representative!.id);
		}
		// topics by decreasing size, outlier cluster last
		const sizes = model.clusters.filter((x) => !x.outlier).map((x) => x.size);
		expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
		expect(model.clusters.at(-1)!.id).toBe(-1);
		expect(model.clusters.at(-1)!.outlier).toBe(true);
	});

	it('is deterministic for a seed', () => {
		const a = cluster(docs, { k: 'auto', seed: 11 });
		const b = cluster(docs, { k: 'auto', seed: 11 });
		const strip = (m: TopicModel) => ({ ...m, diagnostics: { ...m.diagnostics, seconds: 0, stages: {} } });
		expect(strip(b.model)).toEqual(strip(a.model));
		expect(b.assignments).toEqual(a.assignments);
	});

	it('rolls topics up to the category tree', () => {
		const { model, assignments } = cluster(docs, { k: 4, seed: 3 });
		const cat = new Map(docs.map((d, i) => [d.id, TOPICS[truth[i]].category]));
		const h = hierarchy(model, assignments, cat);
		expect(h.map((x) => x.clusterId)).toEqual([0, 1, 2, 3, -1]);
		const codes = new Set<string>();
		for (const t of h.filter((x) => x.clusterId >= 0)) {
			expect(t.levels.map((l) => l.code.length)).toEqual([2, 4, 6]);
			expect(t.dominant!.share).toBeGreaterThan(0.9);
			expect(t.levels[0].code).toBe(t.dominant!.code.slice(0, 2));
			codes.add(t.dominant!.code);
		}
		expect(codes.size).toBe(4);
		expect(defaultAncestors('050104')).toEqual(['05', '0501', '050104']);
		expect(defaultAncestors('misc')).toEqual(['misc']);
		// a custom tree, and members without a category
		const h2 = hierarchy(model, assignments, new Map([[docs[0].id, 'X']]), (c) => ['root', c]);
		const withCat = h2.find((x) => x.known === 1)!;
		expect(withCat.levels.map((l) => l.code)).toEqual(['root', 'X']);
		expect(h2.filter((x) => x.known === 0).every((x) => x.dominant === null)).toBe(true);
	});
});

describe('assign: new documents between full runs', () => {
	const { docs, truth } = synthetic(40, 5);
	let model: TopicModel;
	let topicOf: Map<string, number>;
	beforeAll(() => {
		const r = cluster(docs, { k: 4, seed: 1 });
		model = r.model;
		topicOf = new Map();
		r.assignments.forEach((a, i) => topicOf.set(truth[i], a.clusterId));
	});

	it('puts a new document into the topic it obviously belongs to', () => {
		const res = assign(model, [
			{ tokens: ['工地', '夜间', '施工', '噪音', '希望'] },
			{ tokens: ['停水', '自来水', '水压', '小区'] },
			{ tokens: ['拖欠', '工资', '老板'] },
			{ tokens: ['违停', '消防通道', '挪车', '车辆'] }
		]);
		expect(res.map((r) => r.clusterId)).toEqual(['noise', 'water', 'wages', 'parking'].map((t) => topicOf.get(t)));
		for (const r of res) expect(r.score).toBeGreaterThan(0);
	});

	it('agrees with the fitted assignments on the training documents', () => {
		const fitted = cluster(docs, { k: 4, seed: 1 }).assignments;
		const again = assign(model, docs);
		const same = again.filter((a, i) => a.clusterId === fitted[i].clusterId).length;
		expect(same / docs.length).toBeGreaterThan(0.97);
	});

	it('returns -1 for documents that fit no topic', () => {
		const res = assign(model, [
			{ tokens: [] },
			{ tokens: ['完全', '陌生', '词语'] }, // no known word
			{ tokens: ['希望', '尽快', '处理'] }, // only filler: no topic explains it better than the corpus
			{ tokens: [''] }
		]);
		expect(res.map((r) => r.clusterId)).toEqual([-1, -1, -1, -1]);
		expect(res[0].score).toBe(0);
	});

	it('survives a JSON round trip: plain data, same assignments', () => {
		expect(plainJson(model)).toBe(true);
		const json = serializeModel(model);
		const back = parseModel(json);
		expect(back).toEqual(model);
		const probe = docs.slice(0, 30);
		expect(assign(back, probe)).toEqual(assign(model, probe));
		expect(() => parseModel('{"format":"other"}')).toThrow(/topic model/);
	});
});

describe('cluster: degenerate input', () => {
	it('handles no documents, one document, and documents without tokens', () => {
		const none = cluster([], { k: 'auto' });
		expect(none.model.k).toBe(0);
		expect(none.assignments).toEqual([]);
		expect(assign(none.model, [{ tokens: ['噪音'] }])).toEqual([{ clusterId: -1, score: 0 }]);

		const one = cluster([{ id: 1, tokens: ['噪音'] }], { k: 3 });
		expect(one.assignments).toHaveLength(1);
		expect(one.assignments[0].clusterId).toBe(-1); // a word in one document only is not in the vocabulary

		const empty = cluster(
			[
				{ id: 'a', tokens: [] },
				{ id: 'b', tokens: ['', '  '] },
				{ id: 'c', tokens: null as unknown as string[] }
			],
			{ k: 2 }
		);
		expect(empty.assignments.map((a) => a.clusterId)).toEqual([-1, -1, -1]);
		expect(empty.model.outliers).toBe(3);
		expect(JSON.parse(JSON.stringify(empty.model))).toEqual(empty.model);
	});

	it('asks for more topics than there are documents', () => {
		const docs = [
			{ id: 1, tokens: ['噪音', '施工'] },
			{ id: 2, tokens: ['噪音', '施工'] },
			{ id: 3, tokens: ['停水', '供水'] },
			{ id: 4, tokens: ['停水', '供水'] }
		];
		const r = cluster(docs, { k: 10 });
		expect(r.model.k).toBeLessThanOrEqual(4);
		expect(r.assignments[0].clusterId).toBe(r.assignments[1].clusterId);
		expect(r.assignments[2].clusterId).toBe(r.assignments[3].clusterId);
		expect(r.assignments[0].clusterId).not.toBe(r.assignments[2].clusterId);
	});

	it('rejects bad options', () => {
		expect(() => cluster([], { k: 0 })).toThrow(/k must be/);
		expect(() => cluster([], { k: -3 })).toThrow(/k must be/);
		expect(() => cluster([], { beta: 0 })).toThrow(/positive/);
		expect(() => assign({} as TopicModel, [])).toThrow(/topic model/);
	});

	it('has a sound log-gamma', () => {
		expect(lgamma(1)).toBeCloseTo(0, 12);
		expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
		expect(lgamma(10)).toBeCloseTo(Math.log(362880), 10);
		expect(lgamma(100.5)).toBeCloseTo(361.4355404677776, 10);
		expect(lgamma(12.3)).toBeCloseTo(18.238983407092245, 10);
		expect(lgamma(0.1)).toBeCloseTo(2.252712651734206, 10);
	});
});

describe('with the hotline segmenter', () => {
	let seg: Segmenter;
	beforeAll(() => {
		seg = createSegmenter({});
	});

	const base = [
		'小区旁边工地夜间施工噪音扰民，希望尽快处理',
		'工地晚上打桩噪音太大，影响休息',
		'楼下饭店夜间噪音扰民严重',
		'施工噪音从早到晚，严重扰民',
		'小区停水两天了，自来水一直没有恢复',
		'停水没有通知，水压也很低',
		'自来水管爆裂导致停水，请尽快抢修',
		'家里停水，供水公司电话打不通',
		'公司拖欠工资三个月，老板不见人',
		'工资被拖欠，申请劳动仲裁',
		'包工头拖欠农民工工资',
		'离职后公司一直拖欠工资不给'
	];

	it('copes with empty, punctuation-only, one-character, long, mixed and traditional texts', () => {
		const odd = [
			'',
			'   ',
			'！！！？？？……',
			'。',
			'水',
			'噪'.repeat(3),
			'工地夜间施工噪音扰民。'.repeat(400), // ~4,400 characters
			'5G信号差 wifi连不上 12345热线 ABC-123 停水',
			'樓上裝修噪音擾民，晚上施工吵得無法休息',
			'😀😀😀 #@$%^&*()'
		];
		const texts = [...base, ...base, ...odd];
		const docs = texts.map((t, i) => ({ id: i, tokens: seg.tokens(t), title: t }));
		const { model, assignments } = cluster(docs, { k: 'auto', seed: 2 });
		expect(assignments).toHaveLength(texts.length);
		const at = (t: string) => assignments[texts.indexOf(t)].clusterId;
		for (const t of ['', '   ', '！！！？？？……', '。', '😀😀😀 #@$%^&*()']) expect(at(t)).toBe(-1);
		// the long text is about noise: it joins the noise topic
		expect(at(odd[6])).toBe(at(base[0]));
		expect(model.k).toBeGreaterThanOrEqual(2);
		for (const a of assignments) expect(Number.isFinite(a.score)).toBe(true);
		// every odd text can also be assigned to the stored model without trouble
		const res = assign(parseModel(serializeModel(model)), odd.map((t) => ({ tokens: seg.tokens(t) })));
		expect(res).toHaveLength(odd.length);
		expect(res.slice(0, 4).every((r) => r.clusterId === -1)).toBe(true);
		expect(res[6].clusterId).toBe(at(base[0]));
		for (const r of res) expect(Number.isFinite(r.score)).toBe(true);
	});

	it('cluster CLI: one id per input line, in order, -1 for empty lines', async () => {
		// 3 topics × 12 lines of their words, with empty and punctuation-only lines among them
		const r = lcg(3);
		const topics = ['noise', 'water', 'wages'];
		const lines: string[] = [];
		const truth: string[] = [];
		for (let i = 0; i < 36; i++) {
			const t = topics[i % 3];
			const w = TOPICS[t].words;
			lines.push(Array.from({ length: 4 }, () => w[r(w.length)]).join('，') + '，希望尽快处理');
			truth.push(t);
			if (i === 10) {
				lines.push('');
				truth.push('-');
			}
			if (i === 20) {
				lines.push('！！');
				truth.push('-');
			}
		}
		lines.push('\r');
		truth.push('-');
		const input = new PassThrough();
		const output = new PassThrough();
		let text = '';
		output.on('data', (b: Buffer) => (text += b.toString('utf8')));
		input.end(lines.join('\r\n') + '\n');
		const summary = await runClusterCli(input, output, { k: 3, seed: 1 });
		expect(text.endsWith('\n')).toBe(true);
		const ids = text.slice(0, -1).split('\n').map(Number);
		expect(ids).toHaveLength(lines.length);
		expect(summary.lines).toBe(lines.length);
		expect(summary.k).toBe(3);
		for (let i = 0; i < lines.length; i++) if (truth[i] === '-') expect(ids[i]).toBe(-1);
		const keep = ids.flatMap((_, i) => (truth[i] === '-' ? [] : [i]));
		expect(
			nmi(
				keep.map((i) => truth[i]),
				keep.map((i) => ids[i])
			)
		).toBeGreaterThan(0.8);
		await expect(runClusterCli(new PassThrough(), new PassThrough(), { k: 0 })).rejects.toThrow(/--k/);
	});

	it('a reader that goes away (| head) ends it quietly', async () => {
		const input = new PassThrough();
		input.end(Array.from({ length: 30_000 }, (_, i) => `第${i}条 路灯不亮 噪音扰民`).join('\n'));
		const summary = await runClusterCli(input, new ClosedPipe(1), { k: 3, seed: 1 });
		expect(summary.lines).toBe(30_000);
	});

});
