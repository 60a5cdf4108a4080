// 设置 › 词典: the segmentation dictionary's terms and stop words (?q= words, ?kind=term|stop, ?state=active|inactive,
// ?source=added|edited|file), 新增 (a term or a stop word), 修改 a term's weight and part of speech (?edit=term:<word>),
// 停用/启用, and 试一试 (?try= a text, cut as the app's segmenter cuts it now). Administrators only.
import { app } from '$lib/server/app';
import {
	KIND_LABELS,
	LEXICON_KINDS,
	LEXICON_LIMITS,
	TERM_TAGS,
	TERM_WEIGHTS,
	addLexiconEntry,
	lexiconAdmin,
	lexiconForAdmin,
	updateLexiconEntry,
	type LexiconKind
} from '$lib/server/lexicon';
import { dictionaryChanged } from '$lib/server/text/service';
import { trySegmentation } from '$lib/server/text/segmenter';
import { requireScreen } from '$lib/server/guard';
import { refusedForm } from '$lib/server/cases/http';
import type { Actions, PageServerLoad } from './$types';

const SCREEN = '/settings';
const STATES = ['active', 'inactive'] as const;
const SOURCES = ['added', 'edited', 'file'] as const;
/** rows drawn at most: the files hold about a thousand words; the filter finds the rest */
const SHOWN = 300;
const TRY_MAX = 500;

async function admin(locals: App.Locals) {
	const user = requireScreen(locals, SCREEN);
	const a = await app();
	return { a, ctx: lexiconAdmin(a, user, (words) => dictionaryChanged(a, words)) };
}

const pick = <T extends string>(v: string, list: readonly T[]): T | null => ((list as readonly string[]).includes(v) ? (v as T) : null);

export const load: PageServerLoad = async ({ locals, url }) => {
	const { a, ctx } = await admin(locals);
	const all = await lexiconForAdmin(ctx);
	const p = (k: string) => url.searchParams.get(k) ?? '';
	const q = p('q').trim().slice(0, 50);
	const kind = pick(p('kind'), LEXICON_KINDS);
	const state = pick(p('state'), STATES);
	const source = pick(p('source'), SOURCES);
	const words = q.toLowerCase();
	const matching = all.filter(
		(e) =>
			(!kind || e.kind === kind) &&
			(!state || e.active === (state === 'active')) &&
			(!source || (source === 'added' ? e.added : source === 'edited' ? !e.added && e.editedAt !== null : e.editedAt === null)) &&
			(!words || e.word.toLowerCase().includes(words))
	);
	const editParam = p('edit');
	const [editKind, ...rest] = editParam.split(':');
	const edit = editParam ? (all.find((e) => e.kind === editKind && e.word === rest.join(':')) ?? null) : null;
	const tryText = [...p('try')].slice(0, TRY_MAX).join('');
	return {
		q,
		kind,
		state,
		source,
		bad: [
			p('kind') && !kind ? `类别「${p('kind')}」` : '',
			p('state') && !state ? `状态「${p('state')}」` : '',
			p('source') && !source ? `来源「${p('source')}」` : ''
		].filter(Boolean),
		entries: matching.slice(0, SHOWN),
		matching: matching.length,
		counts: {
			terms: all.filter((e) => e.kind === 'term' && e.active).length,
			stops: all.filter((e) => e.kind === 'stop' && e.active).length,
			changed: all.filter((e) => e.editedAt !== null).length
		},
		kinds: LEXICON_KINDS.map((k) => ({ code: k, label: KIND_LABELS[k] })),
		weights: TERM_WEIGHTS.map((w) => ({ code: w.code, label: w.label, hint: w.hint, freq: w.freq })),
		tags: Object.entries(TERM_TAGS).map(([code, label]) => ({ code, label })),
		edit: edit && edit.kind === 'term' ? edit : null,
		editMissing: editParam && !(edit && edit.kind === 'term') ? editParam : null,
		tryText,
		tried: tryText.trim() ? await trySegmentation(a.ref, tryText) : null,
		limits: LEXICON_LIMITS
	};
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '');

/** What the analysis of the tickets will do, said after a change that changes how texts are cut. */
const REANALYSIS = '已分析的含该词工单将在后台按新词典重新分词';

/** 停用 or 启用 from the list: the row's kind, word and the version it was drawn with. */
async function setActive(locals: App.Locals, request: Request, active: boolean) {
	const { ctx } = await admin(locals);
	const f = await request.formData();
	const kind = str(f, 'kind') as LexiconKind;
	const word = str(f, 'word');
	try {
		const r = await updateLexiconEntry(ctx, kind, word, { active, version: str(f, 'version') });
		const label = KIND_LABELS[r.entry.kind];
		const saved = !r.changed.length
			? `${label}「${word}」已是${active ? '启用' : '停用'}状态`
			: r.entry.kind === 'term'
				? active
					? `已启用词条「${word}」：分词时保持完整。${REANALYSIS}`
					: `已停用词条「${word}」：分词时不再作为一个词（按通用词典切分）。${REANALYSIS}`
				: active
					? `已启用停用词「${word}」：关键词与检索中不再计入该词。${REANALYSIS}`
					: `已停用停用词「${word}」：该词重新计入关键词与检索。${REANALYSIS}`;
		return { form: 'list', saved, word };
	} catch (e) {
		return refusedForm('list', e);
	}
}

export const actions: Actions = {
	add: async ({ locals, request }) => {
		const { ctx } = await admin(locals);
		const f = await request.formData();
		const values = { kind: str(f, 'kind'), word: str(f, 'word'), weight: str(f, 'weight'), tag: str(f, 'tag') };
		const input = values.kind === 'stop' ? { kind: values.kind, word: values.word } : values;
		try {
			const r = await addLexiconEntry(ctx, input);
			const e = r.entry;
			return {
				form: 'add',
				saved:
					e.kind === 'term'
						? `已新增词条「${e.word}」（${e.weight}，${e.tagLabel}）：新的工单即按此分词，${REANALYSIS}`
						: `已新增停用词「${e.word}」：新的工单不再把它计入关键词与检索，${REANALYSIS}`,
				word: e.word
			};
		} catch (e) {
			return refusedForm('add', e, values);
		}
	},

	edit: async ({ locals, request }) => {
		const { ctx } = await admin(locals);
		const f = await request.formData();
		const word = str(f, 'word');
		const values = { weight: str(f, 'weight'), tag: str(f, 'tag') };
		try {
			const r = await updateLexiconEntry(ctx, 'term', word, { ...values, version: str(f, 'version') });
			return { form: 'edit', saved: r.changed.length ? `已保存「${word}」：${r.changed.join('；')}` : '没有改动', word };
		} catch (e) {
			return refusedForm('edit', e, values);
		}
	},

	disable: async ({ locals, request }) => setActive(locals, request, false),
	enable: async ({ locals, request }) => setActive(locals, request, true)
};
