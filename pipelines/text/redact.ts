// Personal data inside free text, masked for display and export (analysts see what people complain about,
// not who they are): mobile and landline numbers, ID card numbers, and a name the caller gives after
// 我叫 / 本人 / 联系人 …. Names elsewhere in the text cannot be found reliably without a model and stay.
import { maskName, maskPhone } from '../normalize/phone';

// digits that are not part of a longer number on either side
const ID_CARD = /(?<!\d)[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)/g;
const MOBILE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g;
const LANDLINE = /(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)/g;
const SELF_NAME = /(我叫|我是|本人|联系人[:：]?|姓名[:：]?)(\p{Script=Han}{2,3})(?=[，。,.；;、\s]|先生|女士|$)/gu;
const NOT_NAME_START = /^(?:市民|居民|业主|租户|住户|家长|学生|老人|一名|一个|这里|那里|附近|本地|外地|苏州|该|此)/;

export function maskPersonal(text: string): string {
	if (!text) return text;
	return text
		.replace(ID_CARD, (m) => `${m.slice(0, 6)}********${m.slice(-4, -1)}*`)
		.replace(MOBILE, (m) => maskPhone(m))
		.replace(LANDLINE, (m) => maskPhone(m))
		.replace(SELF_NAME, (m, lead: string, name: string) => (NOT_NAME_START.test(name) ? m : lead + maskName(name)));
}
