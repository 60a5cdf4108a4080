/**
 * Category and undertaking-unit suggestion for a new ticket, learned from ticket history: a statistical text
 * classifier (no neural model).
 *
 * Model
 *   Features: word unigrams (the segmenter's index tokens of `title \n content`) and character bigrams of the
 *   runs of Han characters, sublinear TF (1 + ln tf) × smoothed IDF, L2-normalised; a vocabulary of the terms in
 *   at least `minDf` training tickets (the most frequent `maxFeatures` of them). Text is normalised first:
 *   NFKC (full-width → half-width), Latin in lower case, common traditional characters → simplified, at most
 *   200 characters of title and 2,000 of content.
 *   Two multinomial logistic regressions (softmax, L2, SGD with a decaying step) on the same features: a
 *   level-1 head over the 17 level-1 classes, and a leaf head whose softmax runs over the level-3 categories
 *   of one level-1 class (≈ 12 classes per ticket instead of 212, so training is fast).
 *   P(leaf) = P(level-1) × P(leaf | level-1): leaf and level-1 answers never contradict each other.
 *   Half of the training tickets (`titleShare`) are also learnt from their title alone: operators often type
 *   only a short title, and on tickets written from unseen templates this helped full texts too.
 *   Place: the text model is place-free (so it transfers to text from elsewhere); a district shifts it by the
 *   smoothed ratio P(category | district) / P(category) learned from history (naive-Bayes style).
 *   When training on a stratified sample, `classCounts` (true class frequencies) correct the biases.
 *   Calibration: a temperature per head fitted on a held-out share of the examples by minimising the negative
 *   log-likelihood; `model.metrics.calibration` has NLL and expected calibration error (ECE, 15 bins, top-1)
 *   before and after. The held-out share is made of whole groups of near-duplicate tickets (MinHash over Han
 *   bigrams), so copies of training tickets do not calibrate the model, and the temperature has a floor
 *   (`minTemperature`, 0.25): on text the model separates perfectly (templated demo tickets) NLL keeps
 *   falling as T → 0, which would make it claim certainty on any new wording.
 *   Units: P(unit) = Σ_leaf P(leaf) · P(unit | leaf, district). History is counted per handler *role*
 *   (`district` = that district's government, `street` = a street office of that district, or a unit code),
 *   smoothed towards P(role | leaf) over all districts, which is smoothed towards the routing rules'
 *   distribution (`routeUnit` evaluated at evenly spaced draws). A role resolves to a unit through the ticket's
 *   place; with the street (or district) unknown it is spread over the streets (districts) by their share of
 *   history. A district or street missing from the input is looked for in the text's words (gazetteer names).
 *   Defaults were chosen on a template-disjoint split of the demo corpus (`npm run bench -- text --ablation`).
 *
 * API
 *   trainClassifier(examples, opts) → ClassifierModel          deterministic for a given opts.seed
 *   loadTrainingExamples(conn, {perClass?, seed?, segmenter?}) → {examples, classCounts, unitHistory}
 *   suggest(model, {title?, content?, text?, district_code?, street_code?}, segmenter) → Suggestion
 *   evaluate(model, examples, segmenter?, {restrictLevel1?}) → accuracy, top-3, macro-F1 (leaf, level-1),
 *                                                               ECE, NLL
 *   saveModel(path, model) / loadModel(path)                    JSON (format, version, trained_at, training
 *                                                               sizes and options, metrics; weights int16,
 *                                                               base64, leaf head stored by non-zero level-1
 *                                                               blocks), written atomically (temp + rename);
 *                                                               a loaded model predicts bit for bit the same
 *   runClassifyCli(input, output, model, segmenter)             JSON lines in ({title, content} or {text}),
 *                                                               one JSON line out per line; bad line → {error}
 *
 * Suggestion flags: `insufficient_text` (fewer than 4 letters/Han characters or fewer than 3 known features:
 * the answer is close to the prior), `truncated` (text longer than the caps), `place_from_text` (district or
 * street found in the text), `district_unknown`, `street_unknown` (unit probabilities spread over places).
 *
 * Imports nothing from src/ (pipelines/ rule).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LineOutput } from '../cli-output';
import { Rng } from '../demo/rng';
import { loadReference, routeUnit, type Reference } from '../reference/index';

// ---------------------------------------------------------------------------------------------------------
// Types

/** What the classifier needs from a segmenter (`createSegmenter()` satisfies it). */
export interface TokenSource {
	tokens(text: string): string[];
}

export interface TrainingExample {
	title?: string | null;
	content: string;
	/** the segmenter's index tokens of `title \n content`, if already known (tickets_fact.tokens) */
	tokens?: string[] | null;
	district_code?: string | null;
	street_code?: string | null;
	/** level-3 category code */
	category_code: string;
	unit_code?: string | null;
}

/** Ticket counts by category × place × unit (from the whole store, not just the training sample). */
export interface UnitHistoryRow {
	category_code: string;
	district_code: string | null;
	street_code: string | null;
	unit_code: string;
	n: number;
}

export interface TrainOptions {
	/** seed for the split, shuffling and dropout (default 1) */
	seed?: number;
	/** segments examples that carry no tokens (required when any example lacks them) */
	segmenter?: TokenSource;
	/** reference data (default: loadReference()) */
	reference?: Reference;
	/** SGD passes over the training examples (default 4) */
	epochs?: number;
	/** L2 strength λ of the mean-loss objective (default 3e-6; 1e-6…1e-5 were within a point of each other) */
	l2?: number;
	/** initial SGD step (default 0.5) */
	learningRate?: number;
	/** probability of dropping each feature of a training example in a pass (default 0) */
	dropout?: number;
	/** a term needs this many training tickets to be a feature (default 3) */
	minDf?: number;
	/** at most this many features, the most frequent (default 60,000) */
	maxFeatures?: number;
	/** share of examples held out to fit the temperatures (default 0.1; 0: no calibration) */
	calibrationShare?: number;
	/** hold out whole near-duplicate groups (default) or a plain random share (for comparison) */
	calibrationSplit?: 'groups' | 'random';
	/** use the district prior (default true) */
	place?: boolean;
	/** which terms are features (default 'words+bigrams'; the others are for comparison) */
	terms?: TermKinds;
	/**
	 * lowest temperature (default 0.25): on a held-out set that the model separates perfectly (templated or
	 * copied text) the NLL keeps falling as T → 0, i.e. towards claiming certainty; the floor caps the
	 * sharpening at 1/minTemperature
	 */
	minTemperature?: number;
	/** share of training tickets also learnt from their title alone (default 0.5; needs `segmenter`) */
	titleShare?: number;
	/** true number of tickets per leaf category when the examples are a stratified sample */
	classCounts?: Record<string, number>;
	/** unit history from the whole store (default: counted from the examples) */
	unitHistory?: UnitHistoryRow[];
}

export interface CalibrationFigures {
	examples: number;
	leaf: { temperature: number; nllBefore: number; nllAfter: number; eceBefore: number; eceAfter: number };
	level1: { temperature: number; nllBefore: number; nllAfter: number; eceBefore: number; eceAfter: number };
}

/** Linear softmax head: weights feature-major (`w[f * classes + c]`). */
interface Head {
	classes: number;
	w: Float32Array;
	bias: Float32Array;
	temperature: number;
	/** per feature row: the weights are int16 multiples of it (set once quantised) */
	scales?: Float32Array;
}

interface UnitModel {
	names: Record<string, string>;
	/** leaf → district → role → tickets */
	history: Record<string, Record<string, Record<string, number>>>;
	/** leaf → role → share, from the routing rules */
	routing: Record<string, Record<string, number>>;
	/** district → share of tickets */
	districtShare: Record<string, number>;
	/** district → street → share of that district's tickets */
	streetShare: Record<string, Record<string, number>>;
}

export interface ClassifierModel {
	format: typeof FORMAT;
	version: typeof VERSION;
	trained_at: string;
	training: {
		examples: number;
		trainExamples: number;
		calibrationExamples: number;
		features: number;
		seconds: number;
		seed: number;
		options: Required<Pick<TrainOptions, 'epochs' | 'l2' | 'learningRate' | 'dropout' | 'minDf' | 'maxFeatures' | 'calibrationShare' | 'calibrationSplit' | 'place' | 'terms' | 'minTemperature' | 'titleShare'>>;
	};
	metrics: { calibration: CalibrationFigures | null } & Record<string, unknown>;
	leaves: { code: string; name: string; level1: number }[];
	level1: { code: string; name: string }[];
	terms: string[];
	idf: Float32Array;
	termIndex: Map<string, number>;
	leafHead: Head;
	l1Head: Head;
	/** log P(leaf | district) / P(leaf), smoothed, per district (empty without place) */
	placeLeaf: Record<string, Float32Array>;
	placeL1: Record<string, Float32Array>;
	/** gazetteer: name or alias → [district, street or ''] */
	places: Record<string, [string, string]>;
	units: UnitModel;
}

export interface SuggestInput {
	title?: string | null;
	content?: string | null;
	/** title and content in one (used when both title and content are absent) */
	text?: string | null;
	district_code?: string | null;
	street_code?: string | null;
}

export interface Suggestion {
	categories: { code: string; name: string; level1: string; p: number }[];
	level1: { code: string; name: string; p: number }[];
	units: { code: string; name: string; p: number }[];
	district_code: string | null;
	street_code: string | null;
	flags: string[];
}

