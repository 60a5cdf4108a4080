// Types shared by server loads and pages (no runtime code, safe on both sides).

export const ROLES = [
	'admin',
	'leader',
	'analyst',
	'emergency',
	'operator',
	'dispatcher',
	'supervisor',
	'unit_handler'
] as const;
export type Role = (typeof ROLES)[number];

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
}

export interface NavItem {
	href: string;
	label: string;
	/** false: the screen is planned but not built yet; the page says so plainly. */
	built: boolean;
	group: string;
}

/** A count over a period compared with the period of equal length just before it. */
export interface PeriodCompare {
	label: string; // 今日 / 近7天 / 近30天
	current: number;
	previous: number;
	/** (current - previous) / previous, null when previous is 0 */
	change: number | null;
	/** e.g. 2026-11-22 – 2026-11-28 */
	range: string;
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

export interface OverviewData {
	/** "today" of the hotline (Asia/Shanghai date) the numbers are computed for */
	asOf: string;
	/** the instant the numbers were computed at (ISO 8601); periods end here */
	now: string;
	periods: PeriodCompare[];
	trend: DailyPoint[]; // the 90 whole days before today
	topCategories: RankedItem[]; // level-1, last 30 days
	topDistricts: RankedItem[]; // last 30 days
	totalTickets: number;
}
