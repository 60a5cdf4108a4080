import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../demo/rng';
import { ClosedPipe } from '../../tests/support/pipes';
import { loadReference } from '../reference/index';
import { createSegmenter, type Segmenter } from '../segment/index';
import { ensureWarehouse } from '../warehouse/schema';
import {
	evaluate,
	loadModel,
	loadTrainingExamples,
	nearDuplicateGroups,
	normalizeText,
	runClassifyCli,
	saveModel,
	suggest,
	trainClassifier,
	type ClassifierModel,
	type TrainingExample
} from './classify';

// A small synthetic history: five leaf categories, each ticket a random combination of the class's own
// fragments with openers and requests shared by all classes.
const FRAGMENTS: Record<string, { subjects: string[]; problems: string[] }> = {
	'020302': {
		subjects: ['楼下广场舞的音响', '楼上邻居半夜唱歌', '小区门口酒吧的音乐', '隔壁棋牌室打麻将', '夜市的喇叭叫卖'],
		problems: ['吵得根本睡不着', '噪音特别大', '每天闹到深夜', '声音震耳欲聋', '老人孩子休息不好']
	},
	'040101': {
		subjects: ['家里突然停水', '自来水没有了', '水龙头一滴水都不出', '整栋楼断水', '小区供水中断'],
		problems: ['也没有提前通知', '已经停了一整天', '做饭洗澡都不行', '打自来水公司电话没人接', '不知道什么时候来水']
	},
	'050402': {
		subjects: ['车辆乱停乱放', '私家车停在人行道上', '路边汽车双排停车', '货车长期占用车道', '出租车在路口随意停靠'],
		problems: ['行人没法通行', '早晚高峰交通堵塞', '交警也不来贴罚单', '电动车都过不去', '出行非常不便']
	},
	'100101': {
		subjects: ['孩子上公办幼儿园', '今年幼儿园报名', '公办幼儿园的学位', '小孩入园的名额', '家门口的幼儿园招生'],
		problems: ['报了名却没录取', '名额太少根本抢不到', '划片离家太远', '要求的材料太多', '民办的收费太贵']
	},
	'070101': {
		subjects: ['公司拖欠我们的工资', '老板三个月不发工钱', '工地包工头欠薪', '厂里一直不结工资', '单位克扣工人薪水'],
		problems: ['一家人生活困难', '打老板电话也不接', '劳动合同都签了还是不给', '十几个工人都在等钱', '快过年了还拿不到钱']
	}
};
const OPENERS = ['', '你好，', '我要反映一下，', '市民来电：', '麻烦问一下，'];
const REQUESTS = ['', '希望尽快处理。', '请相关部门管一管。', '谢谢！', '盼复。'];
const PLACES = ['我们小区', '幸福路这边', '我家附近', '新村那里', '镇上'];
const DISTRICTS = ['320505', '320506', '320507'];

function synthetic(n: number, seed: number, unitOf: (leaf: string, district: string) => string): TrainingExample[] {
	const r = new Rng(seed);
	const leaves = Object.keys(FRAGMENTS);
	const out: TrainingExample[] = [];
	for (let i = 0; i < n; i++) {
		const leaf = leaves[i % leaves.length];
		const f = FRAGMENTS[leaf];
		const subject = r.pick(f.subjects);
		const district = r.pick(DISTRICTS);
		out.push({
			title: `${r.pick(PLACES)}${subject}`,
			content: `${r.pick(OPENERS)}${r.pick(PLACES)}${subject}，${r.pick(f.problems)}，${r.pick(f.problems)}。${r.pick(REQUESTS)}`,
			district_code: district,
			category_code: leaf,
			unit_code: unitOf(leaf, district)
		});
	}
	return out;
}

/** History: each class goes to one unit, 050402 to the district government. */
const UNIT_OF = (leaf: string, district: string) =>
	({ '020302': 'M02', '040101': 'P01', '050402': `D${district}`, '100101': 'M09', '070101': 'M07' })[leaf] ?? 'M01';

let seg: Segmenter;
let model: ClassifierModel;
let train: TrainingExample[];
let heldOut: TrainingExample[];
const ref = loadReference();

beforeAll(() => {
	seg = createSegmenter({});
	train = synthetic(500, 1, UNIT_OF);
	heldOut = synthetic(200, 2, UNIT_OF);
	model = trainClassifier(train, { seed: 7, segmenter: seg, reference: ref });
});

