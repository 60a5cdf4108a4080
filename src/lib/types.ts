// Types shared by server loads and pages (no runtime code, safe on both sides).
import type { MapAlertMarker } from './ui/map-scale';
import type { Status } from '$pipelines/lifecycle/model';

export const ROLES = ['admin', 'leader', 'analyst', 'emergency', 'operator', 'dispatcher', 'supervisor', 'unit_handler'] as const;
export type Role = (typeof ROLES)[number];

/** The title of the overview's category panel (and the wall's) by the level it ranks. */
export const CATEGORY_LEVEL_TITLES = { 1: '诉求类别', 2: '二级类别', 3: '三级类别' } as const;

export const ROLE_LABELS: Record<Role, string> = {
	admin: '系统管理员',
	leader: '领导',
	analyst: '分析员',
	emergency: '应急办',
	operator: '话务员',
	dispatcher: '派单员',
	supervisor: '督办员',
	unit_handler: '承办单位'
};

export interface SessionUser {
	id: number;
	username: string;
	displayName: string;
	role: Role;
	/** Set for unit_handler: the one undertaking unit this user acts for. */
	unitCode: string | null;
	unitName: string | null;
	/** the password was set by an administrator: every page but 我的账号 waits until the user has changed it */
	mustChangePassword?: boolean;
}

export interface NavItem {
	href: string;
	label: string;
	/** false: the screen is planned but not built yet; the page says so plainly. */
	built: boolean;
	group: string;
}

export interface DailyPoint {
	day: string; // YYYY-MM-DD (Asia/Shanghai)
	count: number;
}

export interface RankedItem {
	code: string;
	name: string;
	count: number;
	share: number; // 0..1 of the period total
}

// ---------------------------------------------------------------------------------------------------------
// Situation screens (态势总览, 态势地图, 大屏, 单位考核)

export type PeriodKey = 'today' | '7d' | '30d' | '90d' | '365d' | 'custom';

/** The filters every situation panel applies; they live in the URL. Days are Asia/Shanghai 'YYYY-MM-DD'. */
export interface DashboardFilter {
	period: PeriodKey;
	periodLabel: string;
	from: string;
	to: string;
	district: string | null;
	/** a level-1 or level-2 category code */
	category: string | null;
	categoryLevel: 1 | 2 | null;
	channel: string | null;
	type: string | null;
}

/** A count against its seasonal baseline (same kind of day: weekday, weekend, holiday). */
export interface VolumeCard {
	label: string;
	range: string;
	observed: number;
	/** null when the store holds too little history for a baseline */
	expected: number | null;
	low: number | null;
	high: number | null;
	/** (observed − expected) / expected */
	change: number | null;
}

export interface BaselinePoint {
	day: string;
	count: number;
	expected: number | null;
	low: number | null;
	high: number | null;
	/** 工作日 / 调休上班日 / 周末 / 法定节假日（节日名） */
	kind: string;
}

/** The handling figures of a set of tickets; every rate is null when its denominator is 0. */
export interface HandlingRates {
	received: number;
	screened: number;
	accepted: number;
	acceptanceRate: number | null;
	dispatched: number;
	/**
	 * Handling rounds with a result to assess: replied, returned, or still unanswered past the reply limit. A unit is
	 * scored only from MIN_ASSESSED of them: rounds just dispatched have had no chance to be late, returned or reopened.
	 */
	measured: number;
	/** signed on time / (signed + still unsigned past the time limit) */
	signRate: number | null;
	replyRate: number | null;
	visited: number;
	/** (满意 + 基本满意) / visited */
	satisfactionRate: number | null;
	returnRate: number | null;
	extensionRate: number | null;
	reopenRate: number | null;
}

/** Tickets the city is still working on, now (not limited to the period). */
export interface OpenCounts {
	open: number;
	/** open and past a sign-for or reply time limit */
	overdue: number;
	signOverdue: number;
	replyOverdue: number;
}

export interface RankedChange {
	code: string;
	name: string;
	count: number;
	share: number;
	/** the count of the period before (whole) */
	previous: number;
	/** against the period before, scaled to the same progress when the period is still in progress (see `comparison`);
	 * null when the period before had none (新增), or when the store does not hold all of it */
	change: number | null;
}

/** What 「较上期」 compares: the period before, of the same length; its counts scaled by `scale` for a period in progress. */
export interface PeriodComparison {
	from: string;
	to: string;
	/** 1 for a finished period; for one ending today, (days − 1 + share of a normal day passed by now) ÷ days */
	scale: number;
	/** whether the store holds the whole period before (its data starts on or before `from`); if not, no change is given */
	covered: boolean;
	/** the first day the store holds */
	dataFrom: string | null;
}

