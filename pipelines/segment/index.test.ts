import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { segmentCli } from './cli';
import { ClosedPipe } from '../../tests/support/pipes';
import {
	createSegmenter,
	dictionaryLoads,
	Idf,
	isPureNumber,
	loadDomainCheck,
	normalizeToken,
	parseTerms,
	resolveOptions,
	topKeywords,
	userDictionary,
	type Segmenter
} from './index';
import { SegmentPool } from './pool';
import { threadCpuSeconds } from './worker-start';
import { lcsPairs, scoreLine, emptyCounts, sighanScore, sighanWords, spanScore, toWordSet } from './sighan';

const noSpace = (s: string) => s.replace(/[\s\u3000\u200b\ufeff]+/gu, '');

describe('segmenter with the user dictionary', () => {
	let seg: Segmenter;
	beforeAll(() => {
		seg = createSegmenter({ userDict: true });
	});

	it('keeps domain words whole', () => {
		const words = seg.cut('姑苏区平江街道有家饭店油烟扰民，门口河道是黑臭水体，还有群租和违章搭建');
		for (const w of ['姑苏区', '平江街道', '油烟扰民', '黑臭水体', '群租', '违章搭建']) expect(words).toContain(w);
	});

	it('keeps every domain word of the domain check whole', () => {
		const checks = loadDomainCheck(resolveOptions().dictDir);
		expect(checks.length).toBeGreaterThanOrEqual(40);
		const split: string[] = [];
		for (const c of checks) {
			const words = seg.cut(c.phrase);
			for (const w of c.words) if (!words.includes(w)) split.push(`${w}: ${words.join(' ')}`);
		}
		expect(split).toEqual([]);
	});

	it('builds the user dictionary from the gazetteer, the units and terms.txt', () => {
		const words = new Set(userDictionary(createSegmenter().options).map((e) => e.word));
		for (const w of ['姑苏区', '平江街道', '园区', '苏州市城市管理局', '市城管局', '油烟扰民', '12345', '预付卡']) expect(words).toContain(w);
		const terms = parseTerms(readFileSync(`${resolveOptions().dictDir}/terms.txt`, 'utf8'));
		expect(terms.length).toBeGreaterThanOrEqual(300);
	});

	it('keeps user terms with digits and letters whole', () => {
		expect(seg.cut('拨打12345热线，PM2.5超标，用苏e行')).toEqual(['拨打', '12345热线', '，', 'PM2.5', '超标', '，', '用', '苏e行']);
		expect(seg.cut('打12345')).toEqual(['打', '12345']);
		// not inside a longer number
		expect(seg.cut('123456')).toEqual(['123456']);
	});

	it('follows the PKU conventions for numbers, dates, names and classifiers', () => {
		expect(seg.cut('2001年12月31日9时30分')).toEqual(['2001年', '12月', '31日', '9时', '30分']);
		expect(seg.cut('二○○一年十二月三十一日')).toEqual(['二○○一年', '十二月', '三十一日']);
		expect(seg.cut('增长12.5%，共100亿元，气温－5')).toEqual(['增长', '12.5%', '，', '共', '100亿', '元', '，', '气温', '－5']);
		// after a digit or a Latin letter (half- or full-width) a minus is a dash, not a sign
		expect(seg.cut('B栋3-5号')).toEqual(['B', '栋', '3', '-', '5', '号']);
		expect(seg.cut('温度Ｃ－5度')).toEqual(['温度', 'Ｃ', '－', '5', '度']);
		expect(seg.cut('-5度')[0]).toBe('-5');
		expect(seg.cut('两个人第一天')).toEqual(['两', '个', '人', '第一', '天']);
		expect(seg.cut('一棵大树倾斜四十五度，一处井盖')).toEqual(['一', '棵', '大树', '倾斜', '四十五', '度', '，', '一', '处', '井盖']);
		// 一度 the adverb (at one time) is one word, as the standard writes it
		expect(seg.cut('气温一度很高')).toEqual(['气温', '一度', '很', '高']);
		expect(seg.cut('江泽民说')).toEqual(['江', '泽民', '说']);
		expect(seg.cut('——……')).toEqual(['——', '……']);
		expect(seg.cut('iPhone15和Wi-Fi、5G')).toEqual(['iPhone15', '和', 'Wi-Fi', '、', '5G']);
	});

	it('does not crash on bad input, and loses no character', () => {
		const inputs = [
			'',
			'   \t\n\u3000',
			'，。！？……——“”《》',
			'!!!???',
			'市民张先生（电话138****1234）反映：XX小区3栋2单元402室楼上漏水，物业不管！！！',
			'維修基金問題，業主委員會不作為，噪音擾民',
			'mixed English text with 中文 and 1234 digits, 2.5% and ＦＵＬＬＷＩＤＴＨ１２３',
			'emoji 😀👍 and 𠮷野家 and a lone surrogate \ud800 and NUL \u0000 and \u200b zero width',
			'苏州市姑苏区平江街道油烟扰民问题，'.repeat(6250) // 100k characters
		];
		for (const text of inputs) {
			const words = seg.cut(text);
			expect(words.every((w) => w.length > 0 && w.trim() === w)).toBe(true);
			expect(words.join('')).toBe(noSpace(text));
			expect(Array.isArray(seg.tokens(text))).toBe(true);
		}
		expect(seg.cut('')).toEqual([]);
		expect(seg.tokens('，。！？')).toEqual([]);
		expect(seg.cut(undefined as unknown as string)).toEqual([]);
	});

	it('segments 100k characters quickly', () => {
		const text = '小区门口的河道是黑臭水体，夏天味道很大，希望尽快治理。'.repeat(3600);
		const t0 = performance.now();
		const words = seg.cut(text);
		expect(performance.now() - t0).toBeLessThan(5000);
		expect(words.filter((w) => w === '黑臭水体')).toHaveLength(3600);
	});

	it('tokens drops stop words, punctuation, whitespace and pure numbers', () => {
		const t = seg.tokens('您好，我们小区的 电梯 坏了 3 天了，ＰＭ２.５也超标 100% 了！请问12345热线能处理吗？');
		expect(t).toEqual(['小区', '电梯', '坏', '天', 'pm2.5', '超标', '12345热线']);
		for (const w of ['的', '了', '我们', '您好', '请问', '，', ' ', '3', '100%']) expect(t).not.toContain(w);
		// time and position fillers are no keywords (三天之内, 台风过后)
		expect(seg.tokens('三天之内没人来，台风过后最近大树倾倒')).toEqual(['天', '人', '台风', '大树', '倾倒']);
		expect(seg.stopWords.has('的')).toBe(true);
		expect(isPureNumber('12.5%')).toBe(true);
		expect(isPureNumber('三十')).toBe(true);
		expect(isPureNumber('5g')).toBe(false);
	});

	it('keeps numeric user terms as tokens', () => {
		expect(seg.tokens('打12345没人接')).toContain('12345');
	});
});

