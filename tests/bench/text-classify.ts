// `npm run bench -- text [--tickets 60000] [--seed 11] [--ablation] [--eval-dir DIR]`
//
// Category and unit suggestion (pipelines/text/classify.ts). Prints, never asserts:
//   1. demo data, random split: DemoGenerator tickets, 90 % to train (of which the classifier holds out 10 %
//      for its temperatures), 10 % to test — leaf and level-1 accuracy, macro-F1, top-3, ECE, NLL; unit top-1 /
//      top-3; training time; suggestion latency after loadModel.
//   2. demo data, template-disjoint: the demo corpus's title, content and detail templates split in two halves
//      per category; train on tickets written from one half, test on tickets written from the other. The
//      random split above shares templates between train and test, so it says little about new wording.
//   3. text the generator did not write, with the model of 1:
//      - headlines (../shared/data/eval/textcls: THUCNews and Toutiao dev samples, read in place, never copied),
//        their classes mapped to our level-1 classes where a hotline counterpart exists (mapping printed);
//      - tests/fixtures/handwritten-tickets.tsv: appeals written by hand in varied styles and places.
//   4. with --ablation: the choices (bigrams, dropout, L2, place prior) on 2 and 3.
// Defaults were chosen on the template-disjoint split (2), not on the evaluation files of 3.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCalendar } from '../../pipelines/calendar/index';
import { loadCorpus, type Corpus } from '../../pipelines/demo/corpus';
import { DemoGenerator } from '../../pipelines/demo/generate';
import { Rng } from '../../pipelines/demo/rng';
import { loadReference, type Reference } from '../../pipelines/reference/index';
import { createSegmenter, type Segmenter } from '../../pipelines/segment/index';
import {
	evaluate,
	loadModel,
	normalizeText,
	saveModel,
	suggest,
	trainClassifier,
	type ClassifierModel,
	type EvalExample,
	type EvalFigures,
	type TrainingExample,
	type TrainOptions
} from '../../pipelines/text/classify';

const ROOT = resolve(import.meta.dirname, '..', '..');
const EVAL_DIR = resolve(ROOT, '..', 'shared', 'data', 'eval', 'textcls');
const NOW = Date.parse('2026-11-01T00:00:00+08:00');

/** Headline classes → our level-1 classes; classes without a hotline counterpart are skipped. */
const HEADLINE_MAP: Record<string, Record<string, string | null>> = {
	'thucnews_titles_dev_sample.tsv': {
		realty: '03',
		education: '10',
		sports: '16',
		finance: null,
		stocks: null,
		science: null,
		society: null,
		politics: null,
		game: null,
		entertainment: null
	},
	'toutiao_titles_dev_sample.tsv': {
		news_house: '03',
		news_edu: '10',
		news_agriculture: '14',
		news_travel: '16',
		news_culture: '16',
		news_sports: '16',
		news_car: null,
		news_finance: null,
		news_tech: null,
		news_military: null,
		news_world: null,
		news_game: null,
		news_entertainment: null
	}
};

type Example = TrainingExample & { tokens: string[] };

function demoExamples(ref: Reference, corpus: Corpus, tickets: number, seed: number, seg: Segmenter): Example[] {
	const gen = new DemoGenerator(ref, corpus, defaultCalendar(), { tickets, days: 365, seed, now: NOW, recentDays: 0 });
	const out: Example[] = [];
	for (const day of gen.days())
		for (const f of day.facts)
			out.push({
				title: f.title,
				content: f.content,
				tokens: seg.tokens(`${f.title ?? ''}\n${f.content}`),
				district_code: f.district_code,
				street_code: f.street_code,
				category_code: f.category_code!,
				unit_code: f.unit_code
			});
	return out;
}

/** Two corpora with disjoint templates: each category's lists halved (a list of one goes to both). */
function splitCorpus(corpus: Corpus, seed: number): { a: Corpus; b: Corpus; shared: number } {
	const r = new Rng(seed);
	let shared = 0;
	const halve = (xs: string[]): [string[], string[]] => {
		if (xs.length < 2) {
			if (xs.length === 1) shared++;
			return [xs, xs];
		}
		const s = r.shuffle([...xs]);
		const k = Math.ceil(s.length / 2);
		return [s.slice(0, k), s.slice(k)];
	};
	const a: Corpus = { phrases: new Map(), incidents: [] };
	const b: Corpus = { phrases: new Map(), incidents: [] };
	for (const [code, spec] of corpus.phrases) {
		const [ta, tb] = halve(spec.titles);
		const [ca, cb] = halve(spec.contents);
		const [da, db] = spec.details.length >= 2 ? halve(spec.details) : [spec.details, spec.details];
		a.phrases.set(code, { ...spec, titles: ta, contents: ca, details: da });
		b.phrases.set(code, { ...spec, titles: tb, contents: cb, details: db });
	}
	for (const k of corpus.incidents) {
		const [ta, tb] = halve(k.titles);
		const [ca, cb] = halve(k.contents);
		a.incidents.push({ ...k, titles: ta, contents: ca });
		b.incidents.push({ ...k, titles: tb, contents: cb });
	}
	return { a, b, shared };
}

