// The demo text corpus (data/demo, format in data/demo/README.md): loading, checking, and filling templates
// the way callers and operators vary them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reference } from '../reference/index';
import type { TicketType } from '../lifecycle/model';
import { TICKET_TYPES } from '../lifecycle/model';
import type { Rng } from './rng';

export type HourProfile = 'office' | 'day' | 'evening' | 'night' | 'any';

export interface PhraseSpec {
	weight: number;
	types: Partial<Record<TicketType, number>>;
	season: number[];
	hours: HourProfile;
	urgent: number;
	titles: string[];
	contents: string[];
	details: string[];
}

export interface IncidentKind {
	kind: string;
	domain: string;
	category: string;
	name: string;
	months: number[];
	size: [number, number];
	hours: [number, number];
	spread: 'street' | 'district';
	titles: string[];
	contents: string[];
}

export const SLOTS = [
	'district', 'street', 'xiaoqu', 'building', 'room', 'road', 'shop', 'company', 'site', 'school', 'hospital',
	'park', 'river', 'bus', 'metro', 'time', 'date', 'days', 'months', 'amount', 'count', 'plate', 'age'
] as const;
export type Slot = (typeof SLOTS)[number];
const SLOT_SET = new Set<string>(SLOTS);
const HOURS = new Set(['office', 'day', 'evening', 'night', 'any']);
const SLOT_RE = /\{([a-z_]+)\}/g;

export interface Corpus {
	phrases: Map<string, PhraseSpec>; // by level-3 code
	incidents: IncidentKind[];
}

function checkTemplates(where: string, list: unknown, min: number): string[] {
	if (!Array.isArray(list) || list.length < min || !list.every((s) => typeof s === 'string' && s.trim())) {
		throw new Error(`${where}: needs at least ${min} non-empty strings`);
	}
	for (const s of list as string[]) {
		for (const m of s.matchAll(SLOT_RE)) if (!SLOT_SET.has(m[1])) throw new Error(`${where}: unknown slot {${m[1]}} in "${s}"`);
	}
	return list as string[];
}

export function loadCorpus(referenceDir: string, ref: Reference): Corpus {
	const dir = join(referenceDir, 'demo', 'phrases');
	const phrases = new Map<string, PhraseSpec>();
	for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
		const path = join(dir, file);
		let data: Record<string, Partial<PhraseSpec>>;
		try {
			data = JSON.parse(readFileSync(path, 'utf8'));
		} catch (e) {
			throw new Error(`${path}: ${(e as Error).message}`);
		}
		for (const [code, spec] of Object.entries(data)) {
			const where = `${path} ${code}`;
			const cat = ref.categoryByCode.get(code);
			if (!cat || cat.level !== 3) throw new Error(`${where}: not a level-3 category code`);
			const types = spec.types ?? {};
			for (const t of Object.keys(types)) if (!(TICKET_TYPES as readonly string[]).includes(t)) throw new Error(`${where}: unknown type ${t}`);
			if (!Array.isArray(spec.season) || spec.season.length !== 12) throw new Error(`${where}: season needs 12 numbers`);
			if (!HOURS.has(spec.hours as string)) throw new Error(`${where}: hours must be one of ${[...HOURS].join(', ')}`);
			phrases.set(code, {
				weight: Number(spec.weight) > 0 ? Number(spec.weight) : 0.1,
				types,
				season: spec.season.map(Number),
				hours: spec.hours as HourProfile,
				urgent: Math.min(1, Math.max(0, Number(spec.urgent) || 0)),
				titles: checkTemplates(`${where} titles`, spec.titles, 1),
				contents: checkTemplates(`${where} contents`, spec.contents, 1),
				details: spec.details ? checkTemplates(`${where} details`, spec.details, 0) : []
			});
		}
	}
	const missing = ref.categories.filter((c) => c.level === 3 && !phrases.has(c.code)).map((c) => c.code);
	if (missing.length) throw new Error(`${dir}: no phrases for level-3 categories ${missing.join(', ')}`);

	const ipath = join(referenceDir, 'demo', 'incidents.json');
	let raw: IncidentKind[];
	try {
		raw = JSON.parse(readFileSync(ipath, 'utf8'));
	} catch (e) {
		throw new Error(`${ipath}: ${(e as Error).message}`);
	}
	const incidents = raw.map((k, i) => {
		const where = `${ipath} [${i}] ${k.kind}`;
		if (!ref.categoryByCode.get(k.category)) throw new Error(`${where}: unknown category ${k.category}`);
		checkTemplates(`${where} titles`, k.titles, 1);
		checkTemplates(`${where} contents`, k.contents, 1);
		return k;
	});
	return { phrases, incidents };
}

