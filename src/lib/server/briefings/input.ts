// What people send to the briefings (the page's forms and the JSON API), validated with zod; a refusal names the
// field in Chinese (BriefingError.field) and keeps the precise issue for the log.
import { z } from 'zod';
import { addDays, dayNumber, isDay, shanghaiDay } from '$pipelines/calendar/index';
import { unsavableChar, unsavableMessage } from '$pipelines/normalize/text';
import type { Reference } from '$pipelines/reference/index';
import { BRIEFING_KINDS, KIND_LABELS, SECTION_KEYS, SECTION_TITLES, type BriefingKind, type SectionKey } from '$lib/briefings';
import { EARLIEST_DAY, parsePlaceCategory } from '../analytics/filters';

export type BriefingErrorCode = 'not_found' | 'forbidden' | 'conflict' | 'invalid_input' | 'no_font';

export class BriefingError extends Error {
	constructor(
		readonly code: BriefingErrorCode,
		message: string,
		/** the input field at fault (invalid_input): kind, title, from, to, district, category, sections, sections.<key>, version */
		readonly field: string | null = null,
		readonly detail: string | null = null
	) {
		super(message);
	}
}

export const FIELD_LABELS: Record<string, string> = {
	kind: '简报类型',
	title: '标题',
	from: '起始日期',
	to: '结束日期',
	district: '区县',
	category: '分类',
	sections: '栏目',
	version: '版本号'
};

export const TITLE_MAX = 60;
export const TEXT_MAX = 3000;
/** The longest period a briefing covers. */
export const MAX_DAYS = 366;

function invalid(field: string, message: string, detail: string | null = null): never {
	throw new BriefingError('invalid_input', message, field, detail);
}

const chars = (s: string) => [...s].length;

/** The first issue of a zod refusal as a BriefingError naming its field (the schema's messages are Chinese). */
function refusal(e: z.ZodError): never {
	const issue = e.issues[0];
	const path = issue.path.map(String);
	// a section's text or flag: the section is named
	if (path[0] === 'sections' && path.length >= 2) {
		const field = `sections.${path[1]}`;
		return invalid(field, issue.message, `${path.join('.')}: ${issue.code}`);
	}
	return invalid(path[0] ?? 'body', issue.message, `${path.join('.')}: ${issue.code}`);
}

function objectBody(value: unknown): Record<string, unknown> {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BriefingError('invalid_input', '请求内容应为 JSON 对象');
	return value as Record<string, unknown>;
}

const DAY_FORM = '应为 年-月-日（如 2026-11-01）';
/** A refusal's message: `missing` for a value not given, `malformed` for one of the wrong kind (a number, a list). */
const missingOr = (input: unknown, missing: string, malformed: string) => (input === undefined || input === null ? missing : malformed);

const optCode = (label: string) =>
	z
		.string({ error: `${label}的格式不正确` })
		.max(16, { error: `${label}的格式不正确` })
		.optional()
		.nullable()
		.transform((s) => (s?.trim() ? s.trim() : null));

const createSchema = z.object({
	kind: z.enum(BRIEFING_KINDS, { error: `请选择简报类型（${BRIEFING_KINDS.map((k) => KIND_LABELS[k]).join('、')}）` }),
	title: z
		.string({ error: '标题的格式不正确' })
		.optional()
		.nullable()
		.transform((s) => (s ?? '').trim()),
	from: z.string({ error: (iss) => missingOr(iss.input, '请填写起始日期', `起始日期的格式不正确，${DAY_FORM}`) }).transform((s) => s.trim()),
	to: z.string({ error: (iss) => missingOr(iss.input, '请填写结束日期', `结束日期的格式不正确，${DAY_FORM}`) }).transform((s) => s.trim()),
	district: optCode('区县'),
	category: optCode('分类')
});

export interface CreateInput {
	kind: BriefingKind;
	/** empty: the default title */
	title: string;
	from: string;
	to: string;
	district: string | null;
	category: string | null;
}

/** A day as typed: 2026-11-01, also 2026/11/01 or 2026-11-1. */
function day(field: 'from' | 'to', v: string): string {
	const label = FIELD_LABELS[field];
	if (!v) return invalid(field, `请填写${label}`);
	const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(v);
	const d = m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : v;
	if (!isDay(d)) return invalid(field, `${label}「${v}」无效，应为 年-月-日（如 2026-11-01）`);
	return d;
}

function title(v: string): string {
	const unsavable = unsavableMessage('标题', v);
	if (unsavable) invalid('title', unsavable, `title: contains ${unsavableChar(v)!.code}`);
	if (chars(v) > TITLE_MAX) invalid('title', `标题不能超过 ${TITLE_MAX} 个字（现有 ${chars(v)} 个）`);
	return v;
}

