// What the 受理 screen suggests while the operator types: the place parsed from the address, the top categories
// and units from the classifier, screening hints naming a non-acceptance rule and its words, and earlier tickets
// of the same caller or place (repeat detection). Every suggestion is advice; the operator decides.
import { join } from 'node:path';
import { z } from 'zod';
import { normalizePhone } from '$pipelines/normalize/index';
import { geocoderFor } from '../geo';
import { and, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import { NOT_ACCEPTED_REASONS, OPEN_STATUSES, type Status } from '$pipelines/lifecycle/model';
import { loadScreeningRules, screenCall, type ScreeningRules } from '$pipelines/text/screening';
import { searchKnowledge, type ArticleHit } from '$pipelines/text/knowledge';
import type { App } from '../app';
import { tickets, type TicketRow } from '../db/schema';
import type { IntakeAssist } from '$lib/types';
import { NoModelError, suggestFor } from '../text/classifier';
import { contentWithinLimit, parseInput } from './input';
import { REPEAT_DAYS, relatedTickets } from './service';
import { categoryPath } from './read';
import { activeArticles, KB_SUGGESTIONS } from './knowledge';

const assistSchema = z.object({
	title: z.string().max(200).default(''),
	content: contentWithinLimit.default(''),
	address: z.string().max(500).default(''),
	caller_phone: z.string().max(30).optional().nullable(),
	district_code: z.string().max(12).optional().nullable(),
	street_code: z.string().max(12).optional().nullable()
});

const cache = new WeakMap<App, { rules: ScreeningRules }>();
function tools(app: App) {
	let t = cache.get(app);
	if (!t) {
		t = { rules: loadScreeningRules(join(app.config.referenceDir, 'dict', 'screening.json')) };
		cache.set(app, t);
	}
	return t;
}

interface PriorNote {
	/** null: a 并单 hint, no non-acceptance rule */
	rule: number | null;
	line: string | null;
	mergeInto: string | null;
	/** what the earlier ticket is (与工单 … 内容相似，该单曾转 119) and what that suggests (如事态仍在持续…) */
	fact: string;
	action: string;
}

/**
 * What an earlier ticket of the same matter suggests: 并单 while it (or the ticket it was merged into) is open (no
 * rule: the matter is being handled, not refused), rule 7 only when a unit handled it to closure (已依法处理), else the line it was transferred to or the rule it was refused
 * under. A ticket answered directly suggests nothing: the list of related tickets shows it.
 */
async function priorNote(app: App, ticketNo: string): Promise<PriorNote | null> {
	const columns = {
		ticketNo: tickets.ticketNo,
		status: tickets.status,
		dispatchedAt: tickets.dispatchedAt,
		duplicateOf: tickets.duplicateOf,
		transferredTo: tickets.transferredTo,
		notAcceptedReason: tickets.notAcceptedReason
	};
	const [t] = await app.rel.db.select(columns).from(tickets).where(eq(tickets.ticketNo, ticketNo));
	if (!t) return null;
	if (t.duplicateOf === null) return noteOf(t);
	// merged (并单): the matter is the ticket it was merged into (a main ticket: merging into a merged one is refused)
	const [into] = await app.rel.db.select(columns).from(tickets).where(eq(tickets.id, t.duplicateOf));
	const note = into && into.duplicateOf === null ? noteOf(into) : null;
	return note && { ...note, fact: `工单 ${t.ticketNo} 已并入 ${into.ticketNo}；${note.fact}` };
}

/** priorNote of a ticket that was not merged. */
function noteOf(t: Pick<TicketRow, 'ticketNo' | 'status' | 'dispatchedAt' | 'transferredTo' | 'notAcceptedReason'>): PriorNote | null {
	const no = t.ticketNo;
	if (OPEN_STATUSES.includes(t.status as Status))
		return { rule: null, line: null, mergeInto: no, fact: `与在办工单 ${no} 内容相似`, action: '可并单' };
	if (t.status === 'closed' && t.dispatchedAt !== null)
		return { rule: 7, line: null, mergeInto: null, fact: `与已办结工单 ${no} 内容相似`, action: '如无新情况、新理由，属情形 7' };
	if (t.status === 'transferred' && t.transferredTo) {
		const line = t.transferredTo;
		const fact = `与工单 ${no} 内容相似，该单曾转 ${line}`;
		return { rule: 2, line, mergeInto: null, fact, action: `如事态仍在持续，建议再转 ${line} 并告知来电人` };
	}
	const reason = t.status === 'not_accepted' && t.notAcceptedReason ? NOT_ACCEPTED_REASONS[t.notAcceptedReason] : undefined;
	if (reason)
		return {
			rule: t.notAcceptedReason!,
			line: null,
			mergeInto: null,
			fact: `与工单 ${no} 内容相似，该单曾以情形 ${t.notAcceptedReason}（${reason}）不予受理`,
			action: '如无新情况，请核实是否仍属该情形'
		};
	return null;
}

/** What a 并单 hint (no rule) is headed with on the 受理 screen: 并单：同一事项的工单仍在办理. */
export const MERGE_TEXT = '同一事项的工单仍在办理';

/** The knowledge base (its active articles, edited in 设置 › 知识库) searched by the operator's words (the 受理 screen's search box). */
export async function searchKnowledgeBase(app: App, q: string): Promise<ArticleHit[]> {
	return searchKnowledge(await activeArticles(app.rel.db), q.slice(0, 500), 5);
}

/**
 * At least this many tickets of one number within REPEAT_DAYS make a frequent caller (高频来电), which the assistant
 * says beside the counts. Advice like every hint: a caller with many matters is not refused for it (rule 8 needs
 * harassment or no substantive appeal, which the operator judges).
 */
export const FREQUENT_CALLER_TICKETS = 5;

/**
 * What a number called about before: its tickets in all, within REPEAT_DAYS before `at`, those still being handled,
 * and the latest one's time (by the key repeat detection uses; its index on the key and the time answers it).
 */
async function callerHistory(app: App, phoneKey: string, at: number): Promise<NonNullable<IntakeAssist['caller']>> {
	const since = new Date(at - REPEAT_DAYS * 86_400_000);
	const [r] = await app.rel.db
		.select({
			total: sql<number>`count(*)::int`,
			recent: sql<number>`(count(*) FILTER (WHERE ${gte(tickets.receivedAt, since)}))::int`,
			open: sql<number>`(count(*) FILTER (WHERE ${inArray(tickets.status, [...OPEN_STATUSES])}))::int`,
			lastAt: sql<string | null>`max(${tickets.receivedAt})::text`
		})
		.from(tickets)
		.where(and(eq(tickets.callerPhoneKey, phoneKey), lte(tickets.receivedAt, new Date(at))));
	return {
		total: r.total,
		recent: r.recent,
		open: r.open,
		lastAt: r.lastAt ? new Date(r.lastAt).toISOString() : null,
		frequent: r.recent >= FREQUENT_CALLER_TICKETS
	};
}

/** What the words of a call say (screenCall): the hints of rules as the screens show them, and a hazard's urgency. */
export interface ScreeningAdvice {
	screening: IntakeAssist['screening'];
	urgent: IntakeAssist['urgent'];
}

/**
 * The screening of a call's title and content by the rules file's words: each rule's hint with its advice, and the
 * suggestion to make it urgent for a hazard it tells of (none beside an emergency to transfer: it is not taken).
 * For the 受理 assistant and for a submission screened on its ticket's page.
 */
export function callScreening(app: App, title: string, content: string): ScreeningAdvice {
	if (!title.trim() && !content.trim()) return { screening: [], urgent: null };
	const { hints, urgent } = screenCall(tools(app).rules, title, content);
	const screening: IntakeAssist['screening'] = hints.map((h) => ({
		rule: h.rule,
		text: NOT_ACCEPTED_REASONS[h.rule],
		words: h.words,
		line: h.line,
		mergeInto: null,
		advice:
			h.rule === 2
				? `出现“${h.words.join('”“')}”，疑似紧急事项，建议转 ${h.line} 并告知来电人`
				: h.words.length
					? `出现“${h.words.join('”“')}”，请核实是否属于情形 ${h.rule}`
					: `内容过短或只有问候、试拨等用语，请核实是否有实质诉求（情形 ${h.rule}）`
	}));
	return {
		screening,
		// a hazard: taken, the call is urgent (signed for within hours, not a working day)
		urgent:
			urgent.length && !hints.some((h) => h.rule === 2)
				? { words: urgent, advice: `出现“${urgent.join('”“')}”，可能危及人身或公共安全，建议标为紧急，按紧急件时限签收、办理` }
				: null
	};
}

export async function intakeAssist(app: App, raw: unknown): Promise<IntakeAssist> {
	// it saves nothing: a character no store keeps is 无法识别 here, not 无法保存
	const q = parseInput(assistSchema, raw, 'read');
	const geocoder = geocoderFor(app.ref);
	const g = q.address.trim() ? geocoder.geocodeText(q.address) : null;
	// the operator's choice first, else the address's; a street only within the district (never 姑苏区 木渎镇)
	const formStreet = q.street_code ? app.ref.streetByCode.get(q.street_code) : undefined;
	const district =
		q.district_code && app.ref.districtByCode.has(q.district_code) ? q.district_code : (formStreet?.districtCode ?? g?.districtCode ?? null);
	const candidate = formStreet ? formStreet.code : g?.streetCode;
	const street = candidate && app.ref.streetByCode.get(candidate)?.districtCode === district ? candidate : null;
	let categories: IntakeAssist['categories'] = [];
	let units: IntakeAssist['units'] = [];
	let modelReady = true;
	if (q.content.trim() || q.title.trim()) {
		try {
			const s = suggestFor(app, { title: q.title, content: q.content, district_code: district, street_code: street });
			categories = s.categories.slice(0, 3).map((c) => ({ code: c.code, path: categoryPath(app, c.code) ?? c.name, p: c.p }));
			units = s.units.slice(0, 3);
		} catch (e) {
			if (!(e instanceof NoModelError)) throw e;
			modelReady = false;
		}
	}
	const { screening, urgent } = callScreening(app, q.title, q.content);
	const phoneKey = q.caller_phone ? normalizePhone(q.caller_phone, app.ref.city.phoneAreaCode ?? undefined) : null;
	const now = Date.now();
	const [caller, related] = await Promise.all([
		phoneKey ? callerHistory(app, phoneKey, now) : null,
		relatedTickets(app, {
			phoneKey,
			streetCode: street,
			districtCode: district,
			text: `${q.title}${q.content}`,
			address: q.address,
			at: now
		})
	]);
	// an earlier ticket of the same matter: 并单 while open, rule 7 when handled, else what was done with it
	const prior = related.find((r) => r.repeat);
	const note = prior ? await priorNote(app, prior.ticketNo) : null;
	if (note) {
		const { rule, line, mergeInto, fact, action } = note;
		// a hint of the words with the same rule and line says it too
		const same = screening.find((h) => h.rule === rule && h.line === line);
		if (same) same.advice += `；${fact}`;
		else {
			const at = rule === 2 ? screening.findIndex((h) => h.rule !== 2) : -1; // an emergency stays first
			const text = rule === null ? MERGE_TEXT : NOT_ACCEPTED_REASONS[rule];
			const hint = { rule, text, words: [], line, mergeInto, advice: `${fact}，${action}` };
			screening.splice(at < 0 ? screening.length : at, 0, hint);
		}
	}
	// an address in another city: nothing is filled in, the operator is told and decides (the form still registers it)
	const outside = g?.outside
		? `地址似乎在${app.ref.cityName}以外（${g.outside.name}），未自动填写区、街道；请向来电人核实，属本市的请手动选择`
		: null;
	return {
		place:
			g || district
				? {
						districtCode: district,
						streetCode: street,
						name:
							[district && app.ref.districtByCode.get(district)?.name, street && app.ref.streetByCode.get(street)?.name]
								.filter(Boolean)
								.join(' ') || (g?.outside ? `${app.ref.cityName}以外（${g.outside.name}）` : '未识别'),
						matched: g?.matched ?? [],
						outside
					}
				: null,
		categories,
		units,
		modelReady,
		screening,
		// none where it is to be transferred at once (also for an earlier ticket's rule 2)
		urgent: screening.some((h) => h.rule === 2) ? null : urgent,
		caller,
		related: related.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() })),
		knowledge: searchKnowledge(await activeArticles(app.rel.db), `${q.title} ${q.content}`, KB_SUGGESTIONS)
	};
}