describe('trainClassifier and suggest', () => {
	it('ranks the right leaf and level-1 class first for new wording', () => {
		const cases: [string, string, string][] = [
			['晚上广场舞太吵', '每天晚上楼下跳舞的音响开得震天响，孩子没法睡觉', '020302'],
			['停水', '今天早上起来发现家里没有水了，事先也没通知', '040101'],
			['人行道停满了车', '小区门口的人行道被汽车占满，走路只能走到马路上', '050402'],
			['幼儿园报不上', '孩子三岁了想上家附近的公办幼儿园，说名额满了', '100101'],
			['讨要工资', '在厂里干了半年，老板一直拖着工资不给', '070101']
		];
		for (const [title, content, leaf] of cases) {
			const s = suggest(model, { title, content }, seg);
			expect(s.categories[0].code, `${title}: ${JSON.stringify(s.categories)}`).toBe(leaf);
			expect(s.level1[0].code).toBe(leaf.slice(0, 2));
			expect(s.categories[0].level1).toBe(leaf.slice(0, 2));
			expect(s.categories).toHaveLength(3);
			expect(s.level1).toHaveLength(3);
			// leaf probabilities are P(level-1) × P(leaf | level-1): never above their level-1 class
			expect(s.categories[0].p).toBeLessThanOrEqual(s.level1[0].p + 1e-4);
		}
	});

	it('evaluates held-out tickets: accuracy, macro-F1, ECE and NLL', () => {
		const e = evaluate(model, heldOut, seg);
		expect(e.n).toBe(200);
		expect(e.leaf!.accuracy).toBeGreaterThan(0.95);
		expect(e.level1.accuracy).toBeGreaterThan(0.95);
		expect(e.level1.macroF1).toBeGreaterThan(0.95);
		expect(e.level1.ece).toBeGreaterThanOrEqual(0);
		expect(e.level1.ece).toBeLessThan(0.2);
		// a restriction to two classes scores only among them
		const onlyTwo = heldOut.filter((x) => x.category_code === '040101' || x.category_code === '070101');
		const r = evaluate(model, onlyTwo, seg, { restrictLevel1: ['04', '07'] });
		expect(r.leaf).toBeNull();
		expect(r.level1.accuracy).toBe(1);
	});

	it('fits temperatures that lower the NLL, on the calibration split and on other held-out tickets', () => {
		const c = model.metrics.calibration!;
		expect(c.examples).toBeGreaterThan(20);
		expect(c.level1.nllAfter).toBeLessThan(c.level1.nllBefore);
		expect(c.leaf.nllAfter).toBeLessThan(c.leaf.nllBefore);
		expect(c.level1.eceAfter).toBeLessThan(c.level1.eceBefore);
		expect(model.l1Head.temperature).not.toBe(1);
		const calibrated = evaluate(model, heldOut, seg);
		const raw: ClassifierModel = { ...model, l1Head: { ...model.l1Head, temperature: 1 }, leafHead: { ...model.leafHead, temperature: 1 } };
		const uncalibrated = evaluate(raw, heldOut, seg);
		expect(calibrated.level1.nll).toBeLessThan(uncalibrated.level1.nll);
		expect(calibrated.leaf!.nll).toBeLessThan(uncalibrated.leaf!.nll);
	});

	it('respects the temperature floor', () => {
		expect(model.leafHead.temperature).toBeGreaterThanOrEqual(0.25 - 1e-9);
		const free = trainClassifier(train, { seed: 7, segmenter: seg, reference: ref, minTemperature: 0.01 });
		expect(free.leafHead.temperature).toBeLessThanOrEqual(model.leafHead.temperature + 1e-9);
	});

	it('is deterministic for a seed', () => {
		const again = trainClassifier(train, { seed: 7, segmenter: seg, reference: ref });
		expect(Buffer.from(again.leafHead.w.buffer).equals(Buffer.from(model.leafHead.w.buffer))).toBe(true);
		expect(Buffer.from(again.l1Head.w.buffer).equals(Buffer.from(model.l1Head.w.buffer))).toBe(true);
		expect(again.leafHead.temperature).toBe(model.leafHead.temperature);
		expect(again.terms).toEqual(model.terms);
		const other = trainClassifier(train, { seed: 8, segmenter: seg, reference: ref });
		expect(Buffer.from(other.leafHead.w.buffer).equals(Buffer.from(model.leafHead.w.buffer))).toBe(false);
	});

	it('trains from given tokens without a segmenter, and needs one when tokens are missing', () => {
		const withTokens = train.map((e) => ({ ...e, tokens: seg.tokens(`${e.title}\n${e.content}`) }));
		const m = trainClassifier(withTokens, { seed: 7, reference: ref });
		expect(suggest(m, { title: '停水', content: '家里没有自来水了' }, seg).categories[0].code).toBe('040101');
		expect(() => trainClassifier(train, { seed: 7, reference: ref })).toThrow(/segmenter/);
		expect(() => trainClassifier([{ content: 'x', category_code: '99' }], { reference: ref, segmenter: seg })).toThrow(/level-3/);
	});

	it('corrects the biases of a stratified sample with the true class counts', () => {
		const counts = { '020302': 50, '040101': 5000, '050402': 50, '100101': 50, '070101': 50 };
		const skewed = trainClassifier(train, { seed: 7, segmenter: seg, reference: ref, classCounts: counts });
		const text = { title: '反映问题', content: '希望尽快处理' };
		const p = (m: ClassifierModel) => suggest(m, text, seg).level1.find((x) => x.code === '04')?.p ?? 0;
		expect(p(skewed)).toBeGreaterThan(p(model));
	});

	it('handles bad input without crashing', () => {
		const check = (input: Parameters<typeof suggest>[1]) => {
			const s = suggest(model, input, seg);
			for (const x of [...s.categories, ...s.level1, ...s.units]) {
				expect(Number.isFinite(x.p)).toBe(true);
				expect(x.p).toBeGreaterThanOrEqual(0);
				expect(x.p).toBeLessThanOrEqual(1);
			}
			expect(s.categories).toHaveLength(3);
			return s;
		};
		for (const input of [{ title: '', content: '' }, { text: '' }, { content: '！？。，……——' }, { content: '...???!!!' }, { content: '吵' }, { title: null, content: null }, {}])
			expect(check(input).flags, JSON.stringify(input)).toContain('insufficient_text');
		// a very long text: capped, flagged, still fast
		const long = '楼下广场舞的音响吵得根本睡不着。'.repeat(20_000);
		const t0 = performance.now();
		const l = check({ title: '噪音', content: long });
		expect(performance.now() - t0).toBeLessThan(500);
		expect(l.flags).toContain('truncated');
		expect(l.categories[0].code).toBe('020302');
		// mixed Chinese, English and digits
		const mixed = check({ title: 'No water 停水 3天', content: 'Building 5, Room 1203: 家里停水 since 8:00am，自来水公司 hotline 96166 没人接 ！！' });
		expect(mixed.categories[0].code).toBe('040101');
		expect(mixed.flags).not.toContain('insufficient_text');
		// traditional characters are read as simplified
		expect(normalizeText('樓下廣場舞的音響吵得睡不著覺')).toBe('楼下广场舞的音响吵得睡不著觉');
		const trad = check({ title: '停水', content: '家裡突然停水，也沒有提前通知，做飯洗澡都不行' });
		expect(trad.categories[0].code).toBe('040101');
		// full-width letters and digits
		expect(normalizeText('ＡＢＣ１２３')).toBe('abc123');
	});
});

