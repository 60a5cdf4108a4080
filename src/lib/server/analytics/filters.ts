// Filters of the situation screens, from the URL (shareable, survive reload): period, district, category,
// channel, type. Checked against the reference data; an unknown value is a named problem (shown in Chinese and
// answered 400 by the API), never an empty chart or a 500.
import { addDays, dayNumber, isDay, shanghaiDay } from '$pipelines/calendar/index';
import { CHANNEL_LABELS, CHANNELS, TICKET_TYPES } from '$pipelines/lifecycle/model';
import type { Reference } from '$pipelines/reference/index';
import type { Dim } from '$pipelines/warehouse/rollups';
import type { DashboardFilter, PeriodKey } from '../../types';
import { filterOptions as searchFilterOptions, type FilterOptions as SearchFilterOptions } from '../text/options';
import type { SqlParams } from './sql';

export const PERIODS: { key: PeriodKey; label: string; days: number }[] = [
	{ key: 'today', label: '今日', days: 1 },
	{ key: '7d', label: '近7天', days: 7 },
	{ key: '30d', label: '近30天', days: 30 },
	{ key: '90d', label: '近90天', days: 90 },
	{ key: '365d', label: '近一年', days: 365 }
];

/**
 * The earliest day a period may start on. The reads compare a period with the periods before it (the same length
 * again for 较上期, eight times for the map's hotspots), so a start centuries back would reach dates no engine
 * formats (before year 1): it is refused with a message instead of failing the read.
 */
export const EARLIEST_DAY = '2000-01-01';

export interface ParsedFilter {
	filter: DashboardFilter;
	/** one message per refused parameter, in Chinese, with what the screen shows instead; the parameter is then ignored */
	problems: string[];
	/**
	 * the same for an answer that shows nothing instead (the JSON API's 400, an export refused): what is wrong, naming
	 * the URL parameter and its value, and the values it takes — never what a screen shows instead
	 */
	refusals: string[];
}

/**
 * The problems of a filter and its refusals, told together. `param`: the URL parameter(s) at fault, named in the
 * refusal; `refused`: what is wrong with the value; `hint`: what it may be; `instead`: what the screen shows instead
 * (the screen's message only); `shown`: the screen's whole message, when it says something else.
 */
function problemList() {
	const problems: string[] = [];
	const refusals: string[] = [];
	const say = (param: string, refused: string, o: { hint?: string; instead?: string; shown?: string } = {}) => {
		problems.push(o.shown ?? [refused, o.hint, o.instead].filter(Boolean).join('，'));
		refusals.push(`${refused}（参数 ${param}）${o.hint ? `，${o.hint}` : ''}`);
	};
	return { problems, refusals, say };
}

export function parseDashboardFilter(sp: URLSearchParams, ref: Reference, now: number, defaultPeriod: PeriodKey = '30d'): ParsedFilter {
	const { problems, refusals, say } = problemList();
	const get = (k: string) => sp.get(k)?.trim() || null;
	const today = shanghaiDay(now);
	let period = PERIODS.find((p) => p.key === defaultPeriod)!;
	let from = addDays(today, -(period.days - 1));
	let to = today;
	let periodKey: PeriodKey = period.key;
	let periodLabel = period.label;

	const pk = get('period');
	const f = get('from');
	const t = get('to');
	// the period: its length also counts back from a given end day
	if (pk) {
		const p = PERIODS.find((x) => x.key === pk);
		if (!p) say('period', `未知的时段「${pk}」`, { hint: `可选：${PERIODS.map((x) => `${x.key}（${x.label}）`).join('、')}` });
		else {
			period = p;
			periodKey = p.key;
			periodLabel = p.label;
			from = addDays(today, -(p.days - 1));
		}
	}
	if (f || t) {
		const bad = (['from', 'to'] as const).filter((k) => { const x = k === 'from' ? f : t; return x && !isDay(x); });
		const instead = `已按${period.label}统计`;
		const which = f ? 'from' : 'to';
		if (bad.length)
			say(bad.join('、'), `日期「${bad.map((k) => (k === 'from' ? f : t)).join('、')}」无效`, { hint: '应为 年-月-日（如 2026-11-01）', instead });
		else if (f && t && f > t) say('from、to', `起始日期 ${f} 晚于结束日期 ${t}`, { instead });
		else if ((f ?? t)! > today) say(which, `日期 ${f ?? t} 晚于今天`, { instead });
		else if ((f ?? t)! < EARLIEST_DAY) say(which, `日期 ${f ?? t} 早于 ${EARLIEST_DAY}`, { hint: '超出可统计的范围', instead });
		else {
			// a start day makes the period (the time span given with it is not used, and that is said); an end day
			// alone ends a period of the chosen (or the screen's) length
			if (f && pk && period.key === pk)
				say('from、period', `起始日期与时段「${period.label}」不能同时给出`, { shown: `已按起止日期统计，时段「${period.label}」未使用` });
			from = f ?? addDays(t!, -(period.days - 1));
			to = t && t < today ? t : today;
			periodKey = 'custom';
			periodLabel = `${from} 至 ${to}`;
		}
	}

	const filter: DashboardFilter = { period: periodKey, periodLabel, from, to, district: null, category: null, categoryLevel: null, channel: null, type: null };
	const scope = parsePlaceCategory(sp, ref);
	problems.push(...scope.problems);
	refusals.push(...scope.refusals);
	filter.district = scope.district;
	filter.category = scope.category;
	filter.categoryLevel = scope.categoryLevel;
	const channel = get('channel');
	if (channel) {
		// the code, or its label as people write it (电话 for phone)
		const code = (CHANNELS as readonly string[]).includes(channel) ? channel : CHANNELS.find((c) => CHANNEL_LABELS[c] === channel);
		if (code) filter.channel = code;
		else say('channel', `未知的渠道「${channel}」`, { hint: `可选：${CHANNELS.map((c) => `${c}（${CHANNEL_LABELS[c]}）`).join('、')}` });
	}
	const type = get('type');
	if (type) {
		if ((TICKET_TYPES as readonly string[]).includes(type)) filter.type = type;
		else say('type', `未知的诉求性质「${type}」`, { hint: `可选：${TICKET_TYPES.join('、')}` });
	}
	return { filter, problems, refusals };
}