function readTsv(path: string): string[][] {
	return readFileSync(path, 'utf8')
		.split('\n')
		.map((l) => l.replace(/\r$/, ''))
		.filter((l) => l.trim() !== '')
		.map((l) => l.split('\t'));
}

interface OodSet {
	name: string;
	examples: EvalExample[];
	chance: number;
	majority: number;
	/** the level-1 classes the set's labels map to */
	targets: string[];
}

function headlineSets(dir: string, seg: Segmenter): { sets: OodSet[]; mapping: string[] } {
	const sets: OodSet[] = [];
	const mapping: string[] = [];
	for (const [file, map] of Object.entries(HEADLINE_MAP)) {
		const path = join(dir, file);
		if (!existsSync(path)) {
			mapping.push(`${file}: ABSENT (looked in ${dir}) — skipped`);
			continue;
		}
		const examples: EvalExample[] = [];
		const seen = new Map<string, number>();
		let skipped = 0;
		for (const [label, text] of readTsv(path)) {
			const l1 = map[label];
			if (l1 === undefined) throw new Error(`${file}: unmapped label ${label}`);
			if (l1 === null || !text) {
				skipped++;
				continue;
			}
			examples.push({ title: text, content: '', tokens: seg.tokens(`${text}\n`), level1_code: l1 });
			seen.set(l1, (seen.get(l1) ?? 0) + 1);
		}
		const pairs = Object.entries(map).map(([k, v]) => `${k}→${v ?? '–'}`);
		mapping.push(`${file}: ${pairs.join(' ')}  (${examples.length} mapped, ${skipped} skipped)`);
		sets.push({ name: file.replace('_dev_sample.tsv', ''), examples, chance: 1 / 17, majority: Math.max(...seen.values()) / examples.length, targets: [...seen.keys()].sort() });
	}
	return { sets, mapping };
}