describe('units', () => {
	it('suggests the unit that handled the category in that district', () => {
		const s = suggest(model, { title: '停水', content: '家里突然停水，做饭洗澡都不行', district_code: '320506' }, seg);
		expect(s.units[0].code).toBe('P01');
		expect(s.units[0].name).toBe(ref.unitByCode.get('P01')!.name);
		const parking = suggest(model, { title: '乱停车', content: '私家车停在人行道上，行人没法通行', district_code: '320507' }, seg);
		expect(parking.units[0].code).toBe('D320507');
		expect(parking.units.reduce((a, u) => a + u.p, 0)).toBeLessThanOrEqual(1 + 1e-3);
	});

	it('falls back to the routing rules without history, resolving street and district', () => {
		const noHistory = trainClassifier(train, { seed: 7, segmenter: seg, reference: ref, unitHistory: [] });
		// 040101 (停水): routing 0401 → P01 8, M05 1, district 1
		const water = suggest(noHistory, { title: '停水', content: '家里突然停水了', district_code: '320506' }, seg);
		expect(water.units[0].code).toBe('P01');
		expect(water.units.map((u) => u.code)).toContain('M05');
		// 050402: routing for 05 names handlers; with a street given, a `street` handler is that street's office
		const parking = suggest(noHistory, { title: '乱停车', content: '私家车停在人行道上', district_code: '320506', street_code: '320506001' }, seg);
		expect(parking.street_code).toBe('320506001');
		for (const u of parking.units) expect(ref.unitByCode.has(u.code)).toBe(true);
	});

	it('finds the district and street in the text when not given', () => {
		const s = suggest(model, { title: '停水', content: '吴中区长桥街道这边家里停水一天了' }, seg);
		expect(s.district_code).toBe('320506');
		expect(s.street_code).toBe('320506001');
		expect(s.flags).toContain('place_from_text');
		const none = suggest(model, { title: '停水', content: '家里停水一天了' }, seg);
		expect(none.district_code).toBeNull();
		expect(none.flags).toEqual(expect.arrayContaining(['district_unknown', 'street_unknown']));
		expect(none.units[0].code).toBe('P01');
	});

	it('reads a place code or a word named as a property every object inherits (constructor, __proto__ …) as an unknown place', () => {
		// POST /api/v1/suggest passes the codes as sent: district_code=constructor was taken for a district (its
		// place shift a function, every probability NaN), and the word constructor in the text for a place
		const text = { title: '停水', content: '家里停水一天了' };
		for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
			for (const [given, unknown] of [
				[{ district_code: name }, { district_code: 'X' }],
				[{ street_code: name }, { street_code: 'X' }],
				[{ district_code: '320506', street_code: name }, { district_code: '320506', street_code: 'X' }]
			]) {
				const s = suggest(model, { ...text, ...given }, seg);
				expect(s, JSON.stringify(given)).toEqual(suggest(model, { ...text, ...unknown }, seg));
				expect(s.categories.every((c) => Number.isFinite(c.p)) && s.units.every((u) => Number.isFinite(u.p))).toBe(true);
			}
		}
		const word = suggest(model, { title: '停水', content: '家里停水一天了 constructor' }, seg);
		expect(word.district_code).toBeNull();
		expect(word.flags).not.toContain('place_from_text');
		expect(word.flags).toEqual(expect.arrayContaining(['district_unknown', 'street_unknown']));
	});
});

