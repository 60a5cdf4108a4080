import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSegmenter, parseTerms, resolveOptions, type Segmenter } from '../segment/index';
import {
	aggregateSentiment,
	buildSentimentLexicon,
	defaultSentimentDir,
	labelOf,
	loadSentimentLexicon,
	MARKER_PATTERNS,
	SENTIMENT_FILES,
	sentimentOf,
	type SentimentFiles,
	type SentimentLexicon,
	type SentimentResult
} from './sentiment';

let seg: Segmenter;
let lex: SentimentLexicon;
const score = (text: string): SentimentResult => sentimentOf(seg.cut(text), text, lex);

beforeAll(() => {
	seg = createSegmenter({});
	lex = loadSentimentLexicon();
});

describe('the lexicon files', () => {
	it('load with several hundred negative words and every role and pattern', () => {
		const roles = { positive: 0, negative: 0, negation: 0, degree: 0, marker: 0, contrast: 0, irrealis: 0 };
		for (const e of lex.entries.values())
			for (const k of Object.keys(roles) as (keyof typeof roles)[]) if (e[k] !== undefined && e[k] !== false) roles[k]++;
		expect(roles.negative).toBeGreaterThanOrEqual(500);
		expect(roles.positive).toBeGreaterThanOrEqual(120);
		expect(roles.negation).toBeGreaterThanOrEqual(40);
		expect(roles.degree).toBeGreaterThanOrEqual(40);
		expect(roles.marker).toBeGreaterThanOrEqual(80);
		expect(roles.contrast).toBeGreaterThanOrEqual(5);
		expect(roles.irrealis).toBeGreaterThanOrEqual(20);
		expect(Object.keys(lex.patterns).sort()).toEqual([...MARKER_PATTERNS].sort());
		for (const w of ['扰民', '恶臭', '投诉无门', '敷衍', '推诿', '拖延', '危险', '害怕', '气愤']) expect(lex.entries.get(w)?.negative, w).toBeGreaterThan(0);
		for (const w of ['感谢', '满意', '及时', '表扬', '辛苦了']) expect(lex.entries.get(w)?.positive, w).toBeGreaterThan(0);
		for (const w of ['不', '没', '没有', '未', '别', '无', '并非']) expect(lex.entries.get(w)?.negation, w).toBeDefined();
		for (const w of ['非常', '特别', '极其', '太', '有点', '稍微']) expect(lex.entries.get(w)?.degree, w).toBeGreaterThan(0);
		for (const w of ['多次', '一直', '反复', '再三', '屡次', '至今', '没人管', '无人处理', '强烈要求', '严重', '忍无可忍', '曝光', '媒体', '上访', '市长', '12345多次'])
			expect(lex.entries.get(w)?.marker, w).toBeGreaterThan(0);
	});

	it('accepts the data directory or the sentiment directory, and caches', () => {
		const dir = defaultSentimentDir();
		expect(loadSentimentLexicon(dir)).toBe(lex);
		expect(loadSentimentLexicon(join(dir, '..', '..'))).toBe(lex);
	});

	it('scores every sentiment entry with its sign when it stands alone (the segmenter reaches every entry)', () => {
		const wrong: string[] = [];
		for (const [w, e] of lex.entries) {
			if (e.positive === undefined && e.negative === undefined) continue;
			const r = sentimentOf(seg.cut(w), w, lex);
			if (e.negative !== undefined ? !(r.score < 0) : !(r.score > 0)) wrong.push(`${w}: ${r.score} (${seg.cut(w).join(' ')})`);
		}
		expect(wrong).toEqual([]);
	});

	it('lists the segmenter terms that contain a negative word (they are single words and would not match)', () => {
		const dictDir = resolveOptions().dictDir;
		const terms = parseTerms(readFileSync(join(dictDir, 'terms.txt'), 'utf8')).map((t) => t.word);
		const negatives = [...lex.entries].filter(([w, e]) => e.negative !== undefined && w.length >= 2).map(([w]) => w);
		const missing = terms.filter((t) => !lex.entries.has(t) && negatives.some((n) => t.includes(n)));
		expect(missing).toEqual([]);
	});

	it('refuses malformed files, naming file and line', () => {
		const base: SentimentFiles = { negative: '差\t1\n', positive: '好\t1\n', negation: '不\t1\tnot\n', degree: '很\t1.3\n', markers: '多次\t0.8\tword\n!\t0.3\tpattern\n', contrast: '但是\n', irrealis: '希望\n', neutral: '满意度\n', boundary: '就\n' };
		expect(() => buildSentimentLexicon(base)).not.toThrow();
		const bad = (patch: Partial<SentimentFiles>) => () => buildSentimentLexicon({ ...base, ...patch });
		expect(bad({ negative: '# c\n差\t1\n差\t2\n' })).toThrow(`${SENTIMENT_FILES.negative}:3: "差" is listed twice`);
		expect(bad({ positive: '差\t1\n' })).toThrow(/positive\.tsv:1: "差" is also in negative\.tsv/);
		expect(bad({ degree: '很\tx\n' })).toThrow(/degree\.tsv:1: multiplier must be a positive number/);
		expect(bad({ negative: '差\n' })).toThrow(/negative\.tsv:1: expected 2 fields, found 1/);
		expect(bad({ negation: '不\t1.5\n' })).toThrow(/negation\.tsv:1: strength must be at most 1/);
		expect(bad({ negation: '不\t1\tmaybe\n' })).toThrow(/kind must be "not" or "prohibit"/);
		expect(bad({ neutral: '好\n' })).toThrow(/neutral\.txt:1: "好" is also a sentiment word/);
		expect(bad({ markers: '??? \t1\tpattern\n' })).toThrow(/markers\.tsv:1: unknown pattern "\?\?\?"/);
	});
});

