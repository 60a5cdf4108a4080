// The detection side of the alert store against an in-memory relational store: which alert an incident
// continues, what a round may change, and that a person's action made meanwhile stands.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { migrationsDir, openRelational, type RelationalStore } from '../db/index';
import { eq } from 'drizzle-orm';
import { alertEvents, alerts, alertTickets } from '../db/schema';
import { alertsOfTicket, alertTrail, getAlert, isAlertAction, recordIncident, settleQuiet, transition, type DetectedIncident, type RoundClaims } from './store';

const H = 3_600_000;
const T = Date.parse('2026-07-20T10:00:00+08:00');
const noLists = () => [] as string[];
let store: RelationalStore;

// a store of its own for each test (the alert trail is append-only)
beforeEach(async () => {
	store = await openRelational({ databaseUrl: null, dataDir: ':memory:', migrationsDir: migrationsDir(resolve(import.meta.dirname, '../../../..')) });
});
afterEach(async () => {
	await store?.close();
});

function tickets(prefix: string, n: number, at: number) {
	return Array.from({ length: n }, (_, i) => ({ ticketNo: `${prefix}-${i}`, receivedAt: new Date(at), streetCode: null }));
}

function incident(o: Partial<DetectedIncident> & Pick<DetectedIncident, 'onset' | 'lastFiring' | 'active'>): DetectedIncident {
	return {
		title: '内涝',
		severity: 3,
		watchlistSlug: 'flood_drought',
		categoryCode: null,
		topicKey: 'wl:flood_drought',
		placeLevel: 'district',
		placeCode: '320506',
		districtCode: '320506',
		places: [],
		series: [],
		bucket: 'hour',
		observed: 10,
		expected: 1,
		upper: 3,
		score: 0.8,
		tickets: [],
		unitCode: null,
		silencedBy: null,
		...o
	};
}

