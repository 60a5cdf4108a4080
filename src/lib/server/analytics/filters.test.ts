import { describe, expect, it } from 'vitest';
import { loadReference } from '$pipelines/reference/index';
import type { DashboardFilter } from '$lib/types';
import { TICKET_TYPES } from '$pipelines/lifecycle/model';
import { filterDims, filterNames, filterOptions, filterQuery, filterWhere, parseDashboardFilter, periodDays, PERIODS } from './filters';

const ref = loadReference();
// 2026-11-28 10:00 in Shanghai (02:00 UTC)
const NOW = Date.parse('2026-11-28T10:00:00+08:00');
const parse = (q: string, now = NOW, def?: Parameters<typeof parseDashboardFilter>[3]) =>
	parseDashboardFilter(new URLSearchParams(q), ref, now, def);

const district = ref.districts[0];
const l1 = ref.categories.find((c) => c.level === 1)!;
const l2 = ref.categories.find((c) => c.level === 2 && c.parent === l1.code)!;
const l3 = ref.categories.find((c) => c.level === 3 && c.parent === l2.code)!;

const base: DashboardFilter = {
	period: '30d',
	periodLabel: '近30天',
	from: '2026-10-30',
	to: '2026-11-28',
	district: null,
	category: null,
	categoryLevel: null,
	channel: null,
	type: null
};

describe('the reference data used', () => {
	it('has districts and a three-level category chain', () => {
		expect(district).toBeDefined();
		expect(l3.parent).toBe(l2.code);
		expect(l2.parent).toBe(l1.code);
	});
});

describe('parseDashboardFilter: period', () => {
	it('defaults to the last 30 days ending today (Asia/Shanghai)', () => {
		expect(parse('')).toEqual({ filter: base, problems: [], refusals: [] });
		// 01:00 in Shanghai is still the previous day in UTC; the Shanghai day counts
		const early = parse('', Date.parse('2026-11-28T01:00:00+08:00')).filter;
		expect(early.to).toBe('2026-11-28');
		expect(early.from).toBe('2026-10-30');
		// 23:30 in Shanghai on the 27th
		expect(parse('', Date.parse('2026-11-27T23:30:00+08:00')).filter.to).toBe('2026-11-27');
	});

	it('takes another default period', () => {
		const { filter } = parse('', NOW, '7d');
		expect(filter.period).toBe('7d');
		expect(filter.periodLabel).toBe('近7天');
		expect(filter.from).toBe('2026-11-22');
	});

	it('gives each period key its days, ending today', () => {
		const expected: Record<string, string> = {
			today: '2026-11-28',
			'7d': '2026-11-22', // 22 … 28
			'30d': '2026-10-30', // 2 days of October + 28 of November
			'90d': '2026-08-31', // 1 + 30 + 31 + 28
			'365d': '2025-11-29' // 2026 is no leap year
		};
		for (const p of PERIODS) {
			const { filter, problems } = parse(`period=${p.key}`);
			expect(problems).toEqual([]);
			expect(filter.period).toBe(p.key);
			expect(filter.periodLabel).toBe(p.label);
			expect(filter.to).toBe('2026-11-28');
			expect(filter.from).toBe(expected[p.key]);
			expect(periodDays(filter)).toBe(p.days);
		}
	});

	it('refuses an unknown period and keeps the default', () => {
		const { filter, problems } = parse('period=week');
		expect(filter).toEqual(base);
		expect(problems).toHaveLength(1);
		expect(problems[0]).toContain('未知的时段「week」');
		expect(problems[0]).toContain('7d（近7天）');
	});

	it('takes custom from and to', () => {
		expect(parse('from=2026-11-01&to=2026-11-10')).toEqual({
			filter: {
				...base,
				period: 'custom',
				periodLabel: '2026-11-01 至 2026-11-10',
				from: '2026-11-01',
				to: '2026-11-10'
			},
			problems: [],
			refusals: []
		});
		// from alone: up to today
		const fromOnly = parse('from=2026-11-01').filter;
		expect([fromOnly.period, fromOnly.from, fromOnly.to]).toEqual(['custom', '2026-11-01', '2026-11-28']);
		// to alone: the default period's length ending there (30 days: 10-12 … 11-10)
		const toOnly = parse('to=2026-11-10').filter;
		expect([toOnly.period, toOnly.from, toOnly.to]).toEqual(['custom', '2026-10-12', '2026-11-10']);
		// a `to` after today is cut to today
		expect(parse('from=2026-11-01&to=2026-12-31').filter.to).toBe('2026-11-28');
		// from and to win over period, and the unused period is named (it was dropped silently)
		const both = parse('period=7d&from=2026-11-01&to=2026-11-10');
		expect(both.filter.period).toBe('custom');
		expect(both.problems).toEqual(['已按起止日期统计，时段「近7天」未使用']);
		// to with a period: that period's length ending there (the default's before, on the overview 30 days)
		const toWeek = parse('period=7d&to=2026-11-20');
		expect([toWeek.filter.from, toWeek.filter.to, toWeek.problems]).toEqual(['2026-11-14', '2026-11-20', []]);
		// an unknown period beside an end day is named too
		expect(parse('period=bogus&to=2026-11-20').problems[0]).toMatch(/^未知的时段「bogus」/);
		// a single day
		expect(periodDays(parse('from=2026-11-05&to=2026-11-05').filter)).toBe(1);
	});

	it('refuses invalid dates with a Chinese problem and the default period', () => {
		for (const q of ['from=2026-02-30', 'from=2026-13-01&to=2026-11-10', 'to=abc', 'from=2026-1-5']) {
			const { filter, problems } = parse(q);
			expect(filter).toEqual(base);
			expect(problems).toHaveLength(1);
			expect(problems[0]).toMatch(/^日期「.+」无效，应为 年-月-日/);
			expect(problems[0]).toContain('已按近30天统计');
		}
		expect(parse('from=2026-02-30&to=abc').problems[0]).toContain('「2026-02-30、abc」');
		// the default period named is the one given
		expect(parse('from=xx', NOW, '7d').problems[0]).toContain('已按近7天统计');
	});

	it('refuses from after to', () => {
		const { filter, problems } = parse('from=2026-11-10&to=2026-11-01');
		expect(filter).toEqual(base);
		expect(problems).toEqual(['起始日期 2026-11-10 晚于结束日期 2026-11-01，已按近30天统计']);
	});

	it('refuses a start after today', () => {
		const { filter, problems } = parse('from=2026-11-29');
		expect(filter).toEqual(base);
		expect(problems).toEqual(['日期 2026-11-29 晚于今天，已按近30天统计']);
		expect(parse('to=2026-12-01').problems).toEqual(['日期 2026-12-01 晚于今天，已按近30天统计']);
		// today itself is fine
		expect(parse('from=2026-11-28').problems).toEqual([]);
	});
});

