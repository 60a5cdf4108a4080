import { fail } from '@sveltejs/kit';
import { TICKET_TYPES } from '$pipelines/lifecycle/model';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { calendarCoverage, getLimits, saveLimits } from '$lib/server/cases/limits';
import { CaseError } from '$lib/server/cases/input';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	requireScreen(locals, '/settings');
	const a = await app();
	return { limits: await getLimits(a.rel.db), types: [...TICKET_TYPES], coverage: calendarCoverage(a.calendar) };
};

const int = (v: FormDataEntryValue | null) =>
	typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v === null ? undefined : Number.NaN;

export const actions: Actions = {
	save: async ({ locals, request }) => {
		const user = requireScreen(locals, '/settings');
		const f = await request.formData();
		const perType = (prefix: string) => Object.fromEntries(TICKET_TYPES.map((t) => [t, int(f.get(`${prefix}.${t}`))]));
		const yellow = Number(f.get('yellowPercent'));
		const value = {
			signWorkingDays: int(f.get('signWorkingDays')),
			signUrgentHours: int(f.get('signUrgentHours')),
			replyWorkingDays: perType('reply'),
			replyUrgentWorkingDays: perType('replyUrgent'),
			yellowAt: Number.isFinite(yellow) ? yellow / 100 : Number.NaN,
			visitWorkingDays: int(f.get('visitWorkingDays'))
		};
		try {
			await saveLimits((await app()).rel.db, value, user.username);
			return { saved: true };
		} catch (e) {
			if (e instanceof CaseError) return fail(400, { message: e.message });
			throw e;
		}
	}
};
