// One briefing: its sections with the figures kept and the text to edit (analysts and admins; leaders read it),
// saved at the version shown (保存), its figures made again keeping edited text (刷新数据, which also saves what is
// on the page), deleted (删除); exported through /api/v1/briefings/{id}/export.
import { existsSync } from 'node:fs';
import { error, fail, redirect } from '@sveltejs/kit';
import { SECTION_KEYS } from '$lib/briefings';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { BRIEFING_ERROR_STATUS } from '$lib/server/briefings/http';
import { BriefingError } from '$lib/server/briefings/input';
import { briefingId, deleteBriefing, getBriefing, mayEdit, refreshBriefing, saveBriefing, SCREEN } from '$lib/server/briefings/service';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	const user = requireScreen(locals, SCREEN);
	const a = await app();
	try {
		const briefing = await getBriefing(a, user, briefingId(params.id));
		const font = existsSync(a.config.pdfFont.path);
		return {
			briefing,
			canEdit: mayEdit(user.role),
			pdf: font ? null : `服务器上没有中文字体文件 ${a.config.pdfFont.path}，暂不能导出 PDF（可安装 fonts-noto-cjk 或设置 MINQING_PDF_FONT）；Word 文档可以导出。`
		};
	} catch (e) {
		if (e instanceof BriefingError && e.code === 'not_found') error(404, { message: e.message, code: 'not_found' });
		throw e;
	}
};

/** The editor's fields as the save input: the title, the version, and each section in the order posted. */
function saveInput(f: FormData) {
	const order = String(f.get('order') ?? '')
		.split(',')
		.map((k) => k.trim())
		.filter(Boolean);
	return {
		version: String(f.get('version') ?? ''),
		title: String(f.get('title') ?? ''),
		sections: (order.length ? order : [...SECTION_KEYS]).map((key) => ({ key, included: f.get(`included_${key}`) === 'on', text: String(f.get(`text_${key}`) ?? '') }))
	};
}

function refused(e: unknown) {
	if (!(e instanceof BriefingError)) throw e;
	return fail(BRIEFING_ERROR_STATUS[e.code], { message: e.message, field: e.field, code: e.code });
}

export const actions: Actions = {
	save: async ({ locals, params, request }) => {
		const user = requireScreen(locals, SCREEN);
		try {
			const b = await saveBriefing(await app(), user, briefingId(params.id), saveInput(await request.formData()));
			return { saved: `已保存（第 ${b.version} 版）` };
		} catch (e) {
			return refused(e);
		}
	},
	refresh: async ({ locals, params, request }) => {
		const user = requireScreen(locals, SCREEN);
		try {
			const b = await refreshBriefing(await app(), user, briefingId(params.id), saveInput(await request.formData()));
			const kept = b.sections.filter((s) => s.edited).length;
			return { saved: `已刷新数据并保存（第 ${b.version} 版）${kept ? `；已修改的 ${kept} 个栏目保留了您的文字` : ''}` };
		} catch (e) {
			return refused(e);
		}
	},
	delete: async ({ locals, params, request }) => {
		const user = requireScreen(locals, SCREEN);
		try {
			await deleteBriefing(await app(), user, briefingId(params.id), (await request.formData()).get('version'));
		} catch (e) {
			return refused(e);
		}
		redirect(303, '/briefings');
	}
};