describe('segmenter without the user dictionary', () => {
	it('splits domain words the general dictionary does not know, and reloads only when switching', () => {
		const withDict = createSegmenter({ userDict: true });
		const before = dictionaryLoads();
		const noDict = createSegmenter({ userDict: false }); // loads its dictionaries
		expect(noDict.cut('饭店油烟扰民')).not.toContain('油烟扰民');
		expect(noDict.cut('平江街道')).not.toContain('平江街道');
		expect(noDict.cut('黑臭水体')).not.toContain('黑臭水体'); // same configuration: no further load
		expect(dictionaryLoads()).toBe(before + 1);
		expect(withDict.cut('饭店油烟扰民')).toContain('油烟扰民'); // switching back reloads
		expect(dictionaryLoads()).toBe(before + 2);
	});
});

describe('segmenter with an overlay of the dictionary files', () => {
	it('adds terms, takes terms out, adds stop words and keeps stop words of the file as words', () => {
		const text = '楼下有人飞线充电很危险，门口网红奶茶店排长队';
		const plain = createSegmenter();
		expect(plain.cut(text)).toContain('飞线充电');
		expect(plain.cut(text)).not.toContain('网红');
		expect(plain.tokens(text)).toContain('有人');
		expect(plain.tokens(text)).not.toContain('很');
		const seg = createSegmenter({
			overlay: { terms: [{ word: '网红', freq: 1500, tag: 'n' }, { word: '奶茶店', freq: 1500, tag: 'n' }], removedTerms: ['飞线充电'], stopWords: ['有人'], keptWords: ['很'] }
		});
		const words = seg.cut(text);
		expect(words).toEqual(expect.arrayContaining(['网红', '奶茶店']));
		expect(words).not.toContain('飞线充电');
		expect(noSpace(words.join(''))).toBe(noSpace(text));
		const tokens = seg.tokens(text);
		expect(tokens).not.toContain('有人');
		expect(tokens).toContain('很');
		const dict = new Set(userDictionary(seg.options).map((e) => e.word));
		expect(dict.has('网红') && !dict.has('飞线充电') && dict.has('楼道堆物')).toBe(true);
		// the default configuration again: as before
		expect(plain.cut(text)).toContain('飞线充电');
	});
});

