import { describe, expect, it } from 'vitest';
import { safeNext } from './next';

describe('safeNext', () => {
	it('keeps a path of this site with its query and fragment', () => {
		expect(safeNext('/tickets/SZ20261201-H00001')).toBe('/tickets/SZ20261201-H00001');
		expect(safeNext('/search?q=%E5%99%AA%E9%9F%B3&page=2#r')).toBe('/search?q=%E5%99%AA%E9%9F%B3&page=2#r');
		expect(safeNext('/map?district=320508')).toBe('/map?district=320508');
	});

	it('refuses whatever a browser would resolve to another site', () => {
		for (const next of [
			'//evil.example/phish',
			'/\\evil.example/phish',
			'/\\/evil.example',
			'/\t/evil.example',
			'/\n/evil.example',
			'\\/evil.example',
			'https://evil.example/',
			'http:/evil.example',
			'javascript:alert(1)',
			' /x',
			''
		])
			expect(safeNext(next), JSON.stringify(next)).toBeNull();
		expect(safeNext(null)).toBeNull();
	});

	it('normalises what stays on the site, so the browser reads the same path', () => {
		expect(safeNext('/a/../tickets')).toBe('/tickets');
		expect(safeNext('/%5Cevil.example')).toBe('/%5Cevil.example');
	});
});