describe('parseDashboardFilter: a very early start', () => {
	it('refuses a day before 2000-01-01 with a Chinese problem and the default period', () => {
		for (const [q, day] of [
			['from=0001-01-01&to=2026-11-20', '0001-01-01'],
			['from=1012-05-01', '1012-05-01'],
			['from=1999-12-31&to=2000-01-05', '1999-12-31'],
			['to=0005-01-01', '0005-01-01']
		]) {
			const { filter, problems } = parse(q);
			expect(filter, q).toEqual(base);
			expect(problems, q).toEqual([`日期 ${day} 早于 2000-01-01，超出可统计的范围，已按近30天统计`]);
		}
		expect(parse('from=2000-01-01&to=2026-11-20').problems).toEqual([]);
	});
});

describe('parseDashboardFilter: dimensions', () => {
	it('takes known values', () => {
		const { filter, problems } = parse(`district=${district.code}&channel=phone&type=投诉`);
		expect(problems).toEqual([]);
		expect(filter).toEqual({
			...base,
			district: district.code,
			channel: 'phone',
			type: '投诉'
		});
	});

	it('trims values and ignores empty ones', () => {
		expect(parse(`district=%20${district.code}%20&channel=`)).toEqual({
			filter: { ...base, district: district.code },
			problems: [],
			refusals: []
		});
	});

	it('takes a channel by its code or by its label, which the refusal of an unknown one lists with the code', () => {
		expect(parse('channel=phone')).toEqual({ filter: { ...base, channel: 'phone' }, problems: [], refusals: [] });
		expect(parse('channel=电话')).toEqual({ filter: { ...base, channel: 'phone' }, problems: [], refusals: [] });
		expect(parse('channel=微信')).toEqual({ filter: { ...base, channel: 'wechat' }, problems: [], refusals: [] });
		expect(parse('channel=传真').problems[0]).toMatch(/^未知的渠道「传真」，可选：phone（电话）、web（网站）/);
	});

	it('refuses unknown values by name and leaves the filter null', () => {
		const { filter, problems } = parse('district=999999&category=zz&channel=fax&type=闲聊');
		expect(filter).toEqual(base);
		expect(problems).toHaveLength(4);
		expect(problems[0]).toBe('未知的区县代码「999999」，已显示全市');
		expect(problems[1]).toBe('未知的分类代码「zz」，已显示全部分类');
		expect(problems[2]).toBe('未知的渠道「fax」，可选：phone（电话）、web（网站）、app（App）、wechat（微信）、open311（Open311）、feed（数据接入）');
		expect(problems[3]).toContain('未知的诉求性质「闲聊」');
		expect(problems[3]).toContain('投诉');
		// a street code is not a district
		const street = ref.streets[0];
		if (street) expect(parse(`district=${street.code}`).filter.district).toBeNull();
	});

	it('sets the category level of level-1 and level-2 categories', () => {
		expect(parse(`category=${l1.code}`)).toEqual({
			filter: { ...base, category: l1.code, categoryLevel: 1 },
			problems: [],
			refusals: []
		});
		expect(parse(`category=${l2.code}`)).toEqual({
			filter: { ...base, category: l2.code, categoryLevel: 2 },
			problems: [],
			refusals: []
		});
	});

	it('shows a level-3 category as its level-2 parent, with a problem', () => {
		const { filter, problems } = parse(`category=${l3.code}`);
		expect(filter.category).toBe(l2.code);
		expect(filter.categoryLevel).toBe(2);
		expect(problems).toEqual([`态势页面按一、二级分类统计；「${l3.name}」已按其上级分类「${l2.name}」显示`]);
	});

	it('says each refusal also without what the screen shows instead, naming the parameter, for an answer that shows nothing (the API, an export)', () => {
		expect(parse('from=2026-12-10&to=2026-12-01&district=999999&category=zz').refusals).toEqual([
			'起始日期 2026-12-10 晚于结束日期 2026-12-01（参数 from、to）',
			'未知的区县代码「999999」（参数 district）',
			'未知的分类代码「zz」（参数 category）'
		]);
		expect(parse('from=2026-13-01').refusals).toEqual(['日期「2026-13-01」无效（参数 from），应为 年-月-日（如 2026-11-01）']);
		expect(parse('from=2026-11-01&to=x').refusals).toEqual(['日期「x」无效（参数 to），应为 年-月-日（如 2026-11-01）']);
		expect(parse('to=2026-12-01').refusals).toEqual(['日期 2026-12-01 晚于今天（参数 to）']);
		expect(parse('from=1999-12-31').refusals).toEqual(['日期 1999-12-31 早于 2000-01-01（参数 from），超出可统计的范围']);
		expect(parse(`category=${l3.code}`).refusals).toEqual([
			`「${l3.name}」（${l3.code}）是三级分类（参数 category），态势页面按一、二级分类统计，可用其上级分类「${l2.name}」（${l2.code}）`
		]);
		const both = parse('period=7d&from=2026-11-01');
		expect(both.problems).toEqual(['已按起止日期统计，时段「近7天」未使用']);
		expect(both.refusals).toEqual(['起始日期与时段「近7天」不能同时给出（参数 from、period）']);
		// what the screen took: the same words, with the parameter
		const same = parse('period=1y&channel=fax&type=闲聊');
		expect(same.refusals).toEqual([
			`未知的时段「1y」（参数 period），${same.problems[0].slice('未知的时段「1y」，'.length)}`,
			`未知的渠道「fax」（参数 channel），${same.problems[1].slice('未知的渠道「fax」，'.length)}`,
			`未知的诉求性质「闲聊」（参数 type），可选：${TICKET_TYPES.join('、')}`
		]);
		// no refusal says what a screen shows instead
		for (const r of [...same.refusals, ...parse('district=1&category=2&from=x').refusals]) expect(r).not.toMatch(/已显示|已按/);
	});

	it('keeps the good parts of a partly wrong query', () => {
		const { filter, problems } = parse(`period=7d&district=nowhere&channel=web`);
		expect(filter.period).toBe('7d');
		expect(filter.channel).toBe('web');
		expect(filter.district).toBeNull();
		expect(problems).toHaveLength(1);
	});
});

