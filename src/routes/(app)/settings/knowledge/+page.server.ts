// 设置 › 知识库: the articles operators answer consultations from — list (?q= words, ?retired=1 with the retired
// ones), add, edit (?edit=<id>, at the version shown), 停用/恢复, and 试一试 (?try= a caller's sentence: what the
// 受理 assistant would suggest). Admins only.
import { app } from '$lib/server/app';
import { requireScreen } from '$lib/server/guard';
import { refusedForm } from '$lib/server/cases/http';
import { CaseError } from '$lib/server/cases/input';
import {
	countArticles,
	createArticle,
	getArticle,
	KB_LIMITS,
	KB_SUGGESTIONS,
	listArticles,
	restoreArticle,
	retireArticle,
	suggestArticles,
	updateArticle,
	type KbArticleRow
} from '$lib/server/cases/knowledge';
import type { Actions, PageServerLoad } from './$types';

const SCREEN = '/settings';

const view = (r: KbArticleRow) => ({
	id: r.id,
	title: r.title,
	keywords: r.keywords,
	answer: r.answer,
	updatedAt: r.updatedAt.toISOString(),
	updatedBy: r.updatedBy,
	retired: r.retiredAt !== null,
	retiredAt: r.retiredAt?.toISOString() ?? null,
	version: r.version
});

export const load: PageServerLoad = async ({ locals, url }) => {
	requireScreen(locals, SCREEN);
	const db = (await app()).rel.db;
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const retired = url.searchParams.get('retired') === '1';
	const editId = url.searchParams.get('edit');
	const sentence = (url.searchParams.get('try') ?? '').trim().slice(0, 500);
	const [rows, counts, editing, hits] = await Promise.all([
		listArticles(db, { q, retired }),
		countArticles(db),
		editId
			? getArticle(db, editId).catch((e: unknown) => (e instanceof CaseError && e.code === 'not_found' ? null : Promise.reject(e)))
			: null,
		sentence ? suggestArticles(db, sentence) : null
	]);
	return {
		q,
		retired,
		articles: rows.map(view),
		counts,
		editing: editing ? view(editing) : null,
		editMissing: editId && !editing ? editId : null,
		tried: hits
			? { sentence, hits: hits.map((h) => ({ id: h.id, title: h.title, score: h.score, matched: h.matched, answer: h.answer })) }
			: null,
		limits: { ...KB_LIMITS, suggestions: KB_SUGGESTIONS }
	};
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '');


export const actions: Actions = {
	/** Adds an article, or (with a version) saves the one being edited. */
	save: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		const values = {
			id: str(f, 'id'),
			title: str(f, 'title'),
			keywords: str(f, 'keywords'),
			answer: str(f, 'answer'),
			version: str(f, 'version')
		};
		const db = (await app()).rel.db;
		try {
			if (values.version) {
				const row = await updateArticle(db, user, values.id, {
					title: values.title,
					keywords: values.keywords,
					answer: values.answer,
					version: values.version
				});
				return { form: 'article', saved: `已保存「${row.title}」（第 ${row.version} 版）`, id: row.id };
			}
			const row = await createArticle(db, user, { id: values.id, title: values.title, keywords: values.keywords, answer: values.answer });
			return { form: 'article', saved: `已添加「${row.title}」，受理助手即刻可用`, id: row.id };
		} catch (e) {
			return refusedForm('article', e, values);
		}
	},

	retire: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		try {
			const row = await retireArticle((await app()).rel.db, user, str(f, 'id'), str(f, 'version'));
			return { form: 'list', saved: `已停用「${row.title}」：受理助手不再推荐，可随时恢复`, id: row.id };
		} catch (e) {
			return refusedForm('list', e);
		}
	},

	restore: async ({ locals, request }) => {
		const user = requireScreen(locals, SCREEN);
		const f = await request.formData();
		try {
			const row = await restoreArticle((await app()).rel.db, user, str(f, 'id'), str(f, 'version'));
			return { form: 'list', saved: `已恢复「${row.title}」`, id: row.id };
		} catch (e) {
			return refusedForm('list', e);
		}
	}
};
