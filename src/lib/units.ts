// Kinds of undertaking units as people name them (client-safe: pages, exports and forms share them).
export const UNIT_KIND_LABELS: Record<string, string> = {
	municipal: '市级部门',
	utility: '公共服务企业',
	district: '区县',
	street: '街道（镇）',
	unknown: '未登记'
};
