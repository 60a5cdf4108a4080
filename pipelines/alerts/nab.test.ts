import { describe, expect, it } from 'vitest';
import {
	nabFile,
	nabNormalise,
	optimiseThreshold,
	parseProfiles,
	pointScore,
	probationLength,
	PROFILES,
	scaledSigmoid,
	scoreFile,
	type NabFile
} from './nab';

const std = PROFILES.standard;

/** 1,000 rows, timestamps = row index × 1000; one window over rows 500–599 */
function file(windows: Array<[number, number]> = [[500, 599]]): NabFile {
	const ts = Array.from({ length: 1000 }, (_, i) => i * 1000);
	return nabFile(
		ts,
		windows.map(([a, b]) => [a * 1000, b * 1000])
	);
}
const at =
	(...rows: number[]) =>
	(i: number) =>
		rows.includes(i);

describe('NAB scoring rules', () => {
	it('scaled sigmoid: 2/(1+e^{5y}) − 1, −1 beyond y = 3', () => {
		expect(scaledSigmoid(0)).toBe(0);
		expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
		expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
		expect(scaledSigmoid(3.5)).toBe(-1);
	});

	it('probationary period: min(floor(0.15 N), 750) rows', () => {
		expect(probationLength(1000)).toBe(150);
		expect(probationLength(4032)).toBe(604);
		expect(probationLength(22695)).toBe(750);
	});

	it('maps window timestamps onto rows (inclusive)', () => {
		const f = file();
		expect(f.windows).toEqual([{ left: 500, right: 599 }]);
		expect(f.probation).toBe(150);
	});

	it('a detection at the left edge of a window scores A_TP', () => {
		const r = scoreFile(file(), at(500), std);
		expect(r.raw).toBeCloseTo(1, 10);
		expect(r.tp).toBe(1);
		expect(r.fn).toBe(0);
	});

	it('later in the window scores less; at the right edge about 0', () => {
		const mid = scoreFile(file(), at(550), std).raw;
		const right = scoreFile(file(), at(599), std).raw;
		expect(mid).toBeLessThan(1);
		expect(mid).toBeGreaterThan(0.5);
		expect(right).toBeGreaterThan(0);
		expect(right).toBeLessThan(0.06);
		// y = −(599 − 550 + 1)/100 = −0.5
		expect(mid).toBeCloseTo(scaledSigmoid(-0.5) / scaledSigmoid(-1), 10);
	});

	it('no detection gives −A_FN per window', () => {
		expect(scoreFile(file(), () => false, std).raw).toBe(-1);
		expect(scoreFile(file(), () => false, PROFILES.reward_low_FN_rate).raw).toBe(-2);
		expect(
			scoreFile(
				file([
					[300, 399],
					[700, 799]
				]),
				() => false,
				std
			).raw
		).toBe(-2);
	});

	it('a false positive far from any window (before the first) gives −A_FP', () => {
		expect(scoreFile(file(), at(200), std).raw).toBeCloseTo(-1 - 0.11, 10);
		expect(scoreFile(file(), at(200), PROFILES.reward_low_FP_rate).raw).toBeCloseTo(-1 - 0.22, 10);
	});

	it('a false positive just after a window costs little, far after it nearly A_FP', () => {
		const near = pointScore(file(), 600, std);
		expect(near.window).toBe(-1);
		expect(near.score).toBeLessThan(0);
		expect(near.score).toBeGreaterThan(-0.01);
		// y = |900 − 599| / 99 > 3 → −1
		expect(pointScore(file(), 900, std).score).toBeCloseTo(-0.11, 10);
	});

	it('only the earliest detection in a window counts; every false positive counts', () => {
		const one = scoreFile(file(), at(510), std).raw;
		expect(scoreFile(file(), at(510, 520, 590), std).raw).toBeCloseTo(one, 10);
		expect(scoreFile(file(), at(200, 210, 510), std).raw).toBeCloseTo(one - 0.22, 10);
	});

	it('detections in the probationary period are ignored', () => {
		expect(scoreFile(file(), at(100), std).raw).toBe(-1);
	});

	it('normalises with S_perfect = A_TP·windows and S_null = −A_FN·windows', () => {
		expect(nabNormalise(19, 19, std)).toBe(100);
		expect(nabNormalise(-19, 19, std)).toBe(0);
		expect(nabNormalise(0, 19, std)).toBe(50);
		expect(nabNormalise(-38, 19, PROFILES.reward_low_FN_rate)).toBe(0);
		// the notes' check: ARTime standard raw 57.66 over 116 windows → 74.85
		expect(nabNormalise(57.66, 116, std)).toBeCloseTo(74.85, 2);
	});

	it('reads config/profiles.json', () => {
		const p = parseProfiles({ standard: { CostMatrix: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11, tnWeight: 1 } } });
		expect(p.standard).toEqual({ tp: 1, fn: 1, fp: 0.11 });
	});

	it('optimiseThreshold finds the threshold that keeps the early detection and drops the false positive', () => {
		const f = file();
		const scores = new Float64Array(1000);
		scores[505] = 0.9; // early in the window
		scores[300] = 0.7; // a false positive
		scores[590] = 0.8; // late in the window
		const o = optimiseThreshold([{ file: f, scores }], std);
		expect(o.threshold).toBe(0.9);
		expect(o.raw).toBeCloseTo(scoreFile(f, at(505), std).raw, 10);
		// when the false positive scores highest, it is worth taking it with the window
		scores[300] = 0.95;
		const o2 = optimiseThreshold([{ file: f, scores }], std);
		expect(o2.threshold).toBe(0.9);
		expect(o2.raw).toBeCloseTo(scoreFile(f, at(300, 505), std).raw, 10);
	});
});
