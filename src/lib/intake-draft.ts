// The 受理 form's unregistered calls, kept in the browser tab (sessionStorage) while they are typed: a reload, a
// click on the navigation, a session that expired and a sign-in again do not lose what the caller said. A new call
// put through (来电弹屏) while one is still unregistered sets that one aside, to be taken up again. Kept per user and
// tab, for half a day at most, and cleared at sign-out: the caller's name and phone stay on the seat that took them.

/** The form's values: what `blankIntake` gives, as the operator changed it. */
export type IntakeValues = ReturnType<typeof blankIntake>;

/** What the telephone system may have put in the address (来电弹屏). */
export interface PopValues {
	channel?: string;
	caller_name?: string;
	caller_phone?: string;
}

/** An empty 受理 form, with what a screen pop brought. */
export function blankIntake(pop: PopValues = {}) {
	return {
		channel: pop.channel ?? 'phone',
		type: '投诉',
		urgent: false,
		caller_name: pop.caller_name ?? '',
		caller_phone: pop.caller_phone ?? '',
		title: '',
		content: '',
		address: '',
		district_code: '',
		street_code: '',
		category_code: '',
		decision: 'accept',
		reason: '',
		transferred_to: '110',
		duplicate_of: '',
		decision_note: '',
		links: [] as string[]
	};
}

/** Fields the operator set by hand, which the suggestions then leave alone. */
export interface Touched {
	place: boolean;
	category: boolean;
}

export interface IntakeDraft {
	v: IntakeValues;
	touched: Touched;
	/** when it was last changed (ms since the epoch) */
	savedAt: number;
	/** files that were chosen for it: a browser cannot keep them, so they must be chosen again */
	files: number;
}

export interface IntakeDrafts {
	/** the call on the form */
	current: IntakeDraft | null;
	/** calls set aside for a newer one, newest first */
	aside: IntakeDraft[];
}

/** How long a draft is kept: a shift. */
export const DRAFT_HOURS = 12;
/** Calls set aside at most; the oldest goes beyond. */
export const MAX_ASIDE = 5;
const PREFIX = 'minqing:intake-draft:';

/** Whether the form holds anything the operator typed: more than a screen pop's caller and the defaults. */
export function worthKeeping(v: IntakeValues, pop: PopValues = {}): boolean {
	const typed = (s: string) => s.trim() !== '';
	return (
		typed(v.title) ||
		typed(v.content) ||
		typed(v.address) ||
		typed(v.decision_note) ||
		v.links.length > 0 ||
		(typed(v.caller_name) && v.caller_name !== (pop.caller_name ?? '')) ||
		(typed(v.caller_phone) && v.caller_phone !== (pop.caller_phone ?? ''))
	);
}

/** The form's values read back from storage: each field of the type the form has, or its blank value (an older or damaged draft). */
function valuesOf(raw: unknown): IntakeValues | null {
	if (!raw || typeof raw !== 'object') return null;
	const r = raw as Record<string, unknown>;
	const v = blankIntake();
	const out: Record<string, unknown> = { ...v };
	for (const [k, d] of Object.entries(v)) {
		const x = r[k];
		if (Array.isArray(d)) out[k] = Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : d;
		else if (typeof x === typeof d) out[k] = x;
	}
	return out as IntakeValues;
}

function draftOf(raw: unknown, now: number): IntakeDraft | null {
	if (!raw || typeof raw !== 'object') return null;
	const r = raw as Record<string, unknown>;
	const v = valuesOf(r.v);
	const savedAt = typeof r.savedAt === 'number' ? r.savedAt : NaN;
	if (!v || !Number.isFinite(savedAt) || now - savedAt > DRAFT_HOURS * 3_600_000 || !worthKeeping(v)) return null;
	const t = (r.touched ?? {}) as Record<string, unknown>;
	return { v, savedAt, files: typeof r.files === 'number' ? r.files : 0, touched: { place: t.place === true, category: t.category === true } };
}

type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** This user's drafts in this tab; expired, empty and unreadable ones are left out. */
export function loadDrafts(storage: DraftStorage, userId: number, now = Date.now()): IntakeDrafts {
	let raw: unknown = null;
	try {
		raw = JSON.parse(storage.getItem(PREFIX + userId) ?? 'null');
	} catch {
		raw = null;
	}
	const r = (raw ?? {}) as Record<string, unknown>;
	const aside = Array.isArray(r.aside) ? r.aside.map((d) => draftOf(d, now)).filter((d): d is IntakeDraft => d !== null) : [];
	return { current: draftOf(r.current, now), aside: aside.slice(0, MAX_ASIDE) };
}

/**
 * Keeps this user's drafts (nothing at all when there are none). A storage that refuses (full, or switched off)
 * loses only the draft: the form itself goes on. Returns whether it was kept.
 */
export function saveDrafts(storage: DraftStorage, userId: number, drafts: IntakeDrafts): boolean {
	try {
		if (!drafts.current && !drafts.aside.length) storage.removeItem(PREFIX + userId);
		else storage.setItem(PREFIX + userId, JSON.stringify({ current: drafts.current, aside: drafts.aside.slice(0, MAX_ASIDE) }));
		return true;
	} catch {
		return false;
	}
}

/** Removes every user's drafts from this tab (at sign-out). */
export function clearDrafts(storage: Pick<Storage, 'length' | 'key' | 'removeItem'>): void {
	const keys: string[] = [];
	for (let i = 0; i < storage.length; i++) {
		const k = storage.key(i);
		if (k?.startsWith(PREFIX)) keys.push(k);
	}
	for (const k of keys) storage.removeItem(k);
}

/** A set-aside call in one line: who called, and the title or the content's start. */
export function draftLine(d: IntakeDraft): string {
	const who = d.v.caller_name.trim() || d.v.caller_phone.trim() || '未留姓名';
	const what = d.v.title.trim() || d.v.content.trim() || d.v.address.trim() || '（未填诉求）';
	const cut = [...what];
	return `${who} · ${cut.length > 24 ? cut.slice(0, 24).join('') + '…' : what}`;
}

/** How long ago a draft was last changed, as the page says it. */
export function agoText(savedAt: number, now = Date.now()): string {
	const min = Math.floor((now - savedAt) / 60_000);
	if (min < 1) return '刚刚';
	if (min < 60) return `${min} 分钟前`;
	return `${Math.floor(min / 60)} 小时前`;
}
