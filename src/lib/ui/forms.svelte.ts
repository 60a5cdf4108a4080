// use:enhance for the app's forms: SvelteKit's, except for a submission refused because the session ended
// (SESSION_EXPIRED): that result is not applied — the form is neither redrawn nor reset, so what was typed stays —
// and the notice of the app's layout (SessionExpired.svelte) says so, with a link to sign in again in another tab;
// submitting again afterwards sends the same values. The page's own callback still runs (its pending state ends),
// its `update` doing nothing for that result.
//
// The keyboard stays with the form: SvelteKit puts the focus on the page's body after a successful action (as after
// a new page), and the next Tab would start again at the top. After the page's callback, a refusal naming a field
// (marked with `fieldError`) focuses that field; a focus left on the body goes back to the control it was on (the
// button pressed, the field Enter was pressed in) or, when that left the page with its form (a ticket dispatched
// leaves 派单's queue), to the page's message of the result (a status or alert with tabindex -1).
import { enhance as kitEnhance } from '$app/forms';
import { tick } from 'svelte';
import type { SubmitFunction } from '@sveltejs/kit';
import { isSessionExpired } from '$lib/session-expired';

/** The session-expired notice: shown after such a refusal, gone after the next answer of another kind. */
export const sessionNotice = $state({ shown: false });

export function enhance(form: HTMLFormElement, submit: SubmitFunction = () => {}) {
	return kitEnhance(form, async (input) => {
		const from = document.activeElement;
		const after = await submit(input);
		return async (opts) => {
			const expired = isSessionExpired(opts.result);
			sessionNotice.shown = expired;
			const update: typeof opts.update = expired ? () => Promise.resolve() : opts.update;
			if (after) await after({ ...opts, update });
			else await update();
			await tick();
			// a redirect is a new page: SvelteKit's own focus handling of a navigation stands
			if (opts.result.type === 'redirect') return;
			if (opts.result.type === 'failure' && focusInvalid(form)) return;
			const now = document.activeElement;
			if (now && now !== document.body) return;
			if (from instanceof HTMLElement && from !== document.body && from.isConnected) from.focus();
			// the message (in, or itself, a live region that stays on the page)
			else document.querySelector<HTMLElement>('main [role=status] [tabindex="-1"], main [role=status][tabindex="-1"], main [role=alert][tabindex="-1"]')?.focus();
		};
	});
}

/**
 * The attributes of a field the server may refuse: when the refusal names it (`refused`, the failure's `field`),
 * it is invalid and described by the refusal's message (the element with id `messageId`), so a screen reader reads
 * the message with the field. `also`: ids that always describe the field (a hint, a counter).
 */
export function fieldError(refused: string | null | undefined, name: string, messageId: string, also?: string) {
	const on = !!refused && refused === name;
	const describedby = [also, on ? messageId : null].filter(Boolean).join(' ');
	return { 'aria-invalid': on ? ('true' as const) : undefined, 'aria-describedby': describedby || undefined };
}

/**
 * After a refused submission: the keyboard goes to the field the refusal named (the first one marked invalid in
 * the form; a group's first control), instead of staying on the button at the bottom. False when none is marked.
 */
export function focusInvalid(form: HTMLFormElement): boolean {
	// (a form the page redrew meanwhile, as after a 409's reload, is no longer in the document: nothing to focus there)
	if (!form.isConnected) return false;
	const bad = form.querySelector<HTMLElement>('[aria-invalid="true"]');
	const target = bad instanceof HTMLFieldSetElement ? bad.querySelector<HTMLElement>('input, select, textarea') : bad;
	if (!target) return false;
	target.focus();
	return true;
}
