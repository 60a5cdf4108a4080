import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { addDays, defaultCalendar, type HolidayData } from '../calendar/index';
import { dayBaseline, dayKind, referenceDays, spanBaseline, trimmedMean, weekday } from './baseline';

const cal = defaultCalendar();
const holidayData = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as HolidayData;

/** Every day from `from` to `to` inclusive. */
function range(from: string, to: string): string[] {
	const out: string[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
	return out;
}

/** A series with `value` on every day of [from, to], then the overrides. */
function series(from: string, to: string, value: number, overrides: Record<string, number> = {}): Map<string, number> {
	const m = new Map(range(from, to).map((d) => [d, value]));
	for (const [d, v] of Object.entries(overrides)) m.set(d, v);
	return m;
}

const all = () => true;

describe('the calendar data behind the chosen dates', () => {
	it('has 2025-10-01 as 国庆 holiday and 2025-09-28 / 2025-10-11 as makeup workdays', () => {
		expect(holidayData.holidays['2025-10-01']).toContain('国庆节');
		expect(holidayData.holidays['2025-10-06']).toContain('中秋');
		expect(holidayData.workdays['2025-09-28']).toContain('国庆节');
		expect(holidayData.workdays['2025-10-11']).toContain('国庆节');
		// ordinary days of November 2025 and mid-September 2025 are neither
		for (const d of [...range('2025-11-01', '2025-11-30'), ...range('2025-09-06', '2025-09-27')]) {
			expect(holidayData.holidays[d]).toBeUndefined();
			expect(holidayData.workdays[d]).toBeUndefined();
		}
	});
});

describe('weekday', () => {
	it('numbers days 0 = Sunday … 6 = Saturday', () => {
		expect(weekday('1970-01-01')).toBe(4); // a Thursday
		expect(weekday('2025-09-28')).toBe(0); // Sunday
		expect(weekday('2025-10-01')).toBe(3); // Wednesday
		expect(weekday('2025-11-15')).toBe(6); // Saturday
		expect(weekday('2025-11-17')).toBe(1); // Monday
		expect(weekday('2024-02-29')).toBe(4); // Thursday, leap day
		expect(weekday('1969-12-31')).toBe(3); // before the epoch
	});
});

describe('dayKind', () => {
	it('tells workdays, makeup workdays, weekends and holidays apart', () => {
		expect(dayKind(cal, '2025-10-01')).toBe('holiday'); // 国庆, a Wednesday
		expect(dayKind(cal, '2025-10-04')).toBe('holiday'); // 国庆, a Saturday: a holiday, not a weekend
		expect(dayKind(cal, '2025-09-28')).toBe('makeup'); // Sunday worked for 国庆
		expect(dayKind(cal, '2025-10-11')).toBe('makeup'); // Saturday worked for 国庆
		expect(dayKind(cal, '2025-11-15')).toBe('weekend'); // ordinary Saturday
		expect(dayKind(cal, '2025-11-16')).toBe('weekend'); // ordinary Sunday
		expect(dayKind(cal, '2025-11-12')).toBe('workday'); // ordinary Wednesday
		expect(dayKind(cal, '2025-10-06')).toBe('holiday'); // 中秋 on a Monday
	});
});

describe('trimmedMean', () => {
	it('is the plain mean below 5 values', () => {
		expect(trimmedMean([1, 2, 3, 10])).toBe(4);
		expect(trimmedMean([7])).toBe(7);
		expect(Number.isNaN(trimmedMean([]))).toBe(true);
	});
	it('drops one largest and one smallest value from 5 on', () => {
		expect(trimmedMean([1, 100, 3, 2, 4])).toBe(3); // (2 + 3 + 4) / 3
		expect(trimmedMean([5, 5, 5, 5, 5, 0, 1000])).toBe(5);
		// only one copy of a repeated extreme goes
		expect(trimmedMean([0, 0, 10, 10, 10])).toBeCloseTo(20 / 3, 12);
	});
	it('does not reorder its input', () => {
		const v = [9, 1, 5, 3, 7];
		trimmedMean(v);
		expect(v).toEqual([9, 1, 5, 3, 7]);
	});
});

describe('referenceDays', () => {
	it('compares a Monday with earlier regular Mondays only (the 中秋 Monday is skipped)', () => {
		expect(referenceDays(cal, '2025-11-17', all)).toEqual([
			'2025-11-10',
			'2025-11-03',
			'2025-10-27',
			'2025-10-20',
			'2025-10-13',
			// 2025-10-06 is 中秋
			'2025-09-29',
			'2025-09-22',
			'2025-09-15'
		]);
	});

	it('compares a makeup workday with regular workdays of any weekday', () => {
		// 2025-09-28 (Sunday, worked): the weekdays before it, weekends left out
		expect(referenceDays(cal, '2025-09-28', all)).toEqual([
			'2025-09-26',
			'2025-09-25',
			'2025-09-24',
			'2025-09-23',
			'2025-09-22',
			'2025-09-19',
			'2025-09-18',
			'2025-09-17'
		]);
		// 2025-10-11 (Saturday, worked): neither the 国庆 holidays nor the earlier makeup day 2025-09-28
		expect(referenceDays(cal, '2025-10-11', all)).toEqual([
			'2025-10-10',
			'2025-10-09',
			'2025-09-30',
			'2025-09-29',
			'2025-09-26',
			'2025-09-25',
			'2025-09-24',
			'2025-09-23'
		]);
	});

	it('compares a weekend day with ordinary weekend days of the same weekday', () => {
		// 2025-10-11 was worked, 2025-10-04 was a holiday
		expect(referenceDays(cal, '2025-11-15', all)).toEqual([
			'2025-11-08',
			'2025-11-01',
			'2025-10-25',
			'2025-10-18',
			'2025-09-27',
			'2025-09-20',
			'2025-09-13',
			'2025-09-06'
		]);
	});

	it('compares a holiday with earlier holidays, looking back further than for other days', () => {
		const refs = referenceDays(cal, '2025-10-01', all);
		expect(refs).toEqual(['2025-06-02', '2025-06-01', '2025-05-31', '2025-05-05', '2025-05-04', '2025-05-03', '2025-05-02', '2025-05-01']);
		for (const d of refs) expect(dayKind(cal, d)).toBe('holiday');
		// the second day of 国庆 has the first among its references
		expect(referenceDays(cal, '2025-10-02', all)[0]).toBe('2025-10-01');
		// only the 2024 国庆 days in the data: 365 days back is within the holiday lookback
		const only2024 = (d: string) => d >= '2024-09-20' && d <= '2024-10-31';
		expect(referenceDays(cal, '2025-10-01', only2024)).toEqual([
			'2024-10-07',
			'2024-10-06',
			'2024-10-05',
			'2024-10-04',
			'2024-10-03',
			'2024-10-02',
			'2024-10-01'
		]);
	});

	it('falls back to weekend days when there are too few earlier holidays', () => {
		// data from 2025-05-30: three 端午 days are enough
		expect(referenceDays(cal, '2025-10-01', (d) => d >= '2025-05-30')).toEqual(['2025-06-02', '2025-06-01', '2025-05-31']);
		// data from 2025-06-01: two are not; weekends instead (2025-09-28 was worked, so not a weekend)
		const fromJune = (d: string) => d >= '2025-06-01';
		expect(referenceDays(cal, '2025-10-01', fromJune)).toEqual([
			'2025-09-27',
			'2025-09-21',
			'2025-09-20',
			'2025-09-14',
			'2025-09-13',
			'2025-09-07',
			'2025-09-06',
			'2025-08-31'
		]);
		// minRefs decides what "too few" is
		expect(referenceDays(cal, '2025-10-01', fromJune, { minRefs: 2 })).toEqual(['2025-06-02', '2025-06-01']);
	});

	it('skips days missing from the series', () => {
		const has = (d: string) => d !== '2025-11-10' && d !== '2025-10-20';
		expect(referenceDays(cal, '2025-11-17', has, { refs: 4 })).toEqual(['2025-11-03', '2025-10-27', '2025-10-13', '2025-09-29']);
	});

	it('stops at refs and at the lookback', () => {
		expect(referenceDays(cal, '2025-11-17', all, { refs: 2 })).toEqual(['2025-11-10', '2025-11-03']);
		// 21 days back reaches 2025-10-27 but not 2025-10-20
		expect(referenceDays(cal, '2025-11-17', all, { lookback: 21 })).toEqual(['2025-11-10', '2025-11-03', '2025-10-27']);
		expect(referenceDays(cal, '2025-11-17', () => false)).toEqual([]);
	});
});

describe('dayBaseline', () => {
	it('expects the trimmed mean of the reference days', () => {
		// Monday 2025-11-17: refs 11-10, 11-03, 10-27, 10-20, 10-13, 09-29, 09-22, 09-15
		const counts = series('2025-06-01', '2025-11-30', 1000, {
			'2025-11-10': 100,
			'2025-11-03': 110,
			'2025-10-27': 90,
			'2025-10-20': 105,
			'2025-10-13': 95,
			'2025-09-29': 300,
			'2025-09-22': 100,
			'2025-09-15': 10
		});
		const b = dayBaseline(cal, '2025-11-17', counts)!;
		expect(b.kind).toBe('workday');
		expect(b.refDays).toHaveLength(8);
		// 300 and 10 trimmed: (100 + 110 + 90 + 105 + 95 + 100) / 6
		expect(b.expected).toBe(100);
		// winsorized (300 → 110, 10 → 90): (0 + 100 + 100 + 25 + 25 + 100 + 0 + 100) / 7 ≈ 64 < 100, so the
		// Poisson variance 100 decides: the two outliers no longer widen the band (raw: √(48350 / 7) ≈ 83)
		expect(b.sd).toBeCloseTo(10, 10);
		expect(b.low).toBeCloseTo(100 - 1.96 * 10, 10);
		expect(b.high).toBeCloseTo(100 + 1.96 * 10, 10);
	});

	it('never has σ below the Poisson √expected', () => {
		const counts = series('2025-06-01', '2025-11-30', 100);
		const b = dayBaseline(cal, '2025-11-17', counts)!;
		expect(b.expected).toBe(100);
		expect(b.sd).toBe(10);
		expect(b.low).toBeCloseTo(80.4, 10);
		expect(b.high).toBeCloseTo(119.6, 10);
		expect(b.low).toBeLessThanOrEqual(b.expected);
		expect(b.high).toBeGreaterThanOrEqual(b.expected);
		// and never below 1 for a series of zeros
		const zero = dayBaseline(cal, '2025-11-17', series('2025-06-01', '2025-11-30', 0))!;
		expect(zero.expected).toBe(0);
		expect(zero.sd).toBe(1);
		// a wider z gives a wider band
		const wide = dayBaseline(cal, '2025-11-17', counts, { z: 3 })!;
		expect(wide.high).toBe(130);
		expect(wide.low).toBe(70);
	});

	it('uses the series of the day kind (weekend days from weekends, holidays from holidays)', () => {
		// weekdays 200, weekends 50, holidays 20
		const counts = new Map(
			range('2025-01-01', '2025-11-30').map((d) => {
				const k = dayKind(cal, d);
				return [d, k === 'holiday' ? 20 : k === 'weekend' ? 50 : 200];
			})
		);
		expect(dayBaseline(cal, '2025-11-15', counts)!.expected).toBe(50);
		expect(dayBaseline(cal, '2025-11-12', counts)!.expected).toBe(200);
		expect(dayBaseline(cal, '2025-09-28', counts)!.expected).toBe(200);
		const h = dayBaseline(cal, '2025-10-01', counts)!;
		expect(h.kind).toBe('holiday');
		expect(h.expected).toBe(20);
	});

	it('is null with too few reference days', () => {
		// data from 2025-11-01: Mondays 11-03 and 11-10 only
		const counts = series('2025-11-01', '2025-11-30', 100);
		expect(dayBaseline(cal, '2025-11-17', counts)).toBeNull();
		expect(dayBaseline(cal, '2025-11-17', counts, { minRefs: 2 })!.refDays).toEqual(['2025-11-10', '2025-11-03']);
		expect(dayBaseline(cal, '2025-11-24', counts)!.refDays).toEqual(['2025-11-17', '2025-11-10', '2025-11-03']);
	});
});

describe('spanBaseline', () => {
	const counts = series('2025-06-01', '2025-11-30', 100, {
		'2025-11-17': 130,
		'2025-11-18': 120
	});

	it('sums the days’ observations, expectations and variances', () => {
		const s = spanBaseline(cal, ['2025-11-17', '2025-11-18'], counts)!;
		expect(s.days).toBe(2);
		expect(s.observed).toBe(250);
		expect(s.expected).toBe(200);
		// each day: σ² = max(0, 100) = 100
		expect(s.sd).toBeCloseTo(Math.sqrt(200), 10);
		expect(s.z).toBeCloseTo(50 / Math.sqrt(200), 10);
		expect(s.high).toBeCloseTo(200 + 1.96 * Math.sqrt(200), 10);
		expect(s.low).toBeCloseTo(200 - 1.96 * Math.sqrt(200), 10);
	});

	it('scales the last day by partialLast', () => {
		const s = spanBaseline(cal, ['2025-11-17', '2025-11-18'], counts, {
			partialLast: 0.5
		})!;
		expect(s.observed).toBe(250);
		expect(s.expected).toBe(150); // 100 + 0.5·100
		// last day: max(100·0.25, 100·0.5, 0.5) = 50
		expect(s.sd).toBeCloseTo(Math.sqrt(150), 10);
		expect(s.z).toBeCloseTo(100 / Math.sqrt(150), 10);
		// only the last day is scaled
		const first = spanBaseline(cal, ['2025-11-17'], counts, {
			partialLast: 0.25
		})!;
		expect(first.expected).toBe(25);
	});

	it('has a negative z below normal and a positive one above', () => {
		const low = series('2025-06-01', '2025-11-30', 100, { '2025-11-17': 60 });
		expect(spanBaseline(cal, ['2025-11-17'], low)!.z).toBeCloseTo(-4, 10);
		expect(spanBaseline(cal, ['2025-11-17'], counts)!.z).toBeCloseTo(3, 10);
	});

	it('leaves out days without a baseline, and is null when none has one', () => {
		const c = series('2025-08-01', '2025-11-30', 100, {
			'2025-08-04': 999,
			'2025-11-17': 130
		});
		// 2025-08-04 (a Monday) has no earlier Mondays in the data
		const s = spanBaseline(cal, ['2025-08-04', '2025-11-17'], c)!;
		expect(s.days).toBe(1);
		expect(s.observed).toBe(130);
		expect(s.expected).toBe(100);
		expect(spanBaseline(cal, ['2025-08-04', '2025-08-05'], c)).toBeNull();
	});
});
