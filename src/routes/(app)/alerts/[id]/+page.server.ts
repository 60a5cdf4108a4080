import { error, fail } from '@sveltejs/kit';
import { actorOf, ALERT_ERROR_STATUS, idParam } from '$lib/server/alerts/http';
import { alertDetail } from '$lib/server/alerts/read';
import { actOnAlert, noteOnAlert } from '$lib/server/alerts/service';
import { AlertError, type AlertAction } from '$lib/server/alerts/store';
import { app } from '$lib/server/app';
import { districtShapes } from '$lib/server/geo';
import { ALERT_HANDLER_ROLES } from '$lib/alerts';
import { requireRole, requireScreen } from '$lib/server/guard';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const MAP_W = 420;
const MAP_H = 360;

export const load: PageServerLoad = async ({ locals, params, depends }) => {
	const user = requireScreen(locals, '/alerts');
	depends('app:alerts');
	const id = idParam(params.id);
	if (id === null) error(404, { message: `预警编号「${params.id}」无效`, code: 'not_found' });
	const a = await app();
	try {
		const detail = await alertDetail(a, id);
		return {
			detail,
			canAct: ALERT_HANDLER_ROLES.includes(user.role),
			shapes: districtShapes(a.ref, MAP_W, MAP_H),
			map: { width: MAP_W, height: MAP_H }
		};
	} catch (e) {
		if (e instanceof AlertError && e.code === 'not_found') error(404, { message: e.message, code: 'not_found' });
		throw e;
	}
};

/** Each form posts the version the user saw: a concurrent change gives a conflict. */
function act(action: AlertAction) {
	return async ({ locals, params, request }: RequestEvent) => {
		const user = requireRole(locals, ALERT_HANDLER_ROLES);
		const id = idParam(params.id);
		if (id === null) return fail(404, { action, message: `预警编号「${params.id}」无效` });
		const form = await request.formData();
		const note = String(form.get('note') ?? '');
		const v = String(form.get('version') ?? '');
		if (!/^\d+$/.test(v)) return fail(400, { action, message: '缺少预警的版本号，请刷新页面后重试', note });
		try {
			const row = await actOnAlert(await app(), id, action, actorOf(user), Number(v), note);
			return { action, done: row.status };
		} catch (e) {
			if (e instanceof AlertError) return fail(ALERT_ERROR_STATUS[e.code], { action, message: e.message, note });
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
			await noteOnAlert(await app(), id, actorOf(user), note);
			return { action: 'note', done: 'note' };
		} catch (e) {
			if (e instanceof AlertError) return fail(ALERT_ERROR_STATUS[e.code], { action: 'note', message: e.message, note });
			throw e;
		}
	}
};
