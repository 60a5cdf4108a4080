import { fail } from '@sveltejs/kit';
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { MAPPING_MAX_BYTES, ReplayInputError, quarantineFilters, quarantineOverview, replayQuarantine } from '$lib/server/quarantine';
import type { Actions, PageServerLoad } from './$types';

const SCREEN = '/admin/quarantine';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, SCREEN);
	const a = await app();
	return { quarantine: await quarantineOverview(a.analytics.conn, quarantineFilters(url.searchParams)) };
};

export const actions: Actions = {
	replay: async ({ locals, request }) => {
		requireScreen(locals, SCREEN);
		const form = await request.formData();
		const source = String(form.get('source') ?? '').trim() || null;
		const file = form.get('mapping');
		const pasted = String(form.get('mappingText') ?? '');
		const upload = file instanceof File && file.size > 0 ? file : null;
		// the pasted text comes back with a refusal so it can be corrected in place
		const refuse = (message: string) => fail(400, { message, source, mappingText: pasted.slice(0, 64 * 1024) });
		if (upload && pasted.trim()) return refuse('请上传映射文件或粘贴映射内容，二者只选其一');
		let mappingJson: string | null = pasted.trim() ? pasted : null;
		if (upload) {
			if (!/\.json$/i.test(upload.name)) return refuse(`映射文件应为 .json 文件，「${upload.name}」不是`);
			if (upload.size > MAPPING_MAX_BYTES) return refuse(`映射文件「${upload.name}」过大（不得超过 ${MAPPING_MAX_BYTES / 1024} KB）`);
			try {
				mappingJson = new TextDecoder('utf-8', { fatal: true }).decode(await upload.arrayBuffer());
			} catch {
				return refuse(`映射文件「${upload.name}」不是 UTF-8 编码的文本`);
			}
		}
		try {
			const result = await replayQuarantine(await app(), { source, mappingJson, mappingFileName: upload?.name ?? null });
			return { replay: result };
		} catch (e) {
			if (e instanceof ReplayInputError) return refuse(e.message);
			throw e;
		}
	}
};