/**
 * A new briefing's kind, title, period and scope: the period in Shanghai days, ending today at the latest, from
 * 2000-01-01 and at most MAX_DAYS long; the district and category as the dashboards take them (a level-3 category is
 * refused here, naming its parent: a briefing is made for what it says).
 */
export function parseCreate(raw: unknown, ref: Reference, now: number): CreateInput {
	const parsed = createSchema.safeParse(objectBody(raw));
	if (!parsed.success) refusal(parsed.error);
	const v = parsed.data;
	const from = day('from', v.from);
	const to = day('to', v.to);
	const today = shanghaiDay(now);
	if (from < EARLIEST_DAY) invalid('from', `起始日期 ${from} 早于 ${EARLIEST_DAY}，超出可统计的范围`);
	if (to > today) invalid('to', `结束日期 ${to} 晚于今天（${today}）`);
	if (from > to) invalid('from', `起始日期 ${from} 晚于结束日期 ${to}`);
	const days = dayNumber(to) - dayNumber(from) + 1;
	if (days > MAX_DAYS) invalid('from', `时段不能超过 ${MAX_DAYS} 天（现为 ${days} 天）；最早可从 ${addDays(to, -(MAX_DAYS - 1))} 起`);
	const scope = (field: 'district' | 'category', value: string | null) => {
		if (!value) return { district: null, category: null };
		const r = parsePlaceCategory(new URLSearchParams({ [field]: value }), ref, '简报');
		if (r.refusals.length) invalid(field, r.refusals.join('；'));
		return r;
	};
	const district = scope('district', v.district).district;
	const category = scope('category', v.category).category;
	return { kind: v.kind, title: title(v.title), from, to, district, category };
}

const sectionSchema = z.object({
	key: z.enum(SECTION_KEYS, { error: `栏目应为 ${SECTION_KEYS.join('、')} 之一` }),
	included: z.boolean({ error: '栏目是否保留应为 true 或 false' }).optional().default(true),
	text: z
		.string({ error: '栏目文字的格式不正确' })
		.optional()
		.nullable()
		.transform((s) => (s ?? '').replace(/\r\n?/g, '\n').trim())
});

const versionSchema = z.preprocess(
	(v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v),
	z
		.number({ error: (iss) => missingOr(iss.input, '缺少版本号：请刷新页面后重试', '版本号的格式不正确') })
		.int({ error: '版本号的格式不正确' })
		.min(1, { error: '版本号的格式不正确' })
);

const saveSchema = z.object({
	version: versionSchema,
	title: z
		.string({ error: '标题的格式不正确' })
		.optional()
		.nullable()
		.transform((s) => (s === undefined || s === null ? null : s.trim())),
	sections: z.array(sectionSchema, { error: '栏目应为列表' }).optional().nullable()
});

export interface SaveInput {
	version: number;
	/** null: unchanged */
	title: string | null;
	/** every section once, in the new order; null: unchanged */
	sections: { key: SectionKey; included: boolean; text: string }[] | null;
}

/** A save (or a refresh, which may carry the page's unsaved edits): the version read, and the title and sections. */
export function parseSave(raw: unknown): SaveInput {
	const parsed = saveSchema.safeParse(objectBody(raw));
	if (!parsed.success) refusal(parsed.error);
	const v = parsed.data;
	if (v.title !== null) {
		if (!v.title) invalid('title', '请填写标题');
		title(v.title);
	}
	if (v.sections) {
		const seen = new Set<string>();
		for (const s of v.sections) {
			if (seen.has(s.key)) invalid('sections', `栏目「${SECTION_TITLES[s.key]}」重复`);
			seen.add(s.key);
			const label = `「${SECTION_TITLES[s.key]}」的文字`;
			const unsavable = unsavableMessage(label, s.text);
			if (unsavable) invalid(`sections.${s.key}`, unsavable, `sections.${s.key}: contains ${unsavableChar(s.text)!.code}`);
			if (chars(s.text) > TEXT_MAX) invalid(`sections.${s.key}`, `${label}不能超过 ${TEXT_MAX} 个字（现有 ${chars(s.text)} 个）`);
		}
		const missing = SECTION_KEYS.filter((k) => !seen.has(k));
		if (missing.length) invalid('sections', `缺少栏目：${missing.map((k) => SECTION_TITLES[k]).join('、')}（不需要的栏目请设为不保留）`);
		if (!v.sections.some((s) => s.included)) invalid('sections', '至少保留一个栏目');
	}
	return { version: v.version, title: v.title, sections: v.sections ?? null };
}

/** A version given alone (DELETE ?version=). */
export function parseVersion(raw: unknown): number {
	const parsed = versionSchema.safeParse(raw ?? undefined);
	if (!parsed.success) return invalid('version', parsed.error.issues[0].message);
	return parsed.data;
}
