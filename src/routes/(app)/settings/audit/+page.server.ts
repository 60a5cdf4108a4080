// 设置 › 操作日志: the audit log, newest first (?area=, ?actor=, ?q= words, ?from= ?to= days, ?before=<id> the next
// page). Administrators only.
import { error } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { AUDIT_AREAS, auditEntries, isAuditArea } from '$lib/server/audit';
import { AUDIT_EXPORT_LIMIT } from '$lib/server/audit-xlsx';
import { CaseError } from '$lib/server/cases/input';
import { requireScreen } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, '/settings');
	const param = (k: string) => (url.searchParams.get(k) ?? '').trim().slice(0, 100);
	const areaParam = param('area');
	const area = isAuditArea(areaParam) ? areaParam : null;
	const before = /^\d{1,15}$/.test(param('before')) ? Number(param('before')) : null;
	const filter = { area, actor: param('actor') || null, q: param('q') || null, from: param('from') || null, to: param('to') || null };
	try {
		const page = await auditEntries((await app()).rel.db, { ...filter, before });
		return {
			...filter,
			before,
			exportLimit: AUDIT_EXPORT_LIMIT,
			bad: areaParam && !area ? [`类别「${areaParam}」`] : [],
			areas: Object.entries(AUDIT_AREAS).map(([value, label]) => ({ value, label })),
			...page
		};
	} catch (e) {
		// a day that is no date, typed into the address: said on the page's error screen (400)
		if (e instanceof CaseError && e.code === 'invalid_input') error(400, e.message);
		throw e;
	}
};
