// The drafts: plain Chinese sentences that carry the figures, for each section and when there is nothing to say.
import { describe, expect, it } from 'vitest';
import { SECTION_KEYS, sectionTables } from '$lib/briefings';
import { draftText, periodWord } from './draft';
import { sampleFigures } from './testing';

describe('draft texts', () => {
	it('states the overview numbers with their changes', () => {
		const t = draftText('overview', sampleFigures(), 'weekly');
		expect(t).toContain('本周（2026-11-23 至 2026-11-29）苏州市共受理群众诉求 12,345 件，日均 1,764 件');
		// 12345 / 11410 − 1 = 8.19 %, 12345 / 11800 − 1 = 4.62 %
		expect(t).toContain('较上期上升 8.2%');
		expect(t).toContain('较同类日常态上升 4.6%');
		expect(t).toContain('城市管理（3,100 件，占 25.1%）');
		expect(t).toContain('截至 2026-11-30，在办 2,310 件，其中超时 87 件。');
	});

	it('says a fall, and leaves out what cannot be compared', () => {
		const f = sampleFigures();
		f.overview.previous.change = -0.031;
		f.overview.normal.change = null;
		const t = draftText('overview', f, 'monthly');
		expect(t.startsWith('本月')).toBe(true);
		expect(t).toContain('较上期下降 3.1%');
		expect(t).not.toContain('常态');
	});

	it('names topics, rising terms, hotspots, alerts and units from the figures', () => {
		const f = sampleFigures();
		expect(draftText('topics', f, 'weekly')).toContain('“噪音 · 施工 · 夜间”（420 件，较前期上升 45.0%）');
		expect(draftText('topics', f, 'weekly')).toContain('增长较快');
		expect(draftText('rising', f, 'weekly')).toContain('“供暖”');
		expect(draftText('rising', f, 'weekly')).toContain('“地铁8号线”为本周新出现的词语');
		expect(draftText('hotspots', f, 'weekly')).toContain('有 1 个区县的诉求量显著高于其历史常态：吴中区（1,900 件，较预期上升 26.7%）');
		expect(draftText('alerts', f, 'weekly')).toContain('共有 1 条突发事件聚集预警');
		expect(draftText('units', f, 'weekly')).toContain('苏州市姑苏区人民政府（92.4 分）');
		expect(draftText('units', f, 'weekly')).toContain('苏州市某局（61.2 分）');
	});

	it('says plainly when a section has nothing', () => {
		const f = sampleFigures();
		f.topics = { asOf: null, window: null, rows: [] };
		f.rising.rows = [];
		f.rising.newTerms = [];
		f.hotspots.rows = [];
		f.alerts = { total: 0, rows: [] };
		f.units.top = [];
		f.units.bottom = [];
		f.tickets.rows = [];
		expect(draftText('topics', f, 'special')).toBe('话题聚类尚未完成，暂无话题数据。');
		expect(draftText('rising', f, 'special')).toContain('没有统计显著的变化');
		expect(draftText('hotspots', f, 'special')).toContain('没有统计显著的热点');
		expect(draftText('alerts', f, 'special')).toBe('本期未发生突发事件聚集预警。');
		expect(draftText('units', f, 'special')).toContain('暂不排名');
		expect(draftText('tickets', f, 'special')).toBe('本期没有可列举的典型诉求。');
	});

	it('links each listed ticket’s number to its 工单档案 on the screen, row by row', () => {
		const f = sampleFigures();
		const [t] = sectionTables('tickets', f);
		expect(t.rows.length).toBeGreaterThan(0);
		expect(t.links).toEqual({ column: 0, hrefs: t.rows.map((r) => `/search/${r[0]}`) });
		expect(t.rows.map((r) => r[0])).toEqual(f.tickets.rows.map((r) => r.ticketNo));
		// the other sections' tables link nothing
		expect(sectionTables('topics', f)[0].links).toBeUndefined();
	});

	it('names a single ranked unit as the only one, not as the first of those ahead', () => {
		const f = sampleFigures();
		f.units.scored = 1;
		f.units.bottom = [];
		expect(draftText('units', f, 'weekly')).toBe('本周仅 1 个单位达到排名条件（承办轮次达到 10 轮）：苏州市姑苏区人民政府（92.4 分）。');
	});

	it('writes a topic more than doubled as the multiple of the period before, not a four-digit percentage', () => {
		const f = sampleFigures();
		f.topics.rows = [{ label: '台风 · 倒伏', size: 60, growth: 60 / 3.9 - 1 }];
		const t = draftText('topics', f, 'weekly');
		expect(t).toContain('“台风 · 倒伏”（60 件，为前期的 15.4 倍）');
		expect(t).not.toContain('%');
	});

	it('says 新出现 of a topic none of whose tickets came in the period before, and counts it among the fast-growing', () => {
		const f = sampleFigures();
		f.topics.rows = [
			{ label: '甲', size: 100, growth: -0.1 },
			{ label: '乙', size: 40, growth: null, isNew: true }
		];
		expect(draftText('topics', f, 'weekly')).toBe('本周诉求量最大的话题为“甲”（100 件，较前期下降 10.0%）、“乙”（40 件，新出现）。其中“乙”增长较快，建议关注。');
		expect(sectionTables('topics', f)[0].rows.map((r) => r[3])).toEqual(['−10.0%', '新出现']);
	});

	it('says 此外 for fast-growing topics beyond the three named, 其中 for those among them', () => {
		const f = sampleFigures();
		f.topics.rows = [
			{ label: '甲', size: 100, growth: 0.5 },
			{ label: '乙', size: 90, growth: -0.2 },
			{ label: '丙', size: 80, growth: 0 },
			{ label: '丁', size: 70, growth: 0.8 }
		];
		const t = draftText('topics', f, 'weekly');
		expect(t).toContain('（80 件，较前期基本持平）。其中“甲”增长较快；此外，“丁”（70 件，较前期上升 80.0%）也增长较快，建议关注。');
		f.topics.rows = f.topics.rows.slice(1);
		expect(draftText('topics', f, 'weekly')).toBe(
			'本周诉求量最大的话题为“乙”（90 件，较前期下降 20.0%）、“丙”（80 件，较前期基本持平）、“丁”（70 件，较前期上升 80.0%）。其中“丁”增长较快，建议关注。'
		);
	});

	it('does not call a term both rising and new', () => {
		const f = sampleFigures();
		f.rising.rows = [
			{ term: '燃气', current: 53, baseline: 80, ratio: 2.7 },
			{ term: '浓烈', current: 7, baseline: 0, ratio: 32.5 }
		];
		f.rising.newTerms = [{ term: '浓烈', current: 7, firstSeen: '2026-11-25' }];
		expect(draftText('rising', f, 'weekly')).toBe('与前期相比，诉求中“燃气”等词语明显增多；“浓烈”为本周新出现的词语，可能反映新的诉求热点。');
		// only new terms
		f.rising.rows = f.rising.rows.slice(1);
		expect(draftText('rising', f, 'weekly')).toBe('“浓烈”为本周新出现的词语，可能反映新的诉求热点。');
	});

	it('says 为 of one alert, 分别为 of all of a few, 主要为 … 等 of some of many, and 等 after the first hotspots of more', () => {
		const f = sampleFigures();
		const alert = f.alerts.rows[0];
		expect(draftText('alerts', f, 'weekly')).toBe('本周共有 1 条突发事件聚集预警，为吴中区 内涝积水 聚集（Ⅲ级（较大），已确认）。');
		f.alerts = { total: 2, rows: [alert, { ...alert, id: 8, title: '甲' }] };
		expect(draftText('alerts', f, 'weekly')).toContain('共有 2 条突发事件聚集预警，分别为吴中区 内涝积水 聚集（Ⅲ级（较大），已确认）、甲（');
		f.alerts = { total: 12, rows: [1, 2, 3, 4].map((i) => ({ ...alert, id: i, title: `预警${i}` })) };
		expect(draftText('alerts', f, 'weekly')).toMatch(/^本周共有 12 条突发事件聚集预警，主要为预警1（.*）、预警2（.*）、预警3（[^、]*）等。$/);
		const spot = f.hotspots.rows[0];
		f.hotspots.rows = [1, 2, 3, 4].map((i) => ({ ...spot, name: `区${i}` }));
		expect(draftText('hotspots', f, 'weekly')).toMatch(/^本周有 4 个区县的诉求量显著高于其历史常态：区1（.*）、区2（.*）、区3（[^、]*）等，建议相关单位关注。$/);
	});

	it('says the period before is scaled to the same progress when the period ends on the day of the figures', () => {
		const f = sampleFigures();
		f.to = f.asOf;
		expect(draftText('overview', f, 'special')).toContain('较上期（按同等进度折算）上升 8.2%');
		expect(sectionTables('overview', f)[0].note).toContain('本期含数据生成当天，较上期按同等进度折算');
		// a finished period is compared as it is
		expect(draftText('overview', sampleFigures(), 'weekly')).toContain('较上期上升 8.2%');
		expect(sectionTables('overview', sampleFigures())[0].note).not.toContain('折算');
	});

	it('says from when the topics are counted when the topic run covers less than the period', () => {
		const f = sampleFigures();
		f.from = '2025-12-01';
		f.topics.window = { from: '2026-11-01', to: '2026-11-29', clipped: true };
		expect(draftText('topics', f, 'special')).toMatch(/^本期（话题按 2026-11-01 起的工单统计）诉求量最大的话题为“噪音 · 施工 · 夜间”（420 件/);
		expect(draftText('topics', sampleFigures(), 'weekly')).toMatch(/^本周诉求量最大的话题为/);
	});

	it('says the topic run does not reach the period, rather than that no topic formed', () => {
		const f = sampleFigures();
		f.topics = { asOf: '2026-12-02 17:55:59', window: null, rows: [] };
		expect(draftText('topics', f, 'monthly')).toBe('最近一次话题聚类未覆盖本月，暂无本月的话题数据。');
		expect(sectionTables('topics', f)[0].empty).toBe('最近一次话题聚类未覆盖本期');
		f.topics.window = { from: '2026-11-23', to: '2026-11-29', clipped: false };
		expect(draftText('topics', f, 'monthly')).toBe('本月范围内没有形成明显的话题。');
	});

	it('says no place could be tested for hotspots, rather than that all are normal, when none has history enough', () => {
		const f = sampleFigures();
		f.hotspots.rows = [];
		f.hotspots.tested = 0;
		expect(draftText('hotspots', f, 'weekly')).toBe('各区县此前的数据不足，本周未做热点检验。');
		expect(sectionTables('hotspots', f)[0].empty).toBe('各区县此前的数据不足，未做热点检验');
		f.hotspots.tested = 10;
		expect(draftText('hotspots', f, 'weekly')).toContain('没有统计显著的热点');
	});

	it('is the same for the same figures (an unedited text is recognised as the draft)', () => {
		for (const k of SECTION_KEYS) expect(draftText(k, sampleFigures(), 'weekly')).toBe(draftText(k, sampleFigures(), 'weekly'));
		expect(periodWord('weekly')).toBe('本周');
	});
});
