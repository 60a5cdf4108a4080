// What the ingest marks on a fact it kept not quite as sent (tickets_fact.flags): the codes the pipeline writes,
// and the words the screens show for them: a short name (检索's 数据质量 filter) and what was done (工单档案's
// 数据质量提示). A record with any of these was stored: a
// flag says what was cleaned, dropped or guessed, so an analyst can weigh the ticket's place, category or times.
import type { TextFlag } from '../normalize/text';

export type FactFlag =
	| TextFlag
	| 'handling_times_out_of_order'
	| 'unknown_district'
	| 'unknown_street'
	| 'street_district_mismatch'
	| 'bad_coordinates'
	| 'lonlat_swapped'
	| 'outside_city'
	| 'district_by_nearest_label'
	| 'unresolved_place'
	| 'unknown_category'
	| 'unknown_unit'
	| 'unknown_urgency'
	| 'unknown_status';

export const FACT_FLAG_LABELS: Record<FactFlag, string> = {
	control_chars: '文本含控制字符，已去除',
	invalid_unicode: '文本含无效字符，已替换',
	html: '文本含网页标记，已转为纯文本',
	handling_times_out_of_order: '办理时间先后颠倒（如答复早于签收），按来源原样保存',
	unknown_district: '来源所报区县代码不在本市区划中，已忽略',
	unknown_street: '来源所报街道（镇）代码不在本市区划中，已忽略',
	street_district_mismatch: '来源所报街道（镇）不属于所报区县，以街道（镇）所属区县为准',
	bad_coordinates: '来源所报坐标无效，已忽略',
	lonlat_swapped: '来源所报经纬度顺序颠倒，已纠正',
	outside_city: '地址指向本市以外，未定位',
	district_by_nearest_label: '坐标落在多个区县的重叠范围内，按最近的区县中心确定',
	unresolved_place: '未能定位到区县',
	unknown_category: '来源所报分类无法对应到本市分类，未分类',
	unknown_unit: '来源所报承办单位无法对应到本市单位，未记承办单位',
	unknown_urgency: '来源所报紧急程度无法识别，按一般处理',
	unknown_status: '来源所报状态无法识别，按有无办结时间记为已办结或待受理'
};

/** The flags' short names, for a filter's choices. */
export const FACT_FLAG_NAMES: Record<FactFlag, string> = {
	control_chars: '含控制字符',
	invalid_unicode: '含无效字符',
	html: '含网页标记',
	handling_times_out_of_order: '办理时间颠倒',
	unknown_district: '区县代码未知',
	unknown_street: '街道代码未知',
	street_district_mismatch: '街道与区县不符',
	bad_coordinates: '坐标无效',
	lonlat_swapped: '经纬度颠倒',
	outside_city: '地址在本市以外',
	district_by_nearest_label: '区县按最近中心确定',
	unresolved_place: '未定位到区县',
	unknown_category: '分类无法对应',
	unknown_unit: '承办单位无法对应',
	unknown_urgency: '紧急程度无法识别',
	unknown_status: '状态无法识别'
};

export const isFactFlag = (s: string): s is FactFlag => Object.hasOwn(FACT_FLAG_NAMES, s);
