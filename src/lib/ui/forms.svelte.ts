// use:enhance for the app's forms: SvelteKit's, except for a submission refused because the session ended
// (SESSION_EXPIRED): that result is not applied — the form is neither redrawn nor reset, so what was typed stays —
// and the notice of the app's layout (SessionExpired.svelte) says so, with a link to sign in again in another tab;
// submitting again afterwards sends the same values. The page's own callback still runs (its pending state ends),
// its `update` doing nothing for that result.
import { enhance as kitEnhance } from '$app/forms';
import type { SubmitFunction } from '@sveltejs/kit';
import { isSessionExpired } from '$lib/session-expired';

/** The session-expired notice: shown after such a refusal, gone after the next answer of another kind. */
export const sessionNotice = $state({ shown: false });

export function enhance(form: HTMLFormElement, submit: SubmitFunction = () => {}) {
	return kitEnhance(form, async (input) => {
		const after = await submit(input);
		return async (opts) => {
			const expired = isSessionExpired(opts.result);
			sessionNotice.shown = expired;
			const update: typeof opts.update = expired ? () => Promise.resolve() : opts.update;
			if (after) await after({ ...opts, update });
			else await update();
		};
	});
}