export interface OverviewTopic {
	id: number;
	label: string;
	size: number;
	/** against the same number of days before, at the same progress; null when there is nothing to compare with */
	growth: number | null;
	/** none of its tickets in those days before (growth null): 新出现 */
	isNew: boolean;
}

export interface DashboardOverview {
	asOf: string;
	now: string;
	filter: DashboardFilter;
	volume: VolumeCard[];
	trend: BaselinePoint[];
	rates: HandlingRates;
	open: OpenCounts;
	/**
	 * level-1 categories, level-2 ones within a filtered level-1 category, or level-3 ones within a filtered
	 * level-2 category (never a broader category than the filter)
	 */
	categories: RankedChange[];
	categoryLevel: 1 | 2 | 3;
	/** with a level-2 filter: the period's tickets of that category without a level-3 category (not ranked) */
	categoryUnsplit: number;
	/** districts, or the streets of a filtered district */
	places: RankedChange[];
	placeLevel: 'district' | 'street';
	channels: RankedChange[];
	types: RankedChange[];
	/** what the rankings' changes compare with */
	comparison: PeriodComparison;
	topics: OverviewTopic[];
	/** when the latest topic run was made (null: none yet) */
	topicsAsOf: string | null;
	/**
	 * the days the topics are counted over: the period within the latest run's tickets (from its first day on);
	 * `clipped` when the period begins before; null without a run or when the period ends before the run's days
	 */
	topicsWindow: { from: string; to: string; clipped: boolean } | null;
	totalTickets: number;
	/** the units leading open tickets past a limit now, most such tickets first (LATE_UNITS at most) */
	lateUnits: LateUnit[];
	/** the other units with late tickets: how many, and their late tickets */
	lateUnitsOther: { units: number; overdue: number };
}

/** A unit's open tickets now, and those past a sign-for or reply limit (the filter's tickets, any time received). */
export interface LateUnit {
	code: string;
	name: string;
	open: number;
	overdue: number;
	signOverdue: number;
	replyOverdue: number;
}

export type MapMetric = 'volume' | 'change' | 'overdue' | 'satisfaction';

export interface PlaceStat {
	code: string;
	name: string;
	count: number;
	expected: number | null;
	change: number | null;
	z: number | null;
	q: number | null;
	hotspot: boolean;
	open: number;
	overdue: number;
	/** overdue / open */
	overdueShare: number | null;
	visited: number;
	satisfactionRate: number | null;
}

export interface MapPoint {
	lon: number;
	lat: number;
	n: number;
}

/** The map's places and their figures: all the wall's map shows. */
export interface MapPlaces {
	asOf: string;
	filter: DashboardFilter;
	districts: PlaceStat[];
	/** the period's tickets without a known district (not on the map); 0 with a district filter */
	unplaced: number;
	/** the streets of the filtered district, ranked by significance (no street polygons exist) */
	streets: PlaceStat[] | null;
	/** how significance is computed, in Chinese, for the page */
	method: string;
}

/** The map page's data: the places, and the slider's days and the points layer. */
export interface MapData extends MapPlaces {
	/** the last days (for the time slider): days and, per district code, the count of each day */
	days: string[];
	daily: Record<string, number[]>;
	/** tickets with coordinates in the period, binned to about 1 km */
	points: MapPoint[];
	/** the points cover these days (the period, or its last 7 days) */
	pointsFrom: string;
}

export interface UnitScore {
	code: string;
	name: string;
	kind: string;
	dispatched: number;
	/** the dispatches it assisted in (协办): shown, not scored (an assisting unit has no steps of its own) */
	assisted: number;
	rates: HandlingRates;
	/** 0–100, weighted (see the assessment weights) */
	score: number | null;
	rank: number | null;
	/** score of each of the last months, oldest first (null where the unit had no tickets) */
	trend: (number | null)[];
}

export interface UnitPanel {
	filter: DashboardFilter;
	/** the kind of unit listed and ranked among themselves (单位类别), null for all */
	kind: string | null;
	units: UnitScore[];
	months: string[];
	weights: { key: string; label: string; weight: number }[];
}

/**
 * A handling round (pipelines/lifecycle/rounds.ts UnitRound: one dispatch to a unit, what it did with it) as the
 * ticket pages show it: the unit's name and ISO times. The assessment charges each round's results to its unit.
 */
export interface HandlingRound {
	unit: string;
	dispatchedAt: string | null;
	signDeadline: string | null;
	signedAt: string | null;
	replyDeadline: string | null;
	repliedAt: string | null;
	satisfaction: string | null;
	returned: boolean;
	extended: boolean;
	reopened: boolean;
}

