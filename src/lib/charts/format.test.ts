import { describe, expect, it } from 'vitest';
import { formatBytes, formatDeadline, formatShanghaiSecond, formatShanghaiTime, formatTimeLeft } from './format';

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
