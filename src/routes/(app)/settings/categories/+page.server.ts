// 设置 › 分类: the categories in tree order (?q= words in the code, name, path or a former name; ?level=1|2|3;
// ?state=active|inactive), 新建分类 (?parent=<code> chooses where), 改名 (?edit=<code>), 停用/启用.
// Administrators only.
import { app } from '$lib/server/app';
import { CATEGORY_LIMITS, addCategory, categoriesForAdmin, categoryAdmin, updateCategory } from '$lib/server/categories';
import { requireScreen } from '$lib/server/guard';
import { refusedForm } from '$lib/server/cases/http';
import type { Actions, PageServerLoad } from './$types';

const SCREEN = '/settings';
const LEVELS = ['1', '2', '3'] as const;
const STATES = ['active', 'inactive'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireScreen(locals, SCREEN);
	const all = await categoriesForAdmin(categoryAdmin(await app(), user));
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const levelParam = url.searchParams.get('level') ?? '';
	const level = (LEVELS as readonly string[]).includes(levelParam) ? Number(levelParam) : null;
	const stateParam = url.searchParams.get('state') ?? '';
	const state = (STATES as readonly string[]).includes(stateParam) ? stateParam : null;
	const words = q.toLowerCase();
	const shown = all.filter(
		(c) =>
			(!level || c.level === level) &&
			(!state || (state === 'active' ? c.inUse : !c.inUse)) &&
			(!words || [c.code, c.path, ...c.formerNames].some((s) => s.toLowerCase().includes(words)))
	);
	const editParam = url.searchParams.get('edit');
	const edit = editParam ? (all.find((c) => c.code === editParam) ?? null) : null;
	const parentParam = url.searchParams.get('parent') ?? '';
	return {
		q,
		level,
		state,
		bad: [levelParam && !level ? `分类级别「${levelParam}」` : '', stateParam && !state ? `状态「${stateParam}」` : ''].filter(Boolean),
		categories: shown,
		counts: {
			all: all.length,
			inUse: all.filter((c) => c.inUse).length,
			byLevel: LEVELS.map((l) => all.filter((c) => c.level === Number(l)).length)
		},
		/** where a new category may go: the top, a level 1, a level 2 */
		parents: all.filter((c) => c.level < 3).map((c) => ({ code: c.code, path: c.path, inUse: c.inUse })),
		parent: all.some((c) => c.code === parentParam && c.level < 3) ? parentParam : '',
		edit,
		editMissing: editParam && !edit ? editParam : null,
		limits: CATEGORY_LIMITS
	};
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '');

/** 停用 or 启用 from the list: the row's code and the version it was drawn with. */
async function setActive(locals: App.Locals, request: Request, active: boolean) {
	const user = requireScreen(locals, SCREEN);
	const f = await request.formData();
	const code = str(f, 'code');
	try {
		const r = await updateCategory(categoryAdmin(await app(), user), code, { active, version: str(f, 'version') });
		const c = r.category;
		const saved = !r.changed.length
			? `${c.path}已是${active ? '启用' : '停用'}状态`
			: `${c.path}：已${r.changed.join('；')}。${active ? (c.inUse ? '受理与派单时可再选择' : '') : '受理与派单时不再可选，已有工单保留原分类'}`;
		return { form: 'list', saved, code };
	} catch (e) {
		return refusedForm('list', e);
	}
}

export const actions: Actions = {
	add: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const values = { parent: str(f, 'parent'), name: str(f, 'name') };
		try {
			const c = await addCategory(categoryAdmin(await app(), user), values);
			return { form: 'add', saved: `已新建分类 ${c.code} ${c.path}，受理与派单时即可选择${c.level < 3 ? '（其下还需新建第三级分类）' : ''}`, code: c.code };
		} catch (e) {
			return refusedForm('add', e, values);
		}
	},

	edit: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const code = str(f, 'code');
		const values = { name: str(f, 'name') };
		try {
			const r = await updateCategory(categoryAdmin(await app(), user), code, { ...values, version: str(f, 'version') });
			return { form: 'edit', saved: r.changed.length ? `已保存 ${code}：${r.changed.join('；')}` : '没有改动', code };
		} catch (e) {
			return refusedForm('edit', e, values);
		}
	},

	disable: async ({ locals, request }) => setActive(locals, request, false),
	enable: async ({ locals, request }) => setActive(locals, request, true)
};
