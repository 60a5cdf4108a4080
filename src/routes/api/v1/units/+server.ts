// GET /api/v1/units (admin) → { units: [{ code, name, shortName, kind, kindLabel, districtCode, districtName, streetCode,
//   streetName, active, holding, accounts, editedAt, editedBy, version }] }: the undertaking units' directory.
// POST /api/v1/units { kind: municipal | utility, name, short_name? } (admin) → 201 { unit } with
//   Location: /api/v1/units/{code}; the code is the next free one of its kind.
import { json } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { addUnit, unitAdmin, unitsForAdmin } from '$lib/server/units';
import { requireRole } from '$lib/server/guard';
import { caseErrorResponse, jsonBody } from '$lib/server/cases/http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) => {
	const user = requireRole(locals, ['admin']);
	return json({ units: await unitsForAdmin(unitAdmin(await app(), user)) });
};

export const POST: RequestHandler = async ({ locals, request }) => {
	const user = requireRole(locals, ['admin']);
	try {
		const created = await addUnit(unitAdmin(await app(), user), await jsonBody(request));
		return json({ unit: created }, { status: 201, headers: { location: `/api/v1/units/${encodeURIComponent(created.code)}` } });
	} catch (e) {
		return caseErrorResponse(e);
	}
};
