// The screens of DESIGN.md, who sees them, and which are built. Shared by the layout load and the
// placeholder route; no runtime dependencies.
import type { NavItem, Role } from './types';

interface Screen {
	href: string;
	label: string;
	group: string;
	built: boolean;
	roles: Role[] | 'all';
	description: string;
}

const ANALYSIS: Role[] = ['admin', 'leader', 'analyst', 'emergency'];
const CASES: Role[] = ['admin', 'operator', 'dispatcher', 'supervisor', 'leader'];

export const SCREENS: Screen[] = [
	{ href: '/', label: '态势总览', group: '态势', built: true, roles: ANALYSIS.concat(['operator', 'dispatcher', 'supervisor']), description: '' },
	{ href: '/map', label: '态势地图', group: '态势', built: true, roles: ANALYSIS, description: '按区、街道（镇）展示诉求热力与显著性，可下钻到工单，并叠加预警。' },
	{ href: '/wall', label: '大屏', group: '态势', built: true, roles: ['admin', 'leader', 'emergency'], description: '深色大屏模式的态势总览与地图，自动刷新。' },
	{ href: '/topics', label: '话题', group: '分析', built: true, roles: ANALYSIS, description: '对诉求文本聚类形成话题，展示热度走势、增长与情绪。' },
	{ href: '/search', label: '检索', group: '分析', built: true, roles: ANALYSIS, description: '按关键词与条件检索全部工单，高亮并可导出。' },
	{ href: '/briefings', label: '简报', group: '分析', built: true, roles: ['admin', 'leader', 'analyst'], description: '从实时数据生成舆情简报，编辑后导出 Word / PDF。' },
	{ href: '/alerts', label: '预警', group: '应急', built: true, roles: ['admin', 'leader', 'emergency'], description: '突发事件聚集预警：队列、地图、关联工单，确认、升级与解除。' },
	{ href: '/intake', label: '受理', group: '工单', built: true, roles: ['admin', 'operator'], description: '话务员登记来电，按不予受理规则甄别，智能推荐分类与承办单位。' },
	{ href: '/dispatch', label: '派单', group: '工单', built: true, roles: ['admin', 'dispatcher'], description: '待派与退回工单队列，按紧急程度与时限派发至承办单位。' },
	{ href: '/my-tickets', label: '我的工单', group: '工单', built: true, roles: ['unit_handler'], description: '承办单位查看本单位工单：签收、退回、申请延期、答复。' },
	{ href: '/supervise', label: '督办', group: '工单', built: true, roles: ['admin', 'supervisor', 'leader'], description: '红黄灯超时预警清单，催办与督办。' },
	{ href: '/visits', label: '回访', group: '工单', built: true, roles: ['admin', 'supervisor', 'operator'], description: '已答复待回访工单，记录满意度，不满意可重新交办。' },
	{ href: '/tickets', label: '工单查询', group: '工单', built: true, roles: ['admin', 'operator', 'dispatcher', 'supervisor'], description: '按单号、来电号码或内容查找全部工单，答复来电人查询办理进度。' },
	{ href: '/assessment', label: '考核', group: '工单', built: true, roles: ['admin', 'supervisor', 'leader'], description: '承办单位考核：签收及时率、办结及时率、退单率、延期率、满意率与综合得分排名。' },
	{ href: '/admin/quarantine', label: '数据隔离区', group: '系统', built: true, roles: ['admin'], description: '' },
	{ href: '/settings', label: '设置', group: '系统', built: true, roles: ['admin'], description: '单位、分类、时限、词典、预警规则与用户管理。' }
];

export const PLANNED_SCREENS: Record<string, { label: string; description: string }> = Object.fromEntries(
	SCREENS.filter((s) => !s.built).map((s) => [s.href.slice(1), { label: s.label, description: s.description }])
);

export function canSee(role: Role, href: string): boolean {
	const s = SCREENS.find((x) => x.href === href);
	return !!s && (s.roles === 'all' || s.roles.includes(role));
}

export function navFor(role: Role): NavItem[] {
	return SCREENS.filter((s) => s.roles === 'all' || s.roles.includes(role)).map(({ href, label, built, group }) => ({ href, label, built, group }));
}

/** Where a user lands after login. */
export function homeFor(role: Role): string {
	return navFor(role)[0]?.href ?? '/';
}