export interface EvalFigures {
	n: number;
	leaf: { accuracy: number; macroF1: number; top3: number; ece: number; nll: number } | null;
	level1: { accuracy: number; macroF1: number; top3: number; ece: number; nll: number };
}

const FORMAT = 'minqing-classifier';
const VERSION = 1;
const MAX_TITLE = 200;
const MAX_CONTENT = 2000;
const ECE_BINS = 15;

// ---------------------------------------------------------------------------------------------------------
// Text normalisation and features

/**
 * Common traditional characters → simplified (pairs "TS"), for text from Hong Kong/Taiwan-style input methods.
 * Only characters that are never simplified-script words of their own are listed (so 著, 藉, 乾, 瞭 are not).
 */
const T2S_PAIRS =
	'國国 們们 這这 個个 來来 時时 為为 說说 對对 會会 學学 車车 電电 動动 樓楼 裡里 裏里 區区 縣县 鄉乡 鎮镇 號号 門门 開开 關关 ' +
	'問问 題题 請请 謝谢 處处 辦办 證证 經经 濟济 發发 現现 務务 業业 費费 錢钱 價价 買买 賣卖 貨货 質质 險险 難难 醫医 療疗 藥药 ' +
	'衛卫 環环 汙污 聲声 氣气 燈灯 線线 網网 絡络 話话 訊讯 機机 場场 園园 廣广 標标 準准 齊齐 觀观 覽览 遊游 戲戏 體体 館馆 藝艺 ' +
	'術术 歷历 隊队 員员 長长 張张 馬马 鳥鸟 魚鱼 雞鸡 豬猪 農农 種种 產产 糧粮 補补 貼贴 職职 勞劳 僱雇 資资 稅税 養养 兒儿 親亲 ' +
	'婦妇 孫孙 隨随 導导 團团 圍围 圖图 書书 報报 紙纸 雜杂 誌志 讀读 寫写 試试 課课 師师 習习 該该 應应 當当 從从 給给 還还 讓让 ' +
	'沒没 麼么 嗎吗 聽听 見见 覺觉 邊边 遠远 過过 進进 運运 連连 達达 遲迟 週周 幾几 萬万 億亿 兩两 極极 條条 樣样 點点 熱热 歡欢 ' +
	'壞坏 亂乱 髒脏 綠绿 紅红 黃黄 藍蓝 顏颜 韓韩 龍龙 風风 雲云 颱台 災灾 漲涨 澇涝 積积 溝沟 橋桥 築筑 設设 計计 劃划 畫画 規规 ' +
	'則则 許许 審审 與与 鐵铁 礦矿 銀银 鋼钢 錯错 鐘钟 鍾钟 針针 鎖锁 鏈链 閉闭 間间 闆板 闖闯 陽阳 陰阴 陳陈 陸陆 際际 隱隐 雙双 ' +
	'雖虽 離离 須须 頭头 頂顶 項项 順顺 領领 頻频 顧顾 飯饭 飲饮 飽饱 饅馒 騙骗 驗验 驚惊 髮发 鬧闹 麥麦 黨党 齡龄 協协 單单 廠厂 ' +
	'廳厅 廢废 廚厨 彈弹 後后 徵征 總总 戶户 據据 擾扰 擁拥 擊击 擔担 搶抢 掃扫 換换 揚扬 損损 攤摊 數数 斷断 無无 舊旧 暫暂 曬晒 ' +
	'東东 構构 槍枪 樂乐 權权 歲岁 殘残 毀毁 決决 沖冲 況况 測测 滅灭 減减 湯汤 溫温 滿满 潔洁 澆浇 濕湿 灑洒 灣湾 燒烧 爛烂 爭争 ' +
	'爺爷 牆墙 獎奖 獨独 獲获 畢毕 異异 瘋疯 癒愈 盡尽 監监 盤盘 礙碍 確确 禮礼 禍祸 稱称 穩稳 窮穷 竊窃 競竞 筆笔 節节 範范 簡简 ' +
	'約约 紀纪 紛纷 純纯 級级 組组 細细 終终 結结 絕绝 統统 絲丝 維维 綜综 緊紧 練练 編编 緣缘 縮缩 績绩 繳缴 續续 罰罚 羅罗 聯联 ' +
	'聰聪 肅肃 脅胁 腦脑 膠胶 舉举 艱艰 莊庄 華华 葉叶 蘇苏 蘭兰 蟲虫 裝装 製制 複复 訂订 認认 討讨 訓训 記记 訪访 診诊 詐诈 評评 ' +
	'詢询 詳详 誤误 誠诚 語语 誰谁 調调 談谈 論论 諮咨 諾诺 謀谋 講讲 識识 議议 護护 變变 負负 財财 責责 貧贫 販贩 貴贵 貸贷 賠赔 ' +
	'賬账 賭赌 賺赚 購购 趕赶 趙赵 跡迹 踐践 軍军 軌轨 較较 載载 輔辅 輕轻 輛辆 輪轮 輸输 轉转 郵邮 鄰邻 釋释 錄录 閱阅 陣阵 靜静 ' +
	'響响 頁页 預预 頓顿 額额 顯显 飛飞 餘余 騎骑 鬥斗 齒齿 龜龟 優优 儲储 傳传 傷伤 僅仅 備备 偽伪 側侧 倉仓 係系 內内 冊册 凍冻 ' +
	'劑剂 劉刘 勝胜 勢势 卻却 厭厌 參参 啟启 喪丧 嚴严 執执 堅坚 塊块 塵尘 塗涂 壓压 壩坝 壯壮 夢梦 夠够 奪夺 奮奋 媽妈 嬰婴 寧宁 ' +
	'寶宝 實实 將将 專专 尋寻 層层 屬属 島岛 峽峡 嶺岭 幣币 帶带 幫帮 庫库 彎弯 彙汇 徹彻 態态 慮虑 憂忧 懷怀 戀恋 戰战 拋抛 捨舍 ' +
	'掛挂 採采 揮挥 搖摇 擬拟 擇择 擋挡 擠挤 擴扩 擺摆 敗败 敵敌 於于 曆历 曉晓 殺杀 漁渔 滯滞 漢汉 潛潜 烏乌 煙烟 煩烦 營营 燙烫 ' +
	'爐炉 牽牵 狀状 猶犹 獸兽 瑣琐 畝亩 癢痒 盜盗 礎础 穀谷 籃篮 籠笼 糾纠 納纳 紐纽 紡纺 絨绒 綁绑 緒绪 繩绳 繪绘 罷罢 義义 聖圣 ' +
	'聞闻 腫肿 脫脱 臨临 臺台 興兴 蓋盖 薦荐 蘋苹 虧亏 蝦虾 衝冲 襪袜 觸触 訴诉 詞词 詩诗 誇夸 諒谅 謹谨 貓猫 貿贸 賀贺 賊贼 賓宾 ' +
	'賞赏 贈赠 趨趋 躍跃 輩辈 轄辖 辭辞 遞递 遷迁 選选 遺遗 邁迈 鄭郑 醜丑 鈔钞 鉛铅 銷销 鋪铺 鍋锅 鏡镜 鑰钥 閃闪 閒闲 闊阔 霧雾 ' +
	'頸颈 顆颗 類类 飄飘 餅饼 駕驾 駛驶 騰腾 驅驱 鮮鲜 鴨鸭 鹽盐 麗丽 黴霉 嚇吓 嘗尝 噸吨 囑嘱 鬱郁 繫系 叢丛 眾众 傑杰 偵侦 傘伞 ' +
	'儀仪 兇凶 刪删 剛刚 創创 劇剧 勁劲 勵励 勸劝 匯汇 厲厉 吳吴 圓圆 墳坟 壇坛 壽寿 奧奥 娛娱 屆届 屍尸 帥帅 帳帐 幹干 廁厕 徑径 ' +
	'惡恶 惱恼 愛爱 慣惯 慘惨 憑凭 憤愤 懶懒 懸悬 掙挣 撥拨 撫抚 撲扑 撐撑 攜携 攝摄 暢畅 棄弃 棟栋 楊杨 榮荣 樁桩 橫横 檔档 檢检 ' +
	'櫃柜 歐欧 殼壳 毆殴 淚泪 淺浅 滬沪 滾滚 潤润 濃浓 濟济 濱滨 灘滩 燉炖 燦灿 狹狭 獄狱 獻献 瘡疮 癱瘫 碼码 磚砖 禪禅 窪洼 竄窜 ' +
	'簽签 籤签 粵粤 糞粪 紋纹 紹绍 綱纲 緩缓 縫缝 縱纵 繞绕 纏缠 聳耸 脈脉 腳脚 膚肤 膽胆 臉脸 艦舰 莖茎 萊莱 蒼苍 蓮莲 蔥葱 薑姜 ' +
	'蘆芦 虛虚 蝕蚀 蠅蝇 蠟蜡 誼谊 謎谜 謠谣 譯译 豐丰 貪贪 賃赁 賄贿 賴赖 贊赞 軟软 軸轴 輝辉 轎轿 辯辩 迴回 遙遥 適适 釀酿 釘钉 ' +
	'鈴铃 銅铜 鋒锋 錦锦 錶表 鍛锻 鏟铲 鑄铸 鑽钻 閘闸 陝陕 靈灵 韻韵 頒颁 頑顽 顛颠 颳刮 飼饲 餵喂 饒饶 駐驻 驟骤 鬆松 鯉鲤 鵝鹅 ' +
	'麵面 龐庞 絡络 鹹咸 蝨虱 頻频 櫥橱 牠它 瀝沥 濾滤 滲渗 漬渍 輻辐 淨净 鄧邓 瑤瑶 鑑鉴 驢驴 寵宠';
