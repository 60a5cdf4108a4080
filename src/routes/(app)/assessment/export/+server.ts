// GET /assessment/export?<the page's filters> → the unit scorecards and the staff's workload of the 考核 page as an .xlsx file.
import { app } from '$lib/server/app';
import { apiError, attachment } from '$lib/server/http';
import { requireScreen } from '$lib/server/guard';
import { readUnits } from '$lib/server/analytics/service';
import { scorecardWorkbook } from '$lib/server/assessment-xlsx';
import { staffWorkload } from '$lib/server/cases/workload';
import { filterNames } from '$lib/server/analytics/filters';
import { UNIT_KIND_LABELS } from '$lib/units';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	requireScreen(locals, '/assessment');
	const a = await app();
	const r = await readUnits(a, url);
	// the page shows its figures for what it could read of a filter and says so; a file made so would not say it
	if (r.refusals.length) return apiError(400, 'bad_filter', `考核表未导出：${r.refusals.join('；')}`);
	const f = r.data.filter;
	// named as the page's filter bar names them (电话 for phone)
	const scope = [...filterNames(f, a.ref), ...(r.data.kind ? [UNIT_KIND_LABELS[r.data.kind]] : [])].join('、') || a.ref.cityName;
	const body = await scorecardWorkbook(r.data, scope, new Date(), await staffWorkload(a, f.from, f.to));
	const name = `单位考核-${r.data.kind ? `${UNIT_KIND_LABELS[r.data.kind]}-` : ''}${f.from}-${f.to}.xlsx`;
	return new Response(new Uint8Array(body), {
		headers: {
			'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			'content-disposition': attachment(name, 'assessment.xlsx')
		}
	});
};