describe('sentimentOf', () => {
	it('negation flips a positive word and softens a negative one', () => {
		expect(score('满意').label).toBe('positive');
		expect(score('不满意').label).toBe('negative');
		expect(score('我对处理结果不满意').label).toBe('negative');
		expect(score('问题没有解决').label).toBe('negative');
		expect(score('问题没有得到解决').label).toBe('negative');
		expect(score('问题已经解决了').label).toBe('positive');
		expect(score('处理很及时').label).toBe('positive');
		expect(score('处理不及时').label).toBe('negative');
		// a negated negative word is weak relief: positive, but less strong than the word itself
		const danger = score('危险');
		const notDanger = score('不危险');
		expect(danger.score).toBeLessThan(0);
		expect(notDanger.score).toBeGreaterThan(0);
		expect(Math.abs(notDanger.score)).toBeLessThan(Math.abs(danger.score));
		// double negation
		expect(score('并非不满意').score).toBeGreaterThan(0);
		// a prohibition leaves the complaint a complaint
		expect(score('别再推诿了').label).toBe('negative');
		expect(score('不要再拖延了').label).toBe('negative');
		// a word with its own negation is negated only right after the negation word
		expect(score('没牌照不敢上路').label).toBe('negative');
	});

	it('negation reaches three words and stops at punctuation', () => {
		expect(score('没有人及时处理').label).toBe('negative'); // 没有 人 及时: within reach
		expect(score('不，满意').label).toBe('positive'); // the comma ends the scope
		expect(score('没 有 的 的 的 满意').label).toBe('positive'); // too far
		// and at a boundary word: the 不 is about 清 and 去, not about 臭 and 骂人
		expect(score('一天不清就臭').label).toBe('negative');
		expect(score('不去还骂人').label).toBe('negative');
	});

	it('degree words scale the next sentiment word', () => {
		const plain = score('满意').score;
		expect(score('非常满意').score).toBeGreaterThan(plain);
		expect(score('有点满意').score).toBeLessThan(plain);
		expect(score('有点满意').score).toBeGreaterThan(0);
		expect(score('极其不满意').score).toBeLessThan(score('不满意').score);
		expect(score('很不满意').score).toBeLessThan(score('不满意').score);
		// after a negation an intensifier softens: 不太满意 is milder than 不满意, but still negative
		const notVery = score('我不太满意');
		expect(notVery.label).toBe('negative');
		expect(notVery.score).toBeGreaterThan(score('我不满意').score);
		expect(score('我不是很满意').score).toBeGreaterThan(score('我不满意').score);
		// glued by the segmenter (太差) or apart (太 差): same reading
		expect(score('服务太差了').score).toBeLessThan(score('服务差').score);
	});

	it('complaint markers raise the intensity, not the score', () => {
		const plain = score('楼下饭店油烟扰民');
		const marked = score('楼下饭店油烟扰民，多次反映，至今还是这样，要找媒体曝光，上访到市长那里');
		expect(marked.score).toBeCloseTo(plain.score, 10);
		expect(marked.intensity).toBeGreaterThan(plain.intensity + 0.3);
		expect(marked.markers).toEqual(expect.arrayContaining(['多次反映', '至今', '媒体', '曝光', '上访', '市长']));
		expect(plain.markers).toEqual([]);
		expect(score('12345多次反映了').markers).toContain('12345多次');
		expect(score('强烈要求严肃处理').markers).toEqual(expect.arrayContaining(['强烈要求', '严肃处理']));
		const angry = score('多次反映一直没人管，太敷衍了！！');
		expect(angry.label).toBe('negative');
		expect(angry.intensity).toBeGreaterThan(0.7);
		expect(angry.markers).toEqual(['多次反映', '一直', '没人管', '!', '!!']);
		const extreme = score('投诉无门，忍无可忍！！！推诿扯皮一拖再拖，再不处理就找媒体曝光、去上访！');
		expect(extreme.score).toBeLessThan(-0.95);
		expect(extreme.intensity).toBeGreaterThan(0.95);
	});

	it('exclamation and question marks add intensity', () => {
		const a = score('噪音扰民');
		const b = score('噪音扰民！');
		const c = score('噪音扰民！！！');
		const d = score('噪音扰民!!!!!!!!');
		expect(b.score).toBe(a.score);
		expect(a.intensity).toBeLessThan(b.intensity);
		expect(b.intensity).toBeLessThan(c.intensity);
		expect(d.intensity).toBeCloseTo(c.intensity, 10); // counted up to three, and one run
		expect(b.markers).toEqual(['!']);
		expect(c.markers).toEqual(['!', '!!']);
		expect(score('到底有没有人管？？').markers).toEqual(expect.arrayContaining(['??']));
		expect(score('这也叫处理？！').markers).toContain('?!');
		expect(score('这也叫处理?!').markers).toContain('?!');
		expect(score('怎么还没好？').markers).toEqual([]);
	});

	it('counts of times and long durations are markers; years, grades and 二次供水 are not', () => {
		const m = (t: string) => score(t).markers;
		expect(m('已经打了五次电话')).toContain('N次');
		expect(m('跑了三趟')).toContain('N次');
		expect(m('反映了好几次')).toContain('N次');
		expect(m('这是第二次反映')).toContain('N次');
		expect(m('打了12次')).toContain('N次');
		expect(m('二次供水水箱清洗')).not.toContain('N次');
		expect(m('反映过一次')).not.toContain('N次');
		expect(m('已经三个多月了')).toContain('N个月');
		expect(m('拖了半年')).toContain('N个月');
		expect(m('两年多了')).toContain('N个月');
		expect(m('2026年7月5日')).not.toContain('N个月');
		expect(m('孩子上五年级')).not.toContain('N个月');
	});

	it('requests, wishes and questions do not report a good outcome', () => {
		expect(score('希望尽快解决').label).toBe('neutral');
		expect(score('能否及时处理？').label).toBe('neutral');
		expect(score('处理得满意吗').label).toBe('neutral');
		expect(score('要求及时处理，谢谢').label).toBe('neutral');
		expect(score('请先设置警示标志，再尽快修复。').label).toBe('neutral');
		// negative words still count in such clauses
		expect(score('如果出了事故谁负责？').label).toBe('negative');
		// and a thank-you in its own clause counts
		expect(score('问题解决了，非常感谢！').label).toBe('positive');
	});

	it('what follows a contrast word carries the sentence', () => {
		expect(score('工作人员态度很好，但是问题至今没有解决').label).toBe('negative');
		expect(score('问题至今没有解决，但是工作人员态度很好').label).toBe('positive');
	});

	it('leaves neutral factual text neutral', () => {
		for (const t of [
			'我想咨询一下社保卡怎么办理，需要带什么材料',
			'请问公积金贷款额度是多少？谢谢',
			'咨询积分入学的申请时间和所需材料。',
			'来电人询问苏州北站到园区的公交线路。'
		]) {
			const r = score(t);
			expect(r.label, t).toBe('neutral');
			expect(r.intensity, t).toBeLessThan(0.05);
		}
		expect(score('表扬平江街道工作人员热情周到，处理及时，特此感谢！').label).toBe('positive');
		// neutral entries keep their parts from being read
		expect(score('困难').label).toBe('negative');
		expect(score('申请困难补助').label).toBe('neutral');
		expect(score('满意度调查').label).toBe('neutral');
	});

	it('handles empty, punctuation-only, one-character, very long, mixed-language and traditional text', () => {
		const zero = { score: 0, intensity: 0, label: 'neutral', markers: [] };
		expect(sentimentOf([], '', lex)).toEqual(zero);
		expect(score('')).toEqual(zero);
		expect(score('   ')).toEqual(zero);
		expect(sentimentOf(['', ' ', '\u3000'], '', lex)).toEqual(zero);
		// punctuation only: only the punctuation patterns
		const p = score('。，！？！');
		expect(p.score).toBe(0);
		expect(p.label).toBe('neutral');
		expect(p.markers).toEqual(['!', '?!']);
		expect(p.intensity).toBeGreaterThan(0);
		// one character
		expect(score('吵').label).toBe('negative');
		expect(score('赞').label).toBe('positive');
		expect(score('的')).toEqual(zero);
		// very long: linear, saturated, finite
		const long = '楼下烧烤店油烟扰民，每天晚上吵到凌晨两点，多次反映没人管，太气人了！'.repeat(2500);
		const t0 = performance.now();
		const r = score(long);
		expect(performance.now() - t0).toBeLessThan(5000);
		expect(long.length).toBeGreaterThan(80_000);
		expect(r.score).toBeLessThan(-0.99);
		expect(r.score).toBeGreaterThanOrEqual(-1);
		expect(r.intensity).toBeGreaterThan(0.99);
		expect(r.intensity).toBeLessThanOrEqual(1);
		// mixed language: the Chinese is scored, the English is not interpreted
		const mixed = score('WiFi信号太差了，very bad，APP一直闪退!!');
		expect(mixed.label).toBe('negative');
		expect(mixed.markers).toEqual(expect.arrayContaining(['一直', '!', '!!']));
		expect(score('The service is terrible').label).toBe('neutral');
		expect(score('ＡＰＰ闪退').label).toBe('negative');
		// traditional characters are not converted: only words written alike in both scripts count
		expect(score('服務態度惡劣，投訴無門').label).toBe('neutral');
		expect(score('服務態度惡劣，投訴無門').markers).toEqual([]);
		expect(score('態度很差，我很害怕').label).toBe('negative');
	});

	it('is deterministic and pure', () => {
		const t = '物业推诿扯皮，反映了三次都没有解决，我们很气愤！';
		const words = seg.cut(t);
		const copy = [...words];
		expect(sentimentOf(words, t, lex)).toEqual(sentimentOf(words, t, lex));
		expect(words).toEqual(copy);
	});

	it('keeps score and intensity in range on a corpus of generated tickets', () => {
		const texts = ['投诉', '举报', '感谢', '咨询', '求助'].flatMap((a) => ['非常', '不', '没有', '太', '有点'].map((b) => `${a}${b}满意，${b}及时，多次反映！？`));
		for (const t of texts) {
			const r = score(t);
			expect(r.score).toBeGreaterThanOrEqual(-1);
			expect(r.score).toBeLessThanOrEqual(1);
			expect(r.intensity).toBeGreaterThanOrEqual(0);
			expect(r.intensity).toBeLessThanOrEqual(1);
			expect(r.label).toBe(labelOf(r.score));
		}
	});
});

