import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCalendar } from '../calendar/index';
import { Rng } from '../demo/rng';
import { calendarDayKind, passPlan, runPass, runPassYielding, PASS_DEFAULTS, type PassResult } from './pass';
import { closePassWorker, runPassInWorker, runPassParallel } from './pass-parallel';
import { seriesId, type CountSeries, type SeriesKey } from './series';

const H = 3_600_000;
const START = Date.parse('2026-01-05T00:00:00+08:00');
const DAYS = 42;

/** Hourly Poisson counts with a day profile; `burst` adds tickets to some hours. */
function series(topic: string, rate: number, seed: number, burst: Record<number, number> = {}): CountSeries {
	const rng = new Rng(seed);
	const values = new Float64Array(DAYS * 24);
	for (let i = 0; i < values.length; i++) {
		const hour = i % 24;
		const profile = hour >= 8 && hour < 20 ? 1.6 : 0.3;
		values[i] = rng.poisson(rate * profile) + (burst[i] ?? 0);
	}
	const key: SeriesKey = { family: 'category', topic, level: 'district', place: '320506', bucket: 'hour' };
	return { key, id: seriesId(key), start: START, values };
}

const BURST_AT = (DAYS - 3) * 24 + 10;
const SHIFT_SEED = 1;

describe('runPass', () => {
	const noisy = Array.from({ length: 40 }, (_, i) => series(`0${i % 9}${i}`, 2, 100 + i));
	const planted = series('0404', 2, 7, { [BURST_AT]: 25, [BURST_AT + 1]: 30 });

	it('accepts a planted burst at its hour and keeps its numbers', () => {
		const r = runPass([...noisy, planted]);
		const mine = r.episodes.filter((e) => e.id === planted.id);
		expect(mine).toHaveLength(1);
		const e = mine[0];
		expect(e.onsetIndex).toBe(BURST_AT);
		expect(e.acceptIndex).toBeLessThanOrEqual(BURST_AT + 1);
		expect(e.observed).toBeGreaterThanOrEqual(55);
		expect(e.peak.value).toBeGreaterThanOrEqual(25);
		expect(e.points.length).toBeGreaterThan(0);
	});

	it('accepts a sustained rise on the CUSUM\'s evidence, where no bucket and no sum against the forecast suffice, and ends it after', () => {
		// three times the usual calls for three days: the forecast follows the rise within hours
		const from = (DAYS - 8) * 24;
		const to = from + 72;
		const rng = new Rng(SHIFT_SEED);
		const shifted = series('0505', 2, 11);
		for (let i = from; i < to; i++) shifted.values[i] = rng.poisson(3 * 2 * (i % 24 >= 8 && i % 24 < 20 ? 1.6 : 0.3));
		const r = runPass([...noisy, shifted]);
		const mine = r.episodes.filter((e) => e.id === shifted.id && e.lastIndex >= from && e.onsetIndex < to);
		expect(mine.length).toBeGreaterThanOrEqual(1);
		expect(Math.min(...mine.map((e) => e.acceptIndex))).toBeLessThan(from + 24);
		// and it is over within a day of the end
		expect(Math.max(...mine.map((e) => e.lastIndex))).toBeLessThan(to + 24);
	});

	it('gives few accepted episodes on noise alone, within the daily budget', () => {
		const r = runPass(noisy);
		const days = DAYS - PASS_DEFAULTS.warmupDays.hour;
		// the budget: at most 0.5 false alerts a day expected over all tested series (seeded runs give 0–1 here)
		expect(r.episodes.length).toBeLessThanOrEqual(PASS_DEFAULTS.budget * days);
	});

	it('sets α from the budget and the series-buckets tested a day, leaving out series that never reach minTotal', () => {
		const quiet = series('0999', 0, 1);
		const plan = passPlan([...noisy, quiet], PASS_DEFAULTS);
		expect(plan.tested).toHaveLength(noisy.length);
		expect(plan.perDay).toBe(noisy.length * 24);
		expect(plan.alpha).toBeCloseTo(PASS_DEFAULTS.budget / (noisy.length * 24), 12);
	});

	it('finds the same episodes when it yields to the event loop', async () => {
		const all = [...noisy, planted];
		const a = runPass(all);
		const b = await runPassYielding(all, {}, 0);
		expect(b.episodes.map((e) => [e.id, e.onsetIndex, e.acceptIndex, e.lastIndex])).toEqual(
			a.episodes.map((e) => [e.id, e.onsetIndex, e.acceptIndex, e.lastIndex])
		);
	});
});

describe('the pass on the detection worker', () => {
	const noisy = Array.from({ length: 250 }, (_, i) => series(`0${i % 9}${i}`, 2, 500 + i));
	const all = [...noisy, series('0404', 2, 7, { [BURST_AT]: 25, [BURST_AT + 1]: 30 })];
	const calendarFile = fileURLToPath(new URL('../../data/reference/holidays-extra.json', import.meta.url));
	const expected = runPass(all, { dayKind: calendarDayKind(defaultCalendar(calendarFile)) });
	const shape = (r: PassResult) => r.episodes.map((e) => [e.id, e.onsetIndex, e.acceptIndex, e.lastIndex, e.observed, e.series.id]);
	afterAll(closePassWorker);

	it('finds the episodes runPass finds, in its order, with all series sent in several messages', async () => {
		expect(expected.episodes.some((e) => e.id === all[all.length - 1].id)).toBe(true);
		const r = await runPassInWorker(all, calendarFile);
		expect(shape(r)).toEqual(shape(expected));
		expect([r.series, r.points, r.alpha]).toEqual([expected.series, expected.points, expected.alpha]);
	});

	it('finds them too with the series taken in turn by this thread and the worker', async () => {
		expect(shape(await runPassParallel(all, calendarFile))).toEqual(shape(expected));
	});
});
