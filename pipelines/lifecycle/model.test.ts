import { describe, expect, it } from 'vitest';
import { defaultCalendar, shanghaiDay } from '../calendar/index';
import { DEFAULT_LIMITS, deadlines, light, metDeadline } from './model';

const at = (isoLocal: string) => Date.parse(`${isoLocal}+08:00`);

describe('time limits', () => {
	const cal = defaultCalendar();
	it('uses the DESIGN defaults: sign 1 working day, 2 hours when urgent; reply by type', () => {
		const t = at('2026-11-27T16:00:00'); // a Friday
		const normal = deadlines(cal, DEFAULT_LIMITS, '投诉', false, t);
		expect(shanghaiDay(normal.signDeadline - 1)).toBe('2026-11-30'); // Monday
		expect(deadlines(cal, DEFAULT_LIMITS, '投诉', true, t).signDeadline).toBe(t + 2 * 3_600_000);
		const consult = deadlines(cal, DEFAULT_LIMITS, '咨询', false, t);
		expect(shanghaiDay(consult.replyDeadline - 1)).toBe('2026-12-01');
		expect(normal.replyDeadline).toBeGreaterThan(consult.replyDeadline);
	});
	it('turns yellow at 75 % of the time used and red when overdue', () => {
		expect(light(0, 100, 50)).toBe('green');
		expect(light(0, 100, 75)).toBe('yellow');
		expect(light(0, 100, 100)).toBe('yellow');
		expect(light(0, 100, 101)).toBe('red');
	});
	it('says whether a step met its limit, and not before it is known', () => {
		expect(metDeadline(90, 100, 200)).toBe(true);
		expect(metDeadline(110, 100, 200)).toBe(false);
		expect(metDeadline(null, 100, 200)).toBe(false); // overdue, not done
		expect(metDeadline(null, 100, 50)).toBeNull(); // still in time
		expect(metDeadline(90, null, 200)).toBeNull(); // no limit
	});
});
