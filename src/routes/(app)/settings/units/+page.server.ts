// 设置 › 单位: the undertaking units (?q= words in the code or names, ?kind=, ?state=active|inactive), 新建单位
// (a municipal department or a public-service company), 改名 (?edit=<code> opens its form), 停用/启用, and 收回 of a
// stopped unit's tickets (?recall=<code> opens its form).
// Administrators only.
import { app } from '$lib/server/app';
import { ADDABLE_KINDS, UNIT_LIMITS, addUnit, unitAdmin, unitsForAdmin, updateUnit } from '$lib/server/units';
import { requireScreen } from '$lib/server/guard';
import { refusedForm } from '$lib/server/cases/http';
import { recallFromUnit } from '$lib/server/cases/service';
import { UNIT_KIND_LABELS } from '$lib/units';
import type { Actions, PageServerLoad } from './$types';

const SCREEN = '/settings';
const KINDS = ['municipal', 'utility', 'district', 'street'] as const;
const STATES = ['active', 'inactive'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireScreen(locals, SCREEN);
	const all = await unitsForAdmin(unitAdmin(await app(), user));
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const kindParam = url.searchParams.get('kind') ?? '';
	const kind = (KINDS as readonly string[]).includes(kindParam) ? kindParam : null;
	const stateParam = url.searchParams.get('state') ?? '';
	const state = (STATES as readonly string[]).includes(stateParam) ? stateParam : null;
	const words = q.toLowerCase();
	const shown = all.filter(
		(u) =>
			(!kind || u.kind === kind) &&
			(!state || u.active === (state === 'active')) &&
			(!words || [u.code, u.name, u.shortName, u.districtName ?? '', u.streetName ?? ''].some((s) => s.toLowerCase().includes(words)))
	);
	const editParam = url.searchParams.get('edit');
	const edit = editParam ? (all.find((u) => u.code === editParam) ?? null) : null;
	const recallParam = url.searchParams.get('recall');
	const recall = recallParam ? (all.find((u) => u.code === recallParam) ?? null) : null;
	return {
		q,
		kind,
		state,
		bad: [kindParam && !kind ? `单位类型「${kindParam}」` : '', stateParam && !state ? `状态「${stateParam}」` : ''].filter(Boolean),
		units: shown,
		counts: { all: all.length, active: all.filter((u) => u.active).length, holdingStopped: all.filter((u) => !u.active && u.holding).length },
		kinds: KINDS.map((k) => ({ code: k, label: UNIT_KIND_LABELS[k] })),
		addable: ADDABLE_KINDS.map((k) => ({ code: k, label: UNIT_KIND_LABELS[k] })),
		edit,
		editMissing: editParam && !edit ? editParam : null,
		recall,
		recallMissing: recallParam && !recall ? recallParam : null,
		limits: UNIT_LIMITS
	};
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '');

/** 停用 or 启用 from the list: the row's code and the version it was drawn with. */
async function setActive(locals: App.Locals, request: Request, active: boolean) {
	const user = requireScreen(locals, SCREEN);
	const f = await request.formData();
	const code = str(f, 'code');
	try {
		const r = await updateUnit(unitAdmin(await app(), user), code, { active, version: str(f, 'version') });
		const u = r.unit;
		const saved = !r.changed.length
			? `${u.name}已是${active ? '启用' : '停用'}状态`
			: active
				? `已启用 ${u.name}：派单时可再选择该单位`
				: `已停用 ${u.name}：不再接收派单、不再被推荐${u.holding ? `；其在办的 ${u.holding} 件工单仍由其办理（该单位账号照常签收、答复），也可在此一并收回、重新派单` : ''}`;
		return { form: 'list', saved, code };
	} catch (e) {
		return refusedForm('list', e);
	}
}

export const actions: Actions = {
	add: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const values = { kind: str(f, 'kind'), name: str(f, 'name'), short_name: str(f, 'short_name') };
		try {
			const u = await addUnit(unitAdmin(await app(), user), values);
			return { form: 'add', saved: `已新建单位 ${u.code} ${u.name}（${u.kindLabel}），派单时即可选择`, code: u.code };
		} catch (e) {
			return refusedForm('add', e, values);
		}
	},

	edit: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const code = str(f, 'code');
		const values = { name: str(f, 'name'), short_name: str(f, 'short_name') };
		try {
			const r = await updateUnit(unitAdmin(await app(), user), code, { ...values, version: str(f, 'version') });
			return { form: 'edit', saved: r.changed.length ? `已保存 ${code}：${r.changed.join('；')}` : '没有改动', code };
		} catch (e) {
			return refusedForm('edit', e, values);
		}
	},

	recall: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const code = str(f, 'code');
		const note = str(f, 'note');
		try {
			const r = await recallFromUnit(await app(), user, code, note);
			const left = r.left.length ? `；${r.left.length} 件刚有变动未收回（${r.left.map((t) => t.ticketNo).join('、')}），请在工单详情中处理` : '';
			const saved = r.recalled.length ? `已收回 ${r.recalled.length} 件工单，等待在派单中重新派单${left}` : `没有可收回的工单${left}`;
			return { form: 'recall', saved, code, recalled: r.recalled, left: r.left };
		} catch (e) {
			return refusedForm('recall', e, { note });
		}
	},

	disable: async ({ locals, request }) => setActive(locals, request, false),
	enable: async ({ locals, request }) => setActive(locals, request, true)
};
