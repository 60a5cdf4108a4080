// Figures and a briefing for the unit tests of the drafts and the documents (not used by the app).
import { SECTION_KEYS, type BriefingFigures, type BriefingView } from '$lib/briefings';
import { draftText } from './draft';

export function sampleFigures(): BriefingFigures {
	return {
		generatedAt: '2026-11-30T01:00:00.000Z',
		asOf: '2026-11-30',
		from: '2026-11-23',
		to: '2026-11-29',
		days: 7,
		scope: '苏州市',
		overview: {
			received: 12345,
			dailyMean: 12345 / 7,
			previous: { from: '2026-11-16', to: '2026-11-22', count: 11410, change: 12345 / 11410 - 1 },
			normal: { days: 7, observed: 12345, expected: 11800, change: 12345 / 11800 - 1 },
			acceptanceRate: 0.931,
			signRate: 0.962,
			replyRate: 0.884,
			satisfactionRate: 0.912,
			open: 2310,
			overdue: 87,
			categoryTitle: '诉求类别',
			categories: [
				{ name: '城市管理', count: 3100, share: 0.251, change: 0.05 },
				{ name: '住房保障', count: 2200, share: 0.178, change: -0.02 },
				{ name: '交通运输', count: 1500, share: 0.122, change: null }
			],
			placeTitle: '区县',
			places: [{ name: '姑苏区', count: 2500, share: 0.2, change: 0.1 }],
			channels: [{ name: '电话', count: 9000, share: 0.73, change: 0.01 }]
		},
		topics: {
			asOf: '2026-11-30 00:10:00',
			window: { from: '2026-11-23', to: '2026-11-29', clipped: false },
			rows: [
				{ label: '噪音 · 施工 · 夜间', size: 420, growth: 0.45 },
				{ label: '停车 · 小区 · 车位', size: 300, growth: -0.1 }
			]
		},
		rising: {
			from: '2026-11-23',
			to: '2026-11-29',
			baselineFrom: '2026-10-26',
			cityWide: false,
			rows: [{ term: '供暖', current: 120, baseline: 40, ratio: 3.1 }],
			newTerms: [{ term: '地铁8号线', current: 12, firstSeen: '2026-11-25' }]
		},
		hotspots: { level: 'district', method: '各区与其自身前 8 个同长度时段比较', places: 10, rows: [{ name: '吴中区', count: 1900, expected: 1500, change: 0.267, q: 0.0004 }] },
		alerts: { total: 1, rows: [{ id: 7, title: '吴中区 内涝积水 聚集', severity: 'Ⅲ级（较大）', status: '已确认', place: '吴中区', startedAt: '2026-11-25 08:00', tickets: 23 }] },
		units: {
			scored: 12,
			total: 40,
			minRounds: 10,
			top: [{ rank: 1, name: '苏州市姑苏区人民政府', rounds: 320, score: 92.4, signRate: 0.99, replyRate: 0.95, satisfactionRate: 0.93 }],
			bottom: [{ rank: 12, name: '苏州市某局', rounds: 40, score: 61.2, signRate: 0.8, replyRate: 0.7, satisfactionRate: 0.6 }]
		},
		tickets: {
			rows: [
				{
					ticketNo: 'SZ20261125-H00012',
					receivedAt: '2026-11-25 22:14',
					place: '姑苏区 双塔街道',
					category: '城市管理 › 噪声污染 › 建筑施工噪声',
					title: '夜间施工噪音',
					excerpt: '工地每晚十一点后还在施工，电话138****5678，影响休息。',
					topic: '噪音 · 施工 · 夜间'
				}
			]
		}
	};
}

export function sampleBriefing(): BriefingView {
	const figures = sampleFigures();
	return {
		id: 1,
		kind: 'weekly',
		kindLabel: '周报',
		title: '苏州12345热线舆情周报（2026年第48周）',
		from: figures.from,
		to: figures.to,
		district: null,
		category: null,
		scope: '苏州市',
		sections: SECTION_KEYS.map((key) => ({ key, included: true, text: draftText(key, figures, 'weekly'), edited: false })),
		figures,
		figuresAt: figures.generatedAt,
		createdBy: '分析员',
		createdAt: figures.generatedAt,
		updatedBy: '分析员',
		updatedAt: figures.generatedAt,
		version: 1
	};
}
