import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { loadReference } from '$pipelines/reference/index';
import { filterOptions, parseDashboardFilter } from '$lib/server/analytics/filters';
import FilterBar from './FilterBar.svelte';

const ref = loadReference();
const NOW = Date.parse('2026-11-28T10:00:00+08:00');

/**
 * What the server-rendered form submits (GET): its enabled hidden inputs and each select's chosen option, with
 * `change` applied as the user's choice in a select.
 */
function submitted(html: string, change: Record<string, string> = {}): URLSearchParams {
	const sp = new URLSearchParams();
	for (const m of html.matchAll(/<input type="hidden"([^>]*)>/g)) {
		if (/\sdisabled/.test(m[1])) continue;
		sp.append(/name="([^"]*)"/.exec(m[1])![1], /value="([^"]*)"/.exec(m[1])![1]);
	}
	for (const m of html.matchAll(/<select name="([^"]+)"[^>]*>(.*?)<\/select>/gs)) {
		const name = m[1];
		const options = [...m[2].matchAll(/<option value="([^"]*)"([^>]*)>/g)];
		const chosen = options.find((o) => /\sselected/.test(o[2])) ?? options[0];
		sp.append(name, change[name] ?? chosen?.[1] ?? '');
	}
	return sp;
}

function bar(qs: string) {
	const { filter, problems } = parseDashboardFilter(new URLSearchParams(qs), ref, NOW);
	expect(problems).toEqual([]);
	return { filter, html: render(FilterBar, { props: { filter, options: filterOptions(ref, filter) } }).body };
}

describe('FilterBar', () => {
	it('keeps a custom period when another filter changes', () => {
		const district = ref.districts[0].code;
		const { html } = bar('from=2026-11-01&to=2026-11-10&channel=phone');
		for (const change of [{ district }, { channel: '' }, { type: '投诉' }] as Record<string, string>[]) {
			const next = parseDashboardFilter(submitted(html, change), ref, NOW);
			expect(next.problems).toEqual([]);
			expect(next.filter, JSON.stringify(change)).toMatchObject({ period: 'custom', from: '2026-11-01', to: '2026-11-10', ...(change.district ? { district } : {}) });
		}
	});

	it('sends no dates for a preset period', () => {
		const { html } = bar('period=7d&type=投诉');
		const sp = submitted(html, { channel: 'phone' });
		expect(sp.has('from') || sp.has('to')).toBe(false);
		expect(parseDashboardFilter(sp, ref, NOW).filter).toMatchObject({ period: '7d', type: '投诉', channel: 'phone' });
	});
});
