// npm run bench -- sync: how long the sync of case handling into DuckDB takes for 1,000 tickets as the day fills
// up. Tickets for today go straight into the relational store (PGlite on disk), in statements of 500, and are
// synced; at each level of the day's volume the median of 5 syncs of 1,000 new tickets, then of 1,000 changed
// ones, is printed. A sync whose cost grows with the day (a rollup rebuild of its days) shows as a rising column.
// Beside each median, the longest the sync kept the event loop from running anything else (the largest delay of
// a 1 ms timer during the sync, median over the 5): in the server, a registration arriving then waits that long.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { inArray } from 'drizzle-orm';
import { withScratchApp } from './scratch-app';
import { median } from './stats';

export async function syncBench(argv: string[]): Promise<void> {
	const { values } = parseArgs({ args: argv, options: { today: { type: 'string', default: '5000,40000,100000,170000' } } });
	const levels = values.today.split(',').map((x) => Number(x.replaceAll('_', '')));
	const { syncToAnalytics } = await import('../../src/lib/server/sync');
	const { tickets } = await import('../../src/lib/server/db/schema');
	console.log(
		'sync benchmark: relational store (PGlite on disk) → DuckDB, median of 5 syncs of 1,000 tickets each, by tickets received today'
	);
	await withScratchApp('minqing-bench-sync', async (app) => {
		const districts = [...app.ref.districtByCode.keys()];
		const ids: number[] = [];
		let seq = 0;
		const add = async (n: number) => {
			for (let k = 0; k < n; k += 500) {
				const at = new Date();
				const rows = Array.from({ length: Math.min(500, n - k) }, () => {
					const i = seq++;
					const no = `SZ-BENCH-${i}`;
					const district = districts[i % districts.length];
					return {
						ticketNo: no,
						source: 'intake',
						externalId: no,
						channel: 'phone',
						type: '投诉',
						content: `压测来电 ${i}`,
						districtCode: district,
						status: 'received',
						receivedAt: at,
						updatedAt: at
					};
				});
				for (const r of await app.rel.db.insert(tickets).values(rows).returning({ id: tickets.id })) ids.push(r.id);
			}
		};
		const change = (n: number) =>
			app.rel.db
				.update(tickets)
				.set({ status: 'accepted', updatedAt: new Date() })
				.where(inArray(tickets.id, ids.slice(-n)))
				.then(() => {});
		const timed = async (before: () => Promise<void>) => {
			const ms: number[] = [];
			const stalls: number[] = [];
			for (let r = 0; r < 5; r++) {
				await before();
				const loop = monitorEventLoopDelay({ resolution: 1 });
				loop.enable();
				const t0 = performance.now();
				await syncToAnalytics(app);
				ms.push(performance.now() - t0);
				loop.disable();
				stalls.push(loop.max / 1e6);
			}
			return { ms: median(ms), stall: median(stalls) };
		};
		for (const level of levels) {
			if (level > ids.length) {
				await add(level - ids.length);
				await syncToAnalytics(app);
			}
			const today = ids.length;
			const added = await timed(() => add(1000));
			const changed = await timed(() => change(1000));
			console.log(
				`${today.toLocaleString('en').padStart(9)} today: 1,000 new ${added.ms.toFixed(0).padStart(4)} ms (longest stall ${added.stall.toFixed(1)} ms)` +
					` · 1,000 changed ${changed.ms.toFixed(0).padStart(4)} ms (longest stall ${changed.stall.toFixed(1)} ms)`
			);
		}
	});
}
