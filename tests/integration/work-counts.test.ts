// The work waiting on each screen, as the navigation shows it: the queues' tab counts for the user (a unit its own), the
// alerts nobody acknowledged, nothing for a screen the user does not see or has no work on. Over a real embedded store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopApp, type App } from '../../src/lib/server/app';
import { startRouteApp } from '../support/app';
import { addPeople, INTAKE, HOTLINE_STAFF } from '../support/cases';
import { actOnTicket, registerTicket, type CaseUser } from '../../src/lib/server/cases/service';
import { listQueue } from '../../src/lib/server/cases/read';
import { workCounts } from '../../src/lib/server/work-counts';
import { navFor } from '../../src/lib/nav';
import { eq } from 'drizzle-orm';
import { alerts } from '../../src/lib/server/db/schema';
import * as workRoute from '../../src/routes/api/v1/account/work/+server';

let a: App;
const people: Record<string, CaseUser> = {};
const UNIT_A = 'D320508';
const UNIT_B = 'M02';

beforeAll(async () => {
	a = await startRouteApp();
	await addPeople(a, people, {
		...HOTLINE_STAFF,
		admin: ['admin'],
		emergency: ['emergency'],
		unitA: ['unit_handler', UNIT_A],
		unitB: ['unit_handler', UNIT_B]
	});
}, 120_000);

afterAll(async () => {
	if (a) await stopApp(a);
});

const countsOf = (who: string, now?: number) => workCounts(a, people[who], navFor(people[who].role), now);
const tabCount = async (who: string, queue: 'intake' | 'dispatch' | 'mine' | 'supervise' | 'visits', tab: string, now?: number) =>
	(await listQueue(a, people[who], { queue, tab, now })).counts[tab];

describe('the navigation’s work counts', () => {
	it('are the queues’ tab counts for the user, only for the screens it sees and has work on', async () => {
		expect(await countsOf('unitA')).toEqual({});
		const t = await registerTicket(a, people.operator, { ...INTAKE, content: '平江路路灯不亮' }, { decision: { action: 'accept' } });
		expect((await countsOf('dispatcher'))['/dispatch']).toEqual({ count: await tabCount('dispatcher', 'dispatch', 'all'), label: `待派 ${await tabCount('dispatcher', 'dispatch', 'all')} 件` });
		expect((await countsOf('dispatcher'))['/dispatch'].count).toBeGreaterThanOrEqual(1);
		// a unit sees its own work only; an operator has no 派单 screen
		expect(await countsOf('unitA')).toEqual({});
		expect(Object.keys(await countsOf('operator'))).not.toContain('/dispatch');

		const d = await actOnTicket(a, people.dispatcher, t.ticketNo, { action: 'dispatch', version: t.version, unit_code: UNIT_A });
		expect(await countsOf('unitA')).toEqual({ '/my-tickets': { count: 1, label: '待办 1 件' } });
		expect(await countsOf('unitB')).toEqual({});

		// a month on the ticket is overdue: 督办 counts it, as its 超期 tab does
		const later = Date.now() + 30 * 86_400_000;
		expect((await countsOf('supervisor', later))['/supervise']).toEqual({ count: await tabCount('supervisor', 'supervise', 'red', later), label: `超期 ${await tabCount('supervisor', 'supervise', 'red', later)} 件` });
		expect((await countsOf('supervisor'))['/supervise']).toBeUndefined();

		const s = await actOnTicket(a, people.unitA, t.ticketNo, { action: 'sign', version: d.version });
		await actOnTicket(a, people.unitA, t.ticketNo, { action: 'reply', version: s.version, note: '已修复' });
		expect(await countsOf('unitA')).toEqual({});
		const visits = await tabCount('operator', 'visits', 'all');
		expect(visits).toBeGreaterThanOrEqual(1);
		expect((await countsOf('operator'))['/visits']).toEqual({ count: visits, label: `待回访 ${visits} 件` });
		// an administrator sees the hotline's queues, not a unit's
		expect(await countsOf('admin')).toMatchObject({ '/visits': { count: visits } });
		expect(Object.keys(await countsOf('admin'))).not.toContain('/my-tickets');
	});

	it('count the alerts nobody has acknowledged, a silenced one aside, for those who see 预警', async () => {
		const now = new Date();
		const base = {
			title: '测试预警',
			signal: 'firing',
			severity: 2,
			placeLevel: 'district',
			placeCode: '320508',
			districtCode: '320508',
			places: [],
			series: [],
			bucket: 'hour',
			startedAt: now,
			lastFiringAt: now,
			observed: 9,
			expected: 1,
			upper: 4,
			score: 0.99
		};
		await a.rel.db.insert(alerts).values([
			{ ...base, status: 'new', topicKey: 'w1' },
			{ ...base, status: 'acknowledged', topicKey: 'w2' },
			{ ...base, status: 'new', topicKey: 'w3', silencedBy: null },
			{ ...base, status: 'resolved', topicKey: 'w4' }
		]);
		const [, , third] = await a.rel.db.select().from(alerts).orderBy(alerts.id);
		expect((await countsOf('emergency'))['/alerts']).toEqual({ count: 2, label: '待确认 2 条' });
		await a.rel.db.update(alerts).set({ silencedBy: 1 }).where(eq(alerts.id, third.id));
		expect((await countsOf('emergency'))['/alerts']).toEqual({ count: 1, label: '待确认 1 条' });
		expect(Object.keys(await countsOf('operator'))).not.toContain('/alerts');
	});

	it('are read by GET /api/v1/account/work with the instant they were taken at', async () => {
		const before = Date.now();
		const res = await (workRoute.GET as (e: never) => Promise<Response>)({ locals: { user: { ...people.operator, username: 't_operator', unitName: null } } } as never);
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('no-store');
		const body = await res.json();
		expect(body.at).toBeGreaterThanOrEqual(before);
		expect(body.screens).toEqual(await countsOf('operator'));
	});
});
