import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCalendar, shanghaiDay } from '../calendar/index';
import { loadReference, type Reference } from '../reference/index';
import { loadCorpus, type Corpus } from './corpus';
import { unitAssists } from '../lifecycle/rounds';
import { VISIT_ATTEMPTS } from '../lifecycle/model';
import { DemoGenerator, type DayBatch } from './generate';

const NOW = Date.parse('2026-11-28T15:30:00+08:00');
let ref: Reference;
let corpus: Corpus;

function run(tickets: number, seed: number, days = 365, recentDays = 14) {
	const gen = new DemoGenerator(ref, corpus, defaultCalendar(), { tickets, days, seed, now: NOW, recentDays });
	const batches: DayBatch[] = [...gen.days()];
	return { gen, batches, facts: batches.flatMap((b) => b.facts) };
}

describe('demo generator', () => {
	beforeAll(() => {
		ref = loadReference();
		corpus = loadCorpus(new URL('../../data', import.meta.url).pathname, ref);
	});

	it('is deterministic for a seed, different for another, and yields exactly the asked number', () => {
		const a = run(6000, 7);
		const b = run(6000, 7);
		const c = run(6000, 8);
		const digest = (xs: typeof a.facts) => createHash('sha256').update(JSON.stringify(xs)).digest('hex');
		expect(a.facts).toHaveLength(6000);
		expect(digest(a.facts)).toBe(digest(b.facts));
		expect(digest(a.facts)).not.toBe(digest(c.facts));
	});

	describe('a year of tickets', () => {
		let r: ReturnType<typeof run>;
		beforeAll(() => {
			r = run(40_000, 12345);
		});

		it('covers the last 365 days up to now, in time order, with daily ticket numbers', () => {
			const { facts, gen } = r;
			expect(gen.lastDay).toBe('2026-11-28');
			expect(gen.firstDay).toBe('2025-11-29');
			expect(Math.max(...facts.map((f) => f.received_at))).toBeLessThanOrEqual(NOW);
			expect(new Set(facts.map((f) => f.ticket_no)).size).toBe(facts.length);
			for (const b of r.batches) {
				b.facts.forEach((f, i) => {
					expect(f.day).toBe(b.day);
					expect(f.ticket_no).toBe(`SZ${b.day.replaceAll('-', '')}-${String(i + 1).padStart(6, '0')}`);
					if (i) expect(f.received_at).toBeGreaterThanOrEqual(b.facts[i - 1].received_at);
				});
			}
		});

		it('uses only known categories, places and units, with consistent ancestors', () => {
			for (const f of r.facts) {
				const c = ref.categoryByCode.get(f.category_code!)!;
				expect(c.level).toBe(3);
				expect(f.category_l2).toBe(c.parent);
				expect(ref.districtByCode.has(f.district_code!)).toBe(true);
				if (f.street_code) expect(ref.streetByCode.get(f.street_code)!.districtCode).toBe(f.district_code);
				if (f.unit_code) expect(ref.unitByCode.has(f.unit_code)).toBe(true);
				expect(f.content.length).toBeGreaterThan(5);
				expect(f.content).not.toMatch(/\{[a-z]+\}/); // every slot filled
			}
		});

		it('has weekly, holiday and seasonal rhythms', () => {
			const perDay = new Map<string, number>();
			for (const f of r.facts) perDay.set(f.day, (perDay.get(f.day) ?? 0) + 1);
			const cal = defaultCalendar();
			const mean = (days: string[]) => days.reduce((s, d) => s + (perDay.get(d) ?? 0), 0) / days.length;
			const all = [...perDay.keys()].filter((d) => d !== '2026-11-28');
			const workdays = all.filter((d) => cal.isWorkday(d));
			const sundays = all.filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 0 && !cal.isWorkday(d));
			expect(mean(sundays)).toBeLessThan(0.85 * mean(workdays));
			const springFestival = all.filter((d) => cal.holidayName(d) === '春节');
			expect(springFestival.length).toBeGreaterThan(5);
			expect(mean(springFestival)).toBeLessThan(0.75 * mean(workdays));
			// air-conditioner noise is a summer matter
			const ac = r.facts.filter((f) => f.category_code === '020303');
			const inMonths = (ms: number[]) => ac.filter((f) => ms.includes(Number(f.day.slice(5, 7)))).length;
			expect(inMonths([6, 7, 8])).toBeGreaterThan(2 * inMonths([12, 1, 2]));
		});

		it('gives realistic lifecycle outcomes that differ between units', () => {
			const { facts } = r;
			const share = (p: (f: (typeof facts)[number]) => boolean) => facts.filter(p).length / facts.length;
			expect(share((f) => f.status === 'closed')).toBeGreaterThan(0.6);
			expect(share((f) => f.status === 'answered_directly')).toBeGreaterThan(0.05);
			expect(share((f) => f.status === 'not_accepted')).toBeGreaterThan(0.01);
			expect(share((f) => f.returns > 0)).toBeGreaterThan(0.01);
			// its handling rounds: one per dispatch, one ended by each return, the last one's unit the ticket's
			for (const f of facts) {
				const rounds = f.rounds!;
				expect(rounds.filter((x) => x.returned).length, f.ticket_no).toBe(f.returns);
				expect(rounds.filter((x) => x.reopened).length, f.ticket_no).toBe(f.reopens);
				expect(rounds.length === 0, f.ticket_no).toBe(f.dispatched_at === null);
				if (rounds.length && !rounds.at(-1)!.returned) expect(rounds.at(-1)!.unit, f.ticket_no).toBe(f.unit_code);
			}
			// some went on to another unit after a return
			expect(share((f) => f.rounds!.some((x) => x.returned && x.unit !== f.unit_code))).toBeGreaterThan(0.005);
			expect(share((f) => f.reopens > 0)).toBeGreaterThan(0.005);
			expect(share((f) => f.satisfaction === '不满意')).toBeGreaterThan(0.01);
			// open work exists only near now
			const open = facts.filter((f) => !f.closed_at);
			expect(open.length).toBeGreaterThan(0);
			expect(Math.min(...open.map((f) => f.received_at))).toBeGreaterThan(NOW - 90 * 86_400_000);
			// units differ: on-time reply rates spread across busy units
			const byUnit = new Map<string, { n: number; late: number }>();
			for (const f of facts) {
				if (!f.unit_code || f.reply_on_time === null) continue;
				const u = byUnit.get(f.unit_code) ?? { n: 0, late: 0 };
				u.n++;
				if (!f.reply_on_time) u.late++;
				byUnit.set(f.unit_code, u);
			}
			const rates = [...byUnit.values()].filter((u) => u.n >= 100).map((u) => u.late / u.n);
			expect(rates.length).toBeGreaterThan(10);
			expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.08);
		});

		it('injects at least 12 incidents of the emergency domains, as real ticket clusters', () => {
			const { gen, facts } = r;
			expect(gen.incidents.length).toBeGreaterThanOrEqual(12);
			expect(new Set(gen.incidents.map((i) => i.domain)).size).toBeGreaterThanOrEqual(5);
			const byNo = new Map(facts.map((f) => [f.ticket_no, f]));
			for (const inc of gen.incidents) {
				const tickets = inc.ticket_nos.map((n) => byNo.get(n)!);
				expect(tickets.every(Boolean)).toBe(true);
				for (const t of tickets) {
					expect(t.category_code).toBe(inc.category);
					expect(t.district_code).toBe(inc.district_code);
					expect(t.received_at).toBeGreaterThanOrEqual(Date.parse(inc.start));
					expect(t.received_at).toBeLessThanOrEqual(Date.parse(inc.end));
				}
			}
			const sizes = gen.incidents.map((i) => i.ticket_nos.length).filter((n) => n > 0);
			expect(Math.max(...sizes)).toBeGreaterThan(2 * Math.min(...sizes)); // varied in size
		});

		it('hands recent and open tickets, with caller data and events, to the relational store', () => {
			const rel = r.batches.flatMap((b) => b.relational);
			expect(rel.length).toBeGreaterThan(0);
			for (const t of rel) {
				expect(t.fact.received_at >= NOW - 14 * 86_400_000 || !t.fact.closed_at).toBe(true);
				expect(t.callerPhone).toMatch(/^1\d{10}$/);
				expect(t.events[0].action).toBe('receive');
				expect(t.events.at(-1)!.to).toBe(t.fact.status);
				expect(t.events.every((e) => e.at <= NOW)).toBe(true);
			}
			// the analytics copy carries no personal data
			const sample = r.facts[0] as unknown as Record<string, unknown>;
			expect(Object.keys(sample)).not.toContain('caller_phone');
			expect(String(sample.caller_key)).toMatch(/^[0-9a-f]{16}$/);
		});

		it('writes varied text: many distinct contents, some short, some with typos or repeat markers', () => {
			const contents = r.facts.map((f) => f.content);
			expect(new Set(contents).size / contents.length).toBeGreaterThan(0.95);
			expect(contents.filter((c) => c.length < 40).length).toBeGreaterThan(contents.length * 0.05);
			expect(contents.filter((c) => c.length > 90).length).toBeGreaterThan(contents.length * 0.05);
			expect(contents.some((c) => /多次反映|第\d次打电话|之前已经反映过/.test(c))).toBe(true);
		});
	});

	it('names assisting units (协办) for a small share of dispatches, more for multi-department matters, never the lead', () => {
		// every ticket to the relational store, so that each one's events are at hand
		const { batches } = run(30_000, 11, 200, 400);
		const tickets = batches.flatMap((b) => b.relational);
		expect(tickets.length).toBe(30_000);
		const dispatches = tickets.flatMap((t) => t.events.filter((e) => e.action === 'dispatch').map((e) => ({ e, category: t.fact.category_code! })));
		const assisted = (d: (typeof dispatches)[number]) => ((d.e.data?.assistUnits as string[] | undefined) ?? []).length > 0;
		const share = (ds: typeof dispatches) => ds.filter(assisted).length / ds.length;
		expect(share(dispatches)).toBeGreaterThanOrEqual(0.05);
		expect(share(dispatches)).toBeLessThanOrEqual(0.1);
		// 水污染 (河道) and 违法建设 need several departments: far more often assisted than the rest
		const multi = dispatches.filter((d) => /^0202|^0102/.test(d.category));
		const rest = dispatches.filter((d) => !/^0202|^0102/.test(d.category) && !/^0106|^020104|^020301|^0204|^0404|^1203|^120102|^150101/.test(d.category));
		expect(multi.length).toBeGreaterThan(300);
		expect(share(multi)).toBeGreaterThan(3 * share(rest));
		expect(share(rest)).toBeGreaterThan(0.02);
		const helpers = new Map<string, number>();
		for (const { e, category } of dispatches.filter(assisted)) {
			const units = e.data!.assistUnits as string[];
			expect(units.length === 1 || units.length === 2).toBe(true);
			expect(new Set(units).size).toBe(units.length);
			for (const u of units) {
				expect(ref.unitByCode.has(u), u).toBe(true);
				expect(u, `${category} dispatched to ${e.unitCode}`).not.toBe(e.unitCode);
				if (category.startsWith('0202')) helpers.set(u, (helpers.get(u) ?? 0) + 1);
			}
			// the dispatch note names them, as the case action's does
			expect(e.note).toContain('，协办：');
		}
		expect(dispatches.filter(assisted).some((d) => (d.e.data!.assistUnits as string[]).length === 2)).toBe(true);
		// water pollution: the water and the environment bureaus among the most frequent helpers
		const top = [...helpers.entries()].sort((x, y) => y[1] - x[1]).slice(0, 4).map(([u]) => u);
		expect(top).toEqual(expect.arrayContaining(['M05', 'M02']));
		for (const t of tickets) {
			// the fact's assists are what the sync reads from the events; the ticket's assist_units its current dispatch's
			const read = unitAssists(t.events.map((e) => ({ action: e.action, to: e.to, unit: e.unitCode, at: e.at, assistUnits: (e.data?.assistUnits as string[] | undefined) ?? null })));
			expect(t.fact.assists ?? [], t.fact.ticket_no).toEqual(read);
			if (!read.length) expect(t.fact.assists, t.fact.ticket_no).toBeNull();
			const last = t.events.filter((e) => e.action === 'dispatch' || e.action === 'return').at(-1);
			expect(t.state.assistUnits, t.fact.ticket_no).toEqual(last?.action === 'dispatch' ? ((last.data?.assistUnits as string[] | undefined) ?? []) : []);
		}
		// and the history written straight to the analytics store has them too
		const history = run(6000, 11, 200).facts;
		expect(history.filter((f) => f.assists).length).toBeGreaterThan(200);
	});

	it('has return visits that reached nobody first (回访未接通), some tickets closed unvisited after three, and the open ones carrying their count', () => {
		const tickets = run(20_000, 21, 120, 400).batches.flatMap((b) => b.relational);
		const visited = tickets.filter((t) => t.events.some((e) => e.action === 'visit' || (e.action === 'close' && e.from === 'replied')));
		const tried = visited.filter((t) => t.events.some((e) => e.action === 'visit_failed'));
		expect(tried.length / visited.length).toBeGreaterThan(0.1);
		expect(tried.length / visited.length).toBeLessThan(0.35);
		const unvisited = tickets.filter((t) => t.events.some((e) => e.action === 'close'));
		expect(unvisited.length).toBeGreaterThan(0);
		for (const t of unvisited) {
			// no satisfaction of its own: the one of an earlier round's visit (that reopened it), if any, as the case action leaves it
			const earlier = t.events.filter((e) => e.action === 'visit').at(-1);
			expect(t.fact.satisfaction, t.fact.ticket_no).toBe(earlier ? earlier.data!.satisfaction : null);
			expect(t.events.filter((e) => e.action === 'visit_failed').length).toBeGreaterThanOrEqual(VISIT_ATTEMPTS);
		}
		for (const t of tickets) {
			// the state: the attempts since the last reply, as the case action counts them
			const since = t.events.slice(t.events.findLastIndex((e) => e.action === 'reply') + 1).filter((e) => e.action === 'visit_failed');
			const lastReply = t.events.some((e) => e.action === 'reply');
			expect(t.state.visitAttempts, t.fact.ticket_no).toBe(lastReply ? since.length : 0);
			expect(t.state.visitFailure).toBe(since.at(-1)?.data?.outcome ?? null);
			for (const [i, e] of since.entries()) expect(e.data).toEqual({ outcome: expect.stringMatching(/^(无人接听|关机或停机)$/), attempt: i + 1 });
		}
		expect(tickets.some((t) => t.fact.status === 'replied' && t.state.visitAttempts > 0)).toBe(true);
	});

	it('ends today at now: no ticket of today lies in the future', () => {
		const { facts } = run(3000, 3, 30);
		const today = facts.filter((f) => f.day === shanghaiDay(NOW));
		expect(today.length).toBeGreaterThan(0);
		expect(today.every((f) => f.received_at <= NOW)).toBe(true);
	});
});