describe('filterWhere', () => {
	const f: DashboardFilter = {
		...base,
		district: '320508',
		category: '01',
		categoryLevel: 1,
		channel: 'phone',
		type: '投诉'
	};

	it('gives no condition for no dimension', () => {
		expect(filterWhere(base)).toEqual({ sql: '', params: {} });
	});

	it('conditions every dimension set, a level-1 category on category_l1', () => {
		expect(filterWhere(f)).toEqual({
			sql: ' AND district_code = $f_district_code AND category_l1 = $f_category_l1 AND channel = $f_channel AND type = $f_type',
			params: {
				f_district_code: '320508',
				f_category_l1: '01',
				f_channel: 'phone',
				f_type: '投诉'
			}
		});
	});

	it('uses category_l2 for a level-2 category', () => {
		expect(filterWhere({ ...base, category: '0101', categoryLevel: 2 })).toEqual({
			sql: ' AND category_l2 = $f_category_l2',
			params: { f_category_l2: '0101' }
		});
	});

	it('leaves out the omitted dimensions', () => {
		expect(filterWhere(f, ['district_code', 'type'])).toEqual({
			sql: ' AND category_l1 = $f_category_l1 AND channel = $f_channel',
			params: { f_category_l1: '01', f_channel: 'phone' }
		});
		// omitting the other category level changes nothing
		expect(filterWhere({ ...base, category: '01', categoryLevel: 1 }, ['category_l2']).params).toEqual({ f_category_l1: '01' });
	});
});

