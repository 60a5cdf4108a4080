import { error, fail } from '@sveltejs/kit';
import { actorOf, idParam } from '$lib/server/alerts/http';
import { alertDetail } from '$lib/server/alerts/read';
import { notify, publishChange } from '$lib/server/alerts/service';
import { AlertError, addNote, transition, type AlertAction } from '$lib/server/alerts/store';
import { app } from '$lib/server/app';
import { districtShapes } from '$lib/server/geo';
import { requireScreen } from '$lib/server/guard';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const MAP_W = 420;
const MAP_H = 360;
const FAIL_STATUS = { not_found: 404, conflict: 409, bad_transition: 409, invalid_input: 400 } as const;

export const load: PageServerLoad = async ({ locals, params, depends }) => {
	requireScreen(locals, '/alerts');
	depends('app:alerts');
	const id = idParam(params.id);
	if (id === null) error(404, { message: `预警编号「${params.id}」无效`, code: 'not_found' });
	const a = await app();
	try {
		const detail = await alertDetail(a, id);
		// districts the alert touches: its district places, the districts of its street places, its own district
		const districts = new Map<string, number>();
		const add = (code: string | null | undefined, n: number) => {
			if (code && a.ref.districtByCode.has(code)) districts.set(code, Math.max(districts.get(code) ?? 0, n, 1));
		};
		for (const p of detail.places) {
			if (p.level === 'district') add(p.code, p.observed);
			else if (p.level === 'street') add(a.ref.streetByCode.get(p.code)?.districtCode, p.observed);
		}
		add(detail.alert.districtCode, detail.alert.observed);
		return {
			detail,
			affected: [...districts].map(([code, n]) => ({ code, name: a.ref.districtByCode.get(code)?.name ?? code, n })),
			shapes: districtShapes(a.ref, MAP_W, MAP_H),
			map: { width: MAP_W, height: MAP_H }
		};
	} catch (e) {
		if (e instanceof AlertError && e.code === 'not_found') error(404, { message: e.message, code: 'not_found' });
		throw e;
	}
};

/** One of the four transitions: the version the user saw guards against a concurrent change. */
function act(action: AlertAction) {
	return async ({ locals, params, request }: RequestEvent) => {
		const user = requireScreen(locals, '/alerts');
		const id = idParam(params.id);
		if (id === null) return fail(404, { action, message: `预警编号「${params.id}」无效` });
		const form = await request.formData();
		const note = String(form.get('note') ?? '');
		const v = String(form.get('version') ?? '');
		const version = /^\d+$/.test(v) ? Number(v) : null;
		try {
			const a = await app();
			const row = await transition(a.rel.db, id, action, actorOf(user), version, note);
			publishChange({ id, event: row.status as 'acknowledged' });
			if (row.status === 'escalated' || row.status === 'resolved') notify(a, row, row.status);
			return { action, done: row.status };
		} catch (e) {
			if (e instanceof AlertError) return fail(FAIL_STATUS[e.code], { action, message: e.message, note });
			throw e;
		}
	};
}

export const actions: Actions = {
	acknowledge: act('acknowledge'),
	escalate: act('escalate'),
	resolve: act('resolve'),
	dismiss: act('dismiss'),
	note: async ({ locals, params, request }) => {
		const user = requireScreen(locals, '/alerts');
		const id = idParam(params.id);
		if (id === null) return fail(404, { action: 'note', message: `预警编号「${params.id}」无效` });
		const note = String((await request.formData()).get('note') ?? '');
		try {
			await addNote((await app()).rel.db, id, actorOf(user), note);
			publishChange({ id, event: 'note' });
			return { action: 'note', done: 'note' };
		} catch (e) {
			if (e instanceof AlertError) return fail(FAIL_STATUS[e.code], { action: 'note', message: e.message, note });
			throw e;
		}
	}
};
