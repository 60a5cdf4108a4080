import { error } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { quarantineEntry } from '$lib/server/quarantine';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	requireScreen(locals, '/admin/quarantine');
	const line = Number(params.line);
	const a = await app();
	const entry = /^\d{1,15}$/.test(params.line) ? await quarantineEntry(a.analytics.conn, params.source, params.origin, line) : null;
	if (!entry) error(404, { message: '隔离区中没有这条记录', code: 'not_found' });
	// the list's filters ride along in the query, so “返回列表” comes back to the same view
	const back = new URLSearchParams();
	for (const k of ['source', 'reason', 'status', 'page']) {
		const v = url.searchParams.get(k);
		if (v) back.set(k, v);
	}
	const qs = back.toString();
	return { entry, backHref: `/admin/quarantine${qs ? `?${qs}` : ''}` };
};