describe('normalizeToken', () => {
	it('makes full-width ASCII half-width, the ideographic space a space, every cased letter lower case, and trims', () => {
		expect(normalizeToken('ＡＢＣ１２３')).toBe('abc123');
		expect(normalizeToken('\u3000Wi-Fi\u3000')).toBe('wi-fi');
		// letters beyond ASCII that have a lower case (Latin with accents, Greek, circled letters)
		expect(normalizeToken('ÀÉΣⒶ')).toBe('àéσⓐ');
		expect(normalizeToken(' 5g ')).toBe('5g');
		expect(normalizeToken('噪音')).toBe('噪音');
	});
});

describe('data files', () => {
	it('reports the file and line of a bad terms line', () => {
		expect(() => parseTerms('油烟扰民 3000 l\n黑臭水体 many n\n', 'terms.txt')).toThrow('terms.txt:2: frequency must be a positive integer');
		expect(() => parseTerms('a 1 n x\n', 'terms.txt')).toThrow('terms.txt:1:');
		expect(parseTerms('# comment\n\n群租\n网格员 3000\n')).toEqual([
			{ word: '群租', freq: 1000, tag: 'n' },
			{ word: '网格员', freq: 3000, tag: 'n' }
		]);
	});
});

describe('Idf and topKeywords', () => {
	const corpus = [
		['噪音', '扰民', '小区'],
		['油烟', '扰民', '饭店', '扰民'],
		['小区', '停水']
	];

	it('learns document frequencies (each term once per document)', () => {
		const idf = Idf.fromCorpus(corpus);
		expect(idf.docs).toBe(3);
		expect(idf.df.get('扰民')).toBe(2);
		expect(idf.df.get('小区')).toBe(2);
		expect(idf.df.get('停水')).toBe(1);
	});

	it('computes the smoothed idf ln((1+N)/(1+df)) + 1', () => {
		const idf = Idf.fromCorpus(corpus);
		expect(idf.idf('扰民')).toBeCloseTo(Math.log(4 / 3) + 1, 12);
		expect(idf.idf('停水')).toBeCloseTo(Math.log(4 / 2) + 1, 12);
		expect(idf.idf('没见过')).toBeCloseTo(Math.log(4) + 1, 12);
		expect(idf.idf('没见过')).toBeGreaterThan(idf.idf('停水'));
		const empty = new Idf();
		expect(empty.idf('x')).toBe(1);
		// a term in every document still has a positive weight
		expect(Idf.fromCorpus([['a'], ['a']]).idf('a')).toBeCloseTo(1, 12);
	});

	it('round-trips through JSON and rejects bad documents', () => {
		const idf = Idf.fromCorpus(corpus);
		const back = Idf.fromJSON(JSON.stringify(idf));
		expect(back.docs).toBe(3);
		expect([...back.df].sort()).toEqual([...idf.df].sort());
		expect(back.idf('扰民')).toBe(idf.idf('扰民'));
		expect(() => Idf.fromJSON('{"docs":3}')).toThrow('not an Idf document');
		expect(() => Idf.fromJSON({ version: 1, docs: 1, df: { a: 2 } })).toThrow('bad document frequency');
	});

	it('ranks by tf·idf, ties by first occurrence', () => {
		const idf = Idf.fromCorpus(corpus);
		const kw = topKeywords(['油烟', '扰民', '油烟', '饭店'], idf, 2);
		expect(kw.map((k) => k.word)).toEqual(['油烟', '饭店']);
		expect(kw[0].weight).toBeCloseTo((2 / 4) * (Math.log(4 / 2) + 1), 12);
		expect(topKeywords(['x', 'y'], idf, 5).map((k) => k.word)).toEqual(['x', 'y']);
		expect(topKeywords([], idf, 3)).toEqual([]);
		expect(topKeywords(['x'], idf, 0)).toEqual([]);
	});
});

