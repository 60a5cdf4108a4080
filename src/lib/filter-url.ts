// URLs of the situation screens' filters (client-safe): links that keep the filter, and drill-downs to the
// tickets behind a figure (the search page lists tickets for the same filters).
import type { DashboardFilter } from './types';

type Extra = Record<string, string | null | undefined>;

/** A filter's period for a heading: 近30天（2026-10-30 至 2026-11-28）, or the dates alone for dates given (they are its label). */
export function periodText(f: Pick<DashboardFilter, 'period' | 'periodLabel' | 'from' | 'to'>): string {
	return f.period === 'custom' ? f.periodLabel : `${f.periodLabel}（${f.from} 至 ${f.to}）`;
}

/** The URL query of a filter (period or from/to, then the dimensions), with `extra` set or removed. */
export function filterQuery(f: DashboardFilter, extra: Extra = {}): string {
	const sp = new URLSearchParams();
	if (f.period === 'custom') {
		sp.set('from', f.from);
		sp.set('to', f.to);
	} else sp.set('period', f.period);
	for (const k of ['district', 'category', 'channel', 'type'] as const) if (f[k]) sp.set(k, f[k]!);
	for (const [k, v] of Object.entries(extra)) {
		if (v === null || v === undefined || v === '') sp.delete(k);
		else sp.set(k, v);
	}
	return sp.toString();
}

/** The tickets behind a figure: /search with the filter's days and dimensions, narrowed by `extra`. */
/** 检索's district or street filter for the tickets placed in none (the map's 未定位到区县, a district's 未定位到街道（镇）). */
export const UNPLACED = 'none';

export function ticketsHref(f: DashboardFilter, extra: Extra = {}): string {
	const sp = new URLSearchParams();
	sp.set('from', f.from);
	sp.set('to', f.to);
	for (const k of ['district', 'category', 'channel', 'type'] as const) if (f[k]) sp.set(k, f[k]!);
	for (const [k, v] of Object.entries(extra)) {
		if (v === null || v === undefined || v === '') sp.delete(k);
		else sp.set(k, v);
	}
	return `/search?${sp.toString()}`;
}

/** The tickets behind a place's figure: a district's, or a street's (the search's street filter). */
export function placeTicketsHref(f: DashboardFilter, level: 'district' | 'street', code: string): string {
	return ticketsHref(f, level === 'district' ? { district: code } : { street: code });
}
