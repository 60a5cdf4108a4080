import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import UrgentHint from './UrgentHint.svelte';

const urgent = { words: ['井盖丢失', '电线掉下来'], advice: '出现“井盖丢失”“电线掉下来”，可能危及人身或公共安全，建议标为紧急' };
const shown = (set: boolean) => {
	const html = render(UrgentHint, { props: { urgent, set, button: '标为紧急', setText: '已标为紧急。', onuse: () => {} } }).body.replace(/<!--[^>]*-->/g, '');
	return {
		heading: /<strong>(.*?)<\/strong>/s.exec(html)?.[1],
		button: /<button[^>]*>(.*?)<\/button>/s.exec(html)?.[1],
		set: /data-testid="urgent-set">(.*?)<\/p>/s.exec(html)?.[1]
	};
};

describe('UrgentHint', () => {
	it('names the words and offers the button until the urgency is set, then says so', () => {
		expect(shown(false)).toEqual({ heading: '疑似紧急：井盖丢失、电线掉下来', button: '标为紧急', set: undefined });
		expect(shown(true)).toEqual({ heading: '疑似紧急：井盖丢失、电线掉下来', button: undefined, set: '已标为紧急。' });
	});
});