describe('SIGHAN scorer', () => {
	it('splits lines as the script does', () => {
		expect(sighanWords('  中国\u3000人民  站 起来了\r\n')).toEqual(['中国', '人民', '站', '起来了']);
		expect(sighanWords(' \r')).toEqual([]);
	});

	it('scores a tiny example by hand', () => {
		// gold: 他 来到 了 网易 杭研 大厦 (6); test: 他 来 到 了 网易 杭研大厦 (6); matched: 他 了 网易 (3)
		const s = sighanScore(['他 来到 了 网易 杭研 大厦'], ['他 来 到 了 网易 杭研大厦']);
		expect(s.correct).toBe(3);
		expect(s.recall).toBeCloseTo(0.5, 12);
		expect(s.precision).toBeCloseTo(0.5, 12);
		expect(s.f1).toBeCloseTo(0.5, 12);
		// hunks: [来到]/[来 到] → 1 substitution + 1 insertion; [杭研 大厦]/[杭研大厦] → 1 substitution + 1 deletion
		expect(s.substitutions).toBe(2);
		expect(s.insertions).toBe(1);
		expect(s.deletions).toBe(1);
		expect(s.oovRate).toBeNull();
	});

	it('computes OOV and IV recall against a training word list', () => {
		const training = toWordSet('他\n来到\n了\n大厦\n');
		const s = sighanScore('他 来到 了 网易 杭研 大厦\r\n', '他 来到 了 网易 杭 研 大厦\r\n', training);
		// OOV gold words: 网易, 杭研 (2), of which 网易 found; IV: 他 来到 了 大厦, all found
		expect(s.oov).toBe(2);
		expect(s.oovRecall).toBeCloseTo(0.5, 12);
		expect(s.ivRecall).toBe(1);
		expect(s.oovRate).toBeCloseTo(2 / 6, 12);
		expect(s.precision).toBeCloseTo(5 / 7, 12);
		expect(s.recall).toBeCloseTo(5 / 6, 12);
	});

	it('skips empty gold lines (and their test words) like the script', () => {
		const s = sighanScore(['', 'a b'], ['x y z', 'a b']);
		expect(s.lines).toBe(1);
		expect(s.testWords).toBe(2);
		expect(s.f1).toBe(1);
		const acc = emptyCounts();
		expect(scoreLine('', 'x', acc)).toBe(false);
		expect(scoreLine('a', '', acc)).toBe(true);
		expect(acc.deletions).toBe(1);
	});

	it('finds a longest common subsequence (checked against dynamic programming)', () => {
		let seed = 7;
		const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
		for (let k = 0; k < 300; k++) {
			const a = Array.from({ length: Math.floor(rnd() * 30) }, () => 'abcd'[Math.floor(rnd() * 4)]);
			const b = Array.from({ length: Math.floor(rnd() * 30) }, () => 'abcd'[Math.floor(rnd() * 4)]);
			const pairs = lcsPairs(a, b);
			const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
			for (let i = 1; i <= a.length; i++)
				for (let j = 1; j <= b.length; j++) dp[i][j] = a[i - 1] === b[j - 1] ? dp[i - 1][j - 1] + 1 : Math.max(dp[i - 1][j], dp[i][j - 1]);
			expect(pairs.length).toBe(dp[a.length][b.length]);
			for (let p = 0; p < pairs.length; p++) {
				expect(a[pairs[p][0]]).toBe(b[pairs[p][1]]);
				if (p > 0) {
					expect(pairs[p][0]).toBeGreaterThan(pairs[p - 1][0]);
					expect(pairs[p][1]).toBeGreaterThan(pairs[p - 1][1]);
				}
			}
		}
	});

	it('also gives the span-based score', () => {
		const s = spanScore(['他 来到 了 网易 杭研 大厦'], ['他 来 到 了 网易 杭研大厦']);
		expect(s.correct).toBe(3);
		expect(s.f1).toBeCloseTo(0.5, 12);
	});
});