/**
 * The district and category of a URL (the situation screens' and the alert queue's), checked against the reference:
 * an unknown code is a named problem and left out; a level-3 category is taken at its level-2 parent.
 */
export function parsePlaceCategory(
	sp: URLSearchParams,
	ref: Reference,
	/** what counts by level-1 and level-2 categories, for the message about a level-3 one */
	what = '态势页面'
): Pick<DashboardFilter, 'district' | 'category' | 'categoryLevel'> & { problems: string[]; refusals: string[] } {
	const { problems, refusals, say } = problemList();
	const out: Pick<DashboardFilter, 'district' | 'category' | 'categoryLevel'> = { district: null, category: null, categoryLevel: null };
	const district = sp.get('district')?.trim();
	if (district) {
		if (ref.districtByCode.has(district)) out.district = district;
		else say('district', `未知的区县代码「${district}」`, { instead: '已显示全市' });
	}
	const category = sp.get('category')?.trim();
	if (category) {
		const c = ref.categoryByCode.get(category);
		if (!c) say('category', `未知的分类代码「${category}」`, { instead: '已显示全部分类' });
		else if (c.level === 3) {
			const parent = `「${ref.categoryByCode.get(c.parent!)?.name ?? c.parent}」`;
			say('category', `「${c.name}」（${c.code}）是三级分类`, {
				hint: `${what}按一、二级分类统计，可用其上级分类${parent}（${c.parent}）`,
				shown: `${what}按一、二级分类统计；「${c.name}」已按其上级分类${parent}显示`
			});
			out.category = c.parent;
			out.categoryLevel = 2;
		} else {
			out.category = c.code;
			out.categoryLevel = c.level;
		}
	}
	return { ...out, problems, refusals };
}

/**
 * What a filter narrows to, named as the filter bar names it: the district, the category, the channel (电话 for
 * phone) and the type; empty for the whole city. (The period is `periodText`'s.)
 */
export function filterNames(f: Pick<DashboardFilter, 'district' | 'category' | 'channel' | 'type'>, ref: Reference): string[] {
	return [
		f.district && (ref.districtByCode.get(f.district)?.name ?? f.district),
		f.category && (ref.categoryByCode.get(f.category)?.name ?? f.category),
		f.channel && (CHANNEL_LABELS[f.channel as keyof typeof CHANNEL_LABELS] ?? f.channel),
		f.type
	].filter((x): x is string => !!x);
}

/** Length of the filter's period in days. */
export function periodDays(f: Pick<DashboardFilter, 'from' | 'to'>): number {
	return dayNumber(f.to) - dayNumber(f.from) + 1;
}

export { filterQuery } from '../../filter-url';

/** The dimensions a filter restricts (besides day). */
export function filterDims(f: DashboardFilter): Dim[] {
	const dims: Dim[] = [];
	if (f.district) dims.push('district_code');
	if (f.category) dims.push(f.categoryLevel === 1 ? 'category_l1' : 'category_l2');
	if (f.channel) dims.push('channel');
	if (f.type) dims.push('type');
	return dims;
}

/** SQL conditions (AND-ed, leading " AND ") and parameters for the filter's dimensions (not the period), on table `alias` if given. */
export function filterWhere(f: DashboardFilter, omit: Dim[] = [], alias = ''): { sql: string; params: SqlParams } {
	const parts: string[] = [];
	const params: SqlParams = {};
	const add = (dim: Dim, value: string | null) => {
		if (!value || omit.includes(dim)) return;
		parts.push(`${alias ? `${alias}.` : ''}${dim} = $f_${dim}`);
		params[`f_${dim}`] = value;
	};
	add('district_code', f.district);
	add(f.categoryLevel === 1 ? 'category_l1' : 'category_l2', f.category);
	add('channel', f.channel);
	add('type', f.type);
	return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}

export type FilterOptions = SearchFilterOptions & { periods: { key: string; label: string }[] };

/** What the filter bar offers, in the reference's order. */
export function filterOptions(ref: Reference, f: DashboardFilter): FilterOptions {
	const l1 = f.category ? (f.categoryLevel === 1 ? f.category : ref.categoryByCode.get(f.category)?.parent ?? null) : null;
	const categories: FilterOptions['categories'] = [];
	for (const c of ref.categories) {
		if (c.level === 1) categories.push({ code: c.code, name: c.name, level: 1 });
		if (c.level === 1 && c.code === l1) for (const s of ref.categories) if (s.level === 2 && s.parent === c.code) categories.push({ code: s.code, name: `　${s.name}`, level: 2 });
	}
	// districts, channels and types as the search page offers them; categories narrowed to the chosen branch
	return { ...searchFilterOptions(ref), periods: PERIODS.map(({ key, label }) => ({ key, label })), categories };
}
