import { describe, expect, it } from 'vitest';
import { forEachInSlices, mapInSlices, nextTurn, TimeSlices } from './event-loop';

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