function handwritten(seg: Segmenter): OodSet {
	const rows = readTsv(join(ROOT, 'tests', 'fixtures', 'handwritten-tickets.tsv')).slice(1);
	const examples: EvalExample[] = rows.map(([l1, leaf, title, content]) => ({
		title,
		content,
		tokens: seg.tokens(`${title}\n${content}`),
		category_code: leaf || null,
		level1_code: l1
	}));
	const counts = new Map<string, number>();
	for (const e of examples) counts.set(e.level1_code!, (counts.get(e.level1_code!) ?? 0) + 1);
	return { name: 'handwritten', examples, chance: 1 / 17, majority: Math.max(...counts.values()) / examples.length, targets: [...counts.keys()].sort() };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

function table(rows: string[][]): string {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
	return rows.map((r) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ')).join('\n');
}

function evalRow(name: string, e: EvalFigures): string[] {
	return [
		name,
		String(e.n),
		e.leaf ? pct(e.leaf.accuracy) : '—',
		e.leaf ? f3(e.leaf.macroF1) : '—',
		e.leaf ? pct(e.leaf.top3) : '—',
		e.leaf ? f3(e.leaf.ece) : '—',
		pct(e.level1.accuracy),
		f3(e.level1.macroF1),
		pct(e.level1.top3),
		f3(e.level1.ece),
		f3(e.level1.nll)
	];
}
const EVAL_HEAD = ['set', 'n', 'leaf acc', 'leaf F1', 'leaf top3', 'leaf ECE', 'L1 acc', 'L1 F1', 'L1 top3', 'L1 ECE', 'L1 NLL'];

function unitFigures(model: ClassifierModel, test: Example[], seg: Segmenter): { n: number; top1: number; top3: number } {
	let n = 0;
	let top1 = 0;
	let top3 = 0;
	for (const e of test) {
		if (!e.unit_code) continue;
		const s = suggest(model, { title: e.title, content: e.content, district_code: e.district_code, street_code: e.street_code }, seg);
		n++;
		if (s.units[0]?.code === e.unit_code) top1++;
		if (s.units.some((u) => u.code === e.unit_code)) top3++;
	}
	return { n, top1: top1 / Math.max(1, n), top3: top3 / Math.max(1, n) };
}

export async function classifyBench(argv: string[] = []): Promise<void> {
	const { values } = parseArgs({
		args: argv,
		options: {
			tickets: { type: 'string', default: '60000' },
			seed: { type: 'string', default: '11' },
			ablation: { type: 'boolean', default: false },
			'eval-dir': { type: 'string', default: EVAL_DIR }
		}
	});
	const tickets = Number(values.tickets.replaceAll('_', ''));
	const seed = Number(values.seed);
	const ref = loadReference();
	const corpus = loadCorpus(join(ROOT, 'data'), ref);
	let t0 = performance.now();
	const seg = createSegmenter({});
	seg.tokens('预热');
	console.error(`… segmenter loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

	// 1. random split of demo tickets
	t0 = performance.now();
	const demo = demoExamples(ref, corpus, tickets, seed, seg);
	const genSeconds = (performance.now() - t0) / 1000;
	const order = new Rng(seed + 1).shuffle(Array.from(demo.keys()));
	const nTest = Math.round(demo.length * 0.1);
	const test = order.slice(0, nTest).map((i) => demo[i]);
	const train = order.slice(nTest).map((i) => demo[i]);
	console.log(`text classification (2 cores here; goals: training on ~60k tickets well under a minute, a suggestion well under 10 ms)`);
	console.log(`demo tickets ${demo.length.toLocaleString('en')} generated and segmented in ${genSeconds.toFixed(1)} s; train ${train.length.toLocaleString('en')} · test ${test.length.toLocaleString('en')}`);
	t0 = performance.now();
	const cpu0 = process.cpuUsage();
	const model = trainClassifier(train, { seed, segmenter: seg, reference: ref });
	const trainSeconds = (performance.now() - t0) / 1000;
	const trainCpu = process.cpuUsage(cpu0).user / 1e6;
	const c = model.metrics.calibration;
	console.log(
		`training ${trainSeconds.toFixed(1)} s wall, ${trainCpu.toFixed(1)} s CPU (tokens given; the title-only copies are segmented) · ${model.terms.length.toLocaleString('en')} features · options ${JSON.stringify(model.training.options)}`
	);
	if (c) {
		console.log(`calibration on ${c.examples} held-out tickets (near-duplicate groups kept whole):`);
		console.log(`  level-1 T=${f3(c.level1.temperature)}  NLL ${f3(c.level1.nllBefore)} → ${f3(c.level1.nllAfter)}  ECE ${f3(c.level1.eceBefore)} → ${f3(c.level1.eceAfter)}`);
		console.log(`  leaf    T=${f3(c.leaf.temperature)}  NLL ${f3(c.leaf.nllBefore)} → ${f3(c.leaf.nllAfter)}  ECE ${f3(c.leaf.eceBefore)} → ${f3(c.leaf.eceAfter)}`);
	}

	// latency, with the model as loaded from disk
	const dir = mkdtempSync(join(tmpdir(), 'minqing-classify-'));
	let loaded: ClassifierModel;
	try {
		const path = join(dir, 'model.json');
		t0 = performance.now();
		saveModel(path, model);
		const saveMs = performance.now() - t0;
		const size = readFileSync(path).length;
		t0 = performance.now();
		loaded = loadModel(path);
		console.log(`model file ${(size / 1e6).toFixed(1)} MB · save ${saveMs.toFixed(0)} ms · load ${(performance.now() - t0).toFixed(0)} ms`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	const times: number[] = [];
	for (const e of test.slice(0, 2000)) {
		const s = performance.now();
		suggest(loaded, { title: e.title, content: e.content, district_code: e.district_code }, seg);
		times.push(performance.now() - s);
	}
	times.sort((a, b) => a - b);
	const long = `${test[0].content}`.repeat(60);
	const s1 = performance.now();
	suggest(loaded, { title: '', content: long }, seg);
	console.log(
		`suggest (segmentation included, ${times.length} tickets): median ${times[times.length >> 1].toFixed(2)} ms · p95 ${times[Math.floor(times.length * 0.95)].toFixed(2)} ms · max ${times.at(-1)!.toFixed(2)} ms · ${long.length.toLocaleString('en')}-char text ${(performance.now() - s1).toFixed(1)} ms`
	);

	const rows: string[][] = [EVAL_HEAD];
	rows.push(evalRow('demo, random split', evaluate(loaded, test, seg)));

	// 2. template-disjoint
	const { a, b, shared } = splitCorpus(corpus, seed + 2);
	t0 = performance.now();
	const trainA = demoExamples(ref, a, tickets, seed + 3, seg);
	const testB = demoExamples(ref, b, Math.round(tickets / 6), seed + 4, seg);
	const modelA = trainClassifier(trainA, { seed, segmenter: seg, reference: ref });
	console.error(`… template-disjoint split done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
	rows.push(evalRow('demo, template-disjoint', evaluate(modelA, testB, seg)));

	// 3. text the generator did not write
	const { sets, mapping } = headlineSets(values['eval-dir'], seg);
	const hand = handwritten(seg);
	const ood = [...sets, hand];
	for (const s of ood) rows.push(evalRow(s.name, evaluate(loaded, s.examples, seg)));
	console.log('');
	console.log(table(rows));
	console.log('');
	console.log('level-1 accuracy among the classes a set maps to (which of them ranks highest), against choosing one of them at random:');
	for (const s of ood.slice(0, -1)) {
		const e = evaluate(loaded, s.examples, seg, { restrictLevel1: s.targets });
		console.log(`  ${s.name}: ${pct(e.level1.accuracy)} among {${s.targets.join(', ')}} (random ${pct(1 / s.targets.length)}, macro-F1 ${f3(e.level1.macroF1)})`);
	}
	console.log('');
	console.log(`template-disjoint: ${trainA.length.toLocaleString('en')} train tickets from half the templates, ${testB.length.toLocaleString('en')} test tickets from the other half (${shared} single-template lists shared by both halves); temperatures T=${f3(modelA.leafHead.temperature)} (leaf), ${f3(modelA.l1Head.temperature)} (L1)`);
	console.log('chance (level-1): uniform 1/17 = 5.9%; majority class of each set: ' + ood.map((s) => `${s.name} ${pct(s.majority)}`).join(' · '));
	// how much of each set's wording the model has seen: the share of word tokens in its vocabulary
	const coverage = (m: ClassifierModel, xs: readonly { tokens?: string[] | null }[]) => {
		let known = 0;
		let all = 0;
		for (const x of xs)
			for (const t of x.tokens ?? []) {
				all++;
				if (m.termIndex.has(`w:${normalizeText(t)}`)) known++;
			}
		return all ? known / all : 0;
	};
	console.log(
		`word tokens in the model's vocabulary: demo test ${pct(coverage(loaded, test))} · template-disjoint ${pct(coverage(modelA, testB))} · ` +
			ood.map((s) => `${s.name} ${pct(coverage(loaded, s.examples))}`).join(' · ')
	);
	console.log('headline label mapping (→ level-1 code, – skipped):');
	for (const m of mapping) console.log(`  ${m}`);

	// units
	const u = unitFigures(loaded, test.slice(0, 3000), seg);
	console.log('');
	console.log(`units (demo random split, district and street as recorded, ${u.n} tickets with a unit): top-1 ${pct(u.top1)} · top-3 ${pct(u.top3)}`);

	// 4. ablation
	if (values.ablation) {
		const configs: [string, TrainOptions][] = [
			['default', {}],
			['words only', { terms: 'words' }],
			['bigrams only', { terms: 'bigrams' }],
			['no title-only copies', { titleShare: 0 }],
			['dropout 0.2', { dropout: 0.2 }],
			['L2 ÷3 (1e-6)', { l2: 1e-6 }],
			['L2 ×3 (1e-5)', { l2: 1e-5 }],
			['L2 ×30 (1e-4)', { l2: 1e-4 }],
			['no place prior', { place: false }],
			['random calibration split', { calibrationSplit: 'random' }],
			['no temperature floor', { minTemperature: 0.01 }]
		];
		const ab: string[][] = [
			['config', 'CPU s', 'T leaf/L1', 'tmpl-disj leaf', 'leaf ECE', 'leaf NLL', 'tmpl-disj L1', 'L1 ECE', ...ood.map((s) => `${s.name} L1`), `${hand.name} L1 ECE`]
		];
		for (const [name, opts] of configs) {
			const cpu = process.cpuUsage();
			const mA = trainClassifier(trainA, { seed, segmenter: seg, reference: ref, ...opts });
			const secs = process.cpuUsage(cpu).user / 1e6;
			const eB = evaluate(mA, testB, seg);
			const m = trainClassifier(train, { seed, segmenter: seg, reference: ref, ...opts });
			const es = ood.map((o) => evaluate(m, o.examples, seg));
			ab.push([
				name,
				secs.toFixed(1),
				`${f3(m.leafHead.temperature)}/${f3(m.l1Head.temperature)}`,
				pct(eB.leaf!.accuracy),
				f3(eB.leaf!.ece),
				f3(eB.leaf!.nll),
				pct(eB.level1.accuracy),
				f3(eB.level1.ece),
				...es.map((e) => pct(e.level1.accuracy)),
				f3(es.at(-1)!.level1.ece)
			]);
			console.error(`… ablation ${name} done`);
		}
		console.log('');
		console.log('ablation (tmpl-disj … L1 ECE: model on half the templates, tested on the other half; T and the remaining columns: model on the random-split training set)');
		console.log(table(ab));
	}
}
