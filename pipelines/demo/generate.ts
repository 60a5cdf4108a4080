// The demo generator: a deterministic year of realistic Suzhou 12345 tickets, day by day (streaming), with
// seasonal/weekly/daily rhythms, holidays, repeat callers, unit-specific lifecycles and injected incidents.
import { geoContains } from 'd3-geo';
import type { WorkCalendar } from '../calendar/index';
import { addDays, shanghaiDay, shanghaiMidnight } from '../calendar/index';
import { NO_PREFIX, type TicketType } from '../lifecycle/model';
import { categoryAncestors, routeUnit, type Reference, type RoutingRule, type Street, type Unit } from '../reference/index';
import { shanghaiDayHour, type FactRow } from '../warehouse/facts';
import { callerKey } from '../warehouse/privacy';
import { SlotContext, composeContent, fill, type Corpus, type HourProfile, type IncidentKind, type PhraseSpec, type SlotSource } from './corpus';
import { simulateLifecycle, stateAt, unitBehaviour, type LifecycleState, type SimEvent, type UnitBehaviour } from './lifecycle';
import { buildStreetPlaces, mobilePhone, personName, plate, type StreetPlaces } from './places';
import { AliasTable, Rng, weightedKey } from './rng';

export interface DemoOptions {
	tickets: number;
	days: number;
	seed: number;
	/** the end of the generated period (defaults to the current time) */
	now: number;
	/** tickets received this many days before `now`, and every open one, also go to the relational store */
	recentDays: number;
}

export interface DemoTicket {
	fact: FactRow;
	callerName: string;
	callerPhone: string;
	events: SimEvent[]; // only those that happened by `now`
	state: LifecycleState;
}

export interface DayBatch {
	day: string;
	facts: FactRow[];
	/** recent and open tickets, with personal data and lifecycle events, for the relational store */
	relational: DemoTicket[];
}

export interface PlannedIncident {
	id: string;
	kind: string;
	domain: string;
	name: string;
	category: string;
	district_code: string;
	street_code: string;
	spread: 'street' | 'district';
	start: string;
	end: string;
	planned_tickets: number;
	ticket_nos: string[];
}

const H = 3_600_000;
const DAY = 86_400_000;

/** relative call volume by day of week (Sun..Sat) */
const DOW = [0.72, 1.15, 1.08, 1.04, 1.02, 0.98, 0.78];
const HOUR_PROFILES: Record<HourProfile, number[]> = {
	office: [0, 0, 0, 0, 0, 0, 0.2, 0.5, 2, 3.2, 3.4, 2.6, 1.4, 2, 3, 3, 2.6, 1.6, 0.6, 0.3, 0.2, 0.1, 0.05, 0.02],
	day: [0.05, 0.02, 0.02, 0.02, 0.05, 0.2, 0.8, 1.8, 2.6, 2.8, 2.8, 2.3, 1.8, 2, 2.3, 2.3, 2.1, 1.8, 1.3, 1, 0.8, 0.5, 0.3, 0.1],
	evening: [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1, 1, 1, 1, 1, 1, 1, 1.1, 1.4, 2.2, 2.6, 2.8, 2.6, 1.8, 0.8],
	night: [1.8, 1.4, 0.9, 0.5, 0.3, 0.2, 0.3, 0.5, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1, 1.2, 1.5, 2, 2.6, 3, 2.6],
	any: [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.2, 2.6, 2.6, 2.2, 1.6, 1.9, 2.2, 2.2, 2, 1.7, 1.3, 1.2, 1.1, 0.9, 0.6, 0.4]
};
const HOUR_INDEX = Array.from({ length: 24 }, (_, i) => i);
const CHANNELS = { phone: 0.52, wechat: 0.18, app: 0.14, web: 0.12, feed: 0.03, open311: 0.01 };
const GPS_SHARE: Record<string, number> = { app: 0.7, wechat: 0.6, web: 0.2, phone: 0.08, feed: 0.3, open311: 0.9 };
/** resident population (millions, 7th census, rounded) as the volume weight of each county-level area */
const POPULATION: Record<string, number> = {
	'320505': 0.83, '320506': 1.39, '320507': 0.89, '320508': 0.96, '320509': 1.55,
	'320576': 1.13, '320581': 1.68, '320582': 1.44, '320583': 2.09, '320585': 0.83
};
const RURAL = new Set(['320581', '320582', '320585', '320509', '320507']);
const EMERGENCY_WORDS = /泄漏|中毒|台风|内涝|危化|火|爆|倒伏|积水/;

