// npm run bench -- queues: what opening a case-handling queue costs over a store the size of a city's year — the
// page and the tab counts beside it (listQueue), in the embedded PGlite, for each queue as its people open it, and
// 工单查询 (every ticket: the last 30 days, any time, a caller's number, words within 30 days and any time), and
// the navigation's numbers (workCounts) read with every page. The
// tickets are written straight into the store: most closed, as in a real year, a few thousand in each open state,
// one in 25 with an assisting unit, and each caller's number on 5 tickets spread over the year. Median and worst of --runs per queue; the store answers one statement at a
// time, so this is also how long every registration arriving meanwhile waits.
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { withScratchApp } from './scratch-app';
import { median } from './stats';

/** The open states a ticket is in besides closed, one ticket in 50 spread over them. */
const OPEN = ['received', 'accepted', 'reopened', 'dispatched', 'signed', 'replied'];

export async function queuesBench(argv: string[]): Promise<void> {
	const { values } = parseArgs({ args: argv, options: { tickets: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '10' } } });
	const n = Math.max(1000, Number(values.tickets));
	const runs = Math.max(1, Number(values.runs));
	const { listQueue } = await import('../../src/lib/server/cases/read');
	await withScratchApp('minqing-bench-queues', async (app) => {
		const db = app.rel.db;
		const units = (await db.execute(sql`select code from units order by code`)) as unknown as { rows: { code: string }[] };
		const codes = units.rows.map((r) => r.code);
		if (!codes.length) throw new Error('queues benchmark: the store has no units');
		const t0 = performance.now();
		// each number calls 5 times a year
		const callers = Math.max(1, Math.floor(n / 5));
		const states = `array[${OPEN.map((s) => `'${s}'`).join(',')}]`;
		const unitArr = `array[${codes.map((c) => `'${c}'`).join(',')}]`;
		for (let from = 1; from <= n; from += 100_000) {
			const to = Math.min(n, from + 99_999);
			await db.execute(
				sql.raw(`INSERT INTO tickets (ticket_no, source, external_id, channel, type, content, status, unit_code, assist_units, received_at, updated_at,
					dispatched_at, sign_deadline, reply_deadline, caller_phone, caller_phone_key)
				SELECT 'B' || i, 'bench', 'B' || i, 'phone', '投诉', '压测工单 ' || i,
					CASE WHEN i % 50 = 0 THEN (${states})[1 + (i / 50) % ${OPEN.length}] ELSE 'closed' END,
					(${unitArr})[1 + i % ${codes.length}],
					CASE WHEN i % 25 = 0 THEN array[(${unitArr})[1 + (i / 25) % ${codes.length}]] ELSE '{}'::text[] END,
					now() - make_interval(secs => (${n} - i) * 30), now(),
					now() - make_interval(secs => (${n} - i) * 30), now() + make_interval(days => (i % 7) - 2), now() + make_interval(days => (i % 15) - 3),
					'138' || lpad((i % ${callers})::text, 8, '0'), '138' || lpad((i % ${callers})::text, 8, '0')
				FROM generate_series(${from}, ${to}) i`)
			);
		}
		await db.execute(sql`analyze tickets`);
		console.log(`queues benchmark: ${n.toLocaleString('en')} tickets in the embedded store (written in ${((performance.now() - t0) / 1000).toFixed(1)} s), ${runs} runs per queue`);
		const staff = (role: string) => ({ id: null, role, unitCode: null, displayName: '压测' }) as Parameters<typeof listQueue>[1];
		const unit = { id: null, role: 'unit_handler', unitCode: codes[0], displayName: '压测' } as Parameters<typeof listQueue>[1];
		const cases: [string, Parameters<typeof listQueue>[1], Parameters<typeof listQueue>[2]][] = [
			['受理 (intake)', staff('operator'), { queue: 'intake' }],
			['派单 (dispatch)', staff('dispatcher'), { queue: 'dispatch' }],
			['我的工单 (mine, todo)', unit, { queue: 'mine' }],
			['我的工单 (mine, all)', unit, { queue: 'mine', tab: 'all' }],
			['督办 (supervise, red)', staff('supervisor'), { queue: 'supervise' }],
			['回访 (visits)', staff('supervisor'), { queue: 'visits' }],
			['工单查询 (lookup, 近 30 天)', staff('operator'), { queue: 'lookup' }],
			['工单查询 (lookup, 不限)', staff('operator'), { queue: 'lookup', days: 0 }],
			['工单查询 (lookup, a caller’s number)', staff('operator'), { queue: 'lookup', q: `138${String(1234 % callers).padStart(8, '0')}` }],
			['工单查询 (lookup, words, 近 30 天)', staff('operator'), { queue: 'lookup', q: `压测工单 ${n - 1234}` }],
			['工单查询 (lookup, words, 不限)', staff('operator'), { queue: 'lookup', q: `压测工单 ${n - 1234}`, days: 0 }]
		];
		const rows = [['queue', 'tickets in tab', 'median ms', 'worst ms']];
		for (const [label, user, f] of cases) {
			const ms: number[] = [];
			let total = 0;
			for (let i = 0; i < runs; i++) {
				const s = performance.now();
				total = (await listQueue(app, user, f)).total;
				ms.push(performance.now() - s);
			}
			rows.push([label, total.toLocaleString('en'), median(ms).toFixed(1), Math.max(...ms).toFixed(1)]);
		}
		// 工单查询 read on: the page after the first, by its cursor (and where that page stands, counted)
		for (const days of [30, 0]) {
			const first = await listQueue(app, staff('operator'), { queue: 'lookup', days });
			const ms: number[] = [];
			for (let i = 0; i < runs; i++) {
				const s = performance.now();
				await listQueue(app, staff('operator'), { queue: 'lookup', days, after: first.next ?? undefined });
				ms.push(performance.now() - s);
			}
			rows.push([`工单查询 (lookup, ${days ? `近 ${days} 天` : '不限'}, next page)`, first.total.toLocaleString('en'), median(ms).toFixed(1), Math.max(...ms).toFixed(1)]);
		}
		// the numbers beside the navigation's screens, read for every page a user opens
		const { workCounts } = await import('../../src/lib/server/work-counts');
		const { navFor } = await import('../../src/lib/nav');
		for (const user of [staff('supervisor'), unit]) {
			const ms: number[] = [];
			for (let i = 0; i < runs; i++) {
				const s = performance.now();
				await workCounts(app, user, navFor(user.role));
				ms.push(performance.now() - s);
			}
			rows.push([`navigation numbers (${user.role})`, '', median(ms).toFixed(1), Math.max(...ms).toFixed(1)]);
		}
		const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
		for (const r of rows) console.log(r.map((x, c) => (c ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  '));
	});
}