/** What counts against a unit in its assessment: one kind of result, and its rounds. */
export type AssessmentCaseKey = 'sign' | 'reply' | 'unsatisfied' | 'returned' | 'extended' | 'reopened';

/** A handling round that counts against a unit (考核明细). Times are ISO instants. */
export interface AssessmentItem {
	ticketNo: string;
	title: string | null;
	/** the day the ticket was received (the period counts by it) */
	day: string;
	dispatchedAt: string | null;
	/** the limit the step was late against (sign-for or reply), for the two on-time rates */
	deadline: string | null;
	/** when the step was done; null for a step still undone past its limit (`pending`) */
	doneAt: string | null;
	/** still open, past the limit, the step undone: it counts against the rate now */
	pending: boolean;
}

export interface AssessmentCase {
	key: AssessmentCaseKey;
	/** what the rounds are, in words: 签收超时, 办结超时, 回访不满意, 退单, 延期, 重办 */
	label: string;
	/** which rounds these are, in a sentence */
	description: string;
	/** the rate they count against (ASSESSMENT_WEIGHTS' key and label) */
	rate: keyof HandlingRates;
	rateLabel: string;
	/** how many rounds count against it, and the rate's denominator (the rounds it is a share of) */
	count: number;
	of: number;
	/** the unit's rate, and that of all units together, for comparison */
	value: number | null;
	all: number | null;
	/** the unit's rate is worse than all units' together */
	worse: boolean;
	/** points of 100 the unit lost on this rate (its weight × what it fell short); null where it is not scored */
	lost: number | null;
	/** the newest of these rounds (still-open ones first), at most ASSESSMENT_ITEMS */
	items: AssessmentItem[];
}

/** One unit's assessment for a period (考核明细): its scorecard, and the rounds behind every rate it lost points on. */
export interface UnitAssessment {
	filter: DashboardFilter;
	unit: UnitScore;
	/** how many units are ranked (have a score) in the period */
	ranked: number;
	/** its rank among the units of its own kind (单位类别), and how many of them are ranked */
	kindRank: number | null;
	kindRanked: number;
	/** when it was read (ISO): a step still undone is late as of then */
	readAt: string;
	months: string[];
	cases: AssessmentCase[];
}

// ---------------------------------------------------------------------------------------------------------
// Case handling (工单)

/** A ticket as the case queues list it (the caller already masked for the viewer). */
export interface TicketSummary {
	ticketNo: string;
	status: string;
	statusLabel: string;
	type: string;
	channel: string;
	urgency: 'normal' | 'urgent';
	title: string;
	preview: string;
	category: string | null;
	place: string;
	unit: string | null;
	/** the unit this viewer's unit is for the ticket: lead or assist (units only) */
	role: 'lead' | 'assist' | null;
	caller: { name: string | null; phone: string | null };
	receivedAt: string;
	/** when the unit replied (the 回访 queue is in this order); null before a reply */
	repliedAt: string | null;
	/** the time limit running now: sign-for while 待签收, reply while 办理中, the return visit while 待回访 (not to units) */
	deadline: string | null;
	deadlineKind: 'sign' | 'reply' | 'visit' | null;
	light: 'green' | 'yellow' | 'red' | null;
	extensionPending: boolean;
	supervised: boolean;
	urgeCount: number;
	/**
	 * return visits of the reply that reached nobody (回访未接通): how many, the last one's time and what it met;
	 * `final`: calling again is no use (VISIT_ATTEMPTS reached, a refusal, a wrong number), a supervisor closes the
	 * ticket; null when none was recorded
	 */
	visitAttempts: { count: number; lastAt: string; lastFailure: string; final: boolean } | null;
	/** how many files are kept with the ticket (附件): a queue row says so, the files are on the ticket's page */
	attachmentCount: number;
	version: number;
	/** 派单 queue: the unit the routing rules suggest (or the unit a reopened ticket had) */
	/** `assist`: the assisting units a one-click dispatch keeps (a reopened ticket's, sent back to its units) */
	suggestedUnit: { code: string; name: string; why: string; assist: { code: string; name: string }[] } | null;
	/** 派单 queue, when no unit is suggested: why (no category or district, the rule's unit returned it, no rule) */
	suggestionNote: string | null;
}