/**
 * Co-handling (协办): the matters that usually need several departments, by category prefix, with the units that
 * commonly assist beyond those the routing table already names for it (`street`/`district`: the place's own office
 * and government). Their dispatches name assisting units far more often than others'.
 */
const MULTI_DEPARTMENT: Record<string, string[]> = {
	'0102': ['M01', 'street', 'M17'], // 违法建设: 城管 enforces, the street office knows the site, 资规 the permits
	'0106': ['M01', 'M06', 'M04'], // 渣土与运输撒漏: 城管, 交通运输, 住建 (the construction site)
	'020104': ['M04', 'M01'], // 工地扬尘
	'020301': ['M04', 'M01'], // 施工噪声
	'0202': ['M05', 'M02', 'street'], // 水污染 and 河道: 水务 and 生态环境, the street office (河长)
	'0204': ['M01', 'M02', 'street'], // 固体废物污染
	'0404': ['M05', 'M01', 'street'], // 排水与防涝
	'1203': ['M05', 'M14', 'street'], // 防汛防台
	'120102': ['M14', 'M23'], // 违规储存危化品: 应急管理 and 消防
	'150101': ['M17', 'street', 'M16'] // 违法占地
};
/** the share of dispatches that name assisting units: for multi-department matters, and for the others */
const ASSIST_P = { multi: 0.3, other: 0.045 };
/** the share of assisted dispatches that name two units rather than one */
const TWO_ASSISTS_P = 0.3;

/** category weight multipliers by place: farming matters in the counties, tourism in the old town */
function placeFactor(l1Name: string, districtCode: string): number {
	if (l1Name === '农业农村') return RURAL.has(districtCode) ? 2.5 : districtCode === '320508' ? 0.1 : 0.6;
	if (l1Name === '文化旅游体育' && districtCode === '320508') return 2.2;
	return 1;
}

interface Thread {
	category: string;
	street: string;
	callerName: string;
	callerPhone: string;
	template: number;
	preset: Record<string, string>;
	calls: number;
}

export class DemoGenerator {
	readonly incidents: PlannedIncident[] = [];
	private readonly places: Map<string, StreetPlaces>;
	private readonly districtTable: AliasTable<string>;
	private readonly streetTables = new Map<string, AliasTable<Street>>();
	private readonly catTables = new Map<string, AliasTable<string>>(); // `${district}|${month}`
	private readonly hourTables = new Map<HourProfile, AliasTable<number>>();
	private readonly behaviours = new Map<string, UnitBehaviour>();
	private readonly threadsDue = new Map<string, Thread[]>();
	private readonly incidentTickets = new Map<string, { at: number; incident: PlannedIncident; kind: IncidentKind; street: string; preset: Record<string, string> }[]>();
	private readonly dayCounts: { day: string; n: number }[] = [];
	private readonly polygons = new Map<string, unknown>();
	private readonly rng: Rng;
	/** the day's stream for assisting units: its own, so that the other draws of the day keep theirs */
	private assistRng: Rng;
	private readonly rulesByPrefix = new Map<string, RoutingRule[]>();
	readonly firstDay: string;
	readonly lastDay: string;
	readonly total: number;

