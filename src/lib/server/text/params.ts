// Filters of the text screens from the URL (shareable, survive reload), checked against the reference data:
// an unknown code is a clear message, never an empty result or a 500.
import { isDay } from '$pipelines/calendar/index';
import type { Reference } from '$pipelines/reference/index';
import { CHANNELS, TICKET_TYPES } from '$pipelines/lifecycle/model';
import { isFactFlag } from '$pipelines/ingest/flags';
import { UNPLACED } from '$lib/filter-url';
import type { SearchQuery } from './search';

export interface ParsedParams {
	query: SearchQuery;
	/** messages for the user, one per refused parameter (the parameter is then ignored) */
	problems: string[];
}


/** The last page a search shows (500 pages of 20: 10,000 hits; the export has the newest 50,000, SEARCH_EXPORT_LIMIT). */
export const MAX_PAGE = 500;

export function parseSearchParams(sp: URLSearchParams, ref: Reference): ParsedParams {
	const problems: string[] = [];
	const get = (k: string) => sp.get(k)?.trim() || null;
	// at most 200 characters (code points: a cut inside a surrogate pair would leave half a character)
	const query: SearchQuery = { q: [...(sp.get('q') ?? '')].slice(0, 200).join(''), exact: sp.get('exact') === '1' };
	for (const k of ['from', 'to'] as const) {
		const v = get(k);
		if (v && !isDay(v)) problems.push(`日期「${v}」无效，应为 年-月-日（如 2026-11-01）`);
		else query[k] = v;
	}
	if (query.from && query.to && query.from > query.to) {
		problems.push(`起始日期 ${query.from} 晚于结束日期 ${query.to}，已忽略日期条件`);
		query.from = query.to = null;
	}
	const district = get('district');
	if (district && district !== UNPLACED && !ref.districtByCode.has(district)) problems.push(`未知的区县代码「${district}」`);
	else query.district = district;
	const street = get('street');
	const s = street ? ref.streetByCode.get(street) : undefined;
	// none of a district's streets: only with a district (placed in no district at all is district=none)
	if (street === UNPLACED) {
		if (query.district && query.district !== UNPLACED) query.street = street;
		else problems.push('「未定位到街道（镇）」须同时选择区县，已忽略街道（镇）条件');
	} else if (street && !s) problems.push(`未知的街道（镇）代码「${street}」`);
	else if (s && query.district === UNPLACED) problems.push(`已选择「未定位到区县」的工单，已忽略街道（镇）条件「${s.name}」`);
	else if (s && query.district && s.districtCode !== query.district) {
		const d = ref.districtByCode.get(query.district)!;
		problems.push(`街道（镇）「${s.name}」不属于区县「${d.name}」，已忽略街道（镇）条件`);
	} else query.street = street;
	const category = get('category');
	if (category && !ref.categoryByCode.has(category)) problems.push(`未知的分类代码「${category}」`);
	else query.category = category;
	const channel = get('channel');
	if (channel && !(CHANNELS as readonly string[]).includes(channel)) problems.push(`未知的渠道「${channel}」`);
	else query.channel = channel;
	const type = get('type');
	if (type && !(TICKET_TYPES as readonly string[]).includes(type)) problems.push(`未知的诉求性质「${type}」`);
	else query.type = type;
	const flag = get('flag');
	if (flag && !isFactFlag(flag)) problems.push(`未知的数据质量标记「${flag}」`);
	else query.flag = flag;
	const pageText = get('page');
	const page = Number(pageText ?? 1);
	if (Number.isInteger(page) && page >= 1 && page <= MAX_PAGE) query.page = page;
	else {
		query.page = 1;
		problems.push(`页码「${pageText}」无效（1–${MAX_PAGE}），已显示第 1 页`);
	}
	return { query, problems };
}
