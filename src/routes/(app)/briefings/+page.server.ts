// 简报: the briefings (newest change first) and, for analysts and admins, the form that creates one — kind, title,
// period (Shanghai days) and the dashboards' district and category — whose figures are generated at once.
import { fail, redirect } from '@sveltejs/kit';
import { shanghaiDay } from '$pipelines/calendar/index';
import { BRIEFING_KINDS, KIND_LABELS, type BriefingKind } from '$lib/briefings';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { BRIEFING_ERROR_STATUS } from '$lib/server/briefings/http';
import { BriefingError } from '$lib/server/briefings/input';
import { createBriefing, defaultPeriod, defaultTitle, listBriefings, mayEdit, SCREEN } from '$lib/server/briefings/service';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const user = requireScreen(locals, SCREEN);
	const a = await app();
	const now = Date.now();
	const periods = Object.fromEntries(BRIEFING_KINDS.map((k) => [k, defaultPeriod(k, now)])) as Record<BriefingKind, { from: string; to: string }>;
	return {
		briefings: await listBriefings(a, user),
		canEdit: mayEdit(user.role),
		today: shanghaiDay(now),
		kinds: BRIEFING_KINDS.map((k) => ({ code: k, label: KIND_LABELS[k], ...periods[k], title: defaultTitle(a, k, periods[k].from, periods[k].to) })),
		districts: a.ref.districts.map((d) => ({ code: d.code, name: d.name })),
		categories: a.ref.categories
			.filter((c) => c.level === 1)
			.map((c) => ({
				code: c.code,
				name: c.name,
				children: a.ref.categories.filter((s) => s.level === 2 && s.parent === c.code).map((s) => ({ code: s.code, name: s.name }))
			}))
	};
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '');

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const values = { kind: str(f, 'kind'), title: str(f, 'title'), from: str(f, 'from'), to: str(f, 'to'), district: str(f, 'district'), category: str(f, 'category') };
		let id: number;
		try {
			id = (await createBriefing(await app(), user, values)).id;
		} catch (e) {
			if (!(e instanceof BriefingError)) throw e;
			return fail(BRIEFING_ERROR_STATUS[e.code], { message: e.message, field: e.field, values });
		}
		redirect(303, `/briefings/${id}`);
	}
};