describe('saveModel / loadModel', () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'minqing-classify-test-'));
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('round-trips exactly, atomically, with format version and metadata', () => {
		const path = join(dir, 'sub', 'model.json');
		saveModel(path, model);
		expect(readdirSync(join(dir, 'sub'))).toEqual(['model.json']); // no temp file left
		const json = JSON.parse(readFileSync(path, 'utf8'));
		expect(json.format).toBe('minqing-classifier');
		expect(json.version).toBe(1);
		expect(Date.parse(json.trained_at)).not.toBeNaN();
		expect(json.training.examples).toBe(500);
		expect(json.metrics.calibration.level1.eceAfter).toBeTypeOf('number');
		const loaded = loadModel(path);
		expect(Buffer.from(loaded.leafHead.w.buffer).equals(Buffer.from(model.leafHead.w.buffer))).toBe(true);
		expect(Buffer.from(loaded.l1Head.w.buffer).equals(Buffer.from(model.l1Head.w.buffer))).toBe(true);
		for (const e of heldOut.slice(0, 20)) {
			const input = { title: e.title, content: e.content, district_code: e.district_code };
			expect(suggest(loaded, input, seg)).toEqual(suggest(model, input, seg));
		}
		// overwriting keeps one file
		saveModel(path, loaded);
		expect(readdirSync(join(dir, 'sub'))).toEqual(['model.json']);
	});

	it('refuses other files and versions', () => {
		const bad = join(dir, 'bad.json');
		writeFileSync(bad, JSON.stringify({ format: 'minqing-classifier', version: 99 }));
		expect(() => loadModel(bad)).toThrow(/version 99/);
		writeFileSync(bad, '{ not json');
		expect(() => loadModel(bad)).toThrow(/cannot read/);
		writeFileSync(bad, JSON.stringify({ format: 'something-else' }));
		expect(() => loadModel(bad)).toThrow(/not a minqing-classifier/);
	});
});

describe('runClassifyCli', () => {
	it('stops quietly, without reading the rest, when the reader goes away (| head)', async () => {
		const input = new PassThrough();
		const done = runClassifyCli(input, new ClosedPipe(1, 1), model, seg);
		input.end(`${JSON.stringify({ title: '停水', content: '家里停水了' })}\n`.repeat(3000));
		const stats = await done;
		expect(stats.lines).toBeLessThan(3000);
	});

	it('answers one JSON line per input line; bad lines get an error, not a crash', async () => {
		const input = new PassThrough();
		const output = new PassThrough();
		const chunks: string[] = [];
		output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
		const done = runClassifyCli(input, output, model, seg);
		input.write(`${JSON.stringify({ title: '停水', content: '家里停水了' })}\n`);
		input.write(`${JSON.stringify({ text: '楼下广场舞太吵了' })}\n`);
		input.write('{"title": "broken\n');
		input.write('[1, 2]\n');
		input.write('\n');
		input.write(`${JSON.stringify({ title: 42 })}\n`);
		input.write(`${JSON.stringify({ foo: 'bar' })}\n`);
		input.end(`\uFEFF${JSON.stringify({ content: '公司拖欠工资三个月', district_code: '320506' })}`); // no final newline
		const stats = await done;
		const lines = chunks.join('').split('\n').filter((l) => l !== '');
		expect(lines).toHaveLength(8);
		expect(stats).toEqual({ lines: 8, errors: 5 });
		const out = lines.map((l) => JSON.parse(l));
		expect(out[0].categories[0].code).toBe('040101');
		expect(out[1].categories[0].code).toBe('020302');
		for (const k of [2, 3, 4, 5, 6]) expect(out[k].error).toBeTypeOf('string');
		expect(out[5].error).toMatch(/title/);
		expect(out[7].categories[0].code).toBe('070101');
		expect(out[7].district_code).toBe('320506');
	});
});