describe('recordIncident and settleQuiet', () => {
	it('keeps a finished incident found again to its own alert, not to a newer live one of the same topic and place', async () => {
		// incident B three days ago, over
		const b = (active: boolean) =>
			incident({ title: 'B', onset: new Date(T - 72 * H), lastFiring: new Date(T - 70 * H), active, tickets: tickets('B', 6, T - 71 * H) });
		const first = await recordIncident(store.db, b(true), new Date(T - 70 * H), noLists);
		await recordIncident(store.db, b(false), new Date(T - 60 * H), noLists);
		// now: a new incident A of the same list and district; every round finds B again (the last 7 days)
		const a = incident({ title: 'A', onset: new Date(T - H), lastFiring: new Date(T), active: true, tickets: tickets('A', 8, T - H) });
		let live = 0;
		for (const now of [T, T + 5 * 60_000, T + 10 * 60_000]) {
			const round: RoundClaims = new Map();
			const rb = await recordIncident(store.db, b(false), new Date(now), noLists, round);
			const ra = await recordIncident(store.db, a, new Date(now), noLists, round);
			expect(rb.alert.id).toBe(first.alert.id);
			expect(ra.alert.id).not.toBe(first.alert.id);
			live = ra.alert.id;
		}
		const row = await getAlert(store.db, live);
		expect(row).toMatchObject({ title: 'A', status: 'new', signal: 'firing', ticketCount: 8 });
		expect(row.startedAt.getTime()).toBe(T - H);
		expect((await alertTrail(store.db, live)).map((e) => e.action)).toEqual(['fired']);
	});

	it('gives a district incident its own alert before a city-wide one that took in another district', async () => {
		const gusu = (last: number) =>
			incident({ title: '姑苏区', placeCode: '320508', districtCode: '320508', onset: new Date(T - 2 * H), lastFiring: new Date(last), active: true, tickets: tickets('X', 5, T) });
		const wuzhong = (last: number) => incident({ title: '吴中区', onset: new Date(T - H), lastFiring: new Date(last), active: true, tickets: tickets('Y', 5, T) });
		const city = (last: number) =>
			incident({ title: '全市', placeLevel: 'city', placeCode: '320500', districtCode: null, onset: new Date(T - H), lastFiring: new Date(last), active: true, tickets: tickets('Y', 5, T) });
		const round = async (now: number, incs: DetectedIncident[]) => {
			const claims: RoundClaims = new Map();
			const seen = new Set<number>();
			const ids = [];
			for (const i of incs) {
				const r = await recordIncident(store.db, i, new Date(now), noLists, claims);
				seen.add(r.alert.id);
				ids.push(r.alert.id);
			}
			await settleQuiet(store.db, seen, new Date(now));
			return ids;
		};
		const [g] = await round(T, [gusu(T), wuzhong(T)]);
		await round(T + 5 * 60_000, [gusu(T), wuzhong(T + 5 * 60_000), city(T + 5 * 60_000)]);
		const [g2] = await round(T + 10 * 60_000, [gusu(T + 10 * 60_000), wuzhong(T + 10 * 60_000), city(T + 10 * 60_000)]);
		expect(g2).toBe(g);
		expect(await getAlert(store.db, g)).toMatchObject({ title: '姑苏区', placeLevel: 'district', status: 'new', signal: 'firing' });
		expect((await alertTrail(store.db, g)).map((e) => e.action)).toEqual(['fired']);
	});

	it('does not let a later incident of the same round quieten an alert an earlier one keeps firing', async () => {
		const live = incident({ onset: new Date(T - 3 * H), lastFiring: new Date(T), active: true, tickets: tickets('L', 4, T) });
		// an incident sharing the alert's tickets that has already ended (another topic, so only the tickets join it)
		const over = incident({ topicKey: 'cat:12', watchlistSlug: null, onset: new Date(T - 3 * H), lastFiring: new Date(T - 10 * H / 4), active: false, tickets: tickets('L', 4, T) });
		const first = await recordIncident(store.db, live, new Date(T), noLists);
		const claims: RoundClaims = new Map();
		await recordIncident(store.db, live, new Date(T + 60_000), noLists, claims);
		const r = await recordIncident(store.db, over, new Date(T + 60_000), noLists, claims);
		expect(r.alert.id).toBe(first.alert.id);
		expect(r.event).not.toBe('auto_resolved');
		expect(await getAlert(store.db, first.alert.id)).toMatchObject({ status: 'new', signal: 'firing' });
	});

	it('leaves an alert a person escalated while the round ran open', async () => {
		const ids: number[] = [];
		for (let i = 0; i < 5; i++) {
			const r = await recordIncident(
				store.db,
				incident({ topicKey: `wl:l${i}`, watchlistSlug: `l${i}`, onset: new Date(T - 2 * H), lastFiring: new Date(T - H), active: true, tickets: tickets(`R${i}`, 1, T) }),
				new Date(T),
				noLists
			);
			ids.push(r.alert.id);
		}
		const last = ids[ids.length - 1];
		const seenVersion = (await getAlert(store.db, last)).version;
		// the round reads the open alerts, then settles them one by one; the escalation comes in between
		const settling = settleQuiet(store.db, new Set(), new Date(T + 5 * H));
		while (!(await alertTrail(store.db, ids[0])).some((e) => e.action === 'auto_resolved')) await new Promise((r) => setTimeout(r, 1));
		const escalating = transition(store.db, last, 'escalate', { id: null, name: '值班员' }, seenVersion, '已报市应急局');
		const [settled, escalated] = await Promise.all([settling, escalating]);
		expect(escalated.status).toBe('escalated');
		const row = await getAlert(store.db, last);
		expect(row.status).toBe('escalated');
		expect(row.signal).toBe('normal');
		expect(row.version).toBe(seenVersion + 1);
		expect(settled.find((r) => r.alert.id === last)?.event).toBe('recovered');
		expect((await alertTrail(store.db, last)).map((e) => e.action)).toEqual(['fired', 'escalated', 'recovered']);
		for (const id of ids.slice(0, -1)) expect((await getAlert(store.db, id)).status).toBe('resolved');
	});
});

