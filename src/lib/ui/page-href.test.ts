import { describe, expect, it } from 'vitest';
import { pageHref } from './page-href';

describe('pageHref', () => {
	it('keeps the current parameters, applies the changes, drops empty ones, and gives the path when none is left', () => {
		const cur = { q: '城管', kind: 'municipal', state: null, edit: 'M01' };
		expect(pageHref('/settings/units', cur)).toBe('?q=%E5%9F%8E%E7%AE%A1&kind=municipal&edit=M01');
		expect(pageHref('/settings/units', cur, { edit: null, state: 'inactive' })).toBe('?q=%E5%9F%8E%E7%AE%A1&kind=municipal&state=inactive');
		expect(pageHref('/settings/units', cur, { q: '', kind: null })).toBe('?edit=M01');
		expect(pageHref('/settings/units', cur, { q: null, kind: undefined, edit: '' })).toBe('/settings/units');
		expect(pageHref('/settings/units', cur, { q: null, kind: null, edit: null })).toBe('/settings/units');
		// a word with & or = stays one parameter
		expect(new URLSearchParams(pageHref('/x', { q: 'a&b=c' }).slice(1)).get('q')).toBe('a&b=c');
	});
});
