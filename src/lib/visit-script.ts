// 回访话术: what the operator says when calling a caller back about a replied ticket (the ticket page's 回访 form).
// Hotlines read a standard script so every visit asks the same question the same way — whom the call is for, what
// was reported and when, what the unit replied — and the satisfaction is asked in the three words the record takes
// (满意, 基本满意, 不满意). Built from the ticket as the page shows it, so it says nothing the operator's screen does
// not.
import { formatShanghaiTime } from '$lib/charts/format';

export interface VisitScriptInput {
	/** the city's name, as in the hotline's name (苏州) */
	city: string;
	/** the caller's name as shown, or null when none was given */
	callerName: string | null;
	/** when the call was registered (ISO) */
	receivedAt: string;
	title: string;
	/** the lead unit's name, or null */
	unit: string | null;
	/** the unit's reply of this round (the latest 答复), or null */
	reply: string | null;
}

/** 12月6日, the registration day in Asia/Shanghai (as the page shows its times). */
function dayOf(iso: string): string {
	const [, m, d] = formatShanghaiTime(iso).slice(0, 10).split('-').map(Number);
	return `${m}月${d}日`;
}

/**
 * The script's lines, in the order they are said. A name given is asked for (请问您是张三吗), one masked (张*) or
 * none asks for the caller of that day's call; a ticket without a reply (none recorded) skips the reply line.
 */
export function visitScript(t: VisitScriptInput): string[] {
	const name = t.callerName?.trim() ?? '';
	const named = name !== '' && !name.includes('*');
	const lines = [
		`您好，这里是${t.city}12345热线，${named ? `请问您是${name}吗？` : `请问您是${dayOf(t.receivedAt)}来电反映问题的市民吗？`}`,
		`您在${dayOf(t.receivedAt)}反映的“${t.title}”，${t.unit ? `已交${t.unit}办理` : '已办理'}，现在给您做个回访。`
	];
	const reply = t.reply?.trim();
	if (reply) lines.push(`承办单位答复：${reply}`);
	lines.push('请问您反映的问题解决了吗？您对办理结果是满意、基本满意，还是不满意？', '感谢您对12345热线工作的支持，再见。');
	return lines;
}