describe('an alert a person closed while its incident goes on', () => {
	const person = { id: null, name: '值班员' };
	const river = (n: number, o: Partial<DetectedIncident> = {}) =>
		incident({ onset: new Date(T - 3 * H), lastFiring: new Date(T - 2 * H + n * 60_000), active: true, tickets: tickets('R', n, T - 2 * H), ...o });

	for (const action of ['resolve', 'dismiss'] as const)
		it(`opens again (${action}) when the incident doubles its tickets or becomes graver, not for a few more calls`, async () => {
			const first = await recordIncident(store.db, river(8), new Date(T - 2 * H), noLists);
			await transition(store.db, first.alert.id, action, person, first.alert.version, '已通知环保部门处理');
			// a few more calls of the same episode: kept to the closed alert, closed
			const more = await recordIncident(store.db, river(12), new Date(T - H), noLists);
			expect(more.event).toBe('updated');
			expect((await getAlert(store.db, first.alert.id)).status).toBe(action === 'resolve' ? 'resolved' : 'dismissed');
			// twice what it was when closed: open again, said why
			const grown = await recordIncident(store.db, river(16), new Date(T - H / 2), noLists);
			expect(grown.event).toBe('refired');
			const row = await getAlert(store.db, first.alert.id);
			expect([row.status, row.closedAt, row.ticketCount]).toEqual(['new', null, 16]);
			const trail = await alertTrail(store.db, first.alert.id);
			expect(trail.at(-1)).toMatchObject({ action: 'refired', note: '关闭后事件继续扩大，关联工单由 8 件增至 16 件，预警重新打开' });
		});

	it('opens again when the incident becomes graver, whatever its tickets', async () => {
		const first = await recordIncident(store.db, river(8), new Date(T - 2 * H), noLists);
		await transition(store.db, first.alert.id, 'resolve', person, first.alert.version, '');
		const graver = await recordIncident(store.db, river(9, { severity: 1 }), new Date(T - H), noLists);
		expect(graver.event).toBe('refired');
		expect((await alertTrail(store.db, first.alert.id)).at(-1)?.note).toContain('级别由Ⅲ级（较大）升至Ⅰ级（特别重大）');
	});

	it('opens again also when it was closed before the closing kept the incident’s size: counted from its tickets then', async () => {
		const first = await recordIncident(store.db, river(8), new Date(T - 2 * H), noLists);
		// closed as an older version closed it: no size in the closing event (the trail is append-only)
		const closing = new Date();
		await store.db.update(alerts).set({ status: 'resolved', closedAt: closing, version: first.alert.version + 1 }).where(eq(alerts.id, first.alert.id));
		await store.db
			.insert(alertEvents)
			.values({ alertId: first.alert.id, action: 'resolved', fromStatus: 'new', toStatus: 'resolved', actorName: '值班员', note: '', at: closing });
		// calls after the closing (the closing is at this machine's time)
		const after = (n: number) => [...tickets('R', 8, T - 2 * H), ...tickets('L', n, Date.now() + H)];
		expect((await recordIncident(store.db, river(0, { tickets: after(4) }), new Date(T - H), noLists)).event).toBe('updated');
		// the 8 received by the closing, doubled
		expect((await recordIncident(store.db, river(0, { tickets: after(8), lastFiring: new Date(T - H) }), new Date(T - H / 2), noLists)).event).toBe('refired');
	});

	it('stays closed when the incident has stopped firing', async () => {
		const first = await recordIncident(store.db, river(8), new Date(T - 2 * H), noLists);
		await transition(store.db, first.alert.id, 'resolve', person, first.alert.version, '');
		await recordIncident(store.db, river(30, { active: false }), new Date(T + 10 * H), noLists);
		expect((await getAlert(store.db, first.alert.id)).status).toBe('resolved');
	});
});

