import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { forEachInSlices, mapInSlices, nextTurn, rowsInTurns, TimeSlices } from './event-loop';

describe('rowsInTurns', () => {
	it("gives a query result's rows in order, as getRows does, with a turn of the event loop between chunks", async () => {
		const inst = await DuckDBInstance.create(':memory:');
		const conn = await inst.connect();
		const sql = `SELECT i, 'text ' || i AS t, i::UBIGINT AS u FROM range(5000) r(i) ORDER BY i`;
		const turns: number[] = [];
		let converted = 0;
		const result = await conn.run(sql);
		const chunks = result.chunkCount;
		expect(chunks).toBeGreaterThan(1);
		const tick = () => {
			turns.push(converted);
			if (turns.length < chunks) setImmediate(tick);
		};
		setImmediate(tick);
		const rows = await rowsInTurns({ chunkCount: chunks, getChunk: (i) => ((converted = i), result.getChunk(i)) });
		expect(rows).toEqual((await conn.runAndReadAll(sql)).getRows());
		// the event loop ran between the chunks, not only after the last
		expect(turns.slice(0, chunks - 1)).toEqual(Array.from({ length: chunks - 1 }, (_, i) => i));
		conn.closeSync();
		inst.closeSync();
	});
});

describe('mapInSlices', () => {
	it('maps every item in order, slice by slice', async () => {
		const items = Array.from({ length: 1234 }, (_, i) => i);
		const sizes: number[] = [];
		const out = await mapInSlices(items, 500, (slice) => {
			sizes.push(slice.length);
			return slice.map((x) => x * 2);
		});
		expect(sizes).toEqual([500, 500, 234]);
		expect(out).toEqual(items.map((x) => x * 2));
		expect(await mapInSlices([], 10, (s) => s)).toEqual([]);
	});

	it('lets callbacks that are due run between slices, not before the first', async () => {
		const log: string[] = [];
		setImmediate(() => log.push('immediate'));
		await mapInSlices([1, 2, 3], 1, (slice) => {
			log.push(`slice ${slice[0]}`);
			return slice;
		});
		expect(log).toEqual(['slice 1', 'immediate', 'slice 2', 'slice 3']);
	});

	it('nextTurn runs the pending immediates first', async () => {
		let ran = false;
		setImmediate(() => (ran = true));
		await nextTurn();
		expect(ran).toBe(true);
	});
});

describe('forEachInSlices', () => {
	it('visits every item once, in order, with the work between slices and a turn of the event loop after it', async () => {
		const log: string[] = [];
		setImmediate(() => log.push('immediate'));
		const visit = (x: string, i: number) => log.push(`${x}${i}`);
		await forEachInSlices(['a', 'b', 'c', 'd', 'e'], 2, visit, () => log.push('flush'));
		expect(log).toEqual(['a0', 'b1', 'flush', 'immediate', 'c2', 'd3', 'flush', 'e4']);
	});

	it('does no work between slices when the items fit in one, or there are none', async () => {
		let between = 0;
		const count = () => between++;
		await forEachInSlices([1, 2], 2, Number, count);
		await forEachInSlices([], 2, Number, count);
		expect(between).toBe(0);
	});
});

describe('TimeSlices', () => {
	const busy = (ms: number) => {
		const end = performance.now() + ms;
		while (performance.now() < end);
	};

	it('is due once the slice has passed, reading the clock every so many calls, and starts a new slice after a turn', async () => {
		const slices = new TimeSlices(5, 3);
		expect([slices.due(), slices.due(), slices.due()]).toEqual([false, false, false]);
		busy(6);
		// the clock is read on the third call only
		expect([slices.due(), slices.due(), slices.due()]).toEqual([false, false, true]);
		let ran = false;
		setImmediate(() => (ran = true));
		await slices.turn();
		expect(ran).toBe(true);
		expect([slices.due(), slices.due(), slices.due()]).toEqual([false, false, false]);
	});
});
