// The segmentation dictionary (设置 › 词典, /api/v1/lexicon): an administrator adds the words callers now use (网红店,
// 飞线充电) so that they stay whole in the tokens, the search, the topics and the rising terms; gives a word another
// weight or part of speech; takes a word out of the dictionary (停用); adds a stop word that only clutters the
// keywords, or makes a stop word of the file a word again.
//
// The files data/dict/terms.txt and stopwords.txt stay the dictionary as shipped. The relational store's `lexicon`
// keeps one row per word changed here, and the running app's segmenters work with the files and these rows
// (`segmenterOverlay`): the main thread's (search queries, suggestions, the 试一试 box) at once, the analysis workers
// from their next round. The analysed tickets whose text contains a changed word are analysed again in the
// background, so the search finds them by the new word.
//
// The units' names, as 设置 › 单位 keeps them (renamed, added, former names), are words of the overlay too: the
// reference files the segmenter reads know only the units as shipped.
import { and, eq, sql } from 'drizzle-orm';
import { join } from 'node:path';
import { loadReference, type Reference } from '$pipelines/reference/index';
import { fileTerms, loadStopWords, normalizeToken, overlayIsEmpty, unitNameEntries, type DictionaryOverlay } from '$pipelines/segment/index';
import { isHanOnly } from '$pipelines/segment/chars';
import type { App } from './app';
import { CaseError, objectBody } from './cases/input';
import type { Db } from './db';
import { lexicon, type LexiconRow } from './db/schema';
import { activeField, changedMeanwhile, directoryAdmin, directoryRevision, invalid, mayAdminister as mayChange, nameField, sameVersion, versionField, type DirectoryAdmin } from './directory';

export type LexiconKind = 'term' | 'stop';
export const LEXICON_KINDS: readonly LexiconKind[] = ['term', 'stop'];
export const KIND_LABELS: Record<LexiconKind, string> = { term: '词条', stop: '停用词' };

/**
 * How strongly a term is kept whole (jieba's counts; data/dict/README.md): every weight keeps it whole against its
 * parts; the weight decides only where two dictionary words overlap.
 */
export const TERM_WEIGHTS = [
	{ code: 'core', freq: 3000, label: '核心', hint: '与其他词重叠时也优先保留' },
	{ code: 'common', freq: 1500, label: '常用', hint: '常见的领域用语' },
	{ code: 'rare', freq: 800, label: '一般', hint: '较少见的说法' }
] as const;
export type TermWeight = (typeof TERM_WEIGHTS)[number]['code'];

/** Parts of speech an administrator gives a term (jieba's tags). */
export const TERM_TAGS: Record<string, string> = {
	n: '名词',
	v: '动词',
	vn: '动名词',
	a: '形容词',
	l: '习用语',
	j: '简称',
	nz: '专有名词',
	nt: '机构名',
	ns: '地名'
};

export const LEXICON_LIMITS = { term: 20, stop: 10 } as const;

export interface LexiconEntry {
	kind: LexiconKind;
	kindLabel: string;
	word: string;
	/** a term's weight (jieba's count) and its label; null for a stop word */
	freq: number | null;
	weight: string | null;
	tag: string | null;
	tagLabel: string | null;
	active: boolean;
	/** added here (not in the dictionary files) */
	added: boolean;
	/** the last change here; null: as the files give it */
	editedAt: string | null;
	editedBy: string | null;
	/** a word of the files as shipped is version 1 */
	version: number;
}

export interface LexiconAdmin extends DirectoryAdmin {
	/** the dictionary files' folder (data/dict) */
	dictDir: string;
	/** the analysed tickets that contain these words are analysed again; resolves to how many (see dictionaryChanged) */
	reanalyse?: (words: string[]) => Promise<number>;
}