const CN_DIGITS = ['零', '一', '两', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const TIME_WORDS: Record<HourProfile, string[]> = {
	night: ['晚上十点多', '夜里十一点', '半夜十二点', '凌晨一点', '凌晨两点多', '深更半夜', '每天夜里'],
	evening: ['晚上七点左右', '每天傍晚', '晚上八九点', '吃晚饭的时候', '晚上六点以后', '晚上'],
	office: ['上午九点', '上午十点左右', '下午两点', '下午三点多', '工作日白天', '中午'],
	day: ['早上七点', '上午', '下午', '中午十二点', '白天', '早上六点多'],
	any: ['今天上午', '昨天晚上', '下午四点', '早上', '晚上', '今天中午']
};
const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** Ticket-local slot values; generated on first use so title and content name the same places. */
export interface SlotSource {
	district: string;
	street: string;
	pools: {
		xiaoqu: string[];
		roads: string[];
		shops: string[];
		companies: string[];
		sites: string[];
		schools: string[];
		hospitals: string[];
		parks: string[];
		rivers: string[];
	};
	hours: HourProfile;
	receivedMs: number;
	plate: (r: Rng) => string;
}

export class SlotContext {
	private values = new Map<string, string>();
	constructor(
		private readonly r: Rng,
		private readonly src: SlotSource,
		preset?: Record<string, string>
	) {
		if (preset) for (const [k, v] of Object.entries(preset)) this.values.set(k, v);
	}

	get(slot: string): string {
		let v = this.values.get(slot);
		if (v === undefined) {
			v = this.make(slot);
			this.values.set(slot, v);
		}
		return v;
	}

	/** the values used so far (for incident contexts shared across tickets) */
	snapshot(): Record<string, string> {
		return Object.fromEntries(this.values);
	}

	private make(slot: string): string {
		const r = this.r;
		const p = this.src.pools;
		switch (slot) {
			case 'district': return this.src.district;
			case 'street': return this.src.street;
			case 'xiaoqu': return r.pick(p.xiaoqu);
			case 'building': return `${r.int(1, 36)}${r.chance(0.8) ? '幢' : '号楼'}`;
			case 'room': return `${r.int(1, 28)}0${r.int(1, 6)}室`;
			case 'road': return r.pick(p.roads);
			case 'shop': return r.pick(p.shops);
			case 'company': return r.pick(p.companies);
			case 'site': return r.pick(p.sites);
			case 'school': return r.pick(p.schools);
			case 'hospital': return r.pick(p.hospitals);
			case 'park': return r.pick(p.parks);
			case 'river': return r.pick(p.rivers);
			case 'bus': return r.chance(0.1) ? `游${r.int(1, 5)}路` : `${r.int(1, 530)}路`;
			case 'metro': return r.chance(0.1) ? '地铁S1线' : `地铁${r.int(1, 8)}号线`;
			case 'time': return r.pick(TIME_WORDS[this.src.hours]);
			case 'date': {
				if (r.chance(0.5)) return r.pick(['上周', '上个礼拜', '前天', '昨天', '上周末']) + (r.chance(0.4) ? r.pick(WEEKDAYS) : '');
				const d = new Date(this.src.receivedMs + 8 * 3_600_000 - r.int(1, 40) * 86_400_000);
				return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
			}
			case 'days': return r.chance(0.3) ? CN_DIGITS[r.int(2, 10)] : String(r.int(2, 20));
			case 'months': return r.chance(0.3) ? CN_DIGITS[r.int(2, 12)] : String(r.int(2, 18));
			case 'amount': return String(r.pick([r.int(2, 99) * 100, r.int(1, 50) * 1000, r.int(3, 999) * 10, r.int(1, 30) * 10_000]));
			case 'count': return r.chance(0.3) ? CN_DIGITS[r.int(2, 10)] : String(r.int(2, 12));
			case 'plate': return this.src.plate(r);
			case 'age': return String(r.int(58, 93));
			default: return slot;
		}
	}
}

export function fill(template: string, ctx: SlotContext): string {
	return template.replace(SLOT_RE, (_, s: string) => ctx.get(s));
}

const OPENERS = ['', '', '', '', '您好，', '你好，', '喂，你好，', '麻烦登记一下，', '来电人反映：', '市民来电反映：', '网友留言：'];
const OPENERS_BY_TYPE: Partial<Record<TicketType, string[]>> = {
	咨询: ['我想咨询一下，', '你好我想问下，', '请问一下，', '咨询个事情，'],
	投诉: ['我想反映个事情，', '我要反映一下，', '我要投诉，', '您好，我是附近的居民，', '我是{xiaoqu}的业主，'],
	举报: ['我要举报，', '实名举报：', '我想反映个情况，'],
	求助: ['麻烦帮帮忙，', '想请你们帮个忙，', '您好，我遇到点困难，'],
	建议: ['提个建议，', '我有个建议，'],
	表扬: ['我想表扬一下，', '打电话来是想感谢一下，']
};
const CLOSERS = [
	'', '', '', '希望尽快处理。', '请相关部门尽快处理！', '希望有关部门管一管。', '请给个说法。', '谢谢！', '麻烦了，谢谢。',
	'希望能尽快给予答复。', '诉求：要求尽快解决。', '来电人要求相关部门核实处理。', '希望不要再踢皮球了！', '盼复。'
];
const REPEAT_MARKERS = ['之前已经反映过，', '这是第{n}次打电话了，', '上次反映后没有任何改善，', '多次反映一直没人管，', '上个月就打过12345，'];
/** frequent slips of the keyboard and the ear: right → wrong */
const TYPOS: [string, string][] = [
	['已经', '以经'], ['反映', '反应'], ['再', '在'], ['的', '得'], ['账', '帐'], ['安装', '按装'], ['那么', '那末'],
	['一直', '一只'], ['哪里', '那里'], ['做', '作'], ['部门', '部们'], ['投诉', '头诉'], ['希望', '希忘'],
	['噪音', '燥音'], ['报到', '报道'], ['即使', '既使'], ['以后', '已后'], ['物业', '物叶'], ['小区', '小去']
];

export interface TextOptions {
	repeatNo?: number; // this caller's n-th call about the same matter
	short?: boolean;
	type?: TicketType;
}

/** Composes a caller's content from a template: opener, template, details, closer, typos, punctuation. */
export function composeContent(r: Rng, template: string, details: string[], ctx: SlotContext, opts: TextOptions = {}): string {
	let body = fill(template, ctx);
	if (opts.short) {
		const cut = body.search(/[。！？!?]/);
		if (cut > 8) body = body.slice(0, cut + 1);
	} else if (details.length && r.chance(0.55)) {
		const n = r.chance(0.3) ? 2 : 1;
		for (let i = 0; i < n; i++) body += fill(r.pick(details), ctx);
	}
	const typed = opts.type ? OPENERS_BY_TYPE[opts.type] : undefined;
	let opener = typed && r.chance(0.4) ? r.pick(typed) : r.pick(OPENERS);
	// no second self-introduction or greeting when the template has its own
	if (/^(您好|你好|喂|我是|我想|我要|请问)/.test(body) || (opener.includes('{xiaoqu}') && body.includes('我是'))) opener = '';
	opener = fill(opener, ctx);
	if (opts.repeatNo && opts.repeatNo > 1) opener += r.pick(REPEAT_MARKERS).replace('{n}', String(opts.repeatNo));
	let text = opener + body + (opts.short ? '' : fill(r.pick(CLOSERS), ctx));
	if (r.chance(0.08)) {
		const [right, wrong] = r.pick(TYPOS);
		text = text.replace(right, wrong);
	}
	if (r.chance(0.06)) text = text.replace(/，/g, ' ').replace(/。/g, ' '); // dictated without punctuation
	else if (r.chance(0.05)) text = text.replace(/，/g, ',').replace(/！/g, '!'); // half-width punctuation
	if (r.chance(0.04)) text = text.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)); // full-width digits
	if (r.chance(0.03)) text += r.pick(['！！！', '!!', '？？']);
	return text.trim();
}
