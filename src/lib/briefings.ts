// 舆情简报: the vocabulary of a briefing and the tables of its sections, shared by the page, the API and the
// documents (the .docx and the PDF show the same tables the page shows). No runtime dependencies.
import { formatChange } from './charts/format';

export const BRIEFING_KINDS = ['weekly', 'monthly', 'special'] as const;
export type BriefingKind = (typeof BRIEFING_KINDS)[number];
export const KIND_LABELS: Record<BriefingKind, string> = { weekly: '周报', monthly: '月报', special: '专报' };

/** The sections a briefing is assembled from, in their default order. */
export const SECTION_KEYS = ['overview', 'topics', 'rising', 'hotspots', 'alerts', 'units', 'tickets'] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];
export const SECTION_TITLES: Record<SectionKey, string> = {
	overview: '总体情况',
	topics: '热点话题',
	rising: '上升词语',
	hotspots: '热点区域',
	alerts: '预警事件',
	units: '承办单位办理情况',
	tickets: '典型诉求'
};

/** A section as saved: its place in the list is its order. */
export interface BriefingSection {
	key: SectionKey;
	included: boolean;
	text: string;
	/** the text differs from the draft generated from the figures (刷新数据 keeps it) */
	edited: boolean;
}

/** A ranked item against the period before. */
export interface RankRow {
	name: string;
	count: number;
	share: number;
	/** against the period before (scaled to the same progress); null when it cannot be compared */
	change: number | null;
}

/** Everything generated from the analytics for a briefing: a snapshot, kept with it. */
export interface BriefingFigures {
	/** when they were generated (ISO) and the day in Shanghai */
	generatedAt: string;
	asOf: string;
	from: string;
	to: string;
	days: number;
	/** 全市, or the district and category named */
	scope: string;
	overview: {
		received: number;
		/** over the days of the period the store holds (dataDays) */
		dailyMean: number;
		/** the first day the store holds (null: none), and how many days of the period it covers (absent in older snapshots) */
		dataFrom?: string | null;
		dataDays?: number;
		/** the period before, of the same length (its count scaled to the same progress when this one ends today) */
		previous: { from: string; to: string; count: number | null; change: number | null };
		/** the seasonal normal of the period's whole days (same kinds of day), and the count of those days */
		normal: { days: number; observed: number; expected: number | null; change: number | null };
		acceptanceRate: number | null;
		signRate: number | null;
		replyRate: number | null;
		satisfactionRate: number | null;
		open: number;
		overdue: number;
		categoryTitle: string;
		categories: RankRow[];
		placeTitle: string;
		places: RankRow[];
		channels: RankRow[];
	};
	topics: { asOf: string | null; window: { from: string; to: string; clipped: boolean } | null; rows: { label: string; size: number; growth: number | null; isNew?: boolean }[] };
	rising: {
		from: string;
		to: string;
		baselineFrom: string;
		/** the terms are counted over the whole city (the word counts have no district or category) */
		cityWide: boolean;
		/** false when the weeks before hold no tickets (the start of the data): nothing was compared (absent: compared) */
		compared?: boolean;
		rows: { term: string; current: number; baseline: number; ratio: number }[];
		newTerms: { term: string; current: number; firstSeen: string }[];
	};
	hotspots: {
		level: 'district' | 'street';
		method: string;
		rows: { name: string; count: number; expected: number | null; change: number | null; q: number | null }[];
		/** places compared */
		places: number;
		/** places with history enough to be tested (absent in older snapshots) */
		tested?: number;
	};
	alerts: {
		rows: { id: number; title: string; severity: string; status: string; place: string; startedAt: string; tickets: number }[];
		/** the alerts of the period, the dismissed (false) ones left out */
		total: number;
		/** the alerts of the period dismissed as false (absent in older snapshots, which counted them in) */
		dismissed?: number;
	};
	units: {
		scored: number;
		total: number;
		minRounds: number;
		top: UnitRow[];
		bottom: UnitRow[];
	};
	tickets: {
		rows: { ticketNo: string; receivedAt: string; place: string; category: string; title: string; excerpt: string; topic: string | null }[];
	};
}

export interface UnitRow {
	rank: number | null;
	name: string;
	rounds: number;
	score: number | null;
	signRate: number | null;
	replyRate: number | null;
	satisfactionRate: number | null;
}

/** A briefing as the page and the API show it. */
export interface BriefingView {
	id: number;
	kind: BriefingKind;
	kindLabel: string;
	title: string;
	from: string;
	to: string;
	district: string | null;
	category: string | null;
	scope: string;
	sections: BriefingSection[];
	figures: BriefingFigures;
	figuresAt: string;
	createdBy: string;
	createdAt: string;
	updatedBy: string;
	updatedAt: string;
	version: number;
}

