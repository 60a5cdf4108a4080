import { describe, expect, it } from 'vitest';
import { formatBytes, formatChange, formatDeadline, formatLate, formatShanghaiSecond, formatShanghaiTime, formatTimeLeft } from './format';

describe('time limit formatting', () => {
	it('shows a midnight deadline as the end of its last day, other times as they are', () => {
		expect(formatDeadline('2026-11-30T16:00:00.000Z')).toBe('2026-11-30 24:00'); // 2026-12-01 00:00 in Shanghai
		expect(formatDeadline('2026-11-30T04:30:00.000Z')).toBe('2026-11-30 12:30');
		expect(formatDeadline(null)).toBe('—');
		expect(formatShanghaiTime('2026-11-30T16:00:00.000Z')).toBe('2026-12-01 00:00');
		// to the second, across the day's end in Shanghai
		expect(formatShanghaiSecond('2026-11-30T15:59:59.900Z')).toBe('2026-11-30 23:59:59');
		expect(formatShanghaiSecond('2026-11-30T16:00:07.000Z')).toBe('2026-12-01 00:00:07');
	});
	it('says how long is left or how long it is overdue', () => {
		const now = Date.parse('2026-11-30T00:00:00Z');
		expect(formatTimeLeft('2026-12-02T01:00:00Z', now)).toBe('剩 2 天');
		expect(formatTimeLeft('2026-11-30T05:00:00Z', now)).toBe('剩 5 小时');
		expect(formatTimeLeft('2026-11-29T23:30:00Z', now)).toBe('超期 30 分钟');
		expect(formatTimeLeft('2026-11-26T23:00:00Z', now)).toBe('超期 3 天');
	});
});

describe('formatBytes', () => {
	it('gives bytes, then KB, then MB, with one decimal', () => {
		expect(formatBytes(0)).toBe('0 B');
		expect(formatBytes(1023)).toBe('1023 B');
		expect(formatBytes(1024)).toBe('1 KB');
		expect(formatBytes(48_300)).toBe('47.2 KB');
		expect(formatBytes(1024 * 1024 - 1)).toBe('1024 KB');
		expect(formatBytes(10 * 1024 * 1024)).toBe('10 MB');
		expect(formatBytes(3_500_000)).toBe('3.3 MB');
	});
});

describe('formatChange', () => {
	it('signs a change below a doubling in percent with fixed digits and a true minus; a tiny one has no sign', () => {
		expect(formatChange(0.253)).toBe('+25.3%');
		expect(formatChange(-0.081)).toBe('−8.1%');
		expect(formatChange(0.2, 0)).toBe('+20%');
		expect(formatChange(0.01)).toBe('+1.0%');
		expect(formatChange(0.9999)).toBe('+100.0%');
		expect(formatChange(0.0004)).toBe('0.0%');
		expect(formatChange(-0.0004, 0)).toBe('0%');
		expect(formatChange(-1)).toBe('−100.0%');
	});
	it('writes a doubling and more as the multiple of the base', () => {
		expect(formatChange(1)).toBe('×2.0');
		expect(formatChange(1.2)).toBe('×2.2');
		// a topic of 60 tickets against about 3.9 before: not "+1443.5%"
		expect(formatChange(60 / 3.9 - 1)).toBe('×15.4');
	});
	it('has a dash for no change to show', () => {
		expect(formatChange(null)).toBe('—');
		expect(formatChange(Number.POSITIVE_INFINITY)).toBe('—');
		expect(formatChange(Number.NaN)).toBe('—');
	});
});

describe('formatLate', () => {
	const now = Date.parse('2026-11-30T00:00:00Z');
	it('says how late a step was done, or is still undone, and nothing for one in time', () => {
		expect(formatLate('2026-11-29T00:00:00Z', '2026-11-29T02:30:00Z', now)).toBe('超时 2 小时');
		expect(formatLate('2026-11-27T00:00:00Z', null, now)).toBe('已超期 3 天');
		expect(formatLate('2026-11-29T00:00:00Z', '2026-11-28T23:00:00Z', now)).toBeNull();
		expect(formatLate('2026-12-01T00:00:00Z', null, now)).toBeNull();
		expect(formatLate('2026-11-29T23:59:40Z', null, now)).toBe('已超期 1 分钟');
	});
});