describe('SegmentPool', () => {
	it('preserves order and equals single-thread output', async () => {
		const texts = loadDomainCheck(resolveOptions().dictDir).map((c) => c.phrase);
		const many = Array.from({ length: 600 }, (_, i) => `${texts[i % texts.length]}${i % 7 === 0 ? '' : ` 第${i}号`}`);
		many.push('', '，。', '維修基金問題');
		const pool = await SegmentPool.create(2, { userDict: true, batchTexts: 37 });
		try {
			expect(pool.size).toBe(2);
			const [tokens, cuts] = await Promise.all([pool.tokenize(many), pool.cut(many)]);
			const seg = createSegmenter({ userDict: true });
			expect(tokens).toEqual(many.map((t) => seg.tokens(t)));
			expect(cuts).toEqual(many.map((t) => seg.cut(t)));
			expect(await pool.tokenize([])).toEqual([]);
		} finally {
			await pool.close();
		}
		await expect(pool.tokenize(['x'])).rejects.toThrow('closed');
	});

	it.runIf(process.platform === 'linux')("counts the CPU time its workers use, not the caller's", async () => {
		const pool = await SegmentPool.create(2, { userDict: true });
		try {
			const texts = loadDomainCheck(resolveOptions().dictDir).map((c) => c.phrase);
			// long texts: segmenting them (the workers) costs far more than sending them and splitting the answers (the caller)
			const many = Array.from({ length: 6_000 }, (_, i) => Array.from({ length: 8 }, (_, j) => texts[(i + j) % texts.length]).join('，'));
			const workers0 = pool.cpuSeconds()!;
			const main0 = threadCpuSeconds()!;
			await pool.tokenize(many);
			const workers = pool.cpuSeconds()! - workers0;
			const main = threadCpuSeconds()! - main0;
			expect(workers).toBeGreaterThan(0);
			// reading the caller's thread twice would give twice its time
			expect(workers).toBeGreaterThan(4 * main);
		} finally {
			await pool.close();
		}
	});

	it('lets its workers free their dictionaries and end themselves when closed, also with a batch in hand', async () => {
		const pool = await SegmentPool.create(2, { userDict: true, batchTexts: 50 });
		const texts = loadDomainCheck(resolveOptions().dictDir).map((c) => c.phrase);
		const pending = pool.tokenize(Array.from({ length: 2_000 }, (_, i) => texts[i % texts.length]));
		const refused = expect(pending).rejects.toThrow('closed');
		// terminated, a worker exits with 1 and its dictionaries stay allocated until the process ends
		expect(await pool.close()).toEqual([0, 0]);
		await refused;
		expect(await pool.close()).toEqual([0, 0]);
	});

	it('loads another dictionary overlay in place: the same threads, the new words, as a segmenter made with it', async () => {
		const pool = await SegmentPool.create(2, { userDict: true, batchTexts: 3 });
		const slots = () => (pool as unknown as { slots: { tid: number | null; worker: import('node:worker_threads').Worker }[] }).slots.map((s) => s.worker.threadId);
		try {
			const texts = ['小区旁边的芯片工厂夜里排放刺鼻气体', '楼下的共享厨房油烟扰民', '芯片工厂', '共享厨房', '', '姑苏区平江街道'];
			const overlay = { terms: [{ word: '芯片工厂', freq: 2000, tag: 'nz' }, { word: '共享厨房', freq: 2000, tag: 'nz' }] };
			const before = await pool.cut(texts);
			expect(before[2]).not.toEqual(['芯片工厂']);
			const threads = slots();
			await pool.reload(overlay);
			expect(slots()).toEqual(threads);
			const seg = createSegmenter({ userDict: true, overlay });
			expect(await pool.cut(texts)).toEqual(texts.map((t) => seg.cut(t)));
			expect(await pool.tokenize(texts)).toEqual(texts.map((t) => seg.tokens(t)));
			expect((await pool.cut(['芯片工厂']))[0]).toEqual(['芯片工厂']);
			// and back: the overlay's words are gone again
			await pool.reload(undefined);
			expect(await pool.cut(texts)).toEqual(before);
			// only between tasks
			const busy = pool.tokenize(Array.from({ length: 200 }, () => texts[0]));
			await expect(pool.reload(overlay)).rejects.toThrow('work is in hand');
			await busy;
		} finally {
			expect(await pool.close()).toEqual([0, 0]);
		}
	});

	it('closes when a worker is already gone', async () => {
		const pool = await SegmentPool.create(2, { userDict: true });
		await pool.tokenize(['一']);
		const worker = (pool as unknown as { slots: { worker: import('node:worker_threads').Worker }[] }).slots[0].worker;
		await worker.terminate();
		expect(await pool.close()).toEqual([1, 0]);
	});

	it('reports a worker that cannot start', async () => {
		await expect(SegmentPool.create(1, { dictDir: '/nonexistent/minqing-dict' })).rejects.toThrow('could not start');
	});
});

