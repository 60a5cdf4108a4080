import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import Sparkline from './Sparkline.svelte';

const W = 100;
const H = 30;
/** The drawn points: each polyline's points and each dot, as [x, y]. */
function drawn(values: (number | null)[]) {
	const html = render(Sparkline, { props: { values, width: W, height: H, label: 't' } }).body;
	const lines = [...html.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number)));
	const dots = [...html.matchAll(/<circle cx="([^"]*)" cy="([^"]*)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
	return { lines, dots };
}

describe('Sparkline', () => {
	it('draws every value of a full series as one line, 0 at the bottom', () => {
		const { lines, dots } = drawn([0, 50, 100]);
		expect(dots).toEqual([]);
		expect(lines).toEqual([
			[
				[0, H - 2],
				[50, 15],
				[100, 2]
			]
		]);
	});

	it('leaves a gap for a missing value instead of drawing it as 0', () => {
		// a unit's months: no score before the data, scored, no score in the current month's first days
		const { lines, dots } = drawn([null, 99.9, 98.2, 97.6, 99.9, null]);
		expect(dots).toEqual([]);
		expect(lines).toHaveLength(1);
		expect(lines[0].map(([x]) => x)).toEqual([20, 40, 60, 80]);
		for (const [, y] of lines[0]) expect(y).toBeLessThan(3); // all near the top: nothing pulled down to 0
	});

	it('draws a lone value between gaps as a dot, and nothing for no value at all', () => {
		const { lines, dots } = drawn([null, null, null, null, 99.1, null]);
		expect(lines).toEqual([]);
		expect(dots).toEqual([[80, 2]]);
		const split = drawn([80, null, 90, 95]);
		expect(split.dots).toEqual([[0, 30 - 2 - (80 / 95) * 26].map((v) => Number(v.toFixed(1)))]);
		expect(split.lines.map((l) => l.map(([x]) => x))).toEqual([[66.7, 100]]);
		expect(drawn([null, null])).toEqual({ lines: [], dots: [] });
	});
});