	constructor(
		private readonly ref: Reference,
		private readonly corpus: Corpus,
		private readonly cal: WorkCalendar,
		private readonly opts: DemoOptions
	) {
		this.rng = new Rng(opts.seed);
		this.assistRng = Rng.derive(opts.seed, 'assist');
		for (const r of ref.routing) this.rulesByPrefix.set(r.category, [...(this.rulesByPrefix.get(r.category) ?? []), r]);
		const gj = ref.geojson as { features: { id?: string; properties: { id?: string; adcode?: string | number } }[] };
		for (const f of gj.features) {
			const code = String(f.id ?? f.properties.id ?? f.properties.adcode ?? '');
			this.polygons.set(code, f);
		}
		this.places = buildStreetPlaces(ref, opts.seed, (s) => this.streetCenter(s));
		this.districtTable = new AliasTable(
			ref.districts.map((d) => d.code),
			ref.districts.map((d) => POPULATION[d.code] ?? 1)
		);
		const zr = Rng.derive(opts.seed, 'streets');
		for (const d of ref.districts) {
			const streets = ref.streets.filter((s) => s.districtCode === d.code);
			this.streetTables.set(d.code, new AliasTable(streets, streets.map(() => 0.3 + zr.next() * 1.7)));
		}
		const cats = [...corpus.phrases.entries()];
		for (const d of ref.districts) {
			for (let m = 0; m < 12; m++) {
				const weights = cats.map(([code, p]) => p.weight * p.season[m] * placeFactor(categoryAncestors(ref, code)[0].name, d.code));
				this.catTables.set(`${d.code}|${m}`, new AliasTable(cats.map(([c]) => c), weights));
			}
		}
		for (const [k, prof] of Object.entries(HOUR_PROFILES) as [HourProfile, number[]][]) {
			const mixed = prof.map((w, i) => 0.75 * (w / prof.reduce((a, b) => a + b, 0)) + 0.25 * (HOUR_PROFILES.any[i] / HOUR_PROFILES.any.reduce((a, b) => a + b, 0)));
			this.hourTables.set(k, new AliasTable(HOUR_INDEX, mixed));
		}
		this.lastDay = shanghaiDay(opts.now);
		this.firstDay = addDays(this.lastDay, -(opts.days - 1));
		this.planIncidents();
		const incidentTotal = [...this.incidentTickets.values()].reduce((s, l) => s + l.length, 0);
		this.total = opts.tickets;
		this.allocateDays(Math.max(0, opts.tickets - incidentTotal));
	}

	private streetCenter(s: Street): [number, number] | null {
		const r = Rng.derive(this.opts.seed, `center:${s.code}`);
		const d = this.ref.districtByCode.get(s.districtCode)!;
		const poly = this.polygons.get(d.code);
		const c = d.center;
		if (!c) return null;
		for (let i = 0; i < 60; i++) {
			const p: [number, number] = [c[0] + (r.next() - 0.5) * 0.5, c[1] + (r.next() - 0.5) * 0.4];
			if (!poly) return [c[0] + (r.next() - 0.5) * 0.08, c[1] + (r.next() - 0.5) * 0.06];
			if (geoContains(poly as never, p)) return p;
		}
		return c;
	}

	private seasonal(month: number): number {
		let s = 0;
		let w = 0;
		for (const p of this.corpus.phrases.values()) {
			s += p.weight * p.season[month];
			w += p.weight;
		}
		return s / w;
	}

	private dayWeight(day: string, index: number, r: Rng): number {
		const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
		let w = this.cal.isWorkday(day) ? DOW[dow] : dow === 0 || dow === 6 ? DOW[dow] : 0.6;
		if (this.cal.holidayName(day) === '春节') w *= 0.7;
		w *= this.seasonal(Number(day.slice(5, 7)) - 1);
		w *= 1 + 0.08 * (index / Math.max(1, this.opts.days));
		w *= Math.max(0.5, 1 + 0.06 * r.normal());
		return w;
	}