describe('segment CLI', () => {
	async function runCli(args: string[], input: string): Promise<string> {
		const stdin = new PassThrough();
		const stdout = new PassThrough();
		let out = '';
		stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
		const done = segmentCli(args, stdin, stdout);
		stdin.end(input);
		await done;
		return out;
	}

	it('writes each line as words separated by single spaces, line for line', async () => {
		const out = await runCli([], '姑苏区油烟扰民\r\n\r\n２００１年新年钟声，   即将敲响\r\n');
		expect(out).toBe('姑苏区 油烟扰民\n\n２００１年 新年 钟声 ， 即将 敲响\n');
	});

	it('--no-dict turns the user dictionary off', async () => {
		const out = await runCli(['--no-dict'], '平江街道油烟扰民\n');
		expect(out.trim().split(' ')).not.toContain('油烟扰民');
	});

	it('rejects unknown options', async () => {
		await expect(runCli(['--bogus'], '')).rejects.toThrow();
	});

	it('a reader that goes away (| head) ends it quietly', async () => {
		const stdin = new PassThrough();
		const done = segmentCli([], stdin, new ClosedPipe(1, 1));
		stdin.end('姑苏区油烟扰民\n'.repeat(20_000));
		await expect(done).resolves.toBeUndefined();
	});
});
