// GET /api/v1/audit?area=&actor=&q=&from=&to=&before=&size= (admin) → { entries: [{ id, at, actor, area, areaLabel,
//   target, message, client }], next }: the 操作日志 newest first, `size` a page (default 100, at most 500); `next` is
//   the `before` of the next page, null on the last. An unknown area or a day that is no date → 400 naming the field.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { auditEntries } from '$lib/server/audit';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse } from '$lib/server/cases/http';
import { CaseError } from '$lib/server/cases/input';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	requireRole(locals, ['admin']);
	const p = (k: string) => url.searchParams.get(k);
	try {
		const number = (k: string) => {
			const v = p(k);
			if (v === null || v === '') return undefined;
			if (!/^\d{1,15}$/.test(v)) throw new CaseError('invalid_input', `${k} 应为正整数`, k);
			return Number(v);
		};
		return json(await auditEntries((await app()).rel.db, { area: p('area'), actor: p('actor'), q: p('q'), from: p('from'), to: p('to'), before: number('before'), size: number('size') }));
	} catch (e) {
		return caseErrorResponse(e);
	}
};