export interface BriefingListItem {
	id: number;
	kind: BriefingKind;
	kindLabel: string;
	title: string;
	from: string;
	to: string;
	scope: string;
	updatedBy: string;
	updatedAt: string;
	version: number;
}

// --- formatting -------------------------------------------------------------------------------------------

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('zh-CN');
export const fmtPct = (r: number | null, digits = 1): string => (r === null || !Number.isFinite(r) ? '—' : `${(r * 100).toFixed(digits)}%`);
export const fmtScore = (s: number | null): string => (s === null ? '—' : s.toFixed(1));
/** 2026-11-23 → 2026年11月23日 */
export const fmtDay = (d: string): string => {
	const [y, m, day] = d.split('-').map(Number);
	return `${y}年${m}月${day}日`;
};
export const fmtPeriod = (from: string, to: string): string => (from === to ? fmtDay(from) : `${fmtDay(from)}至${fmtDay(to)}`);

// --- the sections' tables ---------------------------------------------------------------------------------

export interface SectionTable {
	caption: string | null;
	columns: string[];
	/** right-aligned (numeric) columns */
	numeric: boolean[];
	rows: string[][];
	/** said below the table (method, scope) */
	note: string | null;
	/** said instead of an empty table */
	empty: string;
	/** on the screen, a column whose cells open a page (the tickets' numbers their 工单档案); the documents show text */
	links?: { column: number; hrefs: string[] };
}

const table = (caption: string | null, cols: [string, boolean][], rows: string[][], empty: string, note: string | null = null): SectionTable => ({
	caption,
	columns: cols.map((c) => c[0]),
	numeric: cols.map((c) => c[1]),
	rows,
	note,
	empty
});

const rankRows = (rows: RankRow[]) => rows.map((r, i) => [String(i + 1), r.name, fmtInt(r.count), fmtPct(r.share), formatChange(r.change)]);
const RANK_COLS: [string, boolean][] = [
	['序号', true],
	['名称', false],
	['件数', true],
	['占比', true],
	['较上期', true]
];

