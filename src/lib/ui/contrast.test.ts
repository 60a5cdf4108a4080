// The app's colours against WCAG AA: text 4.5:1 on the backgrounds it is used on, a form field's edge 3:1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UI = import.meta.dirname;
const css = readFileSync(join(UI, 'app.css'), 'utf8');
const token = (name: string): string => {
	const m = css.match(new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`));
	if (!m) throw new Error(`no --${name} in app.css`);
	return m[1];
};
const luminance = (hex: string) => {
	const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const ratio = (a: string, b: string) => {
	const [x, y] = [luminance(a), luminance(b)];
	return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
};

describe('contrast', () => {
	it('text colours on the surfaces they are used on: 4.5:1', () => {
		for (const [fg, bg] of [
			['color-text', 'color-bg'],
			['color-text-muted', 'color-surface'],
			['color-text-muted', 'color-bg'],
			['color-text-muted', 'color-surface-sunken'],
			['color-text-subtle', 'color-surface'],
			['color-primary', 'color-surface'],
			['color-primary', 'color-primary-soft'],
			['color-on-primary', 'color-primary'],
			['color-danger', 'color-danger-bg'],
			['color-warning', 'color-warning-bg'],
			['color-down', 'color-down-bg'],
			['color-up', 'color-up-bg'],
			['color-nav-text', 'color-nav-bg'],
			['color-nav-muted', 'color-nav-bg']
		])
			expect(ratio(token(fg), token(bg)), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
	});

	it('a form field’s edge: 3:1 on white and on the sunken surface', () => {
		expect(css).toMatch(/\.input \{[^}]*border: 1px solid var\(--color-input-border\)/);
		expect(ratio(token('color-input-border'), token('color-surface'))).toBeGreaterThanOrEqual(3);
		expect(ratio(token('color-input-border'), token('color-surface-sunken'))).toBeGreaterThanOrEqual(3);
	});

	it('the field being typed in is ringed in the focus colour, 3:1 against white', () => {
		expect(css).toMatch(/\.input:focus \{[^}]*outline: 2px solid var\(--color-focus\)/);
		expect(ratio(token('color-focus'), token('color-surface'))).toBeGreaterThanOrEqual(3);
	});

	it('the alert severity badges: their text 4.5:1 on their colour', () => {
		const badge = readFileSync(join(UI, 'AlertBadge.svelte'), 'utf8');
		for (const level of [1, 2, 3, 4]) {
			const m = badge.match(new RegExp(`\\.severity-${level} \\{[^}]*background: (#[0-9a-fA-F]{6});[^}]*color: (#[0-9a-fA-F]{3,6});`));
			expect(m, `severity-${level}`).not.toBeNull();
			const fg = m![2].length === 4 ? `#${[...m![2].slice(1)].map((c) => c + c).join('')}` : m![2];
			expect(ratio(fg, m![1]), `severity-${level}`).toBeGreaterThanOrEqual(4.5);
		}
	});
});
