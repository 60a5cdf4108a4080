import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { IntakeAssist } from '$lib/types';
import ScreeningHint from './ScreeningHint.svelte';

type Hint = IntakeAssist['screening'][number];
const shown = (hint: Hint, onuse: (() => void) | null = () => {}) => {
	const html = render(ScreeningHint, { props: { hint, onuse: onuse ?? undefined } }).body;
	const text = (re: RegExp) => re.exec(html)?.[1].replace(/<!--[^>]*-->/g, '');
	return { heading: text(/<strong>(.*?)<\/strong>/s), button: text(/<button[^>]*>(.*?)<\/button>/s), rule: /data-rule="([^"]*)"/.exec(html)?.[1] };
};
const base = { words: [], line: null, mergeInto: null };

describe('ScreeningHint', () => {
	it('heads a 并单 hint as 并单, not as a rule, and offers to merge', () => {
		const hint = { ...base, rule: null, text: '同一事项的工单仍在办理', mergeInto: 'SZ20260101-000001', advice: '与在办工单 SZ20260101-000001 内容相似，可并单' };
		expect(shown(hint)).toEqual({ heading: '并单：同一事项的工单仍在办理', button: '并入此单', rule: 'merge' });
	});
	it('heads a rule’s hint with the rule', () => {
		const seven = { ...base, rule: 7, text: '已依法处理且无新情况、新理由重复反映', advice: '与已办结工单 X 内容相似，如无新情况、新理由，属情形 7' };
		expect(shown(seven)).toEqual({ heading: '情形 7：已依法处理且无新情况、新理由重复反映', button: '按此处理', rule: '7' });
		const fire = { ...base, rule: 2, line: '119', text: '应通过110、119、120、122等紧急热线处理', words: ['着火'], advice: '出现“着火”' };
		expect(shown(fire)).toMatchObject({ heading: '情形 2：应通过110、119、120、122等紧急热线处理', button: '选择转 119' });
	});
	it('only tells without onuse (a submission’s page, where the operator picks the form)', () => {
		const fire = { ...base, rule: 2, line: '119', text: '应通过110、119、120、122等紧急热线处理', words: ['着火'], advice: '出现“着火”' };
		expect(shown(fire, null)).toEqual({ heading: '情形 2：应通过110、119、120、122等紧急热线处理', button: undefined, rule: '2' });
	});
	it('shows rule 2 (an emergency line) in the danger box, the other hints in the warning box', () => {
		const tone = (hint: Hint) => /class="[^"]*\b(warning|danger)\b/.exec(render(ScreeningHint, { props: { hint } }).body)?.[1];
		expect(tone({ ...base, rule: 2, line: '119', text: '紧急热线', words: ['着火'], advice: '' })).toBe('danger');
		expect(tone({ ...base, rule: 7, text: '重复反映', advice: '' })).toBe('warning');
		expect(tone({ ...base, rule: null, text: '并单', mergeInto: 'SZ20260101-000001', advice: '' })).toBe('warning');
	});
});
