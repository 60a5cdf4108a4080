// 设置 › 派单规则: each category with the unit the 派单 screens suggest for its tickets (?q= words in the code, path or
// unit, ?level=1|2|3, ?state=set|stopped), and the handler set for one (?edit=<code>) or its file's rules again.
// Administrators only.
import { app } from '$lib/server/app';
import { PLACE_HANDLERS, routingAdmin, routingForAdmin, setRouting } from '$lib/server/routing';
import { requireScreen } from '$lib/server/guard';
import { refusedForm } from '$lib/server/cases/http';
import { UNIT_KIND_LABELS } from '$lib/units';
import type { Actions, PageServerLoad } from './$types';

const SCREEN = '/settings';
const STATES = ['set', 'stopped'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireScreen(locals, SCREEN);
	const a = await app();
	const all = await routingForAdmin(routingAdmin(a, user));
	const p = (k: string) => url.searchParams.get(k) ?? '';
	const q = p('q').trim().slice(0, 50);
	const level = ['1', '2', '3'].includes(p('level')) ? Number(p('level')) : null;
	const state = (STATES as readonly string[]).includes(p('state')) ? (p('state') as (typeof STATES)[number]) : null;
	const words = q.toLowerCase();
	const shown = all.filter(
		(r) =>
			(!level || r.level === level) &&
			(!state || (state === 'set' ? r.set : r.stopped)) &&
			(!words || [r.code, r.path, r.handlerLabel].some((s) => s.toLowerCase().includes(words)))
	);
	const edit = p('edit') ? (all.find((r) => r.code === p('edit')) ?? null) : null;
	const units = a.ref.units.filter((u) => u.active && (u.kind === 'municipal' || u.kind === 'utility'));
	return {
		q,
		level,
		state,
		bad: [p('level') && !level ? `级别「${p('level')}」` : '', p('state') && !state ? `状态「${p('state')}」` : ''].filter(Boolean),
		rules: shown,
		counts: { all: all.length, set: all.filter((r) => r.set).length, stopped: all.filter((r) => r.stopped).length },
		edit,
		editMissing: p('edit') && !edit ? p('edit') : null,
		handlers: [
			{ label: '按工单所在地', options: Object.entries(PLACE_HANDLERS).map(([value, label]) => ({ value, label })) },
			...(['municipal', 'utility'] as const).map((k) => ({
				label: UNIT_KIND_LABELS[k],
				options: units.filter((u) => u.kind === k).map((u) => ({ value: u.code, label: u.name }))
			}))
		]
	};
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '');

async function change(locals: App.Locals, request: Request, reset: boolean) {
	const user = requireScreen(locals, SCREEN);
	const f = await request.formData();
	const code = str(f, 'code');
	const values = { handler: reset ? '' : str(f, 'handler') };
	try {
		const r = await setRouting(routingAdmin(await app(), user), code, { ...values, version: str(f, 'version') });
		return { form: 'edit', saved: r.changed.length ? `已保存 ${r.routing.path}：${r.changed[0]}，派单时即按此建议` : '没有改动', code };
	} catch (e) {
		return refusedForm('edit', e, values);
	}
}

export const actions: Actions = {
	set: async ({ locals, request }) => change(locals, request, false),
	reset: async ({ locals, request }) => change(locals, request, true)
};
