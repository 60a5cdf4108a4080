// npm run bench -- attachments: what one photo costs the server. A phone's photo (4000×3000 JPEG of noise, which
// compresses as badly as a real scene: several MB; another one each run) is checked — signature, a full decode, the
// 320-px WebP preview (sharp, on libuv's threads) — then kept with a ticket (the file in the data directory, its row
// in the embedded PGlite) and read back, file and preview. Median and worst of --runs each, and the longest the event loop was kept from running anything
// else meanwhile (a registration arriving then waits that long).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { withScratchApp } from './scratch-app';
import { median } from './stats';

export async function attachmentsBench(argv: string[]): Promise<void> {
	const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '10' }, width: { type: 'string', default: '4000' }, height: { type: 'string', default: '3000' } } });
	const runs = Number(values.runs);
	const [w, h] = [Number(values.width), Number(values.height)];
	// a different photo each run: the same bytes again would be found kept already (blobs.ts) and not written
	const photos = await Promise.all(
		Array.from({ length: runs }, (_, i) =>
			sharp({ create: { width: w, height: h, channels: 3, background: { r: i % 256, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 100 + (i % 50), sigma: 40 } } })
				.jpeg({ quality: 85 })
				.toBuffer()
		)
	);
	const photo = photos[0];
	const { checkFiles, addAttachments, attachmentFile } = await import('../../src/lib/server/cases/attachments');
	const { registerTicket } = await import('../../src/lib/server/cases/service');
	console.log(`attachments benchmark: a ${w}×${h} JPEG of ${(photo.length / 1024 / 1024).toFixed(1)} MB, ${runs} runs each (files in the data directory, rows in PGlite on disk)`);
	await withScratchApp('minqing-bench-attach', async (app) => {
		const operator = { id: null, role: 'operator' as const, unitCode: null, displayName: '压测' };
		const rows: string[][] = [['step', 'median ms', 'worst ms', 'event loop held, worst ms']];
		const time = async (label: string, f: (i: number) => Promise<unknown>) => {
			const ms: number[] = [];
			const held: number[] = [];
			for (let i = 0; i < runs; i++) {
				const loop = monitorEventLoopDelay({ resolution: 1 });
				loop.enable();
				const t0 = performance.now();
				await f(i);
				ms.push(performance.now() - t0);
				loop.disable();
				held.push(loop.max / 1e6);
			}
			rows.push([label, median(ms).toFixed(1), Math.max(...ms).toFixed(1), Math.max(...held).toFixed(1)]);
		};
		await time('check (signature, decode, preview)', () => checkFiles([{ name: 'p.jpg', bytes: photo }]));
		const ticket = await registerTicket(app, operator, { channel: 'wechat', type: '投诉', content: '压测附件', district_code: '320508' });
		const ids: number[] = [];
		// a ticket keeps at most 20: a new ticket every 20 runs
		let current = ticket.ticketNo;
		await time('upload (check + keep)', async (i) => {
			if (i > 0 && i % 20 === 0) current = (await registerTicket(app, operator, { channel: 'wechat', type: '投诉', content: `压测附件 ${i}`, district_code: '320508' })).ticketNo;
			const after = await addAttachments(app, operator, current, [{ name: `p${i}.jpg`, bytes: photos[i] }]);
			ids.push(after.items!.at(-1)!.id);
		});
		await time('read the file', () => attachmentFile(app, operator, ticket.ticketNo, ids[0]));
		await time('read the preview', () => attachmentFile(app, operator, ticket.ticketNo, ids[0], true));
		const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
		for (const r of rows) console.log(r.map((x, c) => (c === 0 ? x.padEnd(widths[c] + 2) : x.padStart(widths[c] + 2))).join(''));
	});
}