/** The tables of a section, from the figures (the page and both documents show these). */
export function sectionTables(key: SectionKey, f: BriefingFigures): SectionTable[] {
	switch (key) {
		case 'overview': {
			const o = f.overview;
			const figures = table(
				'主要指标',
				[
					['指标', false],
					['数值', true]
				],
				[
					['受理诉求（件）', fmtInt(o.received)],
					['日均（件）', fmtInt(o.dailyMean)],
					[`上期 ${o.previous.from} 至 ${o.previous.to}（件）`, o.previous.count === null ? '—' : fmtInt(o.previous.count)],
					['较上期', formatChange(o.previous.change)],
					['较同类日常态', formatChange(o.normal.change)],
					['受理率', fmtPct(o.acceptanceRate)],
					['签收及时率', fmtPct(o.signRate)],
					['办结及时率', fmtPct(o.replyRate)],
					['满意率', fmtPct(o.satisfactionRate)],
					['当前在办（件）', fmtInt(o.open)],
					['当前超时（件）', fmtInt(o.overdue)]
				],
				'无数据',
				`在办、超时为生成时的数字；签收、办结及时率按承办轮次计算，与考核口径一致。${
					f.to === f.asOf ? '本期含数据生成当天，较上期按同等进度折算（上期件数为其全部时段）。' : ''
				}${
					o.dataFrom && o.dataFrom > f.from ? (o.dataDays ? `系统数据自 ${o.dataFrom} 起，日均按其后 ${o.dataDays} 天计。` : `系统数据自 ${o.dataFrom} 起，本期没有数据。`) : ''
				}`
			);
			return [
				figures,
				table(o.categoryTitle, RANK_COLS, rankRows(o.categories), '本期无分类数据'),
				table(o.placeTitle, RANK_COLS, rankRows(o.places), '本期无区域数据'),
				table('受理渠道', RANK_COLS, rankRows(o.channels), '本期无渠道数据')
			];
		}
		case 'topics':
			return [
				table(
					null,
					[
						['序号', true],
						['话题', false],
						['件数', true],
						['较前期', true]
					],
					f.topics.rows.map((t, i) => [String(i + 1), t.label, fmtInt(t.size), t.isNew ? '新出现' : formatChange(t.growth)]),
					!f.topics.asOf ? '尚未生成话题（文本分析完成后可刷新数据）' : f.topics.window ? '本期范围内没有话题工单' : '最近一次话题聚类未覆盖本期',
					f.topics.window?.clipped ? `话题按 ${f.topics.window.from} 起的工单统计（最近一次话题聚类覆盖的日期）。` : null
				)
			];
		case 'rising':
			return [
				table(
					'上升词语',
					[
						['词语', false],
						['本期（件）', true],
						['基期（件）', true],
						['上升倍数', true]
					],
					f.rising.rows.map((r) => [r.term, fmtInt(r.current), fmtInt(r.baseline), Number.isFinite(r.ratio) ? `${r.ratio.toFixed(1)}倍` : '—']),
					f.rising.compared === false ? '基期没有工单数据，无法比较' : '本期没有统计显著上升的词语',
					`本期 ${f.rising.from} 至 ${f.rising.to}，基期 ${f.rising.baselineFrom} 起${f.rising.compared === false ? '（基期没有工单数据）' : ''}${f.rising.cityWide ? '；按全市统计，不分区县与分类' : ''}。`
				),
				table(
					'新出现词语',
					[
						['词语', false],
						['本期（件）', true],
						['首次出现', false]
					],
					f.rising.newTerms.map((r) => [r.term, fmtInt(r.current), r.firstSeen]),
					f.rising.compared === false ? '基期没有工单数据，无法判断' : '本期没有新出现的词语'
				)
			];
		case 'hotspots':
			return [
				table(
					null,
					[
						[f.hotspots.level === 'street' ? '街道（镇）' : '区县', false],
						['件数', true],
						['预期', true],
						['较预期', true],
						['q 值', true]
					],
					f.hotspots.rows.map((r) => [r.name, fmtInt(r.count), r.expected === null ? '—' : fmtInt(r.expected), formatChange(r.change), r.q === null ? '—' : r.q < 0.001 ? '<0.001' : r.q.toFixed(3)]),
					f.hotspots.tested === 0
						? `各${f.hotspots.level === 'street' ? '街道（镇）' : '区县'}此前的数据不足，未做热点检验`
						: `本期 ${f.hotspots.places} 个${f.hotspots.level === 'street' ? '街道（镇）' : '区县'}中没有统计显著的热点`,
					f.hotspots.method
				)
			];
		case 'alerts':
			return [
				table(
					null,
					[
						['预警', false],
						['级别', false],
						['地点', false],
						['开始', false],
						['状态', false],
						['工单', true]
					],
					f.alerts.rows.map((a) => [a.title, a.severity, a.place, a.startedAt, a.status, fmtInt(a.tickets)]),
					'本期没有预警',
					[
						f.alerts.total > f.alerts.rows.length ? `共 ${f.alerts.total} 条，列出级别最高的 ${f.alerts.rows.length} 条。` : '',
						f.alerts.dismissed ? `另有 ${f.alerts.dismissed} 条预警经核实排除（误报），未列入。` : ''
					].join('') || null
				)
			];
		case 'units': {
			const cols: [string, boolean][] = [
				['排名', true],
				['承办单位', false],
				['承办轮次', true],
				['综合得分', true],
				['签收及时率', true],
				['办结及时率', true],
				['满意率', true]
			];
			const rows = (us: UnitRow[]) => us.map((u) => [u.rank === null ? '—' : String(u.rank), u.name, fmtInt(u.rounds), fmtScore(u.score), fmtPct(u.signRate), fmtPct(u.replyRate), fmtPct(u.satisfactionRate)]);
			const note = `承办轮次达到 ${f.units.minRounds} 轮的单位参与排名（本期 ${f.units.scored} 个，共 ${f.units.total} 个单位承办）。`;
			return [table('得分靠前', cols, rows(f.units.top), '本期没有达到排名条件的单位', note), table('得分靠后', cols, rows(f.units.bottom), '—')].filter(
				(t, i) => i === 0 || t.rows.length > 0
			);
		}
		case 'tickets': {
			const t = table(
				null,
				[
					['工单编号', false],
					['受理时间', false],
					['地点', false],
					['分类', false],
					['诉求摘要', false]
				],
				f.tickets.rows.map((t) => [t.ticketNo, t.receivedAt, t.place, t.category, `${t.title ? `${t.title}：` : ''}${t.excerpt}`]),
				'本期没有可列举的工单',
				'工单内容已去除个人信息（姓名、电话、证件号、车牌等）。'
			);
			// on the screen each number opens its 工单档案
			return [{ ...t, links: { column: 0, hrefs: f.tickets.rows.map((r) => `/search/${encodeURIComponent(r.ticketNo)}`) } }];
		}
	}
}
