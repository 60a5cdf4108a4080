// The draft text of each section: a sentence or two in plain Chinese from the figures, for the analyst to edit.
// Pure: the same figures give the same draft, so a saved text equal to the draft counts as not edited and 刷新数据
// replaces it with the new figures' draft.
import { addDays } from '$pipelines/calendar/index';
import { fmtInt, fmtPct, fmtScore, type BriefingFigures, type BriefingKind, type SectionKey } from '$lib/briefings';
import { trimZeros } from '$lib/charts/format';
import { risingFast } from '$lib/text-format';

/** 本周 / 本月 / 本期 */
export function periodWord(kind: BriefingKind): string {
	return kind === 'weekly' ? '本周' : kind === 'monthly' ? '本月' : '本期';
}

/** 上升 8.2% / 下降 3.0% / 基本持平 (within ±1%) */
/** 较上期上升 8.2% / 较上期基本持平 / 为上期的 2.2 倍 (a doubling and more as the multiple, as formatChange shows it) */
function trend(base: string, change: number): string {
	if (change >= 1) return `为${base}的 ${trimZeros((1 + change).toFixed(1))} 倍`;
	if (Math.abs(change) < 0.01) return `较${base}基本持平`;
	return `较${base}${change > 0 ? '上升' : '下降'} ${fmtPct(Math.abs(change))}`;
}

const list = (items: string[]) => items.join('、');