const T2S: Map<string, string> = (() => {
	const m = new Map<string, string>();
	for (const pair of T2S_PAIRS.split(' ')) {
		const [t, s] = [...pair];
		if (t && s && t !== s) m.set(t, s);
	}
	return m;
})();
const T2S_RE = new RegExp(`[${[...T2S.keys()].join('')}]`, 'gu');

/** CJK unified ideographs (with extension A, the compatibility block and the supplementary planes). */
function isHan(cp: number): boolean {
	return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3134f);
}
const LETTER = /\p{L}/u;

/** NFKC, Latin lower case, traditional → simplified. */
export function normalizeText(s: string): string {
	return s
		.normalize('NFKC')
		.toLowerCase()
		.replace(T2S_RE, (ch) => T2S.get(ch) ?? ch);
}

interface PreparedText {
	/** normalised `title \n content`, capped */
	text: string;
	truncated: boolean;
	/** letters and Han characters in the capped text */
	meaningful: number;
}

function prepare(title: string | null | undefined, content: string | null | undefined): PreparedText {
	const t = title ?? '';
	const c = content ?? '';
	const truncated = t.length > MAX_TITLE || c.length > MAX_CONTENT;
	const text = normalizeText(`${t.slice(0, MAX_TITLE)}\n${c.slice(0, MAX_CONTENT)}`);
	let meaningful = 0;
	for (const ch of text) if (isHan(ch.codePointAt(0)!) || LETTER.test(ch)) meaningful++;
	return { text, truncated, meaningful };
}

export type TermKinds = 'words+bigrams' | 'words' | 'bigrams';

/** Term counts of a text: `w:` + word, `b:` + Han bigram. */
function termCounts(text: string, tokens: readonly string[], kinds: TermKinds): Map<string, number> {
	const counts = new Map<string, number>();
	const add = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
	if (kinds !== 'bigrams') for (const t of tokens) if (t) add(`w:${t}`);
	if (kinds === 'words') return counts;
	let prev = -1; // index of the previous Han character (BMP; astral ones end a run)
	for (let i = 0; i < text.length; i++) {
		if (isHan(text.charCodeAt(i))) {
			if (prev >= 0) add(`b:${text.slice(prev, i + 1)}`);
			prev = i;
		} else prev = -1;
	}
	return counts;
}

interface SparseVec {
	idx: Int32Array;
	val: Float32Array;
}

/** Sublinear TF × IDF, L2-normalised, over the known terms. */
function vectorize(counts: Map<string, number>, termIndex: Map<string, number>, idf: Float32Array): SparseVec {
	const tfOf = new Map<number, number>();
	for (const [term, tf] of counts) {
		const f = termIndex.get(term);
		if (f !== undefined) tfOf.set(f, tf);
	}
	const idx = Int32Array.from(tfOf.keys()).sort();
	const val = new Float32Array(idx.length);
	let norm = 0;
	for (let k = 0; k < idx.length; k++) {
		const v = (1 + Math.log(tfOf.get(idx[k])!)) * idf[idx[k]];
		val[k] = v;
		norm += v * v;
	}
	if (norm > 0) {
		const scale = 1 / Math.sqrt(norm);
		for (let k = 0; k < val.length; k++) val[k] *= scale;
	}
	return { idx, val };
}

// ---------------------------------------------------------------------------------------------------------
// Softmax heads

function logits(head: Head, x: SparseVec, out: Float64Array): void {
	const C = head.classes;
	for (let c = 0; c < C; c++) out[c] = head.bias[c];
	const w = head.w;
	for (let k = 0; k < x.idx.length; k++) {
		const row = x.idx[k] * C;
		const v = x.val[k];
		for (let c = 0; c < C; c++) out[c] += v * w[row + c];
	}
}

/** In place: z / temperature + shift → probabilities. */
function softmaxInPlace(z: Float64Array, temperature = 1, shift?: Float32Array): void {
	let max = -Infinity;
	for (let c = 0; c < z.length; c++) {
		z[c] = z[c] / temperature + (shift ? shift[c] : 0);
		if (z[c] > max) max = z[c];
	}
	let sum = 0;
	for (let c = 0; c < z.length; c++) {
		z[c] = Math.exp(z[c] - max);
		sum += z[c];
	}
	for (let c = 0; c < z.length; c++) z[c] /= sum;
}

/** Classes in contiguous groups: class c's softmax runs over [lo[c], hi[c]). */
interface Groups {
	lo: Int32Array;
	hi: Int32Array;
}

interface SgdOptions {
	epochs: number;
	l2: number;
	learningRate: number;
	dropout: number;
	rng: Rng;
}

/**
 * Multinomial logistic regression by SGD on mean NLL + λ/2‖W‖² (bias unregularised). With groups, an example's
 * softmax runs over its class's group only, and the objective is the sum of the per-group problems, each with
 * the same λ relative to its own examples. The L2 shrinkage is exact and cheap: each class's weights are
 * stored divided by a running scale factor, so shrinking them is one multiplication; only the classes whose
 * gradient is not negligible are updated. Step η_t = η0 / (1 + η0 λ t).
 */