/** 工单详情's locator map (geo.ts ticketLocator): positions in a box of width × height, projected on the server. */
export interface TicketLocator {
	width: number;
	height: number;
	/** the ticket's district, highlighted: its outline, or a round marker where it has none (苏州工业园区) */
	district: { code: string; name: string; hasShape: boolean };
	/** the ticket's street (街道/镇), named beside the map (the reference has no street outlines) */
	street: string | null;
	/** the outlines in the box (the ticket's district and the parts of its neighbours that show), clipped to it */
	shapes: { code: string; name: string; d: string }[];
	/** names of the districts whose label point lies in the box */
	labels: { code: string; name: string; x: number; y: number }[];
	/** where the district without an outline is drawn */
	marker: { x: number; y: number } | null;
	/** the ticket's point; null without coordinates, or when they lie outside the city's map */
	pin: { x: number; y: number } | null;
	/** coordinates were given but lie outside the city's map (not drawn) */
	pinOutside: boolean;
}

/** What the 受理 screen suggests while the operator types (POST /api/v1/intake/assist). */
export interface IntakeAssist {
	/** `outside`: what to tell the operator when the address names another city or province first (no place is filled in then) */
	place: { districtCode: string | null; streetCode: string | null; name: string; matched: string[]; outside: string | null } | null;
	categories: { code: string; path: string; p: number }[];
	units: { code: string; name: string; p: number }[];
	/** false when the classifier is not trained yet */
	modelReady: boolean;
	/**
	 * a non-acceptance rule and why; a 并单 hint has no rule (null) and `mergeInto`, an open ticket of the same matter; a
	 * rule-7 hint points to a handled one
	 */
	screening: { rule: number | null; text: string; words: string[]; line: string | null; mergeInto: string | null; advice: string }[];
	/** hazard words (an open manhole, a fallen wire …) that make the call urgent if it is taken; null without any, or with an emergency to transfer */
	urgent: { words: string[]; advice: string } | null;
	/**
	 * the caller's number's tickets (来电人历史), when a phone repeat detection reads is given: in all, within the
	 * last 30 days, still being handled, the latest one's time; `frequent`: 30 days held FREQUENT_CALLER_TICKETS or more
	 */
	caller: { total: number; recent: number; open: number; lastAt: string | null; frequent: boolean } | null;
	related: { ticketNo: string; status: string; receivedAt: string; title: string; why: string; similarity: number; repeat: boolean }[];
	/** knowledge-base articles that may answer it (a consultation can be answered directly) */
	knowledge: { id: string; title: string; keywords: string[]; answer: string; updated: string; score: number; matched: string[] }[];
}

/** 大屏: what the wall shows and refreshes (GET /api/v1/dashboard/wall): one filter for the overview and the map. */
export interface WallData {
	overview: DashboardOverview;
	/** the districts the wall's map colours (not the map page's slider and points) */
	map: MapPlaces;
	/** open alerts on the wall's map (no links) */
	alerts: MapAlertMarker[];
}

/** A file kept with a ticket (附件), as the ticket's page and the API show it (cases/attachments.ts). */
export interface AttachmentInfo {
	id: number;
	name: string;
	mime: string;
	size: number;
	image: boolean;
	width: number | null;
	height: number | null;
	hasThumb: boolean;
	uploader: string;
	unit: string | null;
	at: string;
}

/** What the ticket page and the API show of a ticket's attachments for this user. */
export interface TicketAttachments {
	count: number;
	/** the files, or null for a user who sees only how many there are (a leader) */
	items: AttachmentInfo[] | null;
	/** whether this user may add one now */
	canAdd: boolean;
	max: number;
	/** how many more this ticket takes */
	room: number;
	maxBytes: number;
	/** the files of one upload together (the server's body limit) */
	maxTotalBytes: number;
	accept: string;
}

/** One member of the hotline's staff in 工作量: an account (key `u<id>`). */
export interface StaffWorkRow {
	key: string;
	name: string;
	/** the account's role */
	role: Role;
	/** steps by timeline action */
	counts: Record<string, number>;
	total: number;
	/** 直办率: 直接答复 of the calls screened (受理, 直接答复, 不予受理, 转办, 并单); null with none screened */
	directRate: number | null;
}

export interface StaffWorkload {
	/** Shanghai days, both included */
	from: string;
	to: string;
	rows: StaffWorkRow[];
}

/** 受理's own tally of the day: the operator's 话务受理 steps today and the calls they registered last. */
export interface OwnIntakeDay {
	/** today, Asia/Shanghai */
	day: string;
	/** the account's 工作量 steps today by timeline action (receive = 登记, accept, answer, …; an operator's visit and visit_failed too) */
	counts: Record<string, number>;
	/** 直接答复 of the calls screened today; null with none */
	directRate: number | null;
	/** the calls registered last, newest first: the ticket, its title as the lists show it, its state now */
	recent: { ticketNo: string; title: string; status: Status; at: string }[];
}

/** `street_code` of a 受理 or 派单 correction that takes the street off (back to 未定): the form's 未定（清除街道）. */
export const STREET_NONE = 'none';