export function draftText(key: SectionKey, f: BriefingFigures, kind: BriefingKind): string {
	const when = periodWord(kind);
	switch (key) {
		case 'overview': {
			const o = f.overview;
			const period = `${when}（${f.from} 至 ${f.to}）${f.scope}`;
			// the store's first day, said when the period reaches before it (older snapshots know nothing of it)
			const since = o.dataFrom && o.dataFrom > f.from ? `（系统数据自 ${o.dataFrom} 起）` : '';
			const closing = `截至 ${f.asOf}，在办 ${fmtInt(o.open)} 件，其中超时 ${fmtInt(o.overdue)} 件。`;
			if (o.dataDays === 0) return `${period}没有工单数据${o.dataFrom ? `（系统数据自 ${o.dataFrom} 起）` : ''}。${closing}`;
			const parts: string[] = [`${period}共受理群众诉求 ${fmtInt(o.received)} 件${since}${(o.dataDays ?? f.days) > 1 ? `，日均 ${fmtInt(o.dailyMean)} 件` : ''}`];
			// a period ending on the day of the figures is compared at the same progress (as the overview does)
			if (o.previous.change !== null) parts.push(trend(`上期${f.to === f.asOf ? '（按同等进度折算）' : ''}`, o.previous.change));
			if (o.normal.change !== null && o.normal.days > 0) parts.push(trend('同类日常态', o.normal.change));
			let text = `${parts.join('，')}。`;
			const cats = o.categories.slice(0, 3);
			if (cats.length) text += `诉求主要集中在${list(cats.map((c) => `${c.name}（${fmtInt(c.count)} 件，占 ${fmtPct(c.share)}）`))}。`;
			const rates: string[] = [];
			if (o.signRate !== null) rates.push(`签收及时率 ${fmtPct(o.signRate)}`);
			if (o.replyRate !== null) rates.push(`办结及时率 ${fmtPct(o.replyRate)}`);
			if (o.satisfactionRate !== null) rates.push(`满意率 ${fmtPct(o.satisfactionRate)}`);
			if (rates.length) text += `${rates.join('，')}；`;
			return text + closing;
		}
		case 'topics': {
			const rows = f.topics.rows;
			if (!rows.length) {
				if (!f.topics.asOf) return '话题聚类尚未完成，暂无话题数据。';
				// the latest run covers days after the period: it says nothing of it
				if (!f.topics.window) return `最近一次话题聚类未覆盖${when}，暂无${when}的话题数据。`;
				return `${when}范围内没有形成明显的话题。`;
			}
			const named = (t: (typeof rows)[number]) => `“${t.label}”（${fmtInt(t.size)} 件${t.isNew ? '，新出现' : t.growth !== null ? `，${trend('前期', t.growth)}` : ''}）`;
			// the latest topic run may cover less than the period (a month of a year): its counts are of those days
			const since = f.topics.window?.clipped ? `（话题按 ${f.topics.window.from} 起的工单统计）` : '';
			let text = `${when}${since}诉求量最大的话题为${list(rows.slice(0, 3).map(named))}。`;
			// the fast-growing ones: 其中 those just named, 此外 (with their figures) those after them
			const fast = rows.map((t, i) => ({ t, i })).filter(({ t }) => risingFast(t)).slice(0, 2);
			const among = fast.filter(({ i }) => i < 3).map(({ t }) => `“${t.label}”`);
			const beyond = fast.filter(({ i }) => i >= 3).map(({ t }) => named(t));
			if (among.length) text += `其中${list(among)}增长较快`;
			if (beyond.length) text += `${among.length ? '；' : ''}此外，${list(beyond)}${among.length ? '也' : ''}增长较快`;
			return fast.length ? `${text}，建议关注。` : text;
		}
		case 'rising': {
			const r = f.rising;
			const scope = r.cityWide ? '全市' : '';
			if (r.compared === false) return `基期（${r.baselineFrom} 至 ${addDays(r.from, -1)}）没有工单数据，无法比较${when}诉求用词的变化。`;
			if (!r.rows.length && !r.newTerms.length) return `${when}${scope}诉求用词与前期相比没有统计显著的变化。`;
			let text = '';
			// a new term is said to be new, not also to have grown
			const isNew = new Set(r.newTerms.map((t) => t.term));
			const grown = r.rows.filter((t) => !isNew.has(t.term));
			if (grown.length) text += `与前期相比，${scope}诉求中${list(grown.slice(0, 5).map((t) => `“${t.term}”`))}等词语明显增多`;
			if (r.newTerms.length) text += `${text ? '；' : ''}${list(r.newTerms.slice(0, 3).map((t) => `“${t.term}”`))}为${when}新出现的词语`;
			return `${text}，可能反映新的诉求热点。`;
		}
		case 'hotspots': {
			const h = f.hotspots;
			const level = h.level === 'street' ? '街道（镇）' : '区县';
			// no place with history enough to be tested (the start of the data): nothing was compared
			if (!h.rows.length && h.tested === 0) return `各${level}此前的数据不足，${when}未做热点检验。`;
			if (!h.rows.length) return `${when}各${level}诉求量均在各自的历史常态范围内，没有统计显著的热点。`;
			const rows = h.rows.slice(0, 3).map((p) => `${p.name}（${fmtInt(p.count)} 件${p.change !== null ? `，${trend('预期', p.change)}` : ''}）`);
			return `${when}有 ${h.rows.length} 个${level}的诉求量显著高于其历史常态：${list(rows)}${h.rows.length > rows.length ? '等' : ''}，建议相关单位关注。`;
		}
		case 'alerts': {
			const a = f.alerts;
			if (!a.total) return `${when}未发生突发事件聚集预警。`;
			const rows = a.rows.slice(0, 3).map((x) => `${x.title}（${x.severity}，${x.status}）`);
			// 为 the one, 分别为 all of a few, 主要为 … 等 the first of more
			const all = a.total <= rows.length;
			return `${when}共有 ${fmtInt(a.total)} 条突发事件聚集预警，${a.total === 1 ? '为' : all ? '分别为' : '主要为'}${list(rows)}${all ? '' : '等'}。`;
		}
		case 'units': {
			const u = f.units;
			if (!u.top.length) return `${when}承办轮次达到 ${u.minRounds} 轮的单位不足，暂不排名。`;
			if (u.scored === 1) return `${when}仅 1 个单位达到排名条件（承办轮次达到 ${u.minRounds} 轮）：${u.top[0].name}（${fmtScore(u.top[0].score)} 分）。`;
			let text = `${when}共 ${fmtInt(u.scored)} 个单位参与考核排名，得分靠前的是${list(u.top.slice(0, 3).map((x) => `${x.name}（${fmtScore(x.score)} 分）`))}`;
			if (u.bottom.length) text += `；得分靠后的是${list(u.bottom.slice(0, 3).map((x) => `${x.name}（${fmtScore(x.score)} 分）`))}，建议督促改进`;
			return `${text}。`;
		}
		case 'tickets': {
			const n = f.tickets.rows.length;
			if (!n) return `${when}没有可列举的典型诉求。`;
			return `以下 ${n} 件为${when}主要话题或类别中较有代表性的诉求（已去除个人信息），供参考。`;
		}
	}
}