	private allocateDays(regular: number): void {
		const r = Rng.derive(this.opts.seed, 'days');
		const days: string[] = [];
		for (let i = 0; i < this.opts.days; i++) days.push(addDays(this.firstDay, i));
		const weights = days.map((d, i) => this.dayWeight(d, i, r));
		// today is still going: only the share of calls that come before now
		const hourNow = (this.opts.now - shanghaiMidnight(this.lastDay)) / H;
		const any = HOUR_PROFILES.any;
		const sumAny = any.reduce((a, b) => a + b, 0);
		let share = 0;
		for (let h = 0; h < 24; h++) share += (any[h] / sumAny) * Math.min(1, Math.max(0, hourNow - h));
		weights[weights.length - 1] *= Math.max(0.01, share);
		const total = weights.reduce((a, b) => a + b, 0);
		const exact = weights.map((w) => (w / total) * regular);
		const counts = exact.map(Math.floor);
		let left = regular - counts.reduce((a, b) => a + b, 0);
		const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
		for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k][1]]++;
		days.forEach((day, i) => this.dayCounts.push({ day, n: counts[i] }));
	}

	private planIncidents(): void {
		const r = Rng.derive(this.opts.seed, 'incidents');
		const kinds = this.corpus.incidents;
		if (!kinds.length) return;
		const n = Math.max(12, Math.round((this.opts.days / 365) * 14));
		const scale = Math.max(1, Math.sqrt(this.opts.tickets / 200_000));
		const order = r.shuffle([...kinds]);
		const firstMs = shanghaiMidnight(this.firstDay) + 7 * DAY;
		const lastMs = this.opts.now - 6 * H;
		if (lastMs <= firstMs) return;
		for (let i = 0; i < n; i++) {
			const kind = order[i % order.length];
			let start = 0;
			for (let tries = 0; tries < 200; tries++) {
				start = firstMs + r.next() * (lastMs - firstMs);
				if (kind.months.includes(new Date(start + 8 * H).getUTCMonth() + 1)) break;
			}
			const district = this.districtTable.draw(r);
			const street = this.streetTables.get(district)!.draw(r);
			const size = Math.round(Math.exp(Math.log(kind.size[0]) + r.next() * (Math.log(kind.size[1]) - Math.log(kind.size[0]))) * scale);
			const hours = kind.hours[0] + r.next() * (kind.hours[1] - kind.hours[0]);
			const end = start + hours * H;
			const pl = this.places.get(street.code)!;
			const preset: Record<string, string> = {
				xiaoqu: r.pick(pl.xiaoqu), road: r.pick(pl.roads), river: r.pick(pl.rivers), school: r.pick(pl.schools),
				shop: r.pick(pl.shops), company: r.pick(pl.companies), site: r.pick(pl.sites), park: r.pick(pl.parks), hospital: r.pick(pl.hospitals)
			};
			const inc: PlannedIncident = {
				id: `INC-${String(i + 1).padStart(3, '0')}`, kind: kind.kind, domain: kind.domain, name: kind.name, category: kind.category,
				district_code: district, street_code: street.code, spread: kind.spread,
				start: new Date(start).toISOString(), end: new Date(end).toISOString(), planned_tickets: size, ticket_nos: []
			};
			this.incidents.push(inc);
			const streets = this.ref.streets.filter((s) => s.districtCode === district);
			for (let k = 0; k < size; k++) {
				const at = start + (end - start) * Math.pow(r.next(), 1.5);
				if (at > this.opts.now) continue;
				const st = kind.spread === 'district' && r.chance(0.4) ? r.pick(streets).code : street.code;
				const day = shanghaiDay(at);
				let list = this.incidentTickets.get(day);
				if (!list) this.incidentTickets.set(day, (list = []));
				list.push({ at, incident: inc, kind, street: st, preset });
			}
		}
	}

	private behaviour(unitCode: string): UnitBehaviour {
		let b = this.behaviours.get(unitCode);
		if (!b) {
			b = unitBehaviour(Rng.derive(this.opts.seed, `unit:${unitCode}`));
			this.behaviours.set(unitCode, b);
		}
		return b;
	}

	/**
	 * The units a dispatch of `category` at a place names to assist the lead unit: mostly none; for a small share,
	 * one or two of the other units the routing table names for the category there (or, for a multi-department
	 * matter, those that commonly assist with it), weighted as routed, never the lead itself.
	 */
	private assistUnits(category: string, districtCode: string, streetCode: string, lead: string): Unit[] {
		const r = this.assistRng;
		let multi: string[] | undefined;
		let rules: RoutingRule[] | undefined;
		for (let len = category.length; len >= 2; len -= 2) {
			multi ??= MULTI_DEPARTMENT[category.slice(0, len)];
			rules ??= this.rulesByPrefix.get(category.slice(0, len));
		}
		if (!r.chance(multi ? ASSIST_P.multi : ASSIST_P.other)) return [];
		const unitOf = (handler: string) =>
			this.ref.unitByCode.get(handler === 'street' ? `S${streetCode}` : handler === 'district' ? `D${districtCode}` : handler);
		const weights = new Map<string, number>();
		for (const rule of rules ?? []) {
			const u = unitOf(rule.handler);
			if (u && u.code !== lead) weights.set(u.code, (weights.get(u.code) ?? 0) + rule.weight);
		}
		for (const h of multi ?? []) {
			const u = unitOf(h);
			if (u && u.code !== lead) weights.set(u.code, (weights.get(u.code) ?? 0) + 3);
		}
		const picked: Unit[] = [];
		const n = weights.size > 1 && r.chance(TWO_ASSISTS_P) ? 2 : 1;
		while (picked.length < n && weights.size) {
			const code = weightedKey(r, Object.fromEntries(weights));
			weights.delete(code);
			picked.push(this.ref.unitByCode.get(code)!);
		}
		return picked;
	}

	private sampleTime(day: string, profile: HourProfile, r: Rng): number {
		const base = shanghaiMidnight(day);
		const table = this.hourTables.get(profile)!;
		for (let i = 0; i < 30; i++) {
			const t = base + table.draw(r) * H + r.next() * H;
			if (t <= this.opts.now) return t;
		}
		return base + r.next() * Math.max(1, this.opts.now - base);
	}

	*days(): Generator<DayBatch> {
		const recentFrom = this.opts.now - this.opts.recentDays * DAY;
		for (const { day, n } of this.dayCounts) {
			const r = Rng.derive(this.opts.seed, `day:${day}`);
			this.assistRng = Rng.derive(this.opts.seed, `assist:${day}`);
			const month = Number(day.slice(5, 7)) - 1;
			type Draft = { at: number; build: (no: string) => DemoTicket };
			const drafts: Draft[] = [];
			const due = this.threadsDue.get(day) ?? [];
			this.threadsDue.delete(day);
			for (let i = 0; i < n; i++) {
				const thread = due.length && r.chance(0.5) ? due.pop()! : null;
				drafts.push(this.draftRegular(day, month, r, thread));
			}
			for (const it of this.incidentTickets.get(day) ?? []) drafts.push(this.draftIncident(it, r));
			drafts.sort((a, b) => a.at - b.at);
			const compact = day.replaceAll('-', '');
			const facts: FactRow[] = [];
			const relational: DemoTicket[] = [];
			drafts.forEach((d, i) => {
				const t = d.build(`${NO_PREFIX}${compact}-${String(i + 1).padStart(6, '0')}`);
				facts.push(t.fact);
				if (t.fact.received_at >= recentFrom || !t.fact.closed_at) relational.push(t);
			});
			yield { day, facts, relational };
		}
	}

	private draftRegular(day: string, month: number, r: Rng, thread: Thread | null) {
		const districtCode = thread ? this.ref.streetByCode.get(thread.street)!.districtCode : this.districtTable.draw(r);
		const street = thread ? this.ref.streetByCode.get(thread.street)! : this.streetTables.get(districtCode)!.draw(r);
		const category = thread ? thread.category : this.catTables.get(`${districtCode}|${month}`)!.draw(r);
		const spec = this.corpus.phrases.get(category)!;
		const at = this.sampleTime(day, spec.hours, r);
		// a caller who starts a matter may call again about it within weeks
		if (!thread && r.chance(0.04) && (spec.types['投诉'] ?? 0) + (spec.types['求助'] ?? 0) > 0.4) {
			const t: Thread = { category, street: street.code, callerName: personName(r), callerPhone: mobilePhone(r), template: r.int(0, spec.contents.length - 1), preset: {}, calls: 1 };
			const follow = r.int(1, 4);
			let next = at;
			for (let k = 0; k < follow; k++) {
				next += r.int(2, 20) * DAY;
				const d = shanghaiDay(next);
				if (next > this.opts.now) break;
				let list = this.threadsDue.get(d);
				if (!list) this.threadsDue.set(d, (list = []));
				list.push(t);
			}
			thread = t;
		} else if (thread) {
			thread.calls++;
		}
		return {
			at,
			build: (no: string) => this.build(no, at, r, { category, spec, street, thread, templates: spec.contents, titles: spec.titles, details: spec.details })
		};
	}

	private draftIncident(it: { at: number; incident: PlannedIncident; kind: IncidentKind; street: string; preset: Record<string, string> }, r: Rng) {
		const spec = this.corpus.phrases.get(it.kind.category) ?? ({ hours: 'any', types: {}, urgent: 0.5 } as unknown as PhraseSpec);
		const street = this.ref.streetByCode.get(it.street)!;
		return {
			at: it.at,
			build: (no: string) => {
				it.incident.ticket_nos.push(no);
				return this.build(no, it.at, r, {
					category: it.kind.category, spec: { ...spec, types: { 投诉: 0.5, 求助: 0.3, 举报: 0.2 }, urgent: 0.5 }, street, thread: null,
					templates: it.kind.contents, titles: it.kind.titles, details: [], preset: it.preset
				});
			}
		};
	}

	private build(
		ticketNo: string,
		at: number,
		r: Rng,
		p: { category: string; spec: PhraseSpec; street: Street; thread: Thread | null; templates: string[]; titles: string[]; details: string[]; preset?: Record<string, string> }
	): DemoTicket {
		const district = this.ref.districtByCode.get(p.street.districtCode)!;
		const pl = this.places.get(p.street.code)!;
		const channel = weightedKey(r, CHANNELS);
		const src: SlotSource = {
			district: district.name, street: p.street.name, hours: p.spec.hours, receivedMs: at, plate,
			pools: { xiaoqu: pl.xiaoqu, roads: pl.roads, shops: pl.shops, companies: pl.companies, sites: pl.sites, schools: pl.schools, hospitals: pl.hospitals, parks: pl.parks, rivers: pl.rivers }
		};
		const ctx = new SlotContext(r, src, p.preset ?? p.thread?.preset);
		const template = p.thread ? p.templates[p.thread.template % p.templates.length] : r.pick(p.templates);
		const type = weightedKey(r, Object.keys(p.spec.types).length ? p.spec.types : { 投诉: 1 }) as TicketType;
		const short = channel !== 'phone' && r.chance(0.3);
		const content = composeContent(r, template, p.details, ctx, { short, repeatNo: p.thread?.calls, type });
		const title = fill(r.pick(p.titles), ctx);
		if (p.thread && p.thread.calls === 1) p.thread.preset = ctx.snapshot();
		const addressForms = [
			() => `${district.name}${p.street.name}${ctx.get('xiaoqu')}${ctx.get('building')}`,
			() => `苏州市${district.name}${ctx.get('road')}${r.int(1, 888)}号`,
			() => `${p.street.name}${ctx.get('xiaoqu')}`,
			() => `${district.name}${ctx.get('road')}与${r.pick(pl.roads)}交叉口`,
			() => ''
		];
		const address = r.pick(addressForms)();
		const urgent = r.chance(p.spec.urgent);
		const unit = routeUnit(this.ref, p.category, district.code, p.street.code, () => r.next());
		const catName = this.ref.categoryByCode.get(p.category)!.name;
		const assisting = new Map<string, { code: string; name: string }[]>();
		const events = simulateLifecycle(this.cal, r, {
			receivedMs: at, type, urgent, channel, unitCode: unit.code, unitName: unit.name,
			reroute: () => {
				const u = routeUnit(this.ref, p.category, district.code, p.street.code, () => r.next());
				const alt = u.code !== unit.code ? u : this.ref.unitByCode.get(`D${district.code}`) ?? u;
				return { code: alt.code, name: alt.name };
			},
			behaviour: (c) => this.behaviour(c),
			// a unit dispatched the ticket again (reopened) has the same help as before
			assist: (lead) => {
				let a = assisting.get(lead);
				if (!a) assisting.set(lead, (a = this.assistUnits(p.category, district.code, p.street.code, lead).map((u) => ({ code: u.code, name: u.name }))));
				return a;
			},
			transferP: EMERGENCY_WORDS.test(catName) ? 0.06 : 0.006
		});
		const state = stateAt(events, this.opts.now);
		const [l1, l2] = categoryAncestors(this.ref, p.category);
		let lon: number | null = null;
		let lat: number | null = null;
		if (pl.center && r.chance(GPS_SHARE[channel] ?? 0)) {
			lon = Math.round((pl.center[0] + 0.012 * r.normal()) * 1e6) / 1e6;
			lat = Math.round((pl.center[1] + 0.01 * r.normal()) * 1e6) / 1e6;
		}
		const callerName = p.thread?.callerName ?? personName(r);
		const callerPhone = p.thread?.callerPhone ?? mobilePhone(r);
		const { day, hour } = shanghaiDayHour(at);
		const fact: FactRow = {
			ticket_no: ticketNo, source: 'demo', external_id: ticketNo, channel, type,
			category_code: p.category, category_l1: l1.code, category_l2: l2.code,
			title, content, address,
			district_code: district.code, street_code: r.chance(0.96) ? p.street.code : null, lon, lat,
			urgency: urgent ? 'urgent' : 'normal', status: state.status, unit_code: state.unitCode,
			received_at: at, day, hour, updated_at: state.updatedAt,
			dispatched_at: state.dispatchedAt, signed_at: state.signedAt, replied_at: state.repliedAt, closed_at: state.closedAt,
			sign_deadline: state.signDeadline, reply_deadline: state.replyDeadline, satisfaction: state.satisfaction,
			not_accepted_reason: state.notAcceptedReason, transferred_to: state.transferredTo,
			returns: state.returns, extensions: state.extensions, reopens: state.reopens, urges: state.urges,
			sign_on_time: state.signOnTime, reply_on_time: state.replyOnTime, caller_key: callerKey(callerPhone),
			tokens: null, keywords: null, flags: null, rounds: state.rounds,
			assists: state.assists.length ? state.assists : null
		};
		return { fact, callerName, callerPhone, events: events.slice(0, state.seen), state };
	}
}