describe('aggregateSentiment', () => {
	it('gives mean, negative share, mean intensity and n', () => {
		const agg = aggregateSentiment([
			{ score: -0.8, intensity: 0.9 },
			{ score: -0.2, intensity: 0.3 },
			{ score: 0, intensity: 0 },
			{ score: 0.6, intensity: 0.2 }
		]);
		expect(agg.n).toBe(4);
		expect(agg.mean).toBeCloseTo(-0.1, 12);
		expect(agg.negativeShare).toBe(0.5);
		expect(agg.meanIntensity).toBeCloseTo(0.35, 12);
	});

	it('skips non-finite items and gives zeros for none', () => {
		expect(aggregateSentiment([])).toEqual({ mean: 0, negativeShare: 0, meanIntensity: 0, n: 0 });
		expect(aggregateSentiment([{ score: NaN, intensity: 0.5 }, { score: -0.5, intensity: Infinity }])).toEqual({ mean: 0, negativeShare: 0, meanIntensity: 0, n: 0 });
		expect(aggregateSentiment([{ score: NaN, intensity: 0.5 }, { score: -0.5, intensity: 0.5 }]).n).toBe(1);
	});

	it('aggregates scored tickets per group', () => {
		const unitA = ['推诿扯皮，很气愤', '一直没人管', '态度恶劣'].map(score);
		const unitB = ['处理及时，非常满意', '感谢工作人员', '问题已经解决了'].map(score);
		const a = aggregateSentiment(unitA);
		const b = aggregateSentiment(unitB);
		expect(a.negativeShare).toBe(1);
		expect(b.negativeShare).toBe(0);
		expect(a.mean).toBeLessThan(0);
		expect(b.mean).toBeGreaterThan(0);
	});
});
