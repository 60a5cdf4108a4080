// Kinds of undertaking units as people name them (client-safe: pages, exports and forms share them).
/** The kinds of unit the assessment ranks among themselves (考核 by 单位类别): like with like. */
export const ASSESSED_KINDS = ['municipal', 'district', 'street', 'utility'] as const;
export type AssessedKind = (typeof ASSESSED_KINDS)[number];

export const UNIT_KIND_LABELS: Record<string, string> = {
	municipal: '市级部门',
	utility: '公共服务企业',
	district: '区县',
	street: '街道（镇）',
	unknown: '未登记'
};

/**
 * Fewest handling rounds with a result (replied, unanswered past the reply limit, or returned) for a unit to be
 * scored and ranked in a period (or a month of its trend). Counting dispatches instead scored a unit that got ten
 * tickets this morning 100: none could be late, returned or reopened yet.
 */
export const MIN_ASSESSED = 10;

/** The minimum in the screens' and the workbook's words. */
export const MIN_ASSESSED_RULE = `已办结、超期未办结或退回的派单不足 ${MIN_ASSESSED} 次的单位不计分、不排名`;

/**
 * How the unit assessment (考核) counts, in the words the 考核 page and its workbook show: by handling round
 * (pipelines/lifecycle/rounds.ts).
 */
export const ASSESSMENT_COUNTING =
	'每派单一次计一次（退单后改派、重办后再派另计），签收或退单、办结、延期、回访与重办记在当时承办的单位名下；退单也须在签收时限内作出，超过按签收超时计。外部系统推送、未经本平台派单的工单不计入派单数和退单率、延期率、重办率；来源系统报来签收、答复时间及其时限的，计入签收及时率、办结及时率，没有的只计入满意率。协办单位只查看工单、填写备注，不签收、不答复，没有办理时限：协办次数单列（“协办”），不计入比率和得分。';