describe('nearDuplicateGroups', () => {
	it('puts near-copies together and different texts apart', () => {
		const base = '楼下广场舞的音响开得很大，每天晚上七点到十点，吵得孩子没法写作业，和她们沟通了好几次都没有用';
		const texts = [
			base,
			`你好，${base}。希望尽快处理。`,
			`${base}！！`,
			'家里突然停水了，也没有提前通知，做饭洗澡都不行，打自来水公司的电话一直没人接听',
			'公司已经三个月没有发工资了，老板说资金困难让大家再等一等，员工都快交不起房租了',
			'!!!'
		];
		const groups = nearDuplicateGroups(texts).map((g) => g.sort());
		const of = (i: number) => groups.find((g) => g.includes(i))!;
		expect(of(0)).toEqual([0, 1, 2]);
		expect(of(3)).toEqual([3]);
		expect(of(4)).toEqual([4]);
		expect(of(5)).toEqual([5]);
	});
});

describe('loadTrainingExamples', () => {
	it('samples tickets_fact by class, segments NULL tokens, and counts classes and units over the store', async () => {
		const db = await DuckDBInstance.create(':memory:');
		const conn = await db.connect();
		try {
			await ensureWarehouse(conn);
			const rows = [...synthetic(30, 3, UNIT_OF)];
			let k = 0;
			for (const e of rows) {
				k++;
				await conn.run(
					`INSERT INTO tickets_fact (ticket_no, source, external_id, channel, type, category_code, category_l1, category_l2, title, content,
						district_code, street_code, urgency, status, unit_code, received_at, day, hour, updated_at, returns, extensions, reopens, urges, tokens)
					VALUES ($no, 'test', $no, 'phone', '投诉', $cat, $l1, $l2, $title, $content, $d, NULL, 'normal', 'closed', $unit,
						TIMESTAMPTZ '2026-05-01 10:00:00+08', DATE '2026-05-01', 10, TIMESTAMPTZ '2026-05-02 10:00:00+08', 0, 0, 0, 0,
						${k % 2 ? `['预先', '分好', '的词']` : 'NULL'})`,
					{ no: `T${k}`, cat: e.category_code, l1: e.category_code.slice(0, 2), l2: e.category_code.slice(0, 4), title: e.title!, content: e.content, d: e.district_code!, unit: e.unit_code! }
				);
			}
			const set = await loadTrainingExamples(conn, { perClass: 2, seed: 5, segmenter: seg });
			expect(set.examples).toHaveLength(10); // 5 classes × 2
			const per = new Map<string, number>();
			for (const e of set.examples) per.set(e.category_code, (per.get(e.category_code) ?? 0) + 1);
			expect([...per.values()]).toEqual([2, 2, 2, 2, 2]);
			for (const e of set.examples) {
				expect(e.tokens!.length).toBeGreaterThan(0);
				if (e.tokens!.join('') !== '预先分好的词') expect(e.tokens).toEqual(seg.tokens(`${e.title}\n${e.content}`));
			}
			expect(Object.values(set.classCounts).reduce((a, b) => a + b, 0)).toBe(30);
			expect(set.classCounts['040101']).toBe(6);
			expect(set.unitHistory.reduce((a, r) => a + r.n, 0)).toBe(30);
			// the same seed gives the same sample
			const again = await loadTrainingExamples(conn, { perClass: 2, seed: 5, segmenter: seg });
			expect(again.examples.map((e) => e.content)).toEqual(set.examples.map((e) => e.content));
			// and the set trains a model
			const m = trainClassifier(set.examples, { seed: 1, reference: ref, classCounts: set.classCounts, unitHistory: set.unitHistory });
			expect(m.training.examples).toBe(10);
		} finally {
			conn.closeSync();
		}
	});
});
