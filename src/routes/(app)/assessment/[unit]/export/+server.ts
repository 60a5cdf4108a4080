// GET /assessment/<unit>/export?<the page's filters> → the unit's 考核明细 as an .xlsx file, every round listed.
import { app } from '$lib/server/app';
import { apiError, attachment } from '$lib/server/http';
import { requireUnitAssessment } from '$lib/server/guard';
import { readUnitAssessment } from '$lib/server/analytics/service';
import { ASSESSMENT_EXPORT_ITEMS } from '$lib/server/analytics/unit-assessment';
import { unitAssessmentWorkbook } from '$lib/server/assessment-xlsx';
import { filterNames } from '$lib/server/analytics/filters';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url, params }) => {
	requireUnitAssessment(locals, params.unit);
	const a = await app();
	const r = await readUnitAssessment(a, url, params.unit, ASSESSMENT_EXPORT_ITEMS);
	// as the 考核 workbook: a file made of what the page could read of a filter would not say what it left out
	if (r.refusals.length) return apiError(400, 'bad_filter', `考核明细未导出：${r.refusals.join('；')}`);
	if (!r.data) return apiError(404, 'not_found', `没有编码为“${params.unit}”的承办单位`);
	const f = r.data.filter;
	const scope = filterNames(f, a.ref).join('、') || a.ref.cityName;
	const body = await unitAssessmentWorkbook(r.data, scope);
	return new Response(new Uint8Array(body), {
		headers: {
			'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			'content-disposition': attachment(`考核明细-${r.data.unit.name}-${f.from}-${f.to}.xlsx`, 'unit-assessment.xlsx')
		}
	});
};