export interface LexiconChange {
	entry: LexiconEntry;
	/** what changed, in words ([] when nothing did) */
	changed: string[];
	/** the analysed tickets containing the word, cleared for analysis again (settles when they are marked) */
	reanalysis: Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------------
// The running app's dictionary: the store's rows, kept per Reference (one per app, like its directories)

interface LexiconState {
	referenceDir: string;
	rows: Map<string, LexiconRow>;
	revision: number;
	overlay: { at: string; value: DictionaryOverlay } | null;
}
const states = new WeakMap<Reference, LexiconState>();
const keyOf = (kind: string, word: string) => `${kind}\u0001${word}`;
const EMPTY: DictionaryOverlay = Object.freeze({});

/** Reads the store's dictionary changes into the app (at start, after the directories' overlays). Returns how many. */
export async function overlayLexicon(db: Db, ref: Reference, referenceDir: string): Promise<number> {
	const rows = await db.select().from(lexicon);
	states.set(ref, { referenceDir, rows: new Map(rows.map((r) => [keyOf(r.kind, r.word), r])), revision: 0, overlay: null });
	return rows.length;
}

function putRow(ref: Reference, row: LexiconRow): void {
	const s = states.get(ref);
	if (!s) return;
	s.rows.set(keyOf(row.kind, row.word), row);
	s.revision++;
}

/**
 * What the app changes of the dictionary files: its lexicon rows and the units' names the files do not have. The
 * same object while neither changes (an empty one without any), so a holder tells a change by `overlayKey`.
 */
export function segmenterOverlay(ref: Reference): DictionaryOverlay {
	const s = states.get(ref);
	if (!s) return EMPTY;
	const at = `${s.revision}:${directoryRevision(ref)}`;
	if (s.overlay?.at === at) return s.overlay.value;
	const shipped = new Set(loadReference(s.referenceDir).units.flatMap((u) => [u.name, u.shortName]));
	const terms = unitNameEntries(ref.units.flatMap((u) => [u.name, u.shortName, ...(u.formerNames ?? [])]).filter((w) => !shipped.has(w)));
	const o: Required<DictionaryOverlay> = { terms, removedTerms: [], stopWords: [], keptWords: [] };
	for (const r of s.rows.values()) {
		if (r.kind === 'term' && r.active) o.terms.push({ word: r.word, freq: r.freq ?? TERM_WEIGHTS[1].freq, tag: r.tag ?? 'n' });
		else if (r.kind === 'term') o.removedTerms.push(r.word);
		else if (r.active) o.stopWords.push(r.word);
		else o.keptWords.push(r.word);
	}
	const value = overlayIsEmpty(o) ? EMPTY : o;
	s.overlay = { at, value };
	return value;
}

const keys = new WeakMap<DictionaryOverlay, string>();

/**
 * A key that differs when the overlay's words differ ('' for none); made once per overlay (segmenterOverlay gives the
 * same object until a change), since every search query and suggestion asks for it.
 */
export function overlayKey(o: DictionaryOverlay): string {
	let k = keys.get(o);
	if (k === undefined) keys.set(o, (k = overlayIsEmpty(o) ? '' : JSON.stringify(o)));
	return k;
}

// ---------------------------------------------------------------------------------------------------------------
// The administration

/** The administration as the running app's `actor` does it; the tickets a change concerns are analysed again. */
export function lexiconAdmin(a: App, actor: DirectoryAdmin['actor'], reanalyse?: LexiconAdmin['reanalyse']): LexiconAdmin {
	return { ...directoryAdmin(a, actor, 'dictionary'), dictDir: join(a.config.referenceDir, 'dict'), reanalyse };
}

const mayAdminister = (ctx: LexiconAdmin) => mayChange(ctx, '维护分词词典');

const weightOf = (freq: number) => (TERM_WEIGHTS.find((w) => freq >= w.freq) ?? TERM_WEIGHTS[TERM_WEIGHTS.length - 1]).label;

/** The files' words of a kind, in file order: a term's frequency and tag. */
function fileWords(ctx: LexiconAdmin, kind: LexiconKind): Map<string, { freq: number | null; tag: string | null }> {
	if (kind === 'term') return new Map(fileTerms(ctx.dictDir).map((e) => [e.word, { freq: e.freq, tag: e.tag }]));
	return new Map([...loadStopWords(ctx.dictDir)].map((w) => [w, { freq: null, tag: null }]));
}

function entryOf(kind: LexiconKind, word: string, file: { freq: number | null; tag: string | null } | undefined, row: LexiconRow | undefined): LexiconEntry {
	const freq = kind === 'term' ? (row?.freq ?? file?.freq ?? null) : null;
	const tag = kind === 'term' ? (row?.tag ?? file?.tag ?? null) : null;
	return {
		kind,
		kindLabel: KIND_LABELS[kind],
		word,
		freq,
		weight: freq === null ? null : weightOf(freq),
		tag,
		tagLabel: tag ? (TERM_TAGS[tag] ?? tag) : null,
		active: row ? row.active : true,
		added: row ? row.added : false,
		editedAt: row ? row.editedAt.toISOString() : null,
		editedBy: row?.editedBy ?? null,
		version: row?.version ?? 1
	};
}

/**
 * Every word of the dictionary of a kind, or of both: those changed here first (the latest change first), then the
 * files' others in their order (terms, then stop words).
 */
export async function lexiconForAdmin(ctx: LexiconAdmin, kind?: LexiconKind): Promise<LexiconEntry[]> {
	mayAdminister(ctx);
	const rows = await ctx.db.select().from(lexicon);
	const changed: LexiconEntry[] = [];
	const rest: LexiconEntry[] = [];
	for (const k of kind ? [kind] : LEXICON_KINDS) {
		const file = fileWords(ctx, k);
		const mine = new Map(rows.filter((r) => r.kind === k).map((r) => [r.word, r]));
		for (const r of mine.values()) changed.push(entryOf(k, r.word, file.get(r.word), r));
		for (const [w, f] of file) if (!mine.has(w)) rest.push(entryOf(k, w, f, undefined));
	}
	changed.sort((a, b) => b.editedAt!.localeCompare(a.editedAt!));
	return [...changed, ...rest];
}

function kindField(v: unknown, field = 'kind'): LexiconKind {
	const k = typeof v === 'string' ? v.trim() : '';
	if (!k) invalid(field, '请选择词典类别（词条或停用词）');
	if (!(LEXICON_KINDS as readonly string[]).includes(k)) invalid(field, `未知词典类别「${k}」，可选：term（词条）、stop（停用词）`, `${field}: ${k}`);
	return k as LexiconKind;
}

const WORD_CHARS = /^[\p{Script=Han}\p{L}\p{N}.+\-·]+$/u;

/**
 * A word as typed: no spaces or punctuation (a word the segmenter makes never has them), a term at least two
 * characters. A stop word in Latin letters is kept as the tokens are (lower case, half-width): it is compared with them.
 */
function wordField(r: Record<string, unknown>, kind: LexiconKind): string {
	const label = KIND_LABELS[kind];
	const w = nameField(r, 'word', label, LEXICON_LIMITS[kind]);
	if (!w) invalid('word', `请填写${label}`);
	if (/\s/u.test(w)) invalid('word', `${label}不能含有空格：分词后的词中不会有空格`, `word: ${JSON.stringify(w)}`);
	if (!WORD_CHARS.test(w)) invalid('word', `${label}只能由汉字、字母和数字组成（可含 . + - ·）`, `word: ${JSON.stringify(w)}`);
	if (!/[\p{Script=Han}\p{L}]/u.test(w)) invalid('word', `${label}须含有汉字或字母`);
	if (kind === 'term' && [...w].length < 2) invalid('word', '词条至少两个字：单字本来就不会被拆开');
	return kind === 'stop' && !isHanOnly(w) ? normalizeToken(w) : w;
}

function weightField(r: Record<string, unknown>): number | undefined {
	if (!('weight' in r) || r.weight === '' || r.weight === null) return undefined;
	const w = TERM_WEIGHTS.find((x) => x.code === r.weight);
	if (!w) invalid('weight', `权重应为 ${TERM_WEIGHTS.map((x) => `${x.code}（${x.label}）`).join('、')}`, `weight: ${String(r.weight)}`);
	return w.freq;
}

function tagField(r: Record<string, unknown>): string | undefined {
	if (!('tag' in r) || r.tag === '' || r.tag === null) return undefined;
	if (typeof r.tag !== 'string' || !(r.tag in TERM_TAGS))
		invalid('tag', `词性应为 ${Object.entries(TERM_TAGS).map(([k, v]) => `${k}（${v}）`).join('、')}`, `tag: ${String(r.tag)}`);
	return r.tag;
}

async function rowOf(db: Db, kind: LexiconKind, word: string): Promise<LexiconRow | undefined> {
	const [r] = await db.select().from(lexicon).where(and(eq(lexicon.kind, kind), eq(lexicon.word, word)));
	return r;
}

/** One word's entry; not_found when neither the files nor the store have it. */
export async function lexiconEntry(ctx: LexiconAdmin, kindRaw: string, word: string): Promise<LexiconEntry> {
	mayAdminister(ctx);
	const kind = kindField(kindRaw);
	const file = fileWords(ctx, kind).get(word);
	const row = await rowOf(ctx.db, kind, word);
	if (!file && !row) throw new CaseError('not_found', `${KIND_LABELS[kind]}「${word}」不在词典中`);
	return entryOf(kind, word, file, row);
}

/** Marks the analysed tickets containing the words for analysis again (when the app wired it), logging a failure. */
function reanalysis(ctx: LexiconAdmin, words: string[]): Promise<number> {
	if (!ctx.reanalyse || !words.length) return Promise.resolve(0);
	return ctx.reanalyse(words).catch((e) => {
		console.error(`[minqing] 词典：含「${words.join('、')}」的工单未能标记为重新分词（下次修改或重启后再试）：`, e);
		return 0;
	});
}

/** Adds a word: { kind: term | stop, word, weight?: core | common | rare, tag? } (a term's weight defaults to common, its tag to n). */
export async function addLexiconEntry(ctx: LexiconAdmin, raw: unknown): Promise<LexiconChange> {
	mayAdminister(ctx);
	const r = objectBody(raw);
	const kind = kindField(r.kind);
	const word = wordField(r, kind);
	const freq = kind === 'term' ? (weightField(r) ?? TERM_WEIGHTS[1].freq) : null;
	const tag = kind === 'term' ? (tagField(r) ?? 'n') : null;
	if (kind === 'stop' && (('weight' in r && r.weight) || ('tag' in r && r.tag))) invalid('weight', '停用词没有权重和词性');
	const file = fileWords(ctx, kind).get(word);
	const row = await rowOf(ctx.db, kind, word);
	if (file || row) {
		const e = entryOf(kind, word, file, row);
		invalid(
			'word',
			e.active ? `「${word}」已是${KIND_LABELS[kind]}${e.weight ? `（${e.weight}）` : ''}` : `「${word}」是已停用的${KIND_LABELS[kind]}，请在列表中启用`,
			`word: ${kind} ${word} exists`
		);
	}
	const [created] = await ctx.db
		.insert(lexicon)
		.values({ kind, word, freq, tag, active: true, added: true, editedBy: ctx.actor.username, editedAt: new Date() })
		.onConflictDoNothing()
		.returning();
	if (!created) throw changedMeanwhile(`${KIND_LABELS[kind]}「${word}」`, `${kind} ${word} inserted meanwhile`);
	putRow(ctx.ref, created);
	const entry = entryOf(kind, word, undefined, created);
	await ctx.log?.(`词典：${ctx.actor.username} 新增${KIND_LABELS[kind]}「${word}」${entry.weight ? `（${entry.weight}，${entry.tagLabel}）` : ''}`, word);
	return { entry, changed: ['新增'], reanalysis: reanalysis(ctx, [word]) };
}

/**
 * A change of a word: { weight?, tag?, active?, version? } (a stop word: active only). With `version` (the page's
 * forms send the one they were drawn with) a change made meanwhile by another administrator is refused (409).
 */
export async function updateLexiconEntry(ctx: LexiconAdmin, kindRaw: string, word: string, raw: unknown): Promise<LexiconChange> {
	mayAdminister(ctx);
	const r = objectBody(raw);
	const kind = kindField(kindRaw);
	const version = versionField(r);
	const current = await lexiconEntry(ctx, kind, word);
	const freq = kind === 'term' ? weightField(r) : undefined;
	const tag = kind === 'term' ? tagField(r) : undefined;
	if (kind === 'stop' && (r.weight || r.tag)) invalid('weight', '停用词没有权重和词性，只能停用或启用');
	const active = activeField(r);
	if (freq === undefined && tag === undefined && active === undefined)
		throw new CaseError('invalid_input', kind === 'term' ? '请提供要修改的内容：weight（权重）、tag（词性）或 active（启用状态）' : '请提供要修改的内容：active（启用状态）');
	const row = await rowOf(ctx.db, kind, word);
	sameVersion(`${KIND_LABELS[kind]}「${word}」`, version, current.version);
	const changed: string[] = [];
	if (freq !== undefined && freq !== current.freq) changed.push(`权重由${current.weight}改为${weightOf(freq)}`);
	if (tag !== undefined && tag !== current.tag) changed.push(`词性由${current.tagLabel}改为${TERM_TAGS[tag]}`);
	if (active !== undefined && active !== current.active) changed.push(active ? '启用' : '停用');
	if (!changed.length) return { entry: current, changed, reanalysis: Promise.resolve(0) };
	const values = { freq: freq ?? current.freq, tag: tag ?? current.tag, active: active ?? current.active, editedAt: new Date(), editedBy: ctx.actor.username };
	const [saved] = row
		? await ctx.db
				.update(lexicon)
				.set({ ...values, version: sql`${lexicon.version} + 1` })
				.where(and(eq(lexicon.kind, kind), eq(lexicon.word, word), eq(lexicon.version, row.version)))
				.returning()
		: await ctx.db
				.insert(lexicon)
				.values({ kind, word, ...values, added: false, version: current.version + 1 })
				.onConflictDoNothing()
				.returning();
	if (!saved) throw changedMeanwhile(`${KIND_LABELS[kind]}「${word}」`, `version ${current.version} changed during the update`);
	putRow(ctx.ref, saved);
	await ctx.log?.(`词典：${ctx.actor.username} 修改${KIND_LABELS[kind]}「${word}」：${changed.join('；')}`, word);
	// a tag alone changes no word the segmenter makes
	const segments = (freq !== undefined && freq !== current.freq) || (active !== undefined && active !== current.active);
	return { entry: entryOf(kind, word, fileWords(ctx, kind).get(word), saved), changed, reanalysis: segments ? reanalysis(ctx, [word]) : Promise.resolve(0) };
}

/**
 * How many tickets a change marked for analysis again, when the marking ends within `ms` (the API's answer); null when
 * it still waits in the ingest queue behind a longer job (it runs there all the same).
 */
export async function reanalysedWithin(change: LexiconChange, ms: number): Promise<number | null> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	try {
		return await Promise.race([change.reanalysis, new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))]);
	} finally {
		clearTimeout(timer);
	}
}

/** How long the API waits for a change's marking before it answers without the count. */
export const REANALYSIS_WAIT_MS = 3000;
