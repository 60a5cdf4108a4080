// 来电弹屏: the telephone system (CTI) opens 受理 for a call ringing at an operator's seat with the caller's number
// in the address, /intake?phone=13812345678 (and &channel=, &name= when it knows them), so the form starts filled
// in and the assistant shows at once what this number called about before. What the address carries is read as a
// caller would have said it: a number registration would refuse, a channel 受理 does not take, a name too long or
// with control characters is not filled in, and the page says which and why; the operator asks the caller.
import { CHANNEL_LABELS, CHANNELS, type Channel } from '$pipelines/lifecycle/model';
import { callerPhoneRefusal } from './input';

/** The channels 受理 registers (a feed's and Open311's tickets come by their own ways). */
export const INTAKE_CHANNELS = CHANNELS.filter((c) => c !== 'feed' && c !== 'open311');

/** The longest name and number the form takes (the registration's own limits). */
const NAME_MAX = 50;
const PHONE_MAX = 30;

export interface ScreenPop {
	/** the form's fields the address filled in */
	values: { caller_phone?: string; channel?: Channel; caller_name?: string };
	/** what the address carried and the form did not take, said to the operator */
	notes: string[];
}

/** A value of the address as the note quotes it: without control characters, at most 20 characters. */
const shown = (s: string) => {
	const t = s.replace(/\p{Cc}/gu, '');
	return t.length > 20 ? `${t.slice(0, 20)}…` : t;
};
/** Within the field's length, no control characters (a URL decodes a broken byte as U+FFFD, never a lone surrogate). */
const fits = (s: string, max: number) => s.length <= max && !/\p{Cc}/u.test(s);

/**
 * What `/intake?phone=…&channel=…&name=…` fills in. `phone`: a number registration takes (with the city's
 * `areaCode` for a local one), as given; `channel`: a code (phone, web, app, wechat) or its label (电话, 网站, App,
 * 微信); `name`: the caller's name. An empty parameter says nothing; anything else not taken is a note.
 */
export function screenPop(params: URLSearchParams, areaCode: string | null): ScreenPop {
	const values: ScreenPop['values'] = {};
	const notes: string[] = [];
	const phone = params.get('phone')?.trim() ?? '';
	if (phone) {
		if (!fits(phone, PHONE_MAX) || callerPhoneRefusal(phone, areaCode))
			notes.push(`话务系统带入的来电号码“${shown(phone)}”不是可登记的电话号码，未填入；请向来电人询问联系电话`);
		else values.caller_phone = phone;
	}
	const channel = params.get('channel')?.trim() ?? '';
	if (channel) {
		const c = INTAKE_CHANNELS.find((code) => code === channel.toLowerCase() || CHANNEL_LABELS[code] === channel);
		if (c) values.channel = c;
		else notes.push(`话务系统带入的渠道“${shown(channel)}”无法识别，未填入（可选：${INTAKE_CHANNELS.map((code) => CHANNEL_LABELS[code]).join('、')}）`);
	}
	const name = params.get('name')?.trim() ?? '';
	if (name) {
		if (!fits(name, NAME_MAX)) notes.push(`话务系统带入的来电人姓名“${shown(name)}”无法使用，未填入`);
		else values.caller_name = name;
	}
	return { values, notes };
}