describe('a big incident’s calls', () => {
	const range = (prefix: string, from: number, to: number) => tickets(prefix, to, T - H).slice(from);
	const big = (list: ReturnType<typeof tickets>, last: number, o: Partial<DetectedIncident> = {}) =>
		incident({ onset: new Date(T - 2 * H), lastFiring: new Date(last), active: true, tickets: list, ...o });
	const links = async (id: number) =>
		(await store.db.select({ t: alertTickets.ticketNo }).from(alertTickets).where(eq(alertTickets.alertId, id))).map((r) => r.t).sort();

	it('are linked once across rounds that each find a moving window of them', async () => {
		const first = await recordIncident(store.db, big(range('B', 0, 700), T - H), new Date(T - H), noLists);
		expect(first.alert.ticketCount).toBe(700);
		// the newest 1,000 now: 400 linked already and 600 not, past the 500 numbers one look-up takes
		const moved = await recordIncident(store.db, big(range('B', 300, 1300), T), new Date(T), noLists);
		expect([moved.alert.id, moved.event, moved.alert.ticketCount]).toEqual([first.alert.id, 'updated', 1300]);
		expect(await links(first.alert.id)).toEqual(range('B', 0, 1300).map((x) => x.ticketNo).sort());
		// the same again: nothing to write
		const again = await recordIncident(store.db, big(range('B', 300, 1300), T), new Date(T + 60_000), noLists);
		expect([again.event, (await getAlert(store.db, first.alert.id)).ticketCount]).toEqual([null, 1300]);
	});

	it('linked by another process (a second server on the same PostgreSQL) are found, not linked or counted twice', async () => {
		const first = await recordIncident(store.db, big(range('B', 0, 700), T - H), new Date(T - H), noLists);
		// written past this process: 300 of the 600 calls the next round brings, and 50 it does not
		const other = [...range('B', 850, 1150), ...range('O', 0, 50)].map((x) => ({ alertId: first.alert.id, ...x }));
		await store.db.insert(alertTickets).values(other);
		const next = await recordIncident(store.db, big(range('B', 100, 1300), T), new Date(T), noLists);
		expect([next.alert.id, next.alert.ticketCount]).toEqual([first.alert.id, 1350]);
		expect(new Set(await links(first.alert.id)).size).toBe(1350);
	});

	it('are looked up whatever their numbers hold (an external system’s ids: commas, quotes, braces, backslashes)', async () => {
		const odd = ['A,1', 'B"2', 'C\\3', '{D4}', ' E 5 ', 'NULL', 'F\'6', '工单-7'].map((ticketNo) => ({ ticketNo, receivedAt: new Date(T - H), streetCode: null }));
		const first = await recordIncident(store.db, big(range('B', 0, 10), T - H), new Date(T - H), noLists);
		await store.db.insert(alertTickets).values(odd.slice(0, 4).map((x) => ({ alertId: first.alert.id, ...x })));
		const next = await recordIncident(store.db, big([...range('B', 0, 10), ...odd], T), new Date(T), noLists);
		expect(next.alert.ticketCount).toBe(18);
		expect(await links(first.alert.id)).toEqual([...range('B', 0, 10), ...odd].map((x) => x.ticketNo).sort());
	});

	it('decide whether an incident of another topic continues the alert: by their share of the smaller side', async () => {
		const first = await recordIncident(store.db, big(range('B', 0, 1300), T), new Date(T), noLists);
		const other = (list: ReturnType<typeof tickets>) =>
			big(list, T + H / 2, { title: '市政公用', watchlistSlug: null, topicKey: 'cat:12', categoryCode: '12' });
		// 600 of its 800 calls are the alert's: the same incident seen through a category
		const same = await recordIncident(store.db, other([...range('B', 700, 1300), ...range('N', 0, 200)]), new Date(T + H / 2), noLists);
		expect(same.alert.id).toBe(first.alert.id);
		expect(same.alert.ticketCount).toBe(1500);
		// 200 of 800: another incident
		const apart = await recordIncident(store.db, other([...range('B', 0, 200), ...range('M', 0, 600)]), new Date(T + H / 2), noLists);
		expect(apart.alert.id).not.toBe(first.alert.id);
		expect(apart.alert.ticketCount).toBe(800);
	});
});