function trainHead(X: SparseVec[], y: Int32Array, classes: number, features: number, o: SgdOptions, groups?: Groups): Head {
	const C = classes;
	const w = new Float32Array(features * C);
	const bias = new Float32Array(C);
	// start the biases at the log class frequencies
	const freq = new Float64Array(C).fill(1);
	for (let i = 0; i < y.length; i++) freq[y[i]]++;
	for (let c = 0; c < C; c++) bias[c] = Math.log(freq[c] / (y.length + C));
	const scale = new Float64Array(C).fill(1);
	let t = 0;
	const z = new Float64Array(C);
	const active = new Int32Array(C);
	const grad = new Float64Array(C);
	const order = Int32Array.from({ length: X.length }, (_, i) => i);
	const keptIdx = new Int32Array(4096);
	const keptVal = new Float32Array(4096);
	const keep = 1 - o.dropout;
	for (let epoch = 0; epoch < o.epochs; epoch++) {
		// Fisher–Yates with the seeded stream
		for (let i = order.length - 1; i > 0; i--) {
			const j = Math.floor(o.rng.next() * (i + 1));
			const tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
		for (let oi = 0; oi < order.length; oi++) {
			const i = order[oi];
			const x = X[i];
			// inverted dropout on the features of this example
			let n = 0;
			for (let k = 0; k < x.idx.length && n < keptIdx.length; k++) {
				if (o.dropout > 0 && o.rng.next() < o.dropout) continue;
				keptIdx[n] = x.idx[k];
				keptVal[n] = x.val[k] / keep;
				n++;
			}
			// the softmax runs over the true class's group (all classes for a flat head)
			const lo = groups ? groups.lo[y[i]] : 0;
			const hi = groups ? groups.hi[y[i]] : C;
			for (let c = lo; c < hi; c++) z[c] = 0;
			for (let k = 0; k < n; k++) {
				const row = keptIdx[k] * C;
				const v = keptVal[k];
				for (let c = lo; c < hi; c++) z[c] += v * w[row + c];
			}
			for (let c = lo; c < hi; c++) z[c] = z[c] * scale[c] + bias[c];
			softmaxInPlace(z.subarray(lo, hi));
			const eta = o.learningRate / (1 + o.learningRate * o.l2 * t);
			t++;
			let na = 0;
			for (let c = lo; c < hi; c++) {
				const g = z[c] - (c === y[i] ? 1 : 0);
				// the L2 step shrinks this class's weights: fold it into the scale, rescale when it gets small
				scale[c] *= 1 - eta * o.l2;
				if (scale[c] < 1e-3) {
					for (let f = c; f < w.length; f += C) w[f] *= scale[c];
					scale[c] = 1;
				}
				if (g > 1e-4 || g < -1e-4) {
					active[na] = c;
					grad[na] = (eta * g) / scale[c];
					na++;
					bias[c] -= eta * g;
				}
			}
			for (let k = 0; k < n; k++) {
				const row = keptIdx[k] * C;
				const v = keptVal[k];
				for (let a = 0; a < na; a++) w[row + active[a]] -= v * grad[a];
			}
		}
	}
	for (let f = 0; f < features; f++) for (let c = 0; c < C; c++) w[f * C + c] *= scale[c];
	return { classes: C, w, bias, temperature: 1 };
}

/**
 * Quantises each feature row to int16 multiples of a float32 scale, in place (what saveModel stores): after
 * this, every weight is exactly fround(q × scale), so saving and loading reproduce the model bit for bit.
 */
function quantizeRows(head: Head, features: number): { q: Int16Array; scales: Float32Array } {
	const C = head.classes;
	const q = new Int16Array(features * C);
	const scales = head.scales ?? new Float32Array(features);
	const known = head.scales !== undefined;
	for (let f = 0; f < features; f++) {
		if (!known) {
			let max = 0;
			for (let c = 0; c < C; c++) max = Math.max(max, Math.abs(head.w[f * C + c]));
			scales[f] = max / 32767;
		}
		const s = scales[f];
		for (let c = 0; c < C; c++) {
			const v = s > 0 ? Math.max(-32767, Math.min(32767, Math.round(head.w[f * C + c] / s))) : 0;
			q[f * C + c] = v;
			head.w[f * C + c] = v * s;
		}
	}
	head.scales = scales;
	return { q, scales };
}

// ---------------------------------------------------------------------------------------------------------
// Calibration

/** Expected calibration error of top-1 confidences (equal-width bins). */
export function expectedCalibrationError(conf: ArrayLike<number>, correct: ArrayLike<boolean>, bins = ECE_BINS): number {
	const n = conf.length;
	if (n === 0) return 0;
	const sumC = new Float64Array(bins);
	const sumA = new Float64Array(bins);
	const cnt = new Float64Array(bins);
	for (let i = 0; i < n; i++) {
		const b = Math.min(bins - 1, Math.floor(conf[i] * bins));
		sumC[b] += conf[i];
		sumA[b] += correct[i] ? 1 : 0;
		cnt[b]++;
	}
	let ece = 0;
	for (let b = 0; b < bins; b++) if (cnt[b] > 0) ece += Math.abs(sumA[b] - sumC[b]) / n;
	return ece;
}

/** Minimise f over log-temperature in [ln min, ln 100] (golden-section search; NLL is unimodal in T). */
function fitTemperature(f: (T: number) => number, min: number): number {
	let a = Math.log(Math.max(1e-3, min));
	let b = Math.log(100);
	const g = (Math.sqrt(5) - 1) / 2;
	let c = b - g * (b - a);
	let d = a + g * (b - a);
	let fc = f(Math.exp(c));
	let fd = f(Math.exp(d));
	for (let i = 0; i < 30; i++) {
		if (fc < fd) {
			b = d;
			d = c;
			fd = fc;
			c = b - g * (b - a);
			fc = f(Math.exp(c));
		} else {
			a = c;
			c = d;
			fc = fd;
			d = a + g * (b - a);
			fd = f(Math.exp(d));
		}
	}
	return Math.exp((a + b) / 2);
}

// ---------------------------------------------------------------------------------------------------------
// Prediction core

interface Scored {
	leaf: Float64Array;
	l1: Float64Array;
}

/**
 * Leaf and level-1 distributions for a vector and an optional district: P(level-1) from the level-1 head, and
 * P(leaf) = P(level-1) × P(leaf | level-1), the latter a softmax over the leaves of that level-1 class.
 */
function score(model: ClassifierModel, x: SparseVec, district: string | null, tLeaf?: number, tL1?: number): Scored {
	const l1 = new Float64Array(model.level1.length);
	logits(model.l1Head, x, l1);
	const leaf = new Float64Array(model.leaves.length);
	logits(model.leafHead, x, leaf);
	distributions(model, leaf, l1, district, tLeaf, tL1);
	return { leaf, l1 };
}

/** Raw logits → probabilities, in place (see score). */
function distributions(model: ClassifierModel, leaf: Float64Array, l1: Float64Array, district: string | null, tLeaf?: number, tL1?: number): void {
	const nL = model.leaves.length;
	softmaxInPlace(l1, tL1 ?? model.l1Head.temperature, district ? model.placeL1[district] : undefined);
	const T = tLeaf ?? model.leafHead.temperature;
	const shift = district ? model.placeLeaf[district] : undefined;
	for (let lo = 0; lo < nL; ) {
		const g = model.leaves[lo].level1;
		let hi = lo;
		while (hi < nL && model.leaves[hi].level1 === g) hi++;
		const z = leaf.subarray(lo, hi);
		softmaxInPlace(z, T, shift?.subarray(lo, hi));
		for (let c = 0; c < z.length; c++) z[c] *= l1[g];
		lo = hi;
	}
}

function topK(p: Float64Array, k: number): number[] {
	return Array.from(p.keys())
		.sort((a, b) => p[b] - p[a] || a - b)
		.slice(0, k);
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

// ---------------------------------------------------------------------------------------------------------
// Units

/** The role a unit plays for a ticket at a district: `district`, `street`, or the unit code itself. */
function unitRole(ref: Reference, unitCode: string, district: string | null): string {
	const u = ref.unitByCode.get(unitCode);
	if (!u || !district) return unitCode;
	if (u.kind === 'district' && u.districtCode === district) return 'district';
	if (u.kind === 'street' && u.districtCode === district) return 'street';
	return unitCode;
}

/** The routing rules' distribution over roles for a leaf, by evaluating routeUnit at evenly spaced draws. */
function routingRoles(ref: Reference, leaf: string): Record<string, number> {
	const district = ref.districts[0].code;
	const street = ref.streets.find((s) => s.districtCode === district)?.code ?? null;
	const N = 200;
	const out: Record<string, number> = {};
	for (let i = 0; i < N; i++) {
		const q = (i + 0.5) / N;
		let role: string;
		try {
			role = unitRole(ref, routeUnit(ref, leaf, district, street, () => q).code, district);
		} catch {
			continue;
		}
		out[role] = (out[role] ?? 0) + 1 / N;
	}
	return out;
}

const M_LEAF = 5; // pseudo-tickets pulling P(role | leaf) towards the routing rules
const M_PLACE = 10; // pseudo-tickets pulling P(role | leaf, district) towards P(role | leaf)

/** Role distributions per model, by `leaf|district` (they depend on the model only). */
const roleCache = new WeakMap<UnitModel, Map<string, Map<string, number>>>();

function roleDistribution(units: UnitModel, leaf: string, district: string | null): Map<string, number> {
	let cache = roleCache.get(units);
	if (!cache) roleCache.set(units, (cache = new Map()));
	const key = `${leaf}|${district ?? ''}`;
	let hit = cache.get(key);
	if (!hit) cache.set(key, (hit = computeRoleDistribution(units, leaf, district)));
	return hit;
}

function computeRoleDistribution(units: UnitModel, leaf: string, district: string | null): Map<string, number> {
	const byDistrict = units.history[leaf] ?? {};
	const pooled = new Map<string, number>();
	let nLeaf = 0;
	for (const roles of Object.values(byDistrict))
		for (const [r, n] of Object.entries(roles)) {
			pooled.set(r, (pooled.get(r) ?? 0) + n);
			nLeaf += n;
		}
	const prior = units.routing[leaf] ?? {};
	const pLeaf = new Map<string, number>();
	for (const r of new Set([...pooled.keys(), ...Object.keys(prior)]))
		pLeaf.set(r, ((pooled.get(r) ?? 0) + M_LEAF * (prior[r] ?? 0)) / (nLeaf + M_LEAF));
	if (!district) return pLeaf;
	const local = byDistrict[district] ?? {};
	const nLocal = Object.values(local).reduce((a, b) => a + b, 0);
	const out = new Map<string, number>();
	for (const r of new Set([...pLeaf.keys(), ...Object.keys(local)]))
		out.set(r, ((local[r] ?? 0) + M_PLACE * (pLeaf.get(r) ?? 0)) / (nLocal + M_PLACE));
	return out;
}

/** Adds p × (the units a role stands for at this place) to `acc`. */
function resolveRole(units: UnitModel, role: string, p: number, district: string | null, street: string | null, acc: Map<string, number>): void {
	const add = (code: string, q: number) => acc.set(code, (acc.get(code) ?? 0) + q);
	if (role === 'district') {
		if (district) add(`D${district}`, p);
		else for (const [d, s] of Object.entries(units.districtShare)) add(`D${d}`, p * s);
	} else if (role === 'street') {
		if (street) add(`S${street}`, p);
		else if (district) for (const [s, q] of Object.entries(units.streetShare[district] ?? {})) add(`S${s}`, p * q);
		else
			for (const [d, ds] of Object.entries(units.districtShare))
				for (const [s, q] of Object.entries(units.streetShare[d] ?? {})) add(`S${s}`, p * ds * q);
	} else add(role, p);
}

function suggestUnits(model: ClassifierModel, leafP: Float64Array, district: string | null, street: string | null): Map<string, number> {
	const acc = new Map<string, number>();
	// the leaves that carry 99.5 % of the mass (at most 40) are enough
	let mass = 0;
	for (const c of topK(leafP, 40)) {
		if (mass > 0.995) break;
		mass += leafP[c];
		for (const [role, q] of roleDistribution(model.units, model.leaves[c].code, district)) resolveRole(model.units, role, leafP[c] * q, district, street, acc);
	}
	const total = [...acc.values()].reduce((a, b) => a + b, 0);
	if (total > 0) for (const [k, v] of acc) acc.set(k, v / total);
	return acc;
}

/**
 * Fits the level-1 temperature, then the leaf temperature (given the level-1 one), by minimising NLL on the
 * held-out examples; sets them on the model and returns NLL and ECE before and after. The raw logits are
 * computed once; a temperature tried redoes only softmaxes (for the leaf NLL only the true leaf's group).
 */
function calibrate(model: ClassifierModel, held: { x: SparseVec; district: string | null; leaf: number }[], minTemperature: number): CalibrationFigures {
	const leaves = model.leaves;
	const cal = held.map((e) => {
		const zLeaf = new Float64Array(leaves.length);
		const zL1 = new Float64Array(model.level1.length);
		logits(model.leafHead, e.x, zLeaf);
		logits(model.l1Head, e.x, zL1);
		const g = leaves[e.leaf].level1;
		let lo = e.leaf;
		while (lo > 0 && leaves[lo - 1].level1 === g) lo--;
		let hi = e.leaf + 1;
		while (hi < leaves.length && leaves[hi].level1 === g) hi++;
		return { zLeaf, zL1, district: e.district, leaf: e.leaf, l1: g, lo, hi };
	});
	const buf = new Float64Array(Math.max(leaves.length, model.level1.length));
	const l1Nll = (T: number) => {
		let s = 0;
		for (const e of cal) {
			const z = buf.subarray(0, e.zL1.length);
			z.set(e.zL1);
			softmaxInPlace(z, T, e.district ? model.placeL1[e.district] : undefined);
			s -= Math.log(Math.max(1e-12, z[e.l1]));
		}
		return s / cal.length;
	};
	/** the leaf's NLL within its level-1 group (leaf NLL = level-1 NLL + this) */
	const withinNll = (T: number) => {
		let s = 0;
		for (const e of cal) {
			const z = buf.subarray(0, e.hi - e.lo);
			z.set(e.zLeaf.subarray(e.lo, e.hi));
			softmaxInPlace(z, T, e.district ? model.placeLeaf[e.district]?.subarray(e.lo, e.hi) : undefined);
			s -= Math.log(Math.max(1e-12, z[e.leaf - e.lo]));
		}
		return s / cal.length;
	};
	const ece = (tLeaf: number, tL1: number) => {
		const conf = { leaf: [] as number[], l1: [] as number[] };
		const ok = { leaf: [] as boolean[], l1: [] as boolean[] };
		const pLeaf = new Float64Array(leaves.length);
		const pL1 = new Float64Array(model.level1.length);
		for (const e of cal) {
			pLeaf.set(e.zLeaf);
			pL1.set(e.zL1);
			distributions(model, pLeaf, pL1, e.district, tLeaf, tL1);
			const bl = topK(pLeaf, 1)[0];
			const b1 = topK(pL1, 1)[0];
			conf.leaf.push(pLeaf[bl]);
			ok.leaf.push(bl === e.leaf);
			conf.l1.push(pL1[b1]);
			ok.l1.push(b1 === e.l1);
		}
		return { leaf: expectedCalibrationError(conf.leaf, ok.leaf), l1: expectedCalibrationError(conf.l1, ok.l1) };
	};
	const before = { l1: l1Nll(1), within: withinNll(1), ece: ece(1, 1) };
	const tL1 = fitTemperature(l1Nll, minTemperature);
	const tLeaf = fitTemperature(withinNll, minTemperature);
	model.l1Head.temperature = tL1;
	model.leafHead.temperature = tLeaf;
	const after = { l1: l1Nll(tL1), within: withinNll(tLeaf), ece: ece(tLeaf, tL1) };
	return {
		examples: cal.length,
		level1: { temperature: tL1, nllBefore: before.l1, nllAfter: after.l1, eceBefore: before.ece.l1, eceAfter: after.ece.l1 },
		leaf: { temperature: tLeaf, nllBefore: before.l1 + before.within, nllAfter: after.l1 + after.within, eceBefore: before.ece.leaf, eceAfter: after.ece.leaf }
	};
}


// ---------------------------------------------------------------------------------------------------------
// Near-duplicate groups (for the calibration split)

/** 32-bit avalanche (murmur3 finaliser). */
function mix32(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

const LSH_BANDS = 5;
const LSH_ROWS = 6;

/**
 * Groups of texts that are near-copies of each other (for splitting data without leaking copies): MinHash
 * signatures of the Han-bigram sets (by double hashing), banded LSH with 5 bands × 6 rows (a pair with
 * Jaccard 0.8 shares a band with probability 0.9, 0.6 → 0.21, 0.3 → 0.004), joined by union–find. The bands
 * are strict on purpose: with looser ones, chains of weak matches glue unrelated texts into a giant group.
 * Texts without Han bigrams are groups of their own.
 */
export function nearDuplicateGroups(texts: readonly string[], seed = 1): number[][] {
	const K = LSH_BANDS * LSH_ROWS;
	const salt = mix32(seed >>> 0);
	const parent = Int32Array.from(texts, (_, i) => i);
	const find = (i: number): number => {
		while (parent[i] !== i) i = parent[i] = parent[parent[i]];
		return i;
	};
	// one map per band; key: 53 bits of two mixes of the band's values
	const buckets = Array.from({ length: LSH_BANDS }, () => new Map<number, number>());
	const sig = new Uint32Array(K);
	const shingles = new Set<number>();
	texts.forEach((text, i) => {
		shingles.clear();
		let prev = 0;
		for (let p = 0; p < text.length; p++) {
			const cp = text.charCodeAt(p); // astral Han characters (rare) do not form shingles here
			const code = isHan(cp) ? cp : 0;
			if (code && prev) shingles.add(mix32((Math.imul(prev, 0x01000193) ^ code ^ salt) >>> 0));
			prev = code;
		}
		if (shingles.size === 0) return;
		sig.fill(0xffffffff);
		for (const h1 of shingles) {
			// k-th hash = h1 + k·h2 (double hashing: one mix per shingle instead of one per value)
			const h2 = mix32(h1 ^ 0x5bd1e995) | 1;
			let v = h1;
			for (let k = 0; k < K; k++) {
				if (v >>> 0 < sig[k]) sig[k] = v >>> 0;
				v = (v + h2) | 0;
			}
		}
		for (let b = 0; b < LSH_BANDS; b++) {
			let ha = 0x2545f491;
			let hb = 0x9e3779b9;
			for (let r = b * LSH_ROWS; r < (b + 1) * LSH_ROWS; r++) {
				ha = mix32((ha ^ sig[r]) >>> 0);
				hb = mix32((Math.imul(hb, 31) + sig[r]) >>> 0);
			}
			const key = ha * 2097152 + (hb >>> 11);
			const j = buckets[b].get(key);
			if (j === undefined) buckets[b].set(key, i);
			else parent[find(i)] = find(j);
		}
	});
	const groups = new Map<number, number[]>();
	for (let i = 0; i < texts.length; i++) {
		const r = find(i);
		let g = groups.get(r);
		if (!g) groups.set(r, (g = []));
		g.push(i);
	}
	return [...groups.values()];
}

// ---------------------------------------------------------------------------------------------------------
// Training

const DEFAULTS = {
	epochs: 4,
	l2: 3e-6,
	learningRate: 0.5,
	dropout: 0,
	minDf: 3,
	maxFeatures: 60_000,
	calibrationShare: 0.1,
	calibrationSplit: 'groups' as 'groups' | 'random',
	place: true,
	terms: 'words+bigrams' as TermKinds,
	minTemperature: 0.25,
	titleShare: 0.5
};

/** Tokens of an example or a suggestion input (segmenting the normalised text when none are given). */
function tokensOf(prepared: PreparedText, given: readonly string[] | null | undefined, seg: TokenSource | undefined): string[] {
	if (given) return given.length ? normalizeText(given.join('\u0001')).split('\u0001') : [];
	if (!seg) throw new Error('trainClassifier: an example has no tokens and no segmenter was given');
	return seg.tokens(prepared.text);
}

export function trainClassifier(examples: readonly TrainingExample[], opts: TrainOptions = {}): ClassifierModel {
	const t0 = performance.now();
	const o = {
		epochs: opts.epochs ?? DEFAULTS.epochs,
		l2: opts.l2 ?? DEFAULTS.l2,
		learningRate: opts.learningRate ?? DEFAULTS.learningRate,
		dropout: opts.dropout ?? DEFAULTS.dropout,
		minDf: opts.minDf ?? DEFAULTS.minDf,
		maxFeatures: opts.maxFeatures ?? DEFAULTS.maxFeatures,
		calibrationShare: opts.calibrationShare ?? DEFAULTS.calibrationShare,
		calibrationSplit: opts.calibrationSplit ?? DEFAULTS.calibrationSplit,
		place: opts.place ?? DEFAULTS.place,
		terms: opts.terms ?? DEFAULTS.terms,
		minTemperature: opts.minTemperature ?? DEFAULTS.minTemperature,
		titleShare: opts.titleShare ?? DEFAULTS.titleShare
	};
	const seed = opts.seed ?? 1;
	const ref = opts.reference ?? loadReference();
	if (!(o.dropout >= 0 && o.dropout < 1)) throw new Error('trainClassifier: dropout must be in [0, 1)');

	// classes: every leaf of the taxonomy (so a model can name any category), level-1 in taxonomy order
	const level1 = ref.categories.filter((c) => c.level === 1).map((c) => ({ code: c.code, name: c.name }));
	const l1Index = new Map(level1.map((c, i) => [c.code, i]));
	// leaves sorted by code, so the leaves of one level-1 class are contiguous (the leaf head's groups)
	const leaves = ref.categories
		.filter((c) => c.level === 3)
		.sort((a, b) => (a.code < b.code ? -1 : 1))
		.map((c) => ({ code: c.code, name: c.name, level1: l1Index.get(c.code.slice(0, 2))! }));
	const leafIndex = new Map(leaves.map((c, i) => [c.code, i]));
	const groups: Groups = { lo: new Int32Array(leaves.length), hi: new Int32Array(leaves.length) };
	for (let c = 0; c < leaves.length; c++) {
		let lo = c;
		while (lo > 0 && leaves[lo - 1].level1 === leaves[c].level1) lo--;
		let hi = c + 1;
		while (hi < leaves.length && leaves[hi].level1 === leaves[c].level1) hi++;
		groups.lo[c] = lo;
		groups.hi[c] = hi;
	}

	const usable = examples.filter((e) => leafIndex.has(e.category_code) && typeof e.content === 'string');
	if (usable.length === 0) throw new Error('trainClassifier: no example has a known level-3 category_code');

	// terms of every example
	const prepared = usable.map((e) => prepare(e.title, e.content));
	const docs = usable.map((e, i) => termCounts(prepared[i].text, tokensOf(prepared[i], e.tokens, opts.segmenter), o.terms));

	// split: whole near-duplicate groups, in seeded order, for calibration until the share is reached
	const calIds: number[] = [];
	const trainIds: number[] = [];
	if (usable.length >= 100 && o.calibrationShare > 0) {
		const target = Math.round(usable.length * o.calibrationShare);
		// content only: titles are short and formulaic, they would link unrelated tickets
		const dupGroups =
			o.calibrationSplit === 'groups'
				? nearDuplicateGroups(usable.map((e) => normalizeText(e.content.slice(0, MAX_CONTENT))), seed)
				: Array.from(usable.keys(), (i) => [i]);
		// a group bigger than 5 % of the held-out share stays in training, so no single template dominates it
		const rng = Rng.derive(seed, 'calibration-split');
		for (const g of rng.shuffle(dupGroups)) {
			const into = calIds.length < target && g.length <= Math.max(1, target / 20) ? calIds : trainIds;
			for (const i of g) into.push(i);
		}
		trainIds.sort((a, b) => a - b);
		calIds.sort((a, b) => a - b);
	} else for (let i = 0; i < usable.length; i++) trainIds.push(i);
	const nCal = calIds.length;

	// vocabulary from the training split
	const df = new Map<string, number>();
	for (const i of trainIds) for (const term of docs[i].keys()) df.set(term, (df.get(term) ?? 0) + 1);
	const terms = [...df.entries()]
		.filter(([, n]) => n >= o.minDf)
		.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
		.slice(0, o.maxFeatures)
		.map(([t]) => t);
	const termIndex = new Map(terms.map((t, i) => [t, i]));
	const N = trainIds.length;
	const idf = Float32Array.from(terms, (t) => Math.log((N + 1) / (df.get(t)! + 1)) + 1);

	const X = docs.map((d) => vectorize(d, termIndex, idf));
	const yLeaf = Int32Array.from(usable, (e) => leafIndex.get(e.category_code)!);

	// the training vectors, plus title-only copies of some tickets (an operator often types just a short title)
	const Xtr = trainIds.map((i) => X[i]);
	const yTr = trainIds.map((i) => yLeaf[i]);
	if (o.titleShare > 0 && opts.segmenter) {
		const r = Rng.derive(seed, 'titles');
		for (const i of trainIds) {
			const title = usable[i].title;
			if (!title || r.next() >= o.titleShare) continue;
			const p = prepare(title, '');
			Xtr.push(vectorize(termCounts(p.text, opts.segmenter.tokens(p.text), o.terms), termIndex, idf));
			yTr.push(yLeaf[i]);
		}
	}

	const sgd = (label: string): SgdOptions => ({ epochs: o.epochs, l2: o.l2, learningRate: o.learningRate, dropout: o.dropout, rng: Rng.derive(seed, label) });
	const leafHead = trainHead(Xtr, Int32Array.from(yTr), leaves.length, terms.length, sgd('leaf'), groups);
	const l1Head = trainHead(Xtr, Int32Array.from(yTr, (c) => leaves[c].level1), level1.length, terms.length, sgd('level1'));
	quantizeRows(leafHead, terms.length);
	quantizeRows(l1Head, terms.length);

	// prior correction for a stratified sample: bias += ln(true share) − ln(sample share)
	if (opts.classCounts) {
		const sample = new Float64Array(leaves.length);
		for (const i of trainIds) sample[yLeaf[i]]++;
		const truth = Float64Array.from(leaves, (l) => opts.classCounts![l.code] ?? 0);
		const adjust = (head: Head, group: (c: number) => number) => {
			const s = new Float64Array(head.classes);
			const t = new Float64Array(head.classes);
			for (let c = 0; c < leaves.length; c++) {
				s[group(c)] += sample[c];
				t[group(c)] += truth[c];
			}
			const sS = s.reduce((a, b) => a + b, 0);
			const sT = t.reduce((a, b) => a + b, 0);
			if (sS > 0 && sT > 0)
				for (let c = 0; c < head.classes; c++) head.bias[c] += Math.log((t[c] + 0.5) / sT) - Math.log((s[c] + 0.5) / sS);
		};
		adjust(leafHead, (c) => c);
		adjust(l1Head, (c) => leaves[c].level1);
	}

	// place priors: ln P̂(class | district) − ln P(class), with P̂ smoothed by M pseudo-tickets
	const placeLeaf: Record<string, Float32Array> = {};
	const placeL1: Record<string, Float32Array> = {};
	if (o.place) {
		const byDistrict = new Map<string, Float64Array>();
		const all = new Float64Array(leaves.length).fill(0.5);
		for (const i of trainIds) {
			const d = usable[i].district_code;
			all[yLeaf[i]]++;
			if (!d || !ref.districtByCode.has(d)) continue;
			let v = byDistrict.get(d);
			if (!v) byDistrict.set(d, (v = new Float64Array(leaves.length)));
			v[yLeaf[i]]++;
		}
		const M = 50;
		const ratio = (local: Float64Array, global: Float64Array) => {
			const nl = local.reduce((a, b) => a + b, 0);
			const ng = global.reduce((a, b) => a + b, 0);
			return Float32Array.from(local, (n, c) => Math.log((n + (M * global[c]) / ng) / (nl + M) / (global[c] / ng)));
		};
		const group = (v: Float64Array) => {
			const g = new Float64Array(level1.length);
			v.forEach((n, c) => (g[leaves[c].level1] += n));
			return g;
		};
		for (const [d, v] of byDistrict) {
			placeLeaf[d] = ratio(v, all);
			placeL1[d] = ratio(group(v), group(all));
		}
	}

	// units
	const units = buildUnits(ref, usable, opts.unitHistory);

	// gazetteer
	const places: Record<string, [string, string]> = {};
	for (const d of ref.districts) for (const n of [d.name, ...d.aliases]) if (n.length >= 2) places[normalizeText(n)] = [d.code, ''];
	for (const s of ref.streets) for (const n of [s.name, ...s.aliases]) if (n.length >= 2 && !places[normalizeText(n)]) places[normalizeText(n)] = [s.districtCode, s.code];

	const model: ClassifierModel = {
		format: FORMAT,
		version: VERSION,
		trained_at: new Date().toISOString(),
		training: { examples: usable.length, trainExamples: trainIds.length, calibrationExamples: nCal, features: terms.length, seconds: 0, seed, options: o },
		metrics: { calibration: null },
		leaves,
		level1,
		terms,
		idf,
		termIndex,
		leafHead,
		l1Head,
		placeLeaf,
		placeL1,
		places,
		units
	};

	// temperatures on the held-out share: level-1 first (the leaf answer depends on it), then leaf
	if (nCal > 0)
		model.metrics.calibration = calibrate(
			model,
			calIds.map((i) => ({ x: X[i], district: o.place ? (usable[i].district_code ?? null) : null, leaf: yLeaf[i] })),
			o.minTemperature
		);
	model.training.seconds = Math.round(performance.now() - t0) / 1000;
	return model;
}

function buildUnits(ref: Reference, examples: readonly TrainingExample[], given?: UnitHistoryRow[]): UnitModel {
	const rows: UnitHistoryRow[] =
		given ??
		examples
			.filter((e) => e.unit_code)
			.map((e) => ({ category_code: e.category_code, district_code: e.district_code ?? null, street_code: e.street_code ?? null, unit_code: e.unit_code!, n: 1 }));
	const history: UnitModel['history'] = {};
	const perDistrict = new Map<string, number>();
	const perStreet = new Map<string, Map<string, number>>();
	const used = new Set<string>();
	for (const r of rows) {
		if (!ref.categoryByCode.has(r.category_code) || !ref.unitByCode.has(r.unit_code)) continue;
		const d = r.district_code && ref.districtByCode.has(r.district_code) ? r.district_code : null;
		if (d) {
			perDistrict.set(d, (perDistrict.get(d) ?? 0) + r.n);
			const s = r.street_code ? ref.streetByCode.get(r.street_code) : undefined;
			if (s && s.districtCode === d) {
				let m = perStreet.get(d);
				if (!m) perStreet.set(d, (m = new Map()));
				m.set(s.code, (m.get(s.code) ?? 0) + r.n);
			}
		}
		const role = unitRole(ref, r.unit_code, d);
		const byD = (history[r.category_code] ??= {});
		const key = d ?? '';
		const roles = (byD[key] ??= {});
		roles[role] = (roles[role] ?? 0) + r.n;
		used.add(r.unit_code);
	}
	const routing: UnitModel['routing'] = {};
	for (const c of ref.categories) if (c.level === 3) routing[c.code] = routingRoles(ref, c.code);
	// districts without history get a small share, so an unknown district still spreads over all of them
	const districtShare: Record<string, number> = {};
	const totalD = ref.districts.reduce((s, d) => s + (perDistrict.get(d.code) ?? 0) + 1, 0);
	for (const d of ref.districts) districtShare[d.code] = ((perDistrict.get(d.code) ?? 0) + 1) / totalD;
	const streetShare: Record<string, Record<string, number>> = {};
	for (const d of ref.districts) {
		const streets = ref.streets.filter((s) => s.districtCode === d.code);
		const m = perStreet.get(d.code) ?? new Map<string, number>();
		const tot = streets.reduce((s, st) => s + (m.get(st.code) ?? 0) + 1, 0);
		streetShare[d.code] = Object.fromEntries(streets.map((s) => [s.code, ((m.get(s.code) ?? 0) + 1) / tot]));
	}
	const names: Record<string, string> = {};
	for (const u of ref.units) names[u.code] = u.name;
	return { names, history, routing, districtShare, streetShare };
}

// ---------------------------------------------------------------------------------------------------------
// Suggestion

/** Category, level-1 and unit suggestions (top 3 each) for one ticket. Never throws on odd text. */
export function suggest(model: ClassifierModel, input: SuggestInput, segmenter: TokenSource): Suggestion {
	const hasTitleOrContent = input.title != null || input.content != null;
	const prepared = hasTitleOrContent ? prepare(input.title, input.content) : prepare('', input.text ?? '');
	const flags: string[] = [];
	if (prepared.truncated) flags.push('truncated');
	const tokens = segmenter.tokens(prepared.text);
	const x = vectorize(termCounts(prepared.text, tokens, model.training.options.terms), model.termIndex, model.idf);
	if (prepared.meaningful < 4 || x.idx.length < 3) flags.push('insufficient_text');

	// place: given, or found among the words. Own keys only: a code or a word as sent (POST /api/v1/suggest), and
	// constructor or __proto__ would otherwise be found among what every object inherits
	const own = Object.hasOwn;
	let district = input.district_code && own(model.units.districtShare, input.district_code) ? input.district_code : null;
	const inDistrict = district && own(model.units.streetShare, district) ? model.units.streetShare[district] : null;
	let street = input.street_code && inDistrict && own(inDistrict, input.street_code) ? input.street_code : null;
	if (!street && input.street_code && !district) {
		const d = Object.entries(model.units.streetShare).find(([, m]) => own(m, input.street_code!))?.[0];
		if (d) [district, street] = [d, input.street_code];
	}
	if (!district || !street) {
		for (const t of tokens) {
			const hit = own(model.places, t) ? model.places[t] : undefined;
			if (!hit) continue;
			if (!district) {
				district = hit[0];
				flags.push('place_from_text');
			}
			if (hit[1] && hit[0] === district) {
				street = hit[1];
				if (!flags.includes('place_from_text')) flags.push('place_from_text');
				break;
			}
		}
	}
	if (!district) flags.push('district_unknown');
	if (!street) flags.push('street_unknown');

	const r = score(model, x, model.training.options.place ? district : null);
	const units = suggestUnits(model, r.leaf, district, street);
	return {
		categories: topK(r.leaf, 3).map((c) => ({
			code: model.leaves[c].code,
			name: model.leaves[c].name,
			level1: model.level1[model.leaves[c].level1].code,
			p: round4(r.leaf[c])
		})),
		level1: topK(r.l1, 3).map((g) => ({ code: model.level1[g].code, name: model.level1[g].name, p: round4(r.l1[g]) })),
		units: [...units.entries()]
			.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
			.slice(0, 3)
			.map(([code, p]) => ({ code, name: model.units.names[code] ?? code, p: round4(p) })),
		district_code: district,
		street_code: street,
		flags
	};
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

function macroF1(gold: readonly number[], pred: readonly number[]): number {
	// over the classes that occur in the gold labels
	const classes = [...new Set(gold)];
	let sum = 0;
	for (const c of classes) {
		let tp = 0;
		let fp = 0;
		let fn = 0;
		for (let i = 0; i < gold.length; i++) {
			if (pred[i] === c && gold[i] === c) tp++;
			else if (pred[i] === c) fp++;
			else if (gold[i] === c) fn++;
		}
		sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
	}
	return classes.length ? sum / classes.length : 0;
}

/** An example to evaluate: a leaf code, or only a level-1 code (`level1_code`) when the leaf is not known. */
export type EvalExample = Omit<TrainingExample, 'category_code'> & { category_code?: string | null; level1_code?: string | null };

/**
 * Accuracy, top-3 accuracy, macro-F1 (over the classes present in the gold labels), ECE of the top-1
 * confidence and NLL, for leaves (examples with a leaf code) and level-1 classes. `restrictLevel1`: level-1
 * figures among those classes only (for sets whose labels cover a few classes); leaves are then not scored.
 */
export function evaluate(
	model: ClassifierModel,
	examples: readonly EvalExample[],
	segmenter?: TokenSource,
	opts: { restrictLevel1?: readonly string[] } = {}
): EvalFigures {
	const leafIdx = new Map(model.leaves.map((l, i) => [l.code, i]));
	const l1Idx = new Map(model.level1.map((l, i) => [l.code, i]));
	// level-1 classes outside the restriction get probability 0 (renormalised): "which of these is it?"
	const allowed = opts.restrictLevel1 ? new Set(opts.restrictLevel1.map((c) => l1Idx.get(c))) : null;
	const acc = { leaf: { gold: [] as number[], pred: [] as number[], conf: [] as number[], nll: 0, top3: 0 }, l1: { gold: [] as number[], pred: [] as number[], conf: [] as number[], nll: 0, top3: 0 } };
	for (const e of examples) {
		const leaf = e.category_code ? leafIdx.get(e.category_code) : undefined;
		const g1 = leaf !== undefined ? model.leaves[leaf].level1 : e.level1_code ? l1Idx.get(e.level1_code) : undefined;
		if (g1 === undefined) continue;
		const prepared = prepare(e.title, e.content);
		const x = vectorize(termCounts(prepared.text, tokensOf(prepared, e.tokens, segmenter), model.training.options.terms), model.termIndex, model.idf);
		const r = score(model, x, model.training.options.place ? (e.district_code ?? null) : null);
		const record = (a: typeof acc.leaf, p: Float64Array, gold: number) => {
			const top = topK(p, 3);
			a.gold.push(gold);
			a.pred.push(top[0]);
			a.conf.push(p[top[0]]);
			a.nll -= Math.log(Math.max(1e-12, p[gold]));
			if (top.includes(gold)) a.top3++;
		};
		if (allowed) {
			let sum = 0;
			for (let g = 0; g < r.l1.length; g++) sum += allowed.has(g) ? r.l1[g] : 0;
			for (let g = 0; g < r.l1.length; g++) r.l1[g] = allowed.has(g) && sum > 0 ? r.l1[g] / sum : 0;
		} else if (leaf !== undefined) record(acc.leaf, r.leaf, leaf);
		record(acc.l1, r.l1, g1);
	}
	const figures = (a: typeof acc.leaf) => ({
		accuracy: a.gold.length ? a.gold.filter((g, i) => g === a.pred[i]).length / a.gold.length : 0,
		macroF1: macroF1(a.gold, a.pred),
		top3: a.gold.length ? a.top3 / a.gold.length : 0,
		ece: expectedCalibrationError(a.conf, a.gold.map((g, i) => g === a.pred[i])),
		nll: a.gold.length ? a.nll / a.gold.length : 0
	});
	return { n: acc.l1.gold.length, leaf: acc.leaf.gold.length ? figures(acc.leaf) : null, level1: figures(acc.l1) };
}

// ---------------------------------------------------------------------------------------------------------
// Training data from the analytics store

export interface TrainingSet {
	examples: TrainingExample[];
	/** tickets per leaf category in the whole store (for the prior correction) */
	classCounts: Record<string, number>;
	/** tickets per category × district × street × unit in the whole store */
	unitHistory: UnitHistoryRow[];
}

/**
 * A stratified sample of tickets_fact: at most `perClass` tickets per leaf category (default 400), picked by a
 * seeded hash of the ticket number, plus the counts the model needs from the whole store. Tickets whose tokens
 * are NULL are segmented with `segmenter` when one is given (otherwise trainClassifier segments them).
 */
export async function loadTrainingExamples(
	conn: DuckDBConnection,
	o: { perClass?: number; seed?: number; segmenter?: TokenSource } = {}
): Promise<TrainingSet> {
	const perClass = Math.max(1, Math.floor(o.perClass ?? 400));
	const seed = String(o.seed ?? 1);
	const sample = await conn.runAndReadAll(
		`SELECT title, content, tokens, district_code, street_code, category_code, unit_code FROM (
			SELECT *, row_number() OVER (PARTITION BY category_code ORDER BY hash(ticket_no || $seed), ticket_no) AS rn
			FROM tickets_fact WHERE category_code IS NOT NULL AND content IS NOT NULL)
		WHERE rn <= $per ORDER BY category_code, rn`,
		{ seed, per: perClass }
	);
	const examples: TrainingExample[] = sample.getRowObjectsJS().map((r) => {
		const tokens = Array.isArray(r.tokens) ? (r.tokens as unknown[]).map(String) : null;
		const e: TrainingExample = {
			title: r.title == null ? null : String(r.title),
			content: String(r.content),
			tokens,
			district_code: r.district_code == null ? null : String(r.district_code),
			street_code: r.street_code == null ? null : String(r.street_code),
			category_code: String(r.category_code),
			unit_code: r.unit_code == null ? null : String(r.unit_code)
		};
		if (!e.tokens && o.segmenter) e.tokens = o.segmenter.tokens(`${e.title ?? ''}\n${e.content}`);
		return e;
	});
	const counts = await conn.runAndReadAll(`SELECT category_code, count(*)::BIGINT AS n FROM tickets_fact WHERE category_code IS NOT NULL GROUP BY 1`);
	const classCounts: Record<string, number> = {};
	for (const r of counts.getRowObjectsJS()) classCounts[String(r.category_code)] = Number(r.n);
	const hist = await conn.runAndReadAll(
		`SELECT category_code, district_code, street_code, unit_code, count(*)::BIGINT AS n FROM tickets_fact
		WHERE category_code IS NOT NULL AND unit_code IS NOT NULL GROUP BY ALL`
	);
	const unitHistory: UnitHistoryRow[] = hist.getRowObjectsJS().map((r) => ({
		category_code: String(r.category_code),
		district_code: r.district_code == null ? null : String(r.district_code),
		street_code: r.street_code == null ? null : String(r.street_code),
		unit_code: String(r.unit_code),
		n: Number(r.n)
	}));
	return { examples, classCounts, unitHistory };
}

// ---------------------------------------------------------------------------------------------------------
// Persistence

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromB64<T>(s: string, make: (buf: ArrayBuffer) => T): T {
	const b = Buffer.from(s, 'base64');
	const copy = new ArrayBuffer(b.byteLength);
	new Uint8Array(copy).set(b);
	return make(copy);
}

interface HeadJson {
	classes: number;
	temperature: number;
	bias: number[];
	/** class blocks: block b is classes [blocks[b], blocks[b + 1]) */
	blocks: number[];
	/** per feature, a bit per block (ceil(blocks / 8) bytes): which blocks are stored (the others are zero) */
	mask: string;
	/** int16 weights of the stored blocks, feature by feature, base64 */
	weights: string;
	/** float32 scale per feature row, base64 */
	scales: string;
}

/** Class blocks of a head: the level-1 groups for the leaf head, one block for the level-1 head. */
function headBlocks(model: ClassifierModel, head: Head): number[] {
	if (head !== model.leafHead) return [0, head.classes];
	const starts = [0];
	for (let c = 1; c < model.leaves.length; c++) if (model.leaves[c].level1 !== model.leaves[c - 1].level1) starts.push(c);
	return [...starts, model.leaves.length];
}

/**
 * Stored sparsely by blocks: a leaf's weights only move when the feature occurs in a ticket of its level-1
 * class, so most (feature, block) pairs are all zero. Training quantised the weights already, so quantising
 * again reproduces them exactly.
 */
function headToJson(h: Head, features: number, blocks: number[]): HeadJson {
	const copy: Head = { ...h, w: Float32Array.from(h.w), scales: h.scales && Float32Array.from(h.scales) };
	const { q, scales } = quantizeRows(copy, features);
	const C = h.classes;
	const nb = blocks.length - 1;
	const bytes = Math.ceil(nb / 8);
	const mask = new Uint8Array(features * bytes);
	const kept: number[] = [];
	for (let f = 0; f < features; f++)
		for (let b = 0; b < nb; b++) {
			let any = false;
			for (let c = blocks[b]; c < blocks[b + 1] && !any; c++) any = q[f * C + c] !== 0;
			if (!any) continue;
			mask[f * bytes + (b >> 3)] |= 1 << (b & 7);
			for (let c = blocks[b]; c < blocks[b + 1]; c++) kept.push(q[f * C + c]);
		}
	return { classes: C, temperature: h.temperature, bias: Array.from(h.bias), blocks, mask: b64(mask), weights: b64(Int16Array.from(kept)), scales: b64(scales) };
}

function headFromJson(j: HeadJson, features: number): Head {
	const C = j.classes;
	const nb = j.blocks.length - 1;
	const bytes = Math.ceil(nb / 8);
	const mask = fromB64(j.mask, (b) => new Uint8Array(b));
	const q = fromB64(j.weights, (b) => new Int16Array(b));
	const scales = fromB64(j.scales, (b) => new Float32Array(b));
	if (mask.length !== features * bytes || scales.length !== features || j.blocks[nb] !== C) throw new Error('model file: weight matrix has the wrong size');
	const w = new Float32Array(features * C);
	let k = 0;
	for (let f = 0; f < features; f++)
		for (let b = 0; b < nb; b++) {
			if (!(mask[f * bytes + (b >> 3)] & (1 << (b & 7)))) continue;
			for (let c = j.blocks[b]; c < j.blocks[b + 1]; c++) {
				if (k >= q.length) throw new Error('model file: too few weights');
				w[f * C + c] = q[k++] * scales[f];
			}
		}
	if (k !== q.length) throw new Error('model file: too many weights');
	return { classes: C, w, bias: Float32Array.from(j.bias), temperature: j.temperature, scales };
}

/** Writes the model as JSON, atomically (a temp file in the same directory, then rename). */
export function saveModel(path: string, model: ClassifierModel): void {
	const F = model.terms.length;
	const json = {
		format: model.format,
		version: model.version,
		trained_at: model.trained_at,
		training: model.training,
		metrics: model.metrics,
		leaves: model.leaves,
		level1: model.level1,
		terms: model.terms,
		idf: b64(model.idf),
		leafHead: headToJson(model.leafHead, F, headBlocks(model, model.leafHead)),
		l1Head: headToJson(model.l1Head, F, headBlocks(model, model.l1Head)),
		placeLeaf: Object.fromEntries(Object.entries(model.placeLeaf).map(([d, v]) => [d, b64(v)])),
		placeL1: Object.fromEntries(Object.entries(model.placeL1).map(([d, v]) => [d, b64(v)])),
		places: model.places,
		units: model.units
	};
	mkdirSync(dirname(path), { recursive: true });
	const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
	try {
		writeFileSync(tmp, JSON.stringify(json));
		renameSync(tmp, path);
	} catch (e) {
		rmSync(tmp, { force: true });
		throw e;
	}
}

export function loadModel(path: string): ClassifierModel {
	let j: Record<string, unknown>;
	try {
		j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
	} catch (e) {
		throw new Error(`${path}: cannot read the classifier model (${(e as Error).message})`);
	}
	if (j.format !== FORMAT) throw new Error(`${path}: not a ${FORMAT} file`);
	if (j.version !== VERSION) throw new Error(`${path}: model format version ${String(j.version)}, this code reads version ${VERSION}`);
	for (const k of ['terms', 'leaves', 'level1'] as const) if (!Array.isArray(j[k])) throw new Error(`${path}: model file lacks "${k}"`);
	for (const k of ['training', 'leafHead', 'l1Head', 'placeLeaf', 'placeL1', 'places', 'units'] as const)
		if (typeof j[k] !== 'object' || j[k] === null) throw new Error(`${path}: model file lacks "${k}"`);
	const terms = j.terms as string[];
	const F = terms.length;
	const f32 = (s: string) => fromB64(s, (b) => new Float32Array(b));
	return {
		format: FORMAT,
		version: VERSION,
		trained_at: String(j.trained_at),
		training: j.training as ClassifierModel['training'],
		metrics: j.metrics as ClassifierModel['metrics'],
		leaves: j.leaves as ClassifierModel['leaves'],
		level1: j.level1 as ClassifierModel['level1'],
		terms,
		idf: f32(j.idf as string),
		termIndex: new Map(terms.map((t, i) => [t, i])),
		leafHead: headFromJson(j.leafHead as HeadJson, F),
		l1Head: headFromJson(j.l1Head as HeadJson, F),
		placeLeaf: Object.fromEntries(Object.entries(j.placeLeaf as Record<string, string>).map(([d, v]) => [d, f32(v)])),
		placeL1: Object.fromEntries(Object.entries(j.placeL1 as Record<string, string>).map(([d, v]) => [d, f32(v)])),
		places: j.places as ClassifierModel['places'],
		units: j.units as UnitModel
	};
}

// ---------------------------------------------------------------------------------------------------------
// JSON-lines CLI

/** The fields a CLI line may carry; anything else is ignored. */
function parseLine(line: string): SuggestInput {
	let v: unknown;
	try {
		v = JSON.parse(line);
	} catch (e) {
		throw new Error(`invalid JSON (${(e as Error).message})`);
	}
	if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('a line must be a JSON object');
	const o = v as Record<string, unknown>;
	const out: SuggestInput = {};
	for (const k of ['title', 'content', 'text', 'district_code', 'street_code'] as const) {
		const f = o[k];
		if (f === undefined || f === null) continue;
		if (typeof f !== 'string') throw new Error(`"${k}" must be a string`);
		out[k] = f;
	}
	if (out.title === undefined && out.content === undefined && out.text === undefined) throw new Error('no "title", "content" or "text"');
	return out;
}

/**
 * Reads JSON lines ({title, content} or {text}, optional district_code/street_code) and writes one JSON line
 * per input line: the suggestion, or {"error": "..."} for a line that cannot be read (an empty line included).
 */
export async function runClassifyCli(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, model: ClassifierModel, segmenter: TokenSource): Promise<{ lines: number; errors: number }> {
	const rl = createInterface({ input, crlfDelay: Infinity });
	const out = new LineOutput(output);
	let lines = 0;
	let errors = 0;
	for await (const raw of rl) {
		lines++;
		let answer: string;
		try {
			const line = raw.replace(/^\uFEFF/, '').trim();
			if (!line) throw new Error('empty line');
			answer = JSON.stringify(suggest(model, parseLine(line), segmenter));
		} catch (e) {
			errors++;
			answer = JSON.stringify({ error: (e as Error).message });
		}
		await out.write(`${answer}\n`);
		// a reader that goes away (`classify < in.jsonl | head`) ends the command quietly
		if (out.gone) break;
	}
	await out.end();
	return { lines, errors };
}
