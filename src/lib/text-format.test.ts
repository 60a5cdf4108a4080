import { describe, expect, it } from 'vitest';
import { growthText, risingFast } from './text-format';

describe('topic growth', () => {
	it('calls a topic fast-growing when it is new or at least 30 % up', () => {
		expect(risingFast({ growth: null, isNew: true })).toBe(true);
		expect(risingFast({ growth: 0.3 })).toBe(true);
		expect(risingFast({ growth: 14.4 })).toBe(true);
		expect(risingFast({ growth: 0.29 })).toBe(false);
		expect(risingFast({ growth: -0.5 })).toBe(false);
		// nothing to compare with is not growth
		expect(risingFast({ growth: null, isNew: false })).toBe(false);
		expect(risingFast({ growth: null })).toBe(false);
	});
	it('writes the topics page’s growth in whole percent, a multiple from a doubling on, 新出现 from nothing', () => {
		expect(growthText(0.254, 10)).toBe('+25%');
		expect(growthText(-0.1, 10)).toBe('−10%');
		expect(growthText(14.4, 3)).toBe('×15.4');
		expect(growthText(5, 0)).toBe('新出现');
	});
});