describe('filterDims', () => {
	it('lists the dimensions a filter restricts', () => {
		expect(filterDims(base)).toEqual([]);
		expect(
			filterDims({
				...base,
				district: '320508',
				category: '01',
				categoryLevel: 1,
				channel: 'app',
				type: '咨询'
			})
		).toEqual(['district_code', 'category_l1', 'channel', 'type']);
		expect(filterDims({ ...base, category: '0101', categoryLevel: 2 })).toEqual(['category_l2']);
	});
});

describe('periodDays', () => {
	it('counts both ends', () => {
		expect(periodDays({ from: '2026-11-01', to: '2026-11-30' })).toBe(30);
		expect(periodDays({ from: '2026-11-28', to: '2026-11-28' })).toBe(1);
		expect(periodDays({ from: '2024-02-28', to: '2024-03-01' })).toBe(3); // leap day
		expect(periodDays({ from: '2025-12-31', to: '2026-01-01' })).toBe(2);
	});
});

describe('filterQuery', () => {
	it('round-trips through parseDashboardFilter', () => {
		const filters: DashboardFilter[] = [
			base,
			parse('period=today').filter,
			parse(`period=90d&district=${district.code}&category=${l1.code}&channel=wechat&type=求助`).filter,
			parse(`from=2026-11-01&to=2026-11-10&category=${l2.code}`).filter,
			parse(`from=2026-01-01&type=表扬`).filter
		];
		for (const f of filters) {
			const again = parse(filterQuery(f));
			expect(again.problems).toEqual([]);
			expect(again.filter).toEqual(f);
		}
	});

	it('writes a period or from/to, never both', () => {
		expect(filterQuery(parse('period=7d&channel=web').filter)).toBe('period=7d&channel=web');
		expect(filterQuery(parse('from=2026-11-01&to=2026-11-10').filter)).toBe('from=2026-11-01&to=2026-11-10');
		expect(filterQuery(base, { channel: 'app', period: null })).toBe('channel=app');
	});
});

describe('filterOptions', () => {
	const level1 = ref.categories.filter((c) => c.level === 1);
	const childrenOf = (code: string) => ref.categories.filter((c) => c.level === 2 && c.parent === code);

	it('offers periods, districts, channels and types', () => {
		const o = filterOptions(ref, base);
		expect(o.periods.map((p) => p.key)).toEqual(['today', '7d', '30d', '90d', '365d']);
		expect(o.districts).toEqual(ref.districts.map((d) => ({ code: d.code, name: d.name })));
		expect(o.channels.find((c) => c.code === 'phone')).toEqual({
			code: 'phone',
			name: '电话'
		});
		expect(o.channels).toHaveLength(6);
		expect(o.types).toEqual(['咨询', '求助', '投诉', '举报', '建议', '表扬']);
	});

	it('lists only level-1 categories without a category chosen', () => {
		const o = filterOptions(ref, base);
		expect(o.categories).toEqual(level1.map((c) => ({ code: c.code, name: c.name, level: 1 })));
	});

	it('lists the level-2 categories of the chosen level-1 category right after it', () => {
		const o = filterOptions(ref, {
			...base,
			category: l1.code,
			categoryLevel: 1
		});
		const kids = childrenOf(l1.code);
		expect(kids.length).toBeGreaterThan(0);
		expect(o.categories).toHaveLength(level1.length + kids.length);
		const at = o.categories.findIndex((c) => c.code === l1.code);
		expect(o.categories.slice(at + 1, at + 1 + kids.length)).toEqual(kids.map((c) => ({ code: c.code, name: `　${c.name}`, level: 2 })));
		// no level-2 category of another level-1 one
		for (const c of o.categories) if (c.level === 2) expect(ref.categoryByCode.get(c.code)!.parent).toBe(l1.code);
	});

	it('lists the siblings of a chosen level-2 category', () => {
		expect(filterOptions(ref, { ...base, category: l2.code, categoryLevel: 2 }).categories).toEqual(
			filterOptions(ref, { ...base, category: l1.code, categoryLevel: 1 }).categories
		);
	});
});

describe('filterNames', () => {
	it('names the district, category, channel and type as the filter bar does, nothing for the whole city', () => {
		expect(filterNames(base, ref)).toEqual([]);
		expect(filterNames({ ...base, district: district.code, category: l2.code, channel: 'phone', type: '投诉' }, ref)).toEqual([district.name, l2.name, '电话', '投诉']);
		expect(filterNames({ ...base, channel: 'wechat' }, ref)).toEqual(['微信']);
	});
});
