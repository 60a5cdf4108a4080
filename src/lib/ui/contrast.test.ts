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

describe('contrast of the wall display (大屏, dark)', () => {
	const wall = readFileSync(join(UI, '..', '..', 'routes', 'wall', '+page.svelte'), 'utf8');
	const map = readFileSync(join(UI, 'HotspotMap.svelte'), 'utf8');
	const rule = (src: string, selector: string): string => {
		const at = src.indexOf(`${selector} {`);
		if (at < 0) throw new Error(`no rule ${selector}`);
		return src.slice(at, src.indexOf('}', at));
	};
	const prop = (block: string, name: string): string => {
		const m = block.match(new RegExp(`(?:^|[\\s;{])${name}:\\s*([^;]+);`));
		if (!m) throw new Error(`no ${name} in ${block.slice(0, 40)}`);
		return m[1].trim();
	};
	const hex = (v: string) => (v.match(/#[0-9a-fA-F]{6}/) ?? [''])[0];
	const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
	/** an rgba() laid over an opaque colour */
	const over = (rgba: string, under: string) => {
		const [r, g, b, a] = rgba.match(/[\d.]+/g)!.map(Number);
		const u = rgb(under);
		return `#${[r, g, b].map((c, i) => Math.round(a * c + (1 - a) * u[i]).toString(16).padStart(2, '0')).join('')}`;
	};

	// the page's gradient runs between two colours; the boxes and figures are translucent over it
	const page = prop(rule(wall, '.wall'), 'background').match(/#[0-9a-fA-F]{6}/g)!;
	const grounds = page.flatMap((g) => [g, over(prop(rule(wall, '.box'), 'background'), g), over(prop(rule(wall, '.fig'), 'background'), g)]);

	it('the wall’s text, the charts’ labels and the map’s names and legend: 4.5:1 on every ground of the page', async () => {
		const { darkTheme } = await import('$lib/charts/theme');
		const dark = rule(map, '.hotspot-map.dark');
		const texts: Record<string, string> = {
			'chart text': darkTheme.text,
			'chart axis labels': darkTheme.textMuted,
			title: hex(prop(rule(wall, 'h1'), 'color')),
			'box titles': hex(prop(rule(wall, '.box h2'), 'color')),
			'meta line': hex(prop(rule(wall, '.meta'), 'color')),
			'stale refresh': hex(prop(rule(wall, '.refresh.stale'), 'color')),
			'figure labels': hex(prop(rule(wall, '.fig .label,\n\t.fig .sub'), 'color')),
			'overdue figure': hex(prop(rule(wall, '.fig.warn strong'), 'color')),
			'muted (charts’ empty state)': hex(prop(rule(wall, '.wall'), '--color-text-muted')),
			'map names': hex(prop(dark, '--ink')),
			'map legend': hex(prop(dark, '--muted'))
		};
		expect(grounds.length).toBe(6);
		for (const [what, fg] of Object.entries(texts)) for (const bg of grounds) expect(ratio(fg, bg), `${what} ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
		expect(ratio(darkTheme.tooltipText, darkTheme.tooltipBackground)).toBeGreaterThanOrEqual(4.5);
		// the map's names are haloed in the page's dark colour over the districts' fills
		expect(ratio(hex(prop(dark, '--ink')), hex(prop(dark, '--halo')))).toBeGreaterThanOrEqual(4.5);
		expect(ratio(hex(prop(dark, '--muted')), hex(prop(dark, '--tip-bg')))).toBeGreaterThanOrEqual(4.5);
	});

	it('the map’s 热点 badge: white text 4.5:1 on its colour, in both themes; the hotspot outline 3:1 on its ground', () => {
		expect(map).toMatch(/\.badge rect \{[^}]*fill: var\(--hot-badge\)/);
		expect(map).toMatch(/\.hot \{[^}]*background: var\(--hot-badge\)/);
		for (const theme of ['.hotspot-map', '.hotspot-map.dark']) expect(ratio('#ffffff', hex(prop(rule(map, theme), '--hot-badge'))), theme).toBeGreaterThanOrEqual(4.5);
		for (const bg of page) expect(ratio(hex(prop(rule(map, '.hotspot-map.dark'), '--hot')), bg)).toBeGreaterThanOrEqual(3);
	});
});