describe('what the detection changes on an open alert', () => {
	it('raises its level with a new version and a trail entry', async () => {
		const inc = (severity: number, n: number) =>
			incident({ severity, onset: new Date(T - 3 * H), lastFiring: new Date(T - 2 * H + n * 60_000), active: true, tickets: tickets('G', n, T - 2 * H) });
		const first = await recordIncident(store.db, inc(4, 5), new Date(T - 2 * H), noLists);
		const raised = await recordIncident(store.db, inc(2, 6), new Date(T - H), noLists);
		expect(raised.event).toBe('severity_raised');
		expect(raised.alert).toMatchObject({ severity: 2, version: first.alert.version + 1, status: 'new' });
		expect((await alertTrail(store.db, first.alert.id)).at(-1)).toMatchObject({ action: 'severity_raised', note: '检测到事件扩大，级别由Ⅳ级（一般）升至Ⅱ级（重大）' });
		// the same level again is no news
		expect((await recordIncident(store.db, inc(2, 7), new Date(T - H / 2), noLists)).event).toBe('updated');
	});

	it('names a watch list that joins a category alert, and takes the list’s unit as set now', async () => {
		const base = { onset: new Date(T - 3 * H), active: true } as const;
		const category = incident({ ...base, title: '吴中区 · 燃气来电异常增多', watchlistSlug: null, topicKey: 'cat:0601', categoryCode: '0601', lastFiring: new Date(T - 2 * H), tickets: tickets('W', 5, T - 2 * H) });
		const first = await recordIncident(store.db, category, new Date(T - 2 * H), noLists);
		expect(first.alert.watchlistSlug).toBeNull();
		const listed = { ...base, title: '吴中区 · 安全生产来电异常增多', watchlistSlug: 'work_safety', topicKey: 'cat:0601', categoryCode: '0601', unitCode: 'M05' };
		await recordIncident(store.db, incident({ ...listed, lastFiring: new Date(T - H), tickets: tickets('W', 6, T - 2 * H) }), new Date(T - H), noLists);
		expect(await getAlert(store.db, first.alert.id)).toMatchObject({ watchlistSlug: 'work_safety', title: '吴中区 · 安全生产来电异常增多', unitCode: 'M05' });
		// the list's unit changed in 设置
		await recordIncident(store.db, incident({ ...listed, unitCode: 'M07', lastFiring: new Date(T - H / 2), tickets: tickets('W', 7, T - 2 * H) }), new Date(T - H / 2), noLists);
		expect((await getAlert(store.db, first.alert.id)).unitCode).toBe('M07');
	});
});

describe('isAlertAction', () => {
	it('knows the four actions and nothing an object inherits (constructor, toString … answered 500 before)', () => {
		for (const a of ['acknowledge', 'escalate', 'resolve', 'dismiss']) expect(isAlertAction(a), a).toBe(true);
		for (const a of ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', '']) expect(isAlertAction(a), a).toBe(false);
	});
});

describe('transition', () => {
	it('answers a version beyond what the store holds as a stale one (conflict), and changes nothing', async () => {
		// alerts.version is an integer column: the version seen is compared before the write, which names only the
		// version read (the knowledge base sent it to PostgreSQL, out of range for type integer, a 500)
		const first = await recordIncident(store.db, incident({ onset: new Date(T - H), lastFiring: new Date(T), active: true, tickets: tickets('V', 5, T) }), new Date(T), noLists);
		for (const version of [2 ** 31, 99999999999, 1e30])
			await expect(transition(store.db, first.alert.id, 'acknowledge', { id: null, name: '值班员' }, version)).rejects.toMatchObject({ code: 'conflict' });
		expect(await getAlert(store.db, first.alert.id)).toMatchObject({ status: 'new', version: first.alert.version });
	});
});

describe('alertsOfTicket', () => {
	it('lists the alerts a ticket is linked to, the latest first, and none for a ticket in no alert', async () => {
		const older = incident({ title: '旧', onset: new Date(T - 48 * H), lastFiring: new Date(T - 47 * H), active: false, tickets: tickets('A', 3, T - 48 * H) });
		const newer = incident({
			title: '新',
			topicKey: 'wl:typhoon',
			watchlistSlug: 'typhoon',
			onset: new Date(T - H),
			lastFiring: new Date(T),
			active: true,
			tickets: [...tickets('A', 1, T - H), ...tickets('B', 2, T - H)]
		});
		const o = await recordIncident(store.db, older, new Date(T - 47 * H), noLists);
		const n = await recordIncident(store.db, newer, new Date(T), noLists);
		expect((await alertsOfTicket(store.db, 'A-0')).map((a) => a.id)).toEqual([n.alert.id, o.alert.id]);
		expect((await alertsOfTicket(store.db, 'A-2')).map((a) => a.id)).toEqual([o.alert.id]);
		expect((await alertsOfTicket(store.db, 'B-1')).map((a) => a.id)).toEqual([n.alert.id]);
		expect(await alertsOfTicket(store.db, 'C-0')).toEqual([]);
	});
});
