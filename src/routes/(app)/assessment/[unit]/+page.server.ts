import { error } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { filterOptions } from '$lib/server/analytics/filters';
import { unitAssessmentView } from '$lib/server/analytics/service';
import { requireUnitAssessment } from '$lib/server/guard';
import { ASSESSED_KINDS } from '$lib/units';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const user = requireUnitAssessment(locals, params.unit);
	const a = await app();
	const v = await unitAssessmentView(a, user, url, params.unit);
	if (!v) error(404, { message: `没有编码为“${params.unit}”的承办单位`, code: 'not_found' });
	// the kind the ranking it was opened from lists (单位类别), kept for 返回 and the filters
	const kind = url.searchParams.get('kind');
	return {
		view: v.data,
		problems: v.problems,
		openable: v.openable,
		records: v.records,
		supervise: v.supervise,
		options: filterOptions(a.ref, v.filter),
		ownUnit: user.role === 'unit_handler',
		rankingKind: kind && (ASSESSED_KINDS as readonly string[]).includes(kind) ? kind : null
	};
};
